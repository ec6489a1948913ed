//! The three function binaries as Lambda runs them, measured from the outside (`make bench`,
//! which builds them in release first and starts moto). Not a test: nothing here asserts a
//! time.
//!
//! Each binary runs as its own process against a local Runtime API
//! (`integration_tests::runtime_api`), with `AWS_ENDPOINT_URL` at a proxy counting AWS requests
//! by `X-Amz-Target` in front of moto, `OPENAI_BASE_URL` at the scripted LLM server and
//! `OPENAI_SECRET_ID` naming a real secret in moto. Events are API Gateway HTTP API (v2) events
//! with the JWT authorizer's claims, built as the local gateway builds them.
//!
//! 1. Cold start, BENCH_COLD_STARTS (30) times per binary, interleaved: init (process start to
//!    the runtime's first `next` request) and the first invocation, against the floor
//!    (`tests/floor-lambda`).
//! 2. Steady state, one process per binary: BENCH_REQUESTS (1,000) requests after the first;
//!    AWS and LLM requests per request, CPU per request (the process's CPU clock,
//!    all threads), latency, and peak RSS (VmHWM) over the whole life of the process.
//!
//! Writes `functions.md` (a BENCHMARKS.md fragment) and `functions.json` to BENCH_OUT_DIR
//! (`target/bench`). Binaries come from BENCH_BIN_DIR (`target/release`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use account_summary_cli::apigw::{GatewayRequest, Route, render_claims};
use account_summary_cli::token::{JwtSecret, TokenSubject, mint, verify};
use anyhow::{Context, Result, anyhow, bail, ensure};
use integration_tests::app::{TEST_MODEL, openai_app};
use integration_tests::client::{Caller, get};
use integration_tests::counting_proxy::CountingProxy;
use integration_tests::llm::{Reply, ScriptedLlm, TEST_API_KEY};
use integration_tests::moto::{TestTable, endpoint};
use integration_tests::runtime_api::{Invocation, RuntimeApi};
use integration_tests::seed::{basic_account, enabled_tenant};
use serde_json::{Value, json};
use tokio::process::{Child, Command};

const TENANT: &str = "bench";
const SECRET_ID: &str = "bench/openai-api-key";
/// Accounts with a cached summary, read by the GETs and voted on by the feedback POSTs.
const CACHED_ACCOUNTS: usize = 50;
/// Distinct users per account in the steady-state runs.
const USERS: usize = 20;
const INVOKE_LIMIT: Duration = Duration::from_secs(60);

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(default)
}

fn workspace_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ is inside the workspace")
        .to_path_buf()
}

fn dir_from_env(name: &str, default: impl FnOnce() -> PathBuf) -> PathBuf {
    std::env::var_os(name)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(default)
}

/// One function binary and how Lambda is configured to run it (infra/template.yaml).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Function {
    Floor,
    Get,
    Refresh,
    Feedback,
}

impl Function {
    const ALL: [Function; 4] = [
        Function::Floor,
        Function::Get,
        Function::Feedback,
        Function::Refresh,
    ];

    fn binary(self) -> &'static str {
        match self {
            Function::Floor => "floor-lambda",
            Function::Get => "summary-get",
            Function::Refresh => "summary-refresh",
            Function::Feedback => "summary-feedback",
        }
    }

    fn memory_mb(self) -> u32 {
        match self {
            Function::Feedback => 128,
            _ => 256,
        }
    }

    fn timeout(self) -> Duration {
        match self {
            Function::Get => Duration::from_secs(28),
            Function::Refresh => Duration::from_secs(900),
            Function::Floor | Function::Feedback => Duration::from_secs(10),
        }
    }
}

/// The table, the servers and the callers every run shares.
struct Bench {
    bin_dir: PathBuf,
    log_dir: PathBuf,
    table: TestTable,
    llm: ScriptedLlm,
    proxy: CountingProxy,
    /// Summary id of each cached account (`G-000`...).
    cached: Vec<(String, String)>,
    jwt: JwtSecret,
    next_refresh_account: usize,
    refresh_accounts: usize,
}

impl Bench {
    /// The claims the JWT authorizer hands over for a development token of `user`: minted
    /// and verified as the local gateway does, rendered as API Gateway renders them.
    fn claims(&self, user: &str) -> Result<BTreeMap<String, String>> {
        let subject = TokenSubject {
            tenant_claim: "tenant_id".into(),
            tenant: TENANT.into(),
            user: user.into(),
            roles: vec!["csm".into()],
        };
        let token = mint(
            &self.jwt,
            &subject,
            time::OffsetDateTime::now_utc(),
            time::Duration::hours(2),
        )?;
        Ok(render_claims(&verify(&self.jwt, &token)?))
    }

