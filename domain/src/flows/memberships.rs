//! Memberships as the flows make them: an invitation accepted (on its own, or with the pending
//! invitations of a sign-up completing), under the organization's lock, within its limit.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DatabaseTransaction, TransactionTrait};
use serde_json::Value;

use crate::ids::{IdKind, new_id};
use crate::model::event::{EventType, NewEvent};
use crate::model::instance::Instance;
use crate::model::organization::{Invitation, InvitationStatus, Membership, Organization};
use crate::store;
use crate::{Error, Result};

/// A new membership of `user_id` in the organization with `role`, created at `now`.
pub(crate) fn new_membership(
    organization: &Organization,
    user_id: &str,
    role: &str,
    now: DateTime<Utc>,
) -> Membership {
    Membership {
        id: new_id(IdKind::Membership),
        instance_id: organization.instance_id.clone(),
        organization_id: organization.id.clone(),
        user_id: user_id.to_owned(),
        role: role.to_owned(),
        permissions: Vec::new(),
        public_metadata: Value::Object(Default::default()),
        private_metadata: Value::Object(Default::default()),
        created_at: now,
        updated_at: now,
    }
}

/// Refuses one more membership past the organization's limit (`pending` invitations count).
pub(crate) async fn has_room(
    db: &impl ConnectionTrait,
    org: &Organization,
    count_pending: bool,
    now: DateTime<Utc>,
) -> Result<()> {
    if org.max_allowed_memberships == 0 {
        return Ok(());
    }
    let mut taken =
        store::memberships::count_for_organization(db, &org.instance_id, &org.id).await?;
    if count_pending {
        taken += store::invitations::count_pending(db, &org.instance_id, &org.id, now).await?;
    }
    if taken >= u64::from(org.max_allowed_memberships) {
        return Err(Error::validation(
            "maxAllowedMemberships",
            format!(
                "the organization allows {} memberships (pending invitations included)",
                org.max_allowed_memberships
            ),
        ));
    }
    Ok(())
}

/// Accepts `invitation` for `user_id` inside `txn` (its events to append before commit): a
/// membership with its role, unless the user is a member already.
pub(crate) async fn accept(
    txn: &impl ConnectionTrait,
    instance: &Instance,
    invitation: &Invitation,
    user_id: &str,
    now: DateTime<Utc>,
) -> Result<(Vec<NewEvent>, Membership)> {
    let org = locked(txn, instance, &invitation.organization_id).await?;
    let roles = store::roles::all(txn, &instance.id).await?;
    let existing =
        store::memberships::find(txn, &instance.id, &invitation.organization_id, user_id).await?;
    if existing.is_none() {
        has_room(txn, &org, false, now).await?;
    }
    if !store::invitations::finish(
        txn,
        &instance.id,
        &invitation.id,
        InvitationStatus::Accepted,
        now,
    )
    .await?
    {
        return Err(not_pending(invitation, now));
    }
    let mut accepted = invitation.clone();
    accepted.status = InvitationStatus::Accepted;
    accepted.updated_at = now;
    let mut events = vec![NewEvent::invitation(
        EventType::InvitationAccepted,
        &accepted,
    )];
    let mut membership = match existing {
        Some(m) => m,
        None => {
            let m = new_membership(&org, user_id, &invitation.role, now);
            store::memberships::insert(txn, &m).await?;
            events.push(NewEvent::membership(EventType::MembershipCreated, &m));
            m
        }
    };
    store::memberships::fill_permissions(std::slice::from_mut(&mut membership), &roles);
    Ok((events, membership))
}

/// Accepts, inside `txn`, the pending invitations of a new user's verified addresses (a
/// sign-up completing); one that cannot be accepted (its organization full, say) stays pending.
pub(crate) async fn accept_at_sign_up(
    txn: &DatabaseTransaction,
    instance: &Instance,
    user: &crate::model::user::User,
    now: DateTime<Utc>,
) -> Result<Vec<NewEvent>> {
    let mut events = Vec::new();
    if !instance.settings.organizations.enabled {
        return Ok(events);
    }
    let mut pending = Vec::new();
    for address in user.email_addresses.iter().filter(|e| e.verified) {
        pending.extend(
            store::invitations::pending_for_address(txn, &instance.id, &address.email_address, now)
                .await?,
        );
    }
    // Organizations are locked in one order (by id), so two sign-ups never wait on each other
    // in a cycle.
    pending.sort_by(|a, b| {
        a.organization_id
            .cmp(&b.organization_id)
            .then(a.id.cmp(&b.id))
    });
    for invitation in pending {
        // Each in its own savepoint: a refusal undoes only its own writes.
        let savepoint = txn.begin().await?;
        match accept(&savepoint, instance, &invitation, &user.id, now).await {
            Ok((accepted, _)) => {
                savepoint.commit().await?;
                events.extend(accepted);
            }
            Err(Error::Internal(source)) => return Err(Error::Internal(source)),
            Err(refused) => {
                savepoint.rollback().await?;
                tracing::info!(invitation_id = %invitation.id, reason = %refused, "invitation left pending at sign-up");
            }
        }
    }
    Ok(events)
}

/// The organization, its row locked until commit.
pub(crate) async fn locked(
    txn: &impl ConnectionTrait,
    instance: &Instance,
    organization_id: &str,
) -> Result<Organization> {
    if !store::organizations::lock(txn, &instance.id, organization_id).await? {
        return Err(Error::NotFound("organization"));
    }
    store::organizations::find(txn, &instance.id, organization_id)
        .await?
        .ok_or(Error::NotFound("organization"))
}

pub(crate) fn not_pending(invitation: &Invitation, now: DateTime<Utc>) -> Error {
    match invitation.status_at(now) {
        InvitationStatus::Expired => Error::VerificationExpired,
        _ => Error::validation("invitationId", "the invitation is not pending any more"),
    }
}
