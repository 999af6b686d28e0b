//! The backend's users (secret-key scope): list, count, create, update, metadata, delete, and
//! the checks a customer's server makes (`verifyPassword`, `verifyUserTotp`). Each works in the
//! secret key's own instance only; every change is a `user.*` event in its transaction.

use sea_orm::TransactionTrait;
use serde_json::Value;

use crate::flows::second_factors::{hashes, seal_context};
use crate::ids::{IdKind, new_id};
use crate::model::caller::Caller;
use crate::model::event::{EventType, NewEvent};
use crate::model::identifiers;
use crate::model::instance::Instance;
use crate::model::metadata;
use crate::model::password::{self, OwnIdentifiers};
use crate::model::password_digest::{self, PasswordHasher};
use crate::model::second_factor;
use crate::model::session::SessionStatus;
use crate::model::sign_in::SecondFactor;
use crate::model::user::{User, UserEmailAddress};
use crate::model::user_query::{Page, UserFilter, UserOrder};
use crate::platform::Platform;
use crate::store;
use crate::store::user_changes::{StoredMetadata, UserChanges};
use crate::{Error, Result};

/// The longest external id.
const MAX_EXTERNAL_ID_CHARS: usize = 256;
/// The most email addresses, or backup codes, one `createUser` takes.
const MAX_LIST: usize = 20;

/// A password, new or imported as a hash from another system.
#[derive(Clone, Default)]
pub struct PasswordInput {
    pub password: Option<String>,
    /// Skip the instance's policy (length and common passwords) for `password`.
    pub skip_checks: bool,
    pub digest: Option<String>,
    pub hasher: Option<PasswordHasher>,
}

/// `createUser`'s input.
#[derive(Clone, Default)]
pub struct NewUserInput {
    pub email_addresses: Vec<String>,
    pub username: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub external_id: Option<String>,
    pub password: PasswordInput,
    pub public_metadata: Option<Value>,
    pub private_metadata: Option<Value>,
    pub unsafe_metadata: Option<Value>,
    /// A base32 TOTP secret from another system: TOTP is on at once.
    pub totp_secret: Option<String>,
    /// Backup codes from another system (with `totp_secret`).
    pub backup_codes: Vec<String>,
}

/// `updateUser`'s input: `None` leaves a field alone, `Some(None)` clears it.
#[derive(Clone, Default)]
pub struct UserUpdate {
    pub username: Option<Option<String>>,
    pub first_name: Option<Option<String>>,
    pub last_name: Option<Option<String>>,
    /// A profile image URL (https), or `Some(None)` for none.
    pub image_url: Option<Option<String>>,
    pub external_id: Option<Option<String>>,
    pub primary_email_address_id: Option<String>,
    pub password: PasswordInput,
    pub public_metadata: Option<Value>,
    pub private_metadata: Option<Value>,
    pub unsafe_metadata: Option<Value>,
}

/// The three metadata objects a change names (those left `None` stay as they are).
#[derive(Clone, Debug, Default)]
pub struct MetadataChange {
    pub public: Option<Value>,
    pub private: Option<Value>,
    pub unsafe_: Option<Value>,
}

/// How a [`MetadataChange`] applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MetadataMode {
    /// Deep merge: `null` deletes a key.
    Merge,
    /// Each object given replaces the stored one.
    Replace,
}

/// Which second factor a `verifyUserTotp` code was.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CodeType {
    Totp,
    BackupCode,
}

macro_rules! redacted_debug {
    ($ty:ident, $($field:ident),*) => {
        impl std::fmt::Debug for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct(stringify!($ty))$(.field(stringify!($field), &self.$field))*
                    .finish_non_exhaustive()
            }
        }
    };
}
redacted_debug!(PasswordInput, skip_checks, hasher);
redacted_debug!(
    NewUserInput,
    email_addresses,
    username,
    first_name,
    last_name,
    external_id
);
redacted_debug!(
    UserUpdate,
    username,
    first_name,
    last_name,
    image_url,
    external_id,
    primary_email_address_id
);

fn optional_name(field: &str, value: Option<String>) -> Result<Option<String>> {
    value
        .map(|v| identifiers::name(field, &v))
        .transpose()
        .map(|v| v.filter(|v| !v.is_empty()))
}

