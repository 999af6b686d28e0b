//! Handoffs: the Account Portal (on Latchkey's origin) sends the browser back to a development
//! app on another site with a one-time code, which the app's SDK redeems for the same client.

use latchkey_tests::{Frontend, Response, TestServer};
use serde_json::{Value, json};

use super::hardening::live_instance;

const CREATE: &str = "mutation($u: String!) { createHandoff(redirectUrl: $u) { url expiresAt } }";
const REDEEM: &str =
    "mutation($c: String!) { redeemHandoff(code: $c) { id lastActiveSessionId sessions { id } } }";
const APP: &str = "http://localhost:5173";

/// Posts an operation as a frontend of `publishable_key` from `origin`, with `client` if given.
async fn post(
    server: &TestServer,
    publishable_key: &str,
    client: Option<&str>,
    origin: &str,
    query: &str,
    variables: Value,
) -> Response {
    let mut request = reqwest::Client::new()
        .post(format!("{}/graphql", server.url))
        .header("latchkey-publishable-key", publishable_key)
        .header("origin", origin)
        .json(&json!({"query": query, "variables": variables}));
    if let Some(client) = client {
        request = request.header("latchkey-client", client);
    }
    let response = request.send().await.unwrap();
    Response {
        status: response.status().as_u16(),
        headers: response.headers().clone(),
        body: response.json().await.unwrap(),
    }
}

/// The code in a handoff URL.
fn code_of(url: &str) -> String {
    let parsed = reqwest::Url::parse(url).unwrap();
    parsed
        .query_pairs()
        .find(|(name, _)| name == "__latchkey_handoff")
        .map(|(_, value)| value.into_owned())
        .expect("the URL carries a handoff code")
}

#[tokio::test]
async fn a_development_app_redeems_the_portals_client_once() {
    let (server, clock) = TestServer::spawn_with_clock(|_| {}).await;
    let pk = server.publishable_key.clone();
    let (portal, session) = Frontend::signed_up(
        &server.url,
        &pk,
        "hand+latchkey_test@example.com",
        "a sturdy passphrase",
    )
    .await;
    let portal_token = portal.token.clone().unwrap();
    let create = |url: &'static str| {
        let (server, pk, token) = (&server, pk.clone(), portal_token.clone());
        async move {
            post(
                server,
                &pk,
                Some(&token),
                &server.url,
                CREATE,
                json!({"u": url}),
            )
            .await
        }
    };

    // The portal asks where to send the browser: the app's URL with a code, for a minute.
    let made = create("http://localhost:5173/after?tab=2#top").await;
    let handoff = &made.data()["createHandoff"];
    let url = handoff["url"].as_str().unwrap();
    assert!(
        url.starts_with("http://localhost:5173/after?tab=2&__latchkey_handoff=lkh_"),
        "{url}"
    );
    assert!(url.ends_with("#top"), "{url}");
    assert!(handoff["expiresAt"].is_string());
    let code = code_of(url);

    // The app, with no client of its own, redeems it: the portal's client, token in the header.
    let redeemed = post(&server, &pk, None, APP, REDEEM, json!({"c": code})).await;
    let client = &redeemed.data()["redeemHandoff"];
    assert_eq!(client["lastActiveSessionId"], session.as_str());
    assert_eq!(
        redeemed.client_token().as_deref(),
        Some(portal_token.as_str())
    );

    // Once only.
    let again = post(&server, &pk, None, APP, REDEEM, json!({"c": code})).await;
    assert_eq!(again.code(), "NOT_FOUND", "{}", again.body);
    assert_eq!(again.client_token(), None);

    // Only from the origin it was made for (and the try uses it up).
    let code = code_of(
        create("http://localhost:5173/").await.data()["createHandoff"]["url"]
            .as_str()
            .unwrap(),
    );
    let elsewhere = post(
        &server,
        &pk,
        None,
        "http://127.0.0.1:3000",
        REDEEM,
        json!({"c": code}),
    )
    .await;
    assert_eq!(elsewhere.code(), "NOT_FOUND");
    let after = post(&server, &pk, None, APP, REDEEM, json!({"c": code})).await;
    assert_eq!(after.code(), "NOT_FOUND");

    // Within a minute only.
    let code = code_of(
        create("http://localhost:5173/").await.data()["createHandoff"]["url"]
            .as_str()
            .unwrap(),
    );
    clock.advance(chrono::Duration::seconds(61));
    let late = post(&server, &pk, None, APP, REDEEM, json!({"c": code})).await;
    assert_eq!(late.code(), "NOT_FOUND");
    let unknown = post(&server, &pk, None, APP, REDEEM, json!({"c": "lkh_nothing"})).await;
    assert_eq!(unknown.code(), "NOT_FOUND");
    assert_eq!(
        server.db.count("handoffs").await,
        0,
        "every code tried is gone"
    );

    // Back to the server's own origin (another portal page): no code needed.
    let own = format!("{}/i/{}/user", server.url, server.instance_id);
    let made = post(
        &server,
        &pk,
        Some(&portal_token),
        &server.url,
        CREATE,
        json!({"u": own}),
    )
    .await;
    assert_eq!(made.data()["createHandoff"]["url"], own.as_str());
    assert_eq!(made.data()["createHandoff"]["expiresAt"], Value::Null);

    // A caller without a client has nothing to hand off.
    let none = post(&server, &pk, None, &server.url, CREATE, json!({"u": APP})).await;
    assert_eq!(none.code(), "UNAUTHENTICATED");
}

