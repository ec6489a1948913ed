//! De-identification: what of an account may leave for the LLM, and how the answer gets its
//! real names back. Attributes are kept, pseudonymized, generalized or dropped by policy;
//! free text is scrubbed by detectors and by the record's own known values; a final guard
//! refuses a request body that still holds any of them.

pub mod detect;
pub mod policy;
pub mod pseudonyms;

use crate::attributes::{Account, AttrValue};
use crate::tenant::TenantConfig;
use detect::{Finding, find_patterns, resolve_overlaps};
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
    /// Every real identifying value of the record (including dropped ones): the guard's list.
    secrets: Vec<String>,
}

/// Why a request body was refused. Carries a code, never the value it found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("de-identification guard refused the request: {code}")]
pub struct GuardViolation {
    pub code: &'static str,
}

/// The record's own identity and people, known before any text is scanned.
struct KnownValues {
    /// (real value, kind), longest first so that "Jennifer Ray" wins over "Jennifer".
    values: Vec<(String, EntityKind)>,
}

impl KnownValues {
    fn collect(account: &Account, treatments: &[(String, Treatment)]) -> KnownValues {
        let mut values = Vec::new();
        for (name, treatment) in treatments {
            let Some(AttrValue::Text(text)) = account.get(name) else {
                continue;
            };
            if *treatment != Treatment::Pseudonymize {
                continue;
            }
            let kind = identity_kind(name);
            values.push((text.trim().to_string(), kind));
            if kind == EntityKind::Person {
                // People are also referred to by first or last name alone.
                for part in text.split_whitespace().filter(|p| p.chars().count() >= 3) {
                    values.push((part.to_string(), EntityKind::Person));
                }
            }
        }
        // The account's own domain, from its contacts' email addresses.
        for (name, _) in treatments {
            if let Some(AttrValue::Text(text)) = account.get(name)
                && let Some((_, domain)) = text.trim().rsplit_once('@')
                && domain.contains('.')
            {
                values.push((domain.to_string(), EntityKind::Url));
            }
        }
        values.sort_by_key(|(v, _)| std::cmp::Reverse(v.chars().count()));
        values.dedup();
        KnownValues { values }
    }

    fn find_in(&self, text: &str) -> Vec<Finding> {
        let lower = text.to_lowercase();
        let mut found = Vec::new();
        // Lower-casing can change byte lengths outside ASCII: search the original in that case.
        let haystack = if lower.len() == text.len() {
            lower.as_str()
        } else {
            text
        };
        for (value, kind) in &self.values {
            let needle = if lower.len() == text.len() {
                value.to_lowercase()
            } else {
                value.clone()
            };
            if needle.is_empty() {
                continue;
            }
            let mut from = 0;
            while let Some(pos) = haystack[from..].find(&needle) {
                let start = from + pos;
                let end = start + needle.len();
                if is_word_boundary(text, start, end) {
                    found.push(Finding {
                        start,
                        end,
                        kind: *kind,
                    });
                }
                from = end;
            }
        }
        found
    }
}

fn is_word_boundary(text: &str, start: usize, end: usize) -> bool {
    let before = text[..start].chars().next_back();
    let after = text[end..].chars().next();
    !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
}

/// Which kind of identity a pseudonymized attribute holds, from its name.
fn identity_kind(name: &str) -> EntityKind {
    let lower = name.to_ascii_lowercase();
    if lower == "account_name" || lower == "name" || lower.contains("company") {
        EntityKind::Account
    } else if ["domain", "website", "url"]
        .iter()
        .any(|w| lower.contains(w))
    {
        EntityKind::Url
    } else if lower.contains("organization") || lower.contains("organisation") {
        EntityKind::Organization
    } else {
        EntityKind::Person
    }
}

/// De-identifies the Key Info attributes of `account` under the tenant's policy.
pub fn deidentify(account: &Account, config: &TenantConfig) -> Deidentified {
    let selected = config.key_info_attributes(account);
    // Identity attributes outside Key Info still name the record's people: know them too.
    let treatments: Vec<(String, Treatment)> = account
        .attributes
        .keys()
        .map(|name| (name.clone(), treatment_of(name, config)))
        .collect();
    let known = KnownValues::collect(account, &treatments);
    let mut pseudonyms = Pseudonyms::default();
    let mut attributes = Vec::new();
    for (name, value) in selected {
        let treatment = treatment_of(name, config);
        let safe = match (treatment, value) {
            (Treatment::Drop, _) => continue,
            (Treatment::Pseudonymize, v) => {
                pseudonyms.token_for(identity_kind(name), &v.to_string())
            }
            (Treatment::Generalize, AttrValue::Number(n)) => format!("band {}", money_band(*n)),
            (Treatment::Generalize, _) => "withheld".to_string(),
            (Treatment::Keep, AttrValue::Text(text)) => scrub(text, &known, &mut pseudonyms),
            (Treatment::Keep, v) => v.to_string(),
        };
        attributes.push(SafeAttribute {
            name: name.to_string(),
            value: safe,
            treatment,
            free_text: matches!(value, AttrValue::Text(t) if t.contains(' ')),
        });
    }
    let mut secrets: Vec<String> = known.values.iter().map(|(v, _)| v.clone()).collect();
    for (name, treatment) in &treatments {
        if matches!(treatment, Treatment::Drop | Treatment::Generalize)
            && let Some(v) = account.get(name)
        {
            let real = v.to_string();
            // A bare small number ("0") is not identifying and would match everywhere.
            if real.chars().count() >= 4 {
                secrets.push(real);
            }
        }
    }
    Deidentified {
        attributes,
        pseudonyms,
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

/// Replaces every finding in a free-text value by its token.
fn scrub(text: &str, known: &KnownValues, pseudonyms: &mut Pseudonyms) -> String {
    let mut found = known.find_in(text);
    found.extend(find_patterns(text));
    found.extend(TOKEN_PATTERN.find_iter(text).map(|m| Finding {
        start: m.start(),
        end: m.end(),
        kind: EntityKind::Literal,
    }));
    let found = resolve_overlaps(found);
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for f in found {
        out.push_str(&text[at..f.start]);
        out.push_str(&pseudonyms.token_for(f.kind, &text[f.start..f.end]));
        at = f.end;
    }
    out.push_str(&text[at..]);
    out
}

impl Deidentified {
    /// The last check before a request leaves: no real identifying value of this record and
    /// no pattern hit may remain anywhere in `body`.
    pub fn guard(&self, body: &str) -> Result<(), GuardViolation> {
        let lower = body.to_lowercase();
        for secret in &self.secrets {
            let s = secret.to_lowercase();
            if s.chars().count() >= 3 && contains_word(&lower, &s) {
                return Err(GuardViolation {
                    code: "record_value_in_request",
                });
            }
        }
        if find_patterns(body)
            .iter()
            .any(|f| f.kind == EntityKind::Email)
        {
            return Err(GuardViolation {
                code: "email_in_request",
            });
        }
        Ok(())
    }
}

fn contains_word(haystack: &str, needle: &str) -> bool {
    let mut from = 0;
    while let Some(pos) = haystack[from..].find(needle) {
        let start = from + pos;
        let end = start + needle.len();
        if is_word_boundary(haystack, start, end) {
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
