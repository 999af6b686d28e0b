//! Webhooks (backend scope): `createWebhookEndpoint` shows the endpoint's signing secret once
//! and keeps it sealed under the master key (it must be read back to sign); `webhookEndpoints`,
//! `deleteWebhookEndpoint`, and `webhookDeliveries` for what was sent. `worker.rs` turns events
//! into deliveries and sends them.

mod network;
mod worker;

use chrono::{DateTime, Utc};

use crate::ids::{IdKind, new_id};
use crate::model::caller::Caller;
use crate::model::event::EventType;
use crate::model::webhook::{check_url, new_secret};
use crate::platform::Platform;
use crate::store;
use crate::store::webhooks::{Delivery, Endpoint};
use crate::{Error, Result};

pub use worker::run_webhooks;

/// The most endpoints one instance may have.
const MAX_ENDPOINTS: usize = 20;
/// The most deliveries listed at once.
pub const MAX_DELIVERIES_LISTED: u64 = 500;

/// An endpoint as the API shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WebhookEndpoint {
    pub id: String,
    pub url: String,
    pub event_types: Vec<EventType>,
    pub created_at: DateTime<Utc>,
}

impl From<Endpoint> for WebhookEndpoint {
    fn from(e: Endpoint) -> Self {
        Self {
            id: e.id,
            url: e.url,
            event_types: e.event_types,
            created_at: e.created_at,
        }
    }
}

/// An endpoint just created, with its signing secret: the only time the secret is shown.
#[derive(Clone)]
pub struct CreatedWebhookEndpoint {
    pub endpoint: WebhookEndpoint,
    pub secret: String,
}

impl std::fmt::Debug for CreatedWebhookEndpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CreatedWebhookEndpoint")
            .field("endpoint", &self.endpoint)
            .finish_non_exhaustive()
    }
}

/// What the secret of endpoint `id` is sealed with.
fn seal_context(id: &str) -> String {
    format!("webhook:{id}")
}

impl Platform {
    /// `createWebhookEndpoint`: events of `event_types` (every type when empty) committed from
    /// now on are posted to `url`, signed with the secret given back here once.
    pub async fn create_webhook_endpoint(
        &self,
        caller: &Caller,
        url: &str,
        event_types: &[String],
    ) -> Result<CreatedWebhookEndpoint> {
        let instance = caller.require_backend()?;
        let url = check_url(
            url,
            instance.environment,
            self.services.webhooks_allow_private_networks,
        )?;
        let mut types = Vec::new();
        for name in event_types {
            let kind = EventType::parse(name)
                .map_err(|_| Error::validation("eventTypes", format!("unknown type {name:?}")))?;
            if !types.contains(&kind) {
                types.push(kind);
            }
        }
        if store::webhooks::endpoints(&self.db, &instance.id)
            .await?
            .len()
            >= MAX_ENDPOINTS
        {
            return Err(Error::validation(
                "url",
                format!("an instance has at most {MAX_ENDPOINTS} webhook endpoints"),
            ));
        }
        let id = new_id(IdKind::WebhookEndpoint);
        let secret = new_secret();
        let endpoint = Endpoint {
            secret_sealed: self
                .services
                .master_key
                .seal(&seal_context(&id), secret.as_bytes())?,
            id,
            instance_id: instance.id.clone(),
            url,
            event_types: types,
            // Events committed before the endpoint existed are not sent to it.
            since_seq: store::events::head(&self.db, &instance.id).await?,
            created_at: self.now(),
        };
        store::webhooks::insert(&self.db, &endpoint).await?;
        tracing::info!(endpoint_id = %endpoint.id, "webhook endpoint created");
        Ok(CreatedWebhookEndpoint {
            endpoint: endpoint.into(),
            secret,
        })
    }

    /// `webhookEndpoints`: the instance's endpoints, oldest first.
    pub async fn webhook_endpoints(&self, caller: &Caller) -> Result<Vec<WebhookEndpoint>> {
        let instance = caller.require_backend()?;
        Ok(store::webhooks::endpoints(&self.db, &instance.id)
            .await?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// `deleteWebhookEndpoint`: the endpoint and its deliveries go; nothing more is sent.
    pub async fn delete_webhook_endpoint(&self, caller: &Caller, id: &str) -> Result<()> {
        let instance = caller.require_backend()?;
        if !store::webhooks::delete(&self.db, &instance.id, id).await? {
            return Err(Error::NotFound("webhook endpoint"));
        }
        tracing::info!(endpoint_id = %id, "webhook endpoint deleted");
        Ok(())
    }

    /// `webhookDeliveries`: an endpoint's deliveries, newest first.
    pub async fn webhook_deliveries(
        &self,
        caller: &Caller,
        endpoint_id: &str,
        limit: u64,
    ) -> Result<Vec<Delivery>> {
        let instance = caller.require_backend()?;
        if !(1..=MAX_DELIVERIES_LISTED).contains(&limit) {
            return Err(Error::validation(
                "limit",
                format!("must be between 1 and {MAX_DELIVERIES_LISTED}"),
            ));
        }
        if store::webhooks::endpoint(&self.db, &instance.id, endpoint_id)
            .await?
            .is_none()
        {
            return Err(Error::NotFound("webhook endpoint"));
        }
        store::webhooks::deliveries(&self.db, &instance.id, endpoint_id, limit).await
    }
}
