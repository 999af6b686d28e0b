//! The instance's organization roles and permissions (backend; members may read the roles).
//! `org:admin` always holds every system permission, a role in use cannot be deleted, and no
//! role change may leave an organization without a member who can manage memberships. Every
//! change of a role's permission set (creating, updating or deleting a role, deleting a
//! permission) takes the instance's permission-set lock first and reads what it changes after
//! it, so two such changes never write from the same stale read.

use sea_orm::{ConnectionTrait, DatabaseTransaction, TransactionTrait};

use crate::ids::{IdKind, new_id};
use crate::model::caller::Caller;
use crate::model::event::{EventType, NewEvent};
use crate::model::organization::{
    self as model, ADMIN_ROLE, MEMBER_ROLE, MEMBERSHIPS_MANAGE, Permission, Role,
    SYSTEM_PERMISSIONS,
};
use crate::platform::Platform;
use crate::store;
use crate::test_hooks::{self, Point};
use crate::{Error, Result};

/// A role to create or the changes to one (`None` stays as it is).
#[derive(Clone, Debug, Default)]
pub struct RoleInput {
    pub name: Option<String>,
    pub description: Option<String>,
    pub permissions: Option<Vec<String>>,
}

const MAX_DESCRIPTION_CHARS: usize = 512;

/// Checks that each key is a permission of the instance (system or custom), as `db` sees it
/// (read under the permission-set lock, so none is deleted before the caller commits); sorted,
/// once.
async fn known_permissions(
    db: &impl ConnectionTrait,
    instance_id: &str,
    keys: &[String],
) -> Result<Vec<String>> {
    let custom = store::roles::custom_permissions(db, instance_id).await?;
    let mut out: Vec<String> = Vec::new();
    for key in keys {
        let known = model::is_system_permission(key) || custom.iter().any(|p| &p.key == key);
        if !known {
            return Err(Error::validation(
                "permissions",
                format!("{key:?} is not a permission of this instance"),
            ));
        }
        if !out.contains(key) {
            out.push(key.clone());
        }
    }
    out.sort();
    Ok(out)
}

/// Opens the transaction of a change to role permission sets, after the test pause point: the
/// instance's permission-set lock is its first statement, so everything it reads afterwards is
/// what the change applies to.
async fn permission_set_change(
    platform: &Platform,
    instance_id: &str,
) -> Result<DatabaseTransaction> {
    test_hooks::pause(Point::RolePermissions, instance_id).await;
    let txn = platform.db.begin().await?;
    store::roles::lock_permission_sets(&txn, instance_id).await?;
    Ok(txn)
}

fn description(value: &str) -> Result<String> {
    if value.chars().count() > MAX_DESCRIPTION_CHARS {
        return Err(Error::validation(
            "description",
            "must be at most 512 characters",
        ));
    }
    Ok(value.trim().to_owned())
}

impl Platform {
    /// `roles`: every role of the instance (backend, or any signed-in user).
    pub async fn roles(&self, caller: &Caller) -> Result<Vec<Role>> {
        let instance = match caller {
            Caller::Backend { instance, .. } => instance,
            _ => caller.require_user()?.0,
        };
        store::roles::all(&self.db, &instance.id).await
    }

    /// `createRole` (backend).
    pub async fn create_role(&self, caller: &Caller, key: &str, input: RoleInput) -> Result<Role> {
        let instance = caller.require_backend()?;
        model::check_role_key(key)?;
        let name = model::check_name("name", input.name.as_deref().unwrap_or(""), 128)?;
        let description = description(input.description.as_deref().unwrap_or(""))?;
        let txn = permission_set_change(self, &instance.id).await?;
        let permissions =
            known_permissions(&txn, &instance.id, &input.permissions.unwrap_or_default()).await?;
        let now = self.now();
        let role = Role {
            id: new_id(IdKind::Role),
            instance_id: instance.id.clone(),
            key: key.to_owned(),
            name,
            description,
            permissions,
            created_at: now,
            updated_at: now,
        };
        store::roles::insert(&txn, &role).await?;
        let event = NewEvent::role(EventType::RoleCreated, &role);
        store::events::append(&txn, &instance.id, &[event], now).await?;
        txn.commit().await?;
        self.services.events.committed(&instance.id);
        Ok(role)
    }

