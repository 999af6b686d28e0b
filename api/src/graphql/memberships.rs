//! Organization memberships and invitations in GraphQL, and the signed-in user's own.

use async_graphql::{Context, Enum, ID, Json, Object, SimpleObject};
use chrono::{DateTime, Utc};
use latchkey_domain::Error;
use latchkey_domain::model::caller::Caller;
use latchkey_domain::model::organization::{self as model, MEMBER_ROLE};
use serde_json::Value;

use super::loaders::{OrganizationById, UserById};
use super::organizations::Organization;
use super::{GqlResult, ResultExt, scope};

/// A user's membership of an organization.
pub struct OrganizationMembership(pub(crate) model::Membership);

/// What members see of one another.
#[derive(SimpleObject)]
pub struct PublicUserData {
    /// The user's id.
    pub user_id: ID,
    /// The primary email address, or else the username.
    pub identifier: Option<String>,
    /// The username.
    pub username: Option<String>,
    /// The first name.
    pub first_name: Option<String>,
    /// The last name.
    pub last_name: Option<String>,
}

/// A user's membership of an organization, with its role.
#[Object]
impl OrganizationMembership {
    /// The membership's id (`orgmem_…`).
    async fn id(&self) -> ID {
        ID(self.0.id.clone())
    }

    /// The organization.
    async fn organization(&self, ctx: &Context<'_>) -> GqlResult<Organization> {
        super::loaders::of(ctx)?
            .load_one(OrganizationById(self.0.organization_id.clone()))
            .await?
            .map(Organization)
            .ok_or(Error::NotFound("organization"))
            .gql()
    }

    /// The organization's id.
    async fn organization_id(&self) -> ID {
        ID(self.0.organization_id.clone())
    }

    /// The member's id.
    async fn user_id(&self) -> ID {
        ID(self.0.user_id.clone())
    }

    /// The member's public data.
    async fn public_user_data(&self, ctx: &Context<'_>) -> GqlResult<Option<PublicUserData>> {
        let user = super::loaders::of(ctx)?
            .load_one(UserById(self.0.user_id.clone()))
            .await?;
        Ok(user.map(|u| {
            let primary = u.primary_email_address().map(|e| e.email_address.clone());
            PublicUserData {
                user_id: ID(u.id.clone()),
                identifier: primary.or_else(|| u.username.clone()),
                username: u.username,
                first_name: u.first_name,
                last_name: u.last_name,
            }
        }))
    }

    /// The member's role, such as `org:admin`.
    async fn role(&self) -> &str {
        &self.0.role
    }

    /// The permissions the role grants (system ones included).
    async fn permissions(&self) -> &[String] {
        &self.0.permissions
    }

    /// Metadata the backend writes.
    async fn public_metadata(&self) -> Json<Value> {
        Json(self.0.public_metadata.clone())
    }

    /// Metadata only the backend reads: `FORBIDDEN` for anyone else.
    async fn private_metadata(&self, ctx: &Context<'_>) -> GqlResult<Json<Value>> {
        let (_, caller) = scope(ctx)?;
        match caller {
            Caller::Backend { .. } => Ok(Json(self.0.private_metadata.clone())),
            _ => Err(Error::Forbidden("private metadata is for the backend only")).gql(),
        }
    }

    /// When the user joined.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// When the membership last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

/// A page of memberships.
pub struct MembershipList {
    data: Vec<model::Membership>,
    organization_id: String,
}

/// A page of an organization's memberships.
#[Object]
impl MembershipList {
    /// The memberships of this page, oldest first.
    async fn data(&self) -> Vec<OrganizationMembership> {
        self.data
            .iter()
            .cloned()
            .map(OrganizationMembership)
            .collect()
    }

    /// How many members the organization has.
    async fn total_count(&self, ctx: &Context<'_>) -> GqlResult<u64> {
        let (platform, caller) = scope(ctx)?;
        platform
            .count_organization_memberships(caller, &self.organization_id)
            .await
            .gql()
    }
}

/// Where an invitation stands.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum InvitationStatus {
    /// Waiting to be accepted.
    Pending,
    /// Accepted: the user is a member.
    Accepted,
    /// Revoked before it was accepted.
    Revoked,
    /// Past its expiry unaccepted.
    Expired,
}

