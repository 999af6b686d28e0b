//! The actix-web middleware and the `Auth` extractor.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::sync::Arc;

use actix_web::http::StatusCode;
use actix_web::http::header::AUTHORIZATION;
use actix_web::{App, HttpResponse, test, web};
use latchkey_verify::{Auth, Authenticate, Verifier};
use serde_json::{Value, json};
use support::{JwksServer, TestKey, claims_at, unix_now};

async fn me(auth: Auth) -> HttpResponse {
    HttpResponse::Ok().json(json!({"userId": auth.user_id, "sessionId": auth.session_id}))
}

async fn maybe(auth: Option<Auth>) -> HttpResponse {
    HttpResponse::Ok().json(json!({"userId": auth.map(|a| a.user_id)}))
}

struct Fixture {
    server: JwksServer,
    key: TestKey,
    verifier: Arc<Verifier>,
}

impl Fixture {
    async fn new() -> Self {
        let key = TestKey::es256("key_1");
        let server = JwksServer::start(vec![key.jwk()]).await;
        let verifier = Arc::new(Verifier::new(server.issuer()));
        Self {
            server,
            key,
            verifier,
        }
    }

    fn token(&self) -> String {
        self.key
            .token(&claims_at(&self.server.issuer(), unix_now()))
    }

    fn expired_token(&self) -> String {
        self.key
            .token(&claims_at(&self.server.issuer(), unix_now() - 3600))
    }
}

async fn body(
    response: actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>,
) -> Value {
    serde_json::from_slice(&test::read_body(response).await).unwrap()
}

#[actix_web::test]
async fn required_auth_answers_401_without_a_valid_token() {
    let fx = Fixture::new().await;
    let app = test::init_service(
        App::new()
            .wrap(Authenticate::new(Arc::clone(&fx.verifier)).required())
            .route("/me", web::get().to(me)),
    )
    .await;

    let response = test::call_service(&app, test::TestRequest::get().uri("/me").to_request()).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        body(response).await,
        json!({"error": "UNAUTHENTICATED", "reason": "token-missing"})
    );

    let expired = test::TestRequest::get()
        .uri("/me")
        .insert_header((AUTHORIZATION, format!("Bearer {}", fx.expired_token())))
        .to_request();
    let response = test::call_service(&app, expired).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        body(response).await,
        json!({"error": "UNAUTHENTICATED", "reason": "token-expired"})
    );

    let garbage = test::TestRequest::get()
        .uri("/me")
        .insert_header((AUTHORIZATION, "Bearer not-a-token"))
        .to_request();
    let response = test::call_service(&app, garbage).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(body(response).await["reason"], "token-malformed");
}

#[actix_web::test]
async fn required_auth_hands_the_handler_its_auth() {
    let fx = Fixture::new().await;
    let app = test::init_service(
        App::new()
            .wrap(Authenticate::new(Arc::clone(&fx.verifier)).required())
            .route("/me", web::get().to(me)),
    )
    .await;
    for scheme in ["Bearer", "bearer"] {
        let request = test::TestRequest::get()
            .uri("/me")
            .insert_header((AUTHORIZATION, format!("{scheme} {}", fx.token())))
            .to_request();
        let response = test::call_service(&app, request).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(
            body(response).await,
            json!({"userId": "user_1", "sessionId": "sess_1"})
        );
    }
}

#[actix_web::test]
async fn the_session_cookie_is_read_too() {
    let fx = Fixture::new().await;
    let app = test::init_service(
        App::new()
            .wrap(Authenticate::new(Arc::clone(&fx.verifier)).required())
            .route("/me", web::get().to(me)),
    )
    .await;
    let request = test::TestRequest::get()
        .uri("/me")
        .cookie(actix_web::cookie::Cookie::new("__session", fx.token()))
        .to_request();
    let response = test::call_service(&app, request).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(body(response).await["userId"], "user_1");
}

