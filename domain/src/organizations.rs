//! Organizations: the backend's and the members' view. The backend (secret key) may do
//! anything in its instance; a signed-in user sees only organizations it is a member of (any
//! other is `NOT_FOUND`) and acts there as its role's permissions allow (`FORBIDDEN` beyond).

use std::sync::Arc;

use sea_orm::{DatabaseTransaction, TransactionTrait};
use serde_json::Value;

use crate::flows::memberships::new_membership;
use crate::ids::{IdKind, new_id};
use crate::model::caller::Caller;
use crate::model::event::{EventType, NewEvent};
use crate::model::instance::Instance;
use crate::model::metadata;
use crate::model::organization::{
    self as model, ADMIN_ROLE, Membership, Organization, PROFILE_DELETE, PROFILE_MANAGE,
};
use crate::model::user_query::Page;
use crate::platform::Platform;
use crate::store;
use crate::store::organizations::{OrganizationFilter, OrganizationOrder};
use crate::test_hooks::{self, Point};
use crate::{Error, Result};

/// A new organization.
#[derive(Clone, Debug, Default)]
pub struct NewOrganization {
    pub name: String,
    /// Derived from the name when none is given.
    pub slug: Option<String>,
    /// Who created it: becomes its first `org:admin` (backend only; a user creates as itself).
    pub created_by: Option<String>,
    pub image_url: Option<String>,
    pub public_metadata: Option<Value>,
    pub private_metadata: Option<Value>,
    pub max_allowed_memberships: Option<u32>,
}

/// Changes to an organization: what is `None` stays.
#[derive(Clone, Debug, Default)]
pub struct OrganizationUpdate {
    pub name: Option<String>,
    pub slug: Option<String>,
    pub image_url: Option<Option<String>>,
    pub public_metadata: Option<Value>,
    pub private_metadata: Option<Value>,
    pub max_allowed_memberships: Option<u32>,
}

impl OrganizationUpdate {
    fn backend_only(&self) -> bool {
        self.public_metadata.is_some()
            || self.private_metadata.is_some()
            || self.max_allowed_memberships.is_some()
    }
}

/// How the caller stands in one organization.
pub(crate) struct Access {
    pub instance: Arc<Instance>,
    pub organization: Organization,
    /// The caller's membership; `None` for the backend.
    pub member: Option<Membership>,
}

impl Access {
    /// Requires `permission` of a member (the backend holds every one).
    pub fn require(&self, permission: &'static str) -> Result<()> {
        match &self.member {
            None => Ok(()),
            Some(m) => m.require(permission),
        }
    }
}

/// A page's bounds as the users' pages check them (`limit` 1–500, default 10; `offset` at
/// least 0), for the store.
pub(crate) fn page(limit: Option<i64>, offset: Option<i64>) -> Result<(u64, u64)> {
    let page = Page::new(limit, offset)?;
    Ok((
        u64::try_from(page.limit).unwrap_or(0),
        u64::try_from(page.offset).unwrap_or(0),
    ))
}

pub(crate) fn enabled(instance: &Instance) -> Result<()> {
    if instance.settings.organizations.enabled {
        Ok(())
    } else {
        Err(Error::Forbidden("organizations are off for this instance"))
    }
}

/// The instance of a caller who may see organizations (the backend, or a signed-in user, with
/// its id); anyone else is refused before anything is looked up.
pub(crate) fn organization_caller(caller: &Caller) -> Result<(&Arc<Instance>, Option<&str>)> {
    match caller {
        Caller::Backend { instance, .. } => Ok((instance, None)),
        Caller::User {
            instance, user_id, ..
        } => Ok((instance, Some(user_id.as_str()))),
        Caller::Anonymous => Err(Error::Unauthenticated(
            "a secret key or a session token is required",
        )),
        _ => Err(Error::Forbidden(
            "organizations need a secret key or a session token",
        )),
    }
}

fn check_image_url(url: &str) -> Result<()> {
    let ok = url.len() <= 2048 && (url.starts_with("https://") || url.starts_with("http://"));
    if ok {
        Ok(())
    } else {
        Err(Error::validation(
            "imageUrl",
            "must be an http(s) URL of at most 2048 characters",
        ))
    }
}

