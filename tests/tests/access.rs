//! Who may see what: identity from the authorizer's claims only, the tenant's opt-in, its
//! role restriction, and tenant isolation. A refused request generates nothing, stores
//! nothing and answers API.md's error body.

use account_summary_cli::apigw::Route;
use integration_tests::app::{AppBuilder, openai_app};
use integration_tests::client::{Caller, feedback, get, refresh, vote, without_claims};
use integration_tests::llm::ScriptedLlm;
use integration_tests::moto::{TestTable, s};
use integration_tests::seed::{
    basic_account, disabled_tenant, enabled_tenant, role_restricted_tenant,
};
use serde_json::json;
use summary_core::config::App;

/// The sort keys of an account's partition: what the service wrote for it.
async fn partition_keys(table: &TestTable, tenant: &str, account_id: &str) -> Vec<String> {
    let mut keys: Vec<String> = table
        .account_partition(tenant, account_id)
        .await
        .iter()
        .filter_map(|i| s(i, "sk").map(str::to_string))
        .collect();
    keys.sort();
    keys
}

/// Every route, as `caller`, for `account_id`; each must answer `status` with `code`.
async fn every_route_refuses(
    app: &App,
    caller: &Caller,
    account_id: &str,
    status: u16,
    code: &str,
) {
    get(app, caller, account_id)
        .await
        .expect_error(status, code);
    refresh(app, caller, account_id)
        .await
        .expect_error(status, code);
    let body = json!({"summary_id": ulid::Ulid::new().to_string(), "vote": "like"}).to_string();
    feedback(app, caller, account_id, &body)
        .await
        .expect_error(status, code);
}

#[tokio::test]
async fn given_a_disabled_tenant_when_its_users_ask_then_403_feature_disabled_and_no_generation() {
    let table = TestTable::new().await;
    table.put_tenant(&disabled_tenant("initech")).await;
    table.put_account("initech", &basic_account("A-1")).await;
    let llm = ScriptedLlm::start().await;
    let app = openai_app(&table, &llm);

    every_route_refuses(
        &app,
        &Caller::new("initech", "alice"),
        "A-1",
        403,
        "feature_disabled",
    )
    .await;

    assert_eq!(llm.request_count(), 0, "nothing was sent to the LLM");
    assert_eq!(
        partition_keys(&table, "initech", "A-1").await,
        ["ACCOUNT"],
        "nothing was stored for the account"
    );
}

#[tokio::test]
async fn given_a_tenant_with_no_config_item_when_its_users_ask_then_403_feature_disabled_and_no_generation()
 {
    let table = TestTable::new().await;
    table.put_account("umbrella", &basic_account("A-1")).await;
    let llm = ScriptedLlm::start().await;
    let app = openai_app(&table, &llm);

    every_route_refuses(
        &app,
        &Caller::new("umbrella", "alice"),
        "A-1",
        403,
        "feature_disabled",
    )
    .await;

    assert_eq!(llm.request_count(), 0);
    assert_eq!(partition_keys(&table, "umbrella", "A-1").await, ["ACCOUNT"]);
}

#[tokio::test]
async fn given_a_tenant_that_opts_out_when_a_cached_summary_exists_then_it_is_no_longer_served() {
    let table = TestTable::new().await;
    table
        .seed_tenant_with("acme", &[basic_account("A-1")])
        .await;
    let llm = ScriptedLlm::start().await;
    let app = openai_app(&table, &llm);
    let alice = Caller::new("acme", "alice");
    get(&app, &alice, "A-1").await.ok();

    // The admin's one update-item command, as the CLI runs it.
    table.store.set_tenant_enabled("acme", false).await.unwrap();

    get(&app, &alice, "A-1")
        .await
        .expect_error(403, "feature_disabled");
    assert_eq!(
        llm.request_count(),
        1,
        "only the generation before the opt-out"
    );
}

#[tokio::test]
async fn given_no_claims_in_the_request_context_when_any_route_is_called_then_401_unauthorized() {
    let table = TestTable::new().await;
    table
        .seed_tenant_with("acme", &[basic_account("A-1")])
        .await;
    let llm = ScriptedLlm::start().await;
    let app = openai_app(&table, &llm);
    let body = json!({"summary_id": ulid::Ulid::new().to_string(), "vote": "like"}).to_string();

    for (route, body) in [
        (Route::GetSummary, None),
        (Route::RefreshSummary, None),
        (Route::SubmitFeedback, Some(body.as_str())),
    ] {
        let response = without_claims(&app, route, "A-1", body).await;
        assert_eq!(response.status, 401, "{route:?}: {}", response.body_text);
        response.expect_error(401, "unauthorized");
    }
    assert_eq!(llm.request_count(), 0);
    assert_eq!(partition_keys(&table, "acme", "A-1").await, ["ACCOUNT"]);
}

