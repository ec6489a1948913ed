//! `make dev` with `OPENAI_BASE_URL` pointing to a scripted server, seen from a client on
//! loopback: the local stack (infra/cli's `LocalStack`: seeding, the functions built from
//! settings as in Lambda with the key in Secrets Manager, the local API gateway verifying
//! dev tokens) in-process against the test's moto, and 20 real HTTP GETs at once on a cold
//! account while the LLM takes 2 s: one LLM request, one summary for all.

use std::time::Duration;

use account_summary_cli::stack::{Backend, LocalStack, StackOptions};
use integration_tests::app::TEST_MODEL;
use integration_tests::concurrency::all;
use integration_tests::llm::{Reply, ScriptedLlm};
use integration_tests::moto::endpoint;
use integration_tests::seed::{SAMPLE_ACCOUNT, SAMPLE_AS_OF, sample_csv_path};
use serde_json::Value;
use summary_core::config::Settings;

const TENANT: &str = "demo";

/// The sample export's header and the rows of `accounts`, as a CSV file of its own.
fn small_export(accounts: &[&str]) -> std::path::PathBuf {
    let mut reader = csv::Reader::from_path(sample_csv_path()).expect("the sample export");
    let path = std::env::temp_dir().join(format!(
        "local-stack-export-{}.csv",
        ulid::Ulid::new().to_string().to_lowercase()
    ));
    let mut writer = csv::Writer::from_path(&path).expect("a temporary CSV");
    writer
        .write_record(reader.headers().expect("a header"))
        .unwrap();
    for record in reader.records() {
        let record = record.expect("the sample export parses");
        if record.get(0).is_some_and(|id| accounts.contains(&id)) {
            writer.write_record(&record).unwrap();
        }
    }
    writer.flush().unwrap();
    path
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn given_the_local_stack_with_a_scripted_llm_when_20_clients_get_a_cold_account_over_http_then_one_llm_request_and_one_summary()
 {
    let llm = ScriptedLlm::start().await;
    llm.set_fallback(Reply::echo().after(Duration::from_secs(2)));
    let unique = ulid::Ulid::new().to_string().to_lowercase();
    // What `OPENAI_BASE_URL=<scripted server> make dev` gives the functions.
    let mut settings = Settings::from_lookup(|_| None);
    settings.table_name = format!("account-summaries-stack-{unique}");
    settings.openai.base_url = llm.base_url();
    settings.openai.model = TEST_MODEL.to_string();
    settings.openai_secret_id = Some(format!("account-summary/test/{unique}"));
    let export = small_export(&[SAMPLE_ACCOUNT, "A-43a9e3"]);
    let options = StackOptions {
        backend: Backend::Running {
            endpoint: endpoint(),
            settings,
            openai_api_key: Some(llm.api_key()),
        },
        gateway_port: 0,
        csv: export.clone(),
        tenant: TENANT.to_string(),
        as_of: SAMPLE_AS_OF,
    };
    let stack = LocalStack::start(&options)
        .await
        .expect("the local stack starts");
    let _ = std::fs::remove_file(&export);
    let base = stack.base_url();
    assert!(base.starts_with("http://127.0.0.1:"), "{base}");
    assert!(stack.engine.contains(&llm.base_url()), "{}", stack.engine);

    let http = reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let url = format!("{base}/v1/accounts/{SAMPLE_ACCOUNT}/summary");
    let requests = (0..20).map(|i| {
        let token = stack
            .token(TENANT, &format!("user-{i}"), time::Duration::minutes(5))
            .unwrap();
        let (http, url) = (http.clone(), url.clone());
        async move {
            let response = http.get(&url).bearer_auth(token).send().await.unwrap();
            let status = response.status().as_u16();
            let body: Value = response.json().await.unwrap_or(Value::Null);
            (status, body)
        }
    });
    let answers = all(requests).await;
    let unauthorized = http.get(&url).send().await.unwrap();
    let unauthorized_status = unauthorized.status().as_u16();
    let unauthorized_body: Value = unauthorized.json().await.unwrap_or(Value::Null);
    stack.stop().await;

    for (status, body) in &answers {
        assert_eq!(*status, 200, "{body}");
    }
    let mut ids: Vec<&str> = answers
        .iter()
        .map(|(_, body)| body["summary_id"].as_str().expect("a summary_id"))
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 1, "one summary for the 20 clients: {ids:?}");
    assert_eq!(llm.request_count(), 1, "one LLM request");
    llm.assert_no_violations();
    assert_eq!(
        answers.iter().filter(|(_, b)| b["cached"] == false).count(),
        1,
        "one client's request generated it"
    );
    assert!(
        answers
            .iter()
            .all(|(_, b)| b["source"] == "ai" && b["model"] == TEST_MODEL)
    );
    assert_eq!(unauthorized_status, 401);
    assert_eq!(
        unauthorized_body,
        serde_json::json!({"message": "Unauthorized"})
    );
}
