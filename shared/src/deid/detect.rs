//! Detectors over free text: where in a text personal or commercial data sits.
//!
//! Two tiers: `find_patterns` holds the high-confidence detectors (e-mail, phone, card, IBAN,
//! IP, SSN, money, personal URL), which the final guard also runs over the whole request;
//! `find_all` adds the context-based ones (people, organisations, addresses) for free text.
//! Every detector runs on a shape-folded copy (full-width digits, odd spaces) and its spans
//! are mapped back to the original text.

use super::address::addresses;
use super::names::{organizations, people};
use super::numbers::{self, Hit};
use super::pseudonyms::EntityKind;
use super::text::Folded;

/// A span of text that must not leave, and what it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub start: usize,
    pub end: usize,
    pub kind: EntityKind,
}

/// What a text is known to be from the name of the attribute that holds it.
#[derive(Debug, Clone, Copy, Default)]
pub struct FieldHint {
    /// The attribute is a phone number, whatever its format.
    pub phone: bool,
}

impl FieldHint {
    pub fn from_name(name: &str) -> FieldHint {
        let lower = name.to_ascii_lowercase();
        FieldHint {
            phone: ["phone", "mobile", "tel", "fax", "cell"].iter().any(|w| {
                lower
                    .split(|c: char| !c.is_ascii_alphanumeric())
                    .any(|p| p == *w)
            }),
        }
    }
}

fn high_confidence(text: &str, people_keys: &[String], hint: FieldHint, out: &mut Vec<Hit>) {
    numbers::emails(text, out);
    numbers::personal_urls(text, people_keys, out);
    numbers::ips(text, out);
    numbers::ibans(text, out);
    numbers::cards(text, out);
    numbers::ssns(text, out);
    numbers::phones(text, hint.phone, out);
    numbers::money(text, out);
}

fn run(text: &str, f: impl FnOnce(&str, &mut Vec<Hit>)) -> Vec<Finding> {
    let folded = Folded::shape(text);
    let mut hits = Vec::new();
    f(&folded.text, &mut hits);
    let identity = folded.is_identity();
    merge(
        hits.into_iter()
            .filter(|(s, e, _)| s < e)
            .map(|(s, e, kind)| {
                let (start, end) = if identity {
                    (s, e)
                } else {
                    folded.original(s, e)
                };
                Finding { start, end, kind }
            })
            .collect(),
    )
}

/// The high-confidence detectors: everything they find in `text`, in order, without overlaps.
pub fn find_patterns(text: &str) -> Vec<Finding> {
    run(text, |t, out| {
        high_confidence(t, &[], FieldHint::default(), out)
    })
}

/// Every detector, for a free-text value. `people_keys` are the record's people (key form),
/// whose names make a URL personal.
pub fn find_all(text: &str, people_keys: &[String], hint: FieldHint) -> Vec<Finding> {
    run(text, |t, out| {
        high_confidence(t, people_keys, hint, out);
        people(t, out);
        organizations(t, out);
        addresses(t, out);
    })
}

/// Merges overlapping findings into one span (nothing of either may leave); the merged span
/// takes the kind of its longest part.
pub fn merge(mut found: Vec<Finding>) -> Vec<Finding> {
    found.sort_by(|a, b| a.start.cmp(&b.start).then(b.end.cmp(&a.end)));
    let mut kept: Vec<(Finding, usize)> = Vec::with_capacity(found.len());
    for f in found {
        let len = f.end - f.start;
        match kept.last_mut() {
            Some((last, longest)) if f.start < last.end => {
                if f.end > last.end {
                    last.end = f.end;
                }
                if len > *longest {
                    last.kind = f.kind;
                    *longest = len;
                }
            }
            _ => kept.push((f, len)),
        }
    }
    kept.into_iter().map(|(f, _)| f).collect()
}

/// Keeps the earliest, then longest, of overlapping findings (kept for callers that want
/// one kind per span; `merge` is what de-identification uses).
pub fn resolve_overlaps(found: Vec<Finding>) -> Vec<Finding> {
    merge(found)
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

    #[test]
    fn full_width_phone_maps_back_to_the_original() {
        let text = "折り返し先：０３－６７８９－０１２３（佐藤）";
        assert_eq!(
            kinds(text),
            vec![("０３－６７８９－０１２３".to_string(), EntityKind::Phone)]
        );
    }
}
