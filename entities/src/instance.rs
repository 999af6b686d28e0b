//! `instances`: one row per tenant.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "instances")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub name: String,
    /// `development` or `production`.
    pub environment: String,
    #[sea_orm(unique)]
    pub publishable_key: String,
    /// The instance's settings as JSON (`latchkey_domain::model::settings`).
    #[sea_orm(column_type = "Text")]
    pub settings: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::secret_key::Entity")]
    SecretKeys,
}

impl Related<super::secret_key::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::SecretKeys.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
