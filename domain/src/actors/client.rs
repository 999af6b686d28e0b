//! One actor per frontend client: every command of the client passes through its mailbox, one
//! at a time to the end (its database writes included), so concurrent requests of one client
//! never race. The actor caches the client's state; the database stays the truth: the cache is
//! loaded on first use, and dropped after any failure and when told the client changed
//! elsewhere (`Forget`: another node changed it, or an event says one of its sessions started
//! or ended). Every command that changes the client tells the other nodes once committed
//! (`Services::client_changed_elsewhere`). A token asked for a session the cache does not know reads the client again first,
//! at most once every [`READ_AGAIN_AFTER_SECONDS`], so random session ids cannot turn refreshes into
//! queries.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use chrono::{DateTime, Duration, Utc};

use actix::{
    Actor, ActorContext, ActorFutureExt, AtomicResponse, Context, Handler, Message, Recipient,
    WrapFuture,
};

use crate::flows;
use crate::flows::sessions::IssuedToken;
pub use crate::flows::sign_in::{FirstFactorInput, SignInInput};
use crate::model::client::Client;
use crate::model::instance::Instance;
use crate::model::session::{LatestActivity, RequestSource};
use crate::model::sign_in::{FirstFactor, SecondFactor};
use crate::model::sign_up::SignUpInput;
use crate::services::{Services, SessionsChanged};
use crate::store;
use crate::{Error, Internal, Result};

/// What a client asks for. Its `Debug` names the command only: passwords and codes stay out.
#[derive(Clone)]
pub enum Command {
    /// Its current state.
    Get,
    CreateSignUp(SignUpInput),
    UpdateSignUp(SignUpInput),
    PrepareSignUpEmailCode,
    AttemptSignUpEmailCode(String),
    CreateSignIn(SignInInput),
    PrepareFirstFactor {
        strategy: FirstFactor,
        email_address_id: String,
    },
    AttemptFirstFactor(FirstFactorInput),
    ResetPassword {
        password: String,
        sign_out_of_other_sessions: bool,
    },
    AttemptSecondFactor {
        factor: SecondFactor,
        code: String,
    },
    /// `organization_id`: left as it is (`None`), cleared (`Some(None)`) or set.
    SetActiveSession {
        session_id: String,
        organization_id: Option<Option<String>>,
    },
    /// One session, or every session of the client; removed from the client or only ended.
    SignOut {
        session_id: Option<String>,
        remove: bool,
    },
}

impl std::fmt::Debug for Command {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let name = match self {
            Self::Get => "Get",
            Self::CreateSignUp(_) => "CreateSignUp",
            Self::UpdateSignUp(_) => "UpdateSignUp",
            Self::PrepareSignUpEmailCode => "PrepareSignUpEmailCode",
            Self::AttemptSignUpEmailCode(_) => "AttemptSignUpEmailCode",
            Self::CreateSignIn(_) => "CreateSignIn",
            Self::PrepareFirstFactor { .. } => "PrepareFirstFactor",
            Self::AttemptFirstFactor(_) => "AttemptFirstFactor",
            Self::ResetPassword { .. } => "ResetPassword",
            Self::AttemptSecondFactor { .. } => "AttemptSecondFactor",
            Self::SetActiveSession { .. } => "SetActiveSession",
            Self::SignOut { .. } => "SignOut",
        };
        f.write_str(name)
    }
}

/// A command, in the instance as the request resolved it (its settings as this node last read
/// them: at most a few seconds old, see `instance_cache`).
#[derive(Message, Debug)]
#[rtype(result = "Result<Option<Client>>")]
pub struct Run {
    pub instance: Arc<Instance>,
    pub command: Command,
    /// Where the request came from: recorded on a session the command starts.
    pub source: Option<RequestSource>,
}

/// A session token for one of the client's sessions (`createSessionToken`): the hot path.
/// With the client in memory it costs one signature and no database query.
#[derive(Message, Debug)]
#[rtype(result = "Result<Option<IssuedToken>>")]
pub struct IssueToken {
    pub instance: Arc<Instance>,
    pub session_id: String,
    /// A JWT template's name, for a template token.
    pub template: Option<String>,
    /// The requesting origin, when the instance allows it (the `azp` claim).
    pub azp: Option<String>,
    /// Where the request came from: recorded with the session's activity.
    pub source: Option<RequestSource>,
}

