//! What the transport tells resolvers about the request itself (request data, beside the
//! caller): where it came from and how it arrived.

use std::net::IpAddr;

/// Marks an operation that came over the WebSocket (where no response header or cookie can
/// carry a new client token).
#[derive(Clone, Copy, Debug)]
pub struct OverWebSocket;

/// The request's `Origin` header, as sent (a session token's `azp` when the instance allows it).
#[derive(Clone, Debug)]
pub struct RequestOrigin(pub Option<String>);

/// The IP address of the client, for per-IP limits.
#[derive(Clone, Copy, Debug)]
pub struct ClientIp(pub Option<IpAddr>);
