//! Typed instance settings: the defaults live here, they are stored as JSON, and every change is
//! a JSON merge patch (RFC 7396) applied to the current settings and then validated whole, so a
//! bad value is refused with the dotted path of its field and nothing is half-applied.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::{Error, Result};

/// Whether a sign-up field is asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum FieldRequirement {
    Required,
    Optional,
    Off,
}

/// Who may sign up.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SignUpMode {
    /// Anyone.
    Public,
    /// Only people the backend creates or invites.
    Restricted,
}

/// The algorithm session tokens are signed with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SigningAlgorithm {
    ES256,
    EdDSA,
    RS256,
}

impl SigningAlgorithm {
    /// Its JOSE name: the `alg` of its tokens and JWKs, and its stored spelling.
    pub fn jose_name(self) -> &'static str {
        match self {
            Self::ES256 => "ES256",
            Self::EdDSA => "EdDSA",
            Self::RS256 => "RS256",
        }
    }

    /// Reads a stored spelling.
    pub fn from_jose_name(name: &str) -> crate::Result<Self> {
        match name {
            "ES256" => Ok(Self::ES256),
            "EdDSA" => Ok(Self::EdDSA),
            "RS256" => Ok(Self::RS256),
            other => Err(crate::Error::internal(format!(
                "unknown signing algorithm {other:?}"
            ))),
        }
    }
}

/// What sign-up asks for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct SignUpSettings {
    pub mode: SignUpMode,
    pub email_address: FieldRequirement,
    pub username: FieldRequirement,
    pub password: FieldRequirement,
    pub first_name: FieldRequirement,
    pub last_name: FieldRequirement,
}

impl Default for SignUpSettings {
    fn default() -> Self {
        Self {
            mode: SignUpMode::Public,
            email_address: FieldRequirement::Required,
            username: FieldRequirement::Off,
            password: FieldRequirement::Required,
            first_name: FieldRequirement::Optional,
            last_name: FieldRequirement::Optional,
        }
    }
}

/// The password policy.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct PasswordSettings {
    pub min_length: u32,
    pub max_length: u32,
    /// Refuse the most common passwords.
    pub reject_compromised: bool,
}

impl Default for PasswordSettings {
    fn default() -> Self {
        Self {
            min_length: 8,
            max_length: 128,
            reject_compromised: true,
        }
    }
}

/// Verification codes sent by email.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct VerificationSettings {
    pub code_lifetime_seconds: u32,
    pub max_attempts: u32,
    pub resend_interval_seconds: u32,
}

impl Default for VerificationSettings {
    fn default() -> Self {
        Self {
            code_lifetime_seconds: 600,
            max_attempts: 5,
            resend_interval_seconds: 30,
        }
    }
}

/// Locking a user out after failed sign-in attempts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct LockoutSettings {
    pub max_attempts: u32,
    pub duration_seconds: u32,
}

impl Default for LockoutSettings {
    fn default() -> Self {
        Self {
            max_attempts: 10,
            duration_seconds: 3600,
        }
    }
}

/// Session lifetimes. At least one of the two limits stays on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct SessionSettings {
    /// Several signed-in sessions on one client.
    pub multi_session: bool,
    pub max_lifetime_seconds: Option<u32>,
    pub inactivity_timeout_seconds: Option<u32>,
    /// How recently a session's factors must have been verified for a sensitive account change
    /// (`model::reverification`), in seconds.
    pub reverification_window_seconds: u32,
}

impl Default for SessionSettings {
    fn default() -> Self {
        Self {
            multi_session: false,
            max_lifetime_seconds: Some(7 * 86_400),
            inactivity_timeout_seconds: None,
            reverification_window_seconds: 600,
        }
    }
}

/// Session tokens.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct TokenSettings {
    pub lifetime_seconds: u32,
    pub algorithm: SigningAlgorithm,
    pub allowed_clock_skew_seconds: u32,
}

impl TokenSettings {
    /// The longest a session token of the instance lives (a retired key stays published at
    /// least this long; JWT templates' lifetimes count too, see `KeyRing`).
    pub fn longest_lifetime_seconds(&self) -> u32 {
        self.lifetime_seconds
    }
}

