//! The signed-in user's own account: email addresses added, verified with a code from a real
//! SMTP server, made primary and deleted; an unverified address reserves nothing; updateMe,
//! updatePassword (counted against the lockout, signing out elsewhere) and deleteMe.

use std::time::Duration;

use latchkey_tests::server::lift_ip_limits;
use latchkey_tests::smtp::SmtpServer;
use latchkey_tests::{Auth, Frontend, Response, TestServer};
use serde_json::{Value, json};

const PASSWORD: &str = "a sturdy passphrase";
const CREATE: &str = "mutation($e: String!) { createEmailAddress(emailAddress: $e) { id emailAddress verification { status } } }";
const PREPARE: &str = "mutation($id: ID!) { prepareEmailAddressVerification(emailAddressId: $id) { id verification { status } } }";
const ATTEMPT: &str = "mutation($id: ID!, $c: String!) { attemptEmailAddressVerification(emailAddressId: $id, code: $c) { id verification { status } } }";
const SIGN_IN: &str = "mutation($i: String!, $p: String!) { createSignIn(input: {identifier: $i, password: $p}) { status createdSessionId } }";

/// A signed-up user's frontend, session and session token.
async fn signed_in(server: &TestServer, email: &str) -> (Frontend, String, String) {
    let (mut frontend, session) =
        Frontend::signed_up(&server.url, &server.publishable_key, email, PASSWORD).await;
    let jwt = frontend.session_jwt(&session).await;
    (frontend, session, jwt)
}

/// A server whose mail goes to `smtp`, without the per-IP limits.
async fn server_with_smtp(smtp: &SmtpServer) -> TestServer {
    let smtp_url = smtp.url.clone();
    TestServer::spawn_with(move |config| {
        lift_ip_limits(config);
        config.mail.smtp_url = Some(smtp_url.clone());
    })
    .await
}

async fn as_user(server: &TestServer, jwt: &str, query: &str, variables: Value) -> Response {
    server.gql(Auth::Bearer(jwt), query, variables).await
}

