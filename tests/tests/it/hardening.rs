//! The defaults every feature lands behind: aliases, complexity, introspection, CORS, rate
//! limits, time budgets, and errors that never leak.

use latchkey_domain::rate_limit::{LimitStore, Quota, RateLimits};
use latchkey_tests::{Auth, TestServer};
use serde_json::{Value, json};

pub async fn live_instance(server: &TestServer, origins: &[&str]) -> (String, String) {
    let created = server
        .admin("mutation { createInstance(input: {name: \"Live\", environment: PRODUCTION}) { instance { publishableKey } secretKey { key } } }", json!({}))
        .await;
    let data = &created.data()["createInstance"];
    let (pk, sk) = (
        data["instance"]["publishableKey"]
            .as_str()
            .unwrap()
            .to_owned(),
        data["secretKey"]["key"].as_str().unwrap().to_owned(),
    );
    server
        .gql(Auth::Bearer(&sk), "mutation($o: [String!]) { updateInstanceSettings(input: {allowedOrigins: $o}) { id } }", json!({"o": origins}))
        .await
        .data();
    (pk, sk)
}

#[tokio::test]
async fn fifty_aliases_of_a_sensitive_mutation_run_nothing() {
    let server = TestServer::spawn().await;
    let aliases: String = (0..50)
        .map(|i| format!("k{i}: createSecretKey(name: \"x\") {{ key }} "))
        .collect();
    let answer = server
        .backend(&format!("mutation {{ {aliases} }}"), json!({}))
        .await;
    assert_eq!(answer.code(), "VALIDATION_FAILED", "{}", answer.body);
    assert!(
        answer.body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("createSecretKey")
    );
    let fragments = "mutation { createSecretKey { key } ...F } fragment F on Mutation { again: createSecretKey { key } }";
    assert_eq!(
        server.backend(fragments, json!({})).await.code(),
        "VALIDATION_FAILED"
    );
    assert_eq!(server.secret_key_count().await, 1, "not one of them ran");
    server
        .backend("mutation { createSecretKey { key } }", json!({}))
        .await
        .data();
    assert_eq!(server.secret_key_count().await, 2, "once is fine");
    server.stop().await;
}

#[tokio::test]
async fn list_fields_are_costed_by_their_limit() {
    let server = TestServer::spawn().await;
    let over = server
        .admin(
            "{ instances(limit: 500) { id name settings { password { minLength } } } }",
            json!({}),
        )
        .await;
    assert_eq!(over.code(), "VALIDATION_FAILED", "{}", over.body);
    assert!(over.body["data"].is_null());
    let under = server
        .admin(
            "{ instances(limit: 10) { id name settings { password { minLength } } } }",
            json!({}),
        )
        .await;
    under.data();
    for bad in [
        "{ instances(limit: 0) { id } }",
        "{ instances(limit: 10000) { id } }",
        "{ instances(offset: -1) { id } }",
    ] {
        assert_eq!(
            server.admin(bad, json!({})).await.code(),
            "VALIDATION_FAILED",
            "{bad}"
        );
    }
    server.stop().await;
}

#[tokio::test]
async fn introspection_and_suggestions_are_for_trusted_callers_only() {
    let server = TestServer::spawn().await;
    let (live_pk, live_sk) = live_instance(&server, &[]).await;
    let introspect = "{ __schema { queryType { name } } }";
    let live_frontend = server
        .gql(Auth::Publishable(&live_pk), introspect, json!({}))
        .await;
    assert!(
        live_frontend.body["errors"].is_array(),
        "a live frontend cannot introspect: {}",
        live_frontend.body
    );
    assert_eq!(live_frontend.code(), "VALIDATION_FAILED");
    let anonymous = server.gql(Auth::None, introspect, json!({})).await;
    assert!(anonymous.body["errors"].is_array(), "{}", anonymous.body);
    for auth in [
        Auth::Bearer(&live_sk),
        Auth::Publishable(&server.publishable_key),
        Auth::Bearer(&server.admin_token),
    ] {
        let answer = server.gql(auth, introspect, json!({})).await;
        assert_eq!(
            answer.data()["__schema"]["queryType"]["name"],
            "Query",
            "{auth:?}"
        );
    }
    let typo = "{ instanc { id } }";
    let untrusted = server
        .gql(Auth::Publishable(&live_pk), typo, json!({}))
        .await;
    assert!(
        !untrusted.body.to_string().contains("Did you mean"),
        "{}",
        untrusted.body
    );
    let trusted = server.gql(Auth::Bearer(&live_sk), typo, json!({})).await;
    assert!(
        trusted.body.to_string().contains("Did you mean"),
        "{}",
        trusted.body
    );
    server.stop().await;
}

