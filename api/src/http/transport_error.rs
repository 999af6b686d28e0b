//! Failures found before any resolver runs (wrong content type, oversized or malformed body,
//! a bad credential), answered in the GraphQL error shape with the contract's codes.

use actix_web::HttpResponse;
use actix_web::http::{StatusCode, header};
use latchkey_domain::{Error, ErrorCode};
use serde_json::json;

use super::request_id::RequestId;

/// A GraphQL-shaped error response with an HTTP status.
pub fn respond(
    status: StatusCode,
    code: ErrorCode,
    field: Option<&str>,
    message: &str,
) -> HttpResponse {
    let mut extensions = json!({ "code": code.as_str() });
    if let Some(field) = field {
        extensions["field"] = json!(field);
    }
    HttpResponse::build(status)
        .content_type("application/json")
        .json(json!({ "errors": [{ "message": message, "extensions": extensions }] }))
}

/// An internal failure outside a resolver: logged by the caller, shown only as `INTERNAL` with
/// the request id, as inside resolvers (`graphql::complete_codes`).
pub fn internal(status: StatusCode, message: &str, request_id: &RequestId) -> HttpResponse {
    HttpResponse::build(status).content_type("application/json").json(json!({
        "errors": [{ "message": message, "extensions": { "code": ErrorCode::Internal.as_str(), "requestId": request_id.0 } }]
    }))
}

/// The HTTP status that fits a domain error answered outside GraphQL.
pub fn status_of(err: &Error) -> StatusCode {
    match err {
        Error::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
        Error::Forbidden(_) => StatusCode::FORBIDDEN,
        Error::NotFound(_) => StatusCode::NOT_FOUND,
        Error::SessionNotActive => StatusCode::CONFLICT,
        Error::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
        Error::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        _ => StatusCode::BAD_REQUEST,
    }
}

/// A domain error met outside a resolver (resolving the caller, the token endpoint): the
/// contract's error shape with the error's extensions, the status that fits, and `Retry-After`
/// when a limit applies. An internal one is logged and shown as a bare `INTERNAL`.
pub fn from_domain(err: &Error, request_id: &RequestId) -> HttpResponse {
    if let Error::Internal(source) = err {
        tracing::error!(error = %source, "internal error");
        return internal(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal error",
            request_id,
        );
    }
    let mut response = HttpResponse::build(status_of(err));
    if let Error::RateLimited { retry_after } = err {
        response.insert_header((header::RETRY_AFTER, *retry_after));
    }
    response.content_type("application/json").json(json!({
        "errors": [{ "message": err.to_string(), "extensions": crate::graphql::extensions(err) }]
    }))
}
