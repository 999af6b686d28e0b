//! Users and their email addresses. Uniqueness (email addresses and usernames, per instance) is
//! the database's: a unique index refuses the second writer, and that becomes `IDENTIFIER_EXISTS`.

use latchkey_entities::{email_address, user};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder,
};

use super::is_unique_violation;
use crate::model::user::{User, UserEmailAddress};
use crate::{Error, Result};

/// A new user as written: the password as its hash, the first email address already verified.
#[derive(Debug)]
pub struct NewUser<'a> {
    pub user: &'a User,
    pub password_hash: Option<&'a str>,
}

/// Whether a user of the instance has this (normalized) email address.
pub async fn email_taken(
    db: &impl ConnectionTrait,
    instance_id: &str,
    normalized: &str,
) -> Result<bool> {
    Ok(email_address::Entity::find()
        .filter(email_address::Column::InstanceId.eq(instance_id))
        .filter(email_address::Column::Normalized.eq(normalized))
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

fn taken(field: &str) -> impl Fn(DbErr) -> Error + '_ {
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
        password_hash: Set(new.password_hash.map(str::to_owned)),
        primary_email_address_id: Set(u.primary_email_address_id.clone()),
        public_metadata: Set(json(&u.public_metadata)),
        private_metadata: Set(json(&u.private_metadata)),
        unsafe_metadata: Set(json(&u.unsafe_metadata)),
        banned: Set(u.banned),
        last_sign_in_at: Set(u.last_sign_in_at),
        last_active_at: Set(u.last_active_at),
        created_at: Set(u.created_at),
        updated_at: Set(u.updated_at),
    }
    .insert(db)
    .await
    .map_err(taken("username"))?;
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
            created_at: Set(u.created_at),
        }
        .insert(db)
        .await
        .map_err(taken("emailAddress"))?;
    }
    Ok(())
}

fn parse_json(stored: &str) -> Result<serde_json::Value> {
    serde_json::from_str(stored).map_err(Error::internal)
}

/// A user of the instance, with its email addresses.
pub async fn find(db: &impl ConnectionTrait, instance_id: &str, id: &str) -> Result<Option<User>> {
    let Some(row) = user::Entity::find_by_id(id.to_owned())
        .filter(user::Column::InstanceId.eq(instance_id))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let emails = email_address::Entity::find()
        .filter(email_address::Column::InstanceId.eq(instance_id))
        .filter(email_address::Column::UserId.eq(id))
        .order_by_asc(email_address::Column::CreatedAt)
        .order_by_asc(email_address::Column::Id)
        .all(db)
        .await?;
    Ok(Some(User {
        email_addresses: emails
            .into_iter()
            .map(|e| UserEmailAddress {
                id: e.id,
                email_address: e.email_address,
                verified: e.verified,
            })
            .collect(),
        password_enabled: row.password_hash.is_some(),
        public_metadata: parse_json(&row.public_metadata)?,
        private_metadata: parse_json(&row.private_metadata)?,
        unsafe_metadata: parse_json(&row.unsafe_metadata)?,
        id: row.id,
        instance_id: row.instance_id,
        username: row.username,
        first_name: row.first_name,
        last_name: row.last_name,
        primary_email_address_id: row.primary_email_address_id,
        banned: row.banned,
        last_sign_in_at: row.last_sign_in_at,
        last_active_at: row.last_active_at,
        created_at: row.created_at,
        updated_at: row.updated_at,
    }))
}
