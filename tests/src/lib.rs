//! The test kit: a fresh database per test (SQLite, or PostgreSQL when
//! `LATCHKEY_TEST_DATABASE_URL` is set), the real server started on port 0 inside the test
//! process or as a child process, and a small GraphQL client.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod cached;
pub mod db;
pub mod frontend;
pub mod gql;
pub mod js_client;
pub mod process;
pub mod pyjwt;
pub mod python;
pub mod server;
pub mod sessions_seed;
pub mod smtp;
pub mod subscriber;
pub mod totp;
pub mod users_seed;
pub mod webhooks;

pub use db::TestDb;
pub use frontend::Frontend;
pub use gql::{Auth, Response};
pub use server::TestServer;
