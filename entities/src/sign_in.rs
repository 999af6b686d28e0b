//! `sign_ins`: a sign-in in progress or finished. The subject (what the sign-in shows of the
//! user, possibly made up) and the first factor in progress are JSON; `version` guards updates.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sign_ins")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub instance_id: String,
    pub client_id: String,
    pub identifier: Option<String>,
    pub user_id: Option<String>,
    pub subject: Option<String>,
    /// The first factor in progress, with its code's hash (never the code).
    pub first_factor: Option<String>,
    pub first_factor_passed: Option<String>,
    pub second_factor_passed: Option<String>,
    pub new_password_set: bool,
    pub created_session_id: Option<String>,
    pub version: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
