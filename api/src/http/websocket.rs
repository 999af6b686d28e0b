//! GraphQL over WebSocket (`graphql-transport-ws`, and the legacy `graphql-ws`).
//!
//! Latchkey runs the handshake itself, then hands the socket to async-graphql:
//! - `connection_init` must come within 10 s (else close 4408); a `subscribe` before it closes
//!   with 4401; its payload is resolved into a caller exactly as HTTP headers are, and a missing
//!   or invalid credential, or an `Origin` the instance does not allow, closes with 4403 and no
//!   ack;
//! - every operation on the socket then passes the same guard as HTTP (scope, limits, sensitive
//!   fields, rate limits), through `GuardedExecutor`;
//! - messages are capped in size and subscriptions in number per connection.

use std::cell::RefCell;
use std::collections::HashSet;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
use actix_ws::{AggregatedMessage, AggregatedMessageStream, CloseCode, CloseReason, Session};
use async_graphql::futures_util::stream::BoxStream;
use async_graphql::http::{WebSocket, WebSocketProtocols as Protocols, WsMessage};
use async_graphql::parser::types::OperationType;
use async_graphql::{Data, Executor, Request, Response};
use futures_util::{StreamExt, stream};
use latchkey_domain::Platform;
use latchkey_domain::model::caller::Caller;
use serde_json::{Value, json};

use super::request_id::{self, RequestId};
use super::{AppState, cors, credentials};
use crate::graphql::events::CredentialEnded;
use crate::graphql::guard::{self, Schemas};
use crate::graphql::request_data::{ClientIp, OverWebSocket, RequestOrigin};
use crate::graphql::{complete_codes, domain_error};
use latchkey_domain::Credentials;

/// How long a client has to send `connection_init`.
pub const INIT_TIMEOUT: Duration = Duration::from_secs(10);
/// The largest message accepted, in bytes.
pub const MAX_MESSAGE_BYTES: usize = 64 * 1024;
/// How often a secret key holding a socket is checked again (a revoked key's subscriptions
/// end within this).
pub const RECHECK_CREDENTIAL: Duration = Duration::from_secs(30);
/// The most subscriptions one connection may hold at once.
pub const MAX_SUBSCRIPTIONS: usize = 100;

/// Starts a WebSocket session on `GET /graphql` with an `Upgrade` header.
pub fn start(
    state: web::Data<AppState>,
    req: &HttpRequest,
    payload: web::Payload,
) -> actix_web::Result<HttpResponse> {
    let offered = req
        .headers()
        .get("sec-websocket-protocol")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let protocol = offered
        .split(',')
        .find_map(|p| p.trim().parse::<Protocols>().ok())
        .ok_or_else(|| {
            actix_web::error::ErrorBadRequest(
                "Sec-WebSocket-Protocol must be graphql-transport-ws or graphql-ws",
            )
        })?;
    let (mut response, session, messages) = actix_ws::handle(req, payload)?;
    response.headers_mut().insert(
        header::SEC_WEBSOCKET_PROTOCOL,
        HeaderValue::from_static(protocol.sec_websocket_protocol()),
    );
    let messages = messages
        .max_frame_size(MAX_MESSAGE_BYTES)
        .aggregate_continuations()
        .max_continuation_size(MAX_MESSAGE_BYTES);
    let connection = Connection {
        schemas: state.schemas.clone(),
        platform: state.platform.clone(),
        origin: cors::origin(req).map(str::to_owned),
        ip: ClientIp(state.trusted_proxies.of_request(req)),
        protocol,
        init_timeout: state.websocket_init_timeout,
        budget: state.request_timeout,
        shutdown: state.shutdown.clone(),
    };
    actix_rt::spawn(connection.run(session, messages));
    Ok(response)
}

struct Connection {
    schemas: Schemas,
    platform: Arc<Platform>,
    origin: Option<String>,
    ip: ClientIp,
    protocol: Protocols,
    init_timeout: Duration,
    budget: Duration,
    shutdown: tokio::sync::watch::Receiver<bool>,
}

