//! Benchmark: the backend's `users` query on a large instance: latency by search, filter and
//! order, with and without `totalCount`, and the statements one page costs.
//!
//! `cargo run --release -p latchkey-tests --bin bench-users -- [--count N] [--analyze]`
//!   seeds N users (default 10,000) into a fresh database (SQLite, or PostgreSQL through
//!   `LATCHKEY_TEST_DATABASE_URL`) with `tests/src/users_seed.rs`;
//! `… -- --database-url URL --instance-id ins_…` uses a database seeded with `seed-users`
//!   (on PostgreSQL, `LATCHKEY_MASTER_KEY` if set; no token is signed here). A secret key is
//!   created for the instance through the admin token, and revoked at the end.
//! Common: `--requests R` (default 200 per case, after 10 of warm-up; a case stops after
//! `--seconds S`, default 20), `--limit L` (the page size of the latency cases, default 100).
//!
//! The server runs in this process with two HTTP workers and the backend rate limit lifted; the
//! requests are sequential over one keep-alive connection. The statement counts come from
//! `store::statements_run` (the pool's counter, shared with the in-process server): the fewest
//! over ten runs of one request, so that a background statement does not count.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[global_allocator]
static ALLOCATOR: latchkey_api::Allocator = latchkey_api::Allocator;

use std::time::{Duration, Instant};

use latchkey_api::ServerConfig;
use latchkey_api::server::Stopper;
use latchkey_domain::rate_limit::Quota;
use latchkey_tests::{TestServer, users_seed};
use serde_json::{Value, json};

const FIELDS: &str = "id username firstName lastName createdAt lastSignInAt banned \
                      emailAddresses { emailAddress }";

fn configure(config: &mut ServerConfig) {
    config.workers = 2;
    config.rate_limits.backend = Quota::new(1_000_000, 10);
}

/// Starts the server on an existing database, on its own actix system thread.
async fn start_on(url: &str, admin_token: &str) -> (String, Stopper) {
    let mut config = ServerConfig::new(url.to_owned());
    config.admin_token = Some(admin_token.to_owned());
    configure(&mut config);
    if !url.starts_with("sqlite:") {
        use latchkey_domain::tokens::master_key::MasterKey;
        config.master_key = Some(match std::env::var("LATCHKEY_MASTER_KEY") {
            Ok(key) => MasterKey::parse(&key).expect("LATCHKEY_MASTER_KEY"),
            // Nothing here opens or seals a signing key.
            Err(_) => MasterKey::generate(),
        });
    }
    let (tx, rx) = tokio::sync::oneshot::channel();
    std::thread::spawn(move || {
        actix_rt::System::new().block_on(async move {
            match latchkey_api::start(config).await {
                Ok(running) => {
                    let _ = tx.send(Ok((running.public_url.clone(), running.stopper.clone())));
                    running.wait().await.ok();
                }
                Err(err) => {
                    let _ = tx.send(Err(err.to_string()));
                }
            }
        });
    });
    rx.await
        .expect("the server thread answers")
        .expect("the server starts")
}

/// A backend client on one keep-alive connection.
struct Backend {
    http: reqwest::Client,
    url: String,
    key: String,
}

impl Backend {
    /// Posts an operation: the data, or the errors as text.
    async fn post(&self, query: &str, variables: Value) -> Result<Value, String> {
        let response = self
            .http
            .post(format!("{}/graphql", self.url))
            .bearer_auth(&self.key)
            .json(&json!({"query": query, "variables": variables}))
            .send()
            .await
            .map_err(|e| e.to_string())?;
        let status = response.status();
        let body: Value = response.json().await.map_err(|e| e.to_string())?;
        match body.get("errors") {
            None if status.is_success() => Ok(body["data"].clone()),
            _ => Err(format!("HTTP {status}: {body}")),
        }
    }
}

/// `users` with the given arguments and user fields; `totalCount` too when `total`.
fn users_query(fields: &str, total: bool) -> String {
    format!(
        "query($f: UserFilterInput, $o: UserOrderBy, $l: Int, $s: Int) {{ \
         users(filter: $f, orderBy: $o, limit: $l, offset: $s) {{ data {{ {fields} }} {} }} }}",
        if total { "totalCount" } else { "" }
    )
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index]
}

