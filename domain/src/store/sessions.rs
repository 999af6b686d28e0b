//! Sessions.

use std::collections::HashMap;

use latchkey_entities::session;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait,
    QueryFilter, QueryOrder, Statement,
};

use crate::Result;
use crate::model::session::{Activity, LatestActivity, Session, SessionStatus};

pub(super) fn to_model(row: session::Model) -> Result<Session> {
    Ok(Session {
        status: SessionStatus::parse(&row.status)?,
        id: row.id,
        instance_id: row.instance_id,
        client_id: row.client_id,
        user_id: row.user_id,
        last_active_at: row.last_active_at,
        expire_at: row.expire_at,
        abandon_at: row.abandon_at,
        last_active_organization_id: row.last_active_organization_id,
        first_factor_verified_at: row.first_factor_verified_at.unwrap_or(row.created_at),
        second_factor_verified_at: row.second_factor_verified_at,
        // What a session was used from only informs a list: an unreadable record reads as none.
        latest_activity: row
            .latest_activity
            .as_deref()
            .and_then(|text| serde_json::from_str(text).ok()),
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}

/// Writes a new session.
pub async fn insert(db: &impl ConnectionTrait, s: &Session) -> Result<()> {
    session::ActiveModel {
        id: Set(s.id.clone()),
        instance_id: Set(s.instance_id.clone()),
        client_id: Set(s.client_id.clone()),
        user_id: Set(s.user_id.clone()),
        status: Set(s.status.as_str().to_owned()),
        last_active_at: Set(s.last_active_at),
        expire_at: Set(s.expire_at),
        abandon_at: Set(s.abandon_at),
        last_active_organization_id: Set(s.last_active_organization_id.clone()),
        created_at: Set(s.created_at),
        updated_at: Set(s.updated_at),
        first_factor_verified_at: Set(Some(s.first_factor_verified_at)),
        second_factor_verified_at: Set(s.second_factor_verified_at),
        reverification: Set(None),
        latest_activity: Set(s
            .latest_activity
            .as_ref()
            .and_then(|a| serde_json::to_string(a).ok())),
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Records what a session of the instance was used from.
pub async fn set_latest_activity(
    db: &impl ConnectionTrait,
    instance_id: &str,
    session_id: &str,
    activity: &LatestActivity,
) -> Result<()> {
    let text = serde_json::to_string(activity).map_err(crate::Error::internal)?;
    session::Entity::update_many()
        .col_expr(
            session::Column::LatestActivity,
            sea_orm::sea_query::Expr::value(text),
        )
        .filter(session::Column::Id.eq(session_id))
        .filter(session::Column::InstanceId.eq(instance_id))
        .exec(db)
        .await?;
    Ok(())
}

/// The sessions of a client, oldest first.
pub async fn for_client(
    db: &impl ConnectionTrait,
    instance_id: &str,
    client_id: &str,
) -> Result<Vec<Session>> {
    session::Entity::find()
        .filter(session::Column::InstanceId.eq(instance_id))
        .filter(session::Column::ClientId.eq(client_id))
        .order_by_asc(session::Column::CreatedAt)
        .order_by_asc(session::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(to_model)
        .collect()
}

/// Moves every active session of a user (but `except`) to `status`: `Ended` (a password change
/// that signs out elsewhere) or `Revoked` (a ban, a deletion). Gives the sessions that moved, as
/// they are now.
pub async fn close_all_for_user(
    db: &impl ConnectionTrait,
    instance_id: &str,
    user_id: &str,
    status: SessionStatus,
    except: Option<&str>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Vec<Session>> {
    use sea_orm::sea_query::Expr;
    let mut update = session::Entity::update_many();
    if let Some(except) = except {
        update = update.filter(session::Column::Id.ne(except));
    }
    update
        .col_expr(session::Column::Status, Expr::value(status.as_str()))
        .col_expr(session::Column::UpdatedAt, Expr::value(now))
        .filter(session::Column::InstanceId.eq(instance_id))
        .filter(session::Column::UserId.eq(user_id))
        .filter(session::Column::Status.eq(SessionStatus::Active.as_str()))
        .exec_with_returning(db)
        .await?
        .into_iter()
        .map(to_model)
        .collect()
}

/// Active sessions past their expiry at `now`, soonest first, at most `limit`.
pub async fn due_to_expire(
    db: &impl ConnectionTrait,
    now: chrono::DateTime<chrono::Utc>,
    limit: u64,
) -> Result<Vec<Session>> {
    use sea_orm::QuerySelect;
    session::Entity::find()
        .filter(session::Column::Status.eq(SessionStatus::Active.as_str()))
        .filter(session::Column::ExpireAt.lte(now))
        .order_by_asc(session::Column::ExpireAt)
        .limit(limit)
        .all(db)
        .await?
        .into_iter()
        .map(to_model)
        .collect()
}

/// One session of the instance.
pub async fn find(
    db: &impl ConnectionTrait,
    instance_id: &str,
    session_id: &str,
) -> Result<Option<Session>> {
    session::Entity::find_by_id(session_id.to_owned())
        .filter(session::Column::InstanceId.eq(instance_id))
        .one(db)
        .await?
        .map(to_model)
        .transpose()
}

/// The sessions of a user, newest first, optionally only those whose status at `now` is
/// `status` (an active session past its expiry is `Expired`).
pub async fn for_user(
    db: &impl ConnectionTrait,
    instance_id: &str,
    user_id: &str,
    status: Option<SessionStatus>,
    now: chrono::DateTime<chrono::Utc>,
    limit: u64,
) -> Result<Vec<Session>> {
    use sea_orm::QuerySelect;
    let mut query = session::Entity::find()
        .filter(session::Column::InstanceId.eq(instance_id))
        .filter(session::Column::UserId.eq(user_id));
    let active = SessionStatus::Active.as_str();
    query = match status {
        None => query,
        Some(SessionStatus::Active) => query
            .filter(session::Column::Status.eq(active))
            .filter(session::Column::ExpireAt.gt(now)),
        Some(SessionStatus::Expired) => query.filter(
            sea_orm::Condition::any()
                .add(session::Column::Status.eq(SessionStatus::Expired.as_str()))
                .add(
                    sea_orm::Condition::all()
                        .add(session::Column::Status.eq(active))
                        .add(session::Column::ExpireAt.lte(now)),
                ),
        ),
        Some(other) => query.filter(session::Column::Status.eq(other.as_str())),
    };
    query
        .order_by_desc(session::Column::CreatedAt)
        .order_by_desc(session::Column::Id)
        .limit(limit)
        .all(db)
        .await?
        .into_iter()
        .map(to_model)
        .collect()
}

/// Rows written by one activity statement (four values each, well under either engine's limit
/// on bound values).
const ACTIVITY_CHUNK: usize = 500;

/// Writes sessions' activity behind (`store::activity`), a few hundred sessions a statement:
/// a session's `lastActiveAt` and expiry move only forward, and only while it is still active
/// and not yet expired at `now` (a flush never revives a session). Each user's `lastActiveAt`
/// follows its latest session, also only forward. Gives how many sessions moved.
pub async fn record_activity(
    db: &impl ConnectionTrait,
    activity: &[Activity],
    now: chrono::DateTime<chrono::Utc>,
) -> Result<u64> {
    let backend = db.get_database_backend();
    let mut moved = 0;
    for chunk in activity.chunks(ACTIVITY_CHUNK) {
        let mut values = Vec::with_capacity(chunk.len() * 5 + 1);
        for a in chunk {
            values.push(a.instance_id.as_str().into());
            values.push(a.session_id.as_str().into());
            values.push(a.last_active_at.into());
            values.push(a.expire_at.into());
            let seen = a
                .latest_activity
                .as_ref()
                .and_then(|seen| serde_json::to_string(seen).ok());
            values.push(seen.into());
        }
        values.push(now.into());
        let sql = activity_sql(backend, chunk.len(), ActivityTable::Sessions);
        moved += db
            .execute_raw(Statement::from_sql_and_values(backend, sql, values))
            .await?
            .rows_affected();
    }
    // One row per user: the latest of its sessions (an update joins each user row once).
    let mut users: HashMap<(&str, &str), chrono::DateTime<chrono::Utc>> = HashMap::new();
    for a in activity {
        let at = users
            .entry((a.instance_id.as_str(), a.user_id.as_str()))
            .or_insert(a.last_active_at);
        *at = (*at).max(a.last_active_at);
    }
    let users: Vec<_> = users.into_iter().collect();
    for chunk in users.chunks(ACTIVITY_CHUNK) {
        let mut values = Vec::with_capacity(chunk.len() * 3);
        for ((instance_id, user_id), at) in chunk {
            values.push((*instance_id).into());
            values.push((*user_id).into());
            values.push((*at).into());
        }
        let sql = activity_sql(backend, chunk.len(), ActivityTable::Users);
        db.execute_raw(Statement::from_sql_and_values(backend, sql, values))
            .await?;
    }
    Ok(moved)
}

/// Which table an activity statement writes.
#[derive(Clone, Copy, Debug)]
pub enum ActivityTable {
    /// `sessions`: each session's last activity and expiry.
    Sessions,
    /// `users`: each user's last activity.
    Users,
}

/// The statement that writes `rows` activity records into `table`: an `UPDATE … FROM (VALUES
/// …)`. PostgreSQL names the values' columns; SQLite calls them `column1`, `column2`, ….
/// Public for the test of its query plan.
pub fn activity_sql(backend: DbBackend, rows: usize, table: ActivityTable) -> String {
    let postgres = backend == DbBackend::Postgres;
    // The columns after the two ids: times, and for sessions what they were used from (JSON).
    let width = match table {
        ActivityTable::Sessions => 5,
        ActivityTable::Users => 3,
    };
    let mut n = 0;
    let tuples: Vec<String> = (0..rows)
        .map(|_| {
            let row: Vec<String> = (0..width)
                .map(|column| {
                    n += 1;
                    match (postgres, column) {
                        (true, 2 | 3) => format!("${n}::timestamptz"),
                        (true, 4) => format!("${n}::text"),
                        (true, _) => format!("${n}"),
                        (false, _) => format!("?{n}"),
                    }
                })
                .collect();
            format!("({})", row.join(", "))
        })
        .collect();
    let values = tuples.join(", ");
    let column = |name: &str, index: usize| {
        if postgres {
            format!("v.{name}")
        } else {
            format!("v.column{index}")
        }
    };
    let (instance, id, at) = (column("instance_id", 1), column("id", 2), column("at", 3));
    match table {
        ActivityTable::Sessions => {
            let expire = column("expire_at", 4);
            let seen = column("latest_activity", 5);
            let names = if postgres {
                "(instance_id, id, at, expire_at, latest_activity)"
            } else {
                ""
            };
            let now = if postgres {
                format!("${}", n + 1)
            } else {
                format!("?{}", n + 1)
            };
            // SQLite's unary `+` keeps a term from choosing an index: otherwise SQLite (3.4x)
            // may run the values once per active session, through the status index, instead
            // of looking each session up by its id (seconds per flush at 100,000 sessions).
            let plus = if postgres { "" } else { "+" };
            format!(
                "UPDATE sessions AS s SET last_active_at = {at}, expire_at = {expire}, updated_at = {at}, \
                 latest_activity = COALESCE({seen}, s.latest_activity) \
                 FROM (VALUES {values}) AS v{names} \
                 WHERE {plus}s.instance_id = {instance} AND s.id = {id} AND {plus}s.status = 'active' \
                 AND {plus}s.expire_at > {now} AND {plus}s.last_active_at < {at}"
            )
        }
        ActivityTable::Users => {
            let names = if postgres {
                "(instance_id, id, at)"
            } else {
                ""
            };
            let plus = if postgres { "" } else { "+" };
            format!(
                "UPDATE users AS u SET last_active_at = {at} \
                 FROM (VALUES {values}) AS v{names} \
                 WHERE {plus}u.instance_id = {instance} AND u.id = {id} \
                 AND ({plus}u.last_active_at IS NULL OR {plus}u.last_active_at < {at})"
            )
        }
    }
}

/// Moves one session of the instance to `status` if it still meets `only_if`; false otherwise.
async fn move_to(
    db: &impl ConnectionTrait,
    instance_id: &str,
    session_id: &str,
    status: SessionStatus,
    only_if: sea_orm::Condition,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<bool> {
    use sea_orm::sea_query::Expr;
    let done = session::Entity::update_many()
        .col_expr(session::Column::Status, Expr::value(status.as_str()))
        .col_expr(session::Column::UpdatedAt, Expr::value(now))
        .filter(session::Column::Id.eq(session_id))
        .filter(session::Column::InstanceId.eq(instance_id))
        .filter(only_if)
        .exec(db)
        .await?;
    Ok(done.rows_affected == 1)
}

fn still_active() -> sea_orm::Condition {
    sea_orm::Condition::all().add(session::Column::Status.eq(SessionStatus::Active.as_str()))
}

/// Moves one session from active to `status`; false when it was not active any more.
pub async fn close(
    db: &impl ConnectionTrait,
    instance_id: &str,
    session_id: &str,
    status: SessionStatus,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<bool> {
    move_to(db, instance_id, session_id, status, still_active(), now).await
}

/// Marks an active session `Expired` (at `now`) if its expiry is at or before `expired_by`; false
/// otherwise.
pub async fn expire(
    db: &impl ConnectionTrait,
    instance_id: &str,
    session_id: &str,
    expired_by: chrono::DateTime<chrono::Utc>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<bool> {
    let due = still_active().add(session::Column::ExpireAt.lte(expired_by));
    move_to(
        db,
        instance_id,
        session_id,
        SessionStatus::Expired,
        due,
        now,
    )
    .await
}

/// Removes a session from its client (`signOut(remove)`), whatever its status but removed.
pub async fn remove(
    db: &impl ConnectionTrait,
    instance_id: &str,
    session_id: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<bool> {
    let removed = SessionStatus::Removed;
    let listed = sea_orm::Condition::all().add(session::Column::Status.ne(removed.as_str()));
    move_to(db, instance_id, session_id, removed, listed, now).await
}

/// Sets (or clears) the active organization of an active session; false when it is not active.
pub async fn set_active_organization(
    db: &impl ConnectionTrait,
    instance_id: &str,
    session_id: &str,
    organization_id: Option<&str>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<bool> {
    use sea_orm::sea_query::Expr;
    let done = session::Entity::update_many()
        .col_expr(
            session::Column::LastActiveOrganizationId,
            Expr::value(organization_id.map(str::to_owned)),
        )
        .col_expr(session::Column::UpdatedAt, Expr::value(now))
        .filter(session::Column::Id.eq(session_id))
        .filter(session::Column::InstanceId.eq(instance_id))
        .filter(still_active())
        .exec(db)
        .await?;
    Ok(done.rows_affected == 1)
}
