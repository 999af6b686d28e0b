//! Step-up: each sensitive account change is refused with `REVERIFICATION_REQUIRED` once the
//! session's factors are older than the window, and allowed right after
//! `attemptReverification`; a user with TOTP needs both factors; wrong attempts count against
//! the lockout; `fva` in a fresh token; `me { sessions }` and `revokeMySession`.

use std::sync::Arc;

use latchkey_domain::clock::{Clock, ManualClock};
use latchkey_tests::server::lift_ip_limits;
use latchkey_tests::totp::code_at;
use latchkey_tests::{Auth, Frontend, Response, TestServer};
use serde_json::{Value, json};

const PASSWORD: &str = "a sturdy passphrase";
const EMAIL: &str = "jane+latchkey_test@example.com";
const ATTEMPT: &str = "mutation($s: ReverificationStrategy!, $c: String, $p: String) { attemptReverification(strategy: $s, code: $c, password: $p) { sessionId status firstFactorVerifiedAt secondFactorVerifiedAt completeUntil } }";
const PREPARE: &str =
    "mutation { prepareReverification(strategy: EMAIL_CODE) { status safeIdentifier } }";
const SIGN_IN: &str = "mutation($i: String!, $p: String!) { createSignIn(input: {identifier: $i, password: $p}) { status createdSessionId } }";

/// A server on a manual clock, without the per-IP limits.
async fn server() -> (TestServer, Arc<ManualClock>) {
    TestServer::spawn_with_clock(lift_ip_limits).await
}

/// One signed-in session: its client and id, and a token fresh at the server's time.
struct Signed {
    frontend: Frontend,
    session: String,
}

impl Signed {
    async fn up(server: &TestServer, email: &str) -> Self {
        let (frontend, session) =
            Frontend::signed_up(&server.url, &server.publishable_key, email, PASSWORD).await;
        Self { frontend, session }
    }

    /// Runs `query` with a session token fresh now.
    async fn run(&mut self, server: &TestServer, query: &str, variables: Value) -> Response {
        let jwt = self.frontend.session_jwt(&self.session).await;
        server.gql(Auth::Bearer(&jwt), query, variables).await
    }

    async fn reverify(&mut self, server: &TestServer, strategy: &str, secret: &str) -> Value {
        let variables = if strategy == "PASSWORD" {
            json!({"s": strategy, "p": secret})
        } else {
            json!({"s": strategy, "c": secret})
        };
        self.run(server, ATTEMPT, variables).await.data()["attemptReverification"].clone()
    }

    /// The `fva` claim of a token fresh now, checked by `latchkey-verify` at the server's time.
    async fn fva(&mut self, server: &TestServer, clock: &ManualClock) -> [i64; 2] {
        let jwt = self.frontend.session_jwt(&self.session).await;
        let verifier =
            latchkey_verify::Verifier::new(format!("{}/i/{}", server.url, server.instance_id));
        let claims = verifier
            .verify_at(&jwt, clock.now().timestamp())
            .await
            .expect("a valid session token");
        claims.fva.expect("a session token carries fva")
    }
}

/// Past the default window of ten minutes.
fn stale(clock: &ManualClock) {
    clock.advance(chrono::Duration::minutes(11));
}

/// `query` is refused while the session is stale, and runs after a reverification by password.
async fn guarded(
    server: &TestServer,
    clock: &ManualClock,
    user: &mut Signed,
    query: &str,
    variables: Value,
) -> Response {
    stale(clock);
    let refused = user.run(server, query, variables.clone()).await;
    assert_eq!(refused.code(), "REVERIFICATION_REQUIRED", "{query}");
    let done = user.reverify(server, "PASSWORD", PASSWORD).await;
    assert_eq!(done["status"], "COMPLETE");
    user.run(server, query, variables).await
}

