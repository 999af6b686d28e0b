//! Sign-up over HTTP against the real server: codes delivered by a real SMTP server, outages,
//! restarts, concurrent attempts, and bad input.

use std::time::Duration;

use latchkey_domain::rate_limit::Quota;
use latchkey_tests::server::lift_ip_limits;
use latchkey_tests::smtp::SmtpServer;
use latchkey_tests::{Frontend, TestServer};
use serde_json::{Value, json};

const SIGN_UP_FIELDS: &str =
    "id status requiredFields optionalFields missingFields unverifiedFields
    emailAddress username firstName lastName createdUserId createdSessionId
    verifications { emailAddress { status strategy attempts expireAt } }";

fn create_sign_up() -> String {
    format!(
        "mutation($input: SignUpInput!) {{ createSignUp(input: $input) {{ {SIGN_UP_FIELDS} }} }}"
    )
}

fn update_sign_up() -> String {
    format!(
        "mutation($input: SignUpInput!) {{ updateSignUp(input: $input) {{ {SIGN_UP_FIELDS} }} }}"
    )
}

fn prepare() -> String {
    format!("mutation {{ prepareSignUpVerification(strategy: EMAIL_CODE) {{ {SIGN_UP_FIELDS} }} }}")
}

fn attempt() -> String {
    format!(
        "mutation($code: String!) {{ attemptSignUpVerification(code: $code) {{ {SIGN_UP_FIELDS} }} }}"
    )
}

const CLIENT: &str = "{ client { id lastActiveSessionId
    signUp { status createdSessionId verifications { emailAddress { status attempts } } }
    sessions { id status user { id primaryEmailAddressId passwordEnabled
        primaryEmailAddress { emailAddress verification { status } }
        emailAddresses { id emailAddress } } } } }";

const PASSWORD: &str = "a sturdy passphrase";

/// A server whose mail goes to `smtp`.
async fn server_with_smtp(smtp: &SmtpServer) -> TestServer {
    let url = smtp.url.clone();
    TestServer::spawn_with(move |config| config.mail.smtp_url = Some(url.clone())).await
}

/// Starts a sign-up with an email address and the password; gives the frontend and the answer.
async fn start(server: &TestServer, email: &str) -> (Frontend, Value) {
    let mut frontend = Frontend::new(&server.url, &server.publishable_key);
    let created = frontend
        .gql(
            &create_sign_up(),
            json!({"input": {"emailAddress": email, "password": PASSWORD}}),
        )
        .await;
    let sign_up = created.data()["createSignUp"].clone();
    assert!(frontend.token.is_some(), "a new client gets its token");
    (frontend, sign_up)
}

