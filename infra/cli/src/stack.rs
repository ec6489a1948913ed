//! The local stack: moto (DynamoDB, Secrets Manager) seeded with the sample accounts, and the
//! local gateway in front of the three functions, each built as in Lambda. `dev` serves it
//! until a signal; `demo` asks it for one summary over HTTP, as the web client would, and
//! stops. Whatever happens, nothing it started outlives it.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use aws_config::SdkConfig;
use time::Date;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::gateway::{Gateway, router};
use crate::import::import_accounts;
use crate::moto::MotoServer;
use crate::token::{JwtSecret, TokenSubject, mint};
use summary_core::config::{App, Settings, build_service};
use summary_core::summary::{SectionKey, SummaryView};

/// The Secrets Manager secret the local stack puts `OPENAI_API_KEY` in.
pub const LOCAL_SECRET_ID: &str = "account-summary/local/openai-api-key";
/// The sample accounts, relative to the repository root.
pub const SAMPLE_CSV: &str = "tests/fixtures/ravenstack/key_info.csv";
/// moto's server in the project virtualenv, relative to the repository root.
pub const MOTO_IN_VENV: &str = ".venv/bin/moto_server";

/// A file of the repository: relative to the working directory when it is there (`make`
/// runs from the root), else relative to the checkout this binary was built from.
pub fn repo_path(relative: &str) -> PathBuf {
    let here = PathBuf::from(relative);
    if here.exists() {
        return here;
    }
    let built_from = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(relative);
    if built_from.exists() {
        built_from
    } else {
        here
    }
}

/// Where the functions' AWS services come from.
#[derive(Debug, Clone)]
pub enum Backend {
    /// Start moto on this port and seed it: table, sample accounts, tenant enabled, and the
    /// OpenAI key (when given) as a secret.
    Moto {
        program: PathBuf,
        port: u16,
        openai_api_key: Option<String>,
    },
    /// Use the AWS SDK's environment as is (`AWS_ENDPOINT_URL`, region, credentials) and the
    /// functions' settings as in Lambda (`TABLE_NAME`, `OPENAI_SECRET_ID`, ...); seed nothing.
    Environment,
    /// A local endpoint that is already running (e.g. a test's moto): seeded as `Moto` is,
    /// into `settings.table_name`, with the key (when given) stored as the secret
    /// `settings.openai_secret_id` (default: the local stack's); the functions use `settings`
    /// (OpenAI base URL and model, tenant claim, ...) instead of the environment's.
    Running {
        endpoint: String,
        settings: Settings,
        openai_api_key: Option<String>,
    },
}

#[derive(Debug, Clone)]
pub struct StackOptions {
    pub backend: Backend,
    /// 0: any free port.
    pub gateway_port: u16,
    pub csv: PathBuf,
    pub tenant: String,
    pub as_of: Date,
}

/// A running local stack. `stop` ends it in order; dropping it ends it too.
pub struct LocalStack {
    moto: Option<MotoServer>,
    server: Option<JoinHandle<std::io::Result<()>>>,
    shutdown: Option<oneshot::Sender<()>>,
    addr: Option<SocketAddr>,
    secret: JwtSecret,
    tenant_claim: String,
    /// One line on which engine answers.
    pub engine: String,
    /// Where the functions' AWS requests go.
    pub aws: String,
}

fn progress(line: &str) {
    eprintln!("local stack: {line}");
}

impl LocalStack {
    /// Starts (and seeds) the backend, then serves the gateway. On failure or a signal,
    /// everything started so far is stopped before the error is returned.
    pub async fn start(options: &StackOptions) -> anyhow::Result<LocalStack> {
        let mut stack = LocalStack {
            moto: None,
            server: None,
            shutdown: None,
            addr: None,
            secret: JwtSecret::from_env(),
            tenant_claim: String::new(),
            engine: String::new(),
            aws: String::new(),
        };
        let started = tokio::select! {
            started = stack.bring_up(options) => started,
            signal = shutdown_signal() => Err(anyhow::anyhow!("interrupted by {signal} while starting")),
        };
        match started {
            Ok(()) => Ok(stack),
            Err(err) => {
                stack.stop().await;
                Err(err)
            }
        }
    }

