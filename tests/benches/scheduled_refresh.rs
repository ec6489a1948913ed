//! Benchmark of the scheduled refresh at scale, against moto and a scripted LLM with a fixed
//! latency. Not a test: run it with `make bench-refresh` (which starts moto), or
//! `scripts/with-moto.sh cargo bench -p integration-tests --bench scheduled_refresh`.
//!
//! 1. Seeds BENCH_ACCOUNTS (2,000) accounts over BENCH_TENANTS (10) tenants, each with a
//!    cached AI summary viewed today and expiring within the refresh window, whose input
//!    hash is stale: every one is due and must be regenerated.
//! 2. Run 1: `refresh_due` at concurrency BENCH_CONCURRENCY (50; per-tenant limit the same)
//!    against an LLM answering after BENCH_LLM_MS (2,000 ms). Reports the time against the
//!    ideal N × latency ÷ C, and the share of time spent in DynamoDB calls.
//! 3. Run 2: makes every summary due again and changes 100 − BENCH_UNCHANGED_PCT (80) % of
//!    the accounts; reports the LLM calls saved by unchanged-input skipping.
//!
//! DynamoDB time is measured by an interceptor on the service's DynamoDB client: from the
//! start to the end of each operation's execution (serialization, signing, the HTTP round
//! trip to moto, retries, deserialization), summed over all operations and broken down by
//! operation. "Share of time in DynamoDB" is that sum divided by C × the run's wall time:
//! the fraction of the run's generation slots spent waiting on DynamoDB rather than the LLM.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aws_sdk_dynamodb::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::{
    BeforeSerializationInterceptorContextRef, FinalizerInterceptorContextRef,
};
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_types::config_bag::{Storable, StoreReplace};
use integration_tests::app::{TEST_MODEL, openai_settings};
use integration_tests::llm::{Reply, ScriptedLlm};
use integration_tests::moto::TestTable;
use integration_tests::seed::{SAMPLE_AS_OF, account, enabled_tenant};
use summary_core::attributes::Account;
use summary_core::engine::openai::OpenAiEngine;
use summary_core::engine::{Engine, offline_summary};
use summary_core::prompt::PROMPT_VERSION;
use summary_core::secrets::ApiKeySource;
use summary_core::service::{RefreshPlan, RefreshReport, SummaryService};
use summary_core::store::Store;
use summary_core::summary::{Source, Summary};
use time::OffsetDateTime;
use tokio::sync::Semaphore;

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(default)
}

/// Time spent in DynamoDB operations, in total and per operation.
#[derive(Debug, Default)]
struct DynamoTime {
    nanos: AtomicU64,
    calls: AtomicU64,
    by_operation: Mutex<BTreeMap<String, (u64, u64)>>,
}

impl DynamoTime {
    fn reset(&self) {
        self.nanos.store(0, Ordering::Relaxed);
        self.calls.store(0, Ordering::Relaxed);
        self.by_operation.lock().unwrap().clear();
    }

    fn total(&self) -> Duration {
        Duration::from_nanos(self.nanos.load(Ordering::Relaxed))
    }
}

#[derive(Debug, Clone)]
struct Started(Instant);

impl Storable for Started {
    type Storer = StoreReplace<Self>;
}

#[derive(Debug, Clone)]
struct Timing(Arc<DynamoTime>);

impl Intercept for Timing {
    fn name(&self) -> &'static str {
        "BenchDynamoTiming"
    }

    fn read_before_execution(
        &self,
        _context: &BeforeSerializationInterceptorContextRef<'_>,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        cfg.interceptor_state().store_put(Started(Instant::now()));
        Ok(())
    }

    fn read_after_execution(
        &self,
        _context: &FinalizerInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if let Some(Started(at)) = cfg.load::<Started>() {
            let nanos = at.elapsed().as_nanos() as u64;
            self.0.nanos.fetch_add(nanos, Ordering::Relaxed);
            self.0.calls.fetch_add(1, Ordering::Relaxed);
            let operation = cfg
                .load::<Metadata>()
                .map_or("?".to_string(), |m| m.name().to_string());
            let mut by = self.0.by_operation.lock().unwrap();
            let entry = by.entry(operation).or_default();
            entry.0 += 1;
            entry.1 += nanos;
        }
        Ok(())
    }
}

