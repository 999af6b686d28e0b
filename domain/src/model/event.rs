//! Events: what changed, as the API shows it. Every session change and every user created,
//! updated or deleted is one event, written in the same transaction as the change and numbered
//! per instance in commit order.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::organization::{Invitation, Membership, Organization, Role};
use super::session::{Session, SessionStatus};
use super::user::{User, UserEmailAddress};
use crate::{Error, Result};

/// The kinds of event.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EventType {
    SessionCreated,
    SessionEnded,
    SessionRemoved,
    SessionRevoked,
    SessionExpired,
    UserCreated,
    UserUpdated,
    UserDeleted,
    OrganizationCreated,
    OrganizationUpdated,
    OrganizationDeleted,
    MembershipCreated,
    MembershipUpdated,
    MembershipDeleted,
    InvitationCreated,
    InvitationAccepted,
    InvitationRevoked,
    RoleCreated,
    RoleUpdated,
    RoleDeleted,
}

impl EventType {
    /// Every type, in the order the API lists them.
    pub const ALL: [Self; 20] = [
        Self::SessionCreated,
        Self::SessionEnded,
        Self::SessionRevoked,
        Self::SessionRemoved,
        Self::SessionExpired,
        Self::UserCreated,
        Self::UserUpdated,
        Self::UserDeleted,
        Self::OrganizationCreated,
        Self::OrganizationUpdated,
        Self::OrganizationDeleted,
        Self::MembershipCreated,
        Self::MembershipUpdated,
        Self::MembershipDeleted,
        Self::InvitationCreated,
        Self::InvitationAccepted,
        Self::InvitationRevoked,
        Self::RoleCreated,
        Self::RoleUpdated,
        Self::RoleDeleted,
    ];

    /// The type's name (`session.created`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SessionCreated => "session.created",
            Self::SessionEnded => "session.ended",
            Self::SessionRemoved => "session.removed",
            Self::SessionRevoked => "session.revoked",
            Self::SessionExpired => "session.expired",
            Self::UserCreated => "user.created",
            Self::UserUpdated => "user.updated",
            Self::UserDeleted => "user.deleted",
            Self::OrganizationCreated => "organization.created",
            Self::OrganizationUpdated => "organization.updated",
            Self::OrganizationDeleted => "organization.deleted",
            Self::MembershipCreated => "organizationMembership.created",
            Self::MembershipUpdated => "organizationMembership.updated",
            Self::MembershipDeleted => "organizationMembership.deleted",
            Self::InvitationCreated => "organizationInvitation.created",
            Self::InvitationAccepted => "organizationInvitation.accepted",
            Self::InvitationRevoked => "organizationInvitation.revoked",
            Self::RoleCreated => "role.created",
            Self::RoleUpdated => "role.updated",
            Self::RoleDeleted => "role.deleted",
        }
    }

    /// Reads a type's name; `VALIDATION_FAILED` for an unknown one.
    pub fn parse(name: &str) -> Result<Self> {
        Self::ALL
            .into_iter()
            .find(|t| t.as_str() == name)
            .ok_or_else(|| Error::validation("types", format!("unknown event type {name:?}")))
    }

    /// A session event.
    pub fn is_session(self) -> bool {
        self.as_str().starts_with("session.")
    }

    /// A user event.
    pub fn is_user(self) -> bool {
        self.as_str().starts_with("user.")
    }

    /// An organization event (`organization.*`).
    pub fn is_organization(self) -> bool {
        self.as_str().starts_with("organization.")
    }

    /// The event a session's move to `status` is.
    pub fn for_session_status(status: SessionStatus) -> Self {
        match status {
            SessionStatus::Active => Self::SessionCreated,
            SessionStatus::Ended => Self::SessionEnded,
            SessionStatus::Expired => Self::SessionExpired,
            SessionStatus::Removed => Self::SessionRemoved,
            SessionStatus::Revoked => Self::SessionRevoked,
        }
    }
}

/// An event to be written, before it has its number.
#[derive(Clone, Debug)]
pub struct NewEvent {
    pub kind: EventType,
    pub object_id: String,
    /// The user the event is about (a session's user), for `sessionEvents(userId)`.
    pub user_id: Option<String>,
    pub data: serde_json::Value,
}

