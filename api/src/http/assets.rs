//! Browser assets built from `js/` (committed, generated in `api/assets/` by
//! `npm --prefix js run build:assets`) and embedded in the binary: the browser SDK at
//! `GET /latchkey.js` (briefly cached) and `GET /assets/latchkey.<hash>.js` (immutable), and the
//! GraphiQL page of `GET /graphql` with its script and styles. Nothing is loaded from another
//! origin: the page's Content-Security-Policy allows none.

use std::sync::LazyLock;

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
use latchkey_domain::ErrorCode;
use sha2::{Digest, Sha256};

use super::transport_error;

/// One embedded file and the name it is served under with its content hash.
pub struct Asset {
    content_type: &'static str,
    bytes: &'static [u8],
    /// `latchkey.<first 16 hex digits of the SHA-256>.js`.
    versioned: String,
}

impl Asset {
    fn new(
        stem: &'static str,
        extension: &'static str,
        content_type: &'static str,
        bytes: &'static [u8],
    ) -> Self {
        let digest = hex::encode(Sha256::digest(bytes));
        let hash = digest.get(..16).unwrap_or(&digest);
        Self {
            content_type,
            bytes,
            versioned: format!("{stem}.{hash}.{extension}"),
        }
    }

    /// The path it is served at forever (`/assets/<stem>.<hash>.<extension>`).
    pub fn versioned_path(&self) -> String {
        format!("/assets/{}", self.versioned)
    }

    fn respond(&self, cache_control: &'static str) -> HttpResponse {
        HttpResponse::Ok()
            .content_type(self.content_type)
            .insert_header((header::CACHE_CONTROL, cache_control))
            .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
            .insert_header(("Cross-Origin-Resource-Policy", "cross-origin"))
            .insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"))
            .insert_header((header::ETAG, format!("\"{}\"", self.versioned)))
            .body(self.bytes)
    }
}

const JS: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";
/// The versioned names never change content: cached for a year, never revalidated.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// `/latchkey.js` follows the binary: five minutes, then revalidated.
const SHORT: &str = "public, max-age=300, must-revalidate";

/// The browser SDK (`window.Latchkey`).
pub static LATCHKEY_JS: LazyLock<Asset> = LazyLock::new(|| {
    Asset::new(
        "latchkey",
        "js",
        JS,
        include_bytes!("../../assets/latchkey.js"),
    )
});
/// GraphiQL with React and the page's own start-up code.
pub static GRAPHIQL_JS: LazyLock<Asset> = LazyLock::new(|| {
    Asset::new(
        "graphiql",
        "js",
        JS,
        include_bytes!("../../assets/graphiql.js"),
    )
});
/// GraphiQL's styles (fonts and icons inline as `data:` URLs).
pub static GRAPHIQL_CSS: LazyLock<Asset> = LazyLock::new(|| {
    Asset::new(
        "graphiql",
        "css",
        CSS,
        include_bytes!("../../assets/graphiql.css"),
    )
});

fn all() -> [&'static Asset; 3] {
    [&*LATCHKEY_JS, &*GRAPHIQL_JS, &*GRAPHIQL_CSS]
}

/// `GET /latchkey.js`: the browser SDK, briefly cached (its content follows the binary's).
pub async fn latchkey_js(req: HttpRequest) -> HttpResponse {
    let asset = &*LATCHKEY_JS;
    let tag = format!("\"{}\"", asset.versioned);
    let unchanged = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == tag));
    if unchanged {
        return HttpResponse::NotModified()
            .insert_header((header::ETAG, tag))
            .insert_header((header::CACHE_CONTROL, SHORT))
            .finish();
    }
    asset.respond(SHORT)
}

/// `GET /assets/{name}`: an asset by its versioned name, cached for good; any other name `404`.
pub async fn versioned(name: web::Path<String>) -> HttpResponse {
    let name = name.into_inner();
    match all().into_iter().find(|a| a.versioned == name) {
        Some(asset) => asset.respond(IMMUTABLE),
        None => transport_error::respond(
            StatusCode::NOT_FOUND,
            ErrorCode::NotFound,
            Some("path"),
            "no such asset: asset names carry the hash of their content",
        ),
    }
}

