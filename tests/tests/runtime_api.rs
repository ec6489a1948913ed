//! The local Runtime API that `make bench` starts the function binaries against: the real
//! Lambda runtime client (lambda_http, as the functions' mains run it) polls it, and
//! summary-get's handler answers API Gateway events handed over through it.
//!
//! This file holds one test on purpose: the runtime client reads its settings from the
//! process environment, which the test sets.

use std::convert::Infallible;
use std::time::Duration;

use account_summary_cli::apigw::{GatewayRequest, Route};
use integration_tests::app::offline_app;
use integration_tests::client::Caller;
use integration_tests::moto::TestTable;
use integration_tests::runtime_api::{Outcome, RuntimeApi};
use integration_tests::seed::basic_account;
use lambda_http::{Request, service_fn};
use serde_json::Value;

fn body_of(response: &Value) -> Value {
    serde_json::from_str(response["body"].as_str().expect("a string body")).expect("JSON body")
}

#[test]
fn summary_get_answers_api_gateway_events_through_the_emulator() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    runtime.block_on(async {
        let table = TestTable::new().await;
        table
            .seed_tenant_with("acme", &[basic_account("A-1")])
            .await;
        let api = RuntimeApi::start("summary-get", Duration::from_secs(28))
            .await
            .expect("the emulator starts");
        for (name, value) in api.lambda_env("summary-get", 256) {
            // SAFETY: the only test of this binary; nothing else reads the environment now.
            unsafe { std::env::set_var(name, value) };
        }
        let app = offline_app(&table);
        // The runtime client's future is not Send: it runs beside the test, not spawned.
        let function = lambda_http::run(service_fn(|req: Request| {
            let app = &app;
            async move { Ok::<_, Infallible>(summary_get::handle(app, req).await) }
        }));
        let calls = async {
            api.first_poll(Duration::from_secs(10))
                .await
                .expect("the runtime client asks for an event");
            let caller = Caller::new("acme", "u1");
            let event = GatewayRequest::new(Route::GetSummary, "A-1")
                .claims(caller.claims())
                .event();
            let first = api
                .invoke(&event, Duration::from_secs(30))
                .await
                .expect("the first event is answered");
            assert!(first.latency > Duration::ZERO);
            let response = first.response_json().expect("a JSON response");
            assert_eq!(response["statusCode"], 200, "{response}");
            let summary = body_of(&response);
            assert_eq!(summary["account_id"], "A-1");

            // The runtime keeps polling: a second event, for an account that does not exist.
            let missing = GatewayRequest::new(Route::GetSummary, "A-404")
                .claims(caller.claims())
                .event();
            let second = api
                .invoke(&missing, Duration::from_secs(30))
                .await
                .expect("the second event is answered");
            assert_ne!(second.request_id, first.request_id);
            let response = second.response_json().expect("a JSON response");
            assert_eq!(response["statusCode"], 404, "{response}");
            assert!(matches!(second.outcome, Outcome::Response(_)));
            assert_eq!(api.init_error(), None);
        };
        tokio::select! {
            ended = function => panic!("the runtime client stopped: {ended:?}"),
            () = calls => {}
        }
    });
}
