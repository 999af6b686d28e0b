//! Counting sign-in attempts (and other guesses: a current password, an email code) before
//! a factor is checked: against the user's own count, or against a keyed hash of something no
//! user has (an unknown identifier), with the instance's lockout. And budgets that refill with
//! time (`Budgeted`): wrong codes per email address and per user's second factor, codes mailed
//! per address, taken before a code is checked or sent, the same on every client and node.

use chrono::{DateTime, Utc};
use sea_orm::TransactionTrait;

use crate::model::attempt_budget::{
    Budget, CODES_MAILED_PER_ADDRESS, WRONG_CODES_PER_ADDRESS, WRONG_SECOND_FACTOR_CODES, millis,
};
use crate::model::instance::Instance;
use crate::model::lockout::Lockout;
use crate::model::sign_in::SignIn;
use crate::services::Services;
use crate::store;
use crate::{Error, Result};

/// Whose count an attempt goes against: the user's, or the unknown identifier's.
pub(crate) enum Counted {
    User(String),
    Unknown(String),
}

/// The key of an unknown identifier's count: a keyed hash, so it cannot be computed from outside.
pub(crate) fn failure_key(svc: &Services, instance: &Instance, sign_in: &SignIn) -> String {
    let identifier = sign_in
        .identifier
        .as_deref()
        .unwrap_or_default()
        .to_ascii_lowercase();
    crate::secrets::hash_secret(&format!(
        "{}:{}:{identifier}",
        svc.enumeration_key, instance.id
    ))
}

impl Counted {
    pub(crate) async fn reserve(
        &self,
        svc: &Services,
        instance: &Instance,
        now: DateTime<Utc>,
    ) -> Result<Option<u32>> {
        let lockout = &instance.settings.lockout;
        match self {
            Self::User(id) => {
                store::users::reserve_attempt(&svc.db, &instance.id, id, now, lockout).await
            }
            Self::Unknown(key) => {
                store::sign_in_failures::reserve_attempt(&svc.db, &instance.id, key, now, lockout)
                    .await
            }
        }
    }

    /// The answer when no attempt is left: `ACCOUNT_LOCKED`, with the time left on the lock.
    pub(crate) async fn locked(
        &self,
        svc: &Services,
        instance: &Instance,
        now: DateTime<Utc>,
    ) -> Error {
        let until = match self {
            Self::User(id) => store::users::sign_in_user(&svc.db, &instance.id, id)
                .await
                .ok()
                .flatten()
                .and_then(|f| f.lockout.locked_until),
            Self::Unknown(key) => store::sign_in_failures::locked_until(&svc.db, &instance.id, key)
                .await
                .ok()
                .flatten(),
        };
        let lock = Lockout {
            failed_attempts: 0,
            locked_until: until,
        };
        match lock.check(now) {
            Err(err) => err,
            // The last attempts are in flight: the lock is about to start.
            Ok(()) => Error::AccountLocked {
                retry_after: u64::from(instance.settings.lockout.duration_seconds),
            },
        }
    }

    /// Records that the reserved attempt failed: at the maximum, the lock starts.
    pub(crate) async fn failed(
        &self,
        svc: &Services,
        instance: &Instance,
        count: u32,
        now: DateTime<Utc>,
    ) -> Result<Lockout> {
        let lockout = &instance.settings.lockout;
        match self {
            Self::User(id) => {
                // Most failures lock nothing and write nothing, like an unknown identifier's.
                let state = Lockout::after_failure(count, now, lockout);
                if state.locked_until.is_none() {
                    return Ok(state);
                }
                // The lock that starts here is a change of the user: `user.updated`.
                let txn = svc.db.begin().await?;
                let (state, locked) =
                    store::users::lock_after_failure(&txn, &instance.id, id, count, now, lockout)
                        .await?;
                if locked {
                    store::events::append_user_updated(&txn, &instance.id, id, now).await?;
                }
                txn.commit().await?;
                if locked {
                    svc.events.committed(&instance.id);
                }
                Ok(state)
            }
            Self::Unknown(key) => {
                let state = Lockout::after_failure(count, now, lockout);
                if let Some(until) = state.locked_until {
                    store::sign_in_failures::lock(&svc.db, &instance.id, key, until).await?;
                }
                Ok(state)
            }
        }
    }
}

/// What a budget counts, and what its refusal is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Counts {
    /// Wrong codes sent to an email address: `TOO_MANY_ATTEMPTS` with `retryAfter`.
    WrongCodes,
    /// Codes mailed to an address: `RATE_LIMITED` with `retryAfter`.
    CodesMailed,
    /// Wrong second-factor codes of a user: `TOO_MANY_ATTEMPTS` with `retryAfter`.
    SecondFactorCodes,
}

impl Counts {
    fn budget(self) -> Budget {
        match self {
            Self::WrongCodes => WRONG_CODES_PER_ADDRESS,
            Self::CodesMailed => CODES_MAILED_PER_ADDRESS,
            Self::SecondFactorCodes => WRONG_SECOND_FACTOR_CODES,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::WrongCodes => "wrong-codes",
            Self::CodesMailed => "codes-mailed",
            Self::SecondFactorCodes => "second-factor-codes",
        }
    }

    fn refusal(self, retry_after: u64) -> Error {
        match self {
            Self::CodesMailed => Error::RateLimited { retry_after },
            Self::WrongCodes | Self::SecondFactorCodes => Error::TooManyWrongCodes { retry_after },
        }
    }
}

/// One budget of attempts that refills with time (`model::attempt_budget`), kept in the
/// database under a keyed hash of what it counts: the address or the user id is not stored.
pub(crate) struct Budgeted {
    counts: Counts,
    key: String,
}

impl Budgeted {
    fn new(svc: &Services, instance: &Instance, counts: Counts, subject: &str) -> Self {
        let key = crate::secrets::hash_secret(&format!(
            "{}:{}:{}:{subject}",
            counts.name(),
            svc.enumeration_key,
            instance.id
        ));
        Self { counts, key }
    }

    /// The wrong codes of an email address, whatever the code was for (a sign-up, an address
    /// added to an account, an email-code sign-in, a password reset) and whoever asked for it.
    pub(crate) fn wrong_codes(svc: &Services, instance: &Instance, address: &str) -> Self {
        let address = address.trim().to_ascii_lowercase();
        Self::new(svc, instance, Counts::WrongCodes, &address)
    }

    /// The codes mailed to an email address, whatever they are for.
    pub(crate) fn codes_mailed(svc: &Services, instance: &Instance, address: &str) -> Self {
        let address = address.trim().to_ascii_lowercase();
        Self::new(svc, instance, Counts::CodesMailed, &address)
    }

    /// The wrong second-factor codes (TOTP and backup codes) of a user.
    pub(crate) fn second_factor_codes(svc: &Services, instance: &Instance, user_id: &str) -> Self {
        Self::new(svc, instance, Counts::SecondFactorCodes, user_id)
    }

    /// Takes one attempt before the code is checked (or sent); refused when none is left.
    pub(crate) async fn take(
        &self,
        svc: &Services,
        instance: &Instance,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let budget = self.counts.budget();
        store::attempt_budgets::take(&svc.db, &instance.id, &self.key, &budget, millis(now))
            .await?
            .map_err(|retry_after| self.counts.refusal(retry_after))
    }

    /// Gives the attempt back: the code was right, or none was checked.
    pub(crate) async fn give_back(&self, svc: &Services, instance: &Instance) -> Result<()> {
        let budget = self.counts.budget();
        store::attempt_budgets::give_back(&svc.db, &instance.id, &self.key, &budget).await
    }
}
