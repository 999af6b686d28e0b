//! Second factors, pure: TOTP (RFC 6238: SHA-1, 6 digits, 30 s steps, one step either side, each
//! step accepted once) through totp-rs, and backup codes (10 single-use codes, kept as hashes).
//! Time is a parameter.

use chrono::{DateTime, Utc};
use rand::RngCore;
use subtle::ConstantTimeEq;
use totp_rs::{Algorithm, Secret, TOTP};

use crate::{Error, Result};

/// Seconds per TOTP step.
pub const STEP_SECONDS: u64 = 30;
/// Digits of a TOTP code.
pub const DIGITS: usize = 6;
/// How many backup codes a user gets.
pub const BACKUP_CODES: usize = 10;
/// The letters of a backup code (no 0/o, 1/l/i).
const BACKUP_ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";

/// A new TOTP secret: 160 random bits (the size RFC 4226 recommends).
pub fn new_secret() -> Vec<u8> {
    let mut bytes = vec![0u8; 20];
    rand::rng().fill_bytes(&mut bytes);
    bytes
}

/// The secret as authenticator apps take it (base32).
pub fn encoded(secret: &[u8]) -> String {
    Secret::Raw(secret.to_vec()).to_encoded().to_string()
}

/// A base32 secret brought from another system (spaces and case ignored): at least 128 bits,
/// as RFC 4226 requires.
pub fn decoded(secret: &str) -> Result<Vec<u8>> {
    let cleaned: String = secret
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_uppercase();
    let bytes = Secret::Encoded(cleaned)
        .to_bytes()
        .map_err(|_| Error::validation("totpSecret", "is not base32"))?;
    if bytes.len() < 16 {
        return Err(Error::validation(
            "totpSecret",
            "must hold at least 128 bits (26 base32 characters)",
        ));
    }
    if bytes.len() > 64 {
        return Err(Error::validation(
            "totpSecret",
            "must hold at most 512 bits",
        ));
    }
    Ok(bytes)
}

fn totp(secret: &[u8]) -> Result<TOTP> {
    TOTP::new(Algorithm::SHA1, DIGITS, 1, STEP_SECONDS, secret.to_vec()).map_err(Error::internal)
}

/// The `otpauth://` URI an authenticator app scans: `issuer` (the instance) and `account` (the
/// user's email address or username) label it.
pub fn otpauth_uri(secret: &[u8], issuer: &str, account: &str) -> String {
    let issuer = percent_encode(issuer);
    format!(
        "otpauth://totp/{issuer}:{}?secret={}&issuer={issuer}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECONDS}",
        percent_encode(account),
        encoded(secret),
    )
}

fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~@".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

fn step_of(now: DateTime<Utc>) -> u64 {
    u64::try_from(now.timestamp()).unwrap_or(0) / STEP_SECONDS
}

/// The step `code` belongs to, if it is right for a step within one of `now` and later than
/// `last_used` (a code is accepted once: replaying it, or an older one, fails).
pub fn matching_step(
    secret: &[u8],
    code: &str,
    now: DateTime<Utc>,
    last_used: Option<u64>,
) -> Result<Option<u64>> {
    let code = code.trim();
    if code.len() != DIGITS || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(None);
    }
    let totp = totp(secret)?;
    let current = step_of(now);
    let mut found = None;
    // Every candidate is computed and compared, in constant time each.
    for step in [current.saturating_sub(1), current, current + 1] {
        let expected = totp.generate(step * STEP_SECONDS);
        if bool::from(expected.as_bytes().ct_eq(code.as_bytes()))
            && last_used.is_none_or(|last| step > last)
        {
            found = Some(step);
        }
    }
    Ok(found)
}

/// New backup codes, as shown once to the user.
pub fn new_backup_codes() -> Vec<String> {
    let mut rng = rand::rng();
    (0..BACKUP_CODES)
        .map(|_| {
            (0..10)
                .map(|_| {
                    let i = usize::try_from(rng.next_u32()).unwrap_or(0) % BACKUP_ALPHABET.len();
                    char::from(BACKUP_ALPHABET.get(i).copied().unwrap_or(b'a'))
                })
                .collect()
        })
        .collect()
}

/// How a backup code of `user_id` is stored: a hash keyed with a server secret (`key`, derived
/// from the master key, so a stolen database alone cannot be searched offline) and salted with
/// the user, of the code as typed (case, spaces and dashes ignored).
pub fn backup_code_hash(key: &str, user_id: &str, code: &str) -> String {
    let normalized: String = code
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .flat_map(char::to_lowercase)
        .collect();
    crate::secrets::hash_secret(&format!("{key}:{user_id}:{normalized}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seconds: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(seconds, 0).unwrap()
    }

    #[test]
    fn rfc_6238_test_vector() {
        // RFC 6238, appendix B: SHA-1, secret "12345678901234567890", T = 59 s -> 94287082
        // (8 digits); the 6-digit code is its last six.
        let secret = b"12345678901234567890".to_vec();
        assert_eq!(totp(&secret).unwrap().generate(59), "287082");
        assert_eq!(
            matching_step(&secret, "287082", at(59), None).unwrap(),
            Some(1)
        );
    }

    #[test]
    fn a_code_is_good_one_step_either_side_and_only_once() {
        let secret = new_secret();
        let t = totp(&secret).unwrap();
        let now = at(1_800_000_000);
        let step = 1_800_000_000 / 30;
        let code = t.generate(step * 30);
        assert_eq!(
            matching_step(&secret, &code, now, None).unwrap(),
            Some(step)
        );
        // 30 s later the same code is the previous step's: still good once.
        assert_eq!(
            matching_step(&secret, &code, at(1_800_000_030), None).unwrap(),
            Some(step)
        );
        // Two steps later it is not.
        assert_eq!(
            matching_step(&secret, &code, at(1_800_000_060), None).unwrap(),
            None
        );
        // Used once, it is refused, and so is any older one.
        assert_eq!(
            matching_step(&secret, &code, now, Some(step)).unwrap(),
            None
        );
        let previous = t.generate((step - 1) * 30);
        assert_eq!(
            matching_step(&secret, &previous, now, Some(step)).unwrap(),
            None
        );
        assert_eq!(matching_step(&secret, "12345", now, None).unwrap(), None);
        assert_eq!(matching_step(&secret, "abcdef", now, None).unwrap(), None);
    }

    #[test]
    fn backup_codes_are_ten_distinct_and_hashed_per_user() {
        let codes = new_backup_codes();
        assert_eq!(codes.len(), 10);
        let mut unique = codes.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), 10);
        assert_eq!(
            backup_code_hash("k", "user_1", "ABCD-efgh 23"),
            backup_code_hash("k", "user_1", "abcdefgh23")
        );
        assert_ne!(
            backup_code_hash("k", "user_1", "abcdefgh23"),
            backup_code_hash("k", "user_2", "abcdefgh23")
        );
        assert_ne!(
            backup_code_hash("k", "user_1", "abcdefgh23"),
            backup_code_hash("other", "user_1", "abcdefgh23")
        );
    }

    #[test]
    fn the_uri_names_the_issuer_and_account() {
        let uri = otpauth_uri(&[1; 20], "My Shop", "jane@example.com");
        assert!(uri.starts_with("otpauth://totp/My%20Shop:jane@example.com?secret="));
        assert!(uri.contains("&issuer=My%20Shop&algorithm=SHA1&digits=6&period=30"));
    }
}
