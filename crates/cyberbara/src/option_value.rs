//! Reading `options.*` values one way everywhere: the client's validation, the sandbox's
//! scene inference, prices, run times and rendering all count list items and read
//! durations through these functions, so no two of them can disagree about a request.

use serde_json::{Map, Value};

/// The items of a list-valued option (`image_input`, `video_input`): the array under
/// `key`, or nothing for anything else (absent, null, a lone string — the API takes
/// lists, and validation refuses a bare string).
pub fn list<'a>(options: &'a Map<String, Value>, key: &str) -> &'a [Value] {
    options
        .get(key)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// The first item of a list-valued option, when it is a string (a URL).
pub fn first_url<'a>(options: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    list(options, key).first().and_then(Value::as_str)
}

/// A number written as JSON number or as text (`10`, `10.5`, `"10"`): how the API reads
/// values like durations and seeds that the spec shows both ways.
pub fn number(value: &Value) -> Option<f64> {
    match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse::<f64>().ok(),
        _ => None,
    }
}

/// A positive duration in seconds from `10`, `10.0`, `"10"` or `"10s"`.
pub fn duration_secs(value: &Value) -> Option<f64> {
    let secs = match value {
        Value::String(s) => s.trim().trim_end_matches('s').trim().parse::<f64>().ok(),
        other => number(other),
    }?;
    (secs.is_finite() && secs > 0.0).then_some(secs)
}

/// The duration under the first of `keys` that holds one (`["duration", "n_frames"]`:
/// Sora's alias counts seconds too).
pub fn seconds(options: &Map<String, Value>, keys: &[&str]) -> Option<f64> {
    keys.iter()
        .find_map(|k| options.get(*k).and_then(duration_secs))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn options(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn lists_are_arrays_only() {
        let o = options(json!({"a": ["x", "y"], "b": "x", "c": null, "d": [1]}));
        assert_eq!(list(&o, "a").len(), 2);
        assert!(list(&o, "b").is_empty());
        assert!(list(&o, "c").is_empty());
        assert!(list(&o, "missing").is_empty());
        assert_eq!(first_url(&o, "a"), Some("x"));
        assert_eq!(first_url(&o, "d"), None);
    }

    #[test]
    fn durations_read_numbers_text_and_a_seconds_suffix() {
        for (value, expected) in [
            (json!(10), Some(10.0)),
            (json!(7.5), Some(7.5)),
            (json!("10"), Some(10.0)),
            (json!(" 15s "), Some(15.0)),
            (json!("0"), None),
            (json!(-3), None),
            (json!("ten"), None),
            (json!(true), None),
        ] {
            assert_eq!(duration_secs(&value), expected, "{value}");
        }
        let o = options(json!({"n_frames": "15", "duration": "x"}));
        assert_eq!(seconds(&o, &["duration", "n_frames"]), Some(15.0));
        assert_eq!(number(&json!("10s")), None, "numbers take no unit");
    }
}
