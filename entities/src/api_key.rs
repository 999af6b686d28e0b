//! `api_keys`: long-lived keys for a subject, stored as SHA-256 hashes.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "api_keys")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub instance_id: String,
    pub name: String,
    /// Whom the key acts for (`user_…`, or any name of a service).
    pub subject: String,
    /// The scopes, as a JSON array of strings.
    pub scopes: String,
    pub key_hash: String,
    pub key_hint: String,
    pub expires_at: Option<DateTimeUtc>,
    pub revoked_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
