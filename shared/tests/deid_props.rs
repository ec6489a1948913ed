//! Property tests over anonymize → restore: no input makes de-identification panic, and
//! when the model echoes the tokens verbatim, restoring gives the original text back.

use std::collections::BTreeMap;

use proptest::prelude::*;
use proptest::test_runner::RngSeed;
use summary_core::attributes::{Account, AttrValue};
use summary_core::deid::deidentify;
use summary_core::tenant::TenantConfig;

fn account(notes: &str) -> Account {
    let mut attributes = BTreeMap::new();
    for (k, v) in [
        ("account_name", "Kestrel Point Software"),
        ("success_manager", "Mary Simpson"),
        ("champion_name", "Jürgen Haßelbach"),
        ("champion_email", "jurgen.h@kestrelpoint.example.org"),
        ("champion_phone", "+49 160 9876543"),
        ("mrr_usd", "836"),
    ] {
        attributes.insert(k.to_string(), AttrValue::Text(v.to_string()));
    }
    attributes.insert(
        "last_meeting_notes".to_string(),
        AttrValue::Text(notes.to_string()),
    );
    Account {
        account_id: "A-prop".into(),
        attributes,
        as_of: None,
    }
}

fn notes_config() -> TenantConfig {
    TenantConfig {
        key_info: vec!["last_meeting_notes".into()],
        ..TenantConfig::default()
    }
}

/// Values a note may hold, each in the one form it is written in (a token stands for one
/// value, and restores to the form it first met).
const VALUES: &[&str] = &[
    "Jürgen Haßelbach",
    "Mary Simpson",
    "Kestrel Point Software",
    "jurgen.h@kestrelpoint.example.org",
    "+49 160 9876543",
    "DE89 3704 0044 0532 0130 00",
    "4242 4242 4242 4242",
    "203.0.113.17",
    "2001:db8:4::17",
    "912-78-4321",
    "https://www.linkedin.com/in/someone-else",
    "spoke to Bartholomew Ashby-Crane",
    "PERSON_1",
    "€ 36.000",
    "Quillfeather Consulting",
    "17 Wrenfield Road, Leeds LS6 2QJ",
];

fn filler() -> impl Strategy<Value = String> {
    // Words, punctuation and arbitrary non-control unicode, always spaced from the values.
    prop_oneof![
        "[a-z]{1,8}( [a-z]{1,8}){0,4}",
        "[ -~&&[^0-9]]{0,12}",
        "\\PC{0,12}",
    ]
    // The word right before a value is fixed: a random "sn", "build" or "ver" there would
    // make the value an identifier by design (those stay), which is not what this tests.
    .prop_map(|s| format!(" {} with ", s.trim()))
}

/// A fixed seed by default, so that a run in CI is repeatable; `DEID_PROPS_SEED=random` (or a
/// number) explores new inputs. Whatever an exploration finds becomes a unit test by the
/// detector and lands in deid_props.proptest-regressions, which every run replays.
fn rng_seed() -> RngSeed {
    match std::env::var("DEID_PROPS_SEED").as_deref() {
        Ok("random") => RngSeed::Random,
        Ok(seed) => RngSeed::Fixed(
            seed.parse()
                .expect("DEID_PROPS_SEED is `random` or a number"),
        ),
        Err(_) => RngSeed::Fixed(20_261_203),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, rng_seed: rng_seed(), ..ProptestConfig::default() })]

    #[test]
    fn never_panics_on_any_text(notes in "\\PC{0,200}") {
        let d = deidentify(&account(&notes), &TenantConfig::default());
        for a in &d.attributes {
            let _ = d.pseudonyms.restore(&a.value);
        }
        let _ = d.guard(&notes);
    }

    #[test]
    fn never_panics_on_arbitrary_strings(notes in any::<String>()) {
        let d = deidentify(&account(&notes), &notes_config());
        let _ = d.pseudonyms.restore(&notes);
        let _ = d.guard(&notes);
    }

    #[test]
    fn restore_gives_back_what_was_anonymized(
        parts in proptest::collection::vec((filler(), 0..VALUES.len()), 1..6),
        tail in filler(),
    ) {
        let mut notes = String::new();
        let mut used = Vec::new();
        for (f, v) in &parts {
            notes.push_str(f);
            notes.push_str(VALUES[*v]);
            used.push(*v);
        }
        notes.push_str(&tail);
        let notes = notes.trim().to_string();
        let d = deidentify(&account(&notes), &notes_config());
        let sent = &d.attributes[0].value;
        for v in &used {
            let value = VALUES[*v];
            // Every value but the token-looking one (kept literally) leaves as a token.
            if value != "PERSON_1" && !value.starts_with("spoke to") {
                prop_assert!(!sent.contains(value), "{value:?} was sent: {sent:?}");
            }
        }
        prop_assert_eq!(d.pseudonyms.restore(sent), notes);
    }
}
