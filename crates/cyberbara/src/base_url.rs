//! The one rule for what counts as a deployment's base URL, shared by the client and the
//! app's profiles so that a URL one accepts the other never refuses.
//!
//! ```
//! use cyberbara::base_url::{normalise, BaseUrlError};
//! assert_eq!(normalise(" https://api.example.com/api/v1/ ").unwrap(), "https://api.example.com");
//! assert_eq!(normalise("http://127.0.0.1:8787").unwrap(), "http://127.0.0.1:8787");
//! assert!(matches!(normalise("http://api.example.com"), Err(BaseUrlError::PlainHttp { .. })));
//! ```

use std::net::IpAddr;

/// Why a base URL was refused. `Display` is the sentence to show next to the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BaseUrlError {
    #[error("Enter the deployment's base URL, for example https://cyberbara.example.com.")]
    Empty,
    #[error(
        "\u{201c}{input}\u{201d} is not a valid URL ({reason}). Use the form https://your-domain."
    )]
    NotAUrl {
        input: String,
        reason: url::ParseError,
    },
    #[error("The base URL needs a host name, for example https://cyberbara.example.com.")]
    NoHost,
    /// The API key travels in a header; over plain http it would cross the network in
    /// the clear, so http is only for servers on this computer (the sandbox).
    #[error("Use https:// for {host}: plain http is allowed only for this computer (localhost, 127.0.0.1, ::1), because the API key would otherwise cross the network unencrypted.")]
    PlainHttp { host: String },
    #[error("The base URL must start with https:// (found {scheme}://).")]
    UnsupportedScheme { scheme: String },
    #[error(
        "Remove the user name and password from the base URL; the API key is entered separately."
    )]
    Credentials,
    #[error("Remove the ?query or #fragment from the base URL.")]
    QueryOrFragment,
}

/// The canonical form of a deployment's address: `https://host[:port][/path]`, without a
/// trailing slash and without the `/api/v1` suffix people often paste.
///
/// Refused: anything but https, except http for a loopback host ([`is_loopback`]); a user
/// name or password; a query or fragment; a URL without a host.
pub fn normalise(input: &str) -> Result<String, BaseUrlError> {
    let text = input.trim();
    if text.is_empty() {
        return Err(BaseUrlError::Empty);
    }
    let url = url::Url::parse(text).map_err(|reason| BaseUrlError::NotAUrl {
        input: text.to_string(),
        reason,
    })?;
    let host = match url.host_str() {
        Some(host) if !host.is_empty() => host.to_string(),
        _ => return Err(BaseUrlError::NoHost),
    };
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(&host) => {}
        "http" => return Err(BaseUrlError::PlainHttp { host }),
        other => {
            return Err(BaseUrlError::UnsupportedScheme {
                scheme: other.to_string(),
            })
        }
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(BaseUrlError::Credentials);
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(BaseUrlError::QueryOrFragment);
    }
    let path = url.path().trim_end_matches('/');
    let path = path.strip_suffix("/api/v1").unwrap_or(path);
    let mut out = format!("{}://{host}", url.scheme());
    if let Some(port) = url.port() {
        out.push_str(&format!(":{port}"));
    }
    out.push_str(path);
    Ok(out)
}

/// Whether `host` (as a URL spells it: `localhost`, `127.0.0.1`, `[::1]`) names this
/// computer.
pub fn is_loopback(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Whether `url` points at this computer: such requests never go through a proxy.
pub fn is_loopback_url(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => is_loopback(d),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_are_normalised_and_http_is_loopback_only() {
        for (input, expected) in [
            (" https://api.example.com/ ", "https://api.example.com"),
            ("https://api.example.com/api/v1/", "https://api.example.com"),
            ("https://api.example.com//", "https://api.example.com"),
            (
                "https://API.example.com:8443/proxy/api/v1",
                "https://api.example.com:8443/proxy",
            ),
            ("http://127.0.0.1:8787", "http://127.0.0.1:8787"),
            ("http://localhost:9000/x", "http://localhost:9000/x"),
            ("http://[::1]:80", "http://[::1]"),
        ] {
            assert_eq!(normalise(input).as_deref(), Ok(expected), "{input}");
        }
    }

    #[test]
    fn refusals_name_what_to_change() {
        for (input, expected) in [
            ("", BaseUrlError::Empty),
            (
                "http://api.example.com",
                BaseUrlError::PlainHttp {
                    host: "api.example.com".into(),
                },
            ),
            (
                "http://10.0.0.2:8000",
                BaseUrlError::PlainHttp {
                    host: "10.0.0.2".into(),
                },
            ),
            (
                "ftp://x.example",
                BaseUrlError::UnsupportedScheme {
                    scheme: "ftp".into(),
                },
            ),
            ("https://user:pw@api.example.com", BaseUrlError::Credentials),
            (
                "https://api.example.com/?a=b",
                BaseUrlError::QueryOrFragment,
            ),
            (
                "https://api.example.com/#top",
                BaseUrlError::QueryOrFragment,
            ),
        ] {
            let err = normalise(input).unwrap_err();
            assert_eq!(err, expected, "{input}");
            let text = err.to_string();
            assert!(text.ends_with('.') && !text.contains("  "), "{text}");
        }
        let err = normalise("api.example.com").unwrap_err();
        assert!(matches!(err, BaseUrlError::NotAUrl { .. }), "{err:?}");
        assert!(
            err.to_string()
                .starts_with("\u{201c}api.example.com\u{201d} is not a valid URL"),
            "{err}"
        );
        assert!(err
            .to_string()
            .ends_with("Use the form https://your-domain."));
        assert_eq!(
            normalise("http://api.example.com").unwrap_err().to_string(),
            "Use https:// for api.example.com: plain http is allowed only for this computer (localhost, 127.0.0.1, ::1), because the API key would otherwise cross the network unencrypted."
        );
    }

    #[test]
    fn loopback_hosts() {
        for host in [
            "localhost",
            "LOCALHOST",
            "127.0.0.1",
            "127.5.6.7",
            "[::1]",
            "::1",
        ] {
            assert!(is_loopback(host), "{host}");
        }
        for host in [
            "example.com",
            "10.0.0.2",
            "[::2]",
            "localhost.example.com",
            "",
        ] {
            assert!(!is_loopback(host), "{host}");
        }
    }
}
