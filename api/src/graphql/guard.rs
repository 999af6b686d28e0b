//! What every operation passes before it runs, over HTTP and over the WebSocket alike:
//! - the schema the caller sees: introspection and "did you mean" suggestions only for the
//!   platform admin, secret keys and development instances (GraphiQL needs them);
//! - sensitive fields (attempts, code and password checks, token and key creation) at most once
//!   per request, whatever the aliases or fragments;
//! - the backend rate limit, per secret key;
//! - how the operation is validated: strictly, or fast when its document passed the strict
//!   validation before and this request cannot change that (`validated`); and a token refresh
//!   that may skip the executor altogether (`refresh`).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Arc;

use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::{Name, Positioned, Request, Response};
use latchkey_domain::model::caller::Caller;
use latchkey_domain::model::instance::Environment;
use latchkey_domain::rate_limit::LimitKind;
use latchkey_domain::{Error, Platform};

use super::parsed::Kept;
use super::refresh::{Arguments, Refresh};
use super::sessions::SessionToken;
use super::{AppSchema, domain_error};

/// Root fields that may appear at most once in a request.
pub const SENSITIVE_FIELDS: &[&str] = &[
    "createSecretKey",
    "createApiKey",
    "createSignUp",
    "updateSignUp",
    "prepareSignUpVerification",
    "attemptSignUpVerification",
    "createSignIn",
    "prepareFirstFactor",
    "attemptFirstFactor",
    "attemptSecondFactor",
    "resetPassword",
    "createSessionToken",
    "verifyToken",
    "verifyPassword",
    "updatePassword",
    "attemptEmailAddressVerification",
    "verifyTotp",
    "verifyUserTotp",
    "createUser",
    "updateUser",
];

/// The two builds of the schema: one open to tooling, one for untrusted callers.
#[derive(Clone)]
pub struct Schemas {
    pub open: Validating,
    pub restricted: Validating,
    /// Parsed operations by their text, shared by both.
    pub parsed: Arc<super::parsed::ParsedQueries>,
}

/// One build of the schema, validating strictly and fast.
#[derive(Clone)]
pub struct Validating {
    /// Every rule of the GraphQL validation: what runs unless `validated` says otherwise.
    pub strict: AppSchema,
    /// Fragment cycles, depth and complexity only: for a document that passed `strict` and a
    /// request that cannot change that.
    pub fast: AppSchema,
}

/// A request that passed the guard, on the schema to run it on. The schema and the request are
/// the caller's to run only when prepared for `Execution::Stream` (a refresh that skips the
/// executor leaves the request without its data: run it with `execute`).
pub struct Prepared {
    pub schema: AppSchema,
    pub request: Request,
    /// Where to record that the document passed the strict validation, when this run tells.
    learn: Option<(Arc<Kept>, bool)>,
    /// The token refresh to run without the executor, when the request is one (`refresh`).
    direct: Option<Direct>,
}

/// A refresh run without the executor, and what it runs with.
struct Direct {
    kept: Arc<Kept>,
    arguments: Arguments,
    platform: Arc<Platform>,
    caller: Caller,
    origin: Option<String>,
}

impl Prepared {
    /// Gives the resolvers `data` (a refresh run without the executor needs none).
    pub fn data<D: std::any::Any + Send + Sync>(mut self, data: D) -> Self {
        if self.direct.is_none() {
            self.request = self.request.data(data);
        }
        self
    }

    /// Gives the resolvers the request's `Origin` header.
    pub fn origin(mut self, origin: Option<String>) -> Self {
        match &mut self.direct {
            Some(direct) => direct.origin = origin,
            None => self.request = self.request.data(RequestOrigin(origin)),
        }
        self
    }

    /// Runs the query or mutation, and records when its document passed the strict validation.
    pub async fn execute(self) -> Executed {
        if let Some(direct) = &self.direct
            && let Some(refresh) = direct.kept.run_refresh()
        {
            let Direct {
                platform,
                caller,
                arguments,
                origin,
                ..
            } = direct;
            return match refresh
                .run(platform, caller, arguments, origin.as_deref())
                .await
            {
                Ok(token) => Executed::Refreshed(refresh.clone(), token),
                Err(response) => Executed::Response(response),
            };
        }
        let response = self.schema.execute(self.request).await;
        if let Some((kept, trusted)) = self.learn
            && super::validated::passed(&response)
        {
            kept.record_passed(trusted);
        }
        Executed::Response(response)
    }
}

