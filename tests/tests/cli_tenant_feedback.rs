//! The operator commands `account-summary tenant purge T` and `account-summary feedback
//! report --tenant T [--since DAY]`, through infra/cli's library functions against moto, on
//! summaries and votes written by the real handlers.

use account_summary_cli::feedback::{
    FeedbackCounts, NO_MODEL, feedback_report, purge_tenant, render_purge, render_report,
};
use integration_tests::app::{TEST_MODEL, offline_app, openai_app};
use integration_tests::client::{Caller, feedback, get, vote};
use integration_tests::llm::ScriptedLlm;
use integration_tests::moto::TestTable;
use integration_tests::seed::basic_account;
use serde_json::json;
use summary_core::engine::OFFLINE_VERSION;
use summary_core::prompt::PROMPT_VERSION;
use time::OffsetDateTime;

const TENANT: &str = "acme";
const OTHER: &str = "globex";

#[tokio::test]
async fn given_a_disabled_tenant_when_purged_then_its_cached_summaries_are_deleted_and_counted_and_its_feedback_and_other_tenants_are_kept()
 {
    let table = TestTable::new().await;
    let ids = ["A-1", "A-2", "A-3"];
    let accounts: Vec<_> = ids.iter().map(|id| basic_account(id)).collect();
    table.seed_tenant_with(TENANT, &accounts).await;
    table.seed_tenant_with(OTHER, &[basic_account("A-1")]).await;
    let app = offline_app(&table);
    let alice = Caller::new(TENANT, "alice");
    let mut summary_ids = Vec::new();
    for id in ids {
        summary_ids.push(get(&app, &alice, id).await.summary_id());
    }
    vote(&app, &alice, "A-1", &summary_ids[0], "like")
        .await
        .ok();
    let other_id = get(&app, &Caller::new(OTHER, "zed"), "A-1")
        .await
        .summary_id();
    table.store.set_tenant_enabled(TENANT, false).await.unwrap();

    let outcome = purge_tenant(&table.store, TENANT).await.expect("purged");

    assert_eq!(outcome.deleted, 3);
    assert!(!outcome.still_enabled);
    assert_eq!(
        render_purge(TENANT, &outcome),
        "tenant acme: 3 cached summaries deleted (feedback history kept)\n"
    );
    for id in ids {
        assert!(table.summary_item(TENANT, id).await.is_none(), "{id}");
    }
    for (id, summary_id) in ids.iter().zip(&summary_ids) {
        assert!(
            table.history_item(TENANT, id, summary_id).await.is_some(),
            "the history of {id} is kept"
        );
    }
    assert!(table.votes_item(TENANT, "A-1", "alice").await.is_some());
    let other = table.summary_item(OTHER, "A-1").await.expect("untouched");
    assert_eq!(
        integration_tests::moto::s(&other, "summary_id"),
        Some(other_id.as_str())
    );
    let report = feedback_report(&table.store, TENANT, None).await.unwrap();
    assert_eq!(report.total.likes, 1, "feedback outlives the purged cache");

    // Nothing left: a second purge deletes nothing.
    assert_eq!(purge_tenant(&table.store, TENANT).await.unwrap().deleted, 0);
}

#[tokio::test]
async fn given_a_tenant_still_enabled_when_purged_then_the_output_warns_that_views_regenerate() {
    let table = TestTable::new().await;
    table
        .seed_tenant_with(TENANT, &[basic_account("A-1")])
        .await;
    let app = offline_app(&table);
    let before = get(&app, &Caller::new(TENANT, "alice"), "A-1")
        .await
        .summary_id();

    let outcome = purge_tenant(&table.store, TENANT).await.unwrap();

    assert_eq!(outcome.deleted, 1);
    assert!(outcome.still_enabled);
    let text = render_purge(TENANT, &outcome);
    assert!(text.contains("1 cached summaries deleted"), "{text}");
    assert!(
        text.contains("warning: tenant acme is still enabled"),
        "{text}"
    );
    let after = get(&app, &Caller::new(TENANT, "alice"), "A-1").await;
    assert_eq!(after.ok()["cached"], false, "the next view generates anew");
    assert_ne!(after.summary_id(), before);
}

