//! Organization memberships and invitations. Every change of an organization's members runs
//! with the organization's row locked, so the membership limit and the rule that an
//! organization keeps a member who can manage memberships hold under concurrent changes; a
//! signed-in member's standing is checked again under that lock (`locked_access`), so a
//! manager demoted meanwhile makes no change.

use chrono::Duration;
use sea_orm::{ConnectionTrait, TransactionTrait};

use crate::flows::memberships::{accept, has_room, new_membership, not_pending};
use crate::ids::{IdKind, new_id};
use crate::mail::{self, InvitationFacts};
use crate::model::caller::Caller;
use crate::model::event::{EventType, NewEvent};
use crate::model::identifiers;
use crate::model::instance::{Environment, Instance};
use crate::model::organization::{
    self as model, Invitation, InvitationStatus, MEMBERSHIPS_MANAGE, MEMBERSHIPS_READ, Membership,
    Organization, Role,
};
use crate::organizations::{enabled, organization_caller, page};
use crate::platform::Platform;
use crate::store;
use crate::{Error, Result};

/// The roles that can manage memberships.
fn managers(roles: &[Role]) -> Vec<String> {
    roles
        .iter()
        .filter(|r| r.permissions.iter().any(|p| p == MEMBERSHIPS_MANAGE))
        .map(|r| r.key.clone())
        .collect()
}

fn role_of<'a>(roles: &'a [Role], key: &str) -> Result<&'a Role> {
    roles
        .iter()
        .find(|r| r.key == key)
        .ok_or_else(|| Error::validation("role", format!("{key:?} is not a role of this instance")))
}

/// Locks the role's row (so it cannot be deleted before commit) and reads the instance's roles;
/// `VALIDATION_FAILED` for an unknown role.
async fn locked_role(
    txn: &impl ConnectionTrait,
    instance_id: &str,
    role: &str,
) -> Result<Vec<Role>> {
    if !store::roles::lock(txn, instance_id, role).await? {
        return Err(Error::validation(
            "role",
            format!("{role:?} is not a role of this instance"),
        ));
    }
    store::roles::all(txn, instance_id).await
}

/// Refuses a change that would leave the organization without a member who can manage
/// memberships: `leaving` is the membership that stops being one.
async fn keeps_a_manager(
    db: &impl ConnectionTrait,
    org: &Organization,
    roles: &[Role],
    leaving: &Membership,
) -> Result<()> {
    let managers = managers(roles);
    if !managers.contains(&leaving.role) {
        return Ok(());
    }
    let left =
        store::memberships::count_with_roles(db, &org.instance_id, &org.id, &managers).await?;
    if left <= 1 {
        return Err(Error::validation(
            "role",
            "an organization keeps at least one member with org:sys_memberships:manage",
        ));
    }
    Ok(())
}

impl Platform {
    /// `organizationMemberships`: a page of an organization's members (backend, or a member
    /// with `org:sys_memberships:read`).
    pub async fn organization_memberships(
        &self,
        caller: &Caller,
        organization_id: &str,
        limit: Option<i64>,
        offset: Option<i64>,
    ) -> Result<Vec<Membership>> {
        let access = self.organization_access(caller, organization_id).await?;
        access.require(MEMBERSHIPS_READ)?;
        let (limit, offset) = page(limit, offset)?;
        let instance = &access.instance;
        let mut page = store::memberships::for_organization(
            &self.db,
            &instance.id,
            organization_id,
            limit,
            offset,
        )
        .await?;
        let roles = store::roles::all(&self.db, &instance.id).await?;
        store::memberships::fill_permissions(&mut page, &roles);
        Ok(page)
    }

    /// How many members an organization has (as `organizationMemberships` allows).
    pub async fn count_organization_memberships(
        &self,
        caller: &Caller,
        organization_id: &str,
    ) -> Result<u64> {
        let access = self.organization_access(caller, organization_id).await?;
        access.require(MEMBERSHIPS_READ)?;
        store::memberships::count_for_organization(&self.db, &access.instance.id, organization_id)
            .await
    }

    /// The memberships of users, for a page of users (backend; a user only its own).
    pub async fn memberships_of_users(
        &self,
        caller: &Caller,
        user_ids: &[String],
    ) -> Result<Vec<Membership>> {
        let (instance, user_id) = organization_caller(caller)?;
        if let Some(user_id) = user_id
            && user_ids.iter().any(|u| u != user_id)
        {
            return Err(Error::Forbidden("only your own memberships"));
        }
        let mut all = store::memberships::for_users(&self.db, &instance.id, user_ids).await?;
        let roles = store::roles::all(&self.db, &instance.id).await?;
        store::memberships::fill_permissions(&mut all, &roles);
        Ok(all)
    }

