//! Starting, restarting and stopping the server, as a process and in-process.

use latchkey_tests::process;
use latchkey_tests::{Auth, TestDb, TestServer, gql};
use serde_json::json;

use crate::BIN;

#[tokio::test]
async fn a_first_start_in_an_empty_directory_creates_the_development_instance() {
    let db = TestDb::new().await;
    // On SQLite no DATABASE_URL is given: the embedded default is the point.
    let url = db.is_postgres().then_some(db.url.as_str());
    let server = process::serve(BIN, db.dir.path(), url, &[("LATCHKEY_NOT_A_SETTING", "1")]).await;
    let publishable = server
        .printed_value("Publishable key:")
        .expect("the publishable key is printed");
    let secret = server
        .printed_value("Secret key:")
        .expect("the secret key is printed");
    let admin = server
        .printed_value("Platform admin token:")
        .expect("the admin token is printed");
    assert!(publishable.starts_with("pk_test_"), "{publishable}");
    assert!(secret.starts_with("sk_test_"), "{secret}");
    let portal = server
        .printed_value("Account Portal:")
        .expect("the portal's URL is printed");
    if !db.is_postgres() {
        assert!(
            db.dir.path().join("latchkey.db").exists(),
            "latchkey.db is created in the working directory"
        );
    }

    let answer = gql::post(
        &server.url,
        Auth::Bearer(&secret),
        "{ instance { id environment publishableKey } }",
        json!({}),
    )
    .await;
    let instance = &answer.data()["instance"];
    let expected = format!(
        "{}/i/{}/sign-in",
        server.url,
        instance["id"].as_str().unwrap()
    );
    assert_eq!(portal, expected);
    assert_eq!(instance["environment"], "DEVELOPMENT");
    assert_eq!(instance["publishableKey"], publishable.as_str());
    let listed = gql::post(
        &server.url,
        Auth::Bearer(&admin),
        "{ instances { id } }",
        json!({}),
    )
    .await;
    assert_eq!(listed.data()["instances"][0]["id"], instance["id"]);

    let (code, stderr) = server.terminate().await;
    assert_eq!(
        code,
        Some(0),
        "SIGTERM is a clean, graceful exit; stderr: {stderr}"
    );
    assert!(
        stderr.contains("LATCHKEY_NOT_A_SETTING"),
        "unknown variables are warned about: {stderr}"
    );
    for secret_value in [&secret, &admin] {
        assert!(
            !stderr.contains(secret_value.as_str()),
            "a secret reached the log"
        );
    }
}

#[tokio::test]
async fn a_second_start_prints_no_keys_and_keeps_the_old_ones() {
    let db = TestDb::new().await;
    let url = db.is_postgres().then_some(db.url.as_str());
    let first = process::serve(BIN, db.dir.path(), url, &[]).await;
    let secret = first.printed_value("Secret key:").expect("printed");
    let admin = first
        .printed_value("Platform admin token:")
        .expect("printed");
    let (code, stderr) = first.terminate().await;
    assert_eq!(code, Some(0), "{stderr}");

    let second = process::serve(BIN, db.dir.path(), url, &[]).await;
    assert_eq!(
        second.printed_value("Secret key:"),
        None,
        "keys are shown once: {:?}",
        second.printed
    );
    assert_eq!(second.printed_value("Platform admin token:"), None);
    let answer = gql::post(
        &second.url,
        Auth::Bearer(&secret),
        "{ instance { id } }",
        json!({}),
    )
    .await;
    answer.data();
    let answer = gql::post(
        &second.url,
        Auth::Bearer(&admin),
        "{ instances { id } }",
        json!({}),
    )
    .await;
    assert_eq!(answer.data()["instances"].as_array().map(Vec::len), Some(1));
    let (code, stderr) = second.terminate().await;
    assert_eq!(code, Some(0), "{stderr}");
}

#[tokio::test]
async fn the_instance_commands_create_and_list_instances() {
    let db = TestDb::new().await;
    let url = db.is_postgres().then_some(db.url.as_str());
    let (code, out, err) = process::run(
        BIN,
        db.dir.path(),
        url,
        &["instance", "create", "--name", "Shop", "--live"],
    )
    .await;
    assert_eq!(code, Some(0), "{err}");
    assert!(
        out.contains("pk_live_") && out.contains("sk_live_"),
        "{out}"
    );
    let (code, out, err) = process::run(BIN, db.dir.path(), url, &["instance", "list"]).await;
    assert_eq!(code, Some(0), "{err}");
    assert!(
        out.lines()
            .any(|l| l.contains("production") && l.ends_with("Shop")),
        "{out}"
    );
    assert!(
        out.lines()
            .any(|l| l.contains("development") && l.ends_with("Development")),
        "{out}"
    );
    let (code, _, err) = process::run(
        BIN,
        db.dir.path(),
        url,
        &["instance", "create", "--name", "  "],
    )
    .await;
    assert_eq!(code, Some(1));
    assert!(err.contains("name"), "{err}");
}

#[tokio::test]
async fn data_survives_a_restart() {
    let server = TestServer::spawn().await;
    let created = server
        .admin("mutation { createInstance(input: {name: \"Kept\", environment: PRODUCTION}) { instance { id } secretKey { key } } }", json!({}))
        .await;
    let key = created.data()["createInstance"]["secretKey"]["key"]
        .as_str()
        .unwrap()
        .to_owned();
    server
        .gql(
            Auth::Bearer(&key),
            "mutation { updateInstanceSettings(input: {password: {minLength: 12}}) { id } }",
            json!({}),
        )
        .await
        .data();

    let server = server.restart().await;
    let answer = server
        .gql(
            Auth::Bearer(&key),
            "{ instance { name environment settings { password { minLength } } } }",
            json!({}),
        )
        .await;
    let instance = &answer.data()["instance"];
    assert_eq!(instance["name"], "Kept");
    assert_eq!(instance["environment"], "PRODUCTION");
    assert_eq!(instance["settings"]["password"]["minLength"], 12);
    server
        .backend("{ instance { id } }", json!({}))
        .await
        .data();
    server.stop().await;
}

#[tokio::test]
async fn health_and_readiness_answer() {
    let server = TestServer::spawn().await;
    let client = reqwest::Client::new();
    for path in ["/healthz", "/readyz"] {
        let response = client
            .get(format!("{}{path}", server.url))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{path}");
        assert!(response.headers().contains_key("x-request-id"));
    }
    server.stop().await;
}
