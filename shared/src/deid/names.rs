//! People and organisations in free text that the record does not name: found by titles
//! ("Frau Dr. …"), by the phrases that introduce them ("spoke to …", "cc: …", "— signed"),
//! by given names, by legal forms and organisation nouns ("… GmbH", "… Consulting"), and in
//! scripts without capitals by honorifics and name lists.

use super::lexicon::{
    AMBIGUOUS_NAMES, CHINESE_NAME_AFTER, CHINESE_NAME_BEFORE, CHINESE_SURNAMES, CJK_HONORIFICS,
    COMMON_WORDS, GIVEN_NAMES, JAPANESE_SURNAMES, KOREAN_SURNAMES, LEGAL_FORMS, NAME_VERBS,
    NAMES_OTHER_SCRIPTS, NOT_NAMES, ORG_CUES, ORG_HEADS, ORG_NOUNS, PERSON_CUES, PERSON_VERBS,
    ROLES, TITLES, VIETNAMESE_SURNAMES, WEAK_ORG_NOUNS,
};
use super::numbers::Hit;
use super::pseudonyms::EntityKind;
use super::text::key;
use super::translit::romanize;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Script {
    Latin,
    Greek,
    Cyrillic,
    Hebrew,
    Arabic,
    Devanagari,
    Hangul,
    Cjk,
    Other,
}

#[derive(Debug)]
struct Tok<'a> {
    s: usize,
    e: usize,
    text: &'a str,
    key: String,
    cap: bool,
    all_caps: bool,
    digit: bool,
    script: Script,
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
        || matches!(c as u32, 0x0300..=0x036F | 0x0591..=0x05C7 | 0x064B..=0x065F | 0x0900..=0x0DFF | 0x0E00..=0x0E7F | 0x3099..=0x309C)
}

fn script_of(word: &str) -> Script {
    let Some(c) = word.chars().find(|c| c.is_alphabetic()) else {
        return Script::Other;
    };
    match c as u32 {
        0..=0x024F | 0x1E00..=0x1EFF => Script::Latin,
        0x0370..=0x03FF | 0x1F00..=0x1FFF => Script::Greek,
        0x0400..=0x04FF => Script::Cyrillic,
        0x0590..=0x05FF => Script::Hebrew,
        0x0600..=0x06FF => Script::Arabic,
        0x0900..=0x097F => Script::Devanagari,
        0xAC00..=0xD7A3 | 0x1100..=0x11FF | 0x3130..=0x318F => Script::Hangul,
        0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF => Script::Cjk,
        _ => Script::Other,
    }
}

fn tokenize(text: &str) -> Vec<Tok<'_>> {
    let mut toks = Vec::new();
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut i = 0;
    while i < chars.len() {
        if !is_word_char(chars[i].1) {
            i += 1;
            continue;
        }
        let s = chars[i].0;
        let mut j = i + 1;
        while j < chars.len() {
            let c = chars[j].1;
            if is_word_char(c) {
                j += 1;
            } else if matches!(c, '-' | '\'' | '’' | '.')
                && chars.get(j + 1).is_some_and(|(_, n)| is_word_char(*n))
                && !(c == '.' && chars.get(j + 2).is_some_and(|(_, n)| *n == ' '))
            {
                j += 2;
            } else {
                break;
            }
        }
        let e = chars.get(j).map_or(text.len(), |(at, _)| *at);
        let word = &text[s..e];
        let first = word.chars().next().unwrap_or(' ');
        let letters: Vec<char> = word.chars().filter(|c| c.is_alphabetic()).collect();
        toks.push(Tok {
            s,
            e,
            text: word,
            key: key(word),
            cap: first.is_uppercase(),
            all_caps: letters.len() >= 2 && letters.iter().all(|c| c.is_uppercase()),
            digit: first.is_ascii_digit(),
            script: script_of(word),
        });
        i = j;
    }
    toks
}

const PARTICLES: &[&str] = &[
    "van", "von", "de", "der", "den", "da", "das", "do", "dos", "di", "del", "della", "la", "le",
    "du", "bin", "binti", "al", "el", "ter", "ten", "af", "zu", "y", "e", "mc", "st.", "dela",
];

const VIET_TITLES: &[&str] = &["Chị", "Anh", "Ông", "Bà", "Cô", "Chú", "Em", "Bác"];

