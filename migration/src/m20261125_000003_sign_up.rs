//! Sign-up: frontend clients, users and their email addresses, sign-ups, sessions, and the mail
//! outbox that carries verification codes.

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
    InstanceId,
    TokenHash,
    LastActiveSessionId,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    InstanceId,
    Username,
    FirstName,
    LastName,
    PasswordHash,
    PrimaryEmailAddressId,
    PublicMetadata,
    PrivateMetadata,
    UnsafeMetadata,
    Banned,
    LastSignInAt,
    LastActiveAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum EmailAddresses {
    Table,
    Id,
    InstanceId,
    UserId,
    EmailAddress,
    Normalized,
    Verified,
    CreatedAt,
}

#[derive(DeriveIden)]
enum SignUps {
    Table,
    Id,
    InstanceId,
    ClientId,
    Completed,
    EmailAddress,
    EmailNormalized,
    Username,
    FirstName,
    LastName,
    PasswordHash,
    UnsafeMetadata,
    VerificationStatus,
    VerificationAttempts,
    CodeHash,
    CodeSentAt,
    CodeExpireAt,
    CreatedUserId,
    CreatedSessionId,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Sessions {
    Table,
    Id,
    InstanceId,
    ClientId,
    UserId,
    Status,
    LastActiveAt,
    ExpireAt,
    AbandonAt,
    LastActiveOrganizationId,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum MailOutbox {
    Table,
    Id,
    InstanceId,
    ToAddress,
    FromAddress,
    FromName,
    Subject,
    TextBody,
    HtmlBody,
    Status,
    Attempts,
    NextAttemptAt,
    ClaimedUntil,
    ClaimedBy,
    Development,
    LastError,
    CreatedAt,
    SentAt,
}

fn id(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col)
        .string_len(64)
        .not_null()
        .primary_key()
        .to_owned()
}

fn string(col: impl IntoIden, len: u32) -> ColumnDef {
    ColumnDef::new(col).string_len(len).not_null().to_owned()
}

fn optional_string(col: impl IntoIden, len: u32) -> ColumnDef {
    ColumnDef::new(col).string_len(len).null().to_owned()
}

fn time(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col)
        .timestamp_with_time_zone()
        .not_null()
        .to_owned()
}

fn optional_time(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col)
        .timestamp_with_time_zone()
        .null()
        .to_owned()
}

fn belongs_to_instance(table: impl IntoIden, col: impl IntoIden) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(table, col)
        .to(Instances::Table, Instances::Id)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

