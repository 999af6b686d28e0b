//! Signing keys: each instance's key pairs for session tokens, the private half encrypted under
//! the master key. One is `current` (new tokens use it); `retired` ones stay published in the
//! JWKS until `publish_until`, when every token they signed has expired.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Instances {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum SigningKeys {
    Table,
    Id,
    InstanceId,
    Algorithm,
    PublicJwk,
    PrivateKey,
    Status,
    CreatedAt,
    RetiredAt,
    PublishUntil,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(SigningKeys::Table)
                    .col(
                        ColumnDef::new(SigningKeys::Id)
                            .string_len(64)
                            .not_null()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(SigningKeys::InstanceId)
                            .string_len(64)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(SigningKeys::Algorithm)
                            .string_len(16)
                            .not_null(),
                    )
                    .col(ColumnDef::new(SigningKeys::PublicJwk).text().not_null())
                    .col(ColumnDef::new(SigningKeys::PrivateKey).text().not_null())
                    .col(
                        ColumnDef::new(SigningKeys::Status)
                            .string_len(16)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(SigningKeys::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(SigningKeys::RetiredAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(SigningKeys::PublishUntil)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(SigningKeys::Table, SigningKeys::InstanceId)
                            .to(Instances::Table, Instances::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_signing_keys_instance")
                    .table(SigningKeys::Table)
                    .col(SigningKeys::InstanceId)
                    .col(SigningKeys::Status)
                    .to_owned(),
            )
            .await?;
        // One current key per instance: two nodes making the first key at once, one wins.
        // (A partial index: the same SQL on SQLite and PostgreSQL.)
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX idx_signing_keys_one_current ON signing_keys (instance_id) WHERE status = 'current'",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(SigningKeys::Table).to_owned())
            .await
    }
}
