//! A scripted OpenAI-compatible server: `POST /v1/chat/completions` on 127.0.0.1 (port 0),
//! answering from a script, recording and checking every request.
//!
//! # Script
//! A script is a queue of [`Reply`]s, taken one per request in arrival order; when the queue
//! is empty the fallback reply answers (by default [`Reply::echo`]). Each reply is one of:
//!
//! | constructor | what the engine receives |
//! |---|---|
//! | [`Reply::echo`] | 200, valid JSON content for the seven sections that uses the first `ACCOUNT_n`, `PERSON_n` and `EMAIL_n` tokens of the user message (so name restoration is exercised) |
//! | [`Reply::sections`] | 200 with the given section texts (others as in `echo`) |
//! | [`Reply::content`] | 200 with this exact message content (anything: malformed, wrong schema...) |
//! | [`Reply::malformed`] / [`Reply::wrong_schema`] | 200 with content that is not JSON / JSON of another shape |
//! | [`Reply::refusal`] | 200, `message.refusal` set, `content` null |
//! | [`Reply::truncated`] | 200, `finish_reason: "length"`, the echo JSON cut in half |
//! | [`Reply::status`] / [`Reply::http`] | any status with an OpenAI-style error body / a body of your choice |
//! | [`Reply::rate_limited`] | 429 with `Retry-After` and code `rate_limit_exceeded` |
//! | [`Reply::insufficient_quota`] | 429 with code `insufficient_quota` (a spent budget, not worth retrying) |
//!
//! and any reply can be modified with [`Reply::after`] (wait before answering — a long wait
//! models a provider that hangs), [`Reply::header`] (an extra response header) and
//! [`Reply::usage`] (the token counts reported).
//!
//! # Checks
//! Every request is recorded ([`ScriptedLlm::requests`]) at arrival, before any delay, and
//! checked. A request that fails a check is still answered, and the failure is recorded as a
//! [`Violation`] that a test asserts on ([`ScriptedLlm::assert_no_violations`]):
//! - `POST /v1/chat/completions` (any other route: 404, the script is not consumed);
//! - `Authorization: Bearer <the expected key>` (otherwise: 401 `invalid_api_key` as OpenAI
//!   answers, the script is not consumed; [`ScriptedLlm::set_api_key`] rotates the key);
//! - a JSON body with a `model`, non-empty `messages`, `response_format.type ==
//!   "json_schema"` with `json_schema.strict == true` and a schema, and `store == false`.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use summary_core::summary::SectionKey;
use tokio::sync::oneshot;

/// The key the server expects unless told otherwise.
pub const TEST_API_KEY: &str = "sk-test-scripted-llm-key";

/// Token counts reported by successful replies unless [`Reply::usage`] says otherwise.
pub const DEFAULT_USAGE: (u64, u64) = (321, 123);

/// What one reply answers, before delay and extra headers.
#[derive(Debug, Clone, PartialEq)]
pub enum ReplyKind {
    /// 200 with the seven sections; texts given here win over the echo texts.
    Sections(Vec<(SectionKey, String)>),
    /// 200 with exactly this message content.
    Content(String),
    /// 200 with `message.refusal` set and no content.
    Refusal(String),
    /// 200 with `finish_reason: "length"` and the echo content cut in half.
    Truncated,
    /// This status and body (JSON or not), `content-type: application/json`.
    Http { status: u16, body: String },
}

/// One scripted answer. Build with the constructors, adjust with the modifiers.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    pub kind: ReplyKind,
    /// Waited before answering (the request is recorded first).
    pub delay: Duration,
    /// Extra response headers.
    pub headers: Vec<(String, String)>,
    /// `(prompt_tokens, completion_tokens)` reported by a 200.
    pub usage: (u64, u64),
}

impl Reply {
    fn of(kind: ReplyKind) -> Reply {
        Reply {
            kind,
            delay: Duration::ZERO,
            headers: Vec::new(),
            usage: DEFAULT_USAGE,
        }
    }

    /// Valid sections echoing the first `ACCOUNT_n`, `PERSON_n` and `EMAIL_n` tokens found in
    /// the user message.
    pub fn echo() -> Reply {
        Reply::of(ReplyKind::Sections(Vec::new()))
    }

    /// Valid sections with these texts (tokens in them are returned verbatim); sections not
    /// named get the echo text.
    pub fn sections<S: Into<String>>(texts: impl IntoIterator<Item = (SectionKey, S)>) -> Reply {
        Reply::of(ReplyKind::Sections(
            texts.into_iter().map(|(k, t)| (k, t.into())).collect(),
        ))
    }

