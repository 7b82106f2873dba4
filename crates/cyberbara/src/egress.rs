//! Where media may be fetched from: the rule for output URLs (downloads, and the HEAD
//! check of "Use as reference").
//!
//! An output is fetched from the profile's own origin always, or over https from a host
//! whose **resolved** addresses are all public. The address check happens at connect
//! time, in the resolver ([`GuardedResolver`]), so a name that resolves to a public
//! address when checked and to a LAN address when connected (DNS rebinding) cannot
//! slip past; a host written as an address is checked here. Every redirect is held to
//! the same rule ([`output_client`]). Anything else is refused with a sentence, before
//! any request.

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use url::{Host, Url};

/// At most this many outputs per task are recorded and fetched.
pub const MAX_OUTPUTS: usize = 16;

/// Why an output URL is not fetched: a sentence for the task.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("An output was not downloaded: {0}")]
pub struct Refused(pub String);

fn refused(why: impl Into<String>) -> Refused {
    Refused(why.into())
}

/// Checks `raw` against the rule for the deployment at `own` (its base URL or API
/// root): the parsed URL when it may be fetched. Name lookups are checked later, at
/// connect time, by [`GuardedResolver`].
pub fn check_output_url(raw: &str, own: &Url) -> Result<Url, Refused> {
    let url = Url::parse(raw.trim()).map_err(|_| refused("its address is not a web address."))?;
    match url.scheme() {
        "https" | "http" => {}
        other => {
            return Err(refused(format!(
                "its address is a {other}: address, and only web addresses are fetched."
            )))
        }
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(refused("its address carries a user name or password."));
    }
    if url.origin() == own.origin() {
        return Ok(url);
    }
    let host = url
        .host()
        .ok_or_else(|| refused("its address has no host."))?;
    if url.host_str() == own.host_str() {
        return Err(refused(format!(
            "it points at another port of the deployment's computer ({}).",
            url.host_str().unwrap_or_default()
        )));
    }
    if url.scheme() != "https" {
        return Err(refused(format!(
            "it is plain http from {}, not the deployment; only https is fetched from other hosts.",
            url.host_str().unwrap_or_default()
        )));
    }
    let literal = match host {
        Host::Ipv4(ip) => Some(IpAddr::V4(ip)),
        Host::Ipv6(ip) => Some(IpAddr::V6(ip)),
        Host::Domain(d) if d.eq_ignore_ascii_case("localhost") || d.ends_with(".localhost") => {
            Some(IpAddr::V4(Ipv4Addr::LOCALHOST))
        }
        Host::Domain(_) => None,
    };
    if let Some(ip) = literal {
        if !is_public(ip) {
            return Err(not_public(url.host_str().unwrap_or_default(), ip));
        }
    }
    Ok(url)
}

fn not_public(host: &str, ip: IpAddr) -> Refused {
    refused(format!(
        "it points into a private network ({host} is {ip}), which a deployment may not make this app reach."
    ))
}

/// The output URLs of a task as they will be recorded: duplicates removed (first
/// kept), at most [`MAX_OUTPUTS`], each checked with [`check_output_url`]. Returns the
/// URLs to fetch and the sentences for those refused.
pub fn screen_outputs(urls: &[String], own: &Url) -> (Vec<String>, Vec<Refused>) {
    let mut kept: Vec<String> = Vec::new();
    let mut refusals = Vec::new();
    for raw in urls {
        if kept.iter().any(|k| k == raw) {
            continue;
        }
        match check_output_url(raw, own) {
            Ok(_) if kept.len() >= MAX_OUTPUTS => {
                refusals.push(refused(format!(
                    "the task listed more than {MAX_OUTPUTS} outputs; the first {MAX_OUTPUTS} were kept."
                )));
                break;
            }
            Ok(_) => kept.push(raw.clone()),
            Err(why) => {
                if !refusals.contains(&why) {
                    refusals.push(why);
                }
            }
        }
    }
    (kept, refusals)
}

/// Whether `ip` is an address of the public internet: not loopback, private (RFC 1918,
/// unique local), link-local, shared (CGNAT), documentation, benchmarking, multicast,
/// reserved or unspecified. Hand-written because std's `is_global` is unstable; the
/// ranges are IANA's special-purpose registries.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public_v4(v4);
            }
            let s = v6.segments();
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (s[0] & 0xfe00) == 0xfc00 // unique local fc00::/7
                || (s[0] & 0xffc0) == 0xfe80 // link-local fe80::/10
                || (s[0] & 0xffc0) == 0xfec0 // site-local fec0::/10
                || (s[0] == 0x2001 && s[1] == 0x0db8) // documentation
                || (s[0] == 0x0064 && s[1] == 0xff9b) // NAT64 (may reach IPv4 private)
                || (s[0] == 0x2002) // 6to4 (embeds any IPv4)
                || s[..6] == [0, 0, 0, 0, 0, 0]) // IPv4-compatible, ::/96
        }
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_private()
        || ip.is_loopback()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0
        || (a == 100 && (64..128).contains(&b)) // shared address space 100.64/10
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments
        || (a == 198 && (b == 18 || b == 19)) // benchmarking
        || a >= 240) // reserved
}

/// Resolves names for output downloads and refuses any name (other than the
/// deployment's own host) that resolves to an address that is not public: the decision
/// is made on the addresses actually connected to. `lookup` does the resolving: the
/// system's resolver in the app, a stub in tests (so no test leaves loopback).
#[derive(Clone)]
pub struct GuardedResolver {
    own_host: Option<String>,
    lookup: Arc<dyn Resolve>,
}

