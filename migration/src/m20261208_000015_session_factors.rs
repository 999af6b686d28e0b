//! When each factor of a session was last verified (the `fva` claim, and the recent
//! verification sensitive account changes ask for): the first factor (a password, an email code)
//! and the second (TOTP, a backup code). A session written before this migration counts its
//! start as its first factor and has no second. Beside them, the email-code verification a
//! reverification in progress keeps (JSON, changed by compare-and-set, like an email
//! address's).

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::ConnectionTrait;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Sessions {
    Table,
    FirstFactorVerifiedAt,
    SecondFactorVerifiedAt,
    Reverification,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters a table one column at a time. The first
        // factor's time stays nullable in the table (SQLite adds no NOT NULL column without a
        // default); every session written from now on has one, and older ones get theirs here.
        let columns = [
            ColumnDef::new(Sessions::FirstFactorVerifiedAt)
                .timestamp_with_time_zone()
                .null()
                .to_owned(),
            ColumnDef::new(Sessions::SecondFactorVerifiedAt)
                .timestamp_with_time_zone()
                .null()
                .to_owned(),
            ColumnDef::new(Sessions::Reverification)
                .text()
                .null()
                .to_owned(),
        ];
        for mut column in columns {
            manager
                .alter_table(
                    Table::alter()
                        .table(Sessions::Table)
                        .add_column(&mut column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .get_connection()
            .execute_unprepared(
                "UPDATE sessions SET first_factor_verified_at = created_at \
                 WHERE first_factor_verified_at IS NULL",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            Sessions::FirstFactorVerifiedAt,
            Sessions::SecondFactorVerifiedAt,
            Sessions::Reverification,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Sessions::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
