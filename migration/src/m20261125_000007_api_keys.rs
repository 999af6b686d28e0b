//! API keys: long-lived credentials an instance issues for a subject (a user or a service),
//! stored as hashes, verified through `verifyToken`.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Instances {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum ApiKeys {
    Table,
    Id,
    InstanceId,
    Name,
    Subject,
    Scopes,
    KeyHash,
    KeyHint,
    ExpiresAt,
    RevokedAt,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let text = |column, len| ColumnDef::new(column).string_len(len).not_null().to_owned();
        let time = |column| ColumnDef::new(column).timestamp_with_time_zone().to_owned();
        manager
            .create_table(
                Table::create()
                    .table(ApiKeys::Table)
                    .col(text(ApiKeys::Id, 64).primary_key())
                    .col(text(ApiKeys::InstanceId, 64))
                    .col(text(ApiKeys::Name, 128))
                    .col(text(ApiKeys::Subject, 128))
                    .col(ColumnDef::new(ApiKeys::Scopes).text().not_null())
                    .col(text(ApiKeys::KeyHash, 64).unique_key())
                    .col(text(ApiKeys::KeyHint, 8))
                    .col(time(ApiKeys::ExpiresAt).null())
                    .col(time(ApiKeys::RevokedAt).null())
                    .col(time(ApiKeys::CreatedAt).not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .from(ApiKeys::Table, ApiKeys::InstanceId)
                            .to(Instances::Table, Instances::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_api_keys_instance")
                    .table(ApiKeys::Table)
                    .col(ApiKeys::InstanceId)
                    .col(ApiKeys::CreatedAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ApiKeys::Table).to_owned())
            .await
    }
}
