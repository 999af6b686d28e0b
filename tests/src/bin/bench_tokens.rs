//! Benchmark: session-token refreshes (`createSessionToken` through `POST /graphql`).
//!
//! `cargo run --release -p latchkey-tests --bin bench-tokens -- [SECONDS] [ALGORITHM]`
//! (ALGORITHM: ES256, EDDSA or RS256; needs `wrk` on the PATH: `apt-get install wrk`)
//!
//! The server runs in this process on a fresh database (SQLite, or PostgreSQL through
//! `LATCHKEY_TEST_DATABASE_URL`) with two HTTP workers. One user signs in on 1,000 clients. Then:
//! 1. the raw cost of one signature on one core, with the server's signer and with
//!    `jsonwebtoken::encode`, for the same algorithm; and the cost of validating the refresh's
//!    document strictly against fast (a schema with no domain behind it, on one thread);
//! 2. the transport's own cost: `{ __typename }` with the publishable key through `wrk`; and two
//!    floors, through the refresh's `wrk` script: a bare actix-web server (two workers) answering
//!    every `POST` with the bytes of a refresh's answer (the floor of HTTP here), then one that
//!    signs a token for every request and does nothing else (the floor of a refresh);
//! 3. peak refreshes per second with `wrk` (a separate process on the same two cores) over 100
//!    and then 1,000 connections, each request for the next of the clients round-robin; this
//!    process's CPU time (the server's: nothing else runs here meanwhile) and the database
//!    statements it ran, per refresh;
//! 4. latency at half the 100-connection peak: 100 clients, each asking on a fixed schedule
//!    (open loop, latency measured from the scheduled time), p50 and p99, from a lean load
//!    generator on a thread of its own (raw HTTP/1.1 over keep-alive connections).
//!
//! Every response is checked for a token (`wrk` counts the ones without). From step 2 on, the
//! process logs as the `latchkey` binary does (`RUST_LOG`, default `info`).

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
use latchkey_tests::{Frontend, TestServer};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const PASSWORD: &str = "a sturdy passphrase";
const EMAIL: &str = "bench+latchkey_test@example.com";
const REFRESH: &str = "mutation($s: ID!) { createSessionToken(sessionId: $s) { jwt } }";

/// A signed-in client: its token and its session.
struct Client {
    token: String,
    session: String,
}

async fn sign_in(server: &TestServer) -> Client {
    let mut frontend = Frontend::new(&server.url, &server.publishable_key);
    let answer = frontend
        .gql(
            "mutation($i: SignInInput!) { createSignIn(input: $i) { createdSessionId } }",
            json!({"i": {"identifier": EMAIL, "password": PASSWORD}}),
        )
        .await;
    Client {
        token: frontend.token.clone().unwrap(),
        session: answer.data()["createSignIn"]["createdSessionId"]
            .as_str()
            .unwrap()
            .to_owned(),
    }
}

/// This process's CPU time so far (user and system).
fn cpu_time() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap();
    let fields: Vec<&str> = stat.rsplit_once(") ").unwrap().1.split(' ').collect();
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the command name.
    let ticks: u64 = fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap();
    Duration::from_secs_f64(ticks as f64 / 100.0)
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

/// Microseconds to run the refresh's document on the schema (parsed beforehand, as the server
/// keeps it), validated strictly and validated fast, on this thread: blocks of each in turn, the
/// median block of each. There is no domain behind this schema, so the field fails at once:
/// the difference is the validation.
async fn validation_cost() -> (f64, f64) {
    use async_graphql::ValidationMode;
    use latchkey_api::graphql::{Limits, build_schema_validating};
    let strict = build_schema_validating(None, Limits::default(), false, ValidationMode::Strict);
    let fast = build_schema_validating(None, Limits::default(), false, ValidationMode::Fast);
    let document = async_graphql::parser::parse_query(REFRESH).unwrap();
    let request = || {
        let mut request = async_graphql::Request::new(REFRESH).variables(
            async_graphql::Variables::from_json(json!({"s": "sess_2xQ9bench"})),
        );
        request.set_parsed_query(document.clone());
        request
    };
    let (mut strict_blocks, mut fast_blocks) = (Vec::new(), Vec::new());
    for _ in 0..15 {
        for (schema, blocks) in [(&strict, &mut strict_blocks), (&fast, &mut fast_blocks)] {
            let start = Instant::now();
            for _ in 0..5_000 {
                let response = schema.execute(request()).await;
                assert!(!response.errors.is_empty(), "no domain: the field fails");
            }
            blocks.push(start.elapsed().as_secs_f64() * 1e6 / 5_000.0);
        }
    }
    let median = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    (median(strict_blocks), median(fast_blocks))
}

