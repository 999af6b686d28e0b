//! Domain errors as GraphQL errors: the message, and `extensions.code` (plus `field` or
//! `retryAfter` where the contract names them). An internal error is logged here (the line names
//! the request it happened in: `logging`), and shown as a bare `INTERNAL`.

use async_graphql::ErrorExtensions;
use latchkey_domain::Error;

/// The result type of resolvers.
pub type GqlResult<T> = async_graphql::Result<T>;

/// Converts a domain error into the GraphQL error the caller sees.
pub fn domain_error(err: Error) -> async_graphql::Error {
    if let Error::Internal(source) = &err {
        tracing::error!(error = %source, "internal error");
    }
    let extensions = extensions(&err);
    async_graphql::Error::new(err.to_string()).extend_with(|_, ext| {
        for (name, value) in extensions {
            ext.set(
                name,
                async_graphql::Value::from_json(value).unwrap_or_default(),
            );
        }
    })
}

/// A domain error's `extensions`: its `code`, plus `field` or `retryAfter` where the contract
/// names them. The GraphQL errors and the errors answered outside GraphQL (the token endpoint,
/// a refused credential) both carry these.
pub fn extensions(err: &Error) -> serde_json::Map<String, serde_json::Value> {
    let mut extensions = serde_json::Map::new();
    extensions.insert("code".to_owned(), err.code().as_str().into());
    match err {
        Error::Validation { field, .. } | Error::IdentifierExists { field } => {
            extensions.insert("field".to_owned(), field.as_str().into());
        }
        Error::AccountLocked { retry_after }
        | Error::RateLimited { retry_after }
        | Error::TooManyWrongCodes { retry_after } => {
            extensions.insert("retryAfter".to_owned(), (*retry_after).into());
        }
        _ => {}
    }
    extensions
}

/// `?` for domain results inside resolvers.
pub trait ResultExt<T> {
    /// Maps the error with [`domain_error`].
    fn gql(self) -> GqlResult<T>;
}

impl<T> ResultExt<T> for latchkey_domain::Result<T> {
    fn gql(self) -> GqlResult<T> {
        self.map_err(domain_error)
    }
}

/// Gives every error of a response a code: those raised before resolvers ran (syntax, unknown
/// fields, limits) are `VALIDATION_FAILED`; internal ones carry the request id for support.
pub fn complete_codes(errors: &mut [async_graphql::ServerError], request_id: &str) {
    for error in errors {
        let extensions = error.extensions.get_or_insert_with(Default::default);
        match extensions.get("code") {
            None => extensions.set(
                "code",
                latchkey_domain::ErrorCode::ValidationFailed.as_str(),
            ),
            Some(async_graphql::Value::String(code))
                if code == latchkey_domain::ErrorCode::Internal.as_str() =>
            {
                extensions.set("requestId", request_id);
            }
            Some(_) => {}
        }
    }
}
