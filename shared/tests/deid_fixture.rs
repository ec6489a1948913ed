//! Over all 500 sample accounts: the finished request body holds no contact value, no name
//! of the success manager or champion (full, first or last), no account name and no money
//! figure — and the guard, run on every one of these clean bodies, raises no false alarm.

use summary_core::attributes::{Account, AttrValue};
use summary_core::csv_import::read_accounts;
use summary_core::deid::deidentify;
use summary_core::prompt::{ModelCall, request_body};
use summary_core::tenant::TenantConfig;
use time::macros::date;

fn accounts() -> Vec<Account> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/fixtures/ravenstack/key_info.csv"
    );
    let file = std::fs::File::open(path).expect("the sample accounts are in the repo");
    let (accounts, errors) =
        read_accounts(file, "account_id", date!(2026 - 12 - 01)).expect("the export reads");
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(accounts.len(), 500);
    accounts
}

/// Whether `needle` occurs in `haystack` as a whole word (case-insensitive).
fn contains_word(haystack: &str, needle: &str) -> bool {
    let h = haystack.to_lowercase();
    let n = needle.to_lowercase();
    let mut from = 0;
    while let Some(pos) = h[from..].find(&n) {
        let s = from + pos;
        let e = s + n.len();
        let before = h[..s].chars().next_back();
        let after = h[e..].chars().next();
        // A figure inside a date or a decimal ("2027-09-19", "19.5") is not that figure.
        let numeric = n.chars().all(|c| c.is_ascii_digit());
        let glued = |c: Option<char>| {
            c.is_some_and(|c| {
                c.is_alphanumeric() || (numeric && matches!(c, '-' | '.' | ':' | '/' | ',' | '_'))
            })
        };
        // Scripts without spaces have no word boundaries: any occurrence counts there.
        let unspaced = n.chars().any(|c| ('\u{3040}'..='\u{9FFF}').contains(&c));
        if unspaced || !(glued(before) || glued(after)) {
            return true;
        }
        from = s + n.chars().next().map_or(1, char::len_utf8);
    }
    false
}

/// Titles, degrees and particles are parts of a written name but identify no one.
const TITLES: &[&str] = &[
    "dr",
    "dr.",
    "dra.",
    "prof.",
    "b.sc.",
    "b.a.",
    "b.eng.",
    "m.sc.",
    "dds",
    "md",
    "phd",
    "mr.",
    "mrs.",
    "ms.",
    "dipl.-ing.",
    "mba",
    "jr.",
    "sr.",
    "ii",
    "iii",
    "de",
    "da",
    "del",
    "della",
    "di",
    "do",
    "dos",
    "das",
    "du",
    "la",
    "le",
    "van",
    "von",
    "der",
    "den",
    "ten",
    "ter",
    "y",
    "e",
];

#[test]
fn no_contact_name_or_money_figure_reaches_any_request_and_the_guard_passes() {
    let call = ModelCall {
        model: "gpt-4o-mini".into(),
        temperature: 0.2,
        max_output_tokens: 900,
    };
    let config = TenantConfig {
        enabled: true,
        ..TenantConfig::default()
    };
    let mut checked = 0;
    for account in accounts() {
        let d = deidentify(&account, &config);
        let request = request_body(&d, date!(2026 - 12 - 01), &call);
        let body = request.to_string();
        // The fixed instructions are the same for every account: no data of any. The rest of
        // the body is checked case-insensitively.
        assert_eq!(
            request["messages"][0]["content"],
            summary_core::prompt::SYSTEM_PROMPT
        );
        let mut data = request.clone();
        data["messages"][0]["content"] = serde_json::Value::String(String::new());
        let data = data.to_string();
        let text = |name: &str| account.get(name).map(|v| v.to_string());
        let mut secrets: Vec<String> = Vec::new();
        for name in ["champion_email", "champion_phone", "account_name"] {
            secrets.extend(text(name));
        }
        for name in ["success_manager", "champion_name"] {
            if let Some(full) = text(name) {
                secrets.push(full.clone());
                secrets.extend(
                    full.split_whitespace()
                        .filter(|p| !TITLES.contains(&p.to_lowercase().as_str()))
                        .map(str::to_string),
                );
            }
        }
        for name in ["mrr_usd", "arr_usd"] {
            if let Some(AttrValue::Number(n)) = account.get(name) {
                let figure = summary_core::attributes::format_number(*n);
                // A figure equal to a count sent as its own attribute (seats, usage) is that
                // count, not the money: the body must not hold it as money, and it does not.
                let coincides = account.attributes.iter().any(|(k, v)| {
                    k != name && matches!(v, AttrValue::Number(m) if summary_core::attributes::format_number(*m) == figure)
                });
                if !coincides {
                    secrets.push(figure);
                }
            }
        }
        for s in &secrets {
            assert!(
                !contains_word(&data, s),
                "{}: {s:?} is in the request body",
                account.account_id
            );
        }
        assert_eq!(
            d.guard(&body),
            Ok(()),
            "{}: the guard refused a clean body",
            account.account_id
        );
        checked += 1;
    }
    assert_eq!(checked, 500);
}
