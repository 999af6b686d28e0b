//! Webhooks: deliveries signed per Standard Webhooks (checked by the Python `standardwebhooks`
//! package), retried while the receiver is down, each delivered once and in order per object,
//! resumed after a restart; endpoints checked and kept to their instance.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use latchkey_domain::clock::Clock;
use latchkey_tests::server::lift_ip_limits;
use latchkey_tests::webhooks::{Receiver, verify_with_standardwebhooks_at};
use latchkey_tests::{Auth, Frontend, TestServer};
use serde_json::{Value, json};

const PASSWORD: &str = "a sturdy passphrase";
const WAIT: Duration = Duration::from_secs(20);
const CREATE: &str = "mutation($url: String!, $types: [String!]) { createWebhookEndpoint(url: $url, eventTypes: $types) { secret endpoint { id url eventTypes } } }";
const DELIVERIES: &str = "query($e: ID!, $l: Int) { webhookDeliveries(endpointId: $e, limit: $l) { id eventId eventType status attempts lastStatusCode } }";

/// The receivers listen on 127.0.0.1: a private address the operator must allow.
fn allow_local(config: &mut latchkey_api::ServerConfig) {
    lift_ip_limits(config);
    config.webhooks_allow_private_networks = true;
}

async fn endpoint(server: &TestServer, url: &str, types: Value) -> (String, String) {
    let created = server
        .backend(CREATE, json!({"url": url, "types": types}))
        .await;
    let created = &created.data()["createWebhookEndpoint"];
    let secret = created["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("whsec_"), "{secret}");
    (
        created["endpoint"]["id"].as_str().unwrap().to_owned(),
        secret,
    )
}

async fn signed_up(server: &TestServer, email: &str) -> (Frontend, String) {
    Frontend::signed_up(&server.url, &server.publishable_key, email, PASSWORD).await
}

/// Waits until the receiver has refused `count` requests and the server has recorded each
/// refusal (a pending delivery tried once, answered 503). Only then may the test clock move:
/// a refusal recorded after the move would be retried 5 s after the moved time, which the
/// clock never reaches.
async fn refused(server: &TestServer, receiver: &Receiver, endpoint_id: &str, count: usize) {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let listed = server
            .backend(DELIVERIES, json!({"e": endpoint_id, "l": 10}))
            .await;
        let recorded = listed.data()["webhookDeliveries"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| {
                d["status"] == "PENDING" && d["attempts"] == 1 && d["lastStatusCode"] == 503
            })
            .count();
        let answered = receiver
            .received()
            .iter()
            .filter(|r| r.answered == 503)
            .count();
        if answered >= count && recorded >= count {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{recorded} recorded, {answered} refused: {:#?}",
            receiver.received()
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

#[tokio::test]
async fn deliveries_are_signed_retried_and_arrive_once_each_in_order_per_object() {
    let (server, clock) = TestServer::spawn_with_clock(allow_local).await;
    let receiver = Receiver::start().await;
    receiver.set_down(true);
    let (endpoint_id, secret) = endpoint(&server, &receiver.url, Value::Null).await;

    let email = "jane+latchkey_test@example.com";
    let (mut frontend, first) = signed_up(&server, email).await;
    frontend
        .gql("mutation { signOut { id } }", json!({}))
        .await
        .data();
    let signed_in = frontend
        .gql(
            "mutation($i: String!, $p: String!) { createSignIn(input: {identifier: $i, password: $p}) { createdSessionId } }",
            json!({"i": email, "p": PASSWORD}),
        )
        .await;
    let second = signed_in.data()["createSignIn"]["createdSessionId"]
        .as_str()
        .unwrap()
        .to_owned();
    server
        .backend(
            "mutation($s: ID!) { revokeSession(id: $s) { id } }",
            json!({"s": second}),
        )
        .await
        .data();
    // Five events about three objects: the first of each is tried and refused; the others wait
    // behind it.
    refused(&server, &receiver, &endpoint_id, 3).await;

    receiver.set_down(false);
    clock.advance(chrono::Duration::seconds(6));
    let delivered = receiver.wait_for_delivered(5, WAIT).await;
    let bodies = verify_with_standardwebhooks_at(&secret, &delivered, clock.now().timestamp())
        .await
        .unwrap_or_else(|err| panic!("a signature did not verify: {err}"));
    let ids: HashSet<&str> = delivered.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(delivered.len(), 5, "each event delivered once");
    assert_eq!(ids.len(), 5, "each event delivered once");
    let mut per_object: HashMap<String, Vec<(i64, String)>> = HashMap::new();
    for body in &bodies {
        let event_id: i64 = body["eventId"].as_str().unwrap().parse().unwrap();
        per_object
            .entry(body["data"]["id"].as_str().unwrap().to_owned())
            .or_default()
            .push((event_id, body["type"].as_str().unwrap().to_owned()));
        assert_eq!(body["instanceId"], server.instance_id.as_str());
        assert!(body["data"].get("passwordHash").is_none());
    }
    let types = |object: &str| -> Vec<String> {
        let events = &per_object[object];
        assert!(events.windows(2).all(|w| w[0].0 < w[1].0), "{events:?}");
        events.iter().map(|(_, t)| t.clone()).collect()
    };
    assert_eq!(types(&first), ["session.created", "session.ended"]);
    assert_eq!(types(&second), ["session.created", "session.revoked"]);

    // One more event: it is the sixth delivery, so nothing was sent twice before it.
    let user = bodies.iter().find(|b| b["type"] == "user.created").unwrap()["data"]["id"].clone();
    server
        .backend(
            "mutation($u: ID!) { lockUser(id: $u) { id } }",
            json!({"u": user}),
        )
        .await
        .data();
    let delivered = receiver.wait_for_delivered(6, WAIT).await;
    assert_eq!(delivered.len(), 6, "each event delivered once");
    assert_eq!(delivered[5].json()["type"], "user.updated");

    // The endpoint's deliveries say what happened (once the last outcome is written).
    let deadline = tokio::time::Instant::now() + WAIT;
    let listed = loop {
        let listed = server
            .backend(DELIVERIES, json!({"e": endpoint_id, "l": 10}))
            .await;
        let listed = listed.data()["webhookDeliveries"]
            .as_array()
            .unwrap()
            .clone();
        if listed.iter().all(|d| d["status"] == "DELIVERED") {
            break listed;
        }
        assert!(tokio::time::Instant::now() < deadline, "{listed:?}");
        tokio::time::sleep(Duration::from_millis(25)).await;
    };
    assert_eq!(listed.len(), 6);
    let retried = listed.iter().filter(|d| d["attempts"] == 2).count();
    assert_eq!(retried, 3, "{listed:?}");
}

#[tokio::test]
async fn pending_deliveries_resume_after_a_restart() {
    let (server, clock) = TestServer::spawn_with_clock(allow_local).await;
    let receiver = Receiver::start().await;
    receiver.set_down(true);
    let (endpoint_id, secret) = endpoint(&server, &receiver.url, json!(["user.created"])).await;
    signed_up(&server, "jane+latchkey_test@example.com").await;
    refused(&server, &receiver, &endpoint_id, 1).await;
    let server = server.restart().await;
    receiver.set_down(false);
    clock.advance(chrono::Duration::seconds(6));
    let delivered = receiver.wait_for_delivered(1, WAIT).await;
    let bodies = verify_with_standardwebhooks_at(&secret, &delivered, clock.now().timestamp())
        .await
        .unwrap();
    assert_eq!(bodies.len(), 1);
    assert_eq!(bodies[0]["type"], "user.created");
    // Only the type asked for was ever sent (session.created was not).
    let received = receiver.received();
    assert!(
        received.iter().all(|r| r.json()["type"] == "user.created"),
        "{received:#?}"
    );
    drop(server);
}

#[tokio::test]
async fn endpoints_are_checked_and_kept_to_their_instance() {
    let server = TestServer::spawn_with(allow_local).await;
    for (url, types, field) in [
        ("ftp://example.com/hook", Value::Null, "url"),
        ("not a url", Value::Null, "url"),
        (
            "https://example.com/hook",
            json!(["session.exploded"]),
            "eventTypes",
        ),
    ] {
        let refused = server
            .backend(CREATE, json!({"url": url, "types": types}))
            .await;
        assert_eq!(refused.code(), "VALIDATION_FAILED");
        assert_eq!(refused.extensions()["field"], field);
    }
    let receiver = Receiver::start().await;
    let (endpoint_id, _) = endpoint(&server, &receiver.url, Value::Null).await;
    let listed = server
        .backend("{ webhookEndpoints { id url eventTypes } }", json!({}))
        .await;
    let listed = listed.data()["webhookEndpoints"].clone();
    assert_eq!(listed[0]["id"], endpoint_id.as_str());
    assert!(!listed.to_string().contains("whsec_"));
    let refused = server
        .backend(DELIVERIES, json!({"e": endpoint_id, "l": 0}))
        .await;
    assert_eq!(refused.code(), "VALIDATION_FAILED");

    // A frontend may not see endpoints; another instance finds none of them.
    let frontend = Frontend::new(&server.url, &server.publishable_key);
    let refused = frontend
        .post("{ webhookEndpoints { id } }", json!({}))
        .await;
    assert_eq!(refused.code(), "FORBIDDEN");
    let (_, other_key) = server.create_instance_with_key("Other").await;
    for query in [
        "mutation($e: ID!) { deleteWebhookEndpoint(id: $e) }",
        "query($e: ID!) { webhookDeliveries(endpointId: $e) { id } }",
    ] {
        let refused = server
            .gql(Auth::Bearer(&other_key), query, json!({"e": endpoint_id}))
            .await;
        assert_eq!(refused.code(), "NOT_FOUND");
    }

    // Deleted: nothing more is sent to it, while another endpoint gets the same event.
    server
        .backend(
            "mutation($e: ID!) { deleteWebhookEndpoint(id: $e) }",
            json!({"e": endpoint_id}),
        )
        .await
        .data();
    let witness = Receiver::start().await;
    endpoint(&server, &witness.url, json!(["user.created"])).await;
    signed_up(&server, "jane+latchkey_test@example.com").await;
    witness.wait_for_delivered(1, WAIT).await;
    assert!(receiver.received().is_empty());
}

#[tokio::test]
async fn endpoints_on_private_networks_need_the_operator_to_allow_them() {
    let server = TestServer::spawn().await;
    for url in [
        "http://127.0.0.1:9/hook",
        "https://169.254.169.254/",
        "https://localhost/",
    ] {
        let refused = server
            .backend(CREATE, json!({"url": url, "types": null}))
            .await;
        assert_eq!(refused.code(), "VALIDATION_FAILED", "{url}");
        assert_eq!(refused.extensions()["field"], "url");
    }
}
