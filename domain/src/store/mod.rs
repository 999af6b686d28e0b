//! sea-orm queries and transactions. Every function that touches tenant data takes the instance
//! it works in; entity rows are mapped to `model` types here and never leave this module.

pub mod activity;
pub mod api_keys;
pub mod attempt_budgets;
pub mod clients;
pub mod email_addresses;
pub mod events;
pub mod handoffs;
pub mod instances;
pub mod invitations;
pub mod jwt_templates;
pub mod mail_outbox;
pub mod memberships;
pub mod organizations;
pub mod platform;
pub mod roles;
pub mod second_factors;
pub mod secret_keys;
pub mod session_factors;
pub mod sessions;
pub mod sign_in_failures;
pub mod sign_ins;
pub mod sign_ups;
pub mod signing_keys;
pub mod user_changes;
pub(crate) mod user_counts;
mod user_paths;
pub mod user_search;
pub mod users;
pub mod webhooks;

use std::time::Duration;

use latchkey_migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbErr, SqlErr};

use crate::{Error, Result};

/// The connection pool.
pub type Db = DatabaseConnection;

/// The database a URL names, for logs: the engine and no credentials.
pub fn describe(url: &str) -> &'static str {
    if is_postgres(url) {
        "PostgreSQL"
    } else {
        "SQLite"
    }
}

fn is_postgres(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

/// Opens the pool: SQLite (WAL, foreign keys on, a busy timeout; the file is created when
/// missing) or PostgreSQL. No statement waits longer than `statement_timeout` (for a lock or for
/// itself): set it below the request budget, so an operation past its budget is over in the
/// database too, not finished later behind the caller's back.
pub async fn connect(url: &str, statement_timeout: Duration) -> Result<Db> {
    if !is_postgres(url) && !url.starts_with("sqlite:") {
        return Err(Error::validation(
            "DATABASE_URL",
            "must be a postgres://, postgresql:// or sqlite: URL",
        ));
    }
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .sqlx_logging(false)
        .connect_timeout(Duration::from_secs(10))
        .acquire_timeout(Duration::from_secs(10));
    let timeout_ms = statement_timeout.as_millis().max(1).to_string();
    if is_postgres(url) {
        options
            .max_connections(20)
            .min_connections(1)
            .map_sqlx_postgres_opts(move |opts| {
                opts.options([
                    ("statement_timeout", timeout_ms.as_str()),
                    ("lock_timeout", timeout_ms.as_str()),
                ])
            });
    } else {
        options
            .max_connections(8)
            .min_connections(1)
            .map_sqlx_sqlite_opts(move |opts| {
                opts.create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .foreign_keys(true)
                    .busy_timeout(statement_timeout)
            });
    }
    let mut db = Database::connect(options).await.map_err(Error::internal)?;
    db.set_metric_callback(|_| {
        STATEMENTS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    });
    Ok(db)
}

static STATEMENTS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// How many statements every pool of this process has run (the benchmarks count the queries
/// of an operation with it).
pub fn statements_run() -> u64 {
    STATEMENTS.load(std::sync::atomic::Ordering::Relaxed)
}

/// Applies every pending migration, on a connection of its own without the request-sized
/// statement timeout (building an index on a large table may take minutes).
pub async fn migrate(url: &str) -> Result<()> {
    let db = connect(url, Duration::from_secs(24 * 3600)).await?;
    let applied = Migrator::up(&db, None).await.map_err(Error::internal);
    db.close().await.map_err(Error::internal)?;
    applied
}

/// Whether the database answers and every migration is applied.
pub async fn ready(db: &Db) -> Result<()> {
    db.execute_unprepared("SELECT 1").await?;
    let pending = Migrator::get_pending_migrations(db).await?;
    if pending.is_empty() {
        Ok(())
    } else {
        Err(Error::internal(format!(
            "{} migrations pending",
            pending.len()
        )))
    }
}

/// Raw SQL written with PostgreSQL's `$1`, `$2`, … placeholders, for `backend`: SQLite numbers
/// its parameters `?1`, `?2`, … the same way.
pub(crate) fn raw_sql(backend: sea_orm::DbBackend, postgres: &str) -> String {
    if backend == sea_orm::DbBackend::Postgres {
        postgres.to_owned()
    } else {
        postgres.replace('$', "?")
    }
}

/// The one number a raw statement (written as for [`raw_sql`]) answers: a count.
pub(crate) async fn number(
    db: &impl ConnectionTrait,
    postgres: &str,
    values: Vec<sea_orm::Value>,
) -> Result<i64> {
    let backend = db.get_database_backend();
    let row = db
        .query_one_raw(sea_orm::Statement::from_sql_and_values(
            backend,
            raw_sql(backend, postgres),
            values,
        ))
        .await?
        .ok_or_else(|| Error::internal("a count returned no row"))?;
    row.try_get_by_index(0).map_err(Error::internal)
}

/// Whether a database error is a unique-constraint violation.
pub(crate) fn is_unique_violation(err: &DbErr) -> bool {
    matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_follow_the_engine() {
        let sql = "a = $1 AND b = $12";
        assert_eq!(
            raw_sql(sea_orm::DbBackend::Postgres, sql),
            "a = $1 AND b = $12"
        );
        assert_eq!(
            raw_sql(sea_orm::DbBackend::Sqlite, sql),
            "a = ?1 AND b = ?12"
        );
    }
}
