//! AWS SDK configuration: from the environment like every AWS SDK (`AWS_ENDPOINT_URL`,
//! `AWS_REGION`, credentials, profile), or pinned to a local moto server.

use anyhow::Context;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_dynamodb::config::Credentials;

use summary_core::config::Settings;
use summary_core::store::Store;

/// The region and credentials the local stack gives the SDK when it talks to moto.
pub const LOCAL_REGION: &str = "us-east-1";

/// The SDK configuration from the environment; fails early when no region is configured.
pub async fn from_env() -> anyhow::Result<SdkConfig> {
    let config = summary_core::config::aws_config().await;
    config.region().context(
        "no AWS region configured: set AWS_REGION (and AWS_ENDPOINT_URL for a local endpoint)",
    )?;
    Ok(config)
}

/// The SDK configuration for a local endpoint (moto): fixed region and test credentials, so
/// that nothing from the environment can send a request to AWS.
pub async fn local(endpoint: &str) -> SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .endpoint_url(endpoint)
        .region(Region::new(LOCAL_REGION))
        .credentials_provider(Credentials::new("test", "test", None, None, "local-stack"))
        .load()
        .await
}

/// The store the functions use (`TABLE_NAME`), reached with `config`.
pub fn store(config: &SdkConfig, settings: &Settings) -> Store {
    Store::new(aws_sdk_dynamodb::Client::new(config), &settings.table_name)
}

/// Whether the store's table exists (`None` when that cannot be told: no permission to
/// describe it, say — the real request will then tell).
pub async fn table_exists(store: &Store) -> Option<bool> {
    match store
        .client()
        .describe_table()
        .table_name(store.table())
        .send()
        .await
    {
        Ok(_) => Some(true),
        Err(err)
            if err
                .as_service_error()
                .is_some_and(|e| e.is_resource_not_found_exception()) =>
        {
            Some(false)
        }
        Err(_) => None,
    }
}

/// Fails with a plain message when the store's table does not exist.
pub async fn require_table(store: &Store, config: &SdkConfig) -> anyhow::Result<()> {
    if table_exists(store).await == Some(false) {
        anyhow::bail!(
            "table {} does not exist on {} (set TABLE_NAME, or run `account-summary create-table` on a local endpoint)",
            store.table(),
            describe(config)
        );
    }
    Ok(())
}

/// Where requests go, for messages: the endpoint override, else AWS in the region.
pub fn describe(config: &SdkConfig) -> String {
    match config.endpoint_url() {
        Some(url) => url.to_string(),
        None => format!(
            "AWS ({})",
            config.region().map(|r| r.as_ref()).unwrap_or("no region")
        ),
    }
}