fn bench_account(index: usize, changed: bool) -> Account {
    let seats = (10 + index % 90).to_string();
    let trend = format!("{}.5", (index % 40) as i64 - 20);
    let mut cells = vec![
        ("account_name", format!("Customer {index}")),
        (
            "plan_tier",
            ["Basic", "Pro", "Enterprise"][index % 3].to_string(),
        ),
        ("seats", seats),
        ("status", "active".to_string()),
        ("next_renewal_date", "2027-03-15".to_string()),
        ("usage_trend_pct", trend),
        ("tickets_last_90d", (index % 7).to_string()),
    ];
    if changed {
        cells.push(("avg_csat_last_180d", "3.9".to_string()));
    }
    let cells: Vec<(&str, &str)> = cells.iter().map(|(k, v)| (*k, v.as_str())).collect();
    account(&format!("B-{index:05}"), &cells)
}

/// Runs `jobs` with at most `width` in flight.
async fn bounded<F>(width: usize, jobs: Vec<F>)
where
    F: std::future::Future<Output = ()> + Send + 'static,
{
    let slots = Arc::new(Semaphore::new(width));
    let mut set = tokio::task::JoinSet::new();
    for job in jobs {
        let permit = slots.clone().acquire_owned().await.unwrap();
        set.spawn(async move {
            job.await;
            drop(permit);
        });
    }
    while let Some(done) = set.join_next().await {
        done.expect("a seeding task failed");
    }
}

/// Every account with an AI summary viewed today, expiring in 30 minutes, whose input hash
/// no longer matches (as if the account changed since): all due, all to regenerate.
async fn seed(store: &Store, tenants: &[String], accounts: usize) {
    for tenant in tenants {
        store.put_tenant(&enabled_tenant(tenant)).await.unwrap();
    }
    let now = OffsetDateTime::now_utc();
    let jobs = (0..accounts)
        .map(|i| {
            let store = store.clone();
            let tenant = tenants[i % tenants.len()].clone();
            async move {
                let account = bench_account(i, false);
                store.put_account(&tenant, &account).await.unwrap();
                let written = offline_summary(&account, &enabled_tenant(&tenant), SAMPLE_AS_OF);
                let summary = Summary {
                    summary_id: ulid::Ulid::new().to_string(),
                    account_id: account.account_id.clone(),
                    generated_at: now - time::Duration::hours(11),
                    expires_at: now + time::Duration::minutes(30),
                    source: Source::Ai,
                    model: Some(TEST_MODEL.to_string()),
                    prompt_version: PROMPT_VERSION.to_string(),
                    sections: written.sections,
                    input_hash: "seeded-before-the-account-changed".to_string(),
                    usage: None,
                    ungrounded: Vec::new(),
                    likes: 0,
                    dislikes: 0,
                    last_viewed_on: Some(now.date()),
                };
                store.put_summary(&tenant, &summary).await.unwrap();
            }
        })
        .collect();
    bounded(64, jobs).await;
}

/// Makes every summary due again (expiring in 30 minutes) and changes the accounts whose
/// index is not in the unchanged share.
async fn age_and_change(
    table: &TestTable,
    tenants: &[String],
    accounts: usize,
    unchanged_pct: u64,
) {
    let jobs = (0..accounts)
        .map(|i| {
            let store = table.store();
            let client = table.client().clone();
            let name = table.name().to_string();
            let tenant = tenants[i % tenants.len()].clone();
            let change = (i as u64 * 100 / accounts as u64) >= unchanged_pct;
            async move {
                let account = bench_account(i, change);
                if change {
                    store.put_account(&tenant, &account).await.unwrap();
                }
                let at = OffsetDateTime::now_utc().unix_timestamp() + 1800;
                client
                    .update_item()
                    .table_name(name)
                    .key(
                        "pk",
                        aws_sdk_dynamodb::types::AttributeValue::S(format!(
                            "ACCOUNT#{tenant}#{}",
                            account.account_id
                        )),
                    )
                    .key(
                        "sk",
                        aws_sdk_dynamodb::types::AttributeValue::S("SUMMARY".into()),
                    )
                    .update_expression("SET expires_at = :e")
                    .expression_attribute_values(
                        ":e",
                        aws_sdk_dynamodb::types::AttributeValue::N(at.to_string()),
                    )
                    .send()
                    .await
                    .unwrap();
            }
        })
        .collect();
    bounded(64, jobs).await;
}

struct Run {
    report: RefreshReport,
    wall: Duration,
    llm_requests: usize,
    dynamo: Duration,
    dynamo_calls: u64,
    by_operation: BTreeMap<String, (u64, u64)>,
}

