//! `account-summary import`: accounts from a CRM export into the store, one item per row.
//! Rows that cannot become an account are reported by line and skipped; a row is either
//! stored whole or not at all (one PutItem per account).

use std::io::Read;

use anyhow::Context;
use time::Date;
use tokio::task::JoinSet;

use summary_core::csv_import::{RowError, read_accounts};
use summary_core::store::Store;

/// Accounts written at once: enough to hide round trips, few enough not to be throttled.
const IN_FLIGHT: usize = 16;

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// Accounts stored.
    pub imported: usize,
    /// Rows skipped, with their line numbers in the file (the header is line 1).
    pub skipped: Vec<RowError>,
}

/// Reads every row of `input` and stores each good one as an account of `tenant`, its
/// relative dates anchored on `as_of` (the day the export was taken). Fails only when the
/// file cannot be read at all or the store refuses a write.
pub async fn import_accounts(
    store: &Store,
    tenant: &str,
    input: impl Read,
    id_column: &str,
    as_of: Date,
) -> anyhow::Result<ImportReport> {
    anyhow::ensure!(
        summary_core::ids::is_valid_id(tenant),
        "the tenant id must be 1-128 letters, digits or -_.:@ characters"
    );
    let (accounts, skipped) = read_accounts(input, id_column, as_of)?;
    let total = accounts.len();
    let mut imported = 0;
    let mut writes = JoinSet::new();
    let mut pending = accounts.into_iter();
    loop {
        while writes.len() < IN_FLIGHT {
            let Some(account) = pending.next() else { break };
            let store = store.clone();
            let tenant = tenant.to_string();
            writes.spawn(async move {
                let result = store.put_account(&tenant, &account).await;
                (account.account_id, result)
            });
        }
        let Some(done) = writes.join_next().await else {
            break;
        };
        let (account_id, result) = done.context("an account write task failed")?;
        result.with_context(|| {
            format!("storing account {account_id} failed ({imported} of {total} stored so far)")
        })?;
        imported += 1;
    }
    Ok(ImportReport { imported, skipped })
}
