//! Sweeps what time has ended: unfinished sign-ups and sign-ins a week after they were abandoned
//! (both are abandoned after 24 idle hours), failure counts of unknown identifiers a day after
//! their last attempt, budgets of attempts once they are full again, expired handoff codes, retired signing keys once no token can carry them, and events and
//! finished webhook deliveries after a week.

use std::time::Duration as StdDuration;

use actix::{Actor, AsyncContext, Context, WrapFuture};
use chrono::Duration;

use crate::clock::Clock;
use crate::model::sign_up::ABANDON_AFTER_HOURS;
use crate::store::{self, Db};

/// How long an abandoned sign-up is kept before it is deleted.
pub const KEEP_ABANDONED_DAYS: i64 = 7;
/// How long events (and finished webhook deliveries) are kept: `since` can replay this far.
pub const KEEP_EVENTS_DAYS: i64 = 7;
const EVERY: StdDuration = StdDuration::from_secs(3600);

/// The sweeper actor.
pub struct Sweeper {
    db: Db,
    clock: std::sync::Arc<dyn Clock>,
}

impl Sweeper {
    /// A sweeper over `db`.
    pub fn new(db: Db, clock: std::sync::Arc<dyn Clock>) -> Self {
        Self { db, clock }
    }

    fn sweep(&mut self, ctx: &mut Context<Self>) {
        let now = self.clock.now();
        let before =
            now - Duration::hours(ABANDON_AFTER_HOURS) - Duration::days(KEEP_ABANDONED_DAYS);
        let db = self.db.clone();
        ctx.spawn(
            async move {
                match store::sign_ups::purge_abandoned(&db, before).await {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(deleted = n, "purged abandoned sign-ups"),
                    Err(err) => tracing::error!(error = %err, "purging abandoned sign-ups failed"),
                }
                match store::sign_ins::purge_abandoned(&db, before).await {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(deleted = n, "purged abandoned sign-ins"),
                    Err(err) => tracing::error!(error = %err, "purging abandoned sign-ins failed"),
                }
                let day_ago = now - Duration::days(1);
                if let Err(err) = store::sign_in_failures::purge(&db, day_ago, now).await {
                    tracing::error!(error = %err, "purging old sign-in failure counts failed");
                }
                let now_ms = crate::model::attempt_budget::millis(now);
                if let Err(err) = store::attempt_budgets::purge(&db, now_ms).await {
                    tracing::error!(error = %err, "purging full attempt budgets failed");
                }
                if let Err(err) = store::handoffs::purge(&db, now).await {
                    tracing::error!(error = %err, "purging expired handoff codes failed");
                }
                if let Err(err) = store::signing_keys::purge_unpublished(&db, now).await {
                    tracing::error!(error = %err, "purging retired signing keys failed");
                }
                let kept_from = now - Duration::days(KEEP_EVENTS_DAYS);
                if let Err(err) = store::events::purge(&db, kept_from).await {
                    tracing::error!(error = %err, "purging old events failed");
                }
                if let Err(err) = store::webhooks::purge(&db, kept_from).await {
                    tracing::error!(error = %err, "purging old webhook deliveries failed");
                }
            }
            .into_actor(self),
        );
    }
}

impl Actor for Sweeper {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Self::Context) {
        // The first sweep an interval after start: a server that is stopped right away (a test,
        // a crash loop) is never cut off in the middle of one.
        ctx.run_interval(EVERY, |act, ctx| act.sweep(ctx));
    }
}
