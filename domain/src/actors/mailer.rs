//! The mailer: sends what the outbox holds. Woken when a message is committed, it also polls,
//! so pending mail is resumed after a restart and mail committed by other nodes goes out. A
//! message is marked sent only once the SMTP server accepted it; a failure is retried with
//! exponential backoff (1 s doubling to 5 min) until `MAX_ATTEMPTS`.

use std::sync::Arc;
use std::time::Duration as StdDuration;

use actix::{
    Actor, ActorContext, ActorFutureExt, AsyncContext, Context, Handler, Message,
    ResponseActFuture, WrapFuture,
};
use chrono::Duration;

use crate::clock::Clock;
use crate::mail::transport::{DeliveryError, Transport};
use crate::store::{self, Db};

/// Messages sent in one pass before the mailer looks again.
const BATCH: u64 = 50;
/// A message is given up after this many failed attempts.
pub const MAX_ATTEMPTS: u32 = 12;
/// How long a node holds a message it is sending.
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

/// Stops the mailer once the pass in progress (if any) has finished, so nothing is cut off
/// halfway (a message is either sent and marked, or left pending).
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
    /// Off in one-off commands: mail committed there waits for a server.
    enabled: bool,
    /// `true` while no pass runs.
    idle: tokio::sync::watch::Sender<bool>,
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
            enabled,
            idle: tokio::sync::watch::channel(true).0,
        }
    }

    fn drain(&mut self, ctx: &mut Context<Self>) {
        if !self.enabled {
            return;
        }
        if self.draining {
            self.woken_while_draining = true;
            return;
        }
        self.draining = true;
        self.idle.send_replace(false);
        let (db, transport, clock) = (self.db.clone(), self.transport.clone(), self.clock.clone());
        let pass = async move {
            if let Err(err) = send_due(&db, &transport, clock.as_ref()).await {
                tracing::error!(error = %err, "the mailer could not read the outbox");
            }
            match store::mail_outbox::next_due_at(&db).await {
                Ok(next) => next.map(|at| {
                    (at - clock.now())
                        .to_std()
                        .unwrap_or(StdDuration::ZERO)
                        .min(POLL)
                }),
                Err(_) => None,
            }
        };
        ctx.spawn(pass.into_actor(self).map(|next, act, ctx| {
            act.draining = false;
            act.idle.send_replace(true);
            if !act.enabled {
                return;
            }
            if std::mem::take(&mut act.woken_while_draining) {
                ctx.notify(Wake);
            } else if let Some(delay) = next {
                ctx.notify_later(Wake, delay);
            }
        }));
    }
}

async fn send_due(db: &Db, transport: &Transport, clock: &dyn Clock) -> crate::Result<()> {
    loop {
        let due = store::mail_outbox::due(db, clock.now(), BATCH).await?;
        if due.is_empty() {
            return Ok(());
        }
        for id in due {
            let claimed =
                store::mail_outbox::claim(db, &id, clock.now(), Duration::seconds(CLAIM)).await?;
            let Some(pending) = claimed else { continue };
            let attempts = pending.attempts + 1;
            match transport.deliver(&pending.id, &pending.message).await {
                Ok(()) => {
                    store::mail_outbox::mark_sent(db, &id, attempts, clock.now()).await?;
                    tracing::info!(mail_id = %id, attempts, "mail sent");
                }
                Err(DeliveryError::Permanent(error)) => {
                    tracing::warn!(mail_id = %id, attempts, %error, "mail refused for good");
                    store::mail_outbox::mark_failed(db, &id, attempts, error, clock.now()).await?;
                }
                Err(DeliveryError::Transient(error)) if attempts >= MAX_ATTEMPTS => {
                    tracing::warn!(mail_id = %id, attempts, %error, "mail given up");
                    store::mail_outbox::mark_failed(db, &id, attempts, error, clock.now()).await?;
                }
                Err(DeliveryError::Transient(error)) => {
                    let next = clock.now() + backoff(attempts);
                    tracing::warn!(mail_id = %id, attempts, %error, retry_at = %next, "mail not sent; will retry");
                    store::mail_outbox::retry_at(db, &id, attempts, error, next).await?;
                }
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
        self.enabled = false;
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
