//! The verification rules: signature by the key the `kid` names, algorithm pinned to it, typed
//! claims, issuer, time window, authorized parties, size.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use latchkey_verify::{MAX_TOKEN_BYTES, Organization, Rejection, Verifier};
use serde_json::{Value, json};
use support::{JwksServer, NOW, TestKey, b64, claims_at, unix_now};

async fn setup(key: &TestKey) -> (JwksServer, Verifier) {
    let server = JwksServer::start(vec![key.jwk()]).await;
    let verifier = Verifier::new(server.issuer());
    (server, verifier)
}

fn with(mut claims: Value, changes: Value) -> Value {
    for (name, value) in changes.as_object().unwrap() {
        if value.is_null() {
            claims.as_object_mut().unwrap().remove(name);
        } else {
            claims[name] = value.clone();
        }
    }
    claims
}

#[tokio::test]
async fn a_valid_token_verifies_with_its_claims() {
    let key = TestKey::es256("key_1");
    let (server, verifier) = setup(&key).await;
    let claims = with(
        claims_at(&server.issuer(), NOW),
        json!({"azp": "https://app.example", "o": {"id": "org_1", "slg": "acme", "rol": "admin", "per": "invoices:read,invoices:pay"}, "tier": "gold"}),
    );
    let verified = verifier.verify_at(&key.token(&claims), NOW).await.unwrap();
    assert_eq!(verified.sub, "user_1");
    assert_eq!(verified.sid, "sess_1");
    assert_eq!(verified.iss, server.issuer());
    assert_eq!(
        (verified.iat, verified.nbf, verified.exp),
        (NOW - 10, NOW - 15, NOW + 50)
    );
    assert_eq!(verified.azp.as_deref(), Some("https://app.example"));
    assert_eq!(verified.jti.as_deref(), Some("jti_1"));
    assert_eq!(verified.v, 2);
    let org = verified.org.clone().unwrap();
    assert_eq!(
        org,
        Organization {
            id: "org_1".into(),
            slug: Some("acme".into()),
            role: Some("admin".into()),
            permissions: vec!["invoices:read".into(), "invoices:pay".into()],
        }
    );
    assert!(org.has_permission("org:invoices:read"));
    assert!(org.has_permission("invoices:pay"));
    assert!(!org.has_permission("org:invoices:delete"));
    assert!(verified.has(Some("org:admin"), None));
    assert!(verified.has(Some("admin"), Some("org:invoices:pay")));
    assert!(!verified.has(Some("org:member"), Some("org:invoices:pay")));
    assert!(!verified.has(None, Some("org:sys_memberships:manage")));
    assert!(!verified.has(None, None));
    assert_eq!(verified.extra.get("tier"), Some(&json!("gold")));
    assert!(!verified.extra.contains_key("o"));
    assert_eq!(server.requests(), 1);
}

#[tokio::test]
async fn fva_gives_the_factors_ages() {
    let key = TestKey::es256("key_1");
    let (server, verifier) = setup(&key).await;
    let at = |fva: Value| with(claims_at(&server.issuer(), NOW), json!({ "fva": fva }));
    let first_only = verifier
        .verify_at(&key.token(&at(json!([3, -1]))), NOW)
        .await
        .unwrap();
    assert_eq!(first_only.fva, Some([3, -1]));
    assert_eq!(first_only.first_factor_age(), Some(3));
    assert_eq!(first_only.second_factor_age(), None);
    assert!(first_only.verified_within(10, false));
    assert!(!first_only.verified_within(10, true));
    assert!(!first_only.verified_within(3, false));
    assert!(!first_only.extra.contains_key("fva"));
    let both = verifier
        .verify_at(&key.token(&at(json!([2, 0]))), NOW)
        .await
        .unwrap();
    assert!(both.verified_within(10, true));
    let none = verifier
        .verify_at(&key.token(&claims_at(&server.issuer(), NOW)), NOW)
        .await
        .unwrap();
    assert_eq!(
        (none.fva, none.first_factor_age()),
        (None, None),
        "a token without fva"
    );
    assert!(!none.verified_within(10, false));
}

#[tokio::test]
async fn eddsa_and_rs256_tokens_verify_too() {
    let ed = TestKey::ed25519("key_ed");
    let rs = TestKey::rs256("key_rs");
    let server = JwksServer::start(vec![ed.jwk(), rs.jwk()]).await;
    let verifier = Verifier::new(server.issuer());
    let claims = claims_at(&server.issuer(), NOW);
    for key in [&ed, &rs] {
        let verified = verifier.verify_at(&key.token(&claims), NOW).await;
        assert_eq!(verified.unwrap().sub, "user_1", "{:?}", key.algorithm);
    }
}

