//! A local Lambda Runtime API: the HTTP interface a function's runtime client polls for events
//! (`AWS_LAMBDA_RUNTIME_API`), so that a real function binary can be started and invoked as
//! Lambda does it, and its init and invocations timed from the outside (`make bench`).
//!
//! One emulator serves one function process. It records when the runtime first asks for an
//! event (the end of init as Lambda reports it), hands it the events given to
//! [`RuntimeApi::invoke`] one at a time, and returns what the function posts back.
//!
//! Routes (API version 2018-06-01): `GET /runtime/invocation/next` (blocks until an event is
//! handed over; answers with the event and the `Lambda-Runtime-*` headers),
//! `POST /runtime/invocation/{id}/response`, `POST /runtime/invocation/{id}/error`,
//! `POST /runtime/init/error`.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use tokio::sync::{Notify, mpsc, oneshot};

const PREFIX: &str = "/2018-06-01/runtime";

/// What the function posted for one invocation.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// `POST .../response`: the handler's result (for an HTTP function, the API Gateway
    /// response JSON).
    Response(Bytes),
    /// `POST .../error`: the error document the runtime client sent.
    Error(Bytes),
}

/// One finished invocation.
#[derive(Debug, Clone)]
pub struct Invocation {
    pub request_id: String,
    pub outcome: Outcome,
    /// From the emulator answering the runtime's `next` request with the event to the
    /// function posting its result.
    pub latency: Duration,
}

impl Invocation {
    /// The response JSON, or an error naming what the function sent instead.
    pub fn response_json(&self) -> Result<serde_json::Value, String> {
        match &self.outcome {
            Outcome::Response(body) => {
                serde_json::from_slice(body).map_err(|e| format!("the response is not JSON ({e})"))
            }
            Outcome::Error(body) => Err(format!(
                "the function reported an error: {}",
                String::from_utf8_lossy(body)
            )),
        }
    }
}

struct QueuedEvent {
    request_id: String,
    body: Bytes,
}

struct Answer {
    outcome: Outcome,
    handed_at: Option<Instant>,
    answered_at: Instant,
}

struct Waiting {
    handed_at: Option<Instant>,
    done: oneshot::Sender<Answer>,
}

struct Shared {
    function_arn: String,
    timeout: Duration,
    events: tokio::sync::Mutex<mpsc::UnboundedReceiver<QueuedEvent>>,
    first_poll: Mutex<Option<Instant>>,
    polled: Notify,
    waiting: Mutex<HashMap<String, Waiting>>,
    init_error: Mutex<Option<String>>,
}

/// A Runtime API emulator on 127.0.0.1 (port 0), stopped when dropped.
pub struct RuntimeApi {
    addr: SocketAddr,
    shared: Arc<Shared>,
    events: mpsc::UnboundedSender<QueuedEvent>,
    _shutdown: oneshot::Sender<()>,
}

impl RuntimeApi {
    /// Starts an emulator for a function named `function_name` whose invocations may take
    /// `timeout` (the `Lambda-Runtime-Deadline-Ms` it hands out).
    pub async fn start(function_name: &str, timeout: Duration) -> std::io::Result<RuntimeApi> {
        let (events, events_rx) = mpsc::unbounded_channel();
        let shared = Arc::new(Shared {
            function_arn: format!("arn:aws:lambda:us-east-1:000000000000:function:{function_name}"),
            timeout,
            events: tokio::sync::Mutex::new(events_rx),
            first_poll: Mutex::new(None),
            polled: Notify::new(),
            waiting: Mutex::new(HashMap::new()),
            init_error: Mutex::new(None),
        });
        let router = Router::new()
            .route(&format!("{PREFIX}/invocation/next"), get(next_event))
            .route(
                &format!("{PREFIX}/invocation/{{id}}/response"),
                post(invocation_response),
            )
            .route(
                &format!("{PREFIX}/invocation/{{id}}/error"),
                post(invocation_error),
            )
            .route(&format!("{PREFIX}/init/error"), post(init_error))
            .with_state(shared.clone());
        let (addr, shutdown) = crate::serve_on_loopback(router).await?;
        Ok(RuntimeApi {
            addr,
            shared,
            events,
            _shutdown: shutdown,
        })
    }

    /// `host:port`, the value of `AWS_LAMBDA_RUNTIME_API`.
    pub fn address(&self) -> String {
        self.addr.to_string()
    }