async fn close(session: Session, code: u16, description: &str) {
    let reason = CloseReason {
        code: CloseCode::Other(code),
        description: Some(description.to_owned()),
    };
    let _ = session.close(Some(reason)).await;
}

/// The next text message, answering pings on the way; `None` when the socket ends.
async fn next_text(
    session: &mut Session,
    messages: &mut AggregatedMessageStream,
) -> Option<Result<String, u16>> {
    while let Some(message) = messages.next().await {
        match message {
            Ok(AggregatedMessage::Text(text)) => return Some(Ok(text.to_string())),
            Ok(AggregatedMessage::Ping(bytes)) => {
                let _ = session.pong(&bytes).await;
            }
            Ok(AggregatedMessage::Pong(_)) => {}
            Ok(AggregatedMessage::Binary(_)) => return Some(Err(4400)),
            Ok(AggregatedMessage::Close(_)) => return None,
            Err(_) => return Some(Err(1009)),
        }
    }
    None
}

impl Connection {
    async fn run(self, mut session: Session, mut messages: AggregatedMessageStream) {
        let init =
            match tokio::time::timeout(self.init_timeout, next_text(&mut session, &mut messages))
                .await
            {
                Err(_) => return close(session, 4408, "Connection initialisation timeout").await,
                Ok(None) => return,
                Ok(Some(Err(code))) => return close(session, code, "Invalid message").await,
                Ok(Some(Ok(text))) => text,
            };
        let message: Value = serde_json::from_str(&init).unwrap_or(Value::Null);
        match message["type"].as_str() {
            Some("connection_init") => {}
            Some("subscribe" | "start") => return close(session, 4401, "Unauthorized").await,
            _ => return close(session, 4400, "Expected connection_init").await,
        }
        let caller = match self
            .platform
            .resolve_caller(credentials::from_connection_init(&message["payload"]))
            .await
        {
            Ok(Caller::Anonymous) => {
                return close(session, 4403, "Forbidden: credentials are required").await;
            }
            Ok(caller) => caller,
            Err(err) => return close(session, 4403, &format!("Forbidden: {}", reason(&err))).await,
        };
        if let Err(_refused) = cors::grant(&self.platform, &caller, self.origin.as_deref()) {
            return close(session, 4403, "Forbidden: this origin is not allowed").await;
        }
        let credentials = credentials::from_connection_init(&message["payload"]);
        // A secret key's subscriptions end when the key is revoked: it is checked again now and
        // then. (A session token's subscriptions end with their session, from its event.)
        let recheck = matches!(caller, Caller::Backend { .. } | Caller::PlatformAdmin);
        self.serve(credentials, recheck, init, session, messages)
            .await;
    }

