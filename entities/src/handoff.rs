//! `handoffs`: one-time codes that carry a browser's client from the Account Portal to a
//! development app on another site; the code is stored as its SHA-256, the client token sealed.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "handoffs")]
pub struct Model {
    /// Hex SHA-256 of the code; the code itself is never stored.
    #[sea_orm(primary_key, auto_increment = false)]
    pub code_hash: String,
    pub instance_id: String,
    pub client_id: String,
    /// The client token, sealed under the master key.
    pub client_token_sealed: String,
    /// The origin the code was made for: only a request from it may redeem the code.
    pub origin: String,
    pub expires_at: DateTimeUtc,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
