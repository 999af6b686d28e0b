//! Benchmark: session-token refreshes, through the token endpoint
//! (`POST /v1/client/sessions/{id}/tokens`) and through GraphQL (`createSessionToken`).
//!
//! `cargo run --release -p latchkey-tests --bin bench-tokens -- [SECONDS] [ALGORITHM]`
//! `cargo run --release -p latchkey-tests --bin bench-tokens -- realistic [SESSIONS…]`
//! (ALGORITHM: ES256, EDDSA or RS256; needs `wrk` on the PATH: `apt-get install wrk`)
//!
//! The server runs in this process on a fresh database (SQLite, or PostgreSQL through
//! `LATCHKEY_TEST_DATABASE_URL`) with two HTTP workers, logging as the `latchkey` binary does
//! (`RUST_LOG`, default `info`).
//!
//! **Peak** (the default): one user signs in on 1,000 clients. Then:
//! 1. the raw cost of one signature on one core, with the server's signer and with
//!    `jsonwebtoken::encode`;
//! 2. two floors through the endpoint's `wrk` script: a bare actix-web server (two workers)
//!    answering every `POST` with fixed bytes of a refresh's size (the floor of HTTP here), then
//!    one that signs a token for every request and does nothing else (the signing floor);
//! 3. peak refreshes per second with `wrk` (a separate process on the same two cores): the token
//!    endpoint over 100 and 1,000 connections, GraphQL over 100, each request for the next of
//!    the clients round-robin; this process's CPU time (the server's: nothing else runs here
//!    meanwhile) and the database statements it ran, per refresh;
//! 4. latency at half of each 100-connection peak: 100 clients, each asking on a fixed
//!    schedule (open loop, latency from the scheduled time), p50 and p99, from a lean load
//!    generator on a thread of its own (raw HTTP/1.1 over keep-alive connections).
//!
//! **Realistic**: for each count (default 10,000 and 100,000), that many users, each signed in
//! on a client of its own (seeded straight into the database), each refreshing through the token
//! endpoint every 50 s, as a browser tab does: the open-loop generator over 100 connections at
//! count / 50 refreshes per second, one cycle (50 s) to load every client's actor, then one cycle
//! measured: the server's CPU per refresh (the process's CPU less the generator thread's), the
//! statements per second, and the latency.
//!
//! Every response is checked for a token (`wrk` counts the ones without).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

// The allocator of the `latchkey` binary: measure (and test) what ships.
#[global_allocator]
static ALLOCATOR: latchkey_api::Allocator = latchkey_api::Allocator;

use std::sync::Arc;
use std::time::{Duration, Instant};

use actix_web::web;
use latchkey_domain::model::settings::SigningAlgorithm;
use latchkey_domain::rate_limit::Quota;
use latchkey_domain::tokens::keys::{Signer, generate, jose_algorithm};
use latchkey_domain::tokens::verify::SessionClaims;
use latchkey_tests::sessions_seed::{SeededSession, seed_sessions};
use latchkey_tests::{Frontend, TestServer};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const PASSWORD: &str = "a sturdy passphrase";
const EMAIL: &str = "bench+latchkey_test@example.com";
const REFRESH: &str = "mutation($s: ID!) { createSessionToken(sessionId: $s) { jwt } }";
/// How often a signed-in tab refreshes its token (the default token lives 60 s).
const CYCLE: Duration = Duration::from_secs(50);

/// Which way a refresh is asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Route {
    /// `POST /v1/client/sessions/{id}/tokens`, empty body.
    Endpoint,
    /// `POST /graphql` with `createSessionToken`.
    GraphQl,
}

async fn sign_in(server: &TestServer) -> SeededSession {
    let mut frontend = Frontend::new(&server.url, &server.publishable_key);
    let answer = frontend
        .gql(
            "mutation($i: SignInInput!) { createSignIn(input: $i) { createdSessionId } }",
            json!({"i": {"identifier": EMAIL, "password": PASSWORD}}),
        )
        .await;
    SeededSession {
        client_token: frontend.token.clone().unwrap(),
        session_id: answer.data()["createSignIn"]["createdSessionId"]
            .as_str()
            .unwrap()
            .to_owned(),
    }
}

