//! Second factors over HTTP: TOTP enrolment by the signed-in user, sign-ins that need a TOTP or
//! a backup code, codes accepted once, failures counted against the lockout, and TOTP turned off.

use latchkey_domain::clock::Clock;
use latchkey_tests::server::lift_ip_limits;
use latchkey_tests::totp::code_at;
use latchkey_tests::{Auth, Frontend, TestServer};
use serde_json::{Value, json};

const PASSWORD: &str = "a sturdy passphrase";
const EMAIL: &str = "jane+latchkey_test@example.com";
const SIGN_IN: &str = "mutation($i: SignInInput!) { createSignIn(input: $i) { status createdSessionId supportedSecondFactors { strategy } } }";
const SECOND: &str = "mutation($s: SecondFactorStrategy!, $c: String!) { attemptSecondFactor(strategy: $s, code: $c) { status createdSessionId } }";

/// A new client that passed the password: its answer to `createSignIn`.
async fn password_passed(server: &TestServer) -> (Frontend, Value) {
    let mut frontend = Frontend::new(&server.url, &server.publishable_key);
    let answer = frontend
        .gql(
            SIGN_IN,
            json!({"i": {"identifier": EMAIL, "password": PASSWORD}}),
        )
        .await;
    let sign_in = answer.data()["createSignIn"].clone();
    (frontend, sign_in)
}

