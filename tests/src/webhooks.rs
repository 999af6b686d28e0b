//! A webhook receiver inside the test process (a minimal HTTP/1.1 server on its own thread and
//! runtime, on a free port) that keeps every POST and answers 204, or 503 while "down"; and a
//! check of the deliveries' Standard Webhooks signatures with the Python `standardwebhooks`
//! package, the way a customer's backend would verify them.

use std::process::Stdio;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// One request the receiver got.
#[derive(Clone, Debug)]
pub struct Received {
    /// `webhook-id` (empty when missing).
    pub id: String,
    /// `webhook-timestamp`.
    pub timestamp: String,
    /// `webhook-signature`.
    pub signature: String,
    pub body: String,
    /// The status the receiver answered: 204, or 503 while down.
    pub answered: u16,
    /// The request's path (with its query).
    pub path: String,
    /// Every header as sent, names in lower case.
    pub headers: Vec<(String, String)>,
}

impl Received {
    /// The value of a header (the first one of that name).
    pub fn header(&self, name: &str) -> Option<&str> {
        header(&self.headers, &name.to_ascii_lowercase())
    }

    /// The body parsed as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|err| panic!("a webhook body that is not JSON ({err}): {}", self.body))
    }
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.as_str() == name)
        .map(|(_, value)| value.as_str())
}

#[derive(Default)]
struct State {
    received: Mutex<Vec<Received>>,
    down: AtomicBool,
}

/// An HTTP server on 127.0.0.1 (port 0) that records every POST, on any path, and answers 204,
/// or 503 while down. It stops when dropped.
pub struct Receiver {
    /// `http://127.0.0.1:PORT/webhook`.
    pub url: String,
    state: Arc<State>,
    /// Dropped with the receiver, which ends its thread.
    _stop: tokio::sync::oneshot::Sender<()>,
}

impl Receiver {
    /// Starts a receiver on a free port.
    pub async fn start() -> Self {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind the receiver");
        listener
            .set_nonblocking(true)
            .expect("a non-blocking listener");
        let port = listener
            .local_addr()
            .expect("the receiver's address")
            .port();
        let state = Arc::new(State::default());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let serving = state.clone();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("the receiver's runtime");
            runtime.block_on(async move {
                let listener =
                    tokio::net::TcpListener::from_std(listener).expect("a tokio listener");
                tokio::select! {
                    () = accept(listener, serving) => {}
                    _ = stopped => {}
                }
            });
        });
        Self {
            url: format!("http://127.0.0.1:{port}/webhook"),
            state,
            _stop: stop,
        }
    }

    /// Answers 503 (down) or 204 from now on.
    pub fn set_down(&self, down: bool) {
        self.state.down.store(down, Ordering::SeqCst);
    }

    /// Everything received so far, in arrival order (including the refused ones, with
    /// `answered` 503).
    pub fn received(&self) -> Vec<Received> {
        self.state.received.lock().unwrap().clone()
    }

    /// The requests answered 2xx so far, in arrival order.
    pub fn delivered(&self) -> Vec<Received> {
        self.received()
            .into_iter()
            .filter(|r| (200..300).contains(&r.answered))
            .collect()
    }

    /// Waits (up to `within`) until at least `count` requests were answered 2xx, and gives every
    /// one answered 2xx, in arrival order. Panics on timeout, showing what arrived.
    pub async fn wait_for_delivered(&self, count: usize, within: Duration) -> Vec<Received> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let delivered = self.delivered();
            if delivered.len() >= count {
                return delivered;
            }
            if tokio::time::Instant::now() >= deadline {
                panic!(
                    "{} of {count} webhook deliveries within {within:?}; received: {:#?}",
                    delivered.len(),
                    self.received()
                );
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }
}

