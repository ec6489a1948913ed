//! GET and hard refresh over the real handlers, moto's DynamoDB and the scripted LLM: a miss
//! generates and stores for 12 hours, a hit is served without generating, an expired item
//! still in the table is a miss, and a hard refresh replaces the summary.

use integration_tests::app::{AppBuilder, TEST_MODEL, openai_app};
use integration_tests::client::{Caller, get, refresh, vote};
use integration_tests::expect::{Interval, epoch_of, now_epoch, summary_shape};
use integration_tests::llm::ScriptedLlm;
use integration_tests::moto::{TestTable, n, s};
use integration_tests::seed::{SAMPLE_ACCOUNT, basic_account, sample_account};
use serde_json::Value;
use time::Duration;

const TENANT: &str = "acme";

async fn table_with_sample_account() -> TestTable {
    let table = TestTable::new().await;
    table
        .seed_tenant_with(TENANT, &[sample_account(SAMPLE_ACCOUNT)])
        .await;
    table
}

#[tokio::test]
async fn given_no_cached_summary_when_get_then_one_is_generated_stored_for_12_hours_and_served_uncached()
 {
    let table = table_with_sample_account().await;
    let llm = ScriptedLlm::start().await;
    let app = openai_app(&table, &llm);
    assert!(table.summary_item(TENANT, SAMPLE_ACCOUNT).await.is_none());

    let call = Interval::open();
    let response = get(&app, &Caller::new(TENANT, "alice"), SAMPLE_ACCOUNT).await;
    let call = call.close();

    let body = response.ok();
    summary_shape(body);
    assert_eq!(body["account_id"], SAMPLE_ACCOUNT);
    assert_eq!(body["cached"], false);
    assert_eq!(body["source"], "ai");
    assert_eq!(body["model"], TEST_MODEL);
    assert_eq!(body["refresh_failed"], false);
    assert_eq!(
        body["feedback"],
        serde_json::json!({"likes": 0, "dislikes": 0, "mine": null})
    );
    call.assert_offset(
        epoch_of(&body["generated_at"]),
        Duration::ZERO,
        "generated_at",
    );
    call.assert_offset(
        epoch_of(&body["expires_at"]),
        Duration::hours(12),
        "expires_at",
    );
    assert_eq!(llm.request_count(), 1, "exactly one generation");
    llm.assert_no_violations();

    let item = table
        .summary_item(TENANT, SAMPLE_ACCOUNT)
        .await
        .expect("the summary is stored");
    assert_eq!(s(&item, "summary_id"), body["summary_id"].as_str());
    assert_eq!(s(&item, "account_id"), Some(SAMPLE_ACCOUNT));
    assert_eq!(s(&item, "tenant_id"), Some(TENANT));
    assert_eq!(s(&item, "source"), Some("ai"));
    assert_eq!(s(&item, "model"), Some(TEST_MODEL));
    let expires_at = n(&item, "expires_at").expect("expires_at is a number (epoch seconds)");
    assert_eq!(
        expires_at,
        epoch_of(&body["expires_at"]),
        "the TTL attribute is what the API shows"
    );
    call.assert_offset(expires_at, Duration::hours(12), "stored expires_at");
    let stored_sections: Value =
        serde_json::from_str(s(&item, "sections").expect("sections stored")).unwrap();
    let stored: Vec<(&str, &str)> = stored_sections
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["key"].as_str().unwrap(), s["text"].as_str().unwrap()))
        .collect();
    let served: Vec<(&str, &str)> = body["sections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["key"].as_str().unwrap(), s["text"].as_str().unwrap()))
        .collect();
    assert_eq!(stored, served, "what is stored is what was served");

    let summary_id = body["summary_id"].as_str().unwrap();
    let history = table
        .history_item(TENANT, SAMPLE_ACCOUNT, summary_id)
        .await
        .expect("the generation is recorded for feedback");
    assert_eq!(n(&history, "likes"), Some(0));
    assert_eq!(n(&history, "dislikes"), Some(0));
}

#[tokio::test]
async fn given_a_summary_generated_moments_ago_when_teammates_get_it_then_the_cached_one_is_served_without_generating()
 {
    let table = table_with_sample_account().await;
    let llm = ScriptedLlm::start().await;
    let app = openai_app(&table, &llm);
    let first = get(&app, &Caller::new(TENANT, "alice"), SAMPLE_ACCOUNT).await;
    let first = first.ok().clone();
    assert_eq!(llm.request_count(), 1);

    // A teammate, through the same warm function and through another instance of it.
    let other_instance = openai_app(&table, &llm);
    for (app, user) in [(&app, "bob"), (&other_instance, "carol"), (&app, "alice")] {
        let again = get(app, &Caller::new(TENANT, user), SAMPLE_ACCOUNT).await;
        let body = again.ok();
        summary_shape(body);
        assert_eq!(
            body["summary_id"], first["summary_id"],
            "{user} sees the same summary"
        );
        assert_eq!(body["cached"], true);
        assert_eq!(body["generated_at"], first["generated_at"]);
        assert_eq!(body["expires_at"], first["expires_at"]);
        assert_eq!(body["sections"], first["sections"]);
        assert_eq!(body["source"], "ai");
    }
    assert_eq!(llm.request_count(), 1, "no generation for a cache hit");
}

