//! Benchmark: events from commit to subscriber, across nodes.
//!
//! `LATCHKEY_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \
//!  cargo run --release -p latchkey-tests --bin bench-events -- [EVENTS] [SUBSCRIBERS]`
//!
//! Two server nodes run in this process on one fresh database (PostgreSQL: the nodes share it
//! and wake each other with LISTEN/NOTIFY; SQLite is one node, so there the cross-node latency
//! is skipped and everything runs on node A). Each event is
//! a `lockUser` or `unlockUser` through node A (one `user.updated` per call). Then:
//! 1. latency, one event at a time: from the event's `occurredAt` (the time the write took
//!    before opening its transaction) to its arrival at a subscriber on node B, and on node A
//!    for comparison; p50 and p99 over EVENTS events;
//! 2. fan-out: SUBSCRIBERS WebSocket subscribers on node B (on node A with SQLite); EVENTS events written by 8
//!    concurrent callers on node A; the time until every subscriber has every event, as events
//!    per second and deliveries (events × subscribers) per second;
//! 3. a client's changes across nodes (PostgreSQL): a browser's client is held by node B's actor
//!    (it refreshed there); through node A its active organization is set or cleared (no event:
//!    a `NOTIFY` to the other nodes), and a new session is signed in on it (its
//!    `session.created` event); the time from the change's answer on A until node B's token
//!    endpoint gives a token that shows it (asking again at once until it does); p50 and p99
//!    over 100 changes of each kind.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[global_allocator]
static ALLOCATOR: latchkey_api::Allocator = latchkey_api::Allocator;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use latchkey_domain::rate_limit::Quota;
use latchkey_tests::subscriber::{Socket, subscribed};
use latchkey_tests::{Frontend, TestServer};
use serde_json::{Value, json};

const LOCK: &str = "mutation($u: ID!, $l: Boolean!) { a: lockUser(id: $u) @include(if: $l) { id } b: unlockUser(id: $u) @skip(if: $l) { id } }";

async fn subscriber(url: &str, secret_key: &str) -> Socket {
    let query = "subscription { events(types: [\"user.updated\"]) { id occurredAt } }";
    subscribed(url, secret_key, query).await
}

/// The next event on `socket`: its id and `occurredAt`.
async fn next_event(socket: &mut Socket) -> (i64, chrono::DateTime<chrono::Utc>) {
    loop {
        let message = tokio::time::timeout(Duration::from_secs(30), socket.next())
            .await
            .expect("an event within 30 s")
            .unwrap()
            .unwrap();
        let Ok(text) = message.to_text() else {
            continue;
        };
        let value: Value = serde_json::from_str(text).unwrap();
        if value["type"] != "next" {
            continue;
        }
        let event = &value["payload"]["data"]["events"];
        let id = event["id"].as_str().unwrap().parse().unwrap();
        let at = event["occurredAt"].as_str().unwrap().parse().unwrap();
        return (id, at);
    }
}

/// A token for `session` from `node`'s token endpoint, or `None` when it refuses.
async fn token(
    http: &reqwest::Client,
    node: &TestServer,
    client: &str,
    session: &str,
) -> Option<String> {
    let answer: Value = http
        .post(format!("{}/v1/client/sessions/{session}/tokens", node.url))
        .header("latchkey-publishable-key", &node.publishable_key)
        .header("latchkey-client", client)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    answer["jwt"].as_str().map(str::to_owned)
}

/// The `o` claim's id of a token.
fn organization_of(jwt: &str) -> Option<String> {
    use base64::Engine;
    let payload = jwt.split('.').nth(1).unwrap();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .unwrap();
    let claims: Value = serde_json::from_slice(&bytes).unwrap();
    claims["o"]["id"].as_str().map(str::to_owned)
}

/// Milliseconds until `check` passes, asking again at once.
async fn until(mut check: impl AsyncFnMut() -> bool) -> f64 {
    let started = Instant::now();
    while !check().await {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "not within 10 s"
        );
    }
    started.elapsed().as_secs_f64() * 1000.0
}