struct Scan<'a> {
    text: &'a str,
    toks: Vec<Tok<'a>>,
}

impl<'a> Scan<'a> {
    fn gap(&self, a: usize, b: usize) -> &'a str {
        &self.text[self.toks[a].e..self.toks[b].s]
    }

    /// Tokens `a` and `b = a + 1` are parts of one name: only spaces between them, or the
    /// period of an initial ("J. Cole").
    fn adjacent(&self, a: usize) -> bool {
        let b = a + 1;
        if b >= self.toks.len() {
            return false;
        }
        let gap = self.gap(a, b);
        let initial = self.toks[a].text.chars().count() == 1 && self.toks[a].cap;
        gap == " " || gap == "  " || (initial && gap == ". ")
    }

    fn sentence_initial(&self, i: usize) -> bool {
        if i == 0 {
            return self.text[..self.toks[0].s].trim().is_empty()
                || self.text[..self.toks[0].s]
                    .trim_end()
                    .ends_with(['"', '“', '«', '(']);
        }
        let gap = self.gap(i - 1, i);
        let trimmed = gap.trim_end_matches([' ', '"', '“', '«', '(', '\'', '*', '•']);
        trimmed.ends_with(['.', '!', '?', '\n', ':', '。', '！', '？', '—', '–', '>'])
            || trimmed.ends_with("- ")
            || gap.contains('\n')
    }

    fn is_title(&self, i: usize) -> bool {
        let t = &self.toks[i];
        if VIET_TITLES.contains(&t.text) {
            return true;
        }
        if t.script == Script::Latin && !t.cap {
            return false;
        }
        let dotted = self.text[t.e..].starts_with('.');
        let k = t.key.as_str();
        if matches!(k, "chi" | "anh" | "ong" | "ba" | "co" | "chu" | "em" | "m") {
            // Folded Vietnamese titles are ordinary words; "M." only with its period.
            return k == "m" && dotted && t.text == "M";
        }
        TITLES.contains(k) || (dotted && TITLES.contains(&format!("{k}.")))
    }

    fn name_like(&self, i: usize) -> bool {
        let t = &self.toks[i];
        if t.digit || NOT_NAMES.contains(t.key.as_str()) {
            return false;
        }
        match t.script {
            Script::Latin | Script::Greek | Script::Cyrillic => {
                t.cap
                    && (t.all_caps
                        || t.text.chars().skip(1).any(|c| c.is_lowercase())
                        || t.text.chars().count() <= 2)
                    && !(t.all_caps
                        && t.text.chars().count() <= 3
                        && !GIVEN_NAMES.contains(t.key.as_str()))
            }
            Script::Hebrew | Script::Arabic => NAMES_OTHER_SCRIPTS.contains(t.text),
            Script::Devanagari => true,
            _ => false,
        }
    }

    /// The last token of a name starting at `i` (up to four words, particles inside).
    fn capture(&self, i: usize) -> Option<usize> {
        let mut j = i;
        let mut last = None;
        let mut words = 0;
        while j < self.toks.len() && words < 4 {
            if j > i && !self.adjacent(j - 1) {
                break;
            }
            let t = &self.toks[j];
            if j > i
                && PARTICLES.contains(&t.key.as_str())
                && !t.cap
                && self.adjacent(j)
                && self.name_like(j + 1)
            {
                j += 1;
                continue;
            }
            if !self.name_like(j) {
                break;
            }
            // A single letter is a name part only as an initial in the middle of a name.
            if t.text.chars().count() == 1 && !(j > i && self.adjacent(j)) && j == i {
                break;
            }
            last = Some(j);
            words += 1;
            j += 1;
        }
        last
    }

    fn skip_titles(&self, mut i: usize) -> usize {
        while i < self.toks.len() && self.is_title(i) {
            let next_ok = i + 1 < self.toks.len()
                && self.gap(i, i + 1).trim_start_matches('.').trim().is_empty();
            if !next_ok {
                break;
            }
            i += 1;
        }
        i
    }

    /// A cue phrase of one to three words ends just before token `i`, with only punctuation
    /// (no sentence end) between.
    fn cue_before(&self, i: usize, cues: &std::collections::HashSet<String>) -> bool {
        if i == 0 {
            return false;
        }
        let gap = self.gap(i - 1, i);
        if gap.contains(['.', '!', '?', '。']) && !gap.contains("w/") {
            return false;
        }
        if gap.chars().count() > 6 {
            return false;
        }
        let mut phrase = String::new();
        for n in 1..=3 {
            if n > i {
                break;
            }
            let t = &self.toks[i - n];
            if n > 1 && !self.gap(i - n, i - n + 1).trim().is_empty() {
                break;
            }
            phrase = if phrase.is_empty() {
                t.key.clone()
            } else {
                format!("{} {phrase}", t.key)
            };
            let with_glue = format!("{phrase}{}", gap.trim());
            if cues.contains(&phrase) || cues.contains(with_glue.trim()) {
                return true;
            }
        }
        false
    }
}