/// A profile image URL: `https://`, with a host and no credentials, at most 2048 characters.
fn image_url(value: &str) -> Result<String> {
    let invalid = |why: &str| Error::validation("imageUrl", why.to_owned());
    if value.len() > 2048 {
        return Err(invalid("is longer than 2048 characters"));
    }
    let url = url::Url::parse(value).map_err(|_| invalid("is not a URL"))?;
    if url.scheme() != "https" {
        return Err(invalid("must be an https:// URL"));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(invalid("has no host"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid("must not carry credentials"));
    }
    Ok(url.into())
}

fn external_id(value: Option<String>) -> Result<Option<String>> {
    let Some(value) = value.map(|v| v.trim().to_owned()) else {
        return Ok(None);
    };
    if value.is_empty() || value.chars().count() > MAX_EXTERNAL_ID_CHARS {
        return Err(Error::validation(
            "externalId",
            format!("must be 1 to {MAX_EXTERNAL_ID_CHARS} characters"),
        ));
    }
    if value.chars().any(char::is_control) {
        return Err(Error::validation(
            "externalId",
            "must not hold control characters",
        ));
    }
    Ok(Some(value))
}

impl Platform {
    /// A page of the instance's users.
    pub async fn list_users(
        &self,
        caller: &Caller,
        filter: UserFilter,
        order: UserOrder,
        limit: Option<i64>,
        offset: Option<i64>,
    ) -> Result<Vec<User>> {
        let instance = caller.require_backend()?;
        let page = Page::new(limit, offset)?;
        let filter = filter.checked()?;
        store::user_search::list(&self.db, &instance.id, &filter, order, page).await
    }

    /// How many of the instance's users pass `filter`.
    pub async fn count_users(&self, caller: &Caller, filter: UserFilter) -> Result<u64> {
        let instance = caller.require_backend()?;
        let filter = filter.checked()?;
        store::user_search::count(&self.db, &instance.id, &filter).await
    }

    /// The hash to store for a password input (`None`: no password given). A new password meets
    /// the policy unless told to skip it; an imported hash must be of the kind it claims.
    async fn password_hash(
        &self,
        instance: &Instance,
        input: PasswordInput,
        own: OwnIdentifiers<'_>,
    ) -> Result<Option<String>> {
        match (input.password, input.digest, input.hasher) {
            (Some(_), Some(_), _) => Err(Error::validation(
                "passwordDigest",
                "give a password or a password digest, not both",
            )),
            (Some(password), None, _) => {
                let policy = &instance.settings.password;
                if input.skip_checks {
                    password::check_max_length(&password, policy)?;
                    if password.is_empty() {
                        return Err(Error::validation("password", "must not be empty"));
                    }
                } else {
                    password::check(&password, policy, own)?;
                }
                Ok(Some(self.services.hasher.hash(password).await?))
            }
            (None, Some(digest), Some(hasher)) => {
                password_digest::check(hasher, &digest)?;
                Ok(Some(digest))
            }
            (None, Some(_), None) => Err(Error::validation(
                "passwordHasher",
                "is required with a password digest",
            )),
            (None, None, _) => Ok(None),
        }
    }

    /// `createUser`: a user with verified email addresses (the first is primary), and any
    /// password, metadata and second factor brought along.
    pub async fn create_user(&self, caller: &Caller, input: NewUserInput) -> Result<User> {
        let instance = caller.require_backend()?;
        let now = self.now();
        if input.email_addresses.len() > MAX_LIST {
            return Err(Error::validation(
                "emailAddresses",
                format!("takes at most {MAX_LIST} addresses"),
            ));
        }
        let mut emails = Vec::new();
        for address in &input.email_addresses {
            let email = identifiers::email_address(address)?;
            if emails
                .iter()
                .any(|e: &identifiers::EmailAddress| e.normalized == email.normalized)
            {
                return Err(Error::validation(
                    "emailAddresses",
                    "holds an address twice",
                ));
            }
            emails.push(email);
        }
        let username = input
            .username
            .as_deref()
            .map(identifiers::username)
            .transpose()?;
        if emails.is_empty() && username.is_none() {
            return Err(Error::validation(
                "emailAddresses",
                "a user needs an email address or a username",
            ));
        }
        let public_metadata = input
            .public_metadata
            .unwrap_or_else(|| serde_json::json!({}));
        let private_metadata = input
            .private_metadata
            .unwrap_or_else(|| serde_json::json!({}));
        let unsafe_metadata = input
            .unsafe_metadata
            .unwrap_or_else(|| serde_json::json!({}));
        metadata::check("publicMetadata", &public_metadata)?;
        metadata::check("privateMetadata", &private_metadata)?;
        metadata::check("unsafeMetadata", &unsafe_metadata)?;
        let totp = input
            .totp_secret
            .as_deref()
            .map(second_factor::decoded)
            .transpose()?;
        if !input.backup_codes.is_empty() && totp.is_none() {
            return Err(Error::validation("backupCodes", "need a totpSecret"));
        }
        if input.backup_codes.len() > MAX_LIST
            || input
                .backup_codes
                .iter()
                .any(|c| c.chars().all(|ch| ch.is_whitespace() || ch == '-') || c.len() > 64)
        {
            return Err(Error::validation(
                "backupCodes",
                format!("take at most {MAX_LIST} codes of 1 to 64 characters"),
            ));
        }
        let own = OwnIdentifiers {
            email_address: emails.first().map(|e| e.normalized.as_str()),
            username: username.as_deref(),
        };
        let password_hash = self.password_hash(instance, input.password, own).await?;
        let email_addresses: Vec<UserEmailAddress> = emails
            .iter()
            .map(|e| UserEmailAddress {
                id: new_id(IdKind::EmailAddress),
                email_address: e.address.clone(),
                verified: true,
            })
            .collect();
        let user = User {
            id: new_id(IdKind::User),
            instance_id: instance.id.clone(),
            external_id: external_id(input.external_id)?,
            username,
            first_name: optional_name("firstName", input.first_name)?,
            last_name: optional_name("lastName", input.last_name)?,
            image_url: None,
            primary_email_address_id: email_addresses.first().map(|e| e.id.clone()),
            email_addresses,
            password_enabled: password_hash.is_some(),
            totp_enabled: false,
            backup_code_enabled: false,
            public_metadata,
            private_metadata,
            unsafe_metadata,
            banned: false,
            locked_until: None,
            last_sign_in_at: None,
            last_active_at: None,
            created_at: now,
            updated_at: now,
        };
        let txn = self.db.begin().await?;
        store::users::insert(
            &txn,
            store::users::NewUser {
                user: &user,
                password_hash: password_hash.as_deref(),
            },
        )
        .await?;
        if let Some(secret) = totp {
            let sealed = self
                .services
                .master_key
                .seal(&seal_context(&user.id), &secret)?;
            let codes: Vec<String> = input
                .backup_codes
                .iter()
                .map(|c| c.trim().to_owned())
                .collect();
            store::second_factors::set_pending(&txn, &instance.id, &user.id, &sealed, now).await?;
            let codes = hashes(&self.services, &user.id, &codes);
            store::second_factors::enable(&txn, &instance.id, &user.id, &sealed, 0, &codes, now)
                .await?;
        }
        let created = store::users::find(&txn, &instance.id, &user.id)
            .await?
            .ok_or_else(|| Error::internal("a user just written is missing"))?;
        let event = NewEvent::user(EventType::UserCreated, &created, now);
        store::user_counts::add(&txn, &instance.id, 1).await?;
        store::events::append(&txn, &instance.id, &[event], now).await?;
        txn.commit().await?;
        self.services.events.committed(&instance.id);
        tracing::info!(user_id = %created.id, "user created by the backend");
        Ok(created)
    }

    /// `updateUser`: the fields given change; the rest stay.
    pub async fn update_user(
        &self,
        caller: &Caller,
        user_id: &str,
        input: UserUpdate,
    ) -> Result<User> {
        let instance = caller.require_backend()?;
        self.apply_user_update(instance, user_id, input).await
    }

    /// Writes an update of a user of `instance` (the backend's, or the user's own `updateMe`),
    /// with its `user.updated` event; gives the user as it is then.
    pub(crate) async fn apply_user_update(
        &self,
        instance: &Instance,
        user_id: &str,
        input: UserUpdate,
    ) -> Result<User> {
        let now = self.now();
        // Read once to hash a new password (slow) before the transaction, and again under the
        // row's lock for the rules that depend on the user's addresses.
        let current = store::users::find(&self.db, &instance.id, user_id)
            .await?
            .ok_or(Error::NotFound("user"))?;
        let username = match input.username {
            Some(Some(name)) => Some(Some(identifiers::username(&name)?)),
            other => other,
        };
        let next_username = username.clone().unwrap_or(current.username.clone());
        let own = OwnIdentifiers {
            email_address: current
                .primary_email_address()
                .map(|e| e.email_address.as_str()),
            username: next_username.as_deref(),
        };
        let changes = UserChanges {
            username,
            first_name: input
                .first_name
                .map(|v| optional_name("firstName", v))
                .transpose()?,
            last_name: input
                .last_name
                .map(|v| optional_name("lastName", v))
                .transpose()?,
            image_url: input
                .image_url
                .map(|v| v.map(|url| image_url(&url)).transpose())
                .transpose()?,
            external_id: input.external_id.map(external_id).transpose()?,
            primary_email_address_id: input.primary_email_address_id,
            password_hash: self.password_hash(instance, input.password, own).await?,
        };
        let replacement = MetadataChange {
            public: input.public_metadata,
            private: input.private_metadata,
            unsafe_: input.unsafe_metadata,
        };
        let txn = self.db.begin().await?;
        if !store::user_changes::lock(&txn, &instance.id, user_id, now).await? {
            return Err(Error::NotFound("user"));
        }
        let locked = store::users::find(&txn, &instance.id, user_id)
            .await?
            .ok_or(Error::NotFound("user"))?;
        check_identifiers(&locked, &changes)?;
        if !store::user_changes::update(&txn, &instance.id, user_id, &changes, now).await? {
            return Err(Error::NotFound("user"));
        }
        if replacement.public.is_some()
            || replacement.private.is_some()
            || replacement.unsafe_.is_some()
        {
            let stored = store::user_changes::metadata(&txn, &instance.id, user_id)
                .await?
                .ok_or(Error::NotFound("user"))?;
            let new = changed_metadata(&stored, &replacement, MetadataMode::Replace)?;
            store::user_changes::set_metadata(&txn, &instance.id, user_id, &new, now).await?;
        }
        store::events::append_user_updated(&txn, &instance.id, user_id, now).await?;
        txn.commit().await?;
        self.services.events.committed(&instance.id);
        store::users::find(&self.db, &instance.id, user_id)
            .await?
            .ok_or(Error::NotFound("user"))
    }

    /// `updateUserMetadata` (merge) and `replaceUserMetadata` (replace). The transaction
    /// writes the user's row first, which locks it (a row lock on PostgreSQL, the write lock on
    /// SQLite): concurrent changes of one user's metadata queue, and none is lost.
    pub async fn change_user_metadata(
        &self,
        caller: &Caller,
        user_id: &str,
        change: MetadataChange,
        mode: MetadataMode,
    ) -> Result<User> {
        let instance = caller.require_backend()?;
        let now = self.now();
        let txn = self.db.begin().await?;
        if !store::user_changes::lock(&txn, &instance.id, user_id, now).await? {
            return Err(Error::NotFound("user"));
        }
        let stored = store::user_changes::metadata(&txn, &instance.id, user_id)
            .await?
            .ok_or(Error::NotFound("user"))?;
        let new = changed_metadata(&stored, &change, mode)?;
        store::user_changes::set_metadata(&txn, &instance.id, user_id, &new, now).await?;
        store::events::append_user_updated(&txn, &instance.id, user_id, now).await?;
        txn.commit().await?;
        self.services.events.committed(&instance.id);
        self.backend_user(caller, user_id).await
    }

    /// `deleteUser`: its active sessions are revoked (with their events) and its API keys too,
    /// then the user is deleted with its email addresses and sessions; `user.deleted` carries
    /// only its id. The user's row is locked first, so no session starts in between.
    pub async fn delete_user(&self, caller: &Caller, user_id: &str) -> Result<()> {
        let instance = caller.require_backend()?;
        self.remove_user(instance, user_id).await
    }

    /// Deletes a user of `instance` (the backend's `deleteUser`, or the user's own `deleteMe`).
    pub(crate) async fn remove_user(&self, instance: &Instance, user_id: &str) -> Result<()> {
        let now = self.now();
        let txn = self.db.begin().await?;
        if !store::user_changes::lock(&txn, &instance.id, user_id, now).await? {
            return Err(Error::NotFound("user"));
        }
        let revoked = store::sessions::close_all_for_user(
            &txn,
            &instance.id,
            user_id,
            SessionStatus::Revoked,
            None,
            now,
        )
        .await?;
        let mut events = store::events::about_sessions(&revoked);
        // Its memberships go with it (a cascade): each is an event, written before the user's.
        let memberships =
            store::memberships::for_users(&txn, &instance.id, &[user_id.to_owned()]).await?;
        events.extend(
            memberships
                .iter()
                .map(|m| NewEvent::membership(EventType::MembershipDeleted, m)),
        );
        events.push(NewEvent::user_deleted(user_id));
        store::api_keys::revoke_for_subject(&txn, &instance.id, user_id, now).await?;
        if !store::user_changes::delete(&txn, &instance.id, user_id).await? {
            return Err(Error::NotFound("user"));
        }
        store::user_counts::add(&txn, &instance.id, -1).await?;
        store::events::append(&txn, &instance.id, &events, now).await?;
        txn.commit().await?;
        self.services.events.committed(&instance.id);
        self.services.sessions_changed(&instance.id, user_id);
        tracing::info!(user_id = %user_id, "user deleted");
        Ok(())
    }

    /// `verifyPassword`: whether `password` is the user's (false for a user without one). Not
    /// counted against the lockout: the backend asks, not a guesser.
    pub async fn verify_user_password(
        &self,
        caller: &Caller,
        user_id: &str,
        password: String,
    ) -> Result<bool> {
        let instance = caller.require_backend()?;
        password::check_max_length(&password, &instance.settings.password)?;
        let found = store::users::sign_in_user(&self.db, &instance.id, user_id)
            .await?
            .ok_or(Error::NotFound("user"))?;
        match found.password_hash {
            Some(stored) => self.services.hasher.verify(password, stored).await,
            None => Ok(false),
        }
    }

    /// `verifyUserTotp`: whether `code` is a current TOTP code or an unused backup code of the
    /// user; a code that passes is used up, as at sign-in.
    pub async fn verify_user_totp(
        &self,
        caller: &Caller,
        user_id: &str,
        code: &str,
    ) -> Result<Option<CodeType>> {
        let instance = caller.require_backend()?;
        self.backend_user(caller, user_id).await?;
        let code = code.trim();
        let (factor, kind) =
            if code.len() == second_factor::DIGITS && code.bytes().all(|b| b.is_ascii_digit()) {
                (SecondFactor::Totp, CodeType::Totp)
            } else {
                (SecondFactor::BackupCode, CodeType::BackupCode)
            };
        let passed = crate::flows::second_factors::check(
            &self.services,
            &instance.id,
            user_id,
            factor,
            code,
            self.now(),
        )
        .await?;
        Ok(passed.then_some(kind))
    }

    /// `disableUserMfa`: TOTP off and backup codes gone, for a user who lost their device.
    pub async fn disable_user_mfa(&self, caller: &Caller, user_id: &str) -> Result<User> {
        let instance = caller.require_backend()?;
        let now = self.now();
        let txn = self.db.begin().await?;
        if !store::second_factors::disable(&txn, &instance.id, user_id, now).await? {
            return Err(Error::NotFound("user"));
        }
        store::events::append_user_updated(&txn, &instance.id, user_id, now).await?;
        txn.commit().await?;
        self.services.events.committed(&instance.id);
        self.backend_user(caller, user_id).await
    }
}

/// The rules an update must keep: a user without a verified address keeps its username (else
/// nothing would sign it in), and only a verified address of the user becomes primary.
fn check_identifiers(user: &User, changes: &UserChanges) -> Result<()> {
    let verified = user.email_addresses.iter().any(|e| e.verified);
    if matches!(changes.username, Some(None)) && !verified {
        return Err(Error::validation(
            "username",
            "a user without a verified email address keeps its username",
        ));
    }
    if let Some(id) = &changes.primary_email_address_id
        && !user
            .email_addresses
            .iter()
            .any(|e| &e.id == id && e.verified)
    {
        return Err(Error::validation(
            "primaryEmailAddressId",
            "is not a verified email address of this user",
        ));
    }
    Ok(())
}

/// The stored metadata with `change` applied, each object checked (an object, at most 8 KB).
fn changed_metadata(
    stored: &StoredMetadata,
    change: &MetadataChange,
    mode: MetadataMode,
) -> Result<StoredMetadata> {
    let apply = |field: &str, current: &str, given: &Option<Value>| -> Result<String> {
        let Some(given) = given else {
            return Ok(current.to_owned());
        };
        let value = match mode {
            MetadataMode::Merge => {
                let current: Value = serde_json::from_str(current).map_err(Error::internal)?;
                metadata::merged(field, &current, given)?
            }
            MetadataMode::Replace => {
                metadata::check(field, given)?;
                given.clone()
            }
        };
        Ok(value.to_string())
    };
    Ok(StoredMetadata {
        public: apply("publicMetadata", &stored.public, &change.public)?,
        private: apply("privateMetadata", &stored.private, &change.private)?,
        unsafe_: apply("unsafeMetadata", &stored.unsafe_, &change.unsafe_)?,
    })
}