fn wrk_script(server: &TestServer, clients: &[Client]) -> tempfile::NamedTempFile {
    let mut lua = String::from("clients = {\n");
    for c in clients {
        lua.push_str(&format!("  {{\"{}\", \"{}\"}},\n", c.token, c.session));
    }
    lua.push_str("}\n");
    lua.push_str(&format!("pk = \"{}\"\n", server.publishable_key));
    lua.push_str(&format!(
        "query = {}\n",
        serde_json::to_string(&format!(
            "{{\"query\":{},\"variables\":{{\"s\":\"",
            serde_json::to_string(REFRESH).unwrap()
        ))
        .unwrap()
    ));
    lua.push_str(
        r#"
i = 0
errors = 0
threads = {}
function setup(thread) table.insert(threads, thread) end
function request()
  i = i % #clients + 1
  local c = clients[i]
  return wrk.format("POST", "/graphql",
    {["Content-Type"] = "application/json", ["Latchkey-Publishable-Key"] = pk, ["Latchkey-Client"] = c[1]},
    query .. c[2] .. '"}}')
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
"#,
    );
    let file = tempfile::Builder::new().suffix(".lua").tempfile().unwrap();
    std::fs::write(file.path(), lua).unwrap();
    file
}

struct Peak {
    connections: usize,
    requests: f64,
    per_second: f64,
    errors: u64,
    cpu_per_refresh_us: f64,
    statements_per_refresh: f64,
    p50_ms: f64,
    p99_ms: f64,
}

/// A `wrk` script posting `{ __typename }` with the publishable key: the transport and GraphQL
/// alone, no actor and no signature.
fn baseline_script(server: &TestServer) -> tempfile::NamedTempFile {
    let lua = format!(
        r#"
wrk.method = "POST"
wrk.body = '{{"query":"{{ __typename }}"}}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Latchkey-Publishable-Key"] = "{}"
errors = 0
threads = {{}}
function setup(thread) table.insert(threads, thread) end
function response(status, headers, body)
  if status ~= 200 or not string.find(body, "Query", 1, true) then errors = errors + 1 end
end
function done(summary, latency, requests)
  local e = 0
  for _, t in ipairs(threads) do e = e + t:get("errors") end
  io.write(string.format("RESULT %d %d %.1f %.1f\n", summary.requests, e,
    latency:percentile(50), latency:percentile(99)))
end
"#,
        server.publishable_key
    );
    let file = tempfile::Builder::new().suffix(".lua").tempfile().unwrap();
    std::fs::write(file.path(), lua).unwrap();
    file
}

async fn peak(server: &TestServer, clients: &[Client], connections: usize, seconds: u64) -> Peak {
    let script = wrk_script(server, clients);
    run_wrk(&server.url, &script, connections, seconds).await
}

/// What the bare server answers: fixed bytes, or a new token signed for every request.
#[derive(Clone)]
enum Bare {
    /// These bytes (a refresh's answer).
    Fixed(web::Bytes),
    /// `{"data":{"createSessionToken":{"jwt":…}}}` with a token this signer signs for the request.
    Signing(Arc<Signer>),
}

