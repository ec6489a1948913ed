//! The OpenAI key from Secrets Manager: fetched on first use, kept for the life of the
//! process (one fetch per cold start), fetched again only when the provider rejects it.

use std::sync::OnceLock;

use tokio::sync::RwLock;

#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    /// The message names the secret, never its value.
    #[error("could not read secret {secret_id}: {reason}")]
    Unreadable { secret_id: String, reason: String },
}

/// Where the API key comes from.
pub enum ApiKeySource {
    /// Given directly (the command-line tool reads `OPENAI_API_KEY`).
    Static(String),
    SecretsManager(SecretKey),
}

impl ApiKeySource {
    pub async fn key(&self) -> Result<String, SecretError> {
        match self {
            ApiKeySource::Static(key) => Ok(key.clone()),
            ApiKeySource::SecretsManager(secret) => secret.get().await,
        }
    }

    /// Forgets a cached key (it may have been rotated).
    pub async fn invalidate(&self) {
        if let ApiKeySource::SecretsManager(secret) = self {
            *secret.cached.write().await = None;
        }
    }
}

pub struct SecretKey {
    client: OnceLock<aws_sdk_secretsmanager::Client>,
    /// What the client is built from on first use, when it was not given (boxed: an SDK
    /// config is large, and a key is mostly used through its client).
    config: Option<Box<aws_config::SdkConfig>>,
    secret_id: String,
    cached: RwLock<Option<String>>,
}

impl SecretKey {
    pub fn new(client: aws_sdk_secretsmanager::Client, secret_id: impl Into<String>) -> SecretKey {
        SecretKey {
            client: OnceLock::from(client),
            config: None,
            secret_id: secret_id.into(),
            cached: RwLock::new(None),
        }
    }

    /// Builds its Secrets Manager client when the key is first needed: constructing an SDK
    /// client sets up its TLS connector (root certificates), which a cold start of a function
    /// that never generates a summary need not pay for.
    pub fn from_config(config: &aws_config::SdkConfig, secret_id: impl Into<String>) -> SecretKey {
        SecretKey {
            client: OnceLock::new(),
            config: Some(Box::new(config.clone())),
            secret_id: secret_id.into(),
            cached: RwLock::new(None),
        }
    }

    fn client(&self) -> &aws_sdk_secretsmanager::Client {
        self.client.get_or_init(|| {
            aws_sdk_secretsmanager::Client::new(
                self.config
                    .as_ref()
                    .expect("a SecretKey without a client has its SDK config"),
            )
        })
    }

    pub async fn get(&self) -> Result<String, SecretError> {
        if let Some(key) = self.cached.read().await.as_ref() {
            return Ok(key.clone());
        }
        let mut slot = self.cached.write().await;
        if let Some(key) = slot.as_ref() {
            return Ok(key.clone());
        }
        let unreadable = |reason: String| SecretError::Unreadable {
            secret_id: self.secret_id.clone(),
            reason,
        };
        let out = self
            .client()
            .get_secret_value()
            .secret_id(&self.secret_id)
            .send()
            .await
            .map_err(|e| {
                unreadable(aws_sdk_secretsmanager::error::DisplayErrorContext(e).to_string())
            })?;
        let raw = out
            .secret_string()
            .ok_or_else(|| unreadable("the secret has no string value".into()))?;
        let key = parse_secret(raw).ok_or_else(|| unreadable("the secret is empty".into()))?;
        *slot = Some(key.clone());
        Ok(key)
    }
}

/// A secret holds the bare key, or JSON with an `api_key` (or `OPENAI_API_KEY`) field.
/// Whitespace and newlines around the key (a pasted secret often ends in one) are removed.
pub fn parse_secret(raw: &str) -> Option<String> {
    let raw = raw.trim();
    let key = match serde_json::from_str::<serde_json::Value>(raw) {
        Ok(serde_json::Value::Object(map)) => ["api_key", "OPENAI_API_KEY", "openai_api_key"]
            .iter()
            .find_map(|k| map.get(*k).and_then(|v| v.as_str()))?
            .trim()
            .to_string(),
        _ => raw.to_string(),
    };
    (!key.is_empty()).then_some(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_trimmed_and_json_is_understood() {
        assert_eq!(parse_secret("sk-abc\n").as_deref(), Some("sk-abc"));
        assert_eq!(
            parse_secret(r#"{"api_key": " sk-xyz\r\n"}"#).as_deref(),
            Some("sk-xyz")
        );
        assert_eq!(parse_secret(" \n"), None);
        assert_eq!(parse_secret(r#"{"other": "x"}"#), None);
    }
}
