//! Verifies a session token the way a customer's Python backend would: PyJWT's `PyJWKClient`
//! fetches the JWKS from the URL alone and `jwt.decode` checks the token. PyJWT (with
//! `cryptography`) comes from the test kit's virtual environment ([`crate::python`]), installed
//! on first use, so the test command needs nothing but Python 3 on the machine.

use serde_json::Value;

const VERIFY: &str = r#"
import json, sys, jwt
jwks_url, token, issuer = sys.argv[1], sys.argv[2], sys.argv[3]
client = jwt.PyJWKClient(jwks_url, cache_keys=False)
key = client.get_signing_key_from_jwt(token)
claims = jwt.decode(token, key.key, algorithms=[key.algorithm_name], issuer=issuer,
                    options={"require": ["exp", "iat", "nbf", "iss", "sub"], "verify_aud": False})
print(json.dumps({"alg": jwt.get_unverified_header(token)["alg"], "claims": claims}))
"#;

/// Verifies `token` with PyJWT against the JWKS at `jwks_url`, expecting `issuer`. Gives the
/// header's algorithm and the claims, or PyJWT's complaint.
pub async fn verify(jwks_url: &str, token: &str, issuer: &str) -> Result<(String, Value), String> {
    let python = crate::python::interpreter().await;
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
