//! Single-flight generation over the real handlers, moto's DynamoDB and a scripted LLM that
//! takes 2 s: however many teammates ask at once, through however many Lambda containers
//! (separate `App`s: the lease lives in DynamoDB, not in memory), exactly one LLM request
//! goes out and everyone gets the same summary. A hard refresh racing GETs is single-flight
//! too, and a lease whose holder crashed blocks nobody for longer than it says.

use std::sync::Arc;
use std::time::{Duration, Instant};

use integration_tests::app::{AppBuilder, openai_app};
use integration_tests::client::{ApiResponse, Caller, get, refresh};
use integration_tests::concurrency::{all, put_lease};
use integration_tests::expect::summary_shape;
use integration_tests::llm::{Reply, ScriptedLlm};
use integration_tests::moto::{TestTable, account_pk, s};
use integration_tests::seed::basic_account;
use summary_core::config::App;
use summary_core::service::FlightSettings;
use time::OffsetDateTime;

const TENANT: &str = "acme";
const ACCOUNT: &str = "A-1";
const LLM_LATENCY: Duration = Duration::from_secs(2);

/// A table with one enabled tenant and one account that has no summary yet, and an LLM that
/// takes [`LLM_LATENCY`] to answer every request.
async fn cold_account() -> (TestTable, ScriptedLlm) {
    let table = TestTable::new().await;
    table
        .seed_tenant_with(TENANT, &[basic_account(ACCOUNT)])
        .await;
    let llm = ScriptedLlm::start().await;
    llm.set_fallback(Reply::echo().after(LLM_LATENCY));
    (table, llm)
}

/// `n` function containers over the same table and LLM.
fn containers(table: &TestTable, llm: &ScriptedLlm, n: usize) -> Vec<Arc<App>> {
    (0..n).map(|_| Arc::new(openai_app(table, llm))).collect()
}

fn spawn_get(
    app: &Arc<App>,
    user: String,
) -> impl std::future::Future<Output = ApiResponse> + Send + 'static {
    let app = app.clone();
    async move { get(&app, &Caller::new(TENANT, &user), ACCOUNT).await }
}

/// The distinct summary ids of 200 answers; panics on any other status.
fn ids_of(responses: &[ApiResponse]) -> Vec<String> {
    let mut ids: Vec<String> = responses
        .iter()
        .map(|r| {
            summary_shape(r.ok());
            r.summary_id()
        })
        .collect();
    ids.sort();
    ids.dedup();
    ids
}

async fn lease_exists(table: &TestTable) -> bool {
    table
        .item(&account_pk(TENANT, ACCOUNT), "LEASE")
        .await
        .is_some()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 8)]