#[tokio::test]
async fn the_system_clock_convenience_accepts_a_current_token() {
    let key = TestKey::es256("key_1");
    let (server, verifier) = setup(&key).await;
    let token = key.token(&claims_at(&server.issuer(), unix_now()));
    assert_eq!(verifier.verify(&token).await.unwrap().sub, "user_1");
    let old = key.token(&claims_at(&server.issuer(), unix_now() - 3600));
    assert_eq!(verifier.verify(&old).await, Err(Rejection::Expired));
}

#[tokio::test]
async fn an_expired_token_is_refused_after_the_leeway() {
    let key = TestKey::es256("key_1");
    let (server, verifier) = setup(&key).await;
    let token = key.token(&claims_at(&server.issuer(), NOW)); // exp = NOW + 50
    let exp = NOW + 50;
    assert!(verifier.verify_at(&token, exp + 4).await.is_ok());
    assert_eq!(
        verifier.verify_at(&token, exp + 5).await,
        Err(Rejection::Expired)
    );
    let strict = Verifier::new(server.issuer()).with_leeway(0);
    assert_eq!(strict.verify_at(&token, exp).await, Err(Rejection::Expired));
    assert!(strict.verify_at(&token, exp - 1).await.is_ok());
    // More leeway than 5 s is cut to 5 s.
    let lax = Verifier::new(server.issuer()).with_leeway(3600);
    assert_eq!(
        lax.verify_at(&token, exp + 5).await,
        Err(Rejection::Expired)
    );
}

#[tokio::test]
async fn a_token_not_valid_yet_is_refused() {
    let key = TestKey::es256("key_1");
    let (server, verifier) = setup(&key).await;
    let token = key.token(&claims_at(&server.issuer(), NOW)); // nbf = NOW - 15, iat = NOW - 10
    assert_eq!(
        verifier.verify_at(&token, NOW - 21).await,
        Err(Rejection::NotActiveYet)
    );
    assert!(verifier.verify_at(&token, NOW - 15).await.is_ok()); // iat - 5: within leeway
    let strict = Verifier::new(server.issuer()).with_leeway(0);
    assert_eq!(
        strict.verify_at(&token, NOW - 11).await,
        Err(Rejection::NotActiveYet)
    );
    let issued_later = key.token(&with(
        claims_at(&server.issuer(), NOW),
        json!({"iat": NOW + 100}),
    ));
    assert_eq!(
        verifier.verify_at(&issued_later, NOW).await,
        Err(Rejection::NotActiveYet)
    );
}

#[tokio::test]
async fn another_issuer_is_refused_without_fetching_keys() {
    let key = TestKey::es256("key_1");
    let (server, verifier) = setup(&key).await;
    let other = key.token(&claims_at(&format!("{}/i/ins_other", server.base), NOW));
    assert_eq!(
        verifier.verify_at(&other, NOW).await,
        Err(Rejection::InvalidIssuer)
    );
    assert_eq!(server.requests(), 0);
    // A trailing slash on the configured issuer does not matter.
    let slashed = Verifier::new(format!("{}/", server.issuer()));
    let token = key.token(&claims_at(&server.issuer(), NOW));
    assert!(slashed.verify_at(&token, NOW).await.is_ok());
}

#[tokio::test]
async fn a_tampered_token_is_refused() {
    let key = TestKey::es256("key_1");
    let (server, verifier) = setup(&key).await;
    let token = key.token(&claims_at(&server.issuer(), NOW));
    let forged_payload = b64(&serde_json::to_vec(&with(
        claims_at(&server.issuer(), NOW),
        json!({"sub": "user_admin"}),
    ))
    .unwrap());
    let parts: Vec<&str> = token.split('.').collect();
    let tampered = format!("{}.{forged_payload}.{}", parts[0], parts[2]);
    assert_eq!(
        verifier.verify_at(&tampered, NOW).await,
        Err(Rejection::InvalidSignature)
    );
    // Signed by another key under the same kid.
    let impostor = TestKey::es256("key_1");
    let forged = impostor.token(&claims_at(&server.issuer(), NOW));
    assert_eq!(
        verifier.verify_at(&forged, NOW).await,
        Err(Rejection::InvalidSignature)
    );
}

#[tokio::test]
async fn alg_none_is_refused() {
    let key = TestKey::es256("key_1");
    let (server, verifier) = setup(&key).await;
    let claims = claims_at(&server.issuer(), NOW);
    for alg in ["none", "None", "NONE"] {
        let header = b64(&serde_json::to_vec(&json!({"alg": alg, "kid": "key_1"})).unwrap());
        let payload = b64(&serde_json::to_vec(&claims).unwrap());
        for token in [
            format!("{header}.{payload}."),
            format!("{header}.{payload}.{}", b64(b"x")),
        ] {
            assert_eq!(
                verifier.verify_at(&token, NOW).await,
                Err(Rejection::Malformed),
                "{alg}"
            );
        }
    }
}

