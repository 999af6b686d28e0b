//! The backend's changes to users (secret-key scope): create, update, metadata, delete,
//! moderation (lock, ban), and the checks a customer's server makes.

use async_graphql::{Context, Enum, ID, InputObject, Json, MaybeUndefined, Object, SimpleObject};
use latchkey_domain::model::password_digest::PasswordHasher as DomainHasher;
use latchkey_domain::users::{
    CodeType, MetadataChange, MetadataMode, NewUserInput, PasswordInput, UserUpdate,
};
use serde_json::Value;

use super::objects::{DeletedObject, User, tri};
use super::{GqlResult, ResultExt, scope};

/// Backend changes to users.
#[derive(Default)]
pub struct UserMutation;

/// The algorithm of a password hash imported from another system.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum PasswordHasher {
    /// A PHC string `$argon2id$…`.
    #[graphql(name = "ARGON2ID")]
    Argon2id,
    /// A PHC string `$argon2i$…`.
    #[graphql(name = "ARGON2I")]
    Argon2i,
    /// `$2a$`, `$2b$` or `$2y$`.
    Bcrypt,
}

impl From<PasswordHasher> for DomainHasher {
    fn from(h: PasswordHasher) -> Self {
        match h {
            PasswordHasher::Argon2id => Self::Argon2id,
            PasswordHasher::Argon2i => Self::Argon2i,
            PasswordHasher::Bcrypt => Self::Bcrypt,
        }
    }
}

/// A new user. Email addresses are verified (the backend vouches for them); the first is
/// primary. A password, or a hash of one from another system, is optional.
#[derive(InputObject, Default)]
pub struct CreateUserInput {
    /// The user's email addresses (up to 20).
    pub email_addresses: Option<Vec<String>>,
    /// A username (4–64 characters of `[a-z0-9_-]`).
    pub username: Option<String>,
    /// The first name.
    pub first_name: Option<String>,
    /// The last name.
    pub last_name: Option<String>,
    /// The customer's own id for the user (unique per instance).
    pub external_id: Option<String>,
    /// A password, checked against the instance's policy unless `skipPasswordChecks`.
    pub password: Option<String>,
    /// Skip the policy's length and common-password checks for `password`.
    #[graphql(default)]
    pub skip_password_checks: bool,
    /// A password hash from another system, kept as given (with `passwordHasher`).
    pub password_digest: Option<String>,
    /// The algorithm of `passwordDigest`.
    pub password_hasher: Option<PasswordHasher>,
    /// A JSON object the backend writes and the user reads (at most 8 KiB).
    pub public_metadata: Option<Json<Value>>,
    /// A JSON object only the backend reads (at most 8 KiB).
    pub private_metadata: Option<Json<Value>>,
    /// A JSON object the user may write (at most 8 KiB).
    pub unsafe_metadata: Option<Json<Value>>,
    /// A base32 TOTP secret from another system (at least 128 bits): TOTP is on at once.
    pub totp_secret: Option<String>,
    /// Backup codes from another system (with `totpSecret`).
    pub backup_codes: Option<Vec<String>>,
}

/// Changes to a user: fields left out stay as they are; `null` clears the name fields, the
/// username and the external id.
#[derive(InputObject, Default)]
pub struct UpdateUserInput {
    /// A new username, or `null` to remove it (only while the user has an email address).
    pub username: MaybeUndefined<String>,
    /// A new first name, or `null`.
    pub first_name: MaybeUndefined<String>,
    /// A new last name, or `null`.
    pub last_name: MaybeUndefined<String>,
    /// A new profile image URL (https, at most 2,048 characters), or `null` for none.
    pub image_url: MaybeUndefined<String>,
    /// A new external id, or `null`.
    pub external_id: MaybeUndefined<String>,
    /// One of the user's verified email addresses, to become primary.
    pub primary_email_address_id: Option<ID>,
    /// A new password, checked against the policy unless `skipPasswordChecks`.
    pub password: Option<String>,
    /// Skip the policy's length and common-password checks for `password`.
    #[graphql(default)]
    pub skip_password_checks: bool,
    /// A password hash from another system (with `passwordHasher`).
    pub password_digest: Option<String>,
    /// The algorithm of `passwordDigest`.
    pub password_hasher: Option<PasswordHasher>,
    /// Replaces the public metadata.
    pub public_metadata: Option<Json<Value>>,
    /// Replaces the private metadata.
    pub private_metadata: Option<Json<Value>>,
    /// Replaces the unsafe metadata.
    pub unsafe_metadata: Option<Json<Value>>,
}

