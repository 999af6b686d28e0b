//! Sign-in over HTTP against the real server: one-call passwords, email codes from a real SMTP
//! server, password resets, lockout counted exactly, and answers that do not tell whether an
//! identifier exists.

use std::time::Duration;

use latchkey_tests::server::lift_ip_limits;
use latchkey_tests::smtp::SmtpServer;
use latchkey_tests::{Frontend, TestServer};
use serde_json::{Value, json};

const PASSWORD: &str = "a sturdy passphrase";
const SIGN_IN_FIELDS: &str = "id status identifier createdSessionId
    supportedFirstFactors { strategy safeIdentifier emailAddressId }
    firstFactorVerification { status strategy attempts }";

fn create_sign_in() -> String {
    format!(
        "mutation($input: SignInInput!) {{ createSignIn(input: $input) {{ {SIGN_IN_FIELDS} }} }}"
    )
}

fn prepare() -> String {
    format!(
        "mutation($strategy: FirstFactorStrategy!, $id: ID!) {{ prepareFirstFactor(strategy: $strategy, emailAddressId: $id) {{ {SIGN_IN_FIELDS} }} }}"
    )
}

fn attempt() -> String {
    format!(
        "mutation($strategy: FirstFactorStrategy!, $password: String, $code: String) {{ attemptFirstFactor(strategy: $strategy, password: $password, code: $code) {{ {SIGN_IN_FIELDS} }} }}"
    )
}

fn reset() -> String {
    format!(
        "mutation($password: String!, $out: Boolean!) {{ resetPassword(password: $password, signOutOfOtherSessions: $out) {{ {SIGN_IN_FIELDS} }} }}"
    )
}

const SESSIONS: &str = "{ client { sessions { id status user { lastSignInAt } } } }";

/// Signs up `email` with `PASSWORD` (a development test address).
async fn sign_up(server: &TestServer, email: &str) -> Frontend {
    let mut frontend = Frontend::new(&server.url, &server.publishable_key);
    frontend.complete_test_sign_up(email, PASSWORD).await;
    frontend
}

async fn sign_in_with_password(
    server: &TestServer,
    identifier: &str,
    password: &str,
) -> (Frontend, latchkey_tests::Response) {
    let mut frontend = Frontend::new(&server.url, &server.publishable_key);
    let answer = frontend
        .gql(
            &create_sign_in(),
            json!({"input": {"identifier": identifier, "password": password}}),
        )
        .await;
    (frontend, answer)
}

#[tokio::test]
async fn a_password_signs_in_in_one_call() {
    let server = TestServer::spawn_with(lift_ip_limits).await;
    sign_up(&server, "jane+latchkey_test@example.com").await;
    let (mut frontend, answer) =
        sign_in_with_password(&server, "JANE+latchkey_test@example.com", PASSWORD).await;
    let sign_in = &answer.data()["createSignIn"];
    assert_eq!(sign_in["status"], "COMPLETE", "{sign_in}");
    let session_id = sign_in["createdSessionId"].as_str().unwrap();
    let client = frontend.gql(SESSIONS, json!({})).await;
    let session = &client.data()["client"]["sessions"][0];
    assert_eq!(session["id"], session_id);
    assert_eq!(session["status"], "ACTIVE");
    assert!(session["user"]["lastSignInAt"].is_string());
}

