//! The backend's writes to a user: profile fields, metadata (read and written under the row's
//! lock, so two merges never lose one another), and deletion. Each keeps the search text in step.

use chrono::{DateTime, Utc};
use latchkey_entities::{client, session, user};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};

use crate::model::user_query::search_text;
use crate::{Error, Result};

/// Fields to change; `None` leaves a field as it is, `Some(None)` clears it.
#[derive(Clone, Default)]
pub struct UserChanges {
    pub username: Option<Option<String>>,
    pub first_name: Option<Option<String>>,
    pub last_name: Option<Option<String>>,
    pub image_url: Option<Option<String>>,
    pub external_id: Option<Option<String>>,
    pub primary_email_address_id: Option<String>,
    pub password_hash: Option<String>,
}

impl std::fmt::Debug for UserChanges {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserChanges")
            .field("username", &self.username)
            .field("first_name", &self.first_name)
            .field("last_name", &self.last_name)
            .field("image_url", &self.image_url)
            .field("external_id", &self.external_id)
            .field("primary_email_address_id", &self.primary_email_address_id)
            .field("password_hash", &self.password_hash.as_ref().map(|_| "…"))
            .finish()
    }
}

/// Writes `changes` to a user of the instance, then its search text. False when there is no
/// such user; `IDENTIFIER_EXISTS` when the username or external id is another user's.
pub async fn update(
    db: &impl ConnectionTrait,
    instance_id: &str,
    user_id: &str,
    changes: &UserChanges,
    now: DateTime<Utc>,
) -> Result<bool> {
    let mut update =
        user::Entity::update_many().col_expr(user::Column::UpdatedAt, Expr::value(now));
    for (column, value) in [
        (user::Column::Username, &changes.username),
        (user::Column::FirstName, &changes.first_name),
        (user::Column::LastName, &changes.last_name),
        (user::Column::ImageUrl, &changes.image_url),
        (user::Column::ExternalId, &changes.external_id),
    ] {
        if let Some(value) = value {
            update = update.col_expr(column, Expr::value(value.clone()));
        }
    }
    if let Some(id) = &changes.primary_email_address_id {
        update = update.col_expr(user::Column::PrimaryEmailAddressId, Expr::value(id.clone()));
    }
    if let Some(hash) = &changes.password_hash {
        update = update.col_expr(user::Column::PasswordHash, Expr::value(hash.clone()));
    }
    let result = update
        .filter(user::Column::Id.eq(user_id))
        .filter(user::Column::InstanceId.eq(instance_id))
        .exec(db)
        .await
        .map_err(super::users::taken_user_field)?;
    if result.rows_affected != 1 {
        return Ok(false);
    }
    reindex(db, instance_id, user_id).await?;
    Ok(true)
}

/// The three metadata objects as stored (JSON text).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredMetadata {
    pub public: String,
    pub private: String,
    pub unsafe_: String,
}

/// A user's metadata as stored.
pub async fn metadata(
    db: &impl ConnectionTrait,
    instance_id: &str,
    user_id: &str,
) -> Result<Option<StoredMetadata>> {
    Ok(user::Entity::find_by_id(user_id.to_owned())
        .filter(user::Column::InstanceId.eq(instance_id))
        .one(db)
        .await?
        .map(|row| StoredMetadata {
            public: row.public_metadata,
            private: row.private_metadata,
            unsafe_: row.unsafe_metadata,
        }))
}

/// Locks a user's row until the transaction ends, as its first statement: `SELECT … FOR UPDATE`
/// on PostgreSQL (which also holds back a session being inserted for the user), a write on
/// SQLite (which takes the database's write lock, so the transaction never has to upgrade a
/// read lock later). False when there is no such user.
pub async fn lock(
    db: &impl ConnectionTrait,
    instance_id: &str,
    user_id: &str,
    now: DateTime<Utc>,
) -> Result<bool> {
    let backend = db.get_database_backend();
    if backend != sea_orm::DbBackend::Postgres {
        return touch(db, instance_id, user_id, now).await;
    }
    let row = db
        .query_one_raw(sea_orm::Statement::from_sql_and_values(
            backend,
            "SELECT id FROM users WHERE id = $1 AND instance_id = $2 FOR UPDATE",
            [user_id.into(), instance_id.into()],
        ))
        .await?;
    Ok(row.is_some())
}

/// Moves a user's `updated_at`: as the first write of a transaction, it locks the user's row
/// until commit. False when there is no such user.
pub async fn touch(
    db: &impl ConnectionTrait,
    instance_id: &str,
    user_id: &str,
    now: DateTime<Utc>,
) -> Result<bool> {
    let result = user::Entity::update_many()
        .col_expr(user::Column::UpdatedAt, Expr::value(now))
        .filter(user::Column::Id.eq(user_id))
        .filter(user::Column::InstanceId.eq(instance_id))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Writes a user's metadata (inside the transaction that [`touch`]ed it).
pub async fn set_metadata(
    db: &impl ConnectionTrait,
    instance_id: &str,
    user_id: &str,
    new: &StoredMetadata,
    now: DateTime<Utc>,
) -> Result<()> {
    user::Entity::update_many()
        .col_expr(
            user::Column::PublicMetadata,
            Expr::value(new.public.clone()),
        )
        .col_expr(
            user::Column::PrivateMetadata,
            Expr::value(new.private.clone()),
        )
        .col_expr(
            user::Column::UnsafeMetadata,
            Expr::value(new.unsafe_.clone()),
        )
        .col_expr(user::Column::UpdatedAt, Expr::value(now))
        .filter(user::Column::Id.eq(user_id))
        .filter(user::Column::InstanceId.eq(instance_id))
        .exec(db)
        .await?;
    Ok(())
}

/// Deletes a user with its email addresses and sessions; clients whose current session was
/// one of them have none afterwards. False when there is no such user.
pub async fn delete(db: &impl ConnectionTrait, instance_id: &str, user_id: &str) -> Result<bool> {
    client::Entity::update_many()
        .col_expr(
            client::Column::LastActiveSessionId,
            Expr::value(Option::<String>::None),
        )
        .filter(client::Column::InstanceId.eq(instance_id))
        .filter(
            client::Column::LastActiveSessionId.in_subquery(
                Query::select()
                    .column(session::Column::Id)
                    .from(session::Entity)
                    .and_where(session::Column::InstanceId.eq(instance_id))
                    .and_where(session::Column::UserId.eq(user_id))
                    .to_owned(),
            ),
        )
        .exec(db)
        .await?;
    super::user_search::remove(db, user_id).await?;
    let result = user::Entity::delete_many()
        .filter(user::Column::Id.eq(user_id))
        .filter(user::Column::InstanceId.eq(instance_id))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Brings a user's search text and primary email (what `users` searches and orders by) up to
/// date with its row and email addresses in `db`.
pub async fn reindex(db: &impl ConnectionTrait, instance_id: &str, user_id: &str) -> Result<()> {
    let Some(user) = super::users::find(db, instance_id, user_id).await? else {
        return Ok(());
    };
    let text = search_text(&user);
    let primary = user
        .primary_email_address()
        .map(|e| e.email_address.to_ascii_lowercase());
    user::Entity::update_many()
        .col_expr(user::Column::SearchText, Expr::value(text.clone()))
        .col_expr(user::Column::PrimaryEmail, Expr::value(primary))
        .filter(user::Column::Id.eq(user_id))
        .filter(user::Column::InstanceId.eq(instance_id))
        .exec(db)
        .await
        .map_err(|e: DbErr| Error::from(e))?;
    super::user_search::put(db, user_id, &text).await
}