#[tokio::test]
async fn a_user_adds_verifies_chooses_and_deletes_email_addresses() {
    let smtp = SmtpServer::start();
    let server = server_with_smtp(&smtp).await;
    let (_, _, jwt) = signed_in(&server, "owner+latchkey_test@example.com").await;
    const SECOND: &str = "Owner.Second@example.com";
    let added = as_user(&server, &jwt, CREATE, json!({"e": SECOND})).await;
    let second = added.data()["createEmailAddress"].clone();
    assert_eq!(second["verification"]["status"], "UNVERIFIED");
    let id = second["id"].as_str().unwrap().to_owned();
    let again = as_user(
        &server,
        &jwt,
        CREATE,
        json!({"e": "owner.second@EXAMPLE.com"}),
    )
    .await;
    assert_eq!(
        again.code(),
        "IDENTIFIER_EXISTS",
        "a user holds an address once"
    );
    let unverified_primary = as_user(
        &server,
        &jwt,
        "mutation($id: ID!) { setPrimaryEmailAddress(emailAddressId: $id) { id } }",
        json!({"id": id}),
    )
    .await;
    assert_eq!(unverified_primary.code(), "VALIDATION_FAILED");

    // The code goes through the real SMTP server; a wrong one is counted.
    as_user(&server, &jwt, PREPARE, json!({"id": id}))
        .await
        .data();
    let mail = smtp
        .wait_for(SECOND, 1, Duration::from_secs(30))
        .await
        .pop()
        .unwrap();
    let wrong = as_user(&server, &jwt, ATTEMPT, json!({"id": id, "c": "000000"})).await;
    assert_eq!(wrong.code(), "CODE_INCORRECT");
    let verified = as_user(&server, &jwt, ATTEMPT, json!({"id": id, "c": mail.code()})).await;
    assert_eq!(
        verified.data()["attemptEmailAddressVerification"]["verification"]["status"],
        "VERIFIED"
    );
    let resend = as_user(&server, &jwt, PREPARE, json!({"id": id})).await;
    assert_eq!(
        resend.code(),
        "VALIDATION_FAILED",
        "a verified address needs no code"
    );

    // It signs in, becomes primary, and the old primary can go.
    let mut other_client = Frontend::new(&server.url, &server.publishable_key);
    let signed = other_client
        .gql(SIGN_IN, json!({"i": SECOND, "p": PASSWORD}))
        .await;
    assert_eq!(signed.data()["createSignIn"]["status"], "COMPLETE");
    let me = as_user(
        &server,
        &jwt,
        "{ me { primaryEmailAddressId emailAddresses { id } } }",
        json!({}),
    )
    .await;
    let first = me.data()["me"]["primaryEmailAddressId"]
        .as_str()
        .unwrap()
        .to_owned();
    let primary_gone = as_user(
        &server,
        &jwt,
        "mutation($id: ID!) { deleteEmailAddress(emailAddressId: $id) { deleted } }",
        json!({"id": first}),
    )
    .await;
    assert_eq!(
        primary_gone.code(),
        "VALIDATION_FAILED",
        "the primary address stays"
    );
    let switched = as_user(
        &server,
        &jwt,
        "mutation($id: ID!) { setPrimaryEmailAddress(emailAddressId: $id) { primaryEmailAddress { emailAddress } } }",
        json!({"id": id}),
    )
    .await;
    assert_eq!(
        switched.data()["setPrimaryEmailAddress"]["primaryEmailAddress"]["emailAddress"],
        SECOND
    );
    // A sign-in begun with the address before it goes sends it no code after.
    let mut pending = Frontend::new(&server.url, &server.publishable_key);
    let begun = pending
        .gql(
            "mutation { createSignIn(input: {identifier: \"owner+latchkey_test@example.com\"}) { supportedFirstFactors { strategy emailAddressId } } }",
            json!({}),
        )
        .await;
    let factors = begun.data()["createSignIn"]["supportedFirstFactors"].clone();
    let code_factor = factors
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["strategy"] == "EMAIL_CODE")
        .unwrap()
        .clone();
    assert_eq!(code_factor["emailAddressId"], first.as_str());
    let deleted = as_user(
        &server,
        &jwt,
        "mutation($id: ID!) { deleteEmailAddress(emailAddressId: $id) { id deleted } }",
        json!({"id": first}),
    )
    .await;
    assert_eq!(deleted.data()["deleteEmailAddress"]["deleted"], true);
    let stale = pending
        .gql(
            "mutation($id: ID!) { prepareFirstFactor(strategy: EMAIL_CODE, emailAddressId: $id) { status } }",
            json!({"id": first}),
        )
        .await;
    assert_eq!(stale.code(), "VALIDATION_FAILED", "{}", stale.body);
    assert!(
        stale.body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("no longer an address of this account"),
        "{}",
        stale.body
    );
    let listed = server
        .backend(
            "query($q: String) { users(filter: {query: $q}, orderBy: EMAIL_ADDRESS_ASC) { data { emailAddresses { emailAddress } } } }",
            json!({"q": "owner.second"}),
        )
        .await;
    assert_eq!(
        listed.data()["users"]["data"][0]["emailAddresses"],
        json!([{"emailAddress": SECOND}]),
        "the search text and the list follow the addresses"
    );
    let signed = Frontend::new(&server.url, &server.publishable_key)
        .gql(
            SIGN_IN,
            json!({"i": "owner+latchkey_test@example.com", "p": PASSWORD}),
        )
        .await;
    assert_eq!(
        signed.code(),
        "INVALID_CREDENTIALS",
        "a deleted address signs nobody in"
    );
}

