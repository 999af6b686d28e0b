//! What a session list shows of a device: the browser and the operating system read from a
//! `User-Agent` header, by the tokens browsers have sent for years. Unknown parts stay `None`.

/// A browser and device as read from a `User-Agent`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Device {
    pub browser_name: Option<String>,
    pub browser_version: Option<String>,
    pub device_type: Option<String>,
    pub is_mobile: bool,
}

/// The longest `User-Agent` read; longer ones are cut.
const MAX_LENGTH: usize = 512;

/// The major version after `token` (`Chrome/126.0.1` → `126`).
fn version_after(agent: &str, token: &str) -> Option<String> {
    let rest = &agent[agent.find(token)? + token.len()..];
    let major: String = rest.chars().take_while(char::is_ascii_digit).collect();
    (!major.is_empty()).then_some(major)
}

/// Reads a `User-Agent` header.
pub fn parse(agent: &str) -> Device {
    let agent = agent.get(..MAX_LENGTH).unwrap_or(agent);
    // Order matters: Edge and Opera also say Chrome, Chrome also says Safari.
    const BROWSERS: [(&str, &str); 9] = [
        ("Edg/", "Edge"),
        ("EdgA/", "Edge"),
        ("OPR/", "Opera"),
        ("SamsungBrowser/", "Samsung Internet"),
        ("Firefox/", "Firefox"),
        ("FxiOS/", "Firefox"),
        ("CriOS/", "Chrome"),
        ("Chrome/", "Chrome"),
        ("Version/", "Safari"),
    ];
    let browser = BROWSERS.iter().find(|(token, name)| {
        agent.contains(token) && (*name != "Safari" || agent.contains("Safari/"))
    });
    const DEVICES: [(&str, &str); 8] = [
        ("iPhone", "iPhone"),
        ("iPad", "iPad"),
        ("Android", "Android"),
        ("CrOS", "ChromeOS"),
        ("Windows", "Windows"),
        ("Macintosh", "macOS"),
        ("Mac OS X", "macOS"),
        ("Linux", "Linux"),
    ];
    let device = DEVICES.iter().find(|(token, _)| agent.contains(token));
    let is_mobile = matches!(device, Some((_, "iPhone" | "iPad")))
        || (matches!(device, Some((_, "Android"))) && agent.contains("Mobile"))
        || agent.contains("Tablet");
    Device {
        browser_name: browser.map(|(_, name)| (*name).to_owned()),
        browser_version: browser.and_then(|(token, _)| version_after(agent, token)),
        device_type: device.map(|(_, name)| (*name).to_owned()),
        is_mobile,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(agent: &str) -> (Option<String>, Option<String>, Option<String>, bool) {
        let d = parse(agent);
        (
            d.browser_name,
            d.browser_version,
            d.device_type,
            d.is_mobile,
        )
    }

    fn some(s: &str) -> Option<String> {
        Some(s.to_owned())
    }

    #[test]
    fn common_browsers_are_named() {
        assert_eq!(
            read(
                "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36"
            ),
            (some("Chrome"), some("156"), some("Linux"), false)
        );
        assert_eq!(
            read(
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0.2592.87"
            ),
            (some("Edge"), some("126"), some("Windows"), false)
        );
        assert_eq!(
            read(
                "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15"
            ),
            (some("Safari"), some("17"), some("macOS"), false)
        );
        assert_eq!(
            read(
                "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
            ),
            (some("Safari"), some("17"), some("iPhone"), true)
        );
        assert_eq!(
            read("Mozilla/5.0 (Android 14; Mobile; rv:127.0) Gecko/127.0 Firefox/127.0"),
            (some("Firefox"), some("127"), some("Android"), true)
        );
    }

    #[test]
    fn strangers_stay_unknown() {
        assert_eq!(read("curl/8.5.0"), (None, None, None, false));
        assert_eq!(read(""), (None, None, None, false));
        let long = "x".repeat(10_000);
        assert_eq!(read(&long), (None, None, None, false));
        // A cut inside a multi-byte character is not a panic.
        let tricky = format!("{}é", "a".repeat(MAX_LENGTH - 1));
        let _ = parse(&tricky);
    }
}
