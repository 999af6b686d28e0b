//! Sign-ups. Every update names the version it was computed from and is refused when the row
//! has moved on, so two writers (two actors for one client on two nodes) never both win.

use chrono::{DateTime, Utc};
use latchkey_entities::sign_up;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder,
};

use crate::model::identifiers::EmailAddress;
use crate::model::sign_up::SignUp;
use crate::model::verification::{Verification, VerificationStatus};
use crate::{Error, Result};

fn to_model(row: sign_up::Model) -> Result<SignUp> {
    let email_address = match (row.email_address, row.email_normalized) {
        (Some(address), Some(normalized)) => Some(EmailAddress {
            address,
            normalized,
        }),
        _ => None,
    };
    Ok(SignUp {
        email_verification: Verification {
            salt: row.id.clone(),
            status: VerificationStatus::parse(&row.verification_status)?,
            attempts: u32::try_from(row.verification_attempts).unwrap_or(0),
            code_hash: row.code_hash,
            sent_at: row.code_sent_at,
            expire_at: row.code_expire_at,
        },
        id: row.id,
        client_id: row.client_id,
        completed: row.completed,
        email_address,
        username: row.username,
        first_name: row.first_name,
        last_name: row.last_name,
        password_hash: row.password_hash,
        unsafe_metadata: serde_json::from_str(&row.unsafe_metadata).map_err(Error::internal)?,
        created_user_id: row.created_user_id,
        created_session_id: row.created_session_id,
        created_at: row.created_at,
        updated_at: row.updated_at,
        version: row.version,
    })
}

fn to_row(instance_id: &str, s: &SignUp, version: i64) -> sign_up::ActiveModel {
    let v = &s.email_verification;
    sign_up::ActiveModel {
        id: Set(s.id.clone()),
        instance_id: Set(instance_id.to_owned()),
        client_id: Set(s.client_id.clone()),
        completed: Set(s.completed),
        email_address: Set(s.email_address.as_ref().map(|e| e.address.clone())),
        email_normalized: Set(s.email_address.as_ref().map(|e| e.normalized.clone())),
        username: Set(s.username.clone()),
        first_name: Set(s.first_name.clone()),
        last_name: Set(s.last_name.clone()),
        password_hash: Set(s.password_hash.clone()),
        unsafe_metadata: Set(s.unsafe_metadata.to_string()),
        verification_status: Set(v.status.as_str().to_owned()),
        verification_attempts: Set(i32::try_from(v.attempts).unwrap_or(i32::MAX)),
        code_hash: Set(v.code_hash.clone()),
        code_sent_at: Set(v.sent_at),
        code_expire_at: Set(v.expire_at),
        created_user_id: Set(s.created_user_id.clone()),
        created_session_id: Set(s.created_session_id.clone()),
        version: Set(version),
        created_at: Set(s.created_at),
        updated_at: Set(s.updated_at),
    }
}

/// Writes a new sign-up at version 0.
pub async fn insert(db: &impl ConnectionTrait, instance_id: &str, s: &SignUp) -> Result<()> {
    to_row(instance_id, s, 0).insert(db).await?;
    Ok(())
}

/// Writes `s` over the row at `s.version`, moving it to the next version. `Ok(false)` when the
/// row has moved on (or is gone): nothing is written, and the caller reloads.
pub async fn update(db: &impl ConnectionTrait, instance_id: &str, s: &SignUp) -> Result<bool> {
    let row = to_row(instance_id, s, s.version + 1);
    let result = sign_up::Entity::update_many()
        .set(row)
        .filter(sign_up::Column::Id.eq(s.id.as_str()))
        .filter(sign_up::Column::InstanceId.eq(instance_id))
        .filter(sign_up::Column::Version.eq(s.version))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// The newest sign-up of a client.
pub async fn latest_for_client(
    db: &impl ConnectionTrait,
    instance_id: &str,
    client_id: &str,
) -> Result<Option<SignUp>> {
    sign_up::Entity::find()
        .filter(sign_up::Column::InstanceId.eq(instance_id))
        .filter(sign_up::Column::ClientId.eq(client_id))
        .order_by_desc(sign_up::Column::CreatedAt)
        .order_by_desc(sign_up::Column::Id)
        .one(db)
        .await?
        .map(to_model)
        .transpose()
}

/// Deletes unfinished sign-ups last touched before `before` (abandoned ones). Returns how many.
pub async fn purge_abandoned(db: &impl ConnectionTrait, before: DateTime<Utc>) -> Result<u64> {
    let deleted = sign_up::Entity::delete_many()
        .filter(sign_up::Column::Completed.eq(false))
        .filter(sign_up::Column::UpdatedAt.lt(before))
        .exec(db)
        .await?;
    Ok(deleted.rows_affected)
}
