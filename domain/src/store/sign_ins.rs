//! Sign-ins, versioned like sign-ups: an update names the version it was computed from.

use latchkey_entities::sign_in;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder,
};

use crate::model::sign_in::{FirstFactor, SecondFactor, SignIn};
use crate::{Error, Result};

fn json<T: serde::Serialize>(value: &Option<T>) -> Result<Option<String>> {
    value
        .as_ref()
        .map(|v| serde_json::to_string(v).map_err(Error::internal))
        .transpose()
}

fn parse<T: serde::de::DeserializeOwned>(stored: Option<String>) -> Result<Option<T>> {
    stored
        .map(|s| serde_json::from_str(&s).map_err(Error::internal))
        .transpose()
}

fn first_factor_name(f: FirstFactor) -> &'static str {
    match f {
        FirstFactor::Password => "password",
        FirstFactor::EmailCode => "email_code",
        FirstFactor::ResetPasswordEmailCode => "reset_password_email_code",
    }
}

fn second_factor_name(f: SecondFactor) -> &'static str {
    match f {
        SecondFactor::Totp => "totp",
        SecondFactor::BackupCode => "backup_code",
    }
}

fn first_factor_of(stored: &str) -> Result<FirstFactor> {
    match stored {
        "password" => Ok(FirstFactor::Password),
        "email_code" => Ok(FirstFactor::EmailCode),
        "reset_password_email_code" => Ok(FirstFactor::ResetPasswordEmailCode),
        other => Err(Error::internal(format!("unknown first factor {other:?}"))),
    }
}

fn second_factor_of(stored: &str) -> Result<SecondFactor> {
    match stored {
        "totp" => Ok(SecondFactor::Totp),
        "backup_code" => Ok(SecondFactor::BackupCode),
        other => Err(Error::internal(format!("unknown second factor {other:?}"))),
    }
}

fn to_model(row: sign_in::Model) -> Result<SignIn> {
    Ok(SignIn {
        subject: parse(row.subject)?,
        first_factor: parse(row.first_factor)?,
        first_factor_passed: row
            .first_factor_passed
            .as_deref()
            .map(first_factor_of)
            .transpose()?,
        second_factor_passed: row
            .second_factor_passed
            .as_deref()
            .map(second_factor_of)
            .transpose()?,
        id: row.id,
        client_id: row.client_id,
        identifier: row.identifier,
        new_password_set: row.new_password_set,
        created_session_id: row.created_session_id,
        created_at: row.created_at,
        updated_at: row.updated_at,
        version: row.version,
    })
}

fn to_row(instance_id: &str, s: &SignIn, version: i64) -> Result<sign_in::ActiveModel> {
    Ok(sign_in::ActiveModel {
        id: Set(s.id.clone()),
        instance_id: Set(instance_id.to_owned()),
        client_id: Set(s.client_id.clone()),
        identifier: Set(s.identifier.clone()),
        user_id: Set(s.subject.as_ref().and_then(|s| s.user_id.clone())),
        subject: Set(json(&s.subject)?),
        first_factor: Set(json(&s.first_factor)?),
        first_factor_passed: Set(s
            .first_factor_passed
            .map(|f| first_factor_name(f).to_owned())),
        second_factor_passed: Set(s
            .second_factor_passed
            .map(|f| second_factor_name(f).to_owned())),
        new_password_set: Set(s.new_password_set),
        created_session_id: Set(s.created_session_id.clone()),
        version: Set(version),
        created_at: Set(s.created_at),
        updated_at: Set(s.updated_at),
    })
}

/// Writes a new sign-in at version 0.
pub async fn insert(db: &impl ConnectionTrait, instance_id: &str, s: &SignIn) -> Result<()> {
    to_row(instance_id, s, 0)?.insert(db).await?;
    Ok(())
}

/// Writes `s` over the row at `s.version`; `Ok(false)` when the row has moved on.
pub async fn update(db: &impl ConnectionTrait, instance_id: &str, s: &SignIn) -> Result<bool> {
    let result = sign_in::Entity::update_many()
        .set(to_row(instance_id, s, s.version + 1)?)
        .filter(sign_in::Column::Id.eq(s.id.as_str()))
        .filter(sign_in::Column::InstanceId.eq(instance_id))
        .filter(sign_in::Column::Version.eq(s.version))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// The newest sign-in of a client.
pub async fn latest_for_client(
    db: &impl ConnectionTrait,
    instance_id: &str,
    client_id: &str,
) -> Result<Option<SignIn>> {
    sign_in::Entity::find()
        .filter(sign_in::Column::InstanceId.eq(instance_id))
        .filter(sign_in::Column::ClientId.eq(client_id))
        .order_by_desc(sign_in::Column::CreatedAt)
        .order_by_desc(sign_in::Column::Id)
        .one(db)
        .await?
        .map(to_model)
        .transpose()
}

/// Deletes sign-ins that never completed and were last touched before `before`. Gives how many.
pub async fn purge_abandoned(
    db: &impl ConnectionTrait,
    before: chrono::DateTime<chrono::Utc>,
) -> Result<u64> {
    let deleted = sign_in::Entity::delete_many()
        .filter(sign_in::Column::CreatedSessionId.is_null())
        .filter(sign_in::Column::UpdatedAt.lt(before))
        .exec(db)
        .await?;
    Ok(deleted.rows_affected)
}
