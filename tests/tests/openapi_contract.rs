//! `infra/openapi.yaml` against the real handlers: it lists exactly API.md's three routes, and
//! every answer the handlers give — 200 summaries (LLM-written, fallback, cached, refreshed),
//! 200 feedback, and each error status through the real handlers — validates against the
//! response schema the document declares for that route and status (OpenAPI 3.0 schemas
//! converted to JSON Schema, `nullable` included). A second, strict validation also rejects
//! fields the document does not describe, so the document cannot fall behind the handlers.
//! Every status the document declares for a route is produced at least once.

use std::collections::BTreeSet;
use std::sync::Mutex;

use account_summary_cli::apigw::Route;
use integration_tests::app::{AppBuilder, offline_app, openai_app};
use integration_tests::client::{
    ApiResponse, Caller, feedback, get, refresh, vote, without_claims,
};
use integration_tests::llm::ScriptedLlm;
use integration_tests::moto::{TestTable, sdk_config};
use integration_tests::seed::{basic_account, disabled_tenant, role_restricted_tenant};
use serde_json::{Map, Value, json};
use summary_core::service::{FlightSettings, month_of};
use summary_core::store::Store;
use summary_core::tenant::TenantConfig;

fn openapi() -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../infra/openapi.yaml");
    let text = std::fs::read_to_string(&path).expect("infra/openapi.yaml");
    serde_yaml_ng::from_str(&text).expect("openapi.yaml is YAML")
}

fn route_of(route: Route) -> (&'static str, &'static str) {
    route.route_key().split_once(' ').expect("METHOD /path")
}

const ROUTES: [Route; 3] = [
    Route::GetSummary,
    Route::RefreshSummary,
    Route::SubmitFeedback,
];

#[test]
fn the_document_lists_exactly_the_three_routes_of_api_md() {
    let doc = openapi();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.0"));
    let mut listed = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, _) in item.as_object().unwrap() {
            if method != "parameters" {
                listed.insert(format!("{} {path}", method.to_uppercase()));
            }
        }
    }
    let handled: BTreeSet<String> = ROUTES.iter().map(|r| r.route_key().to_string()).collect();
    assert_eq!(listed, handled, "the document's routes are the handlers'");
    match integration_tests::template::api_md_routes() {
        Some(documented) => assert_eq!(listed, documented, "the document's routes are API.md's"),
        None => eprintln!("note: ../shared/API.md is not beside the repository"),
    }
}

// ---- OpenAPI 3.0 schema → JSON Schema ----

/// Converts an OpenAPI 3.0 schema object to JSON Schema: `nullable: true` admits `null` (in
/// `type` and in `enum`), `$ref`s keep pointing into the document (which the validator gets
/// as its root). `strict` closes every object that lists its properties
/// (`additionalProperties: false` unless the document says otherwise).
fn to_json_schema(schema: &Value, strict: bool) -> Value {
    match schema {
        Value::Object(map) => {
            let mut out = Map::new();
            let nullable = map.get("nullable") == Some(&Value::Bool(true));
            for (k, v) in map {
                match k.as_str() {
                    "nullable" | "example" | "externalDocs" | "xml" | "discriminator" => {}
                    "properties" => {
                        let props = v
                            .as_object()
                            .unwrap()
                            .iter()
                            .map(|(name, s)| (name.clone(), to_json_schema(s, strict)))
                            .collect();
                        out.insert(k.clone(), Value::Object(props));
                    }
                    "items" | "additionalProperties" | "not" => {
                        out.insert(k.clone(), to_json_schema(v, strict));
                    }
                    "allOf" | "oneOf" | "anyOf" => {
                        let list = v
                            .as_array()
                            .unwrap()
                            .iter()
                            .map(|s| to_json_schema(s, strict))
                            .collect();
                        out.insert(k.clone(), Value::Array(list));
                    }
                    _ => {
                        out.insert(k.clone(), v.clone());
                    }
                }
            }
            if nullable {
                assert!(
                    !out.contains_key("$ref"),
                    "nullable next to $ref is ignored by OpenAPI 3.0: {schema}"
                );
                if let Some(Value::String(t)) = out.get("type").cloned() {
                    out.insert("type".into(), json!([t, "null"]));
                }
                if let Some(Value::Array(values)) = out.get_mut("enum") {
                    values.push(Value::Null);
                }
            }
            if strict && out.contains_key("properties") && !out.contains_key("additionalProperties")
            {
                out.insert("additionalProperties".into(), Value::Bool(false));
            }
            Value::Object(out)
        }
        other => other.clone(),
    }
}