#[tokio::test]
async fn an_unknown_identifier_is_answered_like_a_wrong_password() {
    let server = TestServer::spawn_with(lift_ip_limits).await;
    sign_up(&server, "known+latchkey_test@example.com").await;
    let (_, wrong) = sign_in_with_password(
        &server,
        "known+latchkey_test@example.com",
        "not the password",
    )
    .await;
    let (_, unknown) =
        sign_in_with_password(&server, "nobody@example.com", "not the password").await;
    assert_eq!(wrong.code(), "INVALID_CREDENTIALS");
    assert_eq!(
        wrong.body["errors"], unknown.body["errors"],
        "the same answer, word for word"
    );

    let mut known = Frontend::new(&server.url, &server.publishable_key);
    let mut nobody = Frontend::new(&server.url, &server.publishable_key);
    let a = known
        .gql(
            &create_sign_in(),
            json!({"input": {"identifier": "known+latchkey_test@example.com"}}),
        )
        .await;
    let b = nobody
        .gql(
            &create_sign_in(),
            json!({"input": {"identifier": "nobody@example.com"}}),
        )
        .await;
    let shape = |v: &Value| {
        let s = &v["createSignIn"];
        (
            s["status"].clone(),
            s["supportedFirstFactors"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| (f["strategy"].clone(), f["safeIdentifier"].is_string()))
                .collect::<Vec<_>>(),
        )
    };
    assert_eq!(shape(a.data()), shape(b.data()));
    assert_eq!(
        b.data()["createSignIn"]["supportedFirstFactors"][1]["safeIdentifier"],
        "n***@example.com"
    );
    // The made-up id cannot be computed from public facts (the instance id and the identifier).
    let public_guess = latchkey_domain::model::sign_in::Subject::unknown(
        "nobody@example.com",
        &server.instance_id,
    );
    assert_ne!(
        b.data()["createSignIn"]["supportedFirstFactors"][1]["emailAddressId"],
        public_guess.code_targets[0].email_address_id.as_str()
    );
    // A code "sent" to the made-up address goes nowhere, and no code opens it.
    let id = b.data()["createSignIn"]["supportedFirstFactors"][1]["emailAddressId"].clone();
    nobody
        .gql(&prepare(), json!({"strategy": "EMAIL_CODE", "id": id}))
        .await
        .data();
    let guess = nobody
        .gql(
            &attempt(),
            json!({"strategy": "EMAIL_CODE", "code": "424242"}),
        )
        .await;
    assert_eq!(guess.code(), "CODE_INCORRECT");
    // Even a test address, whose code is known, cannot open a made-up sign-in.
    let mut tester = Frontend::new(&server.url, &server.publishable_key);
    let made_up = tester
        .gql(
            &create_sign_in(),
            json!({"input": {"identifier": "nobody+latchkey_test@example.com"}}),
        )
        .await;
    let id = made_up.data()["createSignIn"]["supportedFirstFactors"][1]["emailAddressId"].clone();
    tester
        .gql(&prepare(), json!({"strategy": "EMAIL_CODE", "id": id}))
        .await
        .data();
    let known_code = tester
        .gql(
            &attempt(),
            json!({"strategy": "EMAIL_CODE", "code": "424242"}),
        )
        .await;
    assert_eq!(known_code.code(), "CODE_INCORRECT");
    assert_eq!(server.db.count("mail_outbox").await, 0);
}

#[tokio::test]
async fn an_email_code_from_a_real_smtp_server_signs_in() {
    let smtp = SmtpServer::start();
    let url = smtp.url.clone();
    let server = TestServer::spawn_with(move |config| {
        lift_ip_limits(config);
        config.mail.smtp_url = Some(url.clone());
    })
    .await;
    // A real address: its sign-up code comes over SMTP too.
    let email = "mail-user@example.com";
    let mut owner = Frontend::new(&server.url, &server.publishable_key);
    owner
        .gql(
            "mutation($e: String!, $p: String!) { createSignUp(input: {emailAddress: $e, password: $p}) { id } }",
            json!({"e": email, "p": PASSWORD}),
        )
        .await
        .data();
    owner
        .gql(
            "mutation { prepareSignUpVerification(strategy: EMAIL_CODE) { id } }",
            json!({}),
        )
        .await
        .data();
    let code = smtp.wait_for(email, 1, Duration::from_secs(30)).await[0].code();
    owner
        .gql(
            "mutation($c: String!) { attemptSignUpVerification(code: $c) { status } }",
            json!({"c": code}),
        )
        .await
        .data();

    let mut frontend = Frontend::new(&server.url, &server.publishable_key);
    let started = frontend
        .gql(&create_sign_in(), json!({"input": {"identifier": email}}))
        .await;
    let sign_in = &started.data()["createSignIn"];
    assert_eq!(sign_in["status"], "NEEDS_FIRST_FACTOR");
    let factor = &sign_in["supportedFirstFactors"][1];
    assert_eq!(factor["strategy"], "EMAIL_CODE");
    assert_eq!(factor["safeIdentifier"], "m***@example.com");
    frontend
        .gql(
            &prepare(),
            json!({"strategy": "EMAIL_CODE", "id": factor["emailAddressId"]}),
        )
        .await
        .data();
    let mail = smtp.wait_for(email, 2, Duration::from_secs(30)).await;
    assert_eq!(mail.len(), 2);
    let code = mail[1].code();
    let wrong = frontend
        .gql(
            &attempt(),
            json!({"strategy": "EMAIL_CODE", "code": "000000"}),
        )
        .await;
    assert_eq!(wrong.code(), "CODE_INCORRECT");
    let done = frontend
        .gql(&attempt(), json!({"strategy": "EMAIL_CODE", "code": code}))
        .await;
    assert_eq!(done.data()["attemptFirstFactor"]["status"], "COMPLETE");
    let replay = frontend
        .gql(&attempt(), json!({"strategy": "EMAIL_CODE", "code": code}))
        .await;
    assert_eq!(
        replay.code(),
        "VALIDATION_FAILED",
        "a used code, on a complete sign-in"
    );
}

