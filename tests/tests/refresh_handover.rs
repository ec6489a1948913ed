//! The scheduled refresh under the conditions EventBridge really creates, over the real
//! refresh handler, moto and a scripted LLM: the same event delivered twice (one after the
//! other, or at once to two containers), an EventBridge Scheduler event whose `detail` is a
//! string naming index shards, a run out of time that hands its shards over to the next one,
//! and unchanged inputs that need no LLM call. Generations of different index shards run
//! side by side up to the run's concurrency.

use std::sync::Arc;
use std::time::{Duration, Instant};

use integration_tests::SCHEDULED_EVENT;
use integration_tests::app::openai_app;
use integration_tests::client::{Caller, get, invoke_refresh_with_event};
use integration_tests::concurrency::{all, max_in_flight};
use integration_tests::expect::{Interval, now_epoch};
use integration_tests::llm::{Reply, ScriptedLlm};
use integration_tests::moto::{TestTable, n, s};
use integration_tests::seed::{account, basic_account};
use lambda_http::{Body, Context, RequestExt};
use serde_json::{Value, json};
use summary_core::config::App;
use summary_core::store::{REFRESH_SHARDS, refresh_shard};

const TENANT: &str = "acme";

/// The shard number (0..16) of an account in the `by_expiry` index.
fn shard_of(account_id: &str) -> u32 {
    refresh_shard(TENANT, account_id)
        .trim_start_matches("SHARD#")
        .parse()
        .expect("SHARD#nn")
}

/// `count` account ids that fall in pairwise different index shards.
fn ids_in_distinct_shards(count: usize) -> Vec<String> {
    let mut seen = Vec::new();
    let mut ids = Vec::new();
    for i in 0.. {
        let id = format!("A-{i}");
        let shard = shard_of(&id);
        if !seen.contains(&shard) {
            seen.push(shard);
            ids.push(id);
        }
        if ids.len() == count {
            break;
        }
    }
    ids
}

/// An EventBridge Scheduler event: the same envelope, `detail` a JSON string.
fn scheduler_event(detail: &Value) -> String {
    json!({
        "version": "0",
        "id": ulid::Ulid::new().to_string(),
        "detail-type": "Scheduled Event",
        "source": "aws.scheduler",
        "account": "123456789012",
        "time": "2026-12-03T12:00:00Z",
        "region": "us-east-1",
        "resources": ["arn:aws:scheduler:us-east-1:123456789012:schedule/default/account-summaries-refresh"],
        "detail": detail.to_string()
    })
    .to_string()
}

/// Seeds `ids`, gets each one's summary (the LLM answers at once for these), then changes
/// every account and makes its summary due in 30 minutes. Afterwards the LLM takes `latency`.
async fn due_and_changed(ids: &[String], latency: Duration) -> (TestTable, ScriptedLlm, App) {
    let table = TestTable::new().await;
    let accounts: Vec<_> = ids.iter().map(|id| basic_account(id)).collect();
    table.seed_tenant_with(TENANT, &accounts).await;
    let llm = ScriptedLlm::start().await;
    let app = openai_app(&table, &llm);
    for id in ids {
        get(&app, &Caller::new(TENANT, "alice"), id).await.ok();
    }
    for id in ids {
        change_account(&table, id).await;
        expire_in_minutes(&table, id, 30).await;
    }
    llm.set_fallback(Reply::echo().after(latency));
    (table, llm, app)
}

/// A new export of the account: its seats changed.
async fn change_account(table: &TestTable, id: &str) {
    table
        .put_account(
            TENANT,
            &account(
                id,
                &[("account_name", "Northwind Traders"), ("seats", "40")],
            ),
        )
        .await;
}

async fn expire_in_minutes(table: &TestTable, id: &str, minutes: i64) -> i64 {
    let at = now_epoch() + minutes * 60;
    table.set_summary_number(TENANT, id, "expires_at", at).await;
    at
}

async fn cached(table: &TestTable, id: &str) -> (String, i64) {
    let item = table
        .summary_item(TENANT, id)
        .await
        .expect("a cached summary");
    (
        s(&item, "summary_id").unwrap().to_string(),
        n(&item, "expires_at").unwrap(),
    )
}

