//! The deployment template (`infra/template.yaml`) against the code it deploys: the table's
//! keys, index and TTL attribute are the ones the store uses (and the index projects what the
//! scheduled refresh reads), every function's environment is what `Settings` reads, routes map
//! to the function binaries that serve them (and to API.md's routes), the schedule invokes the
//! refresh function, the functions that can call the LLM may read its secret, the alarms watch
//! metrics the code emits, and no IAM action anywhere is a wildcard.
//!
//! The IAM statements themselves are checked against the operations each function really makes
//! in `iam_exactness.rs`.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use account_summary_cli::apigw::Route;
use integration_tests::app::offline_app;
use integration_tests::client::{Caller, get};
use integration_tests::moto::TestTable;
use integration_tests::seed::basic_account;
use integration_tests::template::{Expr, Function, Grant, TableDef, Template};
use serde_yaml_ng::Value;
use summary_core::config::Settings;
use summary_core::service::RefreshPlan;
use summary_core::store::{EXPIRY_INDEX, TTL_ATTRIBUTE, refresh_shard};

/// Which function crate serves which route (the harness's `client::dispatch` calls the same
/// crates' handlers).
const ROUTES: [(Route, &str); 3] = [
    (Route::GetSummary, "summary-get"),
    (Route::RefreshSummary, "summary-refresh"),
    (Route::SubmitFeedback, "summary-feedback"),
];
const REFRESH_PACKAGE: &str = "summary-refresh";
/// API Gateway's integration timeout for HTTP APIs.
const API_GATEWAY_LIMIT_MS: u64 = 29_000;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ has a parent")
        .to_path_buf()
}

/// The logical id of the table every function's `TABLE_NAME` refers to.
fn table_id(t: &Template) -> String {
    let ids: BTreeSet<String> = t
        .functions()
        .iter()
        .map(|f| match f.environment().get("TABLE_NAME") {
            Some(Expr::Ref(id)) => id.clone(),
            other => panic!(
                "{}: TABLE_NAME must be !Ref of the table, is {other:?}",
                f.logical_id
            ),
        })
        .collect();
    assert_eq!(ids.len(), 1, "every function uses one table: {ids:?}");
    let id = ids.into_iter().next().unwrap();
    assert_eq!(
        t.resource_type(&id).as_deref(),
        Some("AWS::DynamoDB::Table"),
        "TABLE_NAME refers to {id}"
    );
    id
}

/// The table as `Store::create_table` (the code's own definition, used by the local stack and
/// the tests) creates it, read back from moto.
async fn code_table() -> TableDef {
    let table = TestTable::new().await;
    let client = table.client();
    let described = client
        .describe_table()
        .table_name(table.name())
        .send()
        .await
        .expect("DescribeTable")
        .table
        .expect("a table description");
    let key = |elements: &[aws_sdk_dynamodb::types::KeySchemaElement]| {
        let of = |kind: aws_sdk_dynamodb::types::KeyType| {
            elements
                .iter()
                .find(|e| e.key_type == kind)
                .map(|e| e.attribute_name.clone())
        };
        (
            of(aws_sdk_dynamodb::types::KeyType::Hash).unwrap_or_default(),
            of(aws_sdk_dynamodb::types::KeyType::Range),
        )
    };
    let ttl = client
        .describe_time_to_live()
        .table_name(table.name())
        .send()
        .await
        .expect("DescribeTimeToLive")
        .time_to_live_description
        .and_then(|d| d.attribute_name)
        .map(|name| (name, true));
    TableDef {
        attributes: described
            .attribute_definitions()
            .iter()
            .map(|a| {
                (
                    a.attribute_name.clone(),
                    a.attribute_type.as_str().to_string(),
                )
            })
            .collect(),
        key: key(described.key_schema()),
        indexes: described
            .global_secondary_indexes()
            .iter()
            .map(|i| {
                let projection = i
                    .projection
                    .clone()
                    .unwrap_or_else(|| aws_sdk_dynamodb::types::Projection::builder().build());
                integration_tests::template::IndexDef {
                    name: i.index_name.clone().unwrap_or_default(),
                    key: key(i.key_schema()),
                    projection_type: projection
                        .projection_type
                        .map(|p| p.as_str().to_string())
                        .unwrap_or_default(),
                    non_key_attributes: projection
                        .non_key_attributes
                        .unwrap_or_default()
                        .into_iter()
                        .collect(),
                }
            })
            .collect(),
        ttl,
        // Not part of the code's definition: checked on the template alone.
        billing_mode: None,
        point_in_time_recovery: false,
        encrypted: false,
    }
}

