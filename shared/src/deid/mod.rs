//! De-identification: what of an account may leave for the LLM, and how the answer gets its
//! real names back. Attributes are kept, pseudonymized, generalized or dropped by policy;
//! free text is scrubbed by detectors and by the record's own known values; a final guard
//! refuses a request body that still holds any of them.
//!
//! The pieces: `policy` (treatment by attribute name), `known` (the record's own people,
//! name, domain and contacts, with the variants they are written in), `detect` (pattern and
//! context detectors over free text), `pseudonyms` (tokens and their restoration).

mod address;
pub mod detect;
mod known;
mod lexicon;
mod names;
mod numbers;
pub mod policy;
pub mod pseudonyms;
mod text;
mod translit;

use crate::attributes::{Account, AttrValue};
use crate::tenant::TenantConfig;
use detect::{FieldHint, Finding, find_all, find_patterns, merge};
use known::KnownValues;
use policy::{Treatment, default_treatment, money_band};
pub use pseudonyms::{EntityKind, Pseudonyms, TOKEN_PATTERN};

/// One attribute as it may be sent.
#[derive(Debug, Clone, PartialEq)]
pub struct SafeAttribute {
    pub name: String,
    pub value: String,
    pub treatment: Treatment,
    /// The original value was free text (it is fenced as data in the prompt).
    pub free_text: bool,
}

/// The de-identified view of one account, with the mapping to restore the answer.
#[derive(Debug, Clone)]
pub struct Deidentified {
    pub attributes: Vec<SafeAttribute>,
    pub pseudonyms: Pseudonyms,
    /// The record's identifying values and the variants they are written in: the guard's list.
    known: KnownValues,
    /// Real values of dropped and generalized attributes (contacts, money figures).
    secrets: Vec<String>,
}

/// Why a request body was refused. Carries a code, never the value it found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("de-identification guard refused the request: {code}")]
pub struct GuardViolation {
    pub code: &'static str,
}

/// De-identifies the Key Info attributes of `account` under the tenant's policy.
pub fn deidentify(account: &Account, config: &TenantConfig) -> Deidentified {
    let selected = config.key_info_attributes(account);
    // Identity attributes outside Key Info still name the record's people: know them too.
    let treatments: Vec<(&str, Treatment)> = account
        .attributes
        .keys()
        .map(|name| (name.as_str(), treatment_of(name, config)))
        .collect();
    let known = KnownValues::collect(account, &treatments);
    let mut pseudonyms = Pseudonyms::default();
    let mut attributes = Vec::with_capacity(selected.len());
    for (name, value) in selected {
        let treatment = treatment_of(name, config);
        let safe = match (treatment, value) {
            (Treatment::Drop, _) => continue,
            (Treatment::Pseudonymize, v) => {
                let real = v.to_string();
                let kind = known::identity_kind(name, &real);
                pseudonyms.token_for(kind, real.trim())
            }
            (Treatment::Generalize, AttrValue::Number(n)) => format!("band {}", money_band(*n)),
            (Treatment::Generalize, AttrValue::Text(t)) => match numbers::parse_amount(t) {
                Some(n) => format!("band {}", money_band(n)),
                None => "withheld".to_string(),
            },
            (Treatment::Generalize, _) => "withheld".to_string(),
            (Treatment::Keep, AttrValue::Text(text)) => {
                scrub(text, FieldHint::from_name(name), &known, &mut pseudonyms)
            }
            (Treatment::Keep, v) => v.to_string(),
        };
        attributes.push(SafeAttribute {
            name: name.to_string(),
            value: safe,
            treatment,
            free_text: matches!(value, AttrValue::Text(t) if t.contains(' ')),
        });
    }
    let mut secrets = Vec::new();
    for (name, treatment) in &treatments {
        if matches!(treatment, Treatment::Drop | Treatment::Generalize)
            && let Some(v) = account.get(name)
        {
            let real = v.to_string();
            // A bare small number ("0") is not identifying and would match everywhere.
            if real.trim().chars().count() >= 4 {
                secrets.push(real.trim().to_lowercase());
            }
        }
    }
    Deidentified {
        attributes,
        pseudonyms,
        known,
        secrets,
    }
}

