//! Users and their email addresses. Uniqueness (email addresses and usernames, per instance) is
//! the database's: a unique index refuses the second writer, and that becomes `IDENTIFIER_EXISTS`.

use chrono::{DateTime, Utc};
use latchkey_entities::{email_address, user};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait,
    DatabaseConnection, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    TransactionTrait,
};

use super::is_unique_violation;
use crate::model::lockout::Lockout;
use crate::model::settings::LockoutSettings;
use crate::model::user::{User, UserEmailAddress};
use crate::model::user_query::search_text;
use crate::{Error, Result};

/// A new user as written: the password as its hash, the first email address already verified.
#[derive(Debug)]
pub struct NewUser<'a> {
    pub user: &'a User,
    pub password_hash: Option<&'a str>,
}

/// Whether a user of the instance has this (normalized) email address, verified (an unverified
/// address reserves nothing).
pub async fn email_taken(
    db: &impl ConnectionTrait,
    instance_id: &str,
    normalized: &str,
) -> Result<bool> {
    Ok(email_address::Entity::find()
        .filter(email_address::Column::InstanceId.eq(instance_id))
        .filter(email_address::Column::Normalized.eq(normalized))
        .filter(email_address::Column::Verified.eq(true))
        .count(db)
        .await?
        > 0)
}

/// Whether a user of the instance has this (lowercase) username.
pub async fn username_taken(
    db: &impl ConnectionTrait,
    instance_id: &str,
    username: &str,
) -> Result<bool> {
    Ok(user::Entity::find()
        .filter(user::Column::InstanceId.eq(instance_id))
        .filter(user::Column::Username.eq(username))
        .count(db)
        .await?
        > 0)
}

/// Maps a unique violation to `IDENTIFIER_EXISTS` on `field`; any other error passes through.
pub(crate) fn taken(field: &str) -> impl Fn(DbErr) -> Error + '_ {
    move |err| {
        if is_unique_violation(&err) {
            Error::IdentifierExists {
                field: field.to_owned(),
            }
        } else {
            err.into()
        }
    }
}

/// A unique index on `users` refused a write: the username's or the external id's.
pub(crate) fn taken_user_field(err: DbErr) -> Error {
    let field = if err.to_string().contains("external_id") {
        "externalId"
    } else {
        "username"
    };
    taken(field)(err)
}

fn json(value: &serde_json::Value) -> String {
    value.to_string()
}

/// Writes a user and its email addresses.
pub async fn insert(db: &impl ConnectionTrait, new: NewUser<'_>) -> Result<()> {
    let u = new.user;
    user::ActiveModel {
        id: Set(u.id.clone()),
        instance_id: Set(u.instance_id.clone()),
        username: Set(u.username.clone()),
        first_name: Set(u.first_name.clone()),
        last_name: Set(u.last_name.clone()),
        image_url: Set(u.image_url.clone()),
        password_hash: Set(new.password_hash.map(str::to_owned)),
        primary_email_address_id: Set(u.primary_email_address_id.clone()),
        primary_email: Set(u
            .primary_email_address()
            .map(|e| e.email_address.to_ascii_lowercase())),
        external_id: Set(u.external_id.clone()),
        search_text: Set(search_text(u)),
        public_metadata: Set(json(&u.public_metadata)),
        private_metadata: Set(json(&u.private_metadata)),
        unsafe_metadata: Set(json(&u.unsafe_metadata)),
        banned: Set(u.banned),
        last_sign_in_at: Set(u.last_sign_in_at),
        failed_sign_in_attempts: Set(0),
        locked_until: Set(u.locked_until),
        last_active_at: Set(u.last_active_at),
        totp_secret: Set(None),
        totp_verified: Set(false),
        totp_last_step: Set(None),
        backup_codes: Set(None),
        created_at: Set(u.created_at),
        updated_at: Set(u.updated_at),
    }
    .insert(db)
    .await
    .map_err(taken_user_field)?;
    for e in &u.email_addresses {
        // The same normalization as `identifiers::email_address`.
        let normalized = e.email_address.to_ascii_lowercase();
        email_address::ActiveModel {
            id: Set(e.id.clone()),
            instance_id: Set(u.instance_id.clone()),
            user_id: Set(u.id.clone()),
            email_address: Set(e.email_address.clone()),
            normalized: Set(normalized),
            verified: Set(e.verified),
            verification: Set(None),
            created_at: Set(u.created_at),
        }
        .insert(db)
        .await
        .map_err(taken("emailAddress"))?;
    }
    super::user_search::put(db, &u.id, &search_text(u)).await
}

