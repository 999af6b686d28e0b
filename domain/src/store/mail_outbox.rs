//! The mail outbox: a message is written in the transaction of what it carries, then sent by the
//! mailer. A node claims a message (with a random token, for a while) before sending it, so two
//! nodes never send one message at once, and only the holder of the claim may finish it. The
//! subject and bodies (which hold codes) are cleared once the message is sent or given up.

use chrono::{DateTime, Duration, Utc};
use latchkey_entities::mail_outbox;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect,
};

use crate::Result;
use crate::model::mail::Message;
use crate::secrets::new_secret;

const PENDING: &str = "pending";
const SENT: &str = "sent";
const FAILED: &str = "failed";
/// What is left of a subject once the message is done.
const REDACTED: &str = "[redacted]";

/// A message taken to send: only this claim may finish it.
#[derive(Clone, Debug)]
pub struct Claimed {
    pub id: String,
    pub claim: String,
    pub attempts: u32,
    pub created_at: DateTime<Utc>,
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
        claimed_by: Set(None),
        development: Set(message.development),
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

/// When a pending message can next be taken: the earliest retry time among unclaimed ones, or
/// the earliest end of a claim (a node that stopped halfway leaves its claim to run out).
pub async fn next_due_at(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>> {
    let retry = mail_outbox::Entity::find()
        .select_only()
        .column(mail_outbox::Column::NextAttemptAt)
        .filter(mail_outbox::Column::Status.eq(PENDING))
        .filter(unclaimed(now))
        .order_by_asc(mail_outbox::Column::NextAttemptAt)
        .into_tuple::<DateTime<Utc>>()
        .one(db)
        .await?;
    let claim_ends = mail_outbox::Entity::find()
        .select_only()
        .column(mail_outbox::Column::ClaimedUntil)
        .filter(mail_outbox::Column::Status.eq(PENDING))
        .filter(mail_outbox::Column::ClaimedUntil.gt(now))
        .order_by_asc(mail_outbox::Column::ClaimedUntil)
        .into_tuple::<DateTime<Utc>>()
        .one(db)
        .await?;
    Ok(match (retry, claim_ends) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    })
}

/// Takes message `id` until `now + hold`, when it is still pending and nobody holds it.
/// `None` when another node has it or it is done.
pub async fn claim(
    db: &impl ConnectionTrait,
    id: &str,
    now: DateTime<Utc>,
    hold: Duration,
) -> Result<Option<Claimed>> {
    let token = new_secret("");
    let claimed = mail_outbox::Entity::update_many()
        .col_expr(mail_outbox::Column::ClaimedUntil, Expr::value(now + hold))
        .col_expr(mail_outbox::Column::ClaimedBy, Expr::value(token.clone()))
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
    Ok(Some(Claimed {
        attempts: u32::try_from(row.attempts).unwrap_or(0),
        created_at: row.created_at,
        claim: token,
        id: row.id,
        message: Message {
            to: row.to_address,
            from_address: row.from_address,
            from_name: row.from_name,
            subject: row.subject,
            text: row.text_body.unwrap_or_default(),
            html: row.html_body.unwrap_or_default(),
            development: row.development,
        },
    }))
}

fn attempts_value(attempts: u32) -> Expr {
    Expr::value(i32::try_from(attempts).unwrap_or(i32::MAX))
}

/// Writes the outcome of a claimed message, only while the claim is still this one. Gives
/// whether it was written.
async fn finish(
    db: &impl ConnectionTrait,
    claimed: &Claimed,
    status: &str,
    attempts: u32,
    error: Option<String>,
    now: DateTime<Utc>,
) -> Result<bool> {
    let mut update = mail_outbox::Entity::update_many()
        .col_expr(mail_outbox::Column::Status, Expr::value(status))
        .col_expr(mail_outbox::Column::Attempts, attempts_value(attempts))
        .col_expr(mail_outbox::Column::Subject, Expr::value(REDACTED))
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
        .col_expr(
            mail_outbox::Column::ClaimedBy,
            Expr::value(Option::<String>::None),
        )
        .col_expr(mail_outbox::Column::LastError, Expr::value(error));
    if status == SENT {
        update = update.col_expr(mail_outbox::Column::SentAt, Expr::value(now));
    }
    let result = update
        .filter(mail_outbox::Column::Id.eq(claimed.id.as_str()))
        .filter(mail_outbox::Column::ClaimedBy.eq(claimed.claim.as_str()))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Marks a message sent (subject and bodies cleared).
pub async fn mark_sent(
    db: &impl ConnectionTrait,
    claimed: &Claimed,
    attempts: u32,
    now: DateTime<Utc>,
) -> Result<bool> {
    finish(db, claimed, SENT, attempts, None, now).await
}

/// Gives a message up (subject and bodies cleared).
pub async fn mark_failed(
    db: &impl ConnectionTrait,
    claimed: &Claimed,
    attempts: u32,
    error: String,
    now: DateTime<Utc>,
) -> Result<bool> {
    finish(db, claimed, FAILED, attempts, Some(error), now).await
}

/// Puts a message back to be tried again at `next_attempt_at`.
pub async fn retry_at(
    db: &impl ConnectionTrait,
    claimed: &Claimed,
    attempts: u32,
    error: String,
    next_attempt_at: DateTime<Utc>,
) -> Result<bool> {
    let result = mail_outbox::Entity::update_many()
        .col_expr(mail_outbox::Column::Attempts, attempts_value(attempts))
        .col_expr(
            mail_outbox::Column::NextAttemptAt,
            Expr::value(next_attempt_at),
        )
        .col_expr(
            mail_outbox::Column::ClaimedUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(
            mail_outbox::Column::ClaimedBy,
            Expr::value(Option::<String>::None),
        )
        .col_expr(mail_outbox::Column::LastError, Expr::value(Some(error)))
        .filter(mail_outbox::Column::Id.eq(claimed.id.as_str()))
        .filter(mail_outbox::Column::ClaimedBy.eq(claimed.claim.as_str()))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}
