//! Webhook endpoints and the delivery outbox. Events become deliveries through a per-instance
//! cursor (`webhook_cursors`) moved in the same transaction as the rows it creates,
//! so each event is fanned out exactly once, whichever node does it. A delivery is claimed with
//! a random token before it is sent, and only the claim's holder may record the outcome.

use chrono::{DateTime, Utc};
use latchkey_entities::{webhook_delivery as delivery, webhook_endpoint as endpoint};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Statement, Value,
};

use super::raw_sql as sql;
use crate::model::event::EventType;
use crate::{Error, Result};

/// An endpoint as stored (its secret sealed).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoint {
    pub id: String,
    pub instance_id: String,
    pub url: String,
    /// Only these types (every type when empty).
    pub event_types: Vec<EventType>,
    pub secret_sealed: String,
    pub since_seq: i64,
    pub created_at: DateTime<Utc>,
}

impl Endpoint {
    /// Whether the endpoint takes event `seq` of type `kind`.
    pub fn takes(&self, seq: i64, kind: EventType) -> bool {
        seq > self.since_seq && (self.event_types.is_empty() || self.event_types.contains(&kind))
    }
}

fn to_endpoint(row: endpoint::Model) -> Result<Endpoint> {
    let names: Vec<String> = serde_json::from_str(&row.event_types).map_err(Error::internal)?;
    Ok(Endpoint {
        event_types: names
            .iter()
            .map(|n| EventType::parse(n))
            .collect::<Result<_>>()
            .map_err(Error::internal)?,
        id: row.id,
        instance_id: row.instance_id,
        url: row.url,
        secret_sealed: row.secret_sealed,
        since_seq: row.since_seq,
        created_at: row.created_at,
    })
}

/// Writes a new endpoint.
pub async fn insert(db: &impl ConnectionTrait, e: &Endpoint) -> Result<()> {
    let names: Vec<&str> = e.event_types.iter().map(|t| t.as_str()).collect();
    endpoint::ActiveModel {
        id: Set(e.id.clone()),
        instance_id: Set(e.instance_id.clone()),
        url: Set(e.url.clone()),
        event_types: Set(serde_json::to_string(&names).map_err(Error::internal)?),
        secret_sealed: Set(e.secret_sealed.clone()),
        since_seq: Set(e.since_seq),
        created_at: Set(e.created_at),
    }
    .insert(db)
    .await?;
    Ok(())
}

