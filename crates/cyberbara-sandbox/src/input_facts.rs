//! What the sandbox knows about the files a request points at, for the catalogue's rules
//! on input lengths (`Catalogue::validate_with`) and for prices billed on input seconds.
//!
//! A careful server measures the references it is given. The sandbox can measure the ones
//! it holds: a URL naming one of its own uploads or outputs (any loopback port, as
//! `own_upload_key` decides) whose bytes are an MP4 gets its length from the
//! header. Other URLs are not fetched (tests stay on loopback), so their lengths stay
//! unknown and no length rule refuses them.

use cyberbara::validate::InputFacts;
use serde_json::{Map, Value};

use crate::media;
use crate::state::AppState;

/// The lengths of the videos among the URLs of every list-valued option.
pub(crate) fn input_facts(state: &AppState, options: &Map<String, Value>) -> InputFacts {
    let mut facts = InputFacts::new();
    let urls = options
        .values()
        .filter_map(Value::as_array)
        .flatten()
        .filter_map(Value::as_str);
    for url in urls {
        if facts.length(url).is_some() {
            continue;
        }
        // Keys end in the extension the bytes were sniffed as; only videos are read.
        let Some(key) = own_upload_key(&state.base_url, url)
            .filter(|key| key.ends_with(".mp4") || key.ends_with(".mov"))
        else {
            continue;
        };
        let Ok(Some(bytes)) = state.store.read_blob(&key) else {
            continue;
        };
        if let Some(secs) = media::video_length_secs(&bytes) {
            facts.set_length(url, secs);
        }
    }
    facts
}

/// The storage key behind one of this sandbox's upload URLs. Besides the current address,
/// any `http://` loopback address counts (`127.0.0.1`, `localhost`, `[::1]`, any port):
/// the app's sandbox gets a new port each launch, and a task created later may still
/// name an upload by the URL it was given before. Only URLs are compared, never stored:
/// the sandbox keeps keys and makes URLs when it answers.
pub(crate) fn own_upload_key(base_url: &str, url: &str) -> Option<String> {
    if let Some(key) = url.strip_prefix(&format!("{base_url}/uploads/")) {
        return Some(key.to_string()).filter(|key| !key.is_empty());
    }
    let parsed = url::Url::parse(url).ok()?;
    if parsed.scheme() != "http" || !cyberbara::base_url::is_loopback(parsed.host_str()?) {
        return None;
    }
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return None;
    }
    parsed
        .path()
        .strip_prefix("/uploads/")
        .filter(|key| !key.is_empty())
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::own_upload_key;

    #[test]
    fn uploads_are_recognised_at_any_loopback_port() {
        let base = "http://127.0.0.1:4000";
        let key = "api/v1/uploads/ab12cd34/f00d.png";
        for url in [
            format!("{base}/uploads/{key}"),
            format!("http://127.0.0.1:39123/uploads/{key}"),
            format!("http://localhost:8787/uploads/{key}"),
            format!("http://[::1]:5000/uploads/{key}"),
        ] {
            assert_eq!(own_upload_key(base, &url).as_deref(), Some(key), "{url}");
        }
        for url in [
            format!("https://cdn.example.com/uploads/{key}"),
            format!("http://10.0.0.2:4000/uploads/{key}"),
            format!("http://127.0.0.1:4000/other/{key}"),
            "http://127.0.0.1:4000/uploads/".to_string(),
            "not a url".to_string(),
        ] {
            assert_eq!(own_upload_key(base, &url), None, "{url}");
        }
    }
}
