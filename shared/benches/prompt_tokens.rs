//! Prompt tokens per summary over the 500 sample accounts: our compact attribute encoding
//! (the messages of `prompt::request_body`) against a naive prompt that sends the same
//! de-identified attributes as pretty-printed JSON, under the same system prompt. Counted
//! with a real tokenizer (o200k_base, the gpt-4o family's), messages framed as the Chat
//! Completions API frames them (3 tokens per message, 3 to prime the reply). Not a timing
//! benchmark: `cargo bench -p summary-core --bench prompt_tokens`.
//!
//! The strict JSON schema of `response_format` is counted by the provider too, identically
//! for both prompts; it is reported on its own line and left out of the ratio.

use serde_json::{Map, Value, json};
use summary_core::attributes::Account;
use summary_core::csv_import::read_accounts;
use summary_core::deid::{Deidentified, deidentify};
use summary_core::prompt::{INSTRUCTIONS, ModelCall, SYSTEM_PROMPT, request_body, response_schema};
use summary_core::tenant::TenantConfig;
use summary_core::time_fmt::iso_date;
use tiktoken_rs::CoreBPE;
use time::Date;
use time::macros::date;

/// The day the sample export was taken.
const AS_OF: Date = date!(2026 - 12 - 01);
/// What the issue asks of the encoding: at most this share of the naive prompt's tokens.
const TARGET_RATIO: f64 = 0.6;

/// Tokens of a chat prompt: each message's role and content plus 3 framing tokens, and 3
/// tokens priming the reply (OpenAI's published counting for the gpt-4o family).
fn chat_tokens(bpe: &CoreBPE, messages: &[Value]) -> usize {
    3 + messages
        .iter()
        .map(|m| {
            3 + bpe.encode_ordinary(m["role"].as_str().unwrap_or("")).len()
                + bpe
                    .encode_ordinary(m["content"].as_str().unwrap_or(""))
                    .len()
        })
        .sum::<usize>()
}

/// The naive prompt: the same instructions (without the note on reading our encoding), then
/// the reference date and the same de-identified attributes as a pretty-printed JSON object
/// (numbers as numbers).
fn naive_messages(deid: &Deidentified, as_of: Date) -> Vec<Value> {
    let attributes: Map<String, Value> = deid
        .attributes
        .iter()
        .map(|a| {
            // Typed as a JSON dump would type them: whole numbers without ".0", booleans.
            let value = match (a.value.as_str(), a.value.parse::<f64>()) {
                ("true", _) => json!(true),
                ("false", _) => json!(false),
                (_, Ok(n)) if !a.free_text && n.fract() == 0.0 && n.abs() < 1e15 => {
                    json!(n as i64)
                }
                (_, Ok(n)) if !a.free_text && n.is_finite() => json!(n),
                _ => json!(a.value),
            };
            (a.name.clone(), value)
        })
        .collect();
    let user = serde_json::to_string_pretty(&json!({
        "reference_date": iso_date(as_of),
        "account": attributes,
    }))
    .expect("JSON serializes");
    vec![
        json!({"role": "system", "content": INSTRUCTIONS}),
        json!({"role": "user", "content": user}),
    ]
}

fn median(values: &mut [usize]) -> f64 {
    values.sort_unstable();
    let n = values.len();
    if n % 2 == 1 {
        values[n / 2] as f64
    } else {
        (values[n / 2 - 1] + values[n / 2]) as f64 / 2.0
    }
}

fn percentile(values: &mut [usize], p: f64) -> usize {
    values.sort_unstable();
    values[((values.len() - 1) as f64 * p).round() as usize]
}