    fn get_event(&self, index: usize, user: &str) -> Result<Value> {
        let (account, _) = &self.cached[index % self.cached.len()];
        Ok(GatewayRequest::new(Route::GetSummary, account)
            .claims(self.claims(user)?)
            .event())
    }

    fn feedback_event(&self, index: usize, user: &str, vote: &str) -> Result<Value> {
        let (account, summary_id) = &self.cached[index % self.cached.len()];
        Ok(GatewayRequest::new(Route::SubmitFeedback, account)
            .claims(self.claims(user)?)
            .body(json!({"summary_id": summary_id, "vote": vote}).to_string())
            .event())
    }

    /// A hard refresh of an account nobody has refreshed yet (the gate admits one per
    /// account per minute).
    fn refresh_event(&mut self, user: &str) -> Result<Value> {
        ensure!(
            self.next_refresh_account < self.refresh_accounts,
            "all {} refresh accounts are used: raise the seed",
            self.refresh_accounts
        );
        let account = refresh_account(self.next_refresh_account);
        self.next_refresh_account += 1;
        Ok(GatewayRequest::new(Route::RefreshSummary, &account)
            .claims(self.claims(user)?)
            .event())
    }

    /// The event a steady-state or first request of `function` sends.
    fn event(&mut self, function: Function, index: usize) -> Result<Value> {
        let user = format!("user-{:02}", index % USERS);
        match function {
            Function::Floor | Function::Get => self.get_event(index, &user),
            Function::Refresh => self.refresh_event(&user),
            Function::Feedback => {
                // Each user flips their vote every round, so every POST changes a count.
                let vote = if (index / USERS).is_multiple_of(2) {
                    "like"
                } else {
                    "dislike"
                };
                self.feedback_event(index, &user, vote)
            }
        }
    }

    fn function_env(&self, function: Function, api: &RuntimeApi) -> Vec<(String, String)> {
        let mut env = api.lambda_env(function.binary(), function.memory_mb());
        let fixed = [
            ("AWS_REGION", "us-east-1".to_string()),
            ("AWS_DEFAULT_REGION", "us-east-1".to_string()),
            ("AWS_ACCESS_KEY_ID", "test".to_string()),
            ("AWS_SECRET_ACCESS_KEY", "test".to_string()),
            ("AWS_SESSION_TOKEN", "test".to_string()),
            (
                "AWS_EXECUTION_ENV",
                "AWS_Lambda_provided.al2023".to_string(),
            ),
            ("AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand".to_string()),
            ("TZ", ":UTC".to_string()),
            ("AWS_ENDPOINT_URL", self.proxy.url()),
            ("TABLE_NAME", self.table.name().to_string()),
            ("TENANT_CLAIM", "tenant_id".to_string()),
            ("OPENAI_SECRET_ID", SECRET_ID.to_string()),
            ("OPENAI_BASE_URL", self.llm.base_url()),
            ("OPENAI_MODEL", TEST_MODEL.to_string()),
            ("GENERATION_DEADLINE_MS", "20000".to_string()),
            ("TENANT_CACHE_SECONDS", "30".to_string()),
            ("RUST_LOG", "info".to_string()),
        ];
        env.extend(fixed.into_iter().map(|(k, v)| (k.to_string(), v)));
        env
    }

    /// Starts `function` as Lambda would (a clean environment, logs to a file); returns the
    /// process and when it was started.
    fn spawn(
        &self,
        function: Function,
        api: &RuntimeApi,
        extra_env: &[(String, String)],
    ) -> Result<(Child, Instant)> {
        let binary = self.bin_dir.join(function.binary());
        let log_path = self.log_dir.join(format!("{}.log", function.binary()));
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log_path)
            .with_context(|| format!("opening {}", log_path.display()))?;
        let mut command = Command::new(&binary);
        command
            .env_clear()
            .envs(self.function_env(function, api))
            .envs(extra_env.iter().cloned())
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .kill_on_drop(true);
        let started = Instant::now();
        let child = command
            .spawn()
            .with_context(|| format!("starting {}", binary.display()))?;
        Ok((child, started))
    }
}

