//! The OpenAI engine through the GET handler against the scripted OpenAI-compatible server:
//! what leaves for the LLM (no names, emails, phones or account name of the sample account),
//! what comes back (names restored), the provider contract (strict JSON schema, `store:
//! false`, the bearer key, from Secrets Manager too), and the fallback when the LLM fails.

use integration_tests::app::{AppBuilder, TEST_MODEL, openai_app};
use integration_tests::client::{Caller, get};
use integration_tests::expect::{Interval, contains_word, epoch_of, section_text, summary_shape};
use integration_tests::llm::{Reply, ScriptedLlm, first_token, tokens};
use integration_tests::moto::{TestTable, n, s};
use integration_tests::seed::{SAMPLE_ACCOUNT, key_info_tenant, sample_account, sample_row};
use time::Duration;

const TENANT: &str = "acme";

/// The identifying values of the sample account, from the CSV itself.
struct Identifying {
    account_name: String,
    people: Vec<String>,
    email: String,
    phone: String,
}

fn identifying_values() -> Identifying {
    let row = sample_row(SAMPLE_ACCOUNT);
    let get = |column: &str| {
        let v = row[column].trim().to_string();
        assert!(!v.is_empty(), "{column} is filled in the sample row");
        v
    };
    Identifying {
        account_name: get("account_name"),
        people: vec![get("champion_name"), get("success_manager")],
        email: get("champion_email"),
        phone: get("champion_phone"),
    }
}

#[tokio::test]
async fn given_the_sample_account_when_summarized_by_the_llm_then_no_identifying_value_leaves_and_names_come_back()
 {
    let table = TestTable::new().await;
    table
        .seed_tenant_with(TENANT, &[sample_account(SAMPLE_ACCOUNT)])
        .await;
    let llm = ScriptedLlm::start().await;
    let app = openai_app(&table, &llm);
    let id = identifying_values();

    let response = get(&app, &Caller::new(TENANT, "alice"), SAMPLE_ACCOUNT).await;

    // What left.
    let request = llm.single_request();
    llm.assert_no_violations();
    let sent = &request.body_text;
    assert!(
        !contains_word(sent, &id.account_name),
        "the account name left"
    );
    for person in &id.people {
        assert!(!contains_word(sent, person), "{person} left");
        for part in person.split_whitespace() {
            assert!(!contains_word(sent, part), "{part} (of {person}) left");
        }
    }
    assert!(
        !sent.to_lowercase().contains(&id.email.to_lowercase()),
        "the email left"
    );
    let (_, domain) = id.email.rsplit_once('@').unwrap();
    assert!(
        !sent.to_lowercase().contains(&domain.to_lowercase()),
        "the email's domain left"
    );
    let phone_core = id.phone.split('x').next().unwrap();
    let digits: String = phone_core.chars().filter(char::is_ascii_digit).collect();
    assert!(!sent.contains(phone_core), "the phone number left");
    assert!(!sent.contains(&digits), "the phone digits left");
    assert!(
        !sent.contains(&digits[digits.len() - 7..]),
        "the phone's last 7 digits left"
    );
    assert_eq!(request.body["model"], TEST_MODEL);

    // The prompt speaks of the account and its people through tokens.
    let user = request.user_message();
    let account_token = first_token(&user, "ACCOUNT").expect("the account name is tokenized");
    let person_token = first_token(&user, "PERSON").expect("people are tokenized");
    let email_token = first_token(&user, "EMAIL").expect("the email in the notes is tokenized");

    // What came back: the echoed tokens restored to the real values.
    let body = response.ok();
    summary_shape(body);
    assert_eq!(body["source"], "ai");
    assert_eq!(body["model"], TEST_MODEL);
    let overview = section_text(body, "overview");
    let person = id
        .people
        .iter()
        .find(|p| overview.contains(p.as_str()))
        .unwrap_or_else(|| panic!("no real name restored in {overview:?} (sent {person_token})"));
    assert_eq!(
        overview,
        format!(
            "{} is a customer; {person} is the contact.",
            id.account_name
        ),
        "{account_token} and {person_token} restored"
    );
    let next = section_text(body, "next_actions");
    assert!(
        next.contains(&id.email),
        "{email_token} restored to the email in {next:?}"
    );
    for prefix in ["ACCOUNT", "PERSON", "EMAIL", "PHONE"] {
        assert!(
            tokens(body["text"].as_str().unwrap(), prefix).is_empty(),
            "a {prefix} token was left in the summary: {}",
            body["text"]
        );
    }

    // Stored as served, with the real names (the cache is inside the tenant's boundary).
    let item = table.summary_item(TENANT, SAMPLE_ACCOUNT).await.unwrap();
    assert_eq!(s(&item, "source"), Some("ai"));
    assert!(s(&item, "sections").unwrap().contains(person.as_str()));
}

