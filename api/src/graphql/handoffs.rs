//! `createHandoff` and `redeemHandoff`: a redirect from a page on Latchkey's origin (the Account
//! Portal) back to a development app on another site arrives signed in on the same client.

use async_graphql::{Context, Object, SimpleObject};
use chrono::{DateTime, Utc};
use latchkey_domain::Error;
use latchkey_domain::actors::client::Command;

use super::client::{CLIENT_HEADER, Client};
use super::request_data::RequestOrigin;
use super::{GqlResult, ResultExt, scope};

/// Where to send the browser after a sign-in on Latchkey's pages.
#[derive(SimpleObject)]
pub struct Handoff {
    /// The redirect URL as checked; for a development app on another origin it carries a
    /// one-time code in `__latchkey_handoff`, which the app's SDK redeems and removes from the
    /// address bar.
    url: String,
    /// When the code expires (a minute after it was made); null when the URL carries none.
    expires_at: Option<DateTime<Utc>>,
}

/// The handoff mutations (frontend scope).
#[derive(Default)]
pub struct HandoffMutation;

#[Object]
impl HandoffMutation {
    /// Checks `redirectUrl` for the calling client and says where to send the browser: only
    /// to an origin the instance allows (or the server's own), parsed and compared as an origin
    /// (`VALIDATION_FAILED` on `redirectUrl` otherwise). On a development instance, a URL on
    /// another origin than the caller's and the server's gets a one-time code that hands this
    /// client to that origin's SDK.
    async fn create_handoff(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Where to send the browser: an absolute http(s) URL.")]
        redirect_url: String,
    ) -> GqlResult<Handoff> {
        let (platform, caller) = scope(ctx)?;
        let (instance, token) = caller.require_frontend().gql()?;
        let from = ctx.data_opt::<RequestOrigin>().and_then(|o| o.0.as_deref());
        let handoff = platform
            .create_handoff(instance, token, from, &redirect_url)
            .await
            .gql()?;
        Ok(Handoff {
            url: handoff.url,
            expires_at: handoff.expires_at,
        })
    }

    /// Redeems a handoff code (development instances only, once, within a minute, from the
    /// origin it was made for; `NOT_FOUND` otherwise) and answers the client it hands over,
    /// whose token comes back in the `Latchkey-Client` header for the SDK to keep.
    async fn redeem_handoff(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The code of `__latchkey_handoff` (`lkh_…`).")] code: String,
    ) -> GqlResult<Client> {
        let (platform, caller) = scope(ctx)?;
        let (instance, _) = caller.require_frontend().gql()?;
        let origin = ctx.data_opt::<RequestOrigin>().and_then(|o| o.0.as_deref());
        let token = platform
            .redeem_handoff(instance, &code, origin)
            .await
            .gql()?;
        let client = platform
            .client_command(instance, Some(&token), Command::Get, false, None)
            .await
            .gql()?
            .ok_or(Error::NotFound("handoff code"))
            .gql()?
            .client;
        ctx.insert_http_header(CLIENT_HEADER, token);
        Ok(Client {
            client,
            instance: instance.clone(),
        })
    }
}
