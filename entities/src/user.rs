//! `users`: the people of an instance. The password is an argon2id PHC string.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub instance_id: String,
    /// Lowercase; unique per instance.
    pub username: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    /// The profile image: an https URL.
    pub image_url: Option<String>,
    pub password_hash: Option<String>,
    pub primary_email_address_id: Option<String>,
    /// The primary email address, normalized (what `users` orders by).
    pub primary_email: Option<String>,
    /// The customer's own id for the user; unique per instance.
    pub external_id: Option<String>,
    /// `id emails… username first last`, lowercase: what `query` matches substrings of.
    pub search_text: String,
    /// JSON objects.
    pub public_metadata: String,
    pub private_metadata: String,
    pub unsafe_metadata: String,
    pub banned: bool,
    pub last_sign_in_at: Option<DateTimeUtc>,
    /// Failed sign-in attempts since the last success, lock or unlock.
    pub failed_sign_in_attempts: i32,
    /// Locked (after failures, or by the backend) until then.
    pub locked_until: Option<DateTimeUtc>,
    pub last_active_at: Option<DateTimeUtc>,
    /// The TOTP secret sealed under the master key (being enrolled until `totp_verified`).
    pub totp_secret: Option<String>,
    pub totp_verified: bool,
    /// The last TOTP step a code was accepted for.
    pub totp_last_step: Option<i64>,
    /// The unused backup codes' hashes, as a JSON array.
    pub backup_codes: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
