//! The LLM engine: de-identify, build the prompt, guard it, call an OpenAI-compatible Chat
//! Completions endpoint, parse and restore the answer.

use std::time::Duration;

use serde::Deserialize;
use time::Date;

use super::Generated;
use super::answer::{AnswerError, parse_sections};
use crate::attributes::Account;
use crate::deid::deidentify;
use crate::prompt::{ModelCall, PROMPT_VERSION, request_body};
use crate::secrets::ApiKeySource;
use crate::summary::{Source, TokenUsage};
use crate::tenant::TenantConfig;

pub const DEFAULT_BASE_URL: &str = "https://api.openai.com/v1";
pub const DEFAULT_MODEL: &str = "gpt-4o-mini";
const DEFAULT_TEMPERATURE: f32 = 0.2;
const DEFAULT_MAX_OUTPUT_TOKENS: u32 = 900;

/// Why the LLM produced no usable summary. Each has a short code for logs and metrics.
#[derive(Debug, thiserror::Error)]
pub enum LlmError {
    #[error("the de-identification guard refused the request ({0})")]
    Guard(&'static str),
    #[error("no API key: {0}")]
    Key(#[from] crate::secrets::SecretError),
    #[error("request failed: {0}")]
    Transport(String),
    #[error("provider answered HTTP {0}")]
    Status(u16),
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
            LlmError::Guard(code) => code,
            LlmError::Key(_) => "api_key_unavailable",
            LlmError::Transport(_) => "transport",
            LlmError::Status(429) => "rate_limited",
            LlmError::Status(s) if *s >= 500 => "server_error",
            LlmError::Status(_) => "client_error",
            LlmError::Refusal => "refusal",
            LlmError::Truncated => "truncated",
            LlmError::Answer(AnswerError::Malformed) => "malformed",
            LlmError::Answer(AnswerError::MissingSection(_)) => "missing_section",
        }
    }
}

/// Where and how the model is reached; the deployment's defaults.
#[derive(Debug, Clone)]
pub struct OpenAiSettings {
    pub base_url: String,
    pub model: String,
    /// Everything a generation may take, retries included.
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

pub struct OpenAiEngine {
    http: reqwest::Client,
    settings: OpenAiSettings,
    key: ApiKeySource,
}

#[derive(Deserialize)]
struct ChatResponse {
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
    prompt_tokens: u64,
    completion_tokens: u64,
}

impl OpenAiEngine {
    pub fn new(settings: OpenAiSettings, key: ApiKeySource) -> OpenAiEngine {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(3))
            .build()
            .expect("the HTTP client builds with static settings");
        OpenAiEngine {
            http,
            settings,
            key,
        }
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
        let deid = deidentify(account, config);
        let call = self.model_call(config);
        let body = request_body(&deid, as_of, &call);
        let body_text = body.to_string();
        deid.guard(&body_text)
            .map_err(|v| LlmError::Guard(v.code))?;
        let key = self.key.key().await?;
        let url = format!(
            "{}/chat/completions",
            self.settings.base_url.trim_end_matches('/')
        );
        let response = self
            .http
            .post(url)
            .bearer_auth(key)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body_text)
            .timeout(self.settings.deadline)
            .send()
            .await
            .map_err(|e| LlmError::Transport(without_url(e)))?;
        let status = response.status();
        if !status.is_success() {
            return Err(LlmError::Status(status.as_u16()));
        }
        let parsed: ChatResponse = response
            .json()
            .await
            .map_err(|_| LlmError::Answer(AnswerError::Malformed))?;
        let choice = parsed
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
        let sent_keys: Vec<&str> = deid.attributes.iter().map(|a| a.name.as_str()).collect();
        let sections = parse_sections(&content, &deid.pseudonyms, &sent_keys)?;
        Ok(Generated {
            sections,
            source: Source::Ai,
            model: Some(call.model),
            prompt_version: PROMPT_VERSION.to_string(),
            usage: parsed.usage.map(|u| TokenUsage {
                prompt_tokens: u.prompt_tokens,
                completion_tokens: u.completion_tokens,
            }),
        })
    }
}

/// reqwest errors print the URL; keep the kind only, so no query string ever reaches a log.
fn without_url(e: reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timeout"
    } else if e.is_connect() {
        "connect"
    } else if e.is_body() || e.is_decode() {
        "body"
    } else {
        "request"
    };
    kind.to_string()
}
