//! Operators' views of a tenant's summaries: the feedback report (likes, dislikes and
//! comments per prompt version and model — how the product's quality is watched; the history
//! it reads outlives the 12-hour cache by 400 days) and the opt-out purge.

use std::collections::BTreeMap;
use std::fmt::Write;

use serde::Serialize;
use summary_core::store::{FeedbackComment, Store, StoreError, SummaryFeedback};
use summary_core::time_fmt::iso_date;
use time::{Date, OffsetDateTime};

/// How a model is named in the report when a summary was written without one.
pub const NO_MODEL: &str = "(offline)";

/// The feedback on one prompt version and model (or on all of them: the totals).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FeedbackCounts {
    /// Summaries generated.
    pub summaries: u64,
    pub likes: u64,
    pub dislikes: u64,
    /// Votes that came with a comment.
    pub comments: u64,
}

impl FeedbackCounts {
    fn add(&mut self, other: &FeedbackCounts) {
        self.summaries += other.summaries;
        self.likes += other.likes;
        self.dislikes += other.dislikes;
        self.comments += other.comments;
    }

    /// Likes among votes, in whole percent; `None` without votes.
    pub fn liked_percent(&self) -> Option<u64> {
        let votes = self.likes + self.dislikes;
        (votes > 0).then(|| (self.likes * 100 + votes / 2) / votes)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReportRow {
    pub prompt_version: String,
    /// `None`: the offline engine wrote these (no LLM).
    pub model: Option<String>,
    #[serde(flatten)]
    pub counts: FeedbackCounts,
}

/// One comment a user left, with what it was about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReportComment {
    pub prompt_version: String,
    pub model: Option<String>,
    pub account_id: String,
    pub summary_id: String,
    /// `like`, `dislike`, or `None` when the vote was withdrawn.
    pub vote: Option<String>,
    pub comment: String,
}

/// `account-summary feedback report`: what it prints, as data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FeedbackReport {
    pub tenant: String,
    /// Summaries generated on or after this day (UTC); `None`: every summary kept.
    pub since: Option<String>,
    /// By prompt version, then model.
    pub rows: Vec<ReportRow>,
    pub total: FeedbackCounts,
    /// Oldest summary first.
    pub comments: Vec<ReportComment>,
}

/// Groups each generated summary's feedback by prompt version and model.
pub fn build_report(
    tenant: &str,
    since: Option<Date>,
    summaries: &[SummaryFeedback],
    comments: &[FeedbackComment],
) -> FeedbackReport {
    let group_of: BTreeMap<&str, (&str, Option<&str>)> = summaries
        .iter()
        .map(|s| {
            (
                s.summary_id.as_str(),
                (s.prompt_version.as_str(), s.model.as_deref()),
            )
        })
        .collect();
    let mut groups: BTreeMap<(String, Option<String>), FeedbackCounts> = BTreeMap::new();
    for s in summaries {
        let counts = groups
            .entry((s.prompt_version.clone(), s.model.clone()))
            .or_default();
        counts.summaries += 1;
        counts.likes += s.likes;
        counts.dislikes += s.dislikes;
    }
    let mut report_comments = Vec::new();
    for c in comments {
        let Some(&(prompt_version, model)) = group_of.get(c.summary_id.as_str()) else {
            continue;
        };
        if let Some(counts) =
            groups.get_mut(&(prompt_version.to_string(), model.map(str::to_string)))
        {
            counts.comments += 1;
        }
        report_comments.push(ReportComment {
            prompt_version: prompt_version.to_string(),
            model: model.map(str::to_string),
            account_id: c.account_id.clone(),
            summary_id: c.summary_id.clone(),
            vote: c.vote.map(|v| v.as_str().to_string()),
            comment: c.comment.clone(),
        });
    }
    let order: BTreeMap<&str, usize> = summaries
        .iter()
        .enumerate()
        .map(|(i, s)| (s.summary_id.as_str(), i))
        .collect();
    report_comments.sort_by_key(|c| order.get(c.summary_id.as_str()).copied());
    let mut total = FeedbackCounts::default();
    let rows = groups
        .into_iter()
        .map(|((prompt_version, model), counts)| {
            total.add(&counts);
            ReportRow {
                prompt_version,
                model,
                counts,
            }
        })
        .collect();
    FeedbackReport {
        tenant: tenant.to_string(),
        since: since.map(iso_date),
        rows,
        total,
        comments: report_comments,
    }
}

/// Reads the tenant's feedback history from the store and groups it. A filtered scan: an
/// operator's command, never on a request path.
pub async fn feedback_report(
    store: &Store,
    tenant: &str,
    since: Option<Date>,
) -> Result<FeedbackReport, StoreError> {
    let from = since
        .map(|day| day.midnight().assume_utc())
        .unwrap_or(OffsetDateTime::UNIX_EPOCH);
    let (summaries, comments) = store.feedback_since(tenant, from).await?;
    Ok(build_report(tenant, since, &summaries, &comments))
}