/// How long after reading its client an actor may read it again for a session it does not know
/// (one started through another node), in seconds.
pub const READ_AGAIN_AFTER_SECONDS: i64 = 5;

/// Whether a client read at `read_at` may be read again at `now` for a session it does not know.
fn may_read_again(read_at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
    read_at.is_none_or(|at| now - at >= Duration::seconds(READ_AGAIN_AFTER_SECONDS))
}

/// Drops what the actor holds: it reads its client again on its next command.
#[derive(Message, Debug)]
#[rtype(result = "()")]
pub struct Forget;

/// Tells the registry which client an actor holds, once it has read it.
#[derive(Message, Debug)]
#[rtype(result = "()")]
pub struct Loaded {
    pub instance_id: String,
    pub token_hash: String,
    pub client_id: String,
    /// Names the actor (its busy flag), as in `Unknown`.
    pub busy: Arc<AtomicBool>,
}

/// Tells the registry that the actor of a token no client has has stopped.
#[derive(Message, Debug)]
#[rtype(result = "()")]
pub struct Unknown {
    pub instance_id: String,
    pub token_hash: String,
    /// Names the actor (its busy flag), so a newer actor for the same token is left alone.
    pub busy: Arc<AtomicBool>,
}

/// The actor of one client, known by its instance and the hash of its token.
pub struct ClientActor {
    services: Arc<Services>,
    instance_id: String,
    token_hash: String,
    state: Option<Client>,
    /// Set while a command runs, so the registry never lets a busy actor go.
    busy: Arc<AtomicBool>,
    registry: Recipient<Unknown>,
    /// Its shard, told the client's id once read.
    loaded: Recipient<Loaded>,
    /// Whether the shard was told.
    announced: bool,
    /// When the client was last read from the database.
    read_at: Option<DateTime<Utc>>,
}

impl ClientActor {
    /// An actor that loads the client on first use (its shard starts it).
    pub fn new(
        services: Arc<Services>,
        instance_id: String,
        token_hash: String,
        busy: Arc<AtomicBool>,
        registry: Recipient<Unknown>,
        loaded: Recipient<Loaded>,
    ) -> Self {
        Self {
            services,
            instance_id,
            token_hash,
            state: None,
            busy,
            registry,
            loaded,
            announced: false,
            read_at: None,
        }
    }
}

impl ClientActor {
    /// Ends a command: the actor is free again, and stops when no client has its token (there
    /// is nothing to keep in memory). The first time it holds its client, its shard learns the
    /// client's id.
    fn done(&mut self, unknown: bool, ctx: &mut Context<Self>) {
        if let Some(client) = &self.state
            && !self.announced
        {
            self.announced = true;
            self.loaded.do_send(Loaded {
                instance_id: self.instance_id.clone(),
                token_hash: self.token_hash.clone(),
                client_id: client.id.clone(),
                busy: self.busy.clone(),
            });
        }
        if unknown {
            self.registry.do_send(Unknown {
                instance_id: self.instance_id.clone(),
                token_hash: self.token_hash.clone(),
                busy: self.busy.clone(),
            });
            ctx.stop();
        }
        self.busy.store(false, Ordering::SeqCst);
    }
}

impl Actor for ClientActor {
    type Context = Context<Self>;
}

async fn load(services: &Services, instance_id: &str, token_hash: &str) -> Result<Option<Client>> {
    store::clients::load(&services.db, instance_id, token_hash).await
}