impl Default for TokenSettings {
    fn default() -> Self {
        Self {
            lifetime_seconds: 60,
            algorithm: SigningAlgorithm::ES256,
            allowed_clock_skew_seconds: 5,
        }
    }
}

/// How the instance's mail is sent.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct MailSettings {
    /// The sender address; by default the server's (`LATCHKEY_MAIL_FROM`).
    pub from_address: Option<String>,
    /// The sender's name; by default the instance's name.
    pub from_name: Option<String>,
}

/// What signed-in users may do to their own account.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct UserSettings {
    /// Users may delete their own account (`deleteMe`).
    pub delete_self_enabled: bool,
}

impl Default for UserSettings {
    fn default() -> Self {
        Self {
            delete_self_enabled: true,
        }
    }
}

/// Organizations: whether users may create them, and how many members each holds by default.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct OrganizationSettings {
    /// Organizations are on: off, every organization operation is `FORBIDDEN`.
    pub enabled: bool,
    /// Signed-in users may create organizations (`createOrganization` with a session token).
    pub users_can_create: bool,
    /// How many memberships (pending invitations included) a new organization allows; 0: no
    /// limit.
    pub max_allowed_memberships: u32,
}

impl Default for OrganizationSettings {
    fn default() -> Self {
        Self {
            enabled: true,
            users_can_create: true,
            max_allowed_memberships: crate::model::organization::DEFAULT_MAX_MEMBERSHIPS,
        }
    }
}

/// Every setting of an instance.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct InstanceSettings {
    pub sign_up: SignUpSettings,
    pub password: PasswordSettings,
    pub verification: VerificationSettings,
    pub lockout: LockoutSettings,
    pub sessions: SessionSettings,
    pub tokens: TokenSettings,
    pub mail: MailSettings,
    pub users: UserSettings,
    pub organizations: OrganizationSettings,
    /// Origins (`scheme://host[:port]`) whose browsers may call the frontend API with credentials.
    pub allowed_origins: Vec<String>,
    /// Sign-in answers alike for known and unknown identifiers.
    pub enumeration_protection: bool,
    /// The instance's logo (an `https://` URL, or `http://` on a development instance's local
    /// host), shown by the components and the Account Portal.
    pub logo_url: Option<String>,
}

impl InstanceSettings {
    /// The defaults, with enumeration protection on.
    pub fn new() -> Self {
        Self {
            enumeration_protection: true,
            ..Self::default()
        }
    }

    /// Reads stored settings; fields added since they were written take their defaults, and
    /// fields this version does not know (written by a newer node) are left aside.
    pub fn from_stored(json: &str) -> Result<Self> {
        let mut value: Value = serde_json::from_str(json).map_err(Error::internal)?;
        let defaults = serde_json::to_value(Self::new()).map_err(Error::internal)?;
        retain_known(&mut value, &defaults);
        let mut merged = defaults;
        merge_patch(&mut merged, value);
        serde_json::from_value(merged).map_err(Error::internal)
    }

    /// The stored form.
    pub fn to_stored(&self) -> Result<String> {
        serde_json::to_string(self).map_err(Error::internal)
    }

    /// These settings with `patch` merged in (RFC 7396: `null` resets a field to its default),
    /// validated whole.
    pub fn patched(&self, patch: Value) -> Result<Self> {
        let mut value = serde_json::to_value(self).map_err(Error::internal)?;
        merge_patch(&mut value, patch);
        let defaults = serde_json::to_value(Self::new()).map_err(Error::internal)?;
        fill_defaults(&mut value, &defaults);
        let next: Self = serde_json::from_value(value)
            .map_err(|e| Error::validation(field_of_serde_error(&e), e.to_string()))?;
        next.validate()?;
        Ok(next)
    }

