//! Stable tokens for real values within one request, and their restoration in the answer.

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;

/// What a token stands for; each kind has its own token prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EntityKind {
    Account,
    Person,
    Organization,
    Email,
    Phone,
    Url,
    Amount,
    Card,
    Iban,
    Ip,
    Ssn,
    Address,
    /// A token-looking string that was in the input itself: it gets a token of its own so
    /// that restoring the answer gives back that literal text, never someone's name.
    Literal,
}

impl EntityKind {
    pub fn prefix(self) -> &'static str {
        match self {
            EntityKind::Account => "ACCOUNT",
            EntityKind::Person => "PERSON",
            EntityKind::Organization => "ORG",
            EntityKind::Email => "EMAIL",
            EntityKind::Phone => "PHONE",
            EntityKind::Url => "URL",
            EntityKind::Amount => "AMOUNT",
            EntityKind::Card => "CARD",
            EntityKind::Iban => "IBAN",
            EntityKind::Ip => "IP",
            EntityKind::Ssn => "SSN",
            EntityKind::Address => "ADDRESS",
            EntityKind::Literal => "TEXT",
        }
    }
}

/// Matches a token as we write it (`PERSON_1`) and as a model may echo it: any case, with a
/// space, hyphen or nothing instead of the underscore. Digits and word boundaries are ASCII
/// ones, so a token next to Japanese text ("PERSON_1さん") or another script's digits is
/// still one.
pub static TOKEN_PATTERN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(?-u:\b)(ACCOUNT|PERSON|ORG|EMAIL|PHONE|URL|AMOUNT|CARD|IBAN|IP|SSN|ADDRESS|TEXT)[ _\-]?([0-9]{1,4})(?-u:\b)",
    )
    .expect("token pattern compiles")
});

/// The mapping of one request: token → real value. It never leaves the process.
#[derive(Debug, Default, Clone)]
pub struct Pseudonyms {
    real_by_token: HashMap<String, String>,
    token_by_value: HashMap<(EntityKind, String), String>,
    counters: HashMap<EntityKind, usize>,
}

impl Pseudonyms {
    /// The token for `real`, the same one every time within this request (case and spacing of
    /// `real` do not matter).
    pub fn token_for(&mut self, kind: EntityKind, real: &str) -> String {
        let key = (kind, normalize(real));
        if let Some(token) = self.token_by_value.get(&key) {
            return token.clone();
        }
        let n = self.counters.entry(kind).or_insert(0);
        *n += 1;
        let token = format!("{}_{}", kind.prefix(), n);
        self.real_by_token
            .insert(token.clone(), real.trim().to_string());
        self.token_by_value.insert(key, token.clone());
        token
    }

    /// Puts the real values back into the model's answer.
    pub fn restore(&self, text: &str) -> String {
        TOKEN_PATTERN
            .replace_all(text, |caps: &regex::Captures| {
                let canonical = format!("{}_{}", caps[1].to_ascii_uppercase(), &caps[2]);
                match self.real_by_token.get(&canonical) {
                    Some(real) => real.clone(),
                    None => caps[0].to_string(),
                }
            })
            .into_owned()
    }

    /// Every real value that a token stands for.
    pub fn real_values(&self) -> impl Iterator<Item = &str> {
        self.real_by_token.values().map(String::as_str)
    }

    /// Every token with the real value it stands for (token-looking text of the input
    /// itself has a `TEXT_` token).
    pub fn entries(&self) -> impl Iterator<Item = (&str, &str)> {
        self.real_by_token
            .iter()
            .map(|(t, r)| (t.as_str(), r.as_str()))
    }

    pub fn len(&self) -> usize {
        self.real_by_token.len()
    }

    pub fn is_empty(&self) -> bool {
        self.real_by_token.is_empty()
    }
}

fn normalize(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_value_same_token_and_restored_in_any_echo() {
        let mut p = Pseudonyms::default();
        let t1 = p.token_for(EntityKind::Person, "Jennifer Ray");
        let t2 = p.token_for(EntityKind::Person, "jennifer  ray");
        let t3 = p.token_for(EntityKind::Person, "Mary Simpson");
        assert_eq!(t1, "PERSON_1");
        assert_eq!(t1, t2);
        assert_eq!(t3, "PERSON_2");
        assert_eq!(
            p.restore("Ask PERSON_1, person 1 or Person-2 (PERSON2)."),
            "Ask Jennifer Ray, Jennifer Ray or Mary Simpson (Mary Simpson)."
        );
    }

    #[test]
    fn a_token_followed_by_digits_of_another_script_is_still_a_token() {
        // Found by the property test: "£០0" (a Khmer zero) after a phone number.
        let mut p = Pseudonyms::default();
        let t = p.token_for(EntityKind::Phone, "+49 160 9876543 £");
        assert_eq!(
            p.restore(&format!("{t}០0 with")),
            "+49 160 9876543 £០0 with"
        );
    }

    #[test]
    fn unknown_tokens_are_left_alone() {
        let p = Pseudonyms::default();
        assert_eq!(p.restore("PERSON_7 and EMAIL_1"), "PERSON_7 and EMAIL_1");
    }
}