impl From<model::InvitationStatus> for InvitationStatus {
    fn from(s: model::InvitationStatus) -> Self {
        match s {
            model::InvitationStatus::Pending => Self::Pending,
            model::InvitationStatus::Accepted => Self::Accepted,
            model::InvitationStatus::Revoked => Self::Revoked,
            model::InvitationStatus::Expired => Self::Expired,
        }
    }
}

impl From<InvitationStatus> for model::InvitationStatus {
    fn from(s: InvitationStatus) -> Self {
        match s {
            InvitationStatus::Pending => Self::Pending,
            InvitationStatus::Accepted => Self::Accepted,
            InvitationStatus::Revoked => Self::Revoked,
            InvitationStatus::Expired => Self::Expired,
        }
    }
}

/// An invitation into an organization.
pub struct OrganizationInvitation(pub(crate) model::Invitation);

/// An invitation of an email address into an organization.
#[Object]
impl OrganizationInvitation {
    /// The invitation's id (`orginv_…`).
    async fn id(&self) -> ID {
        ID(self.0.id.clone())
    }

    /// The organization's id.
    async fn organization_id(&self) -> ID {
        ID(self.0.organization_id.clone())
    }

    /// The invited address.
    async fn email_address(&self) -> &str {
        &self.0.email_address
    }

    /// The role the invitee gets.
    async fn role(&self) -> &str {
        &self.0.role
    }

    /// Where it stands now.
    async fn status(&self, ctx: &Context<'_>) -> GqlResult<InvitationStatus> {
        let (platform, _) = scope(ctx)?;
        Ok(self.0.status_at(platform.now()).into())
    }

    /// When it expires.
    async fn expires_at(&self) -> DateTime<Utc> {
        self.0.expires_at
    }

    /// When it was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// When it last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

/// Membership and invitation queries.
#[derive(Default)]
pub struct MembershipQuery;

#[Object]
impl MembershipQuery {
    /// A page of an organization's members (backend, or a member with
    /// `org:sys_memberships:read`).
    async fn organization_memberships(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The organization's id.")] organization_id: ID,
        #[graphql(desc = "1 to 500 (default 10).")] limit: Option<i64>,
        #[graphql(desc = "How many to skip (default 0).")] offset: Option<i64>,
    ) -> GqlResult<MembershipList> {
        let (platform, caller) = scope(ctx)?;
        let data = platform
            .organization_memberships(caller, &organization_id, limit, offset)
            .await
            .gql()?;
        Ok(MembershipList {
            data,
            organization_id: organization_id.0,
        })
    }

    /// A page of an organization's invitations, newest first (backend, or a member with
    /// `org:sys_memberships:read`).
    async fn organization_invitations(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The organization's id.")] organization_id: ID,
        #[graphql(desc = "Only invitations in this status.")] status: Option<InvitationStatus>,
        #[graphql(desc = "1 to 500 (default 10).")] limit: Option<i64>,
        #[graphql(desc = "How many to skip (default 0).")] offset: Option<i64>,
    ) -> GqlResult<Vec<OrganizationInvitation>> {
        let (platform, caller) = scope(ctx)?;
        let found = platform
            .organization_invitations(
                caller,
                &organization_id,
                status.map(Into::into),
                limit,
                offset,
            )
            .await
            .gql()?;
        Ok(found.into_iter().map(OrganizationInvitation).collect())
    }

    /// The signed-in user's memberships (session token).
    async fn my_organization_memberships(
        &self,
        ctx: &Context<'_>,
    ) -> GqlResult<Vec<OrganizationMembership>> {
        let (platform, caller) = scope(ctx)?;
        let found = platform.my_memberships(caller).await.gql()?;
        Ok(found.into_iter().map(OrganizationMembership).collect())
    }

