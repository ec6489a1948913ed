//! What the three functions share at the HTTP edge: identity from the authorizer's claims,
//! the account id from the path, JSON answers and the error body of API.md.

use lambda_http::request::RequestContext;
use lambda_http::{Body, Request, RequestExt, Response};
use serde::Serialize;

use crate::error::ApiError;
use crate::ids::is_valid_id;
use crate::service::Identity;

/// The claim names the API Gateway JWT authorizer hands over.
#[derive(Debug, Clone)]
pub struct ClaimNames {
    pub tenant: String,
}

impl Default for ClaimNames {
    fn default() -> Self {
        ClaimNames {
            tenant: "tenant_id".to_string(),
        }
    }
}

/// The caller's identity, from the verified claims in the request context and nothing else.
pub fn identity(req: &Request, claims: &ClaimNames) -> Result<Identity, ApiError> {
    let Some(RequestContext::ApiGatewayV2(ctx)) = req.request_context_ref() else {
        return Err(ApiError::unauthorized());
    };
    let jwt = ctx
        .authorizer
        .as_ref()
        .and_then(|a| a.jwt.as_ref())
        .ok_or_else(ApiError::unauthorized)?;
    let tenant_id = jwt
        .claims
        .get(&claims.tenant)
        .filter(|t| is_valid_id(t))
        .ok_or_else(ApiError::unauthorized)?;
    let user_id = jwt
        .claims
        .get("sub")
        .filter(|u| !u.is_empty() && u.len() <= 256)
        .ok_or_else(ApiError::unauthorized)?;
    let roles = jwt
        .claims
        .get("roles")
        .map(|r| parse_list_claim(r))
        .unwrap_or_default();
    Ok(Identity {
        tenant_id: tenant_id.clone(),
        user_id: user_id.clone(),
        roles,
    })
}

/// API Gateway renders a list claim as `"[a b c]"`; a plain string is a one-element list.
pub fn parse_list_claim(raw: &str) -> Vec<String> {
    let inner = raw
        .trim()
        .strip_prefix('[')
        .and_then(|r| r.strip_suffix(']'))
        .unwrap_or(raw);
    inner
        .split([' ', ','])
        .map(|r| r.trim_matches('"'))
        .filter(|r| !r.is_empty())
        .map(str::to_string)
        .collect()
}

/// The `{account_id}` path parameter.
pub fn account_id(req: &Request) -> Result<String, ApiError> {
    req.path_parameters()
        .first("account_id")
        .map(str::to_string)
        .ok_or_else(|| ApiError::bad_request("The path names no account."))
}

/// The request id used in log lines: API Gateway's, else the Lambda invocation's.
pub fn request_id(req: &Request) -> String {
    if let Some(RequestContext::ApiGatewayV2(ctx)) = req.request_context_ref()
        && let Some(id) = &ctx.request_id
    {
        return id.clone();
    }
    req.lambda_context_ref()
        .map(|c| c.request_id.clone())
        .unwrap_or_default()
}

pub fn json<T: Serialize>(status: u16, value: &T) -> Response<Body> {
    let body = serde_json::to_string(value).expect("response bodies serialize");
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .header("cache-control", "no-store")
        .body(Body::Text(body))
        .expect("status and headers are valid")
}

/// An error answer, logged with the request id (the message never carries values).
pub fn error(err: &ApiError, request_id: &str) -> Response<Body> {
    if err.status() >= 500 {
        tracing::error!(request_id, code = err.code.as_str(), "request failed");
    } else {
        tracing::info!(
            request_id,
            code = err.code.as_str(),
            status = err.status(),
            "request refused"
        );
    }
    let mut response = json(err.status(), &err.body());
    if let Some(seconds) = err.retry_after {
        response.headers_mut().insert(
            "retry-after",
            seconds
                .to_string()
                .parse()
                .expect("digits are a valid header"),
        );
    }
    response
}

/// Turns a use case's result into the response: 200 with the value, or the error body.
pub fn respond<T: Serialize>(result: Result<T, ApiError>, request_id: &str) -> Response<Body> {
    match result {
        Ok(value) => json(200, &value),
        Err(err) => error(&err, request_id),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_claims_as_api_gateway_renders_them() {
        assert_eq!(parse_list_claim("[csm admin]"), vec!["csm", "admin"]);
        assert_eq!(parse_list_claim("csm"), vec!["csm"]);
        assert_eq!(parse_list_claim("[]"), Vec::<String>::new());
        assert_eq!(parse_list_claim(""), Vec::<String>::new());
    }

    #[test]
    fn no_claims_is_unauthorized() {
        let req = Request::default();
        assert_eq!(
            identity(&req, &ClaimNames::default()).unwrap_err().code,
            crate::error::ErrorCode::Unauthorized
        );
    }
}