    /// `updateRole` (backend): its name, description or permissions. Every token carrying the
    /// role is issued afresh from the new permissions. The role is read, and written whole,
    /// under the permission-set lock, so a permission deleted meanwhile never comes back.
    pub async fn update_role(&self, caller: &Caller, key: &str, input: RoleInput) -> Result<Role> {
        let instance = caller.require_backend()?;
        let name = input
            .name
            .as_deref()
            .map(|name| model::check_name("name", name, 128))
            .transpose()?;
        let new_description = input.description.as_deref().map(description).transpose()?;
        let txn = permission_set_change(self, &instance.id).await?;
        let roles = store::roles::all(&txn, &instance.id).await?;
        let mut role = roles
            .iter()
            .find(|r| r.key == key)
            .cloned()
            .ok_or(Error::NotFound("role"))?;
        if let Some(name) = name {
            role.name = name;
        }
        if let Some(d) = new_description {
            role.description = d;
        }
        if let Some(permissions) = &input.permissions {
            let next = known_permissions(&txn, &instance.id, permissions).await?;
            if key == ADMIN_ROLE
                && SYSTEM_PERMISSIONS
                    .iter()
                    .any(|(p, _)| !next.iter().any(|n| n == p))
            {
                return Err(Error::validation(
                    "permissions",
                    "org:admin keeps every system permission",
                ));
            }
            role.permissions = next;
        }
        let now = self.now();
        let loses_manage = roles
            .iter()
            .any(|r| r.key == key && r.permissions.iter().any(|p| p == MEMBERSHIPS_MANAGE))
            && !role.permissions.iter().any(|p| p == MEMBERSHIPS_MANAGE);
        if loses_manage {
            // The organizations with a member holding the role are locked first, so no
            // membership change of theirs runs between the check and the write.
            store::organizations::lock_with_role(&txn, &instance.id, key).await?;
            let others: Vec<String> = store::roles::all(&txn, &instance.id)
                .await?
                .into_iter()
                .filter(|r| r.key != key && r.permissions.iter().any(|p| p == MEMBERSHIPS_MANAGE))
                .map(|r| r.key)
                .collect();
            if store::memberships::some_organization_only_with(&txn, &instance.id, key, &others)
                .await?
            {
                return Err(Error::validation(
                    "permissions",
                    "an organization would be left without a member with org:sys_memberships:manage",
                ));
            }
        }
        role.updated_at = now;
        store::roles::update(&txn, &role).await?;
        let event = NewEvent::role(EventType::RoleUpdated, &role);
        store::events::append(&txn, &instance.id, &[event], now).await?;
        txn.commit().await?;
        self.services.events.committed(&instance.id);
        self.services.organization_changed(&instance.id, None, None);
        Ok(role)
    }

    /// `deleteRole` (backend): never a default role, nor one a membership or a pending
    /// invitation carries.
    pub async fn delete_role(&self, caller: &Caller, key: &str) -> Result<Role> {
        let instance = caller.require_backend()?;
        if key == ADMIN_ROLE || key == MEMBER_ROLE {
            return Err(Error::validation("key", "a default role cannot be deleted"));
        }
        let now = self.now();
        let txn = permission_set_change(self, &instance.id).await?;
        // Locked next: no membership or invitation takes the role until this commits.
        if !store::roles::lock(&txn, &instance.id, key).await? {
            return Err(Error::NotFound("role"));
        }
        let role = store::roles::find(&txn, &instance.id, key)
            .await?
            .ok_or(Error::NotFound("role"))?;
        let uses = store::roles::uses(&txn, &instance.id, key).await?;
        if uses > 0 {
            return Err(Error::validation(
                "key",
                format!("the role is in use by {uses} memberships or pending invitations"),
            ));
        }
        store::roles::delete(&txn, &instance.id, &role.id).await?;
        let event = NewEvent::role(EventType::RoleDeleted, &role);
        store::events::append(&txn, &instance.id, &[event], now).await?;
        txn.commit().await?;
        self.services.events.committed(&instance.id);
        Ok(role)
    }

    /// `permissions`: the system permissions, then the instance's custom ones (backend).
    pub async fn permissions(&self, caller: &Caller) -> Result<Vec<Permission>> {
        let instance = caller.require_backend()?;
        let mut all: Vec<Permission> = SYSTEM_PERMISSIONS
            .iter()
            .map(|(key, name)| Permission {
                id: (*key).to_owned(),
                key: (*key).to_owned(),
                name: (*name).to_owned(),
                description: String::new(),
                system: true,
                created_at: None,
            })
            .collect();
        all.extend(store::roles::custom_permissions(&self.db, &instance.id).await?);
        Ok(all)
    }

    /// `createPermission` (backend): a custom permission `org:<feature>:<permission>`.
    pub async fn create_permission(
        &self,
        caller: &Caller,
        key: &str,
        name: &str,
        description_text: Option<&str>,
    ) -> Result<Permission> {
        let instance = caller.require_backend()?;
        model::check_permission_key(key)?;
        let permission = Permission {
            id: new_id(IdKind::Permission),
            key: key.to_owned(),
            name: model::check_name("name", name, 128)?,
            description: description(description_text.unwrap_or(""))?,
            system: false,
            created_at: Some(self.now()),
        };
        store::roles::insert_permission(&self.db, &instance.id, &permission, self.now()).await?;
        Ok(permission)
    }

    /// `deletePermission` (backend): a custom permission, taken out of every role too (each
    /// role that held it gets `role.updated`, from the roles as they are under the lock).
    pub async fn delete_permission(&self, caller: &Caller, id: &str) -> Result<String> {
        let instance = caller.require_backend()?;
        let now = self.now();
        let txn = permission_set_change(self, &instance.id).await?;
        let before = store::roles::all(&txn, &instance.id).await?;
        let key = store::roles::delete_permission(&txn, &instance.id, id)
            .await?
            .ok_or(Error::NotFound("permission"))?;
        let events: Vec<NewEvent> = before
            .into_iter()
            .filter(|r| r.permissions.contains(&key))
            .map(|mut r| {
                r.permissions.retain(|p| p != &key);
                r.updated_at = now;
                NewEvent::role(EventType::RoleUpdated, &r)
            })
            .collect();
        store::events::append(&txn, &instance.id, &events, now).await?;
        txn.commit().await?;
        self.services.events.committed(&instance.id);
        self.services.organization_changed(&instance.id, None, None);
        Ok(key)
    }
}
