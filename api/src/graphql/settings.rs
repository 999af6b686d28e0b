//! Instance settings in GraphQL: typed output objects mirroring the domain's settings, and an
//! input whose given fields become a JSON merge patch that the domain applies and validates.

use async_graphql::{Enum, InputObject, MaybeUndefined, SimpleObject};
use latchkey_domain::model::settings as domain;
use serde::Serialize;

/// Whether a sign-up field is asked for.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum FieldRequirement {
    /// Sign-up cannot complete without it.
    Required,
    /// Asked for, may be left out.
    Optional,
    /// Not asked for.
    Off,
}

/// Who may sign up.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SignUpMode {
    /// Anyone.
    Public,
    /// Only people the backend creates or invites.
    Restricted,
}

/// The algorithm session tokens are signed with.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum SigningAlgorithm {
    /// ECDSA on P-256 with SHA-256 (the default).
    ES256,
    /// Ed25519.
    #[graphql(name = "EDDSA")]
    EdDSA,
    /// RSA PKCS#1 v1.5 with SHA-256.
    RS256,
}

impl From<domain::FieldRequirement> for FieldRequirement {
    fn from(value: domain::FieldRequirement) -> Self {
        match value {
            domain::FieldRequirement::Required => Self::Required,
            domain::FieldRequirement::Optional => Self::Optional,
            domain::FieldRequirement::Off => Self::Off,
        }
    }
}

impl From<domain::SignUpMode> for SignUpMode {
    fn from(value: domain::SignUpMode) -> Self {
        match value {
            domain::SignUpMode::Public => Self::Public,
            domain::SignUpMode::Restricted => Self::Restricted,
        }
    }
}

impl From<domain::SigningAlgorithm> for SigningAlgorithm {
    fn from(value: domain::SigningAlgorithm) -> Self {
        match value {
            domain::SigningAlgorithm::ES256 => Self::ES256,
            domain::SigningAlgorithm::EdDSA => Self::EdDSA,
            domain::SigningAlgorithm::RS256 => Self::RS256,
        }
    }
}

/// What sign-up asks for.
#[derive(SimpleObject)]
pub struct SignUpSettings {
    /// Who may sign up.
    pub mode: SignUpMode,
    /// Whether an email address is asked for.
    pub email_address: FieldRequirement,
    /// Whether a username is asked for.
    pub username: FieldRequirement,
    /// Whether a password is asked for.
    pub password: FieldRequirement,
    /// Whether a first name is asked for.
    pub first_name: FieldRequirement,
    /// Whether a last name is asked for.
    pub last_name: FieldRequirement,
}

/// The password policy.
#[derive(SimpleObject)]
pub struct PasswordSettings {
    /// The fewest characters a password may have.
    pub min_length: u32,
    /// The most characters a password may have.
    pub max_length: u32,
    /// Whether the most common passwords are refused.
    pub reject_compromised: bool,
}

/// Verification codes sent by email.
#[derive(SimpleObject)]
pub struct VerificationSettings {
    /// How long a code stays valid, in seconds.
    pub code_lifetime_seconds: u32,
    /// Wrong attempts allowed before a verification fails.
    pub max_attempts: u32,
    /// The least time between two codes for one verification, in seconds.
    pub resend_interval_seconds: u32,
}

/// Locking a user out after failed sign-in attempts.
#[derive(SimpleObject)]
pub struct LockoutSettings {
    /// Failed attempts that lock the user.
    pub max_attempts: u32,
    /// How long the lock lasts, in seconds.
    pub duration_seconds: u32,
}

/// Session lifetimes.
#[derive(SimpleObject)]
pub struct SessionSettings {
    /// Whether one client may hold several signed-in sessions.
    pub multi_session: bool,
    /// The longest a session lives, in seconds; null when off.
    pub max_lifetime_seconds: Option<u32>,
    /// How long a session may go unused, in seconds; null when off.
    pub inactivity_timeout_seconds: Option<u32>,
    /// How recently a session's factors must have been verified for a sensitive account change
    /// (otherwise `REVERIFICATION_REQUIRED`), in seconds.
    pub reverification_window_seconds: u32,
}

/// Session tokens.
#[derive(SimpleObject)]
pub struct TokenSettings {
    /// How long a session token is valid, in seconds.
    pub lifetime_seconds: u32,
    /// The signing algorithm of the instance's keys.
    pub algorithm: SigningAlgorithm,
    /// Clock skew allowed when checking `exp` and `nbf`, in seconds (at most 5).
    pub allowed_clock_skew_seconds: u32,
}

