//! Starting and stopping the server: database, migrations, bootstrap, HTTP.

use std::net::SocketAddr;
use std::sync::Arc;

use actix_web::dev::{Server, ServerHandle};
use actix_web::{App, HttpServer, middleware, web};
use latchkey_domain::clock::{Clock, SystemClock};
use latchkey_domain::rate_limit::RateLimits;
use latchkey_domain::tokens::master_key::MasterKey;
use latchkey_domain::{Bootstrap, MailConfig, Platform, PlatformConfig, store};
use tokio::signal::unix::{Signal, SignalKind, signal};

use crate::graphql::{self, Limits};
use crate::http::{self, AppState};

/// Everything `serve` needs.
#[derive(Clone)]
pub struct ServerConfig {
    pub database_url: String,
    /// Address to listen on; port 0 picks a free one.
    pub bind: String,
    /// The URL the server is reached at; by default `http://` and the bound address.
    pub public_url: Option<String>,
    pub admin_token: Option<String>,
    pub max_body_bytes: usize,
    /// How long one operation may run before it is cancelled.
    pub request_timeout: std::time::Duration,
    /// How long a WebSocket client has to send `connection_init`.
    pub websocket_init_timeout: std::time::Duration,
    pub workers: usize,
    /// Rate limits and where they are counted.
    pub rate_limits: RateLimits,
    pub clock: Arc<dyn Clock>,
    /// Stop gracefully on SIGTERM and SIGINT (the binary); tests stop through the handle.
    pub handle_signals: bool,
    /// How mail leaves.
    pub mail: MailConfig,
    /// How long a client's actor stays in memory unused.
    pub client_idle: std::time::Duration,
    /// How many passwords are hashed at once.
    pub hash_concurrency: usize,
    /// Webhook endpoints may be on loopback, private and link-local addresses.
    pub webhooks_allow_private_networks: bool,
    /// The master key of the signing keys; with none, the key file is read (or made).
    pub master_key: Option<MasterKey>,
    /// Where the master key is kept when none is given (default: beside the database).
    pub master_key_file: Option<std::path::PathBuf>,
    /// The proxies whose `X-Forwarded-For` names the client's address (none by default).
    pub trusted_proxies: http::client_ip::TrustedProxies,
}

/// Leaves out what may hold secrets: the database URL and the SMTP URL (passwords), the admin
/// token and the master key.
impl std::fmt::Debug for ServerConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerConfig")
            .field("bind", &self.bind)
            .field("public_url", &self.public_url)
            .field("workers", &self.workers)
            .field("request_timeout", &self.request_timeout)
            .finish_non_exhaustive()
    }
}

impl ServerConfig {
    /// Defaults for a database URL: bind to a free local port, 1 MiB bodies, one worker per core.
    pub fn new(database_url: impl Into<String>) -> Self {
        Self {
            database_url: database_url.into(),
            bind: "127.0.0.1:0".to_owned(),
            public_url: None,
            admin_token: None,
            max_body_bytes: 1024 * 1024,
            request_timeout: std::time::Duration::from_secs(10),
            websocket_init_timeout: http::websocket::INIT_TIMEOUT,
            rate_limits: RateLimits::default(),
            workers: std::thread::available_parallelism().map_or(2, std::num::NonZero::get),
            clock: Arc::new(SystemClock),
            handle_signals: false,
            mail: MailConfig {
                smtp_url: None,
                dir: None,
                from: latchkey_domain::platform::DEFAULT_MAIL_FROM.to_owned(),
                from_domains: Vec::new(),
            },
            client_idle: std::time::Duration::from_secs(600),
            webhooks_allow_private_networks: false,
            hash_concurrency: std::thread::available_parallelism()
                .map_or(2, std::num::NonZero::get),
            master_key: None,
            master_key_file: None,
            trusted_proxies: Default::default(),
        }
    }
}

/// Stops a server: open WebSockets are told to go away, then the HTTP server stops (gracefully:
/// no new connections, in-flight requests drained).
#[derive(Clone)]
pub struct Stopper {
    handle: ServerHandle,
    shutdown: Arc<tokio::sync::watch::Sender<bool>>,
}

impl Stopper {
    /// Stops the server; resolves once it has stopped.
    pub async fn stop(&self, graceful: bool) {
        self.shutdown.send_replace(true);
        self.handle.stop(graceful).await;
    }
}

/// A server that is listening.
pub struct RunningServer {
    /// The address it listens on.
    pub addr: SocketAddr,
    /// Its public URL.
    pub public_url: String,
    /// What the first start created (keys shown once).
    pub bootstrap: Bootstrap,
    /// Stops it from anywhere.
    pub stopper: Stopper,
    /// The operations its GraphQL layer keeps parsed (and how each ran: tests and benchmarks).
    pub parsed: Arc<graphql::parsed::ParsedQueries>,
    server: Server,
    platform: Arc<Platform>,
    signals: Option<Signals>,
}

/// SIGTERM and SIGINT, registered before the server says it listens, so a signal that comes
/// right after is never the default (abrupt) one.
struct Signals {
    terminate: Signal,
    interrupt: Signal,
}

impl Signals {
    fn register() -> std::io::Result<Self> {
        Ok(Self {
            terminate: signal(SignalKind::terminate())?,
            interrupt: signal(SignalKind::interrupt())?,
        })
    }

    async fn recv(&mut self) -> &'static str {
        tokio::select! {
            _ = self.terminate.recv() => "SIGTERM",
            _ = self.interrupt.recv() => "SIGINT",
        }
    }
}

