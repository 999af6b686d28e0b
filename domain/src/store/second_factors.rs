//! Users' second factors: the TOTP secret (sealed), its last step used, the backup codes'
//! hashes. Every change is conditional on the state it was computed from, so two requests at
//! once cannot both use one code.

use chrono::{DateTime, Utc};
use latchkey_entities::user;
use sea_orm::sea_query::{Condition, Expr};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use crate::{Error, Result};

/// A user's second factors as stored (its `Debug` leaves out the sealed secret and the hashes).
#[derive(Clone, Default)]
pub struct SecondFactors {
    pub sealed_secret: Option<String>,
    pub verified: bool,
    pub last_step: Option<u64>,
    /// The backup codes' hashes, and the stored text they came from (for a conditional write).
    pub backup_codes: Vec<String>,
    pub backup_codes_stored: Option<String>,
}

impl std::fmt::Debug for SecondFactors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecondFactors")
            .field("verified", &self.verified)
            .field("last_step", &self.last_step)
            .field("backup_codes", &self.backup_codes.len())
            .finish_non_exhaustive()
    }
}

/// The second factors of a user of the instance.
pub async fn get(
    db: &impl ConnectionTrait,
    instance_id: &str,
    user_id: &str,
) -> Result<Option<SecondFactors>> {
    let Some(row) = user::Entity::find_by_id(user_id.to_owned())
        .filter(user::Column::InstanceId.eq(instance_id))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let backup_codes = match row.backup_codes.as_deref() {
        Some(text) => serde_json::from_str(text).map_err(Error::internal)?,
        None => Vec::new(),
    };
    Ok(Some(SecondFactors {
        sealed_secret: row.totp_secret,
        verified: row.totp_verified,
        last_step: row.totp_last_step.and_then(|s| u64::try_from(s).ok()),
        backup_codes,
        backup_codes_stored: row.backup_codes,
    }))
}

fn user_filter(instance_id: &str, user_id: &str) -> Condition {
    Condition::all()
        .add(user::Column::Id.eq(user_id))
        .add(user::Column::InstanceId.eq(instance_id))
}

async fn update(
    db: &impl ConnectionTrait,
    condition: Condition,
    changes: Vec<(user::Column, sea_orm::sea_query::SimpleExpr)>,
    now: DateTime<Utc>,
) -> Result<bool> {
    let mut query = user::Entity::update_many().col_expr(user::Column::UpdatedAt, Expr::value(now));
    for (column, value) in changes {
        query = query.col_expr(column, value);
    }
    Ok(query.filter(condition).exec(db).await?.rows_affected == 1)
}

/// Starts (or restarts) TOTP enrolment with a new sealed secret; false when TOTP is on.
pub async fn set_pending(
    db: &impl ConnectionTrait,
    instance_id: &str,
    user_id: &str,
    sealed: &str,
    now: DateTime<Utc>,
) -> Result<bool> {
    let condition = user_filter(instance_id, user_id).add(user::Column::TotpVerified.eq(false));
    let changes = vec![
        (user::Column::TotpSecret, Expr::value(sealed.to_owned())),
        (user::Column::TotpLastStep, Expr::value(Option::<i64>::None)),
    ];
    update(db, condition, changes, now).await
}

/// Turns TOTP on for the pending secret `sealed`, with the step just used and the backup codes;
/// false when the enrolment changed meanwhile.
pub async fn enable(
    db: &impl ConnectionTrait,
    instance_id: &str,
    user_id: &str,
    sealed: &str,
    step: u64,
    backup_hashes: &[String],
    now: DateTime<Utc>,
) -> Result<bool> {
    let condition = user_filter(instance_id, user_id)
        .add(user::Column::TotpVerified.eq(false))
        .add(user::Column::TotpSecret.eq(sealed));
    let changes = vec![
        (user::Column::TotpVerified, Expr::value(true)),
        (
            user::Column::TotpLastStep,
            Expr::value(i64::try_from(step).map_err(Error::internal)?),
        ),
        (
            user::Column::BackupCodes,
            Expr::value(serde_json::to_string(backup_hashes).map_err(Error::internal)?),
        ),
    ];
    update(db, condition, changes, now).await
}

/// Turns TOTP off and drops the backup codes.
pub async fn disable(
    db: &impl ConnectionTrait,
    instance_id: &str,
    user_id: &str,
    now: DateTime<Utc>,
) -> Result<bool> {
    let changes = vec![
        (
            user::Column::TotpSecret,
            Expr::value(Option::<String>::None),
        ),
        (user::Column::TotpVerified, Expr::value(false)),
        (user::Column::TotpLastStep, Expr::value(Option::<i64>::None)),
        (
            user::Column::BackupCodes,
            Expr::value(Option::<String>::None),
        ),
    ];
    update(db, user_filter(instance_id, user_id), changes, now).await
}

/// Replaces the backup codes; false when TOTP is off.
pub async fn set_backup_codes(
    db: &impl ConnectionTrait,
    instance_id: &str,
    user_id: &str,
    backup_hashes: &[String],
    now: DateTime<Utc>,
) -> Result<bool> {
    let condition = user_filter(instance_id, user_id).add(user::Column::TotpVerified.eq(true));
    let changes = vec![(
        user::Column::BackupCodes,
        Expr::value(serde_json::to_string(backup_hashes).map_err(Error::internal)?),
    )];
    update(db, condition, changes, now).await
}

/// Records that a TOTP code of `step` was used; false when that step (or a later one) was used
/// already, by this request's twin or anyone.
pub async fn use_step(
    db: &impl ConnectionTrait,
    instance_id: &str,
    user_id: &str,
    step: u64,
    now: DateTime<Utc>,
) -> Result<bool> {
    let step = i64::try_from(step).map_err(Error::internal)?;
    let condition = user_filter(instance_id, user_id)
        .add(user::Column::TotpVerified.eq(true))
        .add(
            Condition::any()
                .add(user::Column::TotpLastStep.is_null())
                .add(user::Column::TotpLastStep.lt(step)),
        );
    update(
        db,
        condition,
        vec![(user::Column::TotpLastStep, Expr::value(step))],
        now,
    )
    .await
}

/// Replaces the backup codes `stored` with `remaining` (one code used); false when they changed
/// meanwhile (the code was used by another request).
pub async fn use_backup_code(
    db: &impl ConnectionTrait,
    instance_id: &str,
    user_id: &str,
    stored: &str,
    remaining: &[String],
    now: DateTime<Utc>,
) -> Result<bool> {
    let condition = user_filter(instance_id, user_id).add(user::Column::BackupCodes.eq(stored));
    let changes = vec![(
        user::Column::BackupCodes,
        Expr::value(serde_json::to_string(remaining).map_err(Error::internal)?),
    )];
    update(db, condition, changes, now).await
}
