//! What a test puts into its table before acting: tenants and accounts (the RavenStack
//! sample export or small hand-built ones). Summaries are never seeded from scratch: a test
//! generates one through the handler and then ages it with `TestTable::set_summary_*`.

use std::collections::{BTreeMap, HashMap};

use summary_core::attributes::{Account, AttrValue};
use summary_core::csv_import::read_accounts;
use summary_core::tenant::TenantConfig;
use time::Date;
use time::macros::date;

use crate::moto::TestTable;

/// The day the sample export was taken.
pub const SAMPLE_AS_OF: Date = date!(2026 - 12 - 01);
/// The sample account with a champion, an email, a phone and meeting notes naming them.
pub const SAMPLE_ACCOUNT: &str = "A-2e4581";

/// The RavenStack sample export in the repository.
pub fn sample_csv_path() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/ravenstack/key_info.csv")
}

/// Every account of the sample export, read as `account-summary import --as-of 2026-12-01`
/// reads it.
pub fn sample_accounts() -> Vec<Account> {
    let file = std::fs::File::open(sample_csv_path()).expect("the sample export is in the repo");
    let (accounts, errors) =
        read_accounts(file, "account_id", SAMPLE_AS_OF).expect("the sample export has a header");
    assert!(
        errors.is_empty(),
        "the sample export has bad rows: {errors:?}"
    );
    accounts
}

/// One account of the sample export.
pub fn sample_account(account_id: &str) -> Account {
    sample_accounts()
        .into_iter()
        .find(|a| a.account_id == account_id)
        .unwrap_or_else(|| panic!("{account_id} is not in the sample export"))
}

/// One row of the sample export exactly as the CSV has it (column → cell), read without
/// summary-core, so that tests compare against the source data itself.
pub fn sample_row(account_id: &str) -> HashMap<String, String> {
    let mut reader = csv::Reader::from_path(sample_csv_path()).expect("the sample export opens");
    let headers = reader
        .headers()
        .expect("the sample export has a header")
        .clone();
    reader
        .records()
        .map(|r| r.expect("the sample export parses"))
        .find(|r| r.get(0) == Some(account_id))
        .map(|r| {
            headers
                .iter()
                .zip(r.iter())
                .map(|(h, v)| (h.trim_start_matches('\u{feff}').to_string(), v.to_string()))
                .collect()
        })
        .unwrap_or_else(|| panic!("{account_id} is not in the sample export"))
}

/// A small account built by hand: cells are parsed as an export's cells are.
pub fn account(account_id: &str, cells: &[(&str, &str)]) -> Account {
    Account {
        account_id: account_id.to_string(),
        attributes: cells
            .iter()
            .filter_map(|(k, v)| AttrValue::parse_cell(v).map(|v| (k.to_string(), v)))
            .collect::<BTreeMap<_, _>>(),
        as_of: Some(SAMPLE_AS_OF),
    }
}

/// A plain small account most tests use when the content does not matter.
pub fn basic_account(account_id: &str) -> Account {
    account(
        account_id,
        &[
            ("account_name", "Northwind Traders"),
            ("plan_tier", "Pro"),
            ("seats", "25"),
            ("status", "active"),
            ("next_renewal_date", "2027-01-15"),
            ("usage_trend_pct", "12.5"),
            ("tickets_last_90d", "2"),
            ("avg_csat_last_180d", "4.5"),
        ],
    )
}

/// A tenant that has opted in, with no role restriction and no Key Info list.
pub fn enabled_tenant(tenant_id: &str) -> TenantConfig {
    TenantConfig {
        tenant_id: tenant_id.to_string(),
        enabled: true,
        ..TenantConfig::default()
    }
}

/// A tenant whose config item exists with `enabled = false`.
pub fn disabled_tenant(tenant_id: &str) -> TenantConfig {
    TenantConfig {
        tenant_id: tenant_id.to_string(),
        enabled: false,
        ..TenantConfig::default()
    }
}

/// An enabled tenant whose summaries rest on these Key Info attributes, in this order.
pub fn key_info_tenant(tenant_id: &str, key_info: &[&str]) -> TenantConfig {
    TenantConfig {
        key_info: key_info.iter().map(|k| k.to_string()).collect(),
        ..enabled_tenant(tenant_id)
    }
}

/// An enabled tenant that shows summaries only to users holding one of `roles`.
pub fn role_restricted_tenant(tenant_id: &str, roles: &[&str]) -> TenantConfig {
    TenantConfig {
        allowed_roles: roles.iter().map(|r| r.to_string()).collect(),
        ..enabled_tenant(tenant_id)
    }
}

impl TestTable {
    pub async fn put_tenant(&self, config: &TenantConfig) {
        self.store
            .put_tenant(config)
            .await
            .unwrap_or_else(|e| panic!("seeding tenant {} failed: {e}", config.tenant_id));
    }

    pub async fn put_account(&self, tenant: &str, account: &Account) {
        self.store
            .put_account(tenant, account)
            .await
            .unwrap_or_else(|e| panic!("seeding account {} failed: {e}", account.account_id));
    }

    /// An enabled tenant holding `accounts`.
    pub async fn seed_tenant_with(&self, tenant: &str, accounts: &[Account]) {
        self.put_tenant(&enabled_tenant(tenant)).await;
        for account in accounts {
            self.put_account(tenant, account).await;
        }
    }
}
