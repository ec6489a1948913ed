//! The refresh function serves two callers: POST /v1/accounts/{account_id}/summary/refresh
//! (a user's hard refresh) and the schedule (EventBridge rule or EventBridge Scheduler), whose
//! events arrive through lambda_http's pass-through as a request with the raw event as body.

use lambda_http::request::RequestContext;
use lambda_http::{Body, Request, RequestExt, Response};
use serde::Deserialize;
use summary_core::config::App;
use summary_core::error::ApiError;
use summary_core::http::{account_id, identity, json, request_id, respond};
use tracing::Instrument;

/// How far ahead the schedule looks: summaries expiring within this window are refreshed
/// now, so that a 12-hour schedule with some slack never lets one lapse.
pub const DEFAULT_REFRESH_WINDOW: time::Duration = time::Duration::minutes(75);

/// The fields of a scheduled event we check; the rest is ignored.
#[derive(Debug, Deserialize)]
struct ScheduledEvent {
    #[serde(default)]
    source: Option<String>,
    #[serde(rename = "detail-type", default)]
    detail_type: Option<String>,
}

pub async fn handle(app: &App, req: Request) -> Response<Body> {
    let request_id = request_id(&req);
    if matches!(req.request_context_ref(), Some(RequestContext::PassThrough)) {
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
    let event: Option<ScheduledEvent> = serde_json::from_slice(req.body().as_ref()).ok();
    let is_schedule = event.as_ref().is_some_and(|e| {
        e.source.as_deref() == Some("aws.events")
            || e.source.as_deref() == Some("aws.scheduler")
            || e.detail_type.as_deref() == Some("Scheduled Event")
    });
    if !is_schedule {
        return respond::<()>(
            Err(ApiError::bad_request("Not a scheduled event.")),
            request_id,
        );
    }
    let span = tracing::info_span!("scheduled_refresh", request_id = %request_id);
    match app
        .service
        .refresh_due(DEFAULT_REFRESH_WINDOW)
        .instrument(span)
        .await
    {
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
