//! Email addresses a signed-in user adds and verifies. An unverified address reserves nothing:
//! only verified addresses are unique per instance (a partial unique index), so adding someone
//! else's address to one's own account cannot keep its owner from signing up with it; each
//! user holds an address once. An address's code verification is kept as JSON beside it.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::ConnectionTrait;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum EmailAddresses {
    Table,
    Verification,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(EmailAddresses::Table)
                    .add_column(ColumnDef::new(EmailAddresses::Verification).text().null())
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        for statement in [
            "DROP INDEX ux_email_addresses_instance_normalized",
            "CREATE UNIQUE INDEX ux_email_addresses_verified ON email_addresses (instance_id, normalized) WHERE verified = TRUE",
            "CREATE INDEX idx_email_addresses_instance_normalized ON email_addresses (instance_id, normalized)",
            "CREATE UNIQUE INDEX ux_email_addresses_user_normalized ON email_addresses (user_id, normalized)",
        ] {
            db.execute_unprepared(statement).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for statement in [
            "DELETE FROM email_addresses WHERE verified = FALSE",
            "DROP INDEX ux_email_addresses_user_normalized",
            "DROP INDEX idx_email_addresses_instance_normalized",
            "DROP INDEX ux_email_addresses_verified",
            "CREATE UNIQUE INDEX ux_email_addresses_instance_normalized ON email_addresses (instance_id, normalized)",
        ] {
            db.execute_unprepared(statement).await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(EmailAddresses::Table)
                    .drop_column(EmailAddresses::Verification)
                    .to_owned(),
            )
            .await
    }
}
