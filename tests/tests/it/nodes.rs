//! Several nodes, one client: a change made to a client through one node reaches the actor that
//! holds the client on another (through the events of its sessions, or a notification where no
//! event records the change), and a session a client's actor does not know is looked up again.
//! The node-to-node tests need PostgreSQL (one SQLite file is one node).

use std::time::{Duration, Instant};

use latchkey_tests::server::lift_ip_limits;
use latchkey_tests::{Frontend, TestServer};
use serde_json::{Value, json};

use super::org_tokens::claims_of;
use super::organizations::create_org;

const PASSWORD: &str = "a sturdy passphrase";
const TOKEN: &str = "mutation($s: ID!) { createSessionToken(sessionId: $s) { jwt } }";
/// How long a test waits for a change to reach another node (the target is under a second).
const DEADLINE: Duration = Duration::from_secs(10);

/// Two nodes on one PostgreSQL database with multi-session on; `None` on SQLite.
async fn two_nodes() -> Option<(TestServer, TestServer)> {
    let a = TestServer::spawn_with(lift_ip_limits).await;
    if !a.db.is_postgres() {
        eprintln!("skipped: two nodes need PostgreSQL (LATCHKEY_TEST_DATABASE_URL)");
        return None;
    }
    a.backend(
        "mutation { updateInstanceSettings(input: {sessions: {multiSession: true}}) { id } }",
        json!({}),
    )
    .await
    .data();
    let b = a.another_node().await;
    Some((a, b))
}

/// The same client, through `node`.
fn through(frontend: &Frontend, node: &TestServer) -> Frontend {
    Frontend {
        url: node.url.clone(),
        ..frontend.clone()
    }
}