/// Invokes the refresh function with `event` and a Lambda context whose deadline is
/// `deadline_in` away (the handler keeps a 120 s margin before it).
async fn invoke_with_deadline(app: &App, event: &str, deadline_in: Duration) -> Value {
    let mut context = Context::default();
    context.deadline = (std::time::SystemTime::now() + deadline_in)
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64;
    let req = lambda_http::request::from_str(event)
        .expect("lambda_http takes the event")
        .with_lambda_context(context);
    let response = summary_refresh::handle(app, req).await;
    assert_eq!(response.status(), 200, "the scheduled run succeeded");
    match response.into_body() {
        Body::Text(text) => serde_json::from_str(&text).expect("a JSON report"),
        other => panic!("unexpected body {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn given_due_summaries_in_three_index_shards_when_the_schedule_fires_then_their_generations_run_side_by_side()
 {
    let latency = Duration::from_secs(2);
    let ids = ids_in_distinct_shards(3);
    let (_table, llm, app) = due_and_changed(&ids, latency).await;
    let before = llm.request_count();

    let report = invoke_refresh_with_event(&app, SCHEDULED_EVENT).await;

    let report = report.ok();
    assert_eq!(report["regenerated"], 3, "report: {report}");
    let arrivals: Vec<Instant> = llm.requests()[before..]
        .iter()
        .map(|r| r.received_at)
        .collect();
    assert_eq!(arrivals.len(), 3);
    // The run's concurrency (50) covers all three: none waits for another shard's to finish.
    assert_eq!(
        max_in_flight(&arrivals, latency),
        3,
        "the three generations were not in flight together"
    );
}

#[tokio::test]
async fn given_the_same_scheduled_event_delivered_twice_in_a_row_then_the_second_delivery_sends_nothing_to_the_llm()
 {
    let ids: Vec<String> = (1..=3).map(|i| format!("A-{i}")).collect();
    let (table, llm, app) = due_and_changed(&ids, Duration::ZERO).await;
    let before = llm.request_count();

    let first = invoke_refresh_with_event(&app, SCHEDULED_EVENT).await;
    assert_eq!(first.ok()["regenerated"], 3, "first: {}", first.body);
    let after_first: Vec<(String, i64)> = {
        let mut v = Vec::new();
        for id in &ids {
            v.push(cached(&table, id).await);
        }
        v
    };
    // EventBridge delivers at least once: the very same event again.
    let second = invoke_refresh_with_event(&app, SCHEDULED_EVENT).await;

    let second = second.ok();
    assert_eq!(second["regenerated"], 0, "second: {second}");
    assert_eq!(second["extended"], 0, "second: {second}");
    assert_eq!(llm.request_count(), before + 3, "no extra LLM request");
    for (id, first) in ids.iter().zip(&after_first) {
        assert_eq!(
            &cached(&table, id).await,
            first,
            "{id} untouched by the duplicate"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn given_the_same_scheduled_event_delivered_to_two_containers_at_once_then_each_summary_is_generated_once()
 {
    let ids: Vec<String> = (1..=4).map(|i| format!("A-{i}")).collect();
    let (table, llm, _app) = due_and_changed(&ids, Duration::from_secs(1)).await;
    let before = llm.request_count();
    let containers = [
        Arc::new(openai_app(&table, &llm)),
        Arc::new(openai_app(&table, &llm)),
    ];

    let reports = all(containers.map(|app| async move {
        invoke_refresh_with_event(&app, SCHEDULED_EVENT)
            .await
            .ok()
            .clone()
    }))
    .await;

    let total = |field: &str| -> u64 { reports.iter().map(|r| r[field].as_u64().unwrap()).sum() };
    assert_eq!(total("regenerated"), 4, "reports: {reports:?}");
    assert_eq!(total("failed"), 0, "reports: {reports:?}");
    assert_eq!(
        llm.request_count(),
        before + 4,
        "one LLM request per due summary"
    );
    for id in &ids {
        let (_, expires_at) = cached(&table, id).await;
        assert!(expires_at > now_epoch() + 11 * 3600, "{id} was refreshed");
    }
}

#[tokio::test]
async fn given_five_due_summaries_of_which_four_have_unchanged_inputs_then_one_llm_request_and_four_extended()
 {
    let table = TestTable::new().await;
    let ids: Vec<String> = (1..=5).map(|i| format!("A-{i}")).collect();
    let accounts: Vec<_> = ids.iter().map(|id| basic_account(id)).collect();
    table.seed_tenant_with(TENANT, &accounts).await;
    let llm = ScriptedLlm::start().await;
    let app = openai_app(&table, &llm);
    for id in &ids {
        get(&app, &Caller::new(TENANT, "alice"), id).await.ok();
    }
    let mut before = Vec::new();
    for id in &ids {
        expire_in_minutes(&table, id, 30).await;
        before.push(cached(&table, id).await);
    }
    change_account(&table, "A-5").await;

    let run = Interval::open();
    let report = invoke_refresh_with_event(&app, SCHEDULED_EVENT).await;
    let run = run.close();

    let report = report.ok();
    assert_eq!(report["due"], 5, "report: {report}");
    assert_eq!(report["extended"], 4, "report: {report}");
    assert_eq!(report["regenerated"], 1, "report: {report}");
    assert_eq!(
        llm.request_count(),
        5 + 1,
        "one LLM request, for the changed account"
    );
    for (id, (old_id, old_expiry)) in ids.iter().zip(&before).take(4) {
        let (now_id, expiry) = cached(&table, id).await;
        assert_eq!(&now_id, old_id, "{id}: the same summary is kept");
        assert!(expiry > *old_expiry, "{id}: a later expires_at");
        run.assert_offset(expiry, time::Duration::hours(12), "the extended expires_at");
    }
    let (new_id, _) = cached(&table, "A-5").await;
    assert_ne!(new_id, before[4].0, "the changed account has a new summary");
}

#[tokio::test]
async fn given_the_same_attributes_exported_on_a_later_day_when_the_schedule_fires_then_the_summary_is_regenerated()
 {
    // Relative dates ("renews in 45 days") depend on the reference day: it is part of the input.
    let table = TestTable::new().await;
    let mut account = basic_account("A-1");
    table.seed_tenant_with(TENANT, &[account.clone()]).await;
    let llm = ScriptedLlm::start().await;
    let app = openai_app(&table, &llm);
    let old_id = get(&app, &Caller::new(TENANT, "alice"), "A-1")
        .await
        .summary_id();
    account.as_of = account.as_of.map(|day| day + time::Duration::days(1));
    table.put_account(TENANT, &account).await;
    expire_in_minutes(&table, "A-1", 30).await;

    let report = invoke_refresh_with_event(&app, SCHEDULED_EVENT).await;

    assert_eq!(report.ok()["regenerated"], 1, "report: {}", report.body);
    assert_eq!(llm.request_count(), 2);
    assert_ne!(cached(&table, "A-1").await.0, old_id);
}

#[tokio::test]
async fn given_a_scheduler_event_whose_string_detail_names_one_shard_then_only_that_shards_summaries_are_refreshed()
 {
    let ids = ids_in_distinct_shards(3);
    let (table, llm, app) = due_and_changed(&ids, Duration::ZERO).await;
    let before_run: Vec<(String, i64)> = {
        let mut v = Vec::new();
        for id in &ids {
            v.push(cached(&table, id).await);
        }
        v
    };
    let target = shard_of(&ids[1]);
    let event = scheduler_event(&json!({ "shards": [target] }));

    let report = invoke_refresh_with_event(&app, &event).await;

    let report = report.ok();
    assert_eq!(report["due"], 1, "only shard {target} was read: {report}");
    assert_eq!(report["regenerated"], 1, "report: {report}");
    assert_eq!(llm.request_count(), 3 + 1);
    assert_ne!(
        cached(&table, &ids[1]).await.0,
        before_run[1].0,
        "its summary is new"
    );
    for i in [0, 2] {
        assert_eq!(
            cached(&table, &ids[i]).await,
            before_run[i],
            "{} (shard {}) untouched",
            ids[i],
            shard_of(&ids[i])
        );
    }
}

#[tokio::test]
async fn given_a_run_whose_stop_point_has_passed_then_it_hands_every_shard_over_and_the_continuation_completes_them_once()
 {
    let ids = ids_in_distinct_shards(4);
    let (table, llm, app) = due_and_changed(&ids, Duration::ZERO).await;
    let seeded = llm.request_count();
    let mut before = Vec::new();
    for id in &ids {
        before.push(cached(&table, id).await);
    }

    // 60 s left in the invocation: less than the 120 s kept in hand, so no shard is started.
    let first = invoke_with_deadline(&app, SCHEDULED_EVENT, Duration::from_secs(60)).await;

    let all_shards: Vec<u32> = (0..REFRESH_SHARDS).collect();
    assert_eq!(first["handed_over"], json!(all_shards), "report: {first}");
    assert_eq!(first["due"], 0, "report: {first}");
    assert_eq!(first["regenerated"], 0);
    assert_eq!(llm.request_count(), seeded, "nothing was refreshed");
    for (id, b) in ids.iter().zip(&before) {
        assert_eq!(&cached(&table, id).await, b);
    }

    // The continuation (a Scheduler one-off, or the next run) covers what was handed over.
    let continuation = scheduler_event(&json!({ "shards": first["handed_over"] }));
    let second = invoke_with_deadline(&app, &continuation, Duration::from_secs(900)).await;
    assert_eq!(second["handed_over"], json!([]), "report: {second}");
    assert_eq!(second["regenerated"], 4, "report: {second}");
    assert_eq!(llm.request_count(), seeded + 4);

    // The next hourly run finds nothing left to do: no duplicate generation.
    let third = invoke_refresh_with_event(&app, SCHEDULED_EVENT).await;
    let third = third.ok();
    assert_eq!(third["due"], 0, "report: {third}");
    assert_eq!(llm.request_count(), seeded + 4);
    for (id, (old_id, _)) in ids.iter().zip(&before) {
        assert_ne!(&cached(&table, id).await.0, old_id, "{id} was refreshed");
    }
}