/// Phase 3: a client held by node B's actor, changed through node A.
async fn client_changes(a: &TestServer, b: &TestServer, changes: usize) {
    a.backend(
        "mutation { updateInstanceSettings(input: {sessions: {multiSession: true}}) { id } }",
        json!({}),
    )
    .await
    .data();
    let (mut on_a, session) = Frontend::signed_up(
        &a.url,
        &a.publishable_key,
        "client+latchkey_test@example.com",
        "a sturdy passphrase",
    )
    .await;
    let client = on_a.token.clone().unwrap();
    let http = reqwest::Client::new();
    let user = on_a
        .gql("{ client { sessions { user { id } } } }", json!({}))
        .await
        .data()["client"]["sessions"][0]["user"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let org = a
        .backend(
            "mutation($c: ID) { createOrganization(name: \"Acme\", createdBy: $c) { id } }",
            json!({"c": user}),
        )
        .await
        .data()["createOrganization"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    token(&http, b, &client, &session).await.unwrap();
    let mut samples = Vec::with_capacity(changes);
    for n in 0..changes {
        let active = (n % 2 == 0).then_some(org.as_str());
        on_a.gql(
            "mutation($s: ID!, $o: ID) { setActiveSession(sessionId: $s, organizationId: $o) { id } }",
            json!({"s": session, "o": active}),
        )
        .await
        .data();
        samples.push(
            until(async || {
                let jwt = token(&http, b, &client, &session).await.unwrap();
                organization_of(&jwt).as_deref() == active
            })
            .await,
        );
    }
    samples.sort_by(f64::total_cmp);
    println!(
        "active organization set through A, in tokens through B: p50 {:.2} ms, p99 {:.2} ms",
        percentile(&samples, 0.5),
        percentile(&samples, 0.99)
    );
    let mut samples = Vec::with_capacity(changes);
    for _ in 0..changes {
        let created = on_a
            .gql(
                "mutation($i: SignInInput!) { createSignIn(input: $i) { createdSessionId } }",
                json!({"i": {"identifier": "client+latchkey_test@example.com", "password": "a sturdy passphrase"}}),
            )
            .await;
        let new = created.data()["createSignIn"]["createdSessionId"]
            .as_str()
            .unwrap()
            .to_owned();
        samples.push(until(async || token(&http, b, &client, &new).await.is_some()).await);
    }
    samples.sort_by(f64::total_cmp);
    println!(
        "session signed in through A, its tokens through B: p50 {:.2} ms, p99 {:.2} ms",
        percentile(&samples, 0.5),
        percentile(&samples, 0.99)
    );
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index]
}

async fn write(server: &TestServer, user: &str, lock: bool) {
    let answer = server.backend(LOCK, json!({"u": user, "l": lock})).await;
    answer.data();
}

/// One event at a time: the latency to a subscriber on `to`, events written through `from`.
async fn latency(from: &TestServer, to: &TestServer, user: &str, events: usize) -> (f64, f64) {
    let mut socket = subscriber(&to.url, &to.secret_key).await;
    // The subscription is live once the first event arrives.
    write(from, user, true).await;
    next_event(&mut socket).await;
    let mut samples = Vec::with_capacity(events);
    for n in 0..events {
        write(from, user, n % 2 == 1).await;
        let (_, at) = next_event(&mut socket).await;
        let arrived = chrono::Utc::now();
        samples.push((arrived - at).num_microseconds().unwrap() as f64 / 1000.0);
    }
    samples.sort_by(f64::total_cmp);
    (percentile(&samples, 0.5), percentile(&samples, 0.99))
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let events: usize = args.get(1).map_or(500, |a| a.parse().unwrap());
    let subscribers: usize = args.get(2).map_or(1000, |a| a.parse().unwrap());
    let a = TestServer::spawn_with(|config| {
        config.workers = 2;
        config.rate_limits.backend = Quota::new(1_000_000, 10);
        latchkey_tests::server::lift_ip_limits(config);
    })
    .await;
    let b = a.another_node().await;
    let engine = if a.db.is_postgres() {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    let (mut frontend, _) = Frontend::signed_up(
        &a.url,
        &a.publishable_key,
        "bench+latchkey_test@example.com",
        "a sturdy passphrase",
    )
    .await;
    let client = frontend
        .gql("{ client { sessions { user { id } } } }", json!({}))
        .await;
    let user = client.data()["client"]["sessions"][0]["user"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    println!("engine: {engine}; {events} events; {subscribers} subscribers");

    if a.db.is_postgres() {
        let (p50, p99) = latency(&a, &b, &user, events).await;
        println!("commit to a subscriber on the other node: p50 {p50:.2} ms, p99 {p99:.2} ms");
    } else {
        println!("(SQLite is one node: the other node only polls, once a second; skipped)");
    }
    let (p50, p99) = latency(&a, &a, &user, events).await;
    println!("commit to a subscriber on the same node:  p50 {p50:.2} ms, p99 {p99:.2} ms");

    let mut sockets = Vec::with_capacity(subscribers);
    // On SQLite the subscribers are on node A (one node); on PostgreSQL on node B.
    let fan = if a.db.is_postgres() { &b } else { &a };
    for _ in 0..subscribers {
        sockets.push(subscriber(&fan.url, &fan.secret_key).await);
    }
    // Every subscription is live once a first event reached each.
    write(&a, &user, true).await;
    for socket in &mut sockets {
        next_event(socket).await;
    }
    let received = Arc::new(AtomicUsize::new(0));
    let readers: Vec<_> = sockets
        .into_iter()
        .map(|mut socket| {
            let received = received.clone();
            tokio::spawn(async move {
                for _ in 0..events {
                    next_event(&mut socket).await;
                    received.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    let started = Instant::now();
    let writers = 8;
    let a = Arc::new(a);
    let tasks: Vec<_> = (0..writers)
        .map(|w| {
            let (a, user) = (a.clone(), user.clone());
            tokio::spawn(async move {
                for n in (w..events).step_by(writers) {
                    write(&a, &user, n % 2 == 0).await;
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    let written = started.elapsed();
    for reader in readers {
        reader.await.unwrap();
    }
    let all = started.elapsed().as_secs_f64();
    println!(
        "fan-out: {events} events written in {:.2} s; every one at all {subscribers} subscribers after {all:.2} s: {:.0} events/s, {:.0} deliveries/s",
        written.as_secs_f64(),
        events as f64 / all,
        (events * subscribers) as f64 / all
    );
    assert_eq!(received.load(Ordering::Relaxed), events * subscribers);
    let a = Arc::into_inner(a).expect("the writers are done");
    if a.db.is_postgres() {
        client_changes(&a, &b, 100).await;
    }
}