/// Whether a phrase that introduces a person ("spoke to", "cc:") ends right before `at`.
pub fn after_person_cue(text: &str, at: usize) -> bool {
    let head_from = text[..at]
        .char_indices()
        .rev()
        .nth(40)
        .map_or(0, |(i, _)| i);
    let head = &text[head_from..at];
    let probe = format!("{head}X");
    let scan = Scan {
        text: &probe,
        toks: tokenize(&probe),
    };
    let last = scan.toks.len().saturating_sub(1);
    last > 0 && scan.cue_before(last, &PERSON_CUES)
}

fn given_name(t: &Tok<'_>) -> bool {
    let k = t.key.as_str();
    if GIVEN_NAMES.contains(k) || AMBIGUOUS_NAMES.contains(k) {
        return true;
    }
    if let Some((first, _)) = k.split_once('-')
        && GIVEN_NAMES.contains(first)
        && !AMBIGUOUS_NAMES.contains(first)
    {
        return true;
    }
    if t.script != Script::Latin
        && let Some(latin) = romanize(t.text)
    {
        let latin = key(&latin);
        return GIVEN_NAMES.contains(latin.as_str())
            || GIVEN_NAMES.contains(latin.trim_end_matches(['s', 'a']))
            || GIVEN_NAMES.contains(format!("{latin}s").as_str());
    }
    false
}

