//! The webhook worker of a node: fans new events out into deliveries (through the instance's
//! cursor, so exactly once whichever node does it), then sends what is due, each delivery
//! claimed first. A delivery is marked delivered only after the endpoint answered 2xx; other
//! answers and errors are retried on the schedule of `model::webhook` for a day. Deliveries of
//! one object go out in order: a later one waits while an earlier one is pending.

use std::sync::Arc;
use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, Utc};
use futures_util::StreamExt;
use sea_orm::TransactionTrait;

use super::seal_context;
use crate::ids::{IdKind, new_id};
use crate::model::event::EventFilter;
use crate::model::webhook::{body, next_attempt, signature};
use crate::services::Services;
use crate::store::webhooks::{Delivery, NewDelivery, Outcome};
use crate::{Error, Result, store};

/// How often the worker looks for work when nothing wakes it.
const POLL: StdDuration = StdDuration::from_secs(1);
/// Events fanned out per instance in one transaction.
const FAN_OUT_PAGE: u64 = 200;
/// Deliveries taken in one pass.
const BATCH: u64 = 100;
/// Deliveries in flight at once.
const IN_FLIGHT: usize = 16;
/// How long an endpoint has to answer.
const TIMEOUT: StdDuration = StdDuration::from_secs(10);
/// How long a claim holds (well over the timeout).
const CLAIM_SECONDS: i64 = 60;
/// The longest error text kept.
const MAX_ERROR: usize = 500;

