//! Organizations, their memberships, roles, permissions and invitations: the types and the
//! pure rules (slugs, role and permission keys, who may do what, the `o` claim).

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use crate::{Error, Result};

/// The role of an organization's creator, holding every system permission.
pub const ADMIN_ROLE: &str = "org:admin";
/// The role of a member by default.
pub const MEMBER_ROLE: &str = "org:member";
/// Change the organization's name, slug and metadata.
pub const PROFILE_MANAGE: &str = "org:sys_profile:manage";
/// Delete the organization.
pub const PROFILE_DELETE: &str = "org:sys_profile:delete";
/// See the organization's members and invitations.
pub const MEMBERSHIPS_READ: &str = "org:sys_memberships:read";
/// Invite, add, remove members and change their roles.
pub const MEMBERSHIPS_MANAGE: &str = "org:sys_memberships:manage";
/// See the organization's domains.
pub const DOMAINS_READ: &str = "org:sys_domains:read";
/// Change the organization's domains.
pub const DOMAINS_MANAGE: &str = "org:sys_domains:manage";

/// Every system permission, with its name.
pub const SYSTEM_PERMISSIONS: [(&str, &str); 6] = [
    (PROFILE_MANAGE, "Manage organization"),
    (PROFILE_DELETE, "Delete organization"),
    (MEMBERSHIPS_READ, "Read members"),
    (MEMBERSHIPS_MANAGE, "Manage members"),
    (DOMAINS_READ, "Read domains"),
    (DOMAINS_MANAGE, "Manage domains"),
];