#[tokio::test]
async fn a_password_reset_can_sign_out_every_other_session() {
    let server = TestServer::spawn_with(lift_ip_limits).await;
    let email = "reset+latchkey_test@example.com";
    let mut first = sign_up(&server, email).await;
    let mut frontend = Frontend::new(&server.url, &server.publishable_key);
    let started = frontend
        .gql(&create_sign_in(), json!({"input": {"identifier": email}}))
        .await;
    let factors = started.data()["createSignIn"]["supportedFirstFactors"].clone();
    assert_eq!(factors[2]["strategy"], "RESET_PASSWORD_EMAIL_CODE");
    let early = frontend
        .gql(
            &reset(),
            json!({"password": "a brand new passphrase", "out": true}),
        )
        .await;
    assert_eq!(early.code(), "VALIDATION_FAILED", "a reset without a code");
    frontend
        .gql(
            &prepare(),
            json!({"strategy": "RESET_PASSWORD_EMAIL_CODE", "id": factors[2]["emailAddressId"]}),
        )
        .await
        .data();
    let passed = frontend
        .gql(
            &attempt(),
            json!({"strategy": "RESET_PASSWORD_EMAIL_CODE", "code": "424242"}),
        )
        .await;
    assert_eq!(
        passed.data()["attemptFirstFactor"]["status"],
        "NEEDS_NEW_PASSWORD"
    );
    let weak = frontend
        .gql(&reset(), json!({"password": "password1", "out": true}))
        .await;
    assert_eq!(weak.code(), "PASSWORD_COMPROMISED");
    let done = frontend
        .gql(
            &reset(),
            json!({"password": "a brand new passphrase", "out": true}),
        )
        .await;
    assert_eq!(done.data()["resetPassword"]["status"], "COMPLETE");

    let before = first.gql(SESSIONS, json!({})).await;
    assert_eq!(
        before.data()["client"]["sessions"][0]["status"],
        "ENDED",
        "signed out elsewhere"
    );
    let (_, old) = sign_in_with_password(&server, email, PASSWORD).await;
    assert_eq!(old.code(), "INVALID_CREDENTIALS");
    let (_, new) = sign_in_with_password(&server, email, "a brand new passphrase").await;
    assert_eq!(new.data()["createSignIn"]["status"], "COMPLETE");
}

#[tokio::test]
async fn failures_from_many_clients_lock_the_user_exactly_until_the_lock_runs_out() {
    let (server, clock) = TestServer::spawn_with_clock(lift_ip_limits).await;
    let email = "locked+latchkey_test@example.com";
    sign_up(&server, email).await;
    let tasks: Vec<_> = (0..15)
        .map(|_| {
            let (url, pk) = (server.url.clone(), server.publishable_key.clone());
            tokio::spawn(async move {
                let frontend = Frontend::new(&url, &pk);
                frontend
                    .post(
                        &create_sign_in(),
                        json!({"input": {"identifier": email, "password": "wrong password!"}}),
                    )
                    .await
            })
        })
        .collect();
    let mut invalid = 0;
    let mut locked = 0;
    for task in tasks {
        match task.await.unwrap().code() {
            "INVALID_CREDENTIALS" => invalid += 1,
            "ACCOUNT_LOCKED" => locked += 1,
            other => panic!("unexpected {other}"),
        }
    }
    assert_eq!(
        (invalid, locked),
        (9, 6),
        "the tenth failure locks, whatever the order"
    );
    let (_, right) = sign_in_with_password(&server, email, PASSWORD).await;
    assert_eq!(right.code(), "ACCOUNT_LOCKED", "even the right password");
    let retry_after = right.extensions()["retryAfter"].as_u64().unwrap();
    assert!((3590..=3600).contains(&retry_after), "{retry_after}");

    clock.advance(chrono::Duration::seconds(3600));
    let (_, wrong) = sign_in_with_password(&server, email, "wrong password!").await;
    assert_eq!(
        wrong.code(),
        "INVALID_CREDENTIALS",
        "the lock ran out and the count started over"
    );
    // Nine failures so far in this window (that one included): one attempt is left, and of six
    // sent at once (one of them right) at most one is checked.
    for _ in 0..8 {
        let (_, more) = sign_in_with_password(&server, email, "wrong password!").await;
        assert_eq!(more.code(), "INVALID_CREDENTIALS");
    }
    let racers: Vec<_> = (0..6)
        .map(|n| {
            let (url, pk) = (server.url.clone(), server.publishable_key.clone());
            let password = if n == 0 { PASSWORD } else { "wrong password!" };
            tokio::spawn(async move {
                Frontend::new(&url, &pk)
                    .post(
                        &create_sign_in(),
                        json!({"input": {"identifier": email, "password": password}}),
                    )
                    .await
            })
        })
        .collect();
    let mut completed = 0;
    for racer in racers {
        let answer = racer.await.unwrap();
        match answer.body["errors"][0]["extensions"]["code"].as_str() {
            None => completed += 1,
            Some(code) => assert_eq!(code, "ACCOUNT_LOCKED", "{}", answer.body),
        }
    }
    assert!(completed <= 1, "never more guesses than the maximum");
}