impl RunningServer {
    /// The domain this server runs (tests drive its background work, such as a flush, directly).
    pub fn platform(&self) -> &Arc<Platform> {
        &self.platform
    }

    /// Takes what the first start created, leaving nothing behind.
    pub fn take_bootstrap(&mut self) -> Bootstrap {
        std::mem::take(&mut self.bootstrap)
    }

    /// Runs until stopped (by SIGTERM, SIGINT or the handle), draining in-flight requests, then
    /// closes the database pool.
    pub async fn wait(self) -> std::io::Result<()> {
        let mut server = self.server;
        let served = match self.signals {
            None => server.await,
            Some(mut signals) => {
                tokio::select! {
                    served = &mut server => served,
                    name = signals.recv() => {
                        tracing::info!(signal = name, "stopping: no new connections, draining in-flight requests");
                        let (served, ()) = tokio::join!(server, self.stopper.stop(true));
                        served
                    }
                }
            }
        };
        tracing::info!("stopped accepting; stopping the actors and closing the database pool");
        self.platform.stop_actors().await;
        if let Err(err) = self.platform.db().close_by_ref().await {
            tracing::warn!(error = %err, "closing the database pool failed");
        }
        served
    }
}

/// Connects, migrates, bootstraps and starts listening. Must run inside an actix system.
pub async fn start(config: ServerConfig) -> Result<RunningServer, StartError> {
    tracing::info!(
        database = store::describe(&config.database_url),
        "connecting"
    );
    store::migrate(&config.database_url).await?;
    let db = store::connect(
        &config.database_url,
        database_timeout(config.request_timeout),
    )
    .await?;

    let listener = std::net::TcpListener::bind(&config.bind)
        .map_err(|e| -> StartError { format!("cannot listen on {}: {e}", config.bind).into() })?;
    let addr = listener.local_addr()?;
    let public_url = config
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{addr}"))
        .trim_end_matches('/')
        .to_owned();
    let master_key = crate::master_key::resolve(
        config.master_key.clone(),
        config.master_key_file.clone(),
        &config.database_url,
    )?;
    let (platform, bootstrap) = Platform::start(
        db,
        PlatformConfig {
            admin_token: config.admin_token.clone(),
            rate_limits: config.rate_limits.clone(),
            mail: config.mail.clone(),
            client_idle: config.client_idle,
            hash_concurrency: config.hash_concurrency,
            webhooks_allow_private_networks: config.webhooks_allow_private_networks,
            ..PlatformConfig::new(public_url.clone(), config.clock.clone(), master_key)
        },
    )
    .await?;
    let platform = Arc::new(platform);
    let (shutdown_tx, shutdown) = tokio::sync::watch::channel(false);
    let schemas = graphql::build_schemas(platform.clone(), Limits::default());
    let state = AppState {
        shutdown,
        schemas: schemas.clone(),
        platform: platform.clone(),
        max_body_bytes: config.max_body_bytes,
        request_timeout: config.request_timeout,
        websocket_init_timeout: config.websocket_init_timeout,
        trusted_proxies: config.trusted_proxies.clone(),
    };
    let server = HttpServer::new(move || {
        App::new()
            .app_data(web::Data::new(state.clone()))
            .app_data(web::PayloadConfig::new(state.max_body_bytes))
            .wrap(middleware::from_fn(http::request_id::middleware))
            .route("/graphql", web::route().to(http::graphql::endpoint))
            .route(
                "/v1/client/sessions/{session_id}/tokens",
                web::route().to(http::tokens::endpoint),
            )
            .route(
                "/v1/client/sessions/{session_id}/tokens/{template}",
                web::route().to(http::tokens::endpoint),
            )
            .route(
                "/i/{instance_id}/.well-known/jwks.json",
                web::get().to(http::well_known::jwks),
            )
            .route(
                "/i/{instance_id}/.well-known/openid-configuration",
                web::get().to(http::well_known::openid_configuration),
            )
            .route("/i/{instance_id}/{page}", web::get().to(http::portal::page))
            .route("/latchkey.js", web::get().to(http::assets::latchkey_js))
            .route("/assets/{name}", web::get().to(http::assets::versioned))
            .route("/healthz", web::get().to(http::health::healthz))
            .route("/readyz", web::get().to(http::health::readyz))
    })
    .workers(config.workers.max(1))
    .disable_signals()
    .shutdown_timeout(30)
    .listen(listener)?
    .run();
    let signals = if config.handle_signals {
        Some(Signals::register()?)
    } else {
        None
    };
    tracing::info!(%addr, %public_url, "listening");
    Ok(RunningServer {
        signals,
        addr,
        public_url,
        bootstrap,
        stopper: Stopper {
            handle: server.handle(),
            shutdown: Arc::new(shutdown_tx),
        },
        server,
        platform,
        parsed: schemas.parsed,
    })
}

/// Any startup failure; the CLI prints it with its sources.
pub type StartError = Box<dyn std::error::Error + Send + Sync>;

/// How long a database statement may wait: three quarters of the request budget less 100 ms (at
/// least 50 ms), so the database gives up before the request does, even with SQLite's busy
/// handler overshooting its timeout by up to its last sleep (100 ms).
pub fn database_timeout(request_budget: std::time::Duration) -> std::time::Duration {
    (request_budget * 3 / 4)
        .saturating_sub(std::time::Duration::from_millis(100))
        .max(std::time::Duration::from_millis(50))
}