/// The instance's endpoints, oldest first.
pub async fn endpoints(db: &impl ConnectionTrait, instance_id: &str) -> Result<Vec<Endpoint>> {
    endpoint::Entity::find()
        .filter(endpoint::Column::InstanceId.eq(instance_id))
        .order_by_asc(endpoint::Column::CreatedAt)
        .order_by_asc(endpoint::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(to_endpoint)
        .collect()
}

/// One endpoint of the instance.
pub async fn endpoint(
    db: &impl ConnectionTrait,
    instance_id: &str,
    id: &str,
) -> Result<Option<Endpoint>> {
    endpoint::Entity::find_by_id(id.to_owned())
        .filter(endpoint::Column::InstanceId.eq(instance_id))
        .one(db)
        .await?
        .map(to_endpoint)
        .transpose()
}

/// Deletes an endpoint and its deliveries; false when there was none.
pub async fn delete(db: &impl ConnectionTrait, instance_id: &str, id: &str) -> Result<bool> {
    delivery::Entity::delete_many()
        .filter(delivery::Column::EndpointId.eq(id))
        .filter(delivery::Column::InstanceId.eq(instance_id))
        .exec(db)
        .await?;
    let done = endpoint::Entity::delete_many()
        .filter(endpoint::Column::Id.eq(id))
        .filter(endpoint::Column::InstanceId.eq(instance_id))
        .exec(db)
        .await?;
    Ok(done.rows_affected == 1)
}

/// Instances that have endpoints and events not fanned out yet: their id and how far webhooks
/// got.
pub async fn behind(db: &impl ConnectionTrait) -> Result<Vec<(String, i64)>> {
    let backend = db.get_database_backend();
    let rows = db
        .query_all_raw(Statement::from_string(
            backend,
            "SELECT s.instance_id, COALESCE(c.seq, 0) FROM event_sequences s \
             LEFT JOIN webhook_cursors c ON c.instance_id = s.instance_id \
             WHERE s.last_seq > COALESCE(c.seq, 0) \
               AND EXISTS (SELECT 1 FROM webhook_endpoints e WHERE e.instance_id = s.instance_id)",
        ))
        .await?;
    rows.iter()
        .map(|row| {
            Ok((
                row.try_get_by_index::<String>(0).map_err(Error::internal)?,
                row.try_get_by_index::<i64>(1).map_err(Error::internal)?,
            ))
        })
        .collect()
}

/// Moves the instance's webhook cursor from `from` to `to`; false when another node moved it
/// first (the caller then rolls back what it wrote). The first statement of its transaction, so
/// SQLite takes the write lock at once and PostgreSQL makes a second node wait here.
pub async fn advance(
    txn: &impl ConnectionTrait,
    instance_id: &str,
    from: i64,
    to: i64,
) -> Result<bool> {
    let backend = txn.get_database_backend();
    txn.execute_raw(Statement::from_sql_and_values(
        backend,
        sql(
            backend,
            "INSERT INTO webhook_cursors (instance_id, seq) VALUES ($1, 0) \
             ON CONFLICT (instance_id) DO NOTHING",
        ),
        [instance_id.into()],
    ))
    .await?;
    let done = txn
        .execute_raw(Statement::from_sql_and_values(
            backend,
            sql(
                backend,
                "UPDATE webhook_cursors SET seq = $1 WHERE instance_id = $2 AND seq = $3",
            ),
            [Value::from(to), instance_id.into(), Value::from(from)],
        ))
        .await?;
    Ok(done.rows_affected() == 1)
}

/// A delivery as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Delivery {
    pub id: String,
    pub instance_id: String,
    pub endpoint_id: String,
    pub event_seq: i64,
    pub event_type: String,
    pub object_id: String,
    /// `pending`, `delivered` or `failed`.
    pub status: String,
    pub attempts: u32,
    pub next_attempt_at: DateTime<Utc>,
    pub last_attempt_at: Option<DateTime<Utc>>,
    pub last_status_code: Option<u16>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub delivered_at: Option<DateTime<Utc>>,
}

fn to_delivery(row: delivery::Model) -> Delivery {
    Delivery {
        id: row.id,
        instance_id: row.instance_id,
        endpoint_id: row.endpoint_id,
        event_seq: row.event_seq,
        event_type: row.event_type,
        object_id: row.object_id,
        status: row.status,
        attempts: u32::try_from(row.attempts).unwrap_or(0),
        next_attempt_at: row.next_attempt_at,
        last_attempt_at: row.last_attempt_at,
        last_status_code: row.last_status_code.and_then(|c| u16::try_from(c).ok()),
        last_error: row.last_error,
        created_at: row.created_at,
        delivered_at: row.delivered_at,
    }
}

/// A new pending delivery, due at once.
pub struct NewDelivery<'a> {
    pub id: String,
    pub endpoint: &'a Endpoint,
    pub event_seq: i64,
    pub event_type: EventType,
    pub object_id: &'a str,
}

/// Writes new deliveries.
pub async fn insert_deliveries(
    txn: &impl ConnectionTrait,
    rows: Vec<NewDelivery<'_>>,
    now: DateTime<Utc>,
) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let rows = rows.into_iter().map(|d| delivery::ActiveModel {
        id: Set(d.id),
        instance_id: Set(d.endpoint.instance_id.clone()),
        endpoint_id: Set(d.endpoint.id.clone()),
        event_seq: Set(d.event_seq),
        event_type: Set(d.event_type.as_str().to_owned()),
        object_id: Set(d.object_id.to_owned()),
        status: Set("pending".to_owned()),
        attempts: Set(0),
        next_attempt_at: Set(now),
        last_attempt_at: Set(None),
        last_status_code: Set(None),
        last_error: Set(None),
        claim: Set(None),
        claimed_until: Set(None),
        created_at: Set(now),
        delivered_at: Set(None),
    });
    delivery::Entity::insert_many(rows).exec(txn).await?;
    Ok(())
}

