//! sea-orm queries and transactions. Every function that touches tenant data takes the instance
//! it works in; entity rows are mapped to `model` types here and never leave this module.

pub mod instances;
pub mod platform;
pub mod secret_keys;

use std::time::Duration;

use latchkey_migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, DbErr, SqlErr,
};

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
/// missing) or PostgreSQL.
pub async fn connect(url: &str) -> Result<Db> {
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
    if is_postgres(url) {
        options.max_connections(20).min_connections(1);
    } else {
        options
            .max_connections(8)
            .min_connections(1)
            .map_sqlx_sqlite_opts(|opts| {
                opts.create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .foreign_keys(true)
                    .busy_timeout(Duration::from_secs(10))
            });
    }
    Database::connect(options).await.map_err(Error::internal)
}

/// Applies every pending migration.
pub async fn migrate(db: &Db) -> Result<()> {
    Migrator::up(db, None).await.map_err(Error::internal)
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

/// Which engine the pool speaks.
pub fn backend(db: &Db) -> DbBackend {
    db.get_database_backend()
}

/// Whether a database error is a unique-constraint violation.
pub(crate) fn is_unique_violation(err: &DbErr) -> bool {
    matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_)))
}
