//! The entry point of the domain: the database, the clock and the platform's own secrets,
//! the first-start bootstrap, and caller resolution.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use actix::{Actor, Addr, Arbiter};
use sea_orm::TransactionTrait;

use crate::actors::client::{Command, Run};
use crate::actors::expiry::Expiry;
use crate::actors::hasher::Hasher;
use crate::actors::mailer::{Mailer, Shutdown};
use crate::actors::registry::Registry;
use crate::actors::sweeper::Sweeper;
use crate::clock::Clock;
use crate::ids::{IdKind, new_id};
use crate::instance_cache::InstanceCache;
use crate::mail::transport::Transport;
use crate::model::caller::Caller;
use crate::model::client::Client;
use crate::model::instance::{CreatedSecretKey, Environment, Instance};
use crate::model::session::RequestSource;
use crate::model::user::User;
use crate::rate_limit::{LimitKind, RateLimiter, RateLimits};
use crate::secrets::{hash_secret, new_secret, secret_matches};
use crate::services::Services;
use crate::store::{self, Db};
use crate::tokens::key_ring::{KEY_CACHE_TTL, KeyRing};
use crate::tokens::master_key::MasterKey;
use crate::{Error, Internal, Result};

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
    /// How mail leaves.
    pub mail: MailConfig,
    /// How long a client's actor lives unused.
    pub client_idle: Duration,
    /// How many passwords are hashed at once.
    pub hash_concurrency: usize,
    /// How many threads (arbiters) the client actors are spread over.
    pub client_shards: usize,
    /// Run the mailer and the sweeper (a server does; a one-off command does not).
    pub background: bool,
    /// Seals the instances' private signing keys.
    pub master_key: MasterKey,
    /// Webhook endpoints may be on loopback, private and link-local addresses.
    pub webhooks_allow_private_networks: bool,
}

/// How mail leaves.
#[derive(Clone, Debug, Default)]
pub struct MailConfig {
    /// `smtp://…` or `smtps://…`; with none, mail goes to the log.
    pub smtp_url: Option<String>,
    /// With no SMTP server, each message is also written here as an `.eml` file.
    pub dir: Option<PathBuf>,
    /// The sender address (the display name is the instance's name).
    pub from: String,
    /// Domains an instance may set as its own sender (`mail.fromAddress`); by default only the
    /// domain of `from`. An instance must not send as someone else through this server.
    pub from_domains: Vec<String>,
}

impl MailConfig {
    /// The domains instances may send from: the configured ones, or the domain of `from`.
    pub fn allowed_domains(&self) -> Vec<String> {
        if self.from_domains.is_empty() {
            domain_of(&self.from).into_iter().collect()
        } else {
            self.from_domains
                .iter()
                .map(|d| d.to_ascii_lowercase())
                .collect()
        }
    }
}

/// The domain of an email address, lowercase.
pub fn domain_of(address: &str) -> Option<String> {
    address
        .rsplit_once('@')
        .map(|(_, d)| d.to_ascii_lowercase())
}

impl PlatformConfig {
    /// A configuration with the defaults: mail to the log from `no-reply@latchkey.localhost`,
    /// client actors idle after 10 minutes, one hashing thread and one client shard per core.
    pub fn new(public_url: String, clock: Arc<dyn Clock>, master_key: MasterKey) -> Self {
        let cores = std::thread::available_parallelism().map_or(2, std::num::NonZero::get);
        Self {
            public_url,
            admin_token: None,
            clock,
            rate_limits: RateLimits::default(),
            mail: MailConfig {
                smtp_url: None,
                dir: None,
                from: DEFAULT_MAIL_FROM.to_owned(),
                from_domains: Vec::new(),
            },
            client_idle: Duration::from_secs(600),
            hash_concurrency: cores,
            client_shards: cores,
            background: true,
            master_key,
            webhooks_allow_private_networks: false,
        }
    }
}

/// The sender address when none is configured.
pub const DEFAULT_MAIL_FROM: &str = "no-reply@latchkey.localhost";

/// What the first start created: shown once to the operator, never logged.
#[derive(Debug, Default)]
pub struct Bootstrap {
    /// The generated admin token, when this start generated it.
    pub admin_token: Option<String>,
    /// The development instance and its secret key, when this start created them.
    pub development: Option<(Instance, CreatedSecretKey)>,
}

/// The credentials a request carries, as the transport found them.
#[derive(Clone, Default)]
pub struct Credentials {
    /// The bearer token of `Authorization`.
    pub bearer: Option<String>,
    /// `Latchkey-Publishable-Key`.
    pub publishable_key: Option<String>,
    /// The client token of `Latchkey-Client`.
    pub client_token: Option<String>,
    /// The request's client cookies (`__client_…`), by name: the one of the publishable key's
    /// instance serves when there is no `Latchkey-Client` header.
    pub client_cookies: Vec<(String, String)>,
}

