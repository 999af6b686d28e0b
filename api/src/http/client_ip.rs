//! The client's IP address for per-IP limits: the TCP peer, unless the peer is a trusted proxy
//! (a server setting, none by default); then `X-Forwarded-For`, walked from the right past the
//! trusted hops. No other header is read, and nobody but a trusted proxy is believed.

use std::net::{IpAddr, SocketAddr};
use std::str::FromStr;

use actix_web::HttpRequest;
use actix_web::http::header::HeaderName;
use ipnet::IpNet;
use latchkey_domain::model::session::RequestSource;

const X_FORWARDED_FOR: HeaderName = HeaderName::from_static("x-forwarded-for");

/// The proxies whose `X-Forwarded-For` is believed: addresses and CIDR ranges.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TrustedProxies(Vec<IpNet>);

impl FromStr for TrustedProxies {
    type Err = String;

    /// A comma-separated list of addresses (`10.0.0.7`) and ranges (`10.0.0.0/8`, `fd00::/8`);
    /// empty for none.
    fn from_str(list: &str) -> Result<Self, String> {
        list.split(',')
            .map(str::trim)
            .filter(|entry| !entry.is_empty())
            .map(|entry| {
                entry
                    .parse::<IpNet>()
                    .or_else(|_| entry.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| format!("not an IP address or CIDR range: {entry:?}"))
            })
            .collect::<Result<_, _>>()
            .map(Self)
    }
}

/// An address as proxies write it: bare, or with a port (`203.0.113.7:4711`, `[2001:db8::1]:80`).
fn address(hop: &str) -> Option<IpAddr> {
    hop.parse::<IpAddr>()
        .ok()
        .or_else(|| hop.parse::<SocketAddr>().ok().map(|s| s.ip()))
}

impl TrustedProxies {
    fn trusts(&self, addr: IpAddr) -> bool {
        self.0.iter().any(|net| net.contains(&addr))
    }

    /// The client's address, from the peer's address and the `X-Forwarded-For` values (in the
    /// order they came): past the rightmost hop that is not a trusted proxy. When every hop is
    /// trusted, the leftmost one; at an entry that is not an address, the last trusted hop.
    pub fn client_ip<'a>(
        &self,
        peer: IpAddr,
        forwarded_for: impl Iterator<Item = &'a str>,
    ) -> IpAddr {
        let peer = peer.to_canonical();
        if !self.trusts(peer) {
            return peer;
        }
        let hops: Vec<&str> = forwarded_for.flat_map(|value| value.split(',')).collect();
        let mut client = peer;
        for hop in hops.into_iter().rev() {
            let Some(addr) = address(hop.trim()) else {
                return client;
            };
            client = addr.to_canonical();
            if !self.trusts(client) {
                return client;
            }
        }
        client
    }

    /// The client's address of an HTTP request (or of a WebSocket's upgrade request).
    pub fn of_request(&self, req: &HttpRequest) -> Option<IpAddr> {
        let peer = req.peer_addr()?.ip();
        let forwarded_for = req
            .headers()
            .get_all(X_FORWARDED_FOR)
            .filter_map(|value| value.to_str().ok());
        Some(self.client_ip(peer, forwarded_for))
    }

    /// Where an HTTP request came from: its `User-Agent` and its client's address (what a
    /// session records, read into a browser and device only when recorded).
    pub fn source_of(&self, req: &HttpRequest) -> RequestSource {
        RequestSource {
            user_agent: req
                .headers()
                .get(actix_web::http::header::USER_AGENT)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned),
            ip: self.of_request(req),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn only_a_trusted_peer_is_believed_and_hops_are_walked_from_the_right() {
        let none = TrustedProxies::default();
        let spoofed = ["203.0.113.9"];
        assert_eq!(
            none.client_ip(ip("10.0.0.2"), spoofed.into_iter()),
            ip("10.0.0.2")
        );
        let proxies: TrustedProxies = "10.0.0.0/8, 192.168.1.1".parse().unwrap();
        // An untrusted peer is the client, whatever it says.
        assert_eq!(
            proxies.client_ip(ip("198.51.100.1"), spoofed.into_iter()),
            ip("198.51.100.1")
        );
        // Through two trusted hops: the first untrusted address from the right, not what the
        // client wrote on the left.
        let chain = ["1.1.1.1, 203.0.113.9", "192.168.1.1"];
        assert_eq!(
            proxies.client_ip(ip("10.0.0.2"), chain.into_iter()),
            ip("203.0.113.9")
        );
        // Every hop trusted: the leftmost.
        assert_eq!(
            proxies.client_ip(ip("10.0.0.2"), ["10.1.1.1"].into_iter()),
            ip("10.1.1.1")
        );
        // With a port, as some proxies write it.
        assert_eq!(
            proxies.client_ip(
                ip("10.0.0.2"),
                ["203.0.113.9:4711, [2001:db8::1]:80"].into_iter()
            ),
            ip("2001:db8::1")
        );
        // No header: the proxy itself.
        assert_eq!(
            proxies.client_ip(ip("10.0.0.2"), [].into_iter()),
            ip("10.0.0.2")
        );
        // Garbage stops the walk at the last trusted hop.
        assert_eq!(
            proxies.client_ip(ip("10.0.0.2"), ["203.0.113.9, nonsense"].into_iter()),
            ip("10.0.0.2")
        );
        // An IPv4 peer seen as IPv6 is still trusted.
        assert_eq!(
            proxies.client_ip(ip("::ffff:10.0.0.2"), spoofed.into_iter()),
            ip("203.0.113.9")
        );
    }

    #[test]
    fn the_setting_reads_addresses_and_ranges_and_refuses_anything_else() {
        assert_eq!(
            "".parse::<TrustedProxies>().unwrap(),
            TrustedProxies::default()
        );
        let read: TrustedProxies = "127.0.0.1,::1, fd00::/8".parse().unwrap();
        assert_eq!(read.0.len(), 3);
        assert!("10.0.0.0/33".parse::<TrustedProxies>().is_err());
        assert!("proxy.local".parse::<TrustedProxies>().is_err());
    }
}