#[tokio::test]
async fn a_sign_up_completes_with_the_code_from_a_real_smtp_server() {
    let smtp = SmtpServer::start();
    let server = server_with_smtp(&smtp).await;
    let email = "Jane.Doe@Example.com";
    let mut frontend = Frontend::new(&server.url, &server.publishable_key);
    let created = frontend
        .gql(
            &create_sign_up(),
            json!({"input": {"emailAddress": email, "password": PASSWORD, "firstName": "Jane"}}),
        )
        .await;
    let sign_up = &created.data()["createSignUp"];
    assert_eq!(sign_up["status"], "MISSING_REQUIREMENTS");
    assert_eq!(
        sign_up["requiredFields"],
        json!(["email_address", "password"])
    );
    assert_eq!(
        sign_up["optionalFields"],
        json!(["first_name", "last_name"])
    );
    assert_eq!(sign_up["missingFields"], json!([]));
    assert_eq!(sign_up["unverifiedFields"], json!(["email_address"]));
    assert_eq!(sign_up["emailAddress"], email);
    assert_eq!(
        sign_up["verifications"]["emailAddress"]["status"],
        "UNVERIFIED"
    );
    let cookie = created.headers["set-cookie"].to_str().unwrap().to_owned();
    let token = frontend.token.clone().unwrap();
    assert!(token.starts_with("lkc_") && token.len() > 40, "{token}");
    assert!(
        cookie.starts_with(&format!("__client_{}={token};", server.instance_id)),
        "{cookie}"
    );
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    assert!(
        !cookie.contains("Secure"),
        "no Secure on localhost: {cookie}"
    );

    let prepared = frontend.gql(&prepare(), json!({})).await;
    let verification =
        &prepared.data()["prepareSignUpVerification"]["verifications"]["emailAddress"];
    assert_eq!(verification["strategy"], "EMAIL_CODE");
    assert!(verification["expireAt"].is_string());
    let mail = smtp.wait_for(email, 1, Duration::from_secs(30)).await;
    assert_eq!(
        mail.len(),
        1,
        "one message for {email}: {:?}",
        smtp.received()
    );
    let message = &mail[0];
    assert!(
        message.header("from").unwrap().contains("Development"),
        "{message:?}"
    );
    assert!(
        message.data.contains("It expires in 10 minutes"),
        "{}",
        message.data
    );
    let code = message.code();

    let done = frontend.gql(&attempt(), json!({"code": code})).await;
    let sign_up = &done.data()["attemptSignUpVerification"];
    assert_eq!(sign_up["status"], "COMPLETE", "{sign_up}");
    assert_eq!(sign_up["unverifiedFields"], json!([]));
    assert_eq!(
        sign_up["verifications"]["emailAddress"]["status"],
        "VERIFIED"
    );
    let user_id = sign_up["createdUserId"].as_str().unwrap().to_owned();
    let session_id = sign_up["createdSessionId"].as_str().unwrap().to_owned();
    assert!(user_id.starts_with("user_") && session_id.starts_with("sess_"));

    let client = frontend.gql(CLIENT, json!({})).await;
    let client = &client.data()["client"];
    assert_eq!(client["lastActiveSessionId"], session_id.as_str());
    let session = &client["sessions"][0];
    assert_eq!(session["id"], session_id.as_str());
    assert_eq!(session["status"], "ACTIVE");
    let user = &session["user"];
    assert_eq!(user["id"], user_id.as_str());
    assert_eq!(user["passwordEnabled"], true);
    assert_eq!(user["primaryEmailAddress"]["emailAddress"], email);
    assert_eq!(
        user["primaryEmailAddress"]["verification"]["status"],
        "VERIFIED"
    );
    assert_eq!(
        user["primaryEmailAddressId"],
        user["emailAddresses"][0]["id"]
    );

    // What is stored: an argon2id hash with OWASP's parameters, nothing of the code or bodies.
    let db = &server.db;
    let hash = db
        .scalar(&format!(
            "SELECT password_hash FROM users WHERE id = '{user_id}'"
        ))
        .await
        .unwrap();
    assert!(
        hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "{hash}"
    );
    assert_eq!(db.scalar("SELECT password_hash FROM sign_ups").await, None);
    assert_eq!(db.scalar("SELECT code_hash FROM sign_ups").await, None);
    assert_eq!(
        db.scalar("SELECT status FROM mail_outbox").await.unwrap(),
        "sent"
    );
    assert_eq!(db.scalar("SELECT text_body FROM mail_outbox").await, None);
    assert_eq!(
        db.scalar("SELECT subject FROM mail_outbox").await.unwrap(),
        "[redacted]",
        "the code in the subject does not stay either"
    );
    let stored_token = db.scalar("SELECT token_hash FROM clients").await.unwrap();
    assert_ne!(stored_token, token, "the client token is stored hashed");
}

#[tokio::test]
async fn mail_prepared_while_smtp_is_down_arrives_exactly_once_when_it_is_back() {
    let smtp = SmtpServer::start();
    smtp.set_down(true);
    let server = server_with_smtp(&smtp).await;
    let email = "outage@example.com";
    let (mut frontend, _) = start(&server, email).await;
    frontend.gql(&prepare(), json!({})).await.data();
    // Wait until the mailer has tried and been refused at least once.
    let attempts = "SELECT attempts FROM mail_outbox";
    let db = &server.db;
    db.wait_until(attempts, |n| n != "0", "the mailer never tried")
        .await;
    assert_eq!(
        server
            .db
            .scalar("SELECT status FROM mail_outbox")
            .await
            .unwrap(),
        "pending"
    );
    assert!(smtp.received().is_empty());

    smtp.set_down(false);
    let mail = smtp.wait_for(email, 1, Duration::from_secs(30)).await;
    assert_eq!(mail.len(), 1, "the mail arrives once the server is back");
    // Once it is marked sent nothing can send it again: then there must be exactly one.
    let status = "SELECT status FROM mail_outbox";
    db.wait_until(status, |s| s == "sent", "never marked sent")
        .await;
    assert_eq!(smtp.received_for(email).len(), 1, "sent exactly once");
    let code = mail[0].code();
    let done = frontend.gql(&attempt(), json!({"code": code})).await;
    assert_eq!(
        done.data()["attemptSignUpVerification"]["status"],
        "COMPLETE"
    );
}

