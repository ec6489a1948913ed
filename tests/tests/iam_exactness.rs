//! Least privilege, checked: each function is built the way its Lambda builds it (its
//! environment from the template, `config::build_service_with`), its DynamoDB and Secrets
//! Manager clients recording every operation, and runs realistic scenarios against a table
//! created in moto from the template's own definition — the OpenAI engine reading its key from
//! Secrets Manager (moto) and writing through a scripted LLM, cache hits, hard refreshes, votes,
//! the schedule, and every error path. The operations are mapped to IAM actions and resources
//! (a Query on an index needs the index's ARN) and must be exactly what the function's
//! statements in the template grant: nothing missing, nothing extra.

use std::collections::{BTreeMap, BTreeSet};

use account_summary_cli::apigw::Route;
use integration_tests::SCHEDULED_EVENT;
use integration_tests::client::{
    ApiResponse, Caller, feedback, get, invoke_refresh_with_event, refresh, vote, without_claims,
};
use integration_tests::expect::now_epoch;
use integration_tests::llm::ScriptedLlm;
use integration_tests::moto::TestTable;
use integration_tests::recorder::{Call, Recorder, Resource};
use integration_tests::seed::{
    account, basic_account, disabled_tenant, enabled_tenant, role_restricted_tenant,
};
use integration_tests::template::{Expr, Grant, Template};
use summary_core::config::{App, Settings, build_service_with};
use summary_core::service::{FlightSettings, SummaryService, month_of};
use summary_core::tenant::TenantConfig;

const GET: &str = "summary-get";
const REFRESH: &str = "summary-refresh";
const FEEDBACK: &str = "summary-feedback";

/// The stack as deployed from the template, in moto and on loopback.
struct Deployment {
    template: Template,
    table: TestTable,
    /// The logical id of the table (`TABLE_NAME`'s `!Ref`).
    table_id: String,
    secret_id: String,
    llm: ScriptedLlm,
}

impl Deployment {
    async fn new() -> Deployment {
        let template = Template::load();
        let table_id = match template.functions()[0].environment().get("TABLE_NAME") {
            Some(Expr::Ref(id)) => id.clone(),
            other => panic!("TABLE_NAME is {other:?}"),
        };
        let table = template.table(&table_id).test_table().await;
        let llm = ScriptedLlm::start().await;
        let secret_id = format!("account-summaries-openai-{}", ulid::Ulid::new());
        aws_sdk_secretsmanager::Client::new(&table.sdk)
            .create_secret()
            .name(&secret_id)
            .secret_string(llm.api_key())
            .send()
            .await
            .expect("creating the OpenAI secret in moto");
        Deployment {
            template,
            table,
            table_id,
            secret_id,
            llm,
        }
    }

    /// What CloudFormation resolves the environment's references to, here.
    fn refs(&self) -> BTreeMap<String, String> {
        let mut refs = BTreeMap::new();
        refs.insert(self.table_id.clone(), self.table.name().to_string());
        for id in self
            .template
            .resources_of_type("AWS::SecretsManager::Secret")
        {
            refs.insert(id, self.secret_id.clone());
        }
        refs.insert("OpenAiBaseUrl".into(), self.llm.base_url());
        refs
    }

    /// The service of the function that builds `binary`, as its `main` builds it: settings
    /// from its environment in the template, clients recording into `recorder`.
    fn service(&self, binary: &str, recorder: &Recorder) -> (SummaryService, Settings) {
        let function = self.template.function_for_binary(binary);
        let env = self.template.resolved_environment(&function, &self.refs());
        let settings = Settings::from_lookup(|name| env.get(name).cloned());
        assert_eq!(
            settings.openai_secret_id.as_deref(),
            Some(self.secret_id.as_str())
        );
        let service = build_service_with(
            &settings,
            recorder.dynamodb(&self.table.sdk),
            recorder.secrets_manager(&self.table.sdk),
        );
        (service, settings)
    }

    fn app(&self, binary: &str, recorder: &Recorder) -> App {
        let (service, settings) = self.service(binary, recorder);
        App {
            service,
            claims: settings.claim_names(),
        }
    }

    /// The same function with a short wait on a teammate's generation (the 503 path).
    fn impatient_app(&self, binary: &str, recorder: &Recorder) -> App {
        let (service, settings) = self.service(binary, recorder);
        App {
            service: service.with_flight_settings(FlightSettings {
                wait_limit: std::time::Duration::from_millis(600),
                poll_interval: std::time::Duration::from_millis(100),
                ..FlightSettings::default()
            }),
            claims: settings.claim_names(),
        }
    }

