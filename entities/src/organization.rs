//! `organizations`: an instance's organizations, their slug unique per instance.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "organizations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub instance_id: String,
    pub name: String,
    pub slug: String,
    pub image_url: Option<String>,
    /// The user who created it, when a user did (or the backend named one).
    pub created_by: Option<String>,
    /// JSON objects.
    pub public_metadata: String,
    pub private_metadata: String,
    /// 0: no limit.
    pub max_allowed_memberships: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
