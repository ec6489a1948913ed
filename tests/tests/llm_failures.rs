//! Every way the LLM can fail, through the real GET and refresh handlers, moto's DynamoDB and
//! the scripted OpenAI-compatible server: what the user receives (status and body), how many
//! requests the provider got, and what is stored (the summary item, its expiry, tokens).
//!
//! The engine's retry policy, as these tests pin it: 429 and 5xx are retried at most
//! [`MAX_RETRIES`] times (a `Retry-After` of up to 5 s is honoured; a longer one ends in the
//! fallback at once); `insufficient_quota`, 400 and 401 are not retried (401 re-reads the key
//! once); a refusal, a truncated, malformed or incomplete answer gets one repair request; an
//! answer with ungrounded figures gets one regeneration. Whatever fails ends in the offline
//! engine's summary (`source: "fallback"`), cached for 15 minutes, never replacing a valid
//! AI summary.
//!
//! Timing: scripted delays and `Retry-After` waits are at most a few seconds, deadlines that
//! must fire are set short through `OpenAiSettings::deadline`, and wall-clock checks are only
//! generous upper bounds or lower bounds the code guarantees.

use std::time::{Duration as StdDuration, Instant};

use integration_tests::app::{AppBuilder, TEST_MODEL, openai_app, openai_settings};
use integration_tests::client::{ApiResponse, Caller, get, refresh};
use integration_tests::expect::{Interval, epoch_of, now_epoch, section_text, summary_shape};
use integration_tests::llm::{RecordedRequest, Reply, ScriptedLlm};
use integration_tests::moto::{Item, TestTable, n, s};
use integration_tests::seed::{SAMPLE_AS_OF, basic_account, enabled_tenant};
use serde_json::{Value, json};
use summary_core::config::App;
use summary_core::engine::offline_summary;
use summary_core::engine::openai::OpenAiSettings;
use summary_core::prompt::PROMPT_VERSION;
use summary_core::secrets::ApiKeySource;
use summary_core::service::month_of;
use summary_core::summary::SectionKey;
use summary_core::tenant::{ModelSettings, TenantConfig};
use time::{Duration, OffsetDateTime};

const TENANT: &str = "acme";
const ACCOUNT: &str = "A-1";
/// Retries after the first request for 429 and 5xx (the engine's `MAX_RETRIES`).
const MAX_RETRIES: usize = 3;
/// The tenant's default `max_tokens` (the engine's `DEFAULT_MAX_OUTPUT_TOKENS`).
const DEFAULT_MAX_TOKENS: u64 = 900;
/// The prompt version the offline engine records (`engine::OFFLINE_VERSION`).
const OFFLINE_VERSION: &str = "offline-1";
/// Generous: only catches an engine that waits on a hung provider far past its deadline.
const HANDLER_UPPER_BOUND: StdDuration = StdDuration::from_secs(10);

// ---------------------------------------------------------------------------------------
// Set-up and assertions shared by the tests.

/// A table with the enabled tenant and `accounts` (basic accounts), and a scripted server.
async fn setup(accounts: &[&str]) -> (TestTable, ScriptedLlm) {
    let table = TestTable::new().await;
    let accounts: Vec<_> = accounts.iter().map(|id| basic_account(id)).collect();
    table.seed_tenant_with(TENANT, &accounts).await;
    (table, ScriptedLlm::start().await)
}

/// The OpenAI engine against `llm` with this generation deadline.
fn app_with_deadline(table: &TestTable, llm: &ScriptedLlm, deadline: StdDuration) -> App {
    AppBuilder::new(table)
        .openai_with(
            ApiKeySource::Static(llm.api_key()),
            OpenAiSettings {
                deadline,
                ..openai_settings(llm)
            },
        )
        .build()
}

fn alice() -> Caller {
    Caller::new(TENANT, "alice")
}

/// GET as alice, timing the call.
async fn timed_get(app: &App, account_id: &str) -> (ApiResponse, Interval) {
    let call = Interval::open();
    let response = get(app, &alice(), account_id).await;
    (response, call.close())
}

/// The offline engine's sections for a basic account of the tenant, as the API shows them.
fn offline_sections(account_id: &str) -> Value {
    let generated = offline_summary(
        &basic_account(account_id),
        &enabled_tenant(TENANT),
        SAMPLE_AS_OF,
    );
    serde_json::to_value(&generated.sections).unwrap()
}

/// Asserts the user got a freshly written fallback: 200, the Summary shape, `source:
/// "fallback"`, no model, the offline engine's sections, expiring 15 minutes after the call.
fn assert_fallback_served(response: &ApiResponse, account_id: &str, call: &Interval) -> String {
    let body = response.ok();
    summary_shape(body);
    assert_eq!(body["source"], "fallback", "{}", response.body_text);
    assert_eq!(body["model"], Value::Null);
    assert_eq!(body["cached"], false);
    assert_eq!(body["refresh_failed"], false);
    assert_eq!(
        body["sections"],
        offline_sections(account_id),
        "the offline engine's summary"
    );
    call.assert_offset(
        epoch_of(&body["expires_at"]),
        Duration::minutes(15),
        "expires_at",
    );
    response.summary_id()
}

