//! The integration-test harness: the real function handlers against moto's DynamoDB (and
//! Secrets Manager) and a scripted OpenAI-compatible server, all on loopback.
//!
//! - [`moto`]: the moto endpoint (loopback only), SDK config, one isolated table per test,
//!   reading items back;
//! - [`seed`]: tenants and accounts (the sample export or hand-built);
//! - [`llm`]: the scripted Chat Completions server, recording and checking every request;
//! - [`app`]: the `App` a handler holds, with the offline or the OpenAI engine;
//! - [`client`]: calling the functions as API Gateway (or EventBridge) does;
//! - [`concurrency`]: many callers at once, bounded polling, a crashed holder's lease;
//! - [`expect`]: assertions on API.md's shapes and on stored epoch-second times;
//! - [`tcp_relay`]: a TCP relay that closes or severs connections to the scripted LLM;
//! - [`template`]: the deployment template (`infra/template.yaml`), read for the wiring checks;
//! - [`recorder`]: an SDK interceptor recording each AWS operation a function makes;
//! - [`runtime_api`]: a local Lambda Runtime API, to start and invoke real function binaries
//!   (`make bench`);
//! - [`counting_proxy`]: an HTTP proxy in front of moto counting AWS requests by operation.
//!
//! Tests need `AWS_ENDPOINT_URL` from `scripts/with-moto.sh` (`make test` sets it up).

pub mod app;
pub mod client;
pub mod concurrency;
pub mod counting_proxy;
pub mod expect;
pub mod llm;
pub mod moto;
pub mod recorder;
pub mod runtime_api;
pub mod seed;
pub mod tcp_relay;
pub mod template;

/// The JSON of a real EventBridge "Scheduled Event", as a rule invokes the refresh function.
pub const SCHEDULED_EVENT: &str = include_str!("../fixtures/events/scheduled-event.json");

/// Serves `router` on a free loopback port until the returned sender is dropped: the scripted
/// LLM, the counting proxy and the Runtime API emulator all live this long.
pub async fn serve_on_loopback(
    router: axum::Router,
) -> std::io::Result<(std::net::SocketAddr, tokio::sync::oneshot::Sender<()>)> {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
    let addr = listener.local_addr()?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        axum::serve(listener, router)
            .with_graceful_shutdown(async move {
                let _ = stopped.await;
            })
            .await
            .expect("a loopback test server runs");
    });
    Ok((addr, stop))
}
