//! Rate limits, per instance and per subject (a client IP, a secret key, an identifier), with
//! Clerk's published defaults. Keys always carry the instance id, so one instance can never
//! throttle another.
//!
//! Two stores:
//! - `Memory` (the default): governor's GCRA per key in this process. Right for one node; with
//!   several nodes behind a load balancer each node counts alone, so the effective limit is the
//!   per-node limit times the number of nodes.
//! - `Database`: a fixed-window counter per key in the shared database (one upsert per check),
//!   so every node counts against the same total. Costs a write per limited request.

use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use governor::clock::{Clock as _, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota as GcraQuota};
use sea_orm::{ConnectionTrait, Statement};

use crate::store::{Db, raw_sql};
use crate::{Error, Result};

/// What is being limited.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LimitKind {
    /// Creating a sign-in, per client IP.
    SignIn,
    /// Creating or changing a sign-up, or sending its code, per client IP.
    SignUp,
    /// A factor or verification attempt, per client IP.
    Attempt,
    /// Any call with a secret key, per key.
    Backend,
}

impl LimitKind {
    fn name(self) -> &'static str {
        match self {
            Self::SignIn => "sign_in",
            Self::SignUp => "sign_up",
            Self::Attempt => "attempt",
            Self::Backend => "backend",
        }
    }
}

/// `count` events per `period_seconds`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Quota {
    pub count: u32,
    pub period_seconds: u32,
}

impl Quota {
    /// `count` per `period_seconds`.
    pub const fn new(count: u32, period_seconds: u32) -> Self {
        Self {
            count,
            period_seconds,
        }
    }
}

/// Where counts are kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LimitStore {
    Memory,
    Database,
}

/// The limits of the server.
#[derive(Clone, Debug)]
pub struct RateLimits {
    pub store: LimitStore,
    pub sign_in: Quota,
    pub sign_up: Quota,
    pub attempt: Quota,
    pub backend: Quota,
}

impl Default for RateLimits {
    /// Clerk's defaults: sign-in and sign-up creation 5 per 10 s per IP, attempts 3 per 10 s
    /// per IP, backend calls 1,000 per 10 s per secret key.
    fn default() -> Self {
        Self {
            store: LimitStore::Memory,
            sign_in: Quota::new(5, 10),
            sign_up: Quota::new(5, 10),
            attempt: Quota::new(3, 10),
            backend: Quota::new(1000, 10),
        }
    }
}

impl RateLimits {
    fn quota(&self, kind: LimitKind) -> Quota {
        match kind {
            LimitKind::SignIn => self.sign_in,
            LimitKind::SignUp => self.sign_up,
            LimitKind::Attempt => self.attempt,
            LimitKind::Backend => self.backend,
        }
    }
}

/// Checks and counts events against the limits.
pub struct RateLimiter {
    limits: RateLimits,
    memory: [DefaultKeyedRateLimiter<String>; 4],
    checks: AtomicU64,
}

impl std::fmt::Debug for RateLimiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RateLimiter")
            .field("limits", &self.limits)
            .finish()
    }
}

fn gcra(quota: Quota) -> GcraQuota {
    let count = NonZeroU32::new(quota.count.max(1)).unwrap_or(NonZeroU32::MIN);
    let period = Duration::from_secs(u64::from(quota.period_seconds.max(1)));
    GcraQuota::with_period(period / count.get())
        .unwrap_or_else(|| GcraQuota::per_second(count))
        .allow_burst(count)
}

const KINDS: [LimitKind; 4] = [
    LimitKind::SignIn,
    LimitKind::SignUp,
    LimitKind::Attempt,
    LimitKind::Backend,
];

impl RateLimiter {
    /// A limiter with these limits.
    pub fn new(limits: RateLimits) -> Self {
        let memory = KINDS.map(|kind| DefaultKeyedRateLimiter::keyed(gcra(limits.quota(kind))));
        Self {
            limits,
            memory,
            checks: AtomicU64::new(0),
        }
    }

