//! The mail outbox: a message is written in the transaction of what it carries, then sent by the
//! mailer. A node claims a message for a while before sending it, so two nodes never send one
//! message at once; the bodies are cleared once it is sent or given up.

use chrono::{DateTime, Duration, Utc};
use latchkey_entities::mail_outbox;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect,
};

use crate::Result;
use crate::mail::Message;

const PENDING: &str = "pending";
const SENT: &str = "sent";
const FAILED: &str = "failed";

/// A message waiting in the outbox.
#[derive(Clone, Debug)]
pub struct Pending {
    pub id: String,
    pub attempts: u32,
    pub message: Message,
}

/// Writes a message to send.
pub async fn enqueue(
    db: &impl ConnectionTrait,
    instance_id: &str,
    id: &str,
    message: &Message,
    now: DateTime<Utc>,
) -> Result<()> {
    mail_outbox::ActiveModel {
        id: Set(id.to_owned()),
        instance_id: Set(instance_id.to_owned()),
        to_address: Set(message.to.clone()),
        from_address: Set(message.from_address.clone()),
        from_name: Set(message.from_name.clone()),
        subject: Set(message.subject.clone()),
        text_body: Set(Some(message.text.clone())),
        html_body: Set(Some(message.html.clone())),
        status: Set(PENDING.to_owned()),
        attempts: Set(0),
        next_attempt_at: Set(now),
        claimed_until: Set(None),
        last_error: Set(None),
        created_at: Set(now),
        sent_at: Set(None),
    }
    .insert(db)
    .await?;
    Ok(())
}

fn unclaimed(now: DateTime<Utc>) -> Condition {
    Condition::any()
        .add(mail_outbox::Column::ClaimedUntil.is_null())
        .add(mail_outbox::Column::ClaimedUntil.lte(now))
}

/// Up to `limit` messages due at `now`, oldest first, that no node holds.
pub async fn due(db: &impl ConnectionTrait, now: DateTime<Utc>, limit: u64) -> Result<Vec<String>> {
    Ok(mail_outbox::Entity::find()
        .select_only()
        .column(mail_outbox::Column::Id)
        .filter(mail_outbox::Column::Status.eq(PENDING))
        .filter(mail_outbox::Column::NextAttemptAt.lte(now))
        .filter(unclaimed(now))
        .order_by_asc(mail_outbox::Column::NextAttemptAt)
        .limit(limit)
        .into_tuple::<String>()
        .all(db)
        .await?)
}

/// When the next pending message falls due, if any is pending.
pub async fn next_due_at(db: &impl ConnectionTrait) -> Result<Option<DateTime<Utc>>> {
    Ok(mail_outbox::Entity::find()
        .select_only()
        .column(mail_outbox::Column::NextAttemptAt)
        .filter(mail_outbox::Column::Status.eq(PENDING))
        .order_by_asc(mail_outbox::Column::NextAttemptAt)
        .into_tuple::<DateTime<Utc>>()
        .one(db)
        .await?)
}

/// Takes message `id` until `now + hold`, when it is still pending and nobody holds it; gives
/// it back to send, or `None` when another node has it or it is done.
pub async fn claim(
    db: &impl ConnectionTrait,
    id: &str,
    now: DateTime<Utc>,
    hold: Duration,
) -> Result<Option<Pending>> {
    let claimed = mail_outbox::Entity::update_many()
        .col_expr(mail_outbox::Column::ClaimedUntil, Expr::value(now + hold))
        .filter(mail_outbox::Column::Id.eq(id))
        .filter(mail_outbox::Column::Status.eq(PENDING))
        .filter(unclaimed(now))
        .exec(db)
        .await?;
    if claimed.rows_affected != 1 {
        return Ok(None);
    }
    let Some(row) = mail_outbox::Entity::find_by_id(id.to_owned())
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    Ok(Some(Pending {
        attempts: u32::try_from(row.attempts).unwrap_or(0),
        id: row.id,
        message: Message {
            to: row.to_address,
            from_address: row.from_address,
            from_name: row.from_name,
            subject: row.subject,
            text: row.text_body.unwrap_or_default(),
            html: row.html_body.unwrap_or_default(),
        },
    }))
}

async fn finish(
    db: &impl ConnectionTrait,
    id: &str,
    status: &str,
    attempts: u32,
    error: Option<String>,
    now: DateTime<Utc>,
) -> Result<()> {
    let mut update = mail_outbox::Entity::update_many()
        .col_expr(mail_outbox::Column::Status, Expr::value(status))
        .col_expr(
            mail_outbox::Column::Attempts,
            Expr::value(i32::try_from(attempts).unwrap_or(i32::MAX)),
        )
        .col_expr(
            mail_outbox::Column::TextBody,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            mail_outbox::Column::HtmlBody,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            mail_outbox::Column::ClaimedUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(mail_outbox::Column::LastError, Expr::value(error));
    if status == SENT {
        update = update.col_expr(mail_outbox::Column::SentAt, Expr::value(now));
    }
    update
        .filter(mail_outbox::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// Marks a message sent (its bodies are cleared).
pub async fn mark_sent(
    db: &impl ConnectionTrait,
    id: &str,
    attempts: u32,
    now: DateTime<Utc>,
) -> Result<()> {
    finish(db, id, SENT, attempts, None, now).await
}

/// Gives a message up (its bodies are cleared).
pub async fn mark_failed(
    db: &impl ConnectionTrait,
    id: &str,
    attempts: u32,
    error: String,
    now: DateTime<Utc>,
) -> Result<()> {
    finish(db, id, FAILED, attempts, Some(error), now).await
}

/// Puts a message back to be tried again at `next_attempt_at`.
pub async fn retry_at(
    db: &impl ConnectionTrait,
    id: &str,
    attempts: u32,
    error: String,
    next_attempt_at: DateTime<Utc>,
) -> Result<()> {
    mail_outbox::Entity::update_many()
        .col_expr(
            mail_outbox::Column::Attempts,
            Expr::value(i32::try_from(attempts).unwrap_or(i32::MAX)),
        )
        .col_expr(
            mail_outbox::Column::NextAttemptAt,
            Expr::value(next_attempt_at),
        )
        .col_expr(
            mail_outbox::Column::ClaimedUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(mail_outbox::Column::LastError, Expr::value(Some(error)))
        .filter(mail_outbox::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}
