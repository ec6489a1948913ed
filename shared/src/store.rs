//! DynamoDB persistence: one table holds tenant configs, accounts, the cached summary of each
//! account, the history of generated summaries (for feedback) and users' votes.
//!
//! | item            | pk                      | sk                  |
//! |-----------------|-------------------------|---------------------|
//! | tenant config   | `TENANT#{tenant}`       | `CONFIG`            |
//! | account         | `ACCOUNT#{tenant}#{id}` | `ACCOUNT`           |
//! | cached summary  | `ACCOUNT#{tenant}#{id}` | `SUMMARY`           |
//! | summary history | `ACCOUNT#{tenant}#{id}` | `SUMMARY#{summary}` |
//! | a user's votes  | `ACCOUNT#{tenant}#{id}` | `VOTES#{user}`      |
//!
//! `expires_at` (epoch seconds) is the table's TTL attribute. Cached summaries also carry
//! `refresh_shard`, the partition key of the `by_expiry` index the scheduled refresh queries.

use std::collections::HashMap;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::{DisplayErrorContext, SdkError};
use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, GlobalSecondaryIndex, KeySchemaElement,
    KeyType, KeysAndAttributes, Projection, ProjectionType, ScalarAttributeType,
    TimeToLiveSpecification,
};
use time::{Duration, OffsetDateTime};

use crate::attributes::{Account, AttrValue, format_number, parse_date};
use crate::summary::{Section, Source, Summary, TokenUsage, Vote};
use crate::tenant::{ModelSettings, TenantConfig};
use crate::time_fmt::{iso_date, parse_rfc3339, rfc3339};

pub const TTL_ATTRIBUTE: &str = "expires_at";
pub const EXPIRY_INDEX: &str = "by_expiry";
/// Cached summaries are spread over this many index partitions, so the scheduled refresh
/// reads them in parallel and no single partition grows hot.
pub const REFRESH_SHARDS: u32 = 16;
/// Feedback is how quality is watched: history outlives the cache by far.
const HISTORY_RETENTION: Duration = Duration::days(400);

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("DynamoDB {operation} failed: {detail}")]
    Dynamo {
        operation: &'static str,
        detail: String,
    },
    #[error("stored item {item} is malformed: {detail}")]
    Corrupt { item: String, detail: String },
}

fn dynamo<E, R>(operation: &'static str) -> impl FnOnce(SdkError<E, R>) -> StoreError
where
    E: std::error::Error + 'static,
    R: std::fmt::Debug,
{
    move |e| StoreError::Dynamo {
        operation,
        detail: DisplayErrorContext(e).to_string(),
    }
}

#[derive(Clone)]
pub struct Store {
    client: Client,
    table: String,
}

type Item = HashMap<String, AttributeValue>;

fn s(v: impl Into<String>) -> AttributeValue {
    AttributeValue::S(v.into())
}

fn n(v: impl ToString) -> AttributeValue {
    AttributeValue::N(v.to_string())
}

fn tenant_pk(tenant: &str) -> String {
    format!("TENANT#{tenant}")
}

fn account_pk(tenant: &str, account_id: &str) -> String {
    format!("ACCOUNT#{tenant}#{account_id}")
}

fn key(pk: String, sk: impl Into<String>) -> Item {
    HashMap::from([("pk".to_string(), s(pk)), ("sk".to_string(), s(sk))])
}

fn get_s<'a>(item: &'a Item, name: &str) -> Option<&'a str> {
    item.get(name)
        .and_then(|v| v.as_s().ok())
        .map(String::as_str)
}

fn get_n<T: std::str::FromStr>(item: &Item, name: &str) -> Option<T> {
    item.get(name)
        .and_then(|v| v.as_n().ok())
        .and_then(|v| v.parse().ok())
}

fn get_string_list(item: &Item, name: &str) -> Vec<String> {
    match item.get(name) {
        Some(AttributeValue::L(list)) => {
            list.iter().filter_map(|v| v.as_s().ok().cloned()).collect()
        }
        Some(AttributeValue::Ss(list)) => list.clone(),
        _ => Vec::new(),
    }
}

/// The shard of an account in the expiry index: stable, spread evenly.
pub fn refresh_shard(tenant: &str, account_id: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(format!("{tenant}#{account_id}").as_bytes());
    let shard = u32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]]) % REFRESH_SHARDS;
    format!("SHARD#{shard:02}")
}

fn attr_to_dynamo(v: &AttrValue) -> AttributeValue {
    match v {
        AttrValue::Bool(b) => AttributeValue::Bool(*b),
        AttrValue::Number(x) => n(format_number(*x)),
        AttrValue::Date(d) => s(iso_date(*d)),
        AttrValue::Text(t) => s(t.clone()),
    }
}

fn attr_from_dynamo(v: &AttributeValue) -> Option<AttrValue> {
    match v {
        AttributeValue::Bool(b) => Some(AttrValue::Bool(*b)),
        AttributeValue::N(x) => x.parse().ok().map(AttrValue::Number),
        AttributeValue::S(t) => Some(match parse_date(t) {
            Some(d) => AttrValue::Date(d),
            None => AttrValue::Text(t.clone()),
        }),
        _ => None,
    }
}

