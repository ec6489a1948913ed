//! A summary as a person reads it in a terminal.

use std::fmt::Write;

use summary_core::summary::{Source, SummaryView};

/// Header lines (account, source and model, generated and expiry times), then each section's
/// title and text.
pub fn render_summary(view: &SummaryView) -> String {
    let mut out = String::new();
    let source = match (view.source, view.model.as_deref()) {
        (Source::Ai, Some(model)) => format!("ai (model {model})"),
        (Source::Ai, None) => "ai".to_string(),
        (Source::Fallback, _) => "fallback (offline engine, no LLM)".to_string(),
    };
    let _ = writeln!(out, "Account summary: {}", view.account_id);
    let _ = writeln!(out, "Source:    {source}");
    let _ = writeln!(
        out,
        "Generated: {}{}",
        view.generated_at,
        if view.cached { " (cached)" } else { "" }
    );
    let _ = writeln!(out, "Expires:   {}", view.expires_at);
    if view.refresh_failed {
        let _ = writeln!(
            out,
            "Note:      the refresh failed; this is the previous summary"
        );
    }
    // The same text as the API's `text` field: titles on their own lines.
    let _ = write!(out, "\n{}\n", view.text.trim_end());
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use summary_core::summary::{Section, SectionKey, Summary};
    use time::macros::datetime;

    #[test]
    fn every_title_is_followed_by_its_text() {
        let summary = Summary {
            summary_id: "01J".into(),
            account_id: "A-1".into(),
            generated_at: datetime!(2026-12-03 12:00 UTC),
            expires_at: datetime!(2026-12-04 00:00 UTC),
            source: Source::Ai,
            model: Some("gpt-4o-mini".into()),
            prompt_version: "p".into(),
            sections: SectionKey::ALL
                .iter()
                .map(|k| Section::new(*k, format!("{} text.", k.as_str()), vec![]))
                .collect(),
            input_hash: "h".into(),
            usage: None,
            ungrounded: vec![],
            likes: 0,
            dislikes: 0,
            last_viewed_on: None,
        };
        let text = render_summary(&summary.view(false, None, false));
        assert!(text.starts_with("Account summary: A-1\nSource:    ai (model gpt-4o-mini)\n"));
        assert!(text.contains("Generated: 2026-12-03T12:00:00Z\n"));
        assert!(text.contains("\nRecommended next actions\nnext_actions text.\n"));
        for key in SectionKey::ALL {
            assert!(text.contains(&format!("\n{}\n", key.title())), "{key:?}");
        }
    }
}
