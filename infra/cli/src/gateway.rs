//! The local API gateway: what API Gateway (HTTP API with a JWT authorizer) does in front of
//! the three functions, over real HTTP on loopback. Routes it does not know answer 404
//! `{"message":"Not Found"}`; a missing or invalid token answers 401
//! `{"message":"Unauthorized"}` before any function runs; otherwise the verified claims are
//! rendered as the authorizer renders them and the function's own handler answers.

use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::body::{Body as HttpBody, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::Response;
use lambda_http::Body as LambdaBody;

use crate::apigw::{GatewayRequest, Route, render_claims};
use crate::token::{JwtSecret, bearer_token, verify};
use summary_core::config::App;

/// What the gateway holds: the functions' shared App and the token secret.
pub struct Gateway {
    pub app: App,
    pub secret: JwtSecret,
}

/// The gateway as an axum router: every request goes through [`serve`].
pub fn router(gateway: Arc<Gateway>) -> Router {
    Router::new().fallback(serve).with_state(gateway)
}

/// API Gateway's own answers carry this body shape.
fn gateway_answer(status: StatusCode, message: &str) -> Response {
    let body = serde_json::json!({ "message": message }).to_string();
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, "application/json")
        .body(HttpBody::from(body))
        .expect("a static status and header are valid")
}

async fn serve(
    State(gateway): State<Arc<Gateway>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let started = Instant::now();
    let Some((route, account_id)) = Route::match_path(method.as_str(), uri.path()) else {
        tracing::info!(%method, status = 404, "no such route");
        return gateway_answer(StatusCode::NOT_FOUND, "Not Found");
    };
    let claims = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(bearer_token)
        .ok_or("no_token")
        .and_then(|token| {
            verify(&gateway.secret, token).map_err(|e| match e {
                crate::token::TokenError::Rejected(code) => code,
                _ => "invalid",
            })
        });
    let claims = match claims {
        Ok(claims) => claims,
        Err(reason) => {
            tracing::info!(
                route = route.route_key(),
                reason,
                status = 401,
                "token refused"
            );
            return gateway_answer(StatusCode::UNAUTHORIZED, "Unauthorized");
        }
    };
    let mut request = GatewayRequest::new(route, &account_id).claims(render_claims(&claims));
    if !body.is_empty() {
        // The functions' bodies are JSON text; API Gateway would base64-encode other bytes,
        // which fail JSON parsing just the same.
        request = request.body(String::from_utf8_lossy(&body).into_owned());
    }
    let request_id = request.request_id.clone();
    let lambda_request = request.to_lambda();
    // Like a Lambda invocation, a handler runs on its own: should one panic, the gateway
    // answers as API Gateway does when an integration fails.
    let invocation = tokio::spawn({
        let gateway = gateway.clone();
        async move {
            match route {
                Route::GetSummary => summary_get::handle(&gateway.app, lambda_request).await,
                Route::RefreshSummary => {
                    summary_refresh::handle(&gateway.app, lambda_request).await
                }
                Route::SubmitFeedback => {
                    summary_feedback::handle(&gateway.app, lambda_request).await
                }
            }
        }
    });
    let mut response = match invocation.await {
        Ok(response) => into_http(response),
        Err(_) => {
            tracing::error!(route = route.route_key(), %request_id, "function failed");
            gateway_answer(StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error")
        }
    };
    if let Ok(id) = HeaderValue::from_str(&request_id) {
        response.headers_mut().insert("apigw-requestid", id);
    }
    tracing::info!(
        route = route.route_key(),
        %request_id,
        status = response.status().as_u16(),
        ms = started.elapsed().as_millis() as u64,
        "request"
    );
    response
}

/// A function's response as the HTTP response API Gateway sends: status, headers, body.
pub fn into_http(response: lambda_http::Response<LambdaBody>) -> Response {
    let (parts, body) = response.into_parts();
    let bytes = match body {
        LambdaBody::Empty => Vec::new(),
        LambdaBody::Text(text) => text.into_bytes(),
        LambdaBody::Binary(bytes) => bytes,
        _ => Vec::new(),
    };
    Response::from_parts(parts, HttpBody::from(bytes))
}
