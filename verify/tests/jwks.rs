//! The key cache: fetched once per TTL, refetched once for a rotated-in key, throttled against
//! made-up `kid`s, one fetch in flight, old keys kept when a fetch fails.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::sync::Arc;
use std::time::Duration;

use latchkey_verify::{Rejection, Verifier};
use serde_json::json;
use support::{JwksServer, NOW, TestKey, claims_at};

#[tokio::test]
async fn keys_are_fetched_once_and_cached() {
    let key = TestKey::es256("key_1");
    let server = JwksServer::start(vec![key.jwk()]).await;
    let verifier = Verifier::new(server.issuer());
    let token = key.token(&claims_at(&server.issuer(), NOW));
    for _ in 0..5 {
        assert!(verifier.verify_at(&token, NOW).await.is_ok());
    }
    assert_eq!(server.requests(), 1);
}

#[tokio::test]
async fn an_unknown_kid_refetches_once_and_finds_a_rotated_in_key() {
    let old = TestKey::es256("key_old");
    let server = JwksServer::start(vec![old.jwk()]).await;
    let verifier = Verifier::new(server.issuer());
    let claims = claims_at(&server.issuer(), NOW);
    assert!(verifier.verify_at(&old.token(&claims), NOW).await.is_ok());
    assert_eq!(server.requests(), 1);

    // The issuer rotates: a new key signs, the old one stays published.
    let new = TestKey::rs256("key_new");
    server.publish(vec![new.jwk(), old.jwk()]);
    let token = new.token(&claims);
    assert_eq!(verifier.verify_at(&token, NOW).await.unwrap().sub, "user_1");
    assert_eq!(server.requests(), 2, "exactly one refetch");
    assert!(verifier.verify_at(&token, NOW).await.is_ok());
    assert!(verifier.verify_at(&old.token(&claims), NOW).await.is_ok());
    assert_eq!(server.requests(), 2, "both keys are cached now");
}

#[tokio::test]
async fn made_up_kids_refetch_at_most_once_per_five_seconds() {
    let key = TestKey::es256("key_1");
    let server = JwksServer::start(vec![key.jwk()]).await;
    // Time moves when the test says so: nothing waits for it.
    let start = std::time::Instant::now();
    let offset = Arc::new(std::sync::Mutex::new(Duration::ZERO));
    let moved = Arc::clone(&offset);
    let verifier =
        Verifier::new(server.issuer()).with_monotonic_clock(move || start + *moved.lock().unwrap());
    let claims = claims_at(&server.issuer(), NOW);
    assert!(verifier.verify_at(&key.token(&claims), NOW).await.is_ok());
    assert_eq!(server.requests(), 1);

    let forger = TestKey::es256("unused");
    let forged = |kid: &str| forger.sign_raw(&json!({"alg": "ES256", "kid": kid}), &claims);
    for i in 0..50 {
        assert_eq!(
            verifier.verify_at(&forged(&format!("kid_{i}")), NOW).await,
            Err(Rejection::InvalidSignature)
        );
    }
    assert_eq!(server.requests(), 2, "one refetch for fifty made-up kids");
    // The known key keeps working meanwhile, with no fetch.
    assert!(verifier.verify_at(&key.token(&claims), NOW).await.is_ok());
    assert_eq!(server.requests(), 2);

    *offset.lock().unwrap() = Duration::from_millis(4_900);
    let _ = verifier.verify_at(&forged("still_early"), NOW).await;
    assert_eq!(server.requests(), 2, "not before 5 s");
    *offset.lock().unwrap() = Duration::from_millis(5_100);
    for i in 0..10 {
        let _ = verifier
            .verify_at(&forged(&format!("later_{i}")), NOW)
            .await;
    }
    assert_eq!(
        server.requests(),
        3,
        "one more refetch once 5 s have passed"
    );
}

#[tokio::test]
async fn concurrent_fetches_coalesce() {
    let key = TestKey::es256("key_1");
    let server = JwksServer::start(vec![key.jwk()]).await;
    server.set_delay(Duration::from_millis(300));
    let verifier = Arc::new(Verifier::new(server.issuer()));
    let token = key.token(&claims_at(&server.issuer(), NOW));
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let verifier = Arc::clone(&verifier);
            let token = token.clone();
            tokio::spawn(async move { verifier.verify_at(&token, NOW).await })
        })
        .collect();
    for task in tasks {
        assert!(task.await.unwrap().is_ok());
    }
    assert_eq!(server.requests(), 1);
}