#[tokio::test]
async fn bad_sign_in_input_gets_clear_codes() {
    let server = TestServer::spawn_with(lift_ip_limits).await;
    sign_up(&server, "input+latchkey_test@example.com").await;
    let mut frontend = Frontend::new(&server.url, &server.publishable_key);
    let empty = frontend
        .gql(&create_sign_in(), json!({"input": {"identifier": "  "}}))
        .await;
    assert_eq!(empty.code(), "VALIDATION_FAILED");
    assert_eq!(empty.extensions()["field"], "identifier");
    let long = frontend
        .gql(
            &create_sign_in(),
            json!({"input": {"identifier": format!("{}@example.com", "x".repeat(320))}}),
        )
        .await;
    assert_eq!(long.code(), "VALIDATION_FAILED");
    assert_eq!(long.extensions()["field"], "identifier");
    let huge = frontend
        .gql(
            &create_sign_in(),
            json!({"input": {"identifier": "input+latchkey_test@example.com", "password": "x".repeat(10_000)}}),
        )
        .await;
    assert_eq!(huge.code(), "VALIDATION_FAILED");
    assert_eq!(huge.extensions()["field"], "password");
    let started = frontend
        .gql(
            &create_sign_in(),
            json!({"input": {"identifier": "input+latchkey_test@example.com"}}),
        )
        .await;
    assert_eq!(
        started.data()["createSignIn"]["status"],
        "NEEDS_FIRST_FACTOR"
    );
    let long_code = frontend
        .gql(
            &attempt(),
            json!({"strategy": "EMAIL_CODE", "code": "1".repeat(33)}),
        )
        .await;
    assert_eq!(long_code.code(), "VALIDATION_FAILED");
    assert_eq!(long_code.extensions()["field"], "code");
    let unprepared = frontend
        .gql(
            &attempt(),
            json!({"strategy": "EMAIL_CODE", "code": "424242"}),
        )
        .await;
    assert_eq!(
        unprepared.code(),
        "VALIDATION_FAILED",
        "a code before it was prepared"
    );
    let no_password = frontend
        .gql(&attempt(), json!({"strategy": "PASSWORD"}))
        .await;
    assert_eq!(no_password.code(), "VALIDATION_FAILED");
    assert_eq!(no_password.extensions()["field"], "password");
    // The sign-in stays usable after each refusal.
    let done = frontend
        .gql(
            &attempt(),
            json!({"strategy": "PASSWORD", "password": PASSWORD}),
        )
        .await;
    assert_eq!(done.data()["attemptFirstFactor"]["status"], "COMPLETE");
}