/// A bare actix-web server on a thread of its own with two workers, answering every `POST
/// /graphql` as `bare` says and doing nothing else. With fixed bytes, the floor of an HTTP
/// answer of a refresh's size on this machine (no GraphQL, no lookup, no signature); signing,
/// the floor of a refresh (the signature, and nothing of ours around it).
fn bare_server(bare: Bare) -> (String, actix_web::dev::ServerHandle) {
    use actix_web::{App, HttpResponse, HttpServer};
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        actix_rt::System::new().block_on(async move {
            let signed = Arc::new(std::sync::atomic::AtomicI64::new(0));
            let server = HttpServer::new(move || {
                let (bare, signed) = (bare.clone(), signed.clone());
                App::new().route(
                    "/graphql",
                    web::post().to(move |_: web::Bytes| {
                        let body = match &bare {
                            Bare::Fixed(body) => body.clone(),
                            Bare::Signing(signer) => {
                                let n = signed.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                                let jwt = signer.sign(&claims(n)).unwrap();
                                format!(
                                    "{{\"data\":{{\"createSessionToken\":{{\"jwt\":\"{jwt}\"}}}}}}"
                                )
                                .into()
                            }
                        };
                        async move {
                            HttpResponse::Ok()
                                .content_type("application/json")
                                .body(body)
                        }
                    }),
                )
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
        .arg(format!("{url}/graphql"))
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
        connections,
        requests,
        per_second: requests / run_seconds,
        errors: parts[1] as u64,
        cpu_per_refresh_us: cpu.as_secs_f64() * 1e6 / requests,
        statements_per_refresh: statements as f64 / requests,
        p50_ms: parts[2] / 1000.0,
        p99_ms: parts[3] / 1000.0,
    }
}

/// 100 clients asking at `rate` per second in all, each on its own fixed schedule over its own
/// keep-alive connection; latencies from the scheduled time (so a late answer also delays the
/// latencies of the requests queued behind it), sorted.
///
/// The load generator is kept lean, because it shares the two cores with the server: a thread
/// of its own with a single-threaded runtime, each request's bytes written once beforehand, each
/// response read by hand (HTTP/1.1 with a `Content-Length`) and checked for a `jwt`. Tokio's
/// timers fire on whole milliseconds, so a request leaves up to 1 ms after its time, and that
/// delay counts in its latency.
fn open_loop(server: &TestServer, clients: &[Client], rate: f64, seconds: u64) -> Vec<Duration> {
    let address: std::net::SocketAddr =
        server.url.strip_prefix("http://").unwrap().parse().unwrap();
    let requests: Vec<Vec<u8>> = clients
        .iter()
        .map(|c| {
            let body = json!({"query": REFRESH, "variables": {"s": c.session}}).to_string();
            format!(
                "POST /graphql HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\nLatchkey-Publishable-Key: {}\r\nLatchkey-Client: {}\r\nContent-Length: {}\r\n\r\n{body}",
                server.publishable_key,
                c.token,
                body.len()
            )
            .into_bytes()
        })
        .collect();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let count = requests.len();
            let interval = Duration::from_secs_f64(count as f64 / rate);
            let begin = tokio::time::Instant::now() + Duration::from_millis(200);
            let end = begin + Duration::from_secs(seconds);
            let tasks: Vec<_> = requests
                .into_iter()
                .enumerate()
                .map(|(n, request)| {
                    // Spread the clients' schedules over one interval.
                    let first = begin + interval.mul_f64(n as f64 / count as f64);
                    tokio::spawn(async move {
                        let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
                        stream.set_nodelay(true).unwrap();
                        let mut buffer = Vec::with_capacity(4096);
                        let mut latencies = Vec::new();
                        let mut due = first;
                        while due < end {
                            tokio::time::sleep_until(due).await;
                            stream.write_all(&request).await.unwrap();
                            let body = read_response(&mut stream, &mut buffer).await;
                            assert!(body.contains("\"jwt\""), "{body}");
                            latencies.push(due.elapsed());
                            due += interval;
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
        })
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

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let seconds: u64 = args.get(1).map_or(10, |s| s.parse().unwrap());
    let (setting, algorithm) = match args.get(2).map_or("ES256", String::as_str) {
        "ES256" => ("ES256", SigningAlgorithm::ES256),
        "EDDSA" | "EdDSA" => ("EDDSA", SigningAlgorithm::EdDSA),
        "RS256" => ("RS256", SigningAlgorithm::RS256),
        other => panic!("unknown algorithm {other}"),
    };
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

    let (strict, fast) = validation_cost().await;
    println!(
        "the refresh's document run on a schema with no domain (one thread): {strict:.1} µs validated strictly, {fast:.1} µs fast"
    );

    // From here, the logging of the `latchkey` binary (`RUST_LOG`, default `info`): a request's
    // span is part of what a request costs. (Not before: the document run on a schema with no
    // domain above fails in its resolver, and would log every time.)
    latchkey_api::logging::init(latchkey_api::logging::LogFormat::Pretty);
    // Warm up: every client's actor loaded.
    peak(&server, &clients, 100, 2).await;
    let base = run_wrk(&server.url, &baseline_script(&server), 100, seconds).await;
    println!(
        "baseline {{ __typename }}, 100 connections: {:.0} requests/s, {} errors, CPU {:.1} µs/request, wrk p50 {:.2} ms p99 {:.2} ms",
        base.per_second, base.errors, base.cpu_per_refresh_us, base.p50_ms, base.p99_ms
    );
    let answer = reqwest::Client::new()
        .post(format!("{}/graphql", server.url))
        .header("latchkey-publishable-key", &server.publishable_key)
        .header("latchkey-client", &clients[0].token)
        .json(&json!({"query": REFRESH, "variables": {"s": clients[0].session}}))
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
        let floor = run_wrk(&bare_url, &wrk_script(&server, &clients), 100, seconds).await;
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
    let direct_runs = || {
        server
            .parsed
            .kept(REFRESH)
            .map_or(0, |kept| kept.direct_runs())
    };
    let mut peaks = Vec::new();
    for connections in [100, 1000] {
        let direct = direct_runs();
        let p = peak(&server, &clients, connections, seconds).await;
        let direct = (direct_runs() - direct) as f64;
        println!(
            "{} connections: {:.0} refreshes/s, {} errors, CPU {:.1} µs/refresh ({:.2}× raw signing, {:.2}× the signing floor), {:.4} statements/refresh, wrk p50 {:.2} ms p99 {:.2} ms, {:.1} % run without the executor",
            p.connections,
            p.per_second,
            p.errors,
            p.cpu_per_refresh_us,
            p.cpu_per_refresh_us / ours,
            p.cpu_per_refresh_us / floors[1],
            p.statements_per_refresh,
            p.p50_ms,
            p.p99_ms,
            100.0 * direct / p.requests
        );
        peaks.push(p);
    }
    let half = peaks[0].per_second / 2.0;
    let statements = latchkey_domain::store::statements_run();
    let latencies = open_loop(&server, &clients[..100], half, seconds);
    let statements = latchkey_domain::store::statements_run() - statements;
    println!(
        "at half the peak ({half:.0}/s, 100 clients): {} refreshes, p50 {:.2} ms, p99 {:.2} ms, {} statements",
        latencies.len(),
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.99),
        statements
    );
}