/// People in free text, found by context and by given names.
pub fn people(text: &str, out: &mut Vec<Hit>) {
    let scan = Scan {
        text,
        toks: tokenize(text),
    };
    let n = scan.toks.len();
    let mut i = 0;
    while i < n {
        let mut found: Option<(usize, usize)> = None;
        let t = &scan.toks[i];
        // "Frau Dr. Schäfer-Nguyen", "Sr. Gonçalves", "Chị Nguyễn Thị Lan".
        if scan.is_title(i) {
            let k = scan.skip_titles(i);
            if k > i
                && k < n
                && let Some(last) = scan.capture(k)
            {
                found = Some((k, last));
            }
        }
        // "spoke to …", "cc: …", "Thanks, — …".
        if found.is_none() && scan.cue_before(i, &PERSON_CUES) {
            let mut k = i;
            if matches!(
                scan.toks[k].key.as_str(),
                "a" | "o" | "the" | "su" | "sua" | "seu" | "la" | "le"
            ) && k + 1 < n
            {
                k += 1;
            }
            let k = scan.skip_titles(k);
            if k < n
                && let Some(last) = scan.capture(k)
            {
                found = Some((k, last));
            }
        }
        // Given names, and the capitalised words that follow them.
        if found.is_none() && scan.name_like(i) && given_name(t) {
            let ambiguous = AMBIGUOUS_NAMES.contains(t.key.as_str());
            let last = scan.capture(i).unwrap_or(i);
            let has_surname = last > i;
            let next_verb = i + 1 < n
                && scan.gap(i, i + 1) == " "
                && NAME_VERBS.contains(scan.toks[i + 1].key.as_str())
                && !scan.toks[i + 1].cap;
            let possessive = text[t.e..].starts_with("'s") || text[t.e..].starts_with("’s");
            if !ambiguous || has_surname || next_verb || possessive {
                found = Some((i, last));
            }
        }
        // Two or three capitalised words before a role or a verb only people do:
        // "Helena Brandt (CFO)", "Helena Brandt, Head of IT", "Tobiah Quist signed".
        if found.is_none()
            && scan.name_like(i)
            && t.script == Script::Latin
            && !COMMON_WORDS.contains(t.key.as_str())
            && let Some(last) = scan.capture(i)
            && last > i
            && last - i <= 2
            && (i..=last).all(|k| {
                !COMMON_WORDS.contains(scan.toks[k].key.as_str())
                    && !ORG_NOUNS.contains(scan.toks[k].key.as_str())
                    && !LEGAL_FORMS.contains(scan.toks[k].key.as_str())
            })
        {
            let after = &text[scan.toks[last].e..];
            let role_after = last + 1 < n
                && matches!(after.chars().next(), Some('(' | ','))
                && after.len() - after.trim_start_matches(['(', ',', ' ']).len() <= 2
                && ROLES.contains(scan.toks[last + 1].key.as_str());
            let verb_after = last + 1 < n
                && scan.gap(last, last + 1) == " "
                && !scan.toks[last + 1].cap
                && PERSON_VERBS.contains(scan.toks[last + 1].key.as_str());
            if role_after || verb_after {
                found = Some((i, last));
            }
        }
        // A signature: a dash, a name, the end of the line.
        if found.is_none() && i > 0 && scan.name_like(i) {
            let gap = scan.gap(i - 1, i);
            if (gap.trim_start().starts_with(['—', '–']) || gap.ends_with("-- "))
                && let Some(last) = scan.capture(i)
            {
                let rest = &text[scan.toks[last].e..];
                let line_rest = rest.split('\n').next().unwrap_or_default().trim();
                if line_rest.is_empty() || line_rest.starts_with(['(', ',']) {
                    found = Some((i, last));
                }
            }
        }
        // Greek and Cyrillic capitals inside a sentence are proper names.
        if found.is_none()
            && matches!(t.script, Script::Greek | Script::Cyrillic)
            && t.cap
            && !scan.sentence_initial(i)
            && let Some(last) = scan.capture(i)
        {
            found = Some((i, last));
        }
        // Hebrew and Arabic names from the list, with a prefix letter ("לנועה").
        if found.is_none() && matches!(t.script, Script::Hebrew | Script::Arabic) {
            let listed = |w: &str| {
                NAMES_OTHER_SCRIPTS.contains(w)
                    || w.char_indices().nth(1).is_some_and(|(at, _)| {
                        NAMES_OTHER_SCRIPTS.contains(&w[at..])
                            && "ולבמשהכ".contains(w.chars().next().unwrap_or(' '))
                    })
            };
            if listed(t.text) {
                let mut last = i;
                while last + 1 < n && scan.adjacent(last) && listed(scan.toks[last + 1].text) {
                    last += 1;
                }
                found = Some((i, last));
            }
        }
        // Vietnamese family names open a name of two to four capitalised words.
        if found.is_none()
            && t.cap
            && VIETNAMESE_SURNAMES.contains(t.key.as_str())
            && !t.text.is_ascii()
            && let Some(last) = scan.capture(i)
            && last > i
        {
            found = Some((i, last));
        }
        // Hangul names before an honorific: "김민준 님", "민준씨".
        if found.is_none() && t.script == Script::Hangul {
            let syllables = t.text.chars().count();
            let next_honorific = i + 1 < n
                && scan.gap(i, i + 1).trim().is_empty()
                && CJK_HONORIFICS.iter().any(|h| {
                    scan.toks[i + 1].text.starts_with(h)
                        && scan.toks[i + 1].text.chars().count() <= h.chars().count() + 2
                });
            if next_honorific && (2..=4).contains(&syllables) {
                found = Some((i, i));
            } else if let Some(h) = CJK_HONORIFICS
                .iter()
                .find(|h| t.text.ends_with(*h) && t.text.len() > h.len())
            {
                let name = &t.text[..t.text.len() - h.len()];
                if (2..=4).contains(&name.chars().count()) {
                    out.push((t.s, t.s + name.len(), EntityKind::Person));
                }
            } else if syllables == 3
                && KOREAN_SURNAMES.contains(t.text.chars().next().unwrap_or(' '))
                && i + 1 < n
                && CJK_HONORIFICS.contains(&scan.toks[i + 1].text)
            {
                found = Some((i, i));
            }
        }
        if let Some((a, b)) = found {
            out.push((scan.toks[a].s, scan.toks[b].e, EntityKind::Person));
            // A list after a cue: "cc: Mei Lin Tan, Kwame Asante; …".
            let mut last = b;
            while last + 1 < n {
                let gap = scan.gap(last, last + 1);
                let joiner = matches!(gap.trim(), "," | ";" | "&" | "/")
                    || matches!(
                        scan.toks[last + 1].key.as_str(),
                        "and" | "und" | "et" | "y" | "e" | "en" | "og" | "och" | "i"
                    );
                if !joiner {
                    break;
                }
                let start = if matches!(gap.trim(), "," | ";" | "&" | "/") {
                    last + 1
                } else {
                    last + 2
                };
                if start >= n
                    || !(scan.name_like(start)
                        && (given_name(&scan.toks[start]) || scan.cue_before(i, &PERSON_CUES)))
                {
                    break;
                }
                let Some(end) = scan.capture(start) else {
                    break;
                };
                out.push((scan.toks[start].s, scan.toks[end].e, EntityKind::Person));
                last = end;
            }
            i = last + 1;
        } else {
            i += 1;
        }
    }
    cjk_people(text, out);
}

