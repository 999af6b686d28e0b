//! Reading a caller's credentials from HTTP headers or a WebSocket `connection_init` payload;
//! both feed the same `Platform::resolve_caller`.

use actix_web::HttpRequest;
use actix_web::http::header::{self, HeaderName};
use latchkey_domain::Credentials;

/// The publishable-key header.
pub const PUBLISHABLE_KEY_HEADER: &str = "latchkey-publishable-key";
/// The client-token header.
pub const CLIENT_HEADER: &str = "latchkey-client";
// Looked up as names, not text: a `&str` is parsed into a name on every lookup.
const PUBLISHABLE_KEY: HeaderName = HeaderName::from_static(PUBLISHABLE_KEY_HEADER);
const CLIENT: HeaderName = HeaderName::from_static(CLIENT_HEADER);
/// The start of every client-token cookie's name (`__client_<instance id>`).
pub const CLIENT_COOKIE_PREFIX: &str = "__client_";

fn bearer(value: &str) -> Option<String> {
    let value = value.trim();
    let (scheme, token) = value.split_once(' ')?;
    (scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty())
        .then(|| token.trim().to_owned())
}

/// A header's value; one that is present but not readable text becomes `""`, which every
/// credential check refuses (it must never read as "no credential").
fn header(req: &HttpRequest, name: &HeaderName) -> Option<String> {
    let value = req.headers().get(name)?;
    Some(
        value
            .to_str()
            .map(|v| v.trim().to_owned())
            .unwrap_or_default(),
    )
}

/// The credentials of an HTTP request. An `Authorization` header that is not a bearer token is
/// kept as an empty bearer, so it is refused rather than ignored.
pub fn from_request(req: &HttpRequest) -> Credentials {
    Credentials {
        bearer: header(req, &header::AUTHORIZATION).map(|v| bearer(&v).unwrap_or_default()),
        publishable_key: header(req, &PUBLISHABLE_KEY),
        client_token: header(req, &CLIENT),
        client_cookies: client_cookies(req),
    }
}

/// The request's client-token cookies, by name (the instance picks its own once known).
fn client_cookies(req: &HttpRequest) -> Vec<(String, String)> {
    let Ok(cookies) = req.cookies() else {
        return Vec::new();
    };
    cookies
        .iter()
        .filter(|c| c.name().starts_with(CLIENT_COOKIE_PREFIX))
        .map(|c| (c.name().to_owned(), c.value().to_owned()))
        .collect()
}

/// The credentials of a WebSocket `connection_init` payload: `authorization` (with or without
/// `Bearer `), `publishableKey`, `client`.
pub fn from_connection_init(payload: &serde_json::Value) -> Credentials {
    // Present but not a string (a number, an object, null): `""`, refused like a wrong key.
    let field = |name: &str| {
        payload
            .get(name)
            .map(|v| v.as_str().map(|s| s.trim().to_owned()).unwrap_or_default())
    };
    Credentials {
        bearer: field("authorization").map(|v| bearer(&v).unwrap_or(v)),
        publishable_key: field("publishableKey"),
        client_token: field("client"),
        client_cookies: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_tokens_are_read_case_insensitively() {
        assert_eq!(bearer("Bearer abc").as_deref(), Some("abc"));
        assert_eq!(bearer("bearer   abc ").as_deref(), Some("abc"));
        assert_eq!(bearer("Basic abc"), None);
        assert_eq!(bearer("Bearer "), None);
    }

    #[test]
    fn connection_init_accepts_both_spellings_of_authorization() {
        let payload = serde_json::json!({"authorization": "Bearer sk_x", "publishableKey": "pk_y"});
        let creds = from_connection_init(&payload);
        assert_eq!(creds.bearer.as_deref(), Some("sk_x"));
        assert_eq!(creds.publishable_key.as_deref(), Some("pk_y"));
        let creds = from_connection_init(&serde_json::json!({"authorization": "sk_z"}));
        assert_eq!(creds.bearer.as_deref(), Some("sk_z"));
    }
}
