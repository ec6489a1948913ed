//! Rough romanisation of Devanagari, Cyrillic, Greek, kana and Hangul words, and a consonant
//! skeleton to compare names across scripts ("अर्जुन" ~ "Arjun", "ハルカ" ~ "Haruka").
//! Approximate on purpose: it only decides whether a word may be a name we already know.

/// The word in Latin letters, or `None` when it has no letter of a script handled here.
pub fn romanize(word: &str) -> Option<String> {
    let mut out = String::new();
    let mut any = false;
    let chars: Vec<char> = word.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let cp = c as u32;
        match cp {
            0x0900..=0x097F => {
                any = true;
                i += devanagari(&chars, i, &mut out);
                continue;
            }
            0x0400..=0x04FF => {
                any = true;
                out.push_str(cyrillic(c.to_lowercase().next().unwrap_or(c)));
            }
            0x0370..=0x03FF | 0x1F00..=0x1FFF => {
                any = true;
                out.push_str(greek(c));
            }
            0x3040..=0x30FF => {
                any = true;
                i += kana(&chars, i, &mut out);
                continue;
            }
            0xAC00..=0xD7A3 => {
                any = true;
                hangul(cp - 0xAC00, &mut out);
            }
            _ => out.extend(c.to_lowercase()),
        }
        i += 1;
    }
    any.then_some(out)
}

/// Consonants only, similar sounds merged, doubles collapsed: "Satou" and "Sato" agree.
pub fn skeleton(latin: &str) -> String {
    let mut out = String::new();
    let lower = super::text::key(latin);
    let bytes = lower.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        let next = bytes.get(i + 1).copied();
        let mapped = match c {
            b'a' | b'e' | b'i' | b'o' | b'u' | b'y' | b'h' | b'w' => None,
            b'c' | b'q' | b'g' => Some(b'k'),
            b'x' => Some(b'k'),
            b'd' => Some(b't'),
            b'b' => Some(b'p'),
            b'v' => Some(b'f'),
            b'p' if next == Some(b'h') => Some(b'f'),
            b'z' => Some(b's'),
            b'j' => Some(b'j'),
            b'l' => Some(b'r'),
            c if c.is_ascii_lowercase() => Some(c),
            _ => None,
        };
        if let Some(m) = mapped
            && out.as_bytes().last() != Some(&m)
        {
            out.push(m as char);
        }
        i += 1;
    }
    out
}

fn devanagari(chars: &[char], i: usize, out: &mut String) -> usize {
    let c = chars[i];
    let consonant = match c {
        'क' => "k",
        'ख' => "kh",
        'ग' => "g",
        'घ' => "gh",
        'ङ' => "n",
        'च' => "ch",
        'छ' => "chh",
        'ज' => "j",
        'झ' => "jh",
        'ञ' => "n",
        'ट' => "t",
        'ठ' => "th",
        'ड' => "d",
        'ढ' => "dh",
        'ण' => "n",
        'त' => "t",
        'थ' => "th",
        'द' => "d",
        'ध' => "dh",
        'न' => "n",
        'प' => "p",
        'फ' => "ph",
        'ब' => "b",
        'भ' => "bh",
        'म' => "m",
        'य' => "y",
        'र' => "r",
        'ल' => "l",
        'व' => "v",
        'श' => "sh",
        'ष' => "sh",
        'स' => "s",
        'ह' => "h",
        'ळ' => "l",
        _ => "",
    };
    if !consonant.is_empty() {
        out.push_str(consonant);
        let next = chars.get(i + 1).copied();
        match next {
            Some('\u{094D}') => return 2, // virama: no vowel
            Some(m) if matra(m).is_some() => {
                out.push_str(matra(m).unwrap_or_default());
                return 2;
            }
            Some('\u{093C}') => return 2, // nukta
            _ => {
                // Inherent "a", dropped at the end of a word.
                let at_end = next.is_none_or(|n| !(0x0900..=0x097F).contains(&(n as u32)));
                if !at_end {
                    out.push('a');
                }
                return 1;
            }
        }
    }
    let vowel = match c {
        'अ' => "a",
        'आ' => "aa",
        'इ' => "i",
        'ई' => "ee",
        'उ' => "u",
        'ऊ' => "oo",
        'ऋ' => "ri",
        'ए' => "e",
        'ऐ' => "ai",
        'ओ' => "o",
        'औ' => "au",
        'ं' | 'ँ' => "n",
        'ः' => "h",
        _ => "",
    };
    out.push_str(vowel);
    1
}

