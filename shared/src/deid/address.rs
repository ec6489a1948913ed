//! Street addresses: a street with its number, or a postcode with its town, grown over the
//! comma-separated parts around it that look like an address (unit, building, district,
//! town, region). Formats of the UK, Ireland, US, Canada, Australia, India, Japan, Brazil
//! and continental Europe.

use std::sync::LazyLock;

use regex::Regex;

use super::lexicon::{STREET_WORDS, UNIT_WORDS};
use super::numbers::Hit;
use super::pseudonyms::EntityKind;
use super::text::key;

fn re(pattern: &str) -> Regex {
    Regex::new(pattern).expect("address pattern compiles")
}

const STREET_ALT: &str = r"street|st\.?|road|rd\.?|avenue|ave\.?|boulevard|blvd\.?|lane|ln\.?|drive|dr\.?|court|ct\.?|place|pl\.?|square|sq\.?|terrace|crescent|close|way|grove|gardens|mews|row|yard|walk|hill|parade|highway|hwy|parkway|pkwy|circle|wharf|quay|cross|main|marg|nagar|layout";
const STREET_FIRST: &str = r"c/|avda\.?|rue|avenue|av\.?|boulevard|bd|chemin|impasse|allée|quai|cours|place|route|calle|avenida|paseo|plaza|camino|carretera|ronda|travesía|rua|praça|alameda|largo|travessa|estrada|via|viale|piazza|corso|vicolo|strada|ulica|ul\.|aleja|al\.|plac";
const STREET_SUFFIX: &str = r"straße|strasse|str\.|weg|gasse|allee|platz|ring|damm|ufer|chaussee|straat|laan|gracht|plein|kade|singel|dreef|gatan|vägen|gata|gate|veien|vei|vej|gade|torget|torv";
const NAME_WORD: &str = r"[\p{Lu}][\p{L}'’\-]*\.?";
const LOWER_LINK: &str = r"(?:de|del|dei|della|delle|degli|di|da|das|do|dos|du|des|la|le|les|l'|d'|the|of|y|e|van|von|der)";

static ANCHORS: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    vec![
        // "17 Wrenfield Road", "5 Tanner's Yard", "221 Maple Crescent".
        re(&format!(
            r"(?i-u:\b)\d{{1,5}}(?:st|nd|rd|th|[a-zA-Z])?,?\s+(?:{NAME_WORD}\s+){{0,3}}(?i:{STREET_ALT})\b"
        )),
        // "8 bis avenue Jean-Jaurès", "12 rue de la Paix".
        re(&format!(
            r"\b\d{{1,5}}(?:\s?(?:bis|ter|[a-zA-Z]))?,?\s+(?i:{STREET_FIRST})\s+(?:{LOWER_LINK}\s+)*{NAME_WORD}(?:\s+(?:{LOWER_LINK}\s+)*{NAME_WORD}){{0,3}}"
        )),
        // "Calle de la Amapola 23", "Via dei Ciclamini 8", "Rua das Flores, 123".
        re(&format!(
            r"\b(?i:{STREET_FIRST})\s+(?:{LOWER_LINK}\s+)*{NAME_WORD}(?:\s+(?:{LOWER_LINK}\s+)*{NAME_WORD}){{0,3}},?\s+\d{{1,5}}[a-zA-Z]?\b"
        )),
        // "Kranichweg 12", "Zonnebloemstraat 114", "Storgatan 12 B".
        re(&format!(
            r"\b[\p{{Lu}}][\p{{L}}\-]*(?i:{STREET_SUFFIX})\s+\d{{1,5}}(?:\s?[a-zA-Z]\b)?"
        )),
        // "Kranich Weg 12", "Karl-Marx-Straße 5" written apart.
        re(&format!(
            r"\b{NAME_WORD}\s+(?i:straße|strasse|weg|gasse|allee|platz|straat|laan|gatan|vägen|veien|vej|gade)\s+\d{{1,5}}[a-zA-Z]?\b"
        )),
        // Japanese: "〒150-0041 東京都渋谷区神南1-2-3 サンプルビル5F", and prefecture addresses.
        re(r"〒\s?\d{3}-?\d{4}[^\n。、,;]*"),
        // Post boxes: "PO Box 123", "Postfach 10 20 30", "Apartado 45".
        re(
            r"(?i)\b(?:P\.?\s?O\.?\s?Box|Postfach|Apartado(?: de correos)?|Caixa Postal|Casella Postale|Boîte postale|BP)\s?\d[\d ]{0,8}\d?\b",
        ),
        // Chinese and Korean: "北京市朝阳区建国路88号", "서울특별시 강남구 테헤란로 123".
        re(r"\p{Han}{2,4}[省市]\p{Han}{1,6}[区县市]\p{Han}{0,8}\d+号"),
        re(
            r"[가-힣]{2,7}(?:시|도)\s[가-힣]{1,6}(?:구|군|시)\s[가-힣0-9]{1,10}(?:로|길)\s?\d+(?:-\d+)?",
        ),
        re(r"\p{Han}{1,3}[都道府県]\p{Han}{1,6}[市区町村郡][^\n。、,;（(]*\d[^\n。、,;（(]*"),
    ]
});

