//! Each instance's signing keys, held in memory: the current key parsed and ready to sign, the
//! published keys ready to verify, and the JWKS document. A token refresh reads only this.
//!
//! The ring reads the database again after `ttl` (so a rotation on another node reaches this
//! one: until then this node signs with the old key, which stays published), at once after a
//! rotation here, and when asked about a `kid` it does not know (at most once a second per
//! instance, so made-up `kid`s cannot turn into a flood of queries). One caller reads while
//! the others keep signing with the keys in memory. An instance with no key gets one on first
//! use; the JWKS is always read from the database.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use sea_orm::TransactionTrait;

use super::keys::{Signer, generate, verification_key};
use super::master_key::MasterKey;
use super::verify::{MAX_LEEWAY_SECONDS, VerificationKey};
use crate::ids::{IdKind, new_id};
use crate::model::instance::Instance;
use crate::model::settings::SigningAlgorithm;
use crate::store::Db;
use crate::store::signing_keys::{self, StoredKey};
use crate::{Error, Result};

/// How long a node signs with keys it read before reading them again.
pub const KEY_CACHE_TTL: Duration = Duration::from_secs(30);
/// How long after a failed refresh the keys in memory are used without trying again.
const RETRY_AFTER_FAILURE: Duration = Duration::from_secs(5);
/// The least time between two reads forced by an unknown `kid`.
const UNKNOWN_KID_REFRESH: Duration = Duration::from_secs(1);

/// The keys of one instance, as of one read.
pub struct InstanceKeys {
    /// Signs new tokens.
    pub signer: Signer,
    /// Every published key, newest first.
    pub verification: Vec<VerificationKey>,
    loaded: Instant,
}

impl std::fmt::Debug for InstanceKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InstanceKeys")
            .field("current", &self.signer.kid())
            .field("published", &self.verification.len())
            .finish_non_exhaustive()
    }
}

impl InstanceKeys {
    /// Whether a key with this id is published.
    pub fn knows(&self, kid: &str) -> bool {
        self.verification.iter().any(|k| k.kid == kid)
    }
}

/// Every instance's keys on this node.
pub struct KeyRing {
    master: MasterKey,
    ttl: Duration,
    /// By instance id (made by the server): a fast hasher is enough (every token looks here).
    cache: RwLock<HashMap<String, Arc<InstanceKeys>, foldhash::fast::RandomState>>,
    loading: tokio::sync::Mutex<()>,
    /// When a refresh of an instance's keys last failed.
    failed: std::sync::Mutex<HashMap<String, Instant>>,
}

impl std::fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyRing").finish_non_exhaustive()
    }
}

impl KeyRing {
    /// A ring whose private keys open with `master`.
    pub fn new(master: MasterKey, ttl: Duration) -> Self {
        Self {
            master,
            ttl,
            cache: RwLock::default(),
            loading: tokio::sync::Mutex::new(()),
            failed: std::sync::Mutex::new(HashMap::new()),
        }
    }

    /// Fails when the master key does not open the keys stored in `db` (it was changed or
    /// lost): better at start than on every token.
    pub async fn check_master_key(&self, db: &Db) -> Result<()> {
        match signing_keys::newest(db).await? {
            Some(key) if self.master.open(&key.kid, &key.sealed_private_key).is_err() => {
                Err(Error::validation(
                    "LATCHKEY_MASTER_KEY",
                    "does not open the signing keys stored in this database: start with the master key they were sealed with",
                ))
            }
            _ => Ok(()),
        }
    }

    /// Whether a refresh of the instance's keys failed less than [`RETRY_AFTER_FAILURE`] ago
    /// (tokens are signed with the keys in memory meanwhile, without waiting on the database).
    fn backing_off(&self, instance_id: &str) -> bool {
        self.failed.lock().is_ok_and(|failed| {
            failed
                .get(instance_id)
                .is_some_and(|at| at.elapsed() < RETRY_AFTER_FAILURE)
        })
    }

    fn entry(&self, instance_id: &str) -> Option<Arc<InstanceKeys>> {
        self.cache.read().ok()?.get(instance_id).cloned()
    }

