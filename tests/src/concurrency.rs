//! Many callers at once, and what a crashed one leaves behind: running requests concurrently
//! (as separate Lambda containers do), polling for an outcome with a bounded wait instead of
//! sleeping a guessed time, and writing a generation lease whose holder never finishes.

use std::future::Future;
use std::time::{Duration, Instant};

use aws_sdk_dynamodb::types::AttributeValue;
use time::OffsetDateTime;
use tokio::task::JoinSet;

use crate::moto::{TestTable, account_pk};

/// Runs every future on the runtime's worker threads at once and returns their outputs in
/// the order given. A panic in one of them is re-raised here.
pub async fn all<T, F>(futures: impl IntoIterator<Item = F>) -> Vec<T>
where
    F: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let mut set = JoinSet::new();
    for (index, future) in futures.into_iter().enumerate() {
        set.spawn(async move { (index, future.await) });
    }
    let mut out: Vec<Option<T>> = Vec::new();
    while let Some(joined) = set.join_next().await {
        let (index, value) = match joined {
            Ok(done) => done,
            Err(err) if err.is_panic() => std::panic::resume_unwind(err.into_panic()),
            Err(err) => panic!("a concurrent caller was cancelled: {err}"),
        };
        if out.len() <= index {
            out.resize_with(index + 1, || None);
        }
        out[index] = Some(value);
    }
    out.into_iter()
        .map(|v| v.expect("every caller answered"))
        .collect()
}

/// Calls `probe` every `every` until it returns `Some`, for at most `limit`; returns the value
/// and how long it took, or `None` when the limit passed first.
pub async fn eventually<T, F, Fut>(
    limit: Duration,
    every: Duration,
    mut probe: F,
) -> Option<(T, Duration)>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let started = Instant::now();
    loop {
        if let Some(value) = probe().await {
            return Some((value, started.elapsed()));
        }
        if started.elapsed() >= limit {
            return None;
        }
        tokio::time::sleep(every).await;
    }
}

/// Writes an account's generation lease as a holder named `owner` would (store.rs's `LEASE`
/// item), holding until `until`: a container that took it and then crashed, or one still
/// generating.
pub async fn put_lease(
    table: &TestTable,
    tenant: &str,
    account_id: &str,
    owner: &str,
    until: OffsetDateTime,
) {
    let until_ms = (until.unix_timestamp_nanos() / 1_000_000) as i64;
    table
        .client()
        .put_item()
        .table_name(table.name())
        .item("pk", AttributeValue::S(account_pk(tenant, account_id)))
        .item("sk", AttributeValue::S("LEASE".into()))
        .item("item_type", AttributeValue::S("lease".into()))
        .item("owner", AttributeValue::S(owner.into()))
        .item("lease_until_ms", AttributeValue::N(until_ms.to_string()))
        .item(
            "expires_at",
            AttributeValue::N((until.unix_timestamp() + 3600).to_string()),
        )
        .send()
        .await
        .unwrap_or_else(|e| panic!("writing the lease of {tenant}/{account_id} failed: {e:?}"));
}

/// The most requests that were in flight at the same moment, given when each arrived and
/// that each took `duration` to answer.
pub fn max_in_flight(arrivals: &[Instant], duration: Duration) -> usize {
    arrivals
        .iter()
        .map(|&start| {
            arrivals
                .iter()
                .filter(|&&other| other <= start && start < other + duration)
                .count()
        })
        .max()
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlapping_requests_are_counted() {
        let t = Instant::now();
        let second = Duration::from_secs(1);
        let ms = Duration::from_millis;
        assert_eq!(max_in_flight(&[], second), 0);
        assert_eq!(max_in_flight(&[t, t + ms(10), t + ms(20)], second), 3);
        assert_eq!(max_in_flight(&[t, t + ms(1000), t + ms(2000)], second), 1);
        assert_eq!(max_in_flight(&[t, t + ms(500), t + ms(1200)], second), 2);
    }
}