async fn post_with_origin(
    server: &TestServer,
    auth: Auth<'_>,
    origin: &str,
    query: &str,
) -> reqwest::Response {
    let mut request = reqwest::Client::new()
        .post(format!("{}/graphql", server.url))
        .header("origin", origin)
        .json(&json!({"query": query}));
    request = match auth {
        Auth::Publishable(pk) => request.header("latchkey-publishable-key", pk),
        Auth::Bearer(token) => request.bearer_auth(token),
        Auth::Client(pk, client) => request
            .header("latchkey-publishable-key", pk)
            .header("latchkey-client", client),
        Auth::None => request,
    };
    request.send().await.unwrap()
}

#[tokio::test]
async fn cors_follows_each_instance_allowed_origins() {
    let server = TestServer::spawn().await;
    let (live_pk, live_sk) = live_instance(&server, &["https://app.example.com"]).await;
    let preflight = reqwest::Client::new()
        .request(reqwest::Method::OPTIONS, format!("{}/graphql", server.url))
        .header("origin", "https://app.example.com")
        .header("access-control-request-method", "POST")
        .header(
            "access-control-request-headers",
            "content-type, latchkey-publishable-key",
        )
        .send()
        .await
        .unwrap();
    assert_eq!(preflight.status(), 204);
    // The methods a `405` names in its `Allow` too.
    assert_eq!(
        preflight.headers()["access-control-allow-methods"],
        "POST, GET, OPTIONS"
    );
    assert!(
        preflight.headers()["access-control-allow-headers"]
            .to_str()
            .unwrap()
            .contains("latchkey-publishable-key")
    );

    let allowed = post_with_origin(
        &server,
        Auth::Publishable(&live_pk),
        "https://app.example.com",
        "{ __typename }",
    )
    .await;
    assert_eq!(allowed.status(), 200);
    assert_eq!(
        allowed.headers()["access-control-allow-origin"],
        "https://app.example.com"
    );
    assert_eq!(
        allowed.headers()["access-control-allow-credentials"],
        "true"
    );

    let refused = post_with_origin(
        &server,
        Auth::Publishable(&live_pk),
        "https://evil.example.com",
        "{ __typename }",
    )
    .await;
    assert_eq!(refused.status(), 403);
    assert!(
        refused
            .headers()
            .get("access-control-allow-origin")
            .is_none()
    );
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["errors"][0]["extensions"]["code"], "FORBIDDEN");

    // A development instance also allows local origins.
    let local = post_with_origin(
        &server,
        Auth::Publishable(&server.publishable_key),
        "http://localhost:3000",
        "{ __typename }",
    )
    .await;
    assert_eq!(
        local.headers()["access-control-allow-origin"],
        "http://localhost:3000"
    );
    // A bearer-token caller may read, but gets no credentials.
    let backend = post_with_origin(
        &server,
        Auth::Bearer(&live_sk),
        "https://tool.example.com",
        "{ instance { id } }",
    )
    .await;
    assert_eq!(
        backend.headers()["access-control-allow-origin"],
        "https://tool.example.com"
    );
    assert!(
        backend
            .headers()
            .get("access-control-allow-credentials")
            .is_none()
    );
    server.stop().await;
}

fn small_backend_limit(config: &mut latchkey_api::ServerConfig) {
    config.rate_limits = RateLimits {
        backend: Quota::new(5, 10),
        ..RateLimits::default()
    };
}

fn small_backend_limit_in_database(config: &mut latchkey_api::ServerConfig) {
    config.rate_limits = RateLimits {
        store: LimitStore::Database,
        backend: Quota::new(5, 10),
        ..RateLimits::default()
    };
}