/// The default roles every instance has, with their names and permissions.
pub fn default_roles() -> [(&'static str, &'static str, Vec<&'static str>); 2] {
    [
        (
            ADMIN_ROLE,
            "Admin",
            SYSTEM_PERMISSIONS.iter().map(|(key, _)| *key).collect(),
        ),
        (MEMBER_ROLE, "Member", vec![MEMBERSHIPS_READ]),
    ]
}

/// Whether `key` is a system permission.
pub fn is_system_permission(key: &str) -> bool {
    SYSTEM_PERMISSIONS.iter().any(|(k, _)| *k == key)
}

/// The longest name of an organization.
pub const MAX_NAME_CHARS: usize = 256;
/// The longest slug.
pub const MAX_SLUG_CHARS: usize = 64;
/// How many memberships an organization allows unless told otherwise.
pub const DEFAULT_MAX_MEMBERSHIPS: u32 = 5;
/// How long an invitation stays valid unless told otherwise.
pub const DEFAULT_INVITATION_DAYS: u32 = 30;
/// The longest an invitation may stay valid.
pub const MAX_INVITATION_DAYS: u32 = 365;

/// An organization.
#[derive(Clone, Debug, PartialEq)]
pub struct Organization {
    pub id: String,
    pub instance_id: String,
    pub name: String,
    pub slug: String,
    pub image_url: Option<String>,
    pub created_by: Option<String>,
    pub public_metadata: Value,
    pub private_metadata: Value,
    /// 0: no limit.
    pub max_allowed_memberships: u32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A user's membership of an organization, with the permissions its role grants.
#[derive(Clone, Debug, PartialEq)]
pub struct Membership {
    pub id: String,
    pub instance_id: String,
    pub organization_id: String,
    pub user_id: String,
    pub role: String,
    pub permissions: Vec<String>,
    pub public_metadata: Value,
    pub private_metadata: Value,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Membership {
    /// Whether the member holds `permission`.
    pub fn may(&self, permission: &str) -> bool {
        self.permissions.iter().any(|p| p == permission)
    }

    /// Requires `permission`: `FORBIDDEN` without it.
    pub fn require(&self, permission: &'static str) -> Result<()> {
        if self.may(permission) {
            Ok(())
        } else {
            Err(Error::Forbidden(
                "your role in this organization does not allow this",
            ))
        }
    }
}

/// A role of the instance and its permission keys.
#[derive(Clone, Debug, PartialEq)]
pub struct Role {
    pub id: String,
    pub instance_id: String,
    pub key: String,
    pub name: String,
    pub description: String,
    pub permissions: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A permission: a system one (no row), or a custom one of the instance.
#[derive(Clone, Debug, PartialEq)]
pub struct Permission {
    pub id: String,
    pub key: String,
    pub name: String,
    pub description: String,
    pub system: bool,
    pub created_at: Option<DateTime<Utc>>,
}

/// Where an invitation stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InvitationStatus {
    Pending,
    Accepted,
    Revoked,
    Expired,
}

impl InvitationStatus {
    /// The stored form (`Expired` is never stored: it is read from the expiry).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Accepted => "accepted",
            Self::Revoked => "revoked",
            Self::Expired => "expired",
        }
    }

    /// Reads the stored form.
    pub fn parse(value: &str) -> Result<Self> {
        match value {
            "pending" => Ok(Self::Pending),
            "accepted" => Ok(Self::Accepted),
            "revoked" => Ok(Self::Revoked),
            "expired" => Ok(Self::Expired),
            other => Err(Error::internal(format!("invitation status {other:?}"))),
        }
    }
}

/// An invitation into an organization.
#[derive(Clone, Debug, PartialEq)]
pub struct Invitation {
    pub id: String,
    pub instance_id: String,
    pub organization_id: String,
    pub email_address: String,
    pub role: String,
    pub status: InvitationStatus,
    pub inviter_user_id: Option<String>,
    pub expires_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Invitation {
    /// The status at `now`: a pending invitation past its expiry is `Expired`.
    pub fn status_at(&self, now: DateTime<Utc>) -> InvitationStatus {
        if self.status == InvitationStatus::Pending && now >= self.expires_at {
            InvitationStatus::Expired
        } else {
            self.status
        }
    }
}

/// What a session token says of its active organization (`o`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrganizationClaim {
    pub id: String,
    pub slug: String,
    pub role: String,
    pub permissions: Vec<String>,
}

impl OrganizationClaim {
    /// `{id, slg, rol, per}`: the role without its `org:` prefix, and the custom permissions
    /// only (system ones are not carried, as with Clerk), each without `org:`, comma-joined.
    pub fn to_json(&self) -> Value {
        let per: Vec<&str> = self
            .permissions
            .iter()
            .filter(|p| !is_system_permission(p))
            .map(|p| unprefixed(p))
            .collect();
        json!({
            "id": self.id,
            "slg": self.slug,
            "rol": unprefixed(&self.role),
            "per": per.join(","),
        })
    }

    /// Reads an `o` claim as `to_json` writes it, the role and permissions back with `org:`;
    /// `None` for anything but an object with an `id`.
    pub fn from_json(claim: &Value) -> Option<Self> {
        let text = |name: &str| claim.get(name).and_then(Value::as_str);
        let prefixed = |key: &str| format!("org:{}", unprefixed(key));
        Some(Self {
            id: text("id")?.to_owned(),
            slug: text("slg").unwrap_or_default().to_owned(),
            role: text("rol").map(prefixed).unwrap_or_default(),
            permissions: text("per")
                .unwrap_or_default()
                .split(',')
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(prefixed)
                .collect(),
        })
    }

    /// Clerk's `has()`: whether the claim grants `role` and `permission`, each checked when
    /// given; either may be written with or without `org:`. Neither given: false. System
    /// permissions are not carried, so never granted here.
    pub fn has(&self, role: Option<&str>, permission: Option<&str>) -> bool {
        if role.is_none() && permission.is_none() {
            return false;
        }
        let role_ok = role
            .is_none_or(|role| !self.role.is_empty() && unprefixed(&self.role) == unprefixed(role));
        let permission_ok = permission.is_none_or(|permission| {
            let wanted = unprefixed(permission);
            !wanted.is_empty() && self.permissions.iter().any(|p| unprefixed(p) == wanted)
        });
        role_ok && permission_ok
    }
}

/// `key` without its leading `org:`.
pub fn unprefixed(key: &str) -> &str {
    key.strip_prefix("org:").unwrap_or(key)
}

fn key_part(part: &str) -> bool {
    !part.is_empty()
        && part
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// Checks a role key: `org:<name>`, the name of `[a-z0-9_]`, at most 64 characters in all.
pub fn check_role_key(key: &str) -> Result<()> {
    let ok = key.len() <= 64 && key.strip_prefix("org:").is_some_and(key_part);
    if ok {
        Ok(())
    } else {
        Err(Error::validation(
            "key",
            "a role key is org:<name>, the name of a-z, 0-9 and _ (at most 64 characters)",
        ))
    }
}

/// Checks a custom permission key: `org:<feature>:<permission>`, each of `[a-z0-9_]`, the
/// feature not starting with `sys_` (those are the system permissions'), at most 128 characters.
pub fn check_permission_key(key: &str) -> Result<()> {
    let parts: Vec<&str> = key.split(':').collect();
    let ok = key.len() <= 128
        && parts.len() == 3
        && parts[0] == "org"
        && key_part(parts[1])
        && key_part(parts[2])
        && !parts[1].starts_with("sys_");
    if ok {
        Ok(())
    } else {
        Err(Error::validation(
            "key",
            "a permission key is org:<feature>:<permission>, each of a-z, 0-9 and _, the feature not starting with sys_",
        ))
    }
}

/// A name: trimmed, 1 to `max` characters.
pub fn check_name(field: &str, name: &str, max: usize) -> Result<String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > max {
        return Err(Error::validation(
            field,
            format!("must be 1 to {max} characters"),
        ));
    }
    Ok(name.to_owned())
}

/// Checks a slug: lowercase `[a-z0-9]` in groups joined by single hyphens, at most 64.
pub fn check_slug(slug: &str) -> Result<()> {
    let ok = !slug.is_empty()
        && slug.len() <= MAX_SLUG_CHARS
        && slug.split('-').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        });
    if ok {
        Ok(())
    } else {
        Err(Error::validation(
            "slug",
            "a slug is lowercase a-z and 0-9 in groups joined by single hyphens, at most 64 characters",
        ))
    }
}

