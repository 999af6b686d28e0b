//! Expiry: active sessions past their lifetime or inactivity timeout become `EXPIRED`, each with
//! its `session.expired` event. Every node sweeps; a session moves only if it is still active,
//! so exactly one node writes its event.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use sea_orm::TransactionTrait;

use crate::model::event::{EventType, NewEvent};
use crate::model::session::{Session, SessionStatus};
use crate::services::Services;
use crate::store::activity::EXPIRY_GRACE;
use crate::{Result, store};

/// Sessions expired in one pass at most.
const BATCH: u64 = 500;

/// Expires what is due at `now`: sessions whose stored expiry passed more than
/// `EXPIRY_GRACE` ago (activity is written behind, so a stored expiry may lag the actor's by
/// one flush); gives how many sessions expired.
pub async fn expire_due(svc: &Services, now: DateTime<Utc>) -> Result<usize> {
    let grace = chrono::Duration::from_std(EXPIRY_GRACE).unwrap_or_default();
    let cutoff = now - grace;
    let due = store::sessions::due_to_expire(&svc.db, cutoff, BATCH).await?;
    let mut by_instance: BTreeMap<String, Vec<Session>> = BTreeMap::new();
    for session in due {
        by_instance
            .entry(session.instance_id.clone())
            .or_default()
            .push(session);
    }
    let mut expired = 0;
    for (instance_id, sessions) in by_instance {
        // One instance failing does not hold up the others.
        match expire_in(svc, &instance_id, sessions, cutoff, now).await {
            Ok(n) => expired += n,
            Err(err) => tracing::error!(error = %err, instance_id, "expiring sessions failed"),
        }
    }
    Ok(expired)
}

async fn expire_in(
    svc: &Services,
    instance_id: &str,
    sessions: Vec<Session>,
    cutoff: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<usize> {
    let txn = svc.db.begin().await?;
    let mut events = Vec::new();
    for mut session in sessions {
        // Only if still active and still past its expiry (activity may have moved it since).
        if store::sessions::expire(&txn, instance_id, &session.id, cutoff, now).await? {
            session.status = SessionStatus::Expired;
            session.updated_at = now;
            events.push(NewEvent::session(EventType::SessionExpired, &session));
        }
    }
    store::events::append(&txn, instance_id, &events, now).await?;
    txn.commit().await?;
    if !events.is_empty() {
        svc.events.committed(instance_id);
    }
    Ok(events.len())
}