/// Follows a `#/components/...` reference.
fn deref<'a>(doc: &'a Value, v: &'a Value) -> &'a Value {
    match v.get("$ref").and_then(Value::as_str) {
        Some(pointer) => doc
            .pointer(pointer.trim_start_matches('#'))
            .unwrap_or_else(|| panic!("dangling {pointer}")),
        None => v,
    }
}

/// The validators of one response: lenient (the document's meaning) and strict.
struct ResponseSpec {
    schema: Value,
    validator: jsonschema::Validator,
    strict: jsonschema::Validator,
    headers: Map<String, Value>,
}

fn compile(doc: &Value, schema: &Value, strict: bool) -> jsonschema::Validator {
    // The converted component schemas sit where the document has them, so that
    // `#/components/schemas/...` references resolve against the root.
    let schemas: Map<String, Value> = doc["components"]["schemas"]
        .as_object()
        .expect("components.schemas")
        .iter()
        .map(|(name, s)| (name.clone(), to_json_schema(s, strict)))
        .collect();
    let root = json!({
        "components": {"schemas": schemas},
        "allOf": [to_json_schema(schema, strict)],
    });
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .should_validate_formats(true)
        .build(&root)
        .unwrap_or_else(|e| panic!("the schema does not compile: {e}\n{schema}"))
}

fn response_spec(doc: &Value, route: Route, status: u16) -> Option<ResponseSpec> {
    let (method, path) = route_of(route);
    let operation = &doc["paths"][path][method.to_lowercase()];
    let response = operation["responses"].get(status.to_string())?;
    let response = deref(doc, response);
    let schema = response["content"]["application/json"]["schema"].clone();
    assert!(
        !schema.is_null(),
        "{method} {path} {status}: no application/json schema"
    );
    let mut headers = Map::new();
    for (name, h) in response["headers"].as_object().cloned().unwrap_or_default() {
        headers.insert(name, deref(doc, &h).clone());
    }
    Some(ResponseSpec {
        validator: compile(doc, &schema, false),
        strict: compile(doc, &schema, true),
        schema,
        headers,
    })
}

/// Validates a handler's answer; records (route, status, code) for the coverage checks.
struct Contract {
    doc: Value,
    seen: Mutex<BTreeSet<(String, u16)>>,
    codes: Mutex<BTreeSet<String>>,
}

impl Contract {
    fn new() -> Contract {
        Contract {
            doc: openapi(),
            seen: Mutex::new(BTreeSet::new()),
            codes: Mutex::new(BTreeSet::new()),
        }
    }

    fn check(&self, route: Route, response: &ApiResponse, what: &str) {
        let spec = response_spec(&self.doc, route, response.status).unwrap_or_else(|| {
            panic!(
                "{what}: {} answered {} ({}), which the document does not declare",
                route.route_key(),
                response.status,
                response.body_text
            )
        });
        assert_eq!(
            response.header("content-type"),
            Some("application/json"),
            "{what}"
        );
        let errors: Vec<String> = spec
            .validator
            .iter_errors(&response.body)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(
            errors.is_empty(),
            "{what}: {} {} does not match the document's schema {}:\n{errors:#?}\nbody: {}",
            route.route_key(),
            response.status,
            spec.schema,
            response.body_text
        );
        let undocumented: Vec<String> = spec
            .strict
            .iter_errors(&response.body)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(
            undocumented.is_empty(),
            "{what}: fields the document does not describe:\n{undocumented:#?}\nbody: {}",
            response.body_text
        );
        for (name, header) in &spec.headers {
            if let Some(value) = response.header(name) {
                let schema = to_json_schema(&header["schema"], false);
                let parsed: Value = serde_json::from_str(value).unwrap_or(json!(value));
                assert!(
                    jsonschema::is_valid(&schema, &parsed),
                    "{what}: header {name}: {value} does not match {schema}"
                );
            }
        }
        if let Some(code) = response.body["error"]["code"].as_str() {
            self.codes.lock().unwrap().insert(code.to_string());
        }
        self.seen
            .lock()
            .unwrap()
            .insert((route.route_key().to_string(), response.status));
    }

    /// Every (route, status) the document declares.
    fn declared(&self) -> BTreeSet<(String, u16)> {
        let mut out = BTreeSet::new();
        for route in ROUTES {
            let (method, path) = route_of(route);
            let responses = self.doc["paths"][path][method.to_lowercase()]["responses"]
                .as_object()
                .unwrap();
            for status in responses.keys() {
                out.insert((route.route_key().to_string(), status.parse().unwrap()));
            }
        }
        out
    }
}

