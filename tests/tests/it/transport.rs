//! What reaches `/graphql` before any resolver: content types, sizes, shapes, limits. Each bad
//! request gets a clear error, runs nothing, and the server stays up.

use latchkey_tests::TestServer;
use serde_json::{Value, json};

const CREATE_KEY: &str = "mutation { createSecretKey(name: \"probe\") { key } }";

async fn raw(server: &TestServer, content_type: &str, body: Vec<u8>) -> (u16, Value) {
    let response = reqwest::Client::new()
        .post(format!("{}/graphql", server.url))
        .bearer_auth(&server.secret_key)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn still_up(server: &TestServer) {
    let response = reqwest::get(format!("{}/healthz", server.url))
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn only_json_bodies_run_and_others_run_nothing() {
    let server = TestServer::spawn().await;
    let body = serde_json::to_vec(&json!({ "query": CREATE_KEY })).unwrap();
    for content_type in [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/graphql",
    ] {
        let (status, answer) = raw(&server, content_type, body.clone()).await;
        assert_eq!(status, 415, "{content_type}");
        assert_eq!(
            answer["errors"][0]["extensions"]["code"],
            "VALIDATION_FAILED"
        );
    }
    assert_eq!(server.secret_key_count().await, 1, "no mutation ran");
    let no_type = reqwest::Client::new()
        .post(format!("{}/graphql", server.url))
        .bearer_auth(&server.secret_key)
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(no_type.status(), 415, "no Content-Type");
    assert_eq!(server.secret_key_count().await, 1, "no mutation ran");
    // The media type is matched without its case, its parameters or the spaces around it.
    for (content_type, keys) in [
        ("application/json; charset=utf-8", 2),
        ("Application/JSON", 3),
        (" application/json ;charset=utf-8", 4),
    ] {
        let (status, answer) = raw(&server, content_type, body.clone()).await;
        assert_eq!(status, 200, "{content_type}: {answer}");
        assert_eq!(server.secret_key_count().await, keys);
    }
    server.stop().await;
}

#[tokio::test]
async fn malformed_oversized_and_batched_bodies_get_clear_errors() {
    let server = TestServer::spawn().await;
    let cases: Vec<(&str, Vec<u8>, u16)> = vec![
        ("malformed JSON", b"{\"query\": ".to_vec(), 400),
        ("not a request", b"{\"nope\": 1}".to_vec(), 400),
        (
            "a batch",
            serde_json::to_vec(&json!([{ "query": CREATE_KEY }, { "query": CREATE_KEY }])).unwrap(),
            400,
        ),
        (
            "10 MB",
            {
                let mut big = br#"{"query": "{ instance { id } }", "variables": {"x": ""#.to_vec();
                big.extend(std::iter::repeat_n(b'a', 10 * 1024 * 1024));
                big.extend(b"\"}}");
                big
            },
            413,
        ),
    ];
    for (what, body, status) in cases {
        let (got, answer) = raw(&server, "application/json", body).await;
        assert_eq!(got, status, "{what}: {answer}");
        assert_eq!(
            answer["errors"][0]["extensions"]["code"], "VALIDATION_FAILED",
            "{what}"
        );
        assert_eq!(answer["errors"][0]["extensions"]["field"], "body", "{what}");
        still_up(&server).await;
    }
    assert_eq!(server.secret_key_count().await, 1, "the batch ran nothing");
    server.stop().await;
}

#[tokio::test]
async fn unknown_fields_deep_nesting_and_bad_syntax_are_validation_errors() {
    let server = TestServer::spawn().await;
    let deep_introspection = format!(
        "{{ __schema {{ types {{ fields {{ type {{ {} name {} }} }} }} }} }}",
        "ofType { ".repeat(12),
        "}".repeat(12)
    );
    let pathological = format!(
        "{{ instance {} id {} }}",
        "{ a ".repeat(5000),
        "}".repeat(5000)
    );
    let cases = [
        "{ instance { id nope } }".to_owned(),
        "{ instance { ".to_owned(),
        deep_introspection,
        pathological,
        "mutation { createSecretKey(name: 5) { key } }".to_owned(),
    ];
    for query in &cases {
        let answer = server.backend(query, json!({})).await;
        assert_eq!(
            answer.code(),
            "VALIDATION_FAILED",
            "{}: {}",
            &query[..query.len().min(60)],
            answer.body
        );
        assert!(answer.body["data"].is_null(), "nothing ran");
        still_up(&server).await;
    }
    server.stop().await;
}

#[tokio::test]
async fn get_serves_graphiql_and_never_runs_an_operation() {
    let server = TestServer::spawn().await;
    let client = reqwest::Client::new();
    let page = client
        .get(format!("{}/graphql", server.url))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    assert!(
        page.text()
            .await
            .unwrap()
            .to_lowercase()
            .contains("graphiql")
    );
    let url = format!(
        "{}/graphql?query={}",
        server.url, "mutation%20%7B%20createSecretKey%20%7B%20key%20%7D%20%7D"
    );
    let response = client
        .get(url)
        .bearer_auth(&server.secret_key)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 405);
    assert_eq!(response.headers()["allow"], "POST");
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["errors"][0]["extensions"]["code"], "VALIDATION_FAILED");
    assert_eq!(body["errors"][0]["extensions"]["field"], "method");
    assert_eq!(server.secret_key_count().await, 1);
    server.stop().await;
}

