//! The LLM engine: de-identify, build the prompt, guard it, call an OpenAI-compatible Chat
//! Completions endpoint within one deadline (retries, one repair, one regeneration for
//! ungrounded figures), parse and restore the answer.

use std::sync::OnceLock;
use std::time::Duration;

use backon::{ExponentialBuilder, Retryable};
use serde::Deserialize;
use serde_json::{Value, json};
use time::Date;
use tokio::time::Instant;

use super::Generated;
use super::answer::{AnswerError, parse_sections};
use super::grounding::ungrounded_figures;
use crate::attributes::Account;
use crate::deid::{Deidentified, deidentify};
use crate::prompt::{EvidenceLabels, ModelCall, PROMPT_VERSION, request_body, user_message};
use crate::secrets::ApiKeySource;
use crate::summary::{Section, Source, TokenUsage};
use crate::tenant::TenantConfig;

pub const DEFAULT_BASE_URL: &str = "https://api.openai.com/v1";
pub const DEFAULT_MODEL: &str = "gpt-4o-mini";
const DEFAULT_TEMPERATURE: f32 = 0.2;
const DEFAULT_MAX_OUTPUT_TOKENS: u32 = 900;
/// A provider's Retry-After is honoured up to this; longer waits end in the fallback.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(5);
/// Attempts after the first for 429, 5xx and transport failures (a stale pooled connection
/// left from a frozen Lambda surfaces as a transport failure and is retried here).
const MAX_RETRIES: usize = 3;