/// Postcodes with the town or region that comes with them.
static POSTCODES: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    vec![
        // UK: "Leeds LS6 2QJ", "M4 6DE".
        re(r"\b[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}\b"),
        // Ireland (Eircode): "H91 X2E4".
        re(r"\b[AC-FHKNPRTV-Y]\d{2}\s?[AC-FHKNPRTV-Y\d]{4}\b"),
        // Canada: "ON M5V 2T6".
        re(r"\b[A-Z]\d[A-Z]\s?\d[A-Z]\d\b"),
        // US: "CA 94043", "IL 62704-1234".
        re(
            r"\b(?:AL|AK|AZ|AR|CA|CO|CT|DE|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|NJ|NM|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY|DC)\s\d{5}(?:-\d{4})?\b",
        ),
        // Australia: "VIC 3121".
        re(r"\b(?:NSW|VIC|QLD|WA|SA|TAS|ACT|NT)\s\d{4}\b"),
        // Continental five digits and a town: "70173 Stuttgart", "20121 Milano MI".
        re(r"\b\d{5}\s+[\p{Lu}][\p{L}\-]+(?:[ \-][\p{Lu}][\p{L}\-]+)?(?:\s[A-Z]{2}\b)?"),
        // Four digits and a town (AT, CH, BE, DK, NO, AU): "8001 Zürich".
        re(r"\b(?:[A-Z]{1,2}-)?\d{4}\s+[\p{Lu}][\p{L}]+(?:[ \-][\p{Lu}][\p{L}]+)?\b"),
        // Netherlands: "1012 AB Amsterdam".
        re(r"\b\d{4}\s?[A-Z]{2}\s+[\p{Lu}][\p{L}\-]+"),
        // Sweden: "114 51 Stockholm".
        re(r"\b\d{3}\s\d{2}\s+[\p{Lu}][\p{L}\-]+"),
        // India: "Bengaluru 560038", "Mumbai - 400001" (a town in title case, a PIN from 1).
        re(r"\b[\p{Lu}][\p{Ll}]{2,}\s?-?\s?[1-8]\d{2}\s?\d{3}\b"),
        // Brazil: "01310-100".
        re(r"\b\d{5}-\d{3}\b"),
        // Poland: "00-950 Warszawa".
        re(r"\b\d{2}-\d{3}\s+[\p{Lu}][\p{L}]+"),
    ]
});

/// Words that name a code, not a town: the number after them is no postcode.
const CODE_WORDS: &[&str] = &[
    "naics", "sic", "isic", "nace", "hs", "iso", "iec", "din", "en", "rfc", "code", "id", "po",
    "order", "invoice", "inv", "ticket", "case", "sku", "ref", "build", "version", "release",
    "nps", "csat", "seats", "users", "licenses", "licences", "gtin", "ean", "upc", "cve", "kb",
    "pin", "otp", "art", "item", "model", "serial", "part",
];

fn is_date_like(s: &str) -> bool {
    static DATE: LazyLock<Regex> =
        LazyLock::new(|| re(r"\d{4}-\d{2}-\d{2}|\d{1,2}[./]\d{1,2}[./]\d{2,4}|\d{1,2}:\d{2}"));
    DATE.is_match(s)
}

