//! Budgets of attempts that refill with time (`model::attempt_budget`), one row per budget in
//! use. Taking an attempt is one conditional upsert, so concurrent attempts from any client on
//! any node never take more than the budget holds.

use sea_orm::{ConnectionTrait, Statement, Value};

use super::raw_sql as sql;
use crate::Result;
use crate::model::attempt_budget::Budget;

/// Takes one attempt from the budget `key` at `now_ms`: `Ok(())`, or `Err(seconds)` to wait
/// when none is left.
pub async fn take(
    db: &impl ConnectionTrait,
    instance_id: &str,
    key: &str,
    budget: &Budget,
    now_ms: i64,
) -> Result<std::result::Result<(), u64>> {
    let backend = db.get_database_backend();
    let taken = db
        .query_one_raw(Statement::from_sql_and_values(
            backend,
            sql(
                backend,
                "INSERT INTO attempt_budgets (instance_id, key, full_at) VALUES ($1, $2, $3 + $4) \
                 ON CONFLICT (instance_id, key) DO UPDATE SET full_at = \
                   (CASE WHEN attempt_budgets.full_at > $3 THEN attempt_budgets.full_at ELSE $3 END) + $4 \
                 WHERE attempt_budgets.full_at <= $5 \
                 RETURNING full_at",
            ),
            [
                instance_id.into(),
                key.into(),
                Value::from(now_ms),
                Value::from(budget.refill_ms()),
                Value::from(budget.latest_full_at(now_ms)),
            ],
        ))
        .await?;
    if taken.is_some() {
        return Ok(Ok(()));
    }
    let full_at = super::number(
        db,
        "SELECT COALESCE(MAX(full_at), $3) FROM attempt_budgets \
         WHERE instance_id = $1 AND key = $2",
        vec![instance_id.into(), key.into(), Value::from(now_ms)],
    )
    .await?;
    Ok(Err(budget.retry_after(full_at, now_ms)))
}

/// Gives back an attempt taken for something that turned out not to be a wrong guess (the
/// right code, or no code checked at all).
pub async fn give_back(
    db: &impl ConnectionTrait,
    instance_id: &str,
    key: &str,
    budget: &Budget,
) -> Result<()> {
    let backend = db.get_database_backend();
    db.execute_raw(Statement::from_sql_and_values(
        backend,
        sql(
            backend,
            "UPDATE attempt_budgets SET full_at = full_at - $3 WHERE instance_id = $1 AND key = $2",
        ),
        [
            instance_id.into(),
            key.into(),
            Value::from(budget.refill_ms()),
        ],
    ))
    .await?;
    Ok(())
}

/// Deletes the budgets that are full again at `now_ms` (a missing row is a full budget).
pub async fn purge(db: &impl ConnectionTrait, now_ms: i64) -> Result<u64> {
    let backend = db.get_database_backend();
    let done = db
        .execute_raw(Statement::from_sql_and_values(
            backend,
            sql(backend, "DELETE FROM attempt_budgets WHERE full_at <= $1"),
            [Value::from(now_ms)],
        ))
        .await?;
    Ok(done.rows_affected())
}