#[tokio::test]
async fn given_an_expired_summary_still_in_the_table_when_get_then_it_is_a_miss_and_a_new_one_is_generated()
 {
    let table = table_with_sample_account().await;
    let llm = ScriptedLlm::start().await;
    let app = openai_app(&table, &llm);
    let alice = Caller::new(TENANT, "alice");
    let old_id = get(&app, &alice, SAMPLE_ACCOUNT).await.summary_id();

    // DynamoDB deletes expired items lazily, sometimes days late.
    let two_days_ago = now_epoch() - 2 * 24 * 3600;
    table
        .set_summary_number(TENANT, SAMPLE_ACCOUNT, "expires_at", two_days_ago)
        .await;
    let stale = table.summary_item(TENANT, SAMPLE_ACCOUNT).await;
    assert_eq!(
        stale.as_ref().and_then(|i| s(i, "summary_id")),
        Some(old_id.as_str()),
        "the expired item is still in the table"
    );

    let call = Interval::open();
    let response = get(&app, &alice, SAMPLE_ACCOUNT).await;
    let call = call.close();
    let body = response.ok();
    summary_shape(body);
    assert_ne!(body["summary_id"], old_id.as_str(), "a new summary");
    assert_eq!(body["cached"], false);
    assert_eq!(
        llm.request_count(),
        2,
        "the expired item caused a generation"
    );
    let item = table.summary_item(TENANT, SAMPLE_ACCOUNT).await.unwrap();
    assert_eq!(s(&item, "summary_id"), body["summary_id"].as_str());
    call.assert_offset(
        n(&item, "expires_at").unwrap(),
        Duration::hours(12),
        "the new expires_at",
    );
}

#[tokio::test]
async fn given_a_cached_summary_when_hard_refreshed_then_a_new_one_replaces_it_and_the_old_id_still_takes_votes()
 {
    let table = table_with_sample_account().await;
    let llm = ScriptedLlm::start().await;
    let app = openai_app(&table, &llm);
    let alice = Caller::new(TENANT, "alice");
    let bob = Caller::new(TENANT, "bob");
    let old_id = get(&app, &alice, SAMPLE_ACCOUNT).await.summary_id();

    let call = Interval::open();
    let refreshed = refresh(&app, &bob, SAMPLE_ACCOUNT).await;
    let call = call.close();
    let body = refreshed.ok();
    summary_shape(body);
    let new_id = body["summary_id"].as_str().unwrap().to_string();
    assert_ne!(new_id, old_id, "a new summary_id");
    assert_eq!(body["cached"], false);
    assert_eq!(body["refresh_failed"], false);
    assert_eq!(body["source"], "ai");
    call.assert_offset(
        epoch_of(&body["expires_at"]),
        Duration::hours(12),
        "expires_at",
    );
    assert_eq!(llm.request_count(), 2, "the hard refresh generated");

    let after = get(&app, &alice, SAMPLE_ACCOUNT).await;
    assert_eq!(
        after.ok()["summary_id"],
        new_id.as_str(),
        "GET serves the new one"
    );
    assert_eq!(after.body["cached"], true);
    assert_eq!(llm.request_count(), 2);
    let item = table.summary_item(TENANT, SAMPLE_ACCOUNT).await.unwrap();
    assert_eq!(s(&item, "summary_id"), Some(new_id.as_str()));

    // Alice still had the old one on screen: her vote counts for it, not for the new one.
    let voted = vote(&app, &alice, SAMPLE_ACCOUNT, &old_id, "like").await;
    assert_eq!(
        voted.ok(),
        &serde_json::json!({"summary_id": old_id, "likes": 1, "dislikes": 0, "mine": "like"})
    );
    let old_history = table
        .history_item(TENANT, SAMPLE_ACCOUNT, &old_id)
        .await
        .unwrap();
    assert_eq!(n(&old_history, "likes"), Some(1));
    let current = get(&app, &alice, SAMPLE_ACCOUNT).await;
    assert_eq!(current.ok()["summary_id"], new_id.as_str());
    assert_eq!(
        current.body["feedback"],
        serde_json::json!({"likes": 0, "dislikes": 0, "mine": null})
    );
}

#[tokio::test]
async fn given_a_hard_refresh_moments_ago_when_refreshed_again_then_429_rate_limited_with_retry_after()
 {
    let table = TestTable::new().await;
    table
        .seed_tenant_with(TENANT, &[basic_account("A-1")])
        .await;
    let llm = ScriptedLlm::start().await;
    let app = openai_app(&table, &llm);
    let alice = Caller::new(TENANT, "alice");
    refresh(&app, &alice, "A-1").await.ok();

    let again = refresh(&app, &Caller::new(TENANT, "bob"), "A-1").await;
    again.expect_error(429, "rate_limited");
    let retry_after: u64 = again
        .header("retry-after")
        .expect("a Retry-After header")
        .parse()
        .expect("Retry-After is whole seconds");
    assert!(
        (1..=60).contains(&retry_after),
        "Retry-After: {retry_after}"
    );
    assert_eq!(
        llm.request_count(),
        1,
        "the refused refresh did not generate"
    );
}

#[tokio::test]
async fn given_no_hard_refresh_limit_when_refreshed_twice_then_each_refresh_replaces_the_summary() {
    let table = TestTable::new().await;
    table
        .seed_tenant_with(TENANT, &[basic_account("A-1")])
        .await;
    let llm = ScriptedLlm::start().await;
    let app = AppBuilder::new(&table)
        .openai(&llm)
        .unlimited_hard_refresh()
        .build();
    let alice = Caller::new(TENANT, "alice");
    let first = refresh(&app, &alice, "A-1").await.summary_id();
    let second = refresh(&app, &alice, "A-1").await.summary_id();
    assert_ne!(first, second);
    assert_eq!(get(&app, &alice, "A-1").await.summary_id(), second);
    assert_eq!(llm.request_count(), 2);
}
