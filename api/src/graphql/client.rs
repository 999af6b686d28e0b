//! The frontend client in GraphQL: `client`, the `Client` type, and running a client's command
//! (`run`) for the areas that change it. `Session` and `User` are in `objects`.

use std::sync::Arc;

use async_graphql::{Context, ID, Object};
use latchkey_domain::actors::client::Command;
use latchkey_domain::model::client as domain;
use latchkey_domain::model::instance::{Environment, Instance};
use latchkey_domain::model::session::SessionStatus as DomainStatus;
use latchkey_domain::{ClientOutcome, Error, Platform};

use super::objects::Session;
use super::request_data::{OverWebSocket, RequestOrigin};
use super::sign_in::SignIn;
use super::sign_up::SignUp;
use super::{GqlResult, ResultExt, scope};

/// The client's token travels back in this header, and in the instance's `__client_…` cookie.
pub(crate) const CLIENT_HEADER: &str = "Latchkey-Client";
/// How long the client cookie lives: ten years; the client itself outlives every session.
const COOKIE_MAX_AGE: u64 = 10 * 365 * 86_400;

/// Runs a client command for a frontend caller. With `create`, a caller without a (known) client
/// gets a new one, whose token is set on the response.
pub(crate) async fn run(
    ctx: &Context<'_>,
    command: Command,
    create: bool,
) -> GqlResult<Option<Client>> {
    let (platform, caller) = scope(ctx)?;
    let (instance, token) = caller.require_frontend().gql()?;
    let create = create && ctx.data_opt::<OverWebSocket>().is_none();
    let source = super::request_data::source(ctx);
    let outcome = platform
        .client_command(instance, token, command, create, source)
        .await
        .gql()?;
    let Some(ClientOutcome { client, new_token }) = outcome else {
        if create || ctx.data_opt::<OverWebSocket>().is_none() {
            return Ok(None);
        }
        return Err(Error::Unauthenticated(
            "over the WebSocket, send the token of an existing client in connection_init",
        ))
        .gql();
    };
    if let Some(token) = new_token {
        // A production instance never hands a browser (a request with an `Origin`) a token for
        // script to keep: its client lives in the HttpOnly cookie only.
        let browser = ctx
            .data_opt::<RequestOrigin>()
            .is_some_and(|origin| origin.0.is_some());
        if !(browser && instance.environment == Environment::Production) {
            ctx.insert_http_header(CLIENT_HEADER, token.clone());
        }
        ctx.append_http_header("Set-Cookie", cookie(platform, instance, &token));
    }
    Ok(Some(Client {
        client,
        instance: instance.clone(),
    }))
}

/// The instance's client cookie (`__client_<instance id>`, so two instances on one site keep
/// their own clients): HttpOnly, SameSite=Lax, Secure unless the server is on localhost.
fn cookie(platform: &Platform, instance: &Instance, token: &str) -> String {
    let local = matches!(
        latchkey_domain::model::origin::host_of(platform.public_url()),
        Some("localhost" | "127.0.0.1" | "0.0.0.0")
    );
    let secure = if local { "" } else { "; Secure" };
    let name = latchkey_domain::model::client::cookie_name(&instance.id);
    format!("{name}={token}; Path=/; Max-Age={COOKIE_MAX_AGE}; HttpOnly; SameSite=Lax{secure}")
}

/// Frontend queries.
#[derive(Default)]
pub struct ClientQuery;

#[Object]
impl ClientQuery {
    /// The calling frontend client: its sessions and its sign-up in progress. Null until the
    /// client has one (a sign-up or sign-in creates it).
    async fn client(&self, ctx: &Context<'_>) -> GqlResult<Option<Client>> {
        run(ctx, Command::Get, false).await
    }
}

/// A frontend client (a browser or an app) as the API shows it.
pub struct Client {
    pub(crate) client: domain::Client,
    pub(crate) instance: Arc<Instance>,
}

/// A browser or an app: its signed-in sessions and its sign-up in progress.
#[Object]
impl Client {
    /// The client's id (`client_…`).
    async fn id(&self) -> ID {
        ID(self.client.id.clone())
    }

    /// The client's sessions, oldest first (removed ones are not listed).
    async fn sessions(&self) -> Vec<Session> {
        self.client
            .sessions
            .iter()
            .filter(|s| s.status != DomainStatus::Removed)
            .cloned()
            .map(Session::now)
            .collect()
    }

    /// The session the client uses now.
    async fn last_active_session_id(&self) -> Option<ID> {
        self.client.last_active_session_id.clone().map(ID)
    }

    /// The client's newest sign-up, finished or not.
    async fn sign_up(&self) -> Option<SignUp> {
        self.client.sign_up.clone().map(|sign_up| SignUp {
            sign_up,
            instance: self.instance.clone(),
        })
    }

    /// The client's newest sign-in, finished or not.
    async fn sign_in(&self) -> Option<SignIn> {
        self.client.sign_in.clone().map(|sign_in| SignIn {
            sign_in,
            instance: self.instance.clone(),
        })
    }
}