/// Asserts the user got a freshly written AI summary: 200, the Summary shape, `source: "ai"`,
/// the model, expiring 12 hours after the call.
fn assert_ai_served(response: &ApiResponse, call: &Interval) -> String {
    let body = response.ok();
    summary_shape(body);
    assert_eq!(body["source"], "ai", "{}", response.body_text);
    assert_eq!(body["model"], TEST_MODEL);
    assert_eq!(body["cached"], false);
    assert_eq!(body["refresh_failed"], false);
    call.assert_offset(
        epoch_of(&body["expires_at"]),
        Duration::hours(12),
        "expires_at",
    );
    response.summary_id()
}

/// The cached summary item, asserted to hold `summary_id`.
async fn stored(table: &TestTable, account_id: &str, summary_id: &str) -> Item {
    let item = table
        .summary_item(TENANT, account_id)
        .await
        .unwrap_or_else(|| panic!("no summary stored for {account_id}"));
    assert_eq!(
        s(&item, "summary_id"),
        Some(summary_id),
        "the stored summary is the one served"
    );
    item
}

/// Asserts the stored item is the fallback: no model, the offline prompt version, 15 minutes.
async fn assert_fallback_stored(
    table: &TestTable,
    account_id: &str,
    summary_id: &str,
    call: &Interval,
) -> Item {
    let item = stored(table, account_id, summary_id).await;
    assert_eq!(s(&item, "source"), Some("fallback"));
    assert_eq!(s(&item, "model"), None);
    assert_eq!(s(&item, "prompt_version"), Some(OFFLINE_VERSION));
    call.assert_offset(
        n(&item, "expires_at").unwrap(),
        Duration::minutes(15),
        "stored expires_at",
    );
    item
}

/// Asserts the stored item is an AI summary with the model, the prompt version, 12 hours and
/// these token counts (summed over every response of the generation).
async fn assert_ai_stored(
    table: &TestTable,
    account_id: &str,
    summary_id: &str,
    call: &Interval,
    (prompt_tokens, completion_tokens): (i64, i64),
) -> Item {
    let item = stored(table, account_id, summary_id).await;
    assert_eq!(s(&item, "source"), Some("ai"));
    assert_eq!(s(&item, "model"), Some(TEST_MODEL));
    assert_eq!(s(&item, "prompt_version"), Some(PROMPT_VERSION));
    assert_eq!(n(&item, "prompt_tokens"), Some(prompt_tokens));
    assert_eq!(n(&item, "completion_tokens"), Some(completion_tokens));
    call.assert_offset(
        n(&item, "expires_at").unwrap(),
        Duration::hours(12),
        "stored expires_at",
    );
    item
}

/// The tenant's token count of this month (`USAGE#YYYY-MM`), `None` without an item.
async fn monthly_tokens(table: &TestTable, tenant: &str) -> Option<i64> {
    let month = month_of(OffsetDateTime::now_utc());
    table
        .item(&format!("TENANT#{tenant}"), &format!("USAGE#{month}"))
        .await
        .and_then(|item| n(&item, "tokens"))
}

/// The `ungrounded` list attribute of an item (empty when absent).
fn ungrounded(item: &Item) -> Vec<String> {
    item.get("ungrounded")
        .and_then(|v| v.as_l().ok())
        .map(|l| {
            l.iter()
                .filter_map(|v| v.as_s().ok().cloned())
                .collect::<Vec<_>>()
        })
        .unwrap_or_default()
}

/// A repair request is the first request once more with one extra user message.
fn assert_is_repair_of(repair: &RecordedRequest, first: &RecordedRequest) {
    let first_messages = first.body["messages"].as_array().unwrap();
    let repair_messages = repair.body["messages"].as_array().unwrap();
    assert_eq!(
        repair_messages.len(),
        first_messages.len() + 1,
        "one note added"
    );
    assert_eq!(&repair_messages[..first_messages.len()], first_messages);
    assert_eq!(repair_messages.last().unwrap()["role"], "user");
    assert_eq!(
        repair.body["response_format"],
        first.body["response_format"]
    );
    assert_eq!(repair.body["store"], false);
}

/// JSON content with every section but `renewal`.
fn content_without_renewal() -> String {
    let sections: serde_json::Map<String, Value> = SectionKey::ALL
        .iter()
        .filter(|k| **k != SectionKey::Renewal)
        .map(|k| {
            (
                k.as_str().to_string(),
                json!({"text": "Nothing unusual.", "evidence": []}),
            )
        })
        .collect();
    Value::Object(sections).to_string()
}

// ---------------------------------------------------------------------------------------
// Rate limits, quota, server errors, client errors.

#[tokio::test]
async fn given_a_429_with_retry_after_1_then_success_when_get_then_ai_after_exactly_two_requests_a_second_apart()
 {
    let (table, llm) = setup(&[ACCOUNT]).await;
    llm.push_all([Reply::rate_limited(1), Reply::echo().usage(500, 60)]);
    let app = openai_app(&table, &llm);

    let (response, call) = timed_get(&app, ACCOUNT).await;

    let id = assert_ai_served(&response, &call);
    let requests = llm.requests();
    assert_eq!(requests.len(), 2, "one retry");
    assert!(
        requests[1].received_at - requests[0].received_at >= StdDuration::from_secs(1),
        "Retry-After: 1 was honoured"
    );
    assert_eq!(requests[0].body, requests[1].body, "the same request again");
    llm.assert_no_violations();
    // Only the successful response reported tokens.
    assert_ai_stored(&table, ACCOUNT, &id, &call, (500, 60)).await;
    assert_eq!(monthly_tokens(&table, TENANT).await, Some(560));
}

