//! What a summary is: seven sections in a fixed order, where it came from, and its API shape.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::time_fmt::rfc3339;

/// The seven sections of every summary, in the order the client shows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SectionKey {
    Overview,
    UsageEngagement,
    Interactions,
    Sentiment,
    Risks,
    Renewal,
    NextActions,
}

impl SectionKey {
    pub const ALL: [SectionKey; 7] = [
        SectionKey::Overview,
        SectionKey::UsageEngagement,
        SectionKey::Interactions,
        SectionKey::Sentiment,
        SectionKey::Risks,
        SectionKey::Renewal,
        SectionKey::NextActions,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SectionKey::Overview => "overview",
            SectionKey::UsageEngagement => "usage_engagement",
            SectionKey::Interactions => "interactions",
            SectionKey::Sentiment => "sentiment",
            SectionKey::Risks => "risks",
            SectionKey::Renewal => "renewal",
            SectionKey::NextActions => "next_actions",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            SectionKey::Overview => "Overview",
            SectionKey::UsageEngagement => "Usage and engagement",
            SectionKey::Interactions => "Interactions",
            SectionKey::Sentiment => "Sentiment",
            SectionKey::Risks => "Risks",
            SectionKey::Renewal => "Renewal",
            SectionKey::NextActions => "Recommended next actions",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Section {
    pub key: SectionKey,
    pub title: String,
    pub text: String,
    /// The attribute keys this section rests on.
    #[serde(default)]
    pub evidence: Vec<String>,
}

impl Section {
    pub fn new(key: SectionKey, text: impl Into<String>, evidence: Vec<String>) -> Section {
        Section {
            key,
            title: key.title().to_string(),
            text: text.into(),
            evidence,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// Written by the LLM.
    Ai,
    /// Written by the offline engine because the LLM was not configured or failed.
    Fallback,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Ai => "ai",
            Source::Fallback => "fallback",
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenUsage {
    pub prompt_tokens: u64,
    pub completion_tokens: u64,
}

/// A generated summary as it is stored: one per account, shared by the whole team.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    pub summary_id: String,
    pub account_id: String,
    pub generated_at: OffsetDateTime,
    /// When the cache stops serving it.
    pub expires_at: OffsetDateTime,
    pub source: Source,
    pub model: Option<String>,
    pub prompt_version: String,
    pub sections: Vec<Section>,
    /// Hash of everything the generation depended on (de-identified input, reference day,
    /// prompt version, model): an unchanged hash means regenerating would be wasted.
    pub input_hash: String,
    pub usage: Option<TokenUsage>,
    /// Figures in the text that the input does not contain: recorded, and counted in metrics.
    pub ungrounded: Vec<String>,
    pub likes: u64,
    pub dislikes: u64,
    /// The last day anyone opened it: only summaries viewed lately are kept warm.
    pub last_viewed_on: Option<time::Date>,
}

impl Summary {
    /// Plain text for the Copy button: each title on its own line, then its text.
    pub fn plain_text(&self) -> String {
        self.sections
            .iter()
            .map(|s| format!("{}\n{}", s.title, s.text))
            .collect::<Vec<_>>()
            .join("\n\n")
    }

    pub fn view(&self, cached: bool, mine: Option<Vote>, refresh_failed: bool) -> SummaryView {
        SummaryView {
            summary_id: self.summary_id.clone(),
            account_id: self.account_id.clone(),
            generated_at: rfc3339(self.generated_at),
            expires_at: rfc3339(self.expires_at),
            cached,
            source: self.source,
            model: self.model.clone(),
            sections: self.sections.clone(),
            text: self.plain_text(),
            feedback: FeedbackCounts {
                likes: self.likes,
                dislikes: self.dislikes,
                mine,
            },
            refresh_failed,
        }
    }
}

/// A user's vote on a summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Vote {
    Like,
    Dislike,
}

impl Vote {
    pub fn as_str(self) -> &'static str {
        match self {
            Vote::Like => "like",
            Vote::Dislike => "dislike",
        }
    }

    pub fn parse(s: &str) -> Option<Vote> {
        match s {
            "like" => Some(Vote::Like),
            "dislike" => Some(Vote::Dislike),
            _ => None,
        }
    }
}

/// The Summary object of API.md.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SummaryView {
    pub summary_id: String,
    pub account_id: String,
    pub generated_at: String,
    pub expires_at: String,
    pub cached: bool,
    pub source: Source,
    pub model: Option<String>,
    pub sections: Vec<Section>,
    pub text: String,
    pub feedback: FeedbackCounts,
    pub refresh_failed: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeedbackCounts {
    pub likes: u64,
    pub dislikes: u64,
    pub mine: Option<Vote>,
}

/// The Feedback object of API.md.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeedbackView {
    pub summary_id: String,
    pub likes: u64,
    pub dislikes: u64,
    pub mine: Option<Vote>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn summary() -> Summary {
        Summary {
            summary_id: "01J".into(),
            account_id: "A-1".into(),
            generated_at: datetime!(2026-12-03 12:00 UTC),
            expires_at: datetime!(2026-12-04 00:00 UTC),
            source: Source::Ai,
            model: Some("gpt-4o-mini".into()),
            prompt_version: "p1".into(),
            sections: SectionKey::ALL
                .iter()
                .map(|k| Section::new(*k, format!("{} text", k.as_str()), vec![]))
                .collect(),
            input_hash: "h".into(),
            usage: None,
            ungrounded: vec![],
            likes: 2,
            dislikes: 1,
            last_viewed_on: None,
        }
    }

    #[test]
    fn view_has_the_api_shape() {
        let json = serde_json::to_value(summary().view(true, Some(Vote::Like), false)).unwrap();
        assert_eq!(json["generated_at"], "2026-12-03T12:00:00Z");
        assert_eq!(json["expires_at"], "2026-12-04T00:00:00Z");
        assert_eq!(json["source"], "ai");
        assert_eq!(json["cached"], true);
        assert_eq!(json["feedback"]["likes"], 2);
        assert_eq!(json["feedback"]["mine"], "like");
        assert_eq!(json["sections"][6]["key"], "next_actions");
        assert_eq!(json["sections"][6]["title"], "Recommended next actions");
        assert_eq!(json["refresh_failed"], false);
    }

    #[test]
    fn plain_text_puts_titles_on_their_own_lines() {
        let text = summary().plain_text();
        assert!(text.starts_with("Overview\noverview text\n\nUsage and engagement\n"));
        assert!(text.ends_with("Recommended next actions\nnext_actions text"));
    }
}
