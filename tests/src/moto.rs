//! The moto server the tests talk to, and one isolated DynamoDB table per test.
//!
//! `make test` (through `scripts/with-moto.sh`) starts moto on loopback and exports
//! `AWS_ENDPOINT_URL`. Everything here refuses to run without it, or when it points anywhere
//! but loopback: a test must never reach real AWS.

use std::collections::HashMap;

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_dynamodb::config::Credentials;
use aws_sdk_dynamodb::types::AttributeValue;
use summary_core::store::Store;

/// A DynamoDB item as the SDK returns it.
pub type Item = HashMap<String, AttributeValue>;

/// The moto endpoint from `AWS_ENDPOINT_URL`, checked to be on loopback.
///
/// Panics with instructions when it is unset or not loopback.
pub fn endpoint() -> String {
    let url = std::env::var("AWS_ENDPOINT_URL").unwrap_or_default();
    if url.trim().is_empty() {
        panic!(
            "AWS_ENDPOINT_URL is not set: these tests need a moto server on loopback. \
             Run them with `make test` or `scripts/with-moto.sh cargo test -p integration-tests`."
        );
    }
    let host = host_of(&url);
    if !is_loopback(&host) {
        panic!(
            "AWS_ENDPOINT_URL={url} is not a loopback address: the tests only ever talk to a \
             local moto server (127.0.0.1, ::1 or localhost), never to AWS."
        );
    }
    url.trim().trim_end_matches('/').to_string()
}

/// The host part of `scheme://host[:port][/path]`, without brackets around an IPv6 address.
fn host_of(url: &str) -> String {
    let rest = url.trim().split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let authority = authority.rsplit_once('@').map_or(authority, |(_, a)| a);
    if let Some(v6) = authority.strip_prefix('[') {
        return v6.split(']').next().unwrap_or_default().to_string();
    }
    authority
        .split(':')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase()
}

fn is_loopback(host: &str) -> bool {
    host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// SDK configuration for moto: region us-east-1, static test credentials, the moto endpoint.
/// Nothing is read from profiles or instance metadata.
pub async fn sdk_config() -> SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new(
            "test",
            "test",
            None,
            None,
            "integration-tests",
        ))
        .endpoint_url(endpoint())
        .load()
        .await
}

/// A DynamoDB table of its own for one test, created the way the local stack creates it, so
/// tests run in parallel without seeing each other's items.
pub struct TestTable {
    pub sdk: SdkConfig,
    pub store: Store,
}

impl TestTable {
    /// Creates `account-summaries-test-<ulid>` with its expiry index and TTL.
    pub async fn new() -> TestTable {
        let sdk = sdk_config().await;
        let name = format!(
            "account-summaries-test-{}",
            ulid::Ulid::new().to_string().to_lowercase()
        );
        let store = Store::new(aws_sdk_dynamodb::Client::new(&sdk), name);
        store
            .create_table()
            .await
            .unwrap_or_else(|e| panic!("creating table {} in moto failed: {e}", store.table()));
        TestTable { sdk, store }
    }

    pub fn name(&self) -> &str {
        self.store.table()
    }

    pub fn client(&self) -> &aws_sdk_dynamodb::Client {
        self.store.client()
    }

    /// A second handle on the same table, for the service under test.
    pub fn store(&self) -> Store {
        self.store.clone()
    }

    /// One item by its raw key, read consistently; `None` when it does not exist.
    pub async fn item(&self, pk: &str, sk: &str) -> Option<Item> {
        self.client()
            .get_item()
            .table_name(self.name())
            .key("pk", AttributeValue::S(pk.to_string()))
            .key("sk", AttributeValue::S(sk.to_string()))
            .consistent_read(true)
            .send()
            .await
            .unwrap_or_else(|e| panic!("GetItem {pk}/{sk} failed: {e:?}"))
            .item
    }

