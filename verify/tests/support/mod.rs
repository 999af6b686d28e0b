//! Test kit: key pairs generated per test, tokens signed with them, and a JWKS served from a
//! tiny HTTP server on port 0 that counts its requests.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, dead_code)]

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::KeySize;
use aws_lc_rs::signature::{
    ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, Ed25519KeyPair, KeyPair, RSA_PKCS1_SHA256,
    RsaKeyPair,
};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

pub const INSTANCE_PATH: &str = "/i/ins_test";
/// A fixed "now" for `verify_at`.
pub const NOW: i64 = 1_800_000_000;

pub fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

pub fn unix_now() -> i64 {
    i64::try_from(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs(),
    )
    .unwrap()
}

enum Pair {
    Ec(EcdsaKeyPair),
    Ed(Ed25519KeyPair),
    Rsa(RsaKeyPair),
}

/// A signing key pair and its public JWK.
pub struct TestKey {
    pub kid: String,
    pub algorithm: Algorithm,
    pkcs8: Vec<u8>,
    pair: Pair,
}

impl TestKey {
    pub fn es256(kid: &str) -> Self {
        let pkcs8 =
            EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &SystemRandom::new())
                .unwrap();
        let pair =
            EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref()).unwrap();
        Self {
            kid: kid.to_owned(),
            algorithm: Algorithm::ES256,
            pkcs8: pkcs8.as_ref().to_vec(),
            pair: Pair::Ec(pair),
        }
    }

    pub fn ed25519(kid: &str) -> Self {
        let pkcs8 = Ed25519KeyPair::generate_pkcs8(&SystemRandom::new()).unwrap();
        let pair = Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).unwrap();
        Self {
            kid: kid.to_owned(),
            algorithm: Algorithm::EdDSA,
            pkcs8: pkcs8.as_ref().to_vec(),
            pair: Pair::Ed(pair),
        }
    }

    pub fn rs256(kid: &str) -> Self {
        let pkcs8 = aws_lc_rs::rsa::KeyPair::generate(KeySize::Rsa2048)
            .unwrap()
            .as_der()
            .unwrap()
            .as_ref()
            .to_vec();
        let pair = RsaKeyPair::from_pkcs8(&pkcs8).unwrap();
        Self {
            kid: kid.to_owned(),
            algorithm: Algorithm::RS256,
            pkcs8,
            pair: Pair::Rsa(pair),
        }
    }

    /// The public key as published: `kid`, `alg`, `use: sig`.
    pub fn jwk(&self) -> Value {
        match &self.pair {
            Pair::Ec(pair) => {
                let point = &pair.public_key().as_ref()[1..];
                let (x, y) = point.split_at(point.len() / 2);
                json!({"kty": "EC", "crv": "P-256", "x": b64(x), "y": b64(y), "kid": self.kid, "alg": "ES256", "use": "sig"})
            }
            Pair::Ed(pair) => {
                json!({"kty": "OKP", "crv": "Ed25519", "x": b64(pair.public_key().as_ref()), "kid": self.kid, "alg": "EdDSA", "use": "sig"})
            }
            Pair::Rsa(pair) => {
                let public = pair.public_key();
                json!({
                    "kty": "RSA",
                    "n": b64(public.modulus().big_endian_without_leading_zero()),
                    "e": b64(public.exponent().big_endian_without_leading_zero()),
                    "kid": self.kid, "alg": "RS256", "use": "sig"
                })
            }
        }
    }

    /// The raw public key bytes (what an HS256 confusion attack would use as the secret).
    pub fn public_bytes(&self) -> Vec<u8> {
        match &self.pair {
            Pair::Ec(pair) => pair.public_key().as_ref().to_vec(),
            Pair::Ed(pair) => pair.public_key().as_ref().to_vec(),
            Pair::Rsa(pair) => pair.public_key().as_ref().to_vec(),
        }
    }

    /// A token signed with `jsonwebtoken::encode` (ES256 and EdDSA), or by hand (RS256).
    pub fn token(&self, claims: &Value) -> String {
        let mut header = Header::new(self.algorithm);
        header.kid = Some(self.kid.clone());
        match &self.pair {
            Pair::Ec(_) => {
                jsonwebtoken::encode(&header, claims, &EncodingKey::from_ec_der(&self.pkcs8))
                    .unwrap()
            }
            Pair::Ed(_) => {
                jsonwebtoken::encode(&header, claims, &EncodingKey::from_ed_der(&self.pkcs8))
                    .unwrap()
            }
            Pair::Rsa(_) => self.sign_raw(
                &json!({"alg": "RS256", "kid": self.kid, "typ": "JWT"}),
                claims,
            ),
        }
    }

    /// A token with any header, signed by this key whatever the header says.
    pub fn sign_raw(&self, header: &Value, claims: &Value) -> String {
        let input = format!(
            "{}.{}",
            b64(&serde_json::to_vec(header).unwrap()),
            b64(&serde_json::to_vec(claims).unwrap())
        );
        let signature = match &self.pair {
            Pair::Ec(pair) => pair
                .sign(&SystemRandom::new(), input.as_bytes())
                .unwrap()
                .as_ref()
                .to_vec(),
            Pair::Ed(pair) => pair.sign(input.as_bytes()).as_ref().to_vec(),
            Pair::Rsa(pair) => {
                let mut signature = vec![0u8; pair.public_modulus_len()];
                pair.sign(
                    &RSA_PKCS1_SHA256,
                    &SystemRandom::new(),
                    input.as_bytes(),
                    &mut signature,
                )
                .unwrap();
                signature
            }
        };
        format!("{input}.{}", b64(&signature))
    }
}

