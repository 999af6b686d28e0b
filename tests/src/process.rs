//! The `latchkey` command line run as a child process, as an operator runs it.

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// A `latchkey serve` child process and what it printed before listening.
pub struct ChildServer {
    pub child: Child,
    pub url: String,
    /// Every line printed to stdout up to and including the "listening" line.
    pub printed: Vec<String>,
    stderr: tokio::task::JoinHandle<String>,
}

impl ChildServer {
    /// The value printed after `label` (such as `Secret key:`), if any.
    pub fn printed_value(&self, label: &str) -> Option<String> {
        self.printed.iter().find_map(|line| {
            let rest = line.trim().strip_prefix(label)?;
            Some(rest.split_whitespace().next()?.to_owned())
        })
    }

    /// Sends SIGTERM and waits for the exit; gives the exit code and everything on stderr.
    pub async fn terminate(mut self) -> (Option<i32>, String) {
        let pid = self.child.id().expect("the child is running");
        let status = std::process::Command::new("kill")
            .args(["-TERM", &pid.to_string()])
            .status();
        assert!(status.is_ok_and(|s| s.success()), "kill -TERM failed");
        let exit = tokio::time::timeout(Duration::from_secs(40), self.child.wait())
            .await
            .expect("the server exits after SIGTERM")
            .expect("wait");
        let stderr = self.stderr.await.unwrap_or_default();
        (exit.code(), stderr)
    }
}

fn command(bin: &str, dir: &Path, database_url: Option<&str>, env: &[(&str, &str)]) -> Command {
    let mut cmd = Command::new(bin);
    cmd.current_dir(dir)
        .env_clear()
        .env("RUST_LOG", "info")
        .env("LATCHKEY_LOG_FORMAT", "json")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    if let Some(url) = database_url {
        cmd.env("DATABASE_URL", url);
    }
    // The master key lives with the test's files (PostgreSQL needs it given explicitly).
    let key_file = dir.join("master.key");
    if !key_file.exists() {
        crate::db::write_master_key(&key_file);
    }
    cmd.env("LATCHKEY_MASTER_KEY_FILE", key_file);
    for (name, value) in env {
        cmd.env(name, value);
    }
    cmd
}

/// Starts `latchkey serve` on a free port and waits until it listens.
pub async fn serve(
    bin: &str,
    dir: &Path,
    database_url: Option<&str>,
    env: &[(&str, &str)],
) -> ChildServer {
    let mut cmd = command(bin, dir, database_url, env);
    cmd.args(["serve", "--bind", "127.0.0.1:0"]);
    let mut child = cmd.spawn().expect("the binary starts");
    let stdout = child.stdout.take().expect("stdout");
    let stderr = child.stderr.take().expect("stderr");
    let stderr = tokio::spawn(async move {
        let mut lines = BufReader::new(stderr).lines();
        let mut all = String::new();
        while let Ok(Some(line)) = lines.next_line().await {
            all.push_str(&line);
            all.push('\n');
        }
        all
    });
    let mut lines = BufReader::new(stdout).lines();
    let mut printed = Vec::new();
    let url = tokio::time::timeout(Duration::from_secs(60), async {
        while let Some(line) = lines.next_line().await.expect("read stdout") {
            printed.push(line.clone());
            if let Some(rest) = line.strip_prefix("Latchkey is listening on ") {
                return rest.split_whitespace().next().map(str::to_owned);
            }
        }
        None
    })
    .await
    .expect("the server listens within a minute");
    let Some(url) = url else {
        let err = stderr.await.unwrap_or_default();
        panic!("the server exited before listening; stdout: {printed:?}; stderr: {err}");
    };
    // Keep draining stdout so the child never blocks on a full pipe.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    ChildServer {
        child,
        url,
        printed,
        stderr,
    }
}

/// Runs a one-shot command (`instance create …`) and gives its exit code, stdout and stderr.
pub async fn run(
    bin: &str,
    dir: &Path,
    database_url: Option<&str>,
    args: &[&str],
) -> (Option<i32>, String, String) {
    let mut cmd = command(bin, dir, database_url, &[]);
    cmd.args(args);
    let output = tokio::time::timeout(Duration::from_secs(60), cmd.output())
        .await
        .expect("the command ends within a minute")
        .expect("the command runs");
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}