#[test]
fn the_conversion_admits_null_only_where_the_document_says_nullable() {
    let doc = openapi();
    let summary = json!({"$ref": "#/components/schemas/Summary"});
    let v = compile(&doc, &summary, false);
    let section = |key: &str, title: &str| json!({"key": key, "title": title, "text": "x"});
    let mut body = json!({
        "summary_id": "01J", "account_id": "A-1",
        "generated_at": "2026-12-03T12:00:00Z", "expires_at": "2026-12-04T00:00:00Z",
        "cached": false, "source": "fallback", "model": null,
        "sections": [
            section("overview", "Overview"), section("usage_engagement", "Usage and engagement"),
            section("interactions", "Interactions"), section("sentiment", "Sentiment"),
            section("risks", "Risks"), section("renewal", "Renewal"),
            section("next_actions", "Recommended next actions")
        ],
        "text": "x", "feedback": {"likes": 0, "dislikes": 0, "mine": null}, "refresh_failed": false
    });
    assert!(
        v.is_valid(&body),
        "{:?}",
        v.iter_errors(&body)
            .map(|e| e.to_string())
            .collect::<Vec<_>>()
    );
    // The checks have teeth: a non-nullable null, a bad enum, a missing field, a bad date.
    for (pointer, bad) in [
        ("/summary_id", Value::Null),
        ("/source", json!("llm")),
        ("/feedback/mine", json!("love")),
        ("/generated_at", json!("yesterday")),
        ("/sections/0/key", json!("intro")),
    ] {
        let mut broken = body.clone();
        *broken.pointer_mut(pointer).unwrap() = bad.clone();
        assert!(!v.is_valid(&broken), "{pointer} = {bad} was accepted");
    }
    body.as_object_mut().unwrap().remove("refresh_failed");
    assert!(!v.is_valid(&body), "a missing required field was accepted");
    let strict = compile(&doc, &summary, true);
    let mut extra = body.clone();
    extra["refresh_failed"] = json!(false);
    extra["surprise"] = json!(1);
    assert!(v.is_valid(&extra) && !strict.is_valid(&extra));
}

async fn seed(table: &TestTable) {
    table
        .put_tenant(&integration_tests::seed::enabled_tenant("acme"))
        .await;
    for id in ["A-ai", "A-off", "A-busy"] {
        table.put_account("acme", &basic_account(id)).await;
    }
    table.put_tenant(&disabled_tenant("off")).await;
    table
        .put_tenant(&role_restricted_tenant("roles", &["admin"]))
        .await;
    table.put_account("roles", &basic_account("A-1")).await;
    let spent = TenantConfig {
        monthly_token_budget: Some(10),
        ..integration_tests::seed::enabled_tenant("spent")
    };
    table.put_tenant(&spent).await;
    table.put_account("spent", &basic_account("A-1")).await;
    table
        .store
        .add_tokens("spent", &month_of(time::OffsetDateTime::now_utc()), 100)
        .await
        .unwrap();
}

