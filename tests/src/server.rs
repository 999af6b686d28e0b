//! The real server, started inside the test process on its own actix system thread, on port 0.

use std::sync::Arc;

use latchkey_api::ServerConfig;
use latchkey_api::graphql::parsed::ParsedQueries;
use latchkey_api::server::Stopper;
use serde_json::Value;

use crate::db::TestDb;
use crate::gql::{self, Auth, Response};

/// A running server and the keys its first start printed.
pub struct TestServer {
    pub url: String,
    pub admin_token: String,
    pub instance_id: String,
    pub publishable_key: String,
    pub secret_key: String,
    pub db: Arc<TestDb>,
    /// The operations the server keeps parsed.
    pub parsed: Arc<ParsedQueries>,
    /// Runs work on the server's own thread, where its domain lives.
    domain: Domain,
    configure: Configure,
    handle: Stopper,
    thread: Option<std::thread::JoinHandle<()>>,
}

/// The server's domain, and its thread's arbiter to run work on (its database pool belongs to
/// that thread's runtime).
#[derive(Clone)]
struct Domain {
    platform: Arc<latchkey_domain::Platform>,
    arbiter: actix_rt::ArbiterHandle,
}

struct Started {
    url: String,
    handle: Stopper,
    parsed: Arc<ParsedQueries>,
    domain: Domain,
    thread: std::thread::JoinHandle<()>,
    development: Option<(String, String, String)>,
}

/// Changes to the server's configuration for one test.
pub type Configure = Arc<dyn Fn(&mut ServerConfig) + Send + Sync>;

async fn start_on(db: &TestDb, admin_token: &str, configure: &Configure) -> Started {
    let mut config = ServerConfig::new(db.url.clone());
    config.admin_token = Some(admin_token.to_owned());
    config.workers = 1;
    // The signing keys' master key lives with the test's database (and outlives a restart).
    config.master_key_file = Some(db.master_key_file());
    configure(&mut config);
    let (tx, rx) = tokio::sync::oneshot::channel();
    let thread = std::thread::spawn(move || {
        actix_rt::System::new().block_on(async move {
            match latchkey_api::start(config).await {
                Ok(mut running) => {
                    let bootstrap = running.take_bootstrap();
                    let development = bootstrap
                        .development
                        .map(|(instance, key)| (instance.id, instance.publishable_key, key.secret));
                    let domain = Domain {
                        platform: running.platform().clone(),
                        arbiter: actix_rt::Arbiter::current(),
                    };
                    let _ = tx.send(Ok((
                        running.public_url.clone(),
                        running.stopper.clone(),
                        running.parsed.clone(),
                        domain,
                        development,
                    )));
                    running.wait().await.ok();
                }
                Err(err) => {
                    let _ = tx.send(Err(err.to_string()));
                }
            }
        });
    });
    let (url, handle, parsed, domain, development) = rx
        .await
        .expect("the server thread answers")
        .expect("the server starts");
    Started {
        url,
        handle,
        parsed,
        domain,
        thread,
        development,
    }
}

impl TestServer {
    /// A server on a fresh database.
    pub async fn spawn() -> Self {
        Self::spawn_with(|_| {}).await
    }

    /// A server on a fresh database, with its configuration changed first.
    pub async fn spawn_with(configure: impl Fn(&mut ServerConfig) + Send + Sync + 'static) -> Self {
        let configure: Configure = Arc::new(configure);
        let db = Arc::new(TestDb::new().await);
        let admin_token = format!("lk_admin_test_{}", uuid::Uuid::new_v4().simple());
        let started = start_on(&db, &admin_token, &configure).await;
        let (instance_id, publishable_key, secret_key) = started
            .development
            .expect("a fresh database gets a development instance");
        Self {
            url: started.url,
            admin_token,
            instance_id,
            publishable_key,
            secret_key,
            db,
            configure,
            handle: started.handle,
            parsed: started.parsed,
            domain: started.domain,
            thread: Some(started.thread),
        }
    }

    /// A server whose time is a [`ManualClock`] the test moves (starting now), with its
    /// configuration changed first.
    pub async fn spawn_with_clock(
        configure: impl Fn(&mut ServerConfig) + Send + Sync + 'static,
    ) -> (Self, Arc<latchkey_domain::clock::ManualClock>) {
        let clock = Arc::new(latchkey_domain::clock::ManualClock::new(chrono::Utc::now()));
        let shared = clock.clone();
        let server = Self::spawn_with(move |config| {
            configure(config);
            config.clock = shared.clone();
        })
        .await;
        (server, clock)
    }

    /// Another node: a second server on this server's database with the same configuration
    /// (on PostgreSQL, what several nodes of one deployment are).
    pub async fn another_node(&self) -> Self {
        let started = start_on(&self.db, &self.admin_token, &self.configure).await;
        Self {
            url: started.url,
            admin_token: self.admin_token.clone(),
            instance_id: self.instance_id.clone(),
            publishable_key: self.publishable_key.clone(),
            secret_key: self.secret_key.clone(),
            db: self.db.clone(),
            configure: self.configure.clone(),
            handle: started.handle,
            parsed: started.parsed,
            domain: started.domain,
            thread: Some(started.thread),
        }
    }

    /// Writes the session activity the server recorded (as its flusher does every few seconds),
    /// on the server's own thread; gives how many sessions moved.
    pub async fn flush_activity(&self) -> u64 {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let platform = self.domain.platform.clone();
        self.domain.arbiter.spawn(async move {
            let _ = tx.send(platform.flush_activity().await);
        });
        rx.await
            .expect("the server's thread runs the flush")
            .expect("the flush succeeds")
    }

