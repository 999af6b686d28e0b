//! What every operation passes before it runs, over HTTP and over the WebSocket alike:
//! - the schema the caller sees: introspection and "did you mean" suggestions only for the
//!   platform admin, secret keys and development instances (GraphiQL needs them);
//! - sensitive fields (attempts, code and password checks, token and key creation) at most once
//!   per request, whatever the aliases or fragments;
//! - the backend rate limit, per secret key.
//!
//! Then the executor runs the operation, always: no operation goes around it.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, Selection, SelectionSet,
};
use async_graphql::{Name, Positioned, Request, Response, Value};
use latchkey_domain::model::caller::Caller;
use latchkey_domain::model::instance::Environment;
use latchkey_domain::rate_limit::LimitKind;
use latchkey_domain::{Error, Platform};

use super::request_data::ClientIp;
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
    "prepareReverification",
    "attemptReverification",
    "verifyUserTotp",
    "createUser",
    "updateUser",
];

/// The two builds of the schema: one open to tooling, one for untrusted callers.
#[derive(Clone)]
pub struct Schemas {
    /// With "did you mean" suggestions (introspection is decided per request).
    pub open: AppSchema,
    /// Without suggestions.
    pub restricted: AppSchema,
    /// Parsed operations by their text, shared by both.
    pub parsed: Arc<super::parsed::ParsedQueries>,
}

/// A request that passed the guard, with the caller, the client IP and the loaders attached,
/// on the schema build to run it on.
pub struct Prepared {
    pub schema: AppSchema,
    pub request: Request,
}

impl Prepared {
    /// Gives the resolvers `data` too.
    pub fn data<D: std::any::Any + Send + Sync>(mut self, data: D) -> Self {
        self.request = self.request.data(data);
        self
    }

    /// Runs the query or mutation.
    pub async fn execute(self) -> Response {
        self.schema.execute(self.request).await
    }
}

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

/// A request refused before it ran, and the HTTP status that fits (`200` for a request error
/// answered as the executor would: the transport decides by `Accept`).
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

/// The limits every request of `caller` is counted against before anything else, whatever it
/// asks for: a secret key's backend rate limit. (The token endpoint counts its requests here
/// too.)
pub async fn admit(platform: &Platform, caller: &Caller) -> Result<(), Error> {
    if let Caller::Backend {
        instance,
        secret_key_id,
    } = caller
    {
        platform
            .rate_limit(LimitKind::Backend, &instance.id, secret_key_id)
            .await?;
    }
    Ok(())
}

/// Checks a request for its caller and gives the schema to run it on, with the caller, the
/// client IP and the request's loaders attached as request data.
pub async fn prepare(
    schemas: &Schemas,
    platform: &Arc<Platform>,
    caller: Caller,
    ip: ClientIp,
    mut request: Request,
) -> Result<Prepared, Refusal> {
    // Counted first: a refused request is still a request.
    admit(platform, &caller)
        .await
        .map_err(Refusal::from_error)?;
    let trusted = trusted(&caller);
    let operation_name = request.operation_name.clone();
    // A document that does not parse is left to the executor, which answers with the error.
    let mut required = Vec::new();
    if let Ok(document) = schemas.parsed.parse(&mut request) {
        if let Some(reason) = refusal_reason(document, trusted) {
            return Err(Refusal::from_error(Error::validation("query", reason)));
        }
        required = required_variables(document, operation_name.as_deref());
    }
    // The executor would find a missing variable only at the field that uses it, as a field's
    // error: it is the request's error, found before anything runs.
    if let Some(name) = required.into_iter().find(|name| {
        request
            .variables
            .get(name)
            .is_none_or(|v| *v == Value::Null)
    }) {
        let message = format!("the variable ${name} is required and was not given");
        return Err(Refusal {
            status: 200,
            ..Refusal::from_error(Error::validation("variables", message))
        });
    }
    let schema = if trusted {
        schemas.open.clone()
    } else {
        request = request.disable_introspection();
        schemas.restricted.clone()
    };
    let loaders = super::loaders::loaders(platform.clone(), caller.clone());
    Ok(Prepared {
        schema,
        request: request.data(caller).data(ip).data(loaders),
    })
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

/// The variables the operation to run requires: non-null, with no default.
fn required_variables(document: &ExecutableDocument, operation_name: Option<&str>) -> Vec<Name> {
    let operation = match (&document.operations, operation_name) {
        (DocumentOperations::Single(operation), _) => operation,
        (DocumentOperations::Multiple(operations), Some(name)) => match operations.get(name) {
            Some(operation) => operation,
            None => return Vec::new(),
        },
        (DocumentOperations::Multiple(_), None) => return Vec::new(),
    };
    operation
        .node
        .variable_definitions
        .iter()
        .filter(|d| !d.node.var_type.node.nullable && d.node.default_value.is_none())
        .map(|d| d.node.name.node.clone())
        .collect()
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