#[tokio::test]
async fn an_unverified_address_reserves_nothing() {
    let server = TestServer::spawn_with(lift_ip_limits).await;
    let (_, _, squatter) = signed_in(&server, "squatter+latchkey_test@example.com").await;
    const VICTIM: &str = "victim+latchkey_test@example.com";
    let claim = as_user(&server, &squatter, CREATE, json!({"e": VICTIM})).await;
    let claim_id = claim.data()["createEmailAddress"]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // The unverified claim neither signs anyone in nor keeps the owner from signing up.
    let nobody = Frontend::new(&server.url, &server.publishable_key)
        .gql(SIGN_IN, json!({"i": VICTIM, "p": PASSWORD}))
        .await;
    assert_eq!(nobody.code(), "INVALID_CREDENTIALS");
    // A code asked for before the owner verified the address does not pass after.
    as_user(&server, &squatter, PREPARE, json!({"id": claim_id}))
        .await
        .data();
    let (_, _, victim) = signed_in(&server, VICTIM).await;
    let taken = as_user(
        &server,
        &squatter,
        ATTEMPT,
        json!({"id": claim_id, "c": "424242"}),
    )
    .await;
    assert_eq!(taken.code(), "IDENTIFIER_EXISTS");
    let again = as_user(&server, &squatter, PREPARE, json!({"id": claim_id})).await;
    assert_eq!(
        again.code(),
        "IDENTIFIER_EXISTS",
        "no code goes to the owner"
    );
    for filter in [
        json!({"emailAddress": [VICTIM]}),
        json!({"query": "victim"}),
    ] {
        let found = server
            .backend(
                "query($f: UserFilterInput) { users(filter: $f) { totalCount data { primaryEmailAddress { emailAddress } } } }",
                json!({"f": filter}),
            )
            .await;
        assert_eq!(
            found.data()["users"],
            json!({"totalCount": 1, "data": [{"primaryEmailAddress": {"emailAddress": VICTIM}}]}),
            "an unverified address finds nobody: {filter}"
        );
    }
    let signed = Frontend::new(&server.url, &server.publishable_key)
        .gql(SIGN_IN, json!({"i": VICTIM, "p": PASSWORD}))
        .await;
    assert_eq!(signed.data()["createSignIn"]["status"], "COMPLETE");
    let new_claim = as_user(
        &server,
        &squatter,
        CREATE,
        json!({"e": VICTIM.to_uppercase()}),
    )
    .await;
    assert_eq!(
        new_claim.code(),
        "IDENTIFIER_EXISTS",
        "a verified address is taken"
    );

    // Another user's address id is not found; the backend may not act as a user.
    let foreign = as_user(&server, &victim, PREPARE, json!({"id": claim_id})).await;
    assert_eq!(foreign.code(), "NOT_FOUND");
    let backend = server.backend(CREATE, json!({"e": "x@example.com"})).await;
    assert_eq!(backend.code(), "FORBIDDEN");
}

