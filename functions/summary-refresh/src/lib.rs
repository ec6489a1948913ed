//! The refresh function serves two callers: POST /v1/accounts/{account_id}/summary/refresh
//! (a user's hard refresh) and the schedule (EventBridge rule or EventBridge Scheduler), whose
//! events arrive through lambda_http's pass-through as a request with the raw event as body.

use std::time::{Duration, Instant};

use lambda_http::request::RequestContext;
use lambda_http::{Body, Request, RequestExt, Response};
use serde::Deserialize;
use summary_core::config::App;
use summary_core::error::ApiError;
use summary_core::http::{account_id, identity, json, request_id, respond};
use summary_core::service::RefreshPlan;
use tracing::Instrument;

/// Time kept in hand at the end of an invocation: no shard is started after this point, so
/// the generations under way finish before Lambda's timeout.
const HAND_OVER_MARGIN: Duration = Duration::from_secs(120);

/// The fields of a scheduled event we use; the rest is ignored.
#[derive(Debug, Deserialize)]
struct ScheduledEvent {
    #[serde(default)]
    source: Option<String>,
    #[serde(rename = "detail-type", default)]
    detail_type: Option<String>,
    /// An EventBridge rule sends an object; EventBridge Scheduler sends a JSON string.
    #[serde(default)]
    detail: Option<serde_json::Value>,
}

/// What a schedule may ask of one run: which index shards to cover (default: all), so that
/// several schedules can split the work (see the README's path to a million accounts).
#[derive(Debug, Default, Deserialize)]
struct RunDetail {
    #[serde(default)]
    shards: Option<Vec<u32>>,
}

fn run_detail(detail: Option<&serde_json::Value>) -> RunDetail {
    match detail {
        Some(serde_json::Value::String(text)) => serde_json::from_str(text).unwrap_or_default(),
        Some(value) => serde_json::from_value(value.clone()).unwrap_or_default(),
        None => RunDetail::default(),
    }
}

/// The plan of one scheduled run: the shards the event names (all by default), and a stop
/// point before the invocation's deadline.
fn plan_for(event: &ScheduledEvent, req: &Request) -> RefreshPlan {
    let mut plan = RefreshPlan::default();
    if let Some(shards) = run_detail(event.detail.as_ref()).shards {
        plan.shards = shards
            .into_iter()
            .filter(|s| *s < summary_core::store::REFRESH_SHARDS)
            .collect();
    }
    if let Some(ctx) = req.lambda_context_ref() {
        let deadline = std::time::UNIX_EPOCH + Duration::from_millis(ctx.deadline);
        let left = deadline
            .duration_since(std::time::SystemTime::now())
            .unwrap_or_default();
        plan.stop_at = Some(Instant::now() + left.saturating_sub(HAND_OVER_MARGIN));
    }
    plan
}

/// A non-HTTP event (the schedule) rather than an API Gateway request.
pub fn is_scheduled(req: &Request) -> bool {
    matches!(req.request_context_ref(), Some(RequestContext::PassThrough))
}

pub async fn handle(app: &App, req: Request) -> Response<Body> {
    let request_id = request_id(&req);
    if is_scheduled(&req) {
        return scheduled(app, &req, &request_id).await;
    }
    let result = async {
        let who = identity(&req, &app.claims)?;
        let account_id = account_id(&req)?;
        app.service.refresh_summary(&who, &account_id).await
    }
    .instrument(tracing::info_span!("refresh_summary", request_id = %request_id))
    .await;
    respond(result, &request_id)
}

async fn scheduled(app: &App, req: &Request, request_id: &str) -> Response<Body> {
    let event = serde_json::from_slice::<ScheduledEvent>(req.body().as_ref())
        .ok()
        .filter(|e| {
            e.source.as_deref() == Some("aws.events")
                || e.source.as_deref() == Some("aws.scheduler")
                || e.detail_type.as_deref() == Some("Scheduled Event")
        });
    let Some(event) = event else {
        return respond::<()>(
            Err(ApiError::bad_request("Not a scheduled event.")),
            request_id,
        );
    };
    let plan = plan_for(&event, req);
    let span = tracing::info_span!("scheduled_refresh", request_id = %request_id);
    match app.service.refresh_due(&plan).instrument(span).await {
        Ok(report) => {
            tracing::info!(request_id, ?report, "scheduled refresh done");
            json(200, &report)
        }
        Err(err) => {
            tracing::error!(request_id, error = %err, "scheduled refresh failed");
            respond::<()>(Err(ApiError::unavailable()), request_id)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_come_from_a_rule_object_or_a_scheduler_string() {
        let rule = serde_json::json!({"shards": [1, 2]});
        assert_eq!(run_detail(Some(&rule)).shards, Some(vec![1, 2]));
        let scheduler = serde_json::Value::String("{\"shards\":[3]}".into());
        assert_eq!(run_detail(Some(&scheduler)).shards, Some(vec![3]));
        let empty = serde_json::json!({});
        assert_eq!(run_detail(Some(&empty)).shards, None);
        assert_eq!(run_detail(None).shards, None);
    }
}