    async fn bring_up(&mut self, options: &StackOptions) -> anyhow::Result<()> {
        let (sdk, settings) = match &options.backend {
            Backend::Moto {
                program,
                port,
                openai_api_key,
            } => {
                // Held by the stack before it is waited for: an interrupt stops it too.
                let moto = self.moto.insert(MotoServer::spawn(program, *port)?);
                moto.wait_ready().await?;
                progress(&format!(
                    "moto (DynamoDB, Secrets Manager) on {}",
                    moto.endpoint()
                ));
                let sdk = crate::aws::local(moto.endpoint()).await;
                let mut settings = Settings::from_env();
                // A fresh moto holds no secret but the one `seed` creates.
                settings.openai_secret_id = None;
                let settings = seed(&sdk, options, settings, openai_api_key.as_deref()).await?;
                (sdk, settings)
            }
            Backend::Running {
                endpoint,
                settings,
                openai_api_key,
            } => {
                let sdk = crate::aws::local(endpoint).await;
                let settings =
                    seed(&sdk, options, settings.clone(), openai_api_key.as_deref()).await?;
                (sdk, settings)
            }
            Backend::Environment => (crate::aws::from_env().await?, Settings::from_env()),
        };
        self.aws = crate::aws::describe(&sdk);
        self.engine = match &settings.openai_secret_id {
            Some(secret) => format!(
                "{} at {} (key from secret {secret})",
                settings.openai.model, settings.openai.base_url
            ),
            None => "offline (no OPENAI_API_KEY)".to_string(),
        };
        self.tenant_claim = settings.tenant_claim.clone();
        let app = App {
            service: build_service(&settings, &sdk),
            claims: settings.claim_names(),
        };
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", options.gateway_port))
            .await
            .with_context(|| {
                format!(
                    "cannot listen on 127.0.0.1:{}: set PORT to a free port",
                    options.gateway_port
                )
            })?;
        self.addr = Some(listener.local_addr()?);
        let (shutdown, stopped) = oneshot::channel::<()>();
        self.shutdown = Some(shutdown);
        let gateway = router(Arc::new(Gateway {
            app,
            secret: self.secret.clone(),
        }));
        self.server = Some(tokio::spawn(async move {
            axum::serve(listener, gateway)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await
        }));
        Ok(())
    }

    /// `http://127.0.0.1:{port}`
    pub fn base_url(&self) -> String {
        match self.addr {
            Some(addr) => format!("http://{addr}"),
            None => String::new(),
        }
    }

    /// A development token for the stack's gateway.
    pub fn token(&self, tenant: &str, user: &str, ttl: time::Duration) -> anyhow::Result<String> {
        let subject = TokenSubject {
            tenant_claim: self.tenant_claim.clone(),
            tenant: tenant.to_string(),
            user: user.to_string(),
            roles: Vec::new(),
        };
        Ok(mint(
            &self.secret,
            &subject,
            time::OffsetDateTime::now_utc(),
            ttl,
        )?)
    }

    /// Serves until SIGINT, SIGTERM or SIGHUP (returns its name), or fails if the gateway
    /// stops on its own.
    pub async fn serve_until_signal(&mut self) -> anyhow::Result<&'static str> {
        let Some(server) = self.server.as_mut() else {
            bail!("the gateway is not running");
        };
        tokio::select! {
            signal = shutdown_signal() => Ok(signal),
            ended = server => {
                self.server = None;
                match ended {
                    Ok(Ok(())) => bail!("the gateway stopped unexpectedly"),
                    Ok(Err(err)) => Err(err).context("the gateway failed"),
                    Err(err) => Err(err).context("the gateway task failed"),
                }
            }
        }
    }

    /// Stops the gateway (in-flight requests finish), then moto; waits for both.
    pub async fn stop(mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(mut server) = self.server.take()
            && tokio::time::timeout(Duration::from_secs(5), &mut server)
                .await
                .is_err()
        {
            server.abort();
        }
        if let Some(moto) = self.moto.take() {
            moto.stop().await;
        }
    }
}

impl Drop for LocalStack {
    fn drop(&mut self) {
        // Reached without `stop` only when the stack is abandoned (a panic, or a caller
        // dropping the future holding it): end the gateway now; moto is killed by its drop.
        if let Some(server) = self.server.take() {
            server.abort();
        }
    }
}