    /// A 200 whose message content is exactly `content`.
    pub fn content(content: impl Into<String>) -> Reply {
        Reply::of(ReplyKind::Content(content.into()))
    }

    /// Content that is not JSON at all.
    pub fn malformed() -> Reply {
        Reply::content("Here is your summary: the account looks healthy.")
    }

    /// JSON content of the wrong shape (no sections).
    pub fn wrong_schema() -> Reply {
        Reply::content(r#"{"summary": "The account looks healthy.", "sections": []}"#)
    }

    pub fn refusal(message: impl Into<String>) -> Reply {
        Reply::of(ReplyKind::Refusal(message.into()))
    }

    pub fn truncated() -> Reply {
        Reply::of(ReplyKind::Truncated)
    }

    /// `status` with an OpenAI-style error body.
    pub fn status(status: u16) -> Reply {
        let kind = match status {
            500..=599 => "server_error",
            429 => "rate_limit_exceeded",
            _ => "invalid_request_error",
        };
        Reply::http(
            status,
            json!({"error": {"message": format!("scripted HTTP {status}"), "type": kind, "param": null, "code": null}})
                .to_string(),
        )
    }

    /// `status` with exactly this body.
    pub fn http(status: u16, body: impl Into<String>) -> Reply {
        Reply::of(ReplyKind::Http {
            status,
            body: body.into(),
        })
    }

    /// 429 `rate_limit_exceeded` with `Retry-After: <seconds>`.
    pub fn rate_limited(retry_after_seconds: u64) -> Reply {
        Reply::http(
            429,
            json!({"error": {"message": "Rate limit reached for requests", "type": "requests", "param": null, "code": "rate_limit_exceeded"}})
                .to_string(),
        )
        .header("retry-after", retry_after_seconds.to_string())
    }

    /// 429 `insufficient_quota`: the account's budget is spent; retrying does not help.
    pub fn insufficient_quota() -> Reply {
        Reply::http(
            429,
            json!({"error": {"message": "You exceeded your current quota, please check your plan and billing details.", "type": "insufficient_quota", "param": null, "code": "insufficient_quota"}})
                .to_string(),
        )
    }

    /// Waits `delay` before answering.
    pub fn after(mut self, delay: Duration) -> Reply {
        self.delay = delay;
        self
    }

    /// Adds a response header.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Reply {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// The token counts a 200 reports.
    pub fn usage(mut self, prompt_tokens: u64, completion_tokens: u64) -> Reply {
        self.usage = (prompt_tokens, completion_tokens);
        self
    }
}

/// One request as the server received it.
#[derive(Debug, Clone)]
pub struct RecordedRequest {
    /// 0-based arrival order.
    pub index: usize,
    pub method: String,
    pub path: String,
    /// Header names lower-cased, in arrival order.
    pub headers: Vec<(String, String)>,
    /// The body exactly as received.
    pub body_text: String,
    /// The body parsed as JSON (`Value::Null` when it was not JSON).
    pub body: Value,
    pub received_at: Instant,
}

impl RecordedRequest {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The concatenated content of the messages with this role.
    pub fn messages_of(&self, role: &str) -> String {
        self.body["messages"]
            .as_array()
            .map(|messages| {
                messages
                    .iter()
                    .filter(|m| m["role"] == role)
                    .filter_map(|m| m["content"].as_str())
                    .collect::<Vec<_>>()
                    .join("\n")
            })
            .unwrap_or_default()
    }

    /// What the engine sent about the account: the user message(s).
    pub fn user_message(&self) -> String {
        self.messages_of("user")
    }
}

/// A request that broke a rule of the contract with the provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// The request's [`RecordedRequest::index`].
    pub request: usize,
    pub problem: String,
}

struct Shared {
    api_key: Mutex<String>,
    script: Mutex<Script>,
    requests: Mutex<Vec<RecordedRequest>>,
    violations: Mutex<Vec<Violation>>,
}

struct Script {
    queue: VecDeque<Reply>,
    fallback: Reply,
}

/// The running server. Dropping it stops it.
pub struct ScriptedLlm {
    addr: SocketAddr,
    shared: Arc<Shared>,
    _stop: oneshot::Sender<()>,
}

impl ScriptedLlm {
    /// Starts a server expecting [`TEST_API_KEY`], answering [`Reply::echo`] to everything.
    pub async fn start() -> ScriptedLlm {
        ScriptedLlm::start_with_key(TEST_API_KEY).await
    }

