//! The mailer: sends what the outbox holds. Woken when a message is committed, it also polls,
//! so pending mail is resumed after a restart and mail committed by other nodes goes out. A
//! message is marked sent only once the SMTP server accepted it; a failure is retried with
//! exponential backoff (1 s doubling to 5 min) until the message is a day old.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration as StdDuration;

use actix::{
    Actor, ActorContext, ActorFutureExt, AsyncContext, Context, Handler, Message,
    ResponseActFuture, SpawnHandle, WrapFuture,
};
use chrono::Duration;

use crate::clock::Clock;
use crate::mail::transport::{DeliveryError, Transport};
use crate::store::mail_outbox::Claimed;
use crate::store::{self, Db};

/// Messages sent in one pass before the mailer looks again.
const BATCH: u64 = 50;
/// A message still undelivered this long after it was written is given up.
pub const GIVE_UP_AFTER_HOURS: i64 = 24;
/// How long a node holds a message it is sending (well over the SMTP timeouts).
const CLAIM: i64 = 120;
/// How often the outbox is polled even when nothing wakes the mailer.
const POLL: StdDuration = StdDuration::from_secs(15);

/// The delay before attempt `attempts + 1`, after `attempts` failures: 1 s, 2 s, 4 s, … 5 min.
pub fn backoff(attempts: u32) -> Duration {
    let seconds = 1i64 << attempts.saturating_sub(1).min(16);
    Duration::seconds(seconds.min(300))
}

/// Tells the mailer that mail was committed.
#[derive(Message, Debug)]
#[rtype(result = "()")]
pub struct Wake;

/// Stops the mailer once the message in flight (if any) is done: the pass in progress takes no
/// further message, so nothing is cut off halfway.
#[derive(Message, Debug)]
#[rtype(result = "()")]
pub struct Shutdown;

/// The mailer actor.
pub struct Mailer {
    db: Db,
    transport: Transport,
    clock: Arc<dyn Clock>,
    draining: bool,
    woken_while_draining: bool,
    /// Off in one-off commands (mail committed there waits for a server), and once stopping.
    enabled: Arc<AtomicBool>,
    /// `true` while no pass runs.
    idle: tokio::sync::watch::Sender<bool>,
    /// The one timer for the next due message.
    timer: Option<SpawnHandle>,
}

impl Mailer {
    /// A mailer over `db`, delivering with `transport`; `enabled: false` sends nothing.
    pub fn new(db: Db, transport: Transport, clock: Arc<dyn Clock>, enabled: bool) -> Self {
        Self {
            db,
            transport,
            clock,
            draining: false,
            woken_while_draining: false,
            enabled: Arc::new(AtomicBool::new(enabled)),
            idle: tokio::sync::watch::channel(true).0,
            timer: None,
        }
    }

    fn drain(&mut self, ctx: &mut Context<Self>) {
        if !self.enabled.load(Ordering::SeqCst) {
            return;
        }
        if self.draining {
            self.woken_while_draining = true;
            return;
        }
        self.draining = true;
        self.idle.send_replace(false);
        let pass = Pass {
            db: self.db.clone(),
            transport: self.transport.clone(),
            clock: self.clock.clone(),
            enabled: self.enabled.clone(),
        };
        let work = async move {
            if let Err(err) = pass.send_due().await {
                // Try again at the next poll, not at once: a lasting error must not spin.
                tracing::error!(error = %err, "the mailer could not work through the outbox");
                return Some(POLL);
            }
            pass.next_delay().await
        };
        ctx.spawn(work.into_actor(self).map(|next, act, ctx| {
            act.draining = false;
            act.idle.send_replace(true);
            if !act.enabled.load(Ordering::SeqCst) {
                return;
            }
            if let Some(timer) = act.timer.take() {
                ctx.cancel_future(timer);
            }
            if std::mem::take(&mut act.woken_while_draining) {
                ctx.notify(Wake);
            } else if let Some(delay) = next {
                act.timer = Some(ctx.notify_later(Wake, delay));
            }
        }));
    }
}