async fn execute(
    services: &Services,
    instance: &Instance,
    client: &Client,
    command: Command,
) -> Result<Client> {
    let now = services.clock.now();
    Ok(match command {
        Command::Get => client.clone(),
        Command::CreateSignUp(input) => {
            flows::sign_up::create(services, instance, client, input, now).await?
        }
        Command::UpdateSignUp(input) => {
            flows::sign_up::update(services, instance, client, input, now).await?
        }
        Command::PrepareSignUpEmailCode => {
            flows::sign_up::prepare_email_code(services, instance, client, now).await?
        }
        Command::AttemptSignUpEmailCode(code) => {
            flows::sign_up::attempt_email_code(services, instance, client, &code, now).await?
        }
        Command::CreateSignIn(input) => {
            flows::sign_in::create(services, instance, client, input, now).await?
        }
        Command::PrepareFirstFactor {
            strategy,
            email_address_id,
        } => {
            flows::sign_in::prepare_first_factor(
                services,
                instance,
                client,
                strategy,
                &email_address_id,
                now,
            )
            .await?
        }
        Command::AttemptFirstFactor(input) => {
            flows::sign_in::attempt_first_factor(services, instance, client, input, now).await?
        }
        Command::ResetPassword {
            password,
            sign_out_of_other_sessions,
        } => {
            flows::sign_in::reset_password(
                services,
                instance,
                client,
                password,
                sign_out_of_other_sessions,
                now,
            )
            .await?
        }
        Command::AttemptSecondFactor { factor, code } => {
            flows::sign_in::attempt_second_factor(services, instance, client, factor, &code, now)
                .await?
        }
        Command::SetActiveSession {
            session_id,
            organization_id,
        } => {
            flows::sessions::set_active(
                services,
                instance,
                client,
                &session_id,
                organization_id.as_ref().map(Option::as_deref),
                now,
            )
            .await?
        }
        Command::SignOut { session_id, remove } => {
            flows::sessions::sign_out(
                services,
                instance,
                client,
                session_id.as_deref(),
                remove,
                now,
            )
            .await?
        }
    })
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
        None => match load(&services, &instance_id, &token_hash).await? {
            Some(client) => client,
            None => return Ok(None),
        },
    };
    let changes = !matches!(msg.command, Command::Get);
    let (base, mut done) =
        match execute(&services, &msg.instance, &client, msg.command.clone()).await {
            // Another writer (this client's actor on another node) got there first: read the
            // client again and run the command once more on what is stored now.
            Err(Error::Internal(Internal::Stale)) => {
                let fresh = load(&services, &instance_id, &token_hash)
                    .await?
                    .ok_or(Error::NotFound("client"))?;
                let done = execute(&services, &msg.instance, &fresh, msg.command).await?;
                (fresh, done)
            }
            done => (client, done?),
        };
    if let Some(source) = &msg.source {
        let seen = source.activity();
        record_new_sessions(&services, &instance_id, &base, &mut done, &seen).await;
    }
    // Committed: an actor holding this client on another node reads it again.
    if changes {
        services
            .client_changed_elsewhere(&instance_id, &done.id)
            .await;
    }
    Ok(Some(done))
}

/// Records what the sessions that `done` has and `before` had not were started from. After the
/// command's commit and outside it: a failure here is logged and loses only this record.
async fn record_new_sessions(
    services: &Services,
    instance_id: &str,
    before: &Client,
    done: &mut Client,
    seen: &LatestActivity,
) {
    for session in &mut done.sessions {
        if before.sessions.iter().any(|s| s.id == session.id) {
            continue;
        }
        match store::sessions::set_latest_activity(&services.db, instance_id, &session.id, seen)
            .await
        {
            Ok(()) => session.latest_activity = Some(seen.clone()),
            Err(err) => tracing::error!(error = %err, "recording a session's device failed"),
        }
    }
}

/// What a token request leaves: the client (when the actor may keep it), when it was last read,
/// and the answer.
type Issued = (
    Option<Client>,
    Option<DateTime<Utc>>,
    Result<Option<IssuedToken>>,
);

