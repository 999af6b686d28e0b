//! An instance's roles (with their permission keys) and custom permissions.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use latchkey_entities::{
    instance, organization_invitation, organization_membership, organization_permission,
    organization_role, organization_role_permission,
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder,
};

use super::is_unique_violation;
use crate::ids::{IdKind, new_id};
use crate::model::organization::{Permission, Role, default_roles};
use crate::{Error, Result};

fn key_taken(err: sea_orm::DbErr) -> Error {
    if is_unique_violation(&err) {
        Error::IdentifierExists {
            field: "key".to_owned(),
        }
    } else {
        err.into()
    }
}

/// Every role of the instance with its permissions, oldest first.
pub async fn all(db: &impl ConnectionTrait, instance_id: &str) -> Result<Vec<Role>> {
    let rows = organization_role::Entity::find()
        .filter(organization_role::Column::InstanceId.eq(instance_id))
        .order_by_asc(organization_role::Column::CreatedAt)
        .order_by_asc(organization_role::Column::Key)
        .all(db)
        .await?;
    let mut permissions: HashMap<String, Vec<String>> = HashMap::new();
    for p in organization_role_permission::Entity::find()
        .filter(organization_role_permission::Column::InstanceId.eq(instance_id))
        .order_by_asc(organization_role_permission::Column::Permission)
        .all(db)
        .await?
    {
        permissions.entry(p.role_id).or_default().push(p.permission);
    }
    Ok(rows
        .into_iter()
        .map(|r| Role {
            permissions: permissions.remove(&r.id).unwrap_or_default(),
            id: r.id,
            instance_id: r.instance_id,
            key: r.key,
            name: r.name,
            description: r.description,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
        .collect())
}

/// One role of the instance by key.
pub async fn find(db: &impl ConnectionTrait, instance_id: &str, key: &str) -> Result<Option<Role>> {
    Ok(all(db, instance_id)
        .await?
        .into_iter()
        .find(|r| r.key == key))
}

async fn write_permissions(db: &impl ConnectionTrait, role: &Role) -> Result<()> {
    organization_role_permission::Entity::delete_many()
        .filter(organization_role_permission::Column::InstanceId.eq(&role.instance_id))
        .filter(organization_role_permission::Column::RoleId.eq(&role.id))
        .exec(db)
        .await?;
    for permission in &role.permissions {
        organization_role_permission::ActiveModel {
            role_id: Set(role.id.clone()),
            instance_id: Set(role.instance_id.clone()),
            permission: Set(permission.clone()),
        }
        .insert(db)
        .await?;
    }
    Ok(())
}

/// Writes a new role with its permissions; `IDENTIFIER_EXISTS` (`key`) when the key is taken.
pub async fn insert(db: &impl ConnectionTrait, role: &Role) -> Result<()> {
    organization_role::ActiveModel {
        id: Set(role.id.clone()),
        instance_id: Set(role.instance_id.clone()),
        key: Set(role.key.clone()),
        name: Set(role.name.clone()),
        description: Set(role.description.clone()),
        created_at: Set(role.created_at),
        updated_at: Set(role.updated_at),
    }
    .insert(db)
    .await
    .map_err(key_taken)?;
    write_permissions(db, role).await
}

/// Writes a role's name, description and permissions.
pub async fn update(db: &impl ConnectionTrait, role: &Role) -> Result<()> {
    organization_role::Entity::update_many()
        .set(organization_role::ActiveModel {
            name: Set(role.name.clone()),
            description: Set(role.description.clone()),
            updated_at: Set(role.updated_at),
            ..Default::default()
        })
        .filter(organization_role::Column::InstanceId.eq(&role.instance_id))
        .filter(organization_role::Column::Id.eq(&role.id))
        .exec(db)
        .await?;
    write_permissions(db, role).await
}

/// Deletes a role (its permission list goes with it).
pub async fn delete(db: &impl ConnectionTrait, instance_id: &str, id: &str) -> Result<()> {
    organization_role_permission::Entity::delete_many()
        .filter(organization_role_permission::Column::InstanceId.eq(instance_id))
        .filter(organization_role_permission::Column::RoleId.eq(id))
        .exec(db)
        .await?;
    organization_role::Entity::delete_many()
        .filter(organization_role::Column::InstanceId.eq(instance_id))
        .filter(organization_role::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// Locks the role's row until commit (a write of its `updated_at` to itself), so a change that
/// gives the role to someone and the role's deletion queue. False when there is no such role.
pub async fn lock(db: &impl ConnectionTrait, instance_id: &str, key: &str) -> Result<bool> {
    use sea_orm::sea_query::Expr;
    let done = organization_role::Entity::update_many()
        .col_expr(
            organization_role::Column::UpdatedAt,
            Expr::col(organization_role::Column::UpdatedAt),
        )
        .filter(organization_role::Column::InstanceId.eq(instance_id))
        .filter(organization_role::Column::Key.eq(key))
        .exec(db)
        .await?;
    Ok(done.rows_affected > 0)
}

/// Takes, until commit, the lock every change of a role's permission set shares: the
/// instance's row (a write of its `updated_at` to itself: a row lock on PostgreSQL, the write
/// lock on SQLite). Nothing else holds that row while waiting for another lock (a settings
/// change is one statement), and the rows locked after it (organizations, then roles) keep
/// the order membership changes take them in.
pub async fn lock_permission_sets(db: &impl ConnectionTrait, instance_id: &str) -> Result<()> {
    use sea_orm::sea_query::Expr;
    let done = instance::Entity::update_many()
        .col_expr(
            instance::Column::UpdatedAt,
            Expr::col(instance::Column::UpdatedAt),
        )
        .filter(instance::Column::Id.eq(instance_id))
        .exec(db)
        .await?;
    if done.rows_affected == 0 {
        return Err(Error::NotFound("instance"));
    }
    Ok(())
}

/// How many memberships and pending invitations carry the role.
pub async fn uses(db: &impl ConnectionTrait, instance_id: &str, key: &str) -> Result<u64> {
    let members = organization_membership::Entity::find()
        .filter(organization_membership::Column::InstanceId.eq(instance_id))
        .filter(organization_membership::Column::Role.eq(key))
        .count(db)
        .await?;
    let invited = organization_invitation::Entity::find()
        .filter(organization_invitation::Column::InstanceId.eq(instance_id))
        .filter(organization_invitation::Column::Role.eq(key))
        .filter(organization_invitation::Column::Status.eq("pending"))
        .count(db)
        .await?;
    Ok(members + invited)
}

/// Writes the default roles of a new instance.
pub async fn insert_defaults(
    db: &impl ConnectionTrait,
    instance_id: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    for (key, name, permissions) in default_roles() {
        insert(
            db,
            &Role {
                id: new_id(IdKind::Role),
                instance_id: instance_id.to_owned(),
                key: key.to_owned(),
                name: name.to_owned(),
                description: String::new(),
                permissions: permissions.into_iter().map(str::to_owned).collect(),
                created_at: now,
                updated_at: now,
            },
        )
        .await?;
    }
    Ok(())
}

fn permission_model(row: organization_permission::Model) -> Permission {
    Permission {
        id: row.id,
        key: row.key,
        name: row.name,
        description: row.description,
        system: false,
        created_at: Some(row.created_at),
    }
}

/// The instance's custom permissions, by key.
pub async fn custom_permissions(
    db: &impl ConnectionTrait,
    instance_id: &str,
) -> Result<Vec<Permission>> {
    Ok(organization_permission::Entity::find()
        .filter(organization_permission::Column::InstanceId.eq(instance_id))
        .order_by_asc(organization_permission::Column::Key)
        .all(db)
        .await?
        .into_iter()
        .map(permission_model)
        .collect())
}

/// Writes a custom permission; `IDENTIFIER_EXISTS` (`key`) when its key is taken.
pub async fn insert_permission(
    db: &impl ConnectionTrait,
    instance_id: &str,
    p: &Permission,
    now: DateTime<Utc>,
) -> Result<()> {
    organization_permission::ActiveModel {
        id: Set(p.id.clone()),
        instance_id: Set(instance_id.to_owned()),
        key: Set(p.key.clone()),
        name: Set(p.name.clone()),
        description: Set(p.description.clone()),
        created_at: Set(now),
    }
    .insert(db)
    .await
    .map_err(key_taken)?;
    Ok(())
}

/// Deletes a custom permission by id and takes it out of every role; gives its key.
pub async fn delete_permission(
    db: &impl ConnectionTrait,
    instance_id: &str,
    id: &str,
) -> Result<Option<String>> {
    let Some(row) = organization_permission::Entity::find()
        .filter(organization_permission::Column::InstanceId.eq(instance_id))
        .filter(organization_permission::Column::Id.eq(id))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    organization_role_permission::Entity::delete_many()
        .filter(organization_role_permission::Column::InstanceId.eq(instance_id))
        .filter(organization_role_permission::Column::Permission.eq(&row.key))
        .exec(db)
        .await?;
    organization_permission::Entity::delete_many()
        .filter(organization_permission::Column::InstanceId.eq(instance_id))
        .filter(organization_permission::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(Some(row.key))
}
