//! The de-identification evaluation: the labelled corpus in `shared/eval/deid/` (written by
//! someone other than the detectors' author, half of it kept away from them until the
//! detectors were done), run through `deidentify` and the prompt exactly as a request would
//! be built. Prints recall per type and the keep-rate for each half and asserts the issue's
//! thresholds.
//!
//! `DEID_EVAL_HALF=dev|holdout|both` (default both). `DEID_EVAL_VERBOSE=1` prints every
//! failing entry's id, text and what survived; without it only the dev half's are printed.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Deserialize;
use summary_core::attributes::{Account, AttrValue};
use summary_core::deid::deidentify;
use summary_core::prompt::{EvidenceLabels, ModelCall, request_body, user_message};
use summary_core::tenant::TenantConfig;
use time::macros::date;

#[derive(Debug, Deserialize)]
struct Entry {
    id: String,
    #[serde(rename = "type")]
    kind: String,
    field: String,
    text: String,
    #[serde(default)]
    secrets: Vec<String>,
    #[serde(default)]
    keep: Vec<String>,
    #[serde(default)]
    record: Option<Record>,
}

#[derive(Debug, Deserialize)]
struct Record {
    #[serde(default)]
    account_name: Option<String>,
    #[serde(default)]
    domain: Option<String>,
    #[serde(default)]
    people: Vec<String>,
}

/// What happened to one entry.
struct Outcome {
    detected: bool,
    kept: bool,
    keep_total: usize,
    keep_intact: usize,
    /// Injection entries: fenced as a quoted string, and no real value of a token in the body.
    fenced: bool,
    /// The guard refused the finished body (the engine would answer offline).
    refused: bool,
    leaked: Vec<String>,
    lost: Vec<String>,
    sent: String,
}

fn account_for(e: &Entry) -> Account {
    let mut attributes = BTreeMap::new();
    if let Some(r) = &e.record {
        if let Some(name) = &r.account_name {
            attributes.insert("account_name".to_string(), AttrValue::Text(name.clone()));
        }
        if let Some(domain) = &r.domain {
            attributes.insert("website".to_string(), AttrValue::Text(domain.clone()));
        }
        for (i, person) in r.people.iter().enumerate() {
            let name = match i {
                0 => "success_manager".to_string(),
                1 => "champion_name".to_string(),
                n => format!("contact_{}_name", n - 1),
            };
            attributes.insert(name, AttrValue::Text(person.clone()));
        }
    }
    if let Some(v) = AttrValue::parse_cell(&e.text) {
        attributes.insert(e.field.clone(), v);
    }
    Account {
        account_id: format!("A-{}", e.id),
        attributes,
        as_of: Some(date!(2026 - 12 - 01)),
    }
}

fn evaluate(e: &Entry) -> Outcome {
    let account = account_for(e);
    let config = TenantConfig {
        enabled: true,
        key_info: vec![e.field.clone()],
        ..TenantConfig::default()
    };
    let d = deidentify(&account, &config);
    let as_of = date!(2026 - 12 - 01);
    let message = user_message(&d, as_of);
    let call = ModelCall {
        model: "gpt-4o-mini".into(),
        temperature: 0.2,
        max_output_tokens: 900,
    };
    let body = request_body(&d, as_of, &call).to_string();
    let value = d
        .attributes
        .iter()
        .find(|a| a.name == e.field)
        .map(|a| a.value.clone())
        .unwrap_or_default();
    let haystack = format!("{message}\n{value}").to_lowercase();
    let leaked: Vec<String> = e
        .secrets
        .iter()
        .filter(|s| haystack.contains(&s.to_lowercase()))
        .cloned()
        .collect();
    let lost: Vec<String> = e
        .keep
        .iter()
        .filter(|k| !value.contains(k.as_str()))
        .cloned()
        .collect();
    let fenced = if e.kind == "injection" {
        // Free text goes on a line of its own: `label="..."`.
        let labels = EvidenceLabels::of(&d.attributes);
        let label = labels.label_for(&e.field).unwrap_or(&e.field);
        let quoted = message
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{label}=")))
            .is_some_and(|v| v.starts_with('"'));
        let unquoted_single_line = !e.text.contains(' ');
        // Token-looking text of the note itself (a `TEXT_` token) is no mapping.
        let no_mapping = d
            .pseudonyms
            .entries()
            .filter(|(token, _)| !token.starts_with("TEXT_"))
            .all(|(_, real)| !body.to_lowercase().contains(&real.to_lowercase()));
        (quoted || unquoted_single_line) && no_mapping
    } else {
        true
    };
    Outcome {
        detected: leaked.is_empty(),
        kept: lost.is_empty(),
        keep_total: e.keep.len(),
        keep_intact: e.keep.len() - lost.len(),
        fenced,
        refused: d.guard(&body).is_err(),
        leaked,
        lost,
        sent: value,
    }
}

