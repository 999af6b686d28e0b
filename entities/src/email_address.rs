//! `email_addresses`: a user's addresses, unique per instance by their normalized form.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "email_addresses")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub instance_id: String,
    pub user_id: String,
    /// As the user typed it (trimmed).
    pub email_address: String,
    /// Lowercase: what uniqueness is checked on.
    pub normalized: String,
    pub verified: bool,
    /// The code verification under way (a `model::verification::Verification` as JSON).
    pub verification: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
