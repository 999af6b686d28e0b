//! The `latchkey` command line: `serve` (the default), `schema`, `instance create|list`.

use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand};
use latchkey_domain::clock::SystemClock;
use latchkey_domain::model::caller::Caller;
use latchkey_domain::model::instance::Environment;
use latchkey_domain::rate_limit::{LimitStore, RateLimits};
use latchkey_domain::tokens::master_key::MasterKey;
use latchkey_domain::{Bootstrap, MailConfig, Platform, PlatformConfig, store};

use crate::logging::{self, LogFormat};
use crate::server::{self, ServerConfig, StartError};

/// The SQLite file used when no `DATABASE_URL` is given.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://latchkey.db?mode=rwc";

/// Every `LATCHKEY_*` variable Latchkey reads; any other is reported as unknown.
const KNOWN_VARIABLES: &[&str] = &[
    "LATCHKEY_BIND",
    "LATCHKEY_PUBLIC_URL",
    "LATCHKEY_ADMIN_TOKEN",
    "LATCHKEY_LOG_FORMAT",
    "LATCHKEY_MAX_BODY_BYTES",
    "LATCHKEY_WORKERS",
    "LATCHKEY_REQUEST_TIMEOUT_MS",
    "LATCHKEY_RATE_LIMIT_STORE",
    "LATCHKEY_TRUSTED_PROXIES",
    "LATCHKEY_SMTP_URL",
    "LATCHKEY_MAIL_FROM",
    "LATCHKEY_MAIL_FROM_DOMAINS",
    "LATCHKEY_MAIL_DIR",
    "LATCHKEY_CLIENT_IDLE_SECONDS",
    "LATCHKEY_HASH_CONCURRENCY",
    "LATCHKEY_WEBHOOKS_ALLOW_PRIVATE_NETWORKS",
    "LATCHKEY_MASTER_KEY",
    "LATCHKEY_MASTER_KEY_FILE",
    "LATCHKEY_TEST_DATABASE_URL",
];

/// What `latchkey --help` opens with: what the server is, for the operator running it.
const ABOUT: &str = "Latchkey: a self-hosted authentication server for your apps (users, sign-in, sessions, organizations)";