#[tokio::test]
async fn given_429_with_retry_after_every_time_when_get_then_fallback_after_one_request_plus_the_retries()
 {
    let (table, llm) = setup(&[ACCOUNT]).await;
    llm.set_fallback(Reply::rate_limited(1));
    // Room for far more than the retries: the retry limit, not the deadline, must stop them.
    let app = app_with_deadline(&table, &llm, StdDuration::from_secs(8));

    let (response, call) = timed_get(&app, ACCOUNT).await;

    let id = assert_fallback_served(&response, ACCOUNT, &call);
    assert_eq!(
        llm.request_count(),
        1 + MAX_RETRIES,
        "Retry-After does not lift the retry limit"
    );
    assert_fallback_stored(&table, ACCOUNT, &id, &call).await;
}

#[tokio::test]
async fn given_a_429_whose_retry_after_exceeds_the_cap_when_get_then_fallback_at_once_after_one_request()
 {
    let (table, llm) = setup(&[ACCOUNT]).await;
    llm.push(Reply::rate_limited(60));
    let app = openai_app(&table, &llm);

    let started = Instant::now();
    let (response, call) = timed_get(&app, ACCOUNT).await;

    assert_fallback_served(&response, ACCOUNT, &call);
    assert_eq!(
        llm.request_count(),
        1,
        "a provider asking for a minute is not asked again within seconds"
    );
    assert!(started.elapsed() < HANDLER_UPPER_BOUND);
}

#[tokio::test]
async fn given_429_insufficient_quota_when_get_then_fallback_after_exactly_one_request() {
    let (table, llm) = setup(&[ACCOUNT]).await;
    llm.set_fallback(Reply::insufficient_quota());
    let app = openai_app(&table, &llm);

    let (response, call) = timed_get(&app, ACCOUNT).await;

    let id = assert_fallback_served(&response, ACCOUNT, &call);
    assert_eq!(llm.request_count(), 1, "a spent quota is not retried");
    llm.assert_no_violations();
    let item = assert_fallback_stored(&table, ACCOUNT, &id, &call).await;
    assert_eq!(
        n(&item, "prompt_tokens"),
        None,
        "no response reported tokens"
    );
    assert_eq!(monthly_tokens(&table, TENANT).await, None);
}

#[tokio::test]
async fn given_500_every_time_when_get_then_fallback_after_one_request_plus_the_retries() {
    let (table, llm) = setup(&[ACCOUNT]).await;
    llm.set_fallback(Reply::status(500));
    let app = openai_app(&table, &llm);

    let (response, call) = timed_get(&app, ACCOUNT).await;

    let id = assert_fallback_served(&response, ACCOUNT, &call);
    assert_eq!(llm.request_count(), 1 + MAX_RETRIES);
    llm.assert_no_violations();
    assert_fallback_stored(&table, ACCOUNT, &id, &call).await;
}

#[tokio::test]
async fn given_a_503_then_success_when_get_then_ai_after_two_requests() {
    let (table, llm) = setup(&[ACCOUNT]).await;
    llm.push_all([Reply::status(503), Reply::echo().usage(410, 90)]);
    let app = openai_app(&table, &llm);

    let (response, call) = timed_get(&app, ACCOUNT).await;

    let id = assert_ai_served(&response, &call);
    assert_eq!(llm.request_count(), 2);
    assert_ai_stored(&table, ACCOUNT, &id, &call, (410, 90)).await;
}

#[tokio::test]
async fn given_a_400_when_hard_refreshed_without_a_cached_summary_then_fallback_after_exactly_one_request()
 {
    let (table, llm) = setup(&[ACCOUNT]).await;
    llm.set_fallback(Reply::status(400));
    let app = openai_app(&table, &llm);

    let call = Interval::open();
    let response = refresh(&app, &alice(), ACCOUNT).await;
    let call = call.close();

    let id = assert_fallback_served(&response, ACCOUNT, &call);
    assert_eq!(llm.request_count(), 1, "a 400 is not retried");
    assert_fallback_stored(&table, ACCOUNT, &id, &call).await;
}

// ---------------------------------------------------------------------------------------
// The key: 401 re-reads it once.

#[tokio::test]
async fn given_the_key_rotated_in_secrets_manager_while_warm_when_the_provider_answers_401_then_the_key_is_read_again_and_the_summary_is_ai()
 {
    let (table, _) = setup(&["A-1", "A-2"]).await;
    let old_key = format!("sk-test-old-{}", ulid::Ulid::new());
    let new_key = format!("sk-test-new-{}", ulid::Ulid::new());
    let llm = ScriptedLlm::start_with_key(&old_key).await;
    let secrets = aws_sdk_secretsmanager::Client::new(&table.sdk);
    let secret_id = format!("account-summaries/openai-{}", ulid::Ulid::new());
    secrets
        .create_secret()
        .name(&secret_id)
        .secret_string(json!({"api_key": old_key}).to_string())
        .send()
        .await
        .expect("creating the secret in moto");
    let app = AppBuilder::new(&table)
        .openai_with_secret(&llm, &secret_id)
        .build();
    // The function is warm: the old key is cached.
    assert_eq!(get(&app, &alice(), "A-1").await.ok()["source"], "ai");

    // An operator rotates the key: the provider accepts only the new one.
    secrets
        .put_secret_value()
        .secret_id(&secret_id)
        .secret_string(json!({"api_key": format!("{new_key}\n")}).to_string())
        .send()
        .await
        .expect("rotating the secret in moto");
    llm.set_api_key(&new_key);

    let (response, call) = timed_get(&app, "A-2").await;

    let id = assert_ai_served(&response, &call);
    let requests = llm.requests();
    assert_eq!(requests.len(), 3, "warm-up, 401, then with the new key");
    assert_eq!(
        requests[1].header("authorization"),
        Some(format!("Bearer {old_key}").as_str()),
        "the cached key first"
    );
    assert_eq!(
        requests[2].header("authorization"),
        Some(format!("Bearer {new_key}").as_str()),
        "the key read again from Secrets Manager, trimmed"
    );
    let violations = llm.violations();
    assert_eq!(
        violations.len(),
        1,
        "only the stale key was refused: {violations:?}"
    );
    assert_eq!(violations[0].request, 1);
    assert!(violations[0].problem.starts_with("Authorization"));
    assert_ai_stored(&table, "A-2", &id, &call, (321, 123)).await;
}