#[tokio::test]
async fn hs256_with_the_public_key_as_secret_is_refused() {
    let key = TestKey::es256("key_1");
    let (server, verifier) = setup(&key).await;
    let claims = claims_at(&server.issuer(), NOW);
    let mut header = Header::new(Algorithm::HS256);
    header.kid = Some("key_1".into());
    let jwk_text = serde_json::to_vec(&key.jwk()).unwrap();
    for secret in [key.public_bytes(), jwk_text] {
        let token =
            jsonwebtoken::encode(&header, &claims, &EncodingKey::from_secret(&secret)).unwrap();
        assert_eq!(
            verifier.verify_at(&token, NOW).await,
            Err(Rejection::InvalidSignature)
        );
    }
}

#[tokio::test]
async fn an_algorithm_swap_is_refused() {
    let es = TestKey::es256("key_es");
    let ed = TestKey::ed25519("key_ed");
    let server = JwksServer::start(vec![es.jwk(), ed.jwk()]).await;
    let verifier = Verifier::new(server.issuer());
    let claims = claims_at(&server.issuer(), NOW);
    // The EdDSA key signs, the header names it with ES256: the header's alg is not the key's.
    let swapped = ed.sign_raw(&json!({"alg": "ES256", "kid": "key_ed"}), &claims);
    assert_eq!(
        verifier.verify_at(&swapped, NOW).await,
        Err(Rejection::InvalidSignature)
    );
    // The EdDSA key signs under the ES256 key's kid, saying EdDSA.
    let crossed = ed.sign_raw(&json!({"alg": "EdDSA", "kid": "key_es"}), &claims);
    assert_eq!(
        verifier.verify_at(&crossed, NOW).await,
        Err(Rejection::InvalidSignature)
    );
}

#[tokio::test]
async fn jku_x5u_and_jwk_headers_are_ignored() {
    let key = TestKey::es256("key_1");
    let (server, verifier) = setup(&key).await;
    let attacker = TestKey::es256("key_1");
    let header = json!({
        "alg": "ES256", "kid": "key_1",
        "jku": format!("{}/attacker/jwks.json", server.base),
        "x5u": format!("{}/attacker/cert.pem", server.base),
        "jwk": attacker.jwk(),
    });
    let token = attacker.sign_raw(&header, &claims_at(&server.issuer(), NOW));
    assert_eq!(
        verifier.verify_at(&token, NOW).await,
        Err(Rejection::InvalidSignature)
    );
    assert_eq!(server.requests(), 1, "only the configured JWKS was fetched");
}

#[tokio::test]
async fn required_claims_must_be_present_and_typed() {
    let key = TestKey::es256("key_1");
    let (server, verifier) = setup(&key).await;
    let base = claims_at(&server.issuer(), NOW);
    for (change, why) in [
        (json!({"exp": null}), "no exp"),
        (json!({"nbf": null}), "no nbf"),
        (json!({"iat": null}), "no iat"),
        (json!({"sub": null}), "no sub"),
        (json!({"sid": null}), "no sid"),
        (json!({"sub": ""}), "empty sub"),
        (json!({"sid": ""}), "empty sid"),
        (json!({"exp": "2100000000"}), "string exp"),
        (json!({"v": null}), "no v"),
        (json!({"v": 1}), "v 1"),
        (json!({"v": "2"}), "string v"),
        (json!({"o": "org_1"}), "o not an object"),
    ] {
        let token = key.token(&with(base.clone(), change));
        assert_eq!(
            verifier.verify_at(&token, NOW).await,
            Err(Rejection::Malformed),
            "{why}"
        );
    }
    // `iss` is read before anything else: a missing one is malformed too.
    let no_iss = key.token(&with(base.clone(), json!({"iss": null})));
    assert_eq!(
        verifier.verify_at(&no_iss, NOW).await,
        Err(Rejection::Malformed)
    );
    let no_kid = key.sign_raw(&json!({"alg": "ES256"}), &base);
    assert_eq!(
        verifier.verify_at(&no_kid, NOW).await,
        Err(Rejection::Malformed)
    );
    for garbage in ["", "a.b", "a.b.c", "a.b.c.d", "...."] {
        assert_eq!(
            verifier.verify_at(garbage, NOW).await,
            Err(Rejection::Malformed),
            "{garbage:?}"
        );
    }
    // Comma-separated permissions are read as a list.
    let joined = key.token(&with(
        base,
        json!({"o": {"id": "org_1", "per": "org:a:read, org:b:write"}}),
    ));
    let org = verifier.verify_at(&joined, NOW).await.unwrap().org.unwrap();
    assert_eq!(org.permissions, ["org:a:read", "org:b:write"]);
    assert_eq!((org.slug, org.role), (None, None));
}