fn main() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/fixtures/ravenstack/key_info.csv"
    );
    let file = std::fs::File::open(path).expect("the sample accounts are in the repo");
    let (accounts, errors): (Vec<Account>, _) =
        read_accounts(file, "account_id", AS_OF).expect("the sample export has a header");
    assert!(errors.is_empty(), "bad rows: {errors:?}");
    let bpe = tiktoken_rs::o200k_base().expect("o200k_base ships with tiktoken-rs");
    let config = TenantConfig::default();
    let call = ModelCall {
        model: "gpt-4o-mini".into(),
        temperature: 0.2,
        max_output_tokens: 900,
    };

    // `PROMPT_TOKENS_SHOW=<account id>`: both user messages of one account, line by line
    // with each line's tokens, to see where the tokens go.
    if let Ok(shown) = std::env::var("PROMPT_TOKENS_SHOW") {
        let account = accounts
            .iter()
            .find(|a| a.account_id == shown)
            .unwrap_or_else(|| panic!("{shown} is not a sample account"));
        let deid = deidentify(account, &config);
        let as_of = account.as_of.unwrap_or(AS_OF);
        let body = request_body(&deid, as_of, &call);
        let naive_user = naive_messages(&deid, as_of)[1]["content"].clone();
        for (label, text) in [
            ("ours", &body["messages"][1]["content"]),
            ("naive", &naive_user),
        ] {
            println!("--- {label} user message");
            for line in text.as_str().unwrap_or("").lines() {
                println!("{:4} | {line}", bpe.encode_ordinary(line).len() + 1);
            }
        }
        println!();
    }

    let mut ours = Vec::with_capacity(accounts.len());
    let mut naive = Vec::with_capacity(accounts.len());
    let mut ours_user = Vec::with_capacity(accounts.len());
    let mut naive_user = Vec::with_capacity(accounts.len());
    let mut attributes = Vec::with_capacity(accounts.len());
    // A floor for any encoding that names each attribute by its key (as `evidence` needs):
    // the keys alone, one a line, and the keys with their values and nothing else.
    let mut keys_only = Vec::with_capacity(accounts.len());
    let mut keys_values = Vec::with_capacity(accounts.len());
    for account in &accounts {
        let deid = deidentify(account, &config);
        let body = request_body(&deid, account.as_of.unwrap_or(AS_OF), &call);
        let messages = body["messages"].as_array().expect("messages").clone();
        let naive_prompt = naive_messages(&deid, account.as_of.unwrap_or(AS_OF));
        ours.push(chat_tokens(&bpe, &messages));
        naive.push(chat_tokens(&bpe, &naive_prompt));
        ours_user.push(chat_tokens(&bpe, &messages[1..]));
        naive_user.push(chat_tokens(&bpe, &naive_prompt[1..]));
        attributes.push(deid.attributes.len());
        let keys: String = deid
            .attributes
            .iter()
            .map(|a| format!("{}\n", a.name))
            .collect();
        let pairs: String = deid
            .attributes
            .iter()
            .map(|a| format!("{} {}\n", a.name, a.value))
            .collect();
        keys_only.push(bpe.encode_ordinary(&keys).len());
        keys_values.push(bpe.encode_ordinary(&pairs).len());
    }
    let total = |v: &[usize]| v.iter().sum::<usize>() as f64;
    let ratio = total(&ours) / total(&naive);
    let user_ratio = total(&ours_user) / total(&naive_user);
    let schema_tokens = bpe.encode_ordinary(&response_schema().to_string()).len();
    let system_tokens = bpe.encode_ordinary(SYSTEM_PROMPT).len();

    println!(
        "Prompt tokens per summary, {} sample accounts (tests/fixtures/ravenstack/key_info.csv), o200k_base:",
        accounts.len()
    );
    println!();
    println!("| prompt | median | p90 | mean |");
    println!("|---|---|---|---|");
    for (label, values) in [
        ("ours: system + compact encoding", &mut ours),
        ("naive: system + pretty JSON", &mut naive),
        ("ours: user message only", &mut ours_user),
        ("naive: user message only", &mut naive_user),
    ] {
        let mean = total(values) / values.len() as f64;
        println!(
            "| {label} | {} | {} | {mean:.0} |",
            median(values),
            percentile(values, 0.9)
        );
    }
    println!();
    println!(
        "Ratio ours / naive (whole prompt, tokens summed over all accounts): {ratio:.3} (target <= {TARGET_RATIO})"
    );
    println!("Ratio ours / naive (user message only): {user_ratio:.3}");
    println!(
        "Floor for any encoding that keeps the keys, as a share of the naive user message: \
         keys alone {:.3}, keys and values alone {:.3}",
        total(&keys_only) / total(&naive_user),
        total(&keys_values) / total(&naive_user)
    );
    println!(
        "Median attributes sent per account: {}; system prompt: {system_tokens} tokens; \
         the response schema adds about {schema_tokens} tokens to both prompts (not in the ratio).",
        median(&mut attributes)
    );
    println!(
        "{}",
        if ratio <= TARGET_RATIO {
            "TARGET MET"
        } else {
            "TARGET MISSED"
        }
    );
}