async fn backend_limit_is_per_key_and_per_instance(server: TestServer) {
    let (_, other_sk) = live_instance(&server, &[]).await;
    for i in 0..5 {
        let answer = server.backend("{ instance { id } }", json!({})).await;
        assert_eq!(answer.status, 200, "call {i}: {}", answer.body);
    }
    let response = reqwest::Client::new()
        .post(format!("{}/graphql", server.url))
        .bearer_auth(&server.secret_key)
        .json(&json!({"query": "{ instance { id } }"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 429);
    let retry_header: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["errors"][0]["extensions"]["code"], "RATE_LIMITED");
    let retry_after = body["errors"][0]["extensions"]["retryAfter"]
        .as_u64()
        .unwrap();
    assert!((1..=10).contains(&retry_after), "{retry_after}");
    assert_eq!(retry_header, retry_after);
    // Another instance's key is not throttled by this one.
    let other = server
        .gql(Auth::Bearer(&other_sk), "{ instance { id } }", json!({}))
        .await;
    other.data();
    // Nor is a second key of the same instance: the count is per key.
    let second = server
        .admin(
            "mutation($id: ID) { createSecretKey(instanceId: $id) { key } }",
            json!({"id": server.instance_id}),
        )
        .await;
    let second = second.data()["createSecretKey"]["key"]
        .as_str()
        .unwrap()
        .to_owned();
    server
        .gql(Auth::Bearer(&second), "{ instance { id } }", json!({}))
        .await
        .data();
    server.stop().await;
}

#[tokio::test]
async fn backend_calls_are_rate_limited_per_key_in_memory() {
    backend_limit_is_per_key_and_per_instance(TestServer::spawn_with(small_backend_limit).await)
        .await;
}

#[tokio::test]
async fn backend_calls_are_rate_limited_per_key_in_the_database() {
    // Counted on the server's clock, which stands still here: no window ends mid-test however
    // slow the machine is.
    let (server, _clock) = TestServer::spawn_with_clock(small_backend_limit_in_database).await;
    backend_limit_is_per_key_and_per_instance(server).await;
}

#[tokio::test]
async fn an_operation_over_its_time_budget_is_cancelled_and_its_connection_released() {
    let server =
        TestServer::spawn_with(|config| config.request_timeout = std::time::Duration::from_secs(1))
            .await;
    // Another connection holds a write lock on secret_keys, so creating a key has to wait.
    let blocker = sea_orm::Database::connect(&server.db.url).await.unwrap();
    let txn = sea_orm::TransactionTrait::begin(&blocker).await.unwrap();
    let lock = if server.db.is_postgres() {
        "LOCK TABLE secret_keys IN EXCLUSIVE MODE"
    } else {
        "DELETE FROM rate_limit_counters"
    };
    sea_orm::ConnectionTrait::execute_unprepared(&txn, lock)
        .await
        .unwrap();
    let answer = server
        .backend("mutation { createSecretKey { key } }", json!({}))
        .await;
    // Either the database gave up first (its statement timeout sits below the budget) or the
    // budget cancelled the operation: no result either way.
    assert_eq!(answer.code(), "INTERNAL", "{}", answer.body);
    assert!([200, 503].contains(&answer.status), "{}", answer.status);
    assert!(answer.body["data"].is_null());
    txn.rollback().await.unwrap();
    // Cancelled in the database too: nothing lands after the caller was told it was cancelled.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(
        server.secret_key_count().await,
        1,
        "the cancelled insert never landed"
    );
    // The pool is not left short: many requests at once are all served.
    let requests = (0..40).map(|_| server.backend("{ instance { id } }", json!({})));
    for answer in futures_util::future::join_all(requests).await {
        answer.data();
    }
    server.stop().await;
}

