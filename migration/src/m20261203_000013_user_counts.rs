//! How many users each instance has, kept beside them so that counting a whole instance (the
//! `totalCount` of an unfiltered `users`) reads one row instead of an index of every user. The
//! row changes in the transaction that inserts or deletes a user, just before its events are
//! appended (which already take the instance's `event_sequences` row, so no new wait comes of
//! it). Existing users are counted here.
//!
//! It also lowercases again, as the server does (Unicode), the search text migration 10 filled
//! with the database's `lower()`: SQLite's lowers ASCII alone, and a substring is now sometimes
//! tested on that text (`instr`) rather than looked up in the case-folding trigram table.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend, Statement};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Instances {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum UserCounts {
    Table,
    InstanceId,
    Users,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(UserCounts::Table)
                    .col(
                        ColumnDef::new(UserCounts::InstanceId)
                            .string()
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(UserCounts::Users).big_integer().not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .from(UserCounts::Table, UserCounts::InstanceId)
                            .to(Instances::Table, Instances::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .get_connection()
            .execute_unprepared(
                "INSERT INTO user_counts (instance_id, users) \
                 SELECT instance_id, COUNT(*) FROM users GROUP BY instance_id",
            )
            .await?;
        relower_search_text(manager.get_connection()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(UserCounts::Table).to_owned())
            .await
    }
}

/// Lowercases (Unicode) each search text that holds a character outside printable ASCII, in
/// `users` and, on SQLite, in the trigram table's copy.
async fn relower_search_text(db: &impl ConnectionTrait) -> Result<(), DbErr> {
    let backend = db.get_database_backend();
    let (select, update, update_copy) = match backend {
        DbBackend::Postgres => (
            "SELECT id, search_text FROM users WHERE search_text ~ '[^ -~]'",
            "UPDATE users SET search_text = $1 WHERE id = $2",
            None,
        ),
        _ => (
            "SELECT id, search_text FROM users WHERE search_text GLOB '*[^ -~]*'",
            "UPDATE users SET search_text = ?1 WHERE id = ?2",
            Some(
                "UPDATE user_search SET search_text = ?1 \
                 WHERE rowid = (SELECT id FROM user_search_rows WHERE user_id = ?2)",
            ),
        ),
    };
    let rows = db
        .query_all_raw(Statement::from_string(backend, select))
        .await?;
    for row in rows {
        let id: String = row.try_get_by_index(0)?;
        let text: String = row.try_get_by_index(1)?;
        let lower = text.to_lowercase();
        if lower == text {
            continue;
        }
        for sql in std::iter::once(update).chain(update_copy) {
            db.execute_raw(Statement::from_sql_and_values(
                backend,
                sql,
                [lower.as_str().into(), id.as_str().into()],
            ))
            .await?;
        }
    }
    Ok(())
}
