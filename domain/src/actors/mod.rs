//! actix actors, thin: they own a mailbox, in-memory state and timers, and hand every decision to
//! `model` through `flows`.
//!
//! - [`registry`]: client actors, sharded over one arbiter per core, stopped when idle.
//! - [`client`]: one per frontend client; its commands run one at a time.
//! - [`mailer`]: sends the mail outbox over SMTP (or to the log).
//! - [`expiry`]: sessions past their expiry become `EXPIRED`, with their events.
//! - [`hasher`]: the bounded argon2 pool (not an actor: a semaphore over blocking threads).

pub mod client;
pub mod expiry;
pub mod hasher;
pub mod mailer;
pub mod registry;
pub mod sweeper;
