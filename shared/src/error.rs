//! The errors a caller of the API can receive: each with its status, code and message (API.md).

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    BadRequest,
    Unauthorized,
    FeatureDisabled,
    Forbidden,
    AccountNotFound,
    SummaryNotFound,
    RateLimited,
    GenerationUnavailable,
}

impl ErrorCode {
    pub fn status(self) -> u16 {
        match self {
            ErrorCode::BadRequest => 400,
            ErrorCode::Unauthorized => 401,
            ErrorCode::FeatureDisabled | ErrorCode::Forbidden => 403,
            ErrorCode::AccountNotFound | ErrorCode::SummaryNotFound => 404,
            ErrorCode::RateLimited => 429,
            ErrorCode::GenerationUnavailable => 503,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::BadRequest => "bad_request",
            ErrorCode::Unauthorized => "unauthorized",
            ErrorCode::FeatureDisabled => "feature_disabled",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::AccountNotFound => "account_not_found",
            ErrorCode::SummaryNotFound => "summary_not_found",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::GenerationUnavailable => "generation_unavailable",
        }
    }
}

/// An answer other than success. The message is shown to users: it never carries secrets,
/// prompts or attribute values.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code:?}: {message}")]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
    /// Seconds after which trying again may help (`Retry-After`).
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> ApiError {
        ApiError {
            code,
            message: message.into(),
            retry_after: None,
        }
    }

    pub fn retry_after(mut self, seconds: u64) -> ApiError {
        self.retry_after = Some(seconds);
        self
    }

    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(ErrorCode::BadRequest, message)
    }

    pub fn unauthorized() -> ApiError {
        ApiError::new(
            ErrorCode::Unauthorized,
            "No verified identity came with the request.",
        )
    }

    pub fn feature_disabled() -> ApiError {
        ApiError::new(
            ErrorCode::FeatureDisabled,
            "Account summaries are not enabled for your organization.",
        )
    }

    pub fn forbidden() -> ApiError {
        ApiError::new(
            ErrorCode::Forbidden,
            "Your role does not give access to account summaries.",
        )
    }

    pub fn account_not_found() -> ApiError {
        ApiError::new(ErrorCode::AccountNotFound, "No such account.")
    }

    pub fn summary_not_found() -> ApiError {
        ApiError::new(
            ErrorCode::SummaryNotFound,
            "No such summary for this account.",
        )
    }

    /// The store or another dependency failed: nothing could be served, trying again helps.
    pub fn unavailable() -> ApiError {
        ApiError::new(
            ErrorCode::GenerationUnavailable,
            "The summary service is temporarily unavailable. Please try again shortly.",
        )
        .retry_after(5)
    }

    pub fn status(&self) -> u16 {
        self.code.status()
    }

    /// `{"error": {"code": "...", "message": "..."}}`
    pub fn body(&self) -> serde_json::Value {
        serde_json::json!({"error": {"code": self.code.as_str(), "message": self.message}})
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_is_the_api_error_shape() {
        let e = ApiError::feature_disabled();
        assert_eq!(e.status(), 403);
        assert_eq!(e.body()["error"]["code"], "feature_disabled");
        assert!(e.body()["error"]["message"].as_str().unwrap().len() > 10);
    }
}
