//! POST feedback over the real handler and moto: one vote per user per summary, a new vote
//! replaces the old one, `none` withdraws it, the counts show on GET, and nothing malformed
//! is ever written.

use integration_tests::app::offline_app;
use integration_tests::client::{Caller, feedback, get, vote};
use integration_tests::moto::{TestTable, n, s};
use integration_tests::seed::basic_account;
use serde_json::json;
use summary_core::config::App;

const TENANT: &str = "acme";
const ACCOUNT: &str = "A-1";

/// A table with one enabled tenant, one account and its summary (offline engine).
async fn summary_on_screen() -> (TestTable, App, String) {
    let table = TestTable::new().await;
    table
        .seed_tenant_with(TENANT, &[basic_account(ACCOUNT), basic_account("A-2")])
        .await;
    let app = offline_app(&table);
    let summary_id = get(&app, &Caller::new(TENANT, "alice"), ACCOUNT)
        .await
        .summary_id();
    (table, app, summary_id)
}

async fn stored_counts(table: &TestTable, summary_id: &str) -> (i64, i64) {
    let history = table
        .history_item(TENANT, ACCOUNT, summary_id)
        .await
        .expect("history item");
    (
        n(&history, "likes").unwrap_or(0),
        n(&history, "dislikes").unwrap_or(0),
    )
}

#[tokio::test]
async fn given_a_summary_when_a_user_likes_then_dislikes_then_withdraws_then_counts_and_mine_follow()
 {
    let (table, app, summary_id) = summary_on_screen().await;
    let alice = Caller::new(TENANT, "alice");

    let steps = [
        ("like", 1, 0, json!("like")),
        ("dislike", 0, 1, json!("dislike")),
        ("none", 0, 0, json!(null)),
    ];
    for (choice, likes, dislikes, mine) in steps {
        let response = vote(&app, &alice, ACCOUNT, &summary_id, choice).await;
        assert_eq!(
            response.ok(),
            &json!({"summary_id": summary_id, "likes": likes, "dislikes": dislikes, "mine": mine}),
            "after {choice}"
        );
        let shown = get(&app, &alice, ACCOUNT).await;
        let body = shown.ok();
        assert_eq!(body["summary_id"], summary_id.as_str());
        assert_eq!(
            body["feedback"],
            json!({"likes": likes, "dislikes": dislikes, "mine": mine}),
            "GET after {choice}"
        );
        assert_eq!(
            stored_counts(&table, &summary_id).await,
            (likes, dislikes),
            "stored after {choice}"
        );
        let cached = table.summary_item(TENANT, ACCOUNT).await.unwrap();
        assert_eq!(
            (n(&cached, "likes"), n(&cached, "dislikes")),
            (Some(likes), Some(dislikes)),
            "the cached summary mirrors the counts after {choice}"
        );
    }
    let votes = table
        .votes_item(TENANT, ACCOUNT, "alice")
        .await
        .expect("votes item");
    assert_eq!(
        s(&votes, &format!("v_{summary_id}")),
        None,
        "the withdrawn vote is gone"
    );
}

#[tokio::test]
async fn given_several_users_when_they_vote_then_their_votes_add_up_and_each_sees_their_own() {
    let (table, app, summary_id) = summary_on_screen().await;
    let users = [("alice", "like"), ("bob", "like"), ("carol", "dislike")];
    for (user, choice) in users {
        vote(
            &app,
            &Caller::new(TENANT, user),
            ACCOUNT,
            &summary_id,
            choice,
        )
        .await
        .ok();
    }
    // The same vote again changes nothing.
    let repeated = vote(
        &app,
        &Caller::new(TENANT, "bob"),
        ACCOUNT,
        &summary_id,
        "like",
    )
    .await;
    assert_eq!(
        repeated.ok(),
        &json!({"summary_id": summary_id, "likes": 2, "dislikes": 1, "mine": "like"})
    );
    assert_eq!(stored_counts(&table, &summary_id).await, (2, 1));

    for (user, mine) in [
        ("alice", json!("like")),
        ("carol", json!("dislike")),
        ("dave", json!(null)),
    ] {
        let shown = get(&app, &Caller::new(TENANT, user), ACCOUNT).await;
        assert_eq!(
            shown.ok()["feedback"],
            json!({"likes": 2, "dislikes": 1, "mine": mine}),
            "as {user} sees it"
        );
    }
}

