//! `/healthz` (the process answers) and `/readyz` (the database answers and is migrated).

use actix_web::{HttpResponse, web};

use super::AppState;

/// Alive.
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().content_type("text/plain").body("ok")
}

/// Ready to serve: the database is reachable and every migration applied.
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    match state.platform.ready().await {
        Ok(()) => HttpResponse::Ok().content_type("text/plain").body("ready"),
        Err(err) => {
            tracing::warn!(error = %err, "not ready");
            HttpResponse::ServiceUnavailable()
                .content_type("text/plain")
                .body("not ready")
        }
    }
}