fn is_han(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF)
}

/// Japanese family names from the list, and Han names before an honorific.
fn cjk_people(text: &str, out: &mut Vec<Hit>) {
    if !text.chars().any(is_han) {
        return;
    }
    for (surname, _) in JAPANESE_SURNAMES {
        let single = surname.chars().count() == 1;
        for (at, _) in text.match_indices(surname) {
            let end = at + surname.len();
            let after = &text[end..];
            // A one-character name only before an honorific.
            let mut name_end = end;
            let given: String = after.chars().take_while(|c| is_han(*c)).take(2).collect();
            let after_given = &after[given.len()..];
            if !given.is_empty() && CJK_HONORIFICS.iter().any(|h| after_given.starts_with(h)) {
                name_end = end + given.len();
            } else if single
                && !CJK_HONORIFICS
                    .iter()
                    .any(|h| after.trim_start().starts_with(h))
            {
                continue;
            }
            out.push((at, name_end, EntityKind::Person));
        }
    }
    // Chinese names: a common family name and one or two characters, between a word that
    // introduces a person ("与", "请") and one that follows a person ("通话", "确认", "经理").
    for (at, c) in text.char_indices() {
        if !CHINESE_SURNAMES.contains(c) {
            continue;
        }
        let before = &text[..at];
        if !(before.is_empty() || CHINESE_NAME_BEFORE.iter().any(|b| before.ends_with(b))) {
            continue;
        }
        let after_surname = at + c.len_utf8();
        let given: Vec<(usize, char)> = text[after_surname..]
            .char_indices()
            .take_while(|(_, g)| is_han(*g))
            .take(2)
            .collect();
        for len in [2usize, 1] {
            if given.len() < len {
                continue;
            }
            let end = after_surname + given[len - 1].0 + given[len - 1].1.len_utf8();
            let rest = &text[end..];
            if rest.is_empty() || CHINESE_NAME_AFTER.iter().any(|a| rest.starts_with(a)) {
                out.push((at, end, EntityKind::Person));
                break;
            }
        }
    }
    // Two or three Han characters right before an honorific (Chinese and Japanese).
    for h in CJK_HONORIFICS {
        for (at, _) in text.match_indices(h) {
            let before: Vec<(usize, char)> = text[..at]
                .char_indices()
                .rev()
                .take_while(|(_, c)| is_han(*c))
                .collect();
            if (2..=3).contains(&before.len())
                && let Some((s, _)) = before.last()
            {
                out.push((*s, at, EntityKind::Person));
            }
        }
    }
}

/// Japanese organisation endings.
const JA_ORG_SUFFIXES: &[&str] = &[
    "株式会社",
    "有限会社",
    "合同会社",
    "技研",
    "工業",
    "商事",
    "産業",
    "電機",
    "製作所",
    "ホールディングス",
    "グループ",
    "銀行",
    "研究所",
    "商会",
    "興業",
    "物産",
    "建設",
    "化学",
    "製薬",
    "システムズ",
    "ソリューションズ",
    "テクノロジーズ",
    "テクノロジー",
    "電子",
    "精機",
    "重工",
    "自動車",
    "通信",
    "証券",
    "保険",
    "公司",
    "集团",
    "有限公司",
    "股份有限公司",
    "주식회사",
    "그룹",
];

