//! Feedback under concurrency, over the real handler and moto: many users voting at the same
//! moment through several containers give exact counts; a user changing their mind moves
//! exactly one count; one user's rapid like/dislike toggles racing each other end with the
//! counts matching their last recorded vote; votes racing a refresh count for the summary
//! the voter saw.

use std::sync::Arc;

use integration_tests::app::AppBuilder;
use integration_tests::client::{ApiResponse, Caller, get, refresh, vote};
use integration_tests::concurrency::all;
use integration_tests::moto::{TestTable, n, s};
use integration_tests::seed::basic_account;
use serde_json::json;
use summary_core::config::App;

const TENANT: &str = "acme";
const ACCOUNT: &str = "A-1";

/// A table with one account and its summary, and `containers` function instances.
async fn summary_on_screen(containers: usize) -> (TestTable, Vec<Arc<App>>, String) {
    let table = TestTable::new().await;
    table
        .seed_tenant_with(TENANT, &[basic_account(ACCOUNT)])
        .await;
    let apps: Vec<Arc<App>> = (0..containers)
        .map(|_| Arc::new(AppBuilder::new(&table).unlimited_hard_refresh().build()))
        .collect();
    let summary_id = get(&apps[0], &Caller::new(TENANT, "alice"), ACCOUNT)
        .await
        .summary_id();
    (table, apps, summary_id)
}

fn cast(
    app: &Arc<App>,
    user: &str,
    summary_id: &str,
    choice: &str,
) -> impl std::future::Future<Output = ApiResponse> + Send + 'static {
    let (app, user, summary_id, choice) = (
        app.clone(),
        user.to_string(),
        summary_id.to_string(),
        choice.to_string(),
    );
    async move {
        vote(
            &app,
            &Caller::new(TENANT, &user),
            ACCOUNT,
            &summary_id,
            &choice,
        )
        .await
    }
}

/// (likes, dislikes) of a summary's history item, and of the cached summary when it is that one.
async fn counts(table: &TestTable, summary_id: &str) -> (i64, i64) {
    let history = table
        .history_item(TENANT, ACCOUNT, summary_id)
        .await
        .expect("history item");
    (
        n(&history, "likes").unwrap_or(0),
        n(&history, "dislikes").unwrap_or(0),
    )
}

async fn cached_counts(table: &TestTable) -> (String, i64, i64) {
    let cached = table.summary_item(TENANT, ACCOUNT).await.expect("cached");
    (
        s(&cached, "summary_id").unwrap().to_string(),
        n(&cached, "likes").unwrap_or(0),
        n(&cached, "dislikes").unwrap_or(0),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 8)]
async fn given_20_users_voting_at_once_through_4_containers_then_the_counts_are_exact_and_a_changed_vote_moves_one_count()
 {
    let (table, apps, summary_id) = summary_on_screen(4).await;
    let choices: Vec<(String, &str)> = (0..20)
        .map(|i| {
            (
                format!("user-{i:02}"),
                if i % 3 == 0 { "dislike" } else { "like" },
            )
        })
        .collect();
    let (likes, dislikes) = (13, 7);

    let answers = all(choices
        .iter()
        .enumerate()
        .map(|(i, (user, choice))| cast(&apps[i % apps.len()], user, &summary_id, choice)))
    .await;

    for ((user, choice), answer) in choices.iter().zip(&answers) {
        assert_eq!(answer.ok()["mine"], *choice, "{user}'s answer");
    }
    assert_eq!(counts(&table, &summary_id).await, (likes, dislikes));
    assert_eq!(
        cached_counts(&table).await,
        (summary_id.clone(), likes, dislikes),
        "the cached summary mirrors the counts"
    );
    for (user, choice) in &choices {
        let votes = table.votes_item(TENANT, ACCOUNT, user).await.unwrap();
        assert_eq!(s(&votes, &format!("v_{summary_id}")), Some(*choice));
    }
    let shown = get(&apps[1], &Caller::new(TENANT, "user-01"), ACCOUNT).await;
    assert_eq!(
        shown.ok()["feedback"],
        json!({"likes": likes, "dislikes": dislikes, "mine": "like"})
    );

    // user-01 changes their mind: one like becomes one dislike, nothing else moves.
    let changed = cast(&apps[2], "user-01", &summary_id, "dislike").await;
    assert_eq!(
        changed.ok(),
        &json!({"summary_id": summary_id, "likes": likes - 1, "dislikes": dislikes + 1, "mine": "dislike"})
    );
    // ...and user-00 withdraws their dislike.
    let withdrawn = cast(&apps[3], "user-00", &summary_id, "none").await;
    assert_eq!(
        withdrawn.ok(),
        &json!({"summary_id": summary_id, "likes": likes - 1, "dislikes": dislikes, "mine": null})
    );
    assert_eq!(counts(&table, &summary_id).await, (likes - 1, dislikes));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 8)]