#[tokio::test]
async fn a_user_updates_their_profile_and_password() {
    let server = TestServer::spawn_with(lift_ip_limits).await;
    server
        .backend(
            "mutation { updateInstanceSettings(input: {lockout: {maxAttempts: 3}, sessions: {multiSession: true}}) { id } }",
            json!({}),
        )
        .await
        .data();
    const EMAIL: &str = "profile+latchkey_test@example.com";
    let (mut frontend, session, jwt) = signed_in(&server, EMAIL).await;
    let updated = as_user(
        &server,
        &jwt,
        "mutation { updateMe(input: {firstName: \"Pat\", username: \"Pat_Q\", unsafeMetadata: {theme: \"dark\"}}) { firstName username unsafeMetadata } }",
        json!({}),
    )
    .await;
    assert_eq!(
        updated.data()["updateMe"],
        json!({"firstName": "Pat", "username": "pat_q", "unsafeMetadata": {"theme": "dark"}})
    );
    let public = as_user(
        &server,
        &jwt,
        "mutation { updateMe(input: {publicMetadata: {}}) { id } }",
        json!({}),
    )
    .await;
    assert_eq!(
        public.code(),
        "VALIDATION_FAILED",
        "public metadata is the backend's"
    );
    let too_big = as_user(
        &server,
        &jwt,
        "mutation($u: JSON) { updateMe(input: {unsafeMetadata: $u}) { id } }",
        json!({"u": {"blob": "x".repeat(9000)}}),
    )
    .await;
    assert_eq!(
        too_big.extensions()["field"],
        "unsafeMetadata",
        "{}",
        too_big.body
    );

    // Another client of the same user, to be signed out.
    let mut elsewhere = Frontend::new(&server.url, &server.publishable_key);
    let other = elsewhere
        .gql(SIGN_IN, json!({"i": EMAIL, "p": PASSWORD}))
        .await;
    let other_session = other.data()["createSignIn"]["createdSessionId"]
        .as_str()
        .unwrap()
        .to_owned();
    const UPDATE: &str = "mutation($c: String, $n: String!, $o: Boolean) { updatePassword(currentPassword: $c, newPassword: $n, signOutOfOtherSessions: $o) { id passwordEnabled } }";
    let missing = as_user(&server, &jwt, UPDATE, json!({"n": "another passphrase"})).await;
    assert_eq!(missing.extensions()["field"], "currentPassword");
    let weak = as_user(&server, &jwt, UPDATE, json!({"c": PASSWORD, "n": "short"})).await;
    assert_eq!(weak.code(), "PASSWORD_TOO_WEAK");
    let wrong = as_user(
        &server,
        &jwt,
        UPDATE,
        json!({"c": "not it at all", "n": "another passphrase"}),
    )
    .await;
    assert_eq!(wrong.code(), "INVALID_CREDENTIALS");
    let changed = as_user(
        &server,
        &jwt,
        UPDATE,
        json!({"c": PASSWORD, "n": "another passphrase", "o": true}),
    )
    .await;
    assert_eq!(changed.data()["updatePassword"]["passwordEnabled"], true);
    let ended = elsewhere
        .gql(
            "mutation($s: ID!) { createSessionToken(sessionId: $s) { jwt } }",
            json!({"s": other_session}),
        )
        .await;
    assert_eq!(
        ended.code(),
        "SESSION_NOT_ACTIVE",
        "the other session ended"
    );
    frontend.session_jwt(&session).await;
    let old = Frontend::new(&server.url, &server.publishable_key)
        .gql(SIGN_IN, json!({"i": EMAIL, "p": PASSWORD}))
        .await;
    assert_eq!(old.code(), "INVALID_CREDENTIALS");

    // Wrong current passwords count against the lockout, with failed sign-ins: the wrong one
    // above and the old password's sign-in make two, this third one locks (maximum 3).
    let wrong = as_user(
        &server,
        &jwt,
        UPDATE,
        json!({"c": "still not it", "n": "a third passphrase"}),
    )
    .await;
    assert_eq!(wrong.code(), "INVALID_CREDENTIALS");
    let locked = as_user(
        &server,
        &jwt,
        UPDATE,
        json!({"c": "another passphrase", "n": "a third passphrase"}),
    )
    .await;
    assert_eq!(locked.code(), "ACCOUNT_LOCKED");
}

#[tokio::test]
async fn delete_me_works_only_where_the_instance_allows_it() {
    let server = TestServer::spawn_with(lift_ip_limits).await;
    let (_, _, jwt) = signed_in(&server, "goodbye+latchkey_test@example.com").await;
    let settings = |enabled: bool| {
        let server = &server;
        async move {
            server
                .backend(
                    "mutation($e: Boolean) { updateInstanceSettings(input: {users: {deleteSelfEnabled: $e}}) { settings { users { deleteSelfEnabled } } } }",
                    json!({"e": enabled}),
                )
                .await
                .data()["updateInstanceSettings"]["settings"]["users"]["deleteSelfEnabled"]
                .clone()
        }
    };
    assert_eq!(settings(false).await, false);
    let refused = as_user(
        &server,
        &jwt,
        "mutation { deleteMe { deleted } }",
        json!({}),
    )
    .await;
    assert_eq!(refused.code(), "FORBIDDEN");
    assert_eq!(settings(true).await, true);
    let deleted = as_user(
        &server,
        &jwt,
        "mutation { deleteMe { id deleted } }",
        json!({}),
    )
    .await;
    assert_eq!(deleted.data()["deleteMe"]["deleted"], true);
    let after = as_user(&server, &jwt, "{ me { id } }", json!({})).await;
    assert_eq!(after.code(), "UNAUTHENTICATED");
    let count = server.backend("{ usersCount }", json!({})).await;
    assert_eq!(count.data()["usersCount"], 0);
}

