//! Counting sign-in attempts (and other guesses: a current password, an email code) before
//! a factor is checked: against the user's own count, or against a keyed hash of something no
//! user has (an unknown identifier, an address being verified), with the instance's lockout.

use chrono::{DateTime, Utc};
use sea_orm::TransactionTrait;

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
