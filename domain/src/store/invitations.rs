//! Organization invitations: written pending, then accepted or revoked by a compare-and-set
//! from pending; expiry is read from `expires_at`.

use chrono::{DateTime, Utc};
use latchkey_entities::organization_invitation as invitation;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect,
};

use crate::Result;
use crate::model::organization::{Invitation, InvitationStatus};

fn to_model(row: invitation::Model) -> Result<Invitation> {
    Ok(Invitation {
        status: InvitationStatus::parse(&row.status)?,
        id: row.id,
        instance_id: row.instance_id,
        organization_id: row.organization_id,
        email_address: row.email_address,
        role: row.role,
        inviter_user_id: row.inviter_user_id,
        expires_at: row.expires_at,
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}

/// Writes a new invitation.
pub async fn insert(db: &impl ConnectionTrait, i: &Invitation) -> Result<()> {
    invitation::ActiveModel {
        id: Set(i.id.clone()),
        instance_id: Set(i.instance_id.clone()),
        organization_id: Set(i.organization_id.clone()),
        email_address: Set(i.email_address.clone()),
        normalized: Set(i.email_address.to_ascii_lowercase()),
        role: Set(i.role.clone()),
        status: Set(i.status.as_str().to_owned()),
        inviter_user_id: Set(i.inviter_user_id.clone()),
        expires_at: Set(i.expires_at),
        created_at: Set(i.created_at),
        updated_at: Set(i.updated_at),
    }
    .insert(db)
    .await?;
    Ok(())
}

/// An invitation of the instance.
pub async fn find(
    db: &impl ConnectionTrait,
    instance_id: &str,
    id: &str,
) -> Result<Option<Invitation>> {
    invitation::Entity::find()
        .filter(invitation::Column::InstanceId.eq(instance_id))
        .filter(invitation::Column::Id.eq(id))
        .one(db)
        .await?
        .map(to_model)
        .transpose()
}

/// A page of an organization's invitations, newest first; only those stored with `status`
/// when given (`Expired` is asked as pending past expiry).
pub async fn for_organization(
    db: &impl ConnectionTrait,
    instance_id: &str,
    organization_id: &str,
    status: Option<InvitationStatus>,
    now: DateTime<Utc>,
    limit: u64,
    offset: u64,
) -> Result<Vec<Invitation>> {
    let mut query = invitation::Entity::find()
        .filter(invitation::Column::InstanceId.eq(instance_id))
        .filter(invitation::Column::OrganizationId.eq(organization_id));
    match status {
        None => {}
        Some(InvitationStatus::Expired) => {
            query = query
                .filter(invitation::Column::Status.eq(InvitationStatus::Pending.as_str()))
                .filter(invitation::Column::ExpiresAt.lte(now));
        }
        Some(InvitationStatus::Pending) => {
            query = query
                .filter(invitation::Column::Status.eq(InvitationStatus::Pending.as_str()))
                .filter(invitation::Column::ExpiresAt.gt(now));
        }
        Some(other) => query = query.filter(invitation::Column::Status.eq(other.as_str())),
    }
    query
        .order_by_desc(invitation::Column::CreatedAt)
        .order_by_desc(invitation::Column::Id)
        .limit(limit)
        .offset(offset)
        .all(db)
        .await?
        .into_iter()
        .map(to_model)
        .collect()
}

/// How many invitations of the organization are pending and unexpired.
pub async fn count_pending(
    db: &impl ConnectionTrait,
    instance_id: &str,
    organization_id: &str,
    now: DateTime<Utc>,
) -> Result<u64> {
    Ok(invitation::Entity::find()
        .filter(invitation::Column::InstanceId.eq(instance_id))
        .filter(invitation::Column::OrganizationId.eq(organization_id))
        .filter(invitation::Column::Status.eq(InvitationStatus::Pending.as_str()))
        .filter(invitation::Column::ExpiresAt.gt(now))
        .count(db)
        .await?)
}

/// The pending, unexpired invitations of an email address (any case), oldest first.
pub async fn pending_for_address(
    db: &impl ConnectionTrait,
    instance_id: &str,
    email_address: &str,
    now: DateTime<Utc>,
) -> Result<Vec<Invitation>> {
    invitation::Entity::find()
        .filter(invitation::Column::InstanceId.eq(instance_id))
        .filter(invitation::Column::Normalized.eq(email_address.trim().to_ascii_lowercase()))
        .filter(invitation::Column::Status.eq(InvitationStatus::Pending.as_str()))
        .filter(invitation::Column::ExpiresAt.gt(now))
        .order_by_asc(invitation::Column::CreatedAt)
        .all(db)
        .await?
        .into_iter()
        .map(to_model)
        .collect()
}

/// Moves a pending, unexpired invitation to `status`; false when it was not pending any more.
pub async fn finish(
    db: &impl ConnectionTrait,
    instance_id: &str,
    id: &str,
    status: InvitationStatus,
    now: DateTime<Utc>,
) -> Result<bool> {
    let done = invitation::Entity::update_many()
        .col_expr(invitation::Column::Status, Expr::value(status.as_str()))
        .col_expr(invitation::Column::UpdatedAt, Expr::value(now))
        .filter(invitation::Column::InstanceId.eq(instance_id))
        .filter(invitation::Column::Id.eq(id))
        .filter(invitation::Column::Status.eq(InvitationStatus::Pending.as_str()))
        .filter(invitation::Column::ExpiresAt.gt(now))
        .exec(db)
        .await?;
    Ok(done.rows_affected == 1)
}