#[tokio::test]
async fn the_backend_locks_unlocks_bans_and_unbans() {
    let server = TestServer::spawn_with(lift_ip_limits).await;
    let email = "moderated+latchkey_test@example.com";
    let mut owner = sign_up(&server, email).await;
    let me = owner
        .gql("{ client { sessions { user { id } } } }", json!({}))
        .await;
    let user_id = me.data()["client"]["sessions"][0]["user"]["id"].clone();
    let moderate =
        |action: &str| format!("mutation($id: ID!) {{ {action}(id: $id) {{ id locked banned }} }}");

    let locked = server
        .backend(&moderate("lockUser"), json!({"id": user_id}))
        .await;
    assert_eq!(locked.data()["lockUser"]["locked"], true);
    let (_, refused) = sign_in_with_password(&server, email, PASSWORD).await;
    assert_eq!(refused.code(), "ACCOUNT_LOCKED");
    let unlocked = server
        .backend(&moderate("unlockUser"), json!({"id": user_id}))
        .await;
    assert_eq!(unlocked.data()["unlockUser"]["locked"], false);
    let (_, signed_in) = sign_in_with_password(&server, email, PASSWORD).await;
    assert_eq!(signed_in.data()["createSignIn"]["status"], "COMPLETE");

    let banned = server
        .backend(&moderate("banUser"), json!({"id": user_id}))
        .await;
    assert_eq!(banned.data()["banUser"]["banned"], true);
    let sessions = owner
        .gql("{ client { sessions { status } } }", json!({}))
        .await;
    assert_eq!(
        sessions.data()["client"]["sessions"][0]["status"],
        "REVOKED"
    );
    let (_, wrong) = sign_in_with_password(&server, email, "not the password").await;
    assert_eq!(
        wrong.code(),
        "INVALID_CREDENTIALS",
        "a ban is not told to a wrong password"
    );
    let (_, right) = sign_in_with_password(&server, email, PASSWORD).await;
    assert_eq!(right.code(), "FORBIDDEN", "a banned user cannot sign in");
    server
        .backend(&moderate("unbanUser"), json!({"id": user_id}))
        .await
        .data();
    let (_, back) = sign_in_with_password(&server, email, PASSWORD).await;
    assert_eq!(back.data()["createSignIn"]["status"], "COMPLETE");

    // A lock that lands between the reset code and the new password holds.
    let mut resetting = Frontend::new(&server.url, &server.publishable_key);
    let started = resetting
        .gql(&create_sign_in(), json!({"input": {"identifier": email}}))
        .await;
    let reset_id =
        started.data()["createSignIn"]["supportedFirstFactors"][2]["emailAddressId"].clone();
    resetting
        .gql(
            &prepare(),
            json!({"strategy": "RESET_PASSWORD_EMAIL_CODE", "id": reset_id}),
        )
        .await
        .data();
    resetting
        .gql(
            &attempt(),
            json!({"strategy": "RESET_PASSWORD_EMAIL_CODE", "code": "424242"}),
        )
        .await
        .data();
    server
        .backend(&moderate("lockUser"), json!({"id": user_id}))
        .await
        .data();
    let refused = resetting
        .gql(
            &reset(),
            json!({"password": "another new passphrase", "out": false}),
        )
        .await;
    assert_eq!(refused.code(), "ACCOUNT_LOCKED");
    server
        .backend(&moderate("unlockUser"), json!({"id": user_id}))
        .await
        .data();
    let (_, same) = sign_in_with_password(&server, email, PASSWORD).await;
    assert_eq!(
        same.data()["createSignIn"]["status"],
        "COMPLETE",
        "the password did not change"
    );

    // Another instance's secret key does not reach this user.
    let (_, other_key) = server.create_instance_with_key("Other").await;
    let crossing = server
        .gql(
            latchkey_tests::Auth::Bearer(&other_key),
            &moderate("banUser"),
            json!({"id": user_id}),
        )
        .await;
    assert_eq!(crossing.code(), "NOT_FOUND");
    let frontend = Frontend::new(&server.url, &server.publishable_key);
    let not_backend = frontend
        .post(&moderate("banUser"), json!({"id": user_id}))
        .await;
    assert_eq!(
        not_backend.code(),
        "FORBIDDEN",
        "a frontend cannot moderate"
    );
}

#[tokio::test]
async fn an_unknown_identifier_locks_like_a_known_one() {
    let server = TestServer::spawn_with(lift_ip_limits).await;
    let known = "lock-known+latchkey_test@example.com";
    sign_up(&server, known).await;
    let mut answers = Vec::new();
    for identifier in [known, "lock-nobody@example.com"] {
        let mut codes = Vec::new();
        for _ in 0..11 {
            let (_, answer) = sign_in_with_password(&server, identifier, "wrong password!").await;
            codes.push(answer.code().to_owned());
        }
        answers.push(codes);
    }
    assert_eq!(answers[0], answers[1], "the same answers, lock included");
    assert_eq!(answers[0][8], "INVALID_CREDENTIALS");
    assert_eq!(answers[0][9], "ACCOUNT_LOCKED");
    assert_eq!(server.db.count("sign_in_failures").await, 1);
}