    /// Organizations by id, for the memberships of a page (backend; a user only those it is
    /// a member of).
    pub async fn organizations_by_ids(
        &self,
        caller: &Caller,
        ids: &[String],
    ) -> Result<Vec<Organization>> {
        let (instance, user_id) = organization_caller(caller)?;
        let Some(user_id) = user_id else {
            return store::organizations::by_ids(&self.db, &instance.id, ids).await;
        };
        let mine =
            store::memberships::for_users(&self.db, &instance.id, &[user_id.to_owned()]).await?;
        let ids: Vec<String> = ids
            .iter()
            .filter(|id| mine.iter().any(|m| &m.organization_id == *id))
            .cloned()
            .collect();
        store::organizations::by_ids(&self.db, &instance.id, &ids).await
    }

    /// What a member sees of other members: users by id, in the caller's instance (backend,
    /// or a signed-in user; the transport shows only public user data of them).
    pub async fn public_users(
        &self,
        caller: &Caller,
        ids: &[String],
    ) -> Result<Vec<crate::model::user::User>> {
        let (instance, _) = organization_caller(caller)?;
        store::users::by_ids(&self.db, &instance.id, ids).await
    }

    /// `createOrganizationMembership`: adds a user of the instance with a role (backend, or a
    /// member with `org:sys_memberships:manage`).
    pub async fn create_membership(
        &self,
        caller: &Caller,
        organization_id: &str,
        user_id: &str,
        role: &str,
    ) -> Result<Membership> {
        let access = self.organization_access(caller, organization_id).await?;
        access.require(MEMBERSHIPS_MANAGE)?;
        let instance = &access.instance;
        store::users::find(&self.db, &instance.id, user_id)
            .await?
            .ok_or(Error::NotFound("user"))?;
        let now = self.now();
        let (txn, org) = self
            .locked_access(&access, Some(MEMBERSHIPS_MANAGE))
            .await?;
        let roles = locked_role(&txn, &instance.id, role).await?;
        has_room(&txn, &org, true, now).await?;
        let mut membership = new_membership(&org, user_id, role, now);
        store::memberships::fill_permissions(std::slice::from_mut(&mut membership), &roles);
        store::memberships::insert(&txn, &membership).await?;
        let event = NewEvent::membership(EventType::MembershipCreated, &membership);
        store::events::append(&txn, &instance.id, &[event], now).await?;
        txn.commit().await?;
        self.services.events.committed(&instance.id);
        Ok(membership)
    }

    /// `updateOrganizationMembership`: changes a member's role (backend, or a member with
    /// `org:sys_memberships:manage`); the organization keeps a member who can manage.
    pub async fn update_membership(
        &self,
        caller: &Caller,
        organization_id: &str,
        user_id: &str,
        role: &str,
    ) -> Result<Membership> {
        let access = self.organization_access(caller, organization_id).await?;
        access.require(MEMBERSHIPS_MANAGE)?;
        let instance = &access.instance;
        let now = self.now();
        let (txn, org) = self
            .locked_access(&access, Some(MEMBERSHIPS_MANAGE))
            .await?;
        let roles = locked_role(&txn, &instance.id, role).await?;
        let next = role_of(&roles, role)?;
        let mut membership = store::memberships::find(&txn, &instance.id, organization_id, user_id)
            .await?
            .ok_or(Error::NotFound("membership"))?;
        if !next.permissions.iter().any(|p| p == MEMBERSHIPS_MANAGE) {
            keeps_a_manager(&txn, &org, &roles, &membership).await?;
        }
        store::memberships::set_role(&txn, &instance.id, &membership.id, role, now).await?;
        membership.role = role.to_owned();
        membership.updated_at = now;
        store::memberships::fill_permissions(std::slice::from_mut(&mut membership), &roles);
        let event = NewEvent::membership(EventType::MembershipUpdated, &membership);
        store::events::append(&txn, &instance.id, &[event], now).await?;
        txn.commit().await?;
        self.services.events.committed(&instance.id);
        self.services
            .organization_changed(&instance.id, Some(organization_id), Some(user_id));
        Ok(membership)
    }

