//! Subscriptions to events: `sessionEvents(userId, since)` and `events(types, since)`, over the
//! WebSocket only. A secret key sees its whole instance; a session token the sessions of its own
//! user, until its session ends (then the subscription ends with `UNAUTHENTICATED` and the
//! socket closes with 4403).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use async_graphql::futures_util::StreamExt;
use async_graphql::futures_util::stream::BoxStream;
use async_graphql::{Context, ID, Json, Object, Subscription};
use chrono::{DateTime, Utc};
use latchkey_domain::events::EventRequest;
use latchkey_domain::model::event::{Event as DomainEvent, EventType};

use super::objects::{AsOf, Session, User};
use super::{GqlResult, ResultExt, domain_error, scope};

/// Closes the WebSocket with 4403 when a subscription's credential stops being valid.
#[derive(Clone)]
pub struct CredentialEnded(pub Arc<tokio::sync::Notify>);

/// Something that changed in an instance.
pub struct Event(DomainEvent);

/// Something that changed in an instance: a session, a user, an organization, a membership,
/// an invitation or a role, as it was right after.
#[Object]
impl Event {
    /// The event's number within its instance, increasing in commit order: pass the last one
    /// received as `since` to resume after it.
    async fn id(&self) -> ID {
        ID(self.0.seq.to_string())
    }

    /// `session.created`, `session.ended`, `session.removed`, `session.revoked`,
    /// `session.expired`, `user.created`, `user.updated`, `user.deleted`,
    /// `organization.created|updated|deleted`, `organizationMembership.created|updated|deleted`,
    /// `organizationInvitation.created|accepted|revoked`, `role.created|updated|deleted`.
    #[graphql(name = "type")]
    async fn kind(&self) -> &'static str {
        self.0.kind.as_str()
    }

    /// When it happened.
    async fn occurred_at(&self) -> DateTime<Utc> {
        self.0.occurred_at
    }

    /// The session, for a session event.
    async fn session(&self) -> Option<Session> {
        self.0.session().map(|s| Session(s, AsOf::Recorded))
    }

    /// The user, for `user.created` and `user.updated`.
    async fn user(&self) -> Option<User> {
        self.0.user().map(User)
    }

    /// The organization, for an `organization.*` event (as JSON; a deleted one keeps only its
    /// id and slug).
    async fn organization(&self) -> Option<Json<serde_json::Value>> {
        self.0
            .kind
            .is_organization()
            .then(|| Json(self.0.data.clone()))
    }

    /// The object as JSON, exactly as webhooks carry it.
    async fn data(&self) -> Json<serde_json::Value> {
        Json(self.0.data.clone())
    }
}

/// Every subscription of the API.
#[derive(Default)]
pub struct EventSubscription;

fn parse_since(since: Option<ID>) -> GqlResult<Option<i64>> {
    since
        .map(|id| {
            id.parse::<i64>().map_err(|_| {
                domain_error(latchkey_domain::Error::validation(
                    "since",
                    "must be an event id",
                ))
            })
        })
        .transpose()
}

/// The events of one subscription.
type EventStream = BoxStream<'static, GqlResult<Event>>;

async fn subscribe(ctx: &Context<'_>, request: EventRequest) -> GqlResult<EventStream> {
    let (platform, caller) = scope(ctx)?;
    let ended = ctx.data_opt::<CredentialEnded>().cloned();
    let stream = platform.subscribe_events(caller, request).await.gql()?;
    let closing = Arc::new(AtomicBool::new(false));
    let held = closing.clone();
    let events = stream.map(move |item| {
        item.map(Event).map_err(|err| {
            if matches!(err, latchkey_domain::Error::Unauthenticated(_)) {
                closing.store(true, Ordering::SeqCst);
                if let Some(ended) = &ended {
                    ended.0.notify_one();
                }
            }
            domain_error(err)
        })
    });
    // After its session ended the subscription does not complete: the socket closes with 4403.
    let hold = futures_util::stream::once(async move {
        if held.load(Ordering::SeqCst) {
            futures_util::future::pending::<()>().await;
        }
    })
    .filter_map(|()| async { None });
    Ok(events.chain(hold).boxed())
}

/// Events as they happen, over the WebSocket (`graphql-transport-ws` or `graphql-ws`).
#[Subscription]
impl EventSubscription {
    /// Session events (`session.*`) as they happen: of one user (`userId`), or with a secret
    /// key of the whole instance. A session token receives only its own user's sessions.
    /// `since` first replays what came after that event (kept 7 days), with no gap and no
    /// duplicate.
    async fn session_events(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "Only this user's sessions (a session token may name only its own user)."
        )]
        user_id: Option<ID>,
        #[graphql(desc = "Replay the events after this event id first.")] since: Option<ID>,
    ) -> async_graphql::Result<EventStream> {
        let request = EventRequest {
            types: EventType::ALL
                .into_iter()
                .filter(|t| t.is_session())
                .collect(),
            user_id: user_id.map(|id| id.0),
            since: parse_since(since)?,
        };
        subscribe(ctx, request).await
    }

    /// Events of the given `types` (every type when none are given) as they happen. A secret
    /// key sees its whole instance; a session token only its own user's session events.
    /// `since` first replays what came after that event (kept 7 days), with no gap and no
    /// duplicate.
    async fn events(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only these types, such as `session.revoked`; every type when none.")]
        types: Option<Vec<String>>,
        #[graphql(desc = "Replay the events after this event id first.")] since: Option<ID>,
    ) -> async_graphql::Result<EventStream> {
        let types = types
            .unwrap_or_default()
            .iter()
            .map(|t| EventType::parse(t))
            .collect::<latchkey_domain::Result<Vec<_>>>()
            .gql()?;
        let request = EventRequest {
            types,
            user_id: None,
            since: parse_since(since)?,
        };
        subscribe(ctx, request).await
    }
}
