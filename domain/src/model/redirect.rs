//! Where a browser may be sent back to (`redirect_url` of the Account Portal and every redirect
//! of a sign-in): an absolute `http(s)` URL whose origin the instance allows, or the server's
//! own public origin. Compared as parsed origins, never as string prefixes: `//evil.example`,
//! backslashes, user-info, other schemes and `app.example.com.evil.example` are refused.

use super::instance::Instance;
use crate::{Error, Result};

/// The longest redirect URL accepted.
pub const MAX_REDIRECT_URL_LENGTH: usize = 2048;

/// A redirect URL that passed [`check`]: absolute, `http(s)`, to an allowed origin.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RedirectUrl {
    url: url::Url,
}

impl RedirectUrl {
    /// The URL's origin (`scheme://host[:port]`, the port only when not the scheme's default).
    pub fn origin(&self) -> String {
        self.url.origin().ascii_serialization()
    }

    /// The URL with `name=value` added to its query.
    pub fn with_query(&self, name: &str, value: &str) -> String {
        let mut url = self.url.clone();
        url.query_pairs_mut().append_pair(name, value);
        url.into()
    }

    /// The URL as text.
    pub fn as_str(&self) -> &str {
        self.url.as_str()
    }
}

/// Checks `raw` (the field `field` of the request) as a redirect for `instance`, whose server is
/// at `public_url`.
pub fn check(instance: &Instance, public_url: &str, field: &str, raw: &str) -> Result<RedirectUrl> {
    let invalid = |why: &str| Error::validation(field, why.to_owned());
    if raw.len() > MAX_REDIRECT_URL_LENGTH {
        return Err(invalid("is longer than 2048 characters"));
    }
    // A parser fixes up backslashes and blanks (`http:\\evil.example` reads as
    // `http://evil.example`), and browsers differ in how: refuse them before parsing.
    if raw
        .chars()
        .any(|c| c == '\\' || c.is_whitespace() || c.is_control())
    {
        return Err(invalid(
            "must not contain backslashes, spaces or control characters",
        ));
    }
    let url = url::Url::parse(raw).map_err(|_| invalid("must be an absolute URL"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(invalid("must be an http(s) URL"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid("must not carry credentials"));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(invalid("has no host"));
    }
    let checked = RedirectUrl { url };
    let origin = checked.origin();
    let own = url::Url::parse(public_url)
        .map(|own| own.origin().ascii_serialization() == origin)
        .unwrap_or(false);
    if own || super::origin::allowed(instance, &origin) {
        Ok(checked)
    } else {
        Err(invalid("is not on an origin this instance allows"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::instance::Environment;
    use crate::model::settings::InstanceSettings;

    fn instance(environment: Environment) -> Instance {
        let mut settings = InstanceSettings::new();
        settings.allowed_origins = vec!["https://app.example.com".to_owned()];
        Instance {
            id: "ins_1".to_owned(),
            name: "x".to_owned(),
            environment,
            publishable_key: "pk".to_owned(),
            settings,
            created_at: chrono::Utc::now(),
            updated_at: chrono::Utc::now(),
        }
    }

    const SERVER: &str = "https://auth.example.com";

    fn ok(environment: Environment, raw: &str) -> bool {
        check(&instance(environment), SERVER, "redirectUrl", raw).is_ok()
    }

    #[test]
    fn allowed_origins_and_the_server_itself_pass() {
        let live = Environment::Production;
        assert!(ok(live, "https://app.example.com/dashboard?tab=1#x"));
        assert!(ok(live, "https://APP.example.com:443/"));
        assert!(ok(live, "https://auth.example.com/i/ins_1/user"));
        let dev = Environment::Development;
        assert!(ok(dev, "http://localhost:5173/after"));
        assert!(ok(dev, "http://127.0.0.1:3000"));
    }

    #[test]
    fn every_shape_of_elsewhere_is_refused() {
        let live = Environment::Production;
        for raw in [
            "//evil.example/x",
            "/relative/path",
            "https://evil.example",
            "https://app.example.com.evil.example/",
            "https://app.example.com@evil.example/",
            "https://user:pw@app.example.com/",
            "https:\\\\evil.example",
            "https:/\\evil.example",
            "https://app.example.com\\@evil.example",
            "javascript:alert(1)",
            "JavaScript://app.example.com/%0aalert(1)",
            "data:text/html,hi",
            "http://app.example.com/",
            "https://app.example.com:8443/",
            " https://app.example.com/",
            "https://app.example.com/\n",
            "http://localhost:5173/",
            "",
        ] {
            assert!(!ok(live, raw), "{raw:?} passed");
        }
        let long = format!("https://app.example.com/{}", "a".repeat(2048));
        assert!(!ok(live, &long));
    }

    #[test]
    fn the_handoff_code_joins_the_query() {
        let checked = check(
            &instance(Environment::Development),
            SERVER,
            "redirectUrl",
            "http://localhost:5173/x?a=1#frag",
        )
        .expect("allowed");
        assert_eq!(checked.origin(), "http://localhost:5173");
        assert_eq!(
            checked.with_query("__latchkey_handoff", "c d"),
            "http://localhost:5173/x?a=1&__latchkey_handoff=c+d#frag"
        );
    }
}
