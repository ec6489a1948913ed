//! Broken connections to the LLM, through the real GET handler: a connection closed before
//! the answer (a transport failure the engine retries within its deadline), and the pooled
//! connection a Lambda finds severed after a freeze (the HTTP client drops it when it sees it
//! closed, the engine retries when it does not). Either way the user gets the AI summary,
//! not the fallback.

use std::net::SocketAddr;

use integration_tests::app::{AppBuilder, openai_settings};
use integration_tests::client::{Caller, get};
use integration_tests::llm::{Reply, ScriptedLlm};
use integration_tests::moto::TestTable;
use integration_tests::seed::basic_account;
use integration_tests::tcp_relay::TcpRelay;
use summary_core::config::App;
use summary_core::engine::openai::OpenAiSettings;
use summary_core::secrets::ApiKeySource;

const TENANT: &str = "acme";

async fn setup(accounts: &[&str]) -> (TestTable, ScriptedLlm, TcpRelay) {
    let table = TestTable::new().await;
    let accounts: Vec<_> = accounts.iter().map(|id| basic_account(id)).collect();
    table.seed_tenant_with(TENANT, &accounts).await;
    let llm = ScriptedLlm::start().await;
    let llm_addr: SocketAddr = llm
        .base_url()
        .trim_start_matches("http://")
        .trim_end_matches("/v1")
        .parse()
        .expect("the scripted server is on a loopback address");
    let relay = TcpRelay::start(llm_addr).await;
    (table, llm, relay)
}

/// The OpenAI engine reaching the scripted server through the relay.
fn app_through(table: &TestTable, llm: &ScriptedLlm, relay: &TcpRelay) -> App {
    AppBuilder::new(table)
        .openai_with(
            ApiKeySource::Static(llm.api_key()),
            OpenAiSettings {
                base_url: relay.base_url(),
                ..openai_settings(llm)
            },
        )
        .build()
}

#[tokio::test]
async fn given_the_connection_closes_before_the_answer_when_get_then_a_new_one_brings_the_ai_summary()
 {
    let (table, llm, relay) = setup(&["A-1"]).await;
    llm.set_fallback(Reply::echo());
    relay.drop_next_connections(1);
    let app = app_through(&table, &llm, &relay);

    let response = get(&app, &Caller::new(TENANT, "alice"), "A-1").await;

    assert_eq!(response.ok()["source"], "ai");
    assert_eq!(
        relay.connections(),
        2,
        "the closed connection, then a new one"
    );
    assert_eq!(
        llm.request_count(),
        1,
        "the closed one never reached the server"
    );
    llm.assert_no_violations();
}

#[tokio::test]
async fn given_the_pooled_connection_was_severed_while_idle_when_get_then_the_ai_summary_still_comes()
 {
    let (table, llm, relay) = setup(&["A-1", "A-2"]).await;
    llm.set_fallback(Reply::echo());
    let app = app_through(&table, &llm, &relay);
    let alice = Caller::new(TENANT, "alice");
    assert_eq!(get(&app, &alice, "A-1").await.ok()["source"], "ai");
    assert_eq!(relay.connections(), 1);

    // What a thawed Lambda finds: the connection it pooled is gone.
    relay.sever_open_connections();
    let response = get(&app, &alice, "A-2").await;

    assert_eq!(response.ok()["source"], "ai");
    assert_eq!(llm.request_count(), 2, "one generation per account");
    assert_eq!(
        relay.connections(),
        2,
        "a new connection replaced the severed one"
    );
    llm.assert_no_violations();
}
