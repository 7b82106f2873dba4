//! The page's Content-Security-Policy allows images and media from the app itself, from
//! loopback (the sandbox) and from the active profile's host only. The static part lives
//! in `tauri.conf.json`; the active host is added here to each HTML response, and the front
//! end reloads itself when the active host changes so the new policy applies.

use std::collections::HashMap;
use tauri::utils::config::{Csp, CspDirectiveSources};

/// The directives that may load from the active profile's host.
const MEDIA_DIRECTIVES: [&str; 2] = ["img-src", "media-src"];

/// `policy` with `origin` added to the media directives.
pub fn with_media_origin(policy: &str, origin: &str) -> String {
    let mut directives: HashMap<String, CspDirectiveSources> =
        Csp::Policy(policy.to_string()).into();
    for name in MEDIA_DIRECTIVES {
        let sources = directives
            .entry(name.to_string())
            .or_insert_with(|| CspDirectiveSources::List(vec!["'self'".to_string()]));
        if !sources.contains(origin) {
            sources.push(origin);
        }
    }
    Csp::from(directives).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    use studio::profiles::media_origin;

    #[test]
    fn only_remote_https_hosts_are_added_and_only_to_media_directives() {
        assert_eq!(media_origin("http://127.0.0.1:8787"), None);
        assert_eq!(media_origin("http://localhost:1"), None);
        assert_eq!(
            media_origin("https://api.example.com/prefix").as_deref(),
            Some("https://api.example.com")
        );
        assert_eq!(
            media_origin("https://api.example.com:8443").as_deref(),
            Some("https://api.example.com:8443")
        );

        let policy =
            "default-src 'self'; script-src 'self'; img-src 'self' data:; media-src 'self'";
        let widened = with_media_origin(policy, "https://api.example.com");
        let directives: HashMap<String, CspDirectiveSources> = Csp::Policy(widened.clone()).into();
        assert!(
            directives["img-src"].contains("https://api.example.com"),
            "{widened}"
        );
        assert!(directives["img-src"].contains("data:"), "{widened}");
        assert!(
            directives["media-src"].contains("https://api.example.com"),
            "{widened}"
        );
        assert!(
            !directives["script-src"].contains("https://api.example.com"),
            "{widened}"
        );
        assert!(
            !directives["default-src"].contains("https://api.example.com"),
            "{widened}"
        );
    }
}
