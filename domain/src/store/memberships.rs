//! Organization memberships: a user in an organization with one role. The permissions a
//! membership carries come from its role (`fill_permissions`).

use chrono::{DateTime, Utc};
use latchkey_entities::organization_membership as membership;
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect,
};

use super::is_unique_violation;
use crate::model::organization::{Membership, OrganizationClaim, Role};
use crate::{Error, Result};

fn to_model(row: membership::Model) -> Result<Membership> {
    Ok(Membership {
        public_metadata: serde_json::from_str(&row.public_metadata).map_err(Error::internal)?,
        private_metadata: serde_json::from_str(&row.private_metadata).map_err(Error::internal)?,
        id: row.id,
        instance_id: row.instance_id,
        organization_id: row.organization_id,
        user_id: row.user_id,
        role: row.role,
        permissions: Vec::new(),
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}

/// Gives each membership the permissions of its role.
pub fn fill_permissions(memberships: &mut [Membership], roles: &[Role]) {
    for m in memberships {
        m.permissions = roles
            .iter()
            .find(|r| r.key == m.role)
            .map(|r| r.permissions.clone())
            .unwrap_or_default();
    }
}

/// Writes a membership; `VALIDATION_FAILED` (`userId`) when the user is a member already.
pub async fn insert(db: &impl ConnectionTrait, m: &Membership) -> Result<()> {
    let row = membership::ActiveModel {
        id: Set(m.id.clone()),
        instance_id: Set(m.instance_id.clone()),
        organization_id: Set(m.organization_id.clone()),
        user_id: Set(m.user_id.clone()),
        role: Set(m.role.clone()),
        public_metadata: Set(m.public_metadata.to_string()),
        private_metadata: Set(m.private_metadata.to_string()),
        created_at: Set(m.created_at),
        updated_at: Set(m.updated_at),
    };
    match row.insert(db).await {
        Ok(_) => Ok(()),
        Err(err) if is_unique_violation(&err) => Err(Error::validation(
            "userId",
            "the user is a member of this organization already",
        )),
        Err(err) => Err(err.into()),
    }
}

/// The membership of `user_id` in the organization, if any.
pub async fn find(
    db: &impl ConnectionTrait,
    instance_id: &str,
    organization_id: &str,
    user_id: &str,
) -> Result<Option<Membership>> {
    membership::Entity::find()
        .filter(membership::Column::InstanceId.eq(instance_id))
        .filter(membership::Column::OrganizationId.eq(organization_id))
        .filter(membership::Column::UserId.eq(user_id))
        .one(db)
        .await?
        .map(to_model)
        .transpose()
}

/// A page of an organization's memberships, oldest first.
pub async fn for_organization(
    db: &impl ConnectionTrait,
    instance_id: &str,
    organization_id: &str,
    limit: u64,
    offset: u64,
) -> Result<Vec<Membership>> {
    membership::Entity::find()
        .filter(membership::Column::InstanceId.eq(instance_id))
        .filter(membership::Column::OrganizationId.eq(organization_id))
        .order_by_asc(membership::Column::CreatedAt)
        .order_by_asc(membership::Column::Id)
        .limit(limit)
        .offset(offset)
        .all(db)
        .await?
        .into_iter()
        .map(to_model)
        .collect()
}

/// How many members an organization has.
pub async fn count_for_organization(
    db: &impl ConnectionTrait,
    instance_id: &str,
    organization_id: &str,
) -> Result<u64> {
    Ok(membership::Entity::find()
        .filter(membership::Column::InstanceId.eq(instance_id))
        .filter(membership::Column::OrganizationId.eq(organization_id))
        .count(db)
        .await?)
}

/// Every membership of these users (one statement, for a page of users).
pub async fn for_users(
    db: &impl ConnectionTrait,
    instance_id: &str,
    user_ids: &[String],
) -> Result<Vec<Membership>> {
    if user_ids.is_empty() {
        return Ok(Vec::new());
    }
    membership::Entity::find()
        .filter(membership::Column::UserId.is_in(user_ids.iter().cloned()))
        .order_by_asc(membership::Column::CreatedAt)
        .order_by_asc(membership::Column::Id)
        .all(db)
        .await?
        .into_iter()
        // The instance is checked on each row: the user ids alone pick the index.
        .filter(|row| row.instance_id == instance_id)
        .map(to_model)
        .collect()
}

/// Changes a membership's role.
pub async fn set_role(
    db: &impl ConnectionTrait,
    instance_id: &str,
    id: &str,
    role: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    membership::Entity::update_many()
        .col_expr(membership::Column::Role, Expr::value(role))
        .col_expr(membership::Column::UpdatedAt, Expr::value(now))
        .filter(membership::Column::InstanceId.eq(instance_id))
        .filter(membership::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// Writes a membership's metadata.
pub async fn set_metadata(db: &impl ConnectionTrait, m: &Membership) -> Result<()> {
    membership::Entity::update_many()
        .col_expr(
            membership::Column::PublicMetadata,
            Expr::value(m.public_metadata.to_string()),
        )
        .col_expr(
            membership::Column::PrivateMetadata,
            Expr::value(m.private_metadata.to_string()),
        )
        .col_expr(membership::Column::UpdatedAt, Expr::value(m.updated_at))
        .filter(membership::Column::InstanceId.eq(&m.instance_id))
        .filter(membership::Column::Id.eq(&m.id))
        .exec(db)
        .await?;
    Ok(())
}

/// Deletes a membership.
pub async fn delete(db: &impl ConnectionTrait, instance_id: &str, id: &str) -> Result<()> {
    membership::Entity::delete_many()
        .filter(membership::Column::InstanceId.eq(instance_id))
        .filter(membership::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// How many members of the organization hold one of `roles`.
pub async fn count_with_roles(
    db: &impl ConnectionTrait,
    instance_id: &str,
    organization_id: &str,
    roles: &[String],
) -> Result<u64> {
    if roles.is_empty() {
        return Ok(0);
    }
    Ok(membership::Entity::find()
        .filter(membership::Column::InstanceId.eq(instance_id))
        .filter(membership::Column::OrganizationId.eq(organization_id))
        .filter(membership::Column::Role.is_in(roles.iter().cloned()))
        .count(db)
        .await?)
}

/// Whether some organization has a member with `role` and none with any of `others`.
pub async fn some_organization_only_with(
    db: &impl ConnectionTrait,
    instance_id: &str,
    role: &str,
    others: &[String],
) -> Result<bool> {
    let mut query = membership::Entity::find()
        .filter(membership::Column::InstanceId.eq(instance_id))
        .filter(membership::Column::Role.eq(role));
    if !others.is_empty() {
        query = query.filter(
            membership::Column::OrganizationId.not_in_subquery(
                Query::select()
                    .column(membership::Column::OrganizationId)
                    .from(membership::Entity)
                    .and_where(membership::Column::InstanceId.eq(instance_id))
                    .and_where(membership::Column::Role.is_in(others.iter().cloned()))
                    .to_owned(),
            ),
        );
    }
    Ok(query.one(db).await?.is_some())
}

/// What a session token says of `user_id` in the organization (`o`), when a member.
pub async fn claim(
    db: &impl ConnectionTrait,
    instance_id: &str,
    organization_id: &str,
    user_id: &str,
) -> Result<Option<OrganizationClaim>> {
    let Some(m) = find(db, instance_id, organization_id, user_id).await? else {
        return Ok(None);
    };
    let Some(org) = super::organizations::find(db, instance_id, organization_id).await? else {
        return Ok(None);
    };
    let permissions = super::roles::find(db, instance_id, &m.role)
        .await?
        .map(|r| r.permissions)
        .unwrap_or_default();
    Ok(Some(OrganizationClaim {
        id: org.id,
        slug: org.slug,
        role: m.role,
        permissions,
    }))
}