#[tokio::test]
async fn concurrent_settings_changes_to_different_fields_all_stay() {
    let server = TestServer::spawn().await;
    let changes = [
        "{password: {minLength: 11}}",
        "{lockout: {maxAttempts: 7}}",
        "{verification: {maxAttempts: 4}}",
        "{tokens: {lifetimeSeconds: 120}}",
        "{enumerationProtection: false}",
        "{allowedOrigins: [\"https://a.example\"]}",
    ];
    let requests = changes.iter().map(|input| {
        server.backend_owned(format!(
            "mutation {{ updateInstanceSettings(input: {input}) {{ id }} }}"
        ))
    });
    for answer in futures_util::future::join_all(requests).await {
        answer.data();
    }
    let answer = server
        .backend("{ instance { settings { password { minLength } lockout { maxAttempts } verification { maxAttempts } tokens { lifetimeSeconds } enumerationProtection allowedOrigins } } }", json!({}))
        .await;
    let settings = &answer.data()["instance"]["settings"];
    assert_eq!(settings["password"]["minLength"], 11);
    assert_eq!(settings["lockout"]["maxAttempts"], 7);
    assert_eq!(settings["verification"]["maxAttempts"], 4);
    assert_eq!(settings["tokens"]["lifetimeSeconds"], 120);
    assert_eq!(settings["enumerationProtection"], false);
    assert_eq!(settings["allowedOrigins"], json!(["https://a.example"]));
    server.stop().await;
}

