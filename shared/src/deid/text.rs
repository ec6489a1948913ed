//! Text folding: the shapes people type (full-width digits, accents, odd spaces) brought to
//! one form for matching, with a map back to the original byte offsets.

/// A folded copy of a text and, for each byte of it, the byte offset of the original character
/// it came from.
pub struct Folded {
    pub text: String,
    starts: Vec<usize>,
    original_len: usize,
}

impl Folded {
    /// Full-width ASCII to ASCII and unusual spaces to a plain space; case and accents kept.
    pub fn shape(text: &str) -> Folded {
        Folded::build(text, false)
    }

    /// `shape`, lower-cased and without diacritics: the key for matching known values.
    pub fn key(text: &str) -> Folded {
        Folded::build(text, true)
    }

    fn build(text: &str, key: bool) -> Folded {
        let mut out = String::with_capacity(text.len());
        let mut starts = Vec::with_capacity(text.len() + 1);
        for (at, c) in text.char_indices() {
            let before = out.len();
            push_folded(&mut out, c, key);
            starts.resize(starts.len() + (out.len() - before), at);
        }
        Folded {
            text: out,
            starts,
            original_len: text.len(),
        }
    }

    /// The original byte range of the folded range `start..end`.
    pub fn original(&self, start: usize, end: usize) -> (usize, usize) {
        let s = self.starts.get(start).copied().unwrap_or(self.original_len);
        let e = if end >= self.starts.len() {
            self.original_len
        } else {
            // The end is the start of the original character that the next folded byte came
            // from, unless that byte still belongs to the same original character.
            let next = self.starts[end];
            if end > 0 && self.starts[end - 1] == next {
                self.next_original_boundary(end)
            } else {
                next
            }
        };
        (s, e.max(s))
    }

    fn next_original_boundary(&self, mut at: usize) -> usize {
        let current = self.starts[at];
        while at < self.starts.len() && self.starts[at] == current {
            at += 1;
        }
        self.starts.get(at).copied().unwrap_or(self.original_len)
    }

    /// Whether folding changed nothing: offsets are then the same in both.
    pub fn is_identity(&self) -> bool {
        self.text.len() == self.original_len && self.starts.iter().enumerate().all(|(i, s)| i == *s)
    }
}

fn push_folded(out: &mut String, c: char, key: bool) {
    let c = match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' | '\u{00A0}' | '\u{2000}'..='\u{200A}' | '\u{202F}' | '\u{205F}' => ' ',
        _ => c,
    };
    if !key {
        out.push(c);
        return;
    }
    if c.is_ascii() {
        out.push(c.to_ascii_lowercase());
    } else if let Ok(i) = FOLD.binary_search_by(|(k, _)| k.cmp(&c)) {
        out.push_str(FOLD[i].1);
    } else {
        out.extend(c.to_lowercase());
    }
}

/// Lower-case, accent-free form of a short value (a name, a domain).
pub fn key(text: &str) -> String {
    Folded::key(text).text
}

/// Whether `c` belongs to a script written without spaces between words.
pub fn is_unspaced_script(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0xFF66..=0xFF9F
        | 0x0E00..=0x0E7F)
}

/// Whether `start..end` of `text` is a whole word: no letter or digit glued to either side
/// (scripts written without spaces have no word boundaries to check).
pub fn is_word_boundary(text: &str, start: usize, end: usize) -> bool {
    let before = text[..start].chars().next_back();
    let after = text[end..].chars().next();
    let first = text[start..end].chars().next();
    let last = text[start..end].chars().next_back();
    let glued = |outside: Option<char>, edge: Option<char>| match (outside, edge) {
        (Some(o), Some(e)) if o.is_alphanumeric() => {
            !(is_unspaced_script(o) || is_unspaced_script(e))
                || (o.is_ascii_alphanumeric() && e.is_ascii_alphanumeric())
        }
        _ => false,
    };
    !glued(before, first) && !glued(after, last)
}

