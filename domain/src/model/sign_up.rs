//! A sign-up as a state machine: which fields the instance requires, which are still missing or
//! unverified, when it may complete, and when it is abandoned. Pure: time is a parameter, and the
//! password arrives already checked and hashed.

use chrono::{DateTime, Duration, Utc};

use super::identifiers::{self, EmailAddress};
use super::settings::{FieldRequirement, InstanceSettings, SignUpSettings};
use super::verification::{Verification, VerificationStatus};
use crate::{Error, Result};

/// How long a sign-up may sit unused before it is abandoned.
pub const ABANDON_AFTER_HOURS: i64 = 24;
/// The largest `unsafeMetadata` accepted, in bytes of JSON.
pub const MAX_METADATA_BYTES: usize = 8 * 1024;

/// Where a sign-up stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignUpStatus {
    MissingRequirements,
    Complete,
    Abandoned,
}

/// A field of a sign-up, spelled as the API lists it (`email_address`, …).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignUpField {
    EmailAddress,
    Username,
    Password,
    FirstName,
    LastName,
}

impl SignUpField {
    const ALL: [Self; 5] = [
        Self::EmailAddress,
        Self::Username,
        Self::Password,
        Self::FirstName,
        Self::LastName,
    ];

    /// The API's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::EmailAddress => "email_address",
            Self::Username => "username",
            Self::Password => "password",
            Self::FirstName => "first_name",
            Self::LastName => "last_name",
        }
    }

    fn requirement(self, settings: &SignUpSettings) -> FieldRequirement {
        match self {
            Self::EmailAddress => settings.email_address,
            Self::Username => settings.username,
            Self::Password => settings.password,
            Self::FirstName => settings.first_name,
            Self::LastName => settings.last_name,
        }
    }

    fn input_name(self) -> &'static str {
        match self {
            Self::EmailAddress => "emailAddress",
            Self::Username => "username",
            Self::Password => "password",
            Self::FirstName => "firstName",
            Self::LastName => "lastName",
        }
    }
}

/// Fields given to `createSignUp` or `updateSignUp`, as typed by the caller. (`Debug` leaves
/// the password out.)
#[derive(Clone, Default)]
pub struct SignUpInput {
    pub email_address: Option<String>,
    pub password: Option<String>,
    pub username: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub unsafe_metadata: Option<serde_json::Value>,
}

/// The input once checked: identifiers normalized, names bounded. The password is still plain
/// (the caller checks it against the policy with [`SignUp::own_identifiers_after`], then hashes it).
/// (`Debug` leaves the password out.)
#[derive(Clone, Default)]
pub struct CheckedInput {
    pub email_address: Option<EmailAddress>,
    pub password: Option<String>,
    pub username: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub unsafe_metadata: Option<serde_json::Value>,
}

impl std::fmt::Debug for SignUpInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignUpInput")
            .field("email_address", &self.email_address)
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for CheckedInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CheckedInput")
            .field("email_address", &self.email_address)
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

/// Checks input against the instance's settings: fields the instance does not use are refused,
/// the rest are validated and normalized.
pub fn check_input(input: SignUpInput, settings: &InstanceSettings) -> Result<CheckedInput> {
    let s = &settings.sign_up;
    let used = |field: SignUpField, given: bool| {
        if given && field.requirement(s) == FieldRequirement::Off {
            return Err(Error::validation(
                field.input_name(),
                "is not used by this instance's sign-up",
            ));
        }
        Ok(())
    };
    used(SignUpField::EmailAddress, input.email_address.is_some())?;
    used(SignUpField::Username, input.username.is_some())?;
    used(SignUpField::Password, input.password.is_some())?;
    used(SignUpField::FirstName, input.first_name.is_some())?;
    used(SignUpField::LastName, input.last_name.is_some())?;
    if let Some(metadata) = &input.unsafe_metadata {
        if !metadata.is_object() {
            return Err(Error::validation("unsafeMetadata", "must be a JSON object"));
        }
        if metadata.to_string().len() > MAX_METADATA_BYTES {
            return Err(Error::validation(
                "unsafeMetadata",
                format!("must be at most {MAX_METADATA_BYTES} bytes"),
            ));
        }
    }
    if let Some(password) = &input.password {
        super::password::check_max_length(password, &settings.password)?;
    }
    Ok(CheckedInput {
        email_address: input
            .email_address
            .as_deref()
            .map(identifiers::email_address)
            .transpose()?,
        username: input
            .username
            .as_deref()
            .map(identifiers::username)
            .transpose()?,
        first_name: input
            .first_name
            .as_deref()
            .map(|n| identifiers::name("firstName", n))
            .transpose()?,
        last_name: input
            .last_name
            .as_deref()
            .map(|n| identifiers::name("lastName", n))
            .transpose()?,
        password: input.password,
        unsafe_metadata: input.unsafe_metadata,
    })
}

/// A sign-up in progress (or finished) on one client.
#[derive(Clone, Debug, PartialEq)]
pub struct SignUp {
    pub id: String,
    pub client_id: String,
    pub completed: bool,
    pub email_address: Option<EmailAddress>,
    pub username: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub password_hash: Option<String>,
    pub unsafe_metadata: serde_json::Value,
    pub email_verification: Verification,
    pub created_user_id: Option<String>,
    pub created_session_id: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The stored version this state was read at; the store refuses a write over a newer one.
    pub version: i64,
}

