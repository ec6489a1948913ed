//! Development JWTs for the local stack: minted by `account-summary token`, verified by the
//! local gateway the way API Gateway's JWT authorizer verifies the real ones (signature,
//! `exp`, `iss`, `aud`). HS256 with a shared development secret: never a production identity.

use std::fmt;

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, encode};
use serde_json::{Map, Value, json};
use time::{Duration, OffsetDateTime};

use summary_core::ids::is_valid_id;

/// The `iss` claim of every development token.
pub const ISSUER: &str = "account-summary-local";
/// The `aud` claim of every development token.
pub const AUDIENCE: &str = "account-summary";
/// The environment variable holding the signing secret.
pub const SECRET_ENV: &str = "LOCAL_JWT_SECRET";
/// The secret used when `LOCAL_JWT_SECRET` is unset: public, for local development only.
pub const DEFAULT_SECRET: &str = "account-summary-local-development-secret";

/// The HMAC secret that signs and verifies development tokens. Never printed.
#[derive(Clone)]
pub struct JwtSecret(Vec<u8>);

impl fmt::Debug for JwtSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("JwtSecret(..)")
    }
}

impl JwtSecret {
    pub fn new(secret: impl Into<Vec<u8>>) -> JwtSecret {
        JwtSecret(secret.into())
    }

    /// `LOCAL_JWT_SECRET`, or the documented development default when unset or blank.
    pub fn from_env() -> JwtSecret {
        match std::env::var(SECRET_ENV) {
            Ok(s) if !s.trim().is_empty() => JwtSecret::new(s),
            _ => JwtSecret::new(DEFAULT_SECRET),
        }
    }
}

