//! The registry of client actors: shards, one per arbiter (thread), each owning the actors of the
//! clients that hash to it. A shard starts a client's actor on first use, hands out its address,
//! and forgets it once unused for the idle time; the actor stops when the last address is gone
//! (after any request still holding one has finished). Once an actor has read its client it tells
//! its shard the client's id (`Loaded`), so a change of one client (`ClientChanged`) reaches its
//! actor without a message to every actor.

use std::collections::{HashMap, HashSet};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use actix::{Actor, Addr, Arbiter, AsyncContext, Context, Handler, Message, ResponseFuture};

use super::client::{ClientActor, Forget, IssueToken, Loaded, Unknown};
use crate::flows::sessions::IssuedToken;
use crate::services::{ClientChanged, Services, SessionsChanged};
use crate::{Error, Result};

/// Asks a shard for the actor of a client.
#[derive(Message)]
#[rtype(result = "Addr<ClientActor>")]
struct Lookup {
    instance_id: String,
    token_hash: String,
}

struct Entry {
    addr: Addr<ClientActor>,
    last_used: Instant,
    busy: Arc<AtomicBool>,
    /// The client's id, once its actor has read the client.
    client_id: Option<String>,
}

/// Whether an entry last used at `last_used` is idle at `now`.
fn idle(last_used: Instant, now: Instant, idle_after: Duration) -> bool {
    now.saturating_duration_since(last_used) >= idle_after
}

/// An instance and a client's token hash: the key of a client's actor.
type Key = (String, String);

struct Shard {
    services: Arc<Services>,
    idle_after: Duration,
    entries: HashMap<Key, Entry>,
    /// The key of each loaded client, by its instance and id.
    by_client: HashMap<(String, String), Key>,
    /// The keys of the actors that have not read their client yet (usually few).
    unloaded: HashSet<Key>,
}

impl Shard {
    /// Forgets an entry, and its client's id.
    fn remove(&mut self, key: &Key) {
        self.unloaded.remove(key);
        if let Some(Entry {
            client_id: Some(client_id),
            ..
        }) = self.entries.remove(key)
        {
            self.by_client.remove(&(key.0.clone(), client_id));
        }
    }
}

impl Actor for Shard {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Self::Context) {
        let every = (self.idle_after / 4).clamp(Duration::from_millis(50), Duration::from_secs(60));
        ctx.run_interval(every, |shard, _| {
            let (now, idle_after) = (Instant::now(), shard.idle_after);
            let gone: Vec<Key> = shard
                .entries
                .iter()
                .filter(|(_, e)| {
                    !e.addr.connected()
                        || (!e.busy.load(Ordering::SeqCst) && idle(e.last_used, now, idle_after))
                })
                .map(|(key, _)| key.clone())
                .collect();
            for key in &gone {
                shard.remove(key);
            }
        });
    }
}

/// A token request for a client's actor, handed over by its shard on the shard's own thread:
/// a refresh crosses threads once (there and back), not twice.
#[derive(Message)]
#[rtype(result = "Result<Option<IssuedToken>>")]
struct Issue {
    token_hash: String,
    message: IssueToken,
}

impl Handler<Issue> for Shard {
    type Result = ResponseFuture<Result<Option<IssuedToken>>>;

    fn handle(&mut self, msg: Issue, ctx: &mut Self::Context) -> Self::Result {
        let addr = self.actor_of(msg.message.instance.id.clone(), msg.token_hash, ctx);
        Box::pin(async move { addr.send(msg.message).await.map_err(Error::actor_stopped)? })
    }
}

impl Handler<Lookup> for Shard {
    type Result = Addr<ClientActor>;

    fn handle(&mut self, msg: Lookup, ctx: &mut Self::Context) -> Self::Result {
        self.actor_of(msg.instance_id, msg.token_hash, ctx)
    }
}

impl Shard {
    /// The actor of a client, started on this shard's thread when there is none.
    fn actor_of(
        &mut self,
        instance_id: String,
        token_hash: String,
        ctx: &mut Context<Self>,
    ) -> Addr<ClientActor> {
        let key = (instance_id, token_hash);
        let now = Instant::now();
        if let Some(entry) = self.entries.get_mut(&key)
            && entry.addr.connected()
        {
            entry.last_used = now;
            return entry.addr.clone();
        }
        // Started here, so it runs on this shard's arbiter.
        let busy = Arc::new(AtomicBool::new(false));
        let addr = ClientActor::new(
            self.services.clone(),
            key.0.clone(),
            key.1.clone(),
            busy.clone(),
            ctx.address().recipient(),
            ctx.address().recipient(),
        )
        .start();
        // A stopped actor's entry (its client read again by the new one).
        self.remove(&key);
        self.unloaded.insert(key.clone());
        self.entries.insert(
            key,
            Entry {
                addr: addr.clone(),
                last_used: now,
                busy,
                client_id: None,
            },
        );
        addr
    }
}

impl Handler<SessionsChanged> for Shard {
    type Result = ();

