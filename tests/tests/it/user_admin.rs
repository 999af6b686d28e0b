//! The backend's changes to users: createUser (passwords, imported hashes, a second factor),
//! updateUser, metadata merge and replace with their limits and visibility, deleteUser, the
//! checks (verifyPassword, verifyUserTotp, disableUserMfa), and another instance's key.

use std::time::Duration;

use argon2::password_hash::{PasswordHasher as _, SaltString};
use futures_util::StreamExt;
use latchkey_domain::clock::Clock;
use latchkey_tests::server::lift_ip_limits;
use latchkey_tests::subscriber::subscribed;
use latchkey_tests::totp::code_at;
use latchkey_tests::{Auth, Frontend, Response, TestServer};
use serde_json::{Value, json};
use totp_rs::Secret;

const PASSWORD: &str = "a sturdy passphrase";
const CREATE: &str = "mutation($i: CreateUserInput!) { createUser(input: $i) { id externalId username emailAddresses { emailAddress verification { status } } primaryEmailAddress { emailAddress } passwordEnabled totpEnabled backupCodeEnabled } }";
const UPDATE: &str = "mutation($id: ID!, $i: UpdateUserInput!) { updateUser(id: $id, input: $i) { id username firstName lastName externalId primaryEmailAddressId } }";
const MERGE: &str = "mutation($id: ID!, $p: JSON, $r: JSON, $u: JSON) { updateUserMetadata(id: $id, publicMetadata: $p, privateMetadata: $r, unsafeMetadata: $u) { publicMetadata privateMetadata unsafeMetadata } }";
const REPLACE: &str = "mutation($id: ID!, $p: JSON, $r: JSON, $u: JSON) { replaceUserMetadata(id: $id, publicMetadata: $p, privateMetadata: $r, unsafeMetadata: $u) { publicMetadata privateMetadata unsafeMetadata } }";
const VERIFY_PASSWORD: &str =
    "mutation($id: ID!, $p: String!) { verifyPassword(userId: $id, password: $p) { verified } }";
const VERIFY_TOTP: &str = "mutation($id: ID!, $c: String!) { verifyUserTotp(userId: $id, code: $c) { verified codeType } }";
const SIGN_IN: &str = "mutation($i: String!, $p: String!) { createSignIn(input: {identifier: $i, password: $p}) { status } }";

async fn create(server: &TestServer, input: Value) -> Response {
    server.backend(CREATE, json!({"i": input})).await
}

async fn created(server: &TestServer, input: Value) -> Value {
    create(server, input).await.data()["createUser"].clone()
}

/// The status a new client's password sign-in ends in, or its error code.
async fn sign_in(server: &TestServer, identifier: &str, password: &str) -> String {
    let mut frontend = Frontend::new(&server.url, &server.publishable_key);
    let answer = frontend
        .gql(SIGN_IN, json!({"i": identifier, "p": password}))
        .await;
    match answer.body["data"]["createSignIn"]["status"].as_str() {
        Some(status) => status.to_owned(),
        None => answer.code().to_owned(),
    }
}

fn argon2i(password: &str) -> String {
    let salt = SaltString::encode_b64(b"imported salt 16").unwrap();
    argon2::Argon2::new(
        argon2::Algorithm::Argon2i,
        argon2::Version::V0x13,
        argon2::Params::default(),
    )
    .hash_password(password.as_bytes(), &salt)
    .unwrap()
    .to_string()
}

