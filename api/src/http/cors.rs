//! CORS per instance. A browser's preflight learns which headers and methods `/graphql` takes
//! (it carries no key, so it cannot name an instance); the real request is then checked once its
//! caller is known: a frontend caller's `Origin` must be allowed by its instance (else `403`,
//! and nothing runs), and only such an origin gets `Access-Control-Allow-Credentials`.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, HttpResponseBuilder};
use latchkey_domain::model::caller::Caller;
use latchkey_domain::{ErrorCode, Platform};

use super::transport_error;

const ALLOWED_HEADERS: &str =
    "content-type, accept, authorization, latchkey-publishable-key, latchkey-client";
const EXPOSED_HEADERS: &str = "latchkey-client, retry-after, x-request-id";
/// The methods `/graphql` takes: the preflight's answer, and a `405`'s `Allow`.
pub const ALLOWED_METHODS: &str = "POST, GET, OPTIONS";

/// What CORS headers a response gets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Grant {
    /// No CORS headers (no `Origin`, the server's own origin, or an anonymous caller).
    None,
    /// The origin may read the response; no credentials (bearer-token callers).
    Read(String),
    /// The origin may read the response and send credentials (the instance allows it).
    Credentialed(String),
}

/// The request's `Origin`, if any.
pub fn origin(req: &HttpRequest) -> Option<&str> {
    req.headers()
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
}

/// `scheme://host[:port]` of a URL.
fn origin_of(url: &str) -> &str {
    let start = url.find("://").map_or(0, |i| i + 3);
    url[start..]
        .find('/')
        .map_or(url, |end| &url[..start + end])
}

/// Decides the grant for a caller, or the `403` that refuses the request.
pub fn grant(
    platform: &Platform,
    caller: &Caller,
    origin: Option<&str>,
) -> Result<Grant, Box<HttpResponse>> {
    let Some(origin) = origin else {
        return Ok(Grant::None);
    };
    if origin.eq_ignore_ascii_case(origin_of(platform.public_url())) {
        return Ok(Grant::None);
    }
    match caller {
        Caller::Frontend { instance, .. } | Caller::User { instance, .. }
            if platform.origin_allowed(instance, origin) =>
        {
            Ok(Grant::Credentialed(origin.to_owned()))
        }
        Caller::Frontend { .. } | Caller::User { .. } => Err(Box::new(transport_error::respond(
            StatusCode::FORBIDDEN,
            ErrorCode::Forbidden,
            Some("Origin"),
            "this origin is not allowed to call the instance; add it to the instance's allowedOrigins",
        ))),
        Caller::Backend { .. } | Caller::PlatformAdmin => Ok(Grant::Read(origin.to_owned())),
        Caller::Anonymous => Ok(Grant::None),
    }
}

/// Adds the grant's headers to a response.
pub fn apply(grant: &Grant, response: &mut HttpResponse) {
    let (origin, credentials) = match grant {
        Grant::None => return,
        Grant::Read(origin) => (origin, false),
        Grant::Credentialed(origin) => (origin, true),
    };
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(origin) {
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, value);
    }
    headers.insert(header::VARY, HeaderValue::from_static("Origin"));
    headers.insert(
        header::ACCESS_CONTROL_EXPOSE_HEADERS,
        HeaderValue::from_static(EXPOSED_HEADERS),
    );
    if credentials {
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
            HeaderValue::from_static("true"),
        );
    }
}

/// `OPTIONS`: the preflight of an endpoint that takes `methods`. It grants nothing by itself:
/// the real request is checked against its instance before anything runs.
pub fn preflight(req: &HttpRequest, methods: &'static str) -> HttpResponse {
    let mut response = HttpResponseBuilder::new(StatusCode::NO_CONTENT);
    if let Some(origin) = origin(req) {
        response
            .insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, origin))
            .insert_header((header::ACCESS_CONTROL_ALLOW_CREDENTIALS, "true"))
            .insert_header((header::VARY, "Origin"));
    }
    response
        .insert_header((header::ACCESS_CONTROL_ALLOW_METHODS, methods))
        .insert_header((header::ACCESS_CONTROL_ALLOW_HEADERS, ALLOWED_HEADERS))
        .insert_header((header::ACCESS_CONTROL_MAX_AGE, "600"))
        .finish()
}

#[cfg(test)]
mod tests {
    use super::origin_of;

    #[test]
    fn the_origin_of_a_url_is_its_scheme_host_and_port() {
        assert_eq!(origin_of("http://127.0.0.1:8080"), "http://127.0.0.1:8080");
        assert_eq!(
            origin_of("https://auth.example.com/base/path"),
            "https://auth.example.com"
        );
    }
}
