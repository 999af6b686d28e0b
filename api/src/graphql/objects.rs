//! GraphQL objects shared by several areas: the user and its email addresses, a session and
//! its status, a verification's status, what a deletion removed, and the three states of an
//! optional input.

use async_graphql::{Context, Enum, ID, Json, MaybeUndefined, Object, SimpleObject};
use chrono::{DateTime, Utc};
use latchkey_domain::Error;
use latchkey_domain::model::caller::Caller;
use latchkey_domain::model::session::{Session as DomainSession, SessionStatus as DomainStatus};
use latchkey_domain::model::user as user_model;
use latchkey_domain::model::verification::VerificationStatus as DomainVerificationStatus;

use super::{GqlResult, ResultExt, scope};

/// Where a session stands.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum SessionStatus {
    /// Signed in.
    Active,
    /// Signed out.
    Ended,
    /// Past its lifetime or inactivity timeout.
    Expired,
    /// Removed from the client.
    Removed,
    /// Revoked by the backend.
    Revoked,
}

impl From<DomainStatus> for SessionStatus {
    fn from(value: DomainStatus) -> Self {
        match value {
            DomainStatus::Active => Self::Active,
            DomainStatus::Ended => Self::Ended,
            DomainStatus::Expired => Self::Expired,
            DomainStatus::Removed => Self::Removed,
            DomainStatus::Revoked => Self::Revoked,
        }
    }
}

impl From<SessionStatus> for DomainStatus {
    fn from(value: SessionStatus) -> Self {
        match value {
            SessionStatus::Active => Self::Active,
            SessionStatus::Ended => Self::Ended,
            SessionStatus::Expired => Self::Expired,
            SessionStatus::Removed => Self::Removed,
            SessionStatus::Revoked => Self::Revoked,
        }
    }
}

/// A session as the API shows it: as it stands now, or as an event recorded it.
pub struct Session(pub(crate) DomainSession, pub(crate) AsOf);

/// Which status a [`Session`] shows.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum AsOf {
    /// The status now (an active session past its expiry is `EXPIRED`).
    Now,
    /// The status an event recorded.
    Recorded,
}

impl Session {
    /// The session as it stands now.
    pub(crate) fn now(session: DomainSession) -> Self {
        Self(session, AsOf::Now)
    }
}

/// A signed-in user on one client.
#[Object]
impl Session {
    /// The session's id (`sess_…`).
    async fn id(&self) -> ID {
        ID(self.0.id.clone())
    }

    /// Where the session stands now (in an event: where it stood then).
    async fn status(&self, ctx: &Context<'_>) -> GqlResult<SessionStatus> {
        if self.1 == AsOf::Recorded {
            return Ok(self.0.status.into());
        }
        let (platform, _) = scope(ctx)?;
        Ok(self.0.status_at(platform.now()).into())
    }

    /// The signed-in user.
    async fn user(&self, ctx: &Context<'_>) -> GqlResult<Option<User>> {
        let (platform, _) = scope(ctx)?;
        let user = platform
            .user(&self.0.instance_id, &self.0.user_id)
            .await
            .gql()?;
        Ok(user.map(User))
    }

    /// When the session was last used.
    async fn last_active_at(&self) -> DateTime<Utc> {
        self.0.last_active_at
    }

    /// When the session expires unless used (or at its maximum lifetime).
    async fn expire_at(&self) -> DateTime<Utc> {
        self.0.expire_at
    }

    /// When the session ends whatever the activity.
    async fn abandon_at(&self) -> DateTime<Utc> {
        self.0.abandon_at
    }

    /// The organization active in this session.
    async fn last_active_organization_id(&self) -> Option<ID> {
        self.0.last_active_organization_id.clone().map(ID)
    }

    /// When the session started.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// The browser, device and IP address the session was last used from: recorded when it
    /// started, then with its activity (written in batches, at most once a minute); null for a
    /// session that has none recorded.
    async fn latest_activity(&self) -> Option<SessionActivity> {
        self.0.latest_activity.clone().map(SessionActivity::from)
    }
}

