//! The signed-in user's second factors (session-token scope): `createTotp`, `verifyTotp`,
//! `disableTotp`, `createBackupCodes`.

use async_graphql::{Context, Object, SimpleObject};

use super::objects::User;
use super::{GqlResult, ResultExt, scope};

/// A TOTP secret to add to an authenticator app; TOTP is on once `verifyTotp` accepts a code.
#[derive(SimpleObject)]
pub struct Totp {
    /// The secret in base32, to type in.
    pub secret: String,
    /// The `otpauth://totp/…` URI, to scan as a QR code.
    pub uri: String,
}

/// Single-use backup codes, shown this once.
#[derive(SimpleObject)]
pub struct BackupCodes {
    /// Ten codes; each signs in once in place of a TOTP code.
    pub codes: Vec<String>,
}

/// Second-factor mutations.
#[derive(Default)]
pub struct SecondFactorMutation;

#[Object]
impl SecondFactorMutation {
    /// Starts TOTP enrolment for the signed-in user (session-token scope): a new secret for an
    /// authenticator app. `VALIDATION_FAILED` when TOTP is on already;
    /// `REVERIFICATION_REQUIRED` unless the session's factors were verified recently.
    async fn create_totp(&self, ctx: &Context<'_>) -> GqlResult<Totp> {
        let (platform, caller) = scope(ctx)?;
        let enrolment = platform.create_totp(caller).await.gql()?;
        Ok(Totp {
            secret: enrolment.secret,
            uri: enrolment.uri,
        })
    }

    /// Turns TOTP on with a code from the app (session-token scope) and gives the backup codes,
    /// once. `CODE_INCORRECT` for a wrong code. The code proves the new second factor: the
    /// calling session counts it as verified now.
    async fn verify_totp(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The 6-digit code the app shows now.")] code: String,
    ) -> GqlResult<BackupCodes> {
        let (platform, caller) = scope(ctx)?;
        let codes = platform.verify_totp(caller, &code).await.gql()?;
        Ok(BackupCodes { codes })
    }

    /// Turns TOTP off and drops the backup codes (session-token scope).
    /// `REVERIFICATION_REQUIRED` unless both factors were verified recently.
    async fn disable_totp(&self, ctx: &Context<'_>) -> GqlResult<User> {
        let (platform, caller) = scope(ctx)?;
        Ok(User(platform.disable_totp(caller).await.gql()?))
    }

    /// Ten new backup codes replace the old ones (session-token scope; TOTP must be on).
    /// `REVERIFICATION_REQUIRED` unless both factors were verified recently.
    async fn create_backup_codes(&self, ctx: &Context<'_>) -> GqlResult<BackupCodes> {
        let (platform, caller) = scope(ctx)?;
        let codes = platform.create_backup_codes(caller).await.gql()?;
        Ok(BackupCodes { codes })
    }
}