#[tokio::test]
async fn the_templates_table_has_the_keys_index_and_ttl_attribute_the_code_uses() {
    let t = Template::load();
    let deployed = t.table(&table_id(&t));

    assert_eq!(
        deployed.ttl,
        Some((TTL_ATTRIBUTE.to_string(), true)),
        "TTL on the attribute the code writes"
    );
    let index = deployed
        .indexes
        .iter()
        .find(|i| i.name == EXPIRY_INDEX)
        .unwrap_or_else(|| panic!("the template has no index {EXPIRY_INDEX}"));
    assert_eq!(
        index.key,
        ("refresh_shard".to_string(), Some(TTL_ATTRIBUTE.to_string()))
    );
    assert!(refresh_shard("t", "a").starts_with("SHARD#"));
    assert_eq!(deployed.billing_mode.as_deref(), Some("PAY_PER_REQUEST"));
    assert!(deployed.point_in_time_recovery, "point-in-time recovery");
    assert!(deployed.encrypted, "encryption at rest (SSE)");

    // The code's own definition (local stack, tests) is the deployed one.
    let code = code_table().await;
    assert_eq!(deployed.key, code.key, "table key schema");
    assert_eq!(
        deployed.attributes, code.attributes,
        "attribute definitions"
    );
    assert_eq!(deployed.indexes, code.indexes, "global secondary indexes");
    assert_eq!(deployed.ttl, code.ttl, "TTL attribute");
}

#[tokio::test]
async fn the_expiry_index_of_the_templates_table_projects_what_the_scheduled_refresh_reads() {
    let t = Template::load();
    // A table created in moto from the template's definition (moto applies the index's
    // projection: an attribute left out of it would come back missing).
    let table = t.table(&table_id(&t)).test_table().await;
    table
        .seed_tenant_with("acme", &[basic_account("A-1")])
        .await;
    let app = offline_app(&table);
    let body = get(&app, &Caller::new("acme", "alice"), "A-1")
        .await
        .ok()
        .clone();
    let stored = table.summary_item("acme", "A-1").await.expect("cached");
    let expires_at: i64 = stored[TTL_ATTRIBUTE].as_n().unwrap().parse().unwrap();

    let (due, _) = table
        .store
        .due_summaries(&refresh_shard("acme", "A-1"), 0, i64::MAX, None)
        .await
        .expect("the index query");
    assert_eq!(due.len(), 1, "the summary is in the index: {body}");
    let item = &due[0];
    assert_eq!(item.tenant_id, "acme");
    assert_eq!(item.account_id, "A-1");
    assert_eq!(item.expires_at, expires_at);
    assert_eq!(
        item.last_viewed_on,
        Some(time::OffsetDateTime::now_utc().date()),
        "last_viewed_at is projected (only viewed summaries are kept warm)"
    );
}

/// The environment variables `Settings::from_lookup` reads, recorded as it reads them.
fn variables_the_code_reads() -> BTreeSet<String> {
    let names = RefCell::new(BTreeSet::new());
    Settings::from_lookup(|name| {
        names.borrow_mut().insert(name.to_string());
        None
    });
    names.into_inner()
}

/// What CloudFormation would give for the resources the environment refers to.
fn deployment_refs(t: &Template) -> BTreeMap<String, String> {
    let mut refs = BTreeMap::new();
    for (id, _) in t.resources() {
        refs.insert(id.clone(), format!("physical-id-of-{id}"));
        refs.insert(format!("{id}.Arn"), format!("arn-of-{id}"));
    }
    refs.insert("JwtIssuer".into(), "https://issuer.example".into());
    refs.insert("JwtAudience".into(), "client".into());
    refs.insert("AllowedOrigin".into(), "https://app.example".into());
    refs.insert("AWS::StackName".into(), "summaries-prod".into());
    refs
}

