//! Session activity, written behind: a write the store does later, in batches. A token refresh records its session's new `lastActiveAt`
//! (at most once a minute per session: `Session::touch`) here, in memory; every few seconds the
//! node writes what was recorded in a few statements (`store::sessions::record_activity`), so no
//! refresh waits on a write and the client actors never write on a refresh.
//!
//! - A flush only moves times forward and only touches sessions still active and not yet
//!   expired: it never revives one. It also moves each user's `lastActiveAt`.
//! - What is pending is bounded ([`CAPACITY`] sessions); past it, new sessions' times are
//!   dropped (counted in the log) until the next flush, while those pending keep moving.
//! - A flush that fails keeps its records for the next one; a graceful shutdown flushes; a crash
//!   loses at most one interval of activity times, never a session.
//! - Elsewhere the database's expiry lags the actor's by at most one interval (plus the minute
//!   of `touch`), so the expiry sweep waits [`EXPIRY_GRACE`] past a session's stored expiry: a
//!   session refreshed just before its inactivity timeout is not expired under its actor.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use chrono::{DateTime, Utc};

use super::Db;
use crate::Result;
use crate::model::session::{Activity, LatestActivity, Session};

/// How often a node writes the activity it recorded.
pub const FLUSH_EVERY: Duration = Duration::from_secs(5);
/// The most sessions whose activity waits for a flush.
pub const CAPACITY: usize = 100_000;
/// How long past its stored expiry a session is left to the flushes of every node before the
/// sweep expires it: two intervals.
pub const EXPIRY_GRACE: Duration = Duration::from_secs(10);

/// The activity this node recorded and has not written yet.
#[derive(Default)]
pub struct ActivityLog {
    pending: Mutex<HashMap<String, Activity>>,
    /// Records dropped because the log was full, since the last flush.
    dropped: AtomicU64,
    /// Wakes the flusher early (the log is half full).
    wake: tokio::sync::Notify,
}

impl std::fmt::Debug for ActivityLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ActivityLog")
            .field("pending", &self.len())
            .finish_non_exhaustive()
    }
}

impl ActivityLog {
    /// Records `session`'s activity as it stands (after `Session::touch`), and `seen` when it was
    /// used from a new browser, device or address.
    pub fn record(&self, session: &Session, seen: Option<LatestActivity>) {
        self.record_activity(Activity::of(session, seen));
    }

    fn record_activity(&self, activity: Activity) {
        let mut pending = self.pending.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(kept) = pending.get_mut(&activity.session_id) {
            kept.merge(activity);
        } else if pending.len() < CAPACITY {
            pending.insert(activity.session_id.clone(), activity);
        } else {
            self.dropped.fetch_add(1, Ordering::Relaxed);
        }
        if pending.len() >= CAPACITY / 2 {
            self.wake.notify_one();
        }
    }

    /// How many sessions' activity is pending.
    pub fn len(&self) -> usize {
        self.pending
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }

    /// Whether nothing is pending.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn take(&self) -> Vec<Activity> {
        let mut pending = self.pending.lock().unwrap_or_else(PoisonError::into_inner);
        std::mem::take(&mut *pending).into_values().collect()
    }

    /// Writes what is pending; on failure it stays pending (merged with what came meanwhile).
    /// Gives how many sessions moved.
    pub async fn flush(&self, db: &Db, now: DateTime<Utc>) -> Result<u64> {
        let dropped = self.dropped.swap(0, Ordering::Relaxed);
        if dropped > 0 {
            tracing::warn!(
                dropped,
                capacity = CAPACITY,
                "session activity dropped: too many sessions waited for a flush"
            );
        }
        let batch = self.take();
        if batch.is_empty() {
            return Ok(0);
        }
        match super::sessions::record_activity(db, &batch, now).await {
            Ok(moved) => Ok(moved),
            Err(err) => {
                for activity in batch {
                    self.record_activity(activity);
                }
                Err(err)
            }
        }
    }

    /// Flushes every [`FLUSH_EVERY`] (sooner when the log fills), with `now` from `clock`, for as
    /// long as the node runs.
    pub async fn run(&self, db: &Db, clock: &dyn crate::clock::Clock) {
        loop {
            tokio::select! {
                () = tokio::time::sleep(FLUSH_EVERY) => {}
                () = self.wake.notified() => {}
            }
            if let Err(err) = self.flush(db, clock.now()).await {
                tracing::error!(error = %err, "writing session activity failed; kept for the next flush");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::settings::SessionSettings;

    fn session(id: &str, at: i64) -> Session {
        let now = DateTime::from_timestamp(1_800_000_000 + at, 0).unwrap();
        Session::start(
            id.into(),
            "ins".into(),
            "client".into(),
            "user".into(),
            &SessionSettings::default(),
            now,
        )
    }

    #[test]
    fn a_session_is_pending_once_with_its_latest_time() {
        let log = ActivityLog::default();
        log.record(&session("a", 60), None);
        log.record(&session("a", 0), None);
        log.record(&session("b", 0), None);
        assert_eq!(log.len(), 2);
        let taken = log.take();
        let a = taken.iter().find(|a| a.session_id == "a").unwrap();
        assert_eq!(a.last_active_at.timestamp(), 1_800_000_060);
        assert!(log.is_empty());
    }

    #[test]
    fn the_log_is_bounded_and_counts_what_it_drops() {
        let log = ActivityLog::default();
        for n in 0..CAPACITY + 10 {
            log.record(&session(&n.to_string(), 0), None);
        }
        assert_eq!(log.len(), CAPACITY);
        assert_eq!(log.dropped.load(Ordering::Relaxed), 10);
        // A session already pending still moves.
        log.record(&session("0", 60), None);
        let taken = log.take();
        let zero = taken.iter().find(|a| a.session_id == "0").unwrap();
        assert_eq!(zero.last_active_at.timestamp(), 1_800_000_060);
    }
}
