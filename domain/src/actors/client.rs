//! One actor per frontend client: every command of the client passes through its mailbox, one
//! at a time to the end (its database writes included), so concurrent requests of one client
//! never race. The actor caches the client's state; the database stays the truth: the cache is
//! loaded on first use and dropped after any failure.

use std::sync::Arc;

use actix::{Actor, ActorFutureExt, AtomicResponse, Context, Handler, Message, WrapFuture};

use crate::flows;
use crate::model::client::Client;
use crate::model::instance::Instance;
use crate::model::sign_up::SignUpInput;
use crate::services::Services;
use crate::store;
use crate::{Error, Result};

/// What a client asks for.
#[derive(Clone, Debug)]
pub enum Command {
    /// Its current state.
    Get,
    CreateSignUp(SignUpInput),
    UpdateSignUp(SignUpInput),
    PrepareSignUpEmailCode,
    AttemptSignUpEmailCode(String),
}

/// A command, in the instance as the request resolved it (settings are read fresh per request).
#[derive(Message, Debug)]
#[rtype(result = "Result<Option<Client>>")]
pub struct Run {
    pub instance: Arc<Instance>,
    pub command: Command,
}

/// The actor of one client, known by its instance and the hash of its token.
pub struct ClientActor {
    services: Arc<Services>,
    instance_id: String,
    token_hash: String,
    state: Option<Client>,
}

impl ClientActor {
    /// An actor that loads the client on first use.
    pub fn new(services: Arc<Services>, instance_id: String, token_hash: String) -> Self {
        Self {
            services,
            instance_id,
            token_hash,
            state: None,
        }
    }
}

impl Actor for ClientActor {
    type Context = Context<Self>;
}

async fn run(
    services: Arc<Services>,
    instance_id: String,
    token_hash: String,
    cached: Option<Client>,
    msg: Run,
) -> Result<Option<Client>> {
    if msg.instance.id != instance_id {
        return Err(Error::internal(
            "a command reached the actor of another instance",
        ));
    }
    let client = match cached {
        Some(client) => client,
        None => match store::clients::load(&services.db, &instance_id, &token_hash).await? {
            Some(client) => client,
            None => return Ok(None),
        },
    };
    let now = services.clock.now();
    let instance = msg.instance.as_ref();
    let svc = services.as_ref();
    let next = match msg.command {
        Command::Get => client,
        Command::CreateSignUp(input) => {
            flows::sign_up::create(svc, instance, &client, input, now).await?
        }
        Command::UpdateSignUp(input) => {
            flows::sign_up::update(svc, instance, &client, input, now).await?
        }
        Command::PrepareSignUpEmailCode => {
            flows::sign_up::prepare_email_code(svc, instance, &client, now).await?
        }
        Command::AttemptSignUpEmailCode(code) => {
            flows::sign_up::attempt_email_code(svc, instance, &client, &code, now).await?
        }
    };
    Ok(Some(next))
}

impl Handler<Run> for ClientActor {
    type Result = AtomicResponse<Self, Result<Option<Client>>>;

    fn handle(&mut self, msg: Run, _: &mut Self::Context) -> Self::Result {
        let work = run(
            self.services.clone(),
            self.instance_id.clone(),
            self.token_hash.clone(),
            self.state.clone(),
            msg,
        );
        AtomicResponse::new(Box::pin(work.into_actor(self).map(|result, act, _| {
            // After a failure the database may hold a newer state (a counted wrong code): read it
            // again next time.
            act.state = match &result {
                Ok(Some(client)) => Some(client.clone()),
                _ => None,
            };
            result
        })))
    }
}
