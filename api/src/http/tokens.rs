//! The token endpoint, as Clerk's Frontend API has one: `POST /v1/client/sessions/{sessionId}/
//! tokens` and `…/tokens/{template}`. The credentials, CORS, limits and domain function of
//! `createSessionToken` over GraphQL, with no GraphQL around it; the browser SDK refreshes here.
//! It answers `200 {"jwt", "expiresAt"}`, or the contract's error shape with the status that
//! fits (`transport_error::status_of`: 401, 403, 404, 409 for `SESSION_NOT_ACTIVE`, 429 with
//! `Retry-After`).

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::{HttpRequest, HttpResponse, web};
use latchkey_domain::ErrorCode;
use serde_json::json;

use super::request_id::{self, RequestId};
use super::{AppState, body, cors, credentials, graphql, transport_error};
use crate::graphql::guard;

/// The methods the token endpoint takes: the preflight's answer, and a `405`'s `Allow`.
const ALLOWED_METHODS: &str = "POST, OPTIONS";

/// `…/tokens` and `…/tokens/{template}`, every method.
pub async fn endpoint(
    state: web::Data<AppState>,
    req: HttpRequest,
    mut payload: web::Payload,
) -> HttpResponse {
    match *req.method() {
        Method::POST => {}
        Method::OPTIONS => return cors::preflight(&req, ALLOWED_METHODS),
        _ => {
            return graphql::method_not_allowed(
                "the token endpoint takes POST (and OPTIONS)",
                ALLOWED_METHODS,
            );
        }
    }
    let request_id = request_id::current().unwrap_or_else(RequestId::random);
    let body = match body::read(&req, &mut payload, state.max_body_bytes).await {
        Ok(body) => body,
        Err(refused) => return refused,
    };
    if let Some(refused) = refuse_body(&req, &body) {
        return refused;
    }
    let session_id = req.match_info().get("session_id").unwrap_or_default();
    let template = req.match_info().get("template");
    body::within_budget(
        state.request_timeout,
        &request_id,
        issue(&state, &req, session_id, template, &request_id),
    )
    .await
}

/// Why the body is refused, unless it is empty or a JSON object sent as `application/json`
/// (room for options later; none is read yet).
fn refuse_body(req: &HttpRequest, body: &[u8]) -> Option<HttpResponse> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return None;
    }
    if !req
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(body::is_json)
    {
        return Some(transport_error::respond(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorCode::ValidationFailed,
            Some("Content-Type"),
            "the token endpoint takes an empty body or application/json",
        ));
    }
    match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(value) if value.is_object() => None,
        _ => Some(body::bad_body("the body must be empty or a JSON object")),
    }
}

/// Resolves the caller, checks the origin and the limits, and asks the domain for the token.
async fn issue(
    state: &AppState,
    req: &HttpRequest,
    session_id: &str,
    template: Option<&str>,
    request_id: &RequestId,
) -> HttpResponse {
    let platform = &state.platform;
    let caller = match platform
        .resolve_caller(credentials::from_request(req))
        .await
    {
        Ok(caller) => caller,
        Err(err) => return transport_error::from_domain(&err, request_id),
    };
    let origin = cors::origin(req);
    let grant = match cors::grant(platform, &caller, origin) {
        Ok(grant) => grant,
        Err(refused) => return *refused,
    };
    let issued = match guard::admit(platform, &caller).await {
        Ok(()) => {
            platform
                .create_session_token(
                    &caller,
                    session_id,
                    template,
                    origin,
                    Some(&state.trusted_proxies.source_of(req)),
                )
                .await
        }
        Err(err) => Err(err),
    };
    let mut response = match issued {
        Ok(token) => HttpResponse::Ok()
            .insert_header((header::CACHE_CONTROL, HeaderValue::from_static("no-store")))
            .json(json!({"jwt": token.jwt, "expiresAt": token.expires_at.to_rfc3339()})),
        Err(err) => transport_error::from_domain(&err, request_id),
    };
    cors::apply(&grant, &mut response);
    response
}