    /// Every item of an account's partition (account, cached summary, history, votes).
    pub async fn account_partition(&self, tenant: &str, account_id: &str) -> Vec<Item> {
        self.client()
            .query()
            .table_name(self.name())
            .key_condition_expression("pk = :pk")
            .expression_attribute_values(":pk", AttributeValue::S(account_pk(tenant, account_id)))
            .consistent_read(true)
            .send()
            .await
            .unwrap_or_else(|e| panic!("Query of {tenant}/{account_id} failed: {e:?}"))
            .items
            .unwrap_or_default()
    }

    /// The account's cached summary item (`sk = SUMMARY`), expired or not.
    pub async fn summary_item(&self, tenant: &str, account_id: &str) -> Option<Item> {
        self.item(&account_pk(tenant, account_id), "SUMMARY").await
    }

    /// The history item of one generated summary (`sk = SUMMARY#<id>`), which holds its votes.
    pub async fn history_item(
        &self,
        tenant: &str,
        account_id: &str,
        summary_id: &str,
    ) -> Option<Item> {
        self.item(
            &account_pk(tenant, account_id),
            &format!("SUMMARY#{summary_id}"),
        )
        .await
    }

    /// A user's votes item on an account (`sk = VOTES#<user>`).
    pub async fn votes_item(&self, tenant: &str, account_id: &str, user: &str) -> Option<Item> {
        self.item(&account_pk(tenant, account_id), &format!("VOTES#{user}"))
            .await
    }

    /// Sets a number attribute of the cached summary item directly, as time passing (or a
    /// stale item DynamoDB has not deleted yet) would leave it.
    pub async fn set_summary_number(&self, tenant: &str, account_id: &str, name: &str, v: i64) {
        self.set_summary_attribute(tenant, account_id, name, AttributeValue::N(v.to_string()))
            .await;
    }

    /// Sets a string attribute of the cached summary item directly.
    pub async fn set_summary_string(&self, tenant: &str, account_id: &str, name: &str, v: &str) {
        self.set_summary_attribute(tenant, account_id, name, AttributeValue::S(v.to_string()))
            .await;
    }

    async fn set_summary_attribute(
        &self,
        tenant: &str,
        account_id: &str,
        name: &str,
        value: AttributeValue,
    ) {
        self.client()
            .update_item()
            .table_name(self.name())
            .key("pk", AttributeValue::S(account_pk(tenant, account_id)))
            .key("sk", AttributeValue::S("SUMMARY".into()))
            .update_expression("SET #a = :v")
            .condition_expression("attribute_exists(pk)")
            .expression_attribute_names("#a", name)
            .expression_attribute_values(":v", value)
            .send()
            .await
            .unwrap_or_else(|e| panic!("UpdateItem of {tenant}/{account_id} failed: {e:?}"));
    }
}

/// The partition key of an account's items, as store.rs and the README document it.
pub fn account_pk(tenant: &str, account_id: &str) -> String {
    format!("ACCOUNT#{tenant}#{account_id}")
}

/// A string attribute of an item.
pub fn s<'a>(item: &'a Item, name: &str) -> Option<&'a str> {
    item.get(name)
        .and_then(|v| v.as_s().ok())
        .map(String::as_str)
}

/// A number attribute of an item.
pub fn n(item: &Item, name: &str) -> Option<i64> {
    item.get(name)
        .and_then(|v| v.as_n().ok())
        .and_then(|v| v.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_hosts_count_as_local() {
        for url in [
            "http://127.0.0.1:5005",
            "http://localhost:5005/",
            "http://[::1]:5005",
            "http://127.0.0.2",
        ] {
            assert!(is_loopback(&host_of(url)), "{url}");
        }
        for url in [
            "https://dynamodb.us-east-1.amazonaws.com",
            "http://10.0.0.5:5005",
            "http://localhost.example.com:5005",
            "http://user@evil.example:80",
        ] {
            assert!(!is_loopback(&host_of(url)), "{url}");
        }
    }
}
