//! What API Gateway (HTTP API, JWT authorizer) does before a function runs: match a route,
//! render the verified token's claims as strings, and build the event the function receives.
//! The local gateway and the integration tests both go through here, so the functions see
//! exactly the request shape they see in AWS.

use std::collections::BTreeMap;

use serde_json::{Value, json};

/// The three routes of API.md.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    GetSummary,
    RefreshSummary,
    SubmitFeedback,
}

impl Route {
    pub fn route_key(self) -> &'static str {
        match self {
            Route::GetSummary => "GET /v1/accounts/{account_id}/summary",
            Route::RefreshSummary => "POST /v1/accounts/{account_id}/summary/refresh",
            Route::SubmitFeedback => "POST /v1/accounts/{account_id}/summary/feedback",
        }
    }

    /// The route a method and path match, with the `{account_id}` path parameter.
    pub fn match_path(method: &str, path: &str) -> Option<(Route, String)> {
        let rest = path.strip_prefix("/v1/accounts/")?;
        let (account_id, tail) = rest.split_once('/')?;
        if account_id.is_empty() {
            return None;
        }
        let route = match (method, tail) {
            ("GET", "summary") => Route::GetSummary,
            ("POST", "summary/refresh") => Route::RefreshSummary,
            ("POST", "summary/feedback") => Route::SubmitFeedback,
            _ => return None,
        };
        let account_id = percent_decode(account_id)?;
        Some((route, account_id))
    }
}

/// API Gateway decodes path parameters; ids are ASCII, so only `%XX` needs handling.
fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Claims as the JWT authorizer hands them over: every value a string, a list rendered
/// `"[a b c]"`, nested objects as JSON text.
pub fn render_claims(claims: &serde_json::Map<String, Value>) -> BTreeMap<String, String> {
    claims
        .iter()
        .map(|(name, value)| {
            let rendered = match value {
                Value::String(s) => s.clone(),
                Value::Array(items) => format!(
                    "[{}]",
                    items
                        .iter()
                        .map(|v| match v {
                            Value::String(s) => s.clone(),
                            other => other.to_string(),
                        })
                        .collect::<Vec<_>>()
                        .join(" ")
                ),
                other => other.to_string(),
            };
            (name.clone(), rendered)
        })
        .collect()
}

/// One request as API Gateway hands it to a function.
#[derive(Debug, Clone)]
pub struct GatewayRequest {
    pub route: Route,
    pub account_id: String,
    pub raw_path: String,
    /// `None`: no authorizer context at all (a function must answer 401 itself).
    pub claims: Option<BTreeMap<String, String>>,
    pub body: Option<String>,
    pub request_id: String,
}

impl GatewayRequest {
    pub fn new(route: Route, account_id: &str) -> GatewayRequest {
        let raw_path = match route {
            Route::GetSummary => format!("/v1/accounts/{account_id}/summary"),
            Route::RefreshSummary => format!("/v1/accounts/{account_id}/summary/refresh"),
            Route::SubmitFeedback => format!("/v1/accounts/{account_id}/summary/feedback"),
        };
        GatewayRequest {
            route,
            account_id: account_id.to_string(),
            raw_path,
            claims: None,
            body: None,
            request_id: ulid::Ulid::new().to_string(),
        }
    }

    pub fn claims(mut self, claims: BTreeMap<String, String>) -> GatewayRequest {
        self.claims = Some(claims);
        self
    }

    pub fn body(mut self, body: impl Into<String>) -> GatewayRequest {
        self.body = Some(body.into());
        self
    }

    /// The API Gateway HTTP API (payload 2.0) event JSON.
    pub fn event(&self) -> Value {
        let method = match self.route {
            Route::GetSummary => "GET",
            Route::RefreshSummary | Route::SubmitFeedback => "POST",
        };
        let now = time::OffsetDateTime::now_utc();
        let mut context = json!({
            "accountId": "000000000000",
            "apiId": "local",
            "domainName": "localhost",
            "domainPrefix": "localhost",
            "http": {
                "method": method,
                "path": self.raw_path,
                "protocol": "HTTP/1.1",
                "sourceIp": "127.0.0.1",
                "userAgent": "local-gateway"
            },
            "requestId": self.request_id,
            "routeKey": self.route.route_key(),
            "stage": "$default",
            "timeEpoch": (now.unix_timestamp_nanos() / 1_000_000) as i64
        });
        if let Some(claims) = &self.claims {
            context["authorizer"] = json!({"jwt": {"claims": claims, "scopes": null}});
        }
        json!({
            "version": "2.0",
            "routeKey": self.route.route_key(),
            "rawPath": self.raw_path,
            "rawQueryString": "",
            "headers": {"content-type": "application/json", "host": "localhost"},
            "requestContext": context,
            "pathParameters": {"account_id": self.account_id},
            "body": self.body,
            "isBase64Encoded": false
        })
    }

    /// The request a function's handler receives, parsed by lambda_http as in Lambda.
    pub fn to_lambda(&self) -> lambda_http::Request {
        lambda_http::request::from_str(&self.event().to_string())
            .expect("an API Gateway v2 event we built always parses")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lambda_http::RequestExt;

    #[test]
    fn routes_match_api_md() {
        assert_eq!(
            Route::match_path("GET", "/v1/accounts/A-2e4581/summary"),
            Some((Route::GetSummary, "A-2e4581".to_string()))
        );
        assert_eq!(
            Route::match_path("POST", "/v1/accounts/A-1/summary/refresh"),
            Some((Route::RefreshSummary, "A-1".to_string()))
        );
        assert_eq!(
            Route::match_path("POST", "/v1/accounts/A-1/summary/feedback"),
            Some((Route::SubmitFeedback, "A-1".to_string()))
        );
        assert_eq!(
            Route::match_path("GET", "/v1/accounts/A-1/summary/refresh"),
            None
        );
        assert_eq!(Route::match_path("GET", "/v1/accounts//summary"), None);
    }

    #[test]
    fn claims_render_as_api_gateway_does() {
        let claims = json!({"sub": "u1", "roles": ["csm", "admin"], "exp": 1700000000, "custom:tenant_id": "demo"});
        let rendered = render_claims(claims.as_object().unwrap());
        assert_eq!(rendered["roles"], "[csm admin]");
        assert_eq!(rendered["exp"], "1700000000");
        assert_eq!(rendered["custom:tenant_id"], "demo");
    }

    #[test]
    fn the_function_sees_path_parameters_and_claims() {
        let req = GatewayRequest::new(Route::GetSummary, "A-1")
            .claims(BTreeMap::from([("sub".into(), "u1".into())]))
            .to_lambda();
        assert_eq!(req.path_parameters().first("account_id"), Some("A-1"));
        assert_eq!(req.method(), "GET");
    }
}
