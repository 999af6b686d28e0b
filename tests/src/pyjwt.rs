//! Verifies a session token the way a customer's Python backend would: PyJWT's `PyJWKClient`
//! fetches the JWKS from the URL alone and `jwt.decode` checks the token. PyJWT (with
//! `cryptography`) is installed on first use into a virtual environment under `target/`, so the
//! test command needs nothing but Python 3 on the machine.

use std::path::{Path, PathBuf};

use serde_json::Value;

const PYJWT: &str = "pyjwt[crypto]==2.10.1";

const VERIFY: &str = r#"
import json, sys, jwt
jwks_url, token, issuer = sys.argv[1], sys.argv[2], sys.argv[3]
client = jwt.PyJWKClient(jwks_url, cache_keys=False)
key = client.get_signing_key_from_jwt(token)
claims = jwt.decode(token, key.key, algorithms=[key.algorithm_name], issuer=issuer,
                    options={"require": ["exp", "iat", "nbf", "iss", "sub"], "verify_aud": False})
print(json.dumps({"alg": jwt.get_unverified_header(token)["alg"], "claims": claims}))
"#;

fn venv() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/pyjwt-venv")
}

/// The venv's Python, installing PyJWT first when it is not there yet. Safe when several tests
/// ask at once: threads of one process wait for each other, and processes each build their own
/// directory, one of them renaming it into place.
fn python() -> PathBuf {
    // Tests of one process (`cargo test` runs them on threads) install one at a time.
    static INSTALLING: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _one = INSTALLING
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let target = venv();
    let python = target.join("bin/python");
    if python.exists() {
        return python;
    }
    let building = target.with_extension(format!(
        "building-{}-{}",
        std::process::id(),
        uuid::Uuid::new_v4().simple()
    ));
    let run = |cmd: &mut std::process::Command| {
        let status = cmd.status().expect("run python3");
        assert!(status.success(), "{cmd:?} failed");
    };
    let _ = std::fs::remove_dir_all(&building);
    run(std::process::Command::new("python3")
        .args(["-m", "venv"])
        .arg(&building));
    run(std::process::Command::new(building.join("bin/pip")).args([
        "install",
        "--quiet",
        "--disable-pip-version-check",
        PYJWT,
    ]));
    // Its Python finds its packages from `pyvenv.cfg` beside it, so the directory may move.
    if std::fs::rename(&building, &target).is_err() {
        let _ = std::fs::remove_dir_all(&building);
    }
    python
}

/// Verifies `token` with PyJWT against the JWKS at `jwks_url`, expecting `issuer`. Gives the
/// header's algorithm and the claims, or PyJWT's complaint.
pub async fn verify(jwks_url: &str, token: &str, issuer: &str) -> Result<(String, Value), String> {
    let python = tokio::task::spawn_blocking(python)
        .await
        .expect("install PyJWT");
    let out = tokio::process::Command::new(python)
        .args(["-c", VERIFY, jwks_url, token, issuer])
        .output()
        .await
        .expect("run PyJWT");
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    let parsed: Value = serde_json::from_slice(&out.stdout).expect("PyJWT prints JSON");
    Ok((
        parsed["alg"].as_str().unwrap_or_default().to_owned(),
        parsed["claims"].clone(),
    ))
}