async fn index(
    manager: &SchemaManager<'_>,
    name: &str,
    table: impl IntoIden,
    cols: Vec<DynIden>,
    unique: bool,
) -> Result<(), DbErr> {
    let mut index = Index::create();
    index.name(name).table(table);
    for col in cols {
        index.col(col);
    }
    if unique {
        index.unique();
    }
    manager.create_index(index.to_owned()).await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Clients::Table)
                    .col(id(Clients::Id))
                    .col(string(Clients::InstanceId, 64))
                    .col(string(Clients::TokenHash, 64).unique_key().to_owned())
                    .col(optional_string(Clients::LastActiveSessionId, 64))
                    .col(time(Clients::CreatedAt))
                    .col(time(Clients::UpdatedAt))
                    .foreign_key(&mut belongs_to_instance(
                        Clients::Table,
                        Clients::InstanceId,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Users::Table)
                    .col(id(Users::Id))
                    .col(string(Users::InstanceId, 64))
                    .col(optional_string(Users::Username, 64))
                    .col(optional_string(Users::FirstName, 256))
                    .col(optional_string(Users::LastName, 256))
                    .col(ColumnDef::new(Users::PasswordHash).text().null())
                    .col(optional_string(Users::PrimaryEmailAddressId, 64))
                    .col(ColumnDef::new(Users::PublicMetadata).text().not_null())
                    .col(ColumnDef::new(Users::PrivateMetadata).text().not_null())
                    .col(ColumnDef::new(Users::UnsafeMetadata).text().not_null())
                    .col(ColumnDef::new(Users::Banned).boolean().not_null())
                    .col(optional_time(Users::LastSignInAt))
                    .col(optional_time(Users::LastActiveAt))
                    .col(time(Users::CreatedAt))
                    .col(time(Users::UpdatedAt))
                    .foreign_key(&mut belongs_to_instance(Users::Table, Users::InstanceId))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "ux_users_instance_username",
            Users::Table,
            vec![Users::InstanceId.into_iden(), Users::Username.into_iden()],
            true,
        )
        .await?;
        index(
            manager,
            "idx_users_instance_created_at",
            Users::Table,
            vec![Users::InstanceId.into_iden(), Users::CreatedAt.into_iden()],
            false,
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table(EmailAddresses::Table)
                    .col(id(EmailAddresses::Id))
                    .col(string(EmailAddresses::InstanceId, 64))
                    .col(string(EmailAddresses::UserId, 64))
                    .col(string(EmailAddresses::EmailAddress, 320))
                    .col(string(EmailAddresses::Normalized, 320))
                    .col(
                        ColumnDef::new(EmailAddresses::Verified)
                            .boolean()
                            .not_null(),
                    )
                    .col(time(EmailAddresses::CreatedAt))
                    .foreign_key(&mut belongs_to_instance(
                        EmailAddresses::Table,
                        EmailAddresses::InstanceId,
                    ))
                    .foreign_key(
                        ForeignKey::create()
                            .from(EmailAddresses::Table, EmailAddresses::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "ux_email_addresses_instance_normalized",
            EmailAddresses::Table,
            vec![
                EmailAddresses::InstanceId.into_iden(),
                EmailAddresses::Normalized.into_iden(),
            ],
            true,
        )
        .await?;
        index(
            manager,
            "idx_email_addresses_user",
            EmailAddresses::Table,
            vec![EmailAddresses::UserId.into_iden()],
            false,
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table(SignUps::Table)
                    .col(id(SignUps::Id))
                    .col(string(SignUps::InstanceId, 64))
                    .col(string(SignUps::ClientId, 64))
                    .col(ColumnDef::new(SignUps::Completed).boolean().not_null())
                    .col(optional_string(SignUps::EmailAddress, 320))
                    .col(optional_string(SignUps::EmailNormalized, 320))
                    .col(optional_string(SignUps::Username, 64))
                    .col(optional_string(SignUps::FirstName, 256))
                    .col(optional_string(SignUps::LastName, 256))
                    .col(ColumnDef::new(SignUps::PasswordHash).text().null())
                    .col(ColumnDef::new(SignUps::UnsafeMetadata).text().not_null())
                    .col(string(SignUps::VerificationStatus, 16))
                    .col(
                        ColumnDef::new(SignUps::VerificationAttempts)
                            .integer()
                            .not_null(),
                    )
                    .col(optional_string(SignUps::CodeHash, 64))
                    .col(optional_time(SignUps::CodeSentAt))
                    .col(optional_time(SignUps::CodeExpireAt))
                    .col(optional_string(SignUps::CreatedUserId, 64))
                    .col(optional_string(SignUps::CreatedSessionId, 64))
                    .col(ColumnDef::new(SignUps::Version).big_integer().not_null())
                    .col(time(SignUps::CreatedAt))
                    .col(time(SignUps::UpdatedAt))
                    .foreign_key(&mut belongs_to_instance(
                        SignUps::Table,
                        SignUps::InstanceId,
                    ))
                    .foreign_key(
                        ForeignKey::create()
                            .from(SignUps::Table, SignUps::ClientId)
                            .to(Clients::Table, Clients::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "idx_sign_ups_client",
            SignUps::Table,
            vec![
                SignUps::ClientId.into_iden(),
                SignUps::CreatedAt.into_iden(),
            ],
            false,
        )
        .await?;
        index(
            manager,
            "idx_sign_ups_updated_at",
            SignUps::Table,
            vec![SignUps::UpdatedAt.into_iden()],
            false,
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table(Sessions::Table)
                    .col(id(Sessions::Id))
                    .col(string(Sessions::InstanceId, 64))
                    .col(string(Sessions::ClientId, 64))
                    .col(string(Sessions::UserId, 64))
                    .col(string(Sessions::Status, 16))
                    .col(time(Sessions::LastActiveAt))
                    .col(time(Sessions::ExpireAt))
                    .col(time(Sessions::AbandonAt))
                    .col(optional_string(Sessions::LastActiveOrganizationId, 64))
                    .col(time(Sessions::CreatedAt))
                    .col(time(Sessions::UpdatedAt))
                    .foreign_key(&mut belongs_to_instance(
                        Sessions::Table,
                        Sessions::InstanceId,
                    ))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Sessions::Table, Sessions::ClientId)
                            .to(Clients::Table, Clients::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Sessions::Table, Sessions::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "idx_sessions_client",
            Sessions::Table,
            vec![Sessions::ClientId.into_iden()],
            false,
        )
        .await?;
        index(
            manager,
            "idx_sessions_user",
            Sessions::Table,
            vec![Sessions::UserId.into_iden()],
            false,
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table(MailOutbox::Table)
                    .col(id(MailOutbox::Id))
                    .col(string(MailOutbox::InstanceId, 64))
                    .col(string(MailOutbox::ToAddress, 320))
                    .col(string(MailOutbox::FromAddress, 320))
                    .col(string(MailOutbox::FromName, 256))
                    .col(string(MailOutbox::Subject, 512))
                    .col(ColumnDef::new(MailOutbox::TextBody).text().null())
                    .col(ColumnDef::new(MailOutbox::HtmlBody).text().null())
                    .col(string(MailOutbox::Status, 16))
                    .col(ColumnDef::new(MailOutbox::Attempts).integer().not_null())
                    .col(time(MailOutbox::NextAttemptAt))
                    .col(optional_time(MailOutbox::ClaimedUntil))
                    .col(optional_string(MailOutbox::ClaimedBy, 64))
                    .col(ColumnDef::new(MailOutbox::Development).boolean().not_null())
                    .col(ColumnDef::new(MailOutbox::LastError).text().null())
                    .col(time(MailOutbox::CreatedAt))
                    .col(optional_time(MailOutbox::SentAt))
                    .foreign_key(&mut belongs_to_instance(
                        MailOutbox::Table,
                        MailOutbox::InstanceId,
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "idx_mail_outbox_due",
            MailOutbox::Table,
            vec![
                MailOutbox::Status.into_iden(),
                MailOutbox::NextAttemptAt.into_iden(),
            ],
            false,
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            MailOutbox::Table.into_iden(),
            Sessions::Table.into_iden(),
            SignUps::Table.into_iden(),
            EmailAddresses::Table.into_iden(),
            Users::Table.into_iden(),
            Clients::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