    async fn serve(
        self,
        credentials: Credentials,
        recheck: bool,
        init: String,
        session: Session,
        mut messages: AggregatedMessageStream,
    ) {
        let revoked = Arc::new(tokio::sync::Notify::new());
        let mut rechecks = tokio::time::interval_at(
            tokio::time::Instant::now() + RECHECK_CREDENTIAL,
            RECHECK_CREDENTIAL,
        );
        let platform = self.platform.clone();
        let held = credentials.clone();
        let executor = GuardedExecutor {
            schemas: self.schemas,
            platform: self.platform,
            credentials,
            ip: self.ip,
            origin: self.origin.clone(),
            budget: self.budget,
            revoked: revoked.clone(),
        };
        let (tx, rx) = tokio::sync::mpsc::channel::<String>(64);
        if tx.send(init).await.is_err() {
            return;
        }
        let incoming = Box::pin(stream::unfold(rx, |mut rx| async move {
            rx.recv().await.map(|m| (m, rx))
        }));
        let mut outgoing = WebSocket::new(executor, incoming, self.protocol)
            .on_connection_init(|_| async { Ok(Data::default()) })
            .keepalive_timeout(None);
        let active: Rc<RefCell<HashSet<String>>> = Rc::default();

        let mut reader_session = session.clone();
        let reader_active = active.clone();
        let reader = actix_rt::spawn(async move {
            while let Some(message) = next_text(&mut reader_session, &mut messages).await {
                let Ok(text) = message else { break };
                if !admit(&text, &reader_active, &mut reader_session).await {
                    continue;
                }
                if tx.send(text).await.is_err() {
                    break;
                }
            }
        });

        let mut session = session;
        let mut shutdown = self.shutdown;
        loop {
            let message = tokio::select! {
                message = outgoing.next() => message,
                _ = shutdown.wait_for(|stopping| *stopping) => {
                    reader.abort();
                    return close(session, 1001, "Server shutting down").await;
                }
                () = revoked.notified() => {
                    reader.abort();
                    return close(session, 4403, "Forbidden: the credential is no longer valid").await;
                }
                _ = rechecks.tick(), if recheck => {
                    // Only a refusal closes; a database hiccup waits for the next check.
                    if matches!(
                        platform.resolve_caller(held.clone()).await,
                        Ok(Caller::Anonymous)
                            | Err(
                                latchkey_domain::Error::Unauthenticated(_)
                                    | latchkey_domain::Error::Forbidden(_)
                            )
                    ) {
                        reader.abort();
                        return close(session, 4403, "Forbidden: the credential is no longer valid").await;
                    }
                    continue;
                }
            };
            let Some(message) = message else { break };
            match message {
                WsMessage::Text(text) => {
                    forget_finished(&text, &active);
                    if session.text(text).await.is_err() {
                        break;
                    }
                }
                WsMessage::Close(code, description) => {
                    close(session, code, &description).await;
                    reader.abort();
                    return;
                }
            }
        }
        reader.abort();
        let _ = session.close(None).await;
    }
}

/// A safe text for a close reason: the error's message, never an internal detail.
fn reason(err: &latchkey_domain::Error) -> String {
    match err {
        latchkey_domain::Error::Internal(_) => "internal error".to_owned(),
        other => other.to_string(),
    }
}

/// Tracks subscriptions; refuses one over the cap with an error for its id.
async fn admit(text: &str, active: &Rc<RefCell<HashSet<String>>>, session: &mut Session) -> bool {
    let Ok(message) = serde_json::from_str::<Value>(text) else {
        return true;
    };
    let id = message["id"].as_str().map(str::to_owned);
    match (message["type"].as_str(), id) {
        (Some("subscribe" | "start"), Some(id)) => {
            if active.borrow().len() >= MAX_SUBSCRIPTIONS && !active.borrow().contains(&id) {
                let error = json!({"id": id, "type": "error", "payload": [{
                    "message": format!("at most {MAX_SUBSCRIPTIONS} operations at once on one connection"),
                    "extensions": {"code": "RATE_LIMITED", "retryAfter": 1}
                }]});
                let _ = session.text(error.to_string()).await;
                return false;
            }
            active.borrow_mut().insert(id);
        }
        (Some("complete" | "stop"), Some(id)) => {
            active.borrow_mut().remove(&id);
        }
        _ => {}
    }
    true
}

fn forget_finished(text: &str, active: &Rc<RefCell<HashSet<String>>>) {
    if !text.contains("\"complete\"") && !text.contains("\"error\"") {
        return;
    }
    if let Ok(message) = serde_json::from_str::<Value>(text)
        && let (Some("complete" | "error"), Some(id)) =
            (message["type"].as_str(), message["id"].as_str())
    {
        active.borrow_mut().remove(id);
    }
}

/// Runs each operation of the socket through the same guard as HTTP. The credentials are
/// resolved again for every operation, so a revoked key or a changed instance takes effect at
/// once: the operation is refused and the socket closes with 4403.
#[derive(Clone)]
struct GuardedExecutor {
    schemas: Schemas,
    platform: Arc<Platform>,
    credentials: Credentials,
    ip: ClientIp,
    /// The handshake's `Origin`.
    origin: Option<String>,
    budget: Duration,
    revoked: Arc<tokio::sync::Notify>,
}