#[test]
fn every_function_is_given_exactly_the_environment_the_code_reads() {
    let t = Template::load();
    let read = variables_the_code_reads();
    assert!(
        read.contains("TABLE_NAME") && read.contains("OPENAI_SECRET_ID"),
        "recorded {read:?}"
    );
    // RUST_LOG is read by the logging setup (lambda_http's default subscriber).
    let mut expected = read.clone();
    expected.insert("RUST_LOG".to_string());
    let table = table_id(&t);
    let refs = deployment_refs(&t);
    for f in t.functions() {
        let env = f.environment();
        let names: BTreeSet<String> = env.keys().cloned().collect();
        assert_eq!(
            names, expected,
            "{}: the environment names differ from what the code reads",
            f.logical_id
        );

        // The values make the settings the deployment means, none silently defaulted.
        let resolved = t.resolved_environment(&f, &refs);
        let settings = Settings::from_lookup(|n| resolved.get(n).cloned());
        assert_eq!(settings.table_name, format!("physical-id-of-{table}"));
        assert_eq!(
            settings.openai_secret_id.as_deref(),
            resolved.get("OPENAI_SECRET_ID").map(String::as_str),
            "{}: the OpenAI engine is configured",
            f.logical_id
        );
        assert!(settings.openai_secret_id.is_some());
        for numeric in ["GENERATION_DEADLINE_MS", "TENANT_CACHE_SECONDS"] {
            assert!(
                resolved[numeric].parse::<u64>().is_ok(),
                "{}: {numeric} = {:?} is not a number (the code would silently use its default)",
                f.logical_id,
                resolved[numeric]
            );
        }
        assert_eq!(
            settings.openai.deadline.as_millis() as u64,
            resolved["GENERATION_DEADLINE_MS"].parse::<u64>().unwrap()
        );
        assert_eq!(
            settings.metrics_namespace, "AccountSummary/summaries-prod",
            "{}: metrics are kept apart per stack",
            f.logical_id
        );
        assert!(
            settings.openai.deadline.as_millis() < u128::from(API_GATEWAY_LIMIT_MS),
            "a request's generation deadline is within API Gateway's 29 s"
        );
        assert_eq!(
            env["TENANT_CLAIM"],
            Expr::Ref("TenantClaim".into()),
            "the tenant claim is the parameter the JWT authorizer's users set"
        );
    }
}

/// The binary a function package builds: its name, from `src/main.rs` with no `[[bin]]`.
fn binary_of_package(package: &str) -> String {
    let dir = repo_root().join("functions").join(package);
    let manifest = std::fs::read_to_string(dir.join("Cargo.toml"))
        .unwrap_or_else(|e| panic!("functions/{package}/Cargo.toml: {e}"));
    assert!(
        !manifest.contains("[[bin]]"),
        "functions/{package} declares [[bin]] targets: read their names here"
    );
    assert!(
        manifest.contains(&format!("name = \"{package}\"")),
        "functions/{package}/Cargo.toml names the package {package}"
    );
    assert!(dir.join("src/main.rs").exists(), "{package} has a binary");
    package.to_string()
}

#[test]
fn routes_map_to_the_function_binaries_that_serve_them_and_to_api_md() {
    let t = Template::load();
    let apis = t.resources_of_type("AWS::Serverless::HttpApi");
    assert_eq!(apis.len(), 1, "one HTTP API: {apis:?}");
    let api = Expr::Ref(apis[0].clone());

    let mut deployed = BTreeMap::new();
    for f in t.functions() {
        assert_eq!(f.build_method().as_deref(), Some("rust-cargolambda"));
        assert_eq!(
            f.property("Runtime").and_then(Value::as_str),
            Some("provided.al2023")
        );
        assert_eq!(
            f.property("Architectures"),
            Some(&Value::Sequence(vec![Value::String("arm64".into())]))
        );
        assert_eq!(
            f.property("Handler").and_then(Value::as_str),
            Some("bootstrap")
        );
        let code_uri = f.property("CodeUri").and_then(Value::as_str).unwrap_or("");
        let workspace = repo_root().join("infra").join(code_uri);
        let manifest = std::fs::read_to_string(workspace.join("Cargo.toml")).unwrap_or_default();
        assert!(
            manifest.contains("[workspace]"),
            "{}: CodeUri {code_uri} is the cargo workspace (relative to infra/)",
            f.logical_id
        );
        let binary = f.binary().unwrap_or_default();
        for route in f.http_routes() {
            assert_eq!(route.api.as_ref(), Some(&api), "{}: ApiId", f.logical_id);
            let key = format!("{} {}", route.method, route.path);
            assert!(
                deployed.insert(key.clone(), binary.clone()).is_none(),
                "{key} is routed twice"
            );
        }
    }

    let expected: BTreeMap<String, String> = ROUTES
        .iter()
        .map(|(route, package)| (route.route_key().to_string(), binary_of_package(package)))
        .collect();
    assert_eq!(deployed, expected, "routes → binaries");

    match integration_tests::template::api_md_routes() {
        Some(documented) => assert_eq!(
            deployed.keys().cloned().collect::<BTreeSet<_>>(),
            documented,
            "the template's routes are API.md's"
        ),
        None => eprintln!(
            "note: ../shared/API.md is not beside the repository; compared with the local gateway's routes only"
        ),
    }
}