/// Organisations in free text: names ending in a legal form or an organisation noun, names
/// after a phrase that introduces one, and Japanese company names.
pub fn organizations(text: &str, out: &mut Vec<Hit>) {
    let scan = Scan {
        text,
        toks: tokenize(text),
    };
    let n = scan.toks.len();
    let cap_word = |i: usize| -> bool {
        let t = &scan.toks[i];
        t.script == Script::Latin && !t.digit && t.cap && !NOT_NAMES.contains(t.key.as_str())
    };
    let legal = |i: usize| -> bool {
        let t = &scan.toks[i];
        let k = t.key.as_str();
        let dotted = format!("{k}.");
        let is_form = LEGAL_FORMS.contains(k)
            || (text[t.e..].starts_with('.') && LEGAL_FORMS.contains(dotted.as_str()));
        // Two-letter forms ("AB", "AS", "SA") only in capitals, the rest in any case.
        is_form && (t.text.chars().count() > 2 || t.all_caps)
    };
    // Capitalised words (with "&", "and", "of" between) running back from token `i`.
    let run_back = |i: usize| -> Option<usize> {
        let mut start = None;
        let mut j = i;
        while j > 0 {
            let p = j - 1;
            let gap = scan.gap(p, j);
            let joined = gap == " " || gap == " & " || gap == "&";
            if !joined {
                break;
            }
            if cap_word(p)
                || (matches!(scan.toks[p].key.as_str(), "of" | "and" | "y" | "e" | "de")
                    && p > 0
                    && cap_word(p - 1))
            {
                if cap_word(p) {
                    start = Some(p);
                }
                j = p;
                if i - p >= 4 {
                    break;
                }
            } else {
                break;
            }
        }
        start
    };
    let mut i = 0;
    while i < n {
        let t = &scan.toks[i];
        // "Norrland Analytics AB", "Hollis Agrifoods plc".
        if i > 0
            && legal(i)
            && let Some(s) = run_back(i)
        {
            let end = if text[t.e..].starts_with('.')
                && LEGAL_FORMS.contains(format!("{}.", t.key).as_str())
            {
                t.e + 1
            } else {
                t.e
            };
            out.push((scan.toks[s].s, end, EntityKind::Organization));
            i += 1;
            continue;
        }
        // "Banco Santander", "University of Leeds".
        if t.cap && ORG_HEADS.contains(t.key.as_str()) && i + 1 < n {
            let mut e = i + 1;
            if matches!(
                scan.toks[e].key.as_str(),
                "of" | "de" | "di" | "der" | "des" | "del" | "do" | "da"
            ) && e + 1 < n
                && scan.gap(i, e) == " "
            {
                e += 1;
            }
            if scan.gap(e - 1, e) == " "
                && cap_word(e)
                && !COMMON_WORDS.contains(scan.toks[e].key.as_str())
            {
                while e + 1 < n && scan.gap(e, e + 1) == " " && cap_word(e + 1) && e - i < 3 {
                    e += 1;
                }
                out.push((t.s, scan.toks[e].e, EntityKind::Organization));
                i = e + 1;
                continue;
            }
        }
        // "Quillfeather Consulting", "Pereira & Lacerda Associados", "Atelier Numérique Brunel".
        if i > 0
            && t.cap
            && ORG_NOUNS.contains(t.key.as_str())
            && let Some(s) = run_back(i)
            && !(s + 1 == i
                && scan.sentence_initial(s)
                && NOT_NAMES.contains(scan.toks[s].key.as_str()))
            && !(WEAK_ORG_NOUNS.contains(t.key.as_str())
                && (s..i).any(|k| COMMON_WORDS.contains(scan.toks[k].key.as_str())))
        {
            let mut e = i;
            while e + 1 < n && scan.gap(e, e + 1) == " " && cap_word(e + 1) && e - i < 2 {
                e += 1;
            }
            out.push((scan.toks[s].s, scan.toks[e].e, EntityKind::Organization));
            i = e + 1;
            continue;
        }
        // "ex-Harrowgate Freight".
        let ex = t.key.strip_prefix("ex-").filter(|rest| !rest.is_empty());
        let cue = ex.is_none() && scan.cue_before(i, &ORG_CUES);
        if ex.is_some() || cue {
            let start = if ex.is_some() { t.s + 3 } else { t.s };
            let first_ok = if ex.is_some() {
                text[start..].chars().next().is_some_and(char::is_uppercase)
            } else {
                cap_word(i) && !given_name(t)
            };
            if first_ok {
                let mut e = i;
                while e + 1 < n
                    && (scan.gap(e, e + 1) == " " || scan.gap(e, e + 1) == " & ")
                    && (cap_word(e + 1) || legal(e + 1))
                    && e - i < 3
                {
                    e += 1;
                }
                out.push((start, scan.toks[e].e, EntityKind::Organization));
                i = e + 1;
                continue;
            }
        }
        i += 1;
    }
    japanese_orgs(text, out);
}

