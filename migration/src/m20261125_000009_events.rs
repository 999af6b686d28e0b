//! The event log and webhooks: each instance's events numbered in commit order
//! (`event_sequences` holds the last number, `webhook_cursors` how far webhooks have fanned
//! out), the events themselves, webhook endpoints (their signing secrets sealed) and the
//! delivery outbox.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Instances {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum EventSequences {
    Table,
    InstanceId,
    LastSeq,
}

#[derive(DeriveIden)]
enum WebhookCursors {
    Table,
    InstanceId,
    Seq,
}

#[derive(DeriveIden)]
enum Events {
    Table,
    Id,
    InstanceId,
    Seq,
    Type,
    ObjectId,
    UserId,
    Data,
    OccurredAt,
}

#[derive(DeriveIden)]
enum WebhookEndpoints {
    Table,
    Id,
    InstanceId,
    Url,
    EventTypes,
    SecretSealed,
    SinceSeq,
    CreatedAt,
}

#[derive(DeriveIden)]
enum WebhookDeliveries {
    Table,
    Id,
    InstanceId,
    EndpointId,
    EventSeq,
    EventType,
    ObjectId,
    Status,
    Attempts,
    NextAttemptAt,
    LastAttemptAt,
    LastStatusCode,
    LastError,
    Claim,
    ClaimedUntil,
    CreatedAt,
    DeliveredAt,
}

fn instance_fk(from: (impl IntoIden, impl IntoIden)) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(from.0, from.1)
        .to(Instances::Table, Instances::Id)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

fn text(column: impl IntoIden, len: u32) -> ColumnDef {
    ColumnDef::new(column).string_len(len).not_null().to_owned()
}

fn time(column: impl IntoIden) -> ColumnDef {
    ColumnDef::new(column).timestamp_with_time_zone().to_owned()
}

fn number(column: impl IntoIden) -> ColumnDef {
    ColumnDef::new(column).big_integer().not_null().to_owned()
}

#[derive(DeriveIden)]
enum Sessions {
    Table,
    Status,
    ExpireAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // The expiry sweep looks for active sessions past their expiry.
        manager
            .create_index(
                Index::create()
                    .name("idx_sessions_status_expire")
                    .table(Sessions::Table)
                    .col(Sessions::Status)
                    .col(Sessions::ExpireAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(EventSequences::Table)
                    .col(text(EventSequences::InstanceId, 64).primary_key())
                    .col(number(EventSequences::LastSeq))
                    .foreign_key(&mut instance_fk((
                        EventSequences::Table,
                        EventSequences::InstanceId,
                    )))
                    .to_owned(),
            )
            .await?;
        // Kept apart from the event counter, so fanning out never holds the writers' row.
        manager
            .create_table(
                Table::create()
                    .table(WebhookCursors::Table)
                    .col(text(WebhookCursors::InstanceId, 64).primary_key())
                    .col(number(WebhookCursors::Seq))
                    .foreign_key(&mut instance_fk((
                        WebhookCursors::Table,
                        WebhookCursors::InstanceId,
                    )))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Events::Table)
                    .col(
                        ColumnDef::new(Events::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(text(Events::InstanceId, 64))
                    .col(number(Events::Seq))
                    .col(text(Events::Type, 64))
                    .col(text(Events::ObjectId, 64))
                    .col(ColumnDef::new(Events::UserId).string_len(64).null())
                    .col(ColumnDef::new(Events::Data).text().not_null())
                    .col(time(Events::OccurredAt).not_null())
                    .foreign_key(&mut instance_fk((Events::Table, Events::InstanceId)))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_events_instance_seq")
                    .table(Events::Table)
                    .col(Events::InstanceId)
                    .col(Events::Seq)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_events_occurred")
                    .table(Events::Table)
                    .col(Events::OccurredAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(WebhookEndpoints::Table)
                    .col(text(WebhookEndpoints::Id, 64).primary_key())
                    .col(text(WebhookEndpoints::InstanceId, 64))
                    .col(text(WebhookEndpoints::Url, 2048))
                    .col(
                        ColumnDef::new(WebhookEndpoints::EventTypes)
                            .text()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(WebhookEndpoints::SecretSealed)
                            .text()
                            .not_null(),
                    )
                    .col(number(WebhookEndpoints::SinceSeq))
                    .col(time(WebhookEndpoints::CreatedAt).not_null())
                    .foreign_key(&mut instance_fk((
                        WebhookEndpoints::Table,
                        WebhookEndpoints::InstanceId,
                    )))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(WebhookDeliveries::Table)
                    .col(text(WebhookDeliveries::Id, 64).primary_key())
                    .col(text(WebhookDeliveries::InstanceId, 64))
                    .col(text(WebhookDeliveries::EndpointId, 64))
                    .col(number(WebhookDeliveries::EventSeq))
                    .col(text(WebhookDeliveries::EventType, 64))
                    .col(text(WebhookDeliveries::ObjectId, 64))
                    .col(text(WebhookDeliveries::Status, 16))
                    .col(
                        ColumnDef::new(WebhookDeliveries::Attempts)
                            .integer()
                            .not_null(),
                    )
                    .col(time(WebhookDeliveries::NextAttemptAt).not_null())
                    .col(time(WebhookDeliveries::LastAttemptAt).null())
                    .col(
                        ColumnDef::new(WebhookDeliveries::LastStatusCode)
                            .integer()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(WebhookDeliveries::LastError)
                            .string_len(512)
                            .null(),
                    )
                    .col(
                        ColumnDef::new(WebhookDeliveries::Claim)
                            .string_len(64)
                            .null(),
                    )
                    .col(time(WebhookDeliveries::ClaimedUntil).null())
                    .col(time(WebhookDeliveries::CreatedAt).not_null())
                    .col(time(WebhookDeliveries::DeliveredAt).null())
                    .foreign_key(
                        ForeignKey::create()
                            .from(WebhookDeliveries::Table, WebhookDeliveries::EndpointId)
                            .to(WebhookEndpoints::Table, WebhookEndpoints::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(&mut instance_fk((
                        WebhookDeliveries::Table,
                        WebhookDeliveries::InstanceId,
                    )))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_webhook_deliveries_endpoint_seq")
                    .table(WebhookDeliveries::Table)
                    .col(WebhookDeliveries::EndpointId)
                    .col(WebhookDeliveries::EventSeq)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_webhook_deliveries_due")
                    .table(WebhookDeliveries::Table)
                    .col(WebhookDeliveries::Status)
                    .col(WebhookDeliveries::NextAttemptAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            WebhookDeliveries::Table.into_iden(),
            WebhookEndpoints::Table.into_iden(),
            Events::Table.into_iden(),
            WebhookCursors::Table.into_iden(),
            EventSequences::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        manager
            .drop_index(
                Index::drop()
                    .name("idx_sessions_status_expire")
                    .table(Sessions::Table)
                    .to_owned(),
            )
            .await
    }
}