/// Who a development token speaks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenSubject {
    /// The claim that carries the tenant (`TENANT_CLAIM`, default `tenant_id`).
    pub tenant_claim: String,
    pub tenant: String,
    pub user: String,
    pub roles: Vec<String>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TokenError {
    #[error("the tenant id must be 1-128 letters, digits or -_.:@ characters")]
    BadTenant,
    #[error("the user id must be 1-256 characters")]
    BadUser,
    #[error("a role must be non-empty without spaces or brackets: {0:?}")]
    BadRole(String),
    #[error("the token lifetime must be at least one minute")]
    BadLifetime,
    #[error("could not sign the token")]
    Signing,
    /// Why a token was refused, as a short code (never the token or its claims).
    #[error("token rejected: {0}")]
    Rejected(&'static str),
}

impl TokenSubject {
    fn validate(&self) -> Result<(), TokenError> {
        if !is_valid_id(&self.tenant) {
            return Err(TokenError::BadTenant);
        }
        if self.user.is_empty() || self.user.len() > 256 {
            return Err(TokenError::BadUser);
        }
        // API Gateway renders a list claim as "[a b]": a role with a space or bracket in it
        // would come out as two roles (or none).
        if let Some(bad) = self.roles.iter().find(|r| {
            r.is_empty() || r.contains(|c: char| c.is_whitespace() || "[]\",".contains(c))
        }) {
            return Err(TokenError::BadRole(bad.clone()));
        }
        Ok(())
    }

    /// The claims of a token issued at `issued_at`, valid for `ttl`.
    pub fn claims(&self, issued_at: OffsetDateTime, ttl: Duration) -> Map<String, Value> {
        let iat = issued_at.unix_timestamp();
        let exp = (issued_at + ttl).unix_timestamp();
        let value = json!({
            "sub": self.user,
            "roles": self.roles,
            "iss": ISSUER,
            "aud": AUDIENCE,
            "iat": iat,
            "exp": exp,
        });
        let mut claims = match value {
            Value::Object(map) => map,
            _ => unreachable!("json! of an object literal is an object"),
        };
        claims.insert(
            self.tenant_claim.clone(),
            Value::String(self.tenant.clone()),
        );
        claims
    }
}

/// Signs a development token for `subject`, issued at `issued_at` and valid for `ttl`.
pub fn mint(
    secret: &JwtSecret,
    subject: &TokenSubject,
    issued_at: OffsetDateTime,
    ttl: Duration,
) -> Result<String, TokenError> {
    subject.validate()?;
    if ttl < Duration::minutes(1) {
        return Err(TokenError::BadLifetime);
    }
    encode(
        &Header::new(Algorithm::HS256),
        &subject.claims(issued_at, ttl),
        &EncodingKey::from_secret(&secret.0),
    )
    .map_err(|_| TokenError::Signing)
}

/// Verifies a token as the JWT authorizer does (HS256 signature, `exp` now, `iss`, `aud`)
/// and returns every claim it carries.
pub fn verify(secret: &JwtSecret, token: &str) -> Result<Map<String, Value>, TokenError> {
    let mut validation = Validation::new(Algorithm::HS256);
    validation.leeway = 0;
    validation.set_issuer(&[ISSUER]);
    validation.set_audience(&[AUDIENCE]);
    validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
    decode::<Map<String, Value>>(token, &DecodingKey::from_secret(&secret.0), &validation)
        .map(|data| data.claims)
        .map_err(|e| {
            use jsonwebtoken::errors::ErrorKind;
            TokenError::Rejected(match e.kind() {
                ErrorKind::InvalidSignature => "bad_signature",
                ErrorKind::ExpiredSignature => "expired",
                ErrorKind::InvalidIssuer => "wrong_issuer",
                ErrorKind::InvalidAudience => "wrong_audience",
                ErrorKind::InvalidAlgorithm => "wrong_algorithm",
                ErrorKind::MissingRequiredClaim(_) => "missing_claim",
                _ => "malformed",
            })
        })
}

/// The token of an `Authorization: Bearer <token>` header value.
pub fn bearer_token(header: &str) -> Option<&str> {
    let (scheme, token) = header.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apigw::render_claims;

    fn subject() -> TokenSubject {
        TokenSubject {
            tenant_claim: "tenant_id".into(),
            tenant: "demo".into(),
            user: "dev-user".into(),
            roles: vec!["csm".into(), "admin".into()],
        }
    }

    fn secret() -> JwtSecret {
        JwtSecret::new("test-secret-test-secret-test-secret")
    }

    fn now() -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }

    #[test]
    fn a_minted_token_verifies_with_every_claim() {
        let token = mint(&secret(), &subject(), now(), Duration::minutes(60)).unwrap();
        let claims = verify(&secret(), &token).unwrap();
        assert_eq!(claims["sub"], "dev-user");
        assert_eq!(claims["tenant_id"], "demo");
        assert_eq!(claims["roles"], json!(["csm", "admin"]));
        assert_eq!(claims["iss"], ISSUER);
        assert_eq!(claims["aud"], AUDIENCE);
        let iat = claims["iat"].as_i64().unwrap();
        assert_eq!(claims["exp"].as_i64().unwrap() - iat, 3600);
    }

    #[test]
    fn claims_reach_the_function_as_api_gateway_renders_them() {
        let token = mint(&secret(), &subject(), now(), Duration::minutes(5)).unwrap();
        let rendered = render_claims(&verify(&secret(), &token).unwrap());
        assert_eq!(rendered["roles"], "[csm admin]");
        assert_eq!(rendered["tenant_id"], "demo");
        assert!(rendered["exp"].chars().all(|c| c.is_ascii_digit()));
    }

    #[test]
    fn the_tenant_claim_name_is_configurable() {
        let subject = TokenSubject {
            tenant_claim: "custom:tenant_id".into(),
            roles: vec![],
            ..subject()
        };
        let token = mint(&secret(), &subject, now(), Duration::minutes(5)).unwrap();
        let claims = verify(&secret(), &token).unwrap();
        assert_eq!(claims["custom:tenant_id"], "demo");
        assert!(!claims.contains_key("tenant_id"));
        assert_eq!(render_claims(&claims)["roles"], "[]");
    }

    #[test]
    fn a_token_signed_with_another_secret_is_rejected() {
        let token = mint(
            &JwtSecret::new("someone-elses-secret-someone-elses"),
            &subject(),
            now(),
            Duration::minutes(5),
        )
        .unwrap();
        assert_eq!(
            verify(&secret(), &token),
            Err(TokenError::Rejected("bad_signature"))
        );
    }

    #[test]
    fn a_tampered_token_is_rejected() {
        let token = mint(&secret(), &subject(), now(), Duration::minutes(5)).unwrap();
        let mut parts: Vec<String> = token.split('.').map(str::to_string).collect();
        // Swap in the payload of a token for another tenant, keeping the old signature.
        let other = TokenSubject {
            tenant: "other".into(),
            ..subject()
        };
        let forged = mint(&secret(), &other, now(), Duration::minutes(5)).unwrap();
        parts[1] = forged.split('.').nth(1).unwrap().to_string();
        assert_eq!(
            verify(&secret(), &parts.join(".")),
            Err(TokenError::Rejected("bad_signature"))
        );
    }

    #[test]
    fn an_expired_token_is_rejected() {
        let issued = now() - Duration::hours(2);
        let token = mint(&secret(), &subject(), issued, Duration::minutes(60)).unwrap();
        assert_eq!(
            verify(&secret(), &token),
            Err(TokenError::Rejected("expired"))
        );
    }

    #[test]
    fn a_token_for_another_audience_or_issuer_is_rejected() {
        let key = EncodingKey::from_secret(b"test-secret-test-secret-test-secret");
        let mut claims = subject().claims(now(), Duration::minutes(5));
        claims.insert("aud".into(), json!("someone-else"));
        let token = encode(&Header::new(Algorithm::HS256), &claims, &key).unwrap();
        assert_eq!(
            verify(&secret(), &token),
            Err(TokenError::Rejected("wrong_audience"))
        );

        let mut claims = subject().claims(now(), Duration::minutes(5));
        claims.insert("iss".into(), json!("https://issuer.example.com"));
        let token = encode(&Header::new(Algorithm::HS256), &claims, &key).unwrap();
        assert_eq!(
            verify(&secret(), &token),
            Err(TokenError::Rejected("wrong_issuer"))
        );

        let mut claims = subject().claims(now(), Duration::minutes(5));
        claims.remove("aud");
        let token = encode(&Header::new(Algorithm::HS256), &claims, &key).unwrap();
        assert_eq!(
            verify(&secret(), &token),
            Err(TokenError::Rejected("missing_claim"))
        );
    }

    #[test]
    fn garbage_is_rejected_not_panicked_on() {
        for token in ["", "abc", "a.b.c", "..", "Bearer x"] {
            assert!(verify(&secret(), token).is_err(), "{token:?}");
        }
    }

    #[test]
    fn bad_subjects_are_refused_before_signing() {
        let bad_tenant = TokenSubject {
            tenant: "a b".into(),
            ..subject()
        };
        assert_eq!(
            mint(&secret(), &bad_tenant, now(), Duration::minutes(5)),
            Err(TokenError::BadTenant)
        );
        let bad_role = TokenSubject {
            roles: vec!["cs m".into()],
            ..subject()
        };
        assert!(matches!(
            mint(&secret(), &bad_role, now(), Duration::minutes(5)),
            Err(TokenError::BadRole(_))
        ));
        assert_eq!(
            mint(&secret(), &subject(), now(), Duration::seconds(5)),
            Err(TokenError::BadLifetime)
        );
    }

    #[test]
    fn bearer_headers_are_parsed_leniently_in_case_only() {
        assert_eq!(bearer_token("Bearer abc.def"), Some("abc.def"));
        assert_eq!(bearer_token("bearer  abc"), Some("abc"));
        assert_eq!(bearer_token("Basic abc"), None);
        assert_eq!(bearer_token("Bearer "), None);
        assert_eq!(bearer_token("abc"), None);
    }
}
