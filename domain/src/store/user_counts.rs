//! How many users an instance has: its row of `user_counts` (migration 13), changed in the
//! transaction that inserts or deletes a user, just before that transaction appends its events
//! (so every such transaction takes the count's row, then the instance's event sequence, in
//! that order, after any organization it locks).

use sea_orm::{ConnectionTrait, Statement};

use super::raw_sql;
use crate::Result;

/// Adds `delta` (a user inserted: 1; deleted: -1) to the instance's count.
pub(crate) async fn add(db: &impl ConnectionTrait, instance_id: &str, delta: i64) -> Result<()> {
    let backend = db.get_database_backend();
    db.execute_raw(Statement::from_sql_and_values(
        backend,
        raw_sql(
            backend,
            "INSERT INTO user_counts (instance_id, users) VALUES ($1, $2) \
             ON CONFLICT (instance_id) DO UPDATE SET users = user_counts.users + excluded.users",
        ),
        [instance_id.into(), delta.into()],
    ))
    .await?;
    Ok(())
}

/// How many users the instance has.
pub(crate) async fn total(db: &impl ConnectionTrait, instance_id: &str) -> Result<u64> {
    let users = super::number(
        db,
        "SELECT COALESCE((SELECT users FROM user_counts WHERE instance_id = $1), 0)",
        vec![instance_id.into()],
    )
    .await?;
    Ok(u64::try_from(users).unwrap_or(0))
}
