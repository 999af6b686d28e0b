//! Step-up for the signed-in user: the check every sensitive change makes first
//! (`require_reverified`, on the calling session as stored, never the token's `fva`), and
//! `prepareReverification` / `attemptReverification`, which verify a factor again in that
//! session. Every attempt counts against the user's lockout like a sign-in's, and codes against
//! the same budgets (an address's wrong codes, a user's wrong second-factor codes).

use chrono::{DateTime, Utc};
use sea_orm::TransactionTrait;

use crate::flows::attempts::{Budgeted, Counted};
use crate::model::caller::Caller;
use crate::model::identifiers;
use crate::model::instance::{Environment, Instance};
use crate::model::password;
use crate::model::reverification::{
    CodeChallenge, Sensitive, Status, Strategy, complete_until, require, status,
};
use crate::model::session::{Session, SessionStatus};
use crate::model::sign_in::SecondFactor;
use crate::model::verification::{TEST_CODE, Verification, VerificationStatus, new_code};
use crate::platform::Platform;
use crate::store;
use crate::store::session_factors::{CodeChange, SessionFactors};
use crate::{Error, Result};

/// The longest code accepted (anything longer is not a code).
const MAX_CODE_CHARS: usize = 32;

/// Where the calling session stands for sensitive changes.
#[derive(Clone, Debug)]
pub struct Reverification {
    pub session_id: String,
    pub status: Status,
    pub first_factor_verified_at: DateTime<Utc>,
    pub second_factor_verified_at: Option<DateTime<Utc>>,
    /// Until when sensitive changes go through, when they do now.
    pub complete_until: Option<DateTime<Utc>>,
    /// The masked address an email code waits at, while one does.
    pub code_sent_to: Option<String>,
}

/// What `attemptReverification` is given. (`Debug` leaves the code and the password out.)
#[derive(Clone)]
pub struct ReverificationAttempt {
    pub strategy: Strategy,
    pub code: Option<String>,
    pub password: Option<String>,
}

impl std::fmt::Debug for ReverificationAttempt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReverificationAttempt")
            .field("strategy", &self.strategy)
            .finish_non_exhaustive()
    }
}

fn reverification(
    instance: &Instance,
    session: &Session,
    challenge: Option<&CodeChallenge>,
    second_factor_enabled: bool,
    now: DateTime<Utc>,
) -> Reverification {
    let window = instance.settings.sessions.reverification_window_seconds;
    let waiting = challenge
        .filter(|c| c.verification.status_at(now) == VerificationStatus::Unverified)
        .map(|c| identifiers::masked_email(&c.email_address.to_ascii_lowercase()));
    Reverification {
        session_id: session.id.clone(),
        status: status(session, second_factor_enabled, window, now),
        first_factor_verified_at: session.first_factor_verified_at,
        second_factor_verified_at: session.second_factor_verified_at,
        complete_until: complete_until(session, second_factor_enabled, window, now),
        code_sent_to: waiting,
    }
}

/// Whether an attempt's error is a wrong factor, which the lockout counts.
fn wrong_factor(err: &Error) -> bool {
    matches!(
        err,
        Error::InvalidCredentials | Error::CodeIncorrect | Error::TooManyAttempts
    )
}

fn changed_meanwhile() -> Error {
    Error::validation(
        "strategy",
        "the reverification changed meanwhile: try again",
    )
}

impl Platform {
    /// The calling session as stored now (with its reverification code); `SESSION_NOT_ACTIVE`
    /// once it ended.
    async fn calling_session(
        &self,
        instance: &Instance,
        user_id: &str,
        session_id: &str,
        now: DateTime<Utc>,
    ) -> Result<SessionFactors> {
        store::session_factors::find(&self.db, &instance.id, session_id)
            .await?
            .filter(|f| f.session.user_id == user_id)
            .filter(|f| f.session.status_at(now) == SessionStatus::Active)
            .ok_or(Error::SessionNotActive)
    }

    /// Refuses `action` with `REVERIFICATION_REQUIRED` unless the calling session verified its
    /// first factor, and its second when the user has one, within the instance's window.
    pub(crate) async fn require_reverified(
        &self,
        caller: &Caller,
        action: Sensitive,
    ) -> Result<()> {
        let (instance, user_id, session_id) = caller.require_session()?;
        let now = self.now();
        let session = store::sessions::find(&self.db, &instance.id, session_id)
            .await?
            .filter(|s| s.user_id == user_id && s.status_at(now) == SessionStatus::Active)
            .ok_or(Error::SessionNotActive)?;
        let second = store::second_factors::get(&self.db, &instance.id, user_id)
            .await?
            .is_some_and(|f| f.verified);
        let window = instance.settings.sessions.reverification_window_seconds;
        let standing = status(&session, second, window, now);
        if standing != Status::Complete {
            tracing::info!(
                operation = action.field(),
                session_id,
                "reverification required"
            );
        }
        require(standing)
    }