/// Says which credentials are present, never their values (they are secrets).
impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("bearer", &self.bearer.is_some())
            .field("publishable_key", &self.publishable_key)
            .field("client_token", &self.client_token.is_some())
            .field("client_cookies", &self.client_cookies.len())
            .finish()
    }
}

impl Credentials {
    /// The client token for `instance_id`: the header's, else the instance's cookie.
    fn client_token_for(self, instance_id: &str) -> Option<String> {
        if self.client_token.is_some() {
            return self.client_token;
        }
        let name = crate::model::client::cookie_name(instance_id);
        self.client_cookies
            .into_iter()
            .find_map(|(cookie, value)| (cookie == name).then_some(value))
    }
}

/// The domain as the transport sees it.
#[derive(Debug)]
pub struct Platform {
    pub(crate) db: Db,
    pub(crate) config: PlatformConfig,
    admin_token_hash: String,
    limiter: RateLimiter,
    pub(crate) instances: InstanceCache,
    pub(crate) services: Arc<Services>,
    pub(crate) registry: Registry,
    background: Arbiter,
    mailer: Addr<Mailer>,
    /// Tells the PostgreSQL listener to stop; it answers on `listener_done` once stopped.
    listener_stop: tokio::sync::watch::Sender<bool>,
    listener_done: std::sync::Mutex<Option<tokio::sync::oneshot::Receiver<()>>>,
}