/// What a run gave.
pub enum Executed {
    /// The executor's response (or a refresh's error, as the executor answers it).
    Response(Response),
    /// A token from a refresh run without the executor: `Refresh::json` writes its answer.
    Refreshed(Arc<Refresh>, SessionToken),
}

impl Executed {
    /// The response, as the executor gives it.
    pub fn into_response(self) -> Response {
        match self {
            Self::Response(response) => response,
            Self::Refreshed(refresh, token) => refresh.response(&token),
        }
    }
}

/// How a prepared request may run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Execution {
    /// By the executor, or by `refresh` for a token refresh that may skip it.
    Execute,
    /// Always by the executor, whose stream the caller takes (`schema` and `request`).
    Stream,
}

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

/// Whether a caller may introspect the schema and get suggestions.
pub fn trusted(caller: &Caller) -> bool {
    match caller {
        Caller::PlatformAdmin | Caller::Backend { .. } => true,
        Caller::Frontend { instance, .. } | Caller::User { instance, .. } => {
            instance.environment == Environment::Development
        }
        Caller::Anonymous => false,
    }
}

/// A request refused before it ran, and the HTTP status that fits.
pub struct Refusal {
    pub status: u16,
    pub retry_after: Option<u64>,
    pub response: Response,
}

impl Refusal {
    fn from_error(err: Error) -> Self {
        let (status, retry_after) = match &err {
            Error::RateLimited { retry_after } => (429, Some(*retry_after)),
            Error::Internal(_) => (500, None),
            _ => (400, None),
        };
        let server_error = domain_error(err).into_server_error(async_graphql::Pos::default());
        Self {
            status,
            retry_after,
            response: Response::from_errors(vec![server_error]),
        }
    }
}

/// Checks a request for its caller and gives the schema to run it on, with the caller and the
/// client IP attached as request data; or, for a token refresh that may skip the executor
/// (`Execution::Execute` only), the refresh with what it runs with, the request left bare.
pub async fn prepare(
    schemas: &Schemas,
    platform: &Arc<Platform>,
    caller: Caller,
    ip: ClientIp,
    mut request: Request,
    execution: Execution,
) -> Result<Prepared, Refusal> {
    // Counted first: a refused request is still a request.
    if let Caller::Backend {
        instance,
        secret_key_id,
    } = &caller
    {
        platform
            .rate_limit(LimitKind::Backend, &instance.id, secret_key_id)
            .await
            .map_err(Refusal::from_error)?;
    }
    let trusted = trusted(&caller);
    let mut kept = schemas.parsed.kept(&request.query);
    let validating = if trusted {
        &schemas.open
    } else {
        &schemas.restricted
    };
    let refresh = match &kept {
        Some(kept) if execution == Execution::Execute => refresh_arguments(kept, trusted, &request),
        _ => None,
    };
    if let Some(arguments) = refresh
        && let Some(kept) = kept.take()
    {
        return Ok(Prepared {
            schema: validating.fast.clone(),
            request,
            learn: None,
            direct: Some(Direct {
                kept,
                arguments,
                platform: platform.clone(),
                caller,
                origin: None,
            }),
        });
    }
    // Held apart while the parsed document borrows the request.
    let operation_name = request.operation_name.take();
    let variables = std::mem::take(&mut request.variables);
    let (document, kept) = schemas.parsed.parse(&mut request, kept);
    let mut decided = false;
    if let Ok(document) = document {
        let reason = match &kept {
            Some(kept) => kept
                .refusal(trusted, |document| refusal_reason(document, trusted))
                .map(str::to_owned),
            None => refusal_reason(document, trusted),
        };
        if let Some(reason) = reason {
            return Err(Refusal::from_error(Error::validation("query", reason)));
        }
        decided =
            super::validated::decided_by_document(document, operation_name.as_deref(), &variables);
    }
    request.operation_name = operation_name;
    request.variables = variables;
    let (fast, learn) = match kept {
        Some(kept) if decided && kept.has_passed(trusted) => (true, None),
        Some(kept) if decided => (false, Some((kept, trusted))),
        _ => (false, None),
    };
    if !trusted {
        request = request.disable_introspection();
    }
    let schema = if fast {
        validating.fast.clone()
    } else {
        validating.strict.clone()
    };
    let loaders = super::loaders::loaders(platform.clone(), caller.clone());
    Ok(Prepared {
        schema,
        request: request.data(caller).data(ip).data(loaders),
        learn,
        direct: None,
    })
}