impl SignUp {
    /// An empty sign-up.
    pub fn new(id: String, client_id: String, now: DateTime<Utc>) -> Self {
        Self {
            email_verification: Verification::new(id.clone()),
            id,
            client_id,
            completed: false,
            email_address: None,
            username: None,
            first_name: None,
            last_name: None,
            password_hash: None,
            unsafe_metadata: serde_json::json!({}),
            created_user_id: None,
            created_session_id: None,
            created_at: now,
            updated_at: now,
            version: 0,
        }
    }

    /// When an unfinished sign-up is abandoned.
    pub fn abandon_at(&self) -> DateTime<Utc> {
        self.updated_at + Duration::hours(ABANDON_AFTER_HOURS)
    }

    /// The status at `now`.
    pub fn status_at(&self, now: DateTime<Utc>) -> SignUpStatus {
        if self.completed {
            SignUpStatus::Complete
        } else if now >= self.abandon_at() {
            SignUpStatus::Abandoned
        } else {
            SignUpStatus::MissingRequirements
        }
    }

    /// Refuses changes to a sign-up that is complete or abandoned.
    pub fn ensure_open(&self, now: DateTime<Utc>) -> Result<()> {
        match self.status_at(now) {
            SignUpStatus::MissingRequirements => Ok(()),
            SignUpStatus::Complete => Err(Error::validation(
                "signUp",
                "this sign-up is already complete",
            )),
            SignUpStatus::Abandoned => Err(Error::validation(
                "signUp",
                "this sign-up was abandoned; start a new one",
            )),
        }
    }

    /// The identifiers the password must not equal, once `input` is applied.
    pub fn own_identifiers_after<'a>(
        &'a self,
        input: &'a CheckedInput,
    ) -> (Option<&'a str>, Option<&'a str>) {
        let email = input
            .email_address
            .as_ref()
            .or(self.email_address.as_ref())
            .map(|e| e.address.as_str());
        let username = input.username.as_deref().or(self.username.as_deref());
        (email, username)
    }

    /// Applies checked input (the password as its hash). A new email address resets its
    /// verification (but not when the last code was sent).
    pub fn apply(
        &mut self,
        input: CheckedInput,
        password_hash: Option<String>,
        now: DateTime<Utc>,
    ) {
        if let Some(email) = input.email_address {
            if self.email_address.as_ref().map(|e| &e.normalized) != Some(&email.normalized) {
                // The resend interval outlives the address: switching addresses back and forth
                // must not send a code each time.
                let sent_at = self.email_verification.sent_at;
                self.email_verification = Verification::new(self.id.clone());
                self.email_verification.sent_at = sent_at;
            }
            self.email_address = Some(email);
        }
        if input.username.is_some() {
            self.username = input.username;
        }
        if input.first_name.is_some() {
            self.first_name = input.first_name;
        }
        if input.last_name.is_some() {
            self.last_name = input.last_name;
        }
        if password_hash.is_some() {
            self.password_hash = password_hash;
        }
        if let Some(metadata) = input.unsafe_metadata {
            self.unsafe_metadata = metadata;
        }
        self.updated_at = now;
    }

    fn has(&self, field: SignUpField) -> bool {
        match field {
            SignUpField::EmailAddress => self.email_address.is_some(),
            SignUpField::Username => self.username.is_some(),
            SignUpField::Password => self.password_hash.is_some(),
            SignUpField::FirstName => self.first_name.as_deref().is_some_and(|n| !n.is_empty()),
            SignUpField::LastName => self.last_name.as_deref().is_some_and(|n| !n.is_empty()),
        }
    }

    /// Fields the instance requires.
    pub fn required_fields(settings: &SignUpSettings) -> Vec<SignUpField> {
        SignUpField::ALL
            .into_iter()
            .filter(|f| f.requirement(settings) == FieldRequirement::Required)
            .collect()
    }

    /// Fields the instance asks for but does not require.
    pub fn optional_fields(settings: &SignUpSettings) -> Vec<SignUpField> {
        SignUpField::ALL
            .into_iter()
            .filter(|f| f.requirement(settings) == FieldRequirement::Optional)
            .collect()
    }

    /// Required fields not given yet.
    pub fn missing_fields(&self, settings: &SignUpSettings) -> Vec<SignUpField> {
        Self::required_fields(settings)
            .into_iter()
            .filter(|f| !self.has(*f))
            .collect()
    }

    /// Given fields that still need verifying (the email address until its code is checked).
    pub fn unverified_fields(&self) -> Vec<SignUpField> {
        let unverified = self.email_address.is_some()
            && self.email_verification.status != VerificationStatus::Verified;
        if unverified {
            vec![SignUpField::EmailAddress]
        } else {
            Vec::new()
        }
    }

    /// Whether nothing is missing or unverified, so the sign-up can complete now.
    pub fn ready(&self, settings: &SignUpSettings, now: DateTime<Utc>) -> bool {
        self.status_at(now) == SignUpStatus::MissingRequirements
            && self.missing_fields(settings).is_empty()
            && self.unverified_fields().is_empty()
    }

    /// Marks the sign-up complete with the user and session it created.
    pub fn complete(&mut self, user_id: String, session_id: String, now: DateTime<Utc>) {
        self.completed = true;
        self.created_user_id = Some(user_id);
        self.created_session_id = Some(session_id);
        self.password_hash = None;
        self.updated_at = now;
    }
}

#[cfg(test)]
mod tests;
