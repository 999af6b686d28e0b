//! Handoff codes (see `crate::handoffs`): kept as the code's hash, taken once.

use chrono::{DateTime, Utc};
use latchkey_entities::handoff;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use crate::Result;

/// A handoff as stored.
pub type Handoff = handoff::Model;

/// Stores a new handoff.
pub async fn insert(db: &impl ConnectionTrait, handoff: Handoff) -> Result<()> {
    handoff::Entity::insert(handoff::ActiveModel {
        code_hash: Set(handoff.code_hash),
        instance_id: Set(handoff.instance_id),
        client_id: Set(handoff.client_id),
        client_token_sealed: Set(handoff.client_token_sealed),
        origin: Set(handoff.origin),
        expires_at: Set(handoff.expires_at),
        created_at: Set(handoff.created_at),
    })
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// Takes the instance's handoff whose code hashes to `code_hash`: read and deleted, so that of
/// two requests with one code only the one whose delete removed the row gets it. Expired or
/// unknown: `None`.
pub async fn take(
    db: &impl ConnectionTrait,
    instance_id: &str,
    code_hash: &str,
    now: DateTime<Utc>,
) -> Result<Option<Handoff>> {
    let Some(found) = handoff::Entity::find_by_id(code_hash.to_owned())
        .filter(handoff::Column::InstanceId.eq(instance_id))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let deleted = handoff::Entity::delete_many()
        .filter(handoff::Column::CodeHash.eq(code_hash))
        .filter(handoff::Column::InstanceId.eq(instance_id))
        .exec(db)
        .await?;
    Ok((deleted.rows_affected == 1 && found.expires_at > now).then_some(found))
}

/// Deletes the handoffs that expired before `now`; how many.
pub async fn purge(db: &impl ConnectionTrait, now: DateTime<Utc>) -> Result<u64> {
    let deleted = handoff::Entity::delete_many()
        .filter(handoff::Column::ExpiresAt.lt(now))
        .exec(db)
        .await?;
    Ok(deleted.rows_affected)
}
