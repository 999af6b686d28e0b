//! What the client actor does for each command: load what it needs, ask `model` what happens,
//! write the outcome in one transaction through `store`, and give back the client's new state.
//! Each flow takes the current state and returns the next one; nothing changes on an error.

pub mod attempts;
pub mod expiry;
pub mod memberships;
pub mod second_factors;
pub mod sessions;
pub mod sign_in;
pub mod sign_up;

use chrono::{DateTime, Utc};
use sea_orm::ConnectionTrait;

use crate::ids::{IdKind, new_id};
use crate::mail;
use crate::model::instance::{Environment, Instance};
use crate::services::Services;

/// Writes the message carrying `code` to `to` into the outbox, inside the transaction that
/// stores the code's hash. The caller wakes the mailer (`Services::mail_committed`) after commit.
pub(crate) async fn enqueue_code(
    txn: &impl ConnectionTrait,
    svc: &Services,
    instance: &Instance,
    to: &str,
    code: &str,
    now: DateTime<Utc>,
) -> crate::Result<()> {
    let lifetime = instance.settings.verification.code_lifetime_seconds;
    let message = mail::Message {
        development: instance.environment == Environment::Development,
        ..mail::verification_code(to, &svc.sender(instance), code, lifetime)
    };
    crate::store::mail_outbox::enqueue(txn, &instance.id, &new_id(IdKind::Mail), &message, now)
        .await
}
