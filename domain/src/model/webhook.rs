//! Webhooks, the pure part: signing per the Standard Webhooks specification, the retry
//! schedule, which URLs an endpoint may have, and the body of a delivery.

use std::net::IpAddr;

use aws_lc_rs::hmac;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Duration, Utc};

use super::event::Event;
use super::instance::Environment;
use crate::{Error, Result};

/// Signing secrets start with this; the rest is the key in base64.
pub const SECRET_PREFIX: &str = "whsec_";
/// A delivery still failing this long after it was made is given up.
pub const GIVE_UP_AFTER_HOURS: i64 = 24;
/// The longest URL an endpoint may have.
const MAX_URL_LENGTH: usize = 2048;

/// A new signing secret: `whsec_` and 32 random bytes in base64.
pub fn new_secret() -> String {
    let mut key = [0u8; 32];
    rand::RngCore::fill_bytes(&mut rand::rng(), &mut key);
    format!("{SECRET_PREFIX}{}", STANDARD.encode(key))
}

/// The `webhook-signature` header of a message: `v1,` and the base64 HMAC-SHA256, under the
/// secret's key, of `{id}.{timestamp}.{body}`.
pub fn signature(secret: &str, id: &str, timestamp: i64, body: &str) -> Result<String> {
    let encoded = secret
        .strip_prefix(SECRET_PREFIX)
        .ok_or_else(|| Error::internal("a webhook secret without its prefix"))?;
    let key = STANDARD.decode(encoded).map_err(Error::internal)?;
    let key = hmac::Key::new(hmac::HMAC_SHA256, &key);
    let tag = hmac::sign(&key, format!("{id}.{timestamp}.{body}").as_bytes());
    Ok(format!("v1,{}", STANDARD.encode(tag.as_ref())))
}

/// The wait before attempt `attempts + 1` after `attempts` failed ones: 5 s, 5 min, 30 min,
/// 2 h, 5 h, then 10 h (the schedule of Svix, the reference implementation).
pub fn backoff(attempts: u32) -> Duration {
    match attempts {
        0 | 1 => Duration::seconds(5),
        2 => Duration::minutes(5),
        3 => Duration::minutes(30),
        4 => Duration::hours(2),
        5 => Duration::hours(5),
        _ => Duration::hours(10),
    }
}

/// When the next attempt is due after `attempts` failures, or `None` when the delivery made
/// at `created_at` is given up.
pub fn next_attempt(
    attempts: u32,
    created_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    let next = now + backoff(attempts);
    (next < created_at + Duration::hours(GIVE_UP_AFTER_HOURS)).then_some(next)
}

/// Checks an endpoint's URL: `https://`, or also `http://` on a development instance; unless
/// `allow_private`, not an address of a private network (or `localhost`).
pub fn check_url(url: &str, environment: Environment, allow_private: bool) -> Result<String> {
    let invalid = |why: &str| Error::validation("url", why.to_owned());
    if url.len() > MAX_URL_LENGTH {
        return Err(invalid("is longer than 2048 characters"));
    }
    let parsed = url::Url::parse(url).map_err(|_| invalid("is not a URL"))?;
    match parsed.scheme() {
        "https" => {}
        "http" if environment == Environment::Development => {}
        "http" => return Err(invalid("must be https:// on a live instance")),
        _ => return Err(invalid("must be an https:// URL")),
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(invalid("must not carry credentials"));
    }
    let private = match parsed.host() {
        None => return Err(invalid("has no host")),
        Some(url::Host::Ipv4(ip)) => !is_public(IpAddr::V4(ip)),
        Some(url::Host::Ipv6(ip)) => !is_public(IpAddr::V6(ip)),
        Some(url::Host::Domain(name)) => {
            let name = name.trim_end_matches('.').to_ascii_lowercase();
            name == "localhost" || name.ends_with(".localhost")
        }
    };
    if private && !allow_private {
        return Err(invalid(
            "points at a private network (LATCHKEY_WEBHOOKS_ALLOW_PRIVATE_NETWORKS allows it)",
        ));
    }
    Ok(parsed.to_string())
}