fn parse_json(stored: &str) -> Result<serde_json::Value> {
    serde_json::from_str(stored).map_err(Error::internal)
}

/// A user of the instance, with its email addresses.
pub async fn find(db: &impl ConnectionTrait, instance_id: &str, id: &str) -> Result<Option<User>> {
    match row(db, instance_id, id).await? {
        Some(row) => Ok(Some(with_emails(db, row).await?)),
        None => Ok(None),
    }
}

async fn row(
    db: &impl ConnectionTrait,
    instance_id: &str,
    id: &str,
) -> Result<Option<user::Model>> {
    Ok(user::Entity::find_by_id(id.to_owned())
        .filter(user::Column::InstanceId.eq(instance_id))
        .one(db)
        .await?)
}

/// A user's email addresses, oldest first.
async fn emails_of(
    db: &impl ConnectionTrait,
    instance_id: &str,
    user_id: &str,
) -> Result<Vec<email_address::Model>> {
    Ok(email_address::Entity::find()
        .filter(email_address::Column::InstanceId.eq(instance_id))
        .filter(email_address::Column::UserId.eq(user_id))
        .order_by_asc(email_address::Column::CreatedAt)
        .order_by_asc(email_address::Column::Id)
        .all(db)
        .await?)
}

async fn with_emails(db: &impl ConnectionTrait, row: user::Model) -> Result<User> {
    let emails = emails_of(db, &row.instance_id, &row.id).await?;
    to_user(row, emails)
}

/// Users of the instance by id, with their email addresses: two statements for any count.
pub async fn by_ids(
    db: &impl ConnectionTrait,
    instance_id: &str,
    ids: &[String],
) -> Result<Vec<User>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows = user::Entity::find()
        .filter(user::Column::InstanceId.eq(instance_id))
        .filter(user::Column::Id.is_in(ids.iter().cloned()))
        .all(db)
        .await?;
    with_emails_batch(db, instance_id, rows).await
}

/// The users of rows, with their email addresses read in one more query (whatever the count).
pub(crate) async fn with_emails_batch(
    db: &impl ConnectionTrait,
    instance_id: &str,
    rows: Vec<user::Model>,
) -> Result<Vec<User>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let mut by_user: std::collections::HashMap<String, Vec<email_address::Model>> =
        std::collections::HashMap::new();
    // By user id alone: with `instance_id` in the condition, SQLite (which keeps no statistics)
    // walks the instance's (instance_id, normalized) index over every address. The instance is
    // checked on each row instead.
    for e in email_address::Entity::find()
        .filter(email_address::Column::UserId.is_in(ids))
        .order_by_asc(email_address::Column::CreatedAt)
        .order_by_asc(email_address::Column::Id)
        .all(db)
        .await?
    {
        if e.instance_id == instance_id {
            by_user.entry(e.user_id.clone()).or_default().push(e);
        }
    }
    rows.into_iter()
        .map(|row| {
            let emails = by_user.remove(&row.id).unwrap_or_default();
            to_user(row, emails)
        })
        .collect()
}

fn to_user(row: user::Model, emails: Vec<email_address::Model>) -> Result<User> {
    Ok(User {
        email_addresses: emails
            .into_iter()
            .map(|e| UserEmailAddress {
                id: e.id,
                email_address: e.email_address,
                verified: e.verified,
            })
            .collect(),
        password_enabled: row.password_hash.is_some(),
        totp_enabled: row.totp_verified,
        backup_code_enabled: row.totp_verified
            && row
                .backup_codes
                .as_deref()
                .is_some_and(|codes| codes != "[]"),
        public_metadata: parse_json(&row.public_metadata)?,
        private_metadata: parse_json(&row.private_metadata)?,
        unsafe_metadata: parse_json(&row.unsafe_metadata)?,
        id: row.id,
        instance_id: row.instance_id,
        external_id: row.external_id,
        username: row.username,
        first_name: row.first_name,
        last_name: row.last_name,
        image_url: row.image_url,
        primary_email_address_id: row.primary_email_address_id,
        banned: row.banned,
        locked_until: row.locked_until,
        last_sign_in_at: row.last_sign_in_at,
        last_active_at: row.last_active_at,
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}

/// A user found for a sign-in: the user, its password hash, and its lockout state.
pub struct SignInUser {
    pub user: User,
    pub password_hash: Option<String>,
    pub lockout: Lockout,
}

impl std::fmt::Debug for SignInUser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignInUser")
            .field("user", &self.user)
            .field("lockout", &self.lockout)
            .finish_non_exhaustive()
    }
}

