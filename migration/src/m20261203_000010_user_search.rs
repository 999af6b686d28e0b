//! Finding users fast on a million of them: an external id, the primary email address (for
//! ordering), and a search text (verified email addresses, username, names; lowercase) with an
//! index for every filter and order of `users`. A case-insensitive substring `query` goes through a
//! trigram index: `pg_trgm` (GIN) on PostgreSQL, an FTS5 `trigram` table on SQLite.
//!
//! Nullable columns are ordered with NULL first ascending and last descending on both engines
//! (SQLite's own rule), and text by its bytes (SQLite's BINARY; `COLLATE "C"` on PostgreSQL,
//! whatever the database's collation); PostgreSQL's indexes are built that way, so both
//! directions walk an index.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    ExternalId,
    PrimaryEmail,
    SearchText,
}

/// `(index name, column, is text)` for every order of `users` (the id breaks ties).
const ORDERED: [(&str, &str, bool); 8] = [
    ("idx_users_order_created_at", "created_at", false),
    ("idx_users_order_updated_at", "updated_at", false),
    ("idx_users_order_last_sign_in_at", "last_sign_in_at", false),
    ("idx_users_order_last_active_at", "last_active_at", false),
    ("idx_users_order_primary_email", "primary_email", true),
    ("idx_users_order_username", "username", true),
    ("idx_users_order_first_name", "first_name", true),
    ("idx_users_order_last_name", "last_name", true),
];

/// The search text of every existing user, in SQL (new users get theirs from the domain, in the
/// same shape: `emails… username first last`, lowercase; SQL's `lower` may leave non-ASCII
/// capitals where the domain's would not, which FTS5's case folding and a later change of the
/// user make good).
fn backfill(backend: DbBackend) -> String {
    let emails = match backend {
        DbBackend::Postgres => {
            "(SELECT string_agg(e.normalized, ' ' ORDER BY e.created_at, e.id) \
             FROM email_addresses e WHERE e.user_id = users.id AND e.verified = TRUE)"
        }
        _ => {
            "(SELECT group_concat(normalized, ' ') FROM (SELECT e.normalized FROM email_addresses e \
             WHERE e.user_id = users.id AND e.verified = TRUE ORDER BY e.created_at, e.id))"
        }
    };
    format!(
        "UPDATE users SET \
         primary_email = (SELECT e.normalized FROM email_addresses e WHERE e.id = users.primary_email_address_id), \
         search_text = lower(coalesce({emails}, '') || ' ' || coalesce(username, '') \
           || ' ' || coalesce(first_name, '') || ' ' || coalesce(last_name, ''))"
    )
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for col in [
            ColumnDef::new(Users::ExternalId)
                .string_len(256)
                .null()
                .to_owned(),
            ColumnDef::new(Users::PrimaryEmail)
                .string_len(320)
                .null()
                .to_owned(),
            ColumnDef::new(Users::SearchText)
                .text()
                .not_null()
                .default("")
                .to_owned(),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Users::Table)
                        .add_column(col.to_owned())
                        .to_owned(),
                )
                .await?;
        }
        let db = manager.get_connection();
        let backend = manager.get_database_backend();
        db.execute_unprepared(&backfill(backend)).await?;
        db.execute_unprepared(
            "CREATE UNIQUE INDEX ux_users_instance_external_id ON users (instance_id, external_id)",
        )
        .await?;
        db.execute_unprepared("DROP INDEX idx_users_instance_created_at")
            .await?;
        let postgres = backend == DbBackend::Postgres;
        let (bytes, nulls) = if postgres {
            (" COLLATE \"C\"", " NULLS FIRST")
        } else {
            ("", "")
        };
        for (name, col, text) in ORDERED {
            let collate = if text { bytes } else { "" };
            db.execute_unprepared(&format!(
                "CREATE INDEX {name} ON users (instance_id, {col}{collate}{nulls}, id{bytes})"
            ))
            .await?;
        }
        db.execute_unprepared(&format!(
            "CREATE INDEX idx_users_banned ON users (instance_id, banned, created_at{nulls}, id{bytes})"
        ))
        .await?;
        if backend == DbBackend::Postgres {
            db.execute_unprepared("CREATE EXTENSION IF NOT EXISTS pg_trgm")
                .await?;
            db.execute_unprepared(
                "CREATE INDEX idx_users_search_trgm ON users USING gin (search_text gin_trgm_ops)",
            )
            .await?;
        } else {
            // Kept by `store::user_search`. Each user's row number lives in `user_search_rows`
            // (an INTEGER PRIMARY KEY, which VACUUM never renumbers, unlike the implicit rowid
            // of `users`).
            db.execute_unprepared(
                "CREATE TABLE user_search_rows (\
                 id INTEGER PRIMARY KEY, user_id VARCHAR(64) NOT NULL UNIQUE \
                 REFERENCES users (id) ON DELETE CASCADE)",
            )
            .await?;
            db.execute_unprepared(
                "CREATE VIRTUAL TABLE user_search USING fts5(\
                 user_id UNINDEXED, search_text, tokenize = 'trigram')",
            )
            .await?;
            db.execute_unprepared("INSERT INTO user_search_rows (user_id) SELECT id FROM users")
                .await?;
            db.execute_unprepared(
                "INSERT INTO user_search (rowid, user_id, search_text) \
                 SELECT r.id, u.id, u.search_text FROM users u JOIN user_search_rows r ON r.user_id = u.id",
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let backend = manager.get_database_backend();
        if backend == DbBackend::Postgres {
            db.execute_unprepared("DROP INDEX idx_users_search_trgm")
                .await?;
        } else {
            db.execute_unprepared("DROP TABLE user_search").await?;
            db.execute_unprepared("DROP TABLE user_search_rows").await?;
        }
        for (name, _, _) in ORDERED {
            db.execute_unprepared(&format!("DROP INDEX {name}")).await?;
        }
        db.execute_unprepared("DROP INDEX idx_users_banned").await?;
        db.execute_unprepared("DROP INDEX ux_users_instance_external_id")
            .await?;
        db.execute_unprepared(
            "CREATE INDEX idx_users_instance_created_at ON users (instance_id, created_at)",
        )
        .await?;
        for col in [Users::ExternalId, Users::PrimaryEmail, Users::SearchText] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Users::Table)
                        .drop_column(col)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