/// A page of summaries due for refresh from one shard of the expiry index.
#[derive(Debug, Clone, PartialEq)]
pub struct DueSummary {
    pub tenant_id: String,
    pub account_id: String,
    pub expires_at: i64,
    pub last_viewed_on: Option<time::Date>,
}

impl Store {
    pub fn new(client: Client, table: impl Into<String>) -> Store {
        Store {
            client,
            table: table.into(),
        }
    }

    pub fn table(&self) -> &str {
        &self.table
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Creates the table, its expiry index and TTL (local stack and tests; production uses
    /// the deployment template).
    pub async fn create_table(&self) -> Result<(), StoreError> {
        let attr = |name: &str, t: ScalarAttributeType| {
            AttributeDefinition::builder()
                .attribute_name(name)
                .attribute_type(t)
                .build()
                .expect("attribute definition has its required fields")
        };
        let key_elem = |name: &str, t: KeyType| {
            KeySchemaElement::builder()
                .attribute_name(name)
                .key_type(t)
                .build()
                .expect("key schema element has its required fields")
        };
        self.client
            .create_table()
            .table_name(&self.table)
            .billing_mode(BillingMode::PayPerRequest)
            .attribute_definitions(attr("pk", ScalarAttributeType::S))
            .attribute_definitions(attr("sk", ScalarAttributeType::S))
            .attribute_definitions(attr("refresh_shard", ScalarAttributeType::S))
            .attribute_definitions(attr(TTL_ATTRIBUTE, ScalarAttributeType::N))
            .key_schema(key_elem("pk", KeyType::Hash))
            .key_schema(key_elem("sk", KeyType::Range))
            .global_secondary_indexes(
                GlobalSecondaryIndex::builder()
                    .index_name(EXPIRY_INDEX)
                    .key_schema(key_elem("refresh_shard", KeyType::Hash))
                    .key_schema(key_elem(TTL_ATTRIBUTE, KeyType::Range))
                    .projection(
                        Projection::builder()
                            .projection_type(ProjectionType::Include)
                            .non_key_attributes("tenant_id")
                            .non_key_attributes("account_id")
                            .non_key_attributes("last_viewed_at")
                            .build(),
                    )
                    .build()
                    .expect("index has its required fields"),
            )
            .send()
            .await
            .map_err(dynamo("CreateTable"))?;
        self.client
            .update_time_to_live()
            .table_name(&self.table)
            .time_to_live_specification(
                TimeToLiveSpecification::builder()
                    .attribute_name(TTL_ATTRIBUTE)
                    .enabled(true)
                    .build()
                    .expect("TTL specification has its required fields"),
            )
            .send()
            .await
            .map_err(dynamo("UpdateTimeToLive"))?;
        Ok(())
    }

    // ---- tenants ----

    pub async fn get_tenant(&self, tenant: &str) -> Result<Option<TenantConfig>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key(tenant_pk(tenant), "CONFIG")))
            .send()
            .await
            .map_err(dynamo("GetItem"))?;
        Ok(out.item.map(|item| tenant_from_item(tenant, &item)))
    }

    pub async fn put_tenant(&self, config: &TenantConfig) -> Result<(), StoreError> {
        let mut item = key(tenant_pk(&config.tenant_id), "CONFIG");
        item.insert("item_type".into(), s("tenant"));
        item.insert("tenant_id".into(), s(&config.tenant_id));
        item.insert("enabled".into(), AttributeValue::Bool(config.enabled));
        item.insert(
            "key_info".into(),
            AttributeValue::L(config.key_info.iter().map(s).collect()),
        );
        item.insert(
            "allowed_roles".into(),
            AttributeValue::L(config.allowed_roles.iter().map(s).collect()),
        );
        if let Some(model) = &config.model.model {
            item.insert("model".into(), s(model));
        }
        if let Some(t) = config.model.temperature {
            item.insert("temperature".into(), n(t));
        }
        if let Some(m) = config.model.max_output_tokens {
            item.insert("max_output_tokens".into(), n(m));
        }
        if let Some(b) = config.monthly_token_budget {
            item.insert("monthly_token_budget".into(), n(b));
        }
        if !config.attribute_policy.is_empty() {
            let policy = config
                .attribute_policy
                .iter()
                .map(|(k, v)| {
                    let name = serde_json::to_value(v)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_string))
                        .unwrap_or_default();
                    (k.clone(), s(name))
                })
                .collect();
            item.insert("attribute_policy".into(), AttributeValue::M(policy));
        }
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .send()
            .await
            .map_err(dynamo("PutItem"))?;
        Ok(())
    }

    /// Flips a tenant's opt-in, creating its config item if needed (other settings kept).
    pub async fn set_tenant_enabled(&self, tenant: &str, enabled: bool) -> Result<(), StoreError> {
        self.client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(tenant_pk(tenant), "CONFIG")))
            .update_expression("SET enabled = :e, tenant_id = :t, item_type = :it")
            .expression_attribute_values(":e", AttributeValue::Bool(enabled))
            .expression_attribute_values(":t", s(tenant))
            .expression_attribute_values(":it", s("tenant"))
            .send()
            .await
            .map_err(dynamo("UpdateItem"))?;
        Ok(())
    }

    /// Sets the Key Info attribute list of a tenant.
    pub async fn set_tenant_key_info(
        &self,
        tenant: &str,
        key_info: &[String],
    ) -> Result<(), StoreError> {
        self.client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(tenant_pk(tenant), "CONFIG")))
            .update_expression("SET key_info = :k, tenant_id = :t, item_type = :it")
            .expression_attribute_values(":k", AttributeValue::L(key_info.iter().map(s).collect()))
            .expression_attribute_values(":t", s(tenant))
            .expression_attribute_values(":it", s("tenant"))
            .send()
            .await
            .map_err(dynamo("UpdateItem"))?;
        Ok(())
    }

    // ---- accounts ----

    pub async fn put_account(&self, tenant: &str, account: &Account) -> Result<(), StoreError> {
        let mut item = key(account_pk(tenant, &account.account_id), "ACCOUNT");
        item.insert("item_type".into(), s("account"));
        item.insert("tenant_id".into(), s(tenant));
        item.insert("account_id".into(), s(&account.account_id));
        item.insert(
            "attributes".into(),
            AttributeValue::M(
                account
                    .attributes
                    .iter()
                    .map(|(k, v)| (k.clone(), attr_to_dynamo(v)))
                    .collect(),
            ),
        );
        if let Some(day) = account.as_of {
            item.insert("as_of".into(), s(iso_date(day)));
        }
        item.insert("updated_at".into(), s(rfc3339(OffsetDateTime::now_utc())));
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .send()
            .await
            .map_err(dynamo("PutItem"))?;
        Ok(())
    }

    pub async fn get_account(
        &self,
        tenant: &str,
        account_id: &str,
    ) -> Result<Option<Account>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key(account_pk(tenant, account_id), "ACCOUNT")))
            .send()
            .await
            .map_err(dynamo("GetItem"))?;
        Ok(out.item.map(|item| account_from_item(account_id, &item)))
    }

    // ---- summaries ----

    /// The cached summary of an account (expired or not: the caller decides) and, when
    /// `user` is given, that user's vote on it — in one request.
    pub async fn get_summary_with_vote(
        &self,
        tenant: &str,
        account_id: &str,
        user: &str,
    ) -> Result<(Option<Summary>, Option<Vote>), StoreError> {
        let pk = account_pk(tenant, account_id);
        let items = self
            .get_two(&pk, "SUMMARY", format!("VOTES#{user}"))
            .await?;
        let summary = items
            .iter()
            .find(|i| get_s(i, "sk") == Some("SUMMARY"))
            .map(summary_from_item)
            .transpose()?;
        let mine = match (
            &summary,
            items.iter().find(|i| get_s(i, "sk") != Some("SUMMARY")),
        ) {
            (Some(summary), Some(votes)) => {
                get_s(votes, &vote_attribute(&summary.summary_id)).and_then(Vote::parse)
            }
            _ => None,
        };
        Ok((summary, mine))
    }

    pub async fn get_summary(
        &self,
        tenant: &str,
        account_id: &str,
    ) -> Result<Option<Summary>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key(account_pk(tenant, account_id), "SUMMARY")))
            .consistent_read(true)
            .send()
            .await
            .map_err(dynamo("GetItem"))?;
        out.item.as_ref().map(summary_from_item).transpose()
    }

    /// An account and its cached summary (expired or not) in one strongly consistent read:
    /// what the scheduled refresh needs of each due summary.
    pub async fn get_account_and_summary(
        &self,
        tenant: &str,
        account_id: &str,
    ) -> Result<(Option<Account>, Option<Summary>), StoreError> {
        let pk = account_pk(tenant, account_id);
        let items = self.get_two(&pk, "ACCOUNT", "SUMMARY").await?;
        let find = |sk: &str| items.iter().find(|i| get_s(i, "sk") == Some(sk));
        let account = find("ACCOUNT").map(|item| account_from_item(account_id, item));
        let summary = find("SUMMARY").map(summary_from_item).transpose()?;
        Ok((account, summary))
    }

    /// Two items of one account partition in one strongly consistent round trip (those that
    /// exist). Two small keys never exceed BatchGetItem's limits; unprocessed keys only come
    /// from throttling, which is treated like any other failed read.
    async fn get_two(
        &self,
        pk: &str,
        first: impl Into<String>,
        second: impl Into<String>,
    ) -> Result<Vec<Item>, StoreError> {
        let keys = KeysAndAttributes::builder()
            .keys(key(pk.to_string(), first))
            .keys(key(pk.to_string(), second))
            .consistent_read(true)
            .build()
            .expect("keys are set");
        let out = self
            .client
            .batch_get_item()
            .request_items(&self.table, keys)
            .send()
            .await
            .map_err(dynamo("BatchGetItem"))?;
        if out.unprocessed_keys.is_some_and(|u| !u.is_empty()) {
            return Err(StoreError::Dynamo {
                operation: "BatchGetItem",
                detail: "keys left unprocessed (throttled)".into(),
            });
        }
        Ok(out
            .responses
            .and_then(|mut r| r.remove(&self.table))
            .unwrap_or_default())
    }

    /// Stores a new summary as the account's cached one and records it in the history.
    /// The history item is written first: a summary id a client has seen always accepts votes.
    pub async fn put_summary(&self, tenant: &str, summary: &Summary) -> Result<(), StoreError> {
        let pk = account_pk(tenant, &summary.account_id);
        let mut history = key(pk.clone(), format!("SUMMARY#{}", summary.summary_id));
        history.insert("item_type".into(), s("summary_history"));
        history.insert("tenant_id".into(), s(tenant));
        history.insert("account_id".into(), s(&summary.account_id));
        history.insert("summary_id".into(), s(&summary.summary_id));
        history.insert("generated_at".into(), s(rfc3339(summary.generated_at)));
        history.insert("source".into(), s(summary.source.as_str()));
        history.insert("prompt_version".into(), s(&summary.prompt_version));
        if let Some(model) = &summary.model {
            history.insert("model".into(), s(model));
        }
        history.insert("likes".into(), n(0));
        history.insert("dislikes".into(), n(0));
        history.insert(
            TTL_ATTRIBUTE.into(),
            n((summary.generated_at + HISTORY_RETENTION).unix_timestamp()),
        );
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(history))
            .send()
            .await
            .map_err(dynamo("PutItem"))?;
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(summary_item(tenant, summary)))
            .send()
            .await
            .map_err(dynamo("PutItem"))?;
        Ok(())
    }

    /// Whether a summary with this id was ever generated for the account.
    pub async fn summary_existed(
        &self,
        tenant: &str,
        account_id: &str,
        summary_id: &str,
    ) -> Result<bool, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key(
                account_pk(tenant, account_id),
                format!("SUMMARY#{summary_id}"),
            )))
            .projection_expression("summary_id")
            .consistent_read(true)
            .send()
            .await
            .map_err(dynamo("GetItem"))?;
        Ok(out.item.is_some())
    }

    // ---- feedback ----

    /// Records `user`'s vote (or its withdrawal) on a summary and returns the summary's counts.
    ///
    /// The counts are derived from the vote items themselves, never from the previous vote a
    /// write reports: a user's racing toggles, or many users voting at once, leave the counts
    /// equal to the votes stored. They are kept on the history item (for the quality report)
    /// and on the cached summary (so a GET needs no extra read) by [`Store::settle_counts`].
    pub async fn record_vote(
        &self,
        tenant: &str,
        account_id: &str,
        summary_id: &str,
        user: &str,
        vote: Option<Vote>,
        comment: Option<&str>,
    ) -> Result<(u64, u64), StoreError> {
        let pk = account_pk(tenant, account_id);
        let vote_attr = vote_attribute(summary_id);
        let comment_attr = format!("c_{summary_id}");
        let mut update = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(pk.clone(), format!("VOTES#{user}"))))
            .expression_attribute_names("#v", &vote_attr)
            .expression_attribute_names("#c", &comment_attr)
            .expression_attribute_values(":it", s("votes"))
            .expression_attribute_values(":tenant", s(tenant))
            .expression_attribute_values(":u", s(user));
        let mut set = vec!["item_type = :it", "tenant_id = :tenant", "user_id = :u"];
        let mut remove = Vec::new();
        match vote {
            Some(v) => {
                set.push("#v = :v");
                update = update.expression_attribute_values(":v", s(v.as_str()));
            }
            None => remove.push("#v"),
        }
        match comment.filter(|c| !c.trim().is_empty()) {
            Some(c) if vote.is_some() => {
                set.push("#c = :c");
                update = update.expression_attribute_values(":c", s(c));
            }
            _ => remove.push("#c"),
        }
        let mut expression = format!("SET {}", set.join(", "));
        if !remove.is_empty() {
            expression.push_str(&format!(" REMOVE {}", remove.join(", ")));
        }
        update
            .update_expression(expression)
            .send()
            .await
            .map_err(dynamo("UpdateItem"))?;
        self.settle_counts(&pk, summary_id).await
    }

    /// Counts the votes on a summary from the account's vote items and stores the counts,
    /// until a count taken after the write equals what was written. A voter's last write is
    /// thus a count taken after every vote that was stored before it, so once voting pauses
    /// the stored counts are exact, with no transaction and no lock (a burst keeps the later
    /// voters settling; the bound only keeps one request from chasing a long one).
    async fn settle_counts(&self, pk: &str, summary_id: &str) -> Result<(u64, u64), StoreError> {
        const ROUNDS: usize = 8;
        let mut counts = self.count_votes(pk, summary_id).await?;
        for _ in 0..ROUNDS {
            self.write_counts(pk, summary_id, counts).await?;
            let recount = self.count_votes(pk, summary_id).await?;
            if recount == counts {
                return Ok(counts);
            }
            counts = recount;
        }
        self.write_counts(pk, summary_id, counts).await?;
        Ok(counts)
    }

    /// (likes, dislikes) on a summary: one strongly consistent query of the account's vote
    /// items (one per user who ever voted on the account), reading only this summary's vote.
    async fn count_votes(&self, pk: &str, summary_id: &str) -> Result<(u64, u64), StoreError> {
        let vote_attr = vote_attribute(summary_id);
        let (mut likes, mut dislikes) = (0, 0);
        let mut start = None;
        loop {
            let out = self
                .client
                .query()
                .table_name(&self.table)
                .key_condition_expression("pk = :pk AND begins_with(sk, :votes)")
                .projection_expression("#v")
                .expression_attribute_names("#v", &vote_attr)
                .expression_attribute_values(":pk", s(pk))
                .expression_attribute_values(":votes", s("VOTES#"))
                .consistent_read(true)
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(dynamo("Query"))?;
            for item in out.items.unwrap_or_default() {
                match get_s(&item, &vote_attr).and_then(Vote::parse) {
                    Some(Vote::Like) => likes += 1,
                    Some(Vote::Dislike) => dislikes += 1,
                    None => {}
                }
            }
            match out.last_evaluated_key {
                Some(key) => start = Some(key),
                None => return Ok((likes, dislikes)),
            }
        }
    }

    /// Stores counts on the summary's history item and, while it is still the cached one, on
    /// the cached summary (a refresh may have replaced it: then there is nothing to mirror).
    async fn write_counts(
        &self,
        pk: &str,
        summary_id: &str,
        (likes, dislikes): (u64, u64),
    ) -> Result<(), StoreError> {
        let counts = |update: aws_sdk_dynamodb::operation::update_item::builders::UpdateItemFluentBuilder| {
            update
                .table_name(&self.table)
                .update_expression("SET likes = :l, dislikes = :d")
                .expression_attribute_values(":l", n(likes))
                .expression_attribute_values(":d", n(dislikes))
        };
        counts(self.client.update_item())
            .set_key(Some(key(pk.to_string(), format!("SUMMARY#{summary_id}"))))
            .condition_expression("attribute_exists(pk)")
            .send()
            .await
            .map_err(dynamo("UpdateItem"))?;
        let mirrored = counts(self.client.update_item())
            .set_key(Some(key(pk.to_string(), "SUMMARY")))
            .condition_expression("summary_id = :sid")
            .expression_attribute_values(":sid", s(summary_id))
            .send()
            .await;
        applied(mirrored, "UpdateItem").map(drop)
    }
}