/// Words of a comma-separated part that may belong to an address: capitalised words,
/// numbers ("3º B", "14th"), unit and street words, links ("de la").
fn address_word(w: &str) -> bool {
    let k = key(w.trim_matches(|c: char| !c.is_alphanumeric()));
    if k.is_empty() {
        return true;
    }
    let first = w.chars().find(|c| c.is_alphanumeric()).unwrap_or(' ');
    first.is_uppercase()
        || first.is_ascii_digit()
        || UNIT_WORDS.contains(k.as_str())
        || STREET_WORDS.contains(k.as_str())
        || matches!(
            k.as_str(),
            "de" | "del"
                | "dei"
                | "della"
                | "di"
                | "da"
                | "das"
                | "do"
                | "dos"
                | "du"
                | "la"
                | "le"
                | "bis"
                | "the"
                | "of"
                | "van"
                | "von"
                | "der"
                | "b"
                | "c"
                | "d"
        )
        || w.chars().any(|c| c.is_ascii_digit())
}

fn part_is_address(part: &str) -> bool {
    let words: Vec<&str> = part.split_whitespace().collect();
    !words.is_empty()
        && words.len() <= 5
        && !is_date_like(part)
        && words.iter().all(|w| address_word(w))
}

/// Where the address clause holding `at` may reach: not past a sentence end, a dash, a
/// bracket or a line break.
fn clause_bounds(text: &str, s: usize, e: usize) -> (usize, usize) {
    let stops = |c: char| {
        matches!(
            c,
            '\n' | ';' | '—' | '–' | '(' | ')' | ':' | '!' | '?' | '。' | '「' | '」'
        )
    };
    let mut left = 0;
    for (i, c) in text[..s].char_indices().rev() {
        if stops(c) || (c == '.' && text[i + 1..].starts_with(' ') && !abbreviation_before(text, i))
        {
            left = i + c.len_utf8();
            break;
        }
    }
    let mut right = text.len();
    for (i, c) in text[e..].char_indices() {
        let at = e + i;
        if stops(c)
            || (c == '.'
                && (text[at + 1..].starts_with(' ') || at + 1 == text.len())
                && !abbreviation_before(text, at))
        {
            right = at;
            break;
        }
    }
    (left, right)
}

fn abbreviation_before(text: &str, dot: usize) -> bool {
    let word: String = text[..dot]
        .chars()
        .rev()
        .take_while(|c| c.is_alphabetic())
        .collect();
    let word: String = word.chars().rev().collect();
    matches!(
        key(&word).as_str(),
        "st" | "rd"
            | "ave"
            | "dr"
            | "no"
            | "nr"
            | "apt"
            | "ste"
            | "blvd"
            | "str"
            | "av"
            | "ul"
            | "al"
            | "c.a"
            | "a"
    ) || (word.chars().count() == 1 && word.chars().all(char::is_uppercase))
}

