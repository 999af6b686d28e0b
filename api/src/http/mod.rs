//! The HTTP surface: `/graphql` (POST, GraphiQL, WebSocket), health probes, request ids.

pub mod credentials;
pub mod graphql;
pub mod health;
pub mod request_id;
pub mod transport_error;

use std::sync::Arc;

use latchkey_domain::Platform;

use crate::graphql::AppSchema;

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    pub schema: AppSchema,
    pub platform: Arc<Platform>,
    /// The largest request body accepted, in bytes.
    pub max_body_bytes: usize,
}