#[tokio::test]
async fn totp_and_backup_codes_guard_sign_in_and_each_code_works_once() {
    let (server, clock) = TestServer::spawn_with_clock(lift_ip_limits).await;
    server
        .backend(
            "mutation { updateInstanceSettings(input: {lockout: {maxAttempts: 3}}) { id } }",
            json!({}),
        )
        .await
        .data();
    let mut frontend = Frontend::new(&server.url, &server.publishable_key);
    frontend.complete_test_sign_up(EMAIL, PASSWORD).await;
    let session = frontend
        .gql("{ client { lastActiveSessionId } }", json!({}))
        .await
        .data()["client"]["lastActiveSessionId"]
        .as_str()
        .unwrap()
        .to_owned();
    let jwt = frontend
        .gql(
            "mutation($s: ID!) { createSessionToken(sessionId: $s) { jwt } }",
            json!({"s": session}),
        )
        .await
        .data()["createSessionToken"]["jwt"]
        .as_str()
        .unwrap()
        .to_owned();
    let me = |query: &'static str| {
        let (server, jwt) = (&server, jwt.clone());
        async move { server.gql(Auth::Bearer(&jwt), query, json!({})).await }
    };

    // Enrolment: a secret, then a code from the app turns TOTP on and gives the backup codes.
    let created = me("mutation { createTotp { secret uri } }").await;
    let secret = created.data()["createTotp"]["secret"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        created.data()["createTotp"]["uri"]
            .as_str()
            .unwrap()
            .starts_with("otpauth://totp/Development:jane")
    );
    let wrong = server
        .gql(
            Auth::Bearer(&jwt),
            "mutation { verifyTotp(code: \"000000\") { codes } }",
            json!({}),
        )
        .await;
    assert_eq!(wrong.code(), "CODE_INCORRECT");
    let enrolled_code = code_at(&secret, clock.now());
    let verified = server
        .gql(
            Auth::Bearer(&jwt),
            "mutation($c: String!) { verifyTotp(code: $c) { codes } }",
            json!({"c": enrolled_code}),
        )
        .await;
    let backup: Vec<String> = verified.data()["verifyTotp"]["codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(backup.len(), 10);
    let flags = me("{ me { totpEnabled backupCodeEnabled twoFactorEnabled } }").await;
    assert_eq!(
        flags.data()["me"],
        json!({"totpEnabled": true, "backupCodeEnabled": true, "twoFactorEnabled": true})
    );
    let again = me("mutation { createTotp { secret } }").await;
    assert_eq!(again.code(), "VALIDATION_FAILED");

    // A password alone no longer signs in.
    let (mut client, sign_in) = password_passed(&server).await;
    assert_eq!(sign_in["status"], "NEEDS_SECOND_FACTOR");
    assert_eq!(sign_in["createdSessionId"], Value::Null);
    assert_eq!(
        sign_in["supportedSecondFactors"],
        json!([{"strategy": "TOTP"}, {"strategy": "BACKUP_CODE"}])
    );
    // The code used for enrolment is spent; the next step's code signs in.
    let replayed = client
        .gql(SECOND, json!({"s": "TOTP", "c": enrolled_code}))
        .await;
    assert_eq!(replayed.code(), "CODE_INCORRECT");
    clock.advance(chrono::Duration::seconds(30));
    let fresh_code = code_at(&secret, clock.now());
    let done = client
        .gql(SECOND, json!({"s": "TOTP", "c": fresh_code}))
        .await;
    assert_eq!(done.data()["attemptSecondFactor"]["status"], "COMPLETE");
    assert!(done.data()["attemptSecondFactor"]["createdSessionId"].is_string());

    // The same code on another client: refused, it was used.
    let (mut other, _) = password_passed(&server).await;
    let twice = other
        .gql(SECOND, json!({"s": "TOTP", "c": fresh_code}))
        .await;
    assert_eq!(twice.code(), "CODE_INCORRECT");
    // A backup code works once.
    let backup_done = other
        .gql(
            SECOND,
            json!({"s": "BACKUP_CODE", "c": backup[0].to_uppercase()}),
        )
        .await;
    assert_eq!(
        backup_done.data()["attemptSecondFactor"]["status"],
        "COMPLETE"
    );
    let (mut third, _) = password_passed(&server).await;
    let reused = third
        .gql(SECOND, json!({"s": "BACKUP_CODE", "c": backup[0]}))
        .await;
    assert_eq!(reused.code(), "CODE_INCORRECT");

    // A second factor before the first is a step out of order; the sign-in stays usable.
    let mut early = Frontend::new(&server.url, &server.publishable_key);
    early
        .gql(SIGN_IN, json!({"i": {"identifier": EMAIL}}))
        .await
        .data();
    let out_of_order = early.gql(SECOND, json!({"s": "TOTP", "c": "123456"})).await;
    assert_eq!(out_of_order.code(), "VALIDATION_FAILED");

    // Failures count against the lockout (3 here, with the reused backup code above); a right
    // password on the way does not count. Then even a right code is refused.
    let wrong = third.gql(SECOND, json!({"s": "TOTP", "c": "000000"})).await;
    assert_eq!(wrong.code(), "CODE_INCORRECT");
    let third_wrong = third.gql(SECOND, json!({"s": "TOTP", "c": "000001"})).await;
    assert_eq!(third_wrong.code(), "ACCOUNT_LOCKED");
    clock.advance(chrono::Duration::seconds(30));
    let locked = third
        .gql(
            SECOND,
            json!({"s": "TOTP", "c": code_at(&secret, clock.now())}),
        )
        .await;
    assert_eq!(locked.code(), "ACCOUNT_LOCKED");
    server
        .backend(
            "mutation($u: ID!) { unlockUser(id: $u) { id } }",
            json!({"u": me("{ me { id } }").await.data()["me"]["id"]}),
        )
        .await
        .data();

    // Backup codes are replaced on demand; TOTP off means one factor again.
    let replaced = me("mutation { createBackupCodes { codes } }").await;
    let new_codes: Vec<String> = replaced.data()["createBackupCodes"]["codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(new_codes.len(), 10);
    // The old codes are gone, the new ones work; bad codes are refused cleanly.
    let (mut fourth, _) = password_passed(&server).await;
    let old_code = fourth
        .gql(SECOND, json!({"s": "BACKUP_CODE", "c": backup[1]}))
        .await;
    assert_eq!(old_code.code(), "CODE_INCORRECT");
    for bad in [String::new(), "9".repeat(10_000)] {
        let refused = fourth.gql(SECOND, json!({"s": "TOTP", "c": bad})).await;
        assert_eq!(refused.code(), "VALIDATION_FAILED");
    }
    let new_code = fourth
        .gql(SECOND, json!({"s": "BACKUP_CODE", "c": new_codes[0]}))
        .await;
    assert_eq!(new_code.data()["attemptSecondFactor"]["status"], "COMPLETE");
    let off = me("mutation { disableTotp { twoFactorEnabled } }").await;
    assert_eq!(off.data()["disableTotp"]["twoFactorEnabled"], false);
    let (_, sign_in) = password_passed(&server).await;
    assert_eq!(sign_in["status"], "COMPLETE");
    let no_totp = me("mutation { createBackupCodes { codes } }").await;
    assert_eq!(no_totp.code(), "VALIDATION_FAILED");
}

#[tokio::test]
async fn wrong_second_factor_codes_are_bounded_per_user_beyond_the_lockout() {
    let (server, clock) = TestServer::spawn_with_clock(lift_ip_limits).await;
    server.update_settings("lockout: {maxAttempts: 1000}").await;
    let secret = totp_rs::Secret::Raw(b"a second factor secret, 32 bytes".to_vec())
        .to_encoded()
        .to_string();
    server
        .backend(
            "mutation($i: CreateUserInput!) { createUser(input: $i) { id } }",
            json!({"i": {"emailAddresses": [EMAIL], "password": PASSWORD, "totpSecret": secret, "backupCodes": ["first-code"]}}),
        )
        .await
        .data();
    // Ten wrong codes, from fresh clients: then the user's budget of wrong codes is spent, and
    // neither a right TOTP code nor a backup code is checked until it refills.
    for guess in 0..10 {
        let (mut frontend, sign_in) = password_passed(&server).await;
        assert_eq!(sign_in["status"], "NEEDS_SECOND_FACTOR");
        let wrong = frontend
            .gql(SECOND, json!({"s": "TOTP", "c": format!("{guess:06}")}))
            .await;
        assert_eq!(wrong.code(), "CODE_INCORRECT", "guess {guess}");
    }
    let (mut frontend, _) = password_passed(&server).await;
    for (strategy, code) in [
        ("TOTP", code_at(&secret, clock.now())),
        ("BACKUP_CODE", "first-code".to_owned()),
    ] {
        let refused = frontend
            .gql(SECOND, json!({"s": strategy, "c": code}))
            .await;
        assert_eq!(refused.code(), "TOO_MANY_ATTEMPTS", "{}", refused.body);
        let retry_after = refused.extensions()["retryAfter"].as_i64().unwrap_or(0);
        assert!((1..=30 * 60).contains(&retry_after), "{retry_after}");
    }
    clock.advance(chrono::Duration::minutes(30));
    let done = frontend
        .gql(
            SECOND,
            json!({"s": "TOTP", "c": code_at(&secret, clock.now())}),
        )
        .await;
    assert_eq!(done.data()["attemptSecondFactor"]["status"], "COMPLETE");
}
