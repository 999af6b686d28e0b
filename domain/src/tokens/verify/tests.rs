use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, encode};
use serde_json::{Value, json};

use super::*;

const ISSUER: &str = "https://auth.example.com/i/ins_1";
const NOW: i64 = 1_800_000_000;

struct TestKey {
    encoding: EncodingKey,
    public: Vec<u8>,
    verification: VerificationKey,
}

fn es256(kid: &str) -> TestKey {
    let pkcs8 =
        EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &SystemRandom::new())
            .unwrap();
    let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref()).unwrap();
    TestKey {
        encoding: EncodingKey::from_ec_der(pkcs8.as_ref()),
        public: pair.public_key().as_ref().to_vec(),
        verification: VerificationKey {
            kid: kid.to_owned(),
            algorithm: Algorithm::ES256,
            key: DecodingKey::from_ec_der(pair.public_key().as_ref()),
        },
    }
}

fn claims() -> Value {
    json!({"iss": ISSUER, "sub": "user_1", "sid": "sess_1", "iat": NOW - 10, "nbf": NOW - 15, "exp": NOW + 50, "v": 2})
}

fn sign(key: &TestKey, header: Header, claims: &Value) -> String {
    encode(&header, claims, &key.encoding).unwrap()
}

fn header(kid: &str) -> Header {
    let mut header = Header::new(Algorithm::ES256);
    header.kid = Some(kid.to_owned());
    header
}

fn expect(now: i64) -> Expectations<'static> {
    Expectations {
        issuer: ISSUER,
        leeway_seconds: 5,
        now,
    }
}

mod base64_url_free {
    /// Unpadded base64url, enough to hand-craft headers the library refuses to write.
    pub fn encode(bytes: &[u8]) -> String {
        const ALPHABET: &[u8; 64] =
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let mut out = String::new();
        for chunk in bytes.chunks(3) {
            let b = [
                chunk[0],
                *chunk.get(1).unwrap_or(&0),
                *chunk.get(2).unwrap_or(&0),
            ];
            let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
            for i in 0..=chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            }
        }
        out
    }
}

fn crafted(header: &Value, claims: &Value, signature: &str) -> String {
    let enc = |v: &Value| base64_url_free::encode(serde_json::to_string(v).unwrap().as_bytes());
    format!("{}.{}.{signature}", enc(header), enc(claims))
}

#[test]
fn a_good_token_verifies_with_its_claims() {
    let key = es256("k1");
    let token = sign(&key, header("k1"), &claims());
    let verified = verify(&token, std::slice::from_ref(&key.verification), expect(NOW)).unwrap();
    assert_eq!(
        (verified.sub.as_str(), verified.sid.as_str(), verified.v),
        ("user_1", "sess_1", Some(2))
    );
}

#[test]
fn time_is_checked_with_at_most_five_seconds_of_leeway() {
    let key = es256("k1");
    let keys = [key.verification.clone()];
    let token = sign(&key, header("k1"), &claims());
    // exp is NOW + 50: valid up to exp + 5 s, never 60 s later.
    assert!(verify(&token, &keys, expect(NOW + 54)).is_ok());
    assert_eq!(
        verify(&token, &keys, expect(NOW + 55)),
        Err(Rejection::Expired)
    );
    assert_eq!(
        verify(&token, &keys, expect(NOW + 80)),
        Err(Rejection::Expired)
    );
    let lenient = Expectations {
        leeway_seconds: 60,
        ..expect(NOW + 80)
    };
    assert_eq!(
        verify(&token, &keys, lenient),
        Err(Rejection::Expired),
        "leeway is capped at 5 s"
    );
    // A token whose exp passed 30 s ago.
    let old = sign(
        &key,
        header("k1"),
        &json!({"iss": ISSUER, "sub": "u", "sid": "s", "iat": NOW - 90, "nbf": NOW - 90, "exp": NOW - 30, "v": 2}),
    );
    assert_eq!(verify(&old, &keys, expect(NOW)), Err(Rejection::Expired));
    // nbf in the future.
    let mut future = claims();
    future["nbf"] = json!(NOW + 30);
    let future = sign(&key, header("k1"), &future);
    assert_eq!(
        verify(&future, &keys, expect(NOW)),
        Err(Rejection::NotActiveYet)
    );
    assert!(verify(&future, &keys, expect(NOW + 26)).is_ok());
}

