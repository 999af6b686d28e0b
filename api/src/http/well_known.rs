//! `GET /i/{instanceId}/.well-known/jwks.json` and `…/openid-configuration`: what any JWT library
//! needs to verify an instance's session tokens from their `iss` alone. Public and cacheable;
//! CORS open to every origin (they hold only public keys).

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use latchkey_domain::Error;

use super::AppState;

/// How long a verifier or a proxy may cache the documents. The JWKS is read from the database
/// on every request, so a key made on any node is here at once for a verifier that fetches
/// again on an unknown `kid` (as JWKS clients do); this bounds what a cache in between serves.
const MAX_AGE_SECONDS: u32 = 60;

/// The instance's public signing keys.
pub async fn jwks(state: web::Data<AppState>, path: web::Path<String>) -> HttpResponse {
    match state.platform.jwks(&path).await {
        Ok(body) => document(body),
        Err(err) => failure(&err),
    }
}

/// The OpenID discovery document of the instance's issuer.
pub async fn openid_configuration(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> HttpResponse {
    match state.platform.openid_configuration(&path).await {
        Ok(body) => document(body.to_string()),
        Err(err) => failure(&err),
    }
}

fn document(body: String) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .insert_header((
            header::CACHE_CONTROL,
            format!("public, max-age={MAX_AGE_SECONDS}"),
        ))
        .insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"))
        .body(body)
}

fn failure(err: &Error) -> HttpResponse {
    match err {
        Error::NotFound(_) => HttpResponse::NotFound()
            .content_type("application/json")
            .body(r#"{"error":"NOT_FOUND","message":"no such instance"}"#),
        other => {
            tracing::error!(error = %other, "serving a well-known document failed");
            HttpResponse::InternalServerError()
                .content_type("application/json")
                .body(r#"{"error":"INTERNAL"}"#)
        }
    }
}
