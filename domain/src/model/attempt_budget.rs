//! Budgets of attempts that refill with time, per subject (an email address, a user), with time
//! passed in. A budget holds at most `capacity` attempts and gets one back every `refill`: so at
//! most `capacity + window / refill` attempts pass in any window, whoever makes them.
//!
//! The state is one instant, when the budget is full again (`full_at`; the generic cell rate
//! algorithm's "theoretical arrival time"): an attempt may be taken while `full_at` is at most
//! `(capacity - 1) × refill` ahead of now, and taking one moves `full_at` a `refill` further. The
//! store makes exactly this change in one conditional statement (`store::attempt_budgets`), so
//! the budget holds across clients and nodes; [`Budget::take`] is the same rule, for tests.

use chrono::{DateTime, Utc};

/// A budget: `capacity` attempts at once, one more every `refill_seconds`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Budget {
    pub capacity: u32,
    pub refill_seconds: u32,
}

/// Wrong codes for one email address, whatever they were sent for (sign-up, email-address
/// verification, email-code sign-in, password reset), from any client, on any node: ten at once,
/// then one every half hour. At most 58 in a day; a 6-digit code (five guesses to a code) is
/// then found with even odds only after about 40 years of guessing.
pub const WRONG_CODES_PER_ADDRESS: Budget = Budget {
    capacity: 10,
    refill_seconds: 30 * 60,
};

/// Codes mailed to one email address: five at once, then one every 12 minutes (at most ten in
/// any hour), so no one can flood an inbox with codes.
pub const CODES_MAILED_PER_ADDRESS: Budget = Budget {
    capacity: 5,
    refill_seconds: 12 * 60,
};

/// Wrong second-factor codes (TOTP or backup codes) of one user: as for an address. A TOTP code
/// is good for three steps, so even odds take about 13 years.
pub const WRONG_SECOND_FACTOR_CODES: Budget = WRONG_CODES_PER_ADDRESS;

/// Milliseconds since the epoch: how the store keeps `full_at`.
pub fn millis(at: DateTime<Utc>) -> i64 {
    at.timestamp_millis()
}

impl Budget {
    /// Milliseconds per attempt given back.
    pub fn refill_ms(&self) -> i64 {
        i64::from(self.refill_seconds.max(1)) * 1000
    }

    /// The latest `full_at` at which an attempt may still be taken at `now_ms` (one is left).
    pub fn latest_full_at(&self, now_ms: i64) -> i64 {
        now_ms + i64::from(self.capacity.max(1) - 1) * self.refill_ms()
    }

    /// Takes one attempt at `now_ms` from a budget full again at `full_at` (`None`: never used,
    /// or full): the new `full_at`, or `None` when no attempt is left.
    pub fn take(&self, full_at: Option<i64>, now_ms: i64) -> Option<i64> {
        let from = full_at.map_or(now_ms, |at| at.max(now_ms));
        (from <= self.latest_full_at(now_ms)).then(|| from + self.refill_ms())
    }

    /// Seconds until an attempt may be taken again, for a budget full at `full_at` (at least 1).
    pub fn retry_after(&self, full_at: i64, now_ms: i64) -> u64 {
        let wait = full_at - self.latest_full_at(now_ms);
        u64::try_from((wait + 999) / 1000).unwrap_or(1).max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINUTE: i64 = 60_000;

    fn spend(budget: &Budget, full_at: &mut Option<i64>, now: i64) -> bool {
        match budget.take(*full_at, now) {
            Some(next) => {
                *full_at = Some(next);
                true
            }
            None => false,
        }
    }

    #[test]
    fn ten_wrong_codes_at_once_then_one_every_half_hour() {
        let budget = WRONG_CODES_PER_ADDRESS;
        let mut full_at = None;
        let now = 1_800_000_000_000;
        for n in 0..10 {
            assert!(spend(&budget, &mut full_at, now), "attempt {n}");
        }
        assert!(!spend(&budget, &mut full_at, now), "the eleventh waits");
        let full = full_at.unwrap();
        assert_eq!(full, now + 10 * 30 * MINUTE, "full again in five hours");
        assert_eq!(budget.retry_after(full, now), 30 * 60);
        assert_eq!(budget.retry_after(full, now + 29 * MINUTE), 60);
        assert!(!spend(&budget, &mut full_at, now + 30 * MINUTE - 1));
        assert!(spend(&budget, &mut full_at, now + 30 * MINUTE));
        assert!(!spend(&budget, &mut full_at, now + 30 * MINUTE));
    }

    #[test]
    fn no_day_passes_more_than_fifty_eight_wrong_codes() {
        let budget = WRONG_CODES_PER_ADDRESS;
        let mut full_at = None;
        let start = 1_800_000_000_000;
        // Someone guessing every minute, for a day.
        let passed = (0..24 * 60)
            .filter(|m| spend(&budget, &mut full_at, start + m * MINUTE))
            .count();
        assert_eq!(passed, 10 + 47, "ten at once, then one each half hour");
        // And over ten days, 48 a day.
        let mut full_at = None;
        let passed = (0..10 * 24 * 60)
            .filter(|m| spend(&budget, &mut full_at, start + m * MINUTE))
            .count();
        assert!(passed <= 10 + 10 * 48, "{passed}");
    }

    #[test]
    fn an_idle_budget_fills_up_and_no_further() {
        let budget = CODES_MAILED_PER_ADDRESS;
        let mut full_at = None;
        let now = 1_800_000_000_000;
        for _ in 0..5 {
            assert!(spend(&budget, &mut full_at, now));
        }
        assert!(!spend(&budget, &mut full_at, now));
        // A day later it holds five again, not more.
        let later = now + 24 * 60 * MINUTE;
        for _ in 0..5 {
            assert!(spend(&budget, &mut full_at, later));
        }
        assert!(!spend(&budget, &mut full_at, later));
        // At most ten in any hour.
        let mut full_at = None;
        let passed = (0..60)
            .filter(|m| spend(&budget, &mut full_at, now + m * MINUTE))
            .count();
        assert_eq!(passed, 5 + 4, "five, then at 12, 24, 36 and 48 minutes");
    }
}