    /// `prepareReverification(EMAIL_CODE)`: mails a code to the user's primary address (a
    /// development test address takes the fixed code and is sent nothing), as a sign-in's email
    /// code is, within the same limits.
    pub async fn prepare_reverification(
        &self,
        caller: &Caller,
        strategy: Strategy,
    ) -> Result<Reverification> {
        let (instance, user_id, session_id) = caller.require_session()?;
        if strategy != Strategy::EmailCode {
            return Err(Error::validation(
                "strategy",
                "only EMAIL_CODE is prepared: attempt the other strategies at once",
            ));
        }
        let now = self.now();
        let read = self
            .calling_session(instance, user_id, session_id, now)
            .await?;
        let user = self.signed_in_user(caller).await?;
        let address = user
            .primary_email_address()
            .filter(|a| a.verified)
            .ok_or_else(|| {
                Error::validation(
                    "strategy",
                    "the account has no verified primary email address",
                )
            })?;
        let email = identifiers::email_address(&address.email_address)?;
        let test = instance.environment == Environment::Development && email.is_test_address();
        let code = if test {
            TEST_CODE.to_owned()
        } else {
            new_code()
        };
        // The last code's time stays, so the resend interval holds across codes.
        let mut verification = read
            .challenge
            .as_ref()
            .map(|c| c.verification.clone())
            .filter(|v| v.status != VerificationStatus::Verified)
            .unwrap_or_else(|| Verification::new(session_id));
        verification.prepare(&code, now, &instance.settings.verification)?;
        if !test {
            Budgeted::codes_mailed(&self.services, instance, &email.address)
                .take(&self.services, instance, now)
                .await?;
        }
        let challenge = CodeChallenge {
            email_address: email.address.clone(),
            verification,
        };
        let txn = self.db.begin().await?;
        if !store::session_factors::save_code(
            &txn,
            &instance.id,
            &read,
            CodeChange::Pending(&challenge),
        )
        .await?
        {
            return Err(changed_meanwhile());
        }
        if !test {
            crate::flows::enqueue_code(&txn, &self.services, instance, &email.address, &code, now)
                .await?;
        }
        txn.commit().await?;
        if !test {
            self.services.mail_committed();
        }
        Ok(reverification(
            instance,
            &read.session,
            Some(&challenge),
            user.totp_enabled,
            now,
        ))
    }