/// The arguments of a token refresh that may run without the executor: its document is kept,
/// is a refresh, is not refused, passed the strict validation on this caller's schema build,
/// and this request cannot change that (as for the fast validation, `validated`).
fn refresh_arguments(kept: &Kept, trusted: bool, request: &Request) -> Option<Arguments> {
    let refresh = kept.refresh()?;
    let clear = kept.has_passed(trusted)
        && kept
            .refusal(trusted, |document| refusal_reason(document, trusted))
            .is_none()
        && super::validated::decided_by_document(
            kept.document(),
            request.operation_name.as_deref(),
            &request.variables,
        );
    clear
        .then(|| refresh.arguments(&request.variables))
        .flatten()
}

/// Fragments nested deeper than this (inline or spread) are refused before anything else looks
/// at the operation; it matches the schema's recursion limit.
const MAX_FRAGMENT_DEPTH: usize = 32;

type Fragments = HashMap<Name, Positioned<async_graphql::parser::types::FragmentDefinition>>;
type Counts<'d> = HashMap<&'d str, u64>;

/// How often each root field appears, per operation of the document; `None` when fragments nest
/// too deep or spread in a cycle. Each fragment is counted once and its counts multiplied by its
/// uses, so a wide fan-out of spreads costs its size, not its product.
fn root_field_counts(document: &ExecutableDocument) -> Option<Vec<Counts<'_>>> {
    let mut memo: HashMap<&str, Option<Counts<'_>>> = HashMap::new();
    document
        .operations
        .iter()
        .map(|(_, operation)| {
            count_fields(
                &operation.node.selection_set.node,
                &document.fragments,
                &mut memo,
                0,
            )
        })
        .collect()
}

fn count_fields<'d>(
    selection_set: &'d SelectionSet,
    fragments: &'d Fragments,
    memo: &mut HashMap<&'d str, Option<Counts<'d>>>,
    depth: usize,
) -> Option<Counts<'d>> {
    if depth > MAX_FRAGMENT_DEPTH {
        return None;
    }
    let mut counts = Counts::new();
    let add = |counts: &mut Counts<'d>, more: &Counts<'d>| {
        for (name, n) in more {
            let entry = counts.entry(name).or_default();
            *entry = entry.saturating_add(*n);
        }
    };
    for selection in &selection_set.items {
        match &selection.node {
            Selection::Field(field) => {
                let entry = counts.entry(field.node.name.node.as_str()).or_default();
                *entry = entry.saturating_add(1);
            }
            Selection::InlineFragment(inline) => {
                let inner =
                    count_fields(&inline.node.selection_set.node, fragments, memo, depth + 1)?;
                add(&mut counts, &inner);
            }
            Selection::FragmentSpread(spread) => {
                let name = spread.node.fragment_name.node.as_str();
                let inner = match memo.get(name) {
                    // Being counted right now: a cycle.
                    Some(None) => return None,
                    Some(Some(done)) => done.clone(),
                    None => {
                        let fragment = fragments.get(&spread.node.fragment_name.node)?;
                        memo.insert(name, None);
                        let done = count_fields(
                            &fragment.node.selection_set.node,
                            fragments,
                            memo,
                            depth + 1,
                        )?;
                        memo.insert(name, Some(done.clone()));
                        done
                    }
                };
                add(&mut counts, &inner);
            }
        }
    }
    Some(counts)
}