#[tokio::test]
async fn pending_mail_is_sent_after_a_restart() {
    let smtp = SmtpServer::start();
    smtp.set_down(true);
    let server = server_with_smtp(&smtp).await;
    let email = "restart-mail@example.com";
    let (mut frontend, _) = start(&server, email).await;
    frontend.gql(&prepare(), json!({})).await.data();
    let server = server.restart().await;
    assert_eq!(
        server
            .db
            .scalar("SELECT status FROM mail_outbox")
            .await
            .unwrap(),
        "pending"
    );
    smtp.set_down(false);
    let mail = smtp.wait_for(email, 1, Duration::from_secs(30)).await;
    assert_eq!(mail.len(), 1, "the new process resumes the outbox");
}

#[tokio::test]
async fn a_sign_up_survives_a_restart_between_prepare_and_attempt() {
    let smtp = SmtpServer::start();
    let url = smtp.url.clone();
    let server = TestServer::spawn_with(move |config| {
        config.mail.smtp_url = Some(url.clone());
        config.mail.from_domains = vec!["acme.test".to_owned()];
    })
    .await;
    let foreign = server
        .backend(
            r#"mutation { updateInstanceSettings(input: { mail: { fromAddress: "ceo@bank.example" } }) { id } }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        foreign.code(),
        "VALIDATION_FAILED",
        "no sending as someone else"
    );
    assert_eq!(foreign.extensions()["field"], "mail.fromAddress");
    server
        .backend(
            r#"mutation { updateInstanceSettings(input: { mail: { fromAddress: "hello@acme.test", fromName: "Acme Accounts" } }) { id } }"#,
            json!({}),
        )
        .await
        .data();
    let email = "restart@example.com";
    let (mut frontend, _) = start(&server, email).await;
    frontend.gql(&prepare(), json!({})).await.data();
    let mail = smtp.wait_for(email, 1, Duration::from_secs(30)).await;
    let from = mail[0].header("from").unwrap();
    assert!(
        from.contains("Acme Accounts") && from.contains("<hello@acme.test>"),
        "the instance's own sender: {from}"
    );
    let code = mail[0].code();

    let server = server.restart().await;
    frontend.url = server.url.clone();
    let done = frontend.gql(&attempt(), json!({"code": code})).await;
    let sign_up = &done.data()["attemptSignUpVerification"];
    assert_eq!(sign_up["status"], "COMPLETE", "{sign_up}");
    let client = frontend.gql(CLIENT, json!({})).await;
    assert_eq!(client.data()["client"]["sessions"][0]["status"], "ACTIVE");
}

#[tokio::test]
async fn fifty_concurrent_wrong_codes_count_five_and_the_right_one_is_too_late() {
    let server = TestServer::spawn_with(|config| {
        config.rate_limits.attempt = Quota::new(1000, 10);
    })
    .await;
    // A development test address: the code is 424242 and no mail is sent.
    let (mut frontend, _) = start(&server, "racer+latchkey_test@example.com").await;
    frontend.gql(&prepare(), json!({})).await.data();

    let long = frontend
        .gql(&attempt(), json!({"code": "1".repeat(33)}))
        .await;
    assert_eq!(
        long.code(),
        "VALIDATION_FAILED",
        "not a code: refused, not counted"
    );
    assert_eq!(long.extensions()["field"], "code");
    let tasks: Vec<_> = (0..50)
        .map(|_| {
            let frontend = frontend.clone();
            tokio::spawn(async move { frontend.post(&attempt(), json!({"code": "000000"})).await })
        })
        .collect();
    let mut incorrect = 0;
    let mut too_many = 0;
    for task in tasks {
        match task.await.unwrap().code() {
            "CODE_INCORRECT" => incorrect += 1,
            "TOO_MANY_ATTEMPTS" => too_many += 1,
            other => panic!("unexpected {other}"),
        }
    }
    assert_eq!(
        (incorrect, too_many),
        (4, 46),
        "four wrong, the fifth fails it, 45 refused"
    );
    let client = frontend.gql(CLIENT, json!({})).await;
    let verification = &client.data()["client"]["signUp"]["verifications"]["emailAddress"];
    assert_eq!(verification["attempts"], 5, "exactly five counted");
    assert_eq!(verification["status"], "FAILED");

    let late = frontend.gql(&attempt(), json!({"code": "424242"})).await;
    assert_eq!(late.code(), "TOO_MANY_ATTEMPTS");
    assert_eq!(server.db.count("users").await, 0);
    assert_eq!(
        server.db.count("mail_outbox").await,
        0,
        "test addresses get no mail"
    );
}

