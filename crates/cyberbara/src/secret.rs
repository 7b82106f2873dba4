//! The API key as a secret value.
//!
//! [`ApiKey`] deliberately implements neither `Display` nor `Serialize`: the only way to
//! turn it into text is [`ApiKey::expose_secret`], a name that stands out in review, or
//! [`ApiKey::hint`], which reveals too little to be useful to anyone else. Its `Debug`
//! prints a mask, so a key inside a `{:?}`-logged struct stays hidden.

use serde_json::Value;
use std::fmt;

/// A CyberBara API key.
///
/// ```
/// use cyberbara::ApiKey;
/// let key = ApiKey::new("sk-live-0123456789abcdefa4f2");
/// assert_eq!(key.hint(), "sk-…a4f2");
/// assert_eq!(format!("{key:?}"), "ApiKey(sk-…a4f2)");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    /// Wraps a key. Surrounding whitespace (a common copy-paste accident) is removed.
    pub fn new(key: impl Into<String>) -> ApiKey {
        let key = key.into();
        let trimmed = key.trim();
        if trimmed.len() == key.len() {
            ApiKey(key)
        } else {
            ApiKey(trimmed.to_string())
        }
    }

    /// The key itself, for the `Authorization` header or the OS keychain only.
    pub fn expose_secret(&self) -> &str {
        &self.0
    }

    /// Whether the key is empty (after trimming).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// A recognisable but useless fragment for the UI, e.g. `sk-…a4f2`: the first 3 and
    /// last 4 characters. Short keys show less, so that at most about half of a key is
    /// ever revealed: under 16 characters only the last 2, under 8 nothing.
    pub fn hint(&self) -> String {
        let chars: Vec<char> = self.0.chars().collect();
        let (head, tail) = match chars.len() {
            n if n >= 16 => (3, 4),
            n if n >= 8 => (0, 2),
            _ => (0, 0),
        };
        let mut hint: String = chars[..head].iter().collect();
        hint.push('…');
        hint.extend(&chars[chars.len() - tail..]);
        hint
    }

    /// Replaces every occurrence of the key in `text` by its hint, for text that came
    /// from elsewhere (a server's error message) and is about to be shown or logged.
    pub(crate) fn redact(&self, text: &str) -> String {
        if self.0.len() < 4 || !text.contains(self.0.as_str()) {
            return text.to_string();
        }
        text.replace(self.0.as_str(), &self.hint())
    }

    /// [`redact`](Self::redact) for every string inside a JSON value, object keys
    /// included: a server's error `details` are shown and logged like its message.
    pub(crate) fn redact_json(&self, value: Value) -> Value {
        match value {
            Value::String(text) => Value::String(self.redact(&text)),
            Value::Array(items) => {
                Value::Array(items.into_iter().map(|v| self.redact_json(v)).collect())
            }
            Value::Object(map) => Value::Object(
                map.into_iter()
                    .map(|(k, v)| (self.redact(&k), self.redact_json(v)))
                    .collect(),
            ),
            other => other,
        }
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ApiKey({})", self.hint())
    }
}

impl From<String> for ApiKey {
    fn from(key: String) -> ApiKey {
        ApiKey::new(key)
    }
}

impl From<&str> for ApiKey {
    fn from(key: &str) -> ApiKey {
        ApiKey::new(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hint_reveals_little_and_less_for_short_keys() {
        assert_eq!(ApiKey::new("sk-0123456789abcdefa4f2").hint(), "sk-…a4f2");
        assert_eq!(ApiKey::new("abcdefghij").hint(), "…ij");
        assert_eq!(ApiKey::new("short").hint(), "…");
        assert_eq!(ApiKey::new("").hint(), "…");
        // Multi-byte characters must not split.
        assert_eq!(ApiKey::new("ключ-ключ-ключ-ключ").hint(), "клю…ключ");
    }

    #[test]
    fn debug_masks_and_redact_replaces() {
        let key = ApiKey::new("  sk-secret-value-1234567 \n");
        assert_eq!(key.expose_secret(), "sk-secret-value-1234567");
        let shown = format!("{:?}", Some(&key));
        assert!(!shown.contains("secret"), "{shown}");
        assert_eq!(
            key.redact("bad key sk-secret-value-1234567!"),
            "bad key sk-…4567!"
        );
    }

    #[test]
    fn redact_json_reaches_every_string() {
        let key = ApiKey::new("sk-secret-value-1234567");
        let details = serde_json::json!({
            "echo": "got sk-secret-value-1234567",
            "nested": [{"header": "Bearer sk-secret-value-1234567"}, 3, null],
            "sk-secret-value-1234567": true,
        });
        let redacted = key.redact_json(details).to_string();
        assert!(!redacted.contains("secret-value"), "{redacted}");
        assert_eq!(redacted.matches("sk-…4567").count(), 3, "{redacted}");
        assert!(
            redacted.contains("null") && redacted.contains('3'),
            "{redacted}"
        );
    }
}