#[tokio::test]
async fn a_failed_fetch_keeps_the_old_keys() {
    let key = TestKey::es256("key_1");
    let server = JwksServer::start(vec![key.jwk()]).await;
    // A zero TTL: every verification wants fresh keys.
    let verifier = Verifier::new(server.issuer()).with_keys_ttl(Duration::ZERO);
    let token = key.token(&claims_at(&server.issuer(), NOW));
    assert!(verifier.verify_at(&token, NOW).await.is_ok());
    assert!(verifier.verify_at(&token, NOW).await.is_ok());
    assert_eq!(server.requests(), 2, "the TTL has passed each time");

    server.set_failing(true);
    assert!(
        verifier.verify_at(&token, NOW).await.is_ok(),
        "old keys kept"
    );
    assert_eq!(server.requests(), 3);
    for _ in 0..5 {
        assert!(verifier.verify_at(&token, NOW).await.is_ok());
    }
    assert_eq!(server.requests(), 3, "no retry within 5 s of a failure");
    // A key the failed set never had cannot be checked now.
    let new = TestKey::es256("key_new");
    assert_eq!(
        verifier
            .verify_at(&new.token(&claims_at(&server.issuer(), NOW)), NOW)
            .await,
        Err(Rejection::KeysUnavailable)
    );
}

#[tokio::test]
async fn no_reachable_key_set_means_keys_unavailable() {
    let key = TestKey::es256("key_1");
    let server = JwksServer::start(vec![key.jwk()]).await;
    server.set_failing(true);
    let verifier = Verifier::new(server.issuer());
    let token = key.token(&claims_at(&server.issuer(), NOW));
    assert_eq!(
        verifier.verify_at(&token, NOW).await,
        Err(Rejection::KeysUnavailable)
    );
    // Wrong path (404) and a closed port fail the same way.
    let missing = Verifier::new(server.issuer()).with_jwks_url(format!("{}/nothing", server.base));
    assert_eq!(
        missing.verify_at(&token, NOW).await,
        Err(Rejection::KeysUnavailable)
    );
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        drop(listener);
        format!("http://{addr}/jwks.json")
    };
    let unreachable = Verifier::new(server.issuer()).with_jwks_url(closed);
    assert_eq!(
        unreachable.verify_at(&token, NOW).await,
        Err(Rejection::KeysUnavailable)
    );
}

#[tokio::test]
async fn unusable_keys_in_the_set_are_skipped() {
    let good = TestKey::es256("key_good");
    let ed = TestKey::ed25519("key_ed");
    let mut ed_claiming_es256 = ed.jwk();
    ed_claiming_es256["alg"] = json!("ES256");
    let mut no_alg = TestKey::es256("key_no_alg").jwk();
    no_alg.as_object_mut().unwrap().remove("alg");
    let mut encryption = TestKey::es256("key_enc").jwk();
    encryption["use"] = json!("enc");
    let secret =
        json!({"kty": "oct", "k": "c2VjcmV0", "kid": "key_hs", "alg": "HS256", "use": "sig"});
    let server = JwksServer::start(vec![
        secret,
        json!({"kty": "nonsense", "kid": "key_odd"}),
        ed_claiming_es256,
        no_alg,
        encryption,
        good.jwk(),
    ])
    .await;
    let verifier = Verifier::new(server.issuer());
    let claims = claims_at(&server.issuer(), NOW);
    assert!(verifier.verify_at(&good.token(&claims), NOW).await.is_ok());
    let hs = jsonwebtoken::encode(
        &jsonwebtoken::Header {
            kid: Some("key_hs".into()),
            ..jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256)
        },
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(b"secret"),
    )
    .unwrap();
    assert_eq!(
        verifier.verify_at(&hs, NOW).await,
        Err(Rejection::InvalidSignature)
    );
    let ed_token = ed.token(&claims);
    assert_eq!(
        verifier.verify_at(&ed_token, NOW).await,
        Err(Rejection::InvalidSignature)
    );
}
