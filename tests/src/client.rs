//! Calling a function as API Gateway does: build the HTTP API (payload 2.0) event with the
//! JWT authorizer's claims rendered as strings (`infra/cli`'s `GatewayRequest`, which the
//! local gateway uses too), let lambda_http parse it, call the function crate's `handle`, and
//! read the response back as status, headers and JSON.

use std::collections::BTreeMap;

use account_summary_cli::apigw::{GatewayRequest, Route, render_claims};
use lambda_http::{Body, Request, Response};
use serde_json::{Value, json};
use summary_core::config::App;

/// Who calls: the verified token's claims.
#[derive(Debug, Clone)]
pub struct Caller {
    pub tenant: String,
    pub user: String,
    /// `None`: the token has no `roles` claim.
    pub roles: Option<Vec<String>>,
    /// The claim that carries the tenant (the App's `ClaimNames::tenant`).
    pub tenant_claim: String,
}

impl Caller {
    pub fn new(tenant: &str, user: &str) -> Caller {
        Caller {
            tenant: tenant.to_string(),
            user: user.to_string(),
            roles: None,
            tenant_claim: "tenant_id".to_string(),
        }
    }

    pub fn with_roles(mut self, roles: &[&str]) -> Caller {
        self.roles = Some(roles.iter().map(|r| r.to_string()).collect());
        self
    }

    pub fn with_tenant_claim(mut self, claim: &str) -> Caller {
        self.tenant_claim = claim.to_string();
        self
    }

    /// The claims as the JWT authorizer hands them over: every value a string, lists as
    /// `"[a b]"`, numbers as their digits.
    pub fn claims(&self) -> BTreeMap<String, String> {
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        let mut token = json!({
            "sub": self.user,
            "iss": "https://auth.example.test/",
            "aud": "account-summaries",
            "iat": now,
            "exp": now + 3600,
        });
        token[&self.tenant_claim] = json!(self.tenant);
        if let Some(roles) = &self.roles {
            token["roles"] = json!(roles);
        }
        render_claims(token.as_object().expect("claims are an object"))
    }
}

/// A function's answer.
#[derive(Debug, Clone)]
pub struct ApiResponse {
    pub status: u16,
    /// Header names lower-cased.
    pub headers: Vec<(String, String)>,
    pub body_text: String,
    /// The body parsed as JSON (`Value::Null` when it is not JSON).
    pub body: Value,
}

impl ApiResponse {
    fn from_lambda(response: Response<Body>) -> ApiResponse {
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let body_text = match response.into_body() {
            Body::Empty => String::new(),
            Body::Text(t) => t,
            Body::Binary(b) => String::from_utf8_lossy(&b).into_owned(),
            _ => String::new(),
        };
        ApiResponse {
            status,
            headers,
            body: serde_json::from_str(&body_text).unwrap_or(Value::Null),
            body_text,
        }
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Asserts the status, showing the body when it differs; returns the JSON body.
    pub fn expect_status(&self, status: u16) -> &Value {
        assert_eq!(
            self.status, status,
            "expected HTTP {status}, got {} with body {}",
            self.status, self.body_text
        );
        &self.body
    }

    /// Asserts a 200 with a JSON body and returns it.
    pub fn ok(&self) -> &Value {
        self.expect_status(200);
        assert_eq!(self.header("content-type"), Some("application/json"));
        &self.body
    }

    /// Asserts the error answer of API.md: this status, `content-type: application/json`
    /// and a body of exactly `{"error": {"code": <code>, "message": <non-empty>}}`.
    pub fn expect_error(&self, status: u16, code: &str) {
        self.expect_status(status);
        assert_eq!(self.header("content-type"), Some("application/json"));
        let top = self
            .body
            .as_object()
            .unwrap_or_else(|| panic!("error body is not a JSON object: {:?}", self.body_text));
        assert_eq!(
            top.keys().collect::<Vec<_>>(),
            ["error"],
            "error body: {}",
            self.body_text
        );
        let error = top["error"]
            .as_object()
            .unwrap_or_else(|| panic!("`error` is not an object: {}", self.body_text));
        let mut keys: Vec<&String> = error.keys().collect();
        keys.sort();
        assert_eq!(keys, ["code", "message"], "error body: {}", self.body_text);
        assert_eq!(error["code"], code, "error body: {}", self.body_text);
        assert!(
            error["message"]
                .as_str()
                .is_some_and(|m| !m.trim().is_empty()),
            "the error message is empty: {}",
            self.body_text
        );
    }

    /// The `summary_id` of a Summary or Feedback body.
    pub fn summary_id(&self) -> String {
        self.body["summary_id"]
            .as_str()
            .unwrap_or_else(|| panic!("no summary_id in {}", self.body_text))
            .to_string()
    }
}

/// Hands an API Gateway request to the function that serves its route.
pub async fn send(app: &App, request: &GatewayRequest) -> ApiResponse {
    let req = request.to_lambda();
    ApiResponse::from_lambda(dispatch(app, request.route, req).await)
}

async fn dispatch(app: &App, route: Route, req: Request) -> Response<Body> {
    match route {
        Route::GetSummary => summary_get::handle(app, req).await,
        Route::RefreshSummary => summary_refresh::handle(app, req).await,
        Route::SubmitFeedback => summary_feedback::handle(app, req).await,
    }
}

/// `GET /v1/accounts/{account_id}/summary`
pub async fn get(app: &App, caller: &Caller, account_id: &str) -> ApiResponse {
    send(
        app,
        &GatewayRequest::new(Route::GetSummary, account_id).claims(caller.claims()),
    )
    .await
}

/// `POST /v1/accounts/{account_id}/summary/refresh`
pub async fn refresh(app: &App, caller: &Caller, account_id: &str) -> ApiResponse {
    send(
        app,
        &GatewayRequest::new(Route::RefreshSummary, account_id).claims(caller.claims()),
    )
    .await
}

/// `POST /v1/accounts/{account_id}/summary/feedback` with this exact body.
pub async fn feedback(app: &App, caller: &Caller, account_id: &str, body: &str) -> ApiResponse {
    send(
        app,
        &GatewayRequest::new(Route::SubmitFeedback, account_id)
            .claims(caller.claims())
            .body(body),
    )
    .await
}

/// A well-formed feedback POST: `vote` is `"like"`, `"dislike"` or `"none"`.
pub async fn vote(
    app: &App,
    caller: &Caller,
    account_id: &str,
    summary_id: &str,
    vote: &str,
) -> ApiResponse {
    let body = json!({"summary_id": summary_id, "vote": vote}).to_string();
    feedback(app, caller, account_id, &body).await
}

/// A request whose event has no authorizer context at all.
pub async fn without_claims(
    app: &App,
    route: Route,
    account_id: &str,
    body: Option<&str>,
) -> ApiResponse {
    let mut request = GatewayRequest::new(route, account_id);
    if let Some(body) = body {
        request = request.body(body);
    }
    send(app, &request).await
}

/// Invokes the refresh function with a non-HTTP event (e.g. an EventBridge scheduled event),
/// parsed by lambda_http exactly as the Lambda runtime parses it: with the `pass_through`
/// feature, an event that is no HTTP event becomes a `POST /events` request with
/// `RequestContext::PassThrough` and the raw event as its body.
pub async fn invoke_refresh_with_event(app: &App, event_json: &str) -> ApiResponse {
    let req = lambda_http::request::from_str(event_json)
        .unwrap_or_else(|e| panic!("lambda_http refused the event: {e}"));
    ApiResponse::from_lambda(summary_refresh::handle(app, req).await)
}