/// Recall thresholds from the issue, by type.
fn threshold(kind: &str) -> Option<f64> {
    match kind {
        "email" | "phone" | "card" | "iban" | "ip" | "ssn" | "money" | "injection" => Some(1.0),
        "person" => Some(0.97),
        "address" | "organization" | "personal_url" => Some(0.95),
        _ => None,
    }
}

const KEEP_RATE: f64 = 0.98;

fn load(half: &str) -> Vec<Entry> {
    let path: PathBuf = [
        env!("CARGO_MANIFEST_DIR"),
        "eval",
        "deid",
        &format!("{half}.jsonl"),
    ]
    .iter()
    .collect();
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .enumerate()
        .map(|(i, l)| {
            serde_json::from_str(l)
                .unwrap_or_else(|e| panic!("{} line {}: {e}", path.display(), i + 1))
        })
        .collect()
}

/// Evaluates one half; returns the threshold misses.
fn run_half(half: &str, verbose: bool) -> Vec<String> {
    let entries = load(half);
    let mut by_type: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let (mut keep_entries, mut keep_ok) = (0, 0);
    let (mut keep_subs, mut keep_subs_ok) = (0, 0);
    let mut refused = 0;
    let mut leaks_caught = 0;
    let mut leaks = 0;
    let mut failures = Vec::new();
    for e in &entries {
        let o = evaluate(e);
        keep_subs += o.keep_total;
        keep_subs_ok += o.keep_intact;
        if o.refused {
            refused += 1;
            if verbose {
                println!("  guard refused {} [{}]", e.id, e.kind);
            }
        }
        if !o.detected {
            leaks += 1;
            if o.refused {
                leaks_caught += 1;
            }
        }
        if e.kind == "keep" {
            keep_entries += 1;
            if o.kept {
                keep_ok += 1;
            }
        } else {
            let slot = by_type.entry(e.kind.clone()).or_default();
            slot.0 += 1;
            if o.detected && o.fenced {
                slot.1 += 1;
            }
        }
        if !(o.detected && o.kept && o.fenced) && verbose {
            println!(
                "  FAIL {} [{}] {:?}\n    sent:   {:?}\n    leaked: {:?}  lost: {:?}{}",
                e.id,
                e.kind,
                e.text,
                o.sent,
                o.leaked,
                o.lost,
                if o.fenced { "" } else { "  (not fenced)" }
            );
        } else if !(o.detected && o.kept && o.fenced) {
            println!("  FAIL {} [{}]", e.id, e.kind);
        }
    }
    println!(
        "\n== de-identification eval: {half} ({} entries) ==",
        entries.len()
    );
    println!(
        "{:<14} {:>7} {:>9} {:>8} {:>10}",
        "type", "entries", "detected", "recall", "threshold"
    );
    for (kind, (n, ok)) in &by_type {
        let recall = *ok as f64 / *n as f64;
        let t = threshold(kind);
        println!(
            "{:<14} {:>7} {:>9} {:>7.1}% {:>10}",
            kind,
            n,
            ok,
            recall * 100.0,
            t.map_or("-".to_string(), |t| format!("{:.0}%", t * 100.0))
        );
        if let Some(t) = t
            && recall + 1e-9 < t
        {
            failures.push(format!(
                "{half}: {kind} recall {:.1}% < {:.0}%",
                recall * 100.0,
                t * 100.0
            ));
        }
    }
    let keep_rate = keep_ok as f64 / keep_entries.max(1) as f64;
    println!(
        "{:<14} {:>7} {:>9} {:>7.1}% {:>10}",
        "keep",
        keep_entries,
        keep_ok,
        keep_rate * 100.0,
        format!("{:.0}%", KEEP_RATE * 100.0)
    );
    println!(
        "keep substrings intact across all entries: {keep_subs_ok}/{keep_subs} ({:.1}%)",
        keep_subs_ok as f64 * 100.0 / keep_subs.max(1) as f64
    );
    println!(
        "guard refusals (offline fallback): {refused}/{}; leaking entries the guard would have stopped: {leaks_caught}/{leaks}",
        entries.len()
    );
    if keep_rate + 1e-9 < KEEP_RATE {
        failures.push(format!("{half}: keep-rate {:.1}% < 98%", keep_rate * 100.0));
    }
    failures
}

#[test]
fn corpus_recall_and_keep_rate_meet_the_thresholds() {
    let half = std::env::var("DEID_EVAL_HALF").unwrap_or_else(|_| "both".to_string());
    let verbose_all = std::env::var("DEID_EVAL_VERBOSE").is_ok_and(|v| v == "1");
    let halves: Vec<&str> = match half.as_str() {
        "dev" => vec!["dev"],
        "holdout" => vec!["holdout"],
        _ => vec!["dev", "holdout"],
    };
    let mut failures = Vec::new();
    for h in halves {
        failures.extend(run_half(h, verbose_all || h == "dev"));
    }
    assert!(
        failures.is_empty(),
        "thresholds missed:\n{}",
        failures.join("\n")
    );
}