/// The slug a name gives when none is asked for: ASCII letters and digits lowercased, every
/// other run of characters one hyphen.
pub fn slug_from_name(name: &str) -> String {
    let mut slug = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let mut slug = slug.trim_end_matches('-').to_owned();
    slug.truncate(MAX_SLUG_CHARS);
    slug.trim_end_matches('-').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        for good in ["acme", "acme-inc", "a1-b2-c3", "x"] {
            assert!(check_slug(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "Acme",
            "acme_inc",
            "-acme",
            "acme-",
            "ac--me",
            "acmé",
            &"a".repeat(65),
        ] {
            assert!(check_slug(bad).is_err(), "{bad}");
        }
        assert_eq!(slug_from_name("  Acme, Inc. "), "acme-inc");
        assert_eq!(slug_from_name("Été 2026!"), "t-2026");
        assert_eq!(slug_from_name("!!!"), "");
        assert!(check_slug(&slug_from_name(&"ab ".repeat(100))).is_ok());
    }

    #[test]
    fn role_and_permission_keys() {
        assert!(check_role_key("org:billing_manager").is_ok());
        for bad in [
            "admin",
            "org:",
            "org:Admin",
            "org:a:b",
            "ORG:x",
            &format!("org:{}", "a".repeat(61)),
        ] {
            assert!(check_role_key(bad).is_err(), "{bad}");
        }
        assert!(check_permission_key("org:invoices:read").is_ok());
        for bad in [
            "org:invoices",
            "org:sys_profile:read",
            "invoices:read",
            "org:in voices:read",
            "org::read",
        ] {
            assert!(check_permission_key(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_claim_follows_the_vector_shared_with_latchkey_verify() {
        let vector: Value =
            serde_json::from_str(include_str!("../../../verify/tests/vectors/o_claim.json"))
                .unwrap();
        let issued = &vector["issued"];
        let text = |v: &Value| v.as_str().unwrap().to_owned();
        let claim = OrganizationClaim {
            id: text(&issued["id"]),
            slug: text(&issued["slug"]),
            role: text(&issued["role"]),
            permissions: issued["permissions"]
                .as_array()
                .unwrap()
                .iter()
                .map(text)
                .collect(),
        };
        assert_eq!(claim.to_json(), vector["claim"]);
        let read = OrganizationClaim::from_json(&vector["claim"]).unwrap();
        assert_eq!(
            (read.id.as_str(), read.role.as_str()),
            ("org_1", "org:admin")
        );
        for case in vector["has"].as_array().unwrap() {
            let (role, permission) = (case["role"].as_str(), case["permission"].as_str());
            assert_eq!(
                read.has(role, permission),
                case["expected"].as_bool().unwrap(),
                "{case}"
            );
        }
        assert_eq!(OrganizationClaim::from_json(&Value::Null), None);
        assert_eq!(OrganizationClaim::from_json(&json!({"slg": "acme"})), None);
    }

    #[test]
    fn invitations_expire_only_while_pending() {
        let now = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let mut inv = Invitation {
            id: "orginv_1".into(),
            instance_id: "ins_1".into(),
            organization_id: "org_1".into(),
            email_address: "a@example.com".into(),
            role: MEMBER_ROLE.into(),
            status: InvitationStatus::Pending,
            inviter_user_id: None,
            expires_at: now,
            created_at: now,
            updated_at: now,
        };
        assert_eq!(inv.status_at(now), InvitationStatus::Expired);
        assert_eq!(
            inv.status_at(now - chrono::Duration::seconds(1)),
            InvitationStatus::Pending
        );
        inv.status = InvitationStatus::Accepted;
        assert_eq!(inv.status_at(now), InvitationStatus::Accepted);
    }
}
