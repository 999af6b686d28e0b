//! A bare `graphql-transport-ws` subscriber (tokio-tungstenite), for the many subscribers of the
//! fan-out test and benchmark, where a node process each would be too heavy.

use futures_util::{SinkExt, StreamExt};
use serde_json::json;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

/// A WebSocket to the server.
pub type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// A socket to `base_url`'s `/graphql` whose `connection_init` with `authorization` was
/// acknowledged and which has sent `query` as subscription `1`.
pub async fn subscribed(base_url: &str, authorization: &str, query: &str) -> Socket {
    let mut request = format!("{}/graphql", base_url.replace("http://", "ws://"))
        .into_client_request()
        .expect("a WebSocket URL");
    request.headers_mut().insert(
        "sec-websocket-protocol",
        "graphql-transport-ws".parse().expect("a header value"),
    );
    let (mut socket, _) = tokio_tungstenite::connect_async(request)
        .await
        .expect("the WebSocket opens");
    let init = json!({"type": "connection_init", "payload": {"authorization": authorization}});
    socket
        .send(Message::text(init.to_string()))
        .await
        .expect("send connection_init");
    let ack = socket
        .next()
        .await
        .expect("an answer to connection_init")
        .expect("a message");
    assert!(
        ack.to_text().is_ok_and(|t| t.contains("connection_ack")),
        "{ack:?}"
    );
    let subscribe = json!({"id": "1", "type": "subscribe", "payload": {"query": query}});
    socket
        .send(Message::text(subscribe.to_string()))
        .await
        .expect("send subscribe");
    socket
}
