//! The server's own secrets (hashes only) and write-once markers.

use chrono::{DateTime, Utc};
use latchkey_entities::platform_secret;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait, EntityTrait};

use crate::Result;

/// The stored hash of a platform secret, if set.
pub async fn get(db: &impl ConnectionTrait, name: &str) -> Result<Option<String>> {
    Ok(platform_secret::Entity::find_by_id(name.to_owned())
        .one(db)
        .await?
        .map(|row| row.value_hash))
}

/// Writes a platform secret once; `false` when it was already there.
pub async fn insert_once(
    db: &impl ConnectionTrait,
    name: &str,
    value_hash: &str,
    now: DateTime<Utc>,
) -> Result<bool> {
    let inserted = platform_secret::ActiveModel {
        name: Set(name.to_owned()),
        value_hash: Set(value_hash.to_owned()),
        created_at: Set(now),
    }
    .insert(db)
    .await;
    match inserted {
        Ok(_) => Ok(true),
        Err(err) if super::is_unique_violation(&err) => Ok(false),
        Err(err) => Err(err.into()),
    }
}