#[test]
fn required_claims_must_be_present_and_typed() {
    let key = es256("k1");
    let keys = [key.verification.clone()];
    for (claim, value) in [
        ("exp", json!(format!("{}", NOW + 50))),
        ("nbf", json!("0")),
        ("iat", json!(null)),
    ] {
        let mut bad = claims();
        bad[claim] = value;
        let token = sign(&key, header("k1"), &bad);
        assert_eq!(
            verify(&token, &keys, expect(NOW)),
            Err(Rejection::Malformed),
            "{claim}"
        );
    }
    for claim in ["iss", "sid", "sub", "exp", "nbf", "iat"] {
        let mut bad = claims();
        bad.as_object_mut().unwrap().remove(claim);
        let token = sign(&key, header("k1"), &bad);
        assert_eq!(
            verify(&token, &keys, expect(NOW)),
            Err(Rejection::Malformed),
            "missing {claim}"
        );
    }
    let mut template_token = claims();
    template_token.as_object_mut().unwrap().remove("v");
    assert_eq!(
        verify(
            &sign(&key, header("k1"), &template_token),
            &keys,
            expect(NOW)
        ),
        Err(Rejection::Malformed),
        "no v: 2"
    );
    let mut empty_sid = claims();
    empty_sid["sid"] = json!("");
    assert_eq!(
        verify(&sign(&key, header("k1"), &empty_sid), &keys, expect(NOW)),
        Err(Rejection::Malformed)
    );
}

#[test]
fn another_issuer_is_refused() {
    let key = es256("k1");
    let mut other = claims();
    other["iss"] = json!("https://auth.example.com/i/ins_2");
    let token = sign(&key, header("k1"), &other);
    assert_eq!(
        verify(&token, &[key.verification], expect(NOW)),
        Err(Rejection::InvalidIssuer)
    );
}

#[test]
fn signatures_keys_and_algorithms_are_pinned() {
    let key = es256("k1");
    let attacker = es256("k1");
    let keys = [key.verification.clone()];
    // Signed by another key under our kid.
    let forged = sign(&attacker, header("k1"), &claims());
    assert_eq!(
        verify(&forged, &keys, expect(NOW)),
        Err(Rejection::InvalidSignature)
    );
    // An unknown kid, and no kid at all.
    assert_eq!(
        verify(&sign(&key, header("k9"), &claims()), &keys, expect(NOW)),
        Err(Rejection::InvalidSignature)
    );
    assert_eq!(
        verify(
            &sign(&key, Header::new(Algorithm::ES256), &claims()),
            &keys,
            expect(NOW)
        ),
        Err(Rejection::Malformed)
    );
    // Tampered payload.
    let token = sign(&key, header("k1"), &claims());
    let parts: Vec<&str> = token.split('.').collect();
    let mut tampered_claims = claims();
    tampered_claims["sub"] = json!("user_admin");
    let tampered = format!(
        "{}.{}.{}",
        parts[0],
        base64_url_free::encode(tampered_claims.to_string().as_bytes()),
        parts[2]
    );
    assert_eq!(
        verify(&tampered, &keys, expect(NOW)),
        Err(Rejection::InvalidSignature)
    );
    // HS256 with the public key as the secret (algorithm confusion).
    let public_der = key.public.clone();
    let mut hs = Header::new(Algorithm::HS256);
    hs.kid = Some("k1".to_owned());
    let confused = encode(&hs, &claims(), &EncodingKey::from_secret(&public_der)).unwrap();
    assert_eq!(
        verify(&confused, &keys, expect(NOW)),
        Err(Rejection::InvalidSignature)
    );
    // alg: none, unsigned.
    let none = crafted(
        &json!({"alg": "none", "kid": "k1", "typ": "JWT"}),
        &claims(),
        "",
    );
    assert_eq!(verify(&none, &keys, expect(NOW)), Err(Rejection::Malformed));
}

#[test]
fn jku_x5u_and_jwk_headers_never_supply_the_key() {
    let key = es256("k1");
    let attacker = es256("k1");
    let keys = [key.verification.clone()];
    let mut pointing = header("k1");
    pointing.jku = Some("https://attacker.example/jwks.json".to_owned());
    pointing.x5u = Some("https://attacker.example/cert.pem".to_owned());
    let attacker_jwk = json!({"kty": "EC", "crv": "P-256", "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU", "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"});
    pointing.jwk = Some(serde_json::from_value(attacker_jwk).unwrap());
    // Signed by the attacker, pointing at the attacker's keys: refused.
    assert_eq!(
        verify(
            &sign(&attacker, pointing.clone(), &claims()),
            &keys,
            expect(NOW)
        ),
        Err(Rejection::InvalidSignature)
    );
    // Signed by us: the headers are ignored, the instance's key decides.
    assert!(verify(&sign(&key, pointing, &claims()), &keys, expect(NOW)).is_ok());
}

#[test]
fn oversized_and_garbage_tokens_are_malformed() {
    let key = es256("k1");
    let keys = [key.verification];
    let huge = format!("a.{}.c", "b".repeat(1024 * 1024));
    for token in [
        huge.as_str(),
        "",
        "garbage",
        "a.b",
        "a.b.c",
        "....",
        "eyJhbGciOiJFUzI1NiJ9.e30.",
    ] {
        assert_eq!(
            verify(token, &keys, expect(NOW)),
            Err(Rejection::Malformed),
            "{}",
            &token[..token.len().min(20)]
        );
    }
}