impl Store {
    /// Cached summaries of one index shard whose `expires_at` falls in `[from, until]`,
    /// oldest first, one page at a time (`start` is the previous page's continuation).
    pub async fn due_summaries(
        &self,
        shard: &str,
        from: i64,
        until: i64,
        start: Option<Item>,
    ) -> Result<(Vec<DueSummary>, Option<Item>), StoreError> {
        let out = self
            .client
            .query()
            .table_name(&self.table)
            .index_name(EXPIRY_INDEX)
            .key_condition_expression("refresh_shard = :s AND #e BETWEEN :from AND :until")
            .expression_attribute_names("#e", TTL_ATTRIBUTE)
            .expression_attribute_values(":s", s(shard))
            .expression_attribute_values(":from", n(from))
            .expression_attribute_values(":until", n(until))
            .set_exclusive_start_key(start)
            .send()
            .await
            .map_err(dynamo("Query"))?;
        let due = out
            .items
            .unwrap_or_default()
            .iter()
            .filter_map(|item| {
                Some(DueSummary {
                    tenant_id: get_s(item, "tenant_id")?.to_string(),
                    account_id: get_s(item, "account_id")?.to_string(),
                    expires_at: get_n(item, TTL_ATTRIBUTE)?,
                    last_viewed_on: get_s(item, "last_viewed_at").and_then(parse_date),
                })
            })
            .collect();
        Ok((due, out.last_evaluated_key))
    }