impl Platform {
    /// The caller's standing in the organization `id` of its instance: the backend, or a
    /// member (with its role's permissions). Anyone else finds nothing.
    pub(crate) async fn organization_access(&self, caller: &Caller, id: &str) -> Result<Access> {
        let (instance, user_id) = organization_caller(caller)?;
        enabled(instance)?;
        let organization = store::organizations::find(&self.db, &instance.id, id)
            .await?
            .ok_or(Error::NotFound("organization"))?;
        let member = match user_id {
            None => None,
            Some(user_id) => {
                let mut m = store::memberships::find(&self.db, &instance.id, id, user_id)
                    .await?
                    .ok_or(Error::NotFound("organization"))?;
                let roles = store::roles::all(&self.db, &instance.id).await?;
                store::memberships::fill_permissions(std::slice::from_mut(&mut m), &roles);
                Some(m)
            }
        };
        Ok(Access {
            instance: instance.clone(),
            organization,
            member,
        })
    }

    /// Opens the transaction of a change to the organization of `access` (its profile, its
    /// members, its invitations): the organization's row is locked first, then the caller's
    /// standing is read again under the lock, since the one in `access` was read before it. A
    /// member must still be one, and (`permission`) its role must still allow the change: a
    /// demotion committed first is seen here, and one that comes later waits for this change.
    pub(crate) async fn locked_access(
        &self,
        access: &Access,
        permission: Option<&'static str>,
    ) -> Result<(DatabaseTransaction, Organization)> {
        let instance = &access.instance;
        test_hooks::pause(Point::OrganizationChange, &instance.id).await;
        let txn = self.db.begin().await?;
        if !store::organizations::lock(&txn, &instance.id, &access.organization.id).await? {
            return Err(Error::NotFound("organization"));
        }
        let organization = store::organizations::find(&txn, &instance.id, &access.organization.id)
            .await?
            .ok_or(Error::NotFound("organization"))?;
        if let Some(member) = &access.member {
            let mut current =
                store::memberships::find(&txn, &instance.id, &organization.id, &member.user_id)
                    .await?
                    .ok_or(Error::NotFound("organization"))?;
            if let Some(permission) = permission {
                let roles = store::roles::all(&txn, &instance.id).await?;
                store::memberships::fill_permissions(std::slice::from_mut(&mut current), &roles);
                current.require(permission)?;
            }
        }
        Ok((txn, organization))
    }

