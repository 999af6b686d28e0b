//! API keys: stored as hashes, found by hash within their instance, revoked by `revoked_at`.

use chrono::{DateTime, Utc};
use latchkey_entities::api_key;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
};

use crate::model::api_key::ApiKey;
use crate::{Error, Result};

fn to_model(row: api_key::Model) -> Result<ApiKey> {
    Ok(ApiKey {
        scopes: serde_json::from_str(&row.scopes).map_err(Error::internal)?,
        id: row.id,
        instance_id: row.instance_id,
        name: row.name,
        subject: row.subject,
        hint: row.key_hint,
        expires_at: row.expires_at,
        revoked_at: row.revoked_at,
        created_at: row.created_at,
    })
}

/// Writes a new key (its hash only).
pub async fn insert(db: &impl ConnectionTrait, key: &ApiKey, key_hash: &str) -> Result<()> {
    api_key::ActiveModel {
        id: Set(key.id.clone()),
        instance_id: Set(key.instance_id.clone()),
        name: Set(key.name.clone()),
        subject: Set(key.subject.clone()),
        scopes: Set(serde_json::to_string(&key.scopes).map_err(Error::internal)?),
        key_hash: Set(key_hash.to_owned()),
        key_hint: Set(key.hint.clone()),
        expires_at: Set(key.expires_at),
        revoked_at: Set(None),
        created_at: Set(key.created_at),
    }
    .insert(db)
    .await?;
    Ok(())
}

/// The key of `instance_id` with this hash, revoked or not.
pub async fn find_by_hash(
    db: &impl ConnectionTrait,
    instance_id: &str,
    key_hash: &str,
) -> Result<Option<ApiKey>> {
    api_key::Entity::find()
        .filter(api_key::Column::InstanceId.eq(instance_id))
        .filter(api_key::Column::KeyHash.eq(key_hash))
        .one(db)
        .await?
        .map(to_model)
        .transpose()
}

/// The instance's keys, newest first (at most 1,000).
pub async fn list(db: &impl ConnectionTrait, instance_id: &str) -> Result<Vec<ApiKey>> {
    api_key::Entity::find()
        .filter(api_key::Column::InstanceId.eq(instance_id))
        .order_by_desc(api_key::Column::CreatedAt)
        .order_by_desc(api_key::Column::Id)
        .limit(1000)
        .all(db)
        .await?
        .into_iter()
        .map(to_model)
        .collect()
}

/// Revokes a key of the instance (once: a revoked key keeps its first `revoked_at`); false
/// when the instance has no such key.
pub async fn revoke(
    db: &impl ConnectionTrait,
    instance_id: &str,
    id: &str,
    now: DateTime<Utc>,
) -> Result<Option<ApiKey>> {
    api_key::Entity::update_many()
        .col_expr(api_key::Column::RevokedAt, Expr::value(now))
        .filter(api_key::Column::InstanceId.eq(instance_id))
        .filter(api_key::Column::Id.eq(id))
        .filter(api_key::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    api_key::Entity::find()
        .filter(api_key::Column::InstanceId.eq(instance_id))
        .filter(api_key::Column::Id.eq(id))
        .one(db)
        .await?
        .map(to_model)
        .transpose()
}

/// Revokes every key of the instance issued for `subject` (a user being deleted).
pub async fn revoke_for_subject(
    db: &impl ConnectionTrait,
    instance_id: &str,
    subject: &str,
    now: DateTime<Utc>,
) -> Result<u64> {
    let result = api_key::Entity::update_many()
        .col_expr(api_key::Column::RevokedAt, Expr::value(now))
        .filter(api_key::Column::InstanceId.eq(instance_id))
        .filter(api_key::Column::Subject.eq(subject))
        .filter(api_key::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(result.rows_affected)
}
