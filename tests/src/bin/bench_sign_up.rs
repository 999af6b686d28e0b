//! Benchmark: completed sign-ups per second with OWASP's argon2id parameters, and the latency of
//! a cheap query (`client`) measured alone and then while sign-ups saturate the cores.
//!
//! `cargo run --release -p latchkey-tests --bin bench-sign-up -- [SECONDS] [SIGN_UP_CONCURRENCY]`
//!
//! The server runs in this process on a fresh database (SQLite, or PostgreSQL through
//! `LATCHKEY_TEST_DATABASE_URL`), with the default hashing pool (one thread per core) and two
//! HTTP workers; the load comes from this process over HTTP on localhost. A sign-up is
//! `createSignUp` (one argon2id hash) + `prepareSignUpVerification` + `attemptSignUpVerification`
//! on a development test address, so no mail is sent.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

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
    server.stop().await;
}
