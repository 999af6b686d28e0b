//! Verifies Latchkey session tokens in your own backend, with no database and no call to
//! Latchkey per request: only its public keys, fetched from the instance's JWKS and cached.
//!
//! ```no_run
//! # async fn run(token: &str) -> Result<(), latchkey_verify::Rejection> {
//! use latchkey_verify::Verifier;
//!
//! let verifier = Verifier::new("https://auth.example.com/i/ins_123")
//!     .with_authorized_parties(vec!["https://app.example.com".to_owned()]);
//! let claims = verifier.verify(token).await?;
//! println!("user {} in session {}", claims.sub, claims.sid);
//! # Ok(()) }
//! ```
//!
//! The rules are the server's own (`verifyToken`):
//! - the algorithm is the key's, found by the header's `kid`; the header's `alg` must equal the
//!   key's, so `none`, HS256 with a public key and algorithm swaps fail;
//! - `jku`, `x5u` and `jwk` headers are ignored: keys come only from the configured JWKS URL;
//! - `exp`, `nbf`, `iat`, `iss`, `sub` and `sid` are required and typed, and `v` must be 2;
//! - the issuer must be the configured one; time is checked with at most 5 seconds of leeway;
//! - `azp` must be one of the authorized parties when any are configured;
//! - a token longer than 16 KiB is refused without being parsed.
//!
//! For actix-web, [`middleware::Authenticate`] checks the request's token and hands handlers an
//! [`Auth`].

mod claims;
pub mod jwks;
pub mod middleware;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use jsonwebtoken::{Validation, decode, decode_header};

pub use claims::{Claims, Organization};
pub use middleware::{Auth, Authenticate, Unauthenticated};

use claims::{Expectations, check, peek_issuer};
use jwks::{DEFAULT_KEYS_TTL, FETCH_TIMEOUT, KeyCache};

/// The largest token looked at; anything longer is malformed without parsing.
pub const MAX_TOKEN_BYTES: usize = 16 * 1024;
/// The `v` claim of a session token.
pub const SESSION_TOKEN_VERSION: u32 = 2;
/// The most clock skew ever allowed, in seconds (also the default).
pub const MAX_LEEWAY_SECONDS: u64 = 5;

/// Why a token was refused. [`Rejection::reason`] is the spelling Latchkey's `verifyToken` uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, thiserror::Error)]
pub enum Rejection {
    /// The token's `exp` has passed.
    #[error("the token has expired")]
    Expired,
    /// The token's `nbf` or `iat` is still to come.
    #[error("the token is not valid yet")]
    NotActiveYet,
    /// The signature does not hold, the key is unknown, or the algorithm is not the key's.
    #[error("the token's signature is not valid")]
    InvalidSignature,
    /// The token was issued by another issuer (another instance, another server).
    #[error("the token was issued by another issuer")]
    InvalidIssuer,
    /// `azp` is missing or not among the authorized parties.
    #[error("the token's authorized party is not allowed")]
    InvalidAuthorizedParty,
    /// Not a session token: not a JWT, too long, a claim missing or of the wrong type.
    #[error("the token is malformed")]
    Malformed,
    /// The issuer's keys could not be fetched, so the token could not be checked.
    #[error("the issuer's keys could not be fetched")]
    KeysUnavailable,
}

impl Rejection {
    /// The machine-readable reason: `token-expired`, `token-not-active-yet`,
    /// `token-invalid-signature`, `token-invalid-issuer`, `token-invalid-azp`,
    /// `token-malformed` or `jwks-unavailable`.
    pub fn reason(self) -> &'static str {
        match self {
            Self::Expired => "token-expired",
            Self::NotActiveYet => "token-not-active-yet",
            Self::InvalidSignature => "token-invalid-signature",
            Self::InvalidIssuer => "token-invalid-issuer",
            Self::InvalidAuthorizedParty => "token-invalid-azp",
            Self::Malformed => "token-malformed",
            Self::KeysUnavailable => "jwks-unavailable",
        }
    }
}

/// Verifies the session tokens of one Latchkey instance. Build it once and share it (it holds
/// the cached keys and an HTTP client): `Arc<Verifier>`.
pub struct Verifier {
    issuer: String,
    authorized_parties: Vec<String>,
    leeway_seconds: u64,
    keys: KeyCache,
}

impl std::fmt::Debug for Verifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verifier")
            .field("issuer", &self.issuer)
            .field("jwks_url", &self.keys.url())
            .field("authorized_parties", &self.authorized_parties)
            .field("leeway_seconds", &self.leeway_seconds)
            .finish_non_exhaustive()
    }
}

impl Verifier {
    /// A verifier for the instance whose issuer is `issuer` (`{publicUrl}/i/{instanceId}`, a
    /// trailing `/` is dropped). Its keys are read from `{issuer}/.well-known/jwks.json`.
    pub fn new(issuer: impl Into<String>) -> Self {
        let issuer = issuer.into().trim_end_matches('/').to_owned();
        let url = format!("{issuer}/.well-known/jwks.json");
        Self {
            issuer,
            authorized_parties: Vec::new(),
            leeway_seconds: MAX_LEEWAY_SECONDS,
            keys: KeyCache::new(url, default_client(), DEFAULT_KEYS_TTL),
        }
    }

