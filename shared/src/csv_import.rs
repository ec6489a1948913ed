//! Accounts from a CRM export: one row per account, one column its id, every other column an
//! attribute. A bad row is reported with its line number and skipped, never half-read.

use std::collections::BTreeMap;
use std::io::Read;

use time::Date;

use crate::attributes::{Account, AttrValue};
use crate::ids::is_valid_id;

/// A row that could not become an account.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {reason}")]
pub struct RowError {
    pub line: u64,
    pub reason: String,
}

/// The export could not be read at all.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("cannot read the CSV header: {0}")]
    Header(String),
    #[error("the CSV has no column named {0:?}")]
    NoIdColumn(String),
}

/// Reads every row of `input`; `id_column` names the account id column, `as_of` is the day
/// the export was taken. Returns the accounts and the rows that were skipped.
pub fn read_accounts<R: Read>(
    input: R,
    id_column: &str,
    as_of: Date,
) -> Result<(Vec<Account>, Vec<RowError>), ImportError> {
    let mut reader = csv::ReaderBuilder::new().flexible(false).from_reader(input);
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| ImportError::Header(e.to_string()))?
        .iter()
        // Exports from spreadsheet tools start with a UTF-8 byte-order mark.
        .map(|h| h.trim_start_matches('\u{feff}').trim().to_string())
        .collect();
    let id_index = headers
        .iter()
        .position(|h| h == id_column)
        .ok_or_else(|| ImportError::NoIdColumn(id_column.to_string()))?;
    let mut accounts = Vec::new();
    let mut errors = Vec::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                errors.push(RowError {
                    line,
                    reason: match e.kind() {
                        csv::ErrorKind::UnequalLengths {
                            expected_len, len, ..
                        } => {
                            format!("{len} fields where the header has {expected_len}")
                        }
                        csv::ErrorKind::Utf8 { .. } => "not valid UTF-8".to_string(),
                        _ => "unreadable row".to_string(),
                    },
                });
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line());
        let id = record.get(id_index).unwrap_or_default().trim();
        if !is_valid_id(id) {
            errors.push(RowError {
                line,
                reason: format!("{id_column} {id:?} is not a valid account id"),
            });
            continue;
        }
        let attributes: BTreeMap<String, AttrValue> = headers
            .iter()
            .zip(record.iter())
            .enumerate()
            .filter(|(i, (name, _))| *i != id_index && !name.is_empty())
            .filter_map(|(_, (name, cell))| AttrValue::parse_cell(cell).map(|v| (name.clone(), v)))
            .collect();
        accounts.push(Account {
            account_id: id.to_string(),
            attributes,
            as_of: Some(as_of),
        });
    }
    Ok((accounts, errors))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn reads_a_bom_export_and_reports_bad_rows_by_line() {
        let csv = "\u{feff}account_id,plan,renewal,auto_renew,seats\n\
                   A-1,Basic,21-12-2026,TRUE,9\n\
                   A-2,Pro,,FALSE\n\
                   bad id,Pro,2026-12-01,TRUE,3\n\
                   A-3,Enterprise,2027-01-15,false,\n";
        let (accounts, errors) =
            read_accounts(csv.as_bytes(), "account_id", date!(2026 - 12 - 01)).unwrap();
        assert_eq!(
            accounts
                .iter()
                .map(|a| a.account_id.as_str())
                .collect::<Vec<_>>(),
            ["A-1", "A-3"]
        );
        assert_eq!(accounts[0].date("renewal"), Some(date!(2026 - 12 - 21)));
        assert_eq!(accounts[0].flag("auto_renew"), Some(true));
        assert_eq!(accounts[0].number("seats"), Some(9.0));
        assert_eq!(accounts[1].get("seats"), None, "empty cells are absent");
        assert_eq!(accounts[1].as_of, Some(date!(2026 - 12 - 01)));
        assert_eq!(errors.len(), 2);
        assert_eq!(errors[0].line, 3);
        assert!(errors[0].reason.contains("4 fields"), "{}", errors[0]);
        assert_eq!(errors[1].line, 4);
        assert!(errors[1].reason.contains("not a valid account id"));
    }

    #[test]
    fn a_missing_id_column_is_an_error() {
        let err = read_accounts(
            "id,x\n1,2\n".as_bytes(),
            "account_id",
            date!(2026 - 12 - 01),
        )
        .unwrap_err();
        assert!(matches!(err, ImportError::NoIdColumn(_)));
    }
}