/// One pass over the outbox, off the actor.
struct Pass {
    db: Db,
    transport: Transport,
    clock: Arc<dyn Clock>,
    enabled: Arc<AtomicBool>,
}

impl Pass {
    async fn send_due(&self) -> crate::Result<()> {
        loop {
            let due = store::mail_outbox::due(&self.db, self.clock.now(), BATCH).await?;
            if due.is_empty() {
                return Ok(());
            }
            for id in due {
                if !self.enabled.load(Ordering::SeqCst) {
                    return Ok(());
                }
                let hold = Duration::seconds(CLAIM);
                let claimed =
                    store::mail_outbox::claim(&self.db, &id, self.clock.now(), hold).await?;
                if let Some(claimed) = claimed {
                    self.send(claimed).await?;
                }
            }
        }
    }

    async fn send(&self, claimed: Claimed) -> crate::Result<()> {
        let db = &self.db;
        let attempts = claimed.attempts + 1;
        let id = claimed.id.clone();
        let now = || self.clock.now();
        let expired = now() - claimed.created_at >= Duration::hours(GIVE_UP_AFTER_HOURS);
        let written = match self.transport.deliver(&id, &claimed.message).await {
            Ok(()) => {
                tracing::info!(mail_id = %id, attempts, "mail sent");
                store::mail_outbox::mark_sent(db, &claimed, attempts, now()).await?
            }
            Err(DeliveryError::Permanent(error)) => {
                tracing::warn!(mail_id = %id, attempts, %error, "mail refused for good");
                store::mail_outbox::mark_failed(db, &claimed, attempts, error, now()).await?
            }
            Err(DeliveryError::Transient(error)) if expired => {
                tracing::warn!(mail_id = %id, attempts, %error, "mail given up after a day of retries");
                store::mail_outbox::mark_failed(db, &claimed, attempts, error, now()).await?
            }
            Err(DeliveryError::Transient(error)) => {
                let next = now() + backoff(attempts);
                tracing::warn!(mail_id = %id, attempts, %error, retry_at = %next, "mail not sent; will retry");
                store::mail_outbox::retry_at(db, &claimed, attempts, error, next).await?
            }
        };
        if !written {
            tracing::warn!(mail_id = %id, "the claim on a message ran out while it was sent");
        }
        Ok(())
    }

    /// How long until a pending message can next be taken (at most the polling interval).
    async fn next_delay(&self) -> Option<StdDuration> {
        let now = self.clock.now();
        match store::mail_outbox::next_due_at(&self.db, now).await {
            Ok(next) => next.map(|at| {
                (at - now)
                    .to_std()
                    .unwrap_or(StdDuration::ZERO)
                    .max(StdDuration::from_millis(100))
                    .min(POLL)
            }),
            Err(err) => {
                tracing::error!(error = %err, "the mailer could not read the outbox");
                None
            }
        }
    }
}

impl Actor for Mailer {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Self::Context) {
        self.drain(ctx);
        ctx.run_interval(POLL, |act, ctx| act.drain(ctx));
    }
}

impl Handler<Shutdown> for Mailer {
    type Result = ResponseActFuture<Self, ()>;

    fn handle(&mut self, _: Shutdown, _: &mut Self::Context) -> Self::Result {
        self.enabled.store(false, Ordering::SeqCst);
        let mut idle = self.idle.subscribe();
        let finished = async move {
            let _ = idle.wait_for(|idle| *idle).await;
        };
        Box::pin(finished.into_actor(self).map(|(), _, ctx| ctx.stop()))
    }
}

impl Handler<Wake> for Mailer {
    type Result = ();

    fn handle(&mut self, _: Wake, ctx: &mut Self::Context) {
        self.drain(ctx);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_one_second_to_five_minutes() {
        assert_eq!(backoff(1), Duration::seconds(1));
        assert_eq!(backoff(2), Duration::seconds(2));
        assert_eq!(backoff(5), Duration::seconds(16));
        assert_eq!(backoff(9), Duration::seconds(256));
        assert_eq!(backoff(10), Duration::seconds(300));
        assert_eq!(backoff(40), Duration::seconds(300));
    }
}
