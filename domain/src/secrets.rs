//! Secrets Latchkey issues (secret keys, admin tokens): generated from the operating system's
//! CSPRNG, shown once, stored only as a SHA-256 hash, compared in constant time.
//!
//! SHA-256 (not argon2) is right here: these are 256-bit random values, not passwords, so a
//! fast hash is safe and keeps per-request key lookups cheap.

use rand::RngCore;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// A new secret: `prefix` followed by 256 random bits in base58.
pub fn new_secret(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    format!("{prefix}{}", bs58::encode(bytes).into_string())
}

/// The hex SHA-256 of a secret, as stored.
pub fn hash_secret(secret: &str) -> String {
    lower_hex(&Sha256::digest(secret.as_bytes()))
}

/// `bytes` in lowercase hex, as `hex::encode` writes them. (Every token refresh writes two: the
/// client token's hash and the token's id. The digits come from a table rather than
/// `hex::encode`'s char iterator.)
pub fn lower_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut hex = String::with_capacity(2 * bytes.len());
    for byte in bytes {
        hex.push(char::from(DIGITS[usize::from(byte >> 4)]));
        hex.push(char::from(DIGITS[usize::from(byte & 0x0f)]));
    }
    hex
}

/// Whether `secret` hashes to `stored_hash`, compared in constant time.
pub fn secret_matches(secret: &str, stored_hash: &str) -> bool {
    hash_secret(secret)
        .as_bytes()
        .ct_eq(stored_hash.as_bytes())
        .into()
}

/// The last four characters of a secret, shown to tell keys apart.
pub fn hint(secret: &str) -> String {
    let chars: Vec<char> = secret.chars().collect();
    chars[chars.len().saturating_sub(4)..].iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_long_random_and_verify_only_against_their_hash() {
        let a = new_secret("sk_test_");
        let b = new_secret("sk_test_");
        assert_ne!(a, b);
        assert!(a.starts_with("sk_test_") && a.len() >= 8 + 43);
        let stored = hash_secret(&a);
        assert_eq!(stored.len(), 64);
        assert!(secret_matches(&a, &stored));
        assert!(!secret_matches(&b, &stored));
        assert_eq!(hint(&a), a[a.len() - 4..]);
        assert_eq!(hint("ab"), "ab");
        assert_eq!(
            hash_secret("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(stored, hex::encode(Sha256::digest(a.as_bytes())));
        let all: Vec<u8> = (0..=255).collect();
        assert_eq!(lower_hex(&all), hex::encode(&all));
        assert_eq!(lower_hex(&[]), "");
    }
}
