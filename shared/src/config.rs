//! Deployment settings from the environment, and the clients a function builds once per
//! cold start.

use std::time::Duration;

use crate::engine::Engine;
use crate::engine::openai::{DEFAULT_BASE_URL, DEFAULT_MODEL, OpenAiEngine, OpenAiSettings};
use crate::http::ClaimNames;
use crate::secrets::{ApiKeySource, SecretKey};
use crate::service::{DEFAULT_TENANT_CACHE_TTL, SummaryService};
use crate::store::Store;

pub const DEFAULT_TABLE_NAME: &str = "account-summaries";

/// The longest a function trusts a tenant's cached config (`TENANT_CACHE_SECONDS` above it is
/// lowered to it): an admin's disable reaches every warm function within this time.
pub const MAX_TENANT_CACHE_SECONDS: u64 = 300;

/// Everything a function reads from its environment (the README lists each variable).
#[derive(Debug, Clone)]
pub struct Settings {
    /// `TABLE_NAME`
    pub table_name: String,
    /// `TENANT_CLAIM`: the claim that carries the tenant id.
    pub tenant_claim: String,
    /// `OPENAI_SECRET_ID`: the Secrets Manager secret holding the OpenAI key. Unset: the
    /// offline engine writes every summary.
    pub openai_secret_id: Option<String>,
    /// `OPENAI_BASE_URL`, `OPENAI_MODEL`, `GENERATION_DEADLINE_MS`
    pub openai: OpenAiSettings,
    /// `TENANT_CACHE_SECONDS`
    pub tenant_cache_ttl: Duration,
    /// `METRICS_NAMESPACE`
    pub metrics_namespace: String,
}

impl Settings {
    pub fn from_env() -> Settings {
        Settings::from_lookup(|name| std::env::var(name).ok())
    }

    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Settings {
        let get = |name: &str| get(name).filter(|v| !v.trim().is_empty());
        let number = |name: &str| get(name).and_then(|v| v.parse::<u64>().ok());
        Settings {
            table_name: get("TABLE_NAME").unwrap_or_else(|| DEFAULT_TABLE_NAME.to_string()),
            tenant_claim: get("TENANT_CLAIM").unwrap_or_else(|| "tenant_id".to_string()),
            openai_secret_id: get("OPENAI_SECRET_ID"),
            openai: OpenAiSettings {
                base_url: get("OPENAI_BASE_URL").unwrap_or_else(|| DEFAULT_BASE_URL.to_string()),
                model: get("OPENAI_MODEL").unwrap_or_else(|| DEFAULT_MODEL.to_string()),
                deadline: Duration::from_millis(number("GENERATION_DEADLINE_MS").unwrap_or(20_000)),
            },
            // Capped: disabling a tenant must take effect within minutes, whatever is set.
            tenant_cache_ttl: number("TENANT_CACHE_SECONDS")
                .map(|s| Duration::from_secs(s.min(MAX_TENANT_CACHE_SECONDS)))
                .unwrap_or(DEFAULT_TENANT_CACHE_TTL),
            metrics_namespace: get("METRICS_NAMESPACE")
                .unwrap_or_else(|| crate::metrics::DEFAULT_NAMESPACE.to_string()),
        }
    }

    pub fn claim_names(&self) -> ClaimNames {
        ClaimNames {
            tenant: self.tenant_claim.clone(),
        }
    }
}

/// The AWS SDK configuration: region, credentials and `AWS_ENDPOINT_URL` from the environment.
pub async fn aws_config() -> aws_config::SdkConfig {
    aws_config::load_from_env().await
}

/// The AWS SDK configuration inside Lambda, which always sets the region and the function's
/// credentials as environment variables (`AWS_REGION`, `AWS_ACCESS_KEY_ID`,
/// `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`). Taking them from there directly skips
/// building the default provider chains (profile, web identity, ECS, IMDS), which at load
/// time cost a cold start more than a millisecond. `AWS_ENDPOINT_URL` and the rest still
/// come from the environment.
pub async fn lambda_aws_config() -> aws_config::SdkConfig {
    use aws_config::environment::{
        EnvironmentVariableCredentialsProvider, EnvironmentVariableRegionProvider,
    };
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .region(EnvironmentVariableRegionProvider::new())
        .credentials_provider(EnvironmentVariableCredentialsProvider::new())
        .load()
        .await
}

/// Builds the service with its clients; nothing is fetched over the network here. What only
/// a generation needs (the Secrets Manager client, the LLM's HTTP client) is built on the
/// first generation, so that a cold start serving a cached summary or a vote skips it.
pub fn build_service(settings: &Settings, aws: &aws_config::SdkConfig) -> SummaryService {
    service_with(settings, aws_sdk_dynamodb::Client::new(aws), |secret_id| {
        SecretKey::from_config(aws, secret_id)
    })
}

/// [`build_service`] with the AWS clients given (the tests give clients that record every
/// operation, to check the deployment template's IAM statements against them).
pub fn build_service_with(
    settings: &Settings,
    dynamodb: aws_sdk_dynamodb::Client,
    secrets: aws_sdk_secretsmanager::Client,
) -> SummaryService {
    service_with(settings, dynamodb, |secret_id| {
        SecretKey::new(secrets, secret_id)
    })
}

fn service_with(
    settings: &Settings,
    dynamodb: aws_sdk_dynamodb::Client,
    secret_key: impl FnOnce(&str) -> SecretKey,
) -> SummaryService {
    let store = Store::new(dynamodb, &settings.table_name);
    let engine = match &settings.openai_secret_id {
        Some(secret_id) => Engine::OpenAi(OpenAiEngine::new(
            settings.openai.clone(),
            ApiKeySource::SecretsManager(secret_key(secret_id)),
        )),
        None => Engine::Offline,
    };
    SummaryService::new(store, engine)
        .with_tenant_cache_ttl(settings.tenant_cache_ttl)
        .with_metrics_namespace(&settings.metrics_namespace)
}

/// What every function's handler holds: the service and the claim names, built once per
/// cold start.
pub struct App {
    pub service: SummaryService,
    pub claims: ClaimNames,
}

impl App {
    /// The function's state inside Lambda (see [`lambda_aws_config`]).
    pub async fn from_env() -> App {
        let settings = Settings::from_env();
        let aws = lambda_aws_config().await;
        App {
            service: build_service(&settings, &aws),
            claims: settings.claim_names(),
        }
    }
}

/// Logging for a Lambda function: JSON lines, level from `RUST_LOG` (default `info`).
pub fn init_lambda_logging() {
    lambda_http::tracing::init_default_subscriber();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_apply_when_unset_or_blank() {
        let s = Settings::from_lookup(|name| (name == "OPENAI_SECRET_ID").then(|| " ".to_string()));
        assert_eq!(s.table_name, DEFAULT_TABLE_NAME);
        assert_eq!(s.tenant_claim, "tenant_id");
        assert_eq!(s.openai_secret_id, None);
        assert_eq!(s.openai.model, DEFAULT_MODEL);
        assert_eq!(s.openai.deadline, Duration::from_secs(20));
    }

    #[test]
    fn the_tenant_cache_is_trusted_five_minutes_at_most() {
        let with = |v: &'static str| {
            Settings::from_lookup(|name| (name == "TENANT_CACHE_SECONDS").then(|| v.to_string()))
                .tenant_cache_ttl
        };
        assert_eq!(with("45"), Duration::from_secs(45));
        assert_eq!(with("86400"), Duration::from_secs(300));
        assert_eq!(with("0"), Duration::ZERO);
    }
}
