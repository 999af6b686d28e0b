//! Second factors on users: a TOTP secret (sealed under the master key; verified or still being
//! enrolled), the last TOTP step used (a code is accepted once), and the backup codes' hashes.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    TotpSecret,
    TotpVerified,
    TotpLastStep,
    BackupCodes,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters a table one column at a time.
        let columns = [
            ColumnDef::new(Users::TotpSecret).text().null().to_owned(),
            ColumnDef::new(Users::TotpVerified)
                .boolean()
                .not_null()
                .default(false)
                .to_owned(),
            ColumnDef::new(Users::TotpLastStep)
                .big_integer()
                .null()
                .to_owned(),
            ColumnDef::new(Users::BackupCodes).text().null().to_owned(),
        ];
        for mut column in columns {
            manager
                .alter_table(
                    Table::alter()
                        .table(Users::Table)
                        .add_column(&mut column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            Users::TotpSecret,
            Users::TotpVerified,
            Users::TotpLastStep,
            Users::BackupCodes,
        ] {
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
