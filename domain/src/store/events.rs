//! The event log. An instance's events are numbered by one counter row per instance, taken in
//! the writing transaction: the row stays locked until commit, so numbers are given in commit
//! order and a reader that has seen number n has seen every number below it. On PostgreSQL the
//! node that committed sends a `NOTIFY` afterwards, which wakes the other nodes.

use chrono::{DateTime, Utc};
use latchkey_entities::{event, event_sequence};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    Statement, Value,
};

use super::raw_sql as sql;
use crate::model::event::{Event, EventFilter, EventType, NewEvent};
use crate::{Error, Result};

/// The channel other nodes listen on; the payload is the instance's id.
pub const CHANNEL: &str = "latchkey_events";

/// Writes `events` inside `txn`, numbered after the instance's last event. Call it last in the transaction: the instance's counter
/// stays locked from here to the commit.
pub async fn append(
    txn: &impl ConnectionTrait,
    instance_id: &str,
    events: &[NewEvent],
    now: DateTime<Utc>,
) -> Result<()> {
    if events.is_empty() {
        return Ok(());
    }
    let backend = txn.get_database_backend();
    let count = i64::try_from(events.len()).map_err(Error::internal)?;
    let row = txn
        .query_one_raw(Statement::from_sql_and_values(
            backend,
            sql(
                backend,
                "INSERT INTO event_sequences (instance_id, last_seq) VALUES ($1, $2) \
                 ON CONFLICT (instance_id) DO UPDATE SET \
                   last_seq = event_sequences.last_seq + excluded.last_seq \
                 RETURNING last_seq",
            ),
            [instance_id.into(), Value::from(count)],
        ))
        .await?
        .ok_or_else(|| Error::internal("the event counter returned no row"))?;
    let last: i64 = row.try_get_by_index(0).map_err(Error::internal)?;
    let rows = events
        .iter()
        .zip(last - count + 1..)
        .map(|(e, seq)| event::ActiveModel {
            id: sea_orm::ActiveValue::NotSet,
            instance_id: sea_orm::ActiveValue::Set(instance_id.to_owned()),
            seq: sea_orm::ActiveValue::Set(seq),
            r#type: sea_orm::ActiveValue::Set(e.kind.as_str().to_owned()),
            object_id: sea_orm::ActiveValue::Set(e.object_id.clone()),
            user_id: sea_orm::ActiveValue::Set(e.user_id.clone()),
            data: sea_orm::ActiveValue::Set(e.data.to_string()),
            occurred_at: sea_orm::ActiveValue::Set(now),
        });
    event::Entity::insert_many(rows).exec(txn).await?;
    Ok(())
}

/// Wakes the other nodes (PostgreSQL): events of these instances were committed here. Sent after
/// commit, outside the writing transaction (a `NOTIFY` inside it would serialise every
/// notifying commit of the database); one lost is found by the other nodes' poll.
pub async fn notify(db: &impl ConnectionTrait, instance_ids: &[String]) -> Result<()> {
    let backend = db.get_database_backend();
    if backend != DbBackend::Postgres {
        return Ok(());
    }
    for instance_id in instance_ids {
        db.execute_raw(Statement::from_sql_and_values(
            backend,
            "SELECT pg_notify($1, $2)",
            [CHANNEL.into(), instance_id.as_str().into()],
        ))
        .await?;
    }
    Ok(())
}

/// The channel that tells other nodes a client changed (a command of its actor committed):
/// `{node} {instance} {client}`.
pub const CLIENT_CHANNEL: &str = "latchkey_clients";

/// Tells the other nodes (PostgreSQL) that a client of `instance_id` changed, after commit; the
/// node that sends it is named so it can skip its own. SQLite has one node: nothing to do.
pub async fn notify_client(
    db: &impl ConnectionTrait,
    node_id: &str,
    instance_id: &str,
    client_id: &str,
) -> Result<()> {
    let backend = db.get_database_backend();
    if backend != DbBackend::Postgres {
        return Ok(());
    }
    db.execute_raw(Statement::from_sql_and_values(
        backend,
        "SELECT pg_notify($1, $2)",
        [
            CLIENT_CHANNEL.into(),
            format!("{node_id} {instance_id} {client_id}").into(),
        ],
    ))
    .await?;
    Ok(())
}