/// CPU time (user and system) from a `/proc/…/stat` line.
fn cpu_of(stat: &str) -> Duration {
    let fields: Vec<&str> = stat.rsplit_once(") ").unwrap().1.split(' ').collect();
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the command name.
    let ticks: u64 = fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap();
    Duration::from_secs_f64(ticks as f64 / 100.0)
}

/// This process's CPU time so far.
fn cpu_time() -> Duration {
    cpu_of(&std::fs::read_to_string("/proc/self/stat").unwrap())
}

/// The calling thread's CPU time so far.
fn thread_cpu_time() -> Duration {
    cpu_of(&std::fs::read_to_string("/proc/thread-self/stat").unwrap())
}

fn claims(n: i64) -> SessionClaims {
    SessionClaims {
        iss: "http://127.0.0.1:8080/i/ins_bench".into(),
        sub: "user_2xQ9bench".into(),
        sid: format!("sess_{n}"),
        iat: 1_800_000_000 + n,
        nbf: 1_800_000_000 + n,
        exp: 1_800_000_060 + n,
        azp: None,
        jti: Some(format!("{n:032x}")),
        v: Some(2),
        fva: Some([0, -1]),
        extra: serde_json::Map::new(),
    }
}

/// A new key of `algorithm`: its PKCS#8 document, and the signer the server makes of it.
fn bench_key(algorithm: SigningAlgorithm) -> (Vec<u8>, Signer) {
    let key = generate("key_bench", algorithm).unwrap();
    let signer = Signer::from_pkcs8("key_bench", algorithm, &key.private_pkcs8).unwrap();
    (key.private_pkcs8, signer)
}

/// Microseconds per signature on this thread: the server's signer, then jsonwebtoken's.
fn raw_signing(algorithm: SigningAlgorithm) -> (f64, f64) {
    let (pkcs8, signer) = bench_key(algorithm);
    let time = |sign: &dyn Fn(i64) -> String| {
        let start = Instant::now();
        let mut n = 0;
        while start.elapsed() < Duration::from_secs(2) {
            assert!(!sign(n).is_empty());
            n += 1;
        }
        start.elapsed().as_secs_f64() * 1e6 / n as f64
    };
    let ours = time(&|n| signer.sign(&claims(n)).unwrap());
    let encoding = match algorithm {
        SigningAlgorithm::ES256 => jsonwebtoken::EncodingKey::from_ec_der(&pkcs8),
        SigningAlgorithm::EdDSA => jsonwebtoken::EncodingKey::from_ed_der(&pkcs8),
        SigningAlgorithm::RS256 => {
            // jsonwebtoken wants PKCS#1 for RSA: skip the comparison.
            return (ours, f64::NAN);
        }
    };
    let mut header = jsonwebtoken::Header::new(jose_algorithm(algorithm));
    header.kid = Some("key_bench".into());
    let theirs = time(&|n| jsonwebtoken::encode(&header, &claims(n), &encoding).unwrap());
    (ours, theirs)
}

/// A `wrk` script asking for the clients' tokens round-robin by `route`.
fn wrk_script(
    server: &TestServer,
    clients: &[SeededSession],
    route: Route,
) -> tempfile::NamedTempFile {
    let mut lua = String::from("clients = {\n");
    for c in clients {
        lua.push_str(&format!(
            "  {{\"{}\", \"{}\"}},\n",
            c.client_token, c.session_id
        ));
    }
    lua.push_str("}\n");
    lua.push_str(&format!("pk = \"{}\"\n", server.publishable_key));
    let request = match route {
        Route::Endpoint => r#"
  return wrk.format("POST", "/v1/client/sessions/" .. c[2] .. "/tokens",
    {["Latchkey-Publishable-Key"] = pk, ["Latchkey-Client"] = c[1]}, "")"#
            .to_owned(),
        Route::GraphQl => format!(
            r#"
  return wrk.format("POST", "/graphql",
    {{["Content-Type"] = "application/json", ["Latchkey-Publishable-Key"] = pk, ["Latchkey-Client"] = c[1]}},
    {} .. c[2] .. '"}}}}')"#,
            serde_json::to_string(&format!(
                "{{\"query\":{},\"variables\":{{\"s\":\"",
                serde_json::to_string(REFRESH).unwrap()
            ))
            .unwrap()
        ),
    };
    lua.push_str(&format!(
        r#"
i = 0
errors = 0
threads = {{}}
function setup(thread) table.insert(threads, thread) end
function request()
  i = i % #clients + 1
  local c = clients[i]{request}
end
function response(status, headers, body)
  if status ~= 200 or not string.find(body, '"jwt"', 1, true) then errors = errors + 1 end
end
function done(summary, latency, requests)
  local e = 0
  for _, t in ipairs(threads) do e = e + t:get("errors") end
  io.write(string.format("RESULT %d %d %.1f %.1f\n", summary.requests, e,
    latency:percentile(50), latency:percentile(99)))
end
"#
    ));
    let file = tempfile::Builder::new().suffix(".lua").tempfile().unwrap();
    std::fs::write(file.path(), lua).unwrap();
    file
}

