//! Failed sign-in attempts against identifiers no user has, counted like a user's (reserved
//! before the factor is checked, locked at the maximum), so that a lockout, and the work a
//! failure costs, are the same whether the identifier exists or not. Keys are keyed hashes of
//! the identifier: the identifiers themselves are not stored.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement, TransactionTrait, Value};

use crate::model::settings::LockoutSettings;
use crate::{Error, Result};

use super::raw_sql as sql;

/// Reserves one attempt against `key` (see `users::reserve_attempt`): the count including this
/// attempt, or `None` when none is left.
pub async fn reserve_attempt(
    db: &DatabaseConnection,
    instance_id: &str,
    key: &str,
    now: DateTime<Utc>,
    settings: &LockoutSettings,
) -> Result<Option<u32>> {
    let backend = db.get_database_backend();
    let txn = db.begin().await?;
    txn.execute_raw(Statement::from_sql_and_values(
        backend,
        sql(
            backend,
            "UPDATE sign_in_failures SET failed_attempts = 0, locked_until = NULL \
             WHERE instance_id = $1 AND key = $2 AND locked_until <= $3",
        ),
        [instance_id.into(), key.into(), now.into()],
    ))
    .await?;
    let max = i32::try_from(settings.max_attempts).unwrap_or(i32::MAX);
    let row = txn
        .query_one_raw(Statement::from_sql_and_values(
            backend,
            sql(
                backend,
                "INSERT INTO sign_in_failures (instance_id, key, failed_attempts, locked_until, updated_at) \
                 VALUES ($1, $2, 1, NULL, $3) \
                 ON CONFLICT (instance_id, key) DO UPDATE SET \
                   failed_attempts = sign_in_failures.failed_attempts + 1, updated_at = excluded.updated_at \
                 WHERE sign_in_failures.locked_until IS NULL AND sign_in_failures.failed_attempts < $4 \
                 RETURNING failed_attempts",
            ),
            [instance_id.into(), key.into(), now.into(), Value::from(max)],
        ))
        .await?;
    txn.commit().await?;
    row.map(|row| {
        row.try_get_by_index::<i32>(0)
            .map(|n| u32::try_from(n).unwrap_or(0))
            .map_err(Error::internal)
    })
    .transpose()
}

/// Locks `key` until `until` (a failure reached the maximum).
pub async fn lock(
    db: &impl ConnectionTrait,
    instance_id: &str,
    key: &str,
    until: DateTime<Utc>,
) -> Result<()> {
    let backend = db.get_database_backend();
    db.execute_raw(Statement::from_sql_and_values(
        backend,
        sql(
            backend,
            "UPDATE sign_in_failures SET locked_until = $3 \
             WHERE instance_id = $1 AND key = $2 AND locked_until IS NULL",
        ),
        [instance_id.into(), key.into(), until.into()],
    ))
    .await?;
    Ok(())
}

/// When `key` is locked until, if it is.
pub async fn locked_until(
    db: &impl ConnectionTrait,
    instance_id: &str,
    key: &str,
) -> Result<Option<DateTime<Utc>>> {
    let backend = db.get_database_backend();
    let row = db
        .query_one_raw(Statement::from_sql_and_values(
            backend,
            sql(
                backend,
                "SELECT locked_until FROM sign_in_failures WHERE instance_id = $1 AND key = $2",
            ),
            [instance_id.into(), key.into()],
        ))
        .await?;
    Ok(match row {
        Some(row) => row
            .try_get_by_index::<Option<DateTime<Utc>>>(0)
            .map_err(Error::internal)?,
        None => None,
    })
}

/// Deletes counts untouched since `before` that hold no lock at `now`.
pub async fn purge(
    db: &impl ConnectionTrait,
    before: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<u64> {
    let backend = db.get_database_backend();
    let done = db
        .execute_raw(Statement::from_sql_and_values(
            backend,
            sql(
                backend,
                "DELETE FROM sign_in_failures WHERE updated_at < $1 \
                 AND (locked_until IS NULL OR locked_until <= $2)",
            ),
            [before.into(), now.into()],
        ))
        .await?;
    Ok(done.rows_affected())
}
