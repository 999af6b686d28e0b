//! What goes into a session token (pure: time and randomness come in as arguments).

use chrono::{DateTime, Utc};

use super::verify::{SESSION_TOKEN_VERSION, SessionClaims};
use crate::model::organization::OrganizationClaim;

/// The issuer of an instance's session tokens: `{publicUrl}/i/{instanceId}`.
pub fn issuer(public_url: &str, instance_id: &str) -> String {
    // Put together by hand: through `format!` it was the costliest part of a token's claims.
    let base = public_url.trim_end_matches('/');
    let mut issuer = String::with_capacity(base.len() + "/i/".len() + instance_id.len());
    issuer.push_str(base);
    issuer.push_str("/i/");
    issuer.push_str(instance_id);
    issuer
}

/// Everything a session token says.
#[derive(Clone, Copy, Debug)]
pub struct TokenFacts<'a> {
    pub issuer: &'a str,
    pub user_id: &'a str,
    pub session_id: &'a str,
    /// The requesting origin, when it is one the instance allows.
    pub azp: Option<&'a str>,
    pub lifetime_seconds: u32,
    pub jti: &'a str,
    /// The session's active organization (the `o` claim), when it has one.
    pub organization: Option<&'a OrganizationClaim>,
    /// The `fva` claim: minutes since the first factor and the second (`-1`: none).
    pub factor_ages: [i64; 2],
    pub now: DateTime<Utc>,
}

/// The claims of a session token: valid from `now` for its lifetime.
pub fn session_claims(facts: TokenFacts<'_>) -> SessionClaims {
    let now = facts.now.timestamp();
    SessionClaims {
        iss: facts.issuer.to_owned(),
        sub: facts.user_id.to_owned(),
        sid: facts.session_id.to_owned(),
        iat: now,
        nbf: now,
        exp: now + i64::from(facts.lifetime_seconds),
        azp: facts.azp.map(str::to_owned),
        jti: Some(facts.jti.to_owned()),
        v: Some(SESSION_TOKEN_VERSION),
        fva: Some(facts.factor_ages),
        extra: facts
            .organization
            .map(|o| serde_json::Map::from_iter([("o".to_owned(), o.to_json())]))
            .unwrap_or_default(),
    }
}

/// A new token id: 128 random bits, hex.
pub fn new_jti() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    crate::secrets::lower_hex(&bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claims_follow_the_contract() {
        let now = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let iss = issuer("https://auth.example/", "ins_1");
        assert_eq!(iss, "https://auth.example/i/ins_1");
        let claims = session_claims(TokenFacts {
            issuer: &iss,
            user_id: "user_1",
            session_id: "sess_1",
            azp: Some("https://app.example"),
            lifetime_seconds: 60,
            jti: "j1",
            organization: None,
            factor_ages: [3, -1],
            now,
        });
        let json = serde_json::to_value(&claims).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "iss": "https://auth.example/i/ins_1", "sub": "user_1", "sid": "sess_1",
                "iat": 1_800_000_000, "nbf": 1_800_000_000, "exp": 1_800_000_060,
                "azp": "https://app.example", "jti": "j1", "v": 2, "fva": [3, -1]
            })
        );
        let org = OrganizationClaim {
            id: "org_1".into(),
            slug: "acme".into(),
            role: "org:member".into(),
            permissions: vec![
                "org:sys_memberships:read".into(),
                "org:invoices:read".into(),
            ],
        };
        let with_org = session_claims(TokenFacts {
            issuer: &iss,
            user_id: "user_1",
            session_id: "sess_1",
            azp: None,
            lifetime_seconds: 60,
            jti: "j1",
            organization: Some(&org),
            factor_ages: [0, 0],
            now,
        });
        assert_eq!(
            serde_json::to_value(&with_org).unwrap()["o"],
            serde_json::json!({"id": "org_1", "slg": "acme", "rol": "member", "per": "invoices:read"})
        );
        assert_ne!(new_jti(), new_jti());
        assert_eq!(new_jti().len(), 32);
    }
}