fn treatment_of(name: &str, config: &TenantConfig) -> Treatment {
    config
        .attribute_policy
        .get(name)
        .copied()
        .unwrap_or_else(|| default_treatment(name))
}

/// Replaces every finding in a free-text value by its token (the record's own values by the
/// token of the value they are a variant of, so one person is one token).
fn scrub(text: &str, hint: FieldHint, known: &KnownValues, pseudonyms: &mut Pseudonyms) -> String {
    let own = known.find_in(text);
    let mut found: Vec<Finding> = own.iter().map(|(f, _)| f.clone()).collect();
    found.extend(find_all(text, known.people_keys(), hint));
    found.extend(TOKEN_PATTERN.find_iter(text).map(|m| Finding {
        start: m.start(),
        end: m.end(),
        kind: EntityKind::Literal,
    }));
    // A token glued to a letter or digit would not be read back as a token: a span that
    // ends inside a word takes the rest of that word.
    let bytes = text.as_bytes();
    let glue = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    for f in &mut found {
        while f.start > 0 && glue(bytes[f.start - 1]) {
            f.start -= 1;
        }
        while f.end < bytes.len() && glue(bytes[f.end]) {
            f.end += 1;
        }
    }
    // Touching spans become one: two tokens back to back would read as one word.
    let mut found = merge(found);
    let mut i = 1;
    while i < found.len() {
        if found[i].start <= found[i - 1].end {
            let end = found[i].end.max(found[i - 1].end);
            found[i - 1].end = end;
            found.remove(i);
        } else {
            i += 1;
        }
    }
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for f in found {
        out.push_str(&text[at..f.start]);
        let canonical = own
            .iter()
            .find(|(o, _)| o.start == f.start && o.end == f.end)
            .map(|(o, c)| (o.kind, known.canonical(*c)));
        let token = match canonical {
            Some((kind, real)) => pseudonyms.token_for(kind, real),
            None => pseudonyms.token_for(f.kind, &text[f.start..f.end]),
        };
        out.push_str(&token);
        at = f.end;
    }
    out.push_str(&text[at..]);
    out
}

impl Deidentified {
    /// The last check before a request leaves: no real identifying value of this record and
    /// no high-confidence detector hit may remain anywhere in `body`. The body is read as the
    /// text it carries (JSON escapes undone), so a value next to a `\n` is still found.
    pub fn guard(&self, body: &str) -> Result<(), GuardViolation> {
        // The fixed instructions carry no account data (and use words that are also names).
        let text = unescape(body).replace(crate::prompt::SYSTEM_PROMPT, " ");
        if !self.known.find_in_strict(&text).is_empty() {
            return Err(GuardViolation {
                code: "record_value_in_request",
            });
        }
        let lower = text.to_lowercase();
        if self.secrets.iter().any(|s| contains_word(&lower, s)) {
            return Err(GuardViolation {
                code: "record_value_in_request",
            });
        }
        if let Some(f) = find_patterns(&text).first() {
            return Err(GuardViolation {
                code: match f.kind {
                    EntityKind::Email => "email_in_request",
                    EntityKind::Phone => "phone_in_request",
                    EntityKind::Card => "card_in_request",
                    EntityKind::Iban => "iban_in_request",
                    EntityKind::Ip => "ip_in_request",
                    EntityKind::Ssn => "ssn_in_request",
                    EntityKind::Amount => "money_in_request",
                    EntityKind::Url => "personal_url_in_request",
                    _ => "pattern_in_request",
                },
            });
        }
        Ok(())
    }
}

/// Undoes JSON string escapes, at every level of nesting (a quoted value inside the user
/// message inside the body), into spaces: enough to read words, never to misread them.
fn unescape(body: &str) -> String {
    let mut out = String::with_capacity(body.len());
    let mut chars = body.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        // A run of backslashes, then the escaped character.
        while chars.peek() == Some(&'\\') {
            chars.next();
        }
        match chars.next() {
            Some('u') => {
                let hex: String = chars.by_ref().take(4).collect();
                match u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                    Some(ch) if !ch.is_control() => out.push(ch),
                    _ => out.push(' '),
                }
            }
            Some('"') => out.push('"'),
            Some('/') => out.push('/'),
            Some(_) | None => out.push(' '),
        }
    }
    out
}

