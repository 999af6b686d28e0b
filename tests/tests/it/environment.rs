//! `environment`: what a frontend learns from its publishable key alone; and how a browser of a
//! production instance is never handed a client token for script to keep.

use latchkey_tests::{Auth, TestServer};
use serde_json::{Value, json};

use super::hardening::live_instance;

const ENVIRONMENT: &str = "{ environment { instanceId name instanceEnvironment logoUrl issuer
    accountPortalUrl signUp { mode emailAddress password } passwordPolicy { minLength }
    firstFactors secondFactors multiSession deleteSelfEnabled organizationsEnabled
    reverificationWindowSeconds } }";

#[tokio::test]
async fn a_frontend_learns_its_instance_from_the_publishable_key_alone() {
    let server = TestServer::spawn().await;
    let answer = server
        .gql(
            Auth::Publishable(&server.publishable_key),
            ENVIRONMENT,
            json!({}),
        )
        .await;
    let environment = &answer.data()["environment"];
    let issuer = format!("{}/i/{}", server.url, server.instance_id);
    assert_eq!(environment["instanceId"], server.instance_id.as_str());
    assert_eq!(environment["instanceEnvironment"], "DEVELOPMENT");
    assert_eq!(environment["issuer"], issuer.as_str());
    assert_eq!(environment["accountPortalUrl"], issuer.as_str());
    assert_eq!(environment["logoUrl"], Value::Null);
    assert_eq!(environment["signUp"]["mode"], "PUBLIC");
    assert_eq!(environment["passwordPolicy"]["minLength"], 8);
    assert_eq!(
        environment["firstFactors"],
        json!(["PASSWORD", "EMAIL_CODE", "RESET_PASSWORD_EMAIL_CODE"])
    );
    assert_eq!(environment["secondFactors"], json!(["TOTP", "BACKUP_CODE"]));
    assert_eq!(environment["multiSession"], false);
    assert_eq!(environment["reverificationWindowSeconds"], 600);
    // Nothing was created for asking.
    assert_eq!(server.db.count("clients").await, 0);

    // A logo is set, refused when it is not a URL a browser may load safely, and removed.
    let set = "mutation($u: String) { updateInstanceSettings(input: {logoUrl: $u}) { settings { logoUrl } } }";
    let logo = "https://cdn.example.com/logo.png";
    let done = server.backend(set, json!({"u": logo})).await;
    assert_eq!(
        done.data()["updateInstanceSettings"]["settings"]["logoUrl"],
        logo,
        "{}",
        done.body
    );
    let refused = server
        .backend(set, json!({"u": "javascript:alert(1)"}))
        .await;
    assert_eq!(refused.code(), "VALIDATION_FAILED");
    assert_eq!(refused.extensions()["field"], "logoUrl");
    let read = server
        .gql(
            Auth::Publishable(&server.publishable_key),
            ENVIRONMENT,
            json!({}),
        )
        .await;
    assert_eq!(read.data()["environment"]["logoUrl"], logo);
    server.backend(set, json!({"u": null})).await.data();
    let read = server
        .gql(
            Auth::Publishable(&server.publishable_key),
            ENVIRONMENT,
            json!({}),
        )
        .await;
    assert_eq!(read.data()["environment"]["logoUrl"], Value::Null);

    // Without a publishable key there is no instance to tell of.
    let anonymous = server.gql(Auth::None, ENVIRONMENT, json!({})).await;
    assert_eq!(anonymous.code(), "UNAUTHENTICATED");
}

/// Starts a sign-up as a frontend of `publishable_key`, from `origin` when given: the response's
/// `Latchkey-Client` header and whether a cookie was set.
async fn new_client(
    server: &TestServer,
    publishable_key: &str,
    origin: Option<&str>,
) -> (Option<String>, bool) {
    let mut request = reqwest::Client::new()
        .post(format!("{}/graphql", server.url))
        .header("latchkey-publishable-key", publishable_key)
        .json(&json!({
            "query": "mutation($i: SignUpInput!) { createSignUp(input: $i) { status } }",
            "variables": {"i": {"emailAddress": "header+latchkey_test@example.com", "password": "a sturdy passphrase"}},
        }));
    if let Some(origin) = origin {
        request = request.header("origin", origin);
    }
    let response = request.send().await.unwrap();
    assert_eq!(response.status(), 200);
    let header = response
        .headers()
        .get("latchkey-client")
        .map(|v| v.to_str().unwrap().to_owned());
    let cookie = response.headers().get("set-cookie").is_some();
    let body: Value = response.json().await.unwrap();
    assert!(body["errors"].is_null(), "{body}");
    (header, cookie)
}

#[tokio::test]
async fn a_production_instance_keeps_a_browsers_client_in_its_cookie_only() {
    let server = TestServer::spawn().await;
    let app = "https://app.example.com";
    let (live_pk, _) = live_instance(&server, &[app]).await;
    let (header, cookie) = new_client(&server, &live_pk, Some(app)).await;
    assert_eq!(header, None, "no token for a production browser's script");
    assert!(cookie);
    // A native app or a server (no Origin) keeps using the header.
    let (header, cookie) = new_client(&server, &live_pk, None).await;
    assert!(header.is_some_and(|t| t.starts_with("lkc_")));
    assert!(cookie);
    // A development instance hands a cross-site browser its token.
    server
        .backend(
            "mutation($o: [String!]) { updateInstanceSettings(input: {allowedOrigins: $o}) { id } }",
            json!({"o": ["http://localhost:5173"]}),
        )
        .await
        .data();
    let (header, _) = new_client(
        &server,
        &server.publishable_key,
        Some("http://localhost:5173"),
    )
    .await;
    assert!(header.is_some());
}