#[tokio::test]
async fn account_changes_need_a_recent_first_factor() {
    let (server, clock) = server().await;
    server
        .update_settings("users: {deleteSelfEnabled: true}")
        .await;
    let mut jane = Signed::up(&server, EMAIL).await;
    let first_id = jane
        .run(&server, "{ me { primaryEmailAddressId } }", json!({}))
        .await
        .data()["me"]["primaryEmailAddressId"]
        .clone();
    // Fresh from sign-up, a change needs nothing more.
    let fresh = jane
        .run(
            &server,
            "mutation { createEmailAddress(emailAddress: \"early+latchkey_test@example.com\") { id } }",
            json!({}),
        )
        .await;
    fresh.data();

    let added = guarded(
        &server,
        &clock,
        &mut jane,
        "mutation($e: String!) { createEmailAddress(emailAddress: $e) { id } }",
        json!({"e": "second+latchkey_test@example.com"}),
    )
    .await;
    let second = added.data()["createEmailAddress"]["id"].clone();
    for query in [
        "mutation($id: ID!) { prepareEmailAddressVerification(emailAddressId: $id) { id } }",
        "mutation($id: ID!) { attemptEmailAddressVerification(emailAddressId: $id, code: \"424242\") { id } }",
    ] {
        // Verifying an address needs no reverification: its code proves it.
        jane.run(&server, query, json!({"id": second})).await.data();
    }

    // An email code reverifies too: prepared to the primary address (a test address: 424242).
    stale(&clock);
    const PRIMARY: &str = "mutation($id: ID!) { setPrimaryEmailAddress(emailAddressId: $id) { primaryEmailAddressId } }";
    let refused = jane.run(&server, PRIMARY, json!({"id": second})).await;
    assert_eq!(refused.code(), "REVERIFICATION_REQUIRED");
    let early = jane
        .run(&server, ATTEMPT, json!({"s": "EMAIL_CODE", "c": "424242"}))
        .await;
    assert_eq!(early.code(), "VALIDATION_FAILED", "no code was prepared");
    let prepared = jane.run(&server, PREPARE, json!({})).await;
    assert_eq!(
        prepared.data()["prepareReverification"],
        json!({"status": "NEEDS_FIRST_FACTOR", "safeIdentifier": "j***@example.com"})
    );
    let done = jane.reverify(&server, "EMAIL_CODE", "424242").await;
    assert_eq!(done["status"], "COMPLETE");
    assert_eq!(done["sessionId"], jane.session.as_str());
    let used = jane
        .run(&server, ATTEMPT, json!({"s": "EMAIL_CODE", "c": "424242"}))
        .await;
    assert_eq!(used.code(), "VALIDATION_FAILED", "a code works once");
    let primary = jane.run(&server, PRIMARY, json!({"id": second})).await;
    assert_eq!(
        primary.data()["setPrimaryEmailAddress"]["primaryEmailAddressId"],
        second
    );

    let deleted = guarded(
        &server,
        &clock,
        &mut jane,
        "mutation($id: ID!) { deleteEmailAddress(emailAddressId: $id) { deleted } }",
        json!({"id": first_id}),
    )
    .await;
    assert_eq!(deleted.data()["deleteEmailAddress"]["deleted"], true);

    // A user with a password changes it with the current one, however old the session.
    stale(&clock);
    let changed = jane
        .run(
            &server,
            "mutation($c: String, $n: String!) { updatePassword(currentPassword: $c, newPassword: $n) { passwordEnabled } }",
            json!({"c": PASSWORD, "n": "an even sturdier passphrase"}),
        )
        .await;
    assert_eq!(changed.data()["updatePassword"]["passwordEnabled"], true);
    let old_password = jane
        .run(&server, ATTEMPT, json!({"s": "PASSWORD", "p": PASSWORD}))
        .await;
    assert_eq!(old_password.code(), "INVALID_CREDENTIALS");
    let done = jane
        .reverify(&server, "PASSWORD", "an even sturdier passphrase")
        .await;
    assert_eq!(done["status"], "COMPLETE");

    stale(&clock);
    let refused = jane
        .run(&server, "mutation { deleteMe { deleted } }", json!({}))
        .await;
    assert_eq!(refused.code(), "REVERIFICATION_REQUIRED");
    jane.reverify(&server, "PASSWORD", "an even sturdier passphrase")
        .await;
    let gone = jane
        .run(&server, "mutation { deleteMe { deleted } }", json!({}))
        .await;
    assert_eq!(gone.data()["deleteMe"]["deleted"], true);
}