#[tokio::test]
async fn created_users_sign_in_with_their_password_or_an_imported_hash() {
    let server = TestServer::spawn_with(lift_ip_limits).await;
    let user = created(
        &server,
        json!({"emailAddresses": ["Kim@Example.com", "kim.work@example.com"], "password": PASSWORD, "externalId": "crm-7"}),
    )
    .await;
    assert_eq!(user["externalId"], "crm-7");
    assert_eq!(
        user["primaryEmailAddress"]["emailAddress"],
        "Kim@Example.com"
    );
    assert_eq!(
        user["emailAddresses"][1]["verification"]["status"],
        "VERIFIED"
    );
    assert_eq!(user["passwordEnabled"], true);
    assert_eq!(
        sign_in(&server, "kim@example.com", PASSWORD).await,
        "COMPLETE"
    );
    assert_eq!(
        sign_in(&server, "kim.work@example.com", PASSWORD).await,
        "COMPLETE"
    );

    // The policy holds unless skipped.
    let weak = create(&server, json!({"username": "shorty", "password": "short"})).await;
    assert_eq!(weak.code(), "PASSWORD_TOO_WEAK");
    created(
        &server,
        json!({"username": "shorty", "password": "short", "skipPasswordChecks": true}),
    )
    .await;
    assert_eq!(sign_in(&server, "shorty", "short").await, "COMPLETE");

    // Hashes from another system are kept as given and checked at sign-in.
    let bcrypt_hash = bcrypt::hash("from the old system", 4).unwrap();
    created(&server, json!({"username": "bcrypt_user", "passwordDigest": bcrypt_hash, "passwordHasher": "BCRYPT"})).await;
    assert_eq!(
        sign_in(&server, "bcrypt_user", "from the old system").await,
        "COMPLETE"
    );
    assert_eq!(
        sign_in(&server, "bcrypt_user", "not the password").await,
        "INVALID_CREDENTIALS"
    );
    created(&server, json!({"username": "argon_user", "passwordDigest": argon2i("argon2i from before"), "passwordHasher": "ARGON2I"})).await;
    assert_eq!(
        sign_in(&server, "argon_user", "argon2i from before").await,
        "COMPLETE"
    );
    let id = user["id"].as_str().unwrap();
    for (password, verified) in [(PASSWORD, true), ("wrong password", false)] {
        let answer = server
            .backend(VERIFY_PASSWORD, json!({"id": id, "p": password}))
            .await;
        assert_eq!(answer.data()["verifyPassword"]["verified"], verified);
    }
    let no_password = created(&server, json!({"username": "nopassword"})).await;
    let answer = server
        .backend(
            VERIFY_PASSWORD,
            json!({"id": no_password["id"], "p": PASSWORD}),
        )
        .await;
    assert_eq!(answer.data()["verifyPassword"]["verified"], false);
    let unknown = server
        .backend(VERIFY_PASSWORD, json!({"id": "user_nobody", "p": PASSWORD}))
        .await;
    assert_eq!(unknown.code(), "NOT_FOUND");

    // Bad input: a clear code and field, and nothing written.
    for (input, code, field) in [
        (
            json!({"emailAddresses": ["KIM@example.com"]}),
            "IDENTIFIER_EXISTS",
            "emailAddress",
        ),
        (
            json!({"username": "SHORTY"}),
            "IDENTIFIER_EXISTS",
            "username",
        ),
        (
            json!({"username": "other_one", "externalId": "crm-7"}),
            "IDENTIFIER_EXISTS",
            "externalId",
        ),
        (
            json!({"firstName": "Nobody"}),
            "VALIDATION_FAILED",
            "emailAddresses",
        ),
        (
            json!({"emailAddresses": ["not an address"]}),
            "VALIDATION_FAILED",
            "emailAddress",
        ),
        (
            json!({"emailAddresses": ["a@b.co", "A@b.co"]}),
            "VALIDATION_FAILED",
            "emailAddresses",
        ),
        (
            json!({"username": "x_user", "passwordDigest": bcrypt_hash}),
            "VALIDATION_FAILED",
            "passwordHasher",
        ),
        (
            json!({"username": "x_user", "passwordDigest": "plain", "passwordHasher": "ARGON2ID"}),
            "VALIDATION_FAILED",
            "passwordDigest",
        ),
        (
            json!({"username": "x_user", "passwordDigest": bcrypt_hash, "passwordHasher": "ARGON2ID"}),
            "VALIDATION_FAILED",
            "passwordDigest",
        ),
        (
            json!({"username": "x_user", "password": PASSWORD, "passwordDigest": bcrypt_hash, "passwordHasher": "BCRYPT"}),
            "VALIDATION_FAILED",
            "passwordDigest",
        ),
        (
            json!({"username": "x_user", "totpSecret": "JBSWY3DPEHPK3PXP"}),
            "VALIDATION_FAILED",
            "totpSecret",
        ),
        (
            json!({"username": "x_user", "totpSecret": "not base32!"}),
            "VALIDATION_FAILED",
            "totpSecret",
        ),
        (
            json!({"username": "x_user", "backupCodes": ["abc"]}),
            "VALIDATION_FAILED",
            "backupCodes",
        ),
        (
            json!({"username": "x_user", "publicMetadata": [1]}),
            "VALIDATION_FAILED",
            "publicMetadata",
        ),
        (
            json!({"username": "x_user", "externalId": ""}),
            "VALIDATION_FAILED",
            "externalId",
        ),
    ] {
        let answer = create(&server, input.clone()).await;
        assert_eq!(answer.code(), code, "{input}");
        assert_eq!(answer.extensions()["field"], field, "{input}");
    }
    let count = server.backend("{ usersCount }", json!({})).await;
    assert_eq!(
        count.data()["usersCount"],
        5,
        "no failed createUser wrote anything"
    );
}