    /// Starts a server expecting `api_key` as the bearer token.
    pub async fn start_with_key(api_key: &str) -> ScriptedLlm {
        let shared = Arc::new(Shared {
            api_key: Mutex::new(api_key.to_string()),
            script: Mutex::new(Script {
                queue: VecDeque::new(),
                fallback: Reply::echo(),
            }),
            requests: Mutex::new(Vec::new()),
            violations: Mutex::new(Vec::new()),
        });
        let app = Router::new().fallback(serve).with_state(shared.clone());
        let (addr, stop) = crate::serve_on_loopback(app)
            .await
            .expect("binding a loopback port");
        ScriptedLlm {
            addr,
            shared,
            _stop: stop,
        }
    }

    /// The base URL an OpenAI client is given: `http://127.0.0.1:<port>/v1`.
    pub fn base_url(&self) -> String {
        format!("http://{}/v1", self.addr)
    }

    /// The key the server accepts now.
    pub fn api_key(&self) -> String {
        self.shared.api_key.lock().expect("api key lock").clone()
    }

    /// From now on accepts only `api_key`, as a provider does once an operator rotated the
    /// key: requests still presenting the old one get OpenAI's 401 `invalid_api_key` (and
    /// are recorded as an `Authorization` violation).
    pub fn set_api_key(&self, api_key: &str) {
        *self.shared.api_key.lock().expect("api key lock") = api_key.to_string();
    }

    /// Queues one reply.
    pub fn push(&self, reply: Reply) -> &Self {
        self.script().queue.push_back(reply);
        self
    }

    /// Queues replies in order.
    pub fn push_all(&self, replies: impl IntoIterator<Item = Reply>) -> &Self {
        self.script().queue.extend(replies);
        self
    }

    /// The reply given whenever the queue is empty.
    pub fn set_fallback(&self, reply: Reply) -> &Self {
        self.script().fallback = reply;
        self
    }

    /// Replies still queued.
    pub fn pending(&self) -> usize {
        self.script().queue.len()
    }

    /// Every request received so far, in arrival order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.requests.lock().expect("requests lock").clone()
    }

    pub fn request_count(&self) -> usize {
        self.shared.requests.lock().expect("requests lock").len()
    }

    /// The only request received; panics unless there was exactly one.
    pub fn single_request(&self) -> RecordedRequest {
        let requests = self.requests();
        assert_eq!(
            requests.len(),
            1,
            "expected exactly one request to the LLM, got {}",
            requests.len()
        );
        requests.into_iter().next().expect("one request")
    }

    pub fn violations(&self) -> Vec<Violation> {
        self.shared
            .violations
            .lock()
            .expect("violations lock")
            .clone()
    }

    pub fn assert_no_violations(&self) {
        let violations = self.violations();
        assert!(
            violations.is_empty(),
            "requests to the LLM broke the provider contract: {violations:#?}"
        );
    }

    /// Waits until at least `count` requests have arrived, for at most `limit`; returns
    /// whether they did. For tests where requests arrive from tasks the test does not await.
    pub async fn wait_for_requests(&self, count: usize, limit: Duration) -> bool {
        let deadline = Instant::now() + limit;
        while self.request_count() < count {
            if Instant::now() >= deadline {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        true
    }

    fn script(&self) -> std::sync::MutexGuard<'_, Script> {
        self.shared.script.lock().expect("script lock")
    }
}

async fn serve(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let body_text = String::from_utf8_lossy(&body).into_owned();
    let request = {
        let mut requests = shared.requests.lock().expect("requests lock");
        let request = RecordedRequest {
            index: requests.len(),
            method: method.to_string(),
            path: uri.path().to_string(),
            headers: headers
                .iter()
                .map(|(n, v)| {
                    (
                        n.as_str().to_string(),
                        String::from_utf8_lossy(v.as_bytes()).into_owned(),
                    )
                })
                .collect(),
            body: serde_json::from_str(&body_text).unwrap_or(Value::Null),
            body_text,
            received_at: Instant::now(),
        };
        requests.push(request.clone());
        request
    };
    let violate = |problem: String| {
        shared
            .violations
            .lock()
            .expect("violations lock")
            .push(Violation {
                request: request.index,
                problem,
            });
    };

    if request.method != "POST" || request.path != "/v1/chat/completions" {
        violate(format!(
            "{} {} is not POST /v1/chat/completions",
            request.method, request.path
        ));
        return error_response(404, "unknown_url", "Unknown request URL");
    }
    let expected = format!(
        "Bearer {}",
        shared.api_key.lock().expect("api key lock").as_str()
    );
    if request.header("authorization") != Some(expected.as_str()) {
        violate(format!(
            "Authorization is {:?}, not the expected bearer key",
            request.header("authorization").map(redact)
        ));
        return error_response(401, "invalid_api_key", "Incorrect API key provided");
    }
    for problem in contract_problems(&request) {
        violate(problem);
    }

    let reply = {
        let mut script = shared.script.lock().expect("script lock");
        script
            .queue
            .pop_front()
            .unwrap_or_else(|| script.fallback.clone())
    };
    if !reply.delay.is_zero() {
        tokio::time::sleep(reply.delay).await;
    }
    render(&reply, &request)
}

