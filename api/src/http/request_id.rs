//! A request id for every request: in the `x-request-id` response header, and in the tracing
//! span the request runs in, so every log line of a request (an internal error above all) names
//! it and an operator can find it from what the caller was shown.

use actix_web::HttpMessage;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use tracing::Instrument;

/// The response header carrying the request id.
pub const HEADER: HeaderName = HeaderName::from_static("x-request-id");

/// The id of one request.
#[derive(Clone, Debug)]
pub struct RequestId(pub String);

impl RequestId {
    /// A random (version 4) UUID from the thread's generator: `Uuid::new_v4` asks the kernel for
    /// its bytes, a system call on every request.
    fn new() -> Self {
        let bytes: [u8; 16] = rand::random();
        Self(
            uuid::Builder::from_random_bytes(bytes)
                .into_uuid()
                .simple()
                .to_string(),
        )
    }
}

/// Middleware: gives the request an id and runs it inside a span that carries it.
pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let id = RequestId::new();
    req.extensions_mut().insert(id.clone());
    let span = tracing::info_span!("request", request_id = %id.0, method = %req.method(), path = %req.path());
    let started = std::time::Instant::now();
    let mut response = next.call(req).instrument(span.clone()).await?;
    span.in_scope(|| {
        tracing::debug!(
            status = response.status().as_u16(),
            elapsed_us = started.elapsed().as_micros() as u64,
            "served"
        );
    });
    if let Ok(value) = HeaderValue::from_str(&id.0) {
        response.headers_mut().insert(HEADER, value);
    }
    Ok(response)
}

/// The id of the request, or a fresh one if the middleware did not run.
pub fn of(req: &actix_web::HttpRequest) -> RequestId {
    req.extensions()
        .get::<RequestId>()
        .cloned()
        .unwrap_or_else(RequestId::new)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_ids_are_random_version_4_uuids() {
        let (a, b) = (RequestId::new().0, RequestId::new().0);
        assert_ne!(a, b);
        let parsed = uuid::Uuid::parse_str(&a).unwrap();
        assert_eq!(parsed.get_version_num(), 4);
        assert_eq!(a.len(), 32);
    }
}