async fn given_one_user_toggling_like_and_dislike_in_racing_requests_while_others_vote_then_the_counts_match_the_last_recorded_vote()
 {
    let (table, apps, summary_id) = summary_on_screen(3).await;
    // alice double-clicks her way through like / dislike / none, from three tabs at once,
    // while five teammates like the summary.
    let toggles = [
        "like", "dislike", "like", "none", "dislike", "like", "dislike", "like",
    ];
    let mut requests: Vec<_> = toggles
        .iter()
        .cycle()
        .take(24)
        .enumerate()
        .map(|(i, choice)| cast(&apps[i % apps.len()], "alice", &summary_id, choice))
        .collect();
    for i in 0..5 {
        requests.push(cast(
            &apps[i % apps.len()],
            &format!("mate-{i}"),
            &summary_id,
            "like",
        ));
    }

    let answers = all(requests).await;

    assert!(answers.iter().all(|a| a.status == 200), "{answers:?}");
    let votes = table.votes_item(TENANT, ACCOUNT, "alice").await.unwrap();
    let last = s(&votes, &format!("v_{summary_id}"));
    let (alice_likes, alice_dislikes) = match last {
        Some("like") => (1, 0),
        Some("dislike") => (0, 1),
        None => (0, 0),
        Some(other) => panic!("unexpected stored vote {other}"),
    };
    let expected = (5 + alice_likes, alice_dislikes);
    assert_eq!(
        counts(&table, &summary_id).await,
        expected,
        "counts after alice's last recorded vote {last:?}"
    );
    assert_eq!(
        cached_counts(&table).await,
        (summary_id.clone(), expected.0, expected.1)
    );
    let shown = get(&apps[0], &Caller::new(TENANT, "alice"), ACCOUNT).await;
    assert_eq!(
        shown.ok()["feedback"],
        json!({"likes": expected.0, "dislikes": expected.1, "mine": last})
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 8)]
async fn given_votes_racing_a_teammates_refresh_then_every_vote_counts_for_the_summary_the_voter_saw()
 {
    let (table, apps, old_id) = summary_on_screen(3).await;
    let mut requests: Vec<
        std::pin::Pin<Box<dyn std::future::Future<Output = ApiResponse> + Send>>,
    > = (0..10)
        .map(|i| {
            Box::pin(cast(
                &apps[i % apps.len()],
                &format!("user-{i}"),
                &old_id,
                "like",
            )) as _
        })
        .collect();
    let refresher = apps[0].clone();
    requests.insert(
        5,
        Box::pin(async move { refresh(&refresher, &Caller::new(TENANT, "bob"), ACCOUNT).await }),
    );

    let answers = all(requests).await;

    assert!(answers.iter().all(|a| a.status == 200), "{answers:?}");
    let new_id = answers[5].summary_id();
    assert_ne!(new_id, old_id);
    assert_eq!(
        counts(&table, &old_id).await,
        (10, 0),
        "all ten count for the old one"
    );
    assert_eq!(counts(&table, &new_id).await, (0, 0));
    assert_eq!(
        cached_counts(&table).await,
        (new_id.clone(), 0, 0),
        "the new cached summary starts at zero"
    );
    // A vote on the new summary is counted there.
    let on_new = cast(&apps[1], "user-0", &new_id, "dislike").await;
    assert_eq!(on_new.ok()["dislikes"], 1);
    assert_eq!(counts(&table, &old_id).await, (10, 0));
}
