//! The real server, started inside the test process on its own actix system thread, on port 0.

use std::sync::Arc;

use actix_web::dev::ServerHandle;
use latchkey_api::ServerConfig;
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
    handle: ServerHandle,
    thread: Option<std::thread::JoinHandle<()>>,
}

struct Started {
    url: String,
    handle: ServerHandle,
    thread: std::thread::JoinHandle<()>,
    development: Option<(String, String, String)>,
}

async fn start_on(db: &TestDb, admin_token: &str) -> Started {
    let mut config = ServerConfig::new(db.url.clone());
    config.admin_token = Some(admin_token.to_owned());
    config.workers = 1;
    let (tx, rx) = tokio::sync::oneshot::channel();
    let thread = std::thread::spawn(move || {
        actix_rt::System::new().block_on(async move {
            match latchkey_api::start(config).await {
                Ok(mut running) => {
                    let bootstrap = running.take_bootstrap();
                    let development = bootstrap
                        .development
                        .map(|(instance, key)| (instance.id, instance.publishable_key, key.secret));
                    let _ = tx.send(Ok((
                        running.public_url.clone(),
                        running.handle.clone(),
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
    let (url, handle, development) = rx
        .await
        .expect("the server thread answers")
        .expect("the server starts");
    Started {
        url,
        handle,
        thread,
        development,
    }
}

impl TestServer {
    /// A server on a fresh database.
    pub async fn spawn() -> Self {
        Self::spawn_on(Arc::new(TestDb::new().await)).await
    }

    /// A server on a fresh database it bootstraps.
    pub async fn spawn_on(db: Arc<TestDb>) -> Self {
        let admin_token = format!("lk_admin_test_{}", uuid::Uuid::new_v4().simple());
        let started = start_on(&db, &admin_token).await;
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
            handle: started.handle,
            thread: Some(started.thread),
        }
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
        let (admin_token, instance_id, publishable_key, secret_key) = (
            self.admin_token.clone(),
            self.instance_id.clone(),
            self.publishable_key.clone(),
            self.secret_key.clone(),
        );
        let db = self.stop().await;
        let started = start_on(&db, &admin_token).await;
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
            handle: started.handle,
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

    /// Posts an operation with the platform admin token.
    pub async fn admin(&self, query: &str, variables: Value) -> Response {
        self.gql(Auth::Bearer(&self.admin_token), query, variables)
            .await
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        // The returned future only waits; the stop command is already sent.
        drop(self.handle.stop(false));
    }
}
