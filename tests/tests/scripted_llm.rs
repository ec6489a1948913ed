//! The scripted OpenAI-compatible server itself, spoken to with a plain HTTP client: replies
//! come in script order then the fallback, failures look like OpenAI's, and every request
//! that breaks the provider contract is recorded as a violation. Other tests rely on this.

use std::time::Duration;

use integration_tests::llm::{Reply, ScriptedLlm, TEST_API_KEY};
use serde_json::{Value, json};
use summary_core::summary::SectionKey;

/// A request body as the engine builds it (strict JSON schema, not stored).
fn good_body(user: &str) -> Value {
    json!({
        "model": "test-model-mini",
        "messages": [
            {"role": "system", "content": "Tokens such as PERSON_2 stand for names."},
            {"role": "user", "content": user}
        ],
        "response_format": {"type": "json_schema", "json_schema": {"name": "s", "strict": true, "schema": {"type": "object"}}},
        "store": false
    })
}

async fn post(
    llm: &ScriptedLlm,
    key: &str,
    body: &Value,
) -> (u16, reqwest::header::HeaderMap, Value) {
    let response = reqwest::Client::new()
        .post(format!("{}/chat/completions", llm.base_url()))
        .bearer_auth(key)
        .json(body)
        .send()
        .await
        .expect("the scripted server answers");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response.json().await.unwrap_or(Value::Null);
    (status, headers, body)
}

fn content(body: &Value) -> Value {
    serde_json::from_str(
        body["choices"][0]["message"]["content"]
            .as_str()
            .expect("content"),
    )
    .expect("content is JSON")
}

#[tokio::test]
async fn given_a_script_then_replies_come_in_order_and_then_the_fallback() {
    let llm = ScriptedLlm::start().await;
    llm.push_all([
        Reply::rate_limited(7),
        Reply::insufficient_quota(),
        Reply::sections([(SectionKey::Risks, "Churn risk is high.")]),
        Reply::refusal("I can't help with that."),
        Reply::truncated(),
    ])
    .set_fallback(Reply::status(503));
    let body =
        good_body("champion_name: PERSON_4\nnotes: \"mail EMAIL_1\"\naccount_name: ACCOUNT_1");

    let (status, headers, error) = post(&llm, TEST_API_KEY, &body).await;
    assert_eq!(status, 429);
    assert_eq!(headers["retry-after"], "7");
    assert_eq!(error["error"]["code"], "rate_limit_exceeded");

    let (status, _, error) = post(&llm, TEST_API_KEY, &body).await;
    assert_eq!(
        (status, error["error"]["code"].as_str()),
        (429, Some("insufficient_quota"))
    );

    let (status, _, ok) = post(&llm, TEST_API_KEY, &body).await;
    assert_eq!(status, 200);
    assert_eq!(ok["choices"][0]["finish_reason"], "stop");
    assert_eq!(ok["model"], "test-model-mini");
    let sections = content(&ok);
    assert_eq!(sections["risks"]["text"], "Churn risk is high.");
    // The echo uses the user message's tokens, never the system prompt's examples.
    assert_eq!(
        sections["overview"]["text"],
        "ACCOUNT_1 is a customer; PERSON_4 is the contact."
    );
    assert_eq!(
        sections["next_actions"]["text"],
        "Write to PERSON_4 at EMAIL_1 this week."
    );
    assert_eq!(sections.as_object().unwrap().len(), 7);

    let (_, _, refused) = post(&llm, TEST_API_KEY, &body).await;
    assert_eq!(refused["choices"][0]["message"]["content"], Value::Null);
    assert_eq!(
        refused["choices"][0]["message"]["refusal"],
        "I can't help with that."
    );

    let (_, _, cut) = post(&llm, TEST_API_KEY, &body).await;
    assert_eq!(cut["choices"][0]["finish_reason"], "length");
    let text = cut["choices"][0]["message"]["content"].as_str().unwrap();
    assert!(
        serde_json::from_str::<Value>(text).is_err(),
        "cut JSON does not parse"
    );

    for _ in 0..2 {
        let (status, _, _) = post(&llm, TEST_API_KEY, &body).await;
        assert_eq!(status, 503, "the fallback, every time the queue is empty");
    }
    assert_eq!(llm.pending(), 0);
    assert_eq!(llm.request_count(), 7);
    llm.assert_no_violations();
}

#[tokio::test]
async fn given_requests_that_break_the_provider_contract_then_each_is_recorded_as_a_violation() {
    let llm = ScriptedLlm::start().await;
    let mut stored = good_body("x");
    stored["store"] = json!(true);
    let mut loose = good_body("x");
    loose["response_format"] = json!({"type": "json_object"});
    let mut unset = good_body("x");
    unset.as_object_mut().unwrap().remove("store");

    assert_eq!(post(&llm, TEST_API_KEY, &stored).await.0, 200);
    assert_eq!(post(&llm, TEST_API_KEY, &loose).await.0, 200);
    assert_eq!(post(&llm, TEST_API_KEY, &unset).await.0, 200);
    let (status, _, error) = post(&llm, "sk-wrong", &good_body("x")).await;
    assert_eq!(
        (status, error["error"]["code"].as_str()),
        (401, Some("invalid_api_key"))
    );

    let violations = llm.violations();
    let by_request = |i: usize| -> Vec<String> {
        violations
            .iter()
            .filter(|v| v.request == i)
            .map(|v| v.problem.clone())
            .collect()
    };
    assert_eq!(by_request(0), ["store is true, not false"]);
    assert!(
        by_request(1).iter().any(|p| p.contains("json_schema")),
        "{:?}",
        by_request(1)
    );
    assert!(by_request(1).iter().any(|p| p.contains("strict")));
    assert_eq!(by_request(2), ["store is null, not false"]);
    assert_eq!(by_request(3).len(), 1);
    assert!(by_request(3)[0].starts_with("Authorization"));
    assert!(
        !by_request(3)[0].contains("sk-wrong"),
        "the presented key is not echoed whole"
    );
    assert_eq!(llm.request_count(), 4);
}

#[tokio::test]
async fn given_a_delayed_reply_then_the_request_is_recorded_before_the_answer() {
    let llm = ScriptedLlm::start().await;
    llm.push(Reply::echo().after(Duration::from_secs(600)));
    let body = good_body("x");
    let url = format!("{}/chat/completions", llm.base_url());
    let pending = tokio::spawn(async move {
        reqwest::Client::new()
            .post(url)
            .bearer_auth(TEST_API_KEY)
            .json(&body)
            .send()
            .await
    });
    assert!(llm.wait_for_requests(1, Duration::from_secs(10)).await);
    assert!(!pending.is_finished(), "no answer before the delay");
    assert_eq!(llm.requests()[0].body["store"], false);
    pending.abort();
}