/// The browser, device and IP address a session was used from, read from the request's
/// `User-Agent` and its client address (through trusted proxies).
#[derive(SimpleObject)]
pub struct SessionActivity {
    /// The browser's name (`Chrome`, `Firefox`, `Safari`, `Edge`, …), when the User-Agent tells.
    browser_name: Option<String>,
    /// The browser's major version, when the User-Agent tells.
    browser_version: Option<String>,
    /// The operating system or device (`Windows`, `macOS`, `Linux`, `Android`, `iPhone`, `iPad`, …),
    /// when the User-Agent tells.
    device_type: Option<String>,
    /// Whether the device is a phone or a tablet.
    is_mobile: bool,
    /// The client's IP address.
    ip_address: Option<String>,
}

impl From<latchkey_domain::model::session::LatestActivity> for SessionActivity {
    fn from(a: latchkey_domain::model::session::LatestActivity) -> Self {
        Self {
            browser_name: a.browser_name,
            browser_version: a.browser_version,
            device_type: a.device_type,
            is_mobile: a.is_mobile,
            ip_address: a.ip_address,
        }
    }
}

/// A user as the API shows it.
pub struct User(pub(crate) user_model::User);

/// Where an email address's verification stands.
#[derive(SimpleObject)]
pub struct EmailAddressVerification {
    /// `VERIFIED` or `UNVERIFIED`.
    pub status: VerificationStatus,
}

/// One of a user's email addresses.
#[derive(SimpleObject)]
pub struct EmailAddress {
    /// The address's id (`idn_…`).
    pub id: ID,
    /// The address as the user gave it.
    pub email_address: String,
    /// Whether the user proved they own it.
    pub verification: EmailAddressVerification,
}

impl From<&user_model::UserEmailAddress> for EmailAddress {
    fn from(e: &user_model::UserEmailAddress) -> Self {
        Self {
            id: ID(e.id.clone()),
            email_address: e.email_address.clone(),
            verification: EmailAddressVerification {
                status: if e.verified {
                    VerificationStatus::Verified
                } else {
                    VerificationStatus::Unverified
                },
            },
        }
    }
}

/// A person with an account in the instance.
#[Object]
impl User {
    /// The user's id (`user_…`).
    async fn id(&self) -> ID {
        ID(self.0.id.clone())
    }

    /// The customer's own id for the user (set by the backend).
    async fn external_id(&self) -> Option<&str> {
        self.0.external_id.as_deref()
    }

    /// The username, lowercase.
    async fn username(&self) -> Option<&str> {
        self.0.username.as_deref()
    }

    /// The first name.
    async fn first_name(&self) -> Option<&str> {
        self.0.first_name.as_deref()
    }

    /// The last name.
    async fn last_name(&self) -> Option<&str> {
        self.0.last_name.as_deref()
    }

    /// The profile image (https), set by the user (`updateMe`) or the backend (`updateUser`).
    async fn image_url(&self) -> Option<&str> {
        self.0.image_url.as_deref()
    }

    /// The id of the primary email address.
    async fn primary_email_address_id(&self) -> Option<ID> {
        self.0.primary_email_address_id.clone().map(ID)
    }

    /// The primary email address.
    async fn primary_email_address(&self) -> Option<EmailAddress> {
        self.0.primary_email_address().map(EmailAddress::from)
    }

    /// The user's organization memberships (read in one statement for a whole page of users).
    async fn organization_memberships(
        &self,
        ctx: &Context<'_>,
    ) -> GqlResult<Vec<super::memberships::OrganizationMembership>> {
        let loaders = super::loaders::of(ctx)?;
        Ok(loaders
            .load_one(super::loaders::MembershipsOf(self.0.id.clone()))
            .await?
            .unwrap_or_default()
            .into_iter()
            .map(super::memberships::OrganizationMembership)
            .collect())
    }

