//! De-identifying one account's Key Info (sample account A-2e4581, 35 attributes with its
//! meeting notes, plus a free-text note dense with contacts and money): the median of many
//! runs. `cargo bench -p summary-core --bench deid`.

use std::hint::black_box;
use std::time::{Duration, Instant};

use summary_core::attributes::AttrValue;
use summary_core::csv_import::read_accounts;
use summary_core::deid::deidentify;
use summary_core::prompt::{ModelCall, request_body};
use summary_core::tenant::TenantConfig;
use time::macros::date;

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn main() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/fixtures/ravenstack/key_info.csv"
    );
    let file = std::fs::File::open(path).expect("the sample accounts are in the repo");
    let (accounts, _) = read_accounts(file, "account_id", date!(2026 - 12 - 01)).expect("reads");
    let mut account = accounts
        .into_iter()
        .find(|a| a.account_id == "A-2e4581")
        .expect("A-2e4581 is a sample account");
    let config = TenantConfig::default();
    let call = ModelCall {
        model: "gpt-4o-mini".into(),
        temperature: 0.2,
        max_output_tokens: 900,
    };
    let run = |label: &str, account: &summary_core::attributes::Account| {
        // Warm-up: the detectors' patterns compile once per process.
        let d = deidentify(account, &config);
        let body = request_body(&d, date!(2026 - 12 - 01), &call).to_string();
        d.guard(&body).expect("the guard passes");
        let mut deid = Vec::new();
        let mut with_guard = Vec::new();
        for _ in 0..2000 {
            let t = Instant::now();
            let d = black_box(deidentify(black_box(account), &config));
            deid.push(t.elapsed());
            let body = request_body(&d, date!(2026 - 12 - 01), &call).to_string();
            let t = Instant::now();
            let _ = black_box(d.guard(&body));
            with_guard.push(t.elapsed() + *deid.last().unwrap_or(&Duration::ZERO));
        }
        println!(
            "{label}: {} attributes; deidentify median {:?}; deidentify + guard median {:?}",
            account.attributes.len(),
            median(deid),
            median(with_guard)
        );
    };
    run("A-2e4581", &account);
    account.attributes.insert(
        "churn_feedback".into(),
        AttrValue::Text(
            "Spoke to Bartholomew Ashby-Crane (their CFO) and Jennifer: they pay €36.000 + VAT, \
             card 4242 4242 4242 4242 on file, refund to DE89 3704 0044 0532 0130 00. \
             Office: 17 Wrenfield Road, Leeds LS6 2QJ; switchboard +44 (0)161 496 0321. \
             Partner Quillfeather Consulting runs SSO (ticket JIRA-1234, v2.14.3)."
                .into(),
        ),
    );
    run("A-2e4581 + dense note", &account);
}
