//! A one-time code verification (an email code), as a state machine with time passed in.
//!
//! `prepare` issues a code (refused within the resend interval of the last one), `attempt`
//! checks one. A code is valid for its lifetime; after `max_attempts` wrong codes the
//! verification is `Failed` and only a new code can continue. The code itself never stays: only
//! its hash, salted with the verification's id, compared in constant time.

use chrono::{DateTime, Duration, Utc};
use rand::Rng;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::settings::VerificationSettings;
use crate::{Error, Result};

/// Where a verification stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum VerificationStatus {
    Unverified,
    Verified,
    Failed,
    Expired,
}

impl VerificationStatus {
    /// The stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unverified => "unverified",
            Self::Verified => "verified",
            Self::Failed => "failed",
            Self::Expired => "expired",
        }
    }

    /// Reads the stored spelling.
    pub fn parse(stored: &str) -> Result<Self> {
        match stored {
            "unverified" => Ok(Self::Unverified),
            "verified" => Ok(Self::Verified),
            "failed" => Ok(Self::Failed),
            "expired" => Ok(Self::Expired),
            other => Err(Error::internal(format!(
                "unknown verification status {other:?}"
            ))),
        }
    }
}

/// An email-code verification. Its `Debug` leaves the code's hash out (a 6-digit code is
/// quickly found from it).
#[derive(Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Verification {
    /// Salts the code hash; the id of what is being verified.
    pub salt: String,
    pub status: VerificationStatus,
    /// Wrong attempts against the current code.
    pub attempts: u32,
    pub code_hash: Option<String>,
    pub sent_at: Option<DateTime<Utc>>,
    pub expire_at: Option<DateTime<Utc>>,
}

impl std::fmt::Debug for Verification {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verification")
            .field("status", &self.status)
            .field("attempts", &self.attempts)
            .field("sent_at", &self.sent_at)
            .field("expire_at", &self.expire_at)
            .finish_non_exhaustive()
    }
}

/// The fixed code of development test addresses (`…+latchkey_test@…`).
pub const TEST_CODE: &str = "424242";

impl Verification {
    /// A verification with no code sent yet.
    pub fn new(salt: impl Into<String>) -> Self {
        Self {
            salt: salt.into(),
            status: VerificationStatus::Unverified,
            attempts: 0,
            code_hash: None,
            sent_at: None,
            expire_at: None,
        }
    }

    /// The status as the caller sees it at `now` (an unused code past its time is `Expired`).
    pub fn status_at(&self, now: DateTime<Utc>) -> VerificationStatus {
        match (self.status, self.expire_at) {
            (VerificationStatus::Unverified, Some(expire_at)) if now >= expire_at => {
                VerificationStatus::Expired
            }
            (status, _) => status,
        }
    }

    /// Issues `code` at `now`: the hash is kept, the attempts start over. Refused with
    /// `RATE_LIMITED` within the resend interval of the last code, and once verified.
    pub fn prepare(
        &mut self,
        code: &str,
        now: DateTime<Utc>,
        settings: &VerificationSettings,
    ) -> Result<()> {
        if self.status == VerificationStatus::Verified {
            return Err(Error::validation("strategy", "this is already verified"));
        }
        if let Some(sent_at) = self.sent_at {
            let next = sent_at + Duration::seconds(i64::from(settings.resend_interval_seconds));
            if now < next {
                let wait = (next - now).num_milliseconds();
                return Err(Error::RateLimited {
                    retry_after: u64::try_from((wait + 999) / 1000).unwrap_or(1).max(1),
                });
            }
        }
        self.status = VerificationStatus::Unverified;
        self.attempts = 0;
        self.code_hash = Some(hash_code(&self.salt, code));
        self.sent_at = Some(now);
        self.expire_at = Some(now + Duration::seconds(i64::from(settings.code_lifetime_seconds)));
        Ok(())
    }

    /// Refuses, as `attempt` would, when no code would be compared at `now`: verified, failed,
    /// expired, or none prepared. (A budget of guesses is taken only for a code that is checked.)
    pub fn ensure_checkable(&self, now: DateTime<Utc>) -> Result<()> {
        self.expected_hash(now).map(|_| ())
    }

    fn expected_hash(&self, now: DateTime<Utc>) -> Result<&str> {
        match self.status_at(now) {
            VerificationStatus::Verified => {
                Err(Error::validation("code", "this is already verified"))
            }
            VerificationStatus::Failed => Err(Error::TooManyAttempts),
            VerificationStatus::Expired => Err(Error::VerificationExpired),
            VerificationStatus::Unverified => self
                .code_hash
                .as_deref()
                .ok_or_else(|| Error::validation("code", "prepare a verification first")),
        }
    }

