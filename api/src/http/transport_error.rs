//! Failures found before any resolver runs (wrong content type, oversized or malformed body,
//! a bad credential), answered in the GraphQL error shape with the contract's codes.

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
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

/// A domain error met outside a resolver (while resolving the caller).
pub fn from_domain(err: &Error, request_id: &RequestId) -> HttpResponse {
    match err {
        Error::Internal(source) => {
            tracing::error!(error = %source, "internal error");
            internal(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal error",
                request_id,
            )
        }
        Error::Unauthenticated(_) => {
            respond(StatusCode::UNAUTHORIZED, err.code(), None, &err.to_string())
        }
        Error::Forbidden(_) => respond(StatusCode::FORBIDDEN, err.code(), None, &err.to_string()),
        other => respond(
            StatusCode::BAD_REQUEST,
            other.code(),
            None,
            &other.to_string(),
        ),
    }
}