/// Asks for a token until `done` says the answer is the one awaited, within the deadline.
async fn eventually(frontend: &mut Frontend, session: &str, done: impl Fn(&Value) -> bool) {
    let start = Instant::now();
    loop {
        let answer = frontend.gql(TOKEN, json!({"s": session})).await;
        if done(&answer.body) {
            return;
        }
        assert!(
            start.elapsed() < DEADLINE,
            "not reached within {DEADLINE:?}: {}",
            answer.body
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or_default()
}

fn jwt(body: &Value) -> Option<&str> {
    body["data"]["createSessionToken"]["jwt"].as_str()
}

#[tokio::test]
async fn a_session_started_through_one_node_gets_tokens_through_another() {
    let Some((a, b)) = two_nodes().await else {
        return;
    };
    let (on_a, first) = Frontend::signed_up(
        &a.url,
        &a.publishable_key,
        "first+latchkey_test@example.com",
        PASSWORD,
    )
    .await;
    let mut on_b = through(&on_a, &b);
    on_b.session_jwt(&first).await;
    // A second person signs in on the same browser, through node A: node B's actor holds the
    // client as it was.
    Frontend::signed_up(
        &a.url,
        &a.publishable_key,
        "second+latchkey_test@example.com",
        PASSWORD,
    )
    .await;
    let mut on_a = on_a;
    let second = on_a
        .gql(
            "mutation($i: SignInInput!) { createSignIn(input: $i) { createdSessionId } }",
            json!({"i": {"identifier": "second+latchkey_test@example.com", "password": PASSWORD}}),
        )
        .await
        .data()["createSignIn"]["createdSessionId"]
        .as_str()
        .unwrap()
        .to_owned();
    eventually(&mut on_b, &second, |body| jwt(body).is_some()).await;
    b.stop().await;
    a.stop().await;
}

#[tokio::test]
async fn the_active_organization_set_through_one_node_is_in_tokens_through_another() {
    let Some((a, b)) = two_nodes().await else {
        return;
    };
    let (mut on_a, session) = Frontend::signed_up(
        &a.url,
        &a.publishable_key,
        "org+latchkey_test@example.com",
        PASSWORD,
    )
    .await;
    let user = claims_of(&on_a.session_jwt(&session).await)["sub"]
        .as_str()
        .unwrap()
        .to_owned();
    let acme = create_org(&a, "Acme", Some(&user)).await;
    let mut on_b = through(&on_a, &b);
    assert!(
        claims_of(&on_b.session_jwt(&session).await)
            .get("o")
            .is_none()
    );
    on_a.gql(
        "mutation($s: ID!, $o: ID) { setActiveSession(sessionId: $s, organizationId: $o) { id } }",
        json!({"s": session, "o": acme}),
    )
    .await
    .data();
    eventually(&mut on_b, &session, |body| {
        jwt(body).is_some_and(|jwt| claims_of(jwt)["o"]["id"] == acme.as_str())
    })
    .await;
    // And cleared again.
    on_a.gql(
        "mutation($s: ID!) { setActiveSession(sessionId: $s, organizationId: null) { id } }",
        json!({"s": session}),
    )
    .await
    .data();
    eventually(&mut on_b, &session, |body| {
        jwt(body).is_some_and(|jwt| claims_of(jwt).get("o").is_none())
    })
    .await;
    b.stop().await;
    a.stop().await;
}

#[tokio::test]
async fn a_sign_out_through_one_node_stops_refreshes_through_another() {
    let Some((a, b)) = two_nodes().await else {
        return;
    };
    let (mut on_a, session) = Frontend::signed_up(
        &a.url,
        &a.publishable_key,
        "out+latchkey_test@example.com",
        PASSWORD,
    )
    .await;
    let mut on_b = through(&on_a, &b);
    on_b.session_jwt(&session).await;
    on_a.gql(
        "mutation($s: ID!) { signOut(sessionId: $s) { id } }",
        json!({"s": session}),
    )
    .await
    .data();
    eventually(&mut on_b, &session, |body| {
        code(body) == "SESSION_NOT_ACTIVE"
    })
    .await;
    b.stop().await;
    a.stop().await;
}

#[tokio::test]
async fn an_unknown_session_reads_the_client_again_at_most_every_few_seconds() {
    // One node: a session written for the client behind its actor's back (as a node that sent
    // no event would) is found once the actor may read the client again.
    let (server, clock) = TestServer::spawn_with_clock(lift_ip_limits).await;
    let mut events = latchkey_tests::subscriber::subscribed(
        &server.url,
        &server.secret_key,
        "subscription { sessionEvents(since: \"0\") { type } }",
    )
    .await;
    // First an event of another client, so that the subscription is live before the sign-up
    // below: the sign-up's event then reaches it through the dispatcher (after the actor was
    // told), never through the replay of `since`, which may run ahead of the dispatcher.
    Frontend::signed_up(
        &server.url,
        &server.publishable_key,
        "warmup+latchkey_test@example.com",
        PASSWORD,
    )
    .await;
    let warmup = tokio::time::timeout(DEADLINE, futures_util::StreamExt::next(&mut events))
        .await
        .expect("the first session's event")
        .unwrap()
        .unwrap();
    assert!(
        warmup.to_text().unwrap().contains("session.created"),
        "{warmup}"
    );
    let (mut frontend, session) = Frontend::signed_up(
        &server.url,
        &server.publishable_key,
        "again+latchkey_test@example.com",
        PASSWORD,
    )
    .await;
    // The sign-up's `session.created` makes the actor read its client again (before any
    // subscriber hears of it): wait for it, so the read below is the last one.
    let created = tokio::time::timeout(DEADLINE, futures_util::StreamExt::next(&mut events))
        .await
        .expect("the session's event")
        .unwrap()
        .unwrap();
    assert!(
        created.to_text().unwrap().contains("session.created"),
        "{created}"
    );
    frontend.session_jwt(&session).await;
    let copied = format!("{session}x");
    server
        .db
        .execute(&format!(
            "INSERT INTO sessions (id, instance_id, client_id, user_id, status, last_active_at, expire_at, abandon_at, last_active_organization_id, created_at, updated_at) \
             SELECT '{copied}', instance_id, client_id, user_id, status, last_active_at, expire_at, abandon_at, last_active_organization_id, created_at, updated_at FROM sessions WHERE id = '{session}'"
        ))
        .await;
    // Read moments ago: not read again, whatever the id.
    for id in [copied.as_str(), "sess_random1", "sess_random2"] {
        let answer = frontend.gql(TOKEN, json!({"s": id})).await;
        assert_eq!(answer.code(), "NOT_FOUND", "{id}: {}", answer.body);
    }
    clock.advance(chrono::Duration::seconds(6));
    let found = frontend.gql(TOKEN, json!({"s": copied})).await;
    assert!(jwt(&found.body).is_some(), "{}", found.body);
    server.stop().await;
}

#[tokio::test]
async fn a_reverification_through_one_node_is_in_tokens_through_another() {
    let (a, clock) = TestServer::spawn_with_clock(lift_ip_limits).await;
    if !a.db.is_postgres() {
        eprintln!("skipped: two nodes need PostgreSQL (LATCHKEY_TEST_DATABASE_URL)");
        return;
    }
    let b = a.another_node().await;
    let (mut on_a, session) = Frontend::signed_up(
        &a.url,
        &a.publishable_key,
        "reverify+latchkey_test@example.com",
        PASSWORD,
    )
    .await;
    clock.advance(chrono::Duration::minutes(20));
    // Node B's actor holds the client: its tokens say the first factor is 20 minutes old.
    let mut on_b = through(&on_a, &b);
    let first_factor_age = |body: &Value| jwt(body).map(|jwt| claims_of(jwt)["fva"][0].clone());
    let answer = on_b.gql(TOKEN, json!({"s": session})).await;
    assert_eq!(
        first_factor_age(&answer.body),
        Some(json!(20)),
        "{}",
        answer.body
    );
    // Reverified through node A.
    let token = on_a.session_jwt(&session).await;
    a.gql(
        latchkey_tests::Auth::Bearer(&token),
        "mutation($p: String) { attemptReverification(strategy: PASSWORD, password: $p) { status } }",
        json!({"p": PASSWORD}),
    )
    .await
    .data();
    eventually(&mut on_b, &session, |body| {
        first_factor_age(body) == Some(json!(0))
    })
    .await;
}