/// The period of a `rate(N unit)` expression.
fn rate_period(expression: &str) -> time::Duration {
    let inner = expression
        .strip_prefix("rate(")
        .and_then(|s| s.strip_suffix(')'))
        .unwrap_or_else(|| panic!("{expression} is not a rate() expression"));
    let (n, unit) = inner.split_once(' ').expect("rate(N unit)");
    let n: i64 = n.parse().expect("a number");
    match unit.trim_end_matches('s') {
        "minute" => time::Duration::minutes(n),
        "hour" => time::Duration::hours(n),
        "day" => time::Duration::days(n),
        other => panic!("unit {other}"),
    }
}

#[test]
fn the_schedule_invokes_the_refresh_function_often_enough_for_its_window() {
    let t = Template::load();
    let refresh_binary = binary_of_package(REFRESH_PACKAGE);
    for f in t.functions() {
        let schedules = f.schedules();
        if f.binary().as_deref() == Some(refresh_binary.as_str()) {
            assert_eq!(schedules.len(), 1, "the refresh function has one schedule");
            let period = rate_period(&schedules[0]);
            let window = RefreshPlan::default().window;
            assert!(
                period < window,
                "a run every {period} must not leave gaps in a {window} look-ahead window"
            );
            let timeout = f.number("Timeout").expect("a timeout");
            assert!(
                timeout >= 300,
                "the scheduled run has minutes, not seconds ({timeout} s)"
            );
        } else {
            assert!(
                schedules.is_empty(),
                "{} is scheduled: only the refresh function handles scheduled events",
                f.logical_id
            );
        }
        for (name, kind, _) in f.events() {
            assert!(
                ["HttpApi", "Schedule", "ScheduleV2"].contains(&kind.as_str()),
                "{}: event {name} of type {kind} reaches no handler",
                f.logical_id
            );
        }
    }
    // No other rule or schedule invokes anything.
    assert!(t.resources_of_type("AWS::Events::Rule").is_empty());
    assert!(t.resources_of_type("AWS::Scheduler::Schedule").is_empty());
}

#[test]
fn the_functions_that_can_call_the_llm_may_read_its_secret() {
    let t = Template::load();
    // The functions whose requests generate summaries: GET (on a miss) and refresh.
    for package in ["summary-get", "summary-refresh"] {
        let f = t.function_for_binary(&binary_of_package(package));
        let secret = f.environment()["OPENAI_SECRET_ID"].clone();
        let grant = Grant {
            action: "secretsmanager:GetSecretValue".into(),
            resource: secret.clone(),
        };
        assert!(
            f.grants().unwrap().contains(&grant),
            "{}: needs {grant}",
            f.logical_id
        );
        // The secret is the template's own (created empty) unless an ARN is given.
        match &secret {
            Expr::If(_, created, given) => {
                let Expr::Ref(id) = created.as_ref() else {
                    panic!("{secret}")
                };
                assert_eq!(
                    t.resource_type(id).as_deref(),
                    Some("AWS::SecretsManager::Secret")
                );
                assert!(matches!(given.as_ref(), Expr::Ref(p) if t.is_parameter(p)));
            }
            other => panic!("OPENAI_SECRET_ID is {other}"),
        }
    }
}

/// Every `Action` / `NotAction` value anywhere in the template.
fn actions(v: &Value, found: &mut Vec<(String, String)>) {
    match v {
        Value::Mapping(m) => {
            for (k, v) in m {
                let key = k.as_str().unwrap_or_default();
                if key == "Action" || key == "NotAction" {
                    let values = match v {
                        Value::Sequence(items) => items.clone(),
                        other => vec![other.clone()],
                    };
                    for a in values {
                        found.push((
                            key.to_string(),
                            a.as_str()
                                .map(str::to_string)
                                .unwrap_or_else(|| format!("{a:?}")),
                        ));
                    }
                }
                actions(v, found);
            }
        }
        Value::Sequence(items) => items.iter().for_each(|i| actions(i, found)),
        Value::Tagged(t) => actions(&t.value, found),
        _ => {}
    }
}