    /// The user's active sessions on every device, newest first: for the user themselves
    /// (`me { sessions }`) and the backend; `FORBIDDEN` to anyone else.
    async fn sessions(&self, ctx: &Context<'_>) -> GqlResult<Vec<Session>> {
        let (platform, caller) = scope(ctx)?;
        let sessions = platform
            .active_sessions_of(caller, &self.0.instance_id, &self.0.id)
            .await
            .gql()?;
        Ok(sessions.into_iter().map(Session::now).collect())
    }

    /// Every email address of the user.
    async fn email_addresses(&self) -> Vec<EmailAddress> {
        self.0
            .email_addresses
            .iter()
            .map(EmailAddress::from)
            .collect()
    }

    /// Whether the user has a password.
    async fn password_enabled(&self) -> bool {
        self.0.password_enabled
    }

    /// Whether TOTP is on.
    async fn totp_enabled(&self) -> bool {
        self.0.totp_enabled
    }

    /// Whether unused backup codes remain.
    async fn backup_code_enabled(&self) -> bool {
        self.0.backup_code_enabled
    }

    /// Whether a second factor is required at sign-in.
    async fn two_factor_enabled(&self) -> bool {
        self.0.totp_enabled
    }

    /// Metadata the backend writes and everyone may read.
    async fn public_metadata(&self) -> Json<serde_json::Value> {
        Json(self.0.public_metadata.clone())
    }

    /// Metadata only the backend reads and writes: null (with `FORBIDDEN`) for anyone else.
    async fn private_metadata(
        &self,
        ctx: &Context<'_>,
    ) -> GqlResult<Option<Json<serde_json::Value>>> {
        let (_, caller) = scope(ctx)?;
        match caller {
            Caller::Backend { instance, .. } if instance.id == self.0.instance_id => {
                Ok(Some(Json(self.0.private_metadata.clone())))
            }
            _ => Err(Error::Forbidden("private metadata is for the backend only")).gql(),
        }
    }

    /// Metadata the user may write.
    async fn unsafe_metadata(&self) -> Json<serde_json::Value> {
        Json(self.0.unsafe_metadata.clone())
    }

    /// Whether the user is banned.
    async fn banned(&self) -> bool {
        self.0.banned
    }

    /// Whether the user is locked out of signing in now (after failed attempts, or by the
    /// backend).
    async fn locked(&self, ctx: &Context<'_>) -> GqlResult<bool> {
        let (platform, _) = scope(ctx)?;
        Ok(self
            .0
            .locked_until
            .is_some_and(|until| platform.now() < until))
    }

    /// When the user last signed in.
    async fn last_sign_in_at(&self) -> Option<DateTime<Utc>> {
        self.0.last_sign_in_at
    }

    /// When the user was last active.
    async fn last_active_at(&self) -> Option<DateTime<Utc>> {
        self.0.last_active_at
    }

    /// When the user was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// When the user last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

/// An optional input's three states: left out (`None`), null (`Some(None)`), a value.
pub(crate) fn tri(value: MaybeUndefined<String>) -> Option<Option<String>> {
    match value {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Value(v) => Some(Some(v)),
    }
}

/// What a deletion removed.
#[derive(SimpleObject)]
pub struct DeletedObject {
    /// The id of what was deleted.
    pub id: ID,
    /// Always true.
    pub deleted: bool,
}

/// Where a verification stands.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum VerificationStatus {
    /// Not verified yet.
    Unverified,
    /// Verified.
    Verified,
    /// Too many wrong codes: prepare a new one.
    Failed,
    /// The code's time ran out: prepare a new one.
    Expired,
}

impl From<DomainVerificationStatus> for VerificationStatus {
    fn from(value: DomainVerificationStatus) -> Self {
        match value {
            DomainVerificationStatus::Unverified => Self::Unverified,
            DomainVerificationStatus::Verified => Self::Verified,
            DomainVerificationStatus::Failed => Self::Failed,
            DomainVerificationStatus::Expired => Self::Expired,
        }
    }
}