/// Latchkey: a self-hostable authentication and user-management server.
#[derive(Parser, Debug)]
#[command(name = "latchkey", version, about = ABOUT, long_about = None)]
pub struct Cli {
    /// Database URL: `postgres://…`, or `sqlite://FILE?mode=rwc` (default: latchkey.db here).
    #[arg(long, env = "DATABASE_URL", global = true, default_value = DEFAULT_DATABASE_URL, hide_env_values = true)]
    pub database_url: String,
    /// Log format.
    #[arg(
        long,
        env = "LATCHKEY_LOG_FORMAT",
        global = true,
        value_enum,
        default_value = "pretty"
    )]
    pub log_format: LogFormat,
    /// Address to listen on (`serve`).
    #[arg(
        long,
        env = "LATCHKEY_BIND",
        global = true,
        default_value = "127.0.0.1:8080"
    )]
    pub bind: String,
    /// The URL clients reach this server at, used in token issuers (default: http:// + bind).
    #[arg(long, env = "LATCHKEY_PUBLIC_URL", global = true)]
    pub public_url: Option<String>,
    /// The platform admin token (default: generated on first start and printed once).
    #[arg(
        long,
        env = "LATCHKEY_ADMIN_TOKEN",
        global = true,
        hide_env_values = true
    )]
    pub admin_token: Option<String>,
    /// The largest request body accepted, in bytes.
    #[arg(long, env = "LATCHKEY_MAX_BODY_BYTES", global = true, default_value_t = 1024 * 1024)]
    pub max_body_bytes: usize,
    /// HTTP worker threads (default: one per core).
    #[arg(long, env = "LATCHKEY_WORKERS", global = true)]
    pub workers: Option<usize>,
    /// How long one operation may run before it is cancelled, in milliseconds.
    #[arg(
        long,
        env = "LATCHKEY_REQUEST_TIMEOUT_MS",
        global = true,
        default_value_t = 10_000
    )]
    pub request_timeout_ms: u64,
    /// Where rate-limit counts are kept: `memory` (one node) or `database` (shared by every node).
    #[arg(
        long,
        env = "LATCHKEY_RATE_LIMIT_STORE",
        global = true,
        value_enum,
        default_value = "memory"
    )]
    pub rate_limit_store: RateLimitStore,
    /// SMTP server for mail: `smtp://host:port` (add `?tls=required` for STARTTLS),
    /// `smtps://user:pass@host`. With none, mail goes to the log.
    #[arg(long, env = "LATCHKEY_SMTP_URL", global = true, hide_env_values = true)]
    pub smtp_url: Option<String>,
    /// The sender address of mail; the display name is the instance's name.
    #[arg(long, env = "LATCHKEY_MAIL_FROM", global = true, default_value = latchkey_domain::platform::DEFAULT_MAIL_FROM)]
    pub mail_from: String,
    /// Domains instances may set as their own sender, comma-separated (default: the domain of
    /// the sender address).
    #[arg(
        long,
        env = "LATCHKEY_MAIL_FROM_DOMAINS",
        global = true,
        value_delimiter = ','
    )]
    pub mail_from_domains: Vec<String>,
    /// With no SMTP server, also write each message here as an `.eml` file.
    #[arg(long, env = "LATCHKEY_MAIL_DIR", global = true)]
    pub mail_dir: Option<std::path::PathBuf>,
    /// How long a client's actor stays in memory unused, in seconds.
    #[arg(
        long,
        env = "LATCHKEY_CLIENT_IDLE_SECONDS",
        global = true,
        default_value_t = 600
    )]
    pub client_idle_seconds: u64,
    /// How many passwords are hashed at once (default: one per core).
    #[arg(long, env = "LATCHKEY_HASH_CONCURRENCY", global = true)]
    pub hash_concurrency: Option<usize>,
    /// Let webhook endpoints be on loopback, private and link-local addresses (off: a tenant
    /// could otherwise reach the server's own network).
    #[arg(
        long,
        env = "LATCHKEY_WEBHOOKS_ALLOW_PRIVATE_NETWORKS",
        global = true,
        default_value_t = false
    )]
    pub webhooks_allow_private_networks: bool,
    /// The key that seals the signing keys at rest: 32 bytes, base64 or hex.
    #[arg(
        long,
        env = "LATCHKEY_MASTER_KEY",
        global = true,
        hide_env_values = true
    )]
    pub master_key: Option<String>,
    /// Where the master key is kept when none is given (made on first start; default: beside
    /// the SQLite database, or `latchkey-master.key` here).
    #[arg(long, env = "LATCHKEY_MASTER_KEY_FILE", global = true)]
    pub master_key_file: Option<std::path::PathBuf>,
    /// Reverse proxies or load balancers in front of Latchkey, comma-separated addresses and
    /// CIDR ranges: from these peers only, the client's address (for per-IP limits) is read
    /// from `X-Forwarded-For`. None by default.
    #[arg(
        long,
        env = "LATCHKEY_TRUSTED_PROXIES",
        global = true,
        default_value = ""
    )]
    pub trusted_proxies: crate::http::client_ip::TrustedProxies,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Where rate-limit counts are kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum RateLimitStore {
    /// In this process: right for one node.
    Memory,
    /// In the database: one count across every node.
    Database,
}

impl RateLimitStore {
    fn limits(self) -> RateLimits {
        let store = match self {
            Self::Memory => LimitStore::Memory,
            Self::Database => LimitStore::Database,
        };
        RateLimits {
            store,
            ..RateLimits::default()
        }
    }
}

/// What to do.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the server (the default).
    Serve,
    /// Print the GraphQL schema (SDL).
    Schema,
    /// Manage instances.
    Instance {
        #[command(subcommand)]
        command: InstanceCommand,
    },
}

/// Instance management from the command line (as the platform admin).
#[derive(Subcommand, Debug)]
pub enum InstanceCommand {
    /// Create an instance and print its keys.
    Create {
        /// Its name.
        #[arg(long)]
        name: String,
        /// A production instance (live keys) instead of a development one.
        #[arg(long)]
        live: bool,
    },
    /// List the instances.
    List,
}

/// Runs the command line and gives the process's exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    if matches!(cli.command, Some(Command::Schema)) {
        print!("{}", crate::graphql::sdl());
        return ExitCode::SUCCESS;
    }
    logging::init(cli.log_format);
    warn_unknown_variables();
    let result = actix_rt::System::new().block_on(run(cli));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            let mut message = err.to_string();
            let mut source = err.source();
            while let Some(cause) = source {
                message.push_str(&format!(": {cause}"));
                source = cause.source();
            }
            eprintln!("latchkey: {message}");
            ExitCode::FAILURE
        }
    }
}

fn warn_unknown_variables() {
    for (name, _) in std::env::vars_os() {
        let Some(name) = name.to_str() else { continue };
        if name.starts_with("LATCHKEY_") && !KNOWN_VARIABLES.contains(&name) {
            tracing::warn!(variable = name, "unknown LATCHKEY_ variable; it is ignored");
        }
    }
}