async fn accept(listener: tokio::net::TcpListener, state: Arc<State>) {
    loop {
        match listener.accept().await {
            Ok((stream, _)) => {
                tokio::spawn(serve(stream, state.clone()));
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
        }
    }
}

/// One connection: requests one after the other while the client keeps it alive.
async fn serve(mut stream: TcpStream, state: Arc<State>) {
    let mut buffer = Vec::new();
    while let Some(request) = read_request(&mut stream, &mut buffer).await {
        let status = if request.method != "POST" {
            405
        } else if state.down.load(Ordering::SeqCst) {
            503
        } else {
            204
        };
        if status != 405 {
            let value = |name: &str| {
                header(&request.headers, name)
                    .unwrap_or_default()
                    .to_owned()
            };
            let received = Received {
                id: value("webhook-id"),
                timestamp: value("webhook-timestamp"),
                signature: value("webhook-signature"),
                body: String::from_utf8_lossy(&request.body).into_owned(),
                answered: status,
                path: request.path.clone(),
                headers: request.headers.clone(),
            };
            state.received.lock().unwrap().push(received);
        }
        let response = match status {
            204 => "HTTP/1.1 204 No Content\r\n",
            503 => "HTTP/1.1 503 Service Unavailable\r\ncontent-length: 0\r\n",
            _ => "HTTP/1.1 405 Method Not Allowed\r\ncontent-length: 0\r\n",
        };
        let close = if request.keep_alive {
            ""
        } else {
            "connection: close\r\n"
        };
        let answer = format!("{response}{close}\r\n");
        if stream.write_all(answer.as_bytes()).await.is_err() || !request.keep_alive {
            return;
        }
    }
}

struct Request {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    keep_alive: bool,
}

/// The biggest request head accepted.
const MAX_HEAD: usize = 64 * 1024;

/// The next request on the connection (`None` when it closes or sends something unreadable).
async fn read_request(stream: &mut TcpStream, buffer: &mut Vec<u8>) -> Option<Request> {
    let head_end = loop {
        if let Some(at) = find(buffer, b"\r\n\r\n") {
            break at;
        }
        if buffer.len() > MAX_HEAD || !fill(stream, buffer).await {
            return None;
        }
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).into_owned();
    buffer.drain(..head_end + 4);
    let mut lines = head.split("\r\n");
    let mut request_line = lines.next()?.split(' ');
    let method = request_line.next()?.to_owned();
    let path = request_line.next()?.to_owned();
    let version = request_line.next().unwrap_or("HTTP/1.1").to_owned();
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| {
            let (name, value) = line.split_once(':')?;
            Some((name.trim().to_ascii_lowercase(), value.trim().to_owned()))
        })
        .collect();
    let chunked = header(&headers, "transfer-encoding")
        .is_some_and(|value| value.to_ascii_lowercase().contains("chunked"));
    let body = if chunked {
        read_chunked(stream, buffer).await?
    } else {
        let length: usize = match header(&headers, "content-length") {
            Some(value) => value.parse().ok()?,
            None => 0,
        };
        take(stream, buffer, length).await?
    };
    let connection = header(&headers, "connection").map(str::to_ascii_lowercase);
    let keep_alive = match connection.as_deref() {
        Some(value) if value.contains("close") => false,
        Some(value) if value.contains("keep-alive") => true,
        _ => version != "HTTP/1.0",
    };
    Some(Request {
        method,
        path,
        headers,
        body,
        keep_alive,
    })
}

/// A `Transfer-Encoding: chunked` body.
async fn read_chunked(stream: &mut TcpStream, buffer: &mut Vec<u8>) -> Option<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        let size_line = take_line(stream, buffer).await?;
        let size = usize::from_str_radix(size_line.split(';').next()?.trim(), 16).ok()?;
        if size == 0 {
            // Trailers, up to the blank line.
            while !take_line(stream, buffer).await?.is_empty() {}
            return Some(body);
        }
        body.extend(take(stream, buffer, size).await?);
        // The CRLF after the chunk's data.
        take_line(stream, buffer).await?;
    }
}

async fn take_line(stream: &mut TcpStream, buffer: &mut Vec<u8>) -> Option<String> {
    loop {
        if let Some(at) = find(buffer, b"\r\n") {
            let line = String::from_utf8_lossy(&buffer[..at]).into_owned();
            buffer.drain(..at + 2);
            return Some(line);
        }
        if buffer.len() > MAX_HEAD || !fill(stream, buffer).await {
            return None;
        }
    }
}

async fn take(stream: &mut TcpStream, buffer: &mut Vec<u8>, length: usize) -> Option<Vec<u8>> {
    while buffer.len() < length {
        if !fill(stream, buffer).await {
            return None;
        }
    }
    Some(buffer.drain(..length).collect())
}