    /// The keys of `instance`, read (and the first key made) when this node has none. Keys
    /// older than `ttl` are read again by one caller while the others go on signing with them;
    /// a failed read keeps them too (they are still published).
    pub async fn keys(
        &self,
        db: &Db,
        instance: &Instance,
        now: DateTime<Utc>,
    ) -> Result<Arc<InstanceKeys>> {
        match self.entry(&instance.id) {
            Some(keys) if keys.loaded.elapsed() < self.ttl => Ok(keys),
            Some(stale) => {
                if self.backing_off(&instance.id) {
                    return Ok(stale);
                }
                let Ok(_one_reader) = self.loading.try_lock() else {
                    return Ok(stale);
                };
                match self.load(db, instance, now).await {
                    Ok(keys) => Ok(keys),
                    Err(err) => {
                        tracing::warn!(error = %err, instance_id = %instance.id, "reading the signing keys again failed; signing with the ones in memory");
                        if let Ok(mut failed) = self.failed.lock() {
                            failed.insert(instance.id.clone(), Instant::now());
                        }
                        Ok(stale)
                    }
                }
            }
            None => {
                let _one_reader = self.loading.lock().await;
                match self.entry(&instance.id) {
                    Some(keys) => Ok(keys),
                    None => self.load(db, instance, now).await,
                }
            }
        }
    }

    /// The keys of `instance`, read again first when `kid` is not among them (a key made by
    /// another node since this one last read).
    pub async fn keys_knowing(
        &self,
        db: &Db,
        instance: &Instance,
        kid: &str,
        now: DateTime<Utc>,
    ) -> Result<Arc<InstanceKeys>> {
        let keys = self.keys(db, instance, now).await?;
        if keys.knows(kid) || keys.loaded.elapsed() < UNKNOWN_KID_REFRESH {
            return Ok(keys);
        }
        let _one_reader = self.loading.lock().await;
        match self.entry(&instance.id) {
            Some(fresh) if fresh.knows(kid) || fresh.loaded.elapsed() < UNKNOWN_KID_REFRESH => {
                Ok(fresh)
            }
            _ => self.load(db, instance, now).await,
        }
    }

    /// The JWKS document of `instance` as the database holds it now (a verifier that meets a
    /// new `kid` must find it here, whichever node it asks).
    pub async fn jwks(&self, db: &Db, instance: &Instance, now: DateTime<Utc>) -> Result<String> {
        let mut stored = signing_keys::published(db, &instance.id, now).await?;
        if !stored.iter().any(|k| k.current) {
            self.keys(db, instance, now).await?;
            stored = signing_keys::published(db, &instance.id, now).await?;
        }
        Ok(jwks_document(&stored))
    }

    /// Reads the keys of `instance` (the caller holds `loading`). An instance without a key
    /// gets one; one whose key does not have the algorithm its settings name gets a new one.
    async fn load(
        &self,
        db: &Db,
        instance: &Instance,
        now: DateTime<Utc>,
    ) -> Result<Arc<InstanceKeys>> {
        let stored = signing_keys::published(db, &instance.id, now).await?;
        let stored = match stored.iter().find(|k| k.current).map(|k| k.algorithm) {
            None => {
                let key = self
                    .new_key(instance.settings.tokens.algorithm, now)
                    .await?;
                // Another node may make the first key at the same time: one current key per
                // instance is unique, and the loser reads the winner's.
                if signing_keys::insert_current(db, &instance.id, &key).await? {
                    tracing::info!(instance_id = %instance.id, kid = %key.kid, "created a signing key");
                } else {
                    tracing::info!(instance_id = %instance.id, "another node made the first signing key");
                }
                signing_keys::published(db, &instance.id, now).await?
            }
            Some(algorithm) if algorithm != instance.settings.tokens.algorithm => {
                // An algorithm change whose rotation did not happen; or this node's copy of the
                // settings is older than the key. The database decides.
                let fresh = crate::store::instances::get(db, &instance.id).await?;
                if fresh.settings.tokens.algorithm == algorithm {
                    stored
                } else {
                    self.replace_current(db, &fresh, fresh.settings.tokens.algorithm, now)
                        .await?;
                    signing_keys::published(db, &instance.id, now).await?
                }
            }
            Some(_) => stored,
        };
        let keys = Arc::new(self.open(&stored)?);
        if let Ok(mut cache) = self.cache.write() {
            cache.insert(instance.id.clone(), keys.clone());
        }
        Ok(keys)
    }

