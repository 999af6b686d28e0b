//! The claims of a Latchkey session token, and the checks made on them once the signature holds.

use serde::{Deserialize, Deserializer, Serialize};

use crate::{MAX_LEEWAY_SECONDS, Rejection, SESSION_TOKEN_VERSION};

/// The verified claims of a session token.
///
/// Every time is in seconds since the Unix epoch. Claims other than the ones named here (those
/// a JWT template adds, say) are kept in [`Claims::extra`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Claims {
    /// The issuer, `{publicUrl}/i/{instanceId}`.
    pub iss: String,
    /// The user's id.
    pub sub: String,
    /// The session's id.
    pub sid: String,
    /// When the token was issued.
    pub iat: i64,
    /// The token is not valid before this time.
    pub nbf: i64,
    /// The token is not valid from this time on.
    pub exp: i64,
    /// The origin the token was requested from, when Latchkey knew it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub azp: Option<String>,
    /// The token's unique id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jti: Option<String>,
    /// The claims' version: always 2 for a session token.
    pub v: u32,
    /// The active organization, when there is one (the `o` claim).
    #[serde(rename = "o", default, skip_serializing_if = "Option::is_none")]
    pub org: Option<Organization>,
    /// The `fva` claim: whole minutes since the session's first factor and its second factor
    /// were last verified, the second `-1` when it never was in this session. Read it with
    /// [`Claims::first_factor_age`] and [`Claims::second_factor_age`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fva: Option<[i64; 2]>,
    /// Every other claim.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// The active organization of a session (the `o` claim: `{id, slg, rol, per}`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Organization {
    /// The organization's id.
    pub id: String,
    /// The organization's slug.
    #[serde(rename = "slg", default, skip_serializing_if = "Option::is_none")]
    pub slug: Option<String>,
    /// The user's role in it, without the `org:` prefix (`admin` for `org:admin`).
    #[serde(rename = "rol", default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// The user's custom permissions in it, without the `org:` prefix (`invoices:read`; a
    /// list, or one comma-separated string). System permissions are not carried.
    #[serde(
        rename = "per",
        default,
        deserialize_with = "permissions",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub permissions: Vec<String>,
}

fn unprefixed(key: &str) -> &str {
    key.strip_prefix("org:").unwrap_or(key)
}

impl Organization {
    /// Whether the user holds `permission` (`org:invoices:read` or `invoices:read`).
    pub fn has_permission(&self, permission: &str) -> bool {
        let wanted = unprefixed(permission);
        self.permissions.iter().any(|p| unprefixed(p) == wanted)
    }

    /// Whether the user's role is `role` (`org:admin` or `admin`).
    pub fn has_role(&self, role: &str) -> bool {
        self.role
            .as_deref()
            .is_some_and(|r| unprefixed(r) == unprefixed(role))
    }
}

impl Claims {
    /// Minutes since the session's first factor (a password, an email code) was last verified;
    /// `None` for a token without `fva`.
    pub fn first_factor_age(&self) -> Option<i64> {
        self.fva.map(|[first, _]| first)
    }

    /// Minutes since the session's second factor (TOTP, a backup code) was last verified;
    /// `None` when it never was in this session (or the token has no `fva`).
    pub fn second_factor_age(&self) -> Option<i64> {
        self.fva
            .and_then(|[_, second]| (second >= 0).then_some(second))
    }

    /// Whether the first factor, and the second when `with_second_factor`, were verified
    /// within `minutes`: a backend's own step-up check before a sensitive action.
    pub fn verified_within(&self, minutes: i64, with_second_factor: bool) -> bool {
        let first = self.first_factor_age().is_some_and(|age| age < minutes);
        let second = self.second_factor_age().is_some_and(|age| age < minutes);
        first && (second || !with_second_factor)
    }

    /// Clerk's `has()`: whether the active organization grants `role` and `permission`, each
    /// checked when given. False without an active organization or with neither given.
    pub fn has(&self, role: Option<&str>, permission: Option<&str>) -> bool {
        if role.is_none() && permission.is_none() {
            return false;
        }
        self.org.as_ref().is_some_and(|org| {
            role.is_none_or(|r| org.has_role(r)) && permission.is_none_or(|p| org.has_permission(p))
        })
    }
}

/// `per` as a list of strings, or as one comma-separated string.
fn permissions<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Permissions {
        List(Vec<String>),
        Joined(String),
    }
    Ok(match Option::<Permissions>::deserialize(deserializer)? {
        None => Vec::new(),
        Some(Permissions::List(list)) => list,
        Some(Permissions::Joined(joined)) => joined
            .split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(str::to_owned)
            .collect(),
    })
}

/// What verified claims are checked against.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Expectations<'a> {
    pub issuer: &'a str,
    pub leeway_seconds: u64,
    pub now: i64,
    pub authorized_parties: &'a [String],
}

/// The checks on claims whose signature holds: a session token (`v: 2`, subject and session
/// present), the issuer, the time window with at most [`MAX_LEEWAY_SECONDS`] of skew, and `azp`.
pub(crate) fn check(claims: &Claims, expect: Expectations<'_>) -> Result<(), Rejection> {
    if claims.sub.is_empty() || claims.sid.is_empty() || claims.v != SESSION_TOKEN_VERSION {
        return Err(Rejection::Malformed);
    }
    if claims.iss != expect.issuer {
        return Err(Rejection::InvalidIssuer);
    }
    let leeway = i64::try_from(expect.leeway_seconds.min(MAX_LEEWAY_SECONDS)).unwrap_or(0);
    if expect.now >= claims.exp.saturating_add(leeway) {
        return Err(Rejection::Expired);
    }
    let late_now = expect.now.saturating_add(leeway);
    if late_now < claims.nbf || late_now < claims.iat {
        return Err(Rejection::NotActiveYet);
    }
    if !expect.authorized_parties.is_empty()
        && !claims
            .azp
            .as_ref()
            .is_some_and(|azp| expect.authorized_parties.iter().any(|p| p == azp))
    {
        return Err(Rejection::InvalidAuthorizedParty);
    }
    Ok(())
}

/// The `iss` of a token, read without checking anything: only so that a token of another
/// issuer is refused before any key is looked up (or fetched).
pub(crate) fn peek_issuer(token: &str) -> Result<String, Rejection> {
    use base64::Engine;
    #[derive(Deserialize)]
    struct Issuer {
        iss: String,
    }
    let payload = token.split('.').nth(1).ok_or(Rejection::Malformed)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .map_err(|_| Rejection::Malformed)?;
    let issuer: Issuer = serde_json::from_slice(&bytes).map_err(|_| Rejection::Malformed)?;
    Ok(issuer.iss)
}
