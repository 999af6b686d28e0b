//! TOTP codes as an authenticator app makes them (totp-rs: SHA-1, 6 digits, 30 s).

use totp_rs::{Algorithm, Secret, TOTP};

/// The code of the base32 `secret` at `at`.
pub fn code_at(secret: &str, at: chrono::DateTime<chrono::Utc>) -> String {
    let bytes = Secret::Encoded(secret.to_owned()).to_bytes().unwrap();
    let totp = TOTP::new(Algorithm::SHA1, 6, 1, 30, bytes).unwrap();
    totp.generate(u64::try_from(at.timestamp()).unwrap())
}