#[tokio::test]
async fn codes_sent_and_wrong_codes_count_against_the_address_however_often_it_is_added() {
    let smtp = SmtpServer::start();
    let server = server_with_smtp(&smtp).await;
    let (_, _, jwt) = signed_in(&server, "guesser+latchkey_test@example.com").await;
    const TARGET: &str = "target@example.com";
    const DELETE: &str =
        "mutation($id: ID!) { deleteEmailAddress(emailAddressId: $id) { deleted } }";
    let added_and_prepared = || async {
        let added = as_user(&server, &jwt, CREATE, json!({"e": TARGET})).await;
        let id = added.data()["createEmailAddress"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let prepared = as_user(&server, &jwt, PREPARE, json!({"id": id})).await;
        (id, prepared)
    };
    // Twice: the address added, a code mailed, five wrong guesses, the address deleted.
    for round in 0..2 {
        let (id, prepared) = added_and_prepared().await;
        prepared.data();
        for guess in 1..=5 {
            let wrong = as_user(&server, &jwt, ATTEMPT, json!({"id": id, "c": "000000"})).await;
            let expected = if guess < 5 {
                "CODE_INCORRECT"
            } else {
                "TOO_MANY_ATTEMPTS"
            };
            assert_eq!(wrong.code(), expected, "round {round}, guess {guess}");
        }
        as_user(&server, &jwt, DELETE, json!({"id": id}))
            .await
            .data();
    }
    // A fresh row of the same address gets no fresh guesses: even the right code is refused.
    let (id, prepared) = added_and_prepared().await;
    prepared.data();
    let mail = smtp.wait_for(TARGET, 3, Duration::from_secs(30)).await;
    assert_eq!(mail.len(), 3);
    let refused = as_user(
        &server,
        &jwt,
        ATTEMPT,
        json!({"id": id, "c": mail[2].code()}),
    )
    .await;
    assert_eq!(refused.code(), "TOO_MANY_ATTEMPTS", "{}", refused.body);
    assert!(refused.extensions()["retryAfter"].as_u64().unwrap_or(0) > 0);
    // And a sign-up of the address shares the budget.
    let mut signing_up = Frontend::new(&server.url, &server.publishable_key);
    signing_up
        .gql(
            "mutation($e: String!) { createSignUp(input: {emailAddress: $e, password: \"a sturdy passphrase\"}) { id } }",
            json!({"e": TARGET}),
        )
        .await
        .data();
    signing_up
        .gql(
            "mutation { prepareSignUpVerification(strategy: EMAIL_CODE) { id } }",
            json!({}),
        )
        .await
        .data();
    let by_sign_up = signing_up
        .gql(
            "mutation { attemptSignUpVerification(code: \"000000\") { id } }",
            json!({}),
        )
        .await;
    assert_eq!(by_sign_up.code(), "TOO_MANY_ATTEMPTS");
    // Five codes were mailed to the address (three here, one to the sign-up, one now): the
    // sixth is refused, however often the address is added again.
    as_user(&server, &jwt, DELETE, json!({"id": id}))
        .await
        .data();
    let (id, prepared) = added_and_prepared().await;
    prepared.data();
    as_user(&server, &jwt, DELETE, json!({"id": id}))
        .await
        .data();
    let (_, resent) = added_and_prepared().await;
    assert_eq!(
        resent.code(),
        "RATE_LIMITED",
        "no more codes are sent to it"
    );
    assert_eq!(
        smtp.wait_for(TARGET, 5, Duration::from_secs(30))
            .await
            .len(),
        5
    );
}