#[tokio::test]
async fn test_addresses_take_the_fixed_code_on_development_instances_only() {
    let smtp = SmtpServer::start();
    let server = server_with_smtp(&smtp).await;
    let (mut dev, _) = start(&server, "dev+latchkey_test@example.com").await;
    dev.gql(&prepare(), json!({})).await.data();
    let done = dev.gql(&attempt(), json!({"code": "424242"})).await;
    assert_eq!(
        done.data()["attemptSignUpVerification"]["status"],
        "COMPLETE"
    );
    assert_eq!(server.db.count("mail_outbox").await, 0);

    let live_pk = server.create_instance("Live", "PRODUCTION").await;
    let email = "live+latchkey_test@example.com";
    let mut frontend = Frontend::new(&server.url, &live_pk);
    frontend
        .gql(
            &create_sign_up(),
            json!({"input": {"emailAddress": email, "password": PASSWORD}}),
        )
        .await
        .data();
    frontend.gql(&prepare(), json!({})).await.data();
    let wrong = frontend.gql(&attempt(), json!({"code": "424242"})).await;
    assert_eq!(
        wrong.code(),
        "CODE_INCORRECT",
        "live instances have no test code"
    );
    let mail = smtp.wait_for(email, 1, Duration::from_secs(30)).await;
    assert_eq!(
        mail.len(),
        1,
        "a live instance mails test addresses like any other"
    );
    assert!(mail[0].header("from").unwrap().contains("Live"));
}

#[tokio::test]
async fn required_fields_follow_the_instance_settings() {
    let server =
        TestServer::spawn_with(|config| config.rate_limits.sign_up = Quota::new(100, 10)).await;
    server
        .backend(
            r#"mutation { updateInstanceSettings(input: { signUp: { username: REQUIRED, firstName: REQUIRED, lastName: OFF } }) { id } }"#,
            json!({}),
        )
        .await
        .data();
    let (mut frontend, sign_up) = start(&server, "fields+latchkey_test@example.com").await;
    assert_eq!(
        sign_up["requiredFields"],
        json!(["email_address", "username", "password", "first_name"])
    );
    assert_eq!(sign_up["optionalFields"], json!([]));
    assert_eq!(sign_up["missingFields"], json!(["username", "first_name"]));
    let off = frontend
        .gql(&update_sign_up(), json!({"input": {"lastName": "Doe"}}))
        .await;
    assert_eq!(off.code(), "VALIDATION_FAILED");
    assert_eq!(off.extensions()["field"], "lastName");
    frontend.gql(&prepare(), json!({})).await.data();
    let verified = frontend.gql(&attempt(), json!({"code": "424242"})).await;
    let sign_up = &verified.data()["attemptSignUpVerification"];
    assert_eq!(
        sign_up["status"], "MISSING_REQUIREMENTS",
        "verified but still missing fields"
    );
    assert_eq!(sign_up["unverifiedFields"], json!([]));
    let updated = frontend
        .gql(
            &update_sign_up(),
            json!({"input": {"username": "Jane_Doe", "firstName": "Jane"}}),
        )
        .await;
    let sign_up = &updated.data()["updateSignUp"];
    assert_eq!(sign_up["status"], "COMPLETE", "{sign_up}");
    assert_eq!(sign_up["username"], "jane_doe");
    let again = frontend
        .gql(&update_sign_up(), json!({"input": {"firstName": "Janet"}}))
        .await;
    assert_eq!(
        again.code(),
        "VALIDATION_FAILED",
        "a complete sign-up is closed"
    );
}

#[tokio::test]
async fn restricted_instances_refuse_sign_up() {
    let server = TestServer::spawn().await;
    server
        .backend(
            r#"mutation { updateInstanceSettings(input: { signUp: { mode: RESTRICTED } }) { id } }"#,
            json!({}),
        )
        .await
        .data();
    let mut frontend = Frontend::new(&server.url, &server.publishable_key);
    let refused = frontend
        .gql(
            &create_sign_up(),
            json!({"input": {"emailAddress": "a@example.com", "password": PASSWORD}}),
        )
        .await;
    assert_eq!(refused.code(), "FORBIDDEN");
    assert_eq!(server.db.count("clients").await, 0);
}

