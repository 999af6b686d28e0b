//! Password hashing: argon2id with OWASP's parameters (m = 19 MiB, t = 2, p = 1), as PHC strings,
//! on a bounded pool of blocking threads, so a burst of sign-ups queues here instead of taking
//! the threads that serve every other request.

use std::sync::Arc;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use tokio::sync::Semaphore;

use crate::{Error, Result};

/// OWASP's argon2id minimum: 19 MiB of memory, 2 passes, 1 lane.
const MEMORY_KIB: u32 = 19 * 1024;
const PASSES: u32 = 2;
const LANES: u32 = 1;

fn argon2() -> Result<Argon2<'static>> {
    let params = Params::new(MEMORY_KIB, PASSES, LANES, None).map_err(Error::internal)?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// Hashes and verifies passwords, at most `concurrency` at a time.
#[derive(Clone, Debug)]
pub struct Hasher {
    permits: Arc<Semaphore>,
}

impl Hasher {
    /// A pool that runs at most `concurrency` hashes at once (at least one).
    pub fn new(concurrency: usize) -> Self {
        Self {
            permits: Arc::new(Semaphore::new(concurrency.max(1))),
        }
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| Error::internal("the hasher pool is closed"))?;
        tokio::task::spawn_blocking(work)
            .await
            .map_err(Error::internal)?
    }

    /// The PHC string of `password` with a fresh salt.
    pub async fn hash(&self, password: String) -> Result<String> {
        self.run(move || {
            let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
            argon2()?
                .hash_password(password.as_bytes(), &salt)
                .map(|h| h.to_string())
                .map_err(|e| Error::internal(format!("hashing failed: {e}")))
        })
        .await
    }

    /// Whether `password` matches the PHC string `stored`.
    pub async fn verify(&self, password: String, stored: String) -> Result<bool> {
        self.run(move || {
            let parsed = PasswordHash::new(&stored)
                .map_err(|e| Error::internal(format!("a stored hash is unreadable: {e}")))?;
            Ok(argon2()?
                .verify_password(password.as_bytes(), &parsed)
                .is_ok())
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_are_owasp_argon2id_and_verify_only_their_password() {
        let hasher = Hasher::new(1);
        let hash = hasher.hash("correct horse".into()).await.unwrap();
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        assert!(
            hasher
                .verify("correct horse".into(), hash.clone())
                .await
                .unwrap()
        );
        assert!(
            !hasher
                .verify("wrong horse".into(), hash.clone())
                .await
                .unwrap()
        );
        let again = hasher.hash("correct horse".into()).await.unwrap();
        assert_ne!(hash, again, "every hash has its own salt");
    }
}
