//! The issuer's public keys: fetched from its JWKS, cached in memory, refetched when they are
//! old or when a token names a key not seen yet.
//!
//! - keys are kept for a time to live (5 minutes by default), then fetched again;
//! - an unknown `kid` fetches the set again (a key was rotated in), but at most once per
//!   [`MIN_REFETCH_INTERVAL`]: tokens with made-up `kid`s cannot make this hammer the issuer;
//! - one fetch at a time: callers that need keys while a fetch is in flight wait for it and use
//!   its result;
//! - a failed fetch keeps the keys held, and no fetch is tried again for
//!   [`MIN_REFETCH_INTERVAL`].

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk, OctetKeyPairType};
use jsonwebtoken::{Algorithm, DecodingKey};
use serde::Deserialize;

use crate::Rejection;

/// How long fetched keys are used before the set is fetched again, by default.
pub const DEFAULT_KEYS_TTL: Duration = Duration::from_secs(5 * 60);
/// The least time between two fetches made for an unknown `kid`, and after a failed fetch.
pub const MIN_REFETCH_INTERVAL: Duration = Duration::from_secs(5);
/// How long a fetch of the key set may take.
pub const FETCH_TIMEOUT: Duration = Duration::from_secs(5);
/// The largest key set read; a longer answer is a failed fetch.
pub const MAX_JWKS_BYTES: usize = 256 * 1024;

/// A public key a token may be signed with, and the one algorithm it verifies.
#[derive(Clone)]
pub(crate) struct VerificationKey {
    pub kid: String,
    pub algorithm: Algorithm,
    pub key: DecodingKey,
}

