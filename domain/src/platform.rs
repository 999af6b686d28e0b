//! The entry point of the domain: the database, the clock and the platform's own secrets,
//! the first-start bootstrap, and caller resolution.

use std::sync::Arc;

use sea_orm::TransactionTrait;

use crate::clock::Clock;
use crate::model::caller::Caller;
use crate::model::instance::{CreatedSecretKey, Environment, Instance};
use crate::rate_limit::{LimitKind, RateLimiter, RateLimits};
use crate::secrets::{hash_secret, new_secret, secret_matches};
use crate::store::{self, Db};
use crate::{Error, Result};

const ADMIN_TOKEN: &str = "admin_token";
const BOOTSTRAP_MARKER: &str = "bootstrap";

/// How the domain is set up.
#[derive(Clone, Debug)]
pub struct PlatformConfig {
    /// The URL this server is reached at, without a trailing slash (token issuers derive from it).
    pub public_url: String,
    /// The platform admin token, when given from outside; otherwise one is generated once.
    pub admin_token: Option<String>,
    /// Where "now" comes from.
    pub clock: Arc<dyn Clock>,
    /// Rate limits and where they are counted.
    pub rate_limits: RateLimits,
}

/// What the first start created: shown once to the operator, never logged.
#[derive(Debug, Default)]
pub struct Bootstrap {
    /// The generated admin token, when this start generated it.
    pub admin_token: Option<String>,
    /// The development instance and its secret key, when this start created them.
    pub development: Option<(Instance, CreatedSecretKey)>,
}

/// The credentials a request carries, as the transport found them.
#[derive(Clone, Debug, Default)]
pub struct Credentials {
    /// The bearer token of `Authorization`.
    pub bearer: Option<String>,
    /// `Latchkey-Publishable-Key`.
    pub publishable_key: Option<String>,
    /// The client token (`Latchkey-Client` or the `__client` cookie).
    pub client_token: Option<String>,
}

/// The domain as the transport sees it.
#[derive(Debug)]
pub struct Platform {
    pub(crate) db: Db,
    pub(crate) config: PlatformConfig,
    admin_token_hash: String,
    limiter: RateLimiter,
}

impl Platform {
    /// Sets up the platform on a migrated database: settles the admin token and, on an empty
    /// database, creates the development instance. Safe when several nodes start at once.
    pub async fn start(db: Db, config: PlatformConfig) -> Result<(Self, Bootstrap)> {
        let mut report = Bootstrap::default();
        let now = config.clock.now();
        let admin_token_hash = match &config.admin_token {
            Some(token) => hash_secret(token),
            None => match store::platform::get(&db, ADMIN_TOKEN).await? {
                Some(stored) => stored,
                None => {
                    let token = new_secret("lk_admin_");
                    let hash = hash_secret(&token);
                    if store::platform::insert_once(&db, ADMIN_TOKEN, &hash, now).await? {
                        report.admin_token = Some(token);
                        hash
                    } else {
                        store::platform::get(&db, ADMIN_TOKEN)
                            .await?
                            .ok_or_else(|| Error::internal("admin token vanished"))?
                    }
                }
            },
        };
        let limiter = RateLimiter::new(config.rate_limits.clone());
        let platform = Self {
            db,
            config,
            admin_token_hash,
            limiter,
        };
        if !store::instances::any(&platform.db).await? {
            report.development = platform.create_development_instance().await?;
        }
        Ok((platform, report))
    }

    async fn create_development_instance(&self) -> Result<Option<(Instance, CreatedSecretKey)>> {
        let now = self.now();
        let txn = self.db.begin().await?;
        if !store::platform::insert_once(&txn, BOOTSTRAP_MARKER, "", now).await? {
            txn.rollback().await?;
            return Ok(None);
        }
        let created = self
            .insert_instance(&txn, "Development".to_owned(), Environment::Development)
            .await?;
        txn.commit().await?;
        tracing::info!(instance_id = %created.0.id, "created the development instance");
        Ok(Some(created))
    }

    /// The current time.
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.config.clock.now()
    }

    /// The database pool.
    pub fn db(&self) -> &Db {
        &self.db
    }

    /// Whether the database answers and is migrated.
    pub async fn ready(&self) -> Result<()> {
        store::ready(&self.db).await
    }

    /// Resolves the credentials of a request into its caller. A credential that is present but
    /// wrong or revoked is `UNAUTHENTICATED`, never a fallback to a weaker caller.
    pub async fn resolve_caller(&self, credentials: Credentials) -> Result<Caller> {
        if let Some(bearer) = credentials.bearer.as_deref() {
            if secret_matches(bearer, &self.admin_token_hash) {
                return Ok(Caller::PlatformAdmin);
            }
            if bearer.starts_with("sk_") {
                let found =
                    store::secret_keys::find_active_by_hash(&self.db, &hash_secret(bearer)).await?;
                return match found {
                    Some((key, instance)) => Ok(Caller::Backend {
                        instance: Arc::new(instance),
                        secret_key_id: key.id,
                    }),
                    None => Err(Error::Unauthenticated("the secret key is not valid")),
                };
            }
            return Err(Error::Unauthenticated("the bearer token is not valid"));
        }
        if let Some(publishable_key) = credentials.publishable_key.as_deref() {
            return match store::instances::find_by_publishable_key(&self.db, publishable_key)
                .await?
            {
                Some(instance) => Ok(Caller::Frontend {
                    instance: Arc::new(instance),
                    client_token: credentials.client_token,
                }),
                None => Err(Error::Unauthenticated("the publishable key is not valid")),
            };
        }
        Ok(Caller::Anonymous)
    }

    /// Counts one event of `kind` by `subject` in `instance_id` against the rate limits:
    /// `RATE_LIMITED` with `retry_after` when over.
    pub async fn rate_limit(
        &self,
        kind: LimitKind,
        instance_id: &str,
        subject: &str,
    ) -> Result<()> {
        let now = self.now().timestamp();
        self.limiter
            .check(&self.db, kind, instance_id, subject, now)
            .await
    }

    /// Whether a browser at `origin` may call the frontend API of `instance`.
    pub fn origin_allowed(&self, instance: &Instance, origin: &str) -> bool {
        crate::model::origin::allowed(instance, origin)
    }

    /// The public URL of the server, without a trailing slash.
    pub fn public_url(&self) -> &str {
        &self.config.public_url
    }

    /// Closes the pool.
    pub async fn close(self) -> Result<()> {
        self.db.close().await.map_err(Error::internal)
    }
}

// Keys must not be guessable from one another: `new_secret` draws each from the CSPRNG.
pub(crate) fn new_publishable_key(environment: Environment) -> String {
    new_secret(&format!("pk_{}_", environment.key_mode()))
}

pub(crate) fn new_secret_key(environment: Environment) -> String {
    new_secret(&format!("sk_{}_", environment.key_mode()))
}
