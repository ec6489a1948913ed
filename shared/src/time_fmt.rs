//! Time in the formats the API and the store use.

use time::format_description::well_known::Rfc3339;
use time::{Date, OffsetDateTime, UtcOffset};

/// RFC 3339 in UTC with whole seconds, e.g. `2026-12-03T12:00:00Z`.
pub fn rfc3339(t: OffsetDateTime) -> String {
    t.to_offset(UtcOffset::UTC)
        .replace_nanosecond(0)
        .expect("0 is a valid nanosecond")
        .format(&Rfc3339)
        .expect("a UTC timestamp always formats as RFC 3339")
}

pub fn parse_rfc3339(s: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(s, &Rfc3339).ok()
}

/// `YYYY-MM-DD`.
pub fn iso_date(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

pub fn from_epoch_seconds(secs: i64) -> Option<OffsetDateTime> {
    OffsetDateTime::from_unix_timestamp(secs).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    #[test]
    fn formats_utc_whole_seconds() {
        assert_eq!(
            rfc3339(datetime!(2026-12-03 12:00:00.123 +01:00)),
            "2026-12-03T11:00:00Z"
        );
        assert_eq!(iso_date(date!(2026 - 01 - 05)), "2026-01-05");
    }
}
