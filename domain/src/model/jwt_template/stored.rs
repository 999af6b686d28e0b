//! A JWT template as stored: its name, claims, lifetime and skew, and the checks of a change.

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::Template;
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
    pub(crate) fn apply(&mut self, input: TemplateInput) -> Result<()> {
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