/// Latencies of one request repeated: (p50, p99, samples) in ms, or the first error.
async fn measure(
    backend: &Backend,
    query: &str,
    variables: &Value,
    requests: usize,
    budget: Duration,
) -> Result<(f64, f64, usize), String> {
    for _ in 0..10 {
        backend.post(query, variables.clone()).await?;
    }
    let mut samples = Vec::with_capacity(requests);
    let started = Instant::now();
    while samples.len() < requests && (samples.len() < 10 || started.elapsed() < budget) {
        let at = Instant::now();
        backend.post(query, variables.clone()).await?;
        samples.push(at.elapsed().as_secs_f64() * 1000.0);
    }
    samples.sort_by(f64::total_cmp);
    Ok((
        percentile(&samples, 0.5),
        percentile(&samples, 0.99),
        samples.len(),
    ))
}

/// Statements for pages of users with their memberships, each membership with its organization
/// and its user's public data: two organizations of this run get the first 100 users as
/// members (deleted again after, with their memberships).
async fn memberships_statements(backend: &Backend, total: i64) {
    const WITH_MEMBERSHIPS: &str = "id emailAddresses { emailAddress } \
        organizationMemberships { role organization { slug } publicUserData { identifier } }";
    let run = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    let first = backend
        .post(&users_query("id", false), json!({"l": 100}))
        .await
        .expect("the first page");
    let ids: Vec<String> = first["users"]["data"]
        .as_array()
        .expect("users.data")
        .iter()
        .filter_map(|u| u["id"].as_str().map(str::to_owned))
        .collect();
    let mut orgs = Vec::new();
    for n in 0..2 {
        let created = backend
            .post(
                "mutation($n: String!) { createOrganization(name: $n, maxAllowedMemberships: 0) { id } }",
                json!({"n": format!("bench {run} {n}")}),
            )
            .await
            .expect("an organization");
        let org = created["createOrganization"]["id"]
            .as_str()
            .expect("an id")
            .to_owned();
        for user in &ids {
            backend
                .post(
                    "mutation($o: ID!, $u: ID!) { createOrganizationMembership(organizationId: $o, userId: $u) { id } }",
                    json!({"o": org, "u": user}),
                )
                .await
                .expect("a membership");
        }
        orgs.push(org);
    }
    println!("\nStatements per `users` request with `organizationMemberships {{ role organization");
    println!(
        "{{ slug }} publicUserData {{ identifier }} }}` (every user of the page a member of two"
    );
    println!("organizations; the fewest of ten runs):\n");
    println!("| page | statements |");
    println!("| ---: | ---: |");
    for limit in [10, 100] {
        let rows = usize::try_from(limit.min(total)).unwrap_or(0);
        let n = statements(
            backend,
            &users_query(WITH_MEMBERSHIPS, false),
            &json!({"l": limit}),
            rows,
        )
        .await;
        println!("| {limit} | {n} |");
    }
    for org in orgs {
        if let Err(e) = backend
            .post(
                "mutation($o: ID!) { deleteOrganization(id: $o) { id } }",
                json!({"o": org}),
            )
            .await
        {
            eprintln!("could not delete the bench's organization {org}: {e}");
        }
    }
}

/// The fewest statements one request ran, over ten runs.
async fn statements(backend: &Backend, query: &str, variables: &Value, rows: usize) -> u64 {
    let mut fewest = u64::MAX;
    for _ in 0..10 {
        let before = latchkey_domain::store::statements_run();
        let data = backend
            .post(query, variables.clone())
            .await
            .expect("a page of users");
        let after = latchkey_domain::store::statements_run();
        let page = data["users"]["data"].as_array().expect("users.data");
        assert_eq!(page.len(), rows, "a full page");
        assert!(
            page.iter()
                .all(|u| u["emailAddresses"][0]["emailAddress"].is_string())
        );
        fewest = fewest.min(after - before);
    }
    fewest
}

struct Options {
    url: Option<String>,
    instance: Option<String>,
    count: u64,
    requests: usize,
    seconds: u64,
    limit: i64,
    analyze: Option<bool>,
}