    /// Checks every rule that crosses fields or bounds values.
    pub fn validate(&self) -> Result<()> {
        check_range(
            "organizations.maxAllowedMemberships",
            self.organizations.max_allowed_memberships,
            0,
            100_000,
        )?;
        let p = &self.password;
        check_range("password.minLength", p.min_length, 1, 128)?;
        check_range("password.maxLength", p.max_length, 8, 1024)?;
        if p.min_length > p.max_length {
            return Err(Error::validation(
                "password.minLength",
                "must not exceed password.maxLength",
            ));
        }
        let v = &self.verification;
        check_range(
            "verification.codeLifetimeSeconds",
            v.code_lifetime_seconds,
            60,
            86_400,
        )?;
        check_range("verification.maxAttempts", v.max_attempts, 1, 100)?;
        check_range(
            "verification.resendIntervalSeconds",
            v.resend_interval_seconds,
            0,
            3600,
        )?;
        check_range("lockout.maxAttempts", self.lockout.max_attempts, 1, 1000)?;
        check_range(
            "lockout.durationSeconds",
            self.lockout.duration_seconds,
            1,
            30 * 86_400,
        )?;
        let s = &self.sessions;
        if s.max_lifetime_seconds.is_none() && s.inactivity_timeout_seconds.is_none() {
            return Err(Error::validation(
                "sessions.maxLifetimeSeconds",
                "a session needs a maximum lifetime or an inactivity timeout",
            ));
        }
        if let Some(seconds) = s.max_lifetime_seconds {
            check_range(
                "sessions.maxLifetimeSeconds",
                seconds,
                300,
                10 * 365 * 86_400,
            )?;
        }
        if let Some(seconds) = s.inactivity_timeout_seconds {
            check_range(
                "sessions.inactivityTimeoutSeconds",
                seconds,
                300,
                10 * 365 * 86_400,
            )?;
        }
        check_range(
            "sessions.reverificationWindowSeconds",
            s.reverification_window_seconds,
            60,
            86_400,
        )?;
        check_range(
            "tokens.lifetimeSeconds",
            self.tokens.lifetime_seconds,
            30,
            86_400,
        )?;
        check_range(
            "tokens.allowedClockSkewSeconds",
            self.tokens.allowed_clock_skew_seconds,
            0,
            5,
        )?;
        self.validate_sign_up()?;
        self.validate_mail()?;
        if self.allowed_origins.len() > 100 {
            return Err(Error::validation("allowedOrigins", "at most 100 origins"));
        }
        for (i, origin) in self.allowed_origins.iter().enumerate() {
            if !is_origin(origin) {
                return Err(Error::validation(
                    format!("allowedOrigins.{i}"),
                    "must be an origin such as https://app.example.com (scheme, host, optional port)",
                ));
            }
        }
        if let Some(url) = &self.logo_url
            && !is_logo_url(url)
        {
            return Err(Error::validation(
                "logoUrl",
                "must be an https:// URL (http:// only on localhost) of at most 2048 characters",
            ));
        }
        Ok(())
    }

    fn validate_mail(&self) -> Result<()> {
        if let Some(address) = &self.mail.from_address {
            // Stored exactly as checked: no surrounding spaces or line breaks.
            let valid = super::identifiers::email_address(address)
                .is_ok_and(|parsed| parsed.address == *address);
            if !valid {
                return Err(Error::validation(
                    "mail.fromAddress",
                    "is not a valid email address",
                ));
            }
        }
        if let Some(name) = &self.mail.from_name {
            let bad = name.trim().is_empty()
                || name.chars().count() > 128
                || name.chars().any(char::is_control);
            if bad {
                return Err(Error::validation(
                    "mail.fromName",
                    "must be 1 to 128 characters, without line breaks or control characters",
                ));
            }
        }
        Ok(())
    }

    fn validate_sign_up(&self) -> Result<()> {
        use FieldRequirement::{Off, Required};
        let s = &self.sign_up;
        if s.email_address != Required && s.username != Required {
            return Err(Error::validation(
                "signUp.emailAddress",
                "an email address or a username must be required",
            ));
        }
        if s.email_address == Off && s.password != Required {
            return Err(Error::validation(
                "signUp.password",
                "without email addresses a password must be required",
            ));
        }
        Ok(())
    }
}

fn check_range(field: &str, value: u32, min: u32, max: u32) -> Result<()> {
    if value < min || value > max {
        return Err(Error::validation(
            field,
            format!("must be between {min} and {max}"),
        ));
    }
    Ok(())
}