fn refresh_account(index: usize) -> String {
    format!("R-{index:05}")
}

fn cached_account(index: usize) -> String {
    format!("G-{index:03}")
}

/// The HTTP status of an API Gateway response the function returned; the floor's constant
/// answer has one too.
fn status_of(function: Function, invocation: &Invocation) -> Result<u64> {
    let response = invocation
        .response_json()
        .map_err(|e| anyhow!("{}: {e}", function.binary()))?;
    response["statusCode"]
        .as_u64()
        .ok_or_else(|| anyhow!("{}: no statusCode in {response}", function.binary()))
}

fn expect_ok(function: Function, invocation: &Invocation) -> Result<()> {
    let status = status_of(function, invocation)?;
    if status != 200 {
        bail!(
            "{} answered {status}: {:?}",
            function.binary(),
            invocation.response_json()
        );
    }
    Ok(())
}

struct ColdStart {
    init: Duration,
    first_invocation: Duration,
}

/// What the cold-start series start: a binary, and the environment it is given on top.
struct Subject {
    label: String,
    function: Function,
    extra_env: Vec<(String, String)>,
}

impl Subject {
    fn plain(function: Function) -> Subject {
        Subject {
            label: function.binary().to_string(),
            function,
            extra_env: Vec::new(),
        }
    }
}

/// The system's CA bundle, if this machine has one where rustls-native-certs looks first.
fn ca_bundle() -> Option<String> {
    [
        "/etc/ssl/certs/ca-certificates.crt",
        "/etc/pki/tls/certs/ca-bundle.crt",
    ]
    .into_iter()
    .find(|path| Path::new(path).is_file())
    .map(str::to_string)
}

async fn cold_start(bench: &mut Bench, subject: &Subject, index: usize) -> Result<ColdStart> {
    let function = subject.function;
    let api = RuntimeApi::start(function.binary(), function.timeout()).await?;
    let event = bench.event(function, index)?;
    let (mut child, started) = bench.spawn(function, &api, &subject.extra_env)?;
    let polled = api
        .first_poll(Duration::from_secs(20))
        .await
        .map_err(|e| anyhow!("{}: {e}", function.binary()))?;
    let first = api
        .invoke(&event, INVOKE_LIMIT)
        .await
        .map_err(|e| anyhow!("{}: {e}", function.binary()))?;
    expect_ok(function, &first)?;
    child.kill().await.ok();
    Ok(ColdStart {
        init: polled - started,
        first_invocation: first.latency,
    })
}

/// CPU time a process has used so far, all its threads (ended ones too), in nanoseconds:
/// the kernel's per-process CPU clock (`clock_getcpuclockid`). This kernel has no
/// per-thread schedstat, and `/proc/PID/stat` counts only in 10 ms ticks.
fn process_cpu(pid: u32) -> Result<Duration> {
    let mut clock: libc::clockid_t = 0;
    // SAFETY: plain libc calls writing into locals we own.
    let found = unsafe { libc::clock_getcpuclockid(pid as libc::pid_t, &mut clock) };
    ensure!(found == 0, "no CPU clock for process {pid} (error {found})");
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: as above.
    let read = unsafe { libc::clock_gettime(clock, &mut now) };
    ensure!(
        read == 0,
        "reading the CPU clock of process {pid}: {}",
        std::io::Error::last_os_error()
    );
    Ok(Duration::new(now.tv_sec as u64, now.tv_nsec as u32))
}

/// User and system CPU time of a process in clock ticks (`utime`, `stime` of `/proc/PID/stat`).
fn process_ticks(pid: u32) -> Result<(u64, u64)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    // Fields after the command name (which may hold spaces): state is the first, utime the 12th.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    let field = |i: usize| -> Result<u64> {
        fields
            .get(i)
            .and_then(|v| v.parse().ok())
            .with_context(|| format!("parsing /proc/{pid}/stat"))
    };
    Ok((field(11)?, field(12)?))
}

/// `VmHWM` (peak resident set) of a process, in kB.
fn peak_rss_kb(pid: u32) -> Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .context("no VmHWM in /proc/PID/status")
}

/// Batches the steady-state requests are measured in: the median batch is reported, so that
/// a burst of other work on the machine (another build) does not skew the figure.
const BATCHES: usize = 10;