    /// Keeps a cached summary for longer without regenerating it (its input is unchanged),
    /// provided it is still the one that was checked.
    pub async fn extend_summary(
        &self,
        tenant: &str,
        account_id: &str,
        summary_id: &str,
        expires_at: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(account_pk(tenant, account_id), "SUMMARY")))
            .update_expression("SET #e = :e")
            .condition_expression("summary_id = :sid")
            .expression_attribute_names("#e", TTL_ATTRIBUTE)
            .expression_attribute_values(":e", n(expires_at.unix_timestamp()))
            .expression_attribute_values(":sid", s(summary_id))
            .send()
            .await;
        applied(result, "UpdateItem")
    }
}

/// A conditional write's outcome: `true` when it was applied, `false` when its condition did
/// not hold; any other failure is an error.
fn applied<T, E, R>(
    result: Result<T, SdkError<E, R>>,
    operation: &'static str,
) -> Result<bool, StoreError>
where
    E: aws_sdk_dynamodb::error::ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    match result {
        Ok(_) => Ok(true),
        Err(e) if condition_failed(&e) => Ok(false),
        Err(e) => Err(dynamo(operation)(e)),
    }
}

/// What a conditional write found when its condition failed.
fn condition_failed<E, R>(e: &SdkError<E, R>) -> bool
where
    E: aws_sdk_dynamodb::error::ProvideErrorMetadata,
{
    e.as_service_error()
        .and_then(|se| se.code())
        .is_some_and(|code| code == "ConditionalCheckFailedException")
}