    /// `deleteOrganizationMembership`: removes a member (backend, a member with
    /// `org:sys_memberships:manage`, or the member itself leaving). The organization stops
    /// being active in the member's sessions.
    pub async fn delete_membership(
        &self,
        caller: &Caller,
        organization_id: &str,
        user_id: &str,
    ) -> Result<Membership> {
        let access = self.organization_access(caller, organization_id).await?;
        let leaving = access.member.as_ref().is_some_and(|m| m.user_id == user_id);
        let permission = (!leaving).then_some(MEMBERSHIPS_MANAGE);
        if let Some(permission) = permission {
            access.require(permission)?;
        }
        let instance = &access.instance;
        let now = self.now();
        let (txn, org) = self.locked_access(&access, permission).await?;
        let roles = store::roles::all(&txn, &instance.id).await?;
        let mut membership = store::memberships::find(&txn, &instance.id, organization_id, user_id)
            .await?
            .ok_or(Error::NotFound("membership"))?;
        keeps_a_manager(&txn, &org, &roles, &membership).await?;
        store::memberships::delete(&txn, &instance.id, &membership.id).await?;
        store::organizations::clear_from_sessions(
            &txn,
            &instance.id,
            organization_id,
            Some(user_id),
            now,
        )
        .await?;
        store::memberships::fill_permissions(std::slice::from_mut(&mut membership), &roles);
        let event = NewEvent::membership(EventType::MembershipDeleted, &membership);
        store::events::append(&txn, &instance.id, &[event], now).await?;
        txn.commit().await?;
        self.services.events.committed(&instance.id);
        self.services
            .organization_changed(&instance.id, Some(organization_id), Some(user_id));
        Ok(membership)
    }

    /// `myOrganizationMemberships`: the signed-in user's memberships.
    pub async fn my_memberships(&self, caller: &Caller) -> Result<Vec<Membership>> {
        let (_, user_id) = caller.require_user()?;
        self.memberships_of_users(caller, &[user_id.to_owned()])
            .await
    }

    /// `createOrganizationInvitation`: invites an email address with a role (backend, or a
    /// member with `org:sys_memberships:manage`), and mails it through the outbox. A link is
    /// in the mail when `redirect_url` (on one of the instance's allowed origins) is given; it
    /// gets `__latchkey_invitation=<id>` added.
    pub async fn create_invitation(
        &self,
        caller: &Caller,
        organization_id: &str,
        email_address: &str,
        role: &str,
        expires_in_days: Option<u32>,
        redirect_url: Option<&str>,
    ) -> Result<Invitation> {
        let access = self.organization_access(caller, organization_id).await?;
        access.require(MEMBERSHIPS_MANAGE)?;
        let instance = &access.instance;
        let email = identifiers::email_address(email_address)?;
        let days = expires_in_days.unwrap_or(model::DEFAULT_INVITATION_DAYS);
        if !(1..=model::MAX_INVITATION_DAYS).contains(&days) {
            return Err(Error::validation(
                "expiresInDays",
                format!("must be 1 to {}", model::MAX_INVITATION_DAYS),
            ));
        }
        let link = redirect_url
            .map(|url| invitation_link(instance, self.public_url(), url))
            .transpose()?;
        let now = self.now();
        let (txn, org) = self
            .locked_access(&access, Some(MEMBERSHIPS_MANAGE))
            .await?;
        locked_role(&txn, &instance.id, role).await?;
        let pending =
            store::invitations::pending_for_address(&txn, &instance.id, &email.address, now)
                .await?;
        if pending.iter().any(|i| i.organization_id == org.id) {
            return Err(Error::validation(
                "emailAddress",
                "has a pending invitation to this organization already",
            ));
        }
        has_room(&txn, &org, true, now).await?;
        let invitation = Invitation {
            id: new_id(IdKind::Invitation),
            instance_id: instance.id.clone(),
            organization_id: org.id.clone(),
            email_address: email.address.clone(),
            role: role.to_owned(),
            status: InvitationStatus::Pending,
            inviter_user_id: access.member.as_ref().map(|m| m.user_id.clone()),
            expires_at: now + Duration::days(i64::from(days)),
            created_at: now,
            updated_at: now,
        };
        store::invitations::insert(&txn, &invitation).await?;
        let link = link.map(|l| format!("{l}__latchkey_invitation={}", invitation.id));
        let message = mail::Message {
            development: instance.environment == Environment::Development,
            ..mail::organization_invitation(
                &email.address,
                &self.services.sender(instance),
                InvitationFacts {
                    organization: &org.name,
                    link: link.as_deref(),
                    days,
                },
            )
        };
        store::mail_outbox::enqueue(&txn, &instance.id, &new_id(IdKind::Mail), &message, now)
            .await?;
        let event = NewEvent::invitation(EventType::InvitationCreated, &invitation);
        store::events::append(&txn, &instance.id, &[event], now).await?;
        txn.commit().await?;
        self.services.events.committed(&instance.id);
        self.services.mail_committed();
        Ok(invitation)
    }