#[derive(Default)]
struct SteadyState {
    requests: usize,
    /// CPU per request of each batch, sorted.
    cpu_per_request: Vec<Duration>,
    /// Over all requests: user and system CPU in clock ticks (`/proc/PID/stat`).
    user_ticks: u64,
    system_ticks: u64,
    wall: Duration,
    latencies: Vec<Duration>,
    aws: BTreeMap<String, u64>,
    llm_requests: usize,
    peak_rss_kb: u64,
}

/// A function process kept running for the steady-state measurement.
struct Running {
    function: Function,
    api: RuntimeApi,
    child: Child,
    pid: u32,
    /// The events still to send, built before any clock starts (minting tokens is the
    /// gateway's work, not the function's).
    events: std::vec::IntoIter<Value>,
    run: SteadyState,
}

/// Starts `function` (a cold start and its first request) with `requests` events ready.
async fn start_running(bench: &mut Bench, function: Function, requests: usize) -> Result<Running> {
    let name = function.binary();
    let api = RuntimeApi::start(name, function.timeout()).await?;
    let (child, _) = bench.spawn(function, &api, &[])?;
    let pid = child.id().context("the process has a pid")?;
    api.first_poll(Duration::from_secs(20))
        .await
        .map_err(|e| anyhow!("{name}: {e}"))?;
    let first = bench.event(function, 0)?;
    let first = api
        .invoke(&first, INVOKE_LIMIT)
        .await
        .map_err(|e| anyhow!("{name}: {e}"))?;
    expect_ok(function, &first)?;
    let mut events = Vec::with_capacity(requests);
    for index in 1..=requests {
        events.push(bench.event(function, index)?);
    }
    Ok(Running {
        function,
        api,
        child,
        pid,
        events: events.into_iter(),
        run: SteadyState::default(),
    })
}

impl Running {
    /// Sends the next `size` events one at a time; what they cost is added to the run. The
    /// other processes are idle meanwhile, so the AWS and LLM requests counted are this one's.
    async fn batch(&mut self, bench: &Bench, size: usize) -> Result<()> {
        let name = self.function.binary();
        let aws_before = bench.proxy.counts();
        let llm_before = bench.llm.request_count();
        let ticks_before = process_ticks(self.pid)?;
        let cpu_before = process_cpu(self.pid)?;
        let started = Instant::now();
        let mut sent = 0;
        for event in self.events.by_ref().take(size) {
            let invocation = self
                .api
                .invoke(&event, INVOKE_LIMIT)
                .await
                .map_err(|e| anyhow!("{name}: {e}"))?;
            expect_ok(self.function, &invocation)?;
            self.run.latencies.push(invocation.latency);
            sent += 1;
        }
        let cpu = process_cpu(self.pid)?.saturating_sub(cpu_before);
        let ticks = process_ticks(self.pid)?;
        if sent == 0 {
            return Ok(());
        }
        self.run.wall += started.elapsed();
        self.run.requests += sent;
        self.run.cpu_per_request.push(cpu / sent as u32);
        self.run.user_ticks += ticks.0 - ticks_before.0;
        self.run.system_ticks += ticks.1 - ticks_before.1;
        self.run.llm_requests += bench.llm.request_count() - llm_before;
        for (target, count) in bench.proxy.counts() {
            let delta = count - aws_before.get(&target).copied().unwrap_or(0);
            if delta > 0 {
                *self.run.aws.entry(target).or_default() += delta;
            }
        }
        Ok(())
    }

    /// Peak memory over the process's life, then stops it.
    async fn finish(mut self) -> Result<SteadyState> {
        self.run.peak_rss_kb = peak_rss_kb(self.pid)?;
        self.child.kill().await.ok();
        self.run.cpu_per_request.sort();
        self.run.latencies.sort();
        Ok(self.run)
    }
}