fn matra(c: char) -> Option<&'static str> {
    Some(match c {
        'ा' => "a",
        'ि' => "i",
        'ी' => "i",
        'ु' => "u",
        'ू' => "u",
        'ृ' => "ri",
        'े' => "e",
        'ै' => "ai",
        'ो' => "o",
        'ौ' => "au",
        'ं' | 'ँ' => "n",
        _ => return None,
    })
}

fn cyrillic(c: char) -> &'static str {
    match c {
        'а' => "a",
        'б' => "b",
        'в' => "v",
        'г' => "g",
        'д' => "d",
        'е' => "e",
        'ё' => "e",
        'ж' => "zh",
        'з' => "z",
        'и' => "i",
        'й' => "y",
        'к' => "k",
        'л' => "l",
        'м' => "m",
        'н' => "n",
        'о' => "o",
        'п' => "p",
        'р' => "r",
        'с' => "s",
        'т' => "t",
        'у' => "u",
        'ф' => "f",
        'х' => "kh",
        'ц' => "ts",
        'ч' => "ch",
        'ш' => "sh",
        'щ' => "shch",
        'ы' => "y",
        'э' => "e",
        'ю' => "yu",
        'я' => "ya",
        'і' => "i",
        'ї' => "yi",
        'є' => "ye",
        'ґ' => "g",
        _ => "",
    }
}

fn greek(c: char) -> &'static str {
    let base = match c {
        'ά' | 'Ά' => 'α',
        'έ' | 'Έ' => 'ε',
        'ή' | 'Ή' => 'η',
        'ί' | 'Ί' | 'ϊ' | 'ΐ' => 'ι',
        'ό' | 'Ό' => 'ο',
        'ύ' | 'Ύ' | 'ϋ' | 'ΰ' => 'υ',
        'ώ' | 'Ώ' => 'ω',
        'ς' => 'σ',
        c => c.to_lowercase().next().unwrap_or(c),
    };
    match base {
        'α' => "a",
        'β' => "v",
        'γ' => "g",
        'δ' => "d",
        'ε' => "e",
        'ζ' => "z",
        'η' => "i",
        'θ' => "th",
        'ι' => "i",
        'κ' => "k",
        'λ' => "l",
        'μ' => "m",
        'ν' => "n",
        'ξ' => "x",
        'ο' => "o",
        'π' => "p",
        'ρ' => "r",
        'σ' => "s",
        'τ' => "t",
        'υ' => "y",
        'φ' => "f",
        'χ' => "ch",
        'ψ' => "ps",
        'ω' => "o",
        _ => "",
    }
}

fn kana(chars: &[char], i: usize, out: &mut String) -> usize {
    // Katakana to hiragana, then the syllable table.
    let norm = |c: char| -> char {
        let cp = c as u32;
        if (0x30A1..=0x30F6).contains(&cp) {
            char::from_u32(cp - 0x60).unwrap_or(c)
        } else {
            c
        }
    };
    let c = norm(chars[i]);
    let next = chars.get(i + 1).map(|c| norm(*c));
    if let Some(n @ ('ゃ' | 'ゅ' | 'ょ' | 'ぁ' | 'ぃ' | 'ぅ' | 'ぇ' | 'ぉ')) = next {
        let base = hira(c);
        let stem = base.trim_end_matches(['i', 'u', 'o', 'a', 'e']);
        let v = match n {
            'ゃ' | 'ぁ' => "a",
            'ゅ' | 'ぅ' => "u",
            'ょ' | 'ぉ' => "o",
            'ぃ' => "i",
            _ => "e",
        };
        out.push_str(stem);
        if !(stem == "sh" || stem == "ch" || stem == "j") && matches!(n, 'ゃ' | 'ゅ' | 'ょ') {
            out.push('y');
        }
        out.push_str(v);
        return 2;
    }
    match c {
        'っ' => {
            if let Some(n) = next {
                out.push_str(&hira(n)[..1.min(hira(n).len())]);
            }
        }
        'ー' => {
            if let Some(last) = out.chars().last() {
                out.push(last);
            }
        }
        _ => out.push_str(hira(c)),
    }
    1
}

