//! GraphQL over WebSocket (`graphql-transport-ws`): the caller comes from `connection_init`.

use futures_util::{SinkExt, StreamExt};
use latchkey_tests::TestServer;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn connect(server: &TestServer) -> Socket {
    connect_from(server, None).await
}

async fn connect_from(server: &TestServer, origin: Option<&str>) -> Socket {
    let mut request = format!("{}/graphql", server.url.replace("http://", "ws://"))
        .into_client_request()
        .unwrap();
    request.headers_mut().insert(
        "sec-websocket-protocol",
        "graphql-transport-ws".parse().unwrap(),
    );
    if let Some(origin) = origin {
        request
            .headers_mut()
            .insert("origin", origin.parse().unwrap());
    }
    let (socket, response) = tokio_tungstenite::connect_async(request).await.unwrap();
    assert_eq!(
        response.headers()["sec-websocket-protocol"],
        "graphql-transport-ws"
    );
    socket
}

/// A socket whose `connection_init` with `authorization` was acknowledged.
async fn connect_as(server: &TestServer, authorization: &str) -> Socket {
    let mut socket = connect(server).await;
    send(
        &mut socket,
        json!({"type": "connection_init", "payload": {"authorization": authorization}}),
    )
    .await;
    assert_eq!(next_json(&mut socket).await["type"], "connection_ack");
    socket
}

async fn send(socket: &mut Socket, message: Value) {
    socket
        .send(Message::text(message.to_string()))
        .await
        .unwrap();
}

/// Reads until the close frame; fails on an ack.
async fn close_code(socket: &mut Socket) -> u16 {
    loop {
        match next_message(socket).await {
            Some(Message::Close(frame)) => return frame.expect("a close frame").code.into(),
            Some(Message::Text(text)) => {
                assert!(!text.contains("connection_ack"), "acknowledged: {text}")
            }
            Some(_) => continue,
            None => panic!("the socket ended without a close frame"),
        }
    }
}

async fn next_message(socket: &mut Socket) -> Option<Message> {
    tokio::time::timeout(std::time::Duration::from_secs(10), socket.next())
        .await
        .expect("an answer in time")?
        .ok()
}

