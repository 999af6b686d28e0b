//! Benchmark: completed sign-ups per second with OWASP's argon2id parameters, and the latency of
//! a cheap query (`client`) measured alone and then while sign-ups saturate the cores; then
//! password sign-ins per second, and the median time of a failed sign-in for a known identifier
//! against an unknown one (enumeration protection: they must be within 10 %).
//!
//! `cargo run --release -p latchkey-tests --bin bench-sign-up -- [SECONDS] [SIGN_UP_CONCURRENCY]`
//!
//! The server runs in this process on a fresh database (SQLite, or PostgreSQL through
//! `LATCHKEY_TEST_DATABASE_URL`), with the default hashing pool (one thread per core) and two
//! HTTP workers; the load comes from this process over HTTP on localhost. A sign-up is
//! `createSignUp` (one argon2id hash) + `prepareSignUpVerification` + `attemptSignUpVerification`
//! on a development test address, so no mail is sent.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

// The allocator of the `latchkey` binary: measure (and test) what ships.
#[global_allocator]
static ALLOCATOR: latchkey_api::Allocator = latchkey_api::Allocator;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use latchkey_domain::rate_limit::Quota;
use latchkey_tests::{Frontend, TestServer};
use serde_json::json;

const PASSWORD: &str = "a sturdy passphrase";

async fn sign_up(frontend: &mut Frontend, n: u64) {
    let email = format!("bench{n}+latchkey_test@example.com");
    frontend.complete_test_sign_up(&email, PASSWORD).await;
}

