//! Step-up in GraphQL (session-token scope): `prepareReverification` and
//! `attemptReverification`, which verify a factor of the calling session again so that the
//! sensitive changes (`Sensitive` in the domain) stop answering `REVERIFICATION_REQUIRED`.

use async_graphql::{Context, Enum, ID, Object, SimpleObject};
use chrono::{DateTime, Utc};
use latchkey_domain::model::reverification::{Status, Strategy};
use latchkey_domain::rate_limit::LimitKind;
use latchkey_domain::reverification::{Reverification, ReverificationAttempt};

use super::request_data::limit_ip;
use super::{GqlResult, ResultExt, scope};

/// How a factor is verified again.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReverificationStrategy {
    /// The password (the first factor).
    Password,
    /// A code mailed to the primary email address (the first factor): prepare it first.
    EmailCode,
    /// A code from the authenticator app (the second factor).
    Totp,
    /// One of the backup codes (the second factor); each works once.
    BackupCode,
}

impl From<ReverificationStrategy> for Strategy {
    fn from(value: ReverificationStrategy) -> Self {
        match value {
            ReverificationStrategy::Password => Self::Password,
            ReverificationStrategy::EmailCode => Self::EmailCode,
            ReverificationStrategy::Totp => Self::Totp,
            ReverificationStrategy::BackupCode => Self::BackupCode,
        }
    }
}

/// What the calling session still needs before a sensitive change.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReverificationStatus {
    /// Its factors were verified recently enough: sensitive changes go through.
    Complete,
    /// The first factor again: `PASSWORD` or `EMAIL_CODE`.
    NeedsFirstFactor,
    /// The second factor again (the user has TOTP): `TOTP` or `BACKUP_CODE`.
    NeedsSecondFactor,
}

/// Where the calling session stands for sensitive changes: each factor is recent for the
/// instance's `sessions.reverificationWindowSeconds` (default 600) after it was verified.
#[derive(SimpleObject)]
pub struct SessionReverification {
    /// The calling session (the session token's `sid`).
    pub session_id: ID,
    /// What it still needs.
    pub status: ReverificationStatus,
    /// When its first factor was last verified.
    pub first_factor_verified_at: DateTime<Utc>,
    /// When its second factor was last verified; null when never in this session.
    pub second_factor_verified_at: Option<DateTime<Utc>>,
    /// Until when sensitive changes go through, while they do.
    pub complete_until: Option<DateTime<Utc>>,
    /// Where an email code waits, masked (`j***@example.com`), while one does.
    pub safe_identifier: Option<String>,
}

impl From<Reverification> for SessionReverification {
    fn from(r: Reverification) -> Self {
        Self {
            session_id: ID(r.session_id),
            status: match r.status {
                Status::Complete => ReverificationStatus::Complete,
                Status::NeedsFirstFactor => ReverificationStatus::NeedsFirstFactor,
                Status::NeedsSecondFactor => ReverificationStatus::NeedsSecondFactor,
            },
            first_factor_verified_at: r.first_factor_verified_at,
            second_factor_verified_at: r.second_factor_verified_at,
            complete_until: r.complete_until,
            safe_identifier: r.code_sent_to,
        }
    }
}

/// Reverification mutations.
#[derive(Default)]
pub struct ReverificationMutation;

#[Object]
impl ReverificationMutation {
    /// Mails a code for `attemptReverification(EMAIL_CODE)` to the signed-in user's primary
    /// address (session-token scope). Only `EMAIL_CODE` is prepared (`VALIDATION_FAILED`
    /// otherwise). Codes mailed to one address are limited whoever asks (`RATE_LIMITED` with
    /// `retryAfter`), as a sign-in's are.
    async fn prepare_reverification(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "`EMAIL_CODE`.")] strategy: ReverificationStrategy,
    ) -> GqlResult<SessionReverification> {
        limit_ip(ctx, LimitKind::SignIn).await?;
        let (platform, caller) = scope(ctx)?;
        let prepared = platform
            .prepare_reverification(caller, strategy.into())
            .await
            .gql()?;
        Ok(prepared.into())
    }

    /// Verifies a factor of the calling session again (session-token scope): `PASSWORD` or
    /// `EMAIL_CODE` the first, `TOTP` or `BACKUP_CODE` the second. Sensitive changes then go
    /// through for `sessions.reverificationWindowSeconds`, once the first factor and, for a user
    /// with TOTP, the second are recent (`status: COMPLETE`); the session's next token carries
    /// the new `fva`. Every attempt counts against the user's lockout like a sign-in's: a wrong
    /// one is `INVALID_CREDENTIALS` or `CODE_INCORRECT` and stays counted; once locked,
    /// `ACCOUNT_LOCKED` with `retryAfter`.
    async fn attempt_reverification(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The factor being verified.")] strategy: ReverificationStrategy,
        #[graphql(desc = "The code, for `EMAIL_CODE`, `TOTP` and `BACKUP_CODE`.")] code: Option<
            String,
        >,
        #[graphql(desc = "The password, for `PASSWORD`.")] password: Option<String>,
    ) -> GqlResult<SessionReverification> {
        limit_ip(ctx, LimitKind::Attempt).await?;
        let (platform, caller) = scope(ctx)?;
        let attempt = ReverificationAttempt {
            strategy: strategy.into(),
            code,
            password,
        };
        let verified = platform
            .attempt_reverification(caller, attempt)
            .await
            .gql()?;
        Ok(verified.into())
    }
}