/// A client's state after a command, and the token of the client when the command created it.
#[derive(Debug)]
pub struct ClientOutcome {
    pub client: Client,
    /// Set when a new client was created: its token, to hand to the frontend once.
    pub new_token: Option<String>,
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
        let transport = Transport::new(config.mail.smtp_url.as_deref(), config.mail.dir.clone())?;
        if config.background && config.mail.smtp_url.is_none() {
            tracing::warn!(
                "no SMTP server configured: mail (codes included) goes to the log; set LATCHKEY_SMTP_URL to send it"
            );
        }
        let background = Arbiter::new();
        let mailer = {
            let (db, clock, run) = (db.clone(), config.clock.clone(), config.background);
            Mailer::start_in_arbiter(&background.handle(), move |_| {
                Mailer::new(db, transport, clock, run)
            })
        };
        if config.background {
            let (db, clock) = (db.clone(), config.clock.clone());
            Sweeper::start_in_arbiter(&background.handle(), move |_| Sweeper::new(db, clock));
        }
        let hasher = Hasher::new(config.hash_concurrency)?;
        let dummy_hash = hasher.hash(new_secret("")).await?;
        let services = Arc::new(Services {
            db: db.clone(),
            clock: config.clock.clone(),
            dummy_hash,
            enumeration_key: hash_secret(&format!("latchkey-enumeration:{admin_token_hash}")),
            hasher,
            shards: std::sync::OnceLock::new(),
            client_shards: std::sync::OnceLock::new(),
            node_id: new_secret("node_"),
            activity: Default::default(),
            keys: KeyRing::new(config.master_key.clone(), KEY_CACHE_TTL),
            master_key: config.master_key.clone(),
            public_url: config.public_url.clone(),
            mailer: mailer.clone(),
            mail_from: config.mail.from.clone(),
            mail_from_domains: config.mail.allowed_domains(),
            events: crate::events::EventBus::default(),
            webhooks_wake: tokio::sync::Notify::new(),
            webhooks_allow_private_networks: config.webhooks_allow_private_networks,
        });
        services.keys.check_master_key(&db).await?;
        let listener_stop = tokio::sync::watch::channel(false).0;
        let listener_done = tokio::sync::oneshot::channel();
        if config.background {
            // Where the events stand before the server listens: no subscriber starts earlier.
            let cursors = crate::events::Cursors::load(&db).await?;
            background.spawn(crate::events::run_dispatcher(services.clone(), cursors));
            let (stop, stopped) = (listener_stop.subscribe(), listener_done.0);
            let listening = services.clone();
            background.spawn(async move {
                crate::events::run_listener(listening, stop).await;
                let _ = stopped.send(());
            });
            background.spawn(crate::webhooks::run_webhooks(services.clone()));
            let activity = services.clone();
            background.spawn(async move {
                let clock = activity.clock.clone();
                activity.activity.run(&activity.db, clock.as_ref()).await;
            });
            let expiry = services.clone();
            Expiry::start_in_arbiter(&background.handle(), move |_| Expiry::new(expiry));
        }
        let registry = Registry::start(services.clone(), config.client_shards, config.client_idle);
        let platform = Self {
            db,
            config,
            admin_token_hash,
            limiter,
            instances: InstanceCache::default(),
            services,
            registry,
            background,
            mailer,
            listener_stop,
            listener_done: std::sync::Mutex::new(Some(listener_done.1)),
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
            if bearer.bytes().filter(|b| *b == b'.').count() == 2 {
                return self.resolve_session_token(bearer).await;
            }
            if let Some(hint) = crate::ids::mistaken_credential(bearer) {
                return Err(Error::Unauthenticated(hint));
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
            let now = std::time::Instant::now();
            let instance = match self.instances.get(publishable_key, now) {
                Some(instance) => instance,
                None => {
                    let generation = self.instances.generation();
                    let found =
                        store::instances::find_by_publishable_key(&self.db, publishable_key)
                            .await?
                            .ok_or(Error::Unauthenticated("the publishable key is not valid"))?;
                    let instance = Arc::new(found);
                    self.instances.put(instance.clone(), now, generation);
                    instance
                }
            };
            let client_token = credentials.client_token_for(&instance.id);
            return Ok(Caller::Frontend {
                instance,
                client_token,
            });
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

    /// Runs `command` on the client whose token is `token`. With no token, or one no client of
    /// the instance has, `Ok(None)`, unless `create` asks for a new client (its token comes back
    /// once in the outcome). `source` (where the request came from) is recorded on a session
    /// the command starts.
    pub async fn client_command(
        &self,
        instance: &Arc<Instance>,
        token: Option<&str>,
        command: Command,
        create: bool,
        source: Option<&RequestSource>,
    ) -> Result<Option<ClientOutcome>> {
        if let Some(token) = token {
            let hash = hash_secret(token);
            let actor = self.registry.actor(&instance.id, &hash).await?;
            let ran = match run(&actor, instance, command.clone(), source).await {
                // The actor stopped between the lookup and the command (it had just found no
                // client for the token): ask the registry again.
                Err(Error::Internal(Internal::ActorStopped)) => {
                    let actor = self.registry.actor(&instance.id, &hash).await?;
                    run(&actor, instance, command.clone(), source).await
                }
                ran => ran,
            };
            if let Some(client) = ran? {
                return Ok(Some(ClientOutcome {
                    client,
                    new_token: None,
                }));
            }
        }
        if !create {
            return Ok(None);
        }
        let token = new_secret(CLIENT_TOKEN_PREFIX);
        let hash = hash_secret(&token);
        let id = new_id(IdKind::Client);
        store::clients::insert(&self.db, &instance.id, &id, &hash, self.now()).await?;
        let actor = self.registry.actor(&instance.id, &hash).await?;
        let ran = run(&actor, instance, command, source).await;
        let client = match ran {
            Ok(Some(client)) => client,
            failed => {
                // The caller never learns this client's token: leave nothing behind.
                store::clients::delete(&self.db, &instance.id, &id).await?;
                return Err(failed.err().unwrap_or(Error::NotFound("client")));
            }
        };
        Ok(Some(ClientOutcome {
            client,
            new_token: Some(token),
        }))
    }

    /// A user of the instance.
    pub async fn user(&self, instance_id: &str, user_id: &str) -> Result<Option<User>> {
        store::users::find(&self.db, instance_id, user_id).await
    }

    /// Stops the actors and their threads: the mailer after the pass in progress (at most
    /// `SHUTDOWN_GRACE`), then the sweeper and the client shards. Pending mail stays in the outbox
    /// for the next start.
    pub async fn stop_actors(&self) {
        let stopped = tokio::time::timeout(SHUTDOWN_GRACE, self.mailer.send(Shutdown)).await;
        if stopped.is_err() {
            tracing::warn!("the mailer was still sending at shutdown; its message stays pending");
        }
        // The PostgreSQL listener gives its connection back while its thread still runs.
        self.listener_stop.send_replace(true);
        let done = self
            .listener_done
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        if let Some(done) = done {
            let _ = tokio::time::timeout(SHUTDOWN_GRACE, done).await;
        }
        self.registry.stop();
        self.background.stop();
        // Last: the actors and the HTTP workers record no more activity.
        if let Err(err) = self.flush_activity().await {
            tracing::error!(error = %err, "writing session activity at shutdown failed");
        }
    }

    /// Writes the session activity this node recorded and has not written yet (every few
    /// seconds, and at shutdown; tests call it to see a flush now). Gives how many sessions moved.
    pub async fn flush_activity(&self) -> Result<u64> {
        self.services.activity.flush(&self.db, self.now()).await
    }

    /// Closes the pool.
    pub async fn close(self) -> Result<()> {
        self.stop_actors().await;
        self.db.close().await.map_err(Error::internal)
    }
}

/// How long shutdown waits for the mailer to finish the message it is sending.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(12);

/// Client tokens start with this.
pub const CLIENT_TOKEN_PREFIX: &str = "lkc_";

async fn run(
    actor: &Addr<crate::actors::client::ClientActor>,
    instance: &Arc<Instance>,
    command: Command,
    source: Option<&RequestSource>,
) -> Result<Option<Client>> {
    actor
        .send(Run {
            instance: instance.clone(),
            command,
            source: source.cloned(),
        })
        .await
        .map_err(Error::actor_stopped)?
}

// Keys must not be guessable from one another: `new_secret` draws each from the CSPRNG.
pub(crate) fn new_publishable_key(environment: Environment) -> String {
    new_secret(&format!("pk_{}_", environment.key_mode()))
}

pub(crate) fn new_secret_key(environment: Environment) -> String {
    new_secret(&format!("sk_{}_", environment.key_mode()))
}