/// The report as a table, then the comments.
pub fn render_report(report: &FeedbackReport) -> String {
    let mut out = String::new();
    let since = match &report.since {
        Some(day) => format!("summaries generated since {day} (UTC)"),
        None => "every summary kept (400 days)".to_string(),
    };
    let _ = writeln!(out, "Feedback of tenant {}: {since}", report.tenant);
    let _ = writeln!(out);
    let header = [
        "prompt version",
        "model",
        "summaries",
        "likes",
        "dislikes",
        "liked",
        "comments",
    ];
    let liked = |c: &FeedbackCounts| {
        c.liked_percent()
            .map_or("-".to_string(), |p| format!("{p}%"))
    };
    let mut lines: Vec<[String; 7]> = report
        .rows
        .iter()
        .map(|row| {
            [
                row.prompt_version.clone(),
                row.model.clone().unwrap_or_else(|| NO_MODEL.to_string()),
                row.counts.summaries.to_string(),
                row.counts.likes.to_string(),
                row.counts.dislikes.to_string(),
                liked(&row.counts),
                row.counts.comments.to_string(),
            ]
        })
        .collect();
    let t = &report.total;
    lines.push([
        "total".to_string(),
        String::new(),
        t.summaries.to_string(),
        t.likes.to_string(),
        t.dislikes.to_string(),
        liked(t),
        t.comments.to_string(),
    ]);
    let mut widths = header.map(str::len);
    for line in &lines {
        for (w, cell) in widths.iter_mut().zip(line) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut row = |cells: &[String]| {
        let mut text = String::new();
        for (i, (cell, w)) in cells.iter().zip(widths).enumerate() {
            if i < 2 {
                let _ = write!(text, "{cell:<w$}  ");
            } else {
                let _ = write!(text, "{cell:>w$}  ");
            }
        }
        let _ = writeln!(out, "{}", text.trim_end());
    };
    row(&header.map(str::to_string));
    for line in &lines {
        row(line);
    }
    if !report.comments.is_empty() {
        let _ = writeln!(out);
        let _ = writeln!(out, "Comments:");
        for c in &report.comments {
            let _ = writeln!(
                out,
                "  [{} {}] {} {} {}: {}",
                c.prompt_version,
                c.model.as_deref().unwrap_or(NO_MODEL),
                c.account_id,
                c.summary_id,
                c.vote.as_deref().unwrap_or("no vote"),
                c.comment.replace('\n', " ")
            );
        }
    }
    out
}

/// What `tenant purge` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PurgeOutcome {
    pub deleted: u64,
    /// The tenant is still opted in: its users' next views generate new summaries.
    pub still_enabled: bool,
}

/// Deletes the tenant's cached summaries (opt-out). Feedback history stays: it holds no
/// summary text.
pub async fn purge_tenant(store: &Store, tenant: &str) -> Result<PurgeOutcome, StoreError> {
    let deleted = store.purge_tenant_summaries(tenant).await?;
    let still_enabled = store.get_tenant(tenant).await?.is_some_and(|t| t.enabled);
    Ok(PurgeOutcome {
        deleted,
        still_enabled,
    })
}

/// The lines `tenant purge` prints.
pub fn render_purge(tenant: &str, outcome: &PurgeOutcome) -> String {
    let mut out = format!(
        "tenant {tenant}: {} cached summaries deleted (feedback history kept)\n",
        outcome.deleted
    );
    if outcome.still_enabled {
        let _ = writeln!(
            out,
            "warning: tenant {tenant} is still enabled: its users' next views generate new \
             summaries (`tenant disable {tenant}` opts it out)"
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use summary_core::summary::Vote;
    use time::macros::datetime;

    fn summary(
        id: &str,
        version: &str,
        model: Option<&str>,
        likes: u64,
        dislikes: u64,
    ) -> SummaryFeedback {
        SummaryFeedback {
            account_id: "A-1".into(),
            summary_id: id.into(),
            generated_at: datetime!(2026-12-03 12:00 UTC),
            source: if model.is_some() { "ai" } else { "fallback" }.into(),
            model: model.map(str::to_string),
            prompt_version: version.into(),
            likes,
            dislikes,
        }
    }

    #[test]
    fn rows_group_by_prompt_version_and_model_and_add_up_to_the_totals() {
        let summaries = [
            summary("s1", "p2", Some("gpt-4o-mini"), 3, 1),
            summary("s2", "p2", Some("gpt-4o-mini"), 1, 0),
            summary("s3", "p2", Some("gpt-4o"), 0, 2),
            summary("s4", "offline-1", None, 0, 1),
        ];
        let comments = [FeedbackComment {
            account_id: "A-1".into(),
            summary_id: "s3".into(),
            vote: Some(Vote::Dislike),
            comment: "Wrong renewal date".into(),
        }];
        let report = build_report("acme", None, &summaries, &comments);
        type Row<'a> = (&'a str, Option<&'a str>, u64, u64, u64, u64);
        let rows: Vec<Row> = report
            .rows
            .iter()
            .map(|r| {
                (
                    r.prompt_version.as_str(),
                    r.model.as_deref(),
                    r.counts.summaries,
                    r.counts.likes,
                    r.counts.dislikes,
                    r.counts.comments,
                )
            })
            .collect();
        assert_eq!(
            rows,
            [
                ("offline-1", None, 1, 0, 1, 0),
                ("p2", Some("gpt-4o"), 1, 0, 2, 1),
                ("p2", Some("gpt-4o-mini"), 2, 4, 1, 0),
            ]
        );
        assert_eq!(
            report.total,
            FeedbackCounts {
                summaries: 4,
                likes: 4,
                dislikes: 4,
                comments: 1
            }
        );
        let text = render_report(&report);
        assert!(text.contains("every summary kept"), "{text}");
        assert!(
            text.contains("[p2 gpt-4o] A-1 s3 dislike: Wrong renewal date"),
            "{text}"
        );
        assert!(
            text.lines()
                .any(|l| l.starts_with("total") && l.contains("50%")),
            "{text}"
        );
        assert!(text.contains(NO_MODEL));
    }
}