impl NewEvent {
    /// A session event: `kind` with the session as it is now.
    pub fn session(kind: EventType, session: &Session) -> Self {
        Self {
            kind,
            object_id: session.id.clone(),
            user_id: Some(session.user_id.clone()),
            data: json(&SessionData::from(session)),
        }
    }

    /// A user event: `kind` with the user as it is now.
    pub fn user(kind: EventType, user: &User, now: DateTime<Utc>) -> Self {
        Self {
            kind,
            object_id: user.id.clone(),
            user_id: Some(user.id.clone()),
            data: json(&UserData::new(user, now)),
        }
    }
}

impl NewEvent {
    /// `user.deleted`: only the id stays (`{object, id, deleted}`, as Clerk sends it), so a
    /// deleted user's data does not live on in the log or in webhooks.
    pub fn user_deleted(user_id: &str) -> Self {
        Self {
            kind: EventType::UserDeleted,
            object_id: user_id.to_owned(),
            user_id: Some(user_id.to_owned()),
            data: serde_json::json!({"object": "user", "id": user_id, "deleted": true}),
        }
    }
}

impl NewEvent {
    /// An organization event, with the organization as it is now (or its id, deleted).
    pub fn organization(kind: EventType, o: &Organization) -> Self {
        let data = if kind == EventType::OrganizationDeleted {
            serde_json::json!({"object": "organization", "id": o.id, "slug": o.slug, "deleted": true})
        } else {
            serde_json::json!({
                "object": "organization", "id": o.id, "name": o.name, "slug": o.slug,
                "imageUrl": o.image_url, "createdBy": o.created_by,
                "publicMetadata": o.public_metadata, "privateMetadata": o.private_metadata,
                "maxAllowedMemberships": o.max_allowed_memberships,
                "createdAt": o.created_at, "updatedAt": o.updated_at,
            })
        };
        Self {
            kind,
            object_id: o.id.clone(),
            user_id: None,
            data,
        }
    }

    /// A membership event, with the membership as it is now (as it was, deleted).
    pub fn membership(kind: EventType, m: &Membership) -> Self {
        Self {
            kind,
            object_id: m.id.clone(),
            user_id: Some(m.user_id.clone()),
            data: serde_json::json!({
                "object": "organization_membership", "id": m.id,
                "organizationId": m.organization_id, "userId": m.user_id, "role": m.role,
                "permissions": m.permissions, "publicMetadata": m.public_metadata,
                "privateMetadata": m.private_metadata,
                "createdAt": m.created_at, "updatedAt": m.updated_at,
                "deleted": kind == EventType::MembershipDeleted,
            }),
        }
    }

    /// An invitation event.
    pub fn invitation(kind: EventType, i: &Invitation) -> Self {
        Self {
            kind,
            object_id: i.id.clone(),
            user_id: None,
            data: serde_json::json!({
                "object": "organization_invitation", "id": i.id,
                "organizationId": i.organization_id, "emailAddress": i.email_address,
                "role": i.role, "status": i.status.as_str().to_uppercase(),
                "expiresAt": i.expires_at, "createdAt": i.created_at, "updatedAt": i.updated_at,
            }),
        }
    }

    /// A role event: what a token's `o` claim says may have changed for its holders.
    pub fn role(kind: EventType, r: &Role) -> Self {
        Self {
            kind,
            object_id: r.id.clone(),
            user_id: None,
            data: serde_json::json!({
                "object": "role", "id": r.id, "key": r.key, "name": r.name,
                "permissions": r.permissions, "deleted": kind == EventType::RoleDeleted,
            }),
        }
    }
}

fn json(value: &impl Serialize) -> serde_json::Value {
    serde_json::to_value(value).unwrap_or(serde_json::Value::Null)
}

/// An event as stored: its number within its instance, its type, when, and the object.
#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    pub instance_id: String,
    /// Increases with every event of the instance, in commit order.
    pub seq: i64,
    pub kind: EventType,
    pub object_id: String,
    pub user_id: Option<String>,
    pub data: serde_json::Value,
    pub occurred_at: DateTime<Utc>,
}