/// Reads more of the connection into `buffer`; false when it closed.
async fn fill(stream: &mut TcpStream, buffer: &mut Vec<u8>) -> bool {
    buffer.reserve(16 * 1024);
    matches!(stream.read_buf(buffer).await, Ok(1..))
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

const VERIFY: &str = r#"
import json, sys
from datetime import datetime, timezone
import standardwebhooks.webhooks as library
from standardwebhooks import Webhook, WebhookVerificationError

secret, now = sys.argv[1], sys.argv[2]
requests = json.load(sys.stdin)

if now:
    # The library's own five-minute check, against the given clock instead of this machine's.
    class At(datetime):
        @classmethod
        def now(cls, tz=None):
            return datetime.fromtimestamp(int(now), tz=tz)

    library.datetime = At


class AnyTime(Webhook):
    # Webhook.verify takes the timestamp from this (name-mangled) method; this one parses it as
    # the library does but lets a time far from ours pass.
    def _Webhook__verify_timestamp(self, header):
        try:
            return datetime.fromtimestamp(float(header), tz=timezone.utc)
        except Exception:
            raise WebhookVerificationError("Invalid Signature Headers")


STALE = ("Message timestamp too old", "Message timestamp too new")
bodies = []
for i, r in enumerate(requests):
    headers = {"webhook-id": r["id"], "webhook-timestamp": r["timestamp"],
               "webhook-signature": r["signature"]}
    try:
        try:
            body = Webhook(secret).verify(r["body"], headers)
        except WebhookVerificationError as e:
            if now or str(e) not in STALE:
                raise
            body = AnyTime(secret).verify(r["body"], headers)
    except Exception as e:
        sys.exit(f"request {i} (webhook-id {r['id']!r}): {type(e).__name__}: {e}")
    bodies.append(body)
print(json.dumps(bodies))
"#;

/// Checks every request with the Python `standardwebhooks` package (`Webhook(secret).verify`:
/// the headers, the `v1` HMAC-SHA256 signature of `{id}.{timestamp}.{body}`, the JSON body) and
/// gives the parsed bodies in order, or the first failure's message. The library also refuses a
/// timestamp more than five minutes from this machine's time; since the server under test may run
/// on a manual clock, a request refused only for that is verified again with that one check
/// replaced by parsing the timestamp (everything else still the library's `verify`). To keep the
/// time check against the server's clock, use [`verify_with_standardwebhooks_at`].
pub async fn verify_with_standardwebhooks(
    secret: &str,
    received: &[Received],
) -> Result<Vec<Value>, String> {
    standardwebhooks(secret, received, None).await
}

/// Like [`verify_with_standardwebhooks`], with the library's five-minute timestamp check made
/// against `now` (Unix seconds, the server's clock) instead of this machine's time.
pub async fn verify_with_standardwebhooks_at(
    secret: &str,
    received: &[Received],
    now: i64,
) -> Result<Vec<Value>, String> {
    standardwebhooks(secret, received, Some(now)).await
}

async fn standardwebhooks(
    secret: &str,
    received: &[Received],
    now: Option<i64>,
) -> Result<Vec<Value>, String> {
    let python = crate::python::interpreter().await;
    let requests: Vec<Value> = received
        .iter()
        .map(|r| {
            json!({
                "id": r.id,
                "timestamp": r.timestamp,
                "signature": r.signature,
                "body": r.body,
            })
        })
        .collect();
    let now = now.map(|now| now.to_string()).unwrap_or_default();
    let mut child = tokio::process::Command::new(python)
        .args(["-c", VERIFY, secret, now.as_str()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("run standardwebhooks");
    let mut stdin = child.stdin.take().expect("python's stdin");
    // A failure to write shows as Python's complaint below.
    let _ = stdin
        .write_all(Value::Array(requests).to_string().as_bytes())
        .await;
    drop(stdin);
    let out = child
        .wait_with_output()
        .await
        .expect("wait for standardwebhooks");
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).trim().to_owned());
    }
    serde_json::from_slice(&out.stdout).map_err(|err| {
        format!(
            "standardwebhooks printed {:?} ({err})",
            String::from_utf8_lossy(&out.stdout)
        )
    })
}
