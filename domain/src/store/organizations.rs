//! Organizations of an instance: written, found by id or slug, listed, locked, deleted.

use chrono::{DateTime, Utc};
use latchkey_entities::{organization, organization_membership, session};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};

use super::is_unique_violation;
use crate::model::organization::Organization;
use crate::{Error, Result};

fn to_model(row: organization::Model) -> Result<Organization> {
    Ok(Organization {
        public_metadata: serde_json::from_str(&row.public_metadata).map_err(Error::internal)?,
        private_metadata: serde_json::from_str(&row.private_metadata).map_err(Error::internal)?,
        max_allowed_memberships: u32::try_from(row.max_allowed_memberships).unwrap_or(0),
        id: row.id,
        instance_id: row.instance_id,
        name: row.name,
        slug: row.slug,
        image_url: row.image_url,
        created_by: row.created_by,
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}

fn taken(err: sea_orm::DbErr) -> Error {
    if is_unique_violation(&err) {
        Error::IdentifierExists {
            field: "slug".to_owned(),
        }
    } else {
        err.into()
    }
}

fn active(o: &Organization) -> organization::ActiveModel {
    organization::ActiveModel {
        id: Set(o.id.clone()),
        instance_id: Set(o.instance_id.clone()),
        name: Set(o.name.clone()),
        slug: Set(o.slug.clone()),
        image_url: Set(o.image_url.clone()),
        created_by: Set(o.created_by.clone()),
        public_metadata: Set(o.public_metadata.to_string()),
        private_metadata: Set(o.private_metadata.to_string()),
        max_allowed_memberships: Set(i32::try_from(o.max_allowed_memberships).unwrap_or(i32::MAX)),
        created_at: Set(o.created_at),
        updated_at: Set(o.updated_at),
    }
}

/// Writes a new organization; `IDENTIFIER_EXISTS` (`slug`) when its slug is taken.
pub async fn insert(db: &impl ConnectionTrait, o: &Organization) -> Result<()> {
    active(o).insert(db).await.map_err(taken)?;
    Ok(())
}

/// Writes every field of an existing organization; `IDENTIFIER_EXISTS` for a taken slug.
pub async fn update(db: &impl ConnectionTrait, o: &Organization) -> Result<()> {
    let result = organization::Entity::update_many()
        .set(active(o))
        .filter(organization::Column::InstanceId.eq(&o.instance_id))
        .filter(organization::Column::Id.eq(&o.id))
        .exec(db)
        .await
        .map_err(taken)?;
    if result.rows_affected == 0 {
        return Err(Error::NotFound("organization"));
    }
    Ok(())
}

/// An organization of the instance.
pub async fn find(
    db: &impl ConnectionTrait,
    instance_id: &str,
    id: &str,
) -> Result<Option<Organization>> {
    organization::Entity::find()
        .filter(organization::Column::InstanceId.eq(instance_id))
        .filter(organization::Column::Id.eq(id))
        .one(db)
        .await?
        .map(to_model)
        .transpose()
}

/// An organization of the instance by its slug.
pub async fn find_by_slug(
    db: &impl ConnectionTrait,
    instance_id: &str,
    slug: &str,
) -> Result<Option<Organization>> {
    organization::Entity::find()
        .filter(organization::Column::InstanceId.eq(instance_id))
        .filter(organization::Column::Slug.eq(slug))
        .one(db)
        .await?
        .map(to_model)
        .transpose()
}

/// Organizations of the instance by id, in no order (for a page's lookups).
pub async fn by_ids(
    db: &impl ConnectionTrait,
    instance_id: &str,
    ids: &[String],
) -> Result<Vec<Organization>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    organization::Entity::find()
        .filter(organization::Column::InstanceId.eq(instance_id))
        .filter(organization::Column::Id.is_in(ids.iter().cloned()))
        .all(db)
        .await?
        .into_iter()
        .map(to_model)
        .collect()
}

/// How a list of organizations is ordered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OrganizationOrder {
    CreatedAtDesc,
    CreatedAtAsc,
    NameAsc,
    NameDesc,
}

/// Which organizations a list holds.
#[derive(Clone, Debug, Default)]
pub struct OrganizationFilter {
    /// A case-insensitive part of the name or slug, or the whole id.
    pub query: Option<String>,
    /// Organizations this user is a member of.
    pub user_id: Option<String>,
}