impl Store {
    /// Takes the account's generation lease unless another live holder has it: the
    /// single-flight guard that lets exactly one request call the LLM. A lease whose holder
    /// crashed lapses at `until`, so it blocks nobody for long.
    pub async fn try_acquire_lease(
        &self,
        tenant: &str,
        account_id: &str,
        owner: &str,
        now: OffsetDateTime,
        until: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        let mut item = key(account_pk(tenant, account_id), "LEASE");
        item.insert("item_type".into(), s("lease"));
        item.insert("owner".into(), s(owner));
        item.insert("lease_until_ms".into(), n(epoch_millis(until)));
        // Leftover leases are removed by TTL.
        item.insert(
            TTL_ATTRIBUTE.into(),
            n((until + Duration::hours(1)).unix_timestamp()),
        );
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(pk) OR lease_until_ms < :now")
            .expression_attribute_values(":now", n(epoch_millis(now)))
            .send()
            .await;
        applied(result, "PutItem")
    }

    /// Gives the lease back if this owner still holds it.
    pub async fn release_lease(
        &self,
        tenant: &str,
        account_id: &str,
        owner: &str,
    ) -> Result<(), StoreError> {
        let result = self
            .client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(key(account_pk(tenant, account_id), "LEASE")))
            .condition_expression("#o = :o")
            .expression_attribute_names("#o", "owner")
            .expression_attribute_values(":o", s(owner))
            .send()
            .await;
        // Not held any more (it lapsed and was taken): nothing to give back.
        applied(result, "DeleteItem").map(drop)
    }

    /// Admits a hard refresh of the account unless one was admitted less than `interval`
    /// ago; on refusal returns the seconds until the next one is admitted.
    pub async fn admit_hard_refresh(
        &self,
        tenant: &str,
        account_id: &str,
        now: OffsetDateTime,
        interval: Duration,
    ) -> Result<Result<(), u64>, StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(account_pk(tenant, account_id), "REFRESH_GATE")))
            .update_expression("SET last_refresh_ms = :now, item_type = :it, #e = :ttl")
            .condition_expression(
                "attribute_not_exists(last_refresh_ms) OR last_refresh_ms <= :since",
            )
            .expression_attribute_names("#e", TTL_ATTRIBUTE)
            .expression_attribute_values(":now", n(epoch_millis(now)))
            .expression_attribute_values(":since", n(epoch_millis(now - interval)))
            .expression_attribute_values(":it", s("refresh_gate"))
            .expression_attribute_values(":ttl", n((now + Duration::days(1)).unix_timestamp()))
            .return_values_on_condition_check_failure(
                aws_sdk_dynamodb::types::ReturnValuesOnConditionCheckFailure::AllOld,
            )
            .send()
            .await;
        match result {
            Ok(_) => Ok(Ok(())),
            Err(e) if condition_failed(&e) => {
                // Without the old item (some servers omit it), wait the whole interval.
                let last_ms = e
                    .as_service_error()
                    .and_then(|se| match se {
                        aws_sdk_dynamodb::operation::update_item::UpdateItemError::ConditionalCheckFailedException(c) => c.item(),
                        _ => None,
                    })
                    .and_then(|item| get_n::<i64>(item, "last_refresh_ms"));
                let next_ms =
                    last_ms.unwrap_or(epoch_millis(now)) + interval.whole_milliseconds() as i64;
                let wait_ms = (next_ms - epoch_millis(now)).max(1);
                Ok(Err(((wait_ms + 999) / 1000) as u64))
            }
            Err(e) => Err(dynamo("UpdateItem")(e)),
        }
    }

    /// Notes that the account's summary was viewed today (at most one write per day: the
    /// caller checks `Summary::last_viewed_on` first). Only viewed accounts are kept warm.
    pub async fn mark_viewed(
        &self,
        tenant: &str,
        account_id: &str,
        summary_id: &str,
        day: time::Date,
    ) -> Result<(), StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(account_pk(tenant, account_id), "SUMMARY")))
            .update_expression("SET last_viewed_at = :d")
            .condition_expression("summary_id = :sid")
            .expression_attribute_values(":d", s(iso_date(day)))
            .expression_attribute_values(":sid", s(summary_id))
            .send()
            .await;
        // Replaced meanwhile: the new summary's views start afresh.
        applied(result, "UpdateItem").map(drop)
    }
}