impl GuardedExecutor {
    /// Resolves the caller and passes the guard; the schema and request to run, or the answer.
    async fn prepare(&self, request: Request) -> Result<guard::Prepared, Response> {
        let caller = match self.platform.resolve_caller(self.credentials.clone()).await {
            Ok(Caller::Anonymous) | Err(_) => {
                self.revoked.notify_one();
                let error = domain_error(latchkey_domain::Error::Unauthenticated(
                    "the credential is no longer valid",
                ));
                return Err(Response::from_errors(vec![
                    error.into_server_error(async_graphql::Pos::default()),
                ]));
            }
            Ok(caller) => caller,
        };
        guard::prepare(&self.schemas, &self.platform, caller, self.ip, request)
            .await
            .map(|prepared| {
                prepared
                    .data(OverWebSocket)
                    .data(CredentialEnded(self.revoked.clone()))
                    .data(RequestOrigin(self.origin.clone()))
            })
            .map_err(|refusal| refusal.response)
    }
}

/// The contract's codes on a response's errors, with the id it ran as (`request_id::scope`).
fn with_codes(mut response: Response, id: &RequestId) -> Response {
    complete_codes(&mut response.errors, &id.0);
    response
}

fn over_budget() -> Response {
    let error = async_graphql::ServerError::new(
        "the operation took longer than its time budget and was cancelled",
        None,
    );
    let mut response = Response::from_errors(vec![error]);
    if let Some(error) = response.errors.first_mut() {
        error
            .extensions
            .get_or_insert_with(Default::default)
            .set("code", "INTERNAL");
    }
    response
}

impl Executor for GuardedExecutor {
    async fn execute(&self, request: Request) -> Response {
        let id = RequestId::random();
        let run = async {
            match self.prepare(request).await {
                Ok(prepared) => prepared.execute().await,
                Err(refused) => refused,
            }
        };
        let response = request_id::scope(id.clone(), tokio::time::timeout(self.budget, run))
            .await
            .unwrap_or_else(|_| over_budget());
        with_codes(response, &id)
    }

    fn execute_stream(
        &self,
        request: Request,
        session_data: Option<Arc<Data>>,
    ) -> BoxStream<'static, Response> {
        let this = self.clone();
        let budget = self.budget;
        let id = RequestId::random();
        let preparing = id.clone();
        stream::once(async move {
            let prepare = this.prepare(request);
            request_id::scope(preparing, tokio::time::timeout(budget, prepare)).await
        })
        .flat_map(move |prepared| {
            let id = id.clone();
            match prepared {
                Ok(Ok(guard::Prepared {
                    schema,
                    mut request,
                })) => {
                    let subscription = request.parsed_query().is_ok_and(|document| {
                        document
                            .operations
                            .iter()
                            .any(|(_, op)| op.node.ty == OperationType::Subscription)
                    });
                    let responses =
                        Executor::execute_stream(&schema, request, session_data.clone());
                    if subscription {
                        request_id::scope_stream(id.clone(), responses)
                            .map(move |response| with_codes(response, &id))
                            .boxed()
                    } else {
                        // A query or mutation answers once, within the budget.
                        stream::once(async move {
                            let mut responses = responses;
                            let next = tokio::time::timeout(budget, responses.next());
                            let response = request_id::scope(id.clone(), next)
                                .await
                                .map_or_else(|_| over_budget(), |r| r.unwrap_or_default());
                            with_codes(response, &id)
                        })
                        .boxed()
                    }
                }
                Ok(Err(refused)) => stream::once(async move { with_codes(refused, &id) }).boxed(),
                Err(_) => stream::once(async move { with_codes(over_budget(), &id) }).boxed(),
            }
        })
        .boxed()
    }
}