#[tokio::test]
async fn an_imported_second_factor_guards_sign_in_and_the_backend_checks_and_clears_it() {
    let (server, clock) = TestServer::spawn_with_clock(lift_ip_limits).await;
    let secret = Secret::Raw(b"an imported secret, 32 bytes ok!".to_vec())
        .to_encoded()
        .to_string();
    let user = created(
        &server,
        json!({"username": "two_factor", "password": PASSWORD, "totpSecret": secret.to_lowercase(), "backupCodes": ["first-code", "second-code"]}),
    )
    .await;
    assert_eq!(
        (
            user["totpEnabled"].clone(),
            user["backupCodeEnabled"].clone()
        ),
        (json!(true), json!(true))
    );
    assert_eq!(
        sign_in(&server, "two_factor", PASSWORD).await,
        "NEEDS_SECOND_FACTOR"
    );
    let id = user["id"].as_str().unwrap();
    let verify = |code: String| {
        let server = &server;
        async move {
            server
                .backend(VERIFY_TOTP, json!({"id": id, "c": code}))
                .await
                .data()["verifyUserTotp"]
                .clone()
        }
    };
    assert_eq!(
        verify("000000".into()).await,
        json!({"verified": false, "codeType": null})
    );
    let code = code_at(&secret, clock.now());
    assert_eq!(
        verify(code.clone()).await,
        json!({"verified": true, "codeType": "TOTP"})
    );
    assert_eq!(
        verify(code).await["verified"],
        false,
        "a TOTP step is used once"
    );
    assert_eq!(
        verify("first-code".into()).await,
        json!({"verified": true, "codeType": "BACKUP_CODE"})
    );
    assert_eq!(
        verify("first-code".into()).await["verified"],
        false,
        "a backup code is used once"
    );
    let cleared = server
        .backend("mutation($id: ID!) { disableUserMfa(userId: $id) { totpEnabled backupCodeEnabled twoFactorEnabled } }", json!({"id": id}))
        .await;
    assert_eq!(
        cleared.data()["disableUserMfa"],
        json!({"totpEnabled": false, "backupCodeEnabled": false, "twoFactorEnabled": false})
    );
    assert_eq!(sign_in(&server, "two_factor", PASSWORD).await, "COMPLETE");
}