#[tokio::test]
async fn azp_must_be_an_authorized_party_when_any_are_configured() {
    let key = TestKey::es256("key_1");
    let server = JwksServer::start(vec![key.jwk()]).await;
    let base = claims_at(&server.issuer(), NOW);
    let parties = vec![
        "https://app.example".to_owned(),
        "https://admin.example".to_owned(),
    ];
    let verifier = Verifier::new(server.issuer()).with_authorized_parties(parties);
    let open = Verifier::new(server.issuer());
    let without = key.token(&base);
    let wrong = key.token(&with(base.clone(), json!({"azp": "https://evil.example"})));
    let right = key.token(&with(base, json!({"azp": "https://admin.example"})));
    assert_eq!(
        verifier.verify_at(&without, NOW).await,
        Err(Rejection::InvalidAuthorizedParty)
    );
    assert_eq!(
        verifier.verify_at(&wrong, NOW).await,
        Err(Rejection::InvalidAuthorizedParty)
    );
    assert!(verifier.verify_at(&right, NOW).await.is_ok());
    for token in [&without, &wrong, &right] {
        assert!(open.verify_at(token, NOW).await.is_ok());
    }
}

#[tokio::test]
async fn an_oversized_token_is_malformed_unparsed() {
    let key = TestKey::es256("key_1");
    let (server, verifier) = setup(&key).await;
    let huge = format!("{}.{}.{}", "a".repeat(1 << 20), "b".repeat(10), "c");
    assert_eq!(
        verifier.verify_at(&huge, NOW).await,
        Err(Rejection::Malformed)
    );
    // Just over the limit, yet well signed: still refused.
    let padded = key.token(&with(
        claims_at(&server.issuer(), NOW),
        json!({"pad": "x".repeat(MAX_TOKEN_BYTES)}),
    ));
    assert!(padded.len() > MAX_TOKEN_BYTES);
    assert_eq!(
        verifier.verify_at(&padded, NOW).await,
        Err(Rejection::Malformed)
    );
    assert_eq!(server.requests(), 0);
}

#[test]
fn reasons_are_the_contract_spelling() {
    let reasons: Vec<&str> = [
        Rejection::Expired,
        Rejection::NotActiveYet,
        Rejection::InvalidSignature,
        Rejection::InvalidIssuer,
        Rejection::InvalidAuthorizedParty,
        Rejection::Malformed,
        Rejection::KeysUnavailable,
    ]
    .into_iter()
    .map(Rejection::reason)
    .collect();
    assert_eq!(
        reasons,
        [
            "token-expired",
            "token-not-active-yet",
            "token-invalid-signature",
            "token-invalid-issuer",
            "token-invalid-azp",
            "token-malformed",
            "jwks-unavailable"
        ]
    );
}

#[test]
fn the_jwks_url_derives_from_the_issuer() {
    let verifier = Verifier::new("https://auth.example/i/ins_1");
    assert_eq!(
        verifier.jwks_url(),
        "https://auth.example/i/ins_1/.well-known/jwks.json"
    );
    let moved =
        verifier.with_jwks_url("http://latchkey.internal:8080/i/ins_1/.well-known/jwks.json");
    assert_eq!(moved.issuer(), "https://auth.example/i/ins_1");
    assert_eq!(
        moved.jwks_url(),
        "http://latchkey.internal:8080/i/ins_1/.well-known/jwks.json"
    );
}

#[test]
fn the_o_claim_follows_the_vector_shared_with_the_server() {
    // The server's own test reads the same file (domain/src/model/organization.rs).
    let vector: Value = serde_json::from_str(include_str!("vectors/o_claim.json")).unwrap();
    let claims: latchkey_verify::Claims = serde_json::from_value(json!({
        "iss": "https://auth.example/i/ins_1", "sub": "user_1", "sid": "sess_1",
        "iat": 0, "nbf": 0, "exp": 60, "v": 2, "o": vector["claim"],
    }))
    .unwrap();
    let org = claims.org.clone().unwrap();
    assert_eq!(org.id, "org_1");
    assert_eq!(org.slug.as_deref(), Some("acme"));
    assert_eq!(org.role.as_deref(), Some("admin"));
    assert_eq!(org.permissions, ["invoices:read", "invoices:pay"]);
    for case in vector["has"].as_array().unwrap() {
        let (role, permission) = (case["role"].as_str(), case["permission"].as_str());
        assert_eq!(
            claims.has(role, permission),
            case["expected"].as_bool().unwrap(),
            "{case}"
        );
    }
}