fn hira(c: char) -> &'static str {
    match c {
        'あ' => "a",
        'い' => "i",
        'う' => "u",
        'え' => "e",
        'お' => "o",
        'か' => "ka",
        'き' => "ki",
        'く' => "ku",
        'け' => "ke",
        'こ' => "ko",
        'が' => "ga",
        'ぎ' => "gi",
        'ぐ' => "gu",
        'げ' => "ge",
        'ご' => "go",
        'さ' => "sa",
        'し' => "shi",
        'す' => "su",
        'せ' => "se",
        'そ' => "so",
        'ざ' => "za",
        'じ' => "ji",
        'ず' => "zu",
        'ぜ' => "ze",
        'ぞ' => "zo",
        'た' => "ta",
        'ち' => "chi",
        'つ' => "tsu",
        'て' => "te",
        'と' => "to",
        'だ' => "da",
        'ぢ' => "ji",
        'づ' => "zu",
        'で' => "de",
        'ど' => "do",
        'な' => "na",
        'に' => "ni",
        'ぬ' => "nu",
        'ね' => "ne",
        'の' => "no",
        'は' => "ha",
        'ひ' => "hi",
        'ふ' => "fu",
        'へ' => "he",
        'ほ' => "ho",
        'ば' => "ba",
        'び' => "bi",
        'ぶ' => "bu",
        'べ' => "be",
        'ぼ' => "bo",
        'ぱ' => "pa",
        'ぴ' => "pi",
        'ぷ' => "pu",
        'ぺ' => "pe",
        'ぽ' => "po",
        'ま' => "ma",
        'み' => "mi",
        'む' => "mu",
        'め' => "me",
        'も' => "mo",
        'や' => "ya",
        'ゆ' => "yu",
        'よ' => "yo",
        'ら' => "ra",
        'り' => "ri",
        'る' => "ru",
        'れ' => "re",
        'ろ' => "ro",
        'わ' => "wa",
        'を' => "o",
        'ん' => "n",
        'ゔ' => "vu",
        'ぁ' => "a",
        'ぃ' => "i",
        'ぅ' => "u",
        'ぇ' => "e",
        'ぉ' => "o",
        _ => "",
    }
}

fn hangul(index: u32, out: &mut String) {
    const L: [&str; 19] = [
        "g", "kk", "n", "d", "tt", "r", "m", "b", "pp", "s", "ss", "", "j", "jj", "ch", "k", "t",
        "p", "h",
    ];
    const V: [&str; 21] = [
        "a", "ae", "ya", "yae", "eo", "e", "yeo", "ye", "o", "wa", "wae", "oe", "yo", "u", "wo",
        "we", "wi", "yu", "eu", "ui", "i",
    ];
    const T: [&str; 28] = [
        "", "k", "k", "ks", "n", "nj", "nh", "t", "l", "lg", "lm", "lb", "ls", "lt", "lp", "lh",
        "m", "p", "ps", "t", "t", "ng", "t", "t", "k", "t", "p", "t",
    ];
    let l = (index / (21 * 28)) as usize;
    let v = ((index % (21 * 28)) / 28) as usize;
    let t = (index % 28) as usize;
    out.push_str(L[l]);
    out.push_str(V[v]);
    out.push_str(T[t]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_in_other_scripts_meet_their_latin_form() {
        assert_eq!(romanize("अर्जुन").as_deref(), Some("arjun"));
        assert_eq!(romanize("ハルカ").as_deref(), Some("haruka"));
        assert_eq!(
            skeleton(&romanize("サクラロボティクス").unwrap()),
            skeleton("Sakura Robotics")
        );
        assert_eq!(skeleton(&romanize("Дмитрий").unwrap()), skeleton("Dmitri"));
        assert_eq!(
            skeleton(&romanize("김민준").unwrap()),
            skeleton("Kim Minjun")
        );
        assert!(romanize("Jürgen").is_none());
    }
}