fn condition(instance_id: &str, filter: &OrganizationFilter) -> Condition {
    let mut c = Condition::all().add(organization::Column::InstanceId.eq(instance_id));
    if let Some(query) = &filter.query {
        let escaped = query
            .to_lowercase()
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        let pattern = format!("%{escaped}%");
        let like = |col: organization::Column| {
            Expr::expr(sea_orm::sea_query::Func::lower(Expr::col(col)))
                .like(sea_orm::sea_query::LikeExpr::new(&pattern).escape('\\'))
        };
        c = c.add(
            Condition::any()
                .add(like(organization::Column::Name))
                .add(like(organization::Column::Slug))
                .add(organization::Column::Id.eq(query.as_str())),
        );
    }
    if let Some(user_id) = &filter.user_id {
        c = c.add(
            organization::Column::Id.in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(organization_membership::Column::OrganizationId)
                    .from(organization_membership::Entity)
                    .and_where(organization_membership::Column::InstanceId.eq(instance_id))
                    .and_where(organization_membership::Column::UserId.eq(user_id.as_str()))
                    .to_owned(),
            ),
        );
    }
    c
}

/// A page of the instance's organizations.
pub async fn list(
    db: &impl ConnectionTrait,
    instance_id: &str,
    filter: &OrganizationFilter,
    order: OrganizationOrder,
    limit: u64,
    offset: u64,
) -> Result<Vec<Organization>> {
    use sea_orm::Order::{Asc, Desc};
    let (col, dir) = match order {
        OrganizationOrder::CreatedAtDesc => (organization::Column::CreatedAt, Desc),
        OrganizationOrder::CreatedAtAsc => (organization::Column::CreatedAt, Asc),
        OrganizationOrder::NameAsc => (organization::Column::Name, Asc),
        OrganizationOrder::NameDesc => (organization::Column::Name, Desc),
    };
    organization::Entity::find()
        .filter(condition(instance_id, filter))
        .order_by(col, dir.clone())
        .order_by(organization::Column::Id, dir)
        .limit(limit)
        .offset(offset)
        .all(db)
        .await?
        .into_iter()
        .map(to_model)
        .collect()
}

/// How many organizations pass the filter.
pub async fn count(
    db: &impl ConnectionTrait,
    instance_id: &str,
    filter: &OrganizationFilter,
) -> Result<u64> {
    Ok(organization::Entity::find()
        .filter(condition(instance_id, filter))
        .count(db)
        .await?)
}

/// Locks the organization's row until commit (a write of its `updated_at` to itself: a row
/// lock on PostgreSQL, the write lock on SQLite), so membership changes of one organization
/// queue. False when there is no such organization.
pub async fn lock(db: &impl ConnectionTrait, instance_id: &str, id: &str) -> Result<bool> {
    let result = organization::Entity::update_many()
        .col_expr(
            organization::Column::UpdatedAt,
            Expr::col(organization::Column::UpdatedAt),
        )
        .filter(organization::Column::InstanceId.eq(instance_id))
        .filter(organization::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(result.rows_affected > 0)
}

/// Locks, until commit, every organization with a member holding `role` (a role about to
/// change its permissions).
pub async fn lock_with_role(
    db: &impl ConnectionTrait,
    instance_id: &str,
    role: &str,
) -> Result<()> {
    organization::Entity::update_many()
        .col_expr(
            organization::Column::UpdatedAt,
            Expr::col(organization::Column::UpdatedAt),
        )
        .filter(organization::Column::InstanceId.eq(instance_id))
        .filter(
            organization::Column::Id.in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(organization_membership::Column::OrganizationId)
                    .from(organization_membership::Entity)
                    .and_where(organization_membership::Column::InstanceId.eq(instance_id))
                    .and_where(organization_membership::Column::Role.eq(role))
                    .to_owned(),
            ),
        )
        .exec(db)
        .await?;
    Ok(())
}

/// Deletes an organization (its memberships and invitations go with it).
pub async fn delete(db: &impl ConnectionTrait, instance_id: &str, id: &str) -> Result<bool> {
    let result = organization::Entity::delete_many()
        .filter(organization::Column::InstanceId.eq(instance_id))
        .filter(organization::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(result.rows_affected > 0)
}

/// Clears `organization_id` as the active organization of sessions: of one user, or of all.
pub async fn clear_from_sessions(
    db: &impl ConnectionTrait,
    instance_id: &str,
    organization_id: &str,
    user_id: Option<&str>,
    now: DateTime<Utc>,
) -> Result<()> {
    let mut update = session::Entity::update_many()
        .col_expr(
            session::Column::LastActiveOrganizationId,
            Expr::value(Option::<String>::None),
        )
        .col_expr(session::Column::UpdatedAt, Expr::value(now))
        .filter(session::Column::InstanceId.eq(instance_id))
        .filter(session::Column::LastActiveOrganizationId.eq(organization_id));
    if let Some(user_id) = user_id {
        update = update.filter(session::Column::UserId.eq(user_id));
    }
    update.exec(db).await?;
    Ok(())
}