    /// `attemptReverification`: the password or an email code verify the first factor again,
    /// a TOTP or backup code the second. Each attempt is counted against the user's lockout
    /// before the factor is checked; a wrong one stays counted (`INVALID_CREDENTIALS`,
    /// `CODE_INCORRECT`; `ACCOUNT_LOCKED` once locked).
    pub async fn attempt_reverification(
        &self,
        caller: &Caller,
        attempt: ReverificationAttempt,
    ) -> Result<Reverification> {
        let (instance, user_id, session_id) = caller.require_session()?;
        // What is refused without checking anything is refused before an attempt is counted.
        let secret = match attempt.strategy {
            Strategy::Password => {
                let given = attempt
                    .password
                    .ok_or_else(|| Error::validation("password", "is required for PASSWORD"))?;
                password::check_max_length(&given, &instance.settings.password)?;
                given
            }
            _ => match attempt.code {
                Some(code) if !code.is_empty() && code.chars().count() <= MAX_CODE_CHARS => code,
                Some(_) => return Err(Error::validation("code", "is not a code")),
                None => return Err(Error::validation("code", "is required for this strategy")),
            },
        };
        let now = self.now();
        let mut read = self
            .calling_session(instance, user_id, session_id, now)
            .await?;
        let found = store::users::sign_in_user(&self.db, &instance.id, user_id)
            .await?
            .ok_or(Error::NotFound("user"))?;
        found.lockout.check(now)?;
        let second_factor_enabled = found.user.totp_enabled;
        let mut challenge = read.challenge.clone();
        match attempt.strategy {
            Strategy::Password => {
                let stored = found.password_hash.ok_or_else(|| {
                    Error::validation("strategy", "the account has no password: use EMAIL_CODE")
                })?;
                let count = self.reserve(instance, user_id, None, now).await?;
                let checked = match self.services.hasher.verify(secret, stored).await {
                    Ok(true) => Ok(()),
                    Ok(false) => Err(Error::InvalidCredentials),
                    Err(err) => Err(err),
                };
                self.settle(instance, user_id, count, checked, now).await?;
                if !store::session_factors::factor_verified(
                    &self.db,
                    &instance.id,
                    session_id,
                    false,
                    now,
                )
                .await?
                {
                    return Err(Error::SessionNotActive);
                }
                read.session.first_factor_verified_at = now;
            }
            Strategy::EmailCode => {
                let pending = read
                    .challenge
                    .as_ref()
                    .ok_or_else(|| Error::validation("code", "prepare a reverification first"))?;
                pending.verification.ensure_checkable(now)?;
                let wrong_codes =
                    Budgeted::wrong_codes(&self.services, instance, &pending.email_address);
                wrong_codes.take(&self.services, instance, now).await?;
                let count = self
                    .reserve(instance, user_id, Some(&wrong_codes), now)
                    .await?;
                let mut next = pending.clone();
                let checked =
                    next.verification
                        .attempt(&secret, now, &instance.settings.verification);
                if checked.is_ok() {
                    wrong_codes.give_back(&self.services, instance).await?;
                }
                let change = match checked {
                    Ok(()) => CodeChange::Verified(now),
                    Err(_) => CodeChange::Pending(&next),
                };
                let saved =
                    store::session_factors::save_code(&self.db, &instance.id, &read, change)
                        .await?;
                self.settle(instance, user_id, count, checked, now).await?;
                if !saved {
                    return Err(changed_meanwhile());
                }
                read.session.first_factor_verified_at = now;
                challenge = None;
            }
            Strategy::Totp | Strategy::BackupCode => {
                if !second_factor_enabled {
                    return Err(Error::validation(
                        "strategy",
                        "the account has no second factor",
                    ));
                }
                let factor = if attempt.strategy == Strategy::Totp {
                    SecondFactor::Totp
                } else {
                    SecondFactor::BackupCode
                };
                let wrong_codes = Budgeted::second_factor_codes(&self.services, instance, user_id);
                wrong_codes.take(&self.services, instance, now).await?;
                let count = self
                    .reserve(instance, user_id, Some(&wrong_codes), now)
                    .await?;
                let checked = crate::flows::second_factors::check(
                    &self.services,
                    &instance.id,
                    user_id,
                    factor,
                    &secret,
                    now,
                )
                .await
                .and_then(|right| {
                    if right {
                        Ok(())
                    } else {
                        Err(Error::CodeIncorrect)
                    }
                });
                if checked.is_ok() {
                    wrong_codes.give_back(&self.services, instance).await?;
                }
                self.settle(instance, user_id, count, checked, now).await?;
                if !store::session_factors::factor_verified(
                    &self.db,
                    &instance.id,
                    session_id,
                    true,
                    now,
                )
                .await?
                {
                    return Err(Error::SessionNotActive);
                }
                read.session.second_factor_verified_at = Some(now);
            }
        }
        // The client actors holding this session sign its next token with the new `fva`.
        self.services.factors_verified(&read.session).await;
        tracing::info!(session_id, strategy = ?attempt.strategy, "reverified");
        Ok(reverification(
            instance,
            &read.session,
            challenge.as_ref(),
            second_factor_enabled,
            now,
        ))
    }

    /// Reserves one attempt against the user's lockout before a factor is checked:
    /// `ACCOUNT_LOCKED` (with `wrong_codes` given back) when none is left.
    async fn reserve(
        &self,
        instance: &Instance,
        user_id: &str,
        wrong_codes: Option<&Budgeted>,
        now: DateTime<Utc>,
    ) -> Result<u32> {
        let counted = Counted::User(user_id.to_owned());
        match counted.reserve(&self.services, instance, now).await? {
            Some(count) => Ok(count),
            None => {
                if let Some(budget) = wrong_codes {
                    budget.give_back(&self.services, instance).await?;
                }
                Err(counted.locked(&self.services, instance, now).await)
            }
        }
    }

    /// After a factor was checked: a wrong one stays counted (and locks at the maximum:
    /// `ACCOUNT_LOCKED`), a right one, or none checked, is given back.
    async fn settle(
        &self,
        instance: &Instance,
        user_id: &str,
        count: u32,
        checked: Result<()>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        match checked {
            Err(err) if wrong_factor(&err) => {
                Counted::User(user_id.to_owned())
                    .failed(&self.services, instance, count, now)
                    .await?
                    .check(now)?;
                Err(err)
            }
            checked => {
                store::users::release_attempt(&self.db, &instance.id, user_id).await?;
                checked
            }
        }
    }
}
