//! What a template token holds: the context a template renders against, and the claims the
//! template cannot change.

use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};

use super::JwtTemplate;
use crate::model::organization::{Membership, Organization};
use crate::model::session::Session;
use crate::model::user::User;

/// The context a template renders against: the user, the session, and the session's active
/// organization with the user's membership of it (null without one).
pub fn render_context(
    user: &User,
    session: &Session,
    organization: Option<(&Organization, &Membership)>,
) -> Value {
    let primary = user.primary_email_address();
    let full_name = match (&user.first_name, &user.last_name) {
        (Some(first), Some(last)) => Some(format!("{first} {last}")),
        (Some(one), None) | (None, Some(one)) => Some(one.clone()),
        (None, None) => None,
    };
    json!({
        "user": {
            "id": user.id,
            "external_id": user.external_id,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "full_name": full_name,
            "username": user.username,
            "primary_email_address": primary.map(|e| e.email_address.clone()),
            "email_verified": primary.is_some_and(|e| e.verified),
            "image_url": user.image_url,
            "two_factor_enabled": user.totp_enabled,
            "created_at": user.created_at.timestamp(),
            "updated_at": user.updated_at.timestamp(),
            "last_sign_in_at": user.last_sign_in_at.map(|t| t.timestamp()),
            "public_metadata": user.public_metadata,
            "unsafe_metadata": user.unsafe_metadata,
        },
        "session": { "id": session.id },
        "org": organization.map(|(o, m)| json!({
            "id": o.id,
            "name": o.name,
            "slug": o.slug,
            "image_url": o.image_url,
            "role": m.role,
            "public_metadata": o.public_metadata,
        })),
        "org_membership": organization.map(|(_, m)| json!({
            "role": m.role,
            "permissions": m.permissions,
            "public_metadata": m.public_metadata,
        })),
    })
}

/// The claims of a template token: the rendered template, then the token's own claims.
pub fn template_claims(
    template: &JwtTemplate,
    rendered: Map<String, Value>,
    own: TemplateTokenFacts<'_>,
) -> Map<String, Value> {
    let now = own.now.timestamp();
    let mut claims = rendered;
    let fixed = [
        ("iss", json!(own.issuer)),
        ("sub", json!(own.user_id)),
        ("iat", json!(now)),
        (
            "nbf",
            json!(now - i64::from(template.allowed_clock_skew_seconds)),
        ),
        ("exp", json!(now + i64::from(template.lifetime_seconds))),
        ("jti", json!(own.jti)),
    ];
    for (name, value) in fixed {
        claims.insert(name.to_owned(), value);
    }
    if let Some(azp) = own.azp {
        claims.insert("azp".to_owned(), json!(azp));
    }
    claims
}

/// The claims a template cannot change.
#[derive(Clone, Copy, Debug)]
pub struct TemplateTokenFacts<'a> {
    pub issuer: &'a str,
    pub user_id: &'a str,
    pub azp: Option<&'a str>,
    pub jti: &'a str,
    pub now: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::jwt_template::{
        DEFAULT_CLOCK_SKEW_SECONDS, DEFAULT_LIFETIME_SECONDS, TemplateInput,
    };

    fn template() -> JwtTemplate {
        let t = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        JwtTemplate {
            id: "jtmp_1".into(),
            instance_id: "ins_1".into(),
            name: String::new(),
            claims: json!({}),
            lifetime_seconds: DEFAULT_LIFETIME_SECONDS,
            allowed_clock_skew_seconds: DEFAULT_CLOCK_SKEW_SECONDS,
            created_at: t,
            updated_at: t,
        }
    }

    #[test]
    fn a_template_is_checked_whole() {
        let mut t = template();
        let ok = TemplateInput {
            name: Some("hasura".into()),
            claims: Some(json!({"role": "{{user.public_metadata.role || 'user'}}"})),
            ..TemplateInput::default()
        };
        t.apply(ok).unwrap();
        for bad in [
            TemplateInput {
                name: Some("no spaces".into()),
                ..TemplateInput::default()
            },
            TemplateInput {
                claims: Some(json!({"sub": "x"})),
                ..TemplateInput::default()
            },
            TemplateInput {
                claims: Some(json!({"a": "{{user.id"})),
                ..TemplateInput::default()
            },
            TemplateInput {
                lifetime_seconds: Some(10),
                ..TemplateInput::default()
            },
            TemplateInput {
                allowed_clock_skew_seconds: Some(61),
                ..TemplateInput::default()
            },
        ] {
            assert!(template().apply(bad).is_err());
        }
    }

    #[test]
    fn the_tokens_own_claims_win_over_the_template() {
        let t = template();
        let mut rendered = Map::new();
        rendered.insert("role".into(), json!("admin"));
        let claims = template_claims(
            &t,
            rendered,
            TemplateTokenFacts {
                issuer: "https://a/i/ins_1",
                user_id: "user_1",
                azp: None,
                jti: "j",
                now: DateTime::from_timestamp(1_800_000_000, 0).unwrap(),
            },
        );
        assert_eq!(claims["role"], "admin");
        assert_eq!(claims["sub"], "user_1");
        assert_eq!(claims["nbf"], 1_800_000_000 - 5);
        assert_eq!(claims["exp"], 1_800_000_060);
        assert!(!claims.contains_key("azp"));
    }
}