fn contains_word(haystack: &str, needle: &str) -> bool {
    if needle.is_empty() {
        return false;
    }
    let mut from = 0;
    while let Some(pos) = haystack[from..].find(needle) {
        let start = from + pos;
        let end = start + needle.len();
        if text::is_word_boundary(haystack, start, end) {
            return true;
        }
        from = start + needle.chars().next().map_or(1, char::len_utf8);
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn sample() -> Account {
        let mut attributes = BTreeMap::new();
        for (k, v) in [
            ("account_name", "Company_0"),
            ("plan_tier", "Basic"),
            ("mrr_usd", "836"),
            ("arr_usd", "10032"),
            ("success_manager", "Mary Simpson"),
            ("champion_name", "Jennifer Ray"),
            ("champion_email", "jennifer.ray@company0.example.com"),
            ("champion_phone", "+1-500-388-4050x3488"),
            (
                "last_meeting_notes",
                "Call with Jennifer Ray on 2026-11-28 about renewal timing. Jennifer asked us to send the follow-up to jennifer.ray@company0.example.com or call +1-500-388-4050x3488.",
            ),
        ] {
            attributes.insert(k.to_string(), AttrValue::parse_cell(v).unwrap());
        }
        Account {
            account_id: "A-2e4581".into(),
            attributes,
            as_of: None,
        }
    }

    #[test]
    fn people_account_contacts_and_money_do_not_leave() {
        let d = deidentify(&sample(), &TenantConfig::default());
        let sent: String = d
            .attributes
            .iter()
            .map(|a| format!("{}={}\n", a.name, a.value))
            .collect();
        for secret in [
            "Company_0",
            "Mary",
            "Simpson",
            "Jennifer",
            "Ray",
            "company0",
            "388-4050",
            "10032",
            "836",
        ] {
            assert!(!sent.contains(secret), "{secret} leaked in:\n{sent}");
        }
        assert!(!sent.contains("champion_email"));
        assert!(sent.contains("plan_tier=Basic"));
        assert!(sent.contains("arr_usd=band 10k-100k"));
        assert!(sent.contains("2026-11-28"));
        assert!(d.guard(&sent).is_ok());
    }

    #[test]
    fn the_answer_gets_the_names_back() {
        let d = deidentify(&sample(), &TenantConfig::default());
        let notes = &d
            .attributes
            .iter()
            .find(|a| a.name == "last_meeting_notes")
            .unwrap()
            .value;
        assert!(notes.starts_with("Call with PERSON_"), "{notes}");
        let answer = notes.replace("Call with", "Schedule a call with");
        let restored = d.pseudonyms.restore(&answer);
        assert!(restored.starts_with("Schedule a call with Jennifer Ray on 2026-11-28"));
        assert!(restored.contains("jennifer.ray@company0.example.com"));
    }

    #[test]
    fn the_guard_refuses_a_body_with_a_real_value() {
        let d = deidentify(&sample(), &TenantConfig::default());
        assert_eq!(
            d.guard("Overview of Jennifer Ray's account")
                .unwrap_err()
                .code,
            "record_value_in_request"
        );
        assert_eq!(
            d.guard("call +1-500-388-4050x3488").unwrap_err().code,
            "record_value_in_request"
        );
        assert_eq!(
            d.guard("write to someone@else.example.org")
                .unwrap_err()
                .code,
            "email_in_request"
        );
    }

    #[test]
    fn a_token_looking_input_is_not_restored_into_a_name() {
        let mut account = sample();
        account.attributes.insert(
            "notes".into(),
            AttrValue::Text("Ticket mentions PERSON_1 placeholder".into()),
        );
        let d = deidentify(&account, &TenantConfig::default());
        let notes = &d
            .attributes
            .iter()
            .find(|a| a.name == "notes")
            .unwrap()
            .value;
        let restored = d.pseudonyms.restore(notes);
        assert_eq!(restored, "Ticket mentions PERSON_1 placeholder");
    }
}
