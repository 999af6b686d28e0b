//! A request id for every request: in the `x-request-id` response header, and known to the code
//! that runs the request (`current`), so every line logged while it runs names it (`logging`)
//! and an operator can find an internal error from what the caller was shown. With debug
//! logging on, the request also runs in a span that carries it; at the default level it has no
//! span: a span per request cost about 3 % of a token refresh.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use futures_util::{Stream, StreamExt};
use tracing::Instrument;

/// The response header carrying the request id.
pub const HEADER: HeaderName = HeaderName::from_static("x-request-id");

/// The id of one request.
#[derive(Clone, Debug)]
pub struct RequestId(pub String);

tokio::task_local! {
    /// The id of the request whose future is being polled on this thread.
    static CURRENT: RequestId;
}

/// The id of the request being run here, if any: for log lines (an internal error above all).
pub fn current() -> Option<RequestId> {
    CURRENT.try_with(RequestId::clone).ok()
}

/// Runs `work` as the request `id` (what `current` answers inside it).
pub async fn scope<F: std::future::Future>(id: RequestId, work: F) -> F::Output {
    CURRENT.scope(id, work).await
}

/// `stream`, each of its polls run as the request `id` (a subscription's stream is polled by
/// the WebSocket's engine, outside any `scope`).
pub fn scope_stream<S>(id: RequestId, stream: S) -> impl Stream<Item = S::Item> + Send + 'static
where
    S: Stream + Send + Unpin + 'static,
{
    let mut stream = stream;
    futures_util::stream::poll_fn(move |cx| {
        CURRENT.sync_scope(id.clone(), || stream.poll_next_unpin(cx))
    })
}

/// Spawns `task` as the request being run here, if any (the request's batch loads).
pub fn spawn<F>(task: F) -> tokio::task::JoinHandle<F::Output>
where
    F: std::future::Future + Send + 'static,
    F::Output: Send + 'static,
{
    match current() {
        Some(id) => tokio::spawn(CURRENT.scope(id, task)),
        None => tokio::spawn(task),
    }
}

impl RequestId {
    /// A random (version 4) UUID from the thread's generator: `Uuid::new_v4` asks the kernel for
    /// its bytes, a system call on every request.
    pub fn random() -> Self {
        let bytes: [u8; 16] = rand::random();
        let mut text = [0u8; uuid::fmt::Simple::LENGTH];
        let uuid = uuid::Builder::from_random_bytes(bytes).into_uuid();
        // Written out directly: `to_string` goes through the formatter, a few growing writes.
        Self(uuid.simple().encode_lower(&mut text).to_owned())
    }
}

/// Middleware: gives the request an id, runs it as that request (`current`), and inside a span
/// that carries the id when debug logging is on.
pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let id = RequestId::random();
    let span = tracing::debug_span!("request", request_id = %id.0, method = %req.method(), path = %req.path());
    let started = std::time::Instant::now();
    let mut response = scope(id.clone(), next.call(req))
        .instrument(span.clone())
        .await?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_current_request_id_is_the_one_the_work_runs_as() {
        assert!(current().is_none());
        let id = RequestId::random();
        let seen = scope(id.clone(), async {
            tokio::task::yield_now().await;
            current().map(|id| id.0)
        })
        .await;
        assert_eq!(seen, Some(id.0));
        assert!(current().is_none());
    }

    #[tokio::test]
    async fn the_request_s_batch_loads_and_stream_polls_run_as_it() {
        let id = RequestId::random();
        let spawned = scope(id.clone(), async {
            spawn(async { current().map(|id| id.0) }).await.unwrap()
        })
        .await;
        assert_eq!(spawned.as_deref(), Some(id.0.as_str()));
        assert!(spawn(async { current() }).await.unwrap().is_none());
        // Polled here, outside any scope: each poll still runs as the request.
        let polled: Vec<_> = scope_stream(
            id.clone(),
            futures_util::stream::iter(0..3).map(|_| current().map(|id| id.0)),
        )
        .collect()
        .await;
        assert_eq!(polled, vec![Some(id.0.clone()); 3]);
    }

    #[test]
    fn request_ids_are_random_version_4_uuids() {
        let (a, b) = (RequestId::random().0, RequestId::random().0);
        assert_ne!(a, b);
        let parsed = uuid::Uuid::parse_str(&a).unwrap();
        assert_eq!(parsed.get_version_num(), 4);
        assert_eq!(a.len(), 32);
    }
}