async fn run(
    service: &SummaryService,
    plan: &RefreshPlan,
    llm: &ScriptedLlm,
    timing: &DynamoTime,
) -> Run {
    timing.reset();
    let before = llm.request_count();
    let started = Instant::now();
    let report = service.refresh_due(plan).await.expect("the run succeeded");
    let wall = started.elapsed();
    Run {
        report,
        wall,
        llm_requests: llm.request_count() - before,
        dynamo: timing.total(),
        dynamo_calls: timing.calls.load(Ordering::Relaxed),
        by_operation: timing.by_operation.lock().unwrap().clone(),
    }
}

fn print_dynamo(run: &Run, concurrency: usize) {
    let slot_time = run.wall.as_secs_f64() * concurrency as f64;
    println!(
        "  DynamoDB: {} calls, {:.1} s summed = {:.1} % of the run's {} generation slots × {:.1} s",
        run.dynamo_calls,
        run.dynamo.as_secs_f64(),
        100.0 * run.dynamo.as_secs_f64() / slot_time,
        concurrency,
        run.wall.as_secs_f64()
    );
    for (operation, (calls, nanos)) in &run.by_operation {
        println!(
            "    {operation:<14} {calls:>6} calls, mean {:>6.1} ms",
            *nanos as f64 / *calls as f64 / 1e6
        );
    }
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    // `cargo bench` passes `--bench`; nothing else is accepted.
    let accounts = env_number("BENCH_ACCOUNTS", 2000) as usize;
    let concurrency = env_number("BENCH_CONCURRENCY", 50) as usize;
    let tenant_count = env_number("BENCH_TENANTS", 10).max(1) as usize;
    let latency = Duration::from_millis(env_number("BENCH_LLM_MS", 2000));
    let unchanged_pct = env_number("BENCH_UNCHANGED_PCT", 80).min(100);

    let table = TestTable::new().await;
    let tenants: Vec<String> = (0..tenant_count).map(|t| format!("bench-{t:02}")).collect();
    let seeding = Instant::now();
    seed(&table.store(), &tenants, accounts).await;
    println!(
        "seeded {accounts} accounts and due summaries over {tenant_count} tenants in {:.1} s",
        seeding.elapsed().as_secs_f64()
    );

    let llm = ScriptedLlm::start().await;
    llm.set_fallback(Reply::echo().after(latency));
    let timing = Arc::new(DynamoTime::default());
    let dynamo_config = aws_sdk_dynamodb::config::Builder::from(&table.sdk)
        .interceptor(Timing(timing.clone()))
        .build();
    let store = Store::new(
        aws_sdk_dynamodb::Client::from_conf(dynamo_config),
        table.name(),
    );
    let engine = Engine::OpenAi(OpenAiEngine::new(
        openai_settings(&llm),
        ApiKeySource::Static(llm.api_key()),
    ));
    let service = SummaryService::new(store, engine);
    let plan = RefreshPlan {
        concurrency,
        per_tenant_concurrency: concurrency,
        ..RefreshPlan::default()
    };

    let first = run(&service, &plan, &llm, &timing).await;
    let ideal = latency.as_secs_f64() * accounts as f64 / concurrency as f64;
    println!();
    println!(
        "run 1: {accounts} due, every input changed; C = {concurrency}, LLM latency {} ms",
        latency.as_millis()
    );
    println!("  report: {:?}", first.report);
    println!(
        "  time {:.1} s; ideal {accounts} × {:.1} s ÷ {concurrency} = {ideal:.1} s; ratio {:.3}",
        first.wall.as_secs_f64(),
        latency.as_secs_f64(),
        first.wall.as_secs_f64() / ideal
    );
    println!("  LLM requests: {}", first.llm_requests);
    print_dynamo(&first, concurrency);
    llm.assert_no_violations();

    age_and_change(&table, &tenants, accounts, unchanged_pct).await;
    let second = run(&service, &plan, &llm, &timing).await;
    let saved = accounts - second.llm_requests;
    println!();
    println!("run 2: {accounts} due again, {unchanged_pct} % of inputs unchanged");
    println!("  report: {:?}", second.report);
    println!(
        "  time {:.1} s; LLM requests {} of {accounts}: {saved} saved ({:.1} %)",
        second.wall.as_secs_f64(),
        second.llm_requests,
        100.0 * saved as f64 / accounts as f64
    );
    print_dynamo(&second, concurrency);
    assert_eq!(
        first.report.regenerated as usize, accounts,
        "run 1 regenerated all"
    );
    assert_eq!(
        first.llm_requests, accounts,
        "one LLM request per due summary"
    );
}
