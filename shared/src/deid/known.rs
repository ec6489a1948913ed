//! The record's own identifying values — its people, its name, its domain, its contacts — and
//! the variants they are written in: a person by full, first or last name, with or without
//! accents ("Lucia"), transliterated ("Juergen", "अर्जुन", "佐藤"); the account by its name
//! without legal form or by its distinctive first word; the domain with any subdomain.

use std::collections::HashSet;
use std::sync::LazyLock;

use crate::attributes::Account;

use super::detect::Finding;
use super::lexicon::{
    AMBIGUOUS_NAMES, JAPANESE_SURNAMES, LEGAL_FORMS, NAME_VERBS, NOT_NAMES, ORG_NOUNS, TITLES,
};
use super::policy::Treatment;
use super::pseudonyms::EntityKind;
use super::text::{Folded, is_word_boundary, key};
use super::translit::{romanize, skeleton};

/// Degrees and suffixes that follow a name but are not part of it.
const NAME_SUFFIXES: &[&str] = &[
    "jr",
    "jr.",
    "sr",
    "sr.",
    "ii",
    "iii",
    "iv",
    "phd",
    "ph.d.",
    "md",
    "m.d.",
    "dds",
    "mba",
    "msc",
    "m.sc.",
    "bsc",
    "b.sc.",
    "b.a.",
    "ba",
    "ma",
    "m.a.",
    "b.eng.",
    "m.eng.",
    "dipl.",
    "dipl.-ing.",
    "esq",
    "esq.",
    "cpa",
    "pmp",
    "mph",
    "rn",
];

const PARTICLES: &[&str] = &[
    "van", "von", "de", "der", "den", "da", "das", "do", "dos", "di", "del", "della", "la", "le",
    "du", "bin", "al", "el", "ter", "ten", "af", "zu", "st.", "mac", "o'",
];

/// Words of an account name too common to stand for the account alone.
static GENERIC_WORDS: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    "the and company companies point north south east west river lake mountain green blue red
    black white global international national united first general central pacific atlantic
    digital smart cloud data tech labs works solutions services systems partners capital
    holdings ventures new old city bay park street road casa mar sol azul turismo sante zorg
    bygg group health media energy software logistics foods dental learning robotics analytics
    medical care home house star sun moon sky blue gold silver north one two three best prime
    first alpha beta delta omega nova next open true pure bright clear fresh grand great royal
    united american european asian pacific express direct online network networks"
        .split_whitespace()
        .collect()
});

#[derive(Debug, Clone)]
struct Variant {
    key: String,
    canonical: usize,
    kind: EntityKind,
    /// An everyday word as well ("Will", "April", "Ray"): a name only when written as one.
    ambiguous: bool,
    /// One word of a person's name ("Short" of "Sylvia Short").
    single: bool,
}

/// The record's identifying values and how to find them in a text.
#[derive(Debug, Clone, Default)]
pub struct KnownValues {
    canonical: Vec<(String, EntityKind)>,
    variants: Vec<Variant>,
    /// Consonant skeletons of names, to meet them in other scripts.
    skeletons: Vec<(String, usize)>,
    people_keys: Vec<String>,
}

/// Which kind of identity a pseudonymized attribute holds, from its name and value.
pub fn identity_kind(name: &str, value: &str) -> EntityKind {
    let lower = name.to_ascii_lowercase();
    let v = value.trim();
    if lower == "account_name" || lower == "name" || lower.contains("company") {
        EntityKind::Account
    } else if v.contains('@') && !v.contains(' ') {
        EntityKind::Email
    } else if ["domain", "website", "url", "linkedin", "homepage", "site"]
        .iter()
        .any(|w| lower.contains(w))
        || v.starts_with("http")
    {
        EntityKind::Url
    } else if lower.contains("organization") || lower.contains("organisation") {
        EntityKind::Organization
    } else if lower.contains("phone") || lower.contains("mobile") {
        EntityKind::Phone
    } else {
        EntityKind::Person
    }
}

fn contact_kind(name: &str) -> Option<EntityKind> {
    let lower = name.to_ascii_lowercase();
    if lower.contains("email") || lower.contains("e-mail") {
        Some(EntityKind::Email)
    } else if ["phone", "mobile", "tel", "fax", "cell"].iter().any(|w| {
        lower
            .split(|c: char| !c.is_ascii_alphanumeric())
            .any(|p| p == *w)
    }) {
        Some(EntityKind::Phone)
    } else {
        None
    }
}