/// Runs the node's webhook worker until the task is dropped.
pub async fn run_webhooks(services: Arc<Services>) {
    let mut builder = reqwest::Client::builder();
    if !services.webhooks_allow_private_networks {
        // No proxy either: a proxy would resolve the name itself, past the check.
        builder = builder
            .no_proxy()
            .dns_resolver(Arc::new(super::network::PublicOnly));
    }
    let client = match builder
        .timeout(TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent("Latchkey-Webhooks/1")
        .build()
    {
        Ok(client) => client,
        Err(err) => {
            tracing::error!(error = %err, "webhooks cannot start: no HTTP client");
            return;
        }
    };
    loop {
        let _ = tokio::time::timeout(POLL, services.webhooks_wake.notified()).await;
        if let Err(err) = fan_out(&services).await {
            tracing::error!(error = %err, "fanning events out to webhooks failed");
        }
        loop {
            match send_due(&services, &client).await {
                Ok(0) => break,
                Ok(_) => {}
                Err(err) => {
                    tracing::error!(error = %err, "sending webhooks failed");
                    break;
                }
            }
        }
    }
}

/// Turns every instance's events not yet fanned out into deliveries.
async fn fan_out(svc: &Services) -> Result<()> {
    for (instance_id, from) in store::webhooks::behind(&svc.db).await? {
        // One instance failing does not hold up the others.
        if let Err(err) = fan_out_instance(svc, &instance_id, from).await {
            tracing::error!(error = %err, instance_id, "fanning events out to webhooks failed");
        }
    }
    Ok(())
}

async fn fan_out_instance(svc: &Services, instance_id: &str, mut from: i64) -> Result<()> {
    loop {
        let now = svc.clock.now();
        // No endpoint takes events from before the oldest endpoint was made: start there.
        let start = store::webhooks::endpoints(&svc.db, instance_id)
            .await?
            .iter()
            .map(|e| e.since_seq)
            .min()
            .map_or(from, |since| since.max(from));
        // Events never change once written: read before the transaction.
        let page = store::events::after(
            &svc.db,
            instance_id,
            start,
            &EventFilter::default(),
            FAN_OUT_PAGE,
        )
        .await?;
        // Never past a row this node cannot read (from a newer version): a newer node takes it.
        let (events, to) = match page.unreadable {
            Some(stop) => {
                let events: Vec<_> = page.events.into_iter().filter(|e| e.seq < stop).collect();
                (events, stop - 1)
            }
            None => (page.events, page.last.unwrap_or(start)),
        };
        if to <= from {
            return Ok(());
        }
        let txn = svc.db.begin().await?;
        // The cursor first: a second node doing the same waits here, then finds it moved.
        if !store::webhooks::advance(&txn, instance_id, from, to).await? {
            txn.rollback().await?;
            return Ok(());
        }
        let endpoints = store::webhooks::endpoints(&txn, instance_id).await?;
        let rows = events
            .iter()
            .flat_map(|event| {
                endpoints
                    .iter()
                    .filter(|e| e.takes(event.seq, event.kind))
                    .map(|endpoint| NewDelivery {
                        id: new_id(IdKind::WebhookMessage),
                        endpoint,
                        event_seq: event.seq,
                        event_type: event.kind,
                        object_id: &event.object_id,
                    })
            })
            .collect();
        store::webhooks::insert_deliveries(&txn, rows, now).await?;
        txn.commit().await?;
        if !page.full || page.unreadable.is_some() {
            return Ok(());
        }
        from = to;
    }
}

/// Sends the deliveries due now; gives how many were attempted.
async fn send_due(svc: &Services, client: &reqwest::Client) -> Result<usize> {
    let now = svc.clock.now();
    let due = store::webhooks::due(&svc.db, now, BATCH).await?;
    let attempted = due.len();
    futures_util::stream::iter(due)
        .for_each_concurrent(IN_FLIGHT, |delivery| async move {
            let id = delivery.id.clone();
            if let Err(err) = attempt(svc, client, delivery).await {
                tracing::error!(error = %err, delivery_id = %id, "a webhook attempt failed");
            }
        })
        .await;
    Ok(attempted)
}

/// Claims, signs and posts one delivery, and records what happened.
async fn attempt(svc: &Services, client: &reqwest::Client, delivery: Delivery) -> Result<()> {
    let now = svc.clock.now();
    let claim = new_id(IdKind::WebhookMessage);
    if !store::webhooks::claim(
        &svc.db,
        &delivery.id,
        &claim,
        now,
        now + Duration::seconds(CLAIM_SECONDS),
    )
    .await?
    {
        return Ok(());
    }
    let endpoint = store::webhooks::endpoint(&svc.db, &delivery.instance_id, &delivery.endpoint_id)
        .await?
        .ok_or(Error::NotFound("webhook endpoint"))?;
    let event = store::events::after(
        &svc.db,
        &delivery.instance_id,
        delivery.event_seq - 1,
        &EventFilter::default(),
        1,
    )
    .await?
    .events
    .into_iter()
    .find(|e| e.seq == delivery.event_seq);
    let Some(event) = event else {
        // Older than the events kept: nothing left to send.
        let gone = failed(&delivery, "the event is no longer kept", None, now, true);
        store::webhooks::record(&svc.db, &delivery.id, &claim, gone, now).await?;
        return Ok(());
    };
    let secret = svc
        .master_key
        .open(&seal_context(&endpoint.id), &endpoint.secret_sealed)?;
    let secret = String::from_utf8(secret).map_err(Error::internal)?;
    if !svc.webhooks_allow_private_networks && super::network::private_literal(&endpoint.url) {
        let refused = failed(
            &delivery,
            "the URL points at a private network",
            None,
            now,
            true,
        );
        store::webhooks::record(&svc.db, &delivery.id, &claim, refused, now).await?;
        return Ok(());
    }
    let payload = body(&event);
    let timestamp = now.timestamp();
    let sent = client
        .post(&endpoint.url)
        .header("content-type", "application/json")
        .header("webhook-id", &delivery.id)
        .header("webhook-timestamp", timestamp.to_string())
        .header(
            "webhook-signature",
            signature(&secret, &delivery.id, timestamp, &payload)?,
        )
        .body(payload)
        .send()
        .await;
    let done = svc.clock.now();
    let outcome = match sent {
        Ok(response) if response.status().is_success() => Outcome {
            status: "delivered",
            next_attempt_at: None,
            status_code: Some(response.status().as_u16()),
            error: None,
        },
        Ok(response) => {
            let code = response.status().as_u16();
            failed(
                &delivery,
                &format!("answered {code}"),
                Some(code),
                done,
                false,
            )
        }
        Err(err) => failed(&delivery, &describe(&err), None, done, false),
    };
    if outcome.status != "delivered" {
        tracing::warn!(
            delivery_id = %delivery.id,
            endpoint_id = %endpoint.id,
            error = outcome.error.as_deref().unwrap_or_default(),
            "a webhook delivery failed"
        );
    }
    store::webhooks::record(&svc.db, &delivery.id, &claim, outcome, done).await?;
    Ok(())
}

fn failed(
    delivery: &Delivery,
    error: &str,
    status_code: Option<u16>,
    now: DateTime<Utc>,
    give_up: bool,
) -> Outcome {
    let next = if give_up {
        None
    } else {
        next_attempt(delivery.attempts + 1, delivery.created_at, now)
    };
    Outcome {
        status: if next.is_some() { "pending" } else { "failed" },
        next_attempt_at: next,
        status_code,
        error: Some(error.chars().take(MAX_ERROR).collect()),
    }
}

/// An error of the HTTP client, without the URL (it may carry a token in its query).
fn describe(err: &reqwest::Error) -> String {
    let kind = if err.is_timeout() {
        "timed out"
    } else if err.is_connect() {
        "could not connect"
    } else if err.is_redirect() {
        "answered with a redirect"
    } else {
        "the request failed"
    };
    kind.to_owned()
}
