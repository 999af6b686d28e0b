//! `sign_ups`: a sign-up in progress or finished, with its email-code verification. `version`
//! guards every update, so two writers can never both apply a change computed from one state.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sign_ups")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub instance_id: String,
    pub client_id: String,
    pub completed: bool,
    pub email_address: Option<String>,
    pub email_normalized: Option<String>,
    pub username: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    /// Argon2id PHC string, until the sign-up completes.
    pub password_hash: Option<String>,
    pub unsafe_metadata: String,
    pub verification_status: String,
    pub verification_attempts: i32,
    /// Salted SHA-256 of the current code.
    pub code_hash: Option<String>,
    pub code_sent_at: Option<DateTimeUtc>,
    pub code_expire_at: Option<DateTimeUtc>,
    pub created_user_id: Option<String>,
    pub created_session_id: Option<String>,
    pub version: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
