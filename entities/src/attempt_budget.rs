//! `attempt_budgets`: budgets of attempts that refill with time (wrong codes per email address
//! or per user's second factor, codes mailed per address), keyed by a keyed hash.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "attempt_budgets")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub instance_id: String,
    /// A keyed hash of what is counted and for what.
    #[sea_orm(primary_key, auto_increment = false)]
    pub key: String,
    /// When the budget is full again, in milliseconds since the epoch.
    pub full_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