async fn run(cli: Cli) -> Result<(), StartError> {
    match cli.command {
        None | Some(Command::Serve) => serve(cli).await,
        Some(Command::Schema) => Ok(()),
        Some(Command::Instance { ref command }) => instance(&cli, command).await,
    }
}

async fn serve(cli: Cli) -> Result<(), StartError> {
    let mut config = ServerConfig::new(cli.database_url);
    config.bind = cli.bind;
    config.public_url = cli.public_url;
    config.admin_token = cli.admin_token;
    config.max_body_bytes = cli.max_body_bytes;
    config.request_timeout = std::time::Duration::from_millis(cli.request_timeout_ms);
    config.rate_limits = cli.rate_limit_store.limits();
    config.trusted_proxies = cli.trusted_proxies;
    config.handle_signals = true;
    if let Some(workers) = cli.workers {
        config.workers = workers;
    }
    config.mail = MailConfig {
        smtp_url: cli.smtp_url,
        dir: cli.mail_dir,
        from: cli.mail_from,
        from_domains: cli.mail_from_domains,
    };
    config.client_idle = std::time::Duration::from_secs(cli.client_idle_seconds.max(1));
    config.webhooks_allow_private_networks = cli.webhooks_allow_private_networks;
    if let Some(concurrency) = cli.hash_concurrency {
        config.hash_concurrency = concurrency.max(1);
    }
    config.master_key = cli
        .master_key
        .as_deref()
        .map(MasterKey::parse)
        .transpose()?;
    config.master_key_file = cli.master_key_file;
    let running = server::start(config).await?;
    print_bootstrap(&running.bootstrap, &running.public_url);
    println!(
        "Latchkey is listening on {} (GraphiQL: {}/graphql)",
        running.public_url, running.public_url
    );
    running.wait().await?;
    Ok(())
}

async fn instance(cli: &Cli, command: &InstanceCommand) -> Result<(), StartError> {
    let budget = std::time::Duration::from_millis(cli.request_timeout_ms);
    store::migrate(&cli.database_url).await?;
    let db = store::connect(&cli.database_url, server::database_timeout(budget)).await?;

    let public_url = cli
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{}", cli.bind));
    let master_key = crate::master_key::resolve(
        cli.master_key
            .as_deref()
            .map(MasterKey::parse)
            .transpose()?,
        cli.master_key_file.clone(),
        &cli.database_url,
    )?;
    let config = PlatformConfig {
        admin_token: cli.admin_token.clone(),
        rate_limits: cli.rate_limit_store.limits(),
        // A one-off command: no mailer, no sweeper, one client shard.
        background: false,
        client_shards: 1,
        ..PlatformConfig::new(public_url, Arc::new(SystemClock), master_key)
    };
    let (platform, bootstrap) = Platform::start(db, config).await?;
    print_bootstrap(&bootstrap, platform.public_url());
    match command {
        InstanceCommand::Create { name, live } => {
            let environment = if *live {
                Environment::Production
            } else {
                Environment::Development
            };
            let (instance, key) = platform
                .create_instance(&Caller::PlatformAdmin, name, environment)
                .await?;
            println!("Created instance {:?} ({})", instance.name, instance.id);
            println!("  Publishable key: {}", instance.publishable_key);
            println!("  Secret key:      {}", key.secret);
            println!("The secret key is shown once: store it now.");
        }
        InstanceCommand::List => {
            for instance in platform
                .instances(&Caller::PlatformAdmin, 1_000_000, 0)
                .await?
            {
                println!(
                    "{}\t{}\t{}\t{}",
                    instance.id,
                    instance.environment.as_str(),
                    instance.publishable_key,
                    instance.name
                );
            }
        }
    }
    platform.close().await?;
    Ok(())
}

/// Prints what the first start created. Secrets go to stdout for the operator, never to the log.
fn print_bootstrap(bootstrap: &Bootstrap, public_url: &str) {
    if let Some((instance, key)) = &bootstrap.development {
        println!(
            "Latchkey created the development instance {:?} ({}).",
            instance.name, instance.id
        );
        println!("  Publishable key: {}", instance.publishable_key);
        println!("  Secret key:      {}", key.secret);
        println!(
            "  Account Portal:  {}/i/{}/sign-in",
            public_url.trim_end_matches('/'),
            instance.id
        );
        println!("The secret key is shown once: store it now.");
    }
    if let Some(token) = &bootstrap.admin_token {
        println!("Platform admin token: {token}");
        println!("It is shown once; set LATCHKEY_ADMIN_TOKEN to choose your own.");
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn help_opens_with_what_latchkey_is() {
        let help = Cli::command().render_help().to_string();
        let first = help.lines().next().unwrap_or_default();
        assert_eq!(first, ABOUT, "{help}");
        assert!(!help.contains("transport"), "{help}");
    }
}
