//! An HTTP proxy on 127.0.0.1 that forwards every request to an upstream AWS endpoint (moto)
//! and tallies them by operation: the `X-Amz-Target` header the AWS JSON protocols carry
//! (`DynamoDB_20120810.BatchGetItem`, `secretsmanager.GetSecretValue`, ...). Pointing a
//! function's `AWS_ENDPOINT_URL` here counts the AWS requests it really sends.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use tokio::sync::oneshot;

/// Requests without an `X-Amz-Target` header are counted under this name.
pub const UNTARGETED: &str = "(no X-Amz-Target)";

struct Shared {
    upstream: String,
    http: reqwest::Client,
    counts: Mutex<BTreeMap<String, u64>>,
}

/// The proxy, stopped when dropped.
pub struct CountingProxy {
    addr: SocketAddr,
    shared: Arc<Shared>,
    _shutdown: oneshot::Sender<()>,
}

impl CountingProxy {
    /// Starts a proxy in front of `upstream` (e.g. `http://127.0.0.1:5005`).
    pub async fn start(upstream: &str) -> std::io::Result<CountingProxy> {
        let shared = Arc::new(Shared {
            upstream: upstream.trim_end_matches('/').to_string(),
            http: reqwest::Client::new(),
            counts: Mutex::new(BTreeMap::new()),
        });
        let router = Router::new().fallback(forward).with_state(shared.clone());
        let (addr, shutdown) = crate::serve_on_loopback(router).await?;
        Ok(CountingProxy {
            addr,
            shared,
            _shutdown: shutdown,
        })
    }

    /// The proxy's URL, for `AWS_ENDPOINT_URL`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Requests forwarded so far, by `X-Amz-Target`.
    pub fn counts(&self) -> BTreeMap<String, u64> {
        self.shared.counts.lock().expect("counts lock").clone()
    }

    /// Requests forwarded so far for one target (e.g. `DynamoDB_20120810.GetItem`).
    pub fn count(&self, target: &str) -> u64 {
        self.counts().get(target).copied().unwrap_or(0)
    }

    pub fn reset(&self) {
        self.shared.counts.lock().expect("counts lock").clear();
    }
}

async fn forward(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let target = headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .unwrap_or(UNTARGETED)
        .to_string();
    *shared
        .counts
        .lock()
        .expect("counts lock")
        .entry(target)
        .or_default() += 1;

    let path = uri.path_and_query().map_or("/", |p| p.as_str());
    let mut request = shared
        .http
        .request(method, format!("{}{path}", shared.upstream))
        .body(body);
    for (name, value) in &headers {
        // The client recomputes these for the upstream connection.
        if name != "host" && name != "content-length" && name != "connection" {
            request = request.header(name, value);
        }
    }
    let upstream = match request.send().await {
        Ok(response) => response,
        Err(err) => {
            return (StatusCode::BAD_GATEWAY, format!("upstream failed: {err}")).into_response();
        }
    };
    let status = upstream.status();
    let mut response_headers = HeaderMap::new();
    for (name, value) in upstream.headers() {
        if name != "content-length" && name != "transfer-encoding" && name != "connection" {
            response_headers.append(name, value.clone());
        }
    }
    match upstream.bytes().await {
        Ok(body) => (status, response_headers, body).into_response(),
        Err(err) => (
            StatusCode::BAD_GATEWAY,
            format!("upstream body failed: {err}"),
        )
            .into_response(),
    }
}
