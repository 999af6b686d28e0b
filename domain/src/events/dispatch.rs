//! The dispatcher: reads each instance's new events in order and hands them out.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use crate::model::event::{Event, EventFilter, EventType};
use crate::services::Services;
use crate::store;

/// How often every instance is looked at even without a wake-up.
const POLL: Duration = Duration::from_secs(1);
/// Events read from the table at once.
const PAGE: u64 = 500;

/// The last event handed out, per instance. Read before the server listens, so no subscriber
/// can start before the dispatcher knows where it is.
#[derive(Clone, Debug, Default)]
pub struct Cursors(HashMap<String, i64>);

impl Cursors {
    /// Where every instance's events stand now.
    pub async fn load(db: &store::Db) -> crate::Result<Self> {
        Ok(Self(store::events::heads(db).await?.into_iter().collect()))
    }
}

/// Runs the node's dispatcher until the task is dropped.
pub async fn run_dispatcher(services: Arc<Services>, mut cursors: Cursors) {
    let bus = &services.events;
    let mut last_full = std::time::Instant::now();
    loop {
        let _ = tokio::time::timeout(POLL, bus.wake.notified()).await;
        let dirty = bus.take_dirty();
        if !dirty.local.is_empty() {
            let local: Vec<String> = dirty.local.into_iter().collect();
            if let Err(err) = store::events::notify(&services.db, &local).await {
                // The other nodes' poll finds them.
                tracing::warn!(error = %err, "notifying the other nodes failed");
            }
        }
        let mut instances = dirty.instances;
        // Every instance is looked at once a second even on a busy node: a lost notification
        // delays an event by at most that.
        if dirty.all || last_full.elapsed() >= POLL {
            last_full = std::time::Instant::now();
            match store::events::heads(&services.db).await {
                Ok(heads) => instances.extend(
                    heads
                        .into_iter()
                        .filter(|(id, head)| cursors.0.get(id).is_none_or(|seen| head > seen))
                        .map(|(id, _)| id),
                ),
                Err(err) => tracing::error!(error = %err, "reading the event heads failed"),
            }
        }
        for instance_id in instances {
            if let Err(err) = dispatch_instance(&services, &mut cursors, &instance_id).await {
                tracing::error!(error = %err, instance_id, "dispatching events failed");
                // Read again at the next poll.
                bus.retry_later();
            }
        }
    }
}

async fn dispatch_instance(
    services: &Services,
    cursors: &mut Cursors,
    instance_id: &str,
) -> crate::Result<()> {
    loop {
        let seen = cursors.0.get(instance_id).copied().unwrap_or(0);
        let page = store::events::after(
            &services.db,
            instance_id,
            seen,
            &EventFilter::default(),
            PAGE,
        )
        .await?;
        let full = page.full;
        let any = !page.events.is_empty();
        for event in page.events {
            hand_out(services, event);
        }
        // Past the page's last row, read or not (a row this node cannot read is skipped here).
        if let Some(last) = page.last {
            cursors.0.insert(instance_id.to_owned(), last);
        }
        if any {
            services.webhooks_wake.notify_one();
        }
        if !full {
            return Ok(());
        }
    }
}

/// A session that started or ended (wherever it did) makes the actor of its client read the
/// client again, before subscribers hear of it; then the subscribers get the event.
fn hand_out(services: &Services, event: Event) {
    if let Some(session) = event.session() {
        services.client_changed(&event.instance_id, &session.client_id);
    }
    // A deleted user's sessions are gone (revoked first, each with its event; this covers any
    // other node's actor that still holds one).
    if event.kind == EventType::UserDeleted {
        services.sessions_changed(&event.instance_id, &event.object_id);
    }
    // What a token's `o` claim says changed: the actors holding it read their client again.
    match event.kind {
        EventType::OrganizationUpdated | EventType::OrganizationDeleted => {
            services.organization_changed(&event.instance_id, Some(&event.object_id), None);
        }
        EventType::MembershipUpdated | EventType::MembershipDeleted => {
            let organization_id = event.data.get("organizationId").and_then(|v| v.as_str());
            services.organization_changed(
                &event.instance_id,
                organization_id,
                event.user_id.as_deref(),
            );
        }
        EventType::RoleUpdated | EventType::RoleDeleted => {
            services.organization_changed(&event.instance_id, None, None);
        }
        _ => {}
    }
    // No receiver is not an error: nobody listens on this node.
    let _ = services.events.sender.send(Arc::new(event));
}