/// Whether `ip` is on the public internet: not loopback, private, link-local, shared,
/// benchmarking, reserved, documentation, multicast or unspecified; an IPv6 address that embeds
/// an IPv4 one (mapped, 6to4) as that one; NAT64 and the old compatible and site-local ranges
/// never.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, c, _] = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_documentation()
                || v4.is_multicast()
                || a == 0
                || a >= 240
                || (a == 100 && (64..128).contains(&b))
                || (a == 192 && b == 0 && c == 0)
                || (a == 198 && (18..20).contains(&b)))
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public(IpAddr::V4(v4));
            }
            let s = v6.segments();
            if s[0] == 0x2002 {
                // 6to4: the IPv4 address is in the next 32 bits.
                let [a, b] = s[1].to_be_bytes();
                let [c, d] = s[2].to_be_bytes();
                return is_public(IpAddr::from([a, b, c, d]));
            }
            let nat64 = s[0] == 0x0064 && (s[1] == 0xff9b);
            let compatible = s[..6].iter().all(|&x| x == 0);
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || nat64
                || compatible
                || (s[0] & 0xfe00) == 0xfc00
                || (s[0] & 0xffc0) == 0xfe80
                || (s[0] & 0xffc0) == 0xfec0)
        }
    }
}

/// The body of a delivery: the event's type, time, number and object.
pub fn body(event: &Event) -> String {
    serde_json::json!({
        "type": event.kind.as_str(),
        "timestamp": event.occurred_at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        "instanceId": event.instance_id,
        "eventId": event.seq.to_string(),
        "data": event.data,
    })
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs_the_standard_webhooks_test_vector() {
        // The example of the Standard Webhooks specification's reference libraries.
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let body = r#"{"test": 2432232314}"#;
        let signed = signature(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1_614_265_330, body);
        assert_eq!(
            signed.ok().as_deref(),
            Some("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
        );
    }

    #[test]
    fn retries_back_off_and_stop_after_a_day() {
        let made = Utc::now();
        assert_eq!(backoff(1), Duration::seconds(5));
        assert!(backoff(2) > backoff(1));
        assert_eq!(backoff(40), Duration::hours(10));
        assert!(next_attempt(1, made, made).is_some());
        let late = made + Duration::hours(20);
        assert_eq!(next_attempt(7, made, late), None);
    }

    #[test]
    fn urls_are_checked() {
        let dev = Environment::Development;
        let live = Environment::Production;
        assert!(check_url("https://example.com/hook", live, false).is_ok());
        assert!(check_url("http://example.com/hook", dev, false).is_ok());
        assert!(check_url("http://example.com/hook", live, false).is_err());
        assert!(check_url("ftp://example.com", dev, false).is_err());
        assert!(check_url("not a url", dev, false).is_err());
        assert!(check_url("https://user:pw@example.com", dev, false).is_err());
        assert!(check_url(&format!("https://e.com/{}", "a".repeat(2100)), dev, false).is_err());
    }

    #[test]
    fn private_networks_only_when_allowed() {
        let dev = Environment::Development;
        for url in [
            "http://127.0.0.1:9/hook",
            "https://10.1.2.3/",
            "https://169.254.169.254/latest/meta-data",
            "https://[::1]/",
            "https://[fd00::1]/",
            "https://[::ffff:192.168.0.1]/",
            "https://localhost/",
            "https://api.localhost./",
            "https://100.64.0.1/",
            "http://2130706433/",
            "https://0.0.0.0/",
            "https://198.18.0.1/",
            "https://[64:ff9b::a00:5]/",
            "https://[64:ff9b:1::a00:5]/",
            "https://[2002:a00:1::1]/",
            "https://[::10.0.0.1]/",
            "https://[fec0::1]/",
        ] {
            assert!(check_url(url, dev, false).is_err(), "{url}");
            assert!(check_url(url, dev, true).is_ok(), "{url}");
        }
        assert!(is_public(
            "93.184.216.34"
                .parse()
                .unwrap_or(IpAddr::from([0, 0, 0, 0]))
        ));
        assert!(is_public(
            "2606:2800:220:1::1"
                .parse()
                .unwrap_or(IpAddr::from([0u8; 16]))
        ));
    }
}
