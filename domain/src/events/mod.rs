//! The event bus of one node. Writers append events in their own transactions
//! (`store::events::append`) and, after commit, call [`EventBus::committed`]. The node's
//! dispatcher (`dispatch.rs`) reads what is new from the event table (the source of truth) and
//! hands each event, in order, to the client actors (a session that ended elsewhere is dropped
//! from their cache) and to the node's subscribers (`subscribe.rs`). Other nodes' commits reach
//! the dispatcher as PostgreSQL notifications (`listen.rs`); a poll every second catches any
//! notification lost on the way, so a lost one delays an event but never loses it.

mod dispatch;
mod listen;
mod subscribe;

use std::collections::HashSet;
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::{Notify, broadcast};

use crate::model::event::Event;

pub use dispatch::{Cursors, run_dispatcher};
pub use listen::run_listener;
pub use subscribe::{EventRequest, EventStream};

/// How many events a slow subscriber may fall behind before it reads the table again.
const CAPACITY: usize = 4096;

/// The node's bus: what is new (which instances), and the events fanned out to subscribers.
pub struct EventBus {
    sender: broadcast::Sender<Arc<Event>>,
    dirty: Mutex<Dirty>,
    wake: Notify,
}

#[derive(Default)]
struct Dirty {
    instances: HashSet<String>,
    /// Committed on this node: the other nodes are told.
    local: HashSet<String>,
    /// Look at every instance (a notification may have been lost).
    all: bool,
}

impl Default for EventBus {
    fn default() -> Self {
        Self {
            sender: broadcast::channel(CAPACITY).0,
            dirty: Mutex::default(),
            wake: Notify::new(),
        }
    }
}

impl std::fmt::Debug for EventBus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventBus")
            .field("subscribers", &self.sender.receiver_count())
            .finish_non_exhaustive()
    }
}

impl EventBus {
    /// Events of `instance_id` were committed on this node: the dispatcher reads them and tells
    /// the other nodes.
    pub fn committed(&self, instance_id: &str) {
        let mut dirty = self.dirty.lock().unwrap_or_else(PoisonError::into_inner);
        dirty.instances.insert(instance_id.to_owned());
        dirty.local.insert(instance_id.to_owned());
        drop(dirty);
        self.wake.notify_one();
    }

    /// Another node committed events of `instance_id`: the dispatcher reads them.
    pub fn committed_elsewhere(&self, instance_id: &str) {
        self.dirty
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .instances
            .insert(instance_id.to_owned());
        self.wake.notify_one();
    }

    /// Look at every instance at the next poll (after a failure: no hurry, no spin).
    fn retry_later(&self) {
        self.dirty
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .all = true;
    }

    /// Something may have been missed: the dispatcher looks at every instance.
    pub fn check_all(&self) {
        self.dirty
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .all = true;
        self.wake.notify_one();
    }

    fn take_dirty(&self) -> Dirty {
        std::mem::take(&mut *self.dirty.lock().unwrap_or_else(PoisonError::into_inner))
    }

    /// A receiver of every event the dispatcher hands out from now on.
    pub fn receiver(&self) -> broadcast::Receiver<Arc<Event>> {
        self.sender.subscribe()
    }

    /// How many subscribers listen on this node.
    pub fn subscribers(&self) -> usize {
        self.sender.receiver_count()
    }
}