#[tokio::test]
async fn usernames_known_or_not_are_offered_the_same_factors() {
    let server = TestServer::spawn_with(lift_ip_limits).await;
    server
        .backend(
            r#"mutation { updateInstanceSettings(input: { signUp: { username: OPTIONAL } }) { id } }"#,
            json!({}),
        )
        .await
        .data();
    let mut owner = Frontend::new(&server.url, &server.publishable_key);
    owner
        .gql(
            "mutation { createSignUp(input: {emailAddress: \"named+latchkey_test@example.com\", password: \"a sturdy passphrase\", username: \"named_user\"}) { id } }",
            json!({}),
        )
        .await
        .data();
    owner
        .gql(
            "mutation { prepareSignUpVerification(strategy: EMAIL_CODE) { id } }",
            json!({}),
        )
        .await
        .data();
    owner
        .gql(
            "mutation { attemptSignUpVerification(code: \"424242\") { status } }",
            json!({}),
        )
        .await
        .data();
    let factors = |answer: &latchkey_tests::Response| {
        answer.data()["createSignIn"]["supportedFirstFactors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["strategy"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    let mut a = Frontend::new(&server.url, &server.publishable_key);
    let mut b = Frontend::new(&server.url, &server.publishable_key);
    let known = a
        .gql(
            &create_sign_in(),
            json!({"input": {"identifier": "named_user"}}),
        )
        .await;
    let unknown = b
        .gql(
            &create_sign_in(),
            json!({"input": {"identifier": "nobody_user"}}),
        )
        .await;
    assert_eq!(factors(&known), ["PASSWORD"]);
    assert_eq!(factors(&known), factors(&unknown));
    let done = a
        .gql(
            &attempt(),
            json!({"strategy": "PASSWORD", "password": PASSWORD}),
        )
        .await;
    assert_eq!(done.data()["attemptFirstFactor"]["status"], "COMPLETE");
}

#[tokio::test]
async fn wrong_email_codes_are_bounded_per_address_beyond_the_lockout_known_or_not() {
    let (server, clock) = TestServer::spawn_with_clock(lift_ip_limits).await;
    // A lockout loosened by the operator does not loosen the address's bound.
    server.update_settings("lockout: {maxAttempts: 1000}").await;
    let known = "known+latchkey_test@example.com";
    sign_up(&server, known).await;
    let mut answers = Vec::new();
    for identifier in [known, "nobody+latchkey_test@example.com"] {
        let mut frontend = Frontend::new(&server.url, &server.publishable_key);
        let started = frontend
            .gql(
                &create_sign_in(),
                json!({"input": {"identifier": identifier}}),
            )
            .await;
        let target = started.data()["createSignIn"]["supportedFirstFactors"][1].clone();
        assert_eq!(target["strategy"], "EMAIL_CODE");
        let mut codes = Vec::new();
        for guess in 0..11 {
            if guess % 5 == 0 {
                // A new code every five guesses (the last one failed its code).
                clock.advance(chrono::Duration::seconds(30));
                frontend
                    .gql(
                        &prepare(),
                        json!({"strategy": "EMAIL_CODE", "id": target["emailAddressId"]}),
                    )
                    .await
                    .data();
            }
            let wrong = frontend
                .gql(
                    &attempt(),
                    json!({"strategy": "EMAIL_CODE", "code": "000000"}),
                )
                .await;
            let retry = wrong.extensions()["retryAfter"].as_u64().is_some();
            codes.push(format!("{} {retry}", wrong.code()));
        }
        // The right code (development test addresses take 424242) is refused too.
        let right = frontend
            .gql(
                &attempt(),
                json!({"strategy": "EMAIL_CODE", "code": "424242"}),
            )
            .await;
        let retry = right.extensions()["retryAfter"].as_u64().is_some();
        codes.push(format!("{} {retry}", right.code()));
        answers.push(codes);
    }
    let expected: Vec<String> = [
        "CODE_INCORRECT false",
        "CODE_INCORRECT false",
        "CODE_INCORRECT false",
        "CODE_INCORRECT false",
        "TOO_MANY_ATTEMPTS false",
        "CODE_INCORRECT false",
        "CODE_INCORRECT false",
        "CODE_INCORRECT false",
        "CODE_INCORRECT false",
        "TOO_MANY_ATTEMPTS false",
        "TOO_MANY_ATTEMPTS true",
        "TOO_MANY_ATTEMPTS true",
    ]
    .map(str::to_owned)
    .to_vec();
    assert_eq!(answers[0], expected, "the known address");
    assert_eq!(
        answers[1], answers[0],
        "an unknown address is answered alike"
    );
}
