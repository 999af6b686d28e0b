//! Sessions and session tokens over HTTP: tokens verified by PyJWT from the JWKS URL alone for
//! every algorithm, `verifyToken`'s reasons, rotation, single- and multi-session clients,
//! sign-out, revocation reaching the client at once, expiry and activity with an injected clock.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use latchkey_tests::server::lift_ip_limits;
use latchkey_tests::{Auth, Frontend, TestServer, pyjwt};
use serde_json::{Value, json};

const PASSWORD: &str = "a sturdy passphrase";
const TOKEN: &str = "mutation($s: ID!) { createSessionToken(sessionId: $s) { jwt expiresAt } }";
const VERIFY: &str =
    "mutation($t: String!, $p: [String!]) { verifyToken(token: $t, authorizedParties: $p) {
    isAuthenticated tokenType userId sessionId claims reason } }";
const CLIENT: &str = "{ client { lastActiveSessionId sessions { id status lastActiveAt } } }";

async fn signed_up(server: &TestServer, email: &str) -> (Frontend, String) {
    signed_up_in(server, &server.publishable_key, email).await
}

/// A new client of the instance of `publishable_key` with `email` signed up; gives its session.
async fn signed_up_in(
    server: &TestServer,
    publishable_key: &str,
    email: &str,
) -> (Frontend, String) {
    Frontend::signed_up(&server.url, publishable_key, email, PASSWORD).await
}

async fn token(frontend: &mut Frontend, session: &str) -> String {
    let answer = frontend.gql(TOKEN, json!({"s": session})).await;
    answer.data()["createSessionToken"]["jwt"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn verify(server: &TestServer, token: &str, parties: Option<Vec<&str>>) -> Value {
    let answer = server
        .backend(VERIFY, json!({"t": token, "p": parties}))
        .await;
    answer.data()["verifyToken"].clone()
}

async fn reason(server: &TestServer, token: &str) -> String {
    let verdict = verify(server, token, None).await;
    assert_eq!(verdict["isAuthenticated"], false, "{verdict}");
    verdict["reason"].as_str().unwrap().to_owned()
}

fn issuer(server: &TestServer) -> String {
    format!("{}/i/{}", server.url, server.instance_id)
}

fn jwks_url(server: &TestServer) -> String {
    format!("{}/.well-known/jwks.json", issuer(server))
}

fn header_of(token: &str) -> Value {
    let part = token.split('.').next().unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
}

/// The token with its payload re-encoded after `change` (the signature no longer fits).
fn with_claims(token: &str, change: impl Fn(&mut Value)) -> String {
    let parts: Vec<&str> = token.split('.').collect();
    let mut claims: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
    change(&mut claims);
    let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims).unwrap());
    format!("{}.{payload}.{}", parts[0], parts[2])
}

#[tokio::test]
async fn tokens_of_every_algorithm_verify_with_pyjwt_from_the_jwks_url_alone() {
    let server = TestServer::spawn_with(lift_ip_limits).await;
    let (mut frontend, session) = signed_up(&server, "jane+latchkey_test@example.com").await;
    for (setting, alg) in [("ES256", "ES256"), ("EDDSA", "EdDSA"), ("RS256", "RS256")] {
        server
            .backend(
                &format!("mutation {{ updateInstanceSettings(input: {{tokens: {{algorithm: {setting}}}}}) {{ id }} }}"),
                json!({}),
            )
            .await
            .data();
        let jwt = token(&mut frontend, &session).await;
        assert_eq!(header_of(&jwt)["alg"], alg);
        let (verified_alg, claims) = pyjwt::verify(&jwks_url(&server), &jwt, &issuer(&server))
            .await
            .unwrap_or_else(|err| panic!("PyJWT refused the {alg} token: {err}"));
        assert_eq!(verified_alg, alg);
        assert_eq!(claims["sid"], session);
        assert_eq!(claims["iss"], issuer(&server));
        assert_eq!(claims["v"], 2);
        assert!(claims["sub"].as_str().unwrap().starts_with("user_"));
        assert_eq!(
            claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
            60
        );
        assert!(claims["jti"].as_str().is_some_and(|j| j.len() >= 16));
        // Latchkey's own check agrees.
        assert_eq!(verify(&server, &jwt, None).await["isAuthenticated"], true);
    }
    // PyJWT refuses a tampered token.
    let jwt = token(&mut frontend, &session).await;
    let tampered = with_claims(&jwt, |c| c["sub"] = json!("user_someone_else"));
    assert!(
        pyjwt::verify(&jwks_url(&server), &tampered, &issuer(&server))
            .await
            .is_err()
    );
}