#[tokio::test]
async fn updates_change_what_they_name_and_metadata_merges_within_its_limits() {
    let server = TestServer::spawn_with(lift_ip_limits).await;
    let (mut frontend, session) = Frontend::signed_up(
        &server.url,
        &server.publishable_key,
        "meta+latchkey_test@example.com",
        PASSWORD,
    )
    .await;
    let me = server
        .backend(
            "query { users(filter: {emailAddress: [\"meta+latchkey_test@example.com\"]}) { data { id primaryEmailAddressId } } }",
            json!({}),
        )
        .await;
    let id = me.data()["users"]["data"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let updated = server
        .backend(UPDATE, json!({"id": id, "i": {"username": "Meta_User", "firstName": "Meta", "lastName": "Data", "externalId": "e-9"}}))
        .await;
    assert_eq!(
        updated.data()["updateUser"]["username"],
        "meta_user",
        "usernames are kept lowercase"
    );
    let search = |q: &'static str| {
        let server = &server;
        async move {
            server
                .backend(
                    "query($q: String) { usersCount(filter: {query: $q}) }",
                    json!({"q": q}),
                )
                .await
                .data()["usersCount"]
                .clone()
        }
    };
    assert_eq!(
        search("meta data").await,
        1,
        "the search text follows an update"
    );
    let cleared = server
        .backend(
            UPDATE,
            json!({"id": id, "i": {"lastName": null, "externalId": null}}),
        )
        .await;
    assert_eq!(cleared.data()["updateUser"]["lastName"], Value::Null);
    assert_eq!(
        cleared.data()["updateUser"]["firstName"],
        "Meta",
        "fields left out stay"
    );
    assert_eq!(cleared.data()["updateUser"]["externalId"], Value::Null);
    assert_eq!(search("meta data").await, 0);
    let other = created(
        &server,
        json!({"emailAddresses": ["other@example.com"], "username": "only_name"}),
    )
    .await;
    let foreign = server
        .backend(
            UPDATE,
            json!({"id": id, "i": {"primaryEmailAddressId": "idn_not_theirs"}}),
        )
        .await;
    assert_eq!(foreign.code(), "VALIDATION_FAILED");
    let taken = server
        .backend(UPDATE, json!({"id": id, "i": {"username": "only_name"}}))
        .await;
    assert_eq!(
        (taken.code(), taken.extensions()["field"].clone()),
        ("IDENTIFIER_EXISTS", json!("username"))
    );
    let name_only = created(&server, json!({"username": "lonely_name"})).await;
    let stranded = server
        .backend(
            UPDATE,
            json!({"id": name_only["id"], "i": {"username": null}}),
        )
        .await;
    assert_eq!(
        stranded.code(),
        "VALIDATION_FAILED",
        "a user keeps an identifier"
    );
    server
        .backend(
            UPDATE,
            json!({"id": id, "i": {"password": "a brand new passphrase"}}),
        )
        .await
        .data();
    let check = server
        .backend(
            VERIFY_PASSWORD,
            json!({"id": id, "p": "a brand new passphrase"}),
        )
        .await;
    assert_eq!(check.data()["verifyPassword"]["verified"], true);

    // Metadata: a deep merge where null deletes; replace; each object at most 8 KiB.
    let merge = |p: Value, r: Value, u: Value| {
        let (server, id) = (&server, id.clone());
        async move {
            server
                .backend(MERGE, json!({"id": id, "p": p, "r": r, "u": u}))
                .await
        }
    };
    merge(
        json!({"plan": {"tier": "pro", "seats": 3}, "beta": true}),
        json!({"stripe": "cus_1"}),
        json!({"theme": "dark"}),
    )
    .await
    .data();
    let merged = merge(
        json!({"plan": {"seats": 5}, "beta": null}),
        Value::Null,
        json!({"lang": "en"}),
    )
    .await;
    assert_eq!(
        merged.data()["updateUserMetadata"],
        json!({"publicMetadata": {"plan": {"tier": "pro", "seats": 5}}, "privateMetadata": {"stripe": "cus_1"}, "unsafeMetadata": {"theme": "dark", "lang": "en"}})
    );
    let big = json!({"blob": "x".repeat(9000)});
    let over = merge(big.clone(), Value::Null, Value::Null).await;
    assert_eq!(
        (over.code(), over.extensions()["field"].clone()),
        ("VALIDATION_FAILED", json!("publicMetadata"))
    );
    let not_object = merge(Value::Null, json!("text"), Value::Null).await;
    assert_eq!(not_object.extensions()["field"], "privateMetadata");
    let replaced = server
        .backend(REPLACE, json!({"id": id, "p": {"only": 1}}))
        .await;
    assert_eq!(
        replaced.data()["replaceUserMetadata"],
        json!({"publicMetadata": {"only": 1}, "privateMetadata": {"stripe": "cus_1"}, "unsafeMetadata": {"theme": "dark", "lang": "en"}}),
        "a refused change wrote nothing; replace takes only what it names"
    );
    let over = server.backend(REPLACE, json!({"id": id, "u": big})).await;
    assert_eq!(over.code(), "VALIDATION_FAILED");

    // Concurrent merges never lose one another.
    let writes = (0..12).map(|i| merge(json!({format!("k{i}"): i}), Value::Null, Value::Null));
    for answer in futures_util::future::join_all(writes).await {
        answer.data();
    }
    let user = server
        .backend(
            "query($id: ID!) { user(id: $id) { publicMetadata } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(
        user.data()["user"]["publicMetadata"]
            .as_object()
            .unwrap()
            .len(),
        13
    );

    // The user reads public and unsafe metadata, never private.
    let jwt = frontend.session_jwt(&session).await;
    let own = server
        .gql(
            Auth::Bearer(&jwt),
            "{ me { publicMetadata unsafeMetadata } }",
            json!({}),
        )
        .await;
    assert_eq!(
        own.data()["me"]["unsafeMetadata"],
        json!({"theme": "dark", "lang": "en"})
    );
    assert_eq!(own.data()["me"]["publicMetadata"]["only"], 1);
    let private = server
        .gql(Auth::Bearer(&jwt), "{ me { privateMetadata } }", json!({}))
        .await;
    assert_eq!(private.code(), "FORBIDDEN");
    let _ = other;
}