impl Store {
    /// Tokens a tenant's generations used in `month` (`YYYY-MM`).
    pub async fn monthly_tokens(&self, tenant: &str, month: &str) -> Result<u64, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key(tenant_pk(tenant), format!("USAGE#{month}"))))
            .send()
            .await
            .map_err(dynamo("GetItem"))?;
        Ok(out.item.and_then(|i| get_n(&i, "tokens")).unwrap_or(0))
    }

    pub async fn add_tokens(
        &self,
        tenant: &str,
        month: &str,
        tokens: u64,
    ) -> Result<(), StoreError> {
        self.client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(tenant_pk(tenant), format!("USAGE#{month}"))))
            .update_expression("ADD tokens :t SET item_type = :it, tenant_id = :tenant")
            .expression_attribute_values(":t", n(tokens))
            .expression_attribute_values(":it", s("usage"))
            .expression_attribute_values(":tenant", s(tenant))
            .send()
            .await
            .map_err(dynamo("UpdateItem"))?;
        Ok(())
    }
}

/// One generated summary's feedback, for the quality report.
#[derive(Debug, Clone, PartialEq)]
pub struct SummaryFeedback {
    pub account_id: String,
    pub summary_id: String,
    pub generated_at: OffsetDateTime,
    pub source: String,
    pub model: Option<String>,
    pub prompt_version: String,
    pub likes: u64,
    pub dislikes: u64,
}