#[tokio::test]
async fn given_a_vote_with_a_comment_of_exactly_1000_characters_then_it_is_accepted_and_stored() {
    let (table, app, summary_id) = summary_on_screen().await;
    // 1000 characters, 2000 bytes: the limit counts characters.
    let comment = "é".repeat(1000);
    let body = json!({"summary_id": summary_id, "vote": "dislike", "comment": comment}).to_string();
    let response = feedback(&app, &Caller::new(TENANT, "alice"), ACCOUNT, &body).await;
    assert_eq!(response.ok()["dislikes"], 1);
    let votes = table.votes_item(TENANT, ACCOUNT, "alice").await.unwrap();
    assert_eq!(s(&votes, &format!("v_{summary_id}")), Some("dislike"));
    assert_eq!(
        s(&votes, &format!("c_{summary_id}")),
        Some(comment.as_str())
    );
}

#[tokio::test]
async fn given_a_summary_id_that_never_existed_for_the_account_when_voting_then_404_summary_not_found()
 {
    let (table, app, summary_id) = summary_on_screen().await;
    let alice = Caller::new(TENANT, "alice");

    let never = ulid::Ulid::new().to_string();
    vote(&app, &alice, ACCOUNT, &never, "like")
        .await
        .expect_error(404, "summary_not_found");
    // A real summary id, but of another account.
    vote(&app, &alice, "A-2", &summary_id, "like")
        .await
        .expect_error(404, "summary_not_found");

    assert!(table.votes_item(TENANT, ACCOUNT, "alice").await.is_none());
    assert!(table.votes_item(TENANT, "A-2", "alice").await.is_none());
    assert!(
        table.history_item(TENANT, ACCOUNT, &never).await.is_none(),
        "no counter item was created for the unknown id"
    );
    assert_eq!(stored_counts(&table, &summary_id).await, (0, 0));
}

#[tokio::test]
async fn given_malformed_feedback_when_posted_then_400_bad_request_with_the_error_body_and_nothing_written()
 {
    let (table, app, summary_id) = summary_on_screen().await;
    let alice = Caller::new(TENANT, "alice");
    let too_long = "x".repeat(1001);
    let bodies = [
        ("not JSON", "like it!".to_string()),
        ("empty body", String::new()),
        ("a JSON array", "[]".to_string()),
        (
            "unknown vote",
            json!({"summary_id": summary_id, "vote": "love"}).to_string(),
        ),
        (
            "vote in capitals",
            json!({"summary_id": summary_id, "vote": "LIKE"}).to_string(),
        ),
        ("missing summary_id", json!({"vote": "like"}).to_string()),
        (
            "missing vote",
            json!({"summary_id": summary_id}).to_string(),
        ),
        (
            "summary_id not a string",
            json!({"summary_id": 42, "vote": "like"}).to_string(),
        ),
        (
            "summary_id with key characters",
            json!({"summary_id": "x#VOTES#bob", "vote": "like"}).to_string(),
        ),
        (
            "comment over 1000 characters",
            json!({"summary_id": summary_id, "vote": "like", "comment": too_long}).to_string(),
        ),
    ];
    for (case, body) in &bodies {
        let response = feedback(&app, &alice, ACCOUNT, body).await;
        assert_eq!(response.status, 400, "{case}: {}", response.body_text);
        response.expect_error(400, "bad_request");
    }

    let good_body = json!({"summary_id": summary_id, "vote": "like"}).to_string();
    for bad_account in ["A;1", "A 1", &"a".repeat(129)] {
        let response = feedback(&app, &alice, bad_account, &good_body).await;
        assert_eq!(
            response.status, 400,
            "account {bad_account:?}: {}",
            response.body_text
        );
        response.expect_error(400, "bad_request");
    }

    assert!(
        table.votes_item(TENANT, ACCOUNT, "alice").await.is_none(),
        "no vote was written"
    );
    assert_eq!(stored_counts(&table, &summary_id).await, (0, 0));
    let shown = get(&app, &alice, ACCOUNT).await;
    assert_eq!(
        shown.ok()["feedback"],
        json!({"likes": 0, "dislikes": 0, "mine": null})
    );
}
