//! The master key: 256 bits that seal every instance's private signing keys at rest
//! (AES-256-GCM, a random nonce per key, the key's id as associated data so a sealed key cannot
//! be moved to another row).
//!
//! It comes from `LATCHKEY_MASTER_KEY` (base64 or hex), or, for the embedded default, from a
//! file beside the database that the first start creates (mode 0600, with a warning: whoever
//! reads the database and that file can sign tokens).

use std::path::Path;

use aws_lc_rs::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use rand::RngCore;

use crate::{Error, Result};

/// The length of the master key in bytes.
pub const MASTER_KEY_BYTES: usize = 32;

/// The key that seals private signing keys.
#[derive(Clone)]
pub struct MasterKey([u8; MASTER_KEY_BYTES]);

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MasterKey(…)")
    }
}

impl MasterKey {
    /// A new random master key.
    pub fn generate() -> Self {
        let mut bytes = [0u8; MASTER_KEY_BYTES];
        rand::rng().fill_bytes(&mut bytes);
        Self(bytes)
    }

    /// Reads a master key written as base64 (standard or URL-safe) or hex.
    pub fn parse(text: &str) -> Result<Self> {
        let text = text.trim();
        let bytes = hex::decode(text)
            .ok()
            .or_else(|| STANDARD.decode(text).ok())
            .or_else(|| URL_SAFE_NO_PAD.decode(text).ok())
            .ok_or_else(|| {
                Error::validation("masterKey", "the master key must be base64 or hex")
            })?;
        let bytes: [u8; MASTER_KEY_BYTES] = bytes.try_into().map_err(|_| {
            Error::validation("masterKey", "the master key must be exactly 32 bytes")
        })?;
        Ok(Self(bytes))
    }

    /// The key in `path`, or a new one written there when the file does not exist yet.
    /// Gives whether it was created.
    pub fn load_or_create(path: &Path) -> Result<(Self, bool)> {
        match std::fs::read_to_string(path) {
            Ok(text) => Ok((Self::parse(&text)?, false)),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                let key = Self::generate();
                write_private(path, &format!("{}\n", STANDARD.encode(key.0)))?;
                Ok((key, true))
            }
            Err(err) => Err(Error::internal(err)),
        }
    }

    /// A key for `purpose` derived from this one (hex): keys hashes of secrets that need a
    /// server-side secret without sealing them.
    pub fn derive(&self, purpose: &str) -> String {
        use sha2::{Digest, Sha256};
        let mut hasher = Sha256::new();
        hasher.update(b"latchkey-derive:");
        hasher.update(purpose.as_bytes());
        hasher.update(b":");
        hasher.update(self.0);
        hex::encode(hasher.finalize())
    }

    fn aead(&self) -> Result<LessSafeKey> {
        let key = UnboundKey::new(&AES_256_GCM, &self.0).map_err(Error::internal)?;
        Ok(LessSafeKey::new(key))
    }

    /// Seals `plaintext`, bound to `context` (the key id): base64 of nonce and ciphertext.
    pub fn seal(&self, context: &str, plaintext: &[u8]) -> Result<String> {
        let mut nonce = [0u8; NONCE_LEN];
        rand::rng().fill_bytes(&mut nonce);
        let mut sealed = plaintext.to_vec();
        self.aead()?
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(context.as_bytes()),
                &mut sealed,
            )
            .map_err(Error::internal)?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        Ok(STANDARD.encode(out))
    }

    /// Opens what [`seal`](Self::seal) gave for the same `context`. A wrong master key, another
    /// context or any change to the text fails.
    pub fn open(&self, context: &str, sealed: &str) -> Result<Vec<u8>> {
        let bytes = STANDARD.decode(sealed).map_err(Error::internal)?;
        if bytes.len() < NONCE_LEN {
            return Err(Error::internal("a sealed key is too short"));
        }
        let (nonce, ciphertext) = bytes.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(Error::internal)?;
        let mut buffer = ciphertext.to_vec();
        let plain = self
            .aead()?
            .open_in_place(nonce, Aad::from(context.as_bytes()), &mut buffer)
            .map_err(|_| {
                Error::internal(
                    "a signing key does not open with this master key (was it changed?)",
                )
            })?;
        Ok(plain.to_vec())
    }
}

#[cfg(unix)]
fn write_private(path: &Path, text: &str) -> Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(Error::internal)?;
    file.write_all(text.as_bytes()).map_err(Error::internal)?;
    file.sync_all().map_err(Error::internal)
}

#[cfg(not(unix))]
fn write_private(path: &Path, text: &str) -> Result<()> {
    std::fs::write(path, text).map_err(Error::internal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_text_opens_only_with_the_same_key_and_context() {
        let key = MasterKey::generate();
        let sealed = key.seal("key_a", b"private").unwrap();
        assert!(!sealed.contains("private"));
        assert_eq!(key.open("key_a", &sealed).unwrap(), b"private");
        assert!(key.open("key_b", &sealed).is_err());
        assert!(MasterKey::generate().open("key_a", &sealed).is_err());
        let mut bytes = STANDARD.decode(&sealed).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        assert!(key.open("key_a", &STANDARD.encode(bytes)).is_err());
        assert!(key.open("key_a", "AAAA").is_err());
    }

    #[test]
    fn keys_parse_from_hex_or_base64_of_32_bytes() {
        let bytes = [7u8; 32];
        assert!(MasterKey::parse(&hex::encode(bytes)).is_ok());
        assert!(MasterKey::parse(&STANDARD.encode(bytes)).is_ok());
        assert!(MasterKey::parse(&URL_SAFE_NO_PAD.encode(bytes)).is_ok());
        assert!(MasterKey::parse(&hex::encode([7u8; 16])).is_err());
        assert!(MasterKey::parse("not a key").is_err());
    }

    #[test]
    fn the_key_file_is_created_once_and_read_back() {
        let dir = std::env::temp_dir().join(format!("lk-master-{}", rand::rng().next_u64()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("master.key");
        let (first, created) = MasterKey::load_or_create(&path).unwrap();
        assert!(created);
        let (again, created) = MasterKey::load_or_create(&path).unwrap();
        assert!(!created);
        assert_eq!(first.0, again.0);
        std::fs::remove_dir_all(dir).unwrap();
    }
}
