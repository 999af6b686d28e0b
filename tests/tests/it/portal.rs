//! The Account Portal's pages: served per instance from the binary, strict about what they
//! load and where they may be framed; the profile image and the devices its components show.

use latchkey_tests::{Auth, Frontend, TestServer};
use serde_json::json;

const PASSWORD: &str = "a sturdy passphrase";

#[tokio::test]
async fn each_instance_has_its_portal_pages_with_a_strict_policy() {
    let server = TestServer::spawn().await;
    let created = server
        .admin(
            "mutation { createInstance(input: {name: \"Acme <b>&</b>\", environment: DEVELOPMENT}) { instance { id publishableKey } } }",
            json!({}),
        )
        .await;
    let instance = &created.data()["createInstance"]["instance"];
    let (id, pk) = (
        instance["id"].as_str().unwrap(),
        instance["publishableKey"].as_str().unwrap(),
    );
    let client = reqwest::Client::new();
    for page in ["sign-in", "sign-up", "user", "organization"] {
        let url = format!("{}/i/{id}/{page}?redirect_url=x", server.url);
        let response = client.get(url).send().await.unwrap();
        assert_eq!(response.status(), 200, "{page}");
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .map(|v| v.to_str().unwrap().to_owned())
                .unwrap_or_default()
        };
        let policy = header("content-security-policy");
        assert!(policy.contains("frame-ancestors 'none'"), "{policy}");
        assert!(policy.contains("script-src 'self';"), "{policy}");
        assert!(!policy.contains("unsafe"), "{policy}");
        assert_eq!(header("x-frame-options"), "DENY");
        assert_eq!(header("cache-control"), "no-store");
        let html = response.text().await.unwrap();
        assert!(html.contains(&format!("data-page=\"{page}\"")), "{html}");
        assert!(html.contains(&format!("data-publishable-key=\"{pk}\"")));
        assert!(
            html.contains("Acme &lt;b&gt;&amp;&lt;/b&gt;"),
            "the name is escaped: {html}"
        );
        assert!(!html.contains("<b>"), "{html}");
        // One script, from this origin, by its content-hashed name; nothing inline.
        let script = html
            .split("<script defer src=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .expect("the bundle's script tag");
        assert!(script.starts_with("/assets/latchkey."), "{script}");
        assert_eq!(html.matches("<script").count(), 1, "{html}");
        let bundle = client
            .get(format!("{}{script}", server.url))
            .send()
            .await
            .unwrap();
        assert_eq!(bundle.status(), 200);
    }
    for missing in [
        format!("/i/{id}/admin"),
        "/i/ins_nothing/sign-in".to_owned(),
    ] {
        let response = client
            .get(format!("{}{missing}", server.url))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 404, "{missing}");
    }
}

