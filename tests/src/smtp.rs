//! A real SMTP server inside the test process (mailin-embedded, on its own threads, on a free
//! port). It keeps every message it accepts; while "down" it answers every connection with
//! `421 Service not available`, as a server that is shutting down or overloaded does.

use std::net::TcpListener;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use mailin_embedded::response::{NO_SERVICE, OK};
use mailin_embedded::{Handler, Response, Server, SslConfig};

/// A message the server accepted.
#[derive(Clone, Debug)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    /// The whole message as it came over the wire (headers and body).
    pub data: String,
}

impl Received {
    /// The value of a header (the first one of that name).
    pub fn header(&self, name: &str) -> Option<String> {
        let prefix = format!("{}:", name.to_ascii_lowercase());
        self.data
            .lines()
            .take_while(|line| !line.is_empty())
            .find(|line| line.to_ascii_lowercase().starts_with(&prefix))
            .map(|line| line[prefix.len()..].trim().to_owned())
    }

    /// The 6-digit code at the start of the subject.
    pub fn code(&self) -> String {
        let subject = self.header("subject").expect("a subject");
        let code: String = subject.chars().take(6).collect();
        assert!(
            code.len() == 6 && code.chars().all(|c| c.is_ascii_digit()),
            "no code in {subject:?}"
        );
        code
    }
}

#[derive(Clone)]
struct Inbox {
    received: Arc<Mutex<Vec<Received>>>,
    down: Arc<AtomicBool>,
    from: String,
    to: Vec<String>,
    data: Vec<u8>,
}

impl Handler for Inbox {
    fn helo(&mut self, _ip: std::net::IpAddr, _domain: &str) -> Response {
        if self.down.load(Ordering::SeqCst) {
            NO_SERVICE
        } else {
            OK
        }
    }

    fn mail(&mut self, _ip: std::net::IpAddr, _domain: &str, from: &str) -> Response {
        if self.down.load(Ordering::SeqCst) {
            return NO_SERVICE;
        }
        self.from = from.to_owned();
        OK
    }

    fn data_start(&mut self, _domain: &str, _from: &str, _is8bit: bool, to: &[String]) -> Response {
        self.to = to.to_vec();
        self.data.clear();
        OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.data.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        let message = Received {
            from: self.from.clone(),
            to: std::mem::take(&mut self.to),
            data: String::from_utf8_lossy(&std::mem::take(&mut self.data)).into_owned(),
        };
        self.received.lock().unwrap().push(message);
        OK
    }
}

/// The running SMTP server.
pub struct SmtpServer {
    /// `smtp://127.0.0.1:PORT`.
    pub url: String,
    received: Arc<Mutex<Vec<Received>>>,
    down: Arc<AtomicBool>,
}

impl SmtpServer {
    /// Starts a server on a free port.
    pub fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let received = Arc::new(Mutex::new(Vec::new()));
        let down = Arc::new(AtomicBool::new(false));
        let handler = Inbox {
            received: received.clone(),
            down: down.clone(),
            from: String::new(),
            to: Vec::new(),
            data: Vec::new(),
        };
        let mut server = Server::new(handler);
        server
            .with_name("smtp.test")
            .with_ssl(SslConfig::None)
            .unwrap()
            .with_num_threads(4)
            .with_tcp_listener(listener);
        // The server runs until the test process ends.
        std::thread::spawn(move || {
            let _ = server.serve();
        });
        Self {
            url: format!("smtp://127.0.0.1:{port}"),
            received,
            down,
        }
    }

    /// Refuses (421) or accepts mail from now on.
    pub fn set_down(&self, down: bool) {
        self.down.store(down, Ordering::SeqCst);
    }

    /// Every message accepted so far.
    pub fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    /// Messages accepted for `to`.
    pub fn received_for(&self, to: &str) -> Vec<Received> {
        self.received()
            .into_iter()
            .filter(|m| m.to.iter().any(|t| t.eq_ignore_ascii_case(to)))
            .collect()
    }

    /// Waits (up to `within`) until `count` messages for `to` have arrived, and gives them.
    pub async fn wait_for(&self, to: &str, count: usize, within: Duration) -> Vec<Received> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let got = self.received_for(to);
            if got.len() >= count || tokio::time::Instant::now() >= deadline {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }
}