/// A comment a user left with a vote.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedbackComment {
    pub account_id: String,
    pub summary_id: String,
    pub vote: Option<Vote>,
    pub comment: String,
}

impl Store {
    /// Every item of a tenant with the given `item_type`, read with a filtered scan: these
    /// are operators' commands (reports, opt-out), run rarely, never on a request path.
    async fn scan_tenant_items(
        &self,
        tenant: &str,
        item_type: &str,
    ) -> Result<Vec<Item>, StoreError> {
        let mut items = Vec::new();
        let mut start = None;
        loop {
            let out = self
                .client
                .scan()
                .table_name(&self.table)
                .filter_expression("tenant_id = :t AND item_type = :it")
                .expression_attribute_values(":t", s(tenant))
                .expression_attribute_values(":it", s(item_type))
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(dynamo("Scan"))?;
            items.extend(out.items.unwrap_or_default());
            match out.last_evaluated_key {
                Some(key) => start = Some(key),
                None => return Ok(items),
            }
        }
    }

    /// The feedback on every summary generated for a tenant since `since`.
    pub async fn feedback_since(
        &self,
        tenant: &str,
        since: OffsetDateTime,
    ) -> Result<(Vec<SummaryFeedback>, Vec<FeedbackComment>), StoreError> {
        let mut summaries: Vec<SummaryFeedback> = self
            .scan_tenant_items(tenant, "summary_history")
            .await?
            .iter()
            .filter_map(|item| {
                Some(SummaryFeedback {
                    account_id: get_s(item, "account_id")?.to_string(),
                    summary_id: get_s(item, "summary_id")?.to_string(),
                    generated_at: get_s(item, "generated_at").and_then(parse_rfc3339)?,
                    source: get_s(item, "source").unwrap_or_default().to_string(),
                    model: get_s(item, "model").map(str::to_string),
                    prompt_version: get_s(item, "prompt_version")
                        .unwrap_or_default()
                        .to_string(),
                    likes: get_n(item, "likes").unwrap_or(0),
                    dislikes: get_n(item, "dislikes").unwrap_or(0),
                })
            })
            .filter(|f| f.generated_at >= since)
            .collect();
        summaries.sort_by_key(|f| f.generated_at);
        let wanted: std::collections::HashSet<&str> =
            summaries.iter().map(|f| f.summary_id.as_str()).collect();
        let mut comments = Vec::new();
        for item in self.scan_tenant_items(tenant, "votes").await? {
            let account_id = get_s(&item, "pk")
                .and_then(|pk| pk.rsplit('#').next())
                .unwrap_or_default()
                .to_string();
            for (name, value) in &item {
                let Some(summary_id) = name.strip_prefix("c_") else {
                    continue;
                };
                if !wanted.contains(summary_id) {
                    continue;
                }
                comments.push(FeedbackComment {
                    account_id: account_id.clone(),
                    summary_id: summary_id.to_string(),
                    vote: get_s(&item, &vote_attribute(summary_id)).and_then(Vote::parse),
                    comment: value.as_s().cloned().unwrap_or_default(),
                });
            }
        }
        Ok((summaries, comments))
    }

    /// Deletes a tenant's cached summaries (opt-out): nothing generated for it stays served.
    /// Feedback history is kept; it holds no summary text. Returns how many were deleted.
    pub async fn purge_tenant_summaries(&self, tenant: &str) -> Result<u64, StoreError> {
        let mut deleted = 0;
        for item in self.scan_tenant_items(tenant, "summary").await? {
            let (Some(pk), Some(sk)) = (get_s(&item, "pk"), get_s(&item, "sk")) else {
                continue;
            };
            self.client
                .delete_item()
                .table_name(&self.table)
                .set_key(Some(key(pk.to_string(), sk)))
                .send()
                .await
                .map_err(dynamo("DeleteItem"))?;
            deleted += 1;
        }
        Ok(deleted)
    }
}

fn epoch_millis(t: OffsetDateTime) -> i64 {
    (t.unix_timestamp_nanos() / 1_000_000) as i64
}

fn vote_attribute(summary_id: &str) -> String {
    format!("v_{summary_id}")
}

fn tenant_from_item(tenant: &str, item: &Item) -> TenantConfig {
    let attribute_policy = match item.get("attribute_policy") {
        Some(AttributeValue::M(m)) => m
            .iter()
            .filter_map(|(k, v)| {
                let name = v.as_s().ok()?;
                let treatment =
                    serde_json::from_value(serde_json::Value::String(name.clone())).ok()?;
                Some((k.clone(), treatment))
            })
            .collect(),
        _ => Default::default(),
    };
    TenantConfig {
        tenant_id: tenant.to_string(),
        enabled: item
            .get("enabled")
            .and_then(|v| v.as_bool().ok())
            .copied()
            .unwrap_or(false),
        key_info: get_string_list(item, "key_info"),
        allowed_roles: get_string_list(item, "allowed_roles"),
        model: ModelSettings {
            model: get_s(item, "model").map(str::to_string),
            temperature: get_n(item, "temperature"),
            max_output_tokens: get_n(item, "max_output_tokens"),
        },
        attribute_policy,
        monthly_token_budget: get_n(item, "monthly_token_budget"),
    }
}