struct Peak {
    per_second: f64,
    errors: u64,
    cpu_per_refresh_us: f64,
    statements_per_refresh: f64,
    p50_ms: f64,
    p99_ms: f64,
}

/// What the bare server answers: fixed bytes, or a new token signed for every request.
#[derive(Clone)]
enum Bare {
    /// These bytes (a refresh's answer).
    Fixed(web::Bytes),
    /// `{"jwt":…}` with a token this signer signs for the request.
    Signing(Arc<Signer>),
}

/// A bare actix-web server on a thread of its own with two workers, answering every `POST` as
/// `bare` says and doing nothing else. With fixed bytes, the floor of an HTTP answer of a
/// refresh's size on this machine (no lookup, no signature); signing, the floor of a refresh
/// (the signature, and nothing of ours around it).
fn bare_server(bare: Bare) -> (String, actix_web::dev::ServerHandle) {
    use actix_web::{App, HttpResponse, HttpServer};
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        actix_rt::System::new().block_on(async move {
            let signed = Arc::new(std::sync::atomic::AtomicI64::new(0));
            let server = HttpServer::new(move || {
                let (bare, signed) = (bare.clone(), signed.clone());
                App::new().default_service(web::post().to(move |_: web::Bytes| {
                    let body = match &bare {
                        Bare::Fixed(body) => body.clone(),
                        Bare::Signing(signer) => {
                            let n = signed.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                            let jwt = signer.sign(&claims(n)).unwrap();
                            format!("{{\"jwt\":\"{jwt}\"}}").into()
                        }
                    };
                    async move {
                        HttpResponse::Ok()
                            .content_type("application/json")
                            .body(body)
                    }
                }))
            })
            .workers(2)
            .disable_signals()
            .bind("127.0.0.1:0")
            .unwrap();
            let addr = server.addrs()[0];
            let server = server.run();
            tx.send((format!("http://{addr}"), server.handle()))
                .unwrap();
            server.await.unwrap();
        });
    });
    rx.recv().unwrap()
}

