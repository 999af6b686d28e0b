//! Sessions.

use latchkey_entities::session;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder,
};

use crate::Result;
use crate::model::session::{Session, SessionStatus};

fn to_model(row: session::Model) -> Result<Session> {
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
    }
    .insert(db)
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

/// Records a session's activity (its new `lastActiveAt` and expiry), if it is still active.
pub async fn touch(db: &impl ConnectionTrait, instance_id: &str, s: &Session) -> Result<bool> {
    use sea_orm::sea_query::Expr;
    let done = session::Entity::update_many()
        .col_expr(session::Column::LastActiveAt, Expr::value(s.last_active_at))
        .col_expr(session::Column::ExpireAt, Expr::value(s.expire_at))
        .col_expr(session::Column::UpdatedAt, Expr::value(s.updated_at))
        .filter(session::Column::Id.eq(s.id.as_str()))
        .filter(session::Column::InstanceId.eq(instance_id))
        .filter(session::Column::Status.eq(SessionStatus::Active.as_str()))
        .exec(db)
        .await?;
    Ok(done.rows_affected == 1)
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

/// Marks an active session `Expired` if it is past its expiry at `now`; false otherwise.
pub async fn expire(
    db: &impl ConnectionTrait,
    instance_id: &str,
    session_id: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<bool> {
    let due = still_active().add(session::Column::ExpireAt.lte(now));
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
