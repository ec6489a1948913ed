//! The refresh function invoked by an EventBridge rule with a real "Scheduled Event": it
//! regenerates summaries that expire within the refresh window, extends those whose input is
//! unchanged, and leaves far-from-expiry and unviewed ones alone.

use integration_tests::SCHEDULED_EVENT;
use integration_tests::app::openai_app;
use integration_tests::client::{Caller, get, invoke_refresh_with_event};
use integration_tests::expect::{Interval, now_epoch};
use integration_tests::llm::ScriptedLlm;
use integration_tests::moto::{TestTable, n, s};
use integration_tests::seed::{account, basic_account};
use lambda_http::RequestExt;
use lambda_http::request::RequestContext;
use serde_json::json;
use time::Duration;

const TENANT: &str = "acme";

/// Makes the cached summary of `account_id` expire `minutes` from now, as it would after
/// 12 hours minus that.
async fn expire_in_minutes(table: &TestTable, account_id: &str, minutes: i64) -> i64 {
    let at = now_epoch() + minutes * 60;
    table
        .set_summary_number(TENANT, account_id, "expires_at", at)
        .await;
    at
}

async fn cached_id_and_expiry(table: &TestTable, account_id: &str) -> (String, i64) {
    let item = table
        .summary_item(TENANT, account_id)
        .await
        .expect("a cached summary");
    (
        s(&item, "summary_id").unwrap().to_string(),
        n(&item, "expires_at").unwrap(),
    )
}

#[test]
fn an_eventbridge_scheduled_event_reaches_the_function_as_a_pass_through_request() {
    let req = lambda_http::request::from_str(SCHEDULED_EVENT).expect("lambda_http takes the event");
    assert!(matches!(
        req.request_context_ref(),
        Some(RequestContext::PassThrough)
    ));
    assert_eq!(req.method(), "POST");
    let body: serde_json::Value = serde_json::from_slice(req.body().as_ref()).unwrap();
    assert_eq!(body["detail-type"], "Scheduled Event");
    assert_eq!(body["source"], "aws.events");
}

#[tokio::test]
async fn given_one_summary_due_and_one_far_from_expiry_when_the_schedule_fires_then_only_the_due_one_is_regenerated()
 {
    let table = TestTable::new().await;
    table
        .seed_tenant_with(TENANT, &[basic_account("A-due"), basic_account("A-far")])
        .await;
    let llm = ScriptedLlm::start().await;
    let app = openai_app(&table, &llm);
    let alice = Caller::new(TENANT, "alice");
    get(&app, &alice, "A-due").await.ok();
    get(&app, &alice, "A-far").await.ok();
    assert_eq!(llm.request_count(), 2);
    let (due_before, _) = cached_id_and_expiry(&table, "A-due").await;
    let far_before = cached_id_and_expiry(&table, "A-far").await;
    // The due account changed since its summary (a new export), and expires in 30 minutes.
    table
        .put_account(
            TENANT,
            &account(
                "A-due",
                &[("account_name", "Northwind Traders"), ("seats", "40")],
            ),
        )
        .await;
    expire_in_minutes(&table, "A-due", 30).await;

    let run = Interval::open();
    let response = invoke_refresh_with_event(&app, SCHEDULED_EVENT).await;
    let run = run.close();

    let report = response.ok();
    assert_eq!(report["due"], 1, "report: {report}");
    assert_eq!(report["regenerated"], 1, "report: {report}");
    assert_eq!(report["extended"], 0);
    assert_eq!(report["skipped"], 0);
    assert_eq!(report["failed"], 0);
    assert_eq!(report["handed_over"], json!([]));
    assert_eq!(
        llm.request_count(),
        3,
        "one generation, for the due summary"
    );
    llm.assert_no_violations();
    assert!(
        llm.requests()[2].user_message().contains("seats=40"),
        "generated from the account's current attributes"
    );

    let (due_after, due_expiry) = cached_id_and_expiry(&table, "A-due").await;
    assert_ne!(due_after, due_before, "the due summary was replaced");
    run.assert_offset(
        due_expiry,
        Duration::hours(12),
        "the regenerated expires_at",
    );
    let item = table.summary_item(TENANT, "A-due").await.unwrap();
    assert_eq!(s(&item, "source"), Some("ai"));
    assert_eq!(
        cached_id_and_expiry(&table, "A-far").await,
        far_before,
        "the far one is untouched"
    );
    let served = get(&app, &alice, "A-due").await;
    assert_eq!(served.ok()["summary_id"], due_after.as_str());
    assert_eq!(served.body["cached"], true);
}

