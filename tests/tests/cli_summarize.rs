//! The real `account-summary` binary against the scripted OpenAI-compatible server:
//! `OPENAI_BASE_URL=http://127.0.0.1:PORT/v1 OPENAI_API_KEY=... account-summary summarize
//! --engine openai --json --account FILE`. `source` is `ai` on success and `fallback` when
//! the server refuses, truncates, runs out of quota or keeps failing; a 429 with
//! `Retry-After: 1` then success is `ai` after exactly two requests; `insufficient_quota` is
//! `fallback` after exactly one.
//!
//! The binary is built with `cargo build` into the target directory these tests run from (a
//! no-op when it is fresh, as after `cargo test --workspace`), and run as a child process.

use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::OnceLock;

use integration_tests::app::TEST_MODEL;
use integration_tests::expect::{contains_word, summary_shape};
use integration_tests::llm::{Reply, ScriptedLlm};
use integration_tests::seed::{SAMPLE_ACCOUNT, sample_account, sample_row};
use serde_json::Value;

/// `target/<profile>/account-summary`, built once per test process.
fn binary() -> &'static Path {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY.get_or_init(|| {
        // This test runs as target/<profile>/deps/cli_summarize-<hash>.
        let exe = std::env::current_exe().expect("the test knows its path");
        let profile_dir = exe
            .parent()
            .and_then(Path::parent)
            .expect("the test binary lies in target/<profile>/deps");
        let target_dir = profile_dir.parent().expect("target/<profile>");
        let release = profile_dir.file_name().is_some_and(|n| n == "release");
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
        let mut build = std::process::Command::new(cargo);
        build
            .args(["build", "--quiet", "-p", "account-summary-cli"])
            .args(["--bin", "account-summary", "--target-dir"])
            .arg(target_dir)
            .current_dir(env!("CARGO_MANIFEST_DIR"));
        if release {
            build.arg("--release");
        }
        let status = build.status().expect("cargo runs");
        assert!(status.success(), "building account-summary failed");
        let binary = profile_dir.join(format!("account-summary{}", std::env::consts::EXE_SUFFIX));
        assert!(binary.is_file(), "{} was not built", binary.display());
        binary
    })
}

/// The sample account as an account file (`export-account`'s format), in a fresh temp dir.
fn account_file() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cli-summarize-{}", ulid::Ulid::new()));
    std::fs::create_dir_all(&dir).expect("a temp dir");
    let path = dir.join("account.json");
    let account = sample_account(SAMPLE_ACCOUNT);
    std::fs::write(&path, serde_json::to_string_pretty(&account).unwrap()).unwrap();
    path
}

/// Runs `summarize --engine openai --json` against `llm`; returns the output and the JSON.
async fn summarize(llm: &ScriptedLlm) -> (Output, Value) {
    let binary = binary();
    let file = account_file();
    let mut command = tokio::process::Command::new(binary);
    command
        .args(["summarize", "--engine", "openai", "--json", "--account"])
        .arg(&file)
        .env("OPENAI_BASE_URL", llm.base_url())
        .env("OPENAI_API_KEY", llm.api_key())
        .env("OPENAI_MODEL", TEST_MODEL)
        .env_remove("GENERATION_DEADLINE_MS")
        .env_remove("OPENAI_SECRET_ID")
        .env("RUST_LOG", "info")
        .kill_on_drop(true);
    // Async, so that the scripted server in this runtime keeps answering meanwhile.
    let output = command.output().await.expect("account-summary runs");
    let _ = std::fs::remove_dir_all(file.parent().unwrap());
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(
        output.status.success(),
        "account-summary failed ({}): {stderr}",
        output.status
    );
    for (stream, text) in [("stdout", &stdout), ("stderr", &stderr)] {
        assert!(
            !text.contains(&llm.api_key()),
            "the API key appeared on {stream}"
        );
    }
    let json: Value = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("--json printed no JSON ({e}): {stdout}\nstderr: {stderr}"));
    summary_shape(&json);
    (output, json)
}

#[tokio::test]
async fn given_a_working_server_when_summarize_then_source_is_ai_with_names_restored() {
    let llm = ScriptedLlm::start().await;

    let (_, json) = summarize(&llm).await;

    assert_eq!(json["source"], "ai");
    assert_eq!(json["model"], TEST_MODEL);
    assert_eq!(json["account_id"], SAMPLE_ACCOUNT);
    let request = llm.single_request();
    llm.assert_no_violations();
    assert_eq!(request.body["store"], false);
    let row = sample_row(SAMPLE_ACCOUNT);
    let account_name = row["account_name"].trim();
    assert!(
        !contains_word(&request.body_text, account_name),
        "the account name left"
    );
    assert!(
        json["text"].as_str().unwrap().contains(account_name),
        "the account name is restored in the summary: {}",
        json["text"]
    );
}

#[tokio::test]
async fn given_a_server_that_refuses_when_summarize_then_fallback_after_one_repair() {
    let llm = ScriptedLlm::start().await;
    llm.set_fallback(Reply::refusal("I can't help with that."));

    let (_, json) = summarize(&llm).await;

    assert_eq!(json["source"], "fallback");
    assert_eq!(json["model"], Value::Null);
    assert_eq!(llm.request_count(), 2);
}

#[tokio::test]
async fn given_a_server_that_truncates_when_summarize_then_fallback_after_one_repair() {
    let llm = ScriptedLlm::start().await;
    llm.set_fallback(Reply::truncated());

    let (_, json) = summarize(&llm).await;

    assert_eq!(json["source"], "fallback");
    let requests = llm.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(
        requests[1].body["max_tokens"], 1350,
        "the repair had more room"
    );
}

#[tokio::test]
async fn given_insufficient_quota_when_summarize_then_fallback_after_exactly_one_request() {
    let llm = ScriptedLlm::start().await;
    llm.set_fallback(Reply::insufficient_quota());

    let (_, json) = summarize(&llm).await;

    assert_eq!(json["source"], "fallback");
    assert_eq!(llm.request_count(), 1);
}

#[tokio::test]
async fn given_a_server_that_keeps_failing_when_summarize_then_fallback_after_the_retries() {
    let llm = ScriptedLlm::start().await;
    llm.set_fallback(Reply::status(500));

    let (_, json) = summarize(&llm).await;

    assert_eq!(json["source"], "fallback");
    assert_eq!(llm.request_count(), 4, "the first request and 3 retries");
}

#[tokio::test]
async fn given_a_429_with_retry_after_1_then_success_when_summarize_then_ai_after_exactly_two_requests()
 {
    let llm = ScriptedLlm::start().await;
    llm.push(Reply::rate_limited(1));

    let (_, json) = summarize(&llm).await;

    assert_eq!(json["source"], "ai");
    let requests = llm.requests();
    assert_eq!(requests.len(), 2);
    assert!(
        requests[1].received_at - requests[0].received_at >= std::time::Duration::from_secs(1),
        "Retry-After: 1 was honoured"
    );
    llm.assert_no_violations();
}
