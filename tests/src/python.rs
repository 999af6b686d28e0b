//! A Python virtual environment under `target/` holding the packages the tests check the server
//! with (PyJWT for tokens, `standardwebhooks` for webhook signatures). It is built on first use,
//! so the test command needs nothing but Python 3 on the machine; its directory is named after
//! the requirement list, so changing the list builds a new one.

use std::path::{Path, PathBuf};

/// Everything installed, pinned.
const REQUIREMENTS: &[&str] = &["pyjwt[crypto]==2.10.1", "standardwebhooks==1.1.0"];

fn build(venv: &Path) {
    let run = |cmd: &mut std::process::Command| {
        let status = cmd.status().expect("run python3");
        assert!(status.success(), "{cmd:?} failed");
    };
    run(std::process::Command::new("python3")
        .args(["-m", "venv"])
        .arg(venv));
    run(std::process::Command::new(venv.join("bin/python"))
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
        ])
        .args(REQUIREMENTS));
}

/// The venv's Python, building the venv first when it is not there yet. Blocks: from async
/// code, use [`interpreter`].
pub fn interpreter_blocking() -> PathBuf {
    // Its Python finds its packages from `pyvenv.cfg` beside it, so the directory may move.
    crate::cached::directory("py-venv", REQUIREMENTS, build).join("bin/python")
}

/// The venv's Python, building the venv first (off the runtime's thread) when it is not there.
pub async fn interpreter() -> PathBuf {
    tokio::task::spawn_blocking(interpreter_blocking)
        .await
        .expect("install the Python packages")
}
