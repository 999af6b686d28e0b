//! Everything Latchkey knows and decides. No HTTP or GraphQL types live here: `latchkey-api`
//! turns requests into calls on [`Platform`] and answers with what it returns.
//!
//! - [`model`]: pure types and rules (settings, callers); no I/O, time is a parameter.
//! - [`store`]: sea-orm queries; every function takes the instance it works in.
//! - [`Platform`]: the entry point the transport calls.

pub mod account;
pub mod actors;
pub mod api_keys;
pub mod clock;
pub mod environment;
pub mod error;
pub mod events;
mod flows;
pub mod handoffs;
pub mod ids;
mod instance_cache;
pub mod jwt_templates;
pub mod mail;
pub mod memberships;
pub mod model;
mod moderation;
pub mod organizations;
mod own_sessions;
pub mod platform;
pub mod rate_limit;
pub mod reverification;
pub mod roles;
pub mod second_factors;
pub mod secrets;
pub mod services;
pub mod sessions;
pub mod store;
mod tenancy;
pub mod test_hooks;
pub mod tokens;
pub mod users;
pub mod webhooks;

pub use error::{Error, ErrorCode, Internal, Result};
pub use platform::{Bootstrap, ClientOutcome, Credentials, MailConfig, Platform, PlatformConfig};