    fn handle(&mut self, msg: SessionsChanged, _: &mut Self::Context) {
        for entry in self.entries.values() {
            entry.addr.do_send(msg.clone());
        }
    }
}

impl Handler<Unknown> for Shard {
    type Result = ();

    fn handle(&mut self, msg: Unknown, _: &mut Self::Context) {
        let key = (msg.instance_id, msg.token_hash);
        if self
            .entries
            .get(&key)
            .is_some_and(|e| Arc::ptr_eq(&e.busy, &msg.busy))
        {
            self.remove(&key);
        }
    }
}

impl Handler<Loaded> for Shard {
    type Result = ();

    fn handle(&mut self, msg: Loaded, _: &mut Self::Context) {
        let key = (msg.instance_id, msg.token_hash);
        if let Some(entry) = self.entries.get_mut(&key)
            && Arc::ptr_eq(&entry.busy, &msg.busy)
        {
            entry.client_id = Some(msg.client_id.clone());
            self.unloaded.remove(&key);
            self.by_client.insert((key.0.clone(), msg.client_id), key);
        }
    }
}

impl Handler<ClientChanged> for Shard {
    type Result = ();

    fn handle(&mut self, msg: ClientChanged, _: &mut Self::Context) {
        match msg {
            ClientChanged::One {
                instance_id,
                client_id,
            } => {
                let entry = self
                    .by_client
                    .get(&(instance_id.clone(), client_id))
                    .and_then(|key| self.entries.get(key));
                if let Some(entry) = entry {
                    entry.addr.do_send(Forget);
                }
                // An actor still reading its first client (not `Loaded` yet) may have read it
                // before this change: it forgets too, once its command is done.
                for key in self.unloaded.iter().filter(|key| key.0 == instance_id) {
                    if let Some(entry) = self.entries.get(key) {
                        entry.addr.do_send(Forget);
                    }
                }
            }
            ClientChanged::Every => {
                for entry in self.entries.values() {
                    entry.addr.do_send(Forget);
                }
            }
        }
    }
}

/// The client actors of this node.
pub struct Registry {
    shards: Vec<Addr<Shard>>,
    arbiters: Vec<Arbiter>,
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registry")
            .field("shards", &self.shards.len())
            .finish()
    }
}

impl Registry {
    /// One shard per arbiter, `shards` of them (at least one). Must run inside an actix system.
    pub fn start(services: Arc<Services>, shards: usize, idle_after: Duration) -> Self {
        let mut arbiters = Vec::new();
        let mut addrs = Vec::new();
        for _ in 0..shards.max(1) {
            let arbiter = Arbiter::new();
            let services = services.clone();
            addrs.push(Shard::start_in_arbiter(&arbiter.handle(), move |_| Shard {
                services,
                idle_after,
                entries: HashMap::new(),
                by_client: HashMap::new(),
                unloaded: HashSet::new(),
            }));
            arbiters.push(arbiter);
        }
        // Set once, here: the shards exist only now.
        let _ = services
            .shards
            .set(addrs.iter().map(|a| a.clone().recipient()).collect());
        let _ = services
            .client_shards
            .set(addrs.iter().map(|a| a.clone().recipient()).collect());
        Self {
            shards: addrs,
            arbiters,
        }
    }

    fn shard_of(&self, token_hash: &str) -> Result<&Addr<Shard>> {
        let mut hasher = DefaultHasher::new();
        token_hash.hash(&mut hasher);
        let count = u64::try_from(self.shards.len()).unwrap_or(1).max(1);
        let index = usize::try_from(hasher.finish() % count).unwrap_or(0);
        self.shards
            .get(index)
            .ok_or_else(|| Error::internal("the registry has no shards"))
    }

    /// The actor of the client of `instance_id` whose token hashes to `token_hash`.
    pub async fn actor(&self, instance_id: &str, token_hash: &str) -> Result<Addr<ClientActor>> {
        self.shard_of(token_hash)?
            .send(Lookup {
                instance_id: instance_id.to_owned(),
                token_hash: token_hash.to_owned(),
            })
            .await
            .map_err(Error::internal)
    }

    /// A session token from the actor of the client whose token hashes to `token_hash`.
    pub async fn issue(
        &self,
        token_hash: &str,
        message: IssueToken,
    ) -> Result<Option<IssuedToken>> {
        self.shard_of(token_hash)?
            .send(Issue {
                token_hash: token_hash.to_owned(),
                message,
            })
            .await
            .map_err(Error::internal)?
    }

    /// Stops the shards' threads.
    pub fn stop(&self) {
        for arbiter in &self.arbiters {
            arbiter.stop();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_is_idle_once_unused_for_the_idle_time() {
        let start = Instant::now();
        let ten = Duration::from_secs(600);
        assert!(!idle(start, start + Duration::from_secs(599), ten));
        assert!(idle(start, start + ten, ten));
        assert!(
            !idle(start + ten, start, ten),
            "a clock that went back is not idle"
        );
    }
}