impl KnownValues {
    pub fn collect(account: &Account, treatments: &[(&str, Treatment)]) -> KnownValues {
        let mut known = KnownValues::default();
        for (name, treatment) in treatments {
            let Some(value) = account.get(name) else {
                continue;
            };
            let real = value.to_string();
            let real = real.trim();
            if real.is_empty() {
                continue;
            }
            let kind = match treatment {
                Treatment::Pseudonymize => identity_kind(name, real),
                Treatment::Drop => match contact_kind(name) {
                    Some(k) => k,
                    None => continue,
                },
                _ => continue,
            };
            known.add(real, kind);
        }
        known.finish()
    }

    fn add(&mut self, real: &str, kind: EntityKind) {
        let c = self.canonical.len();
        self.canonical.push((real.to_string(), kind));
        match kind {
            EntityKind::Person => self.add_person(real, c),
            EntityKind::Account | EntityKind::Organization => self.add_account(real, c, kind),
            EntityKind::Url => self.add_domain(real, c),
            EntityKind::Email => {
                self.push(real, c, kind, false);
                if let Some((_, domain)) = real.rsplit_once('@') {
                    let d = self.canonical.len();
                    self.canonical.push((domain.to_string(), EntityKind::Url));
                    self.add_domain(domain, d);
                }
            }
            _ => self.push(real, c, kind, false),
        }
    }

    fn push(&mut self, variant: &str, canonical: usize, kind: EntityKind, ambiguous: bool) {
        let k = key(variant.trim());
        let han = k
            .chars()
            .all(|c| super::text::is_unspaced_script(c) || ('\u{AC00}'..='\u{D7A3}').contains(&c));
        if k.is_empty() || (k.chars().count() < 2 && !han) {
            return;
        }
        let single = kind == EntityKind::Person && !k.contains(' ');
        self.variants.push(Variant {
            key: k,
            canonical,
            kind,
            ambiguous,
            single,
        });
    }

    fn add_person(&mut self, real: &str, c: usize) {
        let words: Vec<&str> = real
            .split_whitespace()
            .filter(|w| {
                let k = key(w.trim_end_matches(','));
                !TITLES.contains(k.as_str())
                    && !TITLES.contains(format!("{k}.").as_str())
                    && !NAME_SUFFIXES.contains(&k.as_str())
            })
            .map(|w| w.trim_end_matches(','))
            .collect();
        if words.is_empty() {
            return;
        }
        let full = words.join(" ");
        self.push(&full, c, EntityKind::Person, false);
        self.push_transliterations(&full, c);
        let mut i = 0;
        while i < words.len() {
            let w = words[i];
            let k = key(w);
            if PARTICLES.contains(&k.as_str()) {
                // "van Dijk", "de Vries": the particle goes with what follows.
                if i + 1 < words.len() {
                    let rest = words[i..].join(" ");
                    self.push(&rest, c, EntityKind::Person, false);
                }
                i += 1;
                continue;
            }
            let initial = w.trim_end_matches('.').chars().count() <= 1
                && !w.chars().any(super::text::is_unspaced_script);
            if !initial {
                let ambiguous = is_ambiguous(&k);
                self.push(w, c, EntityKind::Person, ambiguous);
                self.push_transliterations(w, c);
                if w.contains('-') {
                    for part in w.split('-').filter(|p| p.chars().count() >= 3) {
                        self.push(part, c, EntityKind::Person, is_ambiguous(&key(part)));
                    }
                }
                // Japanese family names in kanji and in Latin letters.
                for (kanji, latin) in JAPANESE_SURNAMES {
                    if k == *latin || w == *kanji {
                        self.push(kanji, c, EntityKind::Person, false);
                        self.push(latin, c, EntityKind::Person, true);
                    }
                }
            }
            i += 1;
        }
        let latin = romanize(&full).unwrap_or_else(|| full.clone());
        self.people_keys.extend(
            words
                .iter()
                .map(|w| key(w))
                .filter(|k| k.chars().count() >= 3 && !PARTICLES.contains(&k.as_str())),
        );
        for part in latin.split_whitespace() {
            let s = skeleton(part);
            if s.len() >= 3 {
                self.skeletons.push((s, c));
            }
        }
        let joined = skeleton(&latin.replace(' ', ""));
        if joined.len() >= 3 {
            self.skeletons.push((joined, c));
        }
    }