    fn open(&self, stored: &[StoredKey]) -> Result<InstanceKeys> {
        let current = stored
            .iter()
            .find(|k| k.current)
            .ok_or_else(|| Error::internal("an instance has no current signing key"))?;
        let private = self
            .master
            .open(&current.kid, &current.sealed_private_key)?;
        let signer = Signer::from_pkcs8(&current.kid, current.algorithm, &private)?;
        let verification = stored
            .iter()
            .map(|key| verification_key(&key.kid, key.algorithm, &key.public_jwk))
            .collect::<Result<Vec<_>>>()?;
        Ok(InstanceKeys {
            signer,
            verification,
            loaded: Instant::now(),
        })
    }

    async fn new_key(&self, algorithm: SigningAlgorithm, now: DateTime<Utc>) -> Result<StoredKey> {
        let kid = new_id(IdKind::SigningKey);
        let made = {
            let kid = kid.clone();
            // RSA key generation takes a while: keep it off the actor threads.
            tokio::task::spawn_blocking(move || generate(&kid, algorithm))
                .await
                .map_err(Error::internal)??
        };
        Ok(StoredKey {
            sealed_private_key: self.master.seal(&kid, &made.private_pkcs8)?,
            kid,
            algorithm,
            public_jwk: made.public_jwk,
            current: true,
            created_at: now,
        })
    }

    /// Makes a new current key of `algorithm` for `instance`; the old one stays published
    /// until every token it signed (on any node) has expired. Gives the new keys.
    pub async fn rotate(
        &self,
        db: &Db,
        instance: &Instance,
        algorithm: SigningAlgorithm,
        now: DateTime<Utc>,
    ) -> Result<Arc<InstanceKeys>> {
        let _one_reader = self.loading.lock().await;
        self.replace_current(db, instance, algorithm, now).await?;
        self.load(db, instance, now).await
    }

    async fn replace_current(
        &self,
        db: &Db,
        instance: &Instance,
        algorithm: SigningAlgorithm,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let key = self.new_key(algorithm, now).await?;
        // A template token may have been issued with any lifetime a template ever had: with
        // templates, the longest any may have.
        let templates = crate::store::jwt_templates::any(db, &instance.id).await?;
        let longest = if templates {
            crate::jwt_templates::MAX_LIFETIME_SECONDS
        } else {
            instance.settings.tokens.longest_lifetime_seconds()
        };
        let txn = db.begin().await?;
        signing_keys::retire_current(
            &txn,
            &instance.id,
            now,
            now + self.retired_key_lifetime(longest),
        )
        .await?;
        if !signing_keys::insert_current(&txn, &instance.id, &key).await? {
            // Another node rotated at the same moment: its new key is the current one.
            txn.rollback().await?;
            tracing::info!(instance_id = %instance.id, "another node rotated the signing key at the same time");
            return Ok(());
        }
        txn.commit().await?;
        tracing::info!(instance_id = %instance.id, kid = %key.kid, "rotated the signing key");
        Ok(())
    }

    /// How long a retired key stays published: the longest token lifetime, the most skew, and
    /// the time another node may still sign with it before it reads the keys again.
    fn retired_key_lifetime(&self, longest_token_seconds: u32) -> chrono::Duration {
        let lifetime = i64::from(longest_token_seconds);
        let cache = i64::try_from(self.ttl.as_secs()).unwrap_or(i64::MAX / 4);
        chrono::Duration::seconds(lifetime + MAX_LEEWAY_SECONDS as i64 + cache + 1)
    }
}

/// `{"keys": [...]}`: the public halves, newest first.
fn jwks_document(stored: &[StoredKey]) -> String {
    let keys: Vec<&serde_json::Value> = stored.iter().map(|k| &k.public_jwk).collect();
    serde_json::json!({ "keys": keys }).to_string()
}
