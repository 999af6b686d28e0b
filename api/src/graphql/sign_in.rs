//! Sign-in in GraphQL: the mutations, and the `SignIn` type.

use std::sync::Arc;

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use latchkey_domain::Error;
use latchkey_domain::actors::client::{Command, FirstFactorInput, SignInInput as DomainInput};
use latchkey_domain::model::instance::Instance;
use latchkey_domain::model::sign_in::{self as domain, FirstFactor};
use latchkey_domain::rate_limit::LimitKind;

use super::client::{Client, run};
use super::objects::VerificationStatus;
use super::request_data::limit_ip;
use super::{GqlResult, ResultExt, scope};

/// Where a sign-in stands.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignInStatus {
    /// Nobody named yet.
    NeedsIdentifier,
    /// A password or a code is due.
    NeedsFirstFactor,
    /// A TOTP or backup code is due.
    NeedsSecondFactor,
    /// A reset code passed: a new password is due (`resetPassword`).
    NeedsNewPassword,
    /// A session was created.
    Complete,
    /// Left unfinished for 24 hours.
    Abandoned,
}

/// A first factor.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum FirstFactorStrategy {
    /// The user's password.
    Password,
    /// A code sent to one of the user's verified email addresses.
    EmailCode,
    /// A code that lets the user set a new password.
    ResetPasswordEmailCode,
}

impl From<FirstFactorStrategy> for FirstFactor {
    fn from(value: FirstFactorStrategy) -> Self {
        match value {
            FirstFactorStrategy::Password => Self::Password,
            FirstFactorStrategy::EmailCode => Self::EmailCode,
            FirstFactorStrategy::ResetPasswordEmailCode => Self::ResetPasswordEmailCode,
        }
    }
}

impl From<FirstFactor> for FirstFactorStrategy {
    fn from(value: FirstFactor) -> Self {
        match value {
            FirstFactor::Password => Self::Password,
            FirstFactor::EmailCode => Self::EmailCode,
            FirstFactor::ResetPasswordEmailCode => Self::ResetPasswordEmailCode,
        }
    }
}

/// A second factor.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum SecondFactorStrategy {
    /// A code from an authenticator app.
    Totp,
    /// One of the user's single-use backup codes.
    BackupCode,
}

/// A first factor the identified user can use.
#[derive(SimpleObject)]
pub struct SignInFirstFactor {
    /// The strategy.
    pub strategy: FirstFactorStrategy,
    /// Where a code goes, masked (`j***@example.com`); null for a password.
    pub safe_identifier: Option<String>,
    /// The email address to pass to `prepareFirstFactor`; null for a password.
    pub email_address_id: Option<ID>,
}

/// A second factor the identified user can use.
#[derive(SimpleObject)]
pub struct SignInSecondFactor {
    /// The strategy.
    pub strategy: SecondFactorStrategy,
}

/// The first factor in progress.
#[derive(SimpleObject)]
pub struct SignInVerification {
    /// Where it stands now.
    pub status: VerificationStatus,
    /// The strategy.
    pub strategy: FirstFactorStrategy,
    /// Wrong codes so far against the current code.
    pub attempts: i32,
    /// When the current code expires.
    pub expire_at: Option<DateTime<Utc>>,
}

/// A sign-in as the API shows it.
pub struct SignIn {
    pub(crate) sign_in: domain::SignIn,
    pub(crate) instance: Arc<Instance>,
}

/// Someone signing in: what they can use next, and (once complete) the session.
#[Object]
impl SignIn {
    /// The sign-in's id (`sia_…`).
    async fn id(&self) -> ID {
        ID(self.sign_in.id.clone())
    }

    /// Where the sign-in stands now.
    async fn status(&self, ctx: &Context<'_>) -> GqlResult<SignInStatus> {
        let (platform, _) = scope(ctx)?;
        Ok(match self.sign_in.status_at(platform.now()) {
            domain::SignInStatus::NeedsIdentifier => SignInStatus::NeedsIdentifier,
            domain::SignInStatus::NeedsFirstFactor => SignInStatus::NeedsFirstFactor,
            domain::SignInStatus::NeedsSecondFactor => SignInStatus::NeedsSecondFactor,
            domain::SignInStatus::NeedsNewPassword => SignInStatus::NeedsNewPassword,
            domain::SignInStatus::Complete => SignInStatus::Complete,
            domain::SignInStatus::Abandoned => SignInStatus::Abandoned,
        })
    }

    /// The identifier as given.
    async fn identifier(&self) -> Option<&str> {
        self.sign_in.identifier.as_deref()
    }

    /// The first factors the user can use (with enumeration protection, an unknown identifier
    /// gets the same shape of answer as a known one).
    async fn supported_first_factors(&self) -> Vec<SignInFirstFactor> {
        self.sign_in
            .supported_first_factors()
            .into_iter()
            .map(|(strategy, target)| SignInFirstFactor {
                strategy: strategy.into(),
                safe_identifier: target.map(|t| t.safe_identifier.clone()),
                email_address_id: target.map(|t| ID(t.email_address_id.clone())),
            })
            .collect()
    }

    /// The second factors the user can use.
    async fn supported_second_factors(&self) -> Vec<SignInSecondFactor> {
        self.sign_in
            .supported_second_factors()
            .into_iter()
            .map(|f| SignInSecondFactor {
                strategy: match f {
                    domain::SecondFactor::Totp => SecondFactorStrategy::Totp,
                    domain::SecondFactor::BackupCode => SecondFactorStrategy::BackupCode,
                },
            })
            .collect()
    }

