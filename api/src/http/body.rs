//! What every request that runs something shares before and around it: its body read within
//! the size limit, and its time budget.

use std::future::Future;
use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
use futures_util::StreamExt;
use latchkey_domain::ErrorCode;

use super::request_id::RequestId;
use super::transport_error;

/// Whether a `Content-Type` is JSON: `application/json`, in any case, with any parameters.
pub fn is_json(value: &HeaderValue) -> bool {
    value.to_str().is_ok_and(|text| {
        text.split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .eq_ignore_ascii_case("application/json")
    })
}

/// The body, at most `limit` bytes: `413` when it declares or turns out to be larger (the rest
/// is not read), `400` when it cannot be read.
pub async fn read(
    req: &HttpRequest,
    payload: &mut web::Payload,
    limit: usize,
) -> Result<Vec<u8>, HttpResponse> {
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|len| len > limit as u64) {
        return Err(too_large(limit));
    }
    let mut body = Vec::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|_| bad_body("the request body could not be read"))?;
        if body.len() + chunk.len() > limit {
            return Err(too_large(limit));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

fn too_large(limit: usize) -> HttpResponse {
    transport_error::respond(
        StatusCode::PAYLOAD_TOO_LARGE,
        ErrorCode::ValidationFailed,
        Some("body"),
        &format!("the request body is larger than {limit} bytes"),
    )
}

/// `400` for a body that is not what the endpoint takes.
pub fn bad_body(message: &str) -> HttpResponse {
    transport_error::respond(
        StatusCode::BAD_REQUEST,
        ErrorCode::ValidationFailed,
        Some("body"),
        message,
    )
}

/// Runs `work` within `budget` (counted once the body is read); past it, the work is cancelled
/// and the answer is `503` with `INTERNAL`.
pub async fn within_budget(
    budget: Duration,
    request_id: &RequestId,
    work: impl Future<Output = HttpResponse>,
) -> HttpResponse {
    match tokio::time::timeout(budget, work).await {
        Ok(response) => response,
        Err(_) => {
            tracing::warn!(
                budget_ms = budget.as_millis() as u64,
                "operation cancelled: over its time budget"
            );
            transport_error::internal(
                StatusCode::SERVICE_UNAVAILABLE,
                "the operation took longer than its time budget and was cancelled",
                request_id,
            )
        }
    }
}
