//! Latchkey's integration tests: one binary; every test starts its own server on port 0 with a
//! fresh database, and no test depends on another.

mod account;
mod environment;
mod events;
mod handoffs;
mod hardening;
mod lifecycle;
mod migrations;
mod nodes;
mod org_invitations;
mod org_races;
mod org_tokens;
mod organizations;
mod portal;
mod reverification;
mod schema;
mod second_factors;
mod sessions;
mod sign_in;
mod sign_up;
mod tenancy;
mod token_endpoint;
mod transport;
mod user_admin;
mod user_paths;
mod users;
mod webhooks;
mod websocket;

/// The `latchkey` binary, for the tests that run it as an operator would.
pub const BIN: &str = env!("CARGO_BIN_EXE_latchkey-under-test");