#[tokio::test]
async fn given_401_every_time_when_get_then_fallback_after_the_key_was_tried_twice() {
    let (table, llm) = setup(&[ACCOUNT]).await;
    llm.set_fallback(Reply::status(401));
    let app = openai_app(&table, &llm);

    let (response, call) = timed_get(&app, ACCOUNT).await;

    let id = assert_fallback_served(&response, ACCOUNT, &call);
    assert_eq!(
        llm.request_count(),
        2,
        "401 is not retried beyond one fresh read of the key"
    );
    assert_fallback_stored(&table, ACCOUNT, &id, &call).await;
}

// ---------------------------------------------------------------------------------------
// The deadline.

#[tokio::test]
async fn given_a_provider_slower_than_the_deadline_when_get_then_fallback_after_one_request_within_the_deadline()
 {
    let (table, llm) = setup(&[ACCOUNT]).await;
    llm.set_fallback(Reply::echo().after(StdDuration::from_secs(5)));
    let app = app_with_deadline(&table, &llm, StdDuration::from_millis(1500));

    let started = Instant::now();
    let (response, call) = timed_get(&app, ACCOUNT).await;
    let took = started.elapsed();

    let id = assert_fallback_served(&response, ACCOUNT, &call);
    assert_eq!(
        llm.request_count(),
        1,
        "nothing is retried once the deadline passed"
    );
    assert!(
        took < HANDLER_UPPER_BOUND,
        "the handler answered after {took:?}"
    );
    assert_fallback_stored(&table, ACCOUNT, &id, &call).await;
}

#[tokio::test]
async fn given_a_retry_after_that_does_not_fit_the_deadline_when_get_then_fallback_without_waiting_for_it()
 {
    let (table, llm) = setup(&[ACCOUNT]).await;
    llm.set_fallback(Reply::rate_limited(5));
    let app = app_with_deadline(&table, &llm, StdDuration::from_secs(2));

    let started = Instant::now();
    let (response, call) = timed_get(&app, ACCOUNT).await;

    assert_fallback_served(&response, ACCOUNT, &call);
    assert_eq!(llm.request_count(), 1);
    assert!(started.elapsed() < HANDLER_UPPER_BOUND);
}

#[tokio::test]
async fn given_a_refusal_and_a_repair_slower_than_what_is_left_of_the_deadline_when_get_then_fallback_within_the_one_deadline()
 {
    let (table, llm) = setup(&[ACCOUNT]).await;
    // The repair alone would fit in a deadline of its own (1.5 s < 2 s), not in what is left
    // of the one deadline (at most 0.8 s).
    llm.push_all([
        Reply::refusal("No.").after(StdDuration::from_millis(1200)),
        Reply::echo().after(StdDuration::from_millis(1500)),
    ]);
    let app = app_with_deadline(&table, &llm, StdDuration::from_secs(2));

    let started = Instant::now();
    let (response, call) = timed_get(&app, ACCOUNT).await;

    assert_fallback_served(&response, ACCOUNT, &call);
    assert_eq!(llm.request_count(), 2, "the repair was sent");
    assert!(
        started.elapsed() < HANDLER_UPPER_BOUND,
        "the handler answered within a bound"
    );
}

#[tokio::test]
async fn given_an_invented_figure_and_a_regeneration_past_the_deadline_when_get_then_the_first_answer_is_kept()
 {
    let (table, llm) = setup(&[ACCOUNT]).await;
    // The clean regeneration alone would fit in a deadline of its own (1.5 s < 2 s), not in
    // what is left of the one deadline (at most 0.8 s).
    llm.push_all([
        Reply::sections([(SectionKey::Risks, "Churn risk is 83%.")])
            .after(StdDuration::from_millis(1200)),
        Reply::echo().after(StdDuration::from_millis(1500)),
    ]);
    let app = app_with_deadline(&table, &llm, StdDuration::from_secs(2));

    let started = Instant::now();
    let (response, call) = timed_get(&app, ACCOUNT).await;

    let id = assert_ai_served(&response, &call);
    assert_eq!(section_text(&response.body, "risks"), "Churn risk is 83%.");
    assert_eq!(llm.request_count(), 2);
    assert!(started.elapsed() < HANDLER_UPPER_BOUND);
    let item = stored(&table, ACCOUNT, &id).await;
    assert_eq!(ungrounded(&item), ["83"]);
}

// ---------------------------------------------------------------------------------------
// Answers that are not usable: one repair.

