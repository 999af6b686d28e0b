//! Secret keys: stored as hashes, looked up by hash, revoked by setting `revoked_at`.

use chrono::{DateTime, Utc};
use latchkey_entities::{instance, secret_key};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder,
};

use crate::model::instance::{Instance, SecretKey};
use crate::{Error, Result};

fn to_model(row: secret_key::Model) -> SecretKey {
    SecretKey {
        id: row.id,
        instance_id: row.instance_id,
        name: row.name,
        hint: row.key_hint,
        created_at: row.created_at,
        revoked_at: row.revoked_at,
    }
}

/// Writes a new key (its hash only).
pub async fn insert(db: &impl ConnectionTrait, key: &SecretKey, key_hash: &str) -> Result<()> {
    secret_key::ActiveModel {
        id: Set(key.id.clone()),
        instance_id: Set(key.instance_id.clone()),
        name: Set(key.name.clone()),
        key_hash: Set(key_hash.to_owned()),
        key_hint: Set(key.hint.clone()),
        created_at: Set(key.created_at),
        revoked_at: Set(None),
    }
    .insert(db)
    .await?;
    Ok(())
}

/// The unrevoked key with this hash and its instance, in one query.
pub async fn find_active_by_hash(
    db: &impl ConnectionTrait,
    key_hash: &str,
) -> Result<Option<(SecretKey, Instance)>> {
    let found = secret_key::Entity::find()
        .filter(secret_key::Column::KeyHash.eq(key_hash))
        .filter(secret_key::Column::RevokedAt.is_null())
        .find_also_related(instance::Entity)
        .one(db)
        .await?;
    Ok(match found {
        Some((key, Some(instance))) => Some((to_model(key), super::instances::to_model(instance)?)),
        _ => None,
    })
}

/// The keys of one instance, oldest first.
pub async fn list(db: &impl ConnectionTrait, instance_id: &str) -> Result<Vec<SecretKey>> {
    Ok(secret_key::Entity::find()
        .filter(secret_key::Column::InstanceId.eq(instance_id))
        .order_by_asc(secret_key::Column::CreatedAt)
        .order_by_asc(secret_key::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(to_model)
        .collect())
}

/// The instance a key belongs to, looked up across instances (platform admin only).
pub async fn instance_of(db: &impl ConnectionTrait, key_id: &str) -> Result<String> {
    secret_key::Entity::find_by_id(key_id.to_owned())
        .one(db)
        .await?
        .map(|row| row.instance_id)
        .ok_or(Error::NotFound("secret key"))
}

/// Revokes a key of `instance_id` (idempotent: a revoked key keeps its first revocation time).
pub async fn revoke(
    db: &impl ConnectionTrait,
    instance_id: &str,
    key_id: &str,
    now: DateTime<Utc>,
) -> Result<SecretKey> {
    let row = secret_key::Entity::find_by_id(key_id.to_owned())
        .filter(secret_key::Column::InstanceId.eq(instance_id))
        .one(db)
        .await?
        .ok_or(Error::NotFound("secret key"))?;
    if row.revoked_at.is_some() {
        return Ok(to_model(row));
    }
    let mut active: secret_key::ActiveModel = row.into();
    active.revoked_at = Set(Some(now));
    Ok(to_model(active.update(db).await?))
}
