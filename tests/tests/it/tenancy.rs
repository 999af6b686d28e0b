//! Instances, secret keys and settings across scopes: nothing crosses instances.

use latchkey_tests::{Auth, TestServer};
use serde_json::{Value, json};

async fn create_instance(server: &TestServer, name: &str) -> (String, String, String) {
    let created = server
        .admin(
            "mutation($name: String!) { createInstance(input: {name: $name}) { instance { id publishableKey } secretKey { key secretKey { id } } } }",
            json!({ "name": name }),
        )
        .await;
    let data = &created.data()["createInstance"];
    (
        data["instance"]["id"].as_str().unwrap().to_owned(),
        data["secretKey"]["key"].as_str().unwrap().to_owned(),
        data["secretKey"]["secretKey"]["id"]
            .as_str()
            .unwrap()
            .to_owned(),
    )
}

const SETTINGS: &str =
    "{ instance { id settings { password { minLength } } secretKeys { id revokedAt } } }";

fn min_length(answer: &Value) -> &Value {
    &answer["instance"]["settings"]["password"]["minLength"]
}

#[tokio::test]
async fn one_instance_key_never_reads_or_changes_another_instance() {
    let server = TestServer::spawn().await;
    let (b_id, b_key, b_key_id) = create_instance(&server, "B").await;

    let a = server.backend(SETTINGS, json!({})).await;
    assert_eq!(a.data()["instance"]["id"], server.instance_id.as_str());
    let b = server.gql(Auth::Bearer(&b_key), SETTINGS, json!({})).await;
    assert_eq!(b.data()["instance"]["id"], b_id.as_str());

    let attempts = [
        (
            "mutation($id: ID) { updateInstanceSettings(instanceId: $id, input: {password: {minLength: 20}}) { id } }",
            json!({"id": b_id}),
        ),
        (
            "mutation($id: ID) { createSecretKey(instanceId: $id) { key } }",
            json!({"id": b_id}),
        ),
        (
            "mutation($id: ID!) { revokeSecretKey(id: $id) { id } }",
            json!({"id": b_key_id}),
        ),
    ];
    for (query, variables) in attempts {
        let answer = server.backend(query, variables).await;
        assert_eq!(answer.code(), "NOT_FOUND", "{query}: {}", answer.body);
    }
    let b_after = server.gql(Auth::Bearer(&b_key), SETTINGS, json!({})).await;
    assert_eq!(b_after.data(), b.data(), "B is unchanged");

    for query in [
        "{ instances { id } }",
        "mutation { createInstance(input: {name: \"x\"}) { instance { id } } }",
    ] {
        assert_eq!(
            server.backend(query, json!({})).await.code(),
            "FORBIDDEN",
            "{query}"
        );
    }
    server.stop().await;
}

#[tokio::test]
async fn a_revoked_secret_key_is_refused_at_once() {
    let server = TestServer::spawn().await;
    let created = server
        .backend(
            "mutation { createSecretKey(name: \"ci\") { key secretKey { id name hint } } }",
            json!({}),
        )
        .await;
    let data = &created.data()["createSecretKey"];
    let key = data["key"].as_str().unwrap().to_owned();
    assert!(key.starts_with("sk_test_"));
    assert_eq!(
        data["secretKey"]["hint"].as_str().unwrap(),
        &key[key.len() - 4..]
    );
    let key_id = data["secretKey"]["id"].as_str().unwrap().to_owned();
    server
        .gql(Auth::Bearer(&key), "{ instance { id } }", json!({}))
        .await
        .data();

    let revoked = server
        .backend(
            "mutation($id: ID!) { revokeSecretKey(id: $id) { revokedAt } }",
            json!({"id": key_id}),
        )
        .await;
    assert!(revoked.data()["revokeSecretKey"]["revokedAt"].is_string());
    let refused = server
        .gql(Auth::Bearer(&key), "{ instance { id } }", json!({}))
        .await;
    assert_eq!((refused.status, refused.code()), (401, "UNAUTHENTICATED"));
    let listed = server.backend(SETTINGS, json!({})).await;
    let keys = listed.data()["instance"]["secretKeys"].as_array().unwrap();
    assert_eq!(keys.len(), 2);
    assert_eq!(
        keys.iter().filter(|k| k["revokedAt"].is_string()).count(),
        1
    );
    // The platform admin revokes keys of any instance.
    let (_, b_key, b_key_id) = create_instance(&server, "B").await;
    server
        .admin(
            "mutation($id: ID!) { revokeSecretKey(id: $id) { id } }",
            json!({"id": b_key_id}),
        )
        .await
        .data();
    assert_eq!(
        server
            .gql(Auth::Bearer(&b_key), "{ instance { id } }", json!({}))
            .await
            .code(),
        "UNAUTHENTICATED"
    );
    server.stop().await;
}