    /// "Jürgen" is also written "Juergen", "Haßelbach" "Hasselbach".
    fn push_transliterations(&mut self, w: &str, c: usize) {
        let lower = w.to_lowercase();
        let german = lower
            .replace('ü', "ue")
            .replace('ö', "oe")
            .replace('ä', "ae")
            .replace('ß', "ss");
        if german != lower {
            self.push(&german, c, EntityKind::Person, false);
        }
    }

    fn add_account(&mut self, real: &str, c: usize, kind: EntityKind) {
        self.push(real, c, kind, false);
        if real.contains('_') {
            self.push(&real.replace('_', " "), c, kind, false);
            self.push(&real.replace('_', ""), c, kind, false);
            self.push(&real.replace('_', "-"), c, kind, false);
        }
        let words: Vec<&str> = real.split_whitespace().collect();
        // Without its legal form: "Kranich Fördertechnik", "Tarang Analytics".
        let mut core = words.len();
        while core > 1 && is_legal_form(words[core - 1]) {
            core -= 1;
        }
        if core < words.len() {
            self.push(&words[..core].join(" "), c, kind, false);
        }
        // Written as one word: "KestrelPoint", "Kestrel-Point".
        for n in 2..=core {
            self.push(&words[..n].join(""), c, kind, false);
            self.push(&words[..n].join("-"), c, kind, false);
        }
        // Leading words: "Casa Alvorada", "Verdant Row".
        for n in 2..core {
            self.push(&words[..n].join(" "), c, kind, false);
        }
        // Distinctive single words: "Foxglove", "Lumière", "Halvorsen".
        for w in &words[..core] {
            let k = key(w.trim_matches(|ch: char| !ch.is_alphanumeric()));
            if k.chars().count() >= 4
                && !GENERIC_WORDS.contains(k.as_str())
                && !ORG_NOUNS.contains(k.as_str())
                && !NOT_NAMES.contains(k.as_str())
                && !is_legal_form(w)
            {
                self.push(w, c, kind, false);
                self.people_keys.push(k);
            }
        }
        let latin = key(&words[..core].join(""));
        let s = skeleton(&latin);
        if s.len() >= 4 {
            self.skeletons.push((s, c));
        }
    }

    fn add_domain(&mut self, real: &str, c: usize) {
        let host = real
            .trim()
            .trim_start_matches("https://")
            .trim_start_matches("http://")
            .trim_start_matches("www.")
            .split('/')
            .next()
            .unwrap_or_default()
            .to_string();
        self.push(real, c, EntityKind::Url, false);
        let path = real
            .trim()
            .trim_start_matches("https://")
            .trim_start_matches("http://")
            .split_once('/')
            .map_or("", |(_, p)| p);
        if !path.trim_matches('/').is_empty() {
            // A page (a profile, a booking link): only the whole URL is this record's.
            return;
        }
        if host != real {
            self.push(&host, c, EntityKind::Url, false);
        }
        // The registrable label: "kestrelpoint" of "kestrelpoint.example.org".
        if let Some(label) = host.split('.').next() {
            let k = key(label);
            if k.chars().count() >= 5
                && !GENERIC_WORDS.contains(k.as_str())
                && !matches!(
                    k.as_str(),
                    "example" | "mail" | "email" | "login" | "portal"
                )
            {
                self.push(label, c, EntityKind::Url, false);
                self.people_keys.push(k);
            }
        }
    }

    fn finish(mut self) -> KnownValues {
        // Longest first, so that "Jennifer Ray" wins over "Jennifer".
        self.variants
            .sort_by(|a, b| b.key.len().cmp(&a.key.len()).then(a.key.cmp(&b.key)));
        self.variants
            .dedup_by(|a, b| a.key == b.key && a.canonical == b.canonical);
        self.people_keys.sort();
        self.people_keys.dedup();
        self
    }

    pub fn canonical(&self, i: usize) -> &str {
        &self.canonical[i].0
    }