    /// Only tokens whose `azp` is one of `parties` (origins such as
    /// `https://app.example.com`) are accepted; a token without `azp` is then refused too.
    /// An empty list (the default) accepts any `azp`.
    pub fn with_authorized_parties(mut self, parties: Vec<String>) -> Self {
        self.authorized_parties = parties;
        self
    }

    /// The origins a token's `azp` must be one of (also the origins a request authenticated by
    /// the session cookie may come from with an unsafe method).
    pub fn authorized_parties(&self) -> &[String] {
        &self.authorized_parties
    }

    /// The clock skew allowed, in seconds; more than [`MAX_LEEWAY_SECONDS`] (the default) is
    /// cut to it.
    pub fn with_leeway(mut self, seconds: u64) -> Self {
        self.leeway_seconds = seconds.min(MAX_LEEWAY_SECONDS);
        self
    }

    /// Reads the keys from `url` instead of `{issuer}/.well-known/jwks.json` (when the issuer
    /// is reached at another address from this backend, say). Drops any key already fetched.
    pub fn with_jwks_url(mut self, url: impl Into<String>) -> Self {
        self.keys = KeyCache::new(url.into(), self.keys_client(), self.keys_ttl())
            .with_clock(self.keys.clock());
        self
    }

    /// How long fetched keys are used before the set is fetched again (5 minutes by default).
    /// Drops any key already fetched.
    pub fn with_keys_ttl(mut self, ttl: Duration) -> Self {
        self.keys = KeyCache::new(self.keys.url().to_owned(), self.keys_client(), ttl)
            .with_clock(self.keys.clock());
        self
    }

    /// Reads the monotonic time for the key cache (its TTL and refetch limits) from `clock`
    /// instead of `Instant::now`: for tests that move time rather than wait for it. Token
    /// times are checked against the `now` given to [`verify_at`](Self::verify_at).
    pub fn with_monotonic_clock(
        mut self,
        clock: impl Fn() -> std::time::Instant + Send + Sync + 'static,
    ) -> Self {
        self.keys = KeyCache::new(
            self.keys.url().to_owned(),
            self.keys_client(),
            self.keys_ttl(),
        )
        .with_clock(std::sync::Arc::new(clock));
        self
    }

    /// Fetches the keys with `client` (for a proxy, or custom root certificates). Redirects
    /// should stay off: the keys must come from the configured URL.
    pub fn with_http_client(mut self, client: reqwest::Client) -> Self {
        self.keys = KeyCache::new(self.keys.url().to_owned(), Some(client), self.keys_ttl())
            .with_clock(self.keys.clock());
        self
    }

    fn keys_client(&self) -> Option<reqwest::Client> {
        self.keys.client().cloned()
    }

    fn keys_ttl(&self) -> Duration {
        self.keys.ttl()
    }

    /// The issuer tokens must name.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// The URL the keys are read from.
    pub fn jwks_url(&self) -> &str {
        self.keys.url()
    }

    /// Verifies `token` now, by the system clock.
    pub async fn verify(&self, token: &str) -> Result<Claims, Rejection> {
        self.verify_at(token, unix_now()).await
    }

    /// Verifies `token` as of `now` (seconds since the Unix epoch).
    pub async fn verify_at(&self, token: &str, now: i64) -> Result<Claims, Rejection> {
        if token.len() > MAX_TOKEN_BYTES || token.bytes().filter(|b| *b == b'.').count() != 2 {
            return Err(Rejection::Malformed);
        }
        let header = decode_header(token).map_err(|_| Rejection::Malformed)?;
        let kid = header.kid.as_deref().ok_or(Rejection::Malformed)?;
        // Another issuer's token is refused before any key is looked up, let alone fetched.
        if peek_issuer(token)? != self.issuer {
            return Err(Rejection::InvalidIssuer);
        }
        let key = self.keys.key(kid).await?;
        if header.alg != key.algorithm {
            return Err(Rejection::InvalidSignature);
        }
        let mut validation = Validation::new(key.algorithm);
        validation.validate_exp = false;
        validation.validate_nbf = false;
        validation.validate_aud = false;
        validation.required_spec_claims.clear();
        validation.leeway = 0;
        let claims = decode::<Claims>(token, &key.key, &validation)
            .map_err(|err| match err.kind() {
                jsonwebtoken::errors::ErrorKind::InvalidSignature
                | jsonwebtoken::errors::ErrorKind::InvalidAlgorithm => Rejection::InvalidSignature,
                _ => Rejection::Malformed,
            })?
            .claims;
        check(
            &claims,
            Expectations {
                issuer: &self.issuer,
                leeway_seconds: self.leeway_seconds,
                now,
                authorized_parties: &self.authorized_parties,
            },
        )?;
        Ok(claims)
    }
}

/// Seconds since the Unix epoch by the system clock.
fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|elapsed| i64::try_from(elapsed.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// An HTTP client with a timeout and no redirects; `None` when none can be built (then every
/// fetch fails, and tokens are refused with [`Rejection::KeysUnavailable`]).
///
/// No idle connection is kept: fetches are minutes apart, and a pooled connection would stay
/// tied to the runtime that opened it (actix-web runs one runtime per worker).
fn default_client() -> Option<reqwest::Client> {
    match reqwest::Client::builder()
        .timeout(FETCH_TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(0)
        .build()
    {
        Ok(client) => Some(client),
        Err(err) => {
            tracing::error!(error = %err, "could not build the HTTP client for the key set");
            None
        }
    }
}