/// The system resolver (getaddrinfo on a blocking thread), as tokio provides it.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemResolver;

impl Resolve for SystemResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_string();
        Box::pin(async move {
            let addrs: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            Ok(Box::new(addrs.into_iter()) as Addrs)
        })
    }
}

/// The resolver output fetches look names up with: the system's by default, a stub in
/// tests. A newtype so settings that hold it can still be `Debug`.
#[derive(Clone)]
pub struct Lookup(pub Arc<dyn Resolve>);

impl Default for Lookup {
    fn default() -> Self {
        Lookup(Arc::new(SystemResolver))
    }
}

impl std::fmt::Debug for Lookup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Lookup")
    }
}

impl GuardedResolver {
    pub fn new(own: &Url, lookup: Arc<dyn Resolve>) -> GuardedResolver {
        GuardedResolver {
            own_host: own.host_str().map(|h| h.to_ascii_lowercase()),
            lookup,
        }
    }
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let trusted = self.own_host.as_deref() == Some(&name.as_str().to_ascii_lowercase());
        let host = name.as_str().to_string();
        let lookup = self.lookup.resolve(name);
        Box::pin(async move {
            let addrs: Vec<SocketAddr> = lookup.await?.collect();
            if !trusted {
                if let Some(bad) = addrs.iter().find(|a| !is_public(a.ip())) {
                    return Err(Box::new(not_public(&host, bad.ip())) as _);
                }
            }
            Ok(Box::new(addrs.into_iter()) as Addrs)
        })
    }
}

/// A client for fetching the outputs of the deployment at `own`: names resolved through
/// a [`GuardedResolver`] over `lookup`, every redirect held to [`check_output_url`], and
/// no proxy for a deployment on this computer (its outputs are on it too; a proxy would
/// see its traffic in clear text). A remote deployment's outputs honour the system proxy.
pub fn output_client(
    own: &Url,
    lookup: &Lookup,
    builder: reqwest::ClientBuilder,
) -> Result<reqwest::Client, reqwest::Error> {
    let own_for_redirects = own.clone();
    let mut builder = builder
        .dns_resolver(Arc::new(GuardedResolver::new(own, lookup.0.clone())))
        .redirect(reqwest::redirect::Policy::custom(move |attempt| {
            if attempt.previous().len() >= 10 {
                return attempt.error(refused("it redirected more than 10 times."));
            }
            match check_output_url(attempt.url().as_str(), &own_for_redirects) {
                Ok(_) => attempt.follow(),
                Err(why) => attempt.error(why),
            }
        }));
    if crate::base_url::is_loopback_url(own) {
        builder = builder.no_proxy();
    }
    builder.build()
}

/// The rule's sentence inside a reqwest error (a redirect or a lookup refused), if any.
pub fn refusal_in(err: &reqwest::Error) -> Option<Refused> {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = source {
        if let Some(r) = e.downcast_ref::<Refused>() {
            return Some(r.clone());
        }
        source = e.source();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn own() -> Url {
        Url::parse("http://127.0.0.1:8787/api/v1/").unwrap()
    }

    #[test]
    fn the_deployment_itself_is_always_allowed() {
        assert!(check_output_url("http://127.0.0.1:8787/files/a.png", &own()).is_ok());
    }

    #[test]
    fn other_schemes_ports_and_private_addresses_are_refused() {
        for (url, why) in [
            ("file:///etc/passwd", "file: address"),
            ("javascript:alert(1)", "javascript: address"),
            ("http://127.0.0.1:9999/x.png", "another port"),
            ("https://127.0.0.1:9999/x.png", "another port"),
            ("http://cdn.example.com/x.png", "plain http"),
            ("https://192.168.1.5/x.png", "private network"),
            ("https://10.0.0.1/x.png", "private network"),
            (
                "https://169.254.169.254/latest/meta-data",
                "private network",
            ),
            ("https://[::1]/x.png", "private network"),
            ("https://[fe80::1]/x.png", "private network"),
            ("https://[::ffff:192.168.0.1]/x.png", "private network"),
            ("https://localhost:3000/x.png", "private network"),
            ("https://100.64.0.1/x.png", "private network"),
            ("https://u:p@cdn.example.com/x.png", "user name"),
            ("not a url", "not a web address"),
        ] {
            let err = check_output_url(url, &own()).expect_err(url);
            assert!(err.to_string().contains(why), "{url}: {err}");
        }
    }

    #[test]
    fn https_from_a_named_host_or_public_address_passes_the_url_check() {
        assert!(check_output_url("https://cdn.example.com/x.png", &own()).is_ok());
        assert!(check_output_url("https://93.184.216.34/x.png", &own()).is_ok());
        assert!(check_output_url("https://[2606:4700::1111]/x.png", &own()).is_ok());
    }

    #[test]
    fn outputs_are_deduplicated_and_capped() {
        let mut urls: Vec<String> = (0..20)
            .map(|i| format!("http://127.0.0.1:8787/files/{i}.png"))
            .collect();
        urls.insert(1, urls[0].clone());
        urls.push("file:///etc/passwd".into());
        let (kept, refusals) = screen_outputs(&urls, &own());
        assert_eq!(kept.len(), MAX_OUTPUTS);
        assert_eq!(kept[0], urls[0]);
        assert_eq!(kept[1], urls[2], "the duplicate is dropped, not kept twice");
        assert_eq!(refusals.len(), 1, "{refusals:?}");
        assert!(refusals[0].to_string().contains("more than 16"));
    }
}