fn options() -> Options {
    let mut o = Options {
        url: None,
        instance: None,
        count: 10_000,
        requests: 200,
        seconds: 20,
        limit: 100,
        analyze: None,
    };
    let mut args = std::env::args().skip(1);
    let usage = || -> ! {
        eprintln!(
            "usage: bench-users [--count N] [--analyze] | --database-url URL --instance-id ID; \
             [--requests R] [--seconds S] [--limit L]"
        );
        std::process::exit(2)
    };
    while let Some(arg) = args.next() {
        let mut value = || args.next().unwrap_or_else(|| usage());
        let number = |v: String| {
            v.replace(['_', ','], "")
                .parse()
                .unwrap_or_else(|_| usage())
        };
        match arg.as_str() {
            "--database-url" => o.url = Some(value()),
            "--instance-id" => o.instance = Some(value()),
            "--count" => o.count = number(value()),
            "--requests" => o.requests = number(value()) as usize,
            "--seconds" => o.seconds = number(value()),
            "--limit" => o.limit = number(value()) as i64,
            "--analyze" => o.analyze = Some(true),
            "--no-analyze" => o.analyze = Some(false),
            _ => usage(),
        }
    }
    if o.url.is_some() != o.instance.is_some() {
        usage();
    }
    o
}

/// A server for the bench: on the given database (an instance seeded before), or on a fresh
/// one seeded here.
struct Target {
    backend: Backend,
    engine: &'static str,
    /// The secret key made for the bench on a given database (revoked at the end).
    key_id: Option<String>,
    stopper: Option<Stopper>,
    fresh: Option<TestServer>,
}

async fn target(o: &Options, http: &reqwest::Client) -> Target {
    let backend = |url: &str, key: &str| Backend {
        http: http.clone(),
        url: url.to_owned(),
        key: key.to_owned(),
    };
    if let (Some(url), Some(instance)) = (&o.url, &o.instance) {
        let admin_token = format!("lk_admin_bench_{}", uuid::Uuid::new_v4().simple());
        let (server_url, stopper) = start_on(url, &admin_token).await;
        let created = backend(&server_url, &admin_token)
            .post(
                "mutation($i: ID!) { createSecretKey(instanceId: $i, name: \"bench-users\") \
                 { key secretKey { id } } }",
                json!({"i": instance}),
            )
            .await
            .expect("a secret key for the instance");
        let created = &created["createSecretKey"];
        return Target {
            backend: backend(&server_url, created["key"].as_str().expect("a key")),
            engine: if url.starts_with("sqlite:") {
                "SQLite"
            } else {
                "PostgreSQL"
            },
            key_id: created["secretKey"]["id"].as_str().map(str::to_owned),
            stopper: Some(stopper),
            fresh: None,
        };
    }
    let server = TestServer::spawn_with(configure).await;
    let postgres = server.db.is_postgres();
    let seed = users_seed::Seed {
        database_url: server.db.url.clone(),
        instance_id: server.instance_id.clone(),
        count: o.count,
        start: None,
        analyze: o.analyze.unwrap_or(postgres),
    };
    users_seed::seed(&seed).await;
    Target {
        backend: backend(&server.url, &server.secret_key),
        engine: if postgres { "PostgreSQL" } else { "SQLite" },
        key_id: None,
        stopper: None,
        fresh: Some(server),
    }
}

/// One row of the table: the case's latencies without and with `totalCount`.
async fn row(o: &Options, backend: &Backend, name: &str, fields: &str, mut variables: Value) {
    variables["l"] = json!(o.limit);
    let matching = match backend
        .post(&users_query(FIELDS, true), variables.clone())
        .await
    {
        Ok(data) => data["users"]["totalCount"].to_string(),
        Err(e) => format!("error: {e}"),
    };
    let mut cells = Vec::new();
    for total in [false, true] {
        let query = users_query(fields, total);
        let budget = Duration::from_secs(o.seconds);
        match measure(backend, &query, &variables, o.requests, budget).await {
            Ok((p50, p99, n)) => {
                let n = if n < o.requests {
                    format!(" (n={n})")
                } else {
                    String::new()
                };
                cells.push(format!("{p50:.2} ms{n} | {p99:.2} ms"));
            }
            Err(e) => cells.push(format!("failed: {:.100} | —", e)),
        }
    }
    println!("| {name} | {matching} | {} |", cells.join(" | "));
}