/// Session-token claims valid at `now` for `issuer`.
pub fn claims_at(issuer: &str, now: i64) -> Value {
    json!({
        "iss": issuer, "sub": "user_1", "sid": "sess_1",
        "iat": now - 10, "nbf": now - 15, "exp": now + 50,
        "jti": "jti_1", "v": 2
    })
}

/// A JWKS served on `127.0.0.1:0`, counting the requests for it.
#[derive(Clone)]
pub struct JwksServer {
    pub base: String,
    keys: Arc<Mutex<Vec<Value>>>,
    requests: Arc<AtomicUsize>,
    failing: Arc<AtomicBool>,
    delay: Arc<Mutex<Duration>>,
}

impl JwksServer {
    /// Starts serving `keys` (public JWKs) at `{issuer}/.well-known/jwks.json`.
    pub async fn start(keys: Vec<Value>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let server = Self {
            base: format!("http://{}", listener.local_addr().unwrap()),
            keys: Arc::new(Mutex::new(keys)),
            requests: Arc::new(AtomicUsize::new(0)),
            failing: Arc::new(AtomicBool::new(false)),
            delay: Arc::new(Mutex::new(Duration::ZERO)),
        };
        let serving = server.clone();
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                tokio::spawn(serving.clone().answer(stream));
            }
        });
        server
    }

    async fn answer(self, mut stream: tokio::net::TcpStream) {
        let mut request = Vec::new();
        let mut buf = [0u8; 1024];
        while !request.windows(4).any(|w| w == b"\r\n\r\n") && request.len() < 16 * 1024 {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => request.extend_from_slice(&buf[..n]),
            }
        }
        let request = String::from_utf8_lossy(&request);
        let path = request.split(' ').nth(1).unwrap_or_default().to_owned();
        let (status, body) = if path != format!("{INSTANCE_PATH}/.well-known/jwks.json") {
            ("404 Not Found", "{}".to_owned())
        } else {
            self.requests.fetch_add(1, Ordering::SeqCst);
            let delay = *self.delay.lock().unwrap();
            if !delay.is_zero() {
                tokio::time::sleep(delay).await;
            }
            if self.failing.load(Ordering::SeqCst) {
                ("500 Internal Server Error", "oops".to_owned())
            } else {
                let keys = self.keys.lock().unwrap().clone();
                ("200 OK", json!({ "keys": keys }).to_string())
            }
        };
        let response = format!(
            "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        let _ = stream.write_all(response.as_bytes()).await;
        let _ = stream.shutdown().await;
    }

    /// The issuer whose JWKS this serves.
    pub fn issuer(&self) -> String {
        format!("{}{INSTANCE_PATH}", self.base)
    }

    /// Serves `keys` from now on.
    pub fn publish(&self, keys: Vec<Value>) {
        *self.keys.lock().unwrap() = keys;
    }

    /// How many times the JWKS was asked for.
    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }

    /// Answers `500` from now on (or not).
    pub fn set_failing(&self, failing: bool) {
        self.failing.store(failing, Ordering::SeqCst);
    }

    /// Waits this long before answering.
    pub fn set_delay(&self, delay: Duration) {
        *self.delay.lock().unwrap() = delay;
    }
}
