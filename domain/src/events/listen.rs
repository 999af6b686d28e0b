//! PostgreSQL's `LISTEN` for what other nodes commit: events (a notification only wakes the
//! dispatcher, which reads the table) and changes of a client that no event records (its actor
//! here reads the client again). After a lost connection every instance is looked at and every
//! client read again: a notification lost on the way only delays a change, never loses it.

use std::sync::Arc;
use std::time::Duration;

use sea_orm::DbBackend;
use sea_orm::sqlx::postgres::PgListener;
use tokio::sync::watch;

use crate::services::Services;
use crate::store::events::{CHANNEL, CLIENT_CHANNEL};

/// How long to wait before connecting again after the listener failed.
const RETRY: Duration = Duration::from_secs(1);
/// How long a dropped listener gets to give its connection back (it does so on a task of its
/// own, which must run before the thread stops).
const RETURN_CONNECTION: Duration = Duration::from_millis(200);

/// Listens until `stop` turns true (PostgreSQL only; SQLite has one node and returns at once).
pub async fn run_listener(services: Arc<Services>, mut stop: watch::Receiver<bool>) {
    if services.db.get_database_backend() != DbBackend::Postgres {
        return;
    }
    let pool = services.db.get_postgres_connection_pool().clone();
    loop {
        let connected = tokio::select! {
            connected = PgListener::connect_with(&pool) => connected,
            _ = stop.wait_for(|s| *s) => return,
        };
        let mut listener = match connected {
            Ok(listener) => listener,
            Err(err) => {
                tracing::warn!(error = %err, "cannot listen for other nodes' events; retrying");
                if pause(&mut stop, RETRY).await {
                    return;
                }
                continue;
            }
        };
        if let Err(err) = listener.listen_all([CHANNEL, CLIENT_CHANNEL]).await {
            tracing::warn!(error = %err, "LISTEN failed; retrying");
            drop(listener);
            if pause(&mut stop, RETRY).await {
                return;
            }
            continue;
        }
        // Anything committed while not listening is found by looking at every instance, and by
        // reading every client again.
        services.events.check_all();
        services.every_client_changed();
        loop {
            let received = tokio::select! {
                received = listener.try_recv() => Some(received),
                _ = stop.wait_for(|s| *s) => None,
            };
            let Some(received) = received else {
                drop(listener);
                tokio::time::sleep(RETURN_CONNECTION).await;
                return;
            };
            match received {
                Ok(Some(notification)) if notification.channel() == CLIENT_CHANNEL => {
                    client_changed(&services, notification.payload());
                }
                Ok(Some(notification)) => {
                    services.events.committed_elsewhere(notification.payload());
                }
                Ok(None) => {
                    tracing::warn!("the event listener's connection was lost; reconnecting");
                    services.events.check_all();
                    services.every_client_changed();
                }
                Err(err) => {
                    tracing::warn!(error = %err, "the event listener failed; reconnecting");
                    services.events.check_all();
                    services.every_client_changed();
                    break;
                }
            }
        }
        drop(listener);
        if pause(&mut stop, RETRY).await {
            return;
        }
    }
}

/// A client changed on another node (`{node} {instance} {client}`): this node's actor of it, if
/// any, reads it again. This node's own notifications are skipped (its actor made the change).
fn client_changed(services: &Services, payload: &str) {
    let mut parts = payload.split(' ');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(node), Some(instance_id), Some(client_id)) if node != services.node_id => {
            services.client_changed(instance_id, client_id);
        }
        (Some(_), Some(_), Some(_)) => {}
        _ => tracing::warn!("a client notification could not be read"),
    }
}

/// Waits `for_`; true when told to stop meanwhile.
async fn pause(stop: &mut watch::Receiver<bool>, for_: Duration) -> bool {
    tokio::select! {
        () = tokio::time::sleep(for_) => false,
        _ = stop.wait_for(|s| *s) => true,
    }
}
