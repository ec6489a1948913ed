//! Assertions on the shapes API.md promises and on times stored as epoch seconds.
//!
//! The section keys and titles are copied from API.md, not taken from summary-core, so that a
//! change on either side shows up here.

use serde_json::Value;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// The seven sections of API.md, in order: (key, title).
pub const SECTIONS: [(&str, &str); 7] = [
    ("overview", "Overview"),
    ("usage_engagement", "Usage and engagement"),
    ("interactions", "Interactions"),
    ("sentiment", "Sentiment"),
    ("risks", "Risks"),
    ("renewal", "Renewal"),
    ("next_actions", "Recommended next actions"),
];

/// Asserts `body` is a Summary object of API.md: every field present with its type, the
/// seven sections in order with their titles and non-empty texts, and `text` made of them.
pub fn summary_shape(body: &Value) {
    for field in [
        "summary_id",
        "account_id",
        "generated_at",
        "expires_at",
        "text",
    ] {
        assert!(
            body[field].as_str().is_some_and(|v| !v.is_empty()),
            "{field} missing or empty in {body}"
        );
    }
    for field in ["cached", "refresh_failed"] {
        assert!(
            body[field].is_boolean(),
            "{field} is not a boolean in {body}"
        );
    }
    assert!(
        body["source"] == "ai" || body["source"] == "fallback",
        "source: {}",
        body["source"]
    );
    assert!(
        body["model"].is_string() || body["model"].is_null(),
        "model: {}",
        body["model"]
    );
    let generated = epoch_of(&body["generated_at"]);
    let expires = epoch_of(&body["expires_at"]);
    assert!(
        expires > generated,
        "expires_at is not after generated_at: {body}"
    );
    let sections = body["sections"].as_array().expect("sections is an array");
    let keys: Vec<&str> = sections.iter().filter_map(|s| s["key"].as_str()).collect();
    assert_eq!(keys, SECTIONS.map(|(k, _)| k), "section keys and order");
    for (section, (key, title)) in sections.iter().zip(SECTIONS) {
        assert_eq!(section["title"], title, "title of {key}");
        assert!(
            section["text"]
                .as_str()
                .is_some_and(|t| !t.trim().is_empty()),
            "section {key} has no text"
        );
    }
    let text: Vec<String> = sections
        .iter()
        .map(|s| {
            format!(
                "{}\n{}",
                s["title"].as_str().unwrap_or_default(),
                s["text"].as_str().unwrap_or_default()
            )
        })
        .collect();
    assert_eq!(
        body["text"],
        text.join("\n\n"),
        "`text` is the titles and texts"
    );
    let feedback = &body["feedback"];
    assert!(
        feedback["likes"].is_u64() && feedback["dislikes"].is_u64(),
        "feedback: {feedback}"
    );
    assert!(
        feedback["mine"].is_null() || feedback["mine"] == "like" || feedback["mine"] == "dislike",
        "feedback.mine: {}",
        feedback["mine"]
    );
}

/// The text of one section of a Summary body.
pub fn section_text<'a>(body: &'a Value, key: &str) -> &'a str {
    body["sections"]
        .as_array()
        .and_then(|s| s.iter().find(|s| s["key"] == key))
        .and_then(|s| s["text"].as_str())
        .unwrap_or_else(|| panic!("no section {key} in {body}"))
}

/// Epoch seconds of an RFC 3339 string value.
pub fn epoch_of(value: &Value) -> i64 {
    let text = value
        .as_str()
        .unwrap_or_else(|| panic!("{value} is not a timestamp string"));
    OffsetDateTime::parse(text, &Rfc3339)
        .unwrap_or_else(|e| panic!("{text} is not RFC 3339: {e}"))
        .unix_timestamp()
}

pub fn now_epoch() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

/// The wall-clock interval in which something happened, in whole seconds: a time the code
/// under test took with `now()` during the interval lies within `[start, end]`. Used to check
/// computed times exactly (e.g. `expires_at` = generation time + 12 h) without guessing slack.
#[derive(Debug, Clone, Copy)]
pub struct Interval {
    pub start: i64,
    pub end: i64,
}

impl Interval {
    /// Call before the action; then [`Interval::close`] after it.
    pub fn open() -> OpenInterval {
        OpenInterval { start: now_epoch() }
    }

    /// Asserts `actual` = some moment of the interval + `offset`.
    pub fn assert_offset(&self, actual: i64, offset: time::Duration, what: &str) {
        let offset = offset.whole_seconds();
        assert!(
            self.start + offset <= actual && actual <= self.end + offset,
            "{what} = {actual} is not within [{}, {}] (a moment of the call + {offset} s)",
            self.start + offset,
            self.end + offset
        );
    }
}

pub struct OpenInterval {
    start: i64,
}

impl OpenInterval {
    pub fn close(self) -> Interval {
        // Stored times are truncated to whole seconds, so the end second is inclusive.
        Interval {
            start: self.start,
            end: now_epoch(),
        }
    }
}

/// Whether `needle` occurs in `haystack` as a whole word (no letter or digit on either
/// side), ignoring case.
pub fn contains_word(haystack: &str, needle: &str) -> bool {
    let hay = haystack.to_lowercase();
    let needle = needle.to_lowercase();
    if needle.is_empty() {
        return false;
    }
    let mut from = 0;
    while let Some(pos) = hay[from..].find(&needle) {
        let start = from + pos;
        let end = start + needle.len();
        let before = hay[..start].chars().next_back();
        let after = hay[end..].chars().next();
        if !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric) {
            return true;
        }
        from = start + 1;
        while !hay.is_char_boundary(from) {
            from += 1;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_match_whole_and_case_insensitively() {
        assert!(contains_word("Call with Jennifer Ray on", "ray"));
        assert!(!contains_word("\"type\":\"array\"", "ray"));
        assert!(contains_word("x: Company_0 [account]", "company_0"));
        assert!(!contains_word("Company_01", "Company_0"));
    }
}
