//! An admin flips a tenant's `enabled` attribute straight in DynamoDB (the README's
//! `aws dynamodb update-item`); every function container sees it once its tenant cache
//! expires. From then on the tenant's users get 403 `feature_disabled` on every route, cached
//! summaries included, the schedule skips the tenant, and nothing is sent to the LLM.

use std::sync::Arc;
use std::time::Duration;

use aws_sdk_dynamodb::types::AttributeValue;
use integration_tests::SCHEDULED_EVENT;
use integration_tests::app::AppBuilder;
use integration_tests::client::{Caller, get, invoke_refresh_with_event, refresh, vote};
use integration_tests::concurrency::eventually;
use integration_tests::expect::now_epoch;
use integration_tests::llm::ScriptedLlm;
use integration_tests::moto::{TestTable, s};
use integration_tests::seed::{account, basic_account};
use summary_core::config::{App, Settings};
use summary_core::service::DEFAULT_TENANT_CACHE_TTL;

const TENANT: &str = "acme";
/// Short in tests, so that the flip is seen quickly; production's default is checked below.
const TENANT_CACHE_TTL: Duration = Duration::from_secs(1);
/// The bounded wait for a container to see the flip (the TTL plus generous slack).
const SEEN_WITHIN: Duration = Duration::from_secs(10);

/// What the admin runs: one attribute of the tenant's config item, nothing else.
async fn admin_sets_enabled(table: &TestTable, enabled: bool) {
    table
        .client()
        .update_item()
        .table_name(table.name())
        .key("pk", AttributeValue::S(format!("TENANT#{TENANT}")))
        .key("sk", AttributeValue::S("CONFIG".into()))
        .update_expression("SET enabled = :e")
        .expression_attribute_values(":e", AttributeValue::Bool(enabled))
        .send()
        .await
        .expect("the admin's update-item");
}

/// Polls GET as `user` on `account_id` until it answers `status`; returns how long it took.
async fn until_get_answers(app: &App, user: &str, account_id: &str, status: u16) -> Duration {
    let caller = Caller::new(TENANT, user);
    let seen = eventually(SEEN_WITHIN, Duration::from_millis(100), || async {
        let response = get(app, &caller, account_id).await;
        (response.status == status).then_some(response)
    })
    .await;
    match seen {
        Some((_, after)) => after,
        None => panic!("GET {account_id} did not answer {status} within {SEEN_WITHIN:?}"),
    }
}

#[tokio::test]
async fn given_a_tenant_disabled_in_dynamodb_then_every_container_answers_403_feature_disabled_within_its_cache_ttl_even_for_cached_summaries()
 {
    let table = TestTable::new().await;
    table
        .seed_tenant_with(
            TENANT,
            &[basic_account("A-cached"), basic_account("A-cold")],
        )
        .await;
    let llm = ScriptedLlm::start().await;
    let container = || {
        Arc::new(
            AppBuilder::new(&table)
                .openai(&llm)
                .tenant_cache_ttl(TENANT_CACHE_TTL)
                .build(),
        )
    };
    let (one, two) = (container(), container());
    let alice = Caller::new(TENANT, "alice");
    // Both containers have read (and cached) the tenant's config; A-cached has a summary.
    let summary_id = get(&one, &alice, "A-cached").await.summary_id();
    assert_eq!(get(&two, &alice, "A-cached").await.summary_id(), summary_id);
    assert_eq!(llm.request_count(), 1);

    admin_sets_enabled(&table, false).await;

    for (name, app) in [("one", &one), ("two", &two)] {
        let took = until_get_answers(app, "alice", "A-cached", 403).await;
        eprintln!("container {name} saw the flip after {took:?}");
    }
    for app in [&one, &two] {
        get(app, &alice, "A-cached")
            .await
            .expect_error(403, "feature_disabled");
        get(app, &Caller::new(TENANT, "bob"), "A-cold")
            .await
            .expect_error(403, "feature_disabled");
        refresh(app, &alice, "A-cached")
            .await
            .expect_error(403, "feature_disabled");
        vote(app, &alice, "A-cached", &summary_id, "like")
            .await
            .expect_error(403, "feature_disabled");
    }
    // The schedule skips the tenant, even for a due summary whose input changed.
    table
        .put_account(TENANT, &account("A-cached", &[("seats", "40")]))
        .await;
    table
        .set_summary_number(TENANT, "A-cached", "expires_at", now_epoch() + 1800)
        .await;
    let report = invoke_refresh_with_event(&one, SCHEDULED_EVENT).await;
    let report = report.ok();
    assert_eq!(report["due"], 1, "report: {report}");
    assert_eq!(report["skipped"], 1, "report: {report}");
    assert_eq!(report["regenerated"], 0, "report: {report}");

    assert_eq!(llm.request_count(), 1, "nothing more was sent to the LLM");
    assert!(table.summary_item(TENANT, "A-cold").await.is_none());
    let kept = table.summary_item(TENANT, "A-cached").await.expect("kept");
    assert_eq!(
        s(&kept, "summary_id"),
        Some(summary_id.as_str()),
        "disabling hides the summary; `tenant purge` deletes it"
    );

    // Re-enabled: served again from the cache, still without an LLM request.
    admin_sets_enabled(&table, true).await;
    until_get_answers(&two, "alice", "A-cached", 200).await;
    assert_eq!(get(&two, &alice, "A-cached").await.summary_id(), summary_id);
    assert_eq!(llm.request_count(), 1);
}

#[test]
fn every_function_sees_an_admins_change_within_60_seconds_by_default() {
    assert!(
        DEFAULT_TENANT_CACHE_TTL <= Duration::from_secs(60),
        "the default tenant cache TTL is {DEFAULT_TENANT_CACHE_TTL:?}"
    );
    let unset = Settings::from_lookup(|_| None);
    assert_eq!(unset.tenant_cache_ttl, DEFAULT_TENANT_CACHE_TTL);
    let set = Settings::from_lookup(|name| (name == "TENANT_CACHE_SECONDS").then(|| "5".into()));
    assert_eq!(set.tenant_cache_ttl, Duration::from_secs(5));
}
