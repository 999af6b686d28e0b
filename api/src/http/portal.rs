//! The Account Portal: `GET /i/{instanceId}/sign-in`, `/sign-up`, `/user` and `/organization`,
//! thin pages that load the embedded browser bundle, which mounts the page's component. A new
//! instance has working sign-in pages with no code at all. The pages carry no inline script or
//! style, and their Content-Security-Policy allows no other origin for scripts, styles,
//! connections or frames (images also from https and `data:`: logos, avatars, the QR code), and
//! no framing at all (no clickjacking of "delete account").

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use latchkey_domain::Error;
use latchkey_domain::mail::escape_html as escape;

use super::AppState;
use super::assets::{self, LATCHKEY_JS, html_page, plain_host};

/// The pages of the portal, by the last segment of their path.
const PAGES: [(&str, &str); 4] = [
    ("sign-in", "Sign in"),
    ("sign-up", "Sign up"),
    ("user", "Your account"),
    ("organization", "Organization"),
];

/// `GET /i/{instance_id}/{page}`: the page, or a plain 404 for an unknown page or instance.
pub async fn page(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(String, String)>,
) -> HttpResponse {
    let (instance_id, page) = path.into_inner();
    let Some((page, title)) = PAGES.iter().find(|(name, _)| *name == page) else {
        return not_found();
    };
    let instance = match state.platform.portal_instance(&instance_id).await {
        Ok(instance) => instance,
        Err(Error::NotFound(_)) => return not_found(),
        Err(err) => {
            tracing::error!(error = %err, "loading an Account Portal page failed");
            return respond(
                StatusCode::INTERNAL_SERVER_ERROR,
                "<h1>Something went wrong</h1>".to_owned(),
                None,
            );
        }
    };
    let body = format!(
        "<main id=\"latchkey-portal\" data-page=\"{page}\" data-publishable-key=\"{key}\" \
         data-api-url=\"{api}\"><noscript>This page needs JavaScript.</noscript></main>",
        key = escape(&instance.publishable_key),
        api = escape(state.platform.public_url()),
    );
    let title = format!("{title} · {}", escape(&instance.name));
    let host = req.connection_info().host().to_owned();
    respond(
        StatusCode::OK,
        document(&title, &body),
        Some(&content_security_policy(plain_host(&host))),
    )
}

fn not_found() -> HttpResponse {
    respond(
        StatusCode::NOT_FOUND,
        document("Not found", "<h1>No such page</h1>"),
        None,
    )
}

fn document(title: &str, body: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"color-scheme\" content=\"light dark\">\n\
         <title>{title}</title>\n<script defer src=\"{js}\"></script>\n</head>\n\
         <body>\n{body}\n</body>\n</html>\n",
        js = LATCHKEY_JS.versioned_path(),
    )
}

fn respond(status: StatusCode, html: String, policy: Option<&str>) -> HttpResponse {
    let policy = policy.map_or_else(|| content_security_policy(None), str::to_owned);
    html_page(status, html, &policy)
}

/// GraphiQL's policy (no other origin for scripts, styles, connections; no framing), with
/// images also from https and `data:` (logos, avatars, the QR code).
fn content_security_policy(host: Option<&str>) -> String {
    assets::content_security_policy(host, "https: data:")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_allows_no_other_origin_and_no_framing() {
        let policy = content_security_policy(plain_host("127.0.0.1:8080"));
        assert!(policy.contains("script-src 'self';"));
        assert!(policy.contains("style-src 'self';"));
        assert!(policy.contains("frame-ancestors 'none'"));
        assert!(policy.contains("connect-src 'self' ws://127.0.0.1:8080 wss://127.0.0.1:8080;"));
        assert!(!policy.contains("unsafe"));
        assert_eq!(plain_host("evil.example; script-src *"), None);
    }
}