/// The answer of `verifyPassword`.
#[derive(SimpleObject)]
pub struct PasswordVerification {
    /// Whether the password is the user's.
    pub verified: bool,
}

/// Which kind of code passed `verifyUserTotp`.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum SecondFactorCodeType {
    /// A TOTP code from the user's authenticator app.
    Totp,
    /// One of the user's backup codes (now used up).
    BackupCode,
}

/// The answer of `verifyUserTotp`.
#[derive(SimpleObject)]
pub struct TotpVerification {
    /// Whether the code passed (it is used up if so).
    pub verified: bool,
    /// Which kind of code it was, when it passed.
    pub code_type: Option<SecondFactorCodeType>,
}

fn metadata_change(
    public: Option<Json<Value>>,
    private: Option<Json<Value>>,
    unsafe_: Option<Json<Value>>,
) -> MetadataChange {
    MetadataChange {
        public: public.map(|j| j.0),
        private: private.map(|j| j.0),
        unsafe_: unsafe_.map(|j| j.0),
    }
}

#[Object]
impl UserMutation {
    /// Creates a user (secret key): `user.created` follows.
    async fn create_user(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The new user.")] input: CreateUserInput,
    ) -> GqlResult<User> {
        let (platform, caller) = scope(ctx)?;
        let input = NewUserInput {
            email_addresses: input.email_addresses.unwrap_or_default(),
            username: input.username,
            first_name: input.first_name,
            last_name: input.last_name,
            external_id: input.external_id,
            password: PasswordInput {
                password: input.password,
                skip_checks: input.skip_password_checks,
                digest: input.password_digest,
                hasher: input.password_hasher.map(Into::into),
            },
            public_metadata: input.public_metadata.map(|j| j.0),
            private_metadata: input.private_metadata.map(|j| j.0),
            unsafe_metadata: input.unsafe_metadata.map(|j| j.0),
            totp_secret: input.totp_secret,
            backup_codes: input.backup_codes.unwrap_or_default(),
        };
        Ok(User(platform.create_user(caller, input).await.gql()?))
    }

    /// Changes a user's fields (secret key): `user.updated` follows.
    async fn update_user(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The user's id.")] id: ID,
        #[graphql(desc = "The changes.")] input: UpdateUserInput,
    ) -> GqlResult<User> {
        let (platform, caller) = scope(ctx)?;
        let update = UserUpdate {
            username: tri(input.username),
            first_name: tri(input.first_name),
            last_name: tri(input.last_name),
            image_url: tri(input.image_url),
            external_id: tri(input.external_id),
            primary_email_address_id: input.primary_email_address_id.map(|id| id.0),
            password: PasswordInput {
                password: input.password,
                skip_checks: input.skip_password_checks,
                digest: input.password_digest,
                hasher: input.password_hasher.map(Into::into),
            },
            public_metadata: input.public_metadata.map(|j| j.0),
            private_metadata: input.private_metadata.map(|j| j.0),
            unsafe_metadata: input.unsafe_metadata.map(|j| j.0),
        };
        Ok(User(platform.update_user(caller, &id, update).await.gql()?))
    }

    /// Deep-merges into a user's metadata (secret key): objects merge key by key, `null`
    /// deletes a key, anything else replaces. Each result must stay within 8 KiB.
    async fn update_user_metadata(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The user's id.")] id: ID,
        #[graphql(desc = "Merged into the public metadata.")] public_metadata: Option<Json<Value>>,
        #[graphql(desc = "Merged into the private metadata.")] private_metadata: Option<
            Json<Value>,
        >,
        #[graphql(desc = "Merged into the unsafe metadata.")] unsafe_metadata: Option<Json<Value>>,
    ) -> GqlResult<User> {
        let (platform, caller) = scope(ctx)?;
        let change = metadata_change(public_metadata, private_metadata, unsafe_metadata);
        Ok(User(
            platform
                .change_user_metadata(caller, &id, change, MetadataMode::Merge)
                .await
                .gql()?,
        ))
    }