    /// The variables Lambda sets for every function (the runtime client requires them).
    pub fn lambda_env(&self, function_name: &str, memory_mb: u32) -> Vec<(String, String)> {
        [
            ("AWS_LAMBDA_RUNTIME_API", self.address()),
            ("AWS_LAMBDA_FUNCTION_NAME", function_name.to_string()),
            ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", memory_mb.to_string()),
            ("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST".to_string()),
            (
                "AWS_LAMBDA_LOG_GROUP_NAME",
                format!("/aws/lambda/{function_name}"),
            ),
            (
                "AWS_LAMBDA_LOG_STREAM_NAME",
                "2026/12/01/[$LATEST]00000000000000000000000000000000".to_string(),
            ),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect()
    }

    /// When the runtime first asked for an event, waiting up to `limit` for it.
    pub async fn first_poll(&self, limit: Duration) -> Result<Instant, String> {
        let deadline = Instant::now() + limit;
        loop {
            let polled = self.shared.polled.notified();
            if let Some(at) = *self.shared.first_poll.lock().expect("poll lock") {
                return Ok(at);
            }
            if let Some(error) = self.init_error() {
                return Err(format!("the function reported an init error: {error}"));
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if tokio::time::timeout(left, polled).await.is_err() {
                return Err(format!(
                    "the function did not ask for an event within {limit:?}"
                ));
            }
        }
    }

    /// What the function posted to `/runtime/init/error`, if anything.
    pub fn init_error(&self) -> Option<String> {
        self.shared
            .init_error
            .lock()
            .expect("init error lock")
            .clone()
    }

    /// Hands `event` to the function and waits (up to `limit`) for its result.
    pub async fn invoke(
        &self,
        event: &serde_json::Value,
        limit: Duration,
    ) -> Result<Invocation, String> {
        let request_id = ulid::Ulid::new().to_string().to_lowercase();
        let (done, result) = oneshot::channel();
        self.shared.waiting.lock().expect("waiting lock").insert(
            request_id.clone(),
            Waiting {
                handed_at: None,
                done,
            },
        );
        self.events
            .send(QueuedEvent {
                request_id: request_id.clone(),
                body: Bytes::from(event.to_string()),
            })
            .map_err(|_| "the emulator has stopped".to_string())?;
        let answer = match tokio::time::timeout(limit, result).await {
            Ok(Ok(answer)) => answer,
            _ => {
                let handed = self
                    .shared
                    .waiting
                    .lock()
                    .expect("waiting lock")
                    .remove(&request_id)
                    .and_then(|w| w.handed_at)
                    .is_some();
                return Err(format!(
                    "no result for invocation {request_id} within {limit:?} (the event was {} handed over)",
                    if handed { "" } else { "never" }
                ));
            }
        };
        Ok(Invocation {
            latency: answer
                .handed_at
                .map_or(Duration::ZERO, |at| answer.answered_at - at),
            request_id,
            outcome: answer.outcome,
        })
    }
}

async fn next_event(State(shared): State<Arc<Shared>>) -> Response {
    {
        let mut first = shared.first_poll.lock().expect("poll lock");
        if first.is_none() {
            *first = Some(Instant::now());
        }
    }
    shared.polled.notify_waiters();
    let event = shared.events.lock().await.recv().await;
    let Some(event) = event else {
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    };
    let deadline_ms = (SystemTime::now() + shared.timeout)
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_millis();
    if let Some(waiting) = shared
        .waiting
        .lock()
        .expect("waiting lock")
        .get_mut(&event.request_id)
    {
        waiting.handed_at = Some(Instant::now());
    }
    (
        [
            (header::CONTENT_TYPE, "application/json".to_string()),
            (
                header::HeaderName::from_static("lambda-runtime-aws-request-id"),
                event.request_id.clone(),
            ),
            (
                header::HeaderName::from_static("lambda-runtime-deadline-ms"),
                deadline_ms.to_string(),
            ),
            (
                header::HeaderName::from_static("lambda-runtime-invoked-function-arn"),
                shared.function_arn.clone(),
            ),
            (
                header::HeaderName::from_static("lambda-runtime-trace-id"),
                format!(
                    "Root=1-00000000-{:0>24};Parent=0000000000000000;Sampled=0",
                    &event.request_id[..event.request_id.len().min(24)]
                ),
            ),
        ],
        event.body,
    )
        .into_response()
}

fn finish(shared: &Shared, request_id: &str, outcome: Outcome) -> StatusCode {
    let answered_at = Instant::now();
    let waiting = shared
        .waiting
        .lock()
        .expect("waiting lock")
        .remove(request_id);
    match waiting {
        Some(waiting) => {
            let _ = waiting.done.send(Answer {
                outcome,
                handed_at: waiting.handed_at,
                answered_at,
            });
            StatusCode::ACCEPTED
        }
        None => StatusCode::BAD_REQUEST,
    }
}

async fn invocation_response(
    State(shared): State<Arc<Shared>>,
    Path(request_id): Path<String>,
    body: Bytes,
) -> StatusCode {
    finish(&shared, &request_id, Outcome::Response(body))
}

async fn invocation_error(
    State(shared): State<Arc<Shared>>,
    Path(request_id): Path<String>,
    body: Bytes,
) -> StatusCode {
    finish(&shared, &request_id, Outcome::Error(body))
}

async fn init_error(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let kind = headers
        .get("lambda-runtime-function-error-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("unknown");
    *shared.init_error.lock().expect("init error lock") =
        Some(format!("{kind}: {}", String::from_utf8_lossy(&body)));
    shared.polled.notify_waiters();
    StatusCode::ACCEPTED
}
