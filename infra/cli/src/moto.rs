//! moto's server (DynamoDB and Secrets Manager) as a child process on loopback: started,
//! waited for, and stopped however the program ends (explicitly, or killed on drop).

use std::collections::VecDeque;
use std::path::Path;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{Context, bail};
use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};
use tokio::process::{Child, Command};

/// How long moto may take to answer after it is started.
const STARTUP_TIMEOUT: Duration = Duration::from_secs(30);
/// Lines of moto's output kept to explain a failed start.
const LOG_LINES: usize = 40;

type LogTail = Arc<Mutex<VecDeque<String>>>;

pub struct MotoServer {
    child: Child,
    endpoint: String,
    log: LogTail,
}

impl MotoServer {
    /// Starts `program` (moto's `moto_server`) on 127.0.0.1:`port`; see [`wait_ready`].
    ///
    /// [`wait_ready`]: MotoServer::wait_ready
    pub fn spawn(program: &Path, port: u16) -> anyhow::Result<MotoServer> {
        if !program.exists() {
            bail!(
                "moto is not installed at {} (run `make venv`, or set MOTO_SERVER)",
                program.display()
            );
        }
        // A server already on the port would answer our readiness check in moto's place.
        std::net::TcpListener::bind(("127.0.0.1", port)).with_context(|| {
            format!("port {port} on 127.0.0.1 is in use: set LOCAL_AWS_PORT to a free port")
        })?;
        let mut child = Command::new(program)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("cannot start {}", program.display()))?;
        let log = LogTail::default();
        if let Some(out) = child.stdout.take() {
            tokio::spawn(keep_tail(out, log.clone()));
        }
        if let Some(err) = child.stderr.take() {
            tokio::spawn(keep_tail(err, log.clone()));
        }
        Ok(MotoServer {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
            log,
        })
    }

    /// `http://127.0.0.1:{port}`
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// Waits until the server answers; fails if it exits or stays silent too long.
    pub async fn wait_ready(&mut self) -> anyhow::Result<()> {
        let http = reqwest::Client::builder()
            .no_proxy()
            .timeout(Duration::from_secs(1))
            .build()
            .context("cannot build an HTTP client")?;
        let url = format!("{}/moto-api/", self.endpoint);
        let deadline = tokio::time::Instant::now() + STARTUP_TIMEOUT;
        loop {
            if let Some(status) = self.child.try_wait()? {
                // Give the readers a moment to collect the last lines.
                tokio::time::sleep(Duration::from_millis(100)).await;
                bail!(
                    "moto exited ({status}) before it answered:\n{}",
                    self.tail()
                );
            }
            if http.get(&url).send().await.is_ok() {
                return Ok(());
            }
            if tokio::time::Instant::now() > deadline {
                bail!(
                    "moto did not answer on {} within {}s:\n{}",
                    self.endpoint,
                    STARTUP_TIMEOUT.as_secs(),
                    self.tail()
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    fn tail(&self) -> String {
        let lines = self.log.lock().map(|l| l.clone()).unwrap_or_default();
        Vec::from(lines).join("\n")
    }

    /// Stops the server and waits until it is gone.
    pub async fn stop(mut self) {
        let _ = self.child.start_kill();
        if tokio::time::timeout(Duration::from_secs(5), self.child.wait())
            .await
            .is_err()
        {
            tracing::warn!("moto did not exit within 5 s of SIGKILL");
        }
    }
}

impl Drop for MotoServer {
    fn drop(&mut self) {
        // Every path out (error, panic, Ctrl-C dropping the future) ends here; after `stop`
        // the process is already gone and this is a no-op.
        let _ = self.child.start_kill();
    }
}

async fn keep_tail(stream: impl AsyncRead + Unpin, log: LogTail) {
    let mut lines = BufReader::new(stream).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        tracing::trace!(target: "moto", "{line}");
        if let Ok(mut log) = log.lock() {
            if log.len() == LOG_LINES {
                log.pop_front();
            }
            log.push_back(line);
        }
    }
}

/// A port on 127.0.0.1 that was free a moment ago.
pub fn free_port() -> anyhow::Result<u16> {
    let listener =
        std::net::TcpListener::bind(("127.0.0.1", 0)).context("cannot find a free local port")?;
    Ok(listener.local_addr()?.port())
}