    /// `organizationInvitations`: a page of an organization's invitations, newest first
    /// (backend, or a member with `org:sys_memberships:read`).
    pub async fn organization_invitations(
        &self,
        caller: &Caller,
        organization_id: &str,
        status: Option<InvitationStatus>,
        limit: Option<i64>,
        offset: Option<i64>,
    ) -> Result<Vec<Invitation>> {
        let access = self.organization_access(caller, organization_id).await?;
        access.require(MEMBERSHIPS_READ)?;
        let (limit, offset) = page(limit, offset)?;
        store::invitations::for_organization(
            &self.db,
            &access.instance.id,
            organization_id,
            status,
            self.now(),
            limit,
            offset,
        )
        .await
    }

    /// `revokeOrganizationInvitation` (backend, or a member with
    /// `org:sys_memberships:manage`): only a pending invitation.
    pub async fn revoke_invitation(
        &self,
        caller: &Caller,
        organization_id: &str,
        invitation_id: &str,
    ) -> Result<Invitation> {
        let access = self.organization_access(caller, organization_id).await?;
        access.require(MEMBERSHIPS_MANAGE)?;
        let instance = &access.instance;
        let mut invitation = store::invitations::find(&self.db, &instance.id, invitation_id)
            .await?
            .filter(|i| i.organization_id == organization_id)
            .ok_or(Error::NotFound("invitation"))?;
        let now = self.now();
        let (txn, _) = self
            .locked_access(&access, Some(MEMBERSHIPS_MANAGE))
            .await?;
        if !store::invitations::finish(
            &txn,
            &instance.id,
            invitation_id,
            InvitationStatus::Revoked,
            now,
        )
        .await?
        {
            return Err(not_pending(&invitation, now));
        }
        invitation.status = InvitationStatus::Revoked;
        invitation.updated_at = now;
        let event = NewEvent::invitation(EventType::InvitationRevoked, &invitation);
        store::events::append(&txn, &instance.id, &[event], now).await?;
        txn.commit().await?;
        self.services.events.committed(&instance.id);
        Ok(invitation)
    }

    /// `myOrganizationInvitations`: the pending invitations of the signed-in user's verified
    /// email addresses.
    pub async fn my_invitations(&self, caller: &Caller) -> Result<Vec<Invitation>> {
        let (instance, user_id) = caller.require_user()?;
        let user = store::users::find(&self.db, &instance.id, user_id)
            .await?
            .ok_or(Error::NotFound("user"))?;
        let now = self.now();
        let mut all = Vec::new();
        for e in user.email_addresses.iter().filter(|e| e.verified) {
            all.extend(
                store::invitations::pending_for_address(
                    &self.db,
                    &instance.id,
                    &e.email_address,
                    now,
                )
                .await?,
            );
        }
        Ok(all)
    }

    /// `acceptOrganizationInvitation`: the signed-in user, holding the invited address
    /// verified, joins with the invitation's role. Another user's invitation is `NOT_FOUND`.
    pub async fn accept_invitation(
        &self,
        caller: &Caller,
        invitation_id: &str,
    ) -> Result<Membership> {
        let (instance, user_id) = caller.require_user()?;
        enabled(instance)?;
        let user = store::users::find(&self.db, &instance.id, user_id)
            .await?
            .ok_or(Error::NotFound("user"))?;
        let invitation = store::invitations::find(&self.db, &instance.id, invitation_id)
            .await?
            .filter(|i| {
                user.email_addresses
                    .iter()
                    .any(|e| e.verified && e.email_address.eq_ignore_ascii_case(&i.email_address))
            })
            .ok_or(Error::NotFound("invitation"))?;
        let now = self.now();
        let txn = self.db.begin().await?;
        let events = accept(&txn, instance, &invitation, user_id, now).await?;
        let membership = events.1;
        store::events::append(&txn, &instance.id, &events.0, now).await?;
        txn.commit().await?;
        self.services.events.committed(&instance.id);
        Ok(membership)
    }
}

/// `url` with room for the invitation's parameter: a redirect the instance allows
/// (`model::redirect`, compared as a parsed origin), without a fragment.
fn invitation_link(instance: &Instance, public_url: &str, url: &str) -> Result<String> {
    if url.contains('#') {
        return Err(Error::validation(
            "redirectUrl",
            "must not carry a fragment: the invitation's parameter joins its query",
        ));
    }
    let url = crate::model::redirect::check(instance, public_url, "redirectUrl", url)?;
    let url = url.as_str();
    Ok(if url.contains('?') {
        format!("{url}&")
    } else {
        format!("{url}?")
    })
}
