//! Locking a user out after failed sign-in attempts, with time passed in. The count itself lives
//! in the database (incremented atomically, so attempts from many clients at once are counted
//! exactly); this module decides what a count means.

use chrono::{DateTime, Duration, Utc};

use super::settings::LockoutSettings;
use crate::{Error, Result};

/// A user's lockout state as stored.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Lockout {
    /// Failed attempts since the last success or unlock.
    pub failed_attempts: u32,
    /// Locked until then (by failures, or by the backend until unlocked).
    pub locked_until: Option<DateTime<Utc>>,
}

impl Lockout {
    /// Whether the user is locked at `now`.
    pub fn locked_at(&self, now: DateTime<Utc>) -> bool {
        self.locked_until.is_some_and(|until| now < until)
    }

    /// Refuses with `ACCOUNT_LOCKED` (and the seconds left) while the user is locked.
    pub fn check(&self, now: DateTime<Utc>) -> Result<()> {
        match self.locked_until {
            Some(until) if now < until => {
                let millis = (until - now).num_milliseconds();
                Err(Error::AccountLocked {
                    retry_after: u64::try_from((millis + 999) / 1000).unwrap_or(1).max(1),
                })
            }
            _ => Ok(()),
        }
    }

    /// What a failure that brought the count to `failed_attempts` leads to: the count, and the
    /// lock once it reaches the instance's maximum. A lock that has run out starts the count over.
    pub fn after_failure(
        failed_attempts: u32,
        now: DateTime<Utc>,
        settings: &LockoutSettings,
    ) -> Self {
        let locked_until = (failed_attempts >= settings.max_attempts)
            .then(|| now + Duration::seconds(i64::from(settings.duration_seconds)));
        Self {
            failed_attempts,
            locked_until,
        }
    }

    /// Whether a stored lock has run out at `now`, so the count starts over before this attempt.
    pub fn expired_at(&self, now: DateTime<Utc>) -> bool {
        self.locked_until.is_some_and(|until| now >= until)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;

    fn t(seconds: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + seconds, 0).unwrap()
    }

    #[test]
    fn the_tenth_failure_locks_for_an_hour() {
        let settings = LockoutSettings::default();
        for n in 1..10 {
            let state = Lockout::after_failure(n, t(0), &settings);
            assert!(!state.locked_at(t(0)), "{n} failures do not lock");
            state.check(t(0)).unwrap();
        }
        let locked = Lockout::after_failure(10, t(0), &settings);
        assert_eq!(locked.locked_until, Some(t(3600)));
        match locked.check(t(1)) {
            Err(Error::AccountLocked { retry_after }) => assert_eq!(retry_after, 3599),
            other => panic!("expected ACCOUNT_LOCKED, got {other:?}"),
        }
        assert_eq!(
            locked.check(t(3599)).unwrap_err().code(),
            ErrorCode::AccountLocked
        );
        locked.check(t(3600)).unwrap();
        assert!(locked.expired_at(t(3600)));
        assert!(!locked.expired_at(t(3599)));
    }

    #[test]
    fn a_backend_lock_holds_until_its_time() {
        let lock = Lockout {
            failed_attempts: 0,
            locked_until: Some(t(100)),
        };
        assert!(lock.locked_at(t(99)));
        assert!(!lock.locked_at(t(100)));
        assert!(!Lockout::default().locked_at(t(0)));
    }
}
