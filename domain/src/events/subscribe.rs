//! Subscriptions: a subscriber gets the events it may see, in order, with no gap and no
//! duplicate. It starts listening on the bus before it reads the table, and remembers the last
//! number it has read; what the bus hands out at or below that number is skipped, and after
//! falling behind the bus it reads the table again from there.

use std::collections::VecDeque;
use std::sync::Arc;

use futures_util::Stream;
use tokio::sync::broadcast::{self, error::RecvError};

use crate::clock::Clock;
use crate::model::caller::Caller;
use crate::model::event::{Event, EventFilter, EventType};
use crate::model::session::SessionStatus;
use crate::platform::Platform;
use crate::store::{self, Db};
use crate::{Error, Result};

/// Events read from the table at once while catching up.
const PAGE: u64 = 200;

/// What a subscriber asks for.
#[derive(Clone, Debug, Default)]
pub struct EventRequest {
    /// Only these types (every type the caller may see when empty).
    pub types: Vec<EventType>,
    /// Only events about this user.
    pub user_id: Option<String>,
    /// Replay the events numbered after this one first.
    pub since: Option<i64>,
}

/// The events of one subscription, as a stream. It ends with an `UNAUTHENTICATED` error when
/// the subscriber's own session ends.
pub type EventStream = std::pin::Pin<Box<dyn Stream<Item = Result<Event>> + Send>>;

impl Platform {
    /// Subscribes `caller` to events. A secret key sees its whole instance; a session token the
    /// sessions of its own user, and its subscription ends when its session does. Nobody else
    /// may subscribe.
    pub async fn subscribe_events(
        &self,
        caller: &Caller,
        request: EventRequest,
    ) -> Result<EventStream> {
        let (instance, filter, own_session) = match caller {
            Caller::Backend { instance, .. } => (
                instance.clone(),
                EventFilter {
                    types: request.types,
                    user_id: request.user_id,
                },
                None,
            ),
            Caller::User {
                instance,
                user_id,
                session_id,
            } => {
                if request.user_id.as_ref().is_some_and(|u| u != user_id)
                    || request.types.iter().any(|t| !t.is_session())
                {
                    return Err(Error::Forbidden(
                        "a session token sees only its own user's session events",
                    ));
                }
                let types = if request.types.is_empty() {
                    EventType::ALL
                        .into_iter()
                        .filter(|t| t.is_session())
                        .collect()
                } else {
                    request.types
                };
                (
                    instance.clone(),
                    EventFilter {
                        types,
                        user_id: Some(user_id.clone()),
                    },
                    Some(session_id.clone()),
                )
            }
            Caller::Anonymous => {
                return Err(Error::Unauthenticated(
                    "a secret key or a session token is required",
                ));
            }
            _ => {
                return Err(Error::Forbidden(
                    "events need a secret key or a session token",
                ));
            }
        };
        // Listen first, then read: nothing committed in between can be missed.
        let receiver = self.services.events.receiver();
        let head = store::events::head(&self.db, &instance.id).await?;
        let seen = match request.since {
            None => head,
            Some(since) => {
                check_since(&self.db, &instance.id, since, head).await?;
                since
            }
        };
        let tail = Tail {
            db: self.db.clone(),
            clock: self.services.clock.clone(),
            instance_id: instance.id.clone(),
            filter,
            receiver,
            seen,
            // A session token's subscription checks its session once it has read the table (it
            // may have ended before the head was read, its event skipped).
            caught_up: request.since.is_none() && own_session.is_none(),
            backlog: VecDeque::new(),
            own_session,
            ended: false,
        };
        Ok(Box::pin(futures_util::stream::unfold(
            tail,
            |mut tail| async move { tail.next().await.map(|item| (item, tail)) },
        )))
    }
}

/// `since` must name an event of the instance that is still kept (or the one just before the
/// oldest kept), else the replay would have a gap.
async fn check_since(db: &Db, instance_id: &str, since: i64, head: i64) -> Result<()> {
    if since < 0 || since > head {
        return Err(Error::validation(
            "since",
            "is not an event of this instance",
        ));
    }
    if since < head {
        let oldest = store::events::oldest(db, instance_id).await?;
        if oldest.is_none_or(|oldest| oldest > since + 1) {
            return Err(Error::validation(
                "since",
                "names an event older than those still kept (7 days)",
            ));
        }
    }
    Ok(())
}

enum Item {
    Event(Event),
    /// The subscriber's own session has ended: the subscription ends here.
    End,
}

struct Tail {
    db: Db,
    clock: Arc<dyn Clock>,
    instance_id: String,
    filter: EventFilter,
    receiver: broadcast::Receiver<Arc<Event>>,
    /// Every event numbered up to this one was read (delivered or filtered out).
    seen: i64,
    caught_up: bool,
    backlog: VecDeque<Item>,
    /// The subscriber's own session: the subscription ends when it does.
    own_session: Option<String>,
    ended: bool,
}

impl Tail {
    async fn next(&mut self) -> Option<Result<Event>> {
        loop {
            if self.ended {
                return None;
            }
            match self.backlog.pop_front() {
                Some(Item::Event(event)) => return Some(Ok(event)),
                Some(Item::End) => {
                    self.ended = true;
                    return Some(Err(Error::Unauthenticated("the session has ended")));
                }
                None => {}
            }
            if !self.caught_up {
                if let Err(err) = self.catch_up().await {
                    self.ended = true;
                    return Some(Err(err));
                }
                continue;
            }
            match self.receiver.recv().await {
                Ok(event) => {
                    if event.instance_id != self.instance_id || event.seq <= self.seen {
                        continue;
                    }
                    self.seen = event.seq;
                    if self.filter.admits(&event) {
                        self.backlog.push_back(Item::Event((*event).clone()));
                    }
                    if self.ends_own_session(&event) {
                        self.backlog.push_back(Item::End);
                    }
                }
                // Fell behind the bus: what was missed is in the table.
                Err(RecvError::Lagged(_)) => self.caught_up = false,
                Err(RecvError::Closed) => return None,
            }
        }
    }

    /// Reads one page of the table after the last number seen, up to the instance's last event
    /// (a page at a time, so a long replay never sits whole in memory).
    async fn catch_up(&mut self) -> Result<()> {
        let head = store::events::head(&self.db, &self.instance_id).await?;
        if self.seen < head {
            let page =
                store::events::after(&self.db, &self.instance_id, self.seen, &self.filter, PAGE)
                    .await?;
            // A full page ends at its last row (read or not); a short one reached the head.
            let next = match (page.full, page.last) {
                (true, Some(last)) => last.min(head),
                _ => head,
            };
            self.backlog.extend(
                page.events
                    .into_iter()
                    .filter(|e| e.seq <= head)
                    .map(Item::Event),
            );
            self.seen = next;
            if self.seen < head {
                return Ok(());
            }
        }
        self.caught_up = true;
        if let Some(session_id) = &self.own_session {
            let now = self.clock.now();
            let active = store::sessions::find(&self.db, &self.instance_id, session_id)
                .await?
                .is_some_and(|s| s.status_at(now) == SessionStatus::Active);
            if !active {
                self.backlog.push_back(Item::End);
            }
        }
        Ok(())
    }

    fn ends_own_session(&self, event: &Event) -> bool {
        self.own_session.as_deref() == Some(event.object_id.as_str())
            && event.kind.is_session()
            && event.kind != EventType::SessionCreated
    }
}