#[test]
fn no_iam_action_is_a_wildcard_and_every_grant_is_an_explicit_statement() {
    let t = Template::load();
    let mut found = Vec::new();
    actions(&Value::Mapping(t.root.clone()), &mut found);
    assert!(!found.is_empty());
    for (key, action) in &found {
        assert_eq!(key, "Action", "NotAction grants everything else");
        assert!(
            !action.contains('*') && !action.contains('?'),
            "wildcard action {action}"
        );
        assert!(action.contains(':'), "{action} is service:Operation");
    }
    for f in t.functions() {
        let grants: Vec<Grant> = f
            .grants()
            .unwrap_or_else(|e| panic!("{e}"))
            .into_iter()
            .collect();
        for g in &grants {
            assert_ne!(
                g.resource,
                Expr::Literal("*".into()),
                "{}: {g}",
                f.logical_id
            );
        }
        assert!(
            f.property("Role").is_none(),
            "{}: a Role of its own would bypass these statements",
            f.logical_id
        );
    }
}

#[test]
fn the_alarms_watch_every_function_and_the_fallback_metric_the_code_emits() {
    let t = Template::load();
    let alarms: Vec<_> = t
        .resources_of_type("AWS::CloudWatch::Alarm")
        .into_iter()
        .map(|id| (id.clone(), t.properties(&id)))
        .collect();
    let text = |v: &serde_yaml_ng::Mapping| serde_yaml_ng::to_string(v).unwrap();
    for f in t.functions() {
        for metric in ["Errors", "Throttles"] {
            let watched = alarms.iter().any(|(_, p)| {
                let s = text(p);
                s.contains(&format!("MetricName: {metric}"))
                    && s.contains(&format!("!Ref {}", f.logical_id))
            });
            assert!(watched, "no alarm on {metric} of {}", f.logical_id);
        }
    }
    // The fallback rate: from the EMF lines `metrics::emit` writes, in the namespace the
    // functions are given.
    let refs = deployment_refs(&t);
    let given = t.resolved_environment(&t.functions()[0], &refs)["METRICS_NAMESPACE"].clone();
    let line = summary_core::metrics::emf_line(
        &summary_core::metrics::GenerationMetrics {
            tenant_id: "t",
            source: summary_core::summary::Source::Fallback,
            latency_ms: 1,
            usage: None,
            ungrounded: 0,
        },
        &given,
        0,
    );
    let emf = &line["_aws"]["CloudWatchMetrics"][0];
    let declared: Vec<&str> = emf["Metrics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["Name"].as_str().unwrap())
        .collect();
    assert!(
        emf["Dimensions"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!(["Source"]))
    );
    let fallback = alarms
        .iter()
        .find(|(_, p)| text(p).contains("MetricName: Generations"))
        .unwrap_or_else(|| panic!("no alarm on the generation metrics (fallback rate)"));
    let namespaces: Vec<String> = text(&fallback.1)
        .lines()
        .filter(|l| l.trim_start().starts_with("Namespace:"))
        .map(|l| {
            let yaml = l.trim_start();
            let value: serde_yaml_ng::Mapping = serde_yaml_ng::from_str(yaml).unwrap();
            let expr = Expr::from_yaml(&value[&serde_yaml_ng::Value::from("Namespace")]);
            t.resolve(&expr, &refs)
                .unwrap_or_else(|e| panic!("{yaml}: {e}"))
        })
        .collect();
    assert_eq!(
        namespaces,
        [given.as_str(), given.as_str()],
        "the alarm reads the namespace the functions write"
    );
    let s = text(&fallback.1);
    assert!(declared.contains(&"Generations"));
    assert!(s.contains("MetricName: Generations"));
    use summary_core::summary::Source;
    for source in [Source::Ai.as_str(), Source::Fallback.as_str()] {
        assert!(
            s.contains(&format!("Value: {source}")),
            "the fallback rate counts Source={source}"
        );
    }
}

#[test]
fn the_template_reads_as_expected_by_these_checks() {
    // Guards against a template these checks would silently read as empty.
    let t = Template::load();
    assert_eq!(t.functions().len(), ROUTES.len());
    let f: &Function = &t.functions()[0];
    assert!(!f.environment().is_empty());
}