/// Why the LLM produced no usable summary. Each has a short code for logs and metrics; none
/// carries a secret, a prompt or an attribute value.
#[derive(Debug, thiserror::Error)]
pub enum LlmError {
    #[error("the base URL must be https (plain http only to a loopback address)")]
    InsecureBaseUrl,
    #[error("the de-identification guard refused the request ({0})")]
    Guard(&'static str),
    #[error("no API key: {0}")]
    Key(#[from] crate::secrets::SecretError),
    #[error("request failed ({0})")]
    Transport(&'static str),
    #[error("the generation deadline passed")]
    Deadline,
    #[error("provider answered HTTP {status}")]
    Status {
        status: u16,
        retry_after: Option<Duration>,
        insufficient_quota: bool,
    },
    #[error("the model refused")]
    Refusal,
    #[error("the answer was cut off")]
    Truncated,
    #[error("unusable answer: {0}")]
    Answer(#[from] AnswerError),
}

impl LlmError {
    pub fn code(&self) -> &'static str {
        match self {
            LlmError::InsecureBaseUrl => "insecure_base_url",
            LlmError::Guard(code) => code,
            LlmError::Key(_) => "api_key_unavailable",
            LlmError::Transport(kind) => kind,
            LlmError::Deadline => "deadline",
            LlmError::Status {
                insufficient_quota: true,
                ..
            } => "insufficient_quota",
            LlmError::Status { status: 429, .. } => "rate_limited",
            LlmError::Status { status: 401, .. } => "unauthorized",
            LlmError::Status { status, .. } if *status >= 500 => "server_error",
            LlmError::Status { .. } => "client_error",
            LlmError::Refusal => "refusal",
            LlmError::Truncated => "truncated",
            LlmError::Answer(AnswerError::Malformed) => "malformed",
            LlmError::Answer(AnswerError::MissingSection(_)) => "missing_section",
        }
    }

    /// Worth another request after a pause: rate limits (not an exhausted quota), server
    /// errors and transport failures.
    fn is_transient(&self) -> bool {
        match self {
            LlmError::Status {
                status,
                insufficient_quota,
                ..
            } => (*status == 429 && !insufficient_quota) || *status >= 500,
            LlmError::Transport(_) => true,
            _ => false,
        }
    }

    /// The model answered, but not usably: one repair request may fix it.
    fn is_answer_problem(&self) -> bool {
        matches!(
            self,
            LlmError::Refusal | LlmError::Truncated | LlmError::Answer(_)
        )
    }

    fn retry_after(&self) -> Option<Duration> {
        match self {
            LlmError::Status { retry_after, .. } => *retry_after,
            _ => None,
        }
    }
}

/// Where and how the model is reached; the deployment's defaults.
#[derive(Debug, Clone)]
pub struct OpenAiSettings {
    pub base_url: String,
    pub model: String,
    /// Everything a generation may take: retries, repair and regeneration included.
    pub deadline: Duration,
}

impl Default for OpenAiSettings {
    fn default() -> Self {
        OpenAiSettings {
            base_url: DEFAULT_BASE_URL.to_string(),
            model: DEFAULT_MODEL.to_string(),
            deadline: Duration::from_secs(20),
        }
    }
}

/// The article's promise that data is encrypted in transit: https, except to this machine.
pub fn base_url_is_allowed(base_url: &str) -> bool {
    let Ok(url) = reqwest::Url::parse(base_url) else {
        return false;
    };
    match url.scheme() {
        "https" => true,
        "http" => match url.host() {
            Some(url::Host::Domain(d)) => d == "localhost",
            Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
            Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
            None => false,
        },
        _ => false,
    }
}

pub struct OpenAiEngine {
    /// Built on the first generation: building it loads the system's root certificates
    /// (milliseconds), which a cold start of a function that only serves cached summaries
    /// or votes would otherwise pay for nothing.
    http: OnceLock<reqwest::Client>,
    settings: OpenAiSettings,
    key: ApiKeySource,
}

#[derive(Deserialize)]
struct ChatResponse {
    #[serde(default)]
    choices: Vec<Choice>,
    #[serde(default)]
    usage: Option<Usage>,
}

#[derive(Deserialize)]
struct Choice {
    message: Message,
    #[serde(default)]
    finish_reason: Option<String>,
}

#[derive(Deserialize)]
struct Message {
    #[serde(default)]
    content: Option<String>,
    #[serde(default)]
    refusal: Option<String>,
}

#[derive(Deserialize)]
struct Usage {
    #[serde(default)]
    prompt_tokens: u64,
    #[serde(default)]
    completion_tokens: u64,
}

/// One usable answer: its sections and what it cost.
struct Answer {
    sections: Vec<Section>,
    ungrounded: Vec<String>,
}

impl OpenAiEngine {
    pub fn new(settings: OpenAiSettings, key: ApiKeySource) -> OpenAiEngine {
        OpenAiEngine {
            http: OnceLock::new(),
            settings,
            key,
        }
    }

    fn http(&self) -> &reqwest::Client {
        self.http.get_or_init(|| {
            reqwest::Client::builder()
                .connect_timeout(Duration::from_secs(3))
                // Lambda freezes between invocations; a connection idle that long is likely dead.
                .pool_idle_timeout(Duration::from_secs(50))
                .build()
                .expect("the HTTP client builds with static settings")
        })
    }

    pub fn model_call(&self, config: &TenantConfig) -> ModelCall {
        ModelCall {
            model: config
                .model
                .model
                .clone()
                .unwrap_or_else(|| self.settings.model.clone()),
            temperature: config.model.temperature.unwrap_or(DEFAULT_TEMPERATURE),
            max_output_tokens: config
                .model
                .max_output_tokens
                .unwrap_or(DEFAULT_MAX_OUTPUT_TOKENS),
        }
    }

    pub async fn generate(
        &self,
        account: &Account,
        config: &TenantConfig,
        as_of: Date,
    ) -> Result<Generated, LlmError> {
        let mut usage = TokenUsage::default();
        self.generate_counting(account, config, as_of, &mut usage)
            .await
    }

    /// As [`OpenAiEngine::generate`], adding the tokens of every response to `usage`, also
    /// when none of them gave a usable summary: the provider bills them all.
    pub async fn generate_counting(
        &self,
        account: &Account,
        config: &TenantConfig,
        as_of: Date,
        usage: &mut TokenUsage,
    ) -> Result<Generated, LlmError> {
        if !base_url_is_allowed(&self.settings.base_url) {
            return Err(LlmError::InsecureBaseUrl);
        }
        let deadline = Instant::now() + self.settings.deadline;
        let deid = deidentify(account, config);
        let call = self.model_call(config);
        let body = request_body(&deid, as_of, &call);
        // Grounding compares against the input with real names back in, like the answer.
        let input = deid.pseudonyms.restore(&user_message(&deid, as_of));

        let answer = match self.attempt(&body, &deid, &input, usage, deadline).await {
            Ok(answer) => answer,
            Err(err) if err.is_answer_problem() => {
                tracing::info!(reason = err.code(), "unusable answer; one repair attempt");
                let repair = repair_request(&body, &err, &call);
                self.attempt(&repair, &deid, &input, usage, deadline)
                    .await?
            }
            Err(err) => return Err(err),
        };
        let answer = if answer.ungrounded.is_empty() {
            answer
        } else {
            tracing::info!(
                count = answer.ungrounded.len(),
                "ungrounded figures; one regeneration"
            );
            match self.attempt(&body, &deid, &input, usage, deadline).await {
                Ok(second) if second.ungrounded.len() < answer.ungrounded.len() => second,
                _ => answer,
            }
        };
        Ok(Generated {
            sections: answer.sections,
            source: Source::Ai,
            model: Some(call.model),
            prompt_version: PROMPT_VERSION.to_string(),
            usage: Some(*usage),
            ungrounded: answer.ungrounded,
        })
    }

    /// One request (with its transient retries) and the reading of its answer.
    async fn attempt(
        &self,
        body: &Value,
        deid: &Deidentified,
        input: &str,
        usage: &mut TokenUsage,
        deadline: Instant,
    ) -> Result<Answer, LlmError> {
        let body_text = body.to_string();
        deid.guard(&body_text)
            .map_err(|v| LlmError::Guard(v.code))?;
        let response = self.call(&body_text, deadline).await?;
        if let Some(u) = &response.usage {
            usage.prompt_tokens += u.prompt_tokens;
            usage.completion_tokens += u.completion_tokens;
        }
        let choice = response
            .choices
            .into_iter()
            .next()
            .ok_or(LlmError::Answer(AnswerError::Malformed))?;
        if choice.message.refusal.is_some() {
            return Err(LlmError::Refusal);
        }
        if choice.finish_reason.as_deref() == Some("length") {
            return Err(LlmError::Truncated);
        }
        let content = choice.message.content.ok_or(LlmError::Refusal)?;
        let labels = EvidenceLabels::of(&deid.attributes);
        let sections = parse_sections(&content, &deid.pseudonyms, &labels)?;
        let all_text: String = sections.iter().map(|s| format!("{}\n", s.text)).collect();
        Ok(Answer {
            ungrounded: ungrounded_figures(&all_text, input),
            sections,
        })
    }

    /// Sends the request, retrying transient failures with jittered backoff (honouring a
    /// capped Retry-After) while the deadline allows, and once more with a fresh key on 401.
    async fn call(&self, body: &str, deadline: Instant) -> Result<ChatResponse, LlmError> {
        let backoff = ExponentialBuilder::default()
            .with_min_delay(Duration::from_millis(250))
            .with_max_delay(Duration::from_secs(4))
            .with_max_times(MAX_RETRIES)
            .with_jitter();
        let mut key_refreshed = false;
        loop {
            let result = (|| self.call_once(body, deadline))
                .retry(backoff)
                .when(LlmError::is_transient)
                .adjust(|err, delay| {
                    // `delay` is None once the retries are used up: a Retry-After does not
                    // lift that limit, and one beyond the cap ends the retries at once.
                    let wait = match err.retry_after() {
                        Some(asked) if asked > MAX_RETRY_AFTER => return None,
                        Some(asked) => delay.map(|_| asked)?,
                        None => delay?,
                    };
                    (Instant::now() + wait < deadline).then_some(wait)
                })
                .await;
            match result {
                // The key may have been rotated since it was cached: fetch it once more.
                Err(LlmError::Status { status: 401, .. }) if !key_refreshed => {
                    key_refreshed = true;
                    self.key.invalidate().await;
                }
                other => return other,
            }
        }
    }

    async fn call_once(&self, body: &str, deadline: Instant) -> Result<ChatResponse, LlmError> {
        let remaining = deadline.saturating_duration_since(Instant::now());
        if remaining.is_zero() {
            return Err(LlmError::Deadline);
        }
        let key = self.key.key().await?;
        let url = format!(
            "{}/chat/completions",
            self.settings.base_url.trim_end_matches('/')
        );
        let response = self
            .http()
            .post(url)
            .bearer_auth(key)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body.to_string())
            .timeout(remaining)
            .send()
            .await
            .map_err(transport_kind)?;
        let status = response.status();
        if !status.is_success() {
            let retry_after = response
                .headers()
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
                .map(Duration::from_secs);
            let text = response.text().await.unwrap_or_default();
            return Err(LlmError::Status {
                status: status.as_u16(),
                retry_after,
                insufficient_quota: is_quota_error(&text),
            });
        }
        let bytes = response.bytes().await.map_err(transport_kind)?;
        serde_json::from_slice(&bytes).map_err(|_| LlmError::Answer(AnswerError::Malformed))
    }
}

/// OpenAI's body for an exhausted quota: `{"error": {"code": "insufficient_quota", ...}}`.
fn is_quota_error(body: &str) -> bool {
    serde_json::from_str::<Value>(body)
        .ok()
        .and_then(|v| {
            let e = v.get("error")?;
            let code = e.get("code").and_then(Value::as_str);
            let kind = e.get("type").and_then(Value::as_str);
            Some(code == Some("insufficient_quota") || kind == Some("insufficient_quota"))
        })
        .unwrap_or(false)
}

/// The request once more, with a note on what went wrong; a cut-off answer gets more room.
fn repair_request(body: &Value, err: &LlmError, call: &ModelCall) -> Value {
    let mut repair = body.clone();
    let note = match err {
        LlmError::Refusal => {
            "The data above is an ordinary business account record. Summarize it as instructed."
        }
        LlmError::Truncated => {
            "Your previous answer was cut off. Answer again, shorter: at most 50 words per section."
        }
        _ => {
            "Your previous answer did not match the required JSON schema. Answer again with only the JSON object, every section filled."
        }
    };
    if let Some(messages) = repair["messages"].as_array_mut() {
        messages.push(json!({"role": "user", "content": note}));
    }
    if matches!(err, LlmError::Truncated) {
        repair["max_tokens"] = json!(call.max_output_tokens.saturating_mul(3) / 2);
    }
    repair
}

/// reqwest errors print the URL; keep the kind only.
fn transport_kind(e: reqwest::Error) -> LlmError {
    LlmError::Transport(if e.is_timeout() {
        "timeout"
    } else if e.is_connect() {
        "connect"
    } else if e.is_body() || e.is_decode() {
        "body"
    } else {
        "transport"
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_https_or_loopback_http_is_allowed() {
        assert!(base_url_is_allowed("https://api.openai.com/v1"));
        assert!(base_url_is_allowed("http://127.0.0.1:8080/v1"));
        assert!(base_url_is_allowed("http://localhost:11434/v1"));
        assert!(base_url_is_allowed("http://[::1]:8000/v1"));
        assert!(!base_url_is_allowed("http://api.openai.com/v1"));
        assert!(!base_url_is_allowed("http://10.0.0.5/v1"));
        assert!(!base_url_is_allowed("ftp://127.0.0.1/v1"));
        assert!(!base_url_is_allowed("not a url"));
    }

    #[test]
    fn quota_errors_are_told_from_rate_limits() {
        assert!(is_quota_error(
            r#"{"error":{"message":"You exceeded your current quota","type":"insufficient_quota","code":"insufficient_quota"}}"#
        ));
        assert!(!is_quota_error(
            r#"{"error":{"message":"Rate limit reached","type":"requests","code":"rate_limit_exceeded"}}"#
        ));
        assert!(!is_quota_error("<html>busy</html>"));
    }

    #[test]
    fn which_failures_are_retried() {
        let status = |s: u16, q: bool| LlmError::Status {
            status: s,
            retry_after: None,
            insufficient_quota: q,
        };
        assert!(status(429, false).is_transient());
        assert!(status(503, false).is_transient());
        assert!(!status(429, true).is_transient());
        assert!(!status(400, false).is_transient());
        assert!(!status(401, false).is_transient());
        assert!(LlmError::Transport("connect").is_transient());
        assert!(!LlmError::Refusal.is_transient());
    }

    #[test]
    fn a_truncated_answer_is_repaired_with_more_room() {
        let call = ModelCall {
            model: "m".into(),
            temperature: 0.2,
            max_output_tokens: 900,
        };
        let body = json!({"messages": [{"role": "system", "content": "s"}], "max_tokens": 900});
        let repaired = repair_request(&body, &LlmError::Truncated, &call);
        assert_eq!(repaired["max_tokens"], 1350);
        assert_eq!(repaired["messages"].as_array().unwrap().len(), 2);
    }
}
