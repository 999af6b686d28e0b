//! Email addresses a signed-in user adds, verifies, makes primary and deletes. Only a verified
//! address is unique per instance; an address's code verification is kept as JSON on its row
//! and changed by compare-and-set, so two attempts at once are both counted.

use chrono::{DateTime, Utc};
use latchkey_entities::email_address;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait,
    QueryFilter,
};

use crate::model::verification::Verification;
use crate::{Error, Result};

/// One of a user's email addresses as stored.
#[derive(Clone, Debug)]
pub struct StoredAddress {
    pub id: String,
    pub email_address: String,
    pub verified: bool,
    /// The code verification under way, and its stored text (for the compare-and-set).
    pub verification: Verification,
    pub stored_verification: Option<String>,
}

/// Adds an unverified address to a user (`IDENTIFIER_EXISTS` when the user has it already).
pub async fn add(
    db: &impl ConnectionTrait,
    instance_id: &str,
    user_id: &str,
    id: &str,
    address: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    email_address::ActiveModel {
        id: Set(id.to_owned()),
        instance_id: Set(instance_id.to_owned()),
        user_id: Set(user_id.to_owned()),
        email_address: Set(address.to_owned()),
        normalized: Set(address.to_ascii_lowercase()),
        verified: Set(false),
        verification: Set(None),
        created_at: Set(now),
    }
    .insert(db)
    .await
    .map_err(super::users::taken("emailAddress"))?;
    Ok(())
}

/// How many addresses a user has.
pub async fn count(db: &impl ConnectionTrait, instance_id: &str, user_id: &str) -> Result<u64> {
    Ok(email_address::Entity::find()
        .filter(email_address::Column::InstanceId.eq(instance_id))
        .filter(email_address::Column::UserId.eq(user_id))
        .count(db)
        .await?)
}

/// One of the user's addresses.
pub async fn get(
    db: &impl ConnectionTrait,
    instance_id: &str,
    user_id: &str,
    id: &str,
) -> Result<Option<StoredAddress>> {
    let Some(row) = email_address::Entity::find_by_id(id.to_owned())
        .filter(email_address::Column::InstanceId.eq(instance_id))
        .filter(email_address::Column::UserId.eq(user_id))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let verification = match row.verification.as_deref() {
        Some(json) => serde_json::from_str(json).map_err(Error::internal)?,
        None => Verification::new(row.id.clone()),
    };
    Ok(Some(StoredAddress {
        id: row.id,
        email_address: row.email_address,
        verified: row.verified,
        verification,
        stored_verification: row.verification,
    }))
}

/// Writes an address's verification while it is still as read; marks the address verified
/// when the verification says so (`IDENTIFIER_EXISTS` when another user verified it first).
/// False when it changed meanwhile.
pub async fn save_verification(
    db: &impl ConnectionTrait,
    instance_id: &str,
    address: &StoredAddress,
    next: &Verification,
) -> Result<bool> {
    let json = serde_json::to_string(next).map_err(Error::internal)?;
    let verified = next.status == crate::model::verification::VerificationStatus::Verified;
    let mut update = email_address::Entity::update_many()
        .col_expr(email_address::Column::Verification, Expr::value(json))
        .col_expr(email_address::Column::Verified, Expr::value(verified))
        .filter(email_address::Column::Id.eq(address.id.as_str()))
        .filter(email_address::Column::InstanceId.eq(instance_id))
        .filter(email_address::Column::Verified.eq(false));
    update = match &address.stored_verification {
        Some(stored) => update.filter(email_address::Column::Verification.eq(stored.as_str())),
        None => update.filter(email_address::Column::Verification.is_null()),
    };
    let result = update
        .exec(db)
        .await
        .map_err(super::users::taken("emailAddress"))?;
    Ok(result.rows_affected == 1)
}

/// Deletes one of the user's addresses; false when there is none.
pub async fn delete(
    db: &impl ConnectionTrait,
    instance_id: &str,
    user_id: &str,
    id: &str,
) -> Result<bool> {
    let result = email_address::Entity::delete_many()
        .filter(email_address::Column::Id.eq(id))
        .filter(email_address::Column::InstanceId.eq(instance_id))
        .filter(email_address::Column::UserId.eq(user_id))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}