/// Sends `client` queries back to back for `duration`; gives the latencies, sorted.
async fn probe(frontend: &Frontend, duration: Duration) -> Vec<Duration> {
    let mut latencies = Vec::new();
    let end = Instant::now() + duration;
    while Instant::now() < end {
        let start = Instant::now();
        let answer = frontend
            .post("{ client { id signUp { status } } }", json!({}))
            .await;
        latencies.push(start.elapsed());
        assert!(answer.data()["client"]["id"].is_string());
        // A frontend polls; it does not hammer. 200 queries a second at most.
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    latencies.sort();
    latencies
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index].as_secs_f64() * 1000.0
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let seconds: u64 = args.get(1).map_or(20, |s| s.parse().unwrap());
    let concurrency: u64 = args.get(2).map_or(8, |s| s.parse().unwrap());
    let server = TestServer::spawn_with(|config| {
        config.workers = 2;
        config.rate_limits.sign_up = Quota::new(1_000_000, 1);
        config.rate_limits.attempt = Quota::new(1_000_000, 1);
        config.rate_limits.sign_in = Quota::new(1_000_000, 1);
    })
    .await;
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());

    // The probing client: one finished sign-up, then `client` queries.
    let mut prober = Frontend::new(&server.url, &server.publishable_key);
    sign_up(&mut prober, u64::MAX).await;
    let warm = probe(&prober, Duration::from_secs(2)).await;
    drop(warm);
    let idle = probe(&prober, Duration::from_secs(seconds / 2)).await;

    let running = Arc::new(AtomicBool::new(true));
    let completed = Arc::new(AtomicU64::new(0));
    let counter = Arc::new(AtomicU64::new(0));
    let workers: Vec<_> = (0..concurrency)
        .map(|_| {
            let (running, completed, counter) =
                (running.clone(), completed.clone(), counter.clone());
            let (url, pk) = (server.url.clone(), server.publishable_key.clone());
            tokio::spawn(async move {
                while running.load(Ordering::Relaxed) {
                    let mut frontend = Frontend::new(&url, &pk);
                    sign_up(&mut frontend, counter.fetch_add(1, Ordering::Relaxed)).await;
                    completed.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    // Let the sign-ups reach a steady state, then measure both for `seconds`.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let before = completed.load(Ordering::Relaxed);
    let start = Instant::now();
    let loaded = probe(&prober, Duration::from_secs(seconds)).await;
    let elapsed = start.elapsed().as_secs_f64();
    let during = completed.load(Ordering::Relaxed) - before;
    running.store(false, Ordering::Relaxed);
    for worker in workers {
        worker.await.unwrap();
    }

    let engine = if server.db.is_postgres() {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    println!(
        "Latchkey sign-up benchmark ({engine}, {cores} cores, {concurrency} concurrent sign-ups, {seconds} s)"
    );
    println!(
        "completed sign-ups: {during} in {elapsed:.1} s = {:.1}/s",
        during as f64 / elapsed
    );
    println!(
        "`client` query, idle:            p50 {:.2} ms  p99 {:.2} ms  ({} queries)",
        percentile(&idle, 0.50),
        percentile(&idle, 0.99),
        idle.len()
    );
    println!(
        "`client` query, during sign-ups: p50 {:.2} ms  p99 {:.2} ms  ({} queries)",
        percentile(&loaded, 0.50),
        percentile(&loaded, 0.99),
        loaded.len()
    );

    // Sign-ins: every worker signs the probing user in again and again, each time as a new
    // client (one argon2id verification and one new session each).
    let identifier = format!("bench{}+latchkey_test@example.com", u64::MAX);
    let signed_in = Arc::new(AtomicU64::new(0));
    let running = Arc::new(AtomicBool::new(true));
    let workers: Vec<_> = (0..concurrency)
        .map(|_| {
            let (running, signed_in) = (running.clone(), signed_in.clone());
            let (url, pk, identifier) = (
                server.url.clone(),
                server.publishable_key.clone(),
                identifier.clone(),
            );
            tokio::spawn(async move {
                while running.load(Ordering::Relaxed) {
                    let mut frontend = Frontend::new(&url, &pk);
                    let done = frontend
                        .gql(SIGN_IN, json!({"i": identifier, "p": PASSWORD}))
                        .await;
                    assert_eq!(done.data()["createSignIn"]["status"], "COMPLETE");
                    signed_in.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    let start = Instant::now();
    tokio::time::sleep(Duration::from_secs(seconds / 2)).await;
    let sign_ins = signed_in.load(Ordering::Relaxed);
    let sign_in_elapsed = start.elapsed().as_secs_f64();
    running.store(false, Ordering::Relaxed);
    for worker in workers {
        worker.await.unwrap();
    }
    println!(
        "completed password sign-ins: {sign_ins} in {sign_in_elapsed:.1} s = {:.1}/s",
        sign_ins as f64 / sign_in_elapsed
    );

    // A wrong password for the known user against any password for an unknown identifier,
    // one after the other, alternating. The lockout is raised so that failures keep hashing.
    server
        .backend(
            "mutation { updateInstanceSettings(input: { lockout: { maxAttempts: 1000 } }) { id } }",
            json!({}),
        )
        .await
        .data();
    let mut known = Vec::new();
    let mut unknown = Vec::new();
    for n in 0..TIMED_SIGN_INS {
        for (who, into) in [
            (identifier.clone(), &mut known),
            (format!("nobody{n}@example.com"), &mut unknown),
        ] {
            let mut frontend = Frontend::new(&server.url, &server.publishable_key);
            let start = Instant::now();
            let answer = frontend
                .gql(SIGN_IN, json!({"i": who, "p": "not the password"}))
                .await;
            into.push(start.elapsed());
            assert_eq!(answer.code(), "INVALID_CREDENTIALS");
        }
    }
    known.sort();
    unknown.sort();
    let (k, u) = (percentile(&known, 0.5), percentile(&unknown, 0.5));
    println!(
        "failed sign-in, median of {TIMED_SIGN_INS}: known identifier {k:.2} ms, unknown {u:.2} ms ({:+.1} %)",
        (u - k) / k * 100.0
    );
    server.stop().await;
}

const SIGN_IN: &str = "mutation($i: String!, $p: String!) { createSignIn(input: {identifier: $i, password: $p}) { status } }";
const TIMED_SIGN_INS: usize = 200;
