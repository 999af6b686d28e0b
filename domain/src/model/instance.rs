//! An instance (a tenant) and its secret keys, as the domain sees them.

use chrono::{DateTime, Utc};

use super::settings::InstanceSettings;
use crate::{Error, Result};

/// Whether an instance is for development (test keys, relaxed rules) or production.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Environment {
    Development,
    Production,
}

impl Environment {
    /// The stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Development => "development",
            Self::Production => "production",
        }
    }

    /// Reads the stored spelling.
    pub fn parse(stored: &str) -> Result<Self> {
        match stored {
            "development" => Ok(Self::Development),
            "production" => Ok(Self::Production),
            other => Err(Error::internal(format!("unknown environment {other:?}"))),
        }
    }

    /// `test` or `live`, the middle part of the instance's keys.
    pub fn key_mode(self) -> &'static str {
        match self {
            Self::Development => "test",
            Self::Production => "live",
        }
    }
}

/// A tenant: its own users, keys and settings.
#[derive(Clone, Debug)]
pub struct Instance {
    pub id: String,
    pub name: String,
    pub environment: Environment,
    pub publishable_key: String,
    pub settings: InstanceSettings,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A backend secret key, without the key itself (which is shown once and never stored).
#[derive(Clone, Debug)]
pub struct SecretKey {
    pub id: String,
    pub instance_id: String,
    pub name: String,
    /// The last four characters of the key.
    pub hint: String,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// A secret key just created: the only moment its value exists outside the caller.
#[derive(Clone, Debug)]
pub struct CreatedSecretKey {
    pub key: SecretKey,
    pub secret: String,
}

/// Checks an instance name: 1 to 256 characters once trimmed.
pub fn validate_instance_name(name: &str) -> Result<String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 256 {
        return Err(Error::validation("name", "must be 1 to 256 characters"));
    }
    Ok(name.to_owned())
}

/// Checks a secret key's name: at most 256 characters; empty becomes `default`.
pub fn validate_key_name(name: Option<&str>) -> Result<String> {
    let name = name.map(str::trim).unwrap_or_default();
    if name.chars().count() > 256 {
        return Err(Error::validation("name", "must be at most 256 characters"));
    }
    Ok(if name.is_empty() {
        "default".to_owned()
    } else {
        name.to_owned()
    })
}