async fn run_wrk(
    url: &str,
    script: &tempfile::NamedTempFile,
    connections: usize,
    seconds: u64,
) -> Peak {
    let (cpu, statements) = (cpu_time(), latchkey_domain::store::statements_run());
    let start = Instant::now();
    let out = tokio::process::Command::new("wrk")
        .args([
            "-t2",
            &format!("-c{connections}"),
            &format!("-d{seconds}s"),
            "-s",
        ])
        .arg(script.path())
        .arg(url)
        .output()
        .await
        .expect("run wrk (apt-get install wrk)");
    let elapsed = start.elapsed().as_secs_f64();
    let (cpu, statements) = (
        cpu_time() - cpu,
        latchkey_domain::store::statements_run() - statements,
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let result = stdout
        .lines()
        .find_map(|l| l.strip_prefix("RESULT "))
        .unwrap_or_else(|| {
            panic!(
                "wrk said: {stdout} {}",
                String::from_utf8_lossy(&out.stderr)
            )
        });
    let parts: Vec<f64> = result.split(' ').map(|p| p.parse().unwrap()).collect();
    let requests = parts[0];
    let run_seconds: f64 = stdout
        .lines()
        .find_map(|l| l.split(" requests in ").nth(1))
        .and_then(|rest| rest.split('s').next())
        .and_then(|s| s.parse().ok())
        .unwrap_or(elapsed);
    Peak {
        per_second: requests / run_seconds,
        errors: parts[1] as u64,
        cpu_per_refresh_us: cpu.as_secs_f64() * 1e6 / requests,
        statements_per_refresh: statements as f64 / requests,
        p50_ms: parts[2] / 1000.0,
        p99_ms: parts[3] / 1000.0,
    }
}

/// The bytes of one refresh of `client` by `route`.
fn request_bytes(
    address: std::net::SocketAddr,
    publishable_key: &str,
    client: &SeededSession,
    route: Route,
) -> Vec<u8> {
    let (path, body) = match route {
        Route::Endpoint => (
            format!("/v1/client/sessions/{}/tokens", client.session_id),
            String::new(),
        ),
        Route::GraphQl => (
            "/graphql".to_owned(),
            json!({"query": REFRESH, "variables": {"s": client.session_id}}).to_string(),
        ),
    };
    format!(
        "POST {path} HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\nLatchkey-Publishable-Key: {publishable_key}\r\nLatchkey-Client: {}\r\nContent-Length: {}\r\n\r\n{body}",
        client.client_token,
        body.len()
    )
    .into_bytes()
}

/// What an open-loop run saw: latencies from the scheduled times (sorted), and the generator
/// thread's own CPU time.
struct OpenLoop {
    latencies: Vec<Duration>,
    generator_cpu: Duration,
}

/// `clients` asking by `route` at `rate` per second in all, each on its own fixed schedule
/// (one ask per `clients.len() / rate` seconds, the schedules spread over that interval), over
/// `connections` keep-alive connections that share the clients; latencies from the scheduled
/// time (so a late answer also delays the requests queued behind it on its connection), sorted.
///
/// The load generator is kept lean, because it shares the two cores with the server: a thread
/// of its own with a single-threaded runtime, each request's bytes written once beforehand, each
/// response read by hand (HTTP/1.1 with a `Content-Length`) and checked for a `jwt`. Tokio's
/// timers fire on whole milliseconds, so a request leaves up to 1 ms after its time, and that
/// delay counts in its latency.
fn open_loop(
    server: &TestServer,
    clients: &[SeededSession],
    route: Route,
    connections: usize,
    rate: f64,
    duration: Duration,
) -> OpenLoop {
    let address: std::net::SocketAddr =
        server.url.strip_prefix("http://").unwrap().parse().unwrap();
    let requests: Vec<Vec<u8>> = clients
        .iter()
        .map(|c| request_bytes(address, &server.publishable_key, c, route))
        .collect();
    let connections = connections.min(requests.len()).max(1);
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let cpu = thread_cpu_time();
        let latencies = runtime.block_on(async move {
            let count = requests.len();
            // Each client asks once per `cycle`; a connection serves every `connections`-th.
            let cycle = Duration::from_secs_f64(count as f64 / rate);
            let step = cycle.div_f64(count as f64);
            let begin = tokio::time::Instant::now() + Duration::from_millis(200);
            let end = begin + duration;
            let requests = Arc::new(requests);
            let tasks: Vec<_> = (0..connections)
                .map(|k| {
                    let requests = requests.clone();
                    tokio::spawn(async move {
                        let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
                        stream.set_nodelay(true).unwrap();
                        let mut buffer = Vec::with_capacity(4096);
                        let mut latencies = Vec::new();
                        // Client n asks at begin + n·step, then every cycle.
                        let mut n = k;
                        let mut due = begin + step * u32::try_from(k).unwrap();
                        while due < end {
                            tokio::time::sleep_until(due).await;
                            stream.write_all(&requests[n % count]).await.unwrap();
                            let body = read_response(&mut stream, &mut buffer).await;
                            assert!(body.contains("\"jwt\""), "{body}");
                            latencies.push(due.elapsed());
                            n += connections;
                            due += step * u32::try_from(connections).unwrap();
                        }
                        latencies
                    })
                })
                .collect();
            let mut all = Vec::new();
            for task in tasks {
                all.extend(task.await.unwrap());
            }
            all.sort();
            all
        });
        OpenLoop {
            latencies,
            generator_cpu: thread_cpu_time() - cpu,
        }
    })
    .join()
    .unwrap()
}