async fn next_json(socket: &mut Socket) -> Value {
    loop {
        match next_message(socket).await {
            Some(Message::Text(text)) => return serde_json::from_str(&text).unwrap(),
            Some(Message::Ping(_) | Message::Pong(_)) => continue,
            other => panic!("expected a text message, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn a_secret_key_runs_operations_over_the_socket() {
    let server = TestServer::spawn().await;
    let mut socket = connect(&server).await;
    let init = json!({"type": "connection_init", "payload": {"authorization": format!("Bearer {}", server.secret_key)}});
    socket.send(Message::text(init.to_string())).await.unwrap();
    assert_eq!(next_json(&mut socket).await["type"], "connection_ack");
    let subscribe =
        json!({"id": "1", "type": "subscribe", "payload": {"query": "{ instance { id } }"}});
    socket
        .send(Message::text(subscribe.to_string()))
        .await
        .unwrap();
    let next = next_json(&mut socket).await;
    assert_eq!(next["type"], "next");
    assert_eq!(
        next["payload"]["data"]["instance"]["id"],
        server.instance_id.as_str()
    );
    assert_eq!(next_json(&mut socket).await["type"], "complete");
    server.stop().await;
}

#[tokio::test]
async fn wrong_or_missing_credentials_close_with_4403_and_no_ack() {
    let server = TestServer::spawn().await;
    for payload in [
        json!({"authorization": "sk_test_wrong"}),
        json!({}),
        json!({"publishableKey": "pk_test_nope"}),
    ] {
        let mut socket = connect(&server).await;
        send(
            &mut socket,
            json!({"type": "connection_init", "payload": payload}),
        )
        .await;
        assert_eq!(close_code(&mut socket).await, 4403, "{payload}");
    }
    let mut socket = connect(&server).await;
    send(&mut socket, json!({"type": "connection_init"})).await;
    assert_eq!(close_code(&mut socket).await, 4403, "no payload at all");
    server.stop().await;
}

#[tokio::test]
async fn a_late_init_closes_with_4408_and_an_early_subscribe_with_4401() {
    let server = TestServer::spawn_with(|config| {
        config.websocket_init_timeout = std::time::Duration::from_millis(200)
    })
    .await;
    let mut late = connect(&server).await;
    assert_eq!(close_code(&mut late).await, 4408);
    let mut early = connect(&server).await;
    send(
        &mut early,
        json!({"id": "1", "type": "subscribe", "payload": {"query": "{ instance { id } }"}}),
    )
    .await;
    assert_eq!(close_code(&mut early).await, 4401);
    server.stop().await;
}

#[tokio::test]
async fn an_origin_the_instance_does_not_allow_is_refused() {
    let server = TestServer::spawn().await;
    let mut socket = connect_from(&server, Some("https://evil.example.com")).await;
    send(
        &mut socket,
        json!({"type": "connection_init", "payload": {"publishableKey": server.publishable_key}}),
    )
    .await;
    assert_eq!(close_code(&mut socket).await, 4403);
    let mut local = connect_from(&server, Some("http://localhost:5173")).await;
    send(
        &mut local,
        json!({"type": "connection_init", "payload": {"publishableKey": server.publishable_key}}),
    )
    .await;
    assert_eq!(next_json(&mut local).await["type"], "connection_ack");
    server.stop().await;
}

#[tokio::test]
async fn operations_over_the_socket_pass_the_same_guard_as_http() {
    let server = TestServer::spawn_with(|config| {
        config.rate_limits.backend = latchkey_domain::rate_limit::Quota::new(3, 10);
    })
    .await;
    let mut socket = connect_as(&server, &server.secret_key).await;
    // Aliased sensitive mutations are refused over the socket too.
    let aliased = "mutation { a: createSecretKey { key } b: createSecretKey { key } }";
    send(
        &mut socket,
        json!({"id": "a", "type": "subscribe", "payload": {"query": aliased}}),
    )
    .await;
    let refused = next_json(&mut socket).await;
    assert_eq!(
        refused["payload"]["errors"][0]["extensions"]["code"], "VALIDATION_FAILED",
        "{refused}"
    );
    assert_eq!(next_json(&mut socket).await["type"], "complete");
    // The backend rate limit counts every operation on the socket, the refused one included.
    let mut codes = Vec::new();
    for i in 0..4 {
        let subscribe = json!({"id": format!("m{i}"), "type": "subscribe", "payload": {"query": "mutation { createSecretKey { key } }"}});
        send(&mut socket, subscribe).await;
        let answer = next_json(&mut socket).await;
        codes.push(
            answer["payload"]["errors"][0]["extensions"]["code"]
                .as_str()
                .unwrap_or("ok")
                .to_owned(),
        );
        assert_eq!(next_json(&mut socket).await["type"], "complete");
    }
    assert_eq!(codes, ["ok", "ok", "RATE_LIMITED", "RATE_LIMITED"]);
    server.stop().await;
}

async fn operation(socket: &mut Socket, id: &str, query: &str) -> Value {
    send(
        socket,
        json!({"id": id, "type": "subscribe", "payload": {"query": query}}),
    )
    .await;
    next_json(socket).await
}

#[tokio::test]
async fn scope_codes_and_revocation_hold_on_an_open_socket() {
    let server = TestServer::spawn().await;
    let created = server
        .backend(
            "mutation { createSecretKey(name: \"socket\") { key secretKey { id } } }",
            json!({}),
        )
        .await;
    let key = created.data()["createSecretKey"]["key"]
        .as_str()
        .unwrap()
        .to_owned();
    let key_id = created.data()["createSecretKey"]["secretKey"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut socket = connect_as(&server, &key).await;

    let forbidden = operation(&mut socket, "1", "{ instances { id } }").await;
    assert_eq!(
        forbidden["payload"]["errors"][0]["extensions"]["code"], "FORBIDDEN",
        "{forbidden}"
    );
    assert_eq!(next_json(&mut socket).await["type"], "complete");
    let invalid = operation(&mut socket, "2", "{ nope }").await;
    assert_eq!(
        invalid["payload"]["errors"][0]["extensions"]["code"], "VALIDATION_FAILED",
        "{invalid}"
    );
    assert_eq!(next_json(&mut socket).await["type"], "complete");

    server
        .backend(
            "mutation($id: ID!) { revokeSecretKey(id: $id) { id } }",
            json!({"id": key_id}),
        )
        .await
        .data();
    let refused = operation(&mut socket, "3", "{ instance { id } }").await;
    assert_eq!(
        refused["payload"]["errors"][0]["extensions"]["code"], "UNAUTHENTICATED",
        "{refused}"
    );
    assert_eq!(
        close_code(&mut socket).await,
        4403,
        "the socket of a revoked key closes"
    );
    server.stop().await;
}

#[tokio::test]
async fn oversized_messages_close_the_socket() {
    let server = TestServer::spawn().await;
    let mut socket = connect_as(&server, &server.secret_key).await;
    let huge = format!("{{ instance {{ id }} }} # {}", "x".repeat(100 * 1024));
    let _ = socket
        .send(Message::text(
            json!({"id": "big", "type": "subscribe", "payload": {"query": huge}}).to_string(),
        ))
        .await;
    loop {
        match next_message(&mut socket).await {
            Some(Message::Close(_)) | None => break,
            Some(Message::Text(text)) => assert!(
                !text.contains("\"next\""),
                "an oversized message ran: {text}"
            ),
            Some(_) => {}
        }
    }
    server.stop().await;
}

#[tokio::test]
async fn stopping_the_server_closes_open_sockets_with_1001() {
    let server = TestServer::spawn().await;
    let mut socket = connect_as(&server, &server.secret_key).await;
    let stopping = tokio::spawn(server.stop());
    assert_eq!(close_code(&mut socket).await, 1001);
    tokio::time::timeout(std::time::Duration::from_secs(5), stopping)
        .await
        .expect("the stop does not wait for the socket")
        .unwrap();
}