#[tokio::test]
async fn bad_input_gets_its_code_and_writes_nothing() {
    let server =
        TestServer::spawn_with(|config| config.rate_limits.sign_up = Quota::new(100, 10)).await;
    let too_long = "x".repeat(300);
    let cases = [
        (
            json!({"emailAddress": "not-an-email", "password": PASSWORD}),
            "VALIDATION_FAILED",
            Some("emailAddress"),
        ),
        (
            json!({"emailAddress": format!("{too_long}@example.com"), "password": PASSWORD}),
            "VALIDATION_FAILED",
            Some("emailAddress"),
        ),
        (
            json!({"emailAddress": "a@example.com", "password": PASSWORD, "firstName": too_long}),
            "VALIDATION_FAILED",
            Some("firstName"),
        ),
        (
            json!({"emailAddress": "a@example.com", "password": "x".repeat(200)}),
            "VALIDATION_FAILED",
            Some("password"),
        ),
        (
            json!({"emailAddress": "a@example.com", "password": "short"}),
            "PASSWORD_TOO_WEAK",
            None,
        ),
        (
            json!({"emailAddress": "a@example.com", "password": "password123"}),
            "PASSWORD_COMPROMISED",
            None,
        ),
        (
            json!({"emailAddress": "a@example.com", "password": "a@example.com"}),
            "PASSWORD_TOO_WEAK",
            None,
        ),
        (
            json!({"emailAddress": "a@example.com", "password": PASSWORD, "username": "me"}),
            "VALIDATION_FAILED",
            Some("username"),
        ),
        (
            json!({"emailAddress": "a@example.com", "password": PASSWORD, "unsafeMetadata": [1]}),
            "VALIDATION_FAILED",
            Some("unsafeMetadata"),
        ),
    ];
    for (input, code, field) in cases {
        let mut frontend = Frontend::new(&server.url, &server.publishable_key);
        let answer = frontend
            .gql(&create_sign_up(), json!({"input": input}))
            .await;
        assert_eq!(answer.code(), code, "{input}: {}", answer.body);
        if let Some(field) = field {
            assert_eq!(answer.extensions()["field"], field, "{input}");
        }
        assert!(
            frontend.token.is_none(),
            "no client is handed out for a refused sign-up"
        );
    }
    let mut frontend = Frontend::new(&server.url, &server.publishable_key);
    let unknown = frontend
        .gql(
            "mutation { prepareSignUpVerification(strategy: SMS_CODE) { id } }",
            json!({}),
        )
        .await;
    assert_eq!(unknown.code(), "VALIDATION_FAILED");
    let no_sign_up = frontend.gql(&prepare(), json!({})).await;
    assert_eq!(no_sign_up.code(), "NOT_FOUND");
    let no_key = server
        .gql(
            latchkey_tests::Auth::None,
            &create_sign_up(),
            json!({"input": {"emailAddress": "a@example.com"}}),
        )
        .await;
    assert_eq!(no_key.code(), "UNAUTHENTICATED");
    let wrong_key = server
        .gql(
            latchkey_tests::Auth::Publishable("pk_test_unknown"),
            &create_sign_up(),
            json!({"input": {"emailAddress": "a@example.com"}}),
        )
        .await;
    assert_eq!(wrong_key.code(), "UNAUTHENTICATED");
    for table in [
        "clients",
        "sign_ups",
        "users",
        "email_addresses",
        "sessions",
        "mail_outbox",
    ] {
        assert_eq!(server.db.count(table).await, 0, "{table} is empty");
    }
}

#[tokio::test]
async fn a_taken_email_or_username_is_refused_case_insensitively_per_instance() {
    let server =
        TestServer::spawn_with(|config| config.rate_limits.sign_up = Quota::new(100, 10)).await;
    server
        .backend(
            r#"mutation { updateInstanceSettings(input: { signUp: { username: OPTIONAL } }) { id } }"#,
            json!({}),
        )
        .await
        .data();
    let (mut first, _) = start(&server, "taken+latchkey_test@example.com").await;
    first
        .gql(
            &update_sign_up(),
            json!({"input": {"username": "taken_name"}}),
        )
        .await
        .data();
    first.gql(&prepare(), json!({})).await.data();
    first
        .gql(&attempt(), json!({"code": "424242"}))
        .await
        .data();

    let mut second = Frontend::new(&server.url, &server.publishable_key);
    let email = second
        .gql(
            &create_sign_up(),
            json!({"input": {"emailAddress": "TAKEN+latchkey_test@EXAMPLE.com", "password": PASSWORD}}),
        )
        .await;
    assert_eq!(email.code(), "IDENTIFIER_EXISTS");
    assert_eq!(email.extensions()["field"], "emailAddress");
    let username = second
        .gql(
            &create_sign_up(),
            json!({"input": {"emailAddress": "other@example.com", "password": PASSWORD, "username": "Taken_Name"}}),
        )
        .await;
    assert_eq!(username.code(), "IDENTIFIER_EXISTS");
    assert_eq!(username.extensions()["field"], "username");

    // Another instance has its own users: the same address signs up there.
    let other_pk = server.create_instance("Other", "DEVELOPMENT").await;
    let mut elsewhere = Frontend::new(&server.url, &other_pk);
    elsewhere
        .gql(
            &create_sign_up(),
            json!({"input": {"emailAddress": "taken+latchkey_test@example.com", "password": PASSWORD}}),
        )
        .await
        .data();
    elsewhere.gql(&prepare(), json!({})).await.data();
    let done = elsewhere.gql(&attempt(), json!({"code": "424242"})).await;
    assert_eq!(
        done.data()["attemptSignUpVerification"]["status"],
        "COMPLETE"
    );

    // A client token of one instance means nothing to another: no client there, and a sign-up
    // sent with it starts a new client of that instance.
    let mut crossing = first.clone();
    crossing.publishable_key = other_pk;
    let client = crossing.gql(CLIENT, json!({})).await;
    assert_eq!(client.data()["client"], Value::Null);
    crossing
        .gql(
            &create_sign_up(),
            json!({"input": {"emailAddress": "crossing@example.com", "password": PASSWORD}}),
        )
        .await
        .data();
    assert_ne!(
        crossing.token, first.token,
        "a new client, with its own token"
    );
    let mine = first.gql(CLIENT, json!({})).await;
    assert_eq!(mine.data()["client"]["signUp"]["status"], "COMPLETE");
}

