//! Rate-limit counters for the database-backed limiter (several nodes share one count).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum RateLimitCounters {
    Table,
    Key,
    WindowStart,
    Count,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(RateLimitCounters::Table)
                    .col(
                        ColumnDef::new(RateLimitCounters::Key)
                            .string_len(512)
                            .not_null()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(RateLimitCounters::WindowStart)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(RateLimitCounters::Count)
                            .integer()
                            .not_null(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_rate_limit_counters_window")
                    .table(RateLimitCounters::Table)
                    .col(RateLimitCounters::WindowStart)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(RateLimitCounters::Table).to_owned())
            .await
    }
}
