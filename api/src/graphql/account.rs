//! The signed-in user's own account (session-token scope): profile, email addresses, password,
//! and deleting the account.

use async_graphql::{Context, ID, InputObject, Json, MaybeUndefined, Object};
use latchkey_domain::account::MeUpdate;
use serde_json::Value;

use super::objects::{DeletedObject, EmailAddress, User, tri};
use super::{GqlResult, ResultExt, scope};

/// The signed-in user's changes to their own account.
#[derive(Default)]
pub struct AccountMutation;

/// Changes to one's own profile: fields left out stay; `null` clears a name or the username.
#[derive(InputObject, Default)]
pub struct UpdateMeInput {
    /// A new username, or `null` to remove it (only while an email address remains).
    pub username: MaybeUndefined<String>,
    /// A new first name, or `null`.
    pub first_name: MaybeUndefined<String>,
    /// A new last name, or `null`.
    pub last_name: MaybeUndefined<String>,
    /// Replaces the unsafe metadata (a JSON object of at most 8 KiB).
    pub unsafe_metadata: Option<Json<Value>>,
    /// A new profile image URL (https, at most 2,048 characters), or `null` for none.
    pub image_url: MaybeUndefined<String>,
}

#[Object]
impl AccountMutation {
    /// Changes the signed-in user's own profile (session token).
    async fn update_me(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The changes.")] input: UpdateMeInput,
    ) -> GqlResult<User> {
        let (platform, caller) = scope(ctx)?;
        let update = MeUpdate {
            username: tri(input.username),
            first_name: tri(input.first_name),
            last_name: tri(input.last_name),
            image_url: tri(input.image_url),
            unsafe_metadata: input.unsafe_metadata.map(|j| j.0),
        };
        Ok(User(platform.update_me(caller, update).await.gql()?))
    }

    /// Adds an unverified email address to the signed-in user (session token); verify it with
    /// `prepareEmailAddressVerification` and `attemptEmailAddressVerification`.
    /// `REVERIFICATION_REQUIRED` unless the session's factors were verified recently.
    async fn create_email_address(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The address.")] email_address: String,
    ) -> GqlResult<EmailAddress> {
        let (platform, caller) = scope(ctx)?;
        let address = platform
            .create_email_address(caller, &email_address)
            .await
            .gql()?;
        Ok(EmailAddress::from(&address))
    }

    /// Mails a verification code to one of the user's unverified addresses (session token).
    /// Codes mailed to one address are limited whoever asks (`RATE_LIMITED` with
    /// `retryAfter`).
    async fn prepare_email_address_verification(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The address's id (`idn_…`).")] email_address_id: ID,
    ) -> GqlResult<EmailAddress> {
        let (platform, caller) = scope(ctx)?;
        let address = platform
            .prepare_email_address_verification(caller, &email_address_id)
            .await
            .gql()?;
        Ok(EmailAddress::from(&address))
    }

    /// Checks the code mailed to the address; the right one verifies it (session token). Wrong
    /// codes count against the address, as a sign-up's do: past the bound, `TOO_MANY_ATTEMPTS`
    /// with `retryAfter`.
    async fn attempt_email_address_verification(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The address's id.")] email_address_id: ID,
        #[graphql(desc = "The code from the email.")] code: String,
    ) -> GqlResult<EmailAddress> {
        let (platform, caller) = scope(ctx)?;
        let address = platform
            .attempt_email_address_verification(caller, &email_address_id, &code)
            .await
            .gql()?;
        Ok(EmailAddress::from(&address))
    }

    /// Makes one of the user's verified addresses primary (session token).
    /// `REVERIFICATION_REQUIRED` unless the session's factors were verified recently.
    async fn set_primary_email_address(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The address's id.")] email_address_id: ID,
    ) -> GqlResult<User> {
        let (platform, caller) = scope(ctx)?;
        Ok(User(
            platform
                .set_primary_email_address(caller, &email_address_id)
                .await
                .gql()?,
        ))
    }

    /// Removes one of the user's addresses, never the primary one (session token).
    /// `REVERIFICATION_REQUIRED` unless the session's factors were verified recently.
    async fn delete_email_address(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The address's id.")] email_address_id: ID,
    ) -> GqlResult<DeletedObject> {
        let (platform, caller) = scope(ctx)?;
        platform
            .delete_email_address(caller, &email_address_id)
            .await
            .gql()?;
        Ok(DeletedObject {
            id: email_address_id,
            deleted: true,
        })
    }

    /// Changes the user's password (session token): the current one is required when there is
    /// one, and a wrong one counts against the lockout. A user with no password yet sets one
    /// only after a recent verification (`REVERIFICATION_REQUIRED` otherwise).
    async fn update_password(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The password now (required when the user has one).")]
        current_password: Option<String>,
        #[graphql(desc = "The new password, checked against the instance's policy.")]
        new_password: String,
        #[graphql(desc = "End every other session of the user (default false).")]
        sign_out_of_other_sessions: Option<bool>,
    ) -> GqlResult<User> {
        let (platform, caller) = scope(ctx)?;
        Ok(User(
            platform
                .update_password(
                    caller,
                    current_password,
                    new_password,
                    sign_out_of_other_sessions.unwrap_or(false),
                )
                .await
                .gql()?,
        ))
    }

    /// Deletes the signed-in user's own account, when the instance allows it (session token):
    /// its sessions are revoked and `user.deleted` follows. `REVERIFICATION_REQUIRED` unless
    /// the session's factors were verified recently.
    async fn delete_me(&self, ctx: &Context<'_>) -> GqlResult<DeletedObject> {
        let (platform, caller) = scope(ctx)?;
        let id = platform.delete_me(caller).await.gql()?;
        Ok(DeletedObject {
            id: ID(id),
            deleted: true,
        })
    }
}
