//! What client actors publish so that a token refresh needs no thread hop: each actor, the only
//! writer of its client, publishes a copy of the client after it issued a token, and takes it
//! back before any command of the client runs and when it stops. A refresh on any thread may
//! sign from that copy when nothing changed since, and otherwise asks the actor.
//!
//! **What "nothing changed" means.** A change made from outside the client (a revocation, a ban,
//! an organization's or a role's change) tells the actors (`SessionsChanged`) and then counts a
//! change: the node's change counter moves, and the user's, the organization's or every
//! session's slot records the new count. A refresh that asks the actor reads the counter first
//! and hands it over; the actor publishes its copy with that count. Every change counted by then
//! was told to the actors before, so the actor read it before this refresh (a shard forwards in
//! order, a mailbox delivers in order): the copy holds it. A copy serves a session only while
//! none of that session's slots records a later change. A revocation has counted its change
//! before it answers, so no refresh that starts after it signs from a copy older than it.
//!
//! Slots are shared by hash, so a change may send a few unrelated refreshes to their actors
//! once; it never lets one through.

use std::collections::HashMap;
use std::hash::BuildHasher;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use chrono::{DateTime, Utc};
use foldhash::fast::FixedState;

use crate::model::client::Client;
use crate::model::session::{Session, SessionStatus};

/// Slots of users and organizations (8 bytes each).
const SLOTS: usize = 4096;
/// Locks over the published clients.
const PARTS: usize = 16;

/// A client as its actor published it.
#[derive(Debug)]
pub struct Copy {
    pub client: Client,
    /// The change count its actor was asked at.
    counted: u64,
}

/// The actor that owns a client's place, and what it published.
struct Place {
    owner: u64,
    copy: Option<Arc<Copy>>,
}

/// The clients published on this node, and the changes counted.
pub struct Published {
    /// Keyed by the client token's hash. An actor takes a place for any token presented, so
    /// the keys are the caller's to choose: the map keeps std's keyed hasher.
    parts: Vec<RwLock<HashMap<String, Place>>>,
    /// The last owner handed out.
    owners: AtomicU64,
    count: AtomicU64,
    /// The count of the last change to every session (a role's permissions, say).
    every: AtomicU64,
    slots: Vec<AtomicU64>,
    /// Picks a token hash's part and an id's slot: fast, and the same on every run. A chosen
    /// collision only shares a lock or a slot (a slot shared sends a refresh to its actor).
    hasher: FixedState,
}

impl Default for Published {
    fn default() -> Self {
        Self {
            parts: (0..PARTS).map(|_| RwLock::default()).collect(),
            owners: AtomicU64::new(0),
            count: AtomicU64::new(0),
            every: AtomicU64::new(0),
            slots: (0..SLOTS).map(|_| AtomicU64::new(0)).collect(),
            hasher: Default::default(),
        }
    }
}

impl std::fmt::Debug for Published {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Published")
            .field("count", &self.count.load(Ordering::SeqCst))
            .finish_non_exhaustive()
    }
}

