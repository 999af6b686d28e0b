//! The expiry actor: every few seconds, sessions past their expiry become `EXPIRED` (with their
//! `session.expired` events), so subscribers and webhooks hear of it close to when it happens.

use std::sync::Arc;
use std::time::Duration;

use actix::{Actor, ActorFutureExt, AsyncContext, Context, WrapFuture};

use crate::flows::expiry::expire_due;
use crate::services::Services;

/// How often expired sessions are looked for.
pub const EVERY: Duration = Duration::from_secs(2);

/// The expiry actor.
pub struct Expiry {
    services: Arc<Services>,
    running: bool,
}

impl Expiry {
    /// An expiry sweeper over the services' database.
    pub fn new(services: Arc<Services>) -> Self {
        Self {
            services,
            running: false,
        }
    }
}

impl Actor for Expiry {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Self::Context) {
        ctx.run_interval(EVERY, |act, ctx| {
            if act.running {
                return;
            }
            act.running = true;
            let services = act.services.clone();
            ctx.spawn(
                async move {
                    match expire_due(&services, services.clock.now()).await {
                        Ok(0) => {}
                        Ok(n) => tracing::info!(expired = n, "sessions expired"),
                        Err(err) => tracing::error!(error = %err, "expiring sessions failed"),
                    }
                }
                .into_actor(act)
                .map(|(), act: &mut Self, _| act.running = false),
            );
        });
    }
}