impl Event {
    /// The session the event is about, when it is a session event.
    pub fn session(&self) -> Option<Session> {
        if !self.kind.is_session() {
            return None;
        }
        let data: SessionData = serde_json::from_value(self.data.clone()).ok()?;
        Some(data.into_session(self.instance_id.clone()))
    }

    /// The user the event is about, when it is a user event (a deleted user has only its id).
    pub fn user(&self) -> Option<User> {
        if !self.kind.is_user() || self.kind == EventType::UserDeleted {
            return None;
        }
        let data: UserData = serde_json::from_value(self.data.clone()).ok()?;
        Some(data.into_user(self.instance_id.clone()))
    }
}

/// A session as the API shows it.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SessionData {
    object: String,
    id: String,
    user_id: String,
    client_id: String,
    status: String,
    last_active_at: DateTime<Utc>,
    expire_at: DateTime<Utc>,
    abandon_at: DateTime<Utc>,
    last_active_organization_id: Option<String>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl From<&Session> for SessionData {
    fn from(s: &Session) -> Self {
        Self {
            object: "session".to_owned(),
            id: s.id.clone(),
            user_id: s.user_id.clone(),
            client_id: s.client_id.clone(),
            status: s.status.as_str().to_uppercase(),
            last_active_at: s.last_active_at,
            expire_at: s.expire_at,
            abandon_at: s.abandon_at,
            last_active_organization_id: s.last_active_organization_id.clone(),
            created_at: s.created_at,
            updated_at: s.updated_at,
        }
    }
}

impl SessionData {
    fn into_session(self, instance_id: String) -> Session {
        Session {
            status: SessionStatus::parse(&self.status.to_lowercase())
                .unwrap_or(SessionStatus::Ended),
            id: self.id,
            instance_id,
            client_id: self.client_id,
            user_id: self.user_id,
            last_active_at: self.last_active_at,
            expire_at: self.expire_at,
            abandon_at: self.abandon_at,
            last_active_organization_id: self.last_active_organization_id,
            created_at: self.created_at,
            updated_at: self.updated_at,
            // An event does not say: what the API shows of a session from an event never needs it.
            first_factor_verified_at: self.created_at,
            second_factor_verified_at: None,
            latest_activity: None,
        }
    }
}