/// Why a key set could not be fetched.
#[derive(Debug, thiserror::Error)]
pub(crate) enum FetchError {
    #[error("no HTTP client")]
    NoClient,
    #[error("request failed: {0}")]
    Request(#[from] reqwest::Error),
    #[error("answered {0}")]
    Status(reqwest::StatusCode),
    #[error("the key set is larger than {MAX_JWKS_BYTES} bytes")]
    TooLarge,
    #[error("not a key set: {0}")]
    Json(#[from] serde_json::Error),
}

#[derive(Default)]
struct State {
    keys: Arc<Vec<VerificationKey>>,
    /// When keys were last fetched successfully.
    fetched_at: Option<Instant>,
    /// When a fetch last failed.
    failed_at: Option<Instant>,
    /// When the set was last fetched because of an unknown `kid`.
    miss_fetched_at: Option<Instant>,
    /// Counts fetches (successful or not): a caller that waited for another's fetch sees it
    /// changed and does not fetch again.
    generation: u64,
}

/// The cached key set of one JWKS URL.
pub(crate) struct KeyCache {
    url: String,
    http: Option<reqwest::Client>,
    ttl: Duration,
    state: Mutex<State>,
    /// Held for the length of a fetch: one in flight at a time.
    fetching: tokio::sync::Mutex<()>,
    /// Where "now" comes from (the monotonic clock; tests move their own).
    clock: Clock,
}

/// A source of the current instant.
pub type Clock = Arc<dyn Fn() -> Instant + Send + Sync>;

impl KeyCache {
    pub fn new(url: String, http: Option<reqwest::Client>, ttl: Duration) -> Self {
        Self {
            url,
            http,
            ttl,
            state: Mutex::new(State::default()),
            fetching: tokio::sync::Mutex::new(()),
            clock: Arc::new(Instant::now),
        }
    }

    /// The same cache reading time from `clock`.
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    pub fn clock(&self) -> Clock {
        Arc::clone(&self.clock)
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn client(&self) -> Option<&reqwest::Client> {
        self.http.as_ref()
    }

    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The key named `kid`, fetching the set when it is old, or when `kid` is unknown and no
    /// such fetch was made in the last [`MIN_REFETCH_INTERVAL`].
    pub async fn key(&self, kid: &str) -> Result<VerificationKey, Rejection> {
        let (keys, generation, fetch) = {
            let state = self.state();
            let now = (self.clock)();
            let recent = |at: Option<Instant>, within: Duration| {
                at.is_some_and(|at| now.saturating_duration_since(at) < within)
            };
            let fresh = recent(state.fetched_at, self.ttl);
            let known = find(&state.keys, kid).is_some();
            let miss = fresh && !known;
            let fetch = !recent(state.failed_at, MIN_REFETCH_INTERVAL)
                && (!fresh || (miss && !recent(state.miss_fetched_at, MIN_REFETCH_INTERVAL)));
            (
                Arc::clone(&state.keys),
                state.generation,
                fetch.then_some(miss),
            )
        };
        let keys = match fetch {
            Some(miss) => self.fetch_once(generation, miss).await,
            None => keys,
        };
        if let Some(key) = find(&keys, kid) {
            return Ok(key.clone());
        }
        if self.state().failed_at.is_some() {
            // The last fetch failed: the key may well exist, it cannot be checked now.
            return Err(Rejection::KeysUnavailable);
        }
        Err(Rejection::InvalidSignature)
    }

    /// Fetches the set (`miss`: because a fresh set lacked a `kid`), unless a fetch made while
    /// this caller waited for its turn already did; either way, the keys held afterwards.
    async fn fetch_once(&self, seen_generation: u64, miss: bool) -> Arc<Vec<VerificationKey>> {
        let _turn = self.fetching.lock().await;
        {
            let state = self.state();
            if state.generation != seen_generation {
                return Arc::clone(&state.keys);
            }
        }
        let fetched = self.fetch().await;
        let mut state = self.state();
        let now = (self.clock)();
        state.generation = state.generation.wrapping_add(1);
        if miss {
            state.miss_fetched_at = Some(now);
        }
        match fetched {
            Ok(keys) => {
                tracing::debug!(url = %self.url, keys = keys.len(), "fetched the key set");
                state.keys = Arc::new(keys);
                state.fetched_at = Some(now);
                state.failed_at = None;
            }
            Err(err) => {
                tracing::warn!(url = %self.url, error = %err, "could not fetch the key set; keeping the keys held");
                state.failed_at = Some(now);
            }
        }
        Arc::clone(&state.keys)
    }

    async fn fetch(&self) -> Result<Vec<VerificationKey>, FetchError> {
        let http = self.http.as_ref().ok_or(FetchError::NoClient)?;
        let mut response = http
            .get(&self.url)
            .header(reqwest::header::ACCEPT, "application/json")
            .send()
            .await?;
        if !response.status().is_success() {
            return Err(FetchError::Status(response.status()));
        }
        if response
            .content_length()
            .is_some_and(|length| length > MAX_JWKS_BYTES as u64)
        {
            return Err(FetchError::TooLarge);
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await? {
            if body.len() + chunk.len() > MAX_JWKS_BYTES {
                return Err(FetchError::TooLarge);
            }
            body.extend_from_slice(&chunk);
        }
        parse_key_set(&body)
    }
}

fn find<'a>(keys: &'a [VerificationKey], kid: &str) -> Option<&'a VerificationKey> {
    keys.iter().find(|key| key.kid == kid)
}

/// The usable keys of a JWKS document. A key without `kid`, without `alg`, not for signatures,
/// of a symmetric algorithm, or whose type does not fit its algorithm is skipped.
pub(crate) fn parse_key_set(body: &[u8]) -> Result<Vec<VerificationKey>, FetchError> {
    #[derive(Deserialize)]
    struct KeySet {
        keys: Vec<serde_json::Value>,
    }
    let set: KeySet = serde_json::from_slice(body)?;
    Ok(set
        .keys
        .into_iter()
        .filter_map(|value| match verification_key(value) {
            Ok(key) => Some(key),
            Err(why) => {
                tracing::warn!(why, "skipping a key of the key set");
                None
            }
        })
        .collect())
}

fn verification_key(value: serde_json::Value) -> Result<VerificationKey, &'static str> {
    let jwk: Jwk = serde_json::from_value(value).map_err(|_| "not a JWK")?;
    let kid = jwk.common.key_id.clone().ok_or("no kid")?;
    if jwk
        .common
        .public_key_use
        .as_ref()
        .is_some_and(|u| *u != jsonwebtoken::jwk::PublicKeyUse::Signature)
    {
        return Err("not a signing key");
    }
    let alg = jwk.common.key_algorithm.ok_or("no alg")?;
    let algorithm = Algorithm::try_from(alg).map_err(|_| "not a signing algorithm")?;
    let fits = match (&jwk.algorithm, algorithm) {
        (AlgorithmParameters::EllipticCurve(ec), Algorithm::ES256) => {
            ec.curve == EllipticCurve::P256
        }
        (AlgorithmParameters::EllipticCurve(ec), Algorithm::ES384) => {
            ec.curve == EllipticCurve::P384
        }
        (AlgorithmParameters::OctetKeyPair(okp), Algorithm::EdDSA) => {
            okp.key_type == OctetKeyPairType::OctetKeyPair && okp.curve == EllipticCurve::Ed25519
        }
        (
            AlgorithmParameters::RSA(_),
            Algorithm::RS256
            | Algorithm::RS384
            | Algorithm::RS512
            | Algorithm::PS256
            | Algorithm::PS384
            | Algorithm::PS512,
        ) => true,
        // HS* (a shared secret is never published), and any type/algorithm mismatch.
        _ => false,
    };
    if !fits {
        return Err("the key type does not fit its algorithm");
    }
    let key = DecodingKey::from_jwk(&jwk).map_err(|_| "unusable key")?;
    Ok(VerificationKey {
        kid,
        algorithm,
        key,
    })
}