/// The host of a request when it is a plain host name or address with an optional port (it goes
/// into a header: anything else is left out).
pub(crate) fn plain_host(host: &str) -> Option<&str> {
    let plain = !host.is_empty()
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']'));
    plain.then_some(host)
}

/// The policy of the server's own pages (GraphiQL, the Account Portal): scripts, styles and
/// connections only from this origin (and its WebSocket), fonts inline, images from this origin
/// and `images`, no frames, form posts or base URL, and no framing by anyone.
pub(crate) fn content_security_policy(host: Option<&str>, images: &str) -> String {
    let sockets = host.map_or(String::new(), |h| format!(" ws://{h} wss://{h}"));
    format!(
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' {images}; \
         font-src 'self' data:; connect-src 'self'{sockets}; base-uri 'none'; form-action 'none'; \
         frame-ancestors 'none'"
    )
}

/// `GET /graphql` in a browser: the GraphiQL page. Its start-up code is a served file (no inline
/// script); the header editor starts with an `Authorization` placeholder and headers are never
/// stored.
pub fn graphiql_page(req: &HttpRequest) -> HttpResponse {
    let html = format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>Latchkey · GraphiQL</title>\n\
         <link rel=\"stylesheet\" href=\"{css}\">\n\
         <script defer src=\"{js}\"></script>\n</head>\n\
         <body>\n<div id=\"graphiql\">Loading GraphiQL…</div>\n</body>\n</html>\n",
        css = GRAPHIQL_CSS.versioned_path(),
        js = GRAPHIQL_JS.versioned_path(),
    );
    let connection = req.connection_info();
    let policy = content_security_policy(plain_host(connection.host()), "data:");
    html_page(StatusCode::OK, html, &policy)
}

/// A page of the server's own (GraphiQL, the Account Portal): never cached or framed, with its
/// Content-Security-Policy.
pub(crate) fn html_page(status: StatusCode, html: String, policy: &str) -> HttpResponse {
    let mut response = HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::REFERRER_POLICY, "no-referrer"))
        .insert_header((header::X_FRAME_OPTIONS, "DENY"))
        .body(html);
    if let Ok(value) = HeaderValue::from_str(policy) {
        response
            .headers_mut()
            .insert(header::CONTENT_SECURITY_POLICY, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versioned_names_carry_the_content_hash() {
        let asset = Asset::new("x", "js", JS, b"hello");
        // SHA-256("hello") starts 2cf24dba5fb0a30e.
        assert_eq!(asset.versioned_path(), "/assets/x.2cf24dba5fb0a30e.js");
        let names: Vec<&str> = all().iter().map(|a| a.versioned.as_str()).collect();
        assert!(names[0].starts_with("latchkey.") && names[0].ends_with(".js"));
        assert!(names[1].starts_with("graphiql.") && names[1].ends_with(".js"));
        assert!(names[2].starts_with("graphiql.") && names[2].ends_with(".css"));
        assert!(all().iter().all(|a| !a.bytes.is_empty()));
    }

    #[test]
    fn the_policy_names_only_this_host_and_drops_a_strange_one() {
        let policy = content_security_policy(plain_host("127.0.0.1:8080"), "data:");
        assert!(policy.contains("connect-src 'self' ws://127.0.0.1:8080 wss://127.0.0.1:8080;"));
        assert!(policy.contains("script-src 'self';"));
        assert!(!policy.contains("unsafe"));
        assert_eq!(plain_host("evil.example; script-src *"), None);
        assert!(content_security_policy(None, "data:").contains("connect-src 'self';"));
    }

    #[test]
    fn the_generated_files_say_so() {
        for asset in all() {
            let head = String::from_utf8_lossy(asset.bytes.get(..120).unwrap_or(asset.bytes));
            assert!(
                head.starts_with("/* Generated by `npm --prefix js run build:assets`"),
                "{head}"
            );
        }
    }
}
