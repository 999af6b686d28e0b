//! JWT templates: named sets of claims an instance's frontends can ask a token for.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Instances {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum JwtTemplates {
    Table,
    Id,
    InstanceId,
    Name,
    Claims,
    LifetimeSeconds,
    AllowedClockSkewSeconds,
    CreatedAt,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let timestamp = |column| {
            ColumnDef::new(column)
                .timestamp_with_time_zone()
                .not_null()
                .to_owned()
        };
        manager
            .create_table(
                Table::create()
                    .table(JwtTemplates::Table)
                    .col(
                        ColumnDef::new(JwtTemplates::Id)
                            .string_len(64)
                            .not_null()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(JwtTemplates::InstanceId)
                            .string_len(64)
                            .not_null(),
                    )
                    .col(ColumnDef::new(JwtTemplates::Name).string_len(64).not_null())
                    .col(ColumnDef::new(JwtTemplates::Claims).text().not_null())
                    .col(
                        ColumnDef::new(JwtTemplates::LifetimeSeconds)
                            .integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(JwtTemplates::AllowedClockSkewSeconds)
                            .integer()
                            .not_null(),
                    )
                    .col(timestamp(JwtTemplates::CreatedAt))
                    .col(timestamp(JwtTemplates::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(JwtTemplates::Table, JwtTemplates::InstanceId)
                            .to(Instances::Table, Instances::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_jwt_templates_name")
                    .table(JwtTemplates::Table)
                    .col(JwtTemplates::InstanceId)
                    .col(JwtTemplates::Name)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(JwtTemplates::Table).to_owned())
            .await
    }
}