/// Addresses in `text`.
pub fn addresses(text: &str, out: &mut Vec<Hit>) {
    let mut anchors: Vec<(usize, usize)> = Vec::new();
    for r in ANCHORS.iter() {
        anchors.extend(r.find_iter(text).map(|m| (m.start(), m.end())));
    }
    for r in POSTCODES.iter() {
        for m in r.find_iter(text) {
            // Not a date, and not a code after a word naming it ("NAICS 541511", "ISO 27001").
            let first_word = key(m.as_str().split_whitespace().next().unwrap_or_default());
            let word_before = key(text[..m.start()]
                .split_whitespace()
                .next_back()
                .unwrap_or_default());
            let coded =
                |w: &str| CODE_WORDS.contains(&w.trim_matches(|c: char| !c.is_alphanumeric()));
            if !is_date_like(m.as_str()) && !coded(&first_word) && !coded(&word_before) {
                anchors.push((m.start(), m.end()));
            }
        }
    }
    if anchors.is_empty() {
        return;
    }
    anchors.sort();
    for (s, e) in anchors {
        let (left, right) = clause_bounds(text, s, e);
        let mut start = s;
        let mut end = e.min(right).max(s);
        // Grow left over whole parts, then over the address-like tail of the first part.
        loop {
            let head = &text[left..start];
            let Some(comma) = head.trim_end().strip_suffix(',').map(str::len) else {
                // The anchor's own part: take the capitalised words just before it.
                let part = &text[left..start];
                let tail_words: Vec<&str> = part
                    .split_whitespace()
                    .rev()
                    .take_while(|w| address_word(w) && !w.ends_with(','))
                    .collect();
                if !tail_words.is_empty() && start == s {
                    // Only a unit or number directly before the street ("Flat 3 17 Road").
                    let joined: Vec<&str> = tail_words.iter().rev().copied().collect();
                    if joined.iter().any(|w| UNIT_WORDS.contains(key(w).as_str())) {
                        let len: usize = joined.join(" ").len();
                        start = start.saturating_sub(len + 1).max(left);
                        while !text.is_char_boundary(start) {
                            start += 1;
                        }
                    }
                }
                break;
            };
            let before_comma = left + comma;
            let part_start = text[left..before_comma]
                .rfind(',')
                .map_or(left, |i| left + i + 1);
            let part = text[part_start..before_comma].trim();
            if part_is_address(part) {
                start = part_start
                    + (text[part_start..before_comma].len()
                        - text[part_start..before_comma].trim_start().len());
                continue;
            }
            // The first part: keep its address-like tail ("… couriered to Apartment 12").
            let words: Vec<(usize, &str)> = word_offsets(&text[part_start..before_comma]);
            let mut tail_start = None;
            for (off, w) in words.iter().rev() {
                if address_word(w) {
                    tail_start = Some(part_start + off);
                } else {
                    break;
                }
            }
            if let Some(t) = tail_start {
                let tail = &text[t..before_comma];
                if tail.chars().any(|c| c.is_ascii_digit())
                    || tail
                        .split_whitespace()
                        .any(|w| UNIT_WORDS.contains(key(w).as_str()))
                {
                    start = t;
                }
            }
            break;
        }
        // Grow right over parts that are towns, regions or postcodes.
        loop {
            let rest = &text[end..right];
            let Some(after_comma) = rest.strip_prefix(',').or_else(|| rest.strip_prefix(" ,"))
            else {
                break;
            };
            let part_end = after_comma.find(',').map_or(right, |i| end + 1 + i);
            let part = text[end + 1..part_end].trim();
            if part_is_address(part) {
                end = end + 1 + text[end + 1..part_end].trim_end().len();
                continue;
            }
            break;
        }
        out.push((start, end, EntityKind::Address));
    }
}

fn word_offsets(s: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut at = None;
    for (i, c) in s.char_indices() {
        if c.is_whitespace() {
            if let Some(a) = at.take() {
                out.push((a, &s[a..i]));
            }
        } else if at.is_none() {
            at = Some(i);
        }
    }
    if let Some(a) = at {
        out.push((a, &s[a..]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<String> {
        let mut out = Vec::new();
        addresses(text, &mut out);
        let merged = super::super::detect::merge(
            out.into_iter()
                .map(|(s, e, k)| super::super::detect::Finding {
                    start: s,
                    end: e,
                    kind: k,
                })
                .collect(),
        );
        merged
            .iter()
            .map(|f| text[f.start..f.end].to_string())
            .collect()
    }

    #[test]
    fn addresses_in_several_formats() {
        assert_eq!(
            found("Flat 3, 17 Wrenfield Road, Leeds LS6 2QJ"),
            ["Flat 3, 17 Wrenfield Road, Leeds LS6 2QJ"]
        );
        assert_eq!(
            found("Kranichweg 12, 70173 Stuttgart"),
            ["Kranichweg 12, 70173 Stuttgart"]
        );
        assert_eq!(
            found(
                "Spedire il contratto firmato a Via dei Ciclamini 8, 20121 Milano MI, alla c.a. dell'ufficio acquisti."
            ),
            ["Via dei Ciclamini 8, 20121 Milano MI"]
        );
        assert_eq!(
            found(
                "Onsite visit at their Manchester site: 5 Tanner's Yard, Ancoats, Manchester M4 6DE, 2026-04-22 10:00."
            ),
            ["5 Tanner's Yard, Ancoats, Manchester M4 6DE"]
        );
        assert!(found("Seats 40 → 55, renewal stays on 2026-11-28, tier Pro.").is_empty());
    }
}