/// Shows only the start of a presented key.
fn redact(value: &str) -> String {
    let shown: String = value.chars().take(12).collect();
    format!("{shown}…")
}

/// What a request to the provider must look like (the module docs list the rules).
fn contract_problems(request: &RecordedRequest) -> Vec<String> {
    let mut problems = Vec::new();
    if !request
        .header("content-type")
        .is_some_and(|v| v.starts_with("application/json"))
    {
        problems.push(format!(
            "content-type is {:?}, not application/json",
            request.header("content-type")
        ));
    }
    let body = &request.body;
    if !body.is_object() {
        problems.push("the body is not a JSON object".to_string());
        return problems;
    }
    if body["model"].as_str().is_none_or(str::is_empty) {
        problems.push("model is missing or empty".to_string());
    }
    if body["messages"].as_array().is_none_or(Vec::is_empty) {
        problems.push("messages is missing or empty".to_string());
    }
    if body["response_format"]["type"] != "json_schema" {
        problems.push(format!(
            "response_format.type is {}, not \"json_schema\"",
            body["response_format"]["type"]
        ));
    }
    if body["response_format"]["json_schema"]["strict"] != true {
        problems.push(format!(
            "response_format.json_schema.strict is {}, not true",
            body["response_format"]["json_schema"]["strict"]
        ));
    }
    if !body["response_format"]["json_schema"]["schema"].is_object() {
        problems.push("response_format.json_schema.schema is missing".to_string());
    }
    if body["store"] != false {
        problems.push(format!("store is {}, not false", body["store"]));
    }
    problems
}

fn render(reply: &Reply, request: &RecordedRequest) -> Response {
    let (status, body) = match &reply.kind {
        ReplyKind::Sections(texts) => (
            200,
            completion(
                request,
                reply,
                Some(&sections_json(request, texts)),
                None,
                "stop",
            ),
        ),
        ReplyKind::Content(content) => {
            (200, completion(request, reply, Some(content), None, "stop"))
        }
        ReplyKind::Refusal(message) => {
            (200, completion(request, reply, None, Some(message), "stop"))
        }
        ReplyKind::Truncated => {
            let full = sections_json(request, &[]);
            let cut: String = full.chars().take(full.chars().count() / 2).collect();
            (200, completion(request, reply, Some(&cut), None, "length"))
        }
        ReplyKind::Http { status, body } => (*status, body.clone()),
    };
    let mut response = (
        StatusCode::from_u16(status).expect("scripted statuses are valid"),
        [("content-type", "application/json")],
        body,
    )
        .into_response();
    for (name, value) in &reply.headers {
        response.headers_mut().insert(
            axum::http::HeaderName::from_bytes(name.as_bytes()).expect("scripted header name"),
            value.parse().expect("scripted header value"),
        );
    }
    response
}

fn error_response(status: u16, code: &str, message: &str) -> Response {
    (
        StatusCode::from_u16(status).expect("valid status"),
        [("content-type", "application/json")],
        json!({"error": {"message": message, "type": "invalid_request_error", "param": null, "code": code}})
            .to_string(),
    )
        .into_response()
}

/// A Chat Completions response body.
fn completion(
    request: &RecordedRequest,
    reply: &Reply,
    content: Option<&str>,
    refusal: Option<&str>,
    finish_reason: &str,
) -> String {
    let (prompt_tokens, completion_tokens) = reply.usage;
    json!({
        "id": format!("chatcmpl-scripted-{}", request.index),
        "object": "chat.completion",
        "created": time::OffsetDateTime::now_utc().unix_timestamp(),
        "model": request.body["model"].as_str().unwrap_or("scripted"),
        "choices": [{
            "index": 0,
            "message": {"role": "assistant", "content": content, "refusal": refusal},
            "logprobs": null,
            "finish_reason": finish_reason
        }],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens
        }
    })
    .to_string()
}

