//! What the actors share: the database, the clock, the password hasher, the mailer, and how mail
//! is addressed.

use std::sync::Arc;

use actix::Addr;

use crate::actors::hasher::Hasher;
use crate::actors::mailer::{Mailer, Wake};
use crate::clock::Clock;
use crate::mail::Sender;
use crate::model::instance::Instance;
use crate::store::Db;

/// Shared by every client actor.
pub struct Services {
    pub db: Db,
    pub clock: Arc<dyn Clock>,
    pub hasher: Hasher,
    pub mailer: Addr<Mailer>,
    /// The sender address of mail; the display name is the instance's name.
    pub mail_from: String,
    /// Domains an instance may send from as its own sender.
    pub mail_from_domains: Vec<String>,
    /// A hash of a random password, checked when the identifier is unknown so that a sign-in
    /// takes as long whether the user exists or not.
    pub dummy_hash: String,
}

impl std::fmt::Debug for Services {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Services")
            .field("mail_from", &self.mail_from)
            .finish_non_exhaustive()
    }
}

impl Services {
    /// Who an instance's mail is from: its own sender when the server allows that domain,
    /// otherwise the server's address; its own name, or the instance's.
    pub fn sender<'a>(&'a self, instance: &'a Instance) -> Sender<'a> {
        let own = instance
            .settings
            .mail
            .from_address
            .as_deref()
            .filter(|address| {
                crate::platform::domain_of(address)
                    .is_some_and(|domain| self.mail_from_domains.contains(&domain))
            });
        Sender {
            address: own.unwrap_or(&self.mail_from),
            name: instance
                .settings
                .mail
                .from_name
                .as_deref()
                .unwrap_or(&instance.name),
            instance_name: &instance.name,
        }
    }

    /// Tells the mailer that mail was committed.
    pub fn mail_committed(&self) {
        self.mailer.do_send(Wake);
    }
}
