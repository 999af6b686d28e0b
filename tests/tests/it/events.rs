//! Session-change events: subscriptions seen by an independent client (the JavaScript
//! `graphql-ws` package), replay with `since`, who sees what, expiry as an event, a thousand
//! subscribers on one node, and two server processes on one PostgreSQL.

use std::time::Duration;

use futures_util::StreamExt;
use latchkey_tests::js_client::JsSubscription;
use latchkey_tests::server::lift_ip_limits;
use latchkey_tests::subscriber::{Socket, subscribed};
use latchkey_tests::{Auth, Frontend, TestServer, gql, process};
use serde_json::{Value, json};

const PASSWORD: &str = "a sturdy passphrase";
const WAIT: Duration = Duration::from_secs(15);
const SESSION_EVENTS: &str = "subscription($since: ID, $user: ID) { sessionEvents(since: $since, userId: $user) { id type occurredAt session { id status } } }";
const EVENTS: &str = "subscription($types: [String!], $since: ID) { events(types: $types, since: $since) { id type session { id status } user { id primaryEmailAddress { emailAddress } } data } }";

fn ws_url(base: &str) -> String {
    format!("{}/graphql", base.replace("http://", "ws://"))
}

async fn signed_up(url: &str, publishable_key: &str, email: &str) -> (Frontend, String) {
    Frontend::signed_up(url, publishable_key, email, PASSWORD).await
}

