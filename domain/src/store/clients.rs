//! Frontend clients: found by the hash of their token, always within one instance.

use chrono::{DateTime, Utc};
use latchkey_entities::client;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
};

use crate::Result;
use std::collections::BTreeMap;

use crate::model::client::Client;
use crate::model::organization::OrganizationClaim;
use crate::model::session::{Session, SessionStatus};

/// Writes a new client with the hash of its token.
pub async fn insert(
    db: &impl ConnectionTrait,
    instance_id: &str,
    id: &str,
    token_hash: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    client::ActiveModel {
        id: Set(id.to_owned()),
        instance_id: Set(instance_id.to_owned()),
        token_hash: Set(token_hash.to_owned()),
        last_active_session_id: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await?;
    Ok(())
}

/// The client of `instance_id` whose token hashes to `token_hash`, with its newest sign-up and
/// its sessions. A token of another instance finds nothing.
pub async fn load(
    db: &impl ConnectionTrait,
    instance_id: &str,
    token_hash: &str,
) -> Result<Option<Client>> {
    let Some(row) = client::Entity::find()
        .filter(client::Column::InstanceId.eq(instance_id))
        .filter(client::Column::TokenHash.eq(token_hash))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let sign_up = super::sign_ups::latest_for_client(db, instance_id, &row.id).await?;
    let sign_in = super::sign_ins::latest_for_client(db, instance_id, &row.id).await?;
    let sessions = super::sessions::for_client(db, instance_id, &row.id).await?;
    let organizations = organization_claims(db, instance_id, &sessions).await?;
    Ok(Some(Client {
        organizations,
        id: row.id,
        instance_id: row.instance_id,
        last_active_session_id: row.last_active_session_id,
        sign_up,
        sign_in,
        sessions,
        created_at: row.created_at,
        updated_at: row.updated_at,
    }))
}

/// The `o` claims of the active sessions that have an active organization (a membership gone
/// meanwhile gives none).
pub async fn organization_claims(
    db: &impl ConnectionTrait,
    instance_id: &str,
    sessions: &[Session],
) -> Result<BTreeMap<String, OrganizationClaim>> {
    let mut claims = BTreeMap::new();
    for s in sessions {
        if s.status != SessionStatus::Active {
            continue;
        }
        if let Some(org) = &s.last_active_organization_id
            && let Some(claim) = super::memberships::claim(db, instance_id, org, &s.user_id).await?
        {
            claims.insert(s.id.clone(), claim);
        }
    }
    Ok(claims)
}

/// Makes `session_id` the client's active session (none: the client is signed out).
pub async fn set_last_active_session(
    db: &impl ConnectionTrait,
    instance_id: &str,
    client_id: &str,
    session_id: Option<&str>,
    now: DateTime<Utc>,
) -> Result<()> {
    client::Entity::update_many()
        .col_expr(
            client::Column::LastActiveSessionId,
            Expr::value(session_id.map(str::to_owned)),
        )
        .col_expr(client::Column::UpdatedAt, Expr::value(now))
        .filter(client::Column::Id.eq(client_id))
        .filter(client::Column::InstanceId.eq(instance_id))
        .exec(db)
        .await?;
    Ok(())
}

/// Deletes a client and everything it holds.
pub async fn delete(db: &impl ConnectionTrait, instance_id: &str, id: &str) -> Result<()> {
    client::Entity::delete_many()
        .filter(client::Column::Id.eq(id))
        .filter(client::Column::InstanceId.eq(instance_id))
        .exec(db)
        .await?;
    Ok(())
}
