//! Sign-in: the sign-ins of each client, each user's lockout count, and the same count for
//! identifiers no user has (so a lockout tells nothing about who exists).

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
enum Users {
    Table,
    FailedSignInAttempts,
    LockedUntil,
}

#[derive(DeriveIden)]
enum SignInFailures {
    Table,
    InstanceId,
    Key,
    FailedAttempts,
    LockedUntil,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum SignIns {
    Table,
    Id,
    InstanceId,
    ClientId,
    Identifier,
    UserId,
    Subject,
    FirstFactor,
    FirstFactorPassed,
    SecondFactorPassed,
    NewPasswordSet,
    CreatedSessionId,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .add_column(
                        ColumnDef::new(Users::FailedSignInAttempts)
                            .integer()
                            .not_null()
                            .default(0),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .add_column(
                        ColumnDef::new(Users::LockedUntil)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(SignIns::Table)
                    .col(
                        ColumnDef::new(SignIns::Id)
                            .string_len(64)
                            .not_null()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(SignIns::InstanceId)
                            .string_len(64)
                            .not_null(),
                    )
                    .col(ColumnDef::new(SignIns::ClientId).string_len(64).not_null())
                    .col(ColumnDef::new(SignIns::Identifier).string_len(320).null())
                    .col(ColumnDef::new(SignIns::UserId).string_len(64).null())
                    .col(ColumnDef::new(SignIns::Subject).text().null())
                    .col(ColumnDef::new(SignIns::FirstFactor).text().null())
                    .col(
                        ColumnDef::new(SignIns::FirstFactorPassed)
                            .string_len(32)
                            .null(),
                    )
                    .col(
                        ColumnDef::new(SignIns::SecondFactorPassed)
                            .string_len(32)
                            .null(),
                    )
                    .col(ColumnDef::new(SignIns::NewPasswordSet).boolean().not_null())
                    .col(
                        ColumnDef::new(SignIns::CreatedSessionId)
                            .string_len(64)
                            .null(),
                    )
                    .col(ColumnDef::new(SignIns::Version).big_integer().not_null())
                    .col(
                        ColumnDef::new(SignIns::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(SignIns::UpdatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(SignIns::Table, SignIns::InstanceId)
                            .to(Instances::Table, Instances::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(SignIns::Table, SignIns::ClientId)
                            .to(Clients::Table, Clients::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(SignInFailures::Table)
                    .col(
                        ColumnDef::new(SignInFailures::InstanceId)
                            .string_len(64)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(SignInFailures::Key)
                            .string_len(64)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(SignInFailures::FailedAttempts)
                            .integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(SignInFailures::LockedUntil)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(SignInFailures::UpdatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .primary_key(
                        Index::create()
                            .col(SignInFailures::InstanceId)
                            .col(SignInFailures::Key),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(SignInFailures::Table, SignInFailures::InstanceId)
                            .to(Instances::Table, Instances::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_sign_ins_client")
                    .table(SignIns::Table)
                    .col(SignIns::ClientId)
                    .col(SignIns::CreatedAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(SignIns::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(SignInFailures::Table).to_owned())
            .await?;
        for column in [Users::LockedUntil, Users::FailedSignInAttempts] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Users::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