    /// Keys of the record's people, account and domain label: a URL naming one is personal.
    pub fn people_keys(&self) -> &[String] {
        &self.people_keys
    }

    /// Every occurrence of a known value in `text`, with the value it stands for.
    pub fn find_in(&self, text: &str) -> Vec<(Finding, usize)> {
        self.find(text, false)
    }

    /// `find_in` for the guard over a whole request: one word of a name counts only where
    /// it is written as a name (capitalised, or in a script without case), so that the
    /// prompt's own words ("short", "grant") never trip it.
    pub fn find_in_strict(&self, text: &str) -> Vec<(Finding, usize)> {
        self.find(text, true)
    }

    fn find(&self, text: &str, strict: bool) -> Vec<(Finding, usize)> {
        let mut found = Vec::new();
        if self.variants.is_empty() {
            return found;
        }
        let folded = Folded::key(text);
        let hay = folded.text.as_str();
        for v in &self.variants {
            let mut from = 0;
            while let Some(pos) = hay[from..].find(v.key.as_str()) {
                let s = from + pos;
                let e = s + v.key.len();
                from = s + v.key.chars().next().map_or(1, char::len_utf8);
                if !is_word_boundary(hay, s, e) {
                    continue;
                }
                let (start, end) = folded.original(s, e);
                if v.ambiguous && !written_as_name(text, start, end) {
                    continue;
                }
                if strict
                    && v.single
                    && text[start..end]
                        .chars()
                        .next()
                        .is_some_and(char::is_lowercase)
                {
                    continue;
                }
                found.push((
                    Finding {
                        start,
                        end,
                        kind: v.kind,
                    },
                    v.canonical,
                ));
            }
        }
        if !self.skeletons.is_empty() && text.chars().any(|c| !c.is_ascii() && c.is_alphabetic()) {
            self.find_other_scripts(text, &mut found);
        }
        found
    }

    /// Words in Devanagari, Cyrillic, Greek, kana or Hangul that sound like a known name.
    fn find_other_scripts(&self, text: &str, found: &mut Vec<(Finding, usize)>) {
        let romanizable = |c: char| matches!(c as u32, 0x0370..=0x03FF | 0x0400..=0x04FF | 0x0900..=0x097F | 0x30A0..=0x30FF | 0xAC00..=0xD7A3 | 0x1F00..=0x1FFF);
        let mut i = 0;
        let chars: Vec<(usize, char)> = text.char_indices().collect();
        while i < chars.len() {
            if !romanizable(chars[i].1) {
                i += 1;
                continue;
            }
            let script = |c: char| match c as u32 {
                0x0370..=0x03FF | 0x1F00..=0x1FFF => 1,
                0x0400..=0x04FF => 2,
                0x0900..=0x097F => 3,
                0x30A0..=0x30FF => 4,
                _ => 5,
            };
            let first_script = script(chars[i].1);
            let mut j = i;
            while j < chars.len()
                && (romanizable(chars[j].1) && script(chars[j].1) == first_script
                    || (0x0900..=0x097F).contains(&(chars[j].1 as u32)))
            {
                j += 1;
            }
            let (s, e) = (chars[i].0, chars.get(j).map_or(text.len(), |(at, _)| *at));
            let word = &text[s..e];
            let mut candidates = vec![(s, e)];
            // Korean particles after a name: "민준이", "김민준님".
            if (0xAC00..=0xD7A3).contains(&(chars[i].1 as u32)) && j - i >= 3 {
                let last = chars[j - 1].0;
                candidates.push((s, last));
            }
            for (cs, ce) in candidates {
                let Some(latin) = romanize(&text[cs..ce]) else {
                    continue;
                };
                let sk = skeleton(&latin);
                if sk.len() < 3 {
                    continue;
                }
                if let Some((_, c)) = self.skeletons.iter().find(|(k, _)| *k == sk) {
                    found.push((
                        Finding {
                            start: cs,
                            end: ce,
                            kind: self.canonical[*c].1,
                        },
                        *c,
                    ));
                    break;
                }
            }
            let _ = word;
            i = j.max(i + 1);
        }
    }
}

fn is_legal_form(w: &str) -> bool {
    let k = key(w);
    LEGAL_FORMS.contains(k.as_str()) || LEGAL_FORMS.contains(k.trim_end_matches('.'))
}