#[tokio::test]
async fn every_answer_of_the_handlers_matches_the_document() {
    let c = Contract::new();
    let table = TestTable::new().await;
    seed(&table).await;
    let llm = ScriptedLlm::start().await;
    let ai = openai_app(&table, &llm);
    let offline = offline_app(&table);
    let alice = Caller::new("acme", "alice");
    let bob = Caller::new("acme", "bob");

    // 200: summaries.
    let generated = get(&ai, &alice, "A-ai").await;
    assert_eq!(generated.ok()["source"], "ai");
    c.check(Route::GetSummary, &generated, "GET, written by the LLM");
    let cached = get(&ai, &bob, "A-ai").await;
    assert_eq!(cached.ok()["cached"], true);
    c.check(Route::GetSummary, &cached, "GET, cached");
    let fallback = get(&offline, &alice, "A-off").await;
    assert_eq!(fallback.ok()["model"], Value::Null);
    c.check(
        Route::GetSummary,
        &fallback,
        "GET, the offline engine's (model null)",
    );
    let refreshed = refresh(&ai, &alice, "A-ai").await;
    c.check(Route::RefreshSummary, &refreshed, "refresh");
    let id = refreshed.summary_id();

    // 200: feedback, with a vote and withdrawn (mine null).
    let liked = vote(&ai, &bob, "A-ai", &id, "like").await;
    assert_eq!(liked.ok()["mine"], "like");
    c.check(Route::SubmitFeedback, &liked, "feedback like");
    let commented = feedback(
        &ai,
        &alice,
        "A-ai",
        &json!({"summary_id": id, "vote": "dislike", "comment": "too long"}).to_string(),
    )
    .await;
    c.check(
        Route::SubmitFeedback,
        &commented,
        "feedback dislike with a comment",
    );
    let withdrawn = vote(&ai, &bob, "A-ai", &id, "none").await;
    assert_eq!(withdrawn.ok()["mine"], Value::Null);
    c.check(Route::SubmitFeedback, &withdrawn, "feedback none");
    // A summary served with the caller's own vote.
    let mine = get(&ai, &alice, "A-ai").await;
    assert_eq!(mine.ok()["feedback"]["mine"], "dislike");
    c.check(Route::GetSummary, &mine, "GET with the caller's vote");

    // Errors, through every handler.
    let off = Caller::new("off", "u");
    let no_role = Caller::new("roles", "u");
    let spent = Caller::new("spent", "u");
    for (route, response, what) in [
        (
            Route::GetSummary,
            get(&ai, &alice, "bad id!").await,
            "400 bad account id",
        ),
        (
            Route::RefreshSummary,
            refresh(&ai, &alice, "bad id!").await,
            "400 bad account id",
        ),
        (
            Route::SubmitFeedback,
            feedback(&ai, &alice, "A-ai", "{not json").await,
            "400 bad body",
        ),
        (
            Route::SubmitFeedback,
            feedback(
                &ai,
                &alice,
                "A-ai",
                r#"{"summary_id": "x", "vote": "love"}"#,
            )
            .await,
            "400 unknown vote",
        ),
        (
            Route::GetSummary,
            without_claims(&ai, Route::GetSummary, "A-ai", None).await,
            "401",
        ),
        (
            Route::RefreshSummary,
            without_claims(&ai, Route::RefreshSummary, "A-ai", None).await,
            "401",
        ),
        (
            Route::SubmitFeedback,
            without_claims(&ai, Route::SubmitFeedback, "A-ai", Some("{}")).await,
            "401",
        ),
        (
            Route::GetSummary,
            get(&ai, &off, "A-1").await,
            "403 feature_disabled",
        ),
        (
            Route::RefreshSummary,
            refresh(&ai, &no_role, "A-1").await,
            "403 forbidden",
        ),
        (
            Route::SubmitFeedback,
            vote(&ai, &off, "A-1", &id, "like").await,
            "403 feature_disabled",
        ),
        (
            Route::GetSummary,
            get(&ai, &alice, "A-nope").await,
            "404 account_not_found",
        ),
        (
            Route::RefreshSummary,
            refresh(&ai, &alice, "A-nope").await,
            "404 account_not_found",
        ),
        (
            Route::SubmitFeedback,
            vote(&ai, &alice, "A-ai", "01JNEVERGENERATED0000000000", "like").await,
            "404 summary_not_found",
        ),
        (
            Route::GetSummary,
            get(&ai, &spent, "A-1").await,
            "429 budget spent",
        ),
        (
            Route::RefreshSummary,
            refresh(&ai, &alice, "A-ai").await,
            "429 hard refresh limit",
        ),
    ] {
        assert!(response.status >= 400, "{what}: {}", response.body_text);
        c.check(route, &response, what);
    }

    // 503: a teammate's generation outlasts the wait.
    let now = time::OffsetDateTime::now_utc();
    assert!(
        table
            .store
            .try_acquire_lease(
                "acme",
                "A-busy",
                "teammate",
                now,
                now + time::Duration::minutes(5)
            )
            .await
            .unwrap()
    );
    let impatient = AppBuilder::new(&table)
        .flight(FlightSettings {
            wait_limit: std::time::Duration::from_millis(500),
            poll_interval: std::time::Duration::from_millis(100),
            ..FlightSettings::default()
        })
        .build();
    let busy = get(&impatient, &alice, "A-busy").await;
    busy.expect_error(503, "generation_unavailable");
    assert!(busy.header("retry-after").is_some());
    c.check(Route::GetSummary, &busy, "503 waiting on a teammate");
    // 503: the table cannot be reached (every route answers with the error body).
    let sdk = sdk_config().await;
    let broken = TestTable {
        store: Store::new(aws_sdk_dynamodb::Client::new(&sdk), "no-such-table"),
        sdk,
    };
    let down = offline_app(&broken);
    for (route, response) in [
        (Route::GetSummary, get(&down, &alice, "A-ai").await),
        (Route::RefreshSummary, refresh(&down, &alice, "A-ai").await),
        (
            Route::SubmitFeedback,
            vote(&down, &alice, "A-ai", &id, "like").await,
        ),
    ] {
        response.expect_error(503, "generation_unavailable");
        c.check(route, &response, "503 store unavailable");
    }
    llm.assert_no_violations();

    // Coverage: every declared status was produced, and every error code of the document.
    let seen = c.seen.lock().unwrap().clone();
    let missing: Vec<_> = c.declared().difference(&seen).cloned().collect();
    assert!(
        missing.is_empty(),
        "declared but never produced here: {missing:?}"
    );
    let documented: BTreeSet<String> = c.doc["components"]["schemas"]["Error"]["properties"]
        ["error"]["properties"]["code"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        *c.codes.lock().unwrap(),
        documented,
        "error codes produced vs documented"
    );
}
