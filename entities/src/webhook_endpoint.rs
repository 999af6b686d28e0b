//! `webhook_endpoints`: where an instance's events are posted, with the signing secret sealed.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "webhook_endpoints")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub instance_id: String,
    pub url: String,
    /// The event types, a JSON array of strings (empty: every type).
    pub event_types: String,
    pub secret_sealed: String,
    /// Events numbered after this one are delivered (the last one when the endpoint was made).
    pub since_seq: i64,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