fn is_ambiguous(k: &str) -> bool {
    AMBIGUOUS_NAMES.contains(k) || NOT_NAMES.contains(k) || (k.is_ascii() && k.chars().count() <= 2)
}

/// An everyday word that is also this record's name ("Will", "April", "Grace") counts as the
/// name only when capitalised, not before a number ("April 2026"), and at the start of a
/// sentence only before a verb, a possessive or a surname ("Will typed …", "Mark's …").
fn written_as_name(text: &str, start: usize, end: usize) -> bool {
    let word = &text[start..end];
    if super::names::after_person_cue(text, start) {
        return true;
    }
    let first = word.chars().next().unwrap_or(' ');
    if !first.is_uppercase() {
        // Scripts without letter case give no hint: the name counts.
        return !first.is_lowercase() && first.is_alphabetic();
    }
    let rest = &text[end..];
    let next_word: String = rest
        .trim_start()
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '\'')
        .collect();
    if next_word.chars().next().is_some_and(|c| c.is_ascii_digit()) {
        return false;
    }
    let before = text[..start].trim_end();
    let sentence_start = before.is_empty() || before.ends_with(['.', '!', '?', '\n', ':', '"']);
    if !sentence_start {
        return true;
    }
    rest.starts_with("'s")
        || rest.starts_with("’s")
        || rest.trim_start().starts_with([',', ')', '('])
        || rest.trim().is_empty()
        || next_word.chars().next().is_some_and(char::is_uppercase)
        || NAME_VERBS.contains(key(&next_word).as_str())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attributes::AttrValue;
    use std::collections::BTreeMap;

    fn known(people: &[(&str, &str)]) -> KnownValues {
        let mut attributes = BTreeMap::new();
        for (k, v) in people {
            attributes.insert(k.to_string(), AttrValue::Text(v.to_string()));
        }
        let account = Account {
            account_id: "A-1".into(),
            attributes,
            as_of: None,
        };
        let treatments: Vec<(&str, Treatment)> = people
            .iter()
            .map(|(k, _)| (*k, super::super::policy::default_treatment(k)))
            .collect();
        KnownValues::collect(&account, &treatments)
    }

    fn found(k: &KnownValues, text: &str) -> Vec<String> {
        let f = super::super::detect::merge(k.find_in(text).into_iter().map(|(f, _)| f).collect());
        f.iter().map(|f| text[f.start..f.end].to_string()).collect()
    }

    #[test]
    fn people_by_any_part_accent_and_script() {
        let k = known(&[
            ("champion_name", "Lucía Fernández"),
            ("success_manager", "Arjun Mehta"),
            ("contact_1_name", "Jürgen Haßelbach"),
            ("contact_2_name", "Joost van Dijk"),
        ]);
        assert_eq!(found(&k, "— LUCIA"), ["LUCIA"]);
        assert_eq!(found(&k, "कृपया अर्जुन को भेजें"), ["अर्जुन"]);
        assert_eq!(
            found(&k, "an juergen.h und Herrn Hasselbach"),
            ["juergen", "Hasselbach"]
        );
        assert_eq!(found(&k, "call w/ van Dijk"), ["van Dijk"]);
    }

    #[test]
    fn everyday_words_are_names_only_when_written_as_names() {
        let k = known(&[
            ("champion_name", "Will Turner"),
            ("success_manager", "April Moreno"),
        ]);
        assert!(found(&k, "Customer will upgrade in April 2026.").is_empty());
        assert_eq!(found(&k, "Will typed his SSN."), ["Will"]);
        assert_eq!(found(&k, "Ask April about it"), ["April"]);
    }

    #[test]
    fn the_account_by_its_distinctive_words_and_domain() {
        let k = known(&[
            ("account_name", "Casa Alvorada Imóveis"),
            ("website", "casaalvorada.example"),
        ]);
        assert_eq!(found(&k, "A Casa Alvorada contratou"), ["Casa Alvorada"]);
        assert_eq!(found(&k, "ALVORADA asked"), ["ALVORADA"]);
        assert_eq!(
            found(&k, "via mail.casaalvorada.example/sso"),
            ["casaalvorada.example"]
        );
        assert!(found(&k, "uma casa nova").is_empty());
    }
}
