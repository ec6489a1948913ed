//! `account-summary import` against moto's DynamoDB (started by `make test` through
//! scripts/with-moto.sh): good rows are stored with typed attributes, bad rows are reported
//! with their line numbers and not stored at all.

use std::collections::HashMap;

use account_summary_cli::import::import_accounts;
use aws_sdk_dynamodb::types::AttributeValue;
use summary_core::attributes::AttrValue;
use summary_core::store::Store;
use time::macros::date;

/// The moto endpoint of `make test`; refuses anything but loopback, so this test can never
/// create tables in a real account.
fn local_endpoint() -> String {
    let endpoint = std::env::var("AWS_ENDPOINT_URL").expect(
        "AWS_ENDPOINT_URL is not set: run this test with `make test` \
         (scripts/with-moto.sh starts moto and sets it)",
    );
    let host = endpoint
        .strip_prefix("http://")
        .and_then(|rest| rest.split(['/', '?']).next())
        .map(|authority| match authority.rsplit_once(':') {
            Some((host, port)) if port.bytes().all(|b| b.is_ascii_digit()) => host,
            _ => authority,
        });
    assert!(
        matches!(host, Some("127.0.0.1" | "localhost" | "[::1]")),
        "refusing to run against {endpoint}: only a loopback moto endpoint is allowed"
    );
    endpoint
}

async fn fresh_store() -> Store {
    local_endpoint();
    let config = aws_config::load_from_env().await;
    let table = format!(
        "cli-import-{}",
        ulid::Ulid::new().to_string().to_lowercase()
    );
    let store = Store::new(aws_sdk_dynamodb::Client::new(&config), table);
    store.create_table().await.expect("create the test table");
    store
}

async fn raw_item(store: &Store, pk: &str) -> Option<HashMap<String, AttributeValue>> {
    store
        .client()
        .get_item()
        .table_name(store.table())
        .key("pk", AttributeValue::S(pk.to_string()))
        .key("sk", AttributeValue::S("ACCOUNT".to_string()))
        .consistent_read(true)
        .send()
        .await
        .expect("GetItem")
        .item
}

// Line 1 is the header (with a byte-order mark, as spreadsheet exports have). Line 3 has a
// field too few; line 5 has an id that cannot be a key.
const EXPORT: &str = "\u{feff}account_id,account_name,plan_tier,seats,auto_renew,next_renewal_date,usage_trend_pct\n\
A-100,Company_100,Basic,9,TRUE,21-12-2026,-65.8\n\
A-101,Company_101,Pro,18,FALSE\n\
A-102,Company_102,Enterprise,,false,2027-01-15,\n\
bad id!,Company_103,Pro,3,TRUE,2026-12-24,4.0\n";

#[tokio::test(flavor = "multi_thread")]
async fn import_stores_good_rows_typed_and_skips_bad_rows_by_line() {
    let store = fresh_store().await;
    let report = import_accounts(
        &store,
        "acme",
        EXPORT.as_bytes(),
        "account_id",
        date!(2026 - 12 - 01),
    )
    .await
    .expect("the import runs");

    assert_eq!(report.imported, 2);
    let lines: Vec<u64> = report.skipped.iter().map(|e| e.line).collect();
    assert_eq!(lines, [3, 5], "{:?}", report.skipped);
    assert!(
        report.skipped[0].reason.contains("fields"),
        "{}",
        report.skipped[0]
    );
    assert!(
        report.skipped[1].reason.contains("not a valid account id"),
        "{}",
        report.skipped[1]
    );

    // Typed as a person reads them, through the store's own reader...
    let a100 = store
        .get_account("acme", "A-100")
        .await
        .unwrap()
        .expect("A-100 stored");
    assert_eq!(a100.number("seats"), Some(9.0));
    assert_eq!(a100.flag("auto_renew"), Some(true));
    assert_eq!(a100.date("next_renewal_date"), Some(date!(2026 - 12 - 21)));
    assert_eq!(a100.number("usage_trend_pct"), Some(-65.8));
    assert_eq!(
        a100.get("plan_tier"),
        Some(&AttrValue::Text("Basic".into()))
    );
    assert_eq!(a100.as_of, Some(date!(2026 - 12 - 01)));
    let a102 = store
        .get_account("acme", "A-102")
        .await
        .unwrap()
        .expect("A-102 stored");
    assert_eq!(a102.flag("auto_renew"), Some(false));
    assert_eq!(a102.get("seats"), None, "an empty cell is absent");
    assert_eq!(a102.get("usage_trend_pct"), None);

    // ...and as DynamoDB types in the item itself.
    let item = raw_item(&store, "ACCOUNT#acme#A-100")
        .await
        .expect("raw item");
    let Some(AttributeValue::M(attributes)) = item.get("attributes") else {
        panic!("attributes is a map: {item:?}");
    };
    assert_eq!(attributes["seats"], AttributeValue::N("9".into()));
    assert_eq!(attributes["auto_renew"], AttributeValue::Bool(true));
    assert_eq!(
        attributes["next_renewal_date"],
        AttributeValue::S("2026-12-21".into())
    );
    assert!(!attributes.contains_key("account_id"), "the id is the key");
    assert_eq!(item["as_of"], AttributeValue::S("2026-12-01".into()));

    // The bad rows left nothing behind, not even part of a row.
    assert_eq!(store.get_account("acme", "A-101").await.unwrap(), None);
    assert!(raw_item(&store, "ACCOUNT#acme#A-101").await.is_none());
    assert!(raw_item(&store, "ACCOUNT#acme#bad id!").await.is_none());
    // And the accounts belong to the tenant they were imported for only.
    assert_eq!(store.get_account("other", "A-100").await.unwrap(), None);

    let _ = store
        .client()
        .delete_table()
        .table_name(store.table())
        .send()
        .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_export_without_the_id_column_is_refused_whole() {
    let store = fresh_store().await;
    let err = import_accounts(
        &store,
        "acme",
        "id,plan_tier\nA-1,Basic\n".as_bytes(),
        "account_id",
        date!(2026 - 12 - 01),
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("account_id"), "{err:#}");
    assert_eq!(store.get_account("acme", "A-1").await.unwrap(), None);
    let _ = store
        .client()
        .delete_table()
        .table_name(store.table())
        .send()
        .await;
}
