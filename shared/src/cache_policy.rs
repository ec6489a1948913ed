//! How long a summary is served, and when a cached one may be replaced.

use time::{Duration, OffsetDateTime};

use crate::summary::{Source, Summary};

/// A summary written by the LLM is shared by the team for 12 hours.
pub const AI_SUMMARY_TTL: Duration = Duration::hours(12);
/// A fallback summary is served only briefly, so the LLM gets another chance soon.
pub const FALLBACK_SUMMARY_TTL: Duration = Duration::minutes(15);

pub fn ttl_for(source: Source) -> Duration {
    match source {
        Source::Ai => AI_SUMMARY_TTL,
        Source::Fallback => FALLBACK_SUMMARY_TTL,
    }
}

/// Whether the cache may still serve `summary`. DynamoDB's TTL deletes expired items lazily
/// (sometimes days late), so expiry is checked on every read.
pub fn is_servable(summary: &Summary, now: OffsetDateTime) -> bool {
    summary.expires_at > now
}

/// Whether a freshly generated summary may replace what is cached: a fallback never replaces
/// an AI summary that is still servable.
pub fn may_replace(new: Source, cached: Option<&Summary>, now: OffsetDateTime) -> bool {
    match (new, cached) {
        (Source::Ai, _) | (_, None) => true,
        (Source::Fallback, Some(old)) => old.source != Source::Ai || !is_servable(old, now),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::summary::Summary;
    use time::macros::datetime;

    fn cached(source: Source, expires_at: OffsetDateTime) -> Summary {
        Summary {
            summary_id: "s".into(),
            account_id: "a".into(),
            generated_at: expires_at - ttl_for(source),
            expires_at,
            source,
            model: None,
            prompt_version: "p".into(),
            sections: vec![],
            input_hash: "h".into(),
            usage: None,
            ungrounded: vec![],
            likes: 0,
            dislikes: 0,
            last_viewed_on: None,
        }
    }

    #[test]
    fn expired_items_are_not_served_even_if_still_stored() {
        let now = datetime!(2026-12-03 12:00 UTC);
        assert!(is_servable(
            &cached(Source::Ai, now + Duration::seconds(1)),
            now
        ));
        assert!(!is_servable(&cached(Source::Ai, now), now));
        assert!(!is_servable(
            &cached(Source::Ai, now - Duration::days(2)),
            now
        ));
    }

    #[test]
    fn a_fallback_never_replaces_a_valid_ai_summary() {
        let now = datetime!(2026-12-03 12:00 UTC);
        let valid_ai = cached(Source::Ai, now + Duration::hours(1));
        let stale_ai = cached(Source::Ai, now - Duration::hours(1));
        let old_fallback = cached(Source::Fallback, now + Duration::minutes(5));
        assert!(!may_replace(Source::Fallback, Some(&valid_ai), now));
        assert!(may_replace(Source::Fallback, Some(&stale_ai), now));
        assert!(may_replace(Source::Fallback, Some(&old_fallback), now));
        assert!(may_replace(Source::Fallback, None, now));
        assert!(may_replace(Source::Ai, Some(&valid_ai), now));
    }
}
