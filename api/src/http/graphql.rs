//! `/graphql`: `POST` with a JSON body runs an operation; `GET` serves GraphiQL or upgrades to a
//! WebSocket for subscriptions. Nothing is executed before the content type, the size and the
//! shape of the request are checked, and the caller is resolved.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
use async_graphql::http::GraphiQLSource;
use async_graphql::{Data, ServerError};
use async_graphql_actix_web::GraphQLSubscription;
use futures_util::StreamExt;
use latchkey_domain::ErrorCode;

use super::request_id::{self, RequestId};
use super::{AppState, credentials, transport_error};

const GRAPHQL_RESPONSE_JSON: &str = "application/graphql-response+json";

/// The media type without parameters, lowercased.
fn essence(value: &HeaderValue) -> Option<String> {
    let text = value.to_str().ok()?;
    Some(
        text.split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase(),
    )
}

/// Reads the body up to `limit` bytes; `None` when it is larger (the rest is not read).
async fn read_limited(
    payload: &mut web::Payload,
    limit: usize,
) -> Result<Option<Vec<u8>>, actix_web::error::PayloadError> {
    let mut body = Vec::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk?;
        if body.len() + chunk.len() > limit {
            return Ok(None);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Some(body))
}

fn too_large(limit: usize) -> HttpResponse {
    transport_error::respond(
        StatusCode::PAYLOAD_TOO_LARGE,
        ErrorCode::ValidationFailed,
        Some("body"),
        &format!("the request body is larger than {limit} bytes"),
    )
}

fn bad_body(message: &str) -> HttpResponse {
    transport_error::respond(
        StatusCode::BAD_REQUEST,
        ErrorCode::ValidationFailed,
        Some("body"),
        message,
    )
}

/// `POST /graphql`.
pub async fn post(
    state: web::Data<AppState>,
    req: HttpRequest,
    mut payload: web::Payload,
) -> HttpResponse {
    let request_id = request_id::of(&req);
    let content_type = req.headers().get(header::CONTENT_TYPE).and_then(essence);
    if content_type.as_deref() != Some("application/json") {
        return transport_error::respond(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorCode::ValidationFailed,
            Some("Content-Type"),
            "POST /graphql accepts only application/json",
        );
    }
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|len| len > state.max_body_bytes as u64) {
        return too_large(state.max_body_bytes);
    }
    let body = match read_limited(&mut payload, state.max_body_bytes).await {
        Ok(Some(body)) => body,
        Ok(None) => return too_large(state.max_body_bytes),
        Err(_) => return bad_body("the request body could not be read"),
    };
    let value: serde_json::Value = match serde_json::from_slice(&body) {
        Ok(value) => value,
        Err(_) => return bad_body("the request body is not valid JSON"),
    };
    if value.is_array() {
        return bad_body("batched requests are not supported: send one operation per request");
    }
    if !value.get("query").is_some_and(serde_json::Value::is_string) {
        return bad_body("a GraphQL request needs a \"query\" string");
    }
    let request: async_graphql::Request = match serde_json::from_value(value) {
        Ok(request) => request,
        Err(err) => return bad_body(&format!("not a GraphQL request: {err}")),
    };
    let caller = match state
        .platform
        .resolve_caller(credentials::from_request(&req))
        .await
    {
        Ok(caller) => caller,
        Err(err) => return transport_error::from_domain(&err, &request_id),
    };
    let mut response = state.schema.execute(request.data(caller)).await;
    complete_errors(&mut response.errors, &request_id);
    let media_type = if accepts_graphql_response(&req) {
        GRAPHQL_RESPONSE_JSON
    } else {
        "application/json"
    };
    match serde_json::to_vec(&response) {
        Ok(json) => HttpResponse::Ok().content_type(media_type).body(json),
        Err(err) => {
            tracing::error!(error = %err, "could not serialize a response");
            transport_error::from_domain(&latchkey_domain::Error::internal(err), &request_id)
        }
    }
}

fn accepts_graphql_response(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| {
            accept
                .split(',')
                .any(|part| part.trim().starts_with(GRAPHQL_RESPONSE_JSON))
        })
}

/// Gives every error a code: those raised before resolvers ran (syntax, unknown fields, limits)
/// are `VALIDATION_FAILED`; internal ones carry the request id for support.
fn complete_errors(errors: &mut [ServerError], request_id: &RequestId) {
    for error in errors {
        let extensions = error.extensions.get_or_insert_with(Default::default);
        match extensions.get("code") {
            None => extensions.set("code", ErrorCode::ValidationFailed.as_str()),
            Some(async_graphql::Value::String(code)) if code == ErrorCode::Internal.as_str() => {
                extensions.set("requestId", request_id.0.as_str());
            }
            Some(_) => {}
        }
    }
}

/// `GET /graphql`: GraphiQL for a browser, a WebSocket for subscriptions. Operations are never
/// run over `GET` (a link must not be able to run a mutation): `405`.
pub async fn get(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> actix_web::Result<HttpResponse> {
    let upgrade = req
        .headers()
        .get(header::UPGRADE)
        .and_then(|v| v.to_str().ok());
    if upgrade.is_some_and(|v| v.eq_ignore_ascii_case("websocket")) {
        return websocket(state, &req, payload);
    }
    if req
        .query_string()
        .split('&')
        .any(|pair| pair == "query" || pair.starts_with("query="))
    {
        return Ok(HttpResponse::MethodNotAllowed()
            .insert_header((header::ALLOW, "POST"))
            .json(serde_json::json!({"errors": [{
                "message": "operations are only accepted as POST with application/json",
                "extensions": {"code": ErrorCode::ValidationFailed.as_str(), "field": "method"}
            }]})));
    }
    let html = GraphiQLSource::build()
        .endpoint("/graphql")
        .subscription_endpoint("/graphql")
        .finish();
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(html))
}

fn websocket(
    state: web::Data<AppState>,
    req: &HttpRequest,
    payload: web::Payload,
) -> actix_web::Result<HttpResponse> {
    let platform = state.platform.clone();
    GraphQLSubscription::new(state.schema.clone())
        .on_connection_init(move |init| async move {
            let caller = platform
                .resolve_caller(credentials::from_connection_init(&init))
                .await
                .map_err(crate::graphql::domain_error)?;
            let mut data = Data::default();
            data.insert(caller);
            Ok(data)
        })
        .start(req, payload)
}