async fn issue(
    services: Arc<Services>,
    instance_id: String,
    token_hash: String,
    cached: Option<Client>,
    read_at: Option<DateTime<Utc>>,
    msg: IssueToken,
) -> Issued {
    if msg.instance.id != instance_id {
        return (
            cached,
            read_at,
            Err(Error::internal(
                "a token request reached another instance's actor",
            )),
        );
    }
    let (mut client, mut read_at) = match cached {
        Some(client) => (client, read_at),
        None => match load(&services, &instance_id, &token_hash).await {
            Ok(Some(client)) => (client, Some(services.clock.now())),
            Ok(None) => return (None, None, Ok(None)),
            Err(err) => return (None, None, Err(err)),
        },
    };
    let issue = async |client: &mut Client| {
        flows::sessions::issue_token(
            &services,
            &msg.instance,
            client,
            flows::sessions::TokenAsk {
                session_id: &msg.session_id,
                template: msg.template.as_deref(),
                azp: msg.azp.as_deref(),
                source: msg.source.as_ref(),
            },
            services.clock.now(),
        )
        .await
    };
    let mut issued = issue(&mut client).await;
    // A session this client does not hold may have started through another node since the
    // client was read: read it again, unless that was just done.
    if matches!(issued, Err(Error::NotFound("session")))
        && may_read_again(read_at, services.clock.now())
    {
        client = match load(&services, &instance_id, &token_hash).await {
            Ok(Some(client)) => client,
            Ok(None) => return (None, None, Ok(None)),
            Err(err) => return (None, None, Err(err)),
        };
        read_at = Some(services.clock.now());
        issued = issue(&mut client).await;
    }
    match issued {
        Ok(token) => (Some(client), read_at, Ok(Some(token))),
        // The session is not active or not this client's: what the actor holds stays right.
        Err(err @ (Error::SessionNotActive | Error::NotFound(_))) => {
            (Some(client), read_at, Err(err))
        }
        Err(err) => (None, None, Err(err)),
    }
}

impl Handler<IssueToken> for ClientActor {
    type Result = AtomicResponse<Self, Result<Option<IssuedToken>>>;

    fn handle(&mut self, msg: IssueToken, _: &mut Self::Context) -> Self::Result {
        self.busy.store(true, Ordering::SeqCst);
        // The client is taken, not copied: it comes back with the answer.
        let work = issue(
            self.services.clone(),
            self.instance_id.clone(),
            self.token_hash.clone(),
            self.state.take(),
            self.read_at,
            msg,
        );
        AtomicResponse::new(Box::pin(work.into_actor(self).map(
            move |(state, read_at, result), act, ctx| {
                act.read_at = read_at;
                act.state = state;
                act.done(matches!(result, Ok(None)), ctx);
                result
            },
        )))
    }
}

impl Handler<SessionsChanged> for ClientActor {
    type Result = ();

    fn handle(&mut self, msg: SessionsChanged, _: &mut Self::Context) {
        let holds = self.state.as_ref().is_some_and(|client| {
            client.instance_id == msg.instance_id && client.sessions.iter().any(|s| msg.concerns(s))
        });
        if holds {
            // Read the client again on its next command. A command running now keeps its state
            // and stores it when done: the database stays the truth either way.
            self.state = None;
        }
    }
}

impl Handler<Forget> for ClientActor {
    type Result = ();

    fn handle(&mut self, _: Forget, _: &mut Self::Context) {
        // Never during a command (each runs to its end first): the next one reads the client.
        self.state = None;
    }
}

impl Handler<Run> for ClientActor {
    type Result = AtomicResponse<Self, Result<Option<Client>>>;

    fn handle(&mut self, msg: Run, _: &mut Self::Context) -> Self::Result {
        self.busy.store(true, Ordering::SeqCst);
        let cached = self.state.is_some();
        let work = run(
            self.services.clone(),
            self.instance_id.clone(),
            self.token_hash.clone(),
            self.state.clone(),
            msg,
        );
        AtomicResponse::new(Box::pin(work.into_actor(self).map(
            move |result, act, ctx| {
                if !cached {
                    act.read_at = Some(act.services.clock.now());
                }
                // After a failure the database may hold a newer state (a counted wrong code): read it
                // again next time.
                act.state = match &result {
                    Ok(Some(client)) => Some(client.clone()),
                    _ => None,
                };
                act.done(matches!(result, Ok(None)), ctx);
                result
            },
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_is_read_again_for_an_unknown_session_at_most_every_few_seconds() {
        let start = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let after = Duration::seconds(READ_AGAIN_AFTER_SECONDS);
        assert!(may_read_again(None, start), "never read: read it");
        assert!(!may_read_again(Some(start), start));
        assert!(!may_read_again(
            Some(start),
            start + after - Duration::milliseconds(1)
        ));
        assert!(may_read_again(Some(start), start + after));
        assert!(
            !may_read_again(Some(start + after), start),
            "a clock that went back reads nothing"
        );
    }
}