/// Letters folded to ASCII, sorted by the character.
static FOLD: &[(char, &str)] = &[
    ('À', "a"),
    ('Á', "a"),
    ('Â', "a"),
    ('Ã', "a"),
    ('Ä', "a"),
    ('Å', "a"),
    ('Æ', "ae"),
    ('Ç', "c"),
    ('È', "e"),
    ('É', "e"),
    ('Ê', "e"),
    ('Ë', "e"),
    ('Ì', "i"),
    ('Í', "i"),
    ('Î', "i"),
    ('Ï', "i"),
    ('Ð', "d"),
    ('Ñ', "n"),
    ('Ò', "o"),
    ('Ó', "o"),
    ('Ô', "o"),
    ('Õ', "o"),
    ('Ö', "o"),
    ('Ø', "o"),
    ('Ù', "u"),
    ('Ú', "u"),
    ('Û', "u"),
    ('Ü', "u"),
    ('Ý', "y"),
    ('Þ', "th"),
    ('ß', "ss"),
    ('à', "a"),
    ('á', "a"),
    ('â', "a"),
    ('ã', "a"),
    ('ä', "a"),
    ('å', "a"),
    ('æ', "ae"),
    ('ç', "c"),
    ('è', "e"),
    ('é', "e"),
    ('ê', "e"),
    ('ë', "e"),
    ('ì', "i"),
    ('í', "i"),
    ('î', "i"),
    ('ï', "i"),
    ('ð', "d"),
    ('ñ', "n"),
    ('ò', "o"),
    ('ó', "o"),
    ('ô', "o"),
    ('õ', "o"),
    ('ö', "o"),
    ('ø', "o"),
    ('ù', "u"),
    ('ú', "u"),
    ('û', "u"),
    ('ü', "u"),
    ('ý', "y"),
    ('þ', "th"),
    ('ÿ', "y"),
    ('Ā', "a"),
    ('ā', "a"),
    ('Ă', "a"),
    ('ă', "a"),
    ('Ą', "a"),
    ('ą', "a"),
    ('Ć', "c"),
    ('ć', "c"),
    ('Ĉ', "c"),
    ('ĉ', "c"),
    ('Ċ', "c"),
    ('ċ', "c"),
    ('Č', "c"),
    ('č', "c"),
    ('Ď', "d"),
    ('ď', "d"),
    ('Đ', "d"),
    ('đ', "d"),
    ('Ē', "e"),
    ('ē', "e"),
    ('Ĕ', "e"),
    ('ĕ', "e"),
    ('Ė', "e"),
    ('ė', "e"),
    ('Ę', "e"),
    ('ę', "e"),
    ('Ě', "e"),
    ('ě', "e"),
    ('Ĝ', "g"),
    ('ĝ', "g"),
    ('Ğ', "g"),
    ('ğ', "g"),
    ('Ġ', "g"),
    ('ġ', "g"),
    ('Ģ', "g"),
    ('ģ', "g"),
    ('Ĥ', "h"),
    ('ĥ', "h"),
    ('Ħ', "h"),
    ('ħ', "h"),
    ('Ĩ', "i"),
    ('ĩ', "i"),
    ('Ī', "i"),
    ('ī', "i"),
    ('Ĭ', "i"),
    ('ĭ', "i"),
    ('Į', "i"),
    ('į', "i"),
    ('İ', "i"),
    ('ı', "i"),
    ('Ĵ', "j"),
    ('ĵ', "j"),
    ('Ķ', "k"),
    ('ķ', "k"),
    ('Ĺ', "l"),
    ('ĺ', "l"),
    ('Ļ', "l"),
    ('ļ', "l"),
    ('Ľ', "l"),
    ('ľ', "l"),
    ('Ŀ', "l"),
    ('ŀ', "l"),
    ('Ł', "l"),
    ('ł', "l"),
    ('Ń', "n"),
    ('ń', "n"),
    ('Ņ', "n"),
    ('ņ', "n"),
    ('Ň', "n"),
    ('ň', "n"),
    ('Ō', "o"),
    ('ō', "o"),
    ('Ŏ', "o"),
    ('ŏ', "o"),
    ('Ő', "o"),
    ('ő', "o"),
    ('Œ', "oe"),
    ('œ', "oe"),
    ('Ŕ', "r"),
    ('ŕ', "r"),
    ('Ŗ', "r"),
    ('ŗ', "r"),
    ('Ř', "r"),
    ('ř', "r"),
    ('Ś', "s"),
    ('ś', "s"),
    ('Ŝ', "s"),
    ('ŝ', "s"),
    ('Ş', "s"),
    ('ş', "s"),
    ('Š', "s"),
    ('š', "s"),
    ('Ţ', "t"),
    ('ţ', "t"),
    ('Ť', "t"),
    ('ť', "t"),
    ('Ŧ', "t"),
    ('ŧ', "t"),
    ('Ũ', "u"),
    ('ũ', "u"),
    ('Ū', "u"),
    ('ū', "u"),
    ('Ŭ', "u"),
    ('ŭ', "u"),
    ('Ů', "u"),
    ('ů', "u"),
    ('Ű', "u"),
    ('ű', "u"),
    ('Ų', "u"),
    ('ų', "u"),
    ('Ŵ', "w"),
    ('ŵ', "w"),
    ('Ŷ', "y"),
    ('ŷ', "y"),
    ('Ÿ', "y"),
    ('Ź', "z"),
    ('ź', "z"),
    ('Ż', "z"),
    ('ż', "z"),
    ('Ž', "z"),
    ('ž', "z"),
    ('ƒ', "f"),
    ('Ơ', "o"),
    ('ơ', "o"),
    ('Ư', "u"),
    ('ư', "u"),
    ('Ǎ', "a"),
    ('ǎ', "a"),
    ('Ǐ', "i"),
    ('ǐ', "i"),
    ('Ǒ', "o"),
    ('ǒ', "o"),
    ('Ǔ', "u"),
    ('ǔ', "u"),
    ('Ǖ', "u"),
    ('ǖ', "u"),
    ('Ǘ', "u"),
    ('ǘ', "u"),
    ('Ǚ', "u"),
    ('ǚ', "u"),
    ('Ǜ', "u"),
    ('ǜ', "u"),
    ('ǝ', "e"),
    ('Ǟ', "a"),
    ('ǟ', "a"),
    ('Ǡ', "a"),
    ('ǡ', "a"),
    ('Ǧ', "g"),
    ('ǧ', "g"),
    ('Ǩ', "k"),
    ('ǩ', "k"),
    ('Ǫ', "o"),
    ('ǫ', "o"),
    ('Ǭ', "o"),
    ('ǭ', "o"),
    ('ǰ', "j"),
    ('Ǵ', "g"),
    ('ǵ', "g"),
    ('Ǹ', "n"),
    ('ǹ', "n"),
    ('Ǻ', "a"),
    ('ǻ', "a"),
    ('Ȁ', "a"),
    ('ȁ', "a"),
    ('Ȃ', "a"),
    ('ȃ', "a"),
    ('Ȅ', "e"),
    ('ȅ', "e"),
    ('Ȇ', "e"),
    ('ȇ', "e"),
    ('Ȉ', "i"),
    ('ȉ', "i"),
    ('Ȋ', "i"),
    ('ȋ', "i"),
    ('Ȍ', "o"),
    ('ȍ', "o"),
    ('Ȏ', "o"),
    ('ȏ', "o"),
    ('Ȑ', "r"),
    ('ȑ', "r"),
    ('Ȓ', "r"),
    ('ȓ', "r"),
    ('Ȕ', "u"),
    ('ȕ', "u"),
    ('Ȗ', "u"),
    ('ȗ', "u"),
    ('Ș', "s"),
    ('ș', "s"),
    ('Ț', "t"),
    ('ț', "t"),
    ('Ȟ', "h"),
    ('ȟ', "h"),
    ('Ȧ', "a"),
    ('ȧ', "a"),
    ('Ȩ', "e"),
    ('ȩ', "e"),
    ('Ȫ', "o"),
    ('ȫ', "o"),
    ('Ȭ', "o"),
    ('ȭ', "o"),
    ('Ȯ', "o"),
    ('ȯ', "o"),
    ('Ȱ', "o"),
    ('ȱ', "o"),
    ('Ȳ', "y"),
    ('ȳ', "y"),
    ('Ḁ', "a"),
    ('ḁ', "a"),
    ('Ḃ', "b"),
    ('ḃ', "b"),
    ('Ḅ', "b"),
    ('ḅ', "b"),
    ('Ḇ', "b"),
    ('ḇ', "b"),
    ('Ḉ', "c"),
    ('ḉ', "c"),
    ('Ḋ', "d"),
    ('ḋ', "d"),
    ('Ḍ', "d"),
    ('ḍ', "d"),
    ('Ḏ', "d"),
    ('ḏ', "d"),
    ('Ḑ', "d"),
    ('ḑ', "d"),
    ('Ḓ', "d"),
    ('ḓ', "d"),
    ('Ḕ', "e"),
    ('ḕ', "e"),
    ('Ḗ', "e"),
    ('ḗ', "e"),
    ('Ḙ', "e"),
    ('ḙ', "e"),
    ('Ḛ', "e"),
    ('ḛ', "e"),
    ('Ḝ', "e"),
    ('ḝ', "e"),
    ('Ḟ', "f"),
    ('ḟ', "f"),
    ('Ḡ', "g"),
    ('ḡ', "g"),
    ('Ḣ', "h"),
    ('ḣ', "h"),
    ('Ḥ', "h"),
    ('ḥ', "h"),
    ('Ḧ', "h"),
    ('ḧ', "h"),
    ('Ḩ', "h"),
    ('ḩ', "h"),
    ('Ḫ', "h"),
    ('ḫ', "h"),
    ('Ḭ', "i"),
    ('ḭ', "i"),
    ('Ḯ', "i"),
    ('ḯ', "i"),
    ('Ḱ', "k"),
    ('ḱ', "k"),
    ('Ḳ', "k"),
    ('ḳ', "k"),
    ('Ḵ', "k"),
    ('ḵ', "k"),
    ('Ḷ', "l"),
    ('ḷ', "l"),
    ('Ḹ', "l"),
    ('ḹ', "l"),
    ('Ḻ', "l"),
    ('ḻ', "l"),
    ('Ḽ', "l"),
    ('ḽ', "l"),
    ('Ḿ', "m"),
    ('ḿ', "m"),
    ('Ṁ', "m"),
    ('ṁ', "m"),
    ('Ṃ', "m"),
    ('ṃ', "m"),
    ('Ṅ', "n"),
    ('ṅ', "n"),
    ('Ṇ', "n"),
    ('ṇ', "n"),
    ('Ṉ', "n"),
    ('ṉ', "n"),
    ('Ṋ', "n"),
    ('ṋ', "n"),
    ('Ṍ', "o"),
    ('ṍ', "o"),
    ('Ṏ', "o"),
    ('ṏ', "o"),
    ('Ṑ', "o"),
    ('ṑ', "o"),
    ('Ṓ', "o"),
    ('ṓ', "o"),
    ('Ṕ', "p"),
    ('ṕ', "p"),
    ('Ṗ', "p"),
    ('ṗ', "p"),
    ('Ṙ', "r"),
    ('ṙ', "r"),
    ('Ṛ', "r"),
    ('ṛ', "r"),
    ('Ṝ', "r"),
    ('ṝ', "r"),
    ('Ṟ', "r"),
    ('ṟ', "r"),
    ('Ṡ', "s"),
    ('ṡ', "s"),
    ('Ṣ', "s"),
    ('ṣ', "s"),
    ('Ṥ', "s"),
    ('ṥ', "s"),
    ('Ṧ', "s"),
    ('ṧ', "s"),
    ('Ṩ', "s"),
    ('ṩ', "s"),
    ('Ṫ', "t"),
    ('ṫ', "t"),
    ('Ṭ', "t"),
    ('ṭ', "t"),
    ('Ṯ', "t"),
    ('ṯ', "t"),
    ('Ṱ', "t"),
    ('ṱ', "t"),
    ('Ṳ', "u"),
    ('ṳ', "u"),
    ('Ṵ', "u"),
    ('ṵ', "u"),
    ('Ṷ', "u"),
    ('ṷ', "u"),
    ('Ṹ', "u"),
    ('ṹ', "u"),
    ('Ṻ', "u"),
    ('ṻ', "u"),
    ('Ṽ', "v"),
    ('ṽ', "v"),
    ('Ṿ', "v"),
    ('ṿ', "v"),
    ('Ẁ', "w"),
    ('ẁ', "w"),
    ('Ẃ', "w"),
    ('ẃ', "w"),
    ('Ẅ', "w"),
    ('ẅ', "w"),
    ('Ẇ', "w"),
    ('ẇ', "w"),
    ('Ẉ', "w"),
    ('ẉ', "w"),
    ('Ẋ', "x"),
    ('ẋ', "x"),
    ('Ẍ', "x"),
    ('ẍ', "x"),
    ('Ẏ', "y"),
    ('ẏ', "y"),
    ('Ẑ', "z"),
    ('ẑ', "z"),
    ('Ẓ', "z"),
    ('ẓ', "z"),
    ('Ẕ', "z"),
    ('ẕ', "z"),
    ('ẖ', "h"),
    ('ẗ', "t"),
    ('ẘ', "w"),
    ('ẙ', "y"),
    ('Ạ', "a"),
    ('ạ', "a"),
    ('Ả', "a"),
    ('ả', "a"),
    ('Ấ', "a"),
    ('ấ', "a"),
    ('Ầ', "a"),
    ('ầ', "a"),
    ('Ẩ', "a"),
    ('ẩ', "a"),
    ('Ẫ', "a"),
    ('ẫ', "a"),
    ('Ậ', "a"),
    ('ậ', "a"),
    ('Ắ', "a"),
    ('ắ', "a"),
    ('Ằ', "a"),
    ('ằ', "a"),
    ('Ẳ', "a"),
    ('ẳ', "a"),
    ('Ẵ', "a"),
    ('ẵ', "a"),
    ('Ặ', "a"),
    ('ặ', "a"),
    ('Ẹ', "e"),
    ('ẹ', "e"),
    ('Ẻ', "e"),
    ('ẻ', "e"),
    ('Ẽ', "e"),
    ('ẽ', "e"),
    ('Ế', "e"),
    ('ế', "e"),
    ('Ề', "e"),
    ('ề', "e"),
    ('Ể', "e"),
    ('ể', "e"),
    ('Ễ', "e"),
    ('ễ', "e"),
    ('Ệ', "e"),
    ('ệ', "e"),
    ('Ỉ', "i"),
    ('ỉ', "i"),
    ('Ị', "i"),
    ('ị', "i"),
    ('Ọ', "o"),
    ('ọ', "o"),
    ('Ỏ', "o"),
    ('ỏ', "o"),
    ('Ố', "o"),
    ('ố', "o"),
    ('Ồ', "o"),
    ('ồ', "o"),
    ('Ổ', "o"),
    ('ổ', "o"),
    ('Ỗ', "o"),
    ('ỗ', "o"),
    ('Ộ', "o"),
    ('ộ', "o"),
    ('Ớ', "o"),
    ('ớ', "o"),
    ('Ờ', "o"),
    ('ờ', "o"),
    ('Ở', "o"),
    ('ở', "o"),
    ('Ỡ', "o"),
    ('ỡ', "o"),
    ('Ợ', "o"),
    ('ợ', "o"),
    ('Ụ', "u"),
    ('ụ', "u"),
    ('Ủ', "u"),
    ('ủ', "u"),
    ('Ứ', "u"),
    ('ứ', "u"),
    ('Ừ', "u"),
    ('ừ', "u"),
    ('Ử', "u"),
    ('ử', "u"),
    ('Ữ', "u"),
    ('ữ', "u"),
    ('Ự', "u"),
    ('ự', "u"),
    ('Ỳ', "y"),
    ('ỳ', "y"),
    ('Ỵ', "y"),
    ('ỵ', "y"),
    ('Ỷ', "y"),
    ('ỷ', "y"),
    ('Ỹ', "y"),
    ('ỹ', "y"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_width_digits_and_accents_fold_with_offsets_kept() {
        let text = "Tel ０３－６７８９ Jürgen Haßelbach";
        let f = Folded::shape(text);
        assert_eq!(f.text, "Tel 03-6789 Jürgen Haßelbach");
        let (s, e) = f.original(4, 11);
        assert_eq!(&text[s..e], "０３－６７８９");
        let k = Folded::key(text);
        assert_eq!(k.text, "tel 03-6789 jurgen hasselbach");
        let at = k.text.find("hasselbach").unwrap();
        let (s, e) = k.original(at, at + "hasselbach".len());
        assert_eq!(&text[s..e], "Haßelbach");
        let (s, e) = k.original(at, at + 4);
        assert_eq!(&text[s..e], "Haß");
    }

    #[test]
    fn word_boundaries_only_where_words_are_spaced() {
        assert!(is_word_boundary("call Ben now", 5, 8));
        assert!(!is_word_boundary("Bento", 0, 3));
        assert!(is_word_boundary("佐藤さん", 0, 6));
    }
}
