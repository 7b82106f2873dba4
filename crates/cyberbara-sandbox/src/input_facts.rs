//! What the sandbox knows about the files a request points at, for the catalogue's rules
//! on input lengths (`Catalogue::validate_with`) and for prices billed on input seconds.
//!
//! A careful server measures the references it is given. The sandbox can measure the ones
//! it holds: a URL naming one of its own uploads or outputs (any loopback port, as
//! `render::own_upload_key` decides) whose bytes are an MP4 gets its length from the
//! header. Other URLs are not fetched (tests stay on loopback), so their lengths stay
//! unknown and no length rule refuses them.

use cyberbara::validate::InputFacts;
use serde_json::{Map, Value};

use crate::media;
use crate::render::own_upload_key;
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