/// Nearest-rank percentile of sorted samples.
fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let rank = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn us(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

async fn setup(bin_dir: PathBuf, log_dir: PathBuf, refresh_accounts: usize) -> Result<Bench> {
    for function in Function::ALL {
        let binary = bin_dir.join(function.binary());
        ensure!(
            binary.is_file(),
            "{} is missing: build the release binaries first (make bench does)",
            binary.display()
        );
    }
    let table = TestTable::new().await;
    let llm = ScriptedLlm::start().await;
    llm.set_fallback(Reply::echo());
    aws_sdk_secretsmanager::Client::new(&table.sdk)
        .create_secret()
        .name(SECRET_ID)
        .secret_string(json!({"api_key": TEST_API_KEY}).to_string())
        .send()
        .await
        .context("creating the OpenAI secret in moto")?;
    table.put_tenant(&enabled_tenant(TENANT)).await;

    let seeding = Instant::now();
    let accounts: Vec<String> = (0..CACHED_ACCOUNTS)
        .map(cached_account)
        .chain((0..refresh_accounts).map(refresh_account))
        .collect();
    let mut puts = tokio::task::JoinSet::new();
    for chunk in accounts.chunks(accounts.len().div_ceil(16)) {
        let store = table.store();
        let chunk = chunk.to_vec();
        puts.spawn(async move {
            for id in chunk {
                store.put_account(TENANT, &basic_account(&id)).await?;
            }
            Ok::<_, summary_core::store::StoreError>(())
        });
    }
    while let Some(done) = puts.join_next().await {
        done?.context("seeding accounts")?;
    }
    // The cached summaries, generated once through the scripted LLM by an in-process app.
    let app = openai_app(&table, &llm);
    let mut cached = Vec::new();
    for index in 0..CACHED_ACCOUNTS {
        let account = cached_account(index);
        let response = get(&app, &Caller::new(TENANT, "seed"), &account).await;
        ensure!(
            response.status == 200,
            "seeding {account}: {}",
            response.body_text
        );
        cached.push((account, response.summary_id()));
    }
    println!(
        "seeded {} accounts ({CACHED_ACCOUNTS} with a cached summary) in {:.1} s",
        accounts.len(),
        seeding.elapsed().as_secs_f64()
    );
    let proxy = CountingProxy::start(&endpoint()).await?;
    Ok(Bench {
        bin_dir,
        log_dir,
        table,
        llm,
        proxy,
        cached,
        jwt: JwtSecret::new("bench-jwt-secret"),
        next_refresh_account: 0,
        refresh_accounts,
    })
}

#[tokio::main(flavor = "multi_thread")]
async fn main() -> Result<()> {
    let cold_starts = env_number("BENCH_COLD_STARTS", 30).max(1) as usize;
    let requests = env_number("BENCH_REQUESTS", 1000).max(1) as usize;
    let workspace = workspace_dir();
    let target = dir_from_env("CARGO_TARGET_DIR", || workspace.join("target"));
    let bin_dir = dir_from_env("BENCH_BIN_DIR", || target.join("release"));
    let out_dir = dir_from_env("BENCH_OUT_DIR", || target.join("bench"));
    let log_dir = out_dir.join("logs");
    std::fs::create_dir_all(&log_dir)?;

    let refresh_accounts = cold_starts + requests + 1;
    let mut bench = setup(bin_dir, log_dir, refresh_accounts).await?;

    let mut subjects: Vec<Subject> = Function::ALL.into_iter().map(Subject::plain).collect();
    // The root certificates' cost as it would be where the certificate directory adds
    // nothing to the bundle: rustls-native-certs reads only SSL_CERT_FILE when it is set.
    if let Some(bundle) = ca_bundle() {
        subjects.push(Subject {
            label: "summary-get, SSL_CERT_FILE=bundle".into(),
            function: Function::Get,
            extra_env: vec![("SSL_CERT_FILE".into(), bundle)],
        });
    }
    let mut series: Vec<ColdStartSeries> = subjects
        .iter()
        .map(|s| ColdStartSeries {
            label: s.label.clone(),
            function: s.function,
            init: Vec::new(),
            first: Vec::new(),
        })
        .collect();
    for round in 0..cold_starts {
        // Interleaved, so that whatever else the machine does falls on all of them alike.
        for (subject, samples) in subjects.iter().zip(series.iter_mut()) {
            let start = cold_start(&mut bench, subject, round).await?;
            samples.init.push(start.init);
            samples.first.push(start.first_invocation);
        }
    }
    for samples in &mut series {
        samples.init.sort();
        samples.first.sort();
    }
    println!("cold starts: {cold_starts} per binary");

    // All four processes run side by side and take turns batch by batch, so that the floor
    // and the functions meet the same machine (another build, CPU frequency, caches).
    let mut running = Vec::new();
    for function in Function::ALL {
        running.push(start_running(&mut bench, function, requests).await?);
    }
    let batch_size = requests.div_ceil(BATCHES);
    for _ in 0..BATCHES {
        for process in &mut running {
            process.batch(&bench, batch_size).await?;
        }
    }
    let mut steady = BTreeMap::new();
    for process in running {
        let function = process.function;
        let run = process.finish().await?;
        println!(
            "{}: {requests} requests in {:.1} s, CPU {:.0} µs/request (median batch), peak RSS {} kB",
            function.binary(),
            run.wall.as_secs_f64(),
            us(percentile(&run.cpu_per_request, 0.5)),
            run.peak_rss_kb
        );
        steady.insert(function, run);
    }
    bench.llm.assert_no_violations();

    let report = Report {
        cold_starts,
        requests,
        series: &series,
        steady: &steady,
    };
    std::fs::write(out_dir.join("functions.md"), report.markdown())?;
    std::fs::write(
        out_dir.join("functions.json"),
        serde_json::to_string_pretty(&report.json())?,
    )?;
    println!("wrote {}", out_dir.join("functions.md").display());
    Ok(())
}

/// Sorted cold-start samples of one subject.
struct ColdStartSeries {
    label: String,
    function: Function,
    init: Vec<Duration>,
    first: Vec<Duration>,
}

struct Report<'a> {
    cold_starts: usize,
    requests: usize,
    series: &'a [ColdStartSeries],
    steady: &'a BTreeMap<Function, SteadyState>,
}