#[tokio::test]
async fn users_set_an_https_profile_image_and_see_their_devices() {
    let server = TestServer::spawn().await;
    let (mut frontend, session) = Frontend::signed_up(
        &server.url,
        &server.publishable_key,
        "device+latchkey_test@example.com",
        PASSWORD,
    )
    .await;
    let jwt = frontend.session_jwt(&session).await;
    let update = "mutation($u: String) { updateMe(input: {imageUrl: $u}) { imageUrl } }";
    let image = "https://images.example.com/me.png";
    let set = server
        .gql(Auth::Bearer(&jwt), update, json!({"u": image}))
        .await;
    assert_eq!(set.data()["updateMe"]["imageUrl"], image);
    for refused in [
        "http://images.example.com/me.png",
        "javascript:alert(1)",
        "https://user:pw@images.example.com/x.png",
        "not a url",
    ] {
        let answer = server
            .gql(Auth::Bearer(&jwt), update, json!({"u": refused}))
            .await;
        assert_eq!(answer.code(), "VALIDATION_FAILED", "{refused}");
        assert_eq!(answer.extensions()["field"], "imageUrl");
    }
    let cleared = server
        .gql(Auth::Bearer(&jwt), update, json!({"u": null}))
        .await;
    assert_eq!(
        cleared.data()["updateMe"]["imageUrl"],
        serde_json::Value::Null
    );

    // A sign-in from a browser records its browser, device and address on the new session.
    let agent = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15";
    let answer: serde_json::Value = reqwest::Client::new()
        .post(format!("{}/graphql", server.url))
        .header("latchkey-publishable-key", &server.publishable_key)
        .header("user-agent", agent)
        .json(&json!({
            "query": "mutation($i: String!, $p: String!) { createSignIn(input: {identifier: $i, password: $p}) { createdSessionId } }",
            "variables": {"i": "device+latchkey_test@example.com", "p": PASSWORD},
        }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let second = answer["data"]["createSignIn"]["createdSessionId"]
        .as_str()
        .unwrap_or_else(|| panic!("{answer}"))
        .to_owned();
    let list = server
        .gql(
            Auth::Bearer(&jwt),
            "{ me { sessions { id latestActivity { browserName browserVersion deviceType isMobile ipAddress } } } }",
            json!({}),
        )
        .await;
    let sessions = list.data()["me"]["sessions"].as_array().unwrap().clone();
    let seen = |id: &str| {
        sessions
            .iter()
            .find(|s| s["id"] == id)
            .map(|s| s["latestActivity"].clone())
            .unwrap_or_else(|| panic!("{id} listed: {sessions:?}"))
    };
    assert_eq!(
        seen(&second),
        json!({"browserName": "Safari", "browserVersion": "17", "deviceType": "macOS", "isMobile": false, "ipAddress": "127.0.0.1"})
    );
    // The test client sends no User-Agent: its address only.
    assert_eq!(seen(&session)["browserName"], serde_json::Value::Null);
    assert_eq!(seen(&session)["ipAddress"], "127.0.0.1");
}

#[tokio::test]
async fn a_refresh_records_the_latest_browser_with_the_batched_activity() {
    let (server, clock) = TestServer::spawn_with_clock(|_| {}).await;
    let (frontend, session) = Frontend::signed_up(
        &server.url,
        &server.publishable_key,
        "latest+latchkey_test@example.com",
        PASSWORD,
    )
    .await;
    let client = frontend.token.clone().unwrap();
    let refresh = |agent: &'static str| {
        let (server, client, session) = (&server, client.clone(), session.clone());
        async move {
            let response = reqwest::Client::new()
                .post(format!(
                    "{}/v1/client/sessions/{session}/tokens",
                    server.url
                ))
                .header("latchkey-publishable-key", &server.publishable_key)
                .header("latchkey-client", client)
                .header("user-agent", agent)
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 200);
        }
    };
    let stored = || async {
        server
            .db
            .scalar(&format!(
                "SELECT latest_activity FROM sessions WHERE id = '{session}'"
            ))
            .await
            .unwrap_or_default()
    };
    let firefox =
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0";
    // Within the minute nothing is recorded; the next minute's refresh is, at the flush.
    refresh(firefox).await;
    server.flush_activity().await;
    assert!(!stored().await.contains("Firefox"), "{}", stored().await);
    clock.advance(chrono::Duration::seconds(61));
    refresh(firefox).await;
    assert!(
        !stored().await.contains("Firefox"),
        "written behind, not by the refresh"
    );
    assert_eq!(server.flush_activity().await, 1);
    let seen: serde_json::Value = serde_json::from_str(&stored().await).unwrap();
    assert_eq!(seen["browserName"], "Firefox");
    assert_eq!(seen["deviceType"], "Windows");
    assert_eq!(seen["ipAddress"], "127.0.0.1");

    // A server's fetch with the token (no User-Agent) a minute later moves the time, not the
    // browser recorded.
    let before: String = stored().await;
    clock.advance(chrono::Duration::seconds(61));
    let response = reqwest::Client::new()
        .post(format!(
            "{}/v1/client/sessions/{session}/tokens",
            server.url
        ))
        .header("latchkey-publishable-key", &server.publishable_key)
        .header("latchkey-client", client.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(server.flush_activity().await, 1, "the time moved");
    assert_eq!(stored().await, before, "the browser stays Firefox");
}
