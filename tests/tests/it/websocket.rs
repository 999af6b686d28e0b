//! GraphQL over WebSocket (`graphql-transport-ws`): the caller comes from `connection_init`.

use futures_util::{SinkExt, StreamExt};
use latchkey_tests::TestServer;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn connect(server: &TestServer) -> Socket {
    let mut request = format!("{}/graphql", server.url.replace("http://", "ws://"))
        .into_client_request()
        .unwrap();
    request.headers_mut().insert(
        "sec-websocket-protocol",
        "graphql-transport-ws".parse().unwrap(),
    );
    let (socket, _) = tokio_tungstenite::connect_async(request).await.unwrap();
    socket
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
async fn a_wrong_key_in_connection_init_closes_the_socket_without_ack() {
    let server = TestServer::spawn().await;
    let mut socket = connect(&server).await;
    let init = json!({"type": "connection_init", "payload": {"authorization": "sk_test_wrong"}});
    socket.send(Message::text(init.to_string())).await.unwrap();
    loop {
        match next_message(&mut socket).await {
            Some(Message::Close(frame)) => {
                let frame = frame.expect("a close frame");
                assert!(
                    frame.reason.contains("not valid"),
                    "closed for the credential: {frame:?}"
                );
                break;
            }
            Some(Message::Text(text)) => {
                assert!(!text.contains("connection_ack"), "acknowledged: {text}")
            }
            Some(_) => continue,
            None => panic!("the socket ended without a close frame"),
        }
    }
    server.stop().await;
}