    /// The IAM grants `calls` need, as the template writes their resources.
    fn needed_grants(&self, function: &str, calls: &[Call]) -> BTreeSet<Grant> {
        let secret_expr =
            self.template.function_for_binary(function).environment()["OPENAI_SECRET_ID"].clone();
        let mut grants = BTreeSet::new();
        for call in calls {
            let action = call
                .iam_action()
                .unwrap_or_else(|| panic!("{function}: no IAM mapping for {call:?}"));
            for resource in &call.resources {
                let resource = match resource {
                    Resource::Table(t) => {
                        assert_eq!(t, self.table.name(), "{function}: {call:?}");
                        Expr::GetAtt(self.table_id.clone(), "Arn".into())
                    }
                    Resource::Index { table, index } => {
                        assert_eq!(table, self.table.name(), "{function}: {call:?}");
                        Expr::Sub(format!("${{{}.Arn}}/index/{index}", self.table_id))
                    }
                    Resource::Secret(s) => {
                        assert_eq!(s, &self.secret_id, "{function}: {call:?}");
                        secret_expr.clone()
                    }
                    Resource::Unknown => {
                        panic!("{function}: the recorder cannot read the resource of {call:?}")
                    }
                };
                grants.insert(Grant {
                    action: action.clone(),
                    resource,
                });
            }
        }
        grants
    }
}

fn report(function: &str, recorder: &Recorder) {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for call in recorder.calls() {
        let what = call
            .resources
            .iter()
            .map(|r| match r {
                Resource::Table(_) => "table".to_string(),
                Resource::Index { index, .. } => format!("index {index}"),
                Resource::Secret(_) => "secret".to_string(),
                Resource::Unknown => "?".to_string(),
            })
            .collect::<Vec<_>>()
            .join(",");
        *counts
            .entry(format!("{}:{} ({what})", call.service, call.operation))
            .or_default() += 1;
    }
    eprintln!("{function} made: {counts:#?}");
}

async fn seed(table: &TestTable) {
    let acme = TenantConfig {
        monthly_token_budget: Some(10_000_000),
        ..enabled_tenant("acme")
    };
    table.put_tenant(&acme).await;
    for id in ["A-1", "A-due", "A-same", "A-busy"] {
        table.put_account("acme", &basic_account(id)).await;
    }
    table.put_tenant(&disabled_tenant("off")).await;
    table.put_account("off", &basic_account("A-1")).await;
    table
        .put_tenant(&role_restricted_tenant("roles", &["admin"]))
        .await;
    table.put_account("roles", &basic_account("A-1")).await;
    // A tenant whose monthly token budget is spent.
    let spent = TenantConfig {
        monthly_token_budget: Some(100),
        ..enabled_tenant("spent")
    };
    table.put_tenant(&spent).await;
    table.put_account("spent", &basic_account("A-1")).await;
    table
        .store
        .add_tokens("spent", &month_of(time::OffsetDateTime::now_utc()), 1_000)
        .await
        .unwrap();
}

fn ai_summary(response: &ApiResponse) -> String {
    let body = response.ok();
    assert_eq!(body["source"], "ai", "{body}");
    response.summary_id()
}