#[tokio::test]
async fn given_a_refusal_then_a_good_answer_when_get_then_one_repair_request_and_ai() {
    let (table, llm) = setup(&[ACCOUNT]).await;
    llm.push_all([
        Reply::refusal("I can't help with that.").usage(300, 5),
        Reply::sections([(SectionKey::Risks, "Repaired: no risk signal stands out.")])
            .usage(320, 110),
    ]);
    let app = openai_app(&table, &llm);

    let (response, call) = timed_get(&app, ACCOUNT).await;

    let id = assert_ai_served(&response, &call);
    assert_eq!(
        section_text(&response.body, "risks"),
        "Repaired: no risk signal stands out."
    );
    let requests = llm.requests();
    assert_eq!(requests.len(), 2, "one repair");
    assert_is_repair_of(&requests[1], &requests[0]);
    assert_eq!(requests[1].body["max_tokens"], DEFAULT_MAX_TOKENS);
    llm.assert_no_violations();
    // Both responses cost tokens.
    assert_ai_stored(&table, ACCOUNT, &id, &call, (620, 115)).await;
    assert_eq!(monthly_tokens(&table, TENANT).await, Some(735));
}

#[tokio::test]
async fn given_two_refusals_when_get_then_fallback_after_exactly_two_requests() {
    let (table, llm) = setup(&[ACCOUNT]).await;
    llm.set_fallback(Reply::refusal("I can't help with that."));
    let app = openai_app(&table, &llm);

    let (response, call) = timed_get(&app, ACCOUNT).await;

    let id = assert_fallback_served(&response, ACCOUNT, &call);
    assert_eq!(llm.request_count(), 2, "one repair, no more");
    assert_fallback_stored(&table, ACCOUNT, &id, &call).await;
}

#[tokio::test]
async fn given_a_truncated_answer_when_get_then_the_repair_asks_for_more_room_and_the_summary_is_ai()
 {
    let (table, llm) = setup(&[ACCOUNT]).await;
    llm.push_all([Reply::truncated(), Reply::echo()]);
    let app = openai_app(&table, &llm);

    let (response, call) = timed_get(&app, ACCOUNT).await;

    assert_ai_served(&response, &call);
    let requests = llm.requests();
    assert_eq!(requests.len(), 2);
    assert_is_repair_of(&requests[1], &requests[0]);
    assert_eq!(requests[0].body["max_tokens"], DEFAULT_MAX_TOKENS);
    assert_eq!(
        requests[1].body["max_tokens"],
        DEFAULT_MAX_TOKENS * 3 / 2,
        "the repair gets half as much room again"
    );
}

#[tokio::test]
async fn given_a_tenant_model_setting_and_a_truncated_answer_when_get_then_the_tenant_settings_are_sent_and_stored()
 {
    let table = TestTable::new().await;
    table
        .put_tenant(&TenantConfig {
            model: ModelSettings {
                model: Some("tenant-model-large".into()),
                temperature: Some(0.5),
                max_output_tokens: Some(600),
            },
            ..enabled_tenant(TENANT)
        })
        .await;
    table.put_account(TENANT, &basic_account(ACCOUNT)).await;
    let llm = ScriptedLlm::start().await;
    llm.push_all([Reply::truncated(), Reply::echo()]);
    let app = openai_app(&table, &llm);

    let response = get(&app, &alice(), ACCOUNT).await;

    assert_eq!(response.ok()["model"], "tenant-model-large");
    let requests = llm.requests();
    assert_eq!(requests.len(), 2);
    for request in &requests {
        assert_eq!(request.body["model"], "tenant-model-large");
        assert_eq!(request.body["temperature"], 0.5);
    }
    assert_eq!(requests[0].body["max_tokens"], 600);
    assert_eq!(requests[1].body["max_tokens"], 900);
    let item = table.summary_item(TENANT, ACCOUNT).await.unwrap();
    assert_eq!(s(&item, "model"), Some("tenant-model-large"));
}

#[tokio::test]
async fn given_two_truncated_answers_when_get_then_fallback_after_exactly_two_requests() {
    let (table, llm) = setup(&[ACCOUNT]).await;
    llm.set_fallback(Reply::truncated());
    let app = openai_app(&table, &llm);

    let (response, call) = timed_get(&app, ACCOUNT).await;

    let id = assert_fallback_served(&response, ACCOUNT, &call);
    assert_eq!(llm.request_count(), 2);
    assert_fallback_stored(&table, ACCOUNT, &id, &call).await;
}

#[tokio::test]
async fn given_malformed_then_malformed_when_get_then_fallback_after_exactly_two_requests() {
    let (table, llm) = setup(&[ACCOUNT]).await;
    llm.set_fallback(Reply::malformed());
    let app = openai_app(&table, &llm);

    let (response, call) = timed_get(&app, ACCOUNT).await;

    let id = assert_fallback_served(&response, ACCOUNT, &call);
    let requests = llm.requests();
    assert_eq!(requests.len(), 2);
    assert_is_repair_of(&requests[1], &requests[0]);
    assert_fallback_stored(&table, ACCOUNT, &id, &call).await;
}

#[tokio::test]
async fn given_malformed_then_a_good_answer_when_get_then_ai_after_two_requests() {
    let (table, llm) = setup(&[ACCOUNT]).await;
    llm.push_all([Reply::malformed(), Reply::echo()]);
    let app = openai_app(&table, &llm);

    let (response, call) = timed_get(&app, ACCOUNT).await;

    assert_ai_served(&response, &call);
    assert_eq!(llm.request_count(), 2);
}