#[tokio::test]
async fn callers_are_held_to_their_scope() {
    let server = TestServer::spawn().await;
    let cases = [
        (Auth::None, "{ instance { id } }", "UNAUTHENTICATED"),
        (Auth::None, "{ instances { id } }", "UNAUTHENTICATED"),
        (
            Auth::Bearer("sk_test_wrong"),
            "{ instance { id } }",
            "UNAUTHENTICATED",
        ),
        (
            Auth::Bearer("lk_admin_wrong"),
            "{ instances { id } }",
            "UNAUTHENTICATED",
        ),
        (
            Auth::Publishable("pk_test_wrong"),
            "{ instance { id } }",
            "UNAUTHENTICATED",
        ),
        (
            Auth::Publishable(&server.publishable_key),
            "{ instance { id } }",
            "FORBIDDEN",
        ),
        (
            Auth::Publishable(&server.publishable_key),
            "{ instances { id } }",
            "FORBIDDEN",
        ),
        (
            Auth::Bearer(&server.admin_token),
            "{ instance { id } }",
            "FORBIDDEN",
        ),
    ];
    for (auth, query, code) in cases {
        let answer = server.gql(auth, query, json!({})).await;
        assert_eq!(answer.code(), code, "{auth:?} {query}: {}", answer.body);
        assert!(
            answer.body["data"].is_null()
                || answer.body["data"]
                    .get("instance")
                    .is_none_or(Value::is_null)
        );
    }
    server.stop().await;
}

#[tokio::test]
async fn settings_change_only_what_is_given_and_bad_values_name_their_field() {
    let server = TestServer::spawn().await;
    let updated = server
        .backend(
            "mutation { updateInstanceSettings(input: {password: {minLength: 10}, allowedOrigins: [\"https://app.example.com\"], sessions: {maxLifetimeSeconds: null, inactivityTimeoutSeconds: 3600}}) { settings { password { minLength maxLength } allowedOrigins sessions { maxLifetimeSeconds inactivityTimeoutSeconds } } } }",
            json!({}),
        )
        .await;
    let settings = &updated.data()["updateInstanceSettings"]["settings"];
    assert_eq!(
        settings["password"],
        json!({"minLength": 10, "maxLength": 128})
    );
    assert_eq!(
        settings["allowedOrigins"],
        json!(["https://app.example.com"])
    );
    assert_eq!(
        settings["sessions"],
        json!({"maxLifetimeSeconds": null, "inactivityTimeoutSeconds": 3600})
    );

    let bad = [
        ("{password: {minLength: 0}}", "password.minLength"),
        (
            "{password: {minLength: 200, maxLength: 150}}",
            "password.minLength",
        ),
        (
            "{allowedOrigins: [\"https://ok.example\", \"not an origin\"]}",
            "allowedOrigins.1",
        ),
        (
            "{sessions: {inactivityTimeoutSeconds: null}}",
            "sessions.maxLifetimeSeconds",
        ),
        (
            "{tokens: {allowedClockSkewSeconds: 60}}",
            "tokens.allowedClockSkewSeconds",
        ),
        (
            "{signUp: {emailAddress: OFF, username: OPTIONAL}}",
            "signUp.emailAddress",
        ),
    ];
    for (input, field) in bad {
        let answer = server
            .backend(
                &format!("mutation {{ updateInstanceSettings(input: {input}) {{ id }} }}"),
                json!({}),
            )
            .await;
        assert_eq!(
            answer.code(),
            "VALIDATION_FAILED",
            "{input}: {}",
            answer.body
        );
        assert_eq!(answer.extensions()["field"], field, "{input}");
    }
    let after = server.backend(SETTINGS, json!({})).await;
    assert_eq!(
        min_length(after.data()),
        10,
        "a refused change leaves the settings as they were"
    );
    server.stop().await;
}