#[tokio::test]
async fn two_sign_ups_racing_for_one_address_make_one_user() {
    let server =
        TestServer::spawn_with(|config| config.rate_limits.attempt = Quota::new(100, 10)).await;
    let email = "race+latchkey_test@example.com";
    let (mut a, _) = start(&server, email).await;
    let (mut b, _) = start(&server, email).await;
    a.gql(&prepare(), json!({})).await.data();
    b.gql(&prepare(), json!({})).await.data();
    let query = attempt();
    let (ra, rb) = tokio::join!(
        a.post(&query, json!({"code": "424242"})),
        b.post(&query, json!({"code": "424242"}))
    );
    let mut outcomes = [ra, rb].map(|r| {
        r.body["errors"][0]["extensions"]["code"]
            .as_str()
            .unwrap_or("COMPLETE")
            .to_owned()
    });
    outcomes.sort();
    assert_eq!(outcomes, ["COMPLETE", "IDENTIFIER_EXISTS"]);
    assert_eq!(server.db.count("users").await, 1);
    assert_eq!(server.db.count("sessions").await, 1);
}

#[tokio::test]
async fn a_sign_up_cannot_finish_once_the_instance_is_restricted() {
    let server = TestServer::spawn().await;
    let (mut frontend, _) = start(&server, "late+latchkey_test@example.com").await;
    frontend.gql(&prepare(), json!({})).await.data();
    server
        .backend(
            r#"mutation { updateInstanceSettings(input: { signUp: { mode: RESTRICTED } }) { id } }"#,
            json!({}),
        )
        .await
        .data();
    let refused = frontend.gql(&attempt(), json!({"code": "424242"})).await;
    assert_eq!(refused.code(), "FORBIDDEN");
    assert_eq!(server.db.count("users").await, 0);
}

#[tokio::test]
async fn without_smtp_development_mail_goes_to_the_log_and_live_mail_waits() {
    let server = TestServer::spawn().await;
    let (mut dev, _) = start(&server, "dev-log@example.com").await;
    dev.gql(&prepare(), json!({})).await.data();
    let live_pk = server.create_instance("Live", "PRODUCTION").await;
    let mut live = Frontend::new(&server.url, &live_pk);
    live.gql(
        &create_sign_up(),
        json!({"input": {"emailAddress": "live-log@example.com", "password": PASSWORD}}),
    )
    .await
    .data();
    live.gql(&prepare(), json!({})).await.data();
    let status = |to: &str| format!("SELECT status FROM mail_outbox WHERE to_address = '{to}'");
    let attempts = |to: &str| format!("SELECT attempts FROM mail_outbox WHERE to_address = '{to}'");
    let db = &server.db;
    db.wait_until(
        &status("dev-log@example.com"),
        |s| s == "sent",
        "dev mail never sent",
    )
    .await;
    let live_attempts = attempts("live-log@example.com");
    db.wait_until(&live_attempts, |n| n != "0", "live mail never tried")
        .await;
    assert_eq!(
        server
            .db
            .scalar(&status("live-log@example.com"))
            .await
            .unwrap(),
        "pending",
        "a live instance's code never goes to the log: it waits for an SMTP server"
    );
    let error = server
        .db
        .scalar("SELECT last_error FROM mail_outbox WHERE to_address = 'live-log@example.com'")
        .await
        .unwrap();
    assert!(error.contains("LATCHKEY_SMTP_URL"), "{error}");
}