async fn sign_in(frontend: &mut Frontend, email: &str) -> String {
    let answer = frontend
        .gql(
            "mutation($i: String!, $p: String!) { createSignIn(input: {identifier: $i, password: $p}) { status createdSessionId } }",
            json!({"i": email, "p": PASSWORD}),
        )
        .await;
    assert_eq!(answer.data()["createSignIn"]["status"], "COMPLETE");
    answer.data()["createSignIn"]["createdSessionId"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn session_token(frontend: &mut Frontend, session: &str) -> gql::Response {
    frontend
        .gql(
            "mutation($s: ID!) { createSessionToken(sessionId: $s) { jwt } }",
            json!({"s": session}),
        )
        .await
}

async fn revoke(url: &str, secret_key: &str, session: &str) {
    gql::post(
        url,
        Auth::Bearer(secret_key),
        "mutation($s: ID!) { revokeSession(id: $s) { status } }",
        json!({"s": session}),
    )
    .await
    .data();
}

/// The next `next` payload's field `field`, failing on anything else.
async fn next_event(sub: &mut JsSubscription, field: &str) -> Value {
    let line = sub.next(WAIT).await;
    assert_eq!(line["kind"], "next", "{line}");
    let payload = &line["payload"];
    assert!(payload["errors"].is_null(), "{payload}");
    payload["data"][field].clone()
}

async fn subscribe(
    url: &str,
    authorization: &str,
    query: &str,
    variables: Value,
) -> JsSubscription {
    JsSubscription::start(
        &ws_url(url),
        json!({"authorization": authorization}),
        query,
        variables,
    )
    .await
    .unwrap_or_else(|refused| panic!("the subscription was refused: {refused}"))
}

#[tokio::test]
async fn an_independent_client_sees_sign_in_sign_out_and_revocation() {
    let server = TestServer::spawn_with(lift_ip_limits).await;
    // From the instance's first event (there is none yet): nothing can slip past the start.
    let mut sub = subscribe(
        &server.url,
        &server.secret_key,
        SESSION_EVENTS,
        json!({"since": "0"}),
    )
    .await;
    let email = "jane+latchkey_test@example.com";
    let (mut frontend, first) = signed_up(&server.url, &server.publishable_key, email).await;
    let created = next_event(&mut sub, "sessionEvents").await;
    assert_eq!(created["type"], "session.created");
    assert_eq!(created["session"]["id"], first.as_str());
    assert_eq!(created["session"]["status"], "ACTIVE");

    frontend
        .gql("mutation { signOut { id } }", json!({}))
        .await
        .data();
    let ended = next_event(&mut sub, "sessionEvents").await;
    assert_eq!(ended["type"], "session.ended");
    assert_eq!(ended["session"]["id"], first.as_str());
    assert_eq!(ended["session"]["status"], "ENDED");

    let second = sign_in(&mut frontend, email).await;
    let created = next_event(&mut sub, "sessionEvents").await;
    assert_eq!(created["type"], "session.created");
    assert_eq!(created["session"]["id"], second.as_str());

    revoke(&server.url, &server.secret_key, &second).await;
    let revoked = next_event(&mut sub, "sessionEvents").await;
    assert_eq!(revoked["type"], "session.revoked");
    assert_eq!(revoked["session"]["status"], "REVOKED");
    // Numbers increase: user.created was 1, then the four session events.
    let id: i64 = revoked["id"].as_str().unwrap().parse().unwrap();
    assert_eq!(id, 5, "{revoked}");
}

#[tokio::test]
async fn since_replays_what_was_missed_with_no_gap_and_no_duplicate() {
    let server = TestServer::spawn_with(lift_ip_limits).await;
    let pk = server.publishable_key.clone();
    for n in 0..3 {
        signed_up(&server.url, &pk, &format!("u{n}+latchkey_test@example.com")).await;
    }
    // Six events so far: user.created and session.created for each sign-up.
    let mut sub = subscribe(
        &server.url,
        &server.secret_key,
        EVENTS,
        json!({"since": "2", "types": null}),
    )
    .await;
    // Live events come while the replay may still be running.
    let live = tokio::spawn({
        let (url, pk) = (server.url.clone(), pk.clone());
        async move {
            for n in 3..6 {
                signed_up(&url, &pk, &format!("u{n}+latchkey_test@example.com")).await;
            }
        }
    });
    let mut ids = Vec::new();
    for _ in 0..10 {
        let event = next_event(&mut sub, "events").await;
        ids.push(event["id"].as_str().unwrap().parse::<i64>().unwrap());
        match event["type"].as_str().unwrap() {
            "user.created" => {
                assert!(event["user"]["id"].is_string(), "{event}");
                assert!(event["data"]["passwordEnabled"].as_bool().unwrap());
                assert!(event["data"].get("passwordHash").is_none());
            }
            "session.created" => assert_eq!(event["session"]["status"], "ACTIVE"),
            other => panic!("unexpected {other}"),
        }
    }
    live.await.unwrap();
    // Every number after 2, once each and in order: no gap, no duplicate.
    assert_eq!(ids, (3..=12).collect::<Vec<_>>());
    // And nothing else came in between: the next one is the next event written.
    signed_up(&server.url, &pk, "u6+latchkey_test@example.com").await;
    assert_eq!(next_event(&mut sub, "events").await["id"], "13");

    // A cursor the instance never reached, or not a number, or an unknown type, is refused.
    for variables in [
        json!({"since": "999"}),
        json!({"since": "x"}),
        json!({"since": "-1"}),
        json!({"types": ["session.exploded"]}),
    ] {
        let refused = JsSubscription::start(
            &ws_url(&server.url),
            json!({"authorization": server.secret_key}),
            EVENTS,
            variables,
        )
        .await;
        let line = match refused {
            Ok(mut sub) => sub.next(WAIT).await,
            Err(line) => line,
        };
        assert!(line.to_string().contains("VALIDATION_FAILED"), "{line}");
    }
}

#[tokio::test]
async fn a_session_token_sees_only_its_own_sessions_and_its_subscription_ends_with_it() {
    let server = TestServer::spawn_with(lift_ip_limits).await;
    let pk = server.publishable_key.clone();
    let (mut jane, session) = signed_up(&server.url, &pk, "jane+latchkey_test@example.com").await;
    let jwt = session_token(&mut jane, &session).await.data()["createSessionToken"]["jwt"]
        .as_str()
        .unwrap()
        .to_owned();
    let me = gql::post(&server.url, Auth::Bearer(&jwt), "{ me { id } }", json!({})).await;
    let jane_id = me.data()["me"]["id"].as_str().unwrap().to_owned();

    // Another user's sessions, or user events, are not for a session token.
    for (query, variables) in [
        (SESSION_EVENTS, json!({"user": "user_someone_else"})),
        (EVENTS, json!({"types": ["user.created"]})),
    ] {
        let mut sub = subscribe(&server.url, &jwt, query, variables).await;
        let line = sub.next(WAIT).await;
        assert!(line.to_string().contains("FORBIDDEN"), "{line}");
    }

    // After Jane's sign-up (user.created 1, session.created 2): nothing can slip past the start.
    let mut sub = subscribe(
        &server.url,
        &jwt,
        SESSION_EVENTS,
        json!({"user": jane_id, "since": "2"}),
    )
    .await;
    // Somebody else signs up: nothing for Jane. Jane signs in on a second client: hers.
    signed_up(&server.url, &pk, "john+latchkey_test@example.com").await;
    let mut phone = Frontend::new(&server.url, &pk);
    let other = sign_in(&mut phone, "jane+latchkey_test@example.com").await;
    let created = next_event(&mut sub, "sessionEvents").await;
    assert_eq!(created["type"], "session.created");
    assert_eq!(created["session"]["id"], other.as_str());

    // Her own session revoked: the event, then the subscription ends and the socket closes.
    revoke(&server.url, &server.secret_key, &session).await;
    let revoked = next_event(&mut sub, "sessionEvents").await;
    assert_eq!(revoked["type"], "session.revoked");
    let ended = sub.next(WAIT).await;
    assert_eq!(ended["kind"], "next", "{ended}");
    assert_eq!(
        ended["payload"]["errors"][0]["extensions"]["code"], "UNAUTHENTICATED",
        "{ended}"
    );
    let closed = sub.next(WAIT).await;
    assert_eq!(closed["kind"], "error", "{closed}");
    assert_eq!(closed["error"]["code"], 4403, "{closed}");
}

#[tokio::test]
async fn a_wrong_key_is_refused_and_another_instance_sees_nothing() {
    let server = TestServer::spawn_with(lift_ip_limits).await;
    let refused = JsSubscription::start(
        &ws_url(&server.url),
        json!({"authorization": "sk_test_not_a_key"}),
        SESSION_EVENTS,
        json!({}),
    )
    .await;
    let line = match refused {
        Ok(mut sub) => sub.next(WAIT).await,
        Err(line) => line,
    };
    assert_eq!(line["error"]["code"], 4403, "{line}");

    // A second instance's key subscribes from that instance's start; the first instance's
    // sign-up is not shown to it, the second instance's own is.
    let (other_pk, other_sk) = server.create_instance_with_key("Other").await;
    let mut sub = subscribe(&server.url, &other_sk, EVENTS, json!({"since": "0"})).await;
    let pk = server.publishable_key.clone();
    signed_up(&server.url, &pk, "jane+latchkey_test@example.com").await;
    // Even naming the first instance's user finds nothing there.
    signed_up(&server.url, &other_pk, "john+latchkey_test@example.com").await;
    let first = next_event(&mut sub, "events").await;
    assert_eq!(first["type"], "user.created");
    assert_eq!(
        first["user"]["primaryEmailAddress"]["emailAddress"],
        "john+latchkey_test@example.com"
    );
    assert_eq!(first["id"], "1");
}

#[tokio::test]
async fn expiry_is_an_event() {
    let (server, clock) = TestServer::spawn_with_clock(lift_ip_limits).await;
    let mut sub = subscribe(
        &server.url,
        &server.secret_key,
        SESSION_EVENTS,
        json!({"since": "0"}),
    )
    .await;
    let pk = server.publishable_key.clone();
    let (mut frontend, session) =
        signed_up(&server.url, &pk, "jane+latchkey_test@example.com").await;
    assert_eq!(
        next_event(&mut sub, "sessionEvents").await["type"],
        "session.created"
    );
    // Past the default maximum lifetime (7 days) and the sweep's grace for activity written
    // behind: the sweeper marks it and says so.
    let grace = chrono::Duration::from_std(latchkey_domain::store::activity::EXPIRY_GRACE)
        .unwrap_or_default();
    clock.advance(chrono::Duration::days(7) + grace + chrono::Duration::seconds(1));
    let expired = next_event(&mut sub, "sessionEvents").await;
    assert_eq!(expired["type"], "session.expired");
    assert_eq!(expired["session"]["id"], session.as_str());
    assert_eq!(expired["session"]["status"], "EXPIRED");
    let refused = session_token(&mut frontend, &session).await;
    assert_eq!(refused.code(), "SESSION_NOT_ACTIVE");
    // Replayed, each event shows the session as it was then.
    let mut replay = subscribe(
        &server.url,
        &server.secret_key,
        SESSION_EVENTS,
        json!({"since": "0"}),
    )
    .await;
    let created = next_event(&mut replay, "sessionEvents").await;
    assert_eq!(created["type"], "session.created");
    assert_eq!(created["session"]["status"], "ACTIVE");
    let expired = next_event(&mut replay, "sessionEvents").await;
    assert_eq!(expired["session"]["status"], "EXPIRED");
}

/// A socket subscribed to session events with `secret_key`, acknowledged.
async fn raw_subscriber(url: &str, secret_key: &str) -> Socket {
    subscribed(
        url,
        secret_key,
        "subscription { sessionEvents(since: \"0\") { type session { id } } }",
    )
    .await
}

/// The session id of the next session event on every socket.
async fn next_session(sockets: &mut [Socket]) -> Vec<Value> {
    futures_util::future::join_all(sockets.iter_mut().map(|socket| async {
        let message = tokio::time::timeout(Duration::from_secs(60), socket.next())
            .await
            .expect("every subscriber hears of it")
            .unwrap()
            .unwrap();
        let message: Value = serde_json::from_str(message.to_text().unwrap()).unwrap();
        message["payload"]["data"]["sessionEvents"]["session"]["id"].clone()
    }))
    .await
}

#[tokio::test]
async fn a_thousand_subscribers_on_one_node_all_receive_an_event() {
    const SUBSCRIBERS: usize = 1000;
    let server = TestServer::spawn_with(|config| {
        lift_ip_limits(config);
        config.rate_limits.backend = latchkey_domain::rate_limit::Quota::new(10_000, 10);
    })
    .await;
    let mut sockets = Vec::with_capacity(SUBSCRIBERS);
    for _ in 0..SUBSCRIBERS {
        sockets.push(raw_subscriber(&server.url, &server.secret_key).await);
    }
    let pk = server.publishable_key.clone();
    // A first event reaches everyone (by replay or live): every subscription is now live.
    let (_, first) = signed_up(&server.url, &pk, "jane+latchkey_test@example.com").await;
    let received = next_session(&mut sockets).await;
    assert!(received.iter().all(|id| id == &json!(first)));
    // The second one is fanned out live to all of them.
    let (_, session) = signed_up(&server.url, &pk, "john+latchkey_test@example.com").await;
    let received = next_session(&mut sockets).await;
    assert_eq!(received.len(), SUBSCRIBERS);
    assert!(received.iter().all(|id| id == &json!(session)));
}

#[tokio::test]
async fn two_nodes_on_one_postgresql_share_events_and_revocations() {
    let db = latchkey_tests::TestDb::new().await;
    if !db.is_postgres() {
        // One SQLite file is one node: its bus is in-process (the other tests cover it).
        eprintln!("skipped: two nodes need PostgreSQL (LATCHKEY_TEST_DATABASE_URL)");
        return;
    }
    let a = process::serve(crate::BIN, db.dir.path(), Some(&db.url), &[]).await;
    let secret_key = a.printed_value("Secret key:").expect("printed");
    let publishable_key = a.printed_value("Publishable key:").expect("printed");
    let b = process::serve(crate::BIN, db.dir.path(), Some(&db.url), &[]).await;

    let mut sub = subscribe(&b.url, &secret_key, SESSION_EVENTS, json!({"since": "0"})).await;
    // A sign-up on node A is seen by node B's subscriber.
    let (on_a, session) =
        signed_up(&a.url, &publishable_key, "jane+latchkey_test@example.com").await;
    let created = next_event(&mut sub, "sessionEvents").await;
    assert_eq!(created["session"]["id"], session.as_str());
    // The same client refreshes its token through node B, whose actor now holds the session.
    let mut on_b = Frontend {
        url: b.url.clone(),
        ..on_a
    };
    session_token(&mut on_b, &session).await.data();
    // Revoked through node A: node B's actor hears of it from the event, at once.
    revoke(&a.url, &secret_key, &session).await;
    let revoked = next_event(&mut sub, "sessionEvents").await;
    assert_eq!(revoked["type"], "session.revoked");
    let refused = session_token(&mut on_b, &session).await;
    assert_eq!(refused.code(), "SESSION_NOT_ACTIVE");
    drop(sub);
    let (code, stderr) = b.terminate().await;
    assert_eq!(code, Some(0), "{stderr}");
    let (code, stderr) = a.terminate().await;
    assert_eq!(code, Some(0), "{stderr}");
}