/// Why a document is refused before it runs, if it is.
fn refusal_reason(document: &ExecutableDocument, trusted: bool) -> Option<String> {
    let Some(operations) = root_field_counts(document) else {
        return Some(
            "fragments are nested too deeply, refer to unknown fragments, or form a cycle"
                .to_owned(),
        );
    };
    for counts in &operations {
        if let Some(field) = SENSITIVE_FIELDS
            .iter()
            .find(|field| counts.get(*field).is_some_and(|n| *n > 1))
        {
            return Some(format!("{field} may appear only once per request"));
        }
        if !trusted && (counts.contains_key("__schema") || counts.contains_key("__type")) {
            return Some(
                "introspection is only open to secret keys and development instances".to_owned(),
            );
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(query: &str) -> Option<String> {
        let document = async_graphql::parser::parse_query(query).unwrap();
        refusal_reason(&document, true)
    }

    #[test]
    fn a_sensitive_field_may_appear_once_whatever_the_aliases() {
        assert_eq!(refused("mutation { createSecretKey { key } }"), None);
        let two =
            refused("mutation { a: createSecretKey { key } b: createSecretKey { key } }").unwrap();
        assert!(two.contains("createSecretKey"), "{two}");
        let fifty: String = (0..50)
            .map(|i| format!("a{i}: attemptFirstFactor(code: \"1\") {{ id }} "))
            .collect();
        assert!(
            refused(&format!("mutation {{ {fifty} }}"))
                .unwrap()
                .contains("attemptFirstFactor")
        );
    }

    #[test]
    fn fragments_do_not_hide_repeats() {
        let query = "mutation { createSecretKey { key } ...F ... on Mutation { createSecretKey { key } } } fragment F on Mutation { createSecretKey { key } }";
        assert!(refused(query).unwrap().contains("createSecretKey"));
        let cyclic =
            "mutation { ...A } fragment A on Mutation { ...B } fragment B on Mutation { ...A }";
        assert!(refused(cyclic).is_some(), "a cycle is refused");
        assert!(refused("mutation { ...Missing }").is_some());
    }

    #[test]
    fn deep_nesting_is_refused_not_skipped() {
        let open = "... on Mutation { ".repeat(40);
        let close = "}".repeat(40);
        let query = format!(
            "mutation {{ {open} a: createSecretKey {{ key }} b: createSecretKey {{ key }} {close} }}"
        );
        assert!(refused(&query).is_some());
        let open = "... on Mutation { ".repeat(20);
        let close = "}".repeat(20);
        let query = format!(
            "mutation {{ {open} a: createSecretKey {{ key }} b: createSecretKey {{ key }} {close} }}"
        );
        assert!(
            refused(&query).unwrap().contains("createSecretKey"),
            "17–32 levels are counted too"
        );
    }

    #[test]
    fn a_wide_fan_out_of_spreads_is_counted_once_per_fragment() {
        let mut query = String::from("mutation { ...F0 } ");
        for i in 0..16 {
            let spreads: String = (0..10).map(|_| format!("...F{} ", i + 1)).collect();
            query.push_str(&format!("fragment F{i} on Mutation {{ {spreads} }} "));
        }
        query.push_str("fragment F16 on Mutation { __typename }");
        let started = std::time::Instant::now();
        assert_eq!(refused(&query), None);
        assert!(
            started.elapsed() < std::time::Duration::from_secs(5),
            "memoized, not 10^16 visits"
        );
    }

    #[test]
    fn different_sensitive_fields_and_other_fields_may_share_a_request() {
        assert_eq!(
            refused(
                "mutation { createSecretKey { key } revokeSecretKey(id: \"x\") { id } r2: revokeSecretKey(id: \"y\") { id } }"
            ),
            None
        );
    }

    #[test]
    fn untrusted_callers_cannot_introspect() {
        let document =
            async_graphql::parser::parse_query("{ __schema { queryType { name } } }").unwrap();
        assert!(refusal_reason(&document, false).is_some());
        assert_eq!(refusal_reason(&document, true), None);
        let typename = async_graphql::parser::parse_query("{ __typename }").unwrap();
        assert_eq!(refusal_reason(&typename, false), None);
    }
}
