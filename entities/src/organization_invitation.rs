//! `organization_invitations`: an email address invited into an organization with a role.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "organization_invitations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub instance_id: String,
    pub organization_id: String,
    /// As given (trimmed).
    pub email_address: String,
    /// Lowercase: what a user's verified address is matched on.
    pub normalized: String,
    pub role: String,
    /// `pending`, `accepted` or `revoked` (expiry is read from `expires_at`).
    pub status: String,
    pub inviter_user_id: Option<String>,
    pub expires_at: DateTimeUtc,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