#[tokio::test]
async fn given_the_llm_fails_every_time_when_get_then_a_fallback_is_served_and_cached_for_15_minutes()
 {
    let table = TestTable::new().await;
    table
        .seed_tenant_with(TENANT, &[sample_account(SAMPLE_ACCOUNT)])
        .await;
    let llm = ScriptedLlm::start().await;
    llm.set_fallback(Reply::status(500));
    let app = openai_app(&table, &llm);

    let call = Interval::open();
    let response = get(&app, &Caller::new(TENANT, "alice"), SAMPLE_ACCOUNT).await;
    let call = call.close();

    let body = response.ok();
    summary_shape(body);
    assert_eq!(body["source"], "fallback");
    assert_eq!(body["model"], serde_json::Value::Null);
    assert_eq!(body["cached"], false);
    assert!(llm.request_count() >= 1, "the LLM was tried");
    llm.assert_no_violations();
    call.assert_offset(
        epoch_of(&body["expires_at"]),
        Duration::minutes(15),
        "expires_at",
    );

    let item = table.summary_item(TENANT, SAMPLE_ACCOUNT).await.unwrap();
    assert_eq!(s(&item, "source"), Some("fallback"));
    assert_eq!(s(&item, "model"), None);
    assert_eq!(s(&item, "summary_id"), body["summary_id"].as_str());
    call.assert_offset(
        n(&item, "expires_at").unwrap(),
        Duration::minutes(15),
        "stored expires_at",
    );
}

#[tokio::test]
async fn given_the_openai_key_in_secrets_manager_when_generating_then_the_llm_receives_it_as_bearer()
 {
    let table = TestTable::new().await;
    table
        .seed_tenant_with(TENANT, &[sample_account(SAMPLE_ACCOUNT)])
        .await;
    let key = format!("sk-test-{}", ulid::Ulid::new());
    let llm = ScriptedLlm::start_with_key(&key).await;
    let secret_id = format!("account-summaries/openai-{}", ulid::Ulid::new());
    aws_sdk_secretsmanager::Client::new(&table.sdk)
        .create_secret()
        .name(&secret_id)
        // As an operator pastes it: JSON, with a trailing newline in the key.
        .secret_string(serde_json::json!({"api_key": format!("{key}\n")}).to_string())
        .send()
        .await
        .expect("creating the secret in moto");
    let app = AppBuilder::new(&table)
        .openai_with_secret(&llm, &secret_id)
        .build();

    let response = get(&app, &Caller::new(TENANT, "alice"), SAMPLE_ACCOUNT).await;

    assert_eq!(response.ok()["source"], "ai");
    let request = llm.single_request();
    assert_eq!(
        request.header("authorization"),
        Some(format!("Bearer {key}").as_str())
    );
    llm.assert_no_violations();
}

#[tokio::test]
async fn given_a_tenant_key_info_list_when_generating_then_only_those_attributes_are_sent() {
    let table = TestTable::new().await;
    let key_info = ["plan_tier", "seats", "next_renewal_date", "usage_trend_pct"];
    table.put_tenant(&key_info_tenant(TENANT, &key_info)).await;
    table
        .put_account(TENANT, &sample_account(SAMPLE_ACCOUNT))
        .await;
    let llm = ScriptedLlm::start().await;
    let app = openai_app(&table, &llm);

    get(&app, &Caller::new(TENANT, "alice"), SAMPLE_ACCOUNT)
        .await
        .ok();

    // The sample row: Basic, 9 seats, renewal 2026-12-21, usage -65.8 %; the export's day is
    // 2026-12-01.
    assert_eq!(
        llm.single_request().user_message(),
        "As of 2026-12-01:\n\
         account: plan=Basic; seats=9\n\
         contract: renewal=2026-12-21 (+20d)\n\
         last 30d: trend_pct=-65.8\n"
    );
}

#[tokio::test]
async fn given_the_llm_cites_labels_when_generating_then_the_summary_names_the_attribute_keys() {
    let table = TestTable::new().await;
    let key_info = ["seats", "next_renewal_date", "usage_trend_pct"];
    table.put_tenant(&key_info_tenant(TENANT, &key_info)).await;
    table
        .put_account(TENANT, &sample_account(SAMPLE_ACCOUNT))
        .await;
    let llm = ScriptedLlm::start().await;
    let sections: serde_json::Map<String, serde_json::Value> = [
        "overview",
        "usage_engagement",
        "interactions",
        "sentiment",
        "risks",
        "renewal",
        "next_actions",
    ]
    .into_iter()
    .map(|key| {
        // Labels, a full key, a repeat and a label that was never sent.
        let evidence = match key {
            "renewal" => serde_json::json!(["renewal", "next_renewal_date", "arr"]),
            "risks" => serde_json::json!(["trend_pct", "renewal", "trend_pct"]),
            _ => serde_json::json!([]),
        };
        (
            key.to_string(),
            serde_json::json!({"text": "As the data says.", "evidence": evidence}),
        )
    })
    .collect();
    llm.push(Reply::content(
        serde_json::Value::Object(sections).to_string(),
    ));
    let app = openai_app(&table, &llm);

    let response = get(&app, &Caller::new(TENANT, "alice"), SAMPLE_ACCOUNT).await;

    let body = response.ok();
    assert_eq!(body["source"], "ai");
    let evidence_of = |key: &str| {
        body["sections"]
            .as_array()
            .expect("sections")
            .iter()
            .find(|s| s["key"] == key)
            .map(|s| s["evidence"].clone())
            .unwrap_or_else(|| panic!("no {key} section in {body}"))
    };
    assert_eq!(
        evidence_of("renewal"),
        serde_json::json!(["next_renewal_date"])
    );
    assert_eq!(
        evidence_of("risks"),
        serde_json::json!(["usage_trend_pct", "next_renewal_date"])
    );
    assert_eq!(evidence_of("overview"), serde_json::json!([]));
}