/// Creates the table, imports the sample accounts, enables the tenant and, given a key,
/// stores it as the secret the functions read (`settings.openai_secret_id`, default
/// [`LOCAL_SECRET_ID`]). Returns the functions' settings: without a key, the offline engine.
async fn seed(
    sdk: &SdkConfig,
    options: &StackOptions,
    mut settings: Settings,
    openai_api_key: Option<&str>,
) -> anyhow::Result<Settings> {
    let secret_id = settings
        .openai_secret_id
        .take()
        .unwrap_or_else(|| LOCAL_SECRET_ID.to_string());
    let store = crate::aws::store(sdk, &settings);
    store
        .create_table()
        .await
        .with_context(|| format!("cannot create table {}", store.table()))?;
    let csv = std::fs::File::open(&options.csv)
        .with_context(|| format!("cannot open the sample accounts {}", options.csv.display()))?;
    let report = import_accounts(
        &store,
        &options.tenant,
        std::io::BufReader::new(csv),
        "account_id",
        options.as_of,
    )
    .await
    .with_context(|| format!("cannot import {}", options.csv.display()))?;
    for row in &report.skipped {
        progress(&format!("skipped {}: {}", options.csv.display(), row));
    }
    store
        .set_tenant_enabled(&options.tenant, true)
        .await
        .context("cannot enable the tenant")?;
    progress(&format!(
        "table {}: {} accounts of tenant {} (as of {}), tenant enabled",
        store.table(),
        report.imported,
        options.tenant,
        summary_core::time_fmt::iso_date(options.as_of)
    ));
    if let Some(key) = openai_api_key.map(str::trim).filter(|k| !k.is_empty()) {
        aws_sdk_secretsmanager::Client::new(sdk)
            .create_secret()
            .name(&secret_id)
            .secret_string(key)
            .send()
            .await
            .map_err(|e| {
                anyhow::anyhow!(
                    "cannot store the OpenAI key in local Secrets Manager: {}",
                    aws_sdk_secretsmanager::error::DisplayErrorContext(e)
                )
            })?;
        settings.openai_secret_id = Some(secret_id);
    }
    Ok(settings)
}

/// Waits for SIGINT (Ctrl-C), SIGTERM or SIGHUP and returns its name.
pub async fn shutdown_signal() -> &'static str {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        async fn on(kind: SignalKind) {
            match signal(kind) {
                Ok(mut s) => {
                    s.recv().await;
                }
                Err(_) => std::future::pending().await,
            }
        }
        tokio::select! {
            _ = on(SignalKind::interrupt()) => "SIGINT",
            _ = on(SignalKind::terminate()) => "SIGTERM",
            _ = on(SignalKind::hangup()) => "SIGHUP",
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
        "Ctrl-C"
    }
}

/// `make dev`: the stack in the foreground until a signal, with a token and a curl line.
pub async fn dev(options: &StackOptions, account_id: &str) -> anyhow::Result<()> {
    let mut stack = LocalStack::start(options).await?;
    let ttl = time::Duration::hours(12);
    let token = match stack.token(&options.tenant, "dev-user", ttl) {
        Ok(token) => token,
        Err(err) => {
            stack.stop().await;
            return Err(err);
        }
    };
    let base = stack.base_url();
    println!("Local stack ready.");
    println!("  gateway: {base}");
    println!("  AWS:     {}", stack.aws);
    println!("  engine:  {}", stack.engine);
    println!();
    println!(
        "Token (tenant {}, user dev-user, valid 12 h):",
        options.tenant
    );
    println!("{token}");
    println!();
    println!("Try:");
    println!("curl -s -H 'Authorization: Bearer {token}' {base}/v1/accounts/{account_id}/summary");
    println!();
    println!("Ctrl-C stops everything.");
    let result = stack.serve_until_signal().await;
    if let Ok(signal) = &result {
        eprintln!("local stack: {signal}: stopping");
    }
    stack.stop().await;
    result.map(|_| ())
}

/// `make demo`: starts the stack, asks for one account's summary over HTTP with a token as
/// the web client would, stops everything, and returns the summary.
pub async fn demo(options: &StackOptions, account_id: &str) -> anyhow::Result<SummaryView> {
    let stack = LocalStack::start(options).await?;
    progress(&format!(
        "gateway on {}, engine: {}",
        stack.base_url(),
        stack.engine
    ));
    let result = tokio::select! {
        result = fetch_summary(&stack, &options.tenant, account_id) => result,
        signal = shutdown_signal() => Err(anyhow::anyhow!("interrupted by {signal}")),
    };
    stack.stop().await;
    result
}

async fn fetch_summary(
    stack: &LocalStack,
    tenant: &str,
    account_id: &str,
) -> anyhow::Result<SummaryView> {
    let token = stack.token(tenant, "demo-user", time::Duration::minutes(5))?;
    let url = format!("{}/v1/accounts/{account_id}/summary", stack.base_url());
    progress(&format!("GET {url}"));
    let http = reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(90))
        .build()
        .context("cannot build an HTTP client")?;
    let response = http
        .get(&url)
        .bearer_auth(token)
        .send()
        .await
        .with_context(|| format!("GET {url} failed"))?;
    let status = response.status();
    let body = response
        .text()
        .await
        .with_context(|| format!("GET {url}: unreadable body"))?;
    if !status.is_success() {
        bail!("GET {url} answered {status}: {body}");
    }
    let view: SummaryView = serde_json::from_str(&body)
        .with_context(|| format!("GET {url} answered 200 with a body that is not a Summary"))?;
    let keys: Vec<SectionKey> = view.sections.iter().map(|s| s.key).collect();
    if keys != SectionKey::ALL {
        bail!("the summary does not have the seven sections of API.md: {keys:?}");
    }
    Ok(view)
}