/// A user as the API shows it (to the backend: private metadata included, never a hash).
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct UserData {
    object: String,
    id: String,
    #[serde(default)]
    external_id: Option<String>,
    username: Option<String>,
    first_name: Option<String>,
    last_name: Option<String>,
    #[serde(default)]
    image_url: Option<String>,
    primary_email_address_id: Option<String>,
    primary_email_address: Option<String>,
    email_addresses: Vec<EmailAddressData>,
    password_enabled: bool,
    totp_enabled: bool,
    backup_code_enabled: bool,
    two_factor_enabled: bool,
    public_metadata: serde_json::Value,
    private_metadata: serde_json::Value,
    unsafe_metadata: serde_json::Value,
    banned: bool,
    locked: bool,
    locked_until: Option<DateTime<Utc>>,
    last_sign_in_at: Option<DateTime<Utc>>,
    last_active_at: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct EmailAddressData {
    id: String,
    email_address: String,
    verification: VerificationData,
}

#[derive(Serialize, Deserialize)]
struct VerificationData {
    status: String,
}

impl UserData {
    fn new(u: &User, now: DateTime<Utc>) -> Self {
        Self {
            object: "user".to_owned(),
            id: u.id.clone(),
            external_id: u.external_id.clone(),
            username: u.username.clone(),
            first_name: u.first_name.clone(),
            last_name: u.last_name.clone(),
            image_url: u.image_url.clone(),
            primary_email_address_id: u.primary_email_address_id.clone(),
            primary_email_address: u.primary_email_address().map(|e| e.email_address.clone()),
            email_addresses: u
                .email_addresses
                .iter()
                .map(|e| EmailAddressData {
                    id: e.id.clone(),
                    email_address: e.email_address.clone(),
                    verification: VerificationData {
                        status: if e.verified { "VERIFIED" } else { "UNVERIFIED" }.to_owned(),
                    },
                })
                .collect(),
            password_enabled: u.password_enabled,
            totp_enabled: u.totp_enabled,
            backup_code_enabled: u.backup_code_enabled,
            two_factor_enabled: u.totp_enabled || u.backup_code_enabled,
            public_metadata: u.public_metadata.clone(),
            private_metadata: u.private_metadata.clone(),
            unsafe_metadata: u.unsafe_metadata.clone(),
            banned: u.banned,
            locked: u.locked_until.is_some_and(|until| until > now),
            locked_until: u.locked_until,
            last_sign_in_at: u.last_sign_in_at,
            last_active_at: u.last_active_at,
            created_at: u.created_at,
            updated_at: u.updated_at,
        }
    }

    fn into_user(self, instance_id: String) -> User {
        User {
            id: self.id,
            instance_id,
            external_id: self.external_id,
            username: self.username,
            first_name: self.first_name,
            last_name: self.last_name,
            image_url: self.image_url,
            primary_email_address_id: self.primary_email_address_id,
            email_addresses: self
                .email_addresses
                .into_iter()
                .map(|e| UserEmailAddress {
                    id: e.id,
                    email_address: e.email_address,
                    verified: e.verification.status == "VERIFIED",
                })
                .collect(),
            password_enabled: self.password_enabled,
            totp_enabled: self.totp_enabled,
            backup_code_enabled: self.backup_code_enabled,
            public_metadata: self.public_metadata,
            private_metadata: self.private_metadata,
            unsafe_metadata: self.unsafe_metadata,
            banned: self.banned,
            locked_until: self.locked_until,
            last_sign_in_at: self.last_sign_in_at,
            last_active_at: self.last_active_at,
            created_at: self.created_at,
            updated_at: self.updated_at,
        }
    }
}

/// Which events a subscriber receives.
#[derive(Clone, Debug, Default)]
pub struct EventFilter {
    /// Only these types (all when empty).
    pub types: Vec<EventType>,
    /// Only events about this user.
    pub user_id: Option<String>,
}

impl EventFilter {
    /// Whether `event` passes.
    pub fn admits(&self, event: &Event) -> bool {
        (self.types.is_empty() || self.types.contains(&event.kind))
            && self
                .user_id
                .as_ref()
                .is_none_or(|u| event.user_id.as_deref() == Some(u.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::settings::SessionSettings;

    fn session(now: DateTime<Utc>) -> Session {
        Session::start(
            "sess_1".into(),
            "ins_1".into(),
            "client_1".into(),
            "user_1".into(),
            &SessionSettings::default(),
            now,
        )
    }

    /// `new` as it is once stored, numbered 1.
    fn stored(new: NewEvent, now: DateTime<Utc>) -> Event {
        Event {
            instance_id: "ins_1".into(),
            seq: 1,
            kind: new.kind,
            object_id: new.object_id,
            user_id: new.user_id,
            data: new.data,
            occurred_at: now,
        }
    }

    #[test]
    fn type_names_round_trip_and_unknown_ones_are_refused() {
        for t in EventType::ALL {
            assert_eq!(EventType::parse(t.as_str()).ok(), Some(t));
        }
        assert!(EventType::parse("session.exploded").is_err());
    }

    #[test]
    fn a_session_event_carries_the_session_as_the_api_shows_it() {
        let now = Utc::now();
        let mut s = session(now);
        s.status = SessionStatus::Revoked;
        let new = NewEvent::session(EventType::SessionRevoked, &s);
        assert_eq!(new.data["status"], "REVOKED");
        assert_eq!(new.data["userId"], "user_1");
        let event = stored(new, now);
        assert_eq!(event.session(), Some(s));
        assert_eq!(event.user(), None);
    }

    #[test]
    fn filters_by_type_and_user() {
        let now = Utc::now();
        let event = stored(
            NewEvent::session(EventType::SessionCreated, &session(now)),
            now,
        );
        assert!(EventFilter::default().admits(&event));
        let other_user = EventFilter {
            types: vec![],
            user_id: Some("user_2".into()),
        };
        assert!(!other_user.admits(&event));
        let other_type = EventFilter {
            types: vec![EventType::UserCreated],
            user_id: None,
        };
        assert!(!other_type.admits(&event));
    }
}