/// The event `kind` about a user as it is now in `txn` (`None` when there is no such user).
pub async fn about_user(
    txn: &impl ConnectionTrait,
    instance_id: &str,
    user_id: &str,
    kind: EventType,
    now: DateTime<Utc>,
) -> Result<Option<NewEvent>> {
    Ok(super::users::find(txn, instance_id, user_id)
        .await?
        .map(|user| NewEvent::user(kind, &user, now)))
}

/// Appends `user.updated` with the user as it is now in `txn` (the one event of that
/// transaction).
pub async fn append_user_updated(
    txn: &impl ConnectionTrait,
    instance_id: &str,
    user_id: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let event = about_user(txn, instance_id, user_id, EventType::UserUpdated, now).await?;
    append(txn, instance_id, event.as_slice(), now).await
}

/// The events of sessions that moved to a new status.
pub fn about_sessions(sessions: &[crate::model::session::Session]) -> Vec<NewEvent> {
    sessions
        .iter()
        .map(|s| NewEvent::session(EventType::for_session_status(s.status), s))
        .collect()
}

fn to_event(row: event::Model) -> Result<Event> {
    Ok(Event {
        kind: EventType::parse(&row.r#type).map_err(Error::internal)?,
        data: serde_json::from_str(&row.data).map_err(Error::internal)?,
        instance_id: row.instance_id,
        seq: row.seq,
        object_id: row.object_id,
        user_id: row.user_id,
        occurred_at: row.occurred_at,
    })
}

/// One page of the event table: the events read, and where the page ended whatever this node
/// could read (a row from a newer version is left out of `events`, and named in `unreadable`).
#[derive(Debug, Default)]
pub struct Page {
    pub events: Vec<Event>,
    /// The number of the page's last row.
    pub last: Option<i64>,
    /// The page had as many rows as asked for: there may be more.
    pub full: bool,
    /// The first row this node could not read.
    pub unreadable: Option<i64>,
}

/// The instance's events numbered after `after`, oldest first, at most `limit` rows, those that
/// pass `filter`.
pub async fn after(
    db: &impl ConnectionTrait,
    instance_id: &str,
    after: i64,
    filter: &EventFilter,
    limit: u64,
) -> Result<Page> {
    let mut query = event::Entity::find()
        .filter(event::Column::InstanceId.eq(instance_id))
        .filter(event::Column::Seq.gt(after));
    if !filter.types.is_empty() {
        query = query
            .filter(event::Column::Type.is_in(filter.types.iter().map(|t| t.as_str().to_owned())));
    }
    if let Some(user_id) = &filter.user_id {
        query = query.filter(event::Column::UserId.eq(user_id.as_str()));
    }
    let rows = query
        .order_by_asc(event::Column::Seq)
        .limit(limit)
        .all(db)
        .await?;
    let mut page = Page {
        full: rows.len() as u64 == limit,
        last: rows.last().map(|row| row.seq),
        ..Page::default()
    };
    for row in rows {
        let seq = row.seq;
        match to_event(row) {
            Ok(event) => page.events.push(event),
            Err(err) => {
                tracing::warn!(error = %err, instance_id, seq, "an event this node cannot read");
                page.unreadable.get_or_insert(seq);
            }
        }
    }
    Ok(page)
}

/// Every instance's last event number (instances that never had an event are left out).
pub async fn heads(db: &impl ConnectionTrait) -> Result<Vec<(String, i64)>> {
    Ok(event_sequence::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|row| (row.instance_id, row.last_seq))
        .collect())
}

/// One instance's last event number (0 before its first).
pub async fn head(db: &impl ConnectionTrait, instance_id: &str) -> Result<i64> {
    Ok(event_sequence::Entity::find_by_id(instance_id.to_owned())
        .one(db)
        .await?
        .map_or(0, |row| row.last_seq))
}

/// The oldest event number the instance still keeps, if any.
pub async fn oldest(db: &impl ConnectionTrait, instance_id: &str) -> Result<Option<i64>> {
    Ok(event::Entity::find()
        .filter(event::Column::InstanceId.eq(instance_id))
        .order_by_asc(event::Column::Seq)
        .one(db)
        .await?
        .map(|row| row.seq))
}

/// Deletes events that occurred before `before`; gives how many.
pub async fn purge(db: &impl ConnectionTrait, before: DateTime<Utc>) -> Result<u64> {
    Ok(event::Entity::delete_many()
        .filter(event::Column::OccurredAt.lt(before))
        .exec(db)
        .await?
        .rows_affected)
}
