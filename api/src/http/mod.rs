//! The HTTP surface: `/graphql` (POST, GraphiQL, WebSocket), the token endpoint, the keys'
//! well-known documents, the embedded browser assets, health probes, request ids.

pub mod assets;
pub mod body;
pub mod client_ip;
pub mod cors;
pub mod credentials;
pub mod graphql;
pub mod health;
pub mod portal;
pub mod request_id;
pub mod tokens;
pub mod transport_error;
pub mod websocket;
pub mod well_known;

use std::sync::Arc;

use latchkey_domain::Platform;

use crate::graphql::guard::Schemas;

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    pub schemas: Schemas,
    pub platform: Arc<Platform>,
    /// The largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// How long one operation may run before it is cancelled.
    pub request_timeout: std::time::Duration,
    /// How long a WebSocket client has to send `connection_init`.
    pub websocket_init_timeout: std::time::Duration,
    /// The proxies whose `X-Forwarded-For` names the client's address.
    pub trusted_proxies: client_ip::TrustedProxies,
    /// Turns `true` when the server stops: open WebSockets close with 1001.
    pub shutdown: tokio::sync::watch::Receiver<bool>,
}