#[tokio::test]
async fn a_user_without_a_password_sets_one_after_an_email_code() {
    let (server, clock) = server().await;
    const PAT: &str = "pat+latchkey_test@example.com";
    server
        .backend(
            "mutation($i: CreateUserInput!) { createUser(input: $i) { id } }",
            json!({"i": {"emailAddresses": [PAT]}}),
        )
        .await
        .data();
    let mut frontend = Frontend::new(&server.url, &server.publishable_key);
    frontend
        .gql(
            "mutation($i: String!) { createSignIn(input: {identifier: $i, strategy: EMAIL_CODE}) { status } }",
            json!({"i": PAT}),
        )
        .await
        .data();
    let signed_in = frontend
        .gql(
            "mutation { attemptFirstFactor(strategy: EMAIL_CODE, code: \"424242\") { status createdSessionId } }",
            json!({}),
        )
        .await;
    let session = signed_in.data()["attemptFirstFactor"]["createdSessionId"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut pat = Signed { frontend, session };
    const SET: &str =
        "mutation($n: String!) { updatePassword(newPassword: $n) { passwordEnabled } }";
    stale(&clock);
    let refused = pat.run(&server, SET, json!({"n": PASSWORD})).await;
    assert_eq!(refused.code(), "REVERIFICATION_REQUIRED");
    let no_password = pat
        .run(&server, ATTEMPT, json!({"s": "PASSWORD", "p": PASSWORD}))
        .await;
    assert_eq!(no_password.code(), "VALIDATION_FAILED");
    let totp = pat
        .run(&server, ATTEMPT, json!({"s": "TOTP", "c": "123456"}))
        .await;
    assert_eq!(totp.code(), "VALIDATION_FAILED", "no second factor");
    pat.run(&server, PREPARE, json!({})).await.data();
    pat.reverify(&server, "EMAIL_CODE", "424242").await;
    let set = pat.run(&server, SET, json!({"n": PASSWORD})).await;
    assert_eq!(set.data()["updatePassword"]["passwordEnabled"], true);
}

#[tokio::test]
async fn a_user_with_totp_needs_both_factors_recent() {
    let (server, clock) = server().await;
    let mut jane = Signed::up(&server, EMAIL).await;
    let created = guarded(
        &server,
        &clock,
        &mut jane,
        "mutation { createTotp { secret } }",
        json!({}),
    )
    .await;
    let secret = created.data()["createTotp"]["secret"]
        .as_str()
        .unwrap()
        .to_owned();
    jane.run(
        &server,
        "mutation($c: String!) { verifyTotp(code: $c) { codes } }",
        json!({"c": code_at(&secret, clock.now())}),
    )
    .await
    .data();
    // Enrolling proved the second factor in this session: both are recent now.
    let fresh = jane
        .run(
            &server,
            "mutation { createBackupCodes { codes } }",
            json!({}),
        )
        .await;
    let backup: Vec<String> = fresh.data()["createBackupCodes"]["codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect();

    stale(&clock);
    let refused = jane
        .run(
            &server,
            "mutation { createBackupCodes { codes } }",
            json!({}),
        )
        .await;
    assert_eq!(refused.code(), "REVERIFICATION_REQUIRED");
    let first = jane.reverify(&server, "PASSWORD", PASSWORD).await;
    assert_eq!(first["status"], "NEEDS_SECOND_FACTOR");
    assert_eq!(first["completeUntil"], Value::Null);
    let still = jane
        .run(
            &server,
            "mutation { createBackupCodes { codes } }",
            json!({}),
        )
        .await;
    assert_eq!(
        still.code(),
        "REVERIFICATION_REQUIRED",
        "the first factor alone"
    );
    let wrong = jane
        .run(&server, ATTEMPT, json!({"s": "TOTP", "c": "000000"}))
        .await;
    assert_eq!(wrong.code(), "CODE_INCORRECT");
    let second = jane
        .reverify(&server, "TOTP", &code_at(&secret, clock.now()))
        .await;
    assert_eq!(second["status"], "COMPLETE");
    assert!(second["secondFactorVerifiedAt"].is_string());
    let replaced = jane
        .run(
            &server,
            "mutation { createBackupCodes { codes } }",
            json!({}),
        )
        .await;
    let new_codes = replaced.data()["createBackupCodes"]["codes"].clone();

    // The second factor alone is not enough either: the first lapsed too.
    stale(&clock);
    let backup_only = jane
        .reverify(&server, "BACKUP_CODE", new_codes[0].as_str().unwrap())
        .await;
    assert_eq!(backup_only["status"], "NEEDS_FIRST_FACTOR");
    let refused = jane
        .run(
            &server,
            "mutation { disableTotp { totpEnabled } }",
            json!({}),
        )
        .await;
    assert_eq!(refused.code(), "REVERIFICATION_REQUIRED");
    let old_backup = jane
        .run(
            &server,
            ATTEMPT,
            json!({"s": "BACKUP_CODE", "c": backup[0]}),
        )
        .await;
    assert_eq!(
        old_backup.code(),
        "CODE_INCORRECT",
        "replaced codes are gone"
    );
    let both = jane.reverify(&server, "PASSWORD", PASSWORD).await;
    assert_eq!(both["status"], "COMPLETE");
    let off = jane
        .run(
            &server,
            "mutation { disableTotp { totpEnabled } }",
            json!({}),
        )
        .await;
    assert_eq!(off.data()["disableTotp"]["totpEnabled"], false);
}

#[tokio::test]
async fn wrong_reverifications_count_against_the_lockout() {
    let (server, _clock) = server().await;
    server.update_settings("lockout: {maxAttempts: 3}").await;
    let mut jane = Signed::up(&server, EMAIL).await;
    let wrong = jane
        .run(&server, ATTEMPT, json!({"s": "PASSWORD", "p": "not it"}))
        .await;
    assert_eq!(wrong.code(), "INVALID_CREDENTIALS");
    jane.run(&server, PREPARE, json!({})).await.data();
    let wrong_code = jane
        .run(&server, ATTEMPT, json!({"s": "EMAIL_CODE", "c": "000000"}))
        .await;
    assert_eq!(wrong_code.code(), "CODE_INCORRECT");
    // A failed sign-in counts with them: the third failure locks.
    let mut elsewhere = Frontend::new(&server.url, &server.publishable_key);
    let locked = elsewhere
        .gql(SIGN_IN, json!({"i": EMAIL, "p": "not it either"}))
        .await;
    assert_eq!(locked.code(), "ACCOUNT_LOCKED");
    let right = jane
        .run(&server, ATTEMPT, json!({"s": "PASSWORD", "p": PASSWORD}))
        .await;
    assert_eq!(right.code(), "ACCOUNT_LOCKED", "{}", right.body);
    assert!(right.extensions()["retryAfter"].as_u64().unwrap_or(0) > 0);
    let code = jane
        .run(&server, ATTEMPT, json!({"s": "EMAIL_CODE", "c": "424242"}))
        .await;
    assert_eq!(code.code(), "ACCOUNT_LOCKED");
}

#[tokio::test]
async fn fva_tells_the_minutes_since_each_factor() {
    let (server, clock) = server().await;
    let mut jane = Signed::up(&server, EMAIL).await;
    assert_eq!(
        jane.fva(&server, &clock).await,
        [0, -1],
        "sign-up: the first"
    );
    clock.advance(chrono::Duration::seconds(5 * 60 + 30));
    assert_eq!(jane.fva(&server, &clock).await, [5, -1]);

    // A second factor enrolled, then a sign-in with both.
    let secret = jane
        .run(&server, "mutation { createTotp { secret } }", json!({}))
        .await
        .data()["createTotp"]["secret"]
        .as_str()
        .unwrap()
        .to_owned();
    jane.run(
        &server,
        "mutation($c: String!) { verifyTotp(code: $c) { codes } }",
        json!({"c": code_at(&secret, clock.now())}),
    )
    .await
    .data();
    assert_eq!(jane.fva(&server, &clock).await, [5, 0]);
    clock.advance(chrono::Duration::seconds(30));
    let mut frontend = Frontend::new(&server.url, &server.publishable_key);
    frontend
        .gql(SIGN_IN, json!({"i": EMAIL, "p": PASSWORD}))
        .await
        .data();
    let done = frontend
        .gql(
            "mutation($c: String!) { attemptSecondFactor(strategy: TOTP, code: $c) { createdSessionId } }",
            json!({"c": code_at(&secret, clock.now())}),
        )
        .await;
    let session = done.data()["attemptSecondFactor"]["createdSessionId"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut both = Signed { frontend, session };
    assert_eq!(both.fva(&server, &clock).await, [0, 0]);
    stale(&clock);
    assert_eq!(both.fva(&server, &clock).await, [11, 11]);
    // A reverification shows in the next token (the client's actor reads the session again).
    both.reverify(&server, "PASSWORD", PASSWORD).await;
    assert_eq!(both.fva(&server, &clock).await, [0, 11]);

    // The window is the instance's setting.
    let window = server
        .backend(
            "mutation { updateInstanceSettings(input: {sessions: {reverificationWindowSeconds: 30}}) { id } }",
            json!({}),
        )
        .await;
    assert_eq!(window.code(), "VALIDATION_FAILED");
    server
        .update_settings("sessions: {reverificationWindowSeconds: 3600}")
        .await;
    let read = server
        .backend(
            "{ instance { settings { sessions { reverificationWindowSeconds } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        read.data()["instance"]["settings"]["sessions"]["reverificationWindowSeconds"],
        3600
    );
    let within = both
        .run(
            &server,
            "mutation { createBackupCodes { codes } }",
            json!({}),
        )
        .await;
    within.data();
}

#[tokio::test]
async fn a_user_lists_their_sessions_and_revokes_their_own_only() {
    let (server, clock) = server().await;
    let mut jane = Signed::up(&server, EMAIL).await;
    // A second apart, so that "newest first" is one order.
    clock.advance(chrono::Duration::seconds(1));
    let mut laptop = Frontend::new(&server.url, &server.publishable_key);
    let other = laptop
        .gql(SIGN_IN, json!({"i": EMAIL, "p": PASSWORD}))
        .await;
    let other_session = other.data()["createSignIn"]["createdSessionId"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut john = Signed::up(&server, "john+latchkey_test@example.com").await;

    let listed = jane
        .run(&server, "{ me { sessions { id status } } }", json!({}))
        .await;
    assert_eq!(
        listed.data()["me"]["sessions"],
        json!([
            {"id": other_session, "status": "ACTIVE"},
            {"id": jane.session, "status": "ACTIVE"},
        ]),
        "newest first, on every device"
    );
    // The backend sees them too; nobody else does.
    let user_id = jane.run(&server, "{ me { id } }", json!({})).await.data()["me"]["id"].clone();
    let backend = server
        .backend(
            "query($u: ID!) { user(id: $u) { sessions { id } } }",
            json!({"u": user_id}),
        )
        .await;
    assert_eq!(
        backend.data()["user"]["sessions"].as_array().unwrap().len(),
        2
    );

    const REVOKE: &str = "mutation($id: ID!) { revokeMySession(id: $id) { id status } }";
    let revoked = guarded(
        &server,
        &clock,
        &mut jane,
        REVOKE,
        json!({"id": other_session}),
    )
    .await;
    assert_eq!(
        revoked.data()["revokeMySession"],
        json!({"id": other_session, "status": "REVOKED"})
    );
    let refresh = laptop
        .gql(
            "mutation($s: ID!) { createSessionToken(sessionId: $s) { jwt } }",
            json!({"s": other_session}),
        )
        .await;
    assert_eq!(refresh.code(), "SESSION_NOT_ACTIVE");
    let johns = jane.run(&server, REVOKE, json!({"id": john.session})).await;
    assert_eq!(johns.code(), "NOT_FOUND", "another user's session");
    let listed = jane
        .run(&server, "{ me { sessions { id } } }", json!({}))
        .await;
    assert_eq!(
        listed.data()["me"]["sessions"],
        json!([{"id": jane.session}]),
        "active sessions only"
    );
    // John's session lives on.
    john.run(&server, "{ me { id } }", json!({})).await.data();
}
