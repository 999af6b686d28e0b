//! Latchkey's transport: the `latchkey` command line, the actix-web server and the async-graphql
//! schema. No SQL here: every resolver calls one function of `latchkey_domain::Platform`.

pub mod cli;
pub mod graphql;
pub mod http;
pub mod logging;
pub mod master_key;
pub mod server;

pub use server::{RunningServer, ServerConfig, start};

/// The allocator the `latchkey` binary runs with, for other binaries that run the server (the
/// benchmarks): `#[global_allocator] static A: latchkey_api::Allocator = latchkey_api::Allocator;`
pub use mimalloc::MiMalloc as Allocator;
