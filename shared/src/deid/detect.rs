//! Detectors over free text: where in a text personal or commercial data sits.

use std::sync::LazyLock;

use regex::Regex;

use super::pseudonyms::EntityKind;

/// A span of text that must not leave, and what it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub start: usize,
    pub end: usize,
    pub kind: EntityKind,
}

static EMAIL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)[\p{L}\p{N}._%+\-]+@[\p{L}\p{N}\-]+(?:\.[\p{L}\p{N}\-]+)*\.[a-z]{2,}")
        .expect("email pattern compiles")
});

static PHONE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?:\+|\b00)?\(?\d[\d \-.()/]{5,}\d(?:\s*(?:x|ext\.?|extension)\s*\d{1,6})?")
        .expect("phone pattern compiles")
});

/// Everything the pattern detectors find in `text`, in order, without overlaps.
pub fn find_patterns(text: &str) -> Vec<Finding> {
    let mut found: Vec<Finding> = EMAIL
        .find_iter(text)
        .map(|m| Finding {
            start: m.start(),
            end: m.end(),
            kind: EntityKind::Email,
        })
        .collect();
    found.extend(
        PHONE
            .find_iter(text)
            .filter(|m| looks_like_phone(m.as_str()))
            .map(|m| Finding {
                start: m.start(),
                end: m.end(),
                kind: EntityKind::Phone,
            }),
    );
    resolve_overlaps(found)
}

/// A run of digits and separators is a phone when it holds 7 to 15 digits (E.164's limit,
/// extensions aside) and is not a date.
fn looks_like_phone(candidate: &str) -> bool {
    let main = candidate
        .to_ascii_lowercase()
        .split(['x', 'e'])
        .next()
        .unwrap_or_default()
        .to_string();
    let digits = main.chars().filter(char::is_ascii_digit).count();
    let is_date = crate::attributes::parse_date(candidate.trim()).is_some();
    (7..=15).contains(&digits) && !is_date
}

/// Keeps the earliest, then longest, of overlapping findings.
pub fn resolve_overlaps(mut found: Vec<Finding>) -> Vec<Finding> {
    found.sort_by(|a, b| a.start.cmp(&b.start).then(b.end.cmp(&a.end)));
    let mut kept: Vec<Finding> = Vec::with_capacity(found.len());
    for f in found {
        match kept.last() {
            Some(last) if f.start < last.end => {}
            _ => kept.push(f),
        }
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(String, EntityKind)> {
        find_patterns(text)
            .into_iter()
            .map(|f| (text[f.start..f.end].to_string(), f.kind))
            .collect()
    }

    #[test]
    fn finds_emails_and_phones_in_meeting_notes() {
        let notes = "Jennifer asked us to send the follow-up to jennifer.ray@company0.example.com or call +1-500-388-4050x3488.";
        assert_eq!(
            kinds(notes),
            vec![
                (
                    "jennifer.ray@company0.example.com".to_string(),
                    EntityKind::Email
                ),
                ("+1-500-388-4050x3488".to_string(), EntityKind::Phone),
            ]
        );
    }

    #[test]
    fn dates_and_small_numbers_are_not_phones() {
        assert!(kinds("Call on 2026-11-28 about 9 seats and 19.0 hours").is_empty());
    }
}