#[tokio::test]
async fn given_the_wrong_schema_twice_when_get_then_fallback_after_exactly_two_requests() {
    let (table, llm) = setup(&[ACCOUNT]).await;
    llm.set_fallback(Reply::wrong_schema());
    let app = openai_app(&table, &llm);

    let (response, call) = timed_get(&app, ACCOUNT).await;

    let id = assert_fallback_served(&response, ACCOUNT, &call);
    assert_eq!(llm.request_count(), 2);
    assert_fallback_stored(&table, ACCOUNT, &id, &call).await;
}

#[tokio::test]
async fn given_the_wrong_schema_then_a_good_answer_when_get_then_ai_after_two_requests() {
    let (table, llm) = setup(&[ACCOUNT]).await;
    llm.push_all([Reply::wrong_schema(), Reply::echo()]);
    let app = openai_app(&table, &llm);

    let (response, call) = timed_get(&app, ACCOUNT).await;

    assert_ai_served(&response, &call);
    assert_eq!(llm.request_count(), 2);
}

#[tokio::test]
async fn given_a_missing_section_twice_when_get_then_fallback_after_exactly_two_requests() {
    let (table, llm) = setup(&[ACCOUNT]).await;
    llm.set_fallback(Reply::content(content_without_renewal()));
    let app = openai_app(&table, &llm);

    let (response, call) = timed_get(&app, ACCOUNT).await;

    let id = assert_fallback_served(&response, ACCOUNT, &call);
    let requests = llm.requests();
    assert_eq!(requests.len(), 2);
    assert_is_repair_of(&requests[1], &requests[0]);
    assert_fallback_stored(&table, ACCOUNT, &id, &call).await;
}

#[tokio::test]
async fn given_an_empty_section_then_a_good_answer_when_get_then_ai_after_two_requests() {
    let (table, llm) = setup(&[ACCOUNT]).await;
    llm.push_all([
        Reply::sections([(SectionKey::Sentiment, "   ")]),
        Reply::echo(),
    ]);
    let app = openai_app(&table, &llm);

    let (response, call) = timed_get(&app, ACCOUNT).await;

    assert_ai_served(&response, &call);
    assert_eq!(llm.request_count(), 2);
}

// ---------------------------------------------------------------------------------------
// Grounding: figures not in the input get one regeneration; what remains is recorded.

#[tokio::test]
async fn given_an_answer_with_an_invented_figure_then_a_clean_one_when_get_then_one_regeneration_and_the_clean_one_is_stored()
 {
    let (table, llm) = setup(&[ACCOUNT]).await;
    llm.push_all([
        Reply::sections([(SectionKey::UsageEngagement, "Usage fell 4217% last week.")])
            .usage(300, 100),
        Reply::sections([(SectionKey::UsageEngagement, "Usage grew slightly.")]).usage(300, 90),
    ]);
    let app = openai_app(&table, &llm);

    let (response, call) = timed_get(&app, ACCOUNT).await;

    let id = assert_ai_served(&response, &call);
    assert_eq!(
        section_text(&response.body, "usage_engagement"),
        "Usage grew slightly."
    );
    let requests = llm.requests();
    assert_eq!(requests.len(), 2, "one regeneration");
    assert_eq!(
        requests[1].body, requests[0].body,
        "a regeneration is the same request"
    );
    let item = assert_ai_stored(&table, ACCOUNT, &id, &call, (600, 190)).await;
    assert_eq!(ungrounded(&item), Vec::<String>::new());
}

#[tokio::test]
async fn given_two_answers_with_invented_figures_when_get_then_the_summary_is_ai_and_the_figures_are_recorded()
 {
    let (table, llm) = setup(&[ACCOUNT]).await;
    llm.push_all([
        Reply::sections([(
            SectionKey::Renewal,
            "Renewal is worth 7731 dollars, due 2027-03-09.",
        )]),
        Reply::sections([(
            SectionKey::Renewal,
            "Renewal in 45 days, on 2027-01-15, at 9361 seats.",
        )]),
    ]);
    let app = openai_app(&table, &llm);

    let (response, call) = timed_get(&app, ACCOUNT).await;

    let id = assert_ai_served(&response, &call);
    assert_eq!(llm.request_count(), 2, "one regeneration, no more");
    // The second answer has fewer invented figures (45 days and 2027-01-15 are in the input).
    assert_eq!(
        section_text(&response.body, "renewal"),
        "Renewal in 45 days, on 2027-01-15, at 9361 seats."
    );
    let item = assert_ai_stored(&table, ACCOUNT, &id, &call, (642, 246)).await;
    assert_eq!(ungrounded(&item), ["9361"]);
}

#[tokio::test]
async fn given_an_invented_figure_and_a_failed_regeneration_when_get_then_the_first_answer_is_kept_with_its_figure_recorded()
 {
    let (table, llm) = setup(&[ACCOUNT]).await;
    llm.push_all([
        Reply::sections([(SectionKey::Risks, "Churn risk is 83%.")]),
        Reply::status(400),
    ]);
    let app = openai_app(&table, &llm);

    let (response, call) = timed_get(&app, ACCOUNT).await;

    let id = assert_ai_served(&response, &call);
    assert_eq!(section_text(&response.body, "risks"), "Churn risk is 83%.");
    assert_eq!(llm.request_count(), 2);
    let item = stored(&table, ACCOUNT, &id).await;
    assert_eq!(ungrounded(&item), ["83"]);
}

