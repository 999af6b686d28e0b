//! Password hashing: argon2id with OWASP's parameters (m = 19 MiB, t = 2, p = 1), as PHC strings,
//! on a pool of its own: a fixed number of threads at the lowest CPU priority (nice 19). A burst
//! of sign-ups queues here and takes only the CPU that requests leave over, so it never takes
//! the threads, or the time, that serve every other request.

use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use tokio::sync::oneshot;

use crate::{Error, Result};

/// OWASP's argon2id minimum: 19 MiB of memory, 2 passes, 1 lane.
const MEMORY_KIB: u32 = 19 * 1024;
const PASSES: u32 = 2;
const LANES: u32 = 1;

fn argon2() -> Result<Argon2<'static>> {
    let params = Params::new(MEMORY_KIB, PASSES, LANES, None).map_err(Error::internal)?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

type Job = Box<dyn FnOnce() + Send>;

/// Hashes and verifies passwords on `threads` dedicated threads.
#[derive(Clone, Debug)]
pub struct Hasher {
    jobs: Sender<Job>,
}

fn work(jobs: &Mutex<Receiver<Job>>) {
    // Lowest priority: the scheduler runs hashing only when request threads leave the CPU
    // free (without starving it: a nice-19 thread still gets its small share).
    if let Err(err) =
        thread_priority::set_current_thread_priority(thread_priority::ThreadPriority::Min)
    {
        tracing::warn!(error = ?err, "could not lower the priority of a hashing thread");
    }
    loop {
        let next = match jobs.lock() {
            Ok(receiver) => receiver.recv(),
            Err(_) => return,
        };
        match next {
            Ok(job) => job(),
            // Every `Hasher` is gone: the pool ends.
            Err(_) => return,
        }
    }
}

impl Hasher {
    /// A pool of `threads` hashing threads (at least one). They end when the last clone of the
    /// `Hasher` is dropped.
    pub fn new(threads: usize) -> Result<Self> {
        let (jobs, receiver) = mpsc::channel::<Job>();
        let receiver = Arc::new(Mutex::new(receiver));
        for n in 0..threads.max(1) {
            let receiver = receiver.clone();
            std::thread::Builder::new()
                .name(format!("latchkey-hasher-{n}"))
                .spawn(move || work(&receiver))
                .map_err(Error::internal)?;
        }
        Ok(Self { jobs })
    }

    async fn run<T: Send + 'static>(
        &self,
        job: impl FnOnce() -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let (reply, answer) = oneshot::channel();
        let job: Job = Box::new(move || {
            // A request that gave up (its time budget ran out) costs no hash.
            if !reply.is_closed() {
                let _ = reply.send(job());
            }
        });
        self.jobs
            .send(job)
            .map_err(|_| Error::internal("the hasher pool has stopped"))?;
        answer
            .await
            .map_err(|_| Error::internal("a hashing thread stopped"))?
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

    /// Whether `password` matches `stored`: a PHC string (argon2id, or an imported argon2i), or
    /// an imported bcrypt hash.
    pub async fn verify(&self, password: String, stored: String) -> Result<bool> {
        self.run(move || {
            if crate::model::password_digest::is_bcrypt(&stored) {
                return bcrypt::verify(password.as_bytes(), &stored)
                    .map_err(|e| Error::internal(format!("a stored hash is unreadable: {e}")));
            }
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
        let hasher = Hasher::new(1).unwrap();
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

    #[tokio::test]
    async fn a_pool_of_two_hashes_many_at_once() {
        let hasher = Hasher::new(2).unwrap();
        let hashes =
            futures_util::future::join_all((0..6).map(|i| hasher.hash(format!("password {i}"))))
                .await;
        assert!(
            hashes
                .iter()
                .all(|h| h.as_ref().is_ok_and(|h| h.starts_with("$argon2id$")))
        );
    }
}