/// `scheme://host[:port]` with an http(s) scheme and nothing after the authority.
/// An image URL a browser may load: `https://`, or `http://` on the local host itself (exactly
/// `localhost` or `127.0.0.1`); no spaces, quotes or angle brackets (it lands in HTML attributes).
fn is_logo_url(url: &str) -> bool {
    let https = url.strip_prefix("https://");
    let local = url.strip_prefix("http://").filter(|rest| {
        let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let authority = &rest[..end];
        let host = authority
            .rsplit_once(':')
            .map_or(authority, |(host, _)| host);
        !authority.contains('@') && matches!(host, "localhost" | "127.0.0.1")
    });
    url.len() <= 2048
        && https.or(local).is_some_and(|rest| {
            !rest.is_empty()
                && rest.chars().all(|c| {
                    c.is_ascii_graphic() && !matches!(c, '"' | '\'' | '<' | '>' | '`' | '\\')
                })
        })
}

fn is_origin(origin: &str) -> bool {
    super::origin::host_of(origin).is_some()
}

/// RFC 7396 JSON merge patch, except that `null` is kept (as a marker for `fill_defaults`)
/// rather than removing the field.
fn merge_patch(target: &mut Value, patch: Value) {
    match patch {
        Value::Object(fields) => {
            if !target.is_object() {
                *target = Value::Object(serde_json::Map::new());
            }
            if let Value::Object(target_fields) = target {
                for (key, value) in fields {
                    merge_patch(target_fields.entry(key).or_insert(Value::Null), value);
                }
            }
        }
        other => *target = other,
    }
}

/// Puts back defaults for fields that are missing or `null`, except the optional limits, where
/// `null` means off.
fn fill_defaults(value: &mut Value, defaults: &Value) {
    if let (Value::Object(fields), Value::Object(default_fields)) = (value, defaults) {
        for (key, default) in default_fields {
            match fields.get_mut(key) {
                Some(Value::Null) if is_optional_limit(key) => {}
                Some(present) if !present.is_null() => fill_defaults(present, default),
                _ => {
                    fields.insert(key.clone(), default.clone());
                }
            }
        }
    }
}

/// Drops object fields that the defaults do not have, at every level.
fn retain_known(value: &mut Value, defaults: &Value) {
    if let (Value::Object(fields), Value::Object(default_fields)) = (value, defaults) {
        fields.retain(|key, _| default_fields.contains_key(key));
        for (key, field) in fields.iter_mut() {
            if let Some(default) = default_fields.get(key) {
                retain_known(field, default);
            }
        }
    }
}

fn is_optional_limit(key: &str) -> bool {
    matches!(key, "maxLifetimeSeconds" | "inactivityTimeoutSeconds")
}