// ---------------------------------------------------------------------------------------
// Fallback caching.

#[tokio::test]
async fn given_a_fallback_was_served_when_get_within_15_minutes_then_it_is_served_from_cache_and_after_expiry_the_llm_is_tried_again()
 {
    let (table, llm) = setup(&[ACCOUNT]).await;
    llm.push(Reply::insufficient_quota());
    let app = openai_app(&table, &llm);
    let (first, call) = timed_get(&app, ACCOUNT).await;
    let fallback_id = assert_fallback_served(&first, ACCOUNT, &call);

    let again = get(&app, &Caller::new(TENANT, "bob"), ACCOUNT).await;
    assert_eq!(again.ok()["summary_id"], fallback_id.as_str());
    assert_eq!(again.body["cached"], true);
    assert_eq!(again.body["source"], "fallback");
    assert_eq!(llm.request_count(), 1, "a cached fallback is served as is");

    // Fifteen minutes later.
    table
        .set_summary_number(TENANT, ACCOUNT, "expires_at", now_epoch() - 1)
        .await;
    let (later, call) = timed_get(&app, ACCOUNT).await;
    let ai_id = assert_ai_served(&later, &call);
    assert_ne!(ai_id, fallback_id);
    assert_eq!(llm.request_count(), 2);
    assert_ai_stored(&table, ACCOUNT, &ai_id, &call, (321, 123)).await;
}

#[tokio::test]
async fn given_a_valid_ai_summary_when_a_hard_refresh_fails_then_200_with_the_previous_summary_and_refresh_failed_and_nothing_stored()
 {
    let (table, llm) = setup(&[ACCOUNT]).await;
    let app = openai_app(&table, &llm);
    let first = get(&app, &alice(), ACCOUNT).await;
    let ai_id = first.summary_id();
    let before = table.summary_item(TENANT, ACCOUNT).await.unwrap();
    llm.set_fallback(Reply::refusal("I can't help with that."));

    let response = refresh(&app, &Caller::new(TENANT, "bob"), ACCOUNT).await;

    let body = response.ok();
    summary_shape(body);
    assert_eq!(body["summary_id"], ai_id.as_str(), "the previous summary");
    assert_eq!(body["source"], "ai");
    assert_eq!(body["model"], TEST_MODEL);
    assert_eq!(body["refresh_failed"], true);
    assert_eq!(body["cached"], true);
    assert_eq!(body["sections"], first.body["sections"]);
    assert_eq!(body["expires_at"], first.body["expires_at"]);
    assert_eq!(
        llm.request_count(),
        3,
        "the generation and a failed refresh with its repair"
    );
    assert_eq!(
        table.summary_item(TENANT, ACCOUNT).await.unwrap(),
        before,
        "the stored summary is untouched"
    );
    let history: Vec<_> = table
        .account_partition(TENANT, ACCOUNT)
        .await
        .into_iter()
        .filter(|i| s(i, "sk").is_some_and(|sk| sk.starts_with("SUMMARY#")))
        .collect();
    assert_eq!(history.len(), 1, "no fallback was recorded");

    let next = get(&app, &alice(), ACCOUNT).await;
    assert_eq!(next.ok()["summary_id"], ai_id.as_str());
    assert_eq!(next.body["refresh_failed"], false);
}

#[tokio::test]
async fn given_an_expired_ai_summary_when_get_while_the_llm_fails_then_a_fallback_replaces_it() {
    let (table, llm) = setup(&[ACCOUNT]).await;
    let app = openai_app(&table, &llm);
    let ai_id = get(&app, &alice(), ACCOUNT).await.summary_id();
    table
        .set_summary_number(TENANT, ACCOUNT, "expires_at", now_epoch() - 60)
        .await;
    llm.set_fallback(Reply::status(400));

    let (response, call) = timed_get(&app, ACCOUNT).await;

    let id = assert_fallback_served(&response, ACCOUNT, &call);
    assert_ne!(id, ai_id);
    assert_eq!(llm.request_count(), 2);
    assert_fallback_stored(&table, ACCOUNT, &id, &call).await;
}

// ---------------------------------------------------------------------------------------
// Cost: tokens and the monthly budget.

#[tokio::test]
async fn given_a_tenant_whose_monthly_budget_is_spent_when_get_an_uncached_account_then_429_without_asking_the_llm_while_cached_summaries_are_served()
 {
    let table = TestTable::new().await;
    table
        .put_tenant(&TenantConfig {
            monthly_token_budget: Some(1000),
            ..enabled_tenant(TENANT)
        })
        .await;
    for id in ["A-1", "A-2", "A-3"] {
        table.put_account(TENANT, &basic_account(id)).await;
    }
    let llm = ScriptedLlm::start().await;
    llm.push_all([Reply::echo().usage(600, 100), Reply::echo().usage(250, 80)]);
    let app = openai_app(&table, &llm);

    let (first, call1) = timed_get(&app, "A-1").await;
    let id1 = assert_ai_served(&first, &call1);
    assert_eq!(monthly_tokens(&table, TENANT).await, Some(700));
    let (second, call2) = timed_get(&app, "A-2").await;
    let id2 = assert_ai_served(&second, &call2);
    assert_eq!(
        monthly_tokens(&table, TENANT).await,
        Some(1030),
        "prompt + completion tokens of every response"
    );
    assert_ai_stored(&table, "A-1", &id1, &call1, (600, 100)).await;
    assert_ai_stored(&table, "A-2", &id2, &call2, (250, 80)).await;

    let refused = get(&app, &alice(), "A-3").await;
    refused.expect_error(429, "rate_limited");
    let retry_after: i64 = refused
        .header("retry-after")
        .expect("Retry-After")
        .parse()
        .expect("whole seconds");
    assert!(
        (1..=31 * 24 * 3600).contains(&retry_after),
        "until next month: {retry_after}"
    );
    assert_eq!(llm.request_count(), 2, "no request for a spent budget");
    assert!(table.summary_item(TENANT, "A-3").await.is_none());

    let cached = get(&app, &Caller::new(TENANT, "bob"), "A-1").await;
    assert_eq!(cached.ok()["summary_id"], id1.as_str());
    assert_eq!(cached.body["cached"], true);
    refresh(&app, &alice(), "A-2")
        .await
        .expect_error(429, "rate_limited");
    assert_eq!(llm.request_count(), 2);
    assert_eq!(monthly_tokens(&table, TENANT).await, Some(1030));
}

