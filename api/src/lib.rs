//! Latchkey's transport: the `latchkey` command line, the actix-web server and the async-graphql
//! schema. No SQL here: every resolver calls one function of `latchkey_domain::Platform`.

pub mod cli;
pub mod graphql;
pub mod http;
pub mod logging;
pub mod master_key;
pub mod server;

pub use server::{RunningServer, ServerConfig, start};