    /// `createOrganization`: by the backend (naming its creator, if any, who becomes
    /// `org:admin`), or by a signed-in user when the instance allows it (the user becomes
    /// `org:admin`).
    pub async fn create_organization(
        &self,
        caller: &Caller,
        input: NewOrganization,
    ) -> Result<Organization> {
        let (instance, creator) = match caller {
            Caller::Backend { instance, .. } => {
                enabled(instance)?;
                if let Some(user_id) = &input.created_by {
                    store::users::find(&self.db, &instance.id, user_id)
                        .await?
                        .ok_or(Error::NotFound("user"))?;
                }
                (instance, input.created_by.clone())
            }
            _ => {
                let (instance, user_id) = caller.require_user()?;
                enabled(instance)?;
                if !instance.settings.organizations.users_can_create {
                    return Err(Error::Forbidden(
                        "this instance does not let users create organizations",
                    ));
                }
                let backend_only = input.public_metadata.is_some()
                    || input.private_metadata.is_some()
                    || input.max_allowed_memberships.is_some()
                    || input.created_by.as_deref().is_some_and(|c| c != user_id);
                if backend_only {
                    return Err(Error::Forbidden(
                        "only the backend sets createdBy, metadata and maxAllowedMemberships",
                    ));
                }
                (instance, Some(user_id.to_owned()))
            }
        };
        let name = model::check_name("name", &input.name, model::MAX_NAME_CHARS)?;
        let slug = match input.slug {
            Some(slug) => slug,
            None => model::slug_from_name(&name),
        };
        model::check_slug(&slug)?;
        if let Some(url) = &input.image_url {
            check_image_url(url)?;
        }
        let public_metadata = input
            .public_metadata
            .unwrap_or_else(|| Value::Object(Default::default()));
        let private_metadata = input
            .private_metadata
            .unwrap_or_else(|| Value::Object(Default::default()));
        metadata::check("publicMetadata", &public_metadata)?;
        metadata::check("privateMetadata", &private_metadata)?;
        let max = input
            .max_allowed_memberships
            .unwrap_or(instance.settings.organizations.max_allowed_memberships);
        if max > 100_000 {
            return Err(Error::validation(
                "maxAllowedMemberships",
                "must be at most 100000 (0: no limit)",
            ));
        }
        let now = self.now();
        let organization = Organization {
            id: new_id(IdKind::Organization),
            instance_id: instance.id.clone(),
            name,
            slug,
            image_url: input.image_url,
            created_by: creator.clone(),
            public_metadata,
            private_metadata,
            max_allowed_memberships: max,
            created_at: now,
            updated_at: now,
        };
        let txn = self.db.begin().await?;
        store::organizations::insert(&txn, &organization).await?;
        let mut events = vec![NewEvent::organization(
            EventType::OrganizationCreated,
            &organization,
        )];
        if let Some(user_id) = creator {
            let roles = store::roles::all(&txn, &instance.id).await?;
            let mut membership = new_membership(&organization, &user_id, ADMIN_ROLE, now);
            store::memberships::fill_permissions(std::slice::from_mut(&mut membership), &roles);
            store::memberships::insert(&txn, &membership).await?;
            events.push(NewEvent::membership(
                EventType::MembershipCreated,
                &membership,
            ));
        }
        store::events::append(&txn, &instance.id, &events, now).await?;
        txn.commit().await?;
        self.services.events.committed(&instance.id);
        Ok(organization)
    }

    /// `organization(id | slug)`: for the backend, or for a member.
    pub async fn organization(
        &self,
        caller: &Caller,
        id: Option<&str>,
        slug: Option<&str>,
    ) -> Result<Organization> {
        let id = match (id, slug) {
            (Some(id), None) => id.to_owned(),
            (None, Some(slug)) => {
                // Who is calling is checked before the slug is looked up, so that a caller who
                // may not see organizations cannot tell a taken slug from a free one.
                let (instance, _) = organization_caller(caller)?;
                store::organizations::find_by_slug(&self.db, &instance.id, slug)
                    .await?
                    .ok_or(Error::NotFound("organization"))?
                    .id
            }
            _ => return Err(Error::validation("id", "give either id or slug")),
        };
        Ok(self.organization_access(caller, &id).await?.organization)
    }

    /// `organizations`: a page of the instance's organizations (backend).
    pub async fn organizations(
        &self,
        caller: &Caller,
        filter: &OrganizationFilter,
        order: OrganizationOrder,
        limit: Option<i64>,
        offset: Option<i64>,
    ) -> Result<Vec<Organization>> {
        let instance = caller.require_backend()?;
        enabled(instance)?;
        check_filter(filter)?;
        let (limit, offset) = page(limit, offset)?;
        store::organizations::list(&self.db, &instance.id, filter, order, limit, offset).await
    }

    /// How many organizations pass the filter (backend).
    pub async fn count_organizations(
        &self,
        caller: &Caller,
        filter: &OrganizationFilter,
    ) -> Result<u64> {
        let instance = caller.require_backend()?;
        enabled(instance)?;
        check_filter(filter)?;
        store::organizations::count(&self.db, &instance.id, filter).await
    }

    /// `updateOrganization`: the backend, or a member with `org:sys_profile:manage` (who may
    /// not touch metadata or the membership limit).
    pub async fn update_organization(
        &self,
        caller: &Caller,
        id: &str,
        update: OrganizationUpdate,
    ) -> Result<Organization> {
        let access = self.organization_access(caller, id).await?;
        access.require(PROFILE_MANAGE)?;
        if access.member.is_some() && update.backend_only() {
            return Err(Error::Forbidden(
                "only the backend sets metadata and maxAllowedMemberships",
            ));
        }
        let now = self.now();
        // Changed from the row as it is under the lock, so a concurrent change is not undone.
        let (txn, mut o) = self.locked_access(&access, Some(PROFILE_MANAGE)).await?;
        let instance = access.instance;
        apply(&mut o, update)?;
        o.updated_at = now;
        store::organizations::update(&txn, &o).await?;
        let event = NewEvent::organization(EventType::OrganizationUpdated, &o);
        store::events::append(&txn, &instance.id, &[event], now).await?;
        txn.commit().await?;
        self.services.events.committed(&instance.id);
        // Tokens carry the slug: the actors holding this organization read it again.
        self.services
            .organization_changed(&instance.id, Some(&o.id), None);
        Ok(o)
    }