impl Report<'_> {
    fn floor_init(&self) -> Duration {
        self.series
            .iter()
            .find(|s| s.function == Function::Floor)
            .map_or(Duration::ZERO, |s| percentile(&s.init, 0.5))
    }

    /// The median batch's CPU per request.
    fn cpu_per_request(&self, function: Function) -> Duration {
        let run = &self.steady[&function];
        percentile(&run.cpu_per_request, 0.5)
    }

    /// The share of the process's CPU time spent in the kernel (system calls: the loopback
    /// TCP traffic, epoll, futexes).
    fn system_share(&self, function: Function) -> f64 {
        let run = &self.steady[&function];
        run.system_ticks as f64 / (run.user_ticks + run.system_ticks).max(1) as f64
    }

    fn per_request(&self, function: Function, target: &str) -> f64 {
        let run = &self.steady[&function];
        run.aws.get(target).copied().unwrap_or(0) as f64 / run.requests as f64
    }

    fn markdown(&self) -> String {
        let mut md = String::new();
        let floor = self.floor_init();
        md += &format!(
            "## 1. Cold start\n\n\
             {n} starts of each binary, interleaved (release build, host target). *Init* is \
             what Lambda reports as Init Duration: from spawning the process to the runtime's \
             first `GET /runtime/invocation/next` at the local Runtime API. *First invocation* \
             runs from handing over the first event to receiving its response.\n\n\
             | binary | init median | init p90 | ratio to floor (median) | first invocation median | first invocation p90 | first event |\n\
             |---|---|---|---|---|---|---|\n",
            n = self.cold_starts
        );
        for series in self.series {
            let (init, first) = (&series.init, &series.first);
            let what = match series.function {
                Function::Floor => "any (constant answer)",
                Function::Get => "GET of a cached summary: tenant config GetItem + BatchGetItem",
                Function::Refresh => {
                    "hard refresh: Secrets Manager read, scripted LLM answering at once, table writes"
                }
                Function::Feedback => "a vote on a cached summary",
            };
            md += &format!(
                "| {} | {:.2} ms | {:.2} ms | {:.2}× | {:.2} ms | {:.2} ms | {what} |\n",
                series.label,
                ms(percentile(init, 0.5)),
                ms(percentile(init, 0.9)),
                percentile(init, 0.5).as_secs_f64() / floor.as_secs_f64(),
                ms(percentile(first, 0.5)),
                ms(percentile(first, 0.9)),
            );
        }

        md += &format!(
            "\n## 2. Steady state: requests and CPU per request\n\n\
             One process per binary, all four side by side: a cold start, one first request, \
             then {n} requests one at a time, in {batches} batches the processes take turns \
             at. AWS requests are counted by a proxy in front of moto (by \
             `X-Amz-Target`), LLM requests by the scripted server. CPU is the process's \
             CPU clock (`clock_getcpuclockid`: all threads), read around each batch; the \
             median batch is shown. It counts the handler, the \
             AWS SDK's serialisation, signing and parsing, logging, the runtime client, and \
             the kernel's side of every loopback HTTP exchange (system share from \
             `/proc/PID/stat`). The floor's CPU per request is the runtime client's share.\n\n\
             | binary | requests | AWS requests per request | LLM per request | CPU per request | CPU above the floor | in the kernel | latency median | latency p90 |\n\
             |---|---|---|---|---|---|---|---|---|\n",
            batches = BATCHES,
            n = self.requests
        );
        let floor_cpu = self.cpu_per_request(Function::Floor);
        for function in Function::ALL {
            let run = &self.steady[&function];
            let latencies = &run.latencies;
            let aws = if run.aws.is_empty() {
                "none".to_string()
            } else {
                run.aws
                    .iter()
                    .map(|(target, count)| {
                        format!(
                            "{} {}",
                            target.rsplit('.').next().unwrap_or(target),
                            trim_number(*count as f64 / run.requests as f64)
                        )
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let what = match function {
                Function::Floor => "constant answer",
                Function::Get => "cache-hit GET",
                Function::Refresh => "hard refresh, distinct accounts",
                Function::Feedback => "vote (flips like/dislike)",
            };
            let cpu = self.cpu_per_request(function);
            md += &format!(
                "| {} ({what}) | {} | {aws} | {} | {:.0} µs | {} | {:.0} % | {:.2} ms | {:.2} ms |\n",
                function.binary(),
                run.requests,
                trim_number(run.llm_requests as f64 / run.requests as f64),
                us(cpu),
                if function == Function::Floor {
                    "—".to_string()
                } else {
                    format!("{:.0} µs", us(cpu.saturating_sub(floor_cpu)))
                },
                100.0 * self.system_share(function),
                ms(percentile(latencies, 0.5)),
                ms(percentile(latencies, 0.9)),
            );
        }
        let get = Function::Get;
        md += &format!(
            "\nCache-hit GET: {:.3} BatchGetItem, {:.3} GetItem (tenant config, re-read every \
             TENANT_CACHE_SECONDS = 30 s), {:.3} UpdateItem (view tracking: the first view of \
             the day only), {:.3} Secrets Manager and {} LLM requests per request.\n",
            self.per_request(get, "DynamoDB_20120810.BatchGetItem"),
            self.per_request(get, "DynamoDB_20120810.GetItem"),
            self.per_request(get, "DynamoDB_20120810.UpdateItem"),
            self.per_request(get, "secretsmanager.GetSecretValue"),
            trim_number(self.steady[&get].llm_requests as f64 / self.requests as f64),
        );

        md += &format!(
            "\n## 4. Peak memory\n\n\
             `VmHWM` from `/proc/PID/status` after a cold start and {} requests (the \
             steady-state runs above).\n\n\
             | binary | peak RSS | memory configured |\n|---|---|---|\n",
            self.requests + 1
        );
        for function in Function::ALL {
            md += &format!(
                "| {} | {:.1} MB | {} MB |\n",
                function.binary(),
                self.steady[&function].peak_rss_kb as f64 / 1024.0,
                function.memory_mb()
            );
        }
        md
    }

    fn json(&self) -> Value {
        let mut functions = serde_json::Map::new();
        let floor = self.floor_init();
        for function in Function::ALL {
            let run = &self.steady[&function];
            functions.insert(
                function.binary().to_string(),
                json!({
                    "cpu_per_request_us": us(self.cpu_per_request(function)),
                    "cpu_system_share": self.system_share(function),
                    "aws_requests": run.aws,
                    "llm_requests": run.llm_requests,
                    "requests": run.requests,
                    "peak_rss_kb": run.peak_rss_kb,
                }),
            );
        }
        let cold_starts: Vec<Value> = self
            .series
            .iter()
            .map(|s| {
                json!({
                    "label": s.label,
                    "binary": s.function.binary(),
                    "init_median_ms": ms(percentile(&s.init, 0.5)),
                    "init_p90_ms": ms(percentile(&s.init, 0.9)),
                    "init_ratio_to_floor": percentile(&s.init, 0.5).as_secs_f64() / floor.as_secs_f64(),
                    "first_invocation_median_ms": ms(percentile(&s.first, 0.5)),
                    "first_invocation_p90_ms": ms(percentile(&s.first, 0.9)),
                })
            })
            .collect();
        json!({
            "cold_starts_per_binary": self.cold_starts,
            "cold_starts": cold_starts,
            "functions": functions,
        })
    }
}

/// `1`, `0.5`, `0.033`: as many decimals as the figure needs, at most three.
fn trim_number(value: f64) -> String {
    let text = format!("{value:.3}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}