    /// The pending invitations of the signed-in user's verified email addresses.
    async fn my_organization_invitations(
        &self,
        ctx: &Context<'_>,
    ) -> GqlResult<Vec<OrganizationInvitation>> {
        let (platform, caller) = scope(ctx)?;
        let found = platform.my_invitations(caller).await.gql()?;
        Ok(found.into_iter().map(OrganizationInvitation).collect())
    }
}

/// Membership and invitation mutations.
#[derive(Default)]
pub struct MembershipMutation;

#[Object]
impl MembershipMutation {
    /// Adds a user of the instance to an organization (backend, or a member with
    /// `org:sys_memberships:manage`); `VALIDATION_FAILED` past the membership limit.
    async fn create_organization_membership(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The organization's id.")] organization_id: ID,
        #[graphql(desc = "The user's id.")] user_id: ID,
        #[graphql(desc = "The role (default `org:member`).")] role: Option<String>,
    ) -> GqlResult<OrganizationMembership> {
        let (platform, caller) = scope(ctx)?;
        let role = role.unwrap_or_else(|| MEMBER_ROLE.to_owned());
        Ok(OrganizationMembership(
            platform
                .create_membership(caller, &organization_id, &user_id, &role)
                .await
                .gql()?,
        ))
    }

    /// Changes a member's role (backend, or a member with `org:sys_memberships:manage`); an
    /// organization keeps at least one member who can manage memberships.
    async fn update_organization_membership(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The organization's id.")] organization_id: ID,
        #[graphql(desc = "The member's user id.")] user_id: ID,
        #[graphql(desc = "The new role.")] role: String,
    ) -> GqlResult<OrganizationMembership> {
        let (platform, caller) = scope(ctx)?;
        Ok(OrganizationMembership(
            platform
                .update_membership(caller, &organization_id, &user_id, &role)
                .await
                .gql()?,
        ))
    }

    /// Removes a member (backend, a member with `org:sys_memberships:manage`, or the member
    /// itself leaving). The organization stops being active in its sessions.
    async fn delete_organization_membership(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The organization's id.")] organization_id: ID,
        #[graphql(desc = "The member's user id.")] user_id: ID,
    ) -> GqlResult<OrganizationMembership> {
        let (platform, caller) = scope(ctx)?;
        Ok(OrganizationMembership(
            platform
                .delete_membership(caller, &organization_id, &user_id)
                .await
                .gql()?,
        ))
    }

    /// Invites an email address (backend, or a member with `org:sys_memberships:manage`): a
    /// mail goes out. A user holding the address verified accepts it, or it is accepted at
    /// sign-up with that address.
    async fn create_organization_invitation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The organization's id.")] organization_id: ID,
        #[graphql(desc = "The address to invite.")] email_address: String,
        #[graphql(desc = "The role the invitee gets (default `org:member`).")] role: Option<String>,
        #[graphql(desc = "Days until it expires (1–365, default 30).")] expires_in_days: Option<
            u32,
        >,
        #[graphql(
            desc = "A page on one of the instance's allowed origins to link from the mail; it gets `__latchkey_invitation=<id>`."
        )]
        redirect_url: Option<String>,
    ) -> GqlResult<OrganizationInvitation> {
        let (platform, caller) = scope(ctx)?;
        let role = role.unwrap_or_else(|| MEMBER_ROLE.to_owned());
        Ok(OrganizationInvitation(
            platform
                .create_invitation(
                    caller,
                    &organization_id,
                    &email_address,
                    &role,
                    expires_in_days,
                    redirect_url.as_deref(),
                )
                .await
                .gql()?,
        ))
    }

    /// Revokes a pending invitation (backend, or a member with `org:sys_memberships:manage`).
    async fn revoke_organization_invitation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The organization's id.")] organization_id: ID,
        #[graphql(desc = "The invitation's id.")] invitation_id: ID,
    ) -> GqlResult<OrganizationInvitation> {
        let (platform, caller) = scope(ctx)?;
        Ok(OrganizationInvitation(
            platform
                .revoke_invitation(caller, &organization_id, &invitation_id)
                .await
                .gql()?,
        ))
    }

    /// Accepts an invitation to one of the signed-in user's verified addresses (session
    /// token): the user joins with its role. `VERIFICATION_EXPIRED` past its expiry.
    async fn accept_organization_invitation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The invitation's id.")] invitation_id: ID,
    ) -> GqlResult<OrganizationMembership> {
        let (platform, caller) = scope(ctx)?;
        Ok(OrganizationMembership(
            platform
                .accept_invitation(caller, &invitation_id)
                .await
                .gql()?,
        ))
    }
}
