//! JWT templates, as the backend manages them (`jwtTemplates`, `createJwtTemplate`,
//! `updateJwtTemplate`, `deleteJwtTemplate`), and what a template token holds.

use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};

use crate::ids::{IdKind, new_id};
use crate::model::caller::Caller;
use crate::model::jwt_template::Template;
use crate::model::organization::{Membership, Organization};
use crate::model::session::Session;
use crate::model::user::User;
use crate::platform::Platform;
use crate::store;
use crate::{Error, Result};

/// A template's lifetime when none is given, in seconds.
pub const DEFAULT_LIFETIME_SECONDS: u32 = 60;
/// A template's clock skew when none is given, in seconds.
pub const DEFAULT_CLOCK_SKEW_SECONDS: u32 = 5;
/// The longest a template token may live: a day.
pub const MAX_LIFETIME_SECONDS: u32 = 86_400;

/// A stored template.
#[derive(Clone, Debug, PartialEq)]
pub struct JwtTemplate {
    pub id: String,
    pub instance_id: String,
    pub name: String,
    /// The claims with their shortcodes.
    pub claims: Value,
    pub lifetime_seconds: u32,
    /// How far `nbf` lies before `iat`, for verifiers whose clocks run behind.
    pub allowed_clock_skew_seconds: u32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// What a create or an update sets; `None` keeps the current value (or the default).
#[derive(Clone, Debug, Default)]
pub struct TemplateInput {
    pub name: Option<String>,
    pub claims: Option<Value>,
    pub lifetime_seconds: Option<u32>,
    pub allowed_clock_skew_seconds: Option<u32>,
}

fn check_name(name: &str) -> Result<()> {
    let valid = !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if valid {
        Ok(())
    } else {
        Err(Error::validation(
            "name",
            "1 to 64 letters, digits, '-' or '_'",
        ))
    }
}

impl JwtTemplate {
    /// Applies `input` and checks the whole template: name, claims (parsed), lifetime, skew.
    fn apply(&mut self, input: TemplateInput) -> Result<()> {
        if let Some(name) = input.name {
            self.name = name;
        }
        if let Some(claims) = input.claims {
            self.claims = claims;
        }
        if let Some(lifetime) = input.lifetime_seconds {
            self.lifetime_seconds = lifetime;
        }
        if let Some(skew) = input.allowed_clock_skew_seconds {
            self.allowed_clock_skew_seconds = skew;
        }
        check_name(&self.name)?;
        Template::parse(&self.claims)?;
        if !(30..=MAX_LIFETIME_SECONDS).contains(&self.lifetime_seconds) {
            return Err(Error::validation(
                "lifetime",
                format!("from 30 to {MAX_LIFETIME_SECONDS} seconds"),
            ));
        }
        if self.allowed_clock_skew_seconds > 60 {
            return Err(Error::validation(
                "allowedClockSkew",
                "from 0 to 60 seconds",
            ));
        }
        Ok(())
    }
}

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
            "image_url": null,
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

impl Platform {
    /// The instance's templates, by name.
    pub async fn jwt_templates(&self, caller: &Caller) -> Result<Vec<JwtTemplate>> {
        let instance = caller.require_backend()?;
        store::jwt_templates::list(&self.db, &instance.id).await
    }

    /// Creates a template; its claims are parsed now, so a bad shortcode is refused here.
    pub async fn create_jwt_template(
        &self,
        caller: &Caller,
        input: TemplateInput,
    ) -> Result<JwtTemplate> {
        let instance = caller.require_backend()?;
        let now = self.now();
        let mut template = JwtTemplate {
            id: new_id(IdKind::JwtTemplate),
            instance_id: instance.id.clone(),
            name: String::new(),
            claims: json!({}),
            lifetime_seconds: DEFAULT_LIFETIME_SECONDS,
            allowed_clock_skew_seconds: DEFAULT_CLOCK_SKEW_SECONDS,
            created_at: now,
            updated_at: now,
        };
        template.apply(input)?;
        store::jwt_templates::insert(&self.db, &template).await?;
        Ok(template)
    }

    /// Changes a template; what is not given stays.
    pub async fn update_jwt_template(
        &self,
        caller: &Caller,
        id: &str,
        input: TemplateInput,
    ) -> Result<JwtTemplate> {
        let instance = caller.require_backend()?;
        let mut template = store::jwt_templates::find(&self.db, &instance.id, id)
            .await?
            .ok_or(Error::NotFound("JWT template"))?;
        template.apply(input)?;
        template.updated_at = self.now().max(template.updated_at);
        store::jwt_templates::update(&self.db, &template).await?;
        Ok(template)
    }

    /// Deletes a template; gives it as it was.
    pub async fn delete_jwt_template(&self, caller: &Caller, id: &str) -> Result<JwtTemplate> {
        let instance = caller.require_backend()?;
        let template = store::jwt_templates::find(&self.db, &instance.id, id)
            .await?
            .ok_or(Error::NotFound("JWT template"))?;
        if !store::jwt_templates::delete(&self.db, &instance.id, id).await? {
            return Err(Error::NotFound("JWT template"));
        }
        Ok(template)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