/// Pending deliveries due at `now`, not claimed by anyone, each the oldest pending one of its
/// object at its endpoint (deliveries of one object go out in order), at most `limit`.
pub async fn due(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<Delivery>> {
    let backend = db.get_database_backend();
    let statement = Statement::from_sql_and_values(
        backend,
        sql(
            backend,
            "SELECT d.* FROM webhook_deliveries d \
             WHERE d.status = 'pending' AND d.next_attempt_at <= $1 \
               AND (d.claimed_until IS NULL OR d.claimed_until <= $1) \
               AND NOT EXISTS (SELECT 1 FROM webhook_deliveries e \
                 WHERE e.endpoint_id = d.endpoint_id AND e.object_id = d.object_id \
                   AND e.status = 'pending' AND e.event_seq < d.event_seq) \
             ORDER BY d.next_attempt_at, d.event_seq LIMIT $2",
        ),
        [
            now.into(),
            Value::from(i64::try_from(limit).unwrap_or(i64::MAX)),
        ],
    );
    Ok(delivery::Entity::find()
        .from_raw_sql(statement)
        .all(db)
        .await?
        .into_iter()
        .map(to_delivery)
        .collect())
}

/// Claims a due delivery with `claim` until `until`; false when someone else holds it.
pub async fn claim(
    db: &impl ConnectionTrait,
    id: &str,
    claim: &str,
    now: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<bool> {
    let done = delivery::Entity::update_many()
        .col_expr(delivery::Column::Claim, Expr::value(claim))
        .col_expr(delivery::Column::ClaimedUntil, Expr::value(until))
        .filter(delivery::Column::Id.eq(id))
        .filter(delivery::Column::Status.eq("pending"))
        .filter(delivery::Column::NextAttemptAt.lte(now))
        .filter(
            sea_orm::Condition::any()
                .add(delivery::Column::ClaimedUntil.is_null())
                .add(delivery::Column::ClaimedUntil.lte(now)),
        )
        .exec(db)
        .await?;
    Ok(done.rows_affected == 1)
}

/// What one attempt came to.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// `delivered`, `pending` (to retry at `next_attempt_at`) or `failed` (given up).
    pub status: &'static str,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub status_code: Option<u16>,
    pub error: Option<String>,
}

/// Records an attempt's outcome, if `claim` still holds the delivery.
pub async fn record(
    db: &impl ConnectionTrait,
    id: &str,
    claim: &str,
    outcome: Outcome,
    now: DateTime<Utc>,
) -> Result<bool> {
    let mut update = delivery::Entity::update_many()
        .col_expr(delivery::Column::Status, Expr::value(outcome.status))
        .col_expr(
            delivery::Column::Attempts,
            Expr::col(delivery::Column::Attempts).add(1),
        )
        .col_expr(delivery::Column::LastAttemptAt, Expr::value(now))
        .col_expr(
            delivery::Column::LastStatusCode,
            Expr::value(outcome.status_code.map(i32::from)),
        )
        .col_expr(delivery::Column::LastError, Expr::value(outcome.error))
        .col_expr(delivery::Column::Claim, Expr::value(Option::<String>::None))
        .col_expr(
            delivery::Column::ClaimedUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        );
    if let Some(next) = outcome.next_attempt_at {
        update = update.col_expr(delivery::Column::NextAttemptAt, Expr::value(next));
    }
    if outcome.status == "delivered" {
        update = update.col_expr(delivery::Column::DeliveredAt, Expr::value(now));
    }
    let done = update
        .filter(delivery::Column::Id.eq(id))
        .filter(delivery::Column::Claim.eq(claim))
        .exec(db)
        .await?;
    Ok(done.rows_affected == 1)
}

/// An endpoint's deliveries, newest first, at most `limit`.
pub async fn deliveries(
    db: &impl ConnectionTrait,
    instance_id: &str,
    endpoint_id: &str,
    limit: u64,
) -> Result<Vec<Delivery>> {
    Ok(delivery::Entity::find()
        .filter(delivery::Column::InstanceId.eq(instance_id))
        .filter(delivery::Column::EndpointId.eq(endpoint_id))
        .order_by_desc(delivery::Column::EventSeq)
        .limit(limit)
        .all(db)
        .await?
        .into_iter()
        .map(to_delivery)
        .collect())
}

/// Deletes finished deliveries (delivered or given up) made before `before`.
pub async fn purge(db: &impl ConnectionTrait, before: DateTime<Utc>) -> Result<u64> {
    Ok(delivery::Entity::delete_many()
        .filter(delivery::Column::Status.ne("pending"))
        .filter(delivery::Column::CreatedAt.lt(before))
        .exec(db)
        .await?
        .rows_affected)
}
