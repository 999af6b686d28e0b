//! What every operation passes before it runs, over HTTP and over the WebSocket alike:
//! - the schema the caller sees: introspection and "did you mean" suggestions only for the
//!   platform admin, secret keys and development instances (GraphiQL needs them);
//! - sensitive fields (attempts, code and password checks, token and key creation) at most once
//!   per request, whatever the aliases or fragments;
//! - the backend rate limit, per secret key.

use std::collections::HashMap;
use std::net::IpAddr;

use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::{Name, Positioned, Request, Response};
use latchkey_domain::model::caller::Caller;
use latchkey_domain::model::instance::Environment;
use latchkey_domain::rate_limit::LimitKind;
use latchkey_domain::{Error, Platform};

use super::{AppSchema, domain_error};

/// Root fields that may appear at most once in a request.
pub const SENSITIVE_FIELDS: &[&str] = &[
    "createSecretKey",
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
    "createApiKey",
];

/// The two builds of the schema: one open to tooling, one for untrusted callers.
#[derive(Clone)]
pub struct Schemas {
    pub open: AppSchema,
    pub restricted: AppSchema,
}

/// The IP address of the client, for per-IP limits.
#[derive(Clone, Copy, Debug)]
pub struct ClientIp(pub Option<IpAddr>);

/// Whether a caller may introspect the schema and get suggestions.
pub fn trusted(caller: &Caller) -> bool {
    match caller {
        Caller::PlatformAdmin | Caller::Backend { .. } => true,
        Caller::Frontend { instance, .. } => instance.environment == Environment::Development,
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
/// client IP attached as request data.
pub async fn prepare(
    schemas: &Schemas,
    platform: &Platform,
    caller: &Caller,
    ip: ClientIp,
    mut request: Request,
) -> Result<(AppSchema, Request), Refusal> {
    // Counted first: a refused request is still a request.
    if let Caller::Backend {
        instance,
        secret_key_id,
    } = caller
    {
        platform
            .rate_limit(LimitKind::Backend, &instance.id, secret_key_id)
            .await
            .map_err(Refusal::from_error)?;
    }
    let trusted = trusted(caller);
    if let Ok(document) = request.parsed_query() {
        if let Some(field) = repeated_sensitive_field(document) {
            return Err(Refusal::from_error(Error::validation(
                "query",
                format!("{field} may appear only once per request"),
            )));
        }
        if !trusted && introspects(document) {
            return Err(Refusal::from_error(Error::validation(
                "query",
                "introspection is only open to secret keys and development instances",
            )));
        }
    }
    let schema = if trusted {
        schemas.open.clone()
    } else {
        request = request.disable_introspection();
        schemas.restricted.clone()
    };
    Ok((schema, request.data(caller.clone()).data(ip)))
}

/// How often each root field appears, per operation of the document.
fn root_field_counts(document: &ExecutableDocument) -> Vec<HashMap<&str, usize>> {
    document
        .operations
        .iter()
        .map(|(_, operation)| {
            let mut counts = HashMap::new();
            count_root_fields(
                &operation.node.selection_set.node,
                &document.fragments,
                &mut counts,
                0,
            );
            counts
        })
        .collect()
}

/// The first sensitive root field that appears more than once in any operation.
fn repeated_sensitive_field(document: &ExecutableDocument) -> Option<&'static str> {
    root_field_counts(document).iter().find_map(|counts| {
        SENSITIVE_FIELDS
            .iter()
            .copied()
            .find(|field| counts.get(field).is_some_and(|n| *n > 1))
    })
}

/// Whether any operation asks for `__schema` or `__type`.
fn introspects(document: &ExecutableDocument) -> bool {
    root_field_counts(document)
        .iter()
        .any(|counts| counts.contains_key("__schema") || counts.contains_key("__type"))
}

fn count_root_fields<'d>(
    selection_set: &'d SelectionSet,
    fragments: &'d HashMap<Name, Positioned<async_graphql::parser::types::FragmentDefinition>>,
    counts: &mut HashMap<&'d str, usize>,
    depth: usize,
) {
    // Fragment cycles are refused by validation later; here they only must not loop forever.
    if depth > 16 {
        return;
    }
    for selection in &selection_set.items {
        match &selection.node {
            Selection::Field(field) => {
                *counts.entry(field.node.name.node.as_str()).or_default() += 1
            }
            Selection::InlineFragment(inline) => {
                count_root_fields(
                    &inline.node.selection_set.node,
                    fragments,
                    counts,
                    depth + 1,
                );
            }
            Selection::FragmentSpread(spread) => {
                if let Some(fragment) = fragments.get(&spread.node.fragment_name.node) {
                    count_root_fields(
                        &fragment.node.selection_set.node,
                        fragments,
                        counts,
                        depth + 1,
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repeated(query: &str) -> Option<&'static str> {
        let document = async_graphql::parser::parse_query(query).unwrap();
        repeated_sensitive_field(&document)
    }

    #[test]
    fn a_sensitive_field_may_appear_once_whatever_the_aliases() {
        assert_eq!(repeated("mutation { createSecretKey { key } }"), None);
        assert_eq!(
            repeated("mutation { a: createSecretKey { key } b: createSecretKey { key } }"),
            Some("createSecretKey")
        );
        let fifty: String = (0..50)
            .map(|i| format!("a{i}: attemptFirstFactor(code: \"1\") {{ id }} "))
            .collect();
        assert_eq!(
            repeated(&format!("mutation {{ {fifty} }}")),
            Some("attemptFirstFactor")
        );
    }

    #[test]
    fn fragments_do_not_hide_repeats() {
        let query = "mutation { createSecretKey { key } ...F ... on Mutation { createSecretKey { key } } } fragment F on Mutation { createSecretKey { key } }";
        assert_eq!(repeated(query), Some("createSecretKey"));
        let cyclic =
            "mutation { ...A } fragment A on Mutation { ...B } fragment B on Mutation { ...A }";
        assert_eq!(repeated(cyclic), None);
    }

    #[test]
    fn different_sensitive_fields_and_other_fields_may_share_a_request() {
        assert_eq!(
            repeated(
                "mutation { createSecretKey { key } revokeSecretKey(id: \"x\") { id } r2: revokeSecretKey(id: \"y\") { id } }"
            ),
            None
        );
    }
}
