//! `sessions`: a signed-in user on one client.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sessions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub instance_id: String,
    pub client_id: String,
    pub user_id: String,
    pub status: String,
    pub last_active_at: DateTimeUtc,
    pub expire_at: DateTimeUtc,
    pub abandon_at: DateTimeUtc,
    pub last_active_organization_id: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// When the first factor was last verified (null only on rows the migration has not seen).
    pub first_factor_verified_at: Option<DateTimeUtc>,
    /// When the second factor was last verified, if ever in this session.
    pub second_factor_verified_at: Option<DateTimeUtc>,
    /// The email-code verification of a reverification in progress (JSON).
    pub reverification: Option<String>,
    /// The browser, device and IP address the session was used from (JSON).
    pub latest_activity: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
