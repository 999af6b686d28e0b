//! What the actors share: the database, the clock, the password hasher, the mailer, and how mail
//! is addressed.

use std::sync::Arc;

use actix::Addr;

use crate::actors::hasher::Hasher;
use crate::actors::mailer::{Mailer, Wake};
use crate::clock::Clock;
use crate::store::Db;

/// Shared by every client actor.
pub struct Services {
    pub db: Db,
    pub clock: Arc<dyn Clock>,
    pub hasher: Hasher,
    pub mailer: Addr<Mailer>,
    /// The sender address of mail; the display name is the instance's name.
    pub mail_from: String,
}

impl std::fmt::Debug for Services {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Services")
            .field("mail_from", &self.mail_from)
            .finish_non_exhaustive()
    }
}

impl Services {
    /// Tells the mailer that mail was committed.
    pub fn mail_committed(&self) {
        self.mailer.do_send(Wake);
    }
}
