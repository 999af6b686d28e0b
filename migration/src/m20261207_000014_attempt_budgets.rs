//! Budgets of attempts that refill with time (`latchkey_domain::model::attempt_budget`): wrong
//! codes per email address and per user's second factor, codes mailed per address. One row per
//! budget in use: when it is full again, in milliseconds since the epoch. Keys are keyed hashes
//! of what is counted (an address is never stored in clear here).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Instances {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum AttemptBudgets {
    Table,
    InstanceId,
    Key,
    FullAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AttemptBudgets::Table)
                    .col(
                        ColumnDef::new(AttemptBudgets::InstanceId)
                            .string_len(64)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(AttemptBudgets::Key)
                            .string_len(64)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(AttemptBudgets::FullAt)
                            .big_integer()
                            .not_null(),
                    )
                    .primary_key(
                        Index::create()
                            .col(AttemptBudgets::InstanceId)
                            .col(AttemptBudgets::Key),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(AttemptBudgets::Table, AttemptBudgets::InstanceId)
                            .to(Instances::Table, Instances::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // The sweeper deletes budgets that are full again (a missing row is a full budget).
        manager
            .create_index(
                Index::create()
                    .name("idx_attempt_budgets_full_at")
                    .table(AttemptBudgets::Table)
                    .col(AttemptBudgets::FullAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(AttemptBudgets::Table).to_owned())
            .await
    }
}