#[tokio::test]
async fn redirect_urls_go_only_to_allowed_origins() {
    let server = TestServer::spawn().await;
    let pk = server.publishable_key.clone();
    let (portal, _) = Frontend::signed_up(
        &server.url,
        &pk,
        "redir+latchkey_test@example.com",
        "a sturdy passphrase",
    )
    .await;
    let token = portal.token.clone().unwrap();
    for refused in [
        "https://evil.example/",
        "//evil.example/",
        "/relative",
        "http://localhost:5173@evil.example/",
        "http://localhost.evil.example/",
        "http:\\\\evil.example",
        "javascript:alert(1)",
        "http://user:pw@localhost:5173/",
    ] {
        let answer = post(
            &server,
            &pk,
            Some(&token),
            &server.url,
            CREATE,
            json!({"u": refused}),
        )
        .await;
        assert_eq!(
            answer.code(),
            "VALIDATION_FAILED",
            "{refused}: {}",
            answer.body
        );
        assert_eq!(answer.extensions()["field"], "redirectUrl");
    }
    assert_eq!(server.db.count("handoffs").await, 0);
}

#[tokio::test]
async fn a_production_instance_needs_no_code_and_redeems_none() {
    let server = TestServer::spawn().await;
    let app = "https://app.example.com";
    let (live_pk, _) = live_instance(&server, &[app]).await;
    // The portal's browser holds its client in the cookie: the redirect needs no code at all.
    let made = post(
        &server,
        &live_pk,
        None,
        &server.url,
        CREATE,
        json!({"u": "https://app.example.com/home"}),
    )
    .await;
    assert_eq!(
        made.data()["createHandoff"]["url"],
        "https://app.example.com/home"
    );
    assert_eq!(made.data()["createHandoff"]["expiresAt"], Value::Null);
    let refused = post(
        &server,
        &live_pk,
        None,
        &server.url,
        CREATE,
        json!({"u": "http://localhost:5173/"}),
    )
    .await;
    assert_eq!(refused.code(), "VALIDATION_FAILED");
    let redeem = post(
        &server,
        &live_pk,
        None,
        app,
        REDEEM,
        json!({"c": "lkh_any"}),
    )
    .await;
    assert_eq!(redeem.code(), "FORBIDDEN");
    assert_eq!(server.db.count("handoffs").await, 0);
}

#[tokio::test]
async fn a_page_that_stays_on_its_origin_hands_nothing_over() {
    let server = TestServer::spawn().await;
    let pk = server.publishable_key.clone();
    let (app, _) = Frontend::signed_up(
        &server.url,
        &pk,
        "stay+latchkey_test@example.com",
        "a sturdy passphrase",
    )
    .await;
    let token = app.token.clone().unwrap();
    let made = post(
        &server,
        &pk,
        Some(&token),
        APP,
        CREATE,
        json!({"u": "http://localhost:5173/dashboard"}),
    )
    .await;
    assert_eq!(
        made.data()["createHandoff"],
        json!({"url": "http://localhost:5173/dashboard", "expiresAt": null})
    );
    assert_eq!(server.db.count("handoffs").await, 0);
}