#[tokio::test]
async fn verify_token_names_why_a_token_is_refused() {
    let (server, clock) = TestServer::spawn_with_clock(lift_ip_limits).await;
    let (mut frontend, session) = signed_up(&server, "jane+latchkey_test@example.com").await;
    let jwt = token(&mut frontend, &session).await;
    let valid = verify(&server, &jwt, None).await;
    assert_eq!(valid["isAuthenticated"], true);
    assert_eq!(valid["tokenType"], "SESSION_TOKEN");
    assert_eq!(valid["sessionId"], session);
    assert_eq!(valid["claims"]["sid"], session);

    // Tampered claims, a signature of another token, `alg: none`, an HS256 token, a kid that is
    // not the instance's.
    let tampered = with_claims(&jwt, |c| c["sub"] = json!("user_x"));
    assert_eq!(reason(&server, &tampered).await, "token-invalid-signature");
    let parts: Vec<&str> = jwt.split('.').collect();
    let kid = header_of(&jwt)["kid"].as_str().unwrap().to_owned();
    let none_header =
        URL_SAFE_NO_PAD.encode(format!(r#"{{"alg":"none","typ":"JWT","kid":"{kid}"}}"#));
    let unsigned = format!("{none_header}.{}.", parts[1]);
    assert_eq!(reason(&server, &unsigned).await, "token-malformed");
    let hs_header =
        URL_SAFE_NO_PAD.encode(format!(r#"{{"alg":"HS256","typ":"JWT","kid":"{kid}"}}"#));
    let hs = format!("{hs_header}.{}.{}", parts[1], parts[2]);
    assert_eq!(reason(&server, &hs).await, "token-invalid-signature");
    let other_kid = URL_SAFE_NO_PAD.encode(br#"{"alg":"ES256","typ":"JWT","kid":"key_unknown"}"#);
    let wrong_kid = format!("{other_kid}.{}.{}", parts[1], parts[2]);
    assert_eq!(reason(&server, &wrong_kid).await, "token-invalid-signature");

    // Garbage and a token of a megabyte are malformed.
    assert_eq!(reason(&server, "not a token").await, "token-malformed");
    let huge = format!("{}.{}.{}", parts[0], "A".repeat(900 * 1024), parts[2]);
    assert_eq!(reason(&server, &huge).await, "token-malformed");

    // `azp`: required when authorized parties are given (this token was asked for without an
    // Origin, so it has none).
    let verdict = verify(&server, &jwt, Some(vec!["https://app.example"])).await;
    assert_eq!(verdict["reason"], "token-invalid-azp");
    // Asked for from an origin the instance allows, the token names it in `azp`.
    server
        .backend(
            "mutation { updateInstanceSettings(input: {allowedOrigins: [\"https://app.example\"]}) { id } }",
            json!({}),
        )
        .await
        .data();
    let answer: Value = reqwest::Client::new()
        .post(format!("{}/graphql", server.url))
        .header("Origin", "https://app.example")
        .header("Latchkey-Publishable-Key", &server.publishable_key)
        .header("Latchkey-Client", frontend.token.clone().unwrap())
        .json(&json!({"query": TOKEN, "variables": {"s": session}}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let with_azp = answer["data"]["createSessionToken"]["jwt"]
        .as_str()
        .unwrap()
        .to_owned();
    let verdict = verify(&server, &with_azp, Some(vec!["https://app.example"])).await;
    assert_eq!(verdict["isAuthenticated"], true, "{verdict}");
    assert_eq!(verdict["claims"]["azp"], "https://app.example");
    let verdict = verify(&server, &with_azp, Some(vec!["https://other.example"])).await;
    assert_eq!(verdict["reason"], "token-invalid-azp");

    // Another instance's token: its issuer is not this instance's.
    let other_pk = server.create_instance("Other", "DEVELOPMENT").await;
    let (mut other, other_session) =
        signed_up_in(&server, &other_pk, "joe+latchkey_test@example.com").await;
    let foreign = token(&mut other, &other_session).await;
    assert_eq!(reason(&server, &foreign).await, "token-invalid-issuer");

    // Time: 61 s later it has expired (5 s of skew allowed); a token from the future is not
    // active yet.
    clock.advance(chrono::Duration::seconds(66));
    assert_eq!(reason(&server, &jwt).await, "token-expired");
    let fresh = token(&mut frontend, &session).await;
    clock.advance(chrono::Duration::seconds(-30));
    assert_eq!(reason(&server, &fresh).await, "token-not-active-yet");
    clock.advance(chrono::Duration::seconds(30));
    assert_eq!(verify(&server, &fresh, None).await["isAuthenticated"], true);

    // A revoked session's token fails before it expires, and the client gets no new one.
    server
        .backend(
            "mutation($s: ID!) { revokeSession(id: $s) { status } }",
            json!({"s": session}),
        )
        .await
        .data();
    assert_eq!(reason(&server, &fresh).await, "session-not-active");
    let refused = frontend.gql(TOKEN, json!({"s": session})).await;
    assert_eq!(refused.code(), "SESSION_NOT_ACTIVE");
}

#[tokio::test]
async fn a_rotated_key_stays_published_until_its_tokens_expire() {
    let (server, clock) = TestServer::spawn_with_clock(lift_ip_limits).await;
    let (mut frontend, session) = signed_up(&server, "jane+latchkey_test@example.com").await;
    let before = token(&mut frontend, &session).await;
    let old_kid = header_of(&before)["kid"].as_str().unwrap().to_owned();
    let rotated = server
        .backend("mutation { rotateSigningKey { kid } }", json!({}))
        .await;
    let new_kid = rotated.data()["rotateSigningKey"]["kid"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ne!(new_kid, old_kid);
    let after = token(&mut frontend, &session).await;
    assert_eq!(header_of(&after)["kid"], new_kid);
    assert_eq!(
        published_kids(&server).await,
        [new_kid.clone(), old_kid.clone()]
    );
    for jwt in [&before, &after] {
        assert_eq!(verify(&server, jwt, None).await["isAuthenticated"], true);
        pyjwt::verify(&jwks_url(&server), jwt, &issuer(&server))
            .await
            .unwrap();
    }
    // Once every token the old key signed has expired (60 s, 5 s of skew, 30 s for other nodes
    // to read the keys again), it is no longer published.
    clock.advance(chrono::Duration::seconds(95));
    assert_eq!(published_kids(&server).await, [new_kid.clone(), old_kid]);
    clock.advance(chrono::Duration::seconds(2));
    assert_eq!(published_kids(&server).await, [new_kid]);
}

async fn published_kids(server: &TestServer) -> Vec<String> {
    let jwks: Value = reqwest::get(jwks_url(server))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn discovery_names_the_issuer_and_its_keys() {
    let server = TestServer::spawn().await;
    let response = reqwest::get(format!(
        "{}/.well-known/openid-configuration",
        issuer(&server)
    ))
    .await
    .unwrap();
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("max-age")
    );
    let document: Value = response.json().await.unwrap();
    assert_eq!(document["issuer"], issuer(&server));
    assert_eq!(document["jwks_uri"], jwks_url(&server));
    let jwks: Value = reqwest::get(jwks_url(&server))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let key = &jwks["keys"][0];
    assert_eq!(key["kty"], "EC");
    assert_eq!(key["alg"], "ES256");
    assert!(key.get("d").is_none(), "no private part is ever published");
    let missing = reqwest::get(format!("{}/i/ins_nope/.well-known/jwks.json", server.url))
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
}

/// Signs `identifier` in with `PASSWORD` on the frontend's client; gives the new session.
async fn sign_in(frontend: &mut Frontend, identifier: &str) -> String {
    let answer = frontend
        .gql(
            "mutation($i: SignInInput!) { createSignIn(input: $i) { createdSessionId } }",
            json!({"i": {"identifier": identifier, "password": PASSWORD}}),
        )
        .await;
    answer.data()["createSignIn"]["createdSessionId"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// The statuses of a client's sessions, oldest first.
fn statuses(client: &Value) -> Vec<String> {
    client["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["status"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn one_session_per_client_unless_multi_session_is_on() {
    let server = TestServer::spawn_with(lift_ip_limits).await;
    let (mut frontend, first) = signed_up(&server, "jane+latchkey_test@example.com").await;
    // Single-session mode: signing in again on the client ends the session it had.
    let second = sign_in(&mut frontend, "jane+latchkey_test@example.com").await;
    let client = frontend.gql(CLIENT, json!({})).await;
    let sessions = client.data()["client"]["sessions"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(sessions[0]["id"], first);
    assert_eq!(sessions[0]["status"], "ENDED");
    assert_eq!(sessions[1]["status"], "ACTIVE");
    assert_eq!(client.data()["client"]["lastActiveSessionId"], second);
    assert_eq!(
        frontend.gql(TOKEN, json!({"s": first})).await.code(),
        "SESSION_NOT_ACTIVE"
    );

    // Multi-session mode: a second user signs in beside the first.
    server
        .backend(
            "mutation { updateInstanceSettings(input: {sessions: {multiSession: true}}) { id } }",
            json!({}),
        )
        .await
        .data();
    let (mut other, other_session) = signed_up(&server, "joe+latchkey_test@example.com").await;
    let third = sign_in(&mut frontend, "joe+latchkey_test@example.com").await;
    let client = frontend.gql(CLIENT, json!({})).await;
    assert_eq!(
        statuses(&client.data()["client"]),
        ["ENDED", "ACTIVE", "ACTIVE"]
    );
    assert_eq!(client.data()["client"]["lastActiveSessionId"], third);

    // setActiveSession switches; an ended session cannot be made active.
    let set = frontend
        .gql(
            "mutation($s: ID!) { setActiveSession(sessionId: $s) { lastActiveSessionId } }",
            json!({"s": second}),
        )
        .await;
    assert_eq!(
        set.data()["setActiveSession"]["lastActiveSessionId"],
        second
    );
    let refused = frontend
        .gql(
            "mutation($s: ID!) { setActiveSession(sessionId: $s) { id } }",
            json!({"s": first}),
        )
        .await;
    assert_eq!(refused.code(), "SESSION_NOT_ACTIVE");

    // Both active sessions issue tokens; another client's session is not found here.
    token(&mut frontend, &second).await;
    token(&mut frontend, &third).await;
    token(&mut other, &other_session).await;
    assert_eq!(
        frontend
            .gql(TOKEN, json!({"s": other_session}))
            .await
            .code(),
        "NOT_FOUND"
    );

    // Signing out of the active session moves the client to the other; signing out of all ends
    // every session.
    let out = frontend
        .gql("mutation($s: ID!) { signOut(sessionId: $s) { lastActiveSessionId sessions { status } } }", json!({"s": second}))
        .await;
    assert_eq!(out.data()["signOut"]["lastActiveSessionId"], third);
    let out = frontend
        .gql(
            "mutation { signOut { lastActiveSessionId sessions { status } } }",
            json!({}),
        )
        .await;
    assert_eq!(out.data()["signOut"]["lastActiveSessionId"], Value::Null);
    assert_eq!(
        statuses(&out.data()["signOut"]),
        ["ENDED", "ENDED", "ENDED"]
    );
    assert_eq!(
        frontend.gql(TOKEN, json!({"s": third})).await.code(),
        "SESSION_NOT_ACTIVE"
    );
    let again = frontend
        .gql(
            "mutation($s: ID!) { signOut(sessionId: $s) { id } }",
            json!({"s": third}),
        )
        .await;
    assert_eq!(again.code(), "SESSION_NOT_ACTIVE");

    // A removed session is no longer listed on the client.
    let fourth = sign_in(&mut frontend, "jane+latchkey_test@example.com").await;
    let removed = frontend
        .gql(
            "mutation($s: ID!) { signOut(sessionId: $s, remove: true) { sessions { id status } } }",
            json!({"s": fourth}),
        )
        .await;
    assert_eq!(
        statuses(&removed.data()["signOut"]),
        ["ENDED", "ENDED", "ENDED"]
    );
    let stored = server
        .db
        .scalar(&format!(
            "SELECT status FROM sessions WHERE id = '{fourth}'"
        ))
        .await;
    assert_eq!(stored.as_deref(), Some("removed"));
    // A removed session gets no token; removing it again finds nothing to remove; an ended
    // session can be removed too.
    assert_eq!(
        frontend.gql(TOKEN, json!({"s": fourth})).await.code(),
        "SESSION_NOT_ACTIVE"
    );
    const REMOVE: &str =
        "mutation($s: ID!) { signOut(sessionId: $s, remove: true) { sessions { id status } } }";
    let again = frontend.gql(REMOVE, json!({"s": fourth})).await;
    assert_eq!(again.code(), "NOT_FOUND");
    let ended = frontend.gql(REMOVE, json!({"s": third})).await;
    assert_eq!(statuses(&ended.data()["signOut"]), ["ENDED", "ENDED"]);
}

#[tokio::test]
async fn sessions_expire_and_record_activity_once_a_minute_written_behind() {
    let (server, clock) = TestServer::spawn_with_clock(lift_ip_limits).await;
    server
        .backend(
            "mutation { updateInstanceSettings(input: {sessions: {inactivityTimeoutSeconds: 3600}}) { id } }",
            json!({}),
        )
        .await
        .data();
    let (mut frontend, session) = signed_up(&server, "jane+latchkey_test@example.com").await;
    let user = user_of(&server, &session).await;
    let stored = |table: &'static str, id: String| {
        let server = &server;
        async move {
            server
                .db
                .scalar(&format!(
                    "SELECT CAST(last_active_at AS TEXT) FROM {table} WHERE id = '{id}'"
                ))
                .await
        }
    };
    let at_start = stored("sessions", session.clone()).await;
    let user_at_start = stored("users", user.clone()).await;
    clock.advance(chrono::Duration::seconds(30));
    token(&mut frontend, &session).await;
    assert_eq!(
        server.flush_activity().await,
        0,
        "recorded at most once a minute"
    );
    assert_eq!(stored("sessions", session.clone()).await, at_start);
    clock.advance(chrono::Duration::seconds(31));
    token(&mut frontend, &session).await;
    assert_eq!(
        stored("sessions", session.clone()).await,
        at_start,
        "no refresh writes: the activity waits for the flush"
    );
    assert_eq!(server.flush_activity().await, 1);
    assert_ne!(stored("sessions", session.clone()).await, at_start);
    assert_ne!(
        stored("users", user.clone()).await,
        user_at_start,
        "the user's lastActiveAt follows"
    );
    // Activity pushed the inactivity expiry: 59 minutes later the session still works…
    clock.advance(chrono::Duration::minutes(59));
    token(&mut frontend, &session).await;
    server.flush_activity().await;
    // …and an hour of silence expires it.
    clock.advance(chrono::Duration::minutes(61));
    assert_eq!(
        frontend.gql(TOKEN, json!({"s": session})).await.code(),
        "SESSION_NOT_ACTIVE"
    );
    let listed = server
        .backend(
            "query($u: ID!) { sessions(userId: $u, status: EXPIRED) { id status } }",
            json!({"u": user}),
        )
        .await;
    assert_eq!(listed.data()["sessions"][0]["id"], session);
    assert_eq!(listed.data()["sessions"][0]["status"], "EXPIRED");
}

#[tokio::test]
async fn a_flush_moves_times_forward_and_never_revives_a_session() {
    let (server, clock) = TestServer::spawn_with_clock(|config| {
        lift_ip_limits(config);
    })
    .await;
    server
        .backend(
            "mutation { updateInstanceSettings(input: {sessions: {multiSession: true}}) { id } }",
            json!({}),
        )
        .await
        .data();
    let (mut frontend, kept) = signed_up(&server, "kept+latchkey_test@example.com").await;
    let revoked = sign_in(&mut frontend, "kept+latchkey_test@example.com").await;
    clock.advance(chrono::Duration::seconds(90));
    token(&mut frontend, &kept).await;
    token(&mut frontend, &revoked).await;
    // Revoked before the flush: its pending activity must not bring it back.
    server
        .backend(
            "mutation($s: ID!) { revokeSession(id: $s) { id } }",
            json!({"s": revoked}),
        )
        .await
        .data();
    let stored = |id: String| {
        let server = &server;
        async move {
            server
                .db
                .scalar(&format!(
                    "SELECT status || ' ' || CAST(last_active_at AS TEXT) FROM sessions WHERE id = '{id}'"
                ))
                .await
                .unwrap()
        }
    };
    let revoked_before = stored(revoked.clone()).await;
    let kept_before = stored(kept.clone()).await;
    assert_eq!(
        server.flush_activity().await,
        1,
        "only the active session moves"
    );
    assert_eq!(stored(revoked.clone()).await, revoked_before);
    let kept_after = stored(kept.clone()).await;
    assert!(kept_after.starts_with("active "), "{kept_after}");
    assert_ne!(kept_after, kept_before);
    // A later flush of an earlier time moves nothing back.
    assert_eq!(server.flush_activity().await, 0);
    assert_eq!(stored(kept.clone()).await, kept_after);
}

async fn user_of(server: &TestServer, session: &str) -> String {
    server
        .db
        .scalar(&format!(
            "SELECT user_id FROM sessions WHERE id = '{session}'"
        ))
        .await
        .unwrap()
}

#[tokio::test]
async fn a_session_token_is_a_signed_in_users_credential() {
    let server = TestServer::spawn_with(lift_ip_limits).await;
    let (mut frontend, session) = signed_up(&server, "jane+latchkey_test@example.com").await;
    let jwt = token(&mut frontend, &session).await;
    let me = server
        .gql(
            Auth::Bearer(&jwt),
            "{ me { id primaryEmailAddress { emailAddress } } }",
            json!({}),
        )
        .await;
    assert_eq!(me.data()["me"]["id"], user_of(&server, &session).await);
    // A session token is not a secret key.
    let forbidden = server
        .gql(Auth::Bearer(&jwt), "{ instance { id } }", json!({}))
        .await;
    assert_eq!(forbidden.code(), "FORBIDDEN");
    // Listed for the backend; revoked, it stops working at once.
    let listed = server
        .backend(
            "query($u: ID!) { sessions(userId: $u) { id status } }",
            json!({"u": user_of(&server, &session).await}),
        )
        .await;
    assert_eq!(listed.data()["sessions"][0]["status"], "ACTIVE");
    let revoked = server
        .backend(
            "mutation($s: ID!) { revokeSession(id: $s) { status } }",
            json!({"s": session}),
        )
        .await;
    assert_eq!(revoked.data()["revokeSession"]["status"], "REVOKED");
    let refused = server
        .gql(Auth::Bearer(&jwt), "{ me { id } }", json!({}))
        .await;
    assert_eq!(refused.code(), "UNAUTHENTICATED");
    // A tampered token is no credential either.
    let tampered = with_claims(&jwt, |c| c["sid"] = json!("sess_other"));
    let refused = server
        .gql(Auth::Bearer(&tampered), "{ me { id } }", json!({}))
        .await;
    assert_eq!(refused.code(), "UNAUTHENTICATED");
}

#[tokio::test]
async fn private_signing_keys_open_only_with_the_master_key() {
    let server = TestServer::spawn_with(lift_ip_limits).await;
    let (mut frontend, session) = signed_up(&server, "jane+latchkey_test@example.com").await;
    token(&mut frontend, &session).await;
    let db = server.stop().await;
    latchkey_tests::db::write_master_key(&db.dir.path().join("another.key"));
    // The same database with another master key: the server refuses to start, and says why.
    let (code, _, err) = latchkey_tests::process::run(
        crate::BIN,
        db.dir.path(),
        Some(&db.url),
        &["--master-key-file", "another.key", "instance", "list"],
    )
    .await;
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("does not open the signing keys"), "{err}");
    // With the key they were sealed with, it starts.
    let (code, out, err) = latchkey_tests::process::run(
        crate::BIN,
        db.dir.path(),
        Some(&db.url),
        &["instance", "list"],
    )
    .await;
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("Development"), "{out}");
}

#[tokio::test]
async fn jwt_templates_shape_tokens_and_refuse_bad_shortcodes() {
    let server = TestServer::spawn_with(lift_ip_limits).await;
    let mut frontend = Frontend::new(&server.url, &server.publishable_key);
    frontend
        .gql(
            "mutation($e: String!, $p: String!) { createSignUp(input: {emailAddress: $e, password: $p, firstName: \"Jane\", lastName: \"Doe\", unsafeMetadata: {team: {name: \"blue\", size: 3}}}) { id } }",
            json!({"e": "jane+latchkey_test@example.com", "p": PASSWORD}),
        )
        .await
        .data();
    frontend
        .gql(
            "mutation { prepareSignUpVerification(strategy: EMAIL_CODE) { id } }",
            json!({}),
        )
        .await
        .data();
    let done = frontend
        .gql("mutation { attemptSignUpVerification(code: \"424242\") { createdSessionId createdUserId } }", json!({}))
        .await;
    let session = done.data()["attemptSignUpVerification"]["createdSessionId"]
        .as_str()
        .unwrap()
        .to_owned();
    let user = done.data()["attemptSignUpVerification"]["createdUserId"]
        .as_str()
        .unwrap()
        .to_owned();

    const CREATE: &str = "mutation($name: String!, $claims: JSON!, $lifetime: Int) { createJwtTemplate(name: $name, claims: $claims, lifetime: $lifetime) { id name lifetime allowedClockSkew claims } }";
    let claims = json!({
        "name": "{{user.full_name}}",
        "email": "{{user.primary_email_address}}",
        "verified": "{{user.email_verified}}",
        "plan": "{{user.public_metadata.plan || 'free'}}",
        "team": "{{user.unsafe_metadata.team}}",
        "greeting": "hello {{user.first_name}} of {{user.unsafe_metadata.team.name}}",
        "nested": {"session": "{{session.id}}", "list": ["{{user.unsafe_metadata.team.size}}", "{{org.id}}"]}
    });
    let created = server
        .backend(
            CREATE,
            json!({"name": "hasura", "claims": claims, "lifetime": 300}),
        )
        .await;
    let template = &created.data()["createJwtTemplate"];
    assert_eq!(template["lifetime"], 300);
    assert_eq!(template["allowedClockSkew"], 5);

    let answer = frontend
        .gql(
            "mutation($s: ID!) { createSessionToken(sessionId: $s, template: \"hasura\") { jwt expiresAt } }",
            json!({"s": session}),
        )
        .await;
    let jwt = answer.data()["createSessionToken"]["jwt"]
        .as_str()
        .unwrap()
        .to_owned();
    let (_, claims) = pyjwt::verify(&jwks_url(&server), &jwt, &issuer(&server))
        .await
        .unwrap();
    assert_eq!(claims["sub"], user);
    assert_eq!(claims["name"], "Jane Doe");
    assert_eq!(claims["email"], "jane+latchkey_test@example.com");
    assert_eq!(claims["verified"], true);
    assert_eq!(claims["plan"], "free");
    assert_eq!(claims["team"], json!({"name": "blue", "size": 3}));
    assert_eq!(claims["greeting"], "hello Jane of blue");
    assert_eq!(
        claims["nested"],
        json!({"session": session, "list": [3, null]})
    );
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        300
    );
    assert_eq!(
        claims["iat"].as_i64().unwrap() - claims["nbf"].as_i64().unwrap(),
        5
    );
    // A template token is not a session token.
    assert_eq!(reason(&server, &jwt).await, "token-malformed");

    // Bad templates are refused with where the problem is; names are unique.
    let refused = server
        .backend(
            CREATE,
            json!({"name": "bad", "claims": {"a": "x {{user.id"}}),
        )
        .await;
    assert_eq!(refused.code(), "VALIDATION_FAILED");
    assert!(
        refused.body.to_string().contains("position 2"),
        "{}",
        refused.body
    );
    let reserved = server
        .backend(
            CREATE,
            json!({"name": "bad", "claims": {"v": 2, "sid": "{{session.id}}"}}),
        )
        .await;
    assert_eq!(reserved.code(), "VALIDATION_FAILED");
    let unknown_root = server
        .backend(
            CREATE,
            json!({"name": "bad", "claims": {"a": "{{account.id}}"}}),
        )
        .await;
    assert_eq!(unknown_root.code(), "VALIDATION_FAILED");
    let taken = server
        .backend(CREATE, json!({"name": "hasura", "claims": {}}))
        .await;
    assert_eq!(taken.code(), "IDENTIFIER_EXISTS");
    for (name, lifetime) in [
        ("short", 29),
        ("long", 86_401),
        ("negative", -1),
        ("bad name", 60),
    ] {
        let refused = server
            .backend(
                CREATE,
                json!({"name": name, "claims": {}, "lifetime": lifetime}),
            )
            .await;
        assert_eq!(refused.code(), "VALIDATION_FAILED", "{name} {lifetime}");
    }

    // Update, list, delete; a deleted template gives no token.
    let id = template["id"].as_str().unwrap();
    let updated = server
        .backend(
            "mutation($id: ID!) { updateJwtTemplate(id: $id, lifetime: 60) { lifetime name } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(updated.data()["updateJwtTemplate"]["lifetime"], 60);
    let listed = server.backend("{ jwtTemplates { name } }", json!({})).await;
    assert_eq!(listed.data()["jwtTemplates"], json!([{"name": "hasura"}]));
    server
        .backend(
            "mutation($id: ID!) { deleteJwtTemplate(id: $id) { id } }",
            json!({"id": id}),
        )
        .await
        .data();
    let gone = frontend
        .gql(
            "mutation($s: ID!) { createSessionToken(sessionId: $s, template: \"hasura\") { jwt } }",
            json!({"s": session}),
        )
        .await;
    assert_eq!(gone.code(), "NOT_FOUND");
}

#[tokio::test]
async fn the_verify_crate_checks_latchkeys_tokens_from_the_jwks_alone() {
    let server = TestServer::spawn_with(lift_ip_limits).await;
    let (mut frontend, session) = signed_up(&server, "jane+latchkey_test@example.com").await;
    let verifier = latchkey_verify::Verifier::new(issuer(&server));
    let jwt = token(&mut frontend, &session).await;
    let claims = verifier.verify(&jwt).await.unwrap();
    assert_eq!(claims.sid, session);
    // After a rotation the unknown kid makes it fetch the keys again.
    server
        .backend("mutation { rotateSigningKey { kid } }", json!({}))
        .await
        .data();
    let rotated = token(&mut frontend, &session).await;
    assert_eq!(verifier.verify(&rotated).await.unwrap().sid, session);
    let tampered = with_claims(&rotated, |c| c["sub"] = json!("user_x"));
    assert_eq!(
        verifier.verify(&tampered).await.unwrap_err().reason(),
        "token-invalid-signature"
    );
    let other = latchkey_verify::Verifier::new(format!("{}/i/ins_other", server.url));
    assert_eq!(
        other.verify(&jwt).await.unwrap_err().reason(),
        "token-invalid-issuer"
    );
}

#[tokio::test]
async fn api_keys_are_shown_once_stored_hashed_and_verified_until_revoked_or_expired() {
    let (server, clock) = TestServer::spawn_with_clock(lift_ip_limits).await;
    const CREATE: &str = "mutation($s: String!, $e: Int) { createApiKey(name: \"ci\", subject: $s, scopes: [\"read:invoices\"], expiresInSeconds: $e) { secret apiKey { id hint subject scopes expiresAt } } }";
    const CHECK: &str = "mutation($t: String!) { verifyToken(token: $t, acceptsToken: [API_KEY, SESSION_TOKEN]) { isAuthenticated tokenType userId subject scopes reason } }";
    let created = server
        .backend(CREATE, json!({"s": "user_123", "e": 3600}))
        .await;
    let created = &created.data()["createApiKey"];
    let secret = created["secret"].as_str().unwrap().to_owned();
    let id = created["apiKey"]["id"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("ak_") && secret.len() > 40);
    assert!(secret.ends_with(created["apiKey"]["hint"].as_str().unwrap()));
    let stored = server
        .db
        .scalar("SELECT key_hash FROM api_keys")
        .await
        .unwrap();
    assert_eq!(stored, latchkey_domain::secrets::hash_secret(&secret));
    let listed = server
        .backend(
            "{ apiKeys { id name subject scopes hint expiresAt revokedAt createdAt } }",
            json!({}),
        )
        .await;
    assert_eq!(listed.data()["apiKeys"][0]["id"], id.as_str());
    assert!(!listed.body.to_string().contains(&secret));

    let valid = server.backend(CHECK, json!({"t": secret})).await;
    let valid = &valid.data()["verifyToken"];
    assert_eq!(valid["isAuthenticated"], true);
    assert_eq!(valid["tokenType"], "API_KEY");
    assert_eq!(valid["userId"], "user_123");
    assert_eq!(valid["scopes"], json!(["read:invoices"]));
    // By default only session tokens are accepted.
    let verdict = verify(&server, &secret, None).await;
    assert_eq!(verdict["reason"], "token-type-mismatch");
    // Another instance does not know the key.
    let other = server
        .admin("mutation { createInstance(input: {name: \"Other\", environment: DEVELOPMENT}) { secretKey { key } } }", json!({}))
        .await;
    let other_sk = other.data()["createInstance"]["secretKey"]["key"]
        .as_str()
        .unwrap()
        .to_owned();
    let foreign = server
        .gql(Auth::Bearer(&other_sk), CHECK, json!({"t": secret}))
        .await;
    assert_eq!(foreign.data()["verifyToken"]["reason"], "api-key-not-found");
    // Expiry, with the clock moved; then revocation.
    clock.advance(chrono::Duration::seconds(3600));
    let expired = server.backend(CHECK, json!({"t": secret})).await;
    assert_eq!(expired.data()["verifyToken"]["reason"], "token-expired");
    let lasting = server
        .backend(CREATE, json!({"s": "billing-service", "e": null}))
        .await;
    let lasting_secret = lasting.data()["createApiKey"]["secret"]
        .as_str()
        .unwrap()
        .to_owned();
    let lasting_id = lasting.data()["createApiKey"]["apiKey"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let ok = server.backend(CHECK, json!({"t": lasting_secret})).await;
    assert_eq!(ok.data()["verifyToken"]["userId"], Value::Null);
    assert_eq!(ok.data()["verifyToken"]["subject"], "billing-service");
    let revoked = server
        .backend(
            "mutation($id: ID!) { revokeApiKey(id: $id) { revokedAt } }",
            json!({"id": lasting_id}),
        )
        .await;
    assert!(revoked.data()["revokeApiKey"]["revokedAt"].is_string());
    let refused = server.backend(CHECK, json!({"t": lasting_secret})).await;
    assert_eq!(refused.data()["verifyToken"]["reason"], "api-key-revoked");
    // Bad input.
    let bad = server
        .backend(CREATE, json!({"s": "not a subject", "e": null}))
        .await;
    assert_eq!(bad.code(), "VALIDATION_FAILED");
    let bad = server.backend(CREATE, json!({"s": "svc", "e": 5})).await;
    assert_eq!(bad.code(), "VALIDATION_FAILED");
    let missing = server
        .backend(
            "mutation { revokeApiKey(id: \"ak_nope\") { id } }",
            json!({}),
        )
        .await;
    assert_eq!(missing.code(), "NOT_FOUND");
}

#[tokio::test]
async fn a_refresh_right_after_a_sign_out_or_a_revocation_is_refused() {
    let server = TestServer::spawn().await;
    // Refreshes sign on the HTTP worker from what the client's actor published after the first
    // one: a sign-out through the client and a revocation through the backend must both reach
    // the very next refresh.
    let (mut frontend, session) = signed_up(&server, "copied+latchkey_test@example.com").await;
    for _ in 0..3 {
        token(&mut frontend, &session).await;
    }
    frontend
        .gql(
            "mutation($s: ID!) { signOut(sessionId: $s) { id } }",
            json!({"s": session}),
        )
        .await
        .data();
    let refused = frontend.gql(TOKEN, json!({"s": session})).await;
    assert!(
        ["SESSION_NOT_ACTIVE", "NOT_FOUND"].contains(&refused.code()),
        "{}",
        refused.body
    );
    let (mut other, revoked) = signed_up(&server, "revoked+latchkey_test@example.com").await;
    for _ in 0..3 {
        token(&mut other, &revoked).await;
    }
    server
        .backend(
            "mutation($s: ID!) { revokeSession(id: $s) { id } }",
            json!({"s": revoked}),
        )
        .await
        .data();
    let refused = other.gql(TOKEN, json!({"s": revoked})).await;
    assert_eq!(refused.code(), "SESSION_NOT_ACTIVE", "{}", refused.body);
}