/// Reads one HTTP/1.1 response with a `Content-Length` off `stream`; panics unless it is a 200.
/// Gives its body.
async fn read_response(stream: &mut tokio::net::TcpStream, buffer: &mut Vec<u8>) -> String {
    buffer.clear();
    let mut length = None;
    loop {
        if length.is_none()
            && let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n")
        {
            let head = std::str::from_utf8(&buffer[..end]).unwrap();
            assert!(head.starts_with("HTTP/1.1 200"), "{head}");
            let declared = head
                .lines()
                .find_map(|line| {
                    let (name, value) = line.split_once(':')?;
                    name.eq_ignore_ascii_case("content-length")
                        .then(|| value.trim().parse::<usize>().unwrap())
                })
                .unwrap_or_else(|| panic!("no Content-Length: {head}"));
            length = Some((end + 4, declared));
        }
        if let Some((start, declared)) = length
            && buffer.len() >= start + declared
        {
            assert_eq!(buffer.len(), start + declared, "one response at a time");
            return String::from_utf8_lossy(&buffer[start..]).into_owned();
        }
        let read = stream.read_buf(buffer).await.unwrap();
        assert!(read > 0, "the server closed the connection");
    }
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index].as_secs_f64() * 1000.0
}

/// The server for a benchmark: two workers, the per-IP limits lifted, multi-session on, and
/// `setting` as the signing algorithm.
async fn bench_server(setting: &str) -> Arc<TestServer> {
    let server = Arc::new(
        TestServer::spawn_with(|config| {
            config.workers = 2;
            config.rate_limits.sign_up = Quota::new(1_000_000, 1);
            config.rate_limits.attempt = Quota::new(1_000_000, 1);
            config.rate_limits.sign_in = Quota::new(1_000_000, 1);
        })
        .await,
    );
    server
        .backend(
            &format!("mutation {{ updateInstanceSettings(input: {{tokens: {{algorithm: {setting}}}, sessions: {{multiSession: true}}}}) {{ id }} }}"),
            json!({}),
        )
        .await
        .data();
    server
}

async fn peak_run(seconds: u64, setting: &str, algorithm: SigningAlgorithm) {
    let server = bench_server(setting).await;
    Frontend::new(&server.url, &server.publishable_key)
        .complete_test_sign_up(EMAIL, PASSWORD)
        .await;
    println!("signing in 1,000 clients…");
    let mut clients = Vec::new();
    for _ in 0..125 {
        let batch: Vec<_> = (0..8)
            .map(|_| {
                let server = server.clone();
                tokio::spawn(async move { sign_in(&server).await })
            })
            .collect();
        for b in batch {
            clients.push(b.await.unwrap());
        }
    }
    let (ours, theirs) = raw_signing(algorithm);
    println!(
        "raw signing ({setting}, one core): {ours:.1} µs/token with the server's signer, {theirs:.1} µs with jsonwebtoken::encode"
    );
    latchkey_api::logging::init(latchkey_api::logging::LogFormat::Pretty);
    let endpoint = wrk_script(&server, &clients, Route::Endpoint);
    let graphql = wrk_script(&server, &clients, Route::GraphQl);
    // Warm up: every client's actor loaded.
    run_wrk(&server.url, &endpoint, 100, 2).await;
    let answer = reqwest::Client::new()
        .post(format!(
            "{}/v1/client/sessions/{}/tokens",
            server.url, clients[0].session_id
        ))
        .header("latchkey-publishable-key", &server.publishable_key)
        .header("latchkey-client", &clients[0].client_token)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(answer.contains("\"jwt\""), "{answer}");
    let mut floors = Vec::new();
    for (what, bare) in [
        ("answering a refresh's bytes", Bare::Fixed(answer.into())),
        (
            "signing a token for every request",
            Bare::Signing(Arc::new(bench_key(algorithm).1)),
        ),
    ] {
        let (bare_url, handle) = bare_server(bare);
        let floor = run_wrk(&bare_url, &endpoint, 100, seconds).await;
        handle.stop(true).await;
        println!(
            "floor: bare actix-web {what}, 100 connections: {:.0} requests/s, {} errors, CPU {:.1} µs/request ({:.2}× raw signing)",
            floor.per_second,
            floor.errors,
            floor.cpu_per_refresh_us,
            floor.cpu_per_refresh_us / ours
        );
        floors.push(floor.cpu_per_refresh_us);
    }
    for (route, script, connections) in [
        (Route::Endpoint, &endpoint, 100),
        (Route::Endpoint, &endpoint, 1000),
        (Route::GraphQl, &graphql, 100),
    ] {
        let p = run_wrk(&server.url, script, connections, seconds).await;
        println!(
            "{route:?}, {connections} connections: {:.0} refreshes/s, {} errors, CPU {:.1} µs/refresh ({:.2}× raw signing, {:.2}× the signing floor), {:.4} statements/refresh, wrk p50 {:.2} ms p99 {:.2} ms",
            p.per_second,
            p.errors,
            p.cpu_per_refresh_us,
            p.cpu_per_refresh_us / ours,
            p.cpu_per_refresh_us / floors[1],
            p.statements_per_refresh,
            p.p50_ms,
            p.p99_ms,
        );
        if connections != 100 {
            continue;
        }
        let half = p.per_second / 2.0;
        let statements = latchkey_domain::store::statements_run();
        let run = open_loop(
            &server,
            &clients[..100],
            route,
            100,
            half,
            Duration::from_secs(seconds),
        );
        let statements = latchkey_domain::store::statements_run() - statements;
        println!(
            "{route:?} at half the peak ({half:.0}/s, 100 clients): {} refreshes, p50 {:.2} ms, p99 {:.2} ms, {} statements",
            run.latencies.len(),
            percentile(&run.latencies, 0.5),
            percentile(&run.latencies, 0.99),
            statements
        );
    }
}

