//! How many users each instance has, kept beside them so that counting a whole instance (the
//! `totalCount` of an unfiltered `users`) reads one row instead of an index of every user. The
//! row changes in the transaction that inserts or deletes a user, just before its events are
//! appended (which already take the instance's `event_sequences` row, so no new wait comes of
//! it). Existing users are counted here.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::ConnectionTrait;

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
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(UserCounts::Table).to_owned())
            .await
    }
}