async fn given_a_cold_account_when_50_teammates_get_it_at_once_through_5_containers_then_one_llm_request_and_one_summary()
 {
    let (table, llm) = cold_account().await;
    let apps = containers(&table, &llm, 5);

    let responses =
        all((0..50).map(|i| spawn_get(&apps[i % apps.len()], format!("user-{i}")))).await;

    assert_eq!(responses.len(), 50);
    let ids = ids_of(&responses);
    assert_eq!(ids.len(), 1, "everyone got the same summary: {ids:?}");
    assert_eq!(llm.request_count(), 1, "exactly one LLM request");
    llm.assert_no_violations();
    let generated: Vec<&ApiResponse> = responses
        .iter()
        .filter(|r| r.body["cached"] == false)
        .collect();
    assert_eq!(
        generated.len(),
        1,
        "one answer generated it; the other 49 waited for it"
    );
    let stored = table.summary_item(TENANT, ACCOUNT).await.expect("stored");
    assert_eq!(s(&stored, "summary_id"), Some(ids[0].as_str()));
    assert!(!lease_exists(&table).await, "the lease was given back");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn given_a_generation_in_flight_in_one_container_when_teammates_get_through_others_then_they_wait_and_get_its_summary()
 {
    let (table, llm) = cold_account().await;
    let apps = containers(&table, &llm, 4);
    let first = tokio::spawn(spawn_get(&apps[0], "alice".into()));
    assert!(
        llm.wait_for_requests(1, Duration::from_secs(10)).await,
        "the first GET reached the LLM"
    );
    assert!(lease_exists(&table).await, "the generation holds the lease");

    // The generation is now under way (the LLM answers in 2 s): these find no summary.
    let waiters = all((1..12).map(|i| spawn_get(&apps[i % apps.len()], format!("user-{i}")))).await;
    let first = first.await.expect("the first GET finished");

    assert_eq!(first.ok()["cached"], false);
    let mut everyone = waiters.clone();
    everyone.push(first.clone());
    assert_eq!(ids_of(&everyone), [first.summary_id()]);
    for waiter in &waiters {
        assert_eq!(waiter.body["cached"], true, "a waiter generated nothing");
    }
    assert_eq!(llm.request_count(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn given_a_cold_account_when_a_hard_refresh_races_20_gets_then_one_llm_request_and_everyone_gets_that_summary()
 {
    let (table, llm) = cold_account().await;
    let apps = containers(&table, &llm, 3);
    let refresher = {
        let app = apps[0].clone();
        async move { refresh(&app, &Caller::new(TENANT, "bob"), ACCOUNT).await }
    };
    let gets = (0..20).map(|i| spawn_get(&apps[1 + i % 2], format!("user-{i}")));
    let (refreshed, got) = tokio::join!(tokio::spawn(refresher), all(gets));
    let refreshed = refreshed.expect("the refresh finished");

    let mut everyone = got.clone();
    everyone.push(refreshed.clone());
    let ids = ids_of(&everyone);
    assert_eq!(ids.len(), 1, "one summary for everyone: {ids:?}");
    assert_eq!(refreshed.body["refresh_failed"], false);
    assert_eq!(llm.request_count(), 1, "exactly one LLM request");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn given_a_cached_summary_when_a_hard_refresh_races_gets_then_gets_never_wait_and_afterwards_serve_the_new_one()
 {
    let (table, llm) = cold_account().await;
    llm.push(Reply::echo()); // the first summary comes at once
    let apps = containers(&table, &llm, 3);
    let old_id = get(&apps[0], &Caller::new(TENANT, "alice"), ACCOUNT)
        .await
        .summary_id();

    let refresher = {
        let app = apps[0].clone();
        tokio::spawn(async move { refresh(&app, &Caller::new(TENANT, "bob"), ACCOUNT).await })
    };
    assert!(llm.wait_for_requests(2, Duration::from_secs(10)).await);
    // The refresh's generation is under way: GETs are served the cached summary meanwhile.
    let during = all((0..10).map(|i| spawn_get(&apps[1 + i % 2], format!("user-{i}")))).await;
    let refreshed = refresher.await.expect("the refresh finished");

    let new_id = refreshed.summary_id();
    assert_ne!(new_id, old_id);
    assert_eq!(refreshed.ok()["cached"], false);
    for response in &during {
        let id = response.summary_id();
        assert!(
            id == old_id || id == new_id,
            "a GET during the refresh got {id}, neither the old nor the new summary"
        );
        assert_eq!(response.body["cached"], true, "no GET generated");
    }
    assert_eq!(llm.request_count(), 2, "the first summary and the refresh");
    // A GET on any container right after the refresh serves the new summary.
    for (i, app) in apps.iter().enumerate() {
        let after = get(app, &Caller::new(TENANT, &format!("late-{i}")), ACCOUNT).await;
        assert_eq!(
            after.summary_id(),
            new_id,
            "container {i} after the refresh"
        );
    }
    assert_eq!(llm.request_count(), 2);
}

/// A refused refresh's answer: 429 `rate_limited` with the seconds until the next refresh.
fn assert_rate_limited(response: &ApiResponse) {
    response.expect_error(429, "rate_limited");
    let retry_after: u64 = response
        .header("retry-after")
        .expect("Retry-After")
        .parse()
        .expect("whole seconds");
    // The admitted press may have read the clock a few ms after the refused one: the next
    // refresh is then admitted 60 s and a little from the refused one's point of view.
    assert!(
        (1..=61).contains(&retry_after),
        "Retry-After: {retry_after}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn given_a_hard_refresh_in_flight_when_a_teammate_presses_refresh_then_429_rate_limited_and_then_the_first_refreshs_summary()
 {
    let (table, llm) = cold_account().await;
    llm.push(Reply::echo());
    let apps = containers(&table, &llm, 2);
    let old_id = get(&apps[0], &Caller::new(TENANT, "alice"), ACCOUNT)
        .await
        .summary_id();
    let first = {
        let app = apps[0].clone();
        tokio::spawn(async move { refresh(&app, &Caller::new(TENANT, "bob"), ACCOUNT).await })
    };
    assert!(llm.wait_for_requests(2, Duration::from_secs(10)).await);

    // While bob's refresh generates, carol presses Refresh in another container (the
    // production limit: one hard refresh per account per minute).
    let second = refresh(&apps[1], &Caller::new(TENANT, "carol"), ACCOUNT).await;
    let first = first.await.expect("the first refresh finished");

    assert_rate_limited(&second);
    let new_id = first.summary_id();
    assert_ne!(new_id, old_id);
    assert_eq!(first.ok()["cached"], false);
    assert_eq!(llm.request_count(), 2, "one generation for the two presses");
    // Carol reloads: a GET shows the new summary.
    let after = get(&apps[1], &Caller::new(TENANT, "carol"), ACCOUNT).await;
    assert_eq!(after.summary_id(), new_id);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn given_two_hard_refreshes_at_the_same_moment_then_one_generation_and_every_admitted_press_gets_its_summary()
 {
    let (table, llm) = cold_account().await;
    llm.push(Reply::echo());
    let apps = containers(&table, &llm, 2);
    let old_id = get(&apps[0], &Caller::new(TENANT, "alice"), ACCOUNT)
        .await
        .summary_id();

    let presses = [("bob", apps[0].clone()), ("carol", apps[1].clone())]
        .map(|(user, app)| async move { refresh(&app, &Caller::new(TENANT, user), ACCOUNT).await });
    let answers = all(presses).await;

    // DynamoDB's conditional update admits exactly one press and the other gets 429. moto's
    // server does not serialize conditional writes to one item, so it occasionally admits
    // both; the admitted second press then waits for the first one's summary. Either way:
    let (ok, refused): (Vec<&ApiResponse>, Vec<&ApiResponse>) =
        answers.iter().partition(|r| r.status == 200);
    assert!(!ok.is_empty(), "a refresh was admitted: {answers:?}");
    for response in &refused {
        assert_rate_limited(response);
    }
    let new_id = ok[0].summary_id();
    assert_ne!(new_id, old_id);
    assert!(
        ok.iter().all(|r| r.summary_id() == new_id),
        "every admitted press got the one new summary"
    );
    assert_eq!(llm.request_count(), 2, "one generation for the two presses");
    let after = get(&apps[1], &Caller::new(TENANT, "carol"), ACCOUNT).await;
    assert_eq!(after.summary_id(), new_id);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn given_no_refresh_limit_when_a_second_refresh_arrives_during_the_first_then_both_get_the_one_new_summary()
 {
    let (table, llm) = cold_account().await;
    llm.push(Reply::echo());
    let unlimited = |table: &TestTable| {
        Arc::new(
            AppBuilder::new(table)
                .openai(&llm)
                .unlimited_hard_refresh()
                .build(),
        )
    };
    let (one, two) = (unlimited(&table), unlimited(&table));
    let old_id = get(&one, &Caller::new(TENANT, "alice"), ACCOUNT)
        .await
        .summary_id();

    let first = {
        let app = one.clone();
        tokio::spawn(async move { refresh(&app, &Caller::new(TENANT, "bob"), ACCOUNT).await })
    };
    assert!(llm.wait_for_requests(2, Duration::from_secs(10)).await);
    let second = refresh(&two, &Caller::new(TENANT, "carol"), ACCOUNT).await;
    let first = first.await.expect("the first refresh finished");

    let new_id = first.summary_id();
    assert_ne!(new_id, old_id);
    assert_eq!(
        second.summary_id(),
        new_id,
        "the second waited for the first"
    );
    assert_eq!(first.ok()["cached"], false);
    assert_eq!(second.ok()["cached"], true);
    assert_eq!(llm.request_count(), 2, "one generation for both refreshes");
    assert_eq!(
        get(&two, &Caller::new(TENANT, "dave"), ACCOUNT)
            .await
            .summary_id(),
        new_id
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_a_lease_left_by_a_crashed_holder_that_lapses_soon_when_get_then_it_waits_for_the_lapse_and_generates()
 {
    let (table, llm) = cold_account().await;
    let app = openai_app(&table, &llm);
    let lapse = Duration::from_millis(1500);
    let lapses_at = Instant::now() + lapse;
    put_lease(
        &table,
        TENANT,
        ACCOUNT,
        "crashed-container",
        OffsetDateTime::now_utc() + lapse,
    )
    .await;

    let response = get(&app, &Caller::new(TENANT, "alice"), ACCOUNT).await;

    summary_shape(response.ok());
    assert_eq!(response.body["cached"], false, "this request generated");
    let request = llm.single_request();
    assert!(
        request.received_at + Duration::from_millis(20) >= lapses_at,
        "the LLM was called {:?} before the crashed holder's lease lapsed",
        lapses_at.saturating_duration_since(request.received_at)
    );
    assert!(
        !lease_exists(&table).await,
        "the new holder gave the lease back"
    );
}

#[tokio::test]
async fn given_a_lease_whose_holder_crashed_long_ago_when_get_then_it_generates_at_once() {
    let (table, llm) = cold_account().await;
    let app = openai_app(&table, &llm);
    put_lease(
        &table,
        TENANT,
        ACCOUNT,
        "crashed-container",
        OffsetDateTime::now_utc() - time::Duration::minutes(5),
    )
    .await;

    let response = get(&app, &Caller::new(TENANT, "alice"), ACCOUNT).await;

    assert_eq!(response.ok()["cached"], false);
    assert_eq!(llm.request_count(), 1);
    assert!(!lease_exists(&table).await);
}

#[tokio::test]
async fn given_a_lease_held_past_the_wait_limit_when_get_then_503_generation_unavailable_with_retry_after_and_no_llm_call()
 {
    let (table, llm) = cold_account().await;
    let app = AppBuilder::new(&table)
        .openai(&llm)
        .flight(FlightSettings {
            wait_limit: Duration::from_secs(1),
            ..FlightSettings::default()
        })
        .build();
    put_lease(
        &table,
        TENANT,
        ACCOUNT,
        "stuck-container",
        OffsetDateTime::now_utc() + time::Duration::minutes(1),
    )
    .await;

    let response = get(&app, &Caller::new(TENANT, "alice"), ACCOUNT).await;

    response.expect_error(503, "generation_unavailable");
    let retry_after: u64 = response
        .header("retry-after")
        .expect("Retry-After")
        .parse()
        .expect("whole seconds");
    assert!(retry_after >= 1);
    assert_eq!(llm.request_count(), 0);
    assert!(table.summary_item(TENANT, ACCOUNT).await.is_none());
    let lease = table
        .item(&account_pk(TENANT, ACCOUNT), "LEASE")
        .await
        .expect("the other holder's lease is left alone");
    assert_eq!(s(&lease, "owner"), Some("stuck-container"));
}

#[test]
fn the_production_wait_stays_well_under_api_gateways_29_seconds_and_a_lease_outlives_a_generation()
{
    let flight = FlightSettings::default();
    assert!(flight.wait_limit <= Duration::from_secs(25));
    assert!(
        flight.lease >= time::Duration::seconds(20),
        "the LLM deadline is 20 s"
    );
    assert!(flight.poll_interval <= Duration::from_millis(500));
}