    /// Checks `code` at `now`. A wrong code counts; the last allowed wrong code fails the
    /// verification. Errors: `CODE_INCORRECT`, `VERIFICATION_EXPIRED`, `TOO_MANY_ATTEMPTS`,
    /// `VALIDATION_FAILED` (no code prepared, or already verified).
    pub fn attempt(
        &mut self,
        code: &str,
        now: DateTime<Utc>,
        settings: &VerificationSettings,
    ) -> Result<()> {
        let given = hash_code(&self.salt, code.trim());
        let expected = self.expected_hash(now)?;
        if bool::from(given.as_bytes().ct_eq(expected.as_bytes())) {
            self.status = VerificationStatus::Verified;
            self.code_hash = None;
            return Ok(());
        }
        self.attempts += 1;
        if self.attempts >= settings.max_attempts {
            self.status = VerificationStatus::Failed;
            self.code_hash = None;
            return Err(Error::TooManyAttempts);
        }
        Err(Error::CodeIncorrect)
    }
}

/// A new 6-digit code from the CSPRNG.
pub fn new_code() -> String {
    format!("{:06}", rand::rng().random_range(0..1_000_000u32))
}

fn hash_code(salt: &str, code: &str) -> String {
    hex::encode(Sha256::digest(format!("{salt}:{code}").as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;

    fn t(seconds: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + seconds, 0).unwrap()
    }

    fn settings() -> VerificationSettings {
        VerificationSettings::default()
    }

    fn err(result: Result<()>) -> ErrorCode {
        result.unwrap_err().code()
    }

    #[test]
    fn the_right_code_verifies_once() {
        let mut v = Verification::new("sua_1");
        v.prepare("123456", t(0), &settings()).unwrap();
        assert_eq!(v.status_at(t(1)), VerificationStatus::Unverified);
        v.attempt(" 123456 ", t(10), &settings()).unwrap();
        assert_eq!(v.status, VerificationStatus::Verified);
        assert!(v.code_hash.is_none(), "the hash is gone once used");
        assert_eq!(
            err(v.attempt("123456", t(11), &settings())),
            ErrorCode::ValidationFailed
        );
    }

    #[test]
    fn wrong_codes_count_and_the_fifth_fails_the_verification() {
        let mut v = Verification::new("sua_1");
        v.prepare("123456", t(0), &settings()).unwrap();
        for i in 1..5 {
            assert_eq!(
                err(v.attempt("000000", t(i), &settings())),
                ErrorCode::CodeIncorrect
            );
        }
        assert_eq!(
            err(v.attempt("000000", t(5), &settings())),
            ErrorCode::TooManyAttempts
        );
        assert_eq!(v.status, VerificationStatus::Failed);
        assert_eq!(v.attempts, 5);
        assert_eq!(
            err(v.attempt("123456", t(6), &settings())),
            ErrorCode::TooManyAttempts,
            "the right code is too late"
        );
        // A new code starts over.
        v.prepare("654321", t(60), &settings()).unwrap();
        v.attempt("654321", t(61), &settings()).unwrap();
    }

    #[test]
    fn codes_expire_and_cannot_be_resent_too_soon() {
        let mut v = Verification::new("sua_1");
        v.prepare("123456", t(0), &settings()).unwrap();
        match v.prepare("111111", t(10), &settings()) {
            Err(Error::RateLimited { retry_after }) => assert_eq!(retry_after, 20),
            other => panic!("expected RATE_LIMITED, got {other:?}"),
        }
        assert_eq!(v.status_at(t(600)), VerificationStatus::Expired);
        assert_eq!(
            err(v.attempt("123456", t(600), &settings())),
            ErrorCode::VerificationExpired
        );
        v.prepare("222222", t(601), &settings()).unwrap();
        v.attempt("222222", t(602), &settings()).unwrap();
    }

    #[test]
    fn attempting_before_any_code_is_a_validation_error() {
        let mut v = Verification::new("sua_1");
        assert_eq!(
            err(v.attempt("123456", t(0), &settings())),
            ErrorCode::ValidationFailed
        );
    }

    #[test]
    fn codes_are_six_digits_and_salted_per_verification() {
        for _ in 0..100 {
            let code = new_code();
            assert_eq!(code.len(), 6);
            assert!(code.bytes().all(|b| b.is_ascii_digit()));
        }
        assert_ne!(hash_code("a", "123456"), hash_code("b", "123456"));
    }
}
