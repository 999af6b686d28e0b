//! Signing keys of an instance: the current one and the retired ones still published.

use chrono::{DateTime, Utc};
use latchkey_entities::signing_key;
use sea_orm::sea_query::{Condition, Expr};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder,
};

use crate::Result;
use crate::model::settings::SigningAlgorithm;

const CURRENT: &str = "current";
const RETIRED: &str = "retired";

/// A stored key; the private half still sealed.
#[derive(Clone, Debug)]
pub struct StoredKey {
    pub kid: String,
    pub algorithm: SigningAlgorithm,
    pub public_jwk: serde_json::Value,
    pub sealed_private_key: String,
    pub current: bool,
    pub created_at: DateTime<Utc>,
}

fn to_stored(row: signing_key::Model) -> Result<StoredKey> {
    Ok(StoredKey {
        algorithm: SigningAlgorithm::from_jose_name(&row.algorithm)?,
        public_jwk: serde_json::from_str(&row.public_jwk).map_err(crate::Error::internal)?,
        kid: row.id,
        sealed_private_key: row.private_key,
        current: row.status == CURRENT,
        created_at: row.created_at,
    })
}

/// Writes a new current key; false when the instance has a current key already (another node
/// made or rotated one at the same moment: one current key per instance is unique).
pub async fn insert_current(
    db: &impl ConnectionTrait,
    instance_id: &str,
    key: &StoredKey,
) -> Result<bool> {
    let inserted = signing_key::ActiveModel {
        id: Set(key.kid.clone()),
        instance_id: Set(instance_id.to_owned()),
        algorithm: Set(key.algorithm.jose_name().to_owned()),
        public_jwk: Set(key.public_jwk.to_string()),
        private_key: Set(key.sealed_private_key.clone()),
        status: Set(CURRENT.to_owned()),
        created_at: Set(key.created_at),
        retired_at: Set(None),
        publish_until: Set(None),
    }
    .insert(db)
    .await;
    match inserted {
        Ok(_) => Ok(true),
        Err(err) if super::is_unique_violation(&err) => Ok(false),
        Err(err) => Err(err.into()),
    }
}

/// Retires every current key of the instance: published until `publish_until`, then gone.
pub async fn retire_current(
    db: &impl ConnectionTrait,
    instance_id: &str,
    now: DateTime<Utc>,
    publish_until: DateTime<Utc>,
) -> Result<u64> {
    let done = signing_key::Entity::update_many()
        .col_expr(signing_key::Column::Status, Expr::value(RETIRED))
        .col_expr(signing_key::Column::RetiredAt, Expr::value(now))
        .col_expr(
            signing_key::Column::PublishUntil,
            Expr::value(publish_until),
        )
        .filter(signing_key::Column::InstanceId.eq(instance_id))
        .filter(signing_key::Column::Status.eq(CURRENT))
        .exec(db)
        .await?;
    Ok(done.rows_affected)
}

/// The keys a verifier may meet: the current one, then the retired ones still published, newest
/// first.
pub async fn published(
    db: &impl ConnectionTrait,
    instance_id: &str,
    now: DateTime<Utc>,
) -> Result<Vec<StoredKey>> {
    signing_key::Entity::find()
        .filter(signing_key::Column::InstanceId.eq(instance_id))
        .filter(
            Condition::any()
                .add(signing_key::Column::Status.eq(CURRENT))
                .add(signing_key::Column::PublishUntil.gt(now)),
        )
        // `current` sorts before `retired`: the signing key first, then the newest.
        .order_by_asc(signing_key::Column::Status)
        .order_by_desc(signing_key::Column::CreatedAt)
        .order_by_desc(signing_key::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(to_stored)
        .collect()
}

/// Deletes retired keys no token can carry any more.
pub async fn purge_unpublished(db: &impl ConnectionTrait, now: DateTime<Utc>) -> Result<u64> {
    let done = signing_key::Entity::delete_many()
        .filter(signing_key::Column::Status.eq(RETIRED))
        .filter(signing_key::Column::PublishUntil.lte(now))
        .exec(db)
        .await?;
    Ok(done.rows_affected)
}

/// The newest key of any instance, to check at start that the master key opens the keys.
pub async fn newest(db: &impl ConnectionTrait) -> Result<Option<StoredKey>> {
    signing_key::Entity::find()
        .order_by_desc(signing_key::Column::CreatedAt)
        .one(db)
        .await?
        .map(to_stored)
        .transpose()
}
