//! POST /v1/accounts/{account_id}/summary/feedback: a like, a dislike, or its withdrawal.

use lambda_http::{Body, Request, Response};
use summary_core::config::App;
use summary_core::http::{account_id, identity, request_id, respond};
use tracing::Instrument;

pub async fn handle(app: &App, req: Request) -> Response<Body> {
    let request_id = request_id(&req);
    let result = async {
        let who = identity(&req, &app.claims)?;
        let account_id = account_id(&req)?;
        app.service
            .submit_feedback(&who, &account_id, req.body().as_ref())
            .await
    }
    .instrument(tracing::info_span!("submit_feedback", request_id = %request_id))
    .await;
    respond(result, &request_id)
}
