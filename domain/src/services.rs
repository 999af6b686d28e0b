//! What the actors share: the database, the clock, the password hasher, the mailer, and how mail
//! is addressed.

use std::sync::Arc;

use actix::{Addr, Recipient};

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
    /// Keys the made-up ids shown for unknown identifiers: stable across restarts and nodes,
    /// and not computable from anything public (it derives from the admin token's hash).
    pub enumeration_key: String,
    /// Seals secrets kept at rest that must be read back (TOTP secrets).
    pub master_key: crate::tokens::master_key::MasterKey,
    /// Every instance's signing keys.
    pub keys: crate::tokens::key_ring::KeyRing,
    /// The URL the server is reached at (token issuers derive from it).
    pub public_url: String,
    /// The registry's shards, told when a user's sessions change from outside their clients.
    pub shards: std::sync::OnceLock<Vec<Recipient<SessionsChanged>>>,
    /// The registry's shards again, told when one client changed (or every client may have).
    pub client_shards: std::sync::OnceLock<Vec<Recipient<ClientChanged>>>,
    /// This node, in the notifications it sends (so it can skip its own).
    pub node_id: String,
    /// Session activity recorded by refreshes, written behind.
    pub activity: crate::store::activity::ActivityLog,
    /// The node's event bus: writers tell it what they committed.
    pub events: crate::events::EventBus,
    /// Wakes the webhook worker (events were handed out).
    pub webhooks_wake: tokio::sync::Notify,
    /// Webhook endpoints may be on loopback, private and link-local addresses.
    pub webhooks_allow_private_networks: bool,
}

impl std::fmt::Debug for Services {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Services")
            .field("mail_from", &self.mail_from)
            .finish_non_exhaustive()
    }
}

/// A user's sessions changed from outside their clients (a password reset elsewhere, a ban),
/// or what their active organization's claim says did: client actors holding one of them read
/// their client again.
#[derive(actix::Message, Clone, Debug)]
#[rtype(result = "()")]
pub struct SessionsChanged {
    pub instance_id: String,
    /// Sessions of this user (of every user when `None`).
    pub user_id: Option<String>,
    /// Sessions whose active organization is this one; with neither this nor `user_id`, every
    /// session with an active organization (a role's permissions changed).
    pub organization_id: Option<String>,
}

/// A client changed in a way its actor cannot know of: through another node, or its sessions
/// did (an event said so). The actor holding it reads it again on its next command.
#[derive(actix::Message, Clone, Debug)]
#[rtype(result = "()")]
pub enum ClientChanged {
    /// One client of an instance.
    One {
        instance_id: String,
        client_id: String,
    },
    /// Every client: notifications may have been lost.
    Every,
}

impl SessionsChanged {
    /// Whether the message is about `session`.
    pub fn concerns(&self, session: &crate::model::session::Session) -> bool {
        let org = session.last_active_organization_id.as_deref();
        match (&self.user_id, &self.organization_id) {
            (Some(user), None) => &session.user_id == user,
            (Some(user), Some(o)) => &session.user_id == user && org == Some(o.as_str()),
            (None, Some(o)) => org == Some(o.as_str()),
            (None, None) => org.is_some(),
        }
    }
}

impl Services {
    /// Tells every client actor of this node that `user_id`'s sessions changed. Other nodes'
    /// actors hear of it from the event the change wrote (the dispatcher calls this again for
    /// every session that ended, wherever it ended).
    pub fn sessions_changed(&self, instance_id: &str, user_id: &str) {
        self.broadcast(SessionsChanged {
            instance_id: instance_id.to_owned(),
            user_id: Some(user_id.to_owned()),
            organization_id: None,
        });
    }

    /// Tells every client actor of this node that the claim of an active organization changed:
    /// of `organization_id` (for `user_id`, or every member), or of every organization (both
    /// `None`: a role's permissions changed).
    pub fn organization_changed(
        &self,
        instance_id: &str,
        organization_id: Option<&str>,
        user_id: Option<&str>,
    ) {
        self.broadcast(SessionsChanged {
            instance_id: instance_id.to_owned(),
            user_id: user_id.map(str::to_owned),
            organization_id: organization_id.map(str::to_owned),
        });
    }

    /// Tells the shards; each tells its actors, whose next commands see the change.
    fn broadcast(&self, message: SessionsChanged) {
        for shard in self.shards.get().into_iter().flatten() {
            shard.do_send(message.clone());
        }
    }

    /// Tells this node's actor of one client, if there is one, to read the client again.
    pub fn client_changed(&self, instance_id: &str, client_id: &str) {
        self.tell_shards(&ClientChanged::One {
            instance_id: instance_id.to_owned(),
            client_id: client_id.to_owned(),
        });
    }

    /// Tells every actor of this node to read its client again (after notifications may have
    /// been lost).
    pub fn every_client_changed(&self) {
        self.tell_shards(&ClientChanged::Every);
    }

    fn tell_shards(&self, message: &ClientChanged) {
        for shard in self.client_shards.get().into_iter().flatten() {
            shard.do_send(message.clone());
        }
    }

    /// A session's factors were verified again (no event records it): the actors holding its
    /// client, here and on every other node, read it again, so its next token has the new `fva`.
    pub async fn factors_verified(&self, session: &crate::model::session::Session) {
        self.client_changed(&session.instance_id, &session.client_id);
        self.client_changed_elsewhere(&session.instance_id, &session.client_id)
            .await;
    }

    /// Tells the other nodes that a client changed (a command changed it: its sign-in, sign-up,
    /// sessions, active session or organization), after commit: their actors holding it read it
    /// again. A failure is logged, not returned: the change is committed, and a node that missed
    /// it reads every client again once its listener reconnects.
    pub async fn client_changed_elsewhere(&self, instance_id: &str, client_id: &str) {
        let sent =
            crate::store::events::notify_client(&self.db, &self.node_id, instance_id, client_id)
                .await;
        if let Err(err) = sent {
            tracing::warn!(error = %err, "telling the other nodes of a client's change failed");
        }
    }

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