#[tokio::test]
async fn given_a_due_summary_whose_input_is_unchanged_when_the_schedule_fires_then_it_is_extended_without_generating()
 {
    let table = TestTable::new().await;
    table
        .seed_tenant_with(TENANT, &[basic_account("A-1")])
        .await;
    let llm = ScriptedLlm::start().await;
    let app = openai_app(&table, &llm);
    let summary_id = get(&app, &Caller::new(TENANT, "alice"), "A-1")
        .await
        .summary_id();
    expire_in_minutes(&table, "A-1", 20).await;

    let run = Interval::open();
    let response = invoke_refresh_with_event(&app, SCHEDULED_EVENT).await;
    let run = run.close();

    let report = response.ok();
    assert_eq!(report["due"], 1, "report: {report}");
    assert_eq!(report["extended"], 1, "report: {report}");
    assert_eq!(report["regenerated"], 0);
    assert_eq!(llm.request_count(), 1, "no LLM call for an unchanged input");
    let (id_after, expiry) = cached_id_and_expiry(&table, "A-1").await;
    assert_eq!(id_after, summary_id, "the same summary is kept");
    run.assert_offset(expiry, Duration::hours(12), "the extended expires_at");
}

#[tokio::test]
async fn given_a_due_summary_nobody_viewed_for_8_days_when_the_schedule_fires_then_it_is_left_to_expire()
 {
    let table = TestTable::new().await;
    table
        .seed_tenant_with(TENANT, &[basic_account("A-1")])
        .await;
    let llm = ScriptedLlm::start().await;
    let app = openai_app(&table, &llm);
    get(&app, &Caller::new(TENANT, "alice"), "A-1").await.ok();
    let expires_at = expire_in_minutes(&table, "A-1", 20).await;
    let eight_days_ago = time::OffsetDateTime::now_utc().date() - Duration::days(8);
    table
        .set_summary_string(
            TENANT,
            "A-1",
            "last_viewed_at",
            &summary_core::time_fmt::iso_date(eight_days_ago),
        )
        .await;

    let response = invoke_refresh_with_event(&app, SCHEDULED_EVENT).await;

    let report = response.ok();
    assert_eq!(report["due"], 1, "report: {report}");
    assert_eq!(report["cold"], 1, "report: {report}");
    assert_eq!(report["regenerated"], 0);
    assert_eq!(report["extended"], 0);
    assert_eq!(llm.request_count(), 1);
    assert_eq!(cached_id_and_expiry(&table, "A-1").await.1, expires_at);
}

#[tokio::test]
async fn given_a_non_http_event_that_is_no_schedule_when_invoked_then_400_and_nothing_runs() {
    let table = TestTable::new().await;
    table
        .seed_tenant_with(TENANT, &[basic_account("A-1")])
        .await;
    let llm = ScriptedLlm::start().await;
    let app = openai_app(&table, &llm);
    get(&app, &Caller::new(TENANT, "alice"), "A-1").await.ok();
    let expires_at = expire_in_minutes(&table, "A-1", 20).await;

    let response =
        invoke_refresh_with_event(&app, r#"{"Records": [{"eventSource": "aws:sqs"}]}"#).await;

    response.expect_error(400, "bad_request");
    assert_eq!(llm.request_count(), 1);
    assert_eq!(cached_id_and_expiry(&table, "A-1").await.1, expires_at);
}