fn is_kana_or_han(c: char) -> bool {
    is_han(c) || matches!(c as u32, 0x30A0..=0x30FF)
}

fn japanese_orgs(text: &str, out: &mut Vec<Hit>) {
    if !text.chars().any(is_kana_or_han) {
        return;
    }
    for suffix in JA_ORG_SUFFIXES {
        for (at, _) in text.match_indices(suffix) {
            let end = at + suffix.len();
            let before: Vec<(usize, char)> = text[..at]
                .char_indices()
                .rev()
                .take_while(|(_, c)| {
                    is_kana_or_han(*c)
                        && !matches!(c, 'の' | 'は' | 'が' | 'を' | 'に' | 'で' | 'と')
                })
                .collect();
            let start = before.last().map_or(at, |(s, _)| *s);
            // "株式会社サクラ" puts the form first.
            let after: String = text[end..]
                .chars()
                .take_while(|c| matches!(*c as u32, 0x30A0..=0x30FF))
                .collect();
            if start < at || !after.is_empty() {
                out.push((start, end + after.len(), EntityKind::Organization));
            }
        }
    }
    // A katakana name before 様 or 社: a customer or a company.
    for mark in ["様", "御中", "社の", "さん"] {
        for (at, _) in text.match_indices(mark) {
            let before: Vec<(usize, char)> = text[..at]
                .char_indices()
                .rev()
                .take_while(|(_, c)| matches!(*c as u32, 0x30A0..=0x30FF))
                .collect();
            if before.len() >= 3
                && let Some((s, _)) = before.last()
            {
                out.push((*s, at, EntityKind::Organization));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(text: &str) -> Vec<String> {
        let mut out = Vec::new();
        people(text, &mut out);
        out.iter()
            .map(|(s, e, _)| text[*s..*e].to_string())
            .collect()
    }

    fn orgs(text: &str) -> Vec<String> {
        let mut out = Vec::new();
        organizations(text, &mut out);
        out.iter()
            .map(|(s, e, _)| text[*s..*e].to_string())
            .collect()
    }

    #[test]
    fn people_by_cue_title_and_given_name() {
        assert_eq!(
            names("Spoke to Bartholomew Ashby-Crane from procurement."),
            ["Bartholomew Ashby-Crane"]
        );
        assert_eq!(
            names("Telefonat mit Frau Dr. Schäfer-Nguyen: sie übernimmt"),
            ["Schäfer-Nguyen"]
        );
        assert_eq!(
            names("ESCALATION — JOHANNA BERG (VP Ops) threatened"),
            ["JOHANNA BERG"]
        );
        assert_eq!(
            names("Giulia è in maternità, sostituita da Federico Esposito fino a settembre."),
            ["Giulia", "Federico Esposito"]
        );
        assert!(names("Mark as resolved once the LMS connector syncs.").is_empty());
        assert!(names("Renewal planned for April 2026; 14 seats.").is_empty());
        assert!(names("Customer will upgrade after the grace period ends.").is_empty());
        assert_eq!(names("Will typed his social into the form"), ["Will"]);
    }

    #[test]
    fn organisations_by_form_noun_and_cue() {
        assert_eq!(
            orgs("Our champion left for Norrland Analytics AB in January"),
            ["Norrland Analytics AB"]
        );
        assert_eq!(
            orgs("Implementation partner Quillfeather Consulting is running it"),
            ["Quillfeather Consulting"]
        );
        assert_eq!(
            orgs("Dana (ex-Harrowgate Freight) knows"),
            ["Harrowgate Freight"]
        );
        assert!(orgs("Salesforce, Slack, Jira — all connected.").is_empty());
        assert!(orgs("Audit Log, SSO, SCIM, Data Residency (EU)").is_empty());
    }
}