/// Every error a caller can provoke here: a code from the contract, and nothing inside
/// (no SQL, no stack, no secret).
#[tokio::test]
async fn no_error_leaks_sql_stacks_or_secrets() {
    let server = TestServer::spawn().await;
    let mut answers = Vec::new();
    let probes: Vec<(Auth<'_>, &str)> = vec![
        (Auth::None, "{ instance { id } }"),
        (Auth::Bearer("sk_test_wrong"), "{ instance { id } }"),
        (
            Auth::Publishable(&server.publishable_key),
            "{ instances { id } }",
        ),
        (Auth::Bearer(&server.secret_key), "{ nope }"),
        (
            Auth::Bearer(&server.secret_key),
            "mutation { revokeSecretKey(id: \"sk_missing\") { id } }",
        ),
        (
            Auth::Bearer(&server.secret_key),
            "mutation { updateInstanceSettings(input: {password: {minLength: 0}}) { id } }",
        ),
        (Auth::Bearer(&server.secret_key), "{ instance { id "),
    ];
    for (auth, query) in probes {
        answers.push(server.gql(auth, query, json!({})).await.body);
    }
    // Errors met before any resolver, with bodies that try to get echoed back.
    let client = reqwest::Client::new();
    let url = format!("{}/graphql", server.url);
    let transport = [
        (
            "text/plain",
            br#"{"query": "{ instance { id } }"}"#.to_vec(),
        ),
        (
            "application/json",
            br#"{"query": "{ x }", "variables": "sk_test_secretvalue SELECT"}"#.to_vec(),
        ),
        ("application/json", br#"{"query": 5}"#.to_vec()),
        ("application/json", b"[1,2]".to_vec()),
        ("application/json", vec![b'{'; 2 * 1024 * 1024]),
    ];
    for (content_type, body) in transport {
        let response = client
            .post(&url)
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .unwrap();
        answers.push(response.json().await.unwrap());
    }
    let get = client
        .get(format!("{url}?query=mutation{{x}}"))
        .send()
        .await
        .unwrap();
    answers.push(get.json().await.unwrap());
    // An internal error: a table vanishes behind the server's back.
    let db = sea_orm::Database::connect(&server.db.url).await.unwrap();
    sea_orm::ConnectionTrait::execute_unprepared(&db, "DROP TABLE secret_keys")
        .await
        .unwrap();
    db.close().await.ok();
    let internal = server
        .gql(
            Auth::Bearer(&server.admin_token),
            "{ instances { id secretKeys { id } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        internal.body["errors"][0]["extensions"]["code"], "INTERNAL",
        "{}",
        internal.body
    );
    assert!(internal.body["errors"][0]["extensions"]["requestId"].is_string());
    assert_eq!(internal.body["errors"][0]["message"], "internal error");
    answers.push(internal.body);
    // The same failure met while resolving the caller (a secret key is looked up in that table).
    let resolving = server.backend("{ instance { id } }", json!({})).await;
    assert_eq!(
        (resolving.status, resolving.code()),
        (500, "INTERNAL"),
        "{}",
        resolving.body
    );
    assert!(
        resolving.extensions()["requestId"].is_string(),
        "{}",
        resolving.body
    );
    answers.push(resolving.body);
    let contract = [
        "UNAUTHENTICATED",
        "FORBIDDEN",
        "NOT_FOUND",
        "VALIDATION_FAILED",
        "IDENTIFIER_EXISTS",
        "INVALID_CREDENTIALS",
        "CODE_INCORRECT",
        "VERIFICATION_EXPIRED",
        "TOO_MANY_ATTEMPTS",
        "ACCOUNT_LOCKED",
        "RATE_LIMITED",
        "PASSWORD_TOO_WEAK",
        "PASSWORD_COMPROMISED",
        "SESSION_NOT_ACTIVE",
        "REVERIFICATION_REQUIRED",
        "INTERNAL",
    ];
    for answer in &answers {
        let text = answer.to_string().to_lowercase();
        for leak in [
            "select ",
            "secret_keys",
            "sqlx",
            "sqlite",
            "postgres",
            "panicked",
            "backtrace",
            ".rs:",
            "lk_admin",
            "sk_test_",
        ] {
            assert!(!text.contains(leak), "{leak:?} leaked in {answer}");
        }
        for error in answer["errors"].as_array().expect("an error") {
            let code = error["extensions"]["code"].as_str().unwrap_or_default();
            assert!(
                contract.contains(&code),
                "{code:?} is not a contract code: {answer}"
            );
        }
    }
    server.stop().await;
}

/// Codes of sign-ups started from fresh clients, each with its `X-Forwarded-For`.
async fn sign_ups_from(server: &TestServer, forwarded_for: &[&str]) -> Vec<String> {
    let mut codes = Vec::new();
    for (n, address) in forwarded_for.iter().enumerate() {
        let answer: Value = reqwest::Client::new()
            .post(format!("{}/graphql", server.url))
            .header("latchkey-publishable-key", &server.publishable_key)
            .header("x-forwarded-for", *address)
            .json(&json!({
                "query": "mutation($input: SignUpInput!) { createSignUp(input: $input) { status } }",
                "variables": {"input": {
                    "emailAddress": format!("proxied{n}+latchkey_test@example.com"),
                    "password": "a sturdy passphrase",
                }},
            }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let code = answer["errors"][0]["extensions"]["code"]
            .as_str()
            .unwrap_or("ok");
        codes.push(code.to_owned());
    }
    codes
}

#[tokio::test]
async fn per_ip_limits_believe_x_forwarded_for_only_from_a_trusted_proxy() {
    // Counted in the database on a clock that stands still: nothing refills meanwhile.
    // By default nobody is trusted: a different spoofed address per request changes nothing.
    let (server, _clock) = TestServer::spawn_with_clock(|config| {
        config.rate_limits.store = LimitStore::Database;
    })
    .await;
    let spoofed = [
        "203.0.113.1",
        "203.0.113.2",
        "203.0.113.3",
        "203.0.113.4",
        "203.0.113.5",
        "203.0.113.6",
    ];
    let codes = sign_ups_from(&server, &spoofed).await;
    assert_eq!(codes, ["ok", "ok", "ok", "ok", "ok", "RATE_LIMITED"]);
    // Behind a trusted proxy, two clients are limited separately; what a client wrote to the
    // left of its real address is not believed.
    let (proxied, _clock) = TestServer::spawn_with_clock(|config| {
        config.rate_limits.store = LimitStore::Database;
        config.trusted_proxies = "127.0.0.1/32".parse().unwrap();
    })
    .await;
    let first = ["198.51.100.7, 203.0.113.1"; 6];
    let codes = sign_ups_from(&proxied, &first).await;
    assert_eq!(codes, ["ok", "ok", "ok", "ok", "ok", "RATE_LIMITED"]);
    let second = sign_ups_from(&proxied, &["198.51.100.7, 203.0.113.2"]).await;
    assert_eq!(second, ["ok"], "another client behind the same proxy");
}