#[tokio::test]
async fn graphiql_and_the_browser_sdk_come_from_the_binary_and_name_no_other_origin() {
    let server = TestServer::spawn().await;
    let client = reqwest::Client::new();
    let page = client
        .get(format!("{}/graphql", server.url))
        .send()
        .await
        .unwrap();
    let policy = page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        policy.starts_with("default-src 'none'; script-src 'self';"),
        "{policy}"
    );
    assert!(!policy.contains("http"), "no other origin: {policy}");
    let html = page.text().await.unwrap();
    assert!(
        !html.contains("http"),
        "no absolute URL in the page: {html}"
    );
    assert!(!html.contains("<script>"), "no inline script: {html}");
    // Every asset the page names is served, immutable.
    for path in html.split('"').filter(|part| part.starts_with("/assets/")) {
        let asset = client
            .get(format!("{}{path}", server.url))
            .send()
            .await
            .unwrap();
        assert_eq!(asset.status(), 200, "{path}");
        assert_eq!(
            asset.headers()["cache-control"],
            "public, max-age=31536000, immutable"
        );
    }
    assert_eq!(html.matches("/assets/graphiql.").count(), 2);
    let sdk = client
        .get(format!("{}/latchkey.js", server.url))
        .send()
        .await
        .unwrap();
    assert_eq!(sdk.status(), 200);
    assert_eq!(
        sdk.headers()["content-type"],
        "text/javascript; charset=utf-8"
    );
    assert!(
        sdk.text()
            .await
            .unwrap()
            .starts_with("/* Generated by `npm --prefix js run build:assets`")
    );
    let unknown = client
        .get(format!(
            "{}/assets/latchkey.0123456789abcdef.js",
            server.url
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);
    server.stop().await;
}

#[tokio::test]
async fn another_method_is_told_which_ones_graphql_takes() {
    let server = TestServer::spawn().await;
    for method in [
        reqwest::Method::PUT,
        reqwest::Method::DELETE,
        reqwest::Method::PATCH,
    ] {
        let response = reqwest::Client::new()
            .request(method.clone(), format!("{}/graphql", server.url))
            .bearer_auth(&server.secret_key)
            .header("content-type", "application/json")
            .body(r#"{"query": "mutation { createSecretKey { key } }"}"#)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 405, "{method}");
        assert_eq!(response.headers()["allow"], "POST, GET, OPTIONS");
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["errors"][0]["extensions"]["code"], "VALIDATION_FAILED");
        assert_eq!(body["errors"][0]["extensions"]["field"], "method");
    }
    // HEAD is refused the same way, as it was before `/graphql` picked by method itself.
    let head = reqwest::Client::new()
        .head(format!("{}/graphql", server.url))
        .send()
        .await
        .unwrap();
    assert_eq!(head.status(), 405);
    assert_eq!(head.headers()["allow"], "POST, GET, OPTIONS");
    assert_eq!(server.secret_key_count().await, 1);
    server.stop().await;
}

#[tokio::test]
async fn responses_follow_the_accept_header() {
    let server = TestServer::spawn().await;
    let response = reqwest::Client::new()
        .post(format!("{}/graphql", server.url))
        .bearer_auth(&server.secret_key)
        .header(
            "accept",
            "application/graphql-response+json, application/json",
        )
        .json(&json!({"query": "{ instance { id } }"}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.headers()["content-type"],
        "application/graphql-response+json"
    );
    server.stop().await;
}

#[tokio::test]
async fn graphql_response_json_answers_a_request_that_never_ran_with_400_and_no_data() {
    let server = TestServer::spawn().await;
    let post = |accept: &'static str, body: Value| {
        reqwest::Client::new()
            .post(format!("{}/graphql", server.url))
            .bearer_auth(&server.secret_key)
            .header("accept", accept)
            .json(&body)
            .send()
    };
    let by_id = "query($id: ID!) { user(id: $id) { id } }";
    for (what, body) in [
        ("does not parse", json!({"query": "{ instance { id "})),
        (
            "does not validate",
            json!({"query": "{ instance { nope } }"}),
        ),
        (
            "a variable of the wrong type",
            json!({"query": by_id, "variables": {"id": {"not": "an id"}}}),
        ),
        ("a required variable missing", json!({"query": by_id})),
        (
            "an unknown operation",
            json!({"query": "query A { instance { id } }", "operationName": "B"}),
        ),
    ] {
        let response = post(GRAPHQL_RESPONSE, body.clone()).await.unwrap();
        let (status, headers) = (response.status(), response.headers().clone());
        let answer: Value = response.json().await.unwrap();
        assert_eq!(status, 400, "{what}: {answer}");
        assert_eq!(headers["content-type"], GRAPHQL_RESPONSE, "{what}");
        assert!(answer.get("data").is_none(), "{what}: {answer}");
        assert!(!answer["errors"].as_array().unwrap().is_empty(), "{what}");
        // With application/json, the answer stays as it was: 200, `data` null.
        let response = post("application/json", body).await.unwrap();
        assert_eq!(response.status(), 200, "{what}");
        let answer: Value = response.json().await.unwrap();
        assert_eq!(answer["data"], Value::Null, "{what}");
    }
    // An operation that ran is 200 with its data, even when a field failed.
    let ran = post(
        GRAPHQL_RESPONSE,
        json!({"query": by_id, "variables": {"id": "user_unknown"}}),
    )
    .await
    .unwrap();
    assert_eq!(ran.status(), 200);
    let answer: Value = ran.json().await.unwrap();
    assert!(answer.get("data").is_some(), "{answer}");
    assert_eq!(answer["errors"][0]["extensions"]["code"], "NOT_FOUND");
    server.stop().await;
}