/// How the instance's mail is sent.
#[derive(SimpleObject)]
pub struct MailSettings {
    /// The sender address; null for the server's (`LATCHKEY_MAIL_FROM`).
    pub from_address: Option<String>,
    /// The sender's name; null for the instance's name.
    pub from_name: Option<String>,
}

/// What signed-in users may do to their own account.
#[derive(SimpleObject)]
pub struct UserSettings {
    /// Whether users may delete their own account (`deleteMe`).
    pub delete_self_enabled: bool,
}

/// Organizations.
#[derive(SimpleObject)]
pub struct OrganizationSettings {
    /// Whether organizations are on (off: every organization operation is `FORBIDDEN`).
    pub enabled: bool,
    /// Whether signed-in users may create organizations.
    pub users_can_create: bool,
    /// How many memberships (pending invitations included) a new organization allows; 0: no
    /// limit.
    pub max_allowed_memberships: u32,
}

/// Every setting of an instance.
#[derive(SimpleObject)]
#[graphql(name = "InstanceSettings")]
pub struct Settings {
    /// What sign-up asks for.
    pub sign_up: SignUpSettings,
    /// The password policy.
    pub password: PasswordSettings,
    /// Verification codes sent by email.
    pub verification: VerificationSettings,
    /// Locking a user out after failed attempts.
    pub lockout: LockoutSettings,
    /// Session lifetimes.
    pub sessions: SessionSettings,
    /// Session tokens.
    pub tokens: TokenSettings,
    /// How the instance's mail is sent.
    pub mail: MailSettings,
    /// What signed-in users may do to their own account.
    pub users: UserSettings,
    /// Organizations.
    pub organizations: OrganizationSettings,
    /// Origins whose browsers may call the frontend API with credentials.
    pub allowed_origins: Vec<String>,
    /// Whether sign-in answers alike for known and unknown identifiers.
    pub enumeration_protection: bool,
    /// The instance's logo, shown by the components and the Account Portal.
    pub logo_url: Option<String>,
}

impl From<&domain::InstanceSettings> for Settings {
    fn from(s: &domain::InstanceSettings) -> Self {
        Self {
            sign_up: SignUpSettings {
                mode: s.sign_up.mode.into(),
                email_address: s.sign_up.email_address.into(),
                username: s.sign_up.username.into(),
                password: s.sign_up.password.into(),
                first_name: s.sign_up.first_name.into(),
                last_name: s.sign_up.last_name.into(),
            },
            password: PasswordSettings {
                min_length: s.password.min_length,
                max_length: s.password.max_length,
                reject_compromised: s.password.reject_compromised,
            },
            verification: VerificationSettings {
                code_lifetime_seconds: s.verification.code_lifetime_seconds,
                max_attempts: s.verification.max_attempts,
                resend_interval_seconds: s.verification.resend_interval_seconds,
            },
            lockout: LockoutSettings {
                max_attempts: s.lockout.max_attempts,
                duration_seconds: s.lockout.duration_seconds,
            },
            sessions: SessionSettings {
                multi_session: s.sessions.multi_session,
                max_lifetime_seconds: s.sessions.max_lifetime_seconds,
                inactivity_timeout_seconds: s.sessions.inactivity_timeout_seconds,
                reverification_window_seconds: s.sessions.reverification_window_seconds,
            },
            tokens: TokenSettings {
                lifetime_seconds: s.tokens.lifetime_seconds,
                algorithm: s.tokens.algorithm.into(),
                allowed_clock_skew_seconds: s.tokens.allowed_clock_skew_seconds,
            },
            mail: MailSettings {
                from_address: s.mail.from_address.clone(),
                from_name: s.mail.from_name.clone(),
            },
            users: UserSettings {
                delete_self_enabled: s.users.delete_self_enabled,
            },
            organizations: OrganizationSettings {
                enabled: s.organizations.enabled,
                users_can_create: s.organizations.users_can_create,
                max_allowed_memberships: s.organizations.max_allowed_memberships,
            },
            allowed_origins: s.allowed_origins.clone(),
            enumeration_protection: s.enumeration_protection,
            logo_url: s.logo_url.clone(),
        }
    }
}

/// Changes to what sign-up asks for; absent fields stay as they are.
#[derive(InputObject, Serialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct SignUpSettingsInput {
    /// Who may sign up.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<SignUpMode>,
    /// Whether an email address is asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email_address: Option<FieldRequirement>,
    /// Whether a username is asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub username: Option<FieldRequirement>,
    /// Whether a password is asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password: Option<FieldRequirement>,
    /// Whether a first name is asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_name: Option<FieldRequirement>,
    /// Whether a last name is asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_name: Option<FieldRequirement>,
}