    /// Counts one event of `kind` by `subject` in `instance_id`; `RATE_LIMITED` with the seconds
    /// to wait when over the limit. `now` is seconds since the epoch (database store).
    pub async fn check(
        &self,
        db: &Db,
        kind: LimitKind,
        instance_id: &str,
        subject: &str,
        now: i64,
    ) -> Result<()> {
        let key = format!("{}:{instance_id}:{subject}", kind.name());
        match self.limits.store {
            LimitStore::Memory => self.check_memory(kind, key),
            LimitStore::Database => {
                if self
                    .checks
                    .fetch_add(1, Ordering::Relaxed)
                    .is_multiple_of(1024)
                {
                    purge_database(db, now).await?;
                }
                check_database(db, self.limits.quota(kind), &key, now).await
            }
        }
    }

    fn check_memory(&self, kind: LimitKind, key: String) -> Result<()> {
        let index = KINDS.iter().position(|k| *k == kind).unwrap_or(0);
        let limiter = &self.memory[index];
        // Forget keys whose state has fully replenished, at most every 1,024 checks: keeps
        // memory bounded without scanning on every call.
        if self
            .checks
            .fetch_add(1, Ordering::Relaxed)
            .is_multiple_of(1024)
        {
            limiter.retain_recent();
        }
        limiter.check_key(&key).map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            Error::RateLimited {
                retry_after: wait.as_secs() + u64::from(wait.subsec_nanos() > 0),
            }
        })
    }
}

/// Deletes counters whose window ended more than an hour ago (no quota is longer).
async fn purge_database(db: &Db, now: i64) -> Result<()> {
    let backend = db.get_database_backend();
    let sql = raw_sql(
        backend,
        "DELETE FROM rate_limit_counters WHERE window_start < $1",
    );
    db.execute_raw(Statement::from_sql_and_values(
        backend,
        sql,
        [(now - 3600).into()],
    ))
    .await?;
    Ok(())
}

/// Fixed window in the shared database: one upsert that starts a new window or counts in the
/// current one, returning the count.
async fn check_database(db: &Db, quota: Quota, key: &str, now: i64) -> Result<()> {
    let period = i64::from(quota.period_seconds.max(1));
    let window_start = now - now.rem_euclid(period);
    let backend = db.get_database_backend();
    let sql = raw_sql(
        backend,
        "INSERT INTO rate_limit_counters (key, window_start, count) VALUES ($1, $2, 1) \
         ON CONFLICT (key) DO UPDATE SET \
           count = CASE WHEN rate_limit_counters.window_start = excluded.window_start \
                        THEN rate_limit_counters.count + 1 ELSE 1 END, \
           window_start = excluded.window_start \
         RETURNING count",
    );
    let row = db
        .query_one_raw(Statement::from_sql_and_values(
            backend,
            sql,
            [key.into(), window_start.into()],
        ))
        .await?
        .ok_or_else(|| Error::internal("the rate-limit upsert returned no row"))?;
    let count: i32 = row.try_get("", "count")?;
    if i64::from(count) > i64::from(quota.count) {
        let retry_after = u64::try_from(window_start + period - now)
            .unwrap_or(1)
            .max(1);
        return Err(Error::RateLimited { retry_after });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_memory_store_allows_the_burst_then_refuses_with_a_wait() {
        let limiter = RateLimiter::new(RateLimits {
            backend: Quota::new(3, 10),
            ..RateLimits::default()
        });
        for _ in 0..3 {
            limiter
                .check_memory(LimitKind::Backend, "backend:ins_a:k".to_owned())
                .unwrap();
        }
        match limiter.check_memory(LimitKind::Backend, "backend:ins_a:k".to_owned()) {
            Err(Error::RateLimited { retry_after }) => {
                assert!((1..=4).contains(&retry_after), "{retry_after}")
            }
            other => panic!("expected RATE_LIMITED, got {other:?}"),
        }
        // Another instance, and another kind, count apart.
        limiter
            .check_memory(LimitKind::Backend, "backend:ins_b:k".to_owned())
            .unwrap();
        limiter
            .check_memory(LimitKind::SignIn, "sign_in:ins_a:k".to_owned())
            .unwrap();
    }
}