/// The field path serde names in an error such as "unknown field `x`", best effort.
fn field_of_serde_error(err: &serde_json::Error) -> String {
    let text = err.to_string();
    text.split('`')
        .nth(1)
        .map_or_else(|| "settings".to_owned(), str::to_owned)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_logo_is_https_or_on_the_local_host_itself_and_safe_in_an_attribute() {
        for good in [
            "https://cdn.example.com/logo.png",
            "http://localhost:5173/logo.svg",
            "http://127.0.0.1/logo.png",
        ] {
            assert!(is_logo_url(good), "{good}");
        }
        for bad in [
            "javascript:alert(1)",
            "http://cdn.example.com/logo.png",
            "http://localhost.evil.com/x",
            "http://localhost@evil.com/x",
            "http://127.0.0.1.evil.com/x",
            "https://",
            "https://a.example/x\"onerror=\"x",
            "https://a.example/<x>",
            "https://a.example/a b",
        ] {
            assert!(!is_logo_url(bad), "{bad}");
        }
    }

    fn field_of(err: Error) -> String {
        match err {
            Error::Validation { field, .. } => field,
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    #[test]
    fn defaults_are_valid_and_round_trip() {
        let settings = InstanceSettings::new();
        settings.validate().unwrap();
        let stored = settings.to_stored().unwrap();
        assert_eq!(InstanceSettings::from_stored(&stored).unwrap(), settings);
        assert!(settings.enumeration_protection);
        assert_eq!(settings.password.min_length, 8);
        assert_eq!(settings.tokens.lifetime_seconds, 60);
    }

    #[test]
    fn stored_settings_missing_fields_take_defaults() {
        let settings = InstanceSettings::from_stored(r#"{"password":{"minLength":10}}"#).unwrap();
        assert_eq!(settings.password.min_length, 10);
        assert_eq!(settings.password.max_length, 128);
        assert_eq!(settings.lockout, LockoutSettings::default());
    }

    #[test]
    fn stored_settings_from_a_newer_version_still_read() {
        let settings = InstanceSettings::from_stored(
            r#"{"password":{"minLength":9,"future":1},"newArea":{}}"#,
        )
        .unwrap();
        assert_eq!(settings.password.min_length, 9);
    }

    #[test]
    fn a_patch_changes_only_what_it_names() {
        let next = InstanceSettings::new()
            .patched(
                json!({"password": {"minLength": 12}, "allowedOrigins": ["https://a.example"]}),
            )
            .unwrap();
        assert_eq!(next.password.min_length, 12);
        assert_eq!(next.password.max_length, 128);
        assert_eq!(next.allowed_origins, vec!["https://a.example".to_owned()]);
        let base = InstanceSettings::new();
        let mail = base
            .patched(json!({"mail": {"fromAddress": "hello@acme.test", "fromName": "Acme"}}))
            .unwrap();
        assert_eq!(mail.mail.from_address.as_deref(), Some("hello@acme.test"));
        let padded = base.patched(json!({"mail": {"fromAddress": "hello@acme.test\r\n"}}));
        assert!(padded.is_err(), "stored exactly as checked");
        let bad = base.patched(json!({"mail": {"fromAddress": "not an address"}}));
        assert!(
            matches!(bad, Err(Error::Validation { ref field, .. }) if field == "mail.fromAddress")
        );
        let bad = base.patched(json!({"mail": {"fromName": "Acme\r\nBcc: x@y.z"}}));
        assert!(
            matches!(bad, Err(Error::Validation { ref field, .. }) if field == "mail.fromName")
        );
    }

    #[test]
    fn null_resets_to_default_or_turns_an_optional_limit_off() {
        let base = InstanceSettings::new()
            .patched(json!({"password": {"minLength": 12}}))
            .unwrap();
        let reset = base
            .patched(json!({"password": {"minLength": null}}))
            .unwrap();
        assert_eq!(reset.password.min_length, 8);
        let off = base
            .patched(
                json!({"sessions": {"maxLifetimeSeconds": null, "inactivityTimeoutSeconds": 3600}}),
            )
            .unwrap();
        assert_eq!(off.sessions.max_lifetime_seconds, None);
    }

    #[test]
    fn bad_values_name_their_field() {
        let s = InstanceSettings::new();
        let cases = [
            (json!({"password": {"minLength": 0}}), "password.minLength"),
            (
                json!({"password": {"minLength": 100, "maxLength": 50}}),
                "password.minLength",
            ),
            (
                json!({"tokens": {"allowedClockSkewSeconds": 60}}),
                "tokens.allowedClockSkewSeconds",
            ),
            (
                json!({"sessions": {"maxLifetimeSeconds": null}}),
                "sessions.maxLifetimeSeconds",
            ),
            (
                json!({"allowedOrigins": ["https://ok.example", "ftp://x"]}),
                "allowedOrigins.1",
            ),
            (
                json!({"allowedOrigins": ["https://x.example/path"]}),
                "allowedOrigins.0",
            ),
            (
                json!({"signUp": {"emailAddress": "OPTIONAL"}}),
                "signUp.emailAddress",
            ),
            (json!({"nope": 1}), "nope"),
        ];
        for (patch, field) in cases {
            assert_eq!(
                field_of(s.patched(patch.clone()).unwrap_err()),
                field,
                "patch {patch}"
            );
        }
    }

    #[test]
    fn origins_are_scheme_host_and_port_only() {
        assert!(is_origin("http://localhost:3000"));
        assert!(is_origin("https://app.example.com"));
        assert!(!is_origin("https://app.example.com/"));
        assert!(!is_origin("https://"));
        assert!(!is_origin("https://host:99999"));
        assert!(!is_origin("javascript:alert(1)"));
    }
}