    /// Stops the server gracefully and waits for its thread.
    pub async fn stop(mut self) -> Arc<TestDb> {
        self.handle.stop(true).await;
        if let Some(thread) = self.thread.take() {
            tokio::task::spawn_blocking(move || thread.join())
                .await
                .ok();
        }
        self.db.clone()
    }

    /// Stops the server and starts a new one on the same database, keeping the keys.
    pub async fn restart(self) -> Self {
        let configure = self.configure.clone();
        self.restart_configured(configure).await
    }

    /// Like [`restart`](Self::restart), with another configuration.
    pub async fn restart_with(
        self,
        configure: impl Fn(&mut ServerConfig) + Send + Sync + 'static,
    ) -> Self {
        self.restart_configured(Arc::new(configure)).await
    }

    async fn restart_configured(self, self_configure: Configure) -> Self {
        let (admin_token, instance_id, publishable_key, secret_key) = (
            self.admin_token.clone(),
            self.instance_id.clone(),
            self.publishable_key.clone(),
            self.secret_key.clone(),
        );
        let db = self.stop().await;
        let started = start_on(&db, &admin_token, &self_configure).await;
        assert!(
            started.development.is_none(),
            "a restart must not bootstrap again"
        );
        Self {
            url: started.url,
            admin_token,
            instance_id,
            publishable_key,
            secret_key,
            db,
            configure: self_configure,
            handle: started.handle,
            parsed: started.parsed,
            domain: started.domain,
            thread: Some(started.thread),
        }
    }

    /// Posts an operation with the given credential.
    pub async fn gql(&self, auth: Auth<'_>, query: &str, variables: Value) -> Response {
        gql::post(&self.url, auth, query, variables).await
    }

    /// Posts an operation with the development instance's secret key.
    pub async fn backend(&self, query: &str, variables: Value) -> Response {
        self.gql(Auth::Bearer(&self.secret_key), query, variables)
            .await
    }

    /// Changes the development instance's settings: `input` is the `updateInstanceSettings`
    /// input object's fields, such as `lockout: {maxAttempts: 1000}`.
    pub async fn update_settings(&self, input: &str) {
        self.backend(
            &format!("mutation {{ updateInstanceSettings(input: {{{input}}}) {{ id }} }}"),
            serde_json::json!({}),
        )
        .await
        .data();
    }

    /// Creates a secret key of the development instance named `name`; gives the key and its
    /// record's id.
    pub async fn create_secret_key(&self, name: &str) -> (String, String) {
        let created = self
            .backend(
                "mutation($n: String!) { createSecretKey(name: $n) { key secretKey { id } } }",
                serde_json::json!({"n": name}),
            )
            .await;
        let created = &created.data()["createSecretKey"];
        let text = |v: &Value| v.as_str().expect("a key and its id").to_owned();
        (text(&created["key"]), text(&created["secretKey"]["id"]))
    }

    /// How many secret keys the development instance has (revoked ones included).
    pub async fn secret_key_count(&self) -> usize {
        let answer = self
            .backend("{ instance { secretKeys { id } } }", serde_json::json!({}))
            .await;
        answer.data()["instance"]["secretKeys"]
            .as_array()
            .map_or(0, Vec::len)
    }

    /// Posts an operation with the development instance's secret key (owning the query, for
    /// requests sent together).
    pub async fn backend_owned(&self, query: String) -> Response {
        self.backend(&query, serde_json::json!({})).await
    }

    /// Creates an instance as the platform admin; gives its publishable key.
    pub async fn create_instance(&self, name: &str, environment: &str) -> String {
        let created = self
            .admin(
                &format!(
                    "mutation($name: String!) {{ createInstance(input: {{name: $name, environment: {environment}}}) {{ instance {{ publishableKey }} }} }}"
                ),
                serde_json::json!({"name": name}),
            )
            .await;
        created.data()["createInstance"]["instance"]["publishableKey"]
            .as_str()
            .expect("a publishable key")
            .to_owned()
    }

    /// Creates a development instance as the platform admin; gives its publishable key and its
    /// secret key.
    pub async fn create_instance_with_key(&self, name: &str) -> (String, String) {
        let created = self
            .admin(
                "mutation($name: String!) { createInstance(input: {name: $name}) { instance { publishableKey } secretKey { key } } }",
                serde_json::json!({"name": name}),
            )
            .await;
        let created = &created.data()["createInstance"];
        let key = |v: &Value| v.as_str().expect("a key").to_owned();
        (
            key(&created["instance"]["publishableKey"]),
            key(&created["secretKey"]["key"]),
        )
    }

    /// Posts an operation with the platform admin token.
    pub async fn admin(&self, query: &str, variables: Value) -> Response {
        self.gql(Auth::Bearer(&self.admin_token), query, variables)
            .await
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        // Not awaited: the stop command is sent on the first poll, so block on it briefly.
        let handle = self.handle.clone();
        std::thread::spawn(move || {
            if let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                runtime.block_on(async move {
                    let _ =
                        tokio::time::timeout(std::time::Duration::from_secs(5), handle.stop(false))
                            .await;
                });
            }
        });
    }
}

/// Lifts the per-IP limits of sign-up, sign-in and attempts to 1,000 per 10 s: a test speaks
/// from one address and would otherwise meet the defaults (5 per 10 s).
pub fn lift_ip_limits(config: &mut ServerConfig) {
    use latchkey_domain::rate_limit::Quota;
    config.rate_limits.sign_in = Quota::new(1000, 10);
    config.rate_limits.sign_up = Quota::new(1000, 10);
    config.rate_limits.attempt = Quota::new(1000, 10);
}
