//! Webhooks in GraphQL (backend scope): `webhookEndpoints`, `webhookDeliveries`,
//! `createWebhookEndpoint`, `deleteWebhookEndpoint`.

use async_graphql::{Context, Enum, ID, Object, SimpleObject};
use chrono::{DateTime, Utc};
use latchkey_domain::store::webhooks::Delivery;
use latchkey_domain::webhooks::WebhookEndpoint as DomainEndpoint;

use super::{GqlResult, ResultExt, scope};

/// Where an instance's events are posted, signed per the Standard Webhooks specification.
#[derive(SimpleObject)]
pub struct WebhookEndpoint {
    /// The endpoint's id (`whe_…`).
    pub id: ID,
    /// Where events are posted.
    pub url: String,
    /// The event types posted (every type when empty).
    pub event_types: Vec<String>,
    /// When it was created (events committed before are not sent to it).
    pub created_at: DateTime<Utc>,
}

impl From<DomainEndpoint> for WebhookEndpoint {
    fn from(e: DomainEndpoint) -> Self {
        Self {
            id: ID(e.id),
            url: e.url,
            event_types: e
                .event_types
                .iter()
                .map(|t| t.as_str().to_owned())
                .collect(),
            created_at: e.created_at,
        }
    }
}

/// A new endpoint and its signing secret, shown this once.
#[derive(SimpleObject)]
pub struct CreatedWebhookEndpoint {
    /// The endpoint.
    pub endpoint: WebhookEndpoint,
    /// The signing secret (`whsec_…`): verify each delivery's `webhook-signature` with it.
    pub secret: String,
}

/// Where a delivery stands.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum WebhookDeliveryStatus {
    /// Not delivered yet: due now or retried at `nextAttemptAt`.
    Pending,
    /// The endpoint answered 2xx.
    Delivered,
    /// Given up after a day of failures.
    Failed,
}

/// One event sent (or to be sent) to one endpoint.
#[derive(SimpleObject)]
pub struct WebhookDelivery {
    /// The message id (`msg_…`), sent as `webhook-id` on every attempt.
    pub id: ID,
    /// The event's id (its number within the instance).
    pub event_id: ID,
    /// The event's type.
    pub event_type: String,
    /// Where it stands.
    pub status: WebhookDeliveryStatus,
    /// Attempts made so far.
    pub attempts: u32,
    /// When the next attempt is due, while pending.
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// When the last attempt was made.
    pub last_attempt_at: Option<DateTime<Utc>>,
    /// The HTTP status the endpoint last answered.
    pub last_status_code: Option<u16>,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
    /// When the delivery was made (the event fanned out).
    pub created_at: DateTime<Utc>,
    /// When the endpoint accepted it.
    pub delivered_at: Option<DateTime<Utc>>,
}

impl From<Delivery> for WebhookDelivery {
    fn from(d: Delivery) -> Self {
        let status = match d.status.as_str() {
            "delivered" => WebhookDeliveryStatus::Delivered,
            "failed" => WebhookDeliveryStatus::Failed,
            _ => WebhookDeliveryStatus::Pending,
        };
        Self {
            id: ID(d.id),
            event_id: ID(d.event_seq.to_string()),
            event_type: d.event_type,
            next_attempt_at: (status == WebhookDeliveryStatus::Pending)
                .then_some(d.next_attempt_at),
            status,
            attempts: d.attempts,
            last_attempt_at: d.last_attempt_at,
            last_status_code: d.last_status_code,
            last_error: d.last_error,
            created_at: d.created_at,
            delivered_at: d.delivered_at,
        }
    }
}

/// Webhook queries.
#[derive(Default)]
pub struct WebhookQuery;

#[Object]
impl WebhookQuery {
    /// The instance's webhook endpoints, oldest first (backend scope).
    async fn webhook_endpoints(&self, ctx: &Context<'_>) -> GqlResult<Vec<WebhookEndpoint>> {
        let (platform, caller) = scope(ctx)?;
        let endpoints = platform.webhook_endpoints(caller).await.gql()?;
        Ok(endpoints.into_iter().map(Into::into).collect())
    }

    /// An endpoint's deliveries, newest first (backend scope).
    async fn webhook_deliveries(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The endpoint's id.")] endpoint_id: ID,
        #[graphql(desc = "How many (1 to 500).", default = 50)] limit: u64,
    ) -> GqlResult<Vec<WebhookDelivery>> {
        let (platform, caller) = scope(ctx)?;
        let deliveries = platform
            .webhook_deliveries(caller, &endpoint_id, limit)
            .await
            .gql()?;
        Ok(deliveries.into_iter().map(Into::into).collect())
    }
}

/// Webhook mutations.
#[derive(Default)]
pub struct WebhookMutation;

#[Object]
impl WebhookMutation {
    /// Creates a webhook endpoint (backend scope): events committed from now on are posted to
    /// `url`; the signing secret is in the answer and shown only this once.
    async fn create_webhook_endpoint(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Where to post: https:// (http:// too on development instances).")]
        url: String,
        #[graphql(
            desc = "The event types to post, such as `session.created`; every type when empty."
        )]
        event_types: Option<Vec<String>>,
    ) -> GqlResult<CreatedWebhookEndpoint> {
        let (platform, caller) = scope(ctx)?;
        let created = platform
            .create_webhook_endpoint(caller, &url, &event_types.unwrap_or_default())
            .await
            .gql()?;
        Ok(CreatedWebhookEndpoint {
            endpoint: created.endpoint.into(),
            secret: created.secret,
        })
    }

    /// Deletes a webhook endpoint and its deliveries (backend scope); gives `true`.
    async fn delete_webhook_endpoint(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The endpoint's id.")] id: ID,
    ) -> GqlResult<bool> {
        let (platform, caller) = scope(ctx)?;
        platform.delete_webhook_endpoint(caller, &id).await.gql()?;
        Ok(true)
    }
}
