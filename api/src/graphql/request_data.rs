//! What the transport tells resolvers about the request itself (request data, beside the
//! caller): where it came from and how it arrived; and the per-IP limits counted from it.

use std::net::IpAddr;

use async_graphql::Context;
use latchkey_domain::rate_limit::LimitKind;

use super::{GqlResult, ResultExt, scope};

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

/// Where an HTTP request came from (its `User-Agent` and address), when the transport said:
/// recorded on a session it starts or refreshes.
pub(crate) fn source<'a>(
    ctx: &'a Context<'_>,
) -> Option<&'a latchkey_domain::model::session::RequestSource> {
    ctx.data_opt::<latchkey_domain::model::session::RequestSource>()
}

/// Counts one event of `kind` from the caller's IP address (a frontend's, or a signed-in
/// user's) against the instance's limits.
pub(crate) async fn limit_ip(ctx: &Context<'_>, kind: LimitKind) -> GqlResult<()> {
    let (platform, caller) = scope(ctx)?;
    let instance = match caller {
        latchkey_domain::model::caller::Caller::User { instance, .. } => instance,
        _ => caller.require_frontend().gql()?.0,
    };
    let ip = ctx
        .data_opt::<ClientIp>()
        .and_then(|ip| ip.0)
        .map_or_else(|| "unknown".to_owned(), |ip| ip.to_string());
    platform.rate_limit(kind, &instance.id, &ip).await.gql()
}
