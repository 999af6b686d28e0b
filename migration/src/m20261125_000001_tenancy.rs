//! Tenancy: instances, their secret keys, and the platform's own secrets (the admin token hash).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Instances {
    Table,
    Id,
    Name,
    Environment,
    PublishableKey,
    Settings,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum SecretKeys {
    Table,
    Id,
    InstanceId,
    Name,
    KeyHash,
    KeyHint,
    CreatedAt,
    RevokedAt,
}

#[derive(DeriveIden)]
enum PlatformSecrets {
    Table,
    Name,
    ValueHash,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Instances::Table)
                    .col(
                        ColumnDef::new(Instances::Id)
                            .string_len(64)
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(Instances::Name).string_len(256).not_null())
                    .col(
                        ColumnDef::new(Instances::Environment)
                            .string_len(16)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Instances::PublishableKey)
                            .string_len(128)
                            .not_null()
                            .unique_key(),
                    )
                    .col(ColumnDef::new(Instances::Settings).text().not_null())
                    .col(
                        ColumnDef::new(Instances::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Instances::UpdatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_instances_created_at")
                    .table(Instances::Table)
                    .col(Instances::CreatedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(SecretKeys::Table)
                    .col(
                        ColumnDef::new(SecretKeys::Id)
                            .string_len(64)
                            .not_null()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(SecretKeys::InstanceId)
                            .string_len(64)
                            .not_null(),
                    )
                    .col(ColumnDef::new(SecretKeys::Name).string_len(256).not_null())
                    .col(
                        ColumnDef::new(SecretKeys::KeyHash)
                            .string_len(64)
                            .not_null()
                            .unique_key(),
                    )
                    .col(
                        ColumnDef::new(SecretKeys::KeyHint)
                            .string_len(16)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(SecretKeys::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(SecretKeys::RevokedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_secret_keys_instance")
                            .from(SecretKeys::Table, SecretKeys::InstanceId)
                            .to(Instances::Table, Instances::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_secret_keys_instance")
                    .table(SecretKeys::Table)
                    .col(SecretKeys::InstanceId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PlatformSecrets::Table)
                    .col(
                        ColumnDef::new(PlatformSecrets::Name)
                            .string_len(64)
                            .not_null()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(PlatformSecrets::ValueHash)
                            .string_len(64)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(PlatformSecrets::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(PlatformSecrets::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(SecretKeys::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Instances::Table).to_owned())
            .await
    }
}
