//! Session-token verification, the one set of rules for every place that checks a token
//! (`verifyToken`, the session-token caller, the verification crate).
//!
//! What the library's defaults would miss, and this module insists on:
//! - the algorithm is the key's, found by `kid`; the header's `alg` must match it, so `none`,
//!   HS/RS confusion and algorithm swaps fail;
//! - `jku`, `x5u` and `jwk` headers are ignored: keys come only from the instance's own set;
//! - `exp`, `nbf`, `iat`, `iss`, `sub` and `sid` are required and typed (a string `exp` is
//!   malformed, not "no expiry");
//! - time is checked here against a `now` passed in, with a leeway of at most 5 seconds
//!   (jsonwebtoken's default is 60, which would double a 60-second token's life).

use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode, decode_header};
use serde::{Deserialize, Serialize};

/// The largest token looked at; anything longer is malformed without parsing.
pub const MAX_TOKEN_BYTES: usize = 16 * 1024;
/// The `v` claim of a session token.
pub const SESSION_TOKEN_VERSION: u32 = 2;
/// The most clock skew ever allowed, in seconds.
pub const MAX_LEEWAY_SECONDS: u64 = 5;

/// A public key a token may be signed with.
#[derive(Clone)]
pub struct VerificationKey {
    pub kid: String,
    pub algorithm: Algorithm,
    pub key: DecodingKey,
}

impl std::fmt::Debug for VerificationKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VerificationKey")
            .field("kid", &self.kid)
            .field("algorithm", &self.algorithm)
            .finish()
    }
}

/// The claims of a session token (contract: `iss, sub, sid, iat, nbf, exp, azp, jti, v, fva`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SessionClaims {
    pub iss: String,
    pub sub: String,
    pub sid: String,
    pub iat: i64,
    pub nbf: i64,
    pub exp: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub azp: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jti: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub v: Option<u32>,
    /// Minutes since the session's first factor and its second (`-1`: none) were verified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fva: Option<[i64; 2]>,
    /// Any other claim (the organization claim `o`, template claims).
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// Why a token was refused; `reason()` is the contract's spelling.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rejection {
    Expired,
    NotActiveYet,
    InvalidSignature,
    InvalidIssuer,
    /// `azp` missing or not among the authorized parties.
    InvalidAuthorizedParty,
    /// The token is fine, but its session is not active any more.
    SessionNotActive,
    Malformed,
}

impl Rejection {
    /// The `reason` of a failed `verifyToken`.
    pub fn reason(self) -> &'static str {
        match self {
            Self::Expired => "token-expired",
            Self::NotActiveYet => "token-not-active-yet",
            Self::InvalidSignature => "token-invalid-signature",
            Self::InvalidIssuer => "token-invalid-issuer",
            Self::InvalidAuthorizedParty => "token-invalid-azp",
            Self::SessionNotActive => "session-not-active",
            Self::Malformed => "token-malformed",
        }
    }
}

/// What a verification checks against.
#[derive(Clone, Copy, Debug)]
pub struct Expectations<'a> {
    /// The instance's issuer, `{publicUrl}/i/{instanceId}`.
    pub issuer: &'a str,
    /// Allowed clock skew in seconds; more than [`MAX_LEEWAY_SECONDS`] is cut to it.
    pub leeway_seconds: u64,
    /// The current time, seconds since the epoch.
    pub now: i64,
}

/// Verifies a session token against an instance's keys.
pub fn verify(
    token: &str,
    keys: &[VerificationKey],
    expect: Expectations<'_>,
) -> Result<SessionClaims, Rejection> {
    if token.len() > MAX_TOKEN_BYTES || token.bytes().filter(|b| *b == b'.').count() != 2 {
        return Err(Rejection::Malformed);
    }
    let header = decode_header(token).map_err(|_| Rejection::Malformed)?;
    let kid = header.kid.as_deref().ok_or(Rejection::Malformed)?;
    let key = keys
        .iter()
        .find(|k| k.kid == kid)
        .ok_or(Rejection::InvalidSignature)?;
    if header.alg != key.algorithm {
        return Err(Rejection::InvalidSignature);
    }
    let mut validation = Validation::new(key.algorithm);
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.validate_aud = false;
    validation.required_spec_claims.clear();
    validation.leeway = 0;
    let claims = decode::<SessionClaims>(token, &key.key, &validation)
        .map_err(|err| match err.kind() {
            jsonwebtoken::errors::ErrorKind::InvalidSignature
            | jsonwebtoken::errors::ErrorKind::InvalidAlgorithm => Rejection::InvalidSignature,
            _ => Rejection::Malformed,
        })?
        .claims;
    check_claims(&claims, expect)?;
    Ok(claims)
}

/// The `kid` and `iss` of a token, read without checking anything: only to find which keys
/// and which instance to check it against.
pub fn peek(token: &str) -> Result<(String, String), Rejection> {
    #[derive(Deserialize)]
    struct Issuer {
        iss: String,
    }
    if token.len() > MAX_TOKEN_BYTES {
        return Err(Rejection::Malformed);
    }
    let header = decode_header(token).map_err(|_| Rejection::Malformed)?;
    let kid = header.kid.ok_or(Rejection::Malformed)?;
    let payload = token.split('.').nth(1).ok_or(Rejection::Malformed)?;
    let bytes = base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, payload)
        .map_err(|_| Rejection::Malformed)?;
    let issuer: Issuer = serde_json::from_slice(&bytes).map_err(|_| Rejection::Malformed)?;
    Ok((kid, issuer.iss))
}

/// The checks on verified claims: issuer, subject and session present, time window.
pub fn check_claims(claims: &SessionClaims, expect: Expectations<'_>) -> Result<(), Rejection> {
    // A session token says so: `v: 2`. Any other token signed with the same key (a JWT-template
    // token, say) is not accepted as a session token.
    if claims.sub.is_empty() || claims.sid.is_empty() || claims.v != Some(SESSION_TOKEN_VERSION) {
        return Err(Rejection::Malformed);
    }
    if claims.iss != expect.issuer {
        return Err(Rejection::InvalidIssuer);
    }
    let leeway = i64::try_from(expect.leeway_seconds.min(MAX_LEEWAY_SECONDS)).unwrap_or(0);
    if expect.now >= claims.exp.saturating_add(leeway) {
        return Err(Rejection::Expired);
    }
    if expect.now.saturating_add(leeway) < claims.nbf
        || expect.now.saturating_add(leeway) < claims.iat
    {
        return Err(Rejection::NotActiveYet);
    }
    Ok(())
}

#[cfg(test)]
mod tests;