    /// `updateOrganizationMetadata`: deep-merges into the metadata (backend).
    pub async fn update_organization_metadata(
        &self,
        caller: &Caller,
        id: &str,
        public: Option<Value>,
        private: Option<Value>,
    ) -> Result<Organization> {
        caller.require_backend()?;
        let instance = self.organization_access(caller, id).await?.instance;
        let txn = self.db.begin().await?;
        if !store::organizations::lock(&txn, &instance.id, id).await? {
            return Err(Error::NotFound("organization"));
        }
        let mut o = store::organizations::find(&txn, &instance.id, id)
            .await?
            .ok_or(Error::NotFound("organization"))?;
        if let Some(patch) = &public {
            o.public_metadata = metadata::merged("publicMetadata", &o.public_metadata, patch)?;
        }
        if let Some(patch) = &private {
            o.private_metadata = metadata::merged("privateMetadata", &o.private_metadata, patch)?;
        }
        let now = self.now();
        o.updated_at = now;
        store::organizations::update(&txn, &o).await?;
        let event = NewEvent::organization(EventType::OrganizationUpdated, &o);
        store::events::append(&txn, &instance.id, &[event], now).await?;
        txn.commit().await?;
        self.services.events.committed(&instance.id);
        Ok(o)
    }

    /// `deleteOrganization`: the backend, or a member with `org:sys_profile:delete`. Its
    /// memberships and invitations go with it, and no session keeps it active.
    pub async fn delete_organization(&self, caller: &Caller, id: &str) -> Result<()> {
        let access = self.organization_access(caller, id).await?;
        access.require(PROFILE_DELETE)?;
        let now = self.now();
        let (txn, organization) = self.locked_access(&access, Some(PROFILE_DELETE)).await?;
        let instance = access.instance;
        store::organizations::clear_from_sessions(&txn, &instance.id, id, None, now).await?;
        store::organizations::delete(&txn, &instance.id, id).await?;
        let event = NewEvent::organization(EventType::OrganizationDeleted, &organization);
        store::events::append(&txn, &instance.id, &[event], now).await?;
        txn.commit().await?;
        self.services.events.committed(&instance.id);
        self.services
            .organization_changed(&instance.id, Some(id), None);
        Ok(())
    }
}

/// Applies the changes of `updateOrganization`, each checked.
fn apply(o: &mut Organization, update: OrganizationUpdate) -> Result<()> {
    if let Some(name) = &update.name {
        o.name = model::check_name("name", name, model::MAX_NAME_CHARS)?;
    }
    if let Some(slug) = update.slug {
        model::check_slug(&slug)?;
        o.slug = slug;
    }
    if let Some(url) = update.image_url {
        if let Some(url) = &url {
            check_image_url(url)?;
        }
        o.image_url = url;
    }
    if let Some(public) = update.public_metadata {
        metadata::check("publicMetadata", &public)?;
        o.public_metadata = public;
    }
    if let Some(private) = update.private_metadata {
        metadata::check("privateMetadata", &private)?;
        o.private_metadata = private;
    }
    if let Some(max) = update.max_allowed_memberships {
        if max > 100_000 {
            return Err(Error::validation(
                "maxAllowedMemberships",
                "must be at most 100000 (0: no limit)",
            ));
        }
        o.max_allowed_memberships = max;
    }
    Ok(())
}

fn check_filter(filter: &OrganizationFilter) -> Result<()> {
    if filter
        .query
        .as_ref()
        .is_some_and(|q| q.chars().count() > 256)
    {
        return Err(Error::validation("query", "must be at most 256 characters"));
    }
    Ok(())
}
