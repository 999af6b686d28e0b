//! PostgreSQL's `LISTEN` for the events other nodes commit. A notification only wakes the
//! dispatcher, which reads the table; after a lost connection every instance is looked at.

use std::sync::Arc;
use std::time::Duration;

use sea_orm::DbBackend;
use sea_orm::sqlx::postgres::PgListener;

use crate::services::Services;
use crate::store::events::CHANNEL;

/// How long to wait before connecting again after the listener failed.
const RETRY: Duration = Duration::from_secs(1);

/// Listens until the task is dropped (PostgreSQL only; SQLite has one node and returns at once).
pub async fn run_listener(services: Arc<Services>) {
    if services.db.get_database_backend() != DbBackend::Postgres {
        return;
    }
    let pool = services.db.get_postgres_connection_pool().clone();
    loop {
        let mut listener = match PgListener::connect_with(&pool).await {
            Ok(listener) => listener,
            Err(err) => {
                tracing::warn!(error = %err, "cannot listen for other nodes' events; retrying");
                tokio::time::sleep(RETRY).await;
                continue;
            }
        };
        if let Err(err) = listener.listen(CHANNEL).await {
            tracing::warn!(error = %err, "LISTEN failed; retrying");
            tokio::time::sleep(RETRY).await;
            continue;
        }
        // Anything committed while not listening is found by looking at every instance.
        services.events.check_all();
        loop {
            match listener.try_recv().await {
                Ok(Some(notification)) => services.events.committed(notification.payload()),
                Ok(None) => {
                    tracing::warn!("the event listener's connection was lost; reconnecting");
                    services.events.check_all();
                }
                Err(err) => {
                    tracing::warn!(error = %err, "the event listener failed; reconnecting");
                    services.events.check_all();
                    tokio::time::sleep(RETRY).await;
                    break;
                }
            }
        }
    }
}
