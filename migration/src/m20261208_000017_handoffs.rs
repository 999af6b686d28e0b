//! Handoffs: a one-time, short-lived code that carries a browser's client from a page on
//! Latchkey's origin (the Account Portal) to a development app on another site, through the
//! redirect URL. The code is stored as its SHA-256; the client token it hands over is sealed
//! under the master key; the row is deleted when the code is redeemed, and swept once expired.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Instances {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Clients {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Handoffs {
    Table,
    CodeHash,
    InstanceId,
    ClientId,
    ClientTokenSealed,
    Origin,
    ExpiresAt,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Handoffs::Table)
                    .col(
                        ColumnDef::new(Handoffs::CodeHash)
                            .string_len(64)
                            .not_null()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(Handoffs::InstanceId)
                            .string_len(64)
                            .not_null(),
                    )
                    .col(ColumnDef::new(Handoffs::ClientId).string_len(64).not_null())
                    .col(
                        ColumnDef::new(Handoffs::ClientTokenSealed)
                            .text()
                            .not_null(),
                    )
                    .col(ColumnDef::new(Handoffs::Origin).string_len(2048).not_null())
                    .col(
                        ColumnDef::new(Handoffs::ExpiresAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Handoffs::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Handoffs::Table, Handoffs::InstanceId)
                            .to(Instances::Table, Instances::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Handoffs::Table, Handoffs::ClientId)
                            .to(Clients::Table, Clients::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_handoffs_expires_at")
                    .table(Handoffs::Table)
                    .col(Handoffs::ExpiresAt)
                    .to_owned(),
            )
            .await?;
        // Deleting a client (its cascade) looks its handoffs up by client.
        manager
            .create_index(
                Index::create()
                    .name("idx_handoffs_client")
                    .table(Handoffs::Table)
                    .col(Handoffs::ClientId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Handoffs::Table).to_owned())
            .await
    }
}