#[actix_web::test]
async fn optional_auth_lets_requests_through_and_the_extractor_decides() {
    let fx = Fixture::new().await;
    let app = test::init_service(
        App::new()
            .wrap(Authenticate::new(Arc::clone(&fx.verifier)))
            .route("/me", web::get().to(me))
            .route("/maybe", web::get().to(maybe)),
    )
    .await;

    let anonymous = test::TestRequest::get().uri("/maybe").to_request();
    let response = test::call_service(&app, anonymous).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(body(response).await, json!({"userId": null}));

    let signed_in = test::TestRequest::get()
        .uri("/maybe")
        .insert_header((AUTHORIZATION, format!("Bearer {}", fx.token())))
        .to_request();
    let response = test::call_service(&app, signed_in).await;
    assert_eq!(body(response).await, json!({"userId": "user_1"}));

    let anonymous = test::TestRequest::get().uri("/me").to_request();
    let response = test::call_service(&app, anonymous).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        body(response).await,
        json!({"error": "UNAUTHENTICATED", "reason": "token-missing"})
    );

    // The extractor tells why the token was refused.
    let expired = test::TestRequest::get()
        .uri("/me")
        .insert_header((AUTHORIZATION, format!("Bearer {}", fx.expired_token())))
        .to_request();
    let response = test::call_service(&app, expired).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(body(response).await["reason"], "token-expired");

    let forged = TestKey::es256("key_1").token(&claims_at(&fx.server.issuer(), unix_now()));
    let request = test::TestRequest::get()
        .uri("/me")
        .insert_header((AUTHORIZATION, format!("Bearer {forged}")))
        .to_request();
    let response = test::call_service(&app, request).await;
    assert_eq!(body(response).await["reason"], "token-invalid-signature");
}

#[actix_web::test]
async fn a_cookie_authenticated_unsafe_request_must_come_from_an_authorized_origin() {
    let fx = Fixture::new().await;
    let app_origin = "https://app.example.com";
    let verifier = Arc::new(
        Verifier::new(fx.server.issuer()).with_authorized_parties(vec![app_origin.to_owned()]),
    );
    let app = test::init_service(
        App::new()
            .wrap(Authenticate::new(verifier))
            .route("/me", web::post().to(me))
            .route("/me", web::get().to(me)),
    )
    .await;
    let mut claims = claims_at(&fx.server.issuer(), unix_now());
    claims["azp"] = json!(app_origin);
    let token = fx.key.token(&claims);
    let cookie = format!("__session={token}");
    let status = |request: test::TestRequest| {
        let app = &app;
        async move { test::call_service(app, request.to_request()).await.status() }
    };
    let post = || {
        test::TestRequest::post()
            .uri("/me")
            .insert_header(("cookie", cookie.clone()))
    };
    // By the cookie, an unsafe method from no origin or another one (a sibling subdomain shares
    // the site, so SameSite=Lax let it through): refused.
    assert_eq!(status(post()).await, StatusCode::FORBIDDEN);
    let sibling = post()
        .insert_header(("origin", "https://evil.example.com"))
        .insert_header(("sec-fetch-site", "same-site"));
    assert_eq!(status(sibling).await, StatusCode::FORBIDDEN);
    let response = test::call_service(&app, post().to_request()).await;
    assert_eq!(
        body(response).await,
        json!({"error": "FORBIDDEN", "reason": "cross-site-request"})
    );
    // From the app's origin, or said same-origin by the browser: fine.
    assert_eq!(
        status(post().insert_header(("origin", app_origin))).await,
        StatusCode::OK
    );
    let same = post().insert_header(("sec-fetch-site", "same-origin"));
    assert_eq!(status(same).await, StatusCode::OK);
    // A safe method, or a token in the header (no browser sends that on its own): fine.
    let get = test::TestRequest::get()
        .uri("/me")
        .insert_header(("cookie", cookie.clone()));
    assert_eq!(status(get).await, StatusCode::OK);
    let header = test::TestRequest::post()
        .uri("/me")
        .insert_header((AUTHORIZATION, format!("Bearer {token}")));
    assert_eq!(status(header).await, StatusCode::OK);
}
