//! A user as the domain hands it out: never with its password hash.

use chrono::{DateTime, Utc};

/// One of a user's email addresses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserEmailAddress {
    pub id: String,
    pub email_address: String,
    pub verified: bool,
}

/// A user of an instance.
#[derive(Clone, Debug, PartialEq)]
pub struct User {
    pub id: String,
    pub instance_id: String,
    /// The customer's own id for the user (unique per instance).
    pub external_id: Option<String>,
    pub username: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    /// The profile image (https).
    pub image_url: Option<String>,
    pub primary_email_address_id: Option<String>,
    pub email_addresses: Vec<UserEmailAddress>,
    pub password_enabled: bool,
    /// TOTP is enrolled and verified: sign-ins need a second factor.
    pub totp_enabled: bool,
    /// Unused backup codes remain.
    pub backup_code_enabled: bool,
    pub public_metadata: serde_json::Value,
    pub private_metadata: serde_json::Value,
    pub unsafe_metadata: serde_json::Value,
    pub banned: bool,
    /// Locked out of signing in until then.
    pub locked_until: Option<DateTime<Utc>>,
    pub last_sign_in_at: Option<DateTime<Utc>>,
    pub last_active_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl User {
    /// The primary email address, when the user has one.
    pub fn primary_email_address(&self) -> Option<&UserEmailAddress> {
        let id = self.primary_email_address_id.as_deref()?;
        self.email_addresses.iter().find(|e| e.id == id)
    }
}