/// Changes to the password policy.
#[derive(InputObject, Serialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct PasswordSettingsInput {
    /// The fewest characters a password may have (1–128).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_length: Option<u32>,
    /// The most characters a password may have (8–1024).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_length: Option<u32>,
    /// Whether the most common passwords are refused.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reject_compromised: Option<bool>,
}

/// Changes to verification codes.
#[derive(InputObject, Serialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct VerificationSettingsInput {
    /// How long a code stays valid, in seconds (60–86400).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code_lifetime_seconds: Option<u32>,
    /// Wrong attempts allowed before a verification fails (1–100).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_attempts: Option<u32>,
    /// The least time between two codes, in seconds (0–3600).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resend_interval_seconds: Option<u32>,
}

/// Changes to the lockout policy.
#[derive(InputObject, Serialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct LockoutSettingsInput {
    /// Failed attempts that lock the user (1–1000).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_attempts: Option<u32>,
    /// How long the lock lasts, in seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duration_seconds: Option<u32>,
}

/// Changes to session lifetimes; `null` turns a limit off (one must stay on).
#[derive(InputObject, Serialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct SessionSettingsInput {
    /// Whether one client may hold several signed-in sessions.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub multi_session: Option<bool>,
    /// The longest a session lives, in seconds; null turns it off.
    #[serde(skip_serializing_if = "MaybeUndefined::is_undefined")]
    pub max_lifetime_seconds: MaybeUndefined<u32>,
    /// How long a session may go unused, in seconds; null turns it off.
    #[serde(skip_serializing_if = "MaybeUndefined::is_undefined")]
    pub inactivity_timeout_seconds: MaybeUndefined<u32>,
    /// How recently a session's factors must have been verified for a sensitive account change,
    /// in seconds (60–86400; default 600).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reverification_window_seconds: Option<u32>,
}

/// Changes to session tokens.
#[derive(InputObject, Serialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct TokenSettingsInput {
    /// How long a session token is valid, in seconds (30–86400).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lifetime_seconds: Option<u32>,
    /// The signing algorithm for new keys.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub algorithm: Option<SigningAlgorithm>,
    /// Clock skew allowed when checking `exp` and `nbf`, in seconds (0–5).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed_clock_skew_seconds: Option<u32>,
}

/// Changes to how the instance's mail is sent; `null` goes back to the default.
#[derive(InputObject, Serialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct MailSettingsInput {
    /// The sender address.
    #[serde(skip_serializing_if = "MaybeUndefined::is_undefined")]
    pub from_address: MaybeUndefined<String>,
    /// The sender's name (at most 128 characters).
    #[serde(skip_serializing_if = "MaybeUndefined::is_undefined")]
    pub from_name: MaybeUndefined<String>,
}

/// Changes to what signed-in users may do to their own account.
#[derive(InputObject, Serialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct UserSettingsInput {
    /// Whether users may delete their own account (`deleteMe`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delete_self_enabled: Option<bool>,
}

/// Changes to the organization settings.
#[derive(InputObject, Serialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct OrganizationSettingsInput {
    /// Whether organizations are on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// Whether signed-in users may create organizations.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub users_can_create: Option<bool>,
    /// How many memberships a new organization allows (0: no limit; at most 100,000).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_allowed_memberships: Option<u32>,
}

/// Changes to an instance's settings: only the fields given change; the result is validated
/// whole, and a bad value is `VALIDATION_FAILED` naming its field.
#[derive(InputObject, Serialize, Default)]
#[serde(rename_all = "camelCase")]
#[graphql(name = "InstanceSettingsInput")]
pub struct SettingsInput {
    /// What sign-up asks for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sign_up: Option<SignUpSettingsInput>,
    /// The password policy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password: Option<PasswordSettingsInput>,
    /// Verification codes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verification: Option<VerificationSettingsInput>,
    /// The lockout policy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lockout: Option<LockoutSettingsInput>,
    /// Session lifetimes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sessions: Option<SessionSettingsInput>,
    /// Session tokens.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tokens: Option<TokenSettingsInput>,
    /// How the instance's mail is sent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mail: Option<MailSettingsInput>,
    /// What signed-in users may do to their own account.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub users: Option<UserSettingsInput>,
    /// Organizations.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organizations: Option<OrganizationSettingsInput>,
    /// Replaces the allowed origins (`https://app.example.com`, no path).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed_origins: Option<Vec<String>>,
    /// Whether sign-in answers alike for known and unknown identifiers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enumeration_protection: Option<bool>,
    /// The instance's logo: an `https://` URL (`http://` only on localhost); null removes it.
    #[serde(skip_serializing_if = "MaybeUndefined::is_undefined")]
    pub logo_url: MaybeUndefined<String>,
}