/// The user of the instance with this identifier: a verified email address (any case) or a
/// username. An address someone added but never verified signs nobody in.
pub async fn find_for_sign_in(
    db: &impl ConnectionTrait,
    instance_id: &str,
    identifier: &str,
) -> Result<Option<SignInUser>> {
    let normalized = identifier.trim().to_ascii_lowercase();
    let user_id = if normalized.contains('@') {
        email_address::Entity::find()
            .filter(email_address::Column::InstanceId.eq(instance_id))
            .filter(email_address::Column::Normalized.eq(normalized.as_str()))
            .filter(email_address::Column::Verified.eq(true))
            .one(db)
            .await?
            .map(|e| e.user_id)
    } else {
        user::Entity::find()
            .filter(user::Column::InstanceId.eq(instance_id))
            .filter(user::Column::Username.eq(normalized.as_str()))
            .one(db)
            .await?
            .map(|u| u.id)
    };
    match user_id {
        Some(user_id) => sign_in_user(db, instance_id, &user_id).await,
        None => {
            decoy_read(db, instance_id).await?;
            Ok(None)
        }
    }
}

/// The reads `sign_in_user` makes, for no user: an unknown identifier's sign-in spends the same
/// round trips as a known one's, so its answer does not come sooner (enumeration protection;
/// the dummy hash evens out the password check the same way).
pub async fn decoy_read(db: &impl ConnectionTrait, instance_id: &str) -> Result<()> {
    const DECOY: &str = "user_decoy";
    row(db, instance_id, DECOY).await?;
    // The very statement a known user's read makes.
    emails_of(db, instance_id, DECOY).await?;
    Ok(())
}

/// A user of the instance with what signing in needs: its password hash and lockout state.
pub async fn sign_in_user(
    db: &impl ConnectionTrait,
    instance_id: &str,
    user_id: &str,
) -> Result<Option<SignInUser>> {
    let Some(row) = row(db, instance_id, user_id).await? else {
        return Ok(None);
    };
    let password_hash = row.password_hash.clone();
    let lockout = Lockout {
        failed_attempts: u32::try_from(row.failed_sign_in_attempts).unwrap_or(0),
        locked_until: row.locked_until,
    };
    Ok(Some(SignInUser {
        user: with_emails(db, row).await?,
        password_hash,
        lockout,
    }))
}

