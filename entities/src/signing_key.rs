//! `signing_keys`: an instance's session-token key pairs; the private key encrypted at rest.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "signing_keys")]
pub struct Model {
    /// The key id (`kid`).
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub instance_id: String,
    pub algorithm: String,
    /// The public key as a JWK (JSON).
    pub public_jwk: String,
    /// The PKCS#8 private key sealed under the master key (base64 of nonce and ciphertext).
    pub private_key: String,
    /// `current` or `retired`.
    pub status: String,
    pub created_at: DateTimeUtc,
    pub retired_at: Option<DateTimeUtc>,
    /// A retired key stays published until then.
    pub publish_until: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