/// What a change is about, as `SessionsChanged` says it.
#[derive(Clone, Copy, Debug)]
pub enum Changed<'a> {
    User(&'a str),
    Organization(&'a str),
    Every,
}

impl Published {
    fn part(&self, token_hash: &str) -> Option<&RwLock<HashMap<String, Place>>> {
        let index = usize::try_from(self.hasher.hash_one(token_hash) % PARTS as u64).ok()?;
        self.parts.get(index)
    }

    fn slot(&self, id: &str) -> Option<&AtomicU64> {
        let index = usize::try_from(self.hasher.hash_one(id) % SLOTS as u64).ok()?;
        self.slots.get(index)
    }

    /// The change count now: what a refresh hands its actor.
    pub fn counted(&self) -> u64 {
        self.count.load(Ordering::SeqCst)
    }

    /// Counts a change, after the actors were told of it.
    pub fn change(&self, changed: Changed<'_>) {
        let count = self.count.fetch_add(1, Ordering::SeqCst) + 1;
        let slot = match changed {
            Changed::User(id) | Changed::Organization(id) => self.slot(id),
            Changed::Every => None,
        };
        // Without a slot (`Every`), the change is to every session.
        slot.unwrap_or(&self.every)
            .fetch_max(count, Ordering::SeqCst);
    }

    /// Makes a new actor the owner of the client of `token_hash` (its shard calls this as it
    /// starts the actor): what an older actor of the client published is dropped, and it can
    /// publish nothing more. Gives the new owner.
    pub fn own(&self, token_hash: &str) -> u64 {
        let owner = self.owners.fetch_add(1, Ordering::SeqCst) + 1;
        if let Some(mut part) = self.part(token_hash).and_then(|p| p.write().ok()) {
            part.insert(token_hash.to_owned(), Place { owner, copy: None });
        }
        owner
    }

    /// Publishes the client of `token_hash` as its actor `owner` holds it after a refresh asked
    /// at `counted`; nothing when another actor owns the client now.
    pub fn publish(&self, token_hash: &str, owner: u64, client: &Client, counted: u64) {
        let copy = Arc::new(Copy {
            client: client.clone(),
            counted,
        });
        self.with_place(token_hash, owner, |place| place.copy = Some(copy));
    }

    /// Takes back what the actor `owner` published for the client of `token_hash`.
    pub fn withdraw(&self, token_hash: &str, owner: u64) {
        self.with_place(token_hash, owner, |place| place.copy = None);
    }

    /// Forgets the client of `token_hash` when its actor `owner` stops.
    pub fn release(&self, token_hash: &str, owner: u64) {
        if let Some(mut part) = self.part(token_hash).and_then(|p| p.write().ok())
            && part
                .get(token_hash)
                .is_some_and(|place| place.owner == owner)
        {
            part.remove(token_hash);
        }
    }

    fn with_place(&self, token_hash: &str, owner: u64, change: impl FnOnce(&mut Place)) {
        if let Some(mut part) = self.part(token_hash).and_then(|p| p.write().ok())
            && let Some(place) = part.get_mut(token_hash)
            && place.owner == owner
        {
            change(place);
        }
    }

    /// The published copy of the client of `token_hash`, if any.
    pub fn get(&self, token_hash: &str) -> Option<Arc<Copy>> {
        self.part(token_hash)?
            .read()
            .ok()?
            .get(token_hash)?
            .copy
            .clone()
    }

    /// Whether a change to `session` was counted after `copy` was asked for.
    fn changed_since(&self, copy: &Copy, session: &Session) -> bool {
        let later = |slot: Option<&AtomicU64>| {
            slot.is_none_or(|slot| slot.load(Ordering::SeqCst) > copy.counted)
        };
        later(Some(&self.every))
            || later(self.slot(&session.user_id))
            || session
                .last_active_organization_id
                .as_deref()
                .is_some_and(|org| later(self.slot(org)))
    }

    /// The session `session_id` of `copy` when a token may be signed from the copy at `now`:
    /// it is active, nothing changed it since, and no activity is due to be written (that is the
    /// actor's to write). `None` sends the refresh to the actor.
    pub fn session<'c>(
        &self,
        copy: &'c Copy,
        session_id: &str,
        now: DateTime<Utc>,
    ) -> Option<&'c Session> {
        let session = copy.client.sessions.iter().find(|s| s.id == session_id)?;
        let usable = session.status_at(now) == SessionStatus::Active
            && !session.activity_due(now)
            && !self.changed_since(copy, session);
        usable.then_some(session)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    fn client(now: DateTime<Utc>) -> Client {
        let settings = crate::model::settings::SessionSettings::default();
        let session = |id: &str, user: &str, org: Option<&str>| Session {
            last_active_organization_id: org.map(str::to_owned),
            ..Session::start(
                id.into(),
                "ins_1".into(),
                "client_1".into(),
                user.into(),
                &settings,
                now,
            )
        };
        Client {
            id: "client_1".into(),
            instance_id: "ins_1".into(),
            last_active_session_id: Some("sess_b".into()),
            sign_up: None,
            sign_in: None,
            sessions: vec![
                session("sess_a", "user_a", None),
                session("sess_b", "user_b", Some("org_b")),
            ],
            organizations: Default::default(),
            created_at: now,
            updated_at: now,
        }
    }

    #[test]
    fn a_copy_serves_a_session_until_a_change_to_it_is_counted() {
        let now = Utc::now();
        let published = Published::default();
        let asked = published.counted();
        let owner = published.own("hash");
        published.publish("hash", owner, &client(now), asked);
        let copy = published.get("hash").unwrap();
        assert!(published.session(&copy, "sess_a", now).is_some());
        assert!(published.session(&copy, "sess_b", now).is_some());
        assert!(published.session(&copy, "sess_c", now).is_none());

        published.change(Changed::User("user_a"));
        assert!(published.session(&copy, "sess_a", now).is_none());
        assert!(
            published.session(&copy, "sess_b", now).is_some(),
            "another user's change leaves it"
        );
        published.change(Changed::Organization("org_b"));
        assert!(published.session(&copy, "sess_b", now).is_none());

        // A copy published at the new count serves again; a copy asked before it does not.
        published.publish("hash", owner, &client(now), asked);
        let stale = published.get("hash").unwrap();
        assert!(published.session(&stale, "sess_a", now).is_none());
        published.publish("hash", owner, &client(now), published.counted());
        let fresh = published.get("hash").unwrap();
        assert!(published.session(&fresh, "sess_a", now).is_some());
        assert!(published.session(&fresh, "sess_b", now).is_some());
        published.change(Changed::Every);
        assert!(published.session(&fresh, "sess_a", now).is_none());
        assert!(published.session(&fresh, "sess_b", now).is_none());
    }

    #[test]
    fn a_copy_never_serves_an_inactive_session_or_one_whose_activity_is_due() {
        let now = Utc::now();
        let published = Published::default();
        let mut held = client(now);
        held.sessions[0].status = SessionStatus::Revoked;
        held.sessions[1].expire_at = now + Duration::seconds(30);
        let owner = published.own("hash");
        published.publish("hash", owner, &held, published.counted());
        let copy = published.get("hash").unwrap();
        assert!(published.session(&copy, "sess_a", now).is_none());
        assert!(published.session(&copy, "sess_b", now).is_some());
        assert!(
            published
                .session(&copy, "sess_b", now + Duration::seconds(30))
                .is_none(),
            "expired"
        );
        assert!(
            published
                .session(&copy, "sess_b", now + Duration::seconds(29))
                .is_some()
        );
        held.sessions[1].expire_at = now + Duration::days(1);
        published.publish("hash", owner, &held, published.counted());
        let copy = published.get("hash").unwrap();
        assert!(
            published
                .session(&copy, "sess_b", now + Duration::seconds(60))
                .is_none(),
            "its activity is due: the actor writes it"
        );
        published.withdraw("hash", owner);
        assert!(published.get("hash").is_none());
    }

    #[test]
    fn only_the_actor_that_owns_a_client_publishes_it() {
        let now = Utc::now();
        let published = Published::default();
        let old = published.own("hash");
        published.publish("hash", old, &client(now), published.counted());
        let new = published.own("hash");
        assert!(
            published.get("hash").is_none(),
            "a new owner drops the copy"
        );
        published.publish("hash", old, &client(now), published.counted());
        assert!(
            published.get("hash").is_none(),
            "the old actor publishes nothing"
        );
        published.publish("hash", new, &client(now), published.counted());
        published.withdraw("hash", old);
        published.release("hash", old);
        assert!(
            published.get("hash").is_some(),
            "nor takes the new one's back"
        );
        published.release("hash", new);
        assert!(published.get("hash").is_none());
        published.publish("hash", new, &client(now), published.counted());
        assert!(
            published.get("hash").is_none(),
            "a released client is not published"
        );
    }
}