#[tokio::test]
async fn deleting_a_user_revokes_its_sessions_and_is_an_event() {
    let server = TestServer::spawn_with(lift_ip_limits).await;
    const EMAIL: &str = "leaving+latchkey_test@example.com";
    let (mut frontend, session) =
        Frontend::signed_up(&server.url, &server.publishable_key, EMAIL, PASSWORD).await;
    let jwt = frontend.session_jwt(&session).await;
    let id = server
        .backend(
            "query($e: String!) { users(filter: {emailAddress: [$e]}) { data { id } } }",
            json!({"e": EMAIL}),
        )
        .await
        .data()["users"]["data"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let key = server
        .backend(
            "mutation($s: String!) { createApiKey(name: \"acts for the user\", subject: $s) { secret } }",
            json!({"s": id}),
        )
        .await
        .data()["createApiKey"]["secret"]
        .as_str()
        .unwrap()
        .to_owned();
    const CHECK_KEY: &str = "mutation($t: String!) { verifyToken(token: $t, acceptsToken: [API_KEY]) { isAuthenticated reason } }";
    let before = server.backend(CHECK_KEY, json!({"t": key})).await;
    assert_eq!(before.data()["verifyToken"]["isAuthenticated"], true);
    // From event 0: `subscribed` returns before the server has registered the subscription,
    // and a change made in between would otherwise be missed (none of these types came before).
    let mut events = subscribed(
        &server.url,
        &server.secret_key,
        "subscription { events(types: [\"session.revoked\", \"user.deleted\"], since: \"0\") { type session { id status } data } }",
    )
    .await;
    let deleted = server
        .backend(
            "mutation($id: ID!) { deleteUser(id: $id) { id deleted } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(
        deleted.data()["deleteUser"],
        json!({"id": id, "deleted": true})
    );
    let mut seen = Vec::new();
    for _ in 0..2 {
        let message = tokio::time::timeout(Duration::from_secs(30), events.next())
            .await
            .expect("the events arrive")
            .unwrap()
            .unwrap();
        let message: Value = serde_json::from_str(message.to_text().unwrap()).unwrap();
        seen.push(message["payload"]["data"]["events"].clone());
    }
    assert_eq!(
        (&seen[0]["type"], &seen[0]["session"]),
        (
            &json!("session.revoked"),
            &json!({"id": session, "status": "REVOKED"})
        )
    );
    assert_eq!(
        (&seen[1]["type"], &seen[1]["data"]),
        (
            &json!("user.deleted"),
            &json!({"object": "user", "id": id, "deleted": true})
        ),
        "a deleted user's event keeps only its id"
    );
    let refresh = frontend
        .gql(
            "mutation($s: ID!) { createSessionToken(sessionId: $s) { jwt } }",
            json!({"s": session}),
        )
        .await;
    assert!(
        refresh.body.get("errors").is_some(),
        "no token for a deleted user's session: {}",
        refresh.body
    );
    let client = frontend
        .gql(
            "{ client { lastActiveSessionId sessions { id } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        client.data()["client"],
        json!({"lastActiveSessionId": null, "sessions": []})
    );
    let after = server.backend(CHECK_KEY, json!({"t": key})).await;
    assert_eq!(
        after.data()["verifyToken"],
        json!({"isAuthenticated": false, "reason": "api-key-revoked"}),
        "the deleted user's API keys are revoked with it"
    );
    let verified = server
        .backend(
            "mutation($t: String!) { verifyToken(token: $t) { isAuthenticated } }",
            json!({"t": jwt}),
        )
        .await;
    assert_eq!(verified.data()["verifyToken"]["isAuthenticated"], false);
    let me = server
        .gql(Auth::Bearer(&jwt), "{ me { id } }", json!({}))
        .await;
    assert_eq!(me.code(), "UNAUTHENTICATED");
    for query in [
        "query($id: ID!) { user(id: $id) { id } }",
        "mutation($id: ID!) { deleteUser(id: $id) { id } }",
    ] {
        assert_eq!(
            server.backend(query, json!({"id": id})).await.code(),
            "NOT_FOUND"
        );
    }
    assert_eq!(
        sign_in(&server, EMAIL, PASSWORD).await,
        "INVALID_CREDENTIALS"
    );
    created(&server, json!({"emailAddresses": [EMAIL]})).await;
    assert_eq!(
        server
            .backend(
                "query($q: String) { usersCount(filter: {query: $q}) }",
                json!({"q": "leaving"})
            )
            .await
            .data()["usersCount"],
        1,
        "the deleted user is out of the search; the new one is in"
    );
}

#[tokio::test]
async fn another_instance_gets_not_found_for_every_user_operation() {
    let server = TestServer::spawn_with(lift_ip_limits).await;
    let user = created(
        &server,
        json!({"emailAddresses": ["mine@example.com"], "password": PASSWORD}),
    )
    .await;
    let id = user["id"].as_str().unwrap();
    let (_, other_key) = server.create_instance_with_key("other").await;
    for query in [
        "query($id: ID!) { user(id: $id) { id } }",
        "mutation($id: ID!) { updateUser(id: $id, input: {firstName: \"Mallory\"}) { id } }",
        "mutation($id: ID!) { updateUserMetadata(id: $id, publicMetadata: {a: 1}) { id } }",
        "mutation($id: ID!) { replaceUserMetadata(id: $id, privateMetadata: {a: 1}) { id } }",
        "mutation($id: ID!) { deleteUser(id: $id) { id } }",
        "mutation($id: ID!) { banUser(id: $id) { id } }",
        "mutation($id: ID!) { lockUser(id: $id) { id } }",
        "mutation($id: ID!) { verifyPassword(userId: $id, password: \"a sturdy passphrase\") { verified } }",
        "mutation($id: ID!) { verifyUserTotp(userId: $id, code: \"123456\") { verified } }",
        "mutation($id: ID!) { disableUserMfa(userId: $id) { id } }",
    ] {
        let answer = server
            .gql(Auth::Bearer(&other_key), query, json!({"id": id}))
            .await;
        assert_eq!(answer.code(), "NOT_FOUND", "{query}");
        assert!(
            answer.body["data"].is_null()
                || answer.body["data"]
                    .as_object()
                    .is_some_and(|d| d.values().all(Value::is_null)),
            "{}",
            answer.body
        );
    }
    let still = server
        .backend("query($id: ID!) { user(id: $id) { firstName banned locked publicMetadata privateMetadata } }", json!({"id": id}))
        .await;
    assert_eq!(
        still.data()["user"],
        json!({"firstName": null, "banned": false, "locked": false, "publicMetadata": {}, "privateMetadata": {}})
    );
}