#[tokio::test]
async fn the_client_cookie_identifies_the_client_like_the_header() {
    let server = TestServer::spawn().await;
    let (frontend, _) = start(&server, "cookie+latchkey_test@example.com").await;
    let token = frontend.token.unwrap();
    let answer: Value = reqwest::Client::new()
        .post(format!("{}/graphql", server.url))
        .header("latchkey-publishable-key", &server.publishable_key)
        .header("cookie", format!("__client_{}={token}", server.instance_id))
        .json(&json!({"query": "{ client { signUp { emailAddress } } }"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        answer["data"]["client"]["signUp"]["emailAddress"],
        "cookie+latchkey_test@example.com"
    );
    let none = Frontend::new(&server.url, &server.publishable_key)
        .gql("{ client { id } }", json!({}))
        .await;
    assert_eq!(
        none.data()["client"],
        Value::Null,
        "no token, no client: none is created"
    );
    assert_eq!(server.db.count("clients").await, 1);
}

#[tokio::test]
async fn two_instances_on_one_site_keep_their_own_clients_in_one_cookie_jar() {
    let server = TestServer::spawn().await;
    let (other_pk, _) = server.create_instance_with_key("second app").await;
    let mut jar = CookieJar::default();
    for (pk, email) in [
        (&server.publishable_key, "first+latchkey_test@example.com"),
        (&other_pk, "second+latchkey_test@example.com"),
    ] {
        let created = jar
            .post(
                &server.url,
                pk,
                &create_sign_up(),
                json!({"input": {"emailAddress": email, "password": PASSWORD}}),
            )
            .await;
        assert_eq!(created["data"]["createSignUp"]["emailAddress"], email);
    }
    assert_eq!(
        jar.cookies.len(),
        2,
        "one cookie per instance: {:?}",
        jar.cookies
    );
    // Each instance finds its own client in the jar, whichever wrote last.
    for (pk, email) in [
        (&server.publishable_key, "first+latchkey_test@example.com"),
        (&other_pk, "second+latchkey_test@example.com"),
    ] {
        let client = jar
            .post(
                &server.url,
                pk,
                "{ client { signUp { emailAddress } } }",
                json!({}),
            )
            .await;
        assert_eq!(client["data"]["client"]["signUp"]["emailAddress"], email);
    }
    assert_eq!(server.db.count("clients").await, 2);
}

/// A browser's cookie jar for one host: what `Set-Cookie` set, sent back with every request.
#[derive(Default)]
struct CookieJar {
    cookies: std::collections::BTreeMap<String, String>,
}

impl CookieJar {
    /// Posts an operation as a frontend of `publishable_key`, sending the jar's cookies and
    /// keeping the ones set.
    async fn post(
        &mut self,
        url: &str,
        publishable_key: &str,
        query: &str,
        variables: Value,
    ) -> Value {
        let cookie: Vec<String> = self
            .cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        let response = reqwest::Client::new()
            .post(format!("{url}/graphql"))
            .header("latchkey-publishable-key", publishable_key)
            .header("cookie", cookie.join("; "))
            .json(&json!({"query": query, "variables": variables}))
            .send()
            .await
            .unwrap();
        for set in response.headers().get_all("set-cookie") {
            let pair = set.to_str().unwrap().split(';').next().unwrap();
            let (name, value) = pair.split_once('=').unwrap();
            self.cookies.insert(name.to_owned(), value.to_owned());
        }
        response.json().await.unwrap()
    }
}

#[tokio::test]
async fn a_new_code_is_refused_within_the_resend_interval() {
    let server = TestServer::spawn().await;
    let (mut frontend, _) = start(&server, "resend+latchkey_test@example.com").await;
    frontend.gql(&prepare(), json!({})).await.data();
    let again = frontend.gql(&prepare(), json!({})).await;
    assert_eq!(again.code(), "RATE_LIMITED");
    let retry_after = again.extensions()["retryAfter"].as_u64().unwrap();
    assert!((1..=30).contains(&retry_after), "{retry_after}");
}

/// A server with a test clock whose mail goes to `smtp`, without the per-IP limits (a test
/// speaks from one address; these limits are per address of mail).
async fn server_with_clock_and_smtp(
    smtp: &SmtpServer,
) -> (
    TestServer,
    std::sync::Arc<latchkey_domain::clock::ManualClock>,
) {
    let url = smtp.url.clone();
    TestServer::spawn_with_clock(move |config| {
        lift_ip_limits(config);
        config.mail.smtp_url = Some(url.clone());
    })
    .await
}

#[tokio::test]
async fn wrong_codes_for_one_address_are_bounded_across_sign_ups_clients_and_nodes() {
    let smtp = SmtpServer::start();
    let (server, clock) = server_with_clock_and_smtp(&smtp).await;
    let other_node = server.another_node().await;
    let victim = "victim@example.com";
    // A stranger signs up with someone else's address on a fresh client each time, through
    // either node, and spends each mailed code on five wrong guesses.
    for (round, node) in [&server, &other_node].into_iter().enumerate() {
        let (mut stranger, _) = start(node, victim).await;
        stranger.gql(&prepare(), json!({})).await.data();
        for guess in 1..=5 {
            let wrong = stranger.gql(&attempt(), json!({"code": "000000"})).await;
            let expected = if guess < 5 {
                "CODE_INCORRECT"
            } else {
                "TOO_MANY_ATTEMPTS"
            };
            assert_eq!(wrong.code(), expected, "round {round}, guess {guess}");
        }
    }
    // Ten wrong codes: the address's budget is spent, whatever the client, node or code. The
    // next guess is refused before it is checked, and says when to come back.
    let (mut stranger, _) = start(&server, victim).await;
    stranger.gql(&prepare(), json!({})).await.data();
    let refused = stranger.gql(&attempt(), json!({"code": "000000"})).await;
    assert_eq!(refused.code(), "TOO_MANY_ATTEMPTS", "{}", refused.body);
    let retry_after = refused.extensions()["retryAfter"].as_i64().unwrap_or(0);
    assert!(
        (1..=30 * 60).contains(&retry_after),
        "one more guess within half an hour: {retry_after}"
    );
    let client = stranger.gql(CLIENT, json!({})).await;
    assert_eq!(
        client.data()["client"]["signUp"]["verifications"]["emailAddress"]["attempts"],
        0,
        "the refused guess was not checked"
    );
    // Even the right code waits: no code of the address is checked now.
    let mail = smtp.wait_for(victim, 3, Duration::from_secs(30)).await;
    assert_eq!(mail.len(), 3);
    let right = stranger
        .gql(&attempt(), json!({"code": mail[2].code()}))
        .await;
    assert_eq!(right.code(), "TOO_MANY_ATTEMPTS");
    assert_eq!(server.db.count("users").await, 0);

    // The address's owner waits at most `retryAfter`, then signs up with a fresh code.
    clock.advance(chrono::Duration::seconds(retry_after));
    let (mut owner, _) = start(&other_node, victim).await;
    owner.gql(&prepare(), json!({})).await.data();
    let mail = smtp.wait_for(victim, 4, Duration::from_secs(30)).await;
    assert_eq!(mail.len(), 4);
    let done = owner.gql(&attempt(), json!({"code": mail[3].code()})).await;
    assert_eq!(
        done.data()["attemptSignUpVerification"]["status"],
        "COMPLETE"
    );
    assert_eq!(
        server
            .db
            .scalar("SELECT COUNT(*) FROM attempt_budgets")
            .await
            .as_deref()
            .map(|n| n != "0"),
        Some(true),
        "the budgets are rows of their own"
    );
    let stored = server
        .db
        .scalar("SELECT MIN(key) FROM attempt_budgets")
        .await
        .unwrap_or_default();
    assert!(
        !stored.contains("victim"),
        "keys are keyed hashes: {stored}"
    );
}

#[tokio::test]
async fn codes_mailed_to_one_address_are_limited_whoever_asks() {
    let smtp = SmtpServer::start();
    let (server, clock) = server_with_clock_and_smtp(&smtp).await;
    let victim = "inbox@example.com";
    // Five sign-ups (each its own client, so no resend interval applies) get their codes.
    for n in 0..5 {
        let (mut stranger, _) = start(&server, victim).await;
        let prepared = stranger.gql(&prepare(), json!({})).await;
        assert!(
            prepared.body.get("errors").is_none(),
            "code {n}: {}",
            prepared.body
        );
    }
    // The sixth code for the address is refused, asked for by a sign-up or by a sign-in (where
    // nobody holds the address: counted all the same, so the answer tells nothing).
    let (mut stranger, _) = start(&server, victim).await;
    let refused = stranger.gql(&prepare(), json!({})).await;
    assert_eq!(refused.code(), "RATE_LIMITED", "{}", refused.body);
    let retry_after = refused.extensions()["retryAfter"].as_i64().unwrap_or(0);
    assert!((1..=12 * 60).contains(&retry_after), "{retry_after}");
    let mut signing_in = Frontend::new(&server.url, &server.publishable_key);
    let by_sign_in = signing_in
        .gql(
            "mutation($i: String!) { createSignIn(input: {identifier: $i, strategy: EMAIL_CODE}) { id } }",
            json!({"i": victim}),
        )
        .await;
    assert_eq!(by_sign_in.code(), "RATE_LIMITED", "{}", by_sign_in.body);
    // After the wait, one more.
    clock.advance(chrono::Duration::seconds(retry_after));
    stranger.gql(&prepare(), json!({})).await.data();
    let mail = smtp.wait_for(victim, 6, Duration::from_secs(30)).await;
    assert_eq!(mail.len(), 6, "six codes mailed in all");
}