#[tokio::test]
async fn each_functions_iam_statements_grant_exactly_the_operations_it_makes() {
    let d = Deployment::new().await;
    seed(&d.table).await;
    let alice = Caller::new("acme", "alice");
    let bob = Caller::new("acme", "bob");

    // ---- GET ----
    let get_calls = Recorder::new();
    let get_app = d.app(GET, &get_calls);
    // A miss: generated by the LLM, its key read from Secrets Manager.
    let first = ai_summary(&get(&get_app, &alice, "A-1").await);
    // A hit, the first view of the day (recorded on the summary).
    d.table
        .set_summary_string("acme", "A-1", "last_viewed_at", "2020-01-01")
        .await;
    let hit = get(&get_app, &bob, "A-1").await;
    assert_eq!(hit.ok()["cached"], true);
    assert_eq!(hit.summary_id(), first);
    // Summaries the schedule will find.
    ai_summary(&get(&get_app, &alice, "A-due").await);
    ai_summary(&get(&get_app, &alice, "A-same").await);
    // Error paths.
    get(&get_app, &Caller::new("off", "u"), "A-1")
        .await
        .expect_error(403, "feature_disabled");
    get(&get_app, &Caller::new("roles", "u"), "A-1")
        .await
        .expect_error(403, "forbidden");
    get(&get_app, &alice, "A-nope")
        .await
        .expect_error(404, "account_not_found");
    get(&get_app, &alice, "bad id!")
        .await
        .expect_error(400, "bad_request");
    without_claims(&get_app, Route::GetSummary, "A-1", None)
        .await
        .expect_error(401, "unauthorized");
    get(&get_app, &Caller::new("spent", "u"), "A-1")
        .await
        .expect_error(429, "rate_limited");
    // A teammate's generation holds the lease past the wait: 503.
    let now = time::OffsetDateTime::now_utc();
    assert!(
        d.table
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
    get(&d.impatient_app(GET, &get_calls), &alice, "A-busy")
        .await
        .expect_error(503, "generation_unavailable");

    // ---- refresh (POST and the schedule) ----
    let refresh_calls = Recorder::new();
    let refresh_app = d.app(REFRESH, &refresh_calls);
    let refreshed = ai_summary(&refresh(&refresh_app, &alice, "A-1").await);
    assert_ne!(refreshed, first);
    refresh(&refresh_app, &alice, "A-1")
        .await
        .expect_error(429, "rate_limited");
    refresh(&refresh_app, &alice, "A-nope")
        .await
        .expect_error(404, "account_not_found");
    refresh(&refresh_app, &Caller::new("off", "u"), "A-1")
        .await
        .expect_error(403, "feature_disabled");
    refresh(&refresh_app, &alice, "bad id!")
        .await
        .expect_error(400, "bad_request");
    without_claims(&refresh_app, Route::RefreshSummary, "A-1", None)
        .await
        .expect_error(401, "unauthorized");
    // The schedule: one due summary whose account changed, one due and unchanged.
    d.table
        .put_account(
            "acme",
            &account(
                "A-due",
                &[("account_name", "Northwind Traders"), ("seats", "40")],
            ),
        )
        .await;
    for id in ["A-due", "A-same"] {
        d.table
            .set_summary_number("acme", id, "expires_at", now_epoch() + 30 * 60)
            .await;
    }
    let run = invoke_refresh_with_event(&refresh_app, SCHEDULED_EVENT).await;
    let report_body = run.ok();
    assert_eq!(report_body["regenerated"], 1, "{report_body}");
    assert_eq!(report_body["extended"], 1, "{report_body}");
    assert_eq!(report_body["failed"], 0, "{report_body}");
    invoke_refresh_with_event(&refresh_app, r#"{"source": "someone.else", "detail": {}}"#)
        .await
        .expect_error(400, "bad_request");

    // ---- feedback ----
    let feedback_calls = Recorder::new();
    let feedback_app = d.app(FEEDBACK, &feedback_calls);
    let liked = vote(&feedback_app, &bob, "A-1", &refreshed, "like").await;
    assert_eq!(liked.ok()["likes"], 1);
    let again = vote(&feedback_app, &bob, "A-1", &refreshed, "like").await;
    assert_eq!(again.ok()["likes"], 1);
    // A vote on the summary a refresh has replaced still counts for it.
    assert_eq!(
        vote(&feedback_app, &alice, "A-1", &first, "dislike")
            .await
            .ok()["dislikes"],
        1
    );
    let withdrawn = vote(&feedback_app, &bob, "A-1", &refreshed, "none").await;
    assert_eq!(withdrawn.ok()["likes"], 0);
    vote(
        &feedback_app,
        &bob,
        "A-1",
        "01JNEVERGENERATED0000000000",
        "like",
    )
    .await
    .expect_error(404, "summary_not_found");
    feedback(&feedback_app, &bob, "A-1", "{not json")
        .await
        .expect_error(400, "bad_request");
    vote(
        &feedback_app,
        &Caller::new("off", "u"),
        "A-1",
        &refreshed,
        "like",
    )
    .await
    .expect_error(403, "feature_disabled");
    without_claims(&feedback_app, Route::SubmitFeedback, "A-1", Some("{}"))
        .await
        .expect_error(401, "unauthorized");

    d.llm.assert_no_violations();

    // ---- compare with the template ----
    let mut failures = Vec::new();
    for (function, recorder) in [
        (GET, &get_calls),
        (REFRESH, &refresh_calls),
        (FEEDBACK, &feedback_calls),
    ] {
        report(function, recorder);
        let needed = d.needed_grants(function, &recorder.calls());
        let f = d.template.function_for_binary(function);
        let granted = f.grants().unwrap_or_else(|e| panic!("{e}"));
        let missing: Vec<String> = needed.difference(&granted).map(|g| g.to_string()).collect();
        let extra: Vec<String> = granted.difference(&needed).map(|g| g.to_string()).collect();
        if !missing.is_empty() || !extra.is_empty() {
            failures.push(format!(
                "{} ({function}):\n  used but not granted: {missing:#?}\n  granted but never used: {extra:#?}",
                f.logical_id
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[tokio::test]
async fn the_recorder_sees_the_index_and_the_secret_an_operation_names() {
    // The mapping the test above rests on: a Query names its index, GetSecretValue its secret.
    let d = Deployment::new().await;
    let calls = Recorder::new();
    let client = calls.dynamodb(&d.table.sdk);
    let store = summary_core::store::Store::new(client, d.table.name());
    store
        .due_summaries("SHARD#00", 0, 1, None)
        .await
        .expect("query");
    store.get_tenant("acme").await.unwrap();
    calls
        .secrets_manager(&d.table.sdk)
        .get_secret_value()
        .secret_id(&d.secret_id)
        .send()
        .await
        .unwrap();
    let recorded: Vec<(String, Vec<Resource>)> = calls
        .calls()
        .into_iter()
        .map(|c| (c.iam_action().unwrap(), c.resources))
        .collect();
    assert_eq!(
        recorded,
        vec![
            (
                "dynamodb:Query".to_string(),
                vec![Resource::Index {
                    table: d.table.name().to_string(),
                    index: summary_core::store::EXPIRY_INDEX.to_string()
                }]
            ),
            (
                "dynamodb:GetItem".to_string(),
                vec![Resource::Table(d.table.name().to_string())]
            ),
            (
                "secretsmanager:GetSecretValue".to_string(),
                vec![Resource::Secret(d.secret_id.clone())]
            ),
        ]
    );
}