#[tokio::test]
async fn given_a_generation_that_ends_in_the_fallback_when_responses_reported_tokens_then_they_count_against_the_budget()
 {
    let (table, llm) = setup(&[ACCOUNT]).await;
    llm.push_all([
        Reply::refusal("No.").usage(400, 7),
        Reply::truncated().usage(420, 900),
    ]);
    let app = openai_app(&table, &llm);

    let (response, call) = timed_get(&app, ACCOUNT).await;

    let id = assert_fallback_served(&response, ACCOUNT, &call);
    assert_eq!(llm.request_count(), 2);
    assert_eq!(
        monthly_tokens(&table, TENANT).await,
        Some(1727),
        "the provider billed both responses"
    );
    let item = assert_fallback_stored(&table, ACCOUNT, &id, &call).await;
    assert_eq!(n(&item, "prompt_tokens"), Some(820));
    assert_eq!(n(&item, "completion_tokens"), Some(907));
}

// ---------------------------------------------------------------------------------------
// Privacy in the request.

#[tokio::test]
async fn given_retries_and_a_repair_when_generating_then_every_request_is_unstored_strict_and_names_neither_tenant_nor_user()
 {
    let tenant = format!("tenant-{}", ulid::Ulid::new().to_string().to_lowercase());
    let user = format!("user-{}", ulid::Ulid::new().to_string().to_lowercase());
    let table = TestTable::new().await;
    table
        .seed_tenant_with(&tenant, &[basic_account(ACCOUNT)])
        .await;
    let llm = ScriptedLlm::start().await;
    llm.push_all([Reply::status(503), Reply::refusal("No."), Reply::echo()]);
    let app = openai_app(&table, &llm);

    let response = get(&app, &Caller::new(&tenant, &user), ACCOUNT).await;

    assert_eq!(response.ok()["source"], "ai");
    let requests = llm.requests();
    assert_eq!(
        requests.len(),
        3,
        "503, its retry refused, the repair: {requests:?}"
    );
    llm.assert_no_violations();
    for request in &requests {
        let i = request.index;
        assert_eq!(request.body["store"], false, "request {i}");
        let format = &request.body["response_format"];
        assert_eq!(format["type"], "json_schema", "request {i}");
        assert_eq!(format["json_schema"]["strict"], true, "request {i}");
        let schema = &format["json_schema"]["schema"];
        assert_eq!(schema["additionalProperties"], false);
        let required: Vec<&str> = schema["required"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        assert_eq!(required, SectionKey::ALL.map(SectionKey::as_str));
        for id in [&tenant, &user] {
            assert!(
                !request.body_text.contains(id.as_str()),
                "request {i} names {id}"
            );
            for (name, value) in &request.headers {
                assert!(!value.contains(id.as_str()), "header {name} names {id}");
            }
        }
        assert!(
            request.body.get("user").is_none(),
            "no user field in request {i}"
        );
    }
}

#[tokio::test]
async fn given_a_plain_http_base_url_that_is_not_loopback_when_get_then_fallback_without_any_request()
 {
    let (table, llm) = setup(&[ACCOUNT]).await;
    // 0.0.0.0 is not a loopback address, yet on this machine it reaches the scripted server:
    // an engine that did not refuse the URL would be seen sending.
    let base_url = llm.base_url().replace("127.0.0.1", "0.0.0.0");
    let control = reqwest::Client::new()
        .post(format!("{base_url}/chat/completions"))
        .bearer_auth(llm.api_key())
        .json(&json!({
            "model": TEST_MODEL,
            "messages": [{"role": "user", "content": "x"}],
            "response_format": {"type": "json_schema", "json_schema": {"name": "s", "strict": true, "schema": {"type": "object"}}},
            "store": false
        }))
        .send()
        .await
        .expect("a plain client reaches the server through 0.0.0.0");
    assert_eq!(control.status(), 200);
    assert_eq!(llm.request_count(), 1);
    let app = AppBuilder::new(&table)
        .openai_with(
            ApiKeySource::Static(llm.api_key()),
            OpenAiSettings {
                base_url,
                ..openai_settings(&llm)
            },
        )
        .build();

    let (response, call) = timed_get(&app, ACCOUNT).await;

    let id = assert_fallback_served(&response, ACCOUNT, &call);
    assert_eq!(llm.request_count(), 1, "the engine sent nothing");
    assert_fallback_stored(&table, ACCOUNT, &id, &call).await;
}
