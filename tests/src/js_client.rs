//! GraphQL subscriptions held by an independent client: the JavaScript `graphql-ws` package (over
//! `ws`), run by `tests/js/subscribe.mjs` in a node child process that prints one JSON line per
//! happening. The packages are installed on first use with `npm ci` from `tests/js`'s lock file
//! into a directory under `target/`, so the test command needs nothing but Node.js 20+ (and npm)
//! on the machine.

use std::path::PathBuf;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader, Lines};
use tokio::process::{Child, ChildStdin, ChildStdout, Command};

const PACKAGE_JSON: &str = include_str!("../js/package.json");
const PACKAGE_LOCK: &str = include_str!("../js/package-lock.json");
const SCRIPT: &str = include_str!("../js/subscribe.mjs");

/// How long node may take to start and get the connection acknowledged (or refused).
const START_WITHIN: Duration = Duration::from_secs(20);

/// The directory holding `node_modules` and the current `subscribe.mjs` (ESM imports resolve
/// from the script's own directory, whatever `NODE_PATH` says).
/// Installs Node.js and npm from the system's packages (Debian's `apt-get`) when they are
/// missing, so the test command works on a fresh machine.
fn ensure_npm() {
    let found = |cmd: &str| {
        std::process::Command::new(cmd)
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    if found("npm") && found("node") {
        return;
    }
    for args in [
        &["update", "-qq"][..],
        &["install", "-y", "-qq", "nodejs", "npm"][..],
    ] {
        let status = std::process::Command::new("apt-get")
            .args(args)
            .env("DEBIAN_FRONTEND", "noninteractive")
            .stdout(Stdio::null())
            .status();
        assert!(
            status.is_ok_and(|s| s.success()),
            "Node.js and npm are missing and apt-get could not install them: install Node.js 20+ and npm"
        );
    }
}

fn installed() -> PathBuf {
    let dir = crate::cached::directory("js-client", &[PACKAGE_JSON, PACKAGE_LOCK], |building| {
        ensure_npm();
        std::fs::create_dir_all(building).expect("create the JavaScript client's directory");
        std::fs::write(building.join("package.json"), PACKAGE_JSON).expect("write package.json");
        std::fs::write(building.join("package-lock.json"), PACKAGE_LOCK)
            .expect("write package-lock.json");
        let status = std::process::Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
            .current_dir(building)
            .stdout(Stdio::null())
            .status()
            .expect("run npm (are Node.js and npm installed?)");
        assert!(status.success(), "npm ci failed in {}", building.display());
    });
    // The script may change without the packages changing: replace it whole (another test
    // process may be starting node on it).
    let script = dir.join("subscribe.mjs");
    if std::fs::read_to_string(&script).ok().as_deref() != Some(SCRIPT) {
        let fresh = dir.join(format!(
            "subscribe.mjs.{}-{}",
            std::process::id(),
            uuid::Uuid::new_v4().simple()
        ));
        std::fs::write(&fresh, SCRIPT).expect("write subscribe.mjs");
        std::fs::rename(&fresh, &script).expect("put subscribe.mjs in place");
    }
    dir
}

/// A subscription held by the JavaScript graphql-ws client in a node child process. Dropping it
/// kills node (and node also exits when its stdin, held here, closes).
pub struct JsSubscription {
    child: Child,
    _stdin: ChildStdin,
    lines: Lines<BufReader<ChildStdout>>,
    stderr: Arc<Mutex<Vec<u8>>>,
    stderr_done: tokio::task::JoinHandle<()>,
}

impl JsSubscription {
    /// Starts node with `subscribe.mjs` against `ws_url` (such as `ws://127.0.0.1:PORT/graphql`),
    /// sending `connection_params` in `connection_init` (`null` for none), and waits for the
    /// first line: `Ok` after `{"kind":"ready"}` (the connection was acknowledged and the
    /// subscribe message sent; the server may still be starting the subscription), or `Err` with
    /// the `{"kind":"error","error":…}` line (a refused connection is
    /// `{"code":4403,"reason":"Forbidden"}`, say). Panics with node's stderr if node fails.
    pub async fn start(
        ws_url: &str,
        connection_params: Value,
        query: &str,
        variables: Value,
    ) -> Result<Self, Value> {
        let dir = tokio::task::spawn_blocking(installed)
            .await
            .expect("install the JavaScript client");
        let mut child = Command::new("node")
            .arg(dir.join("subscribe.mjs"))
            .args([
                ws_url,
                connection_params.to_string().as_str(),
                query,
                variables.to_string().as_str(),
            ])
            .current_dir(&dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("start node (is Node.js 20+ installed?)");
        let stdin = child.stdin.take().expect("node's stdin");
        let stdout = child.stdout.take().expect("node's stdout");
        let mut stderr_pipe = child.stderr.take().expect("node's stderr");
        let stderr = Arc::new(Mutex::new(Vec::new()));
        let collected = stderr.clone();
        let stderr_done = tokio::spawn(async move {
            let mut chunk = [0u8; 4096];
            while let Ok(read @ 1..) = stderr_pipe.read(&mut chunk).await {
                collected.lock().unwrap().extend_from_slice(&chunk[..read]);
            }
        });
        let mut subscription = Self {
            child,
            _stdin: stdin,
            lines: BufReader::new(stdout).lines(),
            stderr,
            stderr_done,
        };
        let first = subscription.next(START_WITHIN).await;
        match first["kind"].as_str() {
            Some("ready") => Ok(subscription),
            Some("error") => Err(first),
            _ => panic!(
                "node printed {first} before ready; stderr: {}",
                subscription.stderr_so_far()
            ),
        }
    }

    /// The next line printed (`{"kind":"ready"}`, `{"kind":"next","payload":…}`,
    /// `{"kind":"error","error":…}` or `{"kind":"complete"}`), waiting at most `within`. Panics,
    /// showing node's stderr, on timeout or when node ended without printing one.
    pub async fn next(&mut self, within: Duration) -> Value {
        let next = self.try_next(within).await;
        match next {
            Some(line) => line,
            None => panic!(
                "nothing from the JavaScript client within {within:?}; stderr so far: {}",
                self.stderr_so_far()
            ),
        }
    }

    /// Like [`next`](Self::next), but `None` when nothing came within `within` (to check that
    /// nothing is sent). Panics when node ended without printing one.
    pub async fn try_next(&mut self, within: Duration) -> Option<Value> {
        let read = tokio::time::timeout(within, self.lines.next_line()).await;
        let line = match read {
            Err(_) => return None,
            Ok(Ok(Some(line))) => line,
            Ok(Ok(None)) => {
                let exit = self.exit().await;
                let stderr = self.stderr_at_end().await;
                panic!("the JavaScript client ended ({exit}); stderr: {stderr}")
            }
            Ok(Err(err)) => panic!(
                "reading the JavaScript client's output: {err}; stderr: {}",
                self.stderr_so_far()
            ),
        };
        match serde_json::from_str(&line) {
            Ok(value) => Some(value),
            Err(err) => panic!(
                "the JavaScript client printed {line:?} ({err}); stderr: {}",
                self.stderr_so_far()
            ),
        }
    }

    /// How node exited (waiting a little for it).
    async fn exit(&mut self) -> String {
        match tokio::time::timeout(Duration::from_secs(5), self.child.wait()).await {
            Ok(Ok(status)) => status.to_string(),
            Ok(Err(err)) => format!("wait failed: {err}"),
            Err(_) => "still running".to_owned(),
        }
    }

    /// Everything node wrote to stderr, once it has closed it.
    async fn stderr_at_end(&mut self) -> String {
        let _ = tokio::time::timeout(Duration::from_secs(5), &mut self.stderr_done).await;
        self.stderr_so_far()
    }

    fn stderr_so_far(&self) -> String {
        String::from_utf8_lossy(&self.stderr.lock().unwrap()).into_owned()
    }
}
