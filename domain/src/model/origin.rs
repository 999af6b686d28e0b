//! Which browser origins may call an instance's frontend API (CORS, the WebSocket handshake,
//! and later the `azp` claim): the instance's allowed origins, plus, for development instances
//! only, any `localhost` / `127.0.0.1` origin so a local frontend works out of the box.

use super::instance::{Environment, Instance};

/// Whether `origin` may call `instance`'s frontend API.
pub fn allowed(instance: &Instance, origin: &str) -> bool {
    if instance
        .settings
        .allowed_origins
        .iter()
        .any(|allowed| allowed.eq_ignore_ascii_case(origin))
    {
        return true;
    }
    instance.environment == Environment::Development && is_local(origin)
}

fn is_local(origin: &str) -> bool {
    matches!(host_of(origin), Some("localhost" | "127.0.0.1"))
}

/// The host of an origin `http(s)://host[:port]` (nothing after the authority), or `None` when
/// the text is not such an origin.
pub fn host_of(origin: &str) -> Option<&str> {
    let rest = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"))?;
    let (host, port) = match rest.rsplit_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (rest, None),
    };
    let host_ok = !host.is_empty()
        && host.len() <= 253
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.');
    let port_ok = port.is_none_or(|p| !p.is_empty() && p.parse::<u16>().is_ok());
    (host_ok && port_ok).then_some(host)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::settings::InstanceSettings;

    fn instance(environment: Environment, origins: &[&str]) -> Instance {
        let mut settings = InstanceSettings::new();
        settings.allowed_origins = origins.iter().map(|o| (*o).to_owned()).collect();
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

    #[test]
    fn production_allows_only_its_list() {
        let live = instance(Environment::Production, &["https://app.example.com"]);
        assert!(allowed(&live, "https://app.example.com"));
        assert!(!allowed(&live, "https://evil.example.com"));
        assert!(!allowed(&live, "http://localhost:3000"));
        assert!(!allowed(&live, "https://app.example.com.evil.com"));
        assert!(!allowed(&live, "null"));
    }

    #[test]
    fn development_also_allows_local_origins() {
        let dev = instance(Environment::Development, &[]);
        assert!(allowed(&dev, "http://localhost:3000"));
        assert!(allowed(&dev, "http://127.0.0.1"));
        assert!(!allowed(&dev, "http://localhost.evil.com"));
        assert!(!allowed(&dev, "https://app.example.com"));
    }
}
