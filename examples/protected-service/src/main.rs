//! A backend protected by Latchkey session tokens.
//!
//! - `GET /public` answers anyone;
//! - `GET /me` needs a valid session token (`Authorization: Bearer …` or the `__session`
//!   cookie) and answers `{"userId": …, "sessionId": …}`; without one it answers `401` with
//!   `{"error": "UNAUTHENTICATED", "reason": …}`.
//!
//! Configuration: `LATCHKEY_ISSUER` (required, `{publicUrl}/i/{instanceId}`), `PORT` (3000),
//! `LATCHKEY_JWKS_URL` (optional, when the keys are reached at another address) and
//! `LATCHKEY_AUTHORIZED_PARTIES` (optional, comma-separated origins allowed as `azp`).

use std::sync::Arc;

use actix_web::{App, HttpResponse, HttpServer, web};
use latchkey_verify::{Auth, Authenticate, Verifier};
use serde_json::json;

async fn public() -> HttpResponse {
    HttpResponse::Ok().json(json!({"message": "anyone may read this"}))
}

async fn me(auth: Auth) -> HttpResponse {
    HttpResponse::Ok().json(json!({"userId": auth.user_id, "sessionId": auth.session_id}))
}

fn verifier_from_env() -> Result<Verifier, String> {
    let issuer = std::env::var("LATCHKEY_ISSUER")
        .map_err(|_| "set LATCHKEY_ISSUER, e.g. http://127.0.0.1:8080/i/ins_…".to_owned())?;
    let mut verifier = Verifier::new(issuer);
    if let Ok(url) = std::env::var("LATCHKEY_JWKS_URL") {
        verifier = verifier.with_jwks_url(url);
    }
    if let Ok(parties) = std::env::var("LATCHKEY_AUTHORIZED_PARTIES") {
        let parties: Vec<String> = parties
            .split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(str::to_owned)
            .collect();
        verifier = verifier.with_authorized_parties(parties);
    }
    Ok(verifier)
}

fn port_from_env() -> Result<u16, String> {
    match std::env::var("PORT") {
        Ok(port) => port
            .parse()
            .map_err(|_| format!("PORT must be a port number, not {port:?}")),
        Err(_) => Ok(3000),
    }
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let (verifier, port) = match (verifier_from_env(), port_from_env()) {
        (Ok(verifier), Ok(port)) => (Arc::new(verifier), port),
        (Err(message), _) | (_, Err(message)) => {
            eprintln!("{message}");
            std::process::exit(2);
        }
    };
    tracing::info!(
        issuer = verifier.issuer(),
        jwks = verifier.jwks_url(),
        "protected service listening on http://127.0.0.1:{port}"
    );
    HttpServer::new(move || {
        App::new().route("/public", web::get().to(public)).service(
            web::resource("/me")
                .wrap(Authenticate::new(Arc::clone(&verifier)).required())
                .route(web::get().to(me)),
        )
    })
    .bind(("127.0.0.1", port))?
    .run()
    .await
}