#[tokio::test]
async fn given_votes_and_comments_on_ai_and_offline_summaries_then_the_report_counts_them_per_prompt_version_and_model_with_totals()
 {
    let table = TestTable::new().await;
    let accounts: Vec<_> = ["A-1", "A-2", "A-3"]
        .iter()
        .map(|id| basic_account(id))
        .collect();
    table.seed_tenant_with(TENANT, &accounts).await;
    table.seed_tenant_with(OTHER, &[basic_account("A-1")]).await;
    let llm = ScriptedLlm::start().await;
    let ai = openai_app(&table, &llm);
    let offline = offline_app(&table);
    let caller = |user: &str| Caller::new(TENANT, user);
    let a1 = get(&ai, &caller("alice"), "A-1").await.summary_id();
    let a2 = get(&ai, &caller("alice"), "A-2").await.summary_id();
    let a3 = get(&offline, &caller("alice"), "A-3").await.summary_id();
    vote(&ai, &caller("alice"), "A-1", &a1, "like").await.ok();
    vote(&ai, &caller("bob"), "A-1", &a1, "like").await.ok();
    let comment = json!({"summary_id": a2, "vote": "dislike", "comment": "Renewal date is wrong."});
    feedback(&ai, &caller("carol"), "A-2", &comment.to_string())
        .await
        .ok();
    vote(&offline, &caller("dave"), "A-3", &a3, "dislike")
        .await
        .ok();
    // Another tenant's feedback is not this tenant's business.
    let other = get(&offline, &Caller::new(OTHER, "zed"), "A-1")
        .await
        .summary_id();
    vote(&offline, &Caller::new(OTHER, "zed"), "A-1", &other, "like")
        .await
        .ok();

    let report = feedback_report(&table.store, TENANT, None).await.unwrap();

    let rows: Vec<(&str, Option<&str>, &FeedbackCounts)> = report
        .rows
        .iter()
        .map(|r| (r.prompt_version.as_str(), r.model.as_deref(), &r.counts))
        .collect();
    let counts = |summaries, likes, dislikes, comments| FeedbackCounts {
        summaries,
        likes,
        dislikes,
        comments,
    };
    let mut expected = [
        (PROMPT_VERSION, Some(TEST_MODEL), counts(2, 2, 1, 1)),
        (OFFLINE_VERSION, None, counts(1, 0, 1, 0)),
    ];
    expected.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
    let expected: Vec<(&str, Option<&str>, &FeedbackCounts)> =
        expected.iter().map(|(v, m, c)| (*v, *m, c)).collect();
    assert_eq!(rows, expected);
    assert_eq!(report.total, counts(3, 2, 2, 1));
    assert_eq!(report.comments.len(), 1);
    assert_eq!(report.comments[0].summary_id, a2);
    assert_eq!(report.comments[0].vote.as_deref(), Some("dislike"));
    assert_eq!(report.comments[0].comment, "Renewal date is wrong.");

    let text = render_report(&report);
    assert!(
        text.starts_with("Feedback of tenant acme: every summary kept"),
        "{text}"
    );
    assert!(
        text.contains(TEST_MODEL) && text.contains(NO_MODEL),
        "{text}"
    );
    assert!(text.contains("Renewal date is wrong."), "{text}");
    let total = text
        .lines()
        .find(|l| l.starts_with("total"))
        .expect("a total line");
    assert_eq!(
        total.split_whitespace().collect::<Vec<_>>(),
        ["total", "3", "2", "2", "50%", "1"]
    );

    // --since tomorrow: nothing generated yet.
    let tomorrow = OffsetDateTime::now_utc().date() + time::Duration::days(1);
    let later = feedback_report(&table.store, TENANT, Some(tomorrow))
        .await
        .unwrap();
    assert!(later.rows.is_empty() && later.comments.is_empty());
    assert_eq!(later.total, FeedbackCounts::default());
    let today = feedback_report(&table.store, TENANT, Some(OffsetDateTime::now_utc().date()))
        .await
        .unwrap();
    assert_eq!(today.total, report.total);
}
