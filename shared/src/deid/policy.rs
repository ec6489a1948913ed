//! What happens to each attribute before it leaves: kept, pseudonymized, generalized or dropped.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Treatment {
    /// Sent as is (free text is still scanned by the detectors).
    Keep,
    /// Replaced by a stable token, restored in the answer.
    Pseudonymize,
    /// Replaced by a coarse description (a money figure becomes a band).
    Generalize,
    /// Never sent.
    Drop,
}

/// Name tokens that mark contact details: never useful to a summary.
const CONTACT_WORDS: &[&str] = &[
    "email",
    "e-mail",
    "mail",
    "phone",
    "mobile",
    "cell",
    "fax",
    "telephone",
    "tel",
    "address",
    "street",
    "zip",
    "postcode",
    "postal",
    "ssn",
    "iban",
    "card",
    "ip",
    "bank",
    "swift",
    "bic",
    "routing",
    "tax",
    "taxpayer",
    "itin",
    "passport",
    "dob",
    "birthday",
    "birthdate",
];
/// Name tokens that mark people or the account's own identity.
const IDENTITY_WORDS: &[&str] = &[
    "manager",
    "champion",
    "owner",
    "contact",
    "person",
    "rep",
    "csm",
    "ae",
    "sponsor",
    "signer",
    "domain",
    "website",
    "url",
    "company",
    "organization",
    "organisation",
];
/// Name tokens that mark money.
const MONEY_WORDS: &[&str] = &[
    "arr",
    "mrr",
    "acv",
    "tcv",
    "ltv",
    "revenue",
    "price",
    "pricing",
    "amount",
    "value",
    "cost",
    "spend",
    "discount",
    "refund",
    "refunds",
    "usd",
    "eur",
    "gbp",
    "invoice_total",
    "budget",
    "billing_amount",
    "fee",
    "fees",
];

/// The default treatment of an attribute, inferred from its name.
pub fn default_treatment(name: &str) -> Treatment {
    let lower = name.to_ascii_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_ascii_alphanumeric() && c != '-')
        .filter(|w| !w.is_empty())
        .collect();
    let has = |list: &[&str]| words.iter().any(|w| list.contains(w));
    if has(CONTACT_WORDS) {
        Treatment::Drop
    } else if has(MONEY_WORDS) {
        Treatment::Generalize
    } else if has(IDENTITY_WORDS)
        || lower == "account_name"
        || lower == "name"
        || lower.ends_with("_name")
    {
        Treatment::Pseudonymize
    } else {
        Treatment::Keep
    }
}

/// A money figure as a band: the scale without the figure.
pub fn money_band(amount: f64) -> &'static str {
    let a = amount.abs();
    if a == 0.0 {
        "zero"
    } else if a < 1_000.0 {
        "under 1k"
    } else if a < 10_000.0 {
        "1k-10k"
    } else if a < 100_000.0 {
        "10k-100k"
    } else if a < 1_000_000.0 {
        "100k-1M"
    } else {
        "over 1M"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sample_key_info_attributes_get_the_expected_treatment() {
        for (name, want) in [
            ("account_name", Treatment::Pseudonymize),
            ("success_manager", Treatment::Pseudonymize),
            ("champion_name", Treatment::Pseudonymize),
            ("champion_email", Treatment::Drop),
            ("champion_phone", Treatment::Drop),
            ("mrr_usd", Treatment::Generalize),
            ("arr_usd", Treatment::Generalize),
            ("contract_value", Treatment::Generalize),
            ("plan_tier", Treatment::Keep),
            ("seats", Treatment::Keep),
            ("next_renewal_date", Treatment::Keep),
            ("last_meeting_notes", Treatment::Keep),
            ("usage_trend_pct", Treatment::Keep),
            ("tickets_last_90d", Treatment::Keep),
            ("churn_feedback", Treatment::Keep),
        ] {
            assert_eq!(default_treatment(name), want, "{name}");
        }
    }

    #[test]
    fn bands_hide_the_figure() {
        assert_eq!(money_band(10032.0), "10k-100k");
        assert_eq!(money_band(836.0), "under 1k");
        assert_eq!(money_band(0.0), "zero");
    }
}