/// The first token with this prefix (`PERSON` → `PERSON_2`) in `text`, as written by the
/// de-identification: upper case, underscore, digits, on word boundaries.
pub fn first_token(text: &str, prefix: &str) -> Option<String> {
    tokens(text, prefix).into_iter().next()
}

/// Every distinct token with this prefix in `text`, in order of appearance.
pub fn tokens(text: &str, prefix: &str) -> Vec<String> {
    let needle = format!("{prefix}_");
    let mut found: Vec<String> = Vec::new();
    let mut from = 0;
    while let Some(pos) = text[from..].find(&needle) {
        let start = from + pos;
        let digits_from = start + needle.len();
        let digits: String = text[digits_from..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        let end = digits_from + digits.len();
        let boundary_before = !text[..start]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric() || c == '_');
        let boundary_after = !text[end..]
            .chars()
            .next()
            .is_some_and(|c| c.is_alphanumeric() || c == '_');
        if !digits.is_empty() && boundary_before && boundary_after {
            let token = format!("{needle}{digits}");
            if !found.contains(&token) {
                found.push(token);
            }
        }
        from = digits_from;
    }
    found
}

/// The attribute labels of the user message, in order: the `label` of every `label=value`
/// pair on a `group: a=1; b=2` line, and of every `label="free text"` line.
fn attribute_labels(user_message: &str) -> Vec<String> {
    let mut labels = Vec::new();
    for line in user_message.lines() {
        let Some(first_eq) = line.find('=') else {
            continue;
        };
        if line[first_eq + 1..].starts_with('"') {
            labels.push(line[..first_eq].to_string());
            continue;
        }
        let pairs = line[..first_eq]
            .split_once(": ")
            .map_or(line, |(heading, _)| &line[heading.len() + 2..]);
        labels.extend(
            pairs
                .split("; ")
                .filter_map(|pair| pair.split_once('=').map(|(label, _)| label.to_string())),
        );
    }
    labels
}

/// The JSON content of a valid answer: the seven sections, echo texts unless given.
fn sections_json(request: &RecordedRequest, texts: &[(SectionKey, String)]) -> String {
    let user = request.user_message();
    let account = first_token(&user, "ACCOUNT").unwrap_or_else(|| "The account".to_string());
    let person = first_token(&user, "PERSON").unwrap_or_else(|| "the champion".to_string());
    let email = first_token(&user, "EMAIL").unwrap_or_else(|| "their usual address".to_string());
    let labels = attribute_labels(&user);
    let evidence: Vec<&str> = labels.iter().take(2).map(String::as_str).collect();
    let echo = |key: SectionKey| -> String {
        match key {
            SectionKey::Overview => format!("{account} is a customer; {person} is the contact."),
            SectionKey::UsageEngagement => "Usage is as the attributes describe.".to_string(),
            SectionKey::Interactions => format!("The last meeting was with {person}."),
            SectionKey::Sentiment => "No sentiment signal beyond the attributes.".to_string(),
            SectionKey::Risks => "Risks follow from the usage trend.".to_string(),
            SectionKey::Renewal => "Renewal timing is in the attributes.".to_string(),
            SectionKey::NextActions => format!("Write to {person} at {email} this week."),
        }
    };
    let sections: serde_json::Map<String, Value> = SectionKey::ALL
        .iter()
        .map(|key| {
            let text = texts
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, t)| t.clone())
                .unwrap_or_else(|| echo(*key));
            (
                key.as_str().to_string(),
                json!({"text": text, "evidence": evidence}),
            )
        })
        .collect();
    Value::Object(sections).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_found_on_word_boundaries_in_order() {
        let text = "champion_name: PERSON_2 [x]\nnotes: \"Call PERSON_1 at EMAIL_1; PERSON_2 again; XPERSON_3 PERSON_ PERSON_4a\"";
        assert_eq!(tokens(text, "PERSON"), ["PERSON_2", "PERSON_1"]);
        assert_eq!(first_token(text, "EMAIL").as_deref(), Some("EMAIL_1"));
        assert_eq!(first_token(text, "ACCOUNT"), None);
    }

    #[test]
    fn attribute_labels_come_from_label_value_pairs() {
        let user = "As of 2026-12-01:\naccount: name=ACCOUNT_1; seats=9\nlast 90d: tickets=2 (x)\nnotes=\"a=b; c=d\"\n";
        assert_eq!(
            attribute_labels(user),
            ["name", "seats", "tickets", "notes"]
        );
    }
}