const GRAPHQL_RESPONSE: &str = "application/graphql-response+json";

/// What a response says, without the ids of its errors.
fn said(body: &Value) -> Value {
    let errors: Vec<Value> = body["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|e| json!([e["message"], e["extensions"]["code"], e["path"]]))
                .collect()
        })
        .unwrap_or_default();
    json!({"data": body["data"], "errors": errors})
}

#[tokio::test]
async fn a_document_seen_before_validates_as_it_did_the_first_time() {
    // `seen` has validated each document once already; `fresh` never saw it. Each request must
    // get the same answer from both (the second may validate fast only when nothing in it can
    // change the outcome).
    let seen = TestServer::spawn().await;
    let fresh = TestServer::spawn().await;
    let user = "query($id: ID!) { user(id: $id) { id } }";
    let first = seen.backend(user, json!({"id": "user_1"})).await;
    assert_eq!(first.code(), "NOT_FOUND", "it ran: {}", first.body);
    let again = seen.backend(user, json!({"id": "user_2"})).await;
    assert_eq!(again.code(), "NOT_FOUND", "{}", again.body);
    for variables in [
        json!({"id": {"a": 1}}),
        json!({"id": null}),
        json!({"id": ["user_1"]}),
        json!({"id": true}),
        json!({}),
    ] {
        let from_seen = seen.backend(user, variables.clone()).await;
        let from_fresh = fresh.backend(user, variables.clone()).await;
        assert!(from_seen.body["data"].is_null(), "{variables}");
        assert_eq!(said(&from_seen.body), said(&from_fresh.body), "{variables}");
    }
    // Documents that fail validation are refused every time, the same way.
    for query in [
        "{ instance { id nope } }",
        "query($s: ID!) { instance { id } }",
        "query A { instance { id } } query B($s: ID!) { user(id: $s) { nope } }",
    ] {
        for _ in 0..3 {
            let from_seen = seen.backend(query, json!({"s": "x"})).await;
            assert_eq!(from_seen.code(), "VALIDATION_FAILED", "{query}");
            assert!(from_seen.body["data"].is_null(), "nothing ran");
        }
        let from_fresh = fresh.backend(query, json!({"s": "x"})).await;
        let from_seen = seen.backend(query, json!({"s": "x"})).await;
        assert_eq!(said(&from_seen.body), said(&from_fresh.body), "{query}");
    }
    // One operation of a document passing lets no bad value of another through.
    let two =
        "query A { instance { id } } mutation B($n: String!) { createSecretKey(name: $n) { key } }";
    let answer = |name: &'static str, variables: Value| {
        let server = &seen;
        async move {
            let body = json!({"query": two, "operationName": name, "variables": variables});
            let (_, answer) = raw(
                server,
                "application/json",
                serde_json::to_vec(&body).unwrap(),
            )
            .await;
            answer
        }
    };
    assert!(answer("A", json!({})).await["data"]["instance"]["id"].is_string());
    assert!(answer("A", json!({})).await["data"]["instance"]["id"].is_string());
    let refused = answer("B", json!({"n": 5})).await;
    assert_eq!(
        refused["errors"][0]["extensions"]["code"], "VALIDATION_FAILED",
        "{refused}"
    );
    assert_eq!(seen.secret_key_count().await, 1, "nothing was created");
    // A fragment is checked with the request's variables whichever operation is selected.
    let fragment = "query A { instance { id } } query B($s: ID!) { ...F } fragment F on Query { user(id: $s) { id } }";
    let answer = |variables: Value, server: &'static str| {
        let server = if server == "seen" { &seen } else { &fresh };
        async move {
            let body = json!({"query": fragment, "operationName": "A", "variables": variables});
            raw(
                server,
                "application/json",
                serde_json::to_vec(&body).unwrap(),
            )
            .await
            .1
        }
    };
    assert!(answer(json!({}), "seen").await["data"]["instance"]["id"].is_string());
    let from_seen = answer(json!({"s": true}), "seen").await;
    let from_fresh = answer(json!({"s": true}), "fresh").await;
    assert_eq!(said(&from_seen), said(&from_fresh));
    assert_eq!(
        from_seen["errors"][0]["extensions"]["code"], "VALIDATION_FAILED",
        "{from_seen}"
    );
    seen.stop().await;
    fresh.stop().await;
}