    /// Replaces a user's metadata objects, each one given (secret key).
    async fn replace_user_metadata(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The user's id.")] id: ID,
        #[graphql(desc = "The new public metadata.")] public_metadata: Option<Json<Value>>,
        #[graphql(desc = "The new private metadata.")] private_metadata: Option<Json<Value>>,
        #[graphql(desc = "The new unsafe metadata.")] unsafe_metadata: Option<Json<Value>>,
    ) -> GqlResult<User> {
        let (platform, caller) = scope(ctx)?;
        let change = metadata_change(public_metadata, private_metadata, unsafe_metadata);
        Ok(User(
            platform
                .change_user_metadata(caller, &id, change, MetadataMode::Replace)
                .await
                .gql()?,
        ))
    }

    /// Deletes a user (secret key): its sessions are revoked (`session.revoked` each), then it
    /// is gone with its email addresses, and `user.deleted` (with only its id) follows.
    async fn delete_user(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The user's id.")] id: ID,
    ) -> GqlResult<DeletedObject> {
        let (platform, caller) = scope(ctx)?;
        platform.delete_user(caller, &id).await.gql()?;
        Ok(DeletedObject { id, deleted: true })
    }

    /// Locks the user out of signing in until `unlockUser` (secret key).
    async fn lock_user(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The user's id.")] id: ID,
    ) -> GqlResult<User> {
        let (platform, caller) = scope(ctx)?;
        Ok(User(
            platform.set_user_locked(caller, &id, true).await.gql()?,
        ))
    }

    /// Lifts a lock (the backend's, or one from failed attempts) and starts the failure count
    /// over (secret key).
    async fn unlock_user(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The user's id.")] id: ID,
    ) -> GqlResult<User> {
        let (platform, caller) = scope(ctx)?;
        Ok(User(
            platform.set_user_locked(caller, &id, false).await.gql()?,
        ))
    }

    /// Bans the user: its active sessions are revoked and it cannot sign in (secret key).
    async fn ban_user(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The user's id.")] id: ID,
    ) -> GqlResult<User> {
        let (platform, caller) = scope(ctx)?;
        Ok(User(
            platform.set_user_banned(caller, &id, true).await.gql()?,
        ))
    }

    /// Lifts a ban (secret key).
    async fn unban_user(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The user's id.")] id: ID,
    ) -> GqlResult<User> {
        let (platform, caller) = scope(ctx)?;
        Ok(User(
            platform.set_user_banned(caller, &id, false).await.gql()?,
        ))
    }

    /// Whether a password is the user's (secret key); not counted against the lockout.
    async fn verify_password(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The user's id.")] user_id: ID,
        #[graphql(desc = "The password to check.")] password: String,
    ) -> GqlResult<PasswordVerification> {
        let (platform, caller) = scope(ctx)?;
        let verified = platform
            .verify_user_password(caller, &user_id, password)
            .await
            .gql()?;
        Ok(PasswordVerification { verified })
    }

    /// Whether a code is a current TOTP code or an unused backup code of the user (secret key);
    /// a code that passes is used up. (The signed-in user's own `verifyTotp` turns TOTP on.)
    async fn verify_user_totp(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The user's id.")] user_id: ID,
        #[graphql(desc = "A 6-digit TOTP code or a backup code.")] code: String,
    ) -> GqlResult<TotpVerification> {
        let (platform, caller) = scope(ctx)?;
        let kind = platform
            .verify_user_totp(caller, &user_id, &code)
            .await
            .gql()?;
        Ok(TotpVerification {
            verified: kind.is_some(),
            code_type: kind.map(|k| match k {
                CodeType::Totp => SecondFactorCodeType::Totp,
                CodeType::BackupCode => SecondFactorCodeType::BackupCode,
            }),
        })
    }

    /// Turns a user's second factors off: TOTP and backup codes (secret key).
    async fn disable_user_mfa(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The user's id.")] user_id: ID,
    ) -> GqlResult<User> {
        let (platform, caller) = scope(ctx)?;
        Ok(User(
            platform.disable_user_mfa(caller, &user_id).await.gql()?,
        ))
    }
}
