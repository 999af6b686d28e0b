//! Each instance's signing keys, held in memory: the current key parsed and ready to sign, the
//! published keys ready to verify, and the JWKS document. A token refresh reads only this.
//!
//! The ring reads the database again after `ttl` (so a rotation on another node reaches this
//! one), at once after a rotation here, and when asked about a `kid` it does not know (at most
//! once a second per instance, so made-up `kid`s cannot turn into a flood of queries).
//! An instance with no key gets one on first use.

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
/// The least time between two reads forced by an unknown `kid`.
const UNKNOWN_KID_REFRESH: Duration = Duration::from_secs(1);

/// The keys of one instance, as of one read.
pub struct InstanceKeys {
    /// Signs new tokens.
    pub signer: Signer,
    /// Every published key, the current one first.
    pub verification: Vec<VerificationKey>,
    /// The JWKS document (`{"keys": [...]}`).
    pub jwks: String,
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
    cache: RwLock<HashMap<String, Arc<InstanceKeys>>>,
    loading: tokio::sync::Mutex<()>,
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
            cache: RwLock::new(HashMap::new()),
            loading: tokio::sync::Mutex::new(()),
        }
    }

    /// The keys of `instance_id` when this node read them less than `ttl` ago.
    pub fn cached(&self, instance_id: &str) -> Option<Arc<InstanceKeys>> {
        let cache = self.cache.read().ok()?;
        let keys = cache.get(instance_id)?;
        (keys.loaded.elapsed() < self.ttl).then(|| keys.clone())
    }

    /// The keys of `instance`, read (and the first key made) when not cached.
    pub async fn keys(
        &self,
        db: &Db,
        instance: &Instance,
        now: DateTime<Utc>,
    ) -> Result<Arc<InstanceKeys>> {
        if let Some(keys) = self.cached(&instance.id) {
            return Ok(keys);
        }
        let _one_reader = self.loading.lock().await;
        if let Some(keys) = self.cached(&instance.id) {
            return Ok(keys);
        }
        self.load(db, instance, now).await
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
        match self.cached(&instance.id) {
            Some(fresh) if fresh.knows(kid) || fresh.loaded.elapsed() < UNKNOWN_KID_REFRESH => {
                Ok(fresh)
            }
            _ => self.load(db, instance, now).await,
        }
    }

    async fn load(
        &self,
        db: &Db,
        instance: &Instance,
        now: DateTime<Utc>,
    ) -> Result<Arc<InstanceKeys>> {
        let mut stored = signing_keys::published(db, &instance.id, now).await?;
        if !stored.iter().any(|k| k.current) {
            let key = self
                .new_key(instance.settings.tokens.algorithm, now)
                .await?;
            signing_keys::insert_current(db, &instance.id, &key).await?;
            tracing::info!(instance_id = %instance.id, kid = %key.kid, "created a signing key");
            stored = signing_keys::published(db, &instance.id, now).await?;
        }
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
        let mut verification = Vec::with_capacity(stored.len());
        let mut jwks = Vec::with_capacity(stored.len());
        // The current key first, then the others newest first.
        for key in std::iter::once(current).chain(stored.iter().filter(|k| k.kid != current.kid)) {
            verification.push(verification_key(&key.kid, key.algorithm, &key.public_jwk)?);
            jwks.push(key.public_jwk.clone());
        }
        Ok(InstanceKeys {
            signer,
            verification,
            jwks: serde_json::json!({ "keys": jwks }).to_string(),
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
        let key = self.new_key(algorithm, now).await?;
        let _one_reader = self.loading.lock().await;
        let txn = db.begin().await?;
        signing_keys::retire_current(
            &txn,
            &instance.id,
            now,
            now + self.retired_key_lifetime(instance),
        )
        .await?;
        signing_keys::insert_current(&txn, &instance.id, &key).await?;
        txn.commit().await?;
        tracing::info!(instance_id = %instance.id, kid = %key.kid, "rotated the signing key");
        self.load(db, instance, now).await
    }

    /// How long a retired key stays published: the longest token lifetime, the most skew, and
    /// the time another node may still sign with it before it reads the keys again.
    fn retired_key_lifetime(&self, instance: &Instance) -> chrono::Duration {
        let lifetime = i64::from(instance.settings.tokens.longest_lifetime_seconds());
        let cache = i64::try_from(self.ttl.as_secs()).unwrap_or(i64::MAX / 4);
        chrono::Duration::seconds(lifetime + MAX_LEEWAY_SECONDS as i64 + cache + 1)
    }
}