#[tokio::main]
async fn main() {
    let o = options();
    let http = reqwest::Client::new();
    let t = target(&o, &http).await;
    let backend = &t.backend;

    // A user from the middle, for the filters.
    let total = backend
        .post("{ usersCount }", json!({}))
        .await
        .expect("usersCount")["usersCount"]
        .as_i64()
        .expect("a count");
    let middle = backend
        .post(&users_query(FIELDS, false), json!({"l": 1, "s": total / 2}))
        .await
        .expect("a user from the middle");
    let email = middle["users"]["data"][0]["emailAddresses"][0]["emailAddress"]
        .as_str()
        .expect("an email address")
        .to_owned();
    // `first.last{i}@`: this user's alone.
    let local = format!("{}@", email.split('@').next().unwrap_or_default());
    println!(
        "\nengine: {}; {total} users in the instance; pages of {}; up to {} requests per case \
         after 10 of warm-up (at most {} s)\n",
        t.engine, o.limit, o.requests, o.seconds
    );

    let month_ago = (chrono::Utc::now() - chrono::TimeDelta::days(30)).to_rfc3339();
    let rare = users_seed::RARE_LAST_NAME[..8].to_lowercase();
    #[rustfmt::skip]
    let cases: Vec<(String, &str, Value)> = vec![
        ("query \"smith\" (common)".into(), FIELDS, json!({"f": {"query": "smith"}})),
        (format!("query \"{rare}\" (rare)"), FIELDS, json!({"f": {"query": rare}})),
        (format!("query \"{local}\" (one user)"), FIELDS, json!({"f": {"query": local}})),
        ("query \"sm\" (2 characters: no trigram)".into(), FIELDS, json!({"f": {"query": "sm"}})),
        ("emailAddress: [one]".into(), FIELDS, json!({"f": {"emailAddress": [email]}})),
        ("banned: true".into(), FIELDS, json!({"f": {"banned": true}})),
        ("lastSignInAfter: 30 days ago".into(), FIELDS, json!({"f": {"lastSignInAfter": month_ago}})),
        ("CREATED_AT_DESC".into(), FIELDS, json!({"o": "CREATED_AT_DESC"})),
        ("CREATED_AT_DESC, only `id`".into(), "id", json!({"o": "CREATED_AT_DESC"})),
        ("LAST_SIGN_IN_AT_DESC".into(), FIELDS, json!({"o": "LAST_SIGN_IN_AT_DESC"})),
        ("EMAIL_ADDRESS_ASC".into(), FIELDS, json!({"o": "EMAIL_ADDRESS_ASC"})),
        ("LAST_NAME_ASC".into(), FIELDS, json!({"o": "LAST_NAME_ASC"})),
        ("CREATED_AT_DESC, offset = half".into(), FIELDS, json!({"o": "CREATED_AT_DESC", "s": total / 2})),
        ("query \"smith\", LAST_NAME_ASC (a text order)".into(), FIELDS, json!({"f": {"query": "smith"}, "o": "LAST_NAME_ASC"})),
        ("lastSignInAfter: 30 days ago, EMAIL_ADDRESS_ASC".into(), FIELDS, json!({"f": {"lastSignInAfter": month_ago}, "o": "EMAIL_ADDRESS_ASC"})),
    ];
    println!(
        "| case | users matching | p50 | p99 | p50 with `totalCount` | p99 with `totalCount` |"
    );
    println!("| --- | ---: | ---: | ---: | ---: | ---: |");
    for (name, fields, variables) in cases {
        row(&o, backend, &name, fields, variables).await;
    }

    let before = latchkey_domain::store::statements_run();
    tokio::time::sleep(Duration::from_secs(3)).await;
    let idle = latchkey_domain::store::statements_run() - before;
    println!("\nStatements per `users` request (CREATED_AT_DESC, with `emailAddresses`; the");
    println!("request's own, the secret key's lookup included; the fewest of ten runs, as the");
    println!("server's background work counts too: {idle} statements in 3 s idle):\n");
    println!("| page | without `totalCount` | with `totalCount` |");
    println!("| ---: | ---: | ---: |");
    for limit in [10, 100, 500] {
        let rows = usize::try_from(limit.min(total)).unwrap_or(0);
        let variables = json!({"l": limit});
        let without = statements(backend, &users_query(FIELDS, false), &variables, rows).await;
        let with = statements(backend, &users_query(FIELDS, true), &variables, rows).await;
        println!("| {limit} | {without} | {with} |");
    }

    memberships_statements(backend, total).await;

    if let Some(id) = &t.key_id {
        let query = "mutation($i: ID!) { revokeSecretKey(id: $i) { id } }";
        if let Err(e) = backend.post(query, json!({"i": id})).await {
            eprintln!("could not revoke the bench's secret key {id}: {e}");
        }
    }
    if let Some(stopper) = t.stopper {
        stopper.stop(true).await;
    }
    if let Some(server) = t.fresh {
        server.stop().await;
    }
}
