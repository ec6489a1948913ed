//! Generation metrics as CloudWatch Embedded Metric Format log lines: one JSON line per
//! generation, turned into metrics by CloudWatch Logs, per tenant and source.

use serde_json::{Value, json};

use crate::summary::{Source, TokenUsage};

/// Where the metrics go unless `METRICS_NAMESPACE` says otherwise (a deployment sets one per
/// stack, so that two stacks in one region keep their alarms apart).
pub const DEFAULT_NAMESPACE: &str = "AccountSummary";

/// What one generation cost and how it went.
#[derive(Debug, Clone, PartialEq)]
pub struct GenerationMetrics<'a> {
    pub tenant_id: &'a str,
    pub source: Source,
    pub latency_ms: u64,
    pub usage: Option<TokenUsage>,
    /// Figures in the text that the input does not contain.
    pub ungrounded: usize,
}

/// The EMF document for one generation (`timestamp_ms`: epoch milliseconds).
pub fn emf_line(m: &GenerationMetrics<'_>, namespace: &str, timestamp_ms: i64) -> Value {
    let usage = m.usage.unwrap_or_default();
    json!({
        "_aws": {
            "Timestamp": timestamp_ms,
            "CloudWatchMetrics": [{
                "Namespace": namespace,
                "Dimensions": [["TenantId"], ["TenantId", "Source"], ["Source"]],
                "Metrics": [
                    {"Name": "Generations", "Unit": "Count"},
                    {"Name": "Fallbacks", "Unit": "Count"},
                    {"Name": "GenerationLatency", "Unit": "Milliseconds"},
                    {"Name": "PromptTokens", "Unit": "Count"},
                    {"Name": "CompletionTokens", "Unit": "Count"},
                    {"Name": "UngroundedFigures", "Unit": "Count"}
                ]
            }]
        },
        "TenantId": m.tenant_id,
        "Source": m.source.as_str(),
        "Generations": 1,
        "Fallbacks": u8::from(m.source == Source::Fallback),
        "GenerationLatency": m.latency_ms,
        "PromptTokens": usage.prompt_tokens,
        "CompletionTokens": usage.completion_tokens,
        "UngroundedFigures": m.ungrounded
    })
}

/// In Lambda, writes the line to stdout, where CloudWatch Logs turns it into metrics;
/// elsewhere (the local stack, the CLI, tests) it goes to the debug log instead of
/// interleaving with what a person reads.
pub fn emit(m: &GenerationMetrics<'_>, namespace: &str) {
    let now = time::OffsetDateTime::now_utc();
    let line = emf_line(
        m,
        namespace,
        (now.unix_timestamp_nanos() / 1_000_000) as i64,
    );
    if std::env::var_os("AWS_LAMBDA_FUNCTION_NAME").is_some() {
        println!("{line}");
    } else {
        tracing::debug!(target: "metrics", %line, "generation metrics");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_emf_line_declares_the_metrics_it_carries() {
        let line = emf_line(
            &GenerationMetrics {
                tenant_id: "demo",
                source: Source::Fallback,
                latency_ms: 1234,
                usage: Some(TokenUsage {
                    prompt_tokens: 700,
                    completion_tokens: 300,
                }),
                ungrounded: 1,
            },
            "AccountSummary/prod",
            1_700_000_000_000,
        );
        let declared: Vec<&str> = line["_aws"]["CloudWatchMetrics"][0]["Metrics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["Name"].as_str().unwrap())
            .collect();
        for name in &declared {
            assert!(line.get(*name).is_some(), "{name} declared but absent");
        }
        assert_eq!(line["Fallbacks"], 1);
        assert_eq!(line["PromptTokens"], 700);
        assert_eq!(line["TenantId"], "demo");
        assert_eq!(line["_aws"]["Timestamp"], 1_700_000_000_000i64);
        assert_eq!(
            line["_aws"]["CloudWatchMetrics"][0]["Namespace"],
            "AccountSummary/prod"
        );
    }
}