/// Reserves one sign-in attempt of a user before its factor is checked, so concurrent guesses
/// can never exceed the instance's maximum: the count goes up by one only while the user is not
/// locked and below the maximum (a lock that has run out starts the count over). Gives the count
/// including this attempt, or `None` when no attempt is left (locked, or at the maximum).
pub async fn reserve_attempt(
    db: &DatabaseConnection,
    instance_id: &str,
    user_id: &str,
    now: DateTime<Utc>,
    settings: &LockoutSettings,
) -> Result<Option<u32>> {
    let txn = db.begin().await?;
    user::Entity::update_many()
        .col_expr(user::Column::FailedSignInAttempts, Expr::value(0))
        .col_expr(
            user::Column::LockedUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .filter(user::Column::Id.eq(user_id))
        .filter(user::Column::InstanceId.eq(instance_id))
        .filter(user::Column::LockedUntil.lte(now))
        .exec(&txn)
        .await?;
    let max = i32::try_from(settings.max_attempts).unwrap_or(i32::MAX);
    // One statement that counts and tells the count (as `sign_in_failures` does for unknown
    // identifiers: both paths cost the same).
    let backend = db.get_database_backend();
    let row = txn
        .query_one_raw(sea_orm::Statement::from_sql_and_values(
            backend,
            super::raw_sql(
                backend,
                "UPDATE users SET failed_sign_in_attempts = failed_sign_in_attempts + 1 \
                 WHERE id = $1 AND instance_id = $2 AND locked_until IS NULL \
                 AND failed_sign_in_attempts < $3 RETURNING failed_sign_in_attempts",
            ),
            [
                user_id.into(),
                instance_id.into(),
                sea_orm::Value::from(max),
            ],
        ))
        .await?;
    txn.commit().await?;
    row.map(|row| {
        row.try_get_by_index::<i32>(0)
            .map(|n| u32::try_from(n).unwrap_or(u32::MAX))
            .map_err(Error::internal)
    })
    .transpose()
}

/// Gives back an attempt reserved for a factor that turned out right while the sign-in goes on
/// (a second factor is due): a correct factor is not a failure. Never below zero.
pub async fn release_attempt(
    db: &impl ConnectionTrait,
    instance_id: &str,
    user_id: &str,
) -> Result<()> {
    user::Entity::update_many()
        .col_expr(
            user::Column::FailedSignInAttempts,
            Expr::col(user::Column::FailedSignInAttempts).sub(1),
        )
        .filter(user::Column::Id.eq(user_id))
        .filter(user::Column::InstanceId.eq(instance_id))
        .filter(user::Column::FailedSignInAttempts.gt(0))
        .exec(db)
        .await?;
    Ok(())
}

/// Locks the user once a failed attempt brought its count to the maximum. Gives the lock.
pub async fn lock_after_failure(
    db: &impl ConnectionTrait,
    instance_id: &str,
    user_id: &str,
    count: u32,
    now: DateTime<Utc>,
    settings: &LockoutSettings,
) -> Result<(Lockout, bool)> {
    let state = Lockout::after_failure(count, now, settings);
    let mut locked = false;
    if let Some(until) = state.locked_until {
        locked = user::Entity::update_many()
            .col_expr(user::Column::LockedUntil, Expr::value(until))
            .filter(user::Column::Id.eq(user_id))
            .filter(user::Column::InstanceId.eq(instance_id))
            .filter(user::Column::LockedUntil.is_null())
            .exec(db)
            .await?
            .rows_affected
            == 1;
    }
    Ok((state, locked))
}

/// Records a sign-in: the failure count starts over, `lastSignInAt` moves. Only for a user that
/// is neither banned nor locked at `now` (checked in the same statement, so a ban or a lock that
/// lands while the factor was checked still holds): `Ok(false)` otherwise, and nothing changes.
pub async fn record_sign_in(
    db: &impl ConnectionTrait,
    instance_id: &str,
    user_id: &str,
    now: DateTime<Utc>,
) -> Result<bool> {
    let unlocked = Condition::any()
        .add(user::Column::LockedUntil.is_null())
        .add(user::Column::LockedUntil.lte(now));
    let result = user::Entity::update_many()
        .col_expr(user::Column::FailedSignInAttempts, Expr::value(0))
        .col_expr(user::Column::LastSignInAt, Expr::value(now))
        .col_expr(user::Column::LastActiveAt, Expr::value(now))
        .col_expr(user::Column::UpdatedAt, Expr::value(now))
        .filter(user::Column::Id.eq(user_id))
        .filter(user::Column::InstanceId.eq(instance_id))
        .filter(user::Column::Banned.eq(false))
        .filter(unlocked)
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Replaces a user's password hash.
pub async fn set_password(
    db: &impl ConnectionTrait,
    instance_id: &str,
    user_id: &str,
    password_hash: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    user::Entity::update_many()
        .col_expr(
            user::Column::PasswordHash,
            Expr::value(password_hash.to_owned()),
        )
        .col_expr(user::Column::UpdatedAt, Expr::value(now))
        .filter(user::Column::Id.eq(user_id))
        .filter(user::Column::InstanceId.eq(instance_id))
        .exec(db)
        .await?;
    Ok(())
}

/// Locks a user until `until`, or unlocks (`None`, which also starts the failure count over).
pub async fn set_locked_until(
    db: &impl ConnectionTrait,
    instance_id: &str,
    user_id: &str,
    until: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<bool> {
    let mut update = user::Entity::update_many()
        .col_expr(user::Column::LockedUntil, Expr::value(until))
        .col_expr(user::Column::UpdatedAt, Expr::value(now));
    if until.is_none() {
        update = update.col_expr(user::Column::FailedSignInAttempts, Expr::value(0));
    }
    let result = update
        .filter(user::Column::Id.eq(user_id))
        .filter(user::Column::InstanceId.eq(instance_id))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Bans or unbans a user.
pub async fn set_banned(
    db: &impl ConnectionTrait,
    instance_id: &str,
    user_id: &str,
    banned: bool,
    now: DateTime<Utc>,
) -> Result<bool> {
    let result = user::Entity::update_many()
        .col_expr(user::Column::Banned, Expr::value(banned))
        .col_expr(user::Column::UpdatedAt, Expr::value(now))
        .filter(user::Column::Id.eq(user_id))
        .filter(user::Column::InstanceId.eq(instance_id))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}
