//! GET /v1/accounts/{account_id}/summary: the cached summary, or a new one.

use lambda_http::{Body, Request, Response};
use summary_core::config::App;
use summary_core::http::{account_id, identity, request_id, respond};
use tracing::Instrument;

pub async fn handle(app: &App, req: Request) -> Response<Body> {
    let request_id = request_id(&req);
    let result = async {
        let who = identity(&req, &app.claims)?;
        let account_id = account_id(&req)?;
        app.service.get_summary(&who, &account_id).await
    }
    .instrument(tracing::info_span!("get_summary", request_id = %request_id))
    .await;
    respond(result, &request_id)
}