    /// The email-code first factor in progress, if any.
    async fn first_factor_verification(
        &self,
        ctx: &Context<'_>,
    ) -> GqlResult<Option<SignInVerification>> {
        let (platform, _) = scope(ctx)?;
        let now = platform.now();
        Ok(self
            .sign_in
            .first_factor
            .as_ref()
            .map(|f| SignInVerification {
                status: f.verification.status_at(now).into(),
                strategy: f.strategy.into(),
                attempts: i32::try_from(f.verification.attempts).unwrap_or(i32::MAX),
                expire_at: f.verification.expire_at,
            }))
    }

    /// The session the sign-in created, once complete.
    async fn created_session_id(&self) -> Option<ID> {
        self.sign_in.created_session_id.clone().map(ID)
    }

    /// The instance's abandonment horizon: when an unfinished sign-in is abandoned.
    async fn abandon_at(&self) -> DateTime<Utc> {
        let _ = &self.instance;
        self.sign_in.updated_at + chrono::Duration::hours(domain::ABANDON_AFTER_HOURS)
    }
}

/// What `createSignIn` takes.
#[derive(InputObject)]
pub struct SignInInput {
    /// An email address or a username.
    pub identifier: String,
    /// The password, to sign in in one call.
    pub password: Option<String>,
    /// A first factor to start at once (`EMAIL_CODE` sends a code to the first address).
    pub strategy: Option<FirstFactorStrategy>,
}

async fn sign_in_of(ctx: &Context<'_>, command: Command, create: bool) -> GqlResult<SignIn> {
    let client = run(ctx, command, create)
        .await?
        .ok_or(Error::NotFound("sign-in"))
        .gql()?;
    let Client { client, instance } = client;
    let sign_in = client.sign_in.ok_or(Error::NotFound("sign-in")).gql()?;
    Ok(SignIn { sign_in, instance })
}

/// Sign-in mutations (frontend scope).
#[derive(Default)]
pub struct SignInMutation;

#[Object]
impl SignInMutation {
    /// Starts a sign-in on the calling client (creating the client when the caller has none).
    /// With the password it completes at once when no second factor is due.
    async fn create_sign_in(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Who is signing in, and optionally the password.")] input: SignInInput,
    ) -> GqlResult<SignIn> {
        limit_ip(ctx, LimitKind::SignIn).await?;
        let input = DomainInput {
            identifier: input.identifier,
            password: input.password,
            strategy: input.strategy.map(Into::into),
        };
        sign_in_of(ctx, Command::CreateSignIn(input), true).await
    }

    /// Sends a code for an email-code first factor (or a password reset) to one of the
    /// addresses `supportedFirstFactors` lists. Codes mailed to one address are limited
    /// whoever asks (`RATE_LIMITED` with `retryAfter`).
    async fn prepare_first_factor(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "`EMAIL_CODE` or `RESET_PASSWORD_EMAIL_CODE`.")]
        strategy: FirstFactorStrategy,
        #[graphql(desc = "The address, from `supportedFirstFactors`.")] email_address_id: ID,
    ) -> GqlResult<SignIn> {
        limit_ip(ctx, LimitKind::SignIn).await?;
        let command = Command::PrepareFirstFactor {
            strategy: strategy.into(),
            email_address_id: email_address_id.0,
        };
        sign_in_of(ctx, command, false).await
    }

    /// Checks a first factor: the password, or the code that was sent. Failures count against
    /// the user's lockout; wrong codes also against the address (`TOO_MANY_ATTEMPTS` with
    /// `retryAfter` past its bound).
    async fn attempt_first_factor(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The factor being attempted.")] strategy: FirstFactorStrategy,
        #[graphql(desc = "The password, for `PASSWORD`.")] password: Option<String>,
        #[graphql(desc = "The code, for the email-code strategies.")] code: Option<String>,
    ) -> GqlResult<SignIn> {
        limit_ip(ctx, LimitKind::Attempt).await?;
        let input = FirstFactorInput {
            strategy: strategy.into(),
            password,
            code,
        };
        sign_in_of(ctx, Command::AttemptFirstFactor(input), false).await
    }

    /// Checks the second factor (after the first): a TOTP code, accepted once, or one of the
    /// user's single-use backup codes. Failures count against the user's lockout, and against
    /// the user's bound of wrong codes (`TOO_MANY_ATTEMPTS` with `retryAfter` past it).
    async fn attempt_second_factor(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The factor being attempted.")] strategy: SecondFactorStrategy,
        #[graphql(desc = "The 6-digit TOTP code, or a backup code.")] code: String,
    ) -> GqlResult<SignIn> {
        limit_ip(ctx, LimitKind::Attempt).await?;
        let factor = match strategy {
            SecondFactorStrategy::Totp => domain::SecondFactor::Totp,
            SecondFactorStrategy::BackupCode => domain::SecondFactor::BackupCode,
        };
        sign_in_of(ctx, Command::AttemptSecondFactor { factor, code }, false).await
    }

    /// Sets a new password after a reset code, then completes the sign-in (or asks for the
    /// second factor).
    async fn reset_password(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The new password, checked against the instance's policy.")]
        password: String,
        #[graphql(desc = "End every other session of the user.", default = false)]
        sign_out_of_other_sessions: bool,
    ) -> GqlResult<SignIn> {
        limit_ip(ctx, LimitKind::Attempt).await?;
        let command = Command::ResetPassword {
            password,
            sign_out_of_other_sessions,
        };
        sign_in_of(ctx, command, false).await
    }
}