fn account_from_item(account_id: &str, item: &Item) -> Account {
    let attributes = match item.get("attributes") {
        Some(AttributeValue::M(m)) => m
            .iter()
            .filter_map(|(k, v)| attr_from_dynamo(v).map(|a| (k.clone(), a)))
            .collect(),
        _ => Default::default(),
    };
    Account {
        account_id: account_id.to_string(),
        attributes,
        as_of: get_s(item, "as_of").and_then(parse_date),
    }
}

fn summary_item(tenant: &str, summary: &Summary) -> Item {
    let mut item = key(account_pk(tenant, &summary.account_id), "SUMMARY");
    item.insert("item_type".into(), s("summary"));
    item.insert("tenant_id".into(), s(tenant));
    item.insert("account_id".into(), s(&summary.account_id));
    item.insert("summary_id".into(), s(&summary.summary_id));
    item.insert("generated_at".into(), s(rfc3339(summary.generated_at)));
    item.insert(TTL_ATTRIBUTE.into(), n(summary.expires_at.unix_timestamp()));
    item.insert("source".into(), s(summary.source.as_str()));
    if let Some(model) = &summary.model {
        item.insert("model".into(), s(model));
    }
    item.insert("prompt_version".into(), s(&summary.prompt_version));
    item.insert(
        "sections".into(),
        s(serde_json::to_string(&summary.sections).expect("sections serialize")),
    );
    item.insert("input_hash".into(), s(&summary.input_hash));
    if let Some(usage) = summary.usage {
        item.insert("prompt_tokens".into(), n(usage.prompt_tokens));
        item.insert("completion_tokens".into(), n(usage.completion_tokens));
    }
    if !summary.ungrounded.is_empty() {
        item.insert(
            "ungrounded".into(),
            AttributeValue::L(summary.ungrounded.iter().map(s).collect()),
        );
    }
    item.insert("likes".into(), n(summary.likes));
    item.insert("dislikes".into(), n(summary.dislikes));
    item.insert(
        "refresh_shard".into(),
        s(refresh_shard(tenant, &summary.account_id)),
    );
    if let Some(day) = summary.last_viewed_on {
        item.insert("last_viewed_at".into(), s(iso_date(day)));
    }
    item
}

fn summary_from_item(item: &Item) -> Result<Summary, StoreError> {
    let corrupt = |detail: &str| StoreError::Corrupt {
        item: format!(
            "{}/{}",
            get_s(item, "pk").unwrap_or("?"),
            get_s(item, "sk").unwrap_or("?")
        ),
        detail: detail.to_string(),
    };
    let sections: Vec<Section> = serde_json::from_str(get_s(item, "sections").unwrap_or("null"))
        .map_err(|_| corrupt("sections"))?;
    let generated_at = get_s(item, "generated_at")
        .and_then(parse_rfc3339)
        .ok_or_else(|| corrupt("generated_at"))?;
    let expires_at = get_n::<i64>(item, TTL_ATTRIBUTE)
        .and_then(crate::time_fmt::from_epoch_seconds)
        .ok_or_else(|| corrupt(TTL_ATTRIBUTE))?;
    let source = match get_s(item, "source") {
        Some("ai") => Source::Ai,
        Some("fallback") => Source::Fallback,
        _ => return Err(corrupt("source")),
    };
    let usage = match (
        get_n(item, "prompt_tokens"),
        get_n(item, "completion_tokens"),
    ) {
        (Some(prompt_tokens), Some(completion_tokens)) => Some(TokenUsage {
            prompt_tokens,
            completion_tokens,
        }),
        _ => None,
    };
    Ok(Summary {
        summary_id: get_s(item, "summary_id")
            .ok_or_else(|| corrupt("summary_id"))?
            .to_string(),
        account_id: get_s(item, "account_id")
            .ok_or_else(|| corrupt("account_id"))?
            .to_string(),
        generated_at,
        expires_at,
        source,
        model: get_s(item, "model").map(str::to_string),
        prompt_version: get_s(item, "prompt_version")
            .unwrap_or_default()
            .to_string(),
        sections,
        input_hash: get_s(item, "input_hash").unwrap_or_default().to_string(),
        usage,
        ungrounded: get_string_list(item, "ungrounded"),
        likes: get_n(item, "likes").unwrap_or(0),
        dislikes: get_n(item, "dislikes").unwrap_or(0),
        last_viewed_on: get_s(item, "last_viewed_at").and_then(parse_date),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_are_stable_and_in_range() {
        let a = refresh_shard("demo", "A-2e4581");
        assert_eq!(a, refresh_shard("demo", "A-2e4581"));
        let shards: std::collections::HashSet<String> = (0..200)
            .map(|i| refresh_shard("demo", &format!("A-{i}")))
            .collect();
        assert_eq!(shards.len(), REFRESH_SHARDS as usize);
        assert!(shards.iter().all(|s| s.starts_with("SHARD#")));
    }

    #[test]
    fn attribute_values_round_trip_through_dynamodb_types() {
        for v in [
            AttrValue::Bool(true),
            AttrValue::Number(-65.8),
            AttrValue::Number(9.0),
            AttrValue::Date(time::macros::date!(2026 - 12 - 21)),
            AttrValue::Text("Basic".into()),
        ] {
            assert_eq!(attr_from_dynamo(&attr_to_dynamo(&v)), Some(v));
        }
    }
}