async fn realistic_run(counts: &[u64]) {
    latchkey_api::logging::init(latchkey_api::logging::LogFormat::Pretty);
    for &count in counts {
        let server = bench_server("ES256").await;
        println!("seeding {count} signed-in sessions…");
        let clients = seed_sessions(&server.db.url, &server.instance_id, count).await;
        let rate = clients.len() as f64 / CYCLE.as_secs_f64();
        println!(
            "{} sessions refreshing every {} s: {rate:.0} refreshes/s; loading their actors for one cycle…",
            clients.len(),
            CYCLE.as_secs()
        );
        open_loop(&server, &clients, Route::Endpoint, 100, rate, CYCLE);
        let (cpu, statements, started) = (
            cpu_time(),
            latchkey_domain::store::statements_run(),
            Instant::now(),
        );
        let run = open_loop(&server, &clients, Route::Endpoint, 100, rate, CYCLE);
        let elapsed = started.elapsed().as_secs_f64();
        let server_cpu = (cpu_time() - cpu).saturating_sub(run.generator_cpu);
        let statements = latchkey_domain::store::statements_run() - statements;
        let refreshes = run.latencies.len() as f64;
        println!(
            "{count} sessions: {refreshes} refreshes in {elapsed:.1} s, server CPU {:.1} µs/refresh ({:.0} % of a core; the generator used {:.1} µs/refresh more), {:.1} statements/s, p50 {:.2} ms, p99 {:.2} ms",
            server_cpu.as_secs_f64() * 1e6 / refreshes,
            100.0 * server_cpu.as_secs_f64() / elapsed,
            run.generator_cpu.as_secs_f64() * 1e6 / refreshes,
            statements as f64 / elapsed,
            percentile(&run.latencies, 0.5),
            percentile(&run.latencies, 0.99),
        );
        Arc::into_inner(server)
            .expect("nothing else holds the server")
            .stop()
            .await;
    }
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("realistic") {
        let counts: Vec<u64> = args[2..].iter().map(|c| c.parse().unwrap()).collect();
        let counts = if counts.is_empty() {
            vec![10_000, 100_000]
        } else {
            counts
        };
        realistic_run(&counts).await;
        return;
    }
    let seconds: u64 = args.get(1).map_or(10, |s| s.parse().unwrap());
    let (setting, algorithm) = match args.get(2).map_or("ES256", String::as_str) {
        "ES256" => ("ES256", SigningAlgorithm::ES256),
        "EDDSA" | "EdDSA" => ("EDDSA", SigningAlgorithm::EdDSA),
        "RS256" => ("RS256", SigningAlgorithm::RS256),
        other => panic!("unknown algorithm {other}"),
    };
    peak_run(seconds, setting, algorithm).await;
}