#[tokio::test]
async fn given_claims_without_the_configured_tenant_claim_then_401_and_with_it_200() {
    let table = TestTable::new().await;
    table
        .seed_tenant_with("acme", &[basic_account("A-1")])
        .await;
    let app = AppBuilder::new(&table)
        .tenant_claim("custom:tenant_id")
        .build();

    // A token carrying `tenant_id` does not name the tenant when the claim is custom:tenant_id.
    get(&app, &Caller::new("acme", "alice"), "A-1")
        .await
        .expect_error(401, "unauthorized");
    let cognito_user = Caller::new("acme", "alice").with_tenant_claim("custom:tenant_id");
    let response = get(&app, &cognito_user, "A-1").await;
    assert_eq!(response.ok()["account_id"], "A-1");
}

#[tokio::test]
async fn given_an_account_of_tenant_b_when_tenant_a_asks_for_it_by_id_then_404_and_b_summary_is_not_served()
 {
    let table = TestTable::new().await;
    table
        .seed_tenant_with("tenant-b", &[basic_account("B-42")])
        .await;
    table.put_tenant(&enabled_tenant("tenant-a")).await;
    let llm = ScriptedLlm::start().await;
    let app = openai_app(&table, &llm);
    let b_summary = get(&app, &Caller::new("tenant-b", "bea"), "B-42")
        .await
        .summary_id();
    assert_eq!(llm.request_count(), 1);

    let mallory = Caller::new("tenant-a", "mallory");
    get(&app, &mallory, "B-42")
        .await
        .expect_error(404, "account_not_found");
    refresh(&app, &mallory, "B-42")
        .await
        .expect_error(404, "account_not_found");
    vote(&app, &mallory, "B-42", &b_summary, "dislike")
        .await
        .expect_error(404, "summary_not_found");

    assert_eq!(llm.request_count(), 1, "nothing generated for tenant A");
    assert_eq!(
        partition_keys(&table, "tenant-a", "B-42").await,
        Vec::<String>::new()
    );
    let b_item = table.summary_item("tenant-b", "B-42").await.unwrap();
    assert_eq!(s(&b_item, "summary_id"), Some(b_summary.as_str()));
    assert!(
        table
            .votes_item("tenant-b", "B-42", "mallory")
            .await
            .is_none()
    );
    let b_view = get(&app, &Caller::new("tenant-b", "bea"), "B-42").await;
    assert_eq!(
        b_view.ok()["feedback"],
        json!({"likes": 0, "dislikes": 0, "mine": null})
    );
}

#[tokio::test]
async fn given_the_same_account_id_in_two_tenants_then_each_gets_its_own_summary() {
    let table = TestTable::new().await;
    table
        .seed_tenant_with("tenant-a", &[basic_account("X-1")])
        .await;
    table
        .seed_tenant_with("tenant-b", &[basic_account("X-1")])
        .await;
    let llm = ScriptedLlm::start().await;
    let app = openai_app(&table, &llm);

    let a = get(&app, &Caller::new("tenant-a", "ann"), "X-1").await;
    let b = get(&app, &Caller::new("tenant-b", "bea"), "X-1").await;
    assert_eq!(a.ok()["cached"], false);
    assert_eq!(b.ok()["cached"], false, "B did not get A's cached summary");
    assert_ne!(a.summary_id(), b.summary_id());
    assert_eq!(llm.request_count(), 2);
}

#[tokio::test]
async fn given_a_role_restricted_tenant_when_a_user_lacks_the_role_then_403_forbidden() {
    let table = TestTable::new().await;
    table
        .put_tenant(&role_restricted_tenant("acme", &["csm", "admin"]))
        .await;
    table.put_account("acme", &basic_account("A-1")).await;
    let llm = ScriptedLlm::start().await;
    let app = openai_app(&table, &llm);

    let viewer = Caller::new("acme", "victor").with_roles(&["viewer"]);
    every_route_refuses(&app, &viewer, "A-1", 403, "forbidden").await;
    let no_roles_claim = Caller::new("acme", "nora");
    get(&app, &no_roles_claim, "A-1")
        .await
        .expect_error(403, "forbidden");
    assert_eq!(llm.request_count(), 0);
    assert_eq!(partition_keys(&table, "acme", "A-1").await, ["ACCOUNT"]);

    // Roles arrive as API Gateway renders a list claim: "[viewer csm]".
    let csm = Caller::new("acme", "carla").with_roles(&["viewer", "csm"]);
    assert_eq!(csm.claims()["roles"], "[viewer csm]");
    let response = get(&app, &csm, "A-1").await;
    assert_eq!(response.ok()["account_id"], "A-1");
    assert_eq!(llm.request_count(), 1);
}