#[tokio::test]
async fn the_admin_creates_instances_with_their_own_keys() {
    let server = TestServer::spawn().await;
    let created = server
        .admin("mutation { createInstance(input: {name: \"Live\", environment: PRODUCTION}) { instance { id environment publishableKey } secretKey { key } } }", json!({}))
        .await;
    let data = &created.data()["createInstance"];
    assert!(
        data["instance"]["publishableKey"]
            .as_str()
            .unwrap()
            .starts_with("pk_live_")
    );
    assert!(
        data["secretKey"]["key"]
            .as_str()
            .unwrap()
            .starts_with("sk_live_")
    );
    let listed = server
        .admin("{ instances { id environment } }", json!({}))
        .await;
    assert_eq!(listed.data()["instances"].as_array().unwrap().len(), 2);
    let bad = server
        .admin(
            "mutation { createInstance(input: {name: \"   \"}) { instance { id } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        (bad.code(), bad.extensions()["field"].as_str()),
        ("VALIDATION_FAILED", Some("name"))
    );
    let too_long = server
        .admin(
            "mutation($n: String!) { createInstance(input: {name: $n}) { instance { id } } }",
            json!({"n": "x".repeat(300)}),
        )
        .await;
    assert_eq!(too_long.code(), "VALIDATION_FAILED");
    assert_eq!(
        server.admin("{ instances { id } }", json!({})).await.data()["instances"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    server.stop().await;
}

#[tokio::test]
async fn a_record_id_sent_as_a_key_is_told_apart_and_older_ids_stay_valid() {
    let server = TestServer::spawn().await;
    let (key, key_id) = server.create_secret_key("ci").await;
    assert!(key_id.starts_with("skid_"), "{key_id}");
    let message = |answer: &latchkey_tests::gql::Response| {
        answer.body["errors"][0]["message"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    };
    let pasted = server
        .gql(Auth::Bearer(&key_id), "{ instance { id } }", json!({}))
        .await;
    assert_eq!(pasted.code(), "UNAUTHENTICATED");
    assert!(
        message(&pasted).contains("secret key's id"),
        "{}",
        pasted.body
    );
    let wrong = server
        .gql(
            Auth::Bearer("sk_test_wrong"),
            "{ instance { id } }",
            json!({}),
        )
        .await;
    assert_eq!(wrong.code(), "UNAUTHENTICATED");
    assert!(!message(&wrong).contains("key's id"), "{}", wrong.body);

    let api_key = server
        .backend(
            "mutation { createApiKey(name: \"ci\", subject: \"svc\") { secret apiKey { id } } }",
            json!({}),
        )
        .await;
    let api_key = &api_key.data()["createApiKey"];
    let (secret, api_key_id) = (
        api_key["secret"].as_str().unwrap().to_owned(),
        api_key["apiKey"]["id"].as_str().unwrap().to_owned(),
    );
    assert!(api_key_id.starts_with("akid_") && secret.starts_with("ak_"));
    const CHECK: &str = "mutation($t: String!) { verifyToken(token: $t, acceptsToken: [API_KEY]) { isAuthenticated reason } }";
    let checked = server.backend(CHECK, json!({"t": api_key_id})).await;
    assert_eq!(
        checked.data()["verifyToken"]["reason"],
        "api-key-not-found",
        "an id is checked as a key that does not exist"
    );
    for bearer in [&api_key_id, &secret] {
        let refused = server
            .gql(Auth::Bearer(bearer), "{ instance { id } }", json!({}))
            .await;
        assert_eq!(refused.code(), "UNAUTHENTICATED");
        assert!(
            message(&refused).contains("verifyToken"),
            "{}",
            refused.body
        );
    }

    // Records made before ids had prefixes of their own keep their ids: the keys still work,
    // the ids still name them, and an old id sent as a key gets the same hint.
    let old_key_id = key_id.replacen("skid_", "sk_", 1);
    let old_api_key_id = api_key_id.replacen("akid_", "ak_", 1);
    server
        .db
        .execute(&format!(
            "UPDATE secret_keys SET id = '{old_key_id}' WHERE id = '{key_id}'"
        ))
        .await;
    server
        .db
        .execute(&format!(
            "UPDATE api_keys SET id = '{old_api_key_id}' WHERE id = '{api_key_id}'"
        ))
        .await;
    server
        .gql(Auth::Bearer(&key), "{ instance { id } }", json!({}))
        .await
        .data();
    let pasted = server
        .gql(Auth::Bearer(&old_key_id), "{ instance { id } }", json!({}))
        .await;
    assert!(
        message(&pasted).contains("secret key's id"),
        "{}",
        pasted.body
    );
    let checked = server.backend(CHECK, json!({"t": old_api_key_id})).await;
    assert_eq!(checked.data()["verifyToken"]["reason"], "api-key-not-found");
    let checked = server.backend(CHECK, json!({"t": secret})).await;
    assert_eq!(checked.data()["verifyToken"]["isAuthenticated"], true);
    server
        .backend(
            "mutation($id: ID!) { revokeApiKey(id: $id) { id } }",
            json!({"id": old_api_key_id}),
        )
        .await
        .data();
    let checked = server.backend(CHECK, json!({"t": secret})).await;
    assert_eq!(checked.data()["verifyToken"]["reason"], "api-key-revoked");
    server
        .backend(
            "mutation($id: ID!) { revokeSecretKey(id: $id) { id } }",
            json!({"id": old_key_id}),
        )
        .await
        .data();
    let revoked = server
        .gql(Auth::Bearer(&key), "{ instance { id } }", json!({}))
        .await;
    assert_eq!(revoked.code(), "UNAUTHENTICATED");
    server.stop().await;
}
