//! What the three entry types share: reading typed fields out of a JSON object and writing them
//! back without losing the keys we do not know.
//!
//! Other tools add their own keys to these files (aws-sso-util writes `receivedAt`, SDKs may
//! add more in future), and rewriting a file must not drop them (STYLE.md §6). [`Preserved`]
//! remembers the original key order and the values of unknown keys (and of known keys whose
//! value we could not interpret), and [`render_object`] lays the known fields back over them:
//! existing keys stay where they were, new keys are appended in the AWS CLI's order.

use serde_json::{Map, Value};

use sso_core::python::json::Dumps;

/// The parts of a JSON object that the typed fields do not hold.
///
/// It deliberately keeps no value of a known key that parsed: those live in the typed fields,
/// where secrets are wrapped in [`sso_core::Secret`]. Unknown values could be secrets too
/// (another tool's `idToken`), so `Debug` shows only their keys.
#[derive(Clone, Default)]
pub(crate) struct Preserved {
    /// Every key of the original object, in file order.
    order: Vec<String>,
    /// Values of unknown keys and of known keys that had an unusable value.
    kept: Map<String, Value>,
}

impl std::fmt::Debug for Preserved {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_set().entries(self.kept.keys()).finish()
    }
}

/// Equal when the preserved values are equal; where the keys sat in the file does not make
/// two entries different.
impl PartialEq for Preserved {
    fn eq(&self, other: &Self) -> bool {
        self.kept == other.kept
    }
}

impl Preserved {
    /// Names of the preserved keys (unknown ones and known ones we could not read).
    pub(crate) fn keys(&self) -> impl Iterator<Item = &str> {
        self.kept.keys().map(String::as_str)
    }
}

/// Reads typed fields from a JSON object and remembers everything else.
pub(crate) struct FieldReader {
    object: Map<String, Value>,
    order: Vec<String>,
}

impl FieldReader {
    pub(crate) fn new(object: Map<String, Value>) -> Self {
        let order = object.keys().cloned().collect();
        Self { object, order }
    }

    /// A string field. Absent or `null` is `None`; any other non-string value is left in the
    /// preserved set (so a rewrite keeps it) and reads as `None`.
    pub(crate) fn string(&mut self, key: &str) -> Option<String> {
        match self.object.get(key) {
            Some(Value::String(_)) => match self.object.shift_remove(key) {
                Some(Value::String(text)) => Some(text),
                _ => None,
            },
            Some(Value::Null) => {
                self.object.shift_remove(key);
                None
            }
            _ => None,
        }
    }

    /// A list-of-strings field, with the same rules as [`Self::string`].
    pub(crate) fn strings(&mut self, key: &str) -> Option<Vec<String>> {
        let Some(Value::Array(items)) = self.object.get(key) else {
            if matches!(self.object.get(key), Some(Value::Null)) {
                self.object.shift_remove(key);
            }
            return None;
        };
        let list: Option<Vec<String>> = items
            .iter()
            .map(|item| item.as_str().map(str::to_owned))
            .collect();
        if list.is_some() {
            self.object.shift_remove(key);
        }
        list
    }

    /// A timestamp field, parsed permissively. Unparseable text stays preserved verbatim.
    pub(crate) fn timestamp(&mut self, key: &str) -> Option<jiff::Timestamp> {
        let parsed = self
            .object
            .get(key)
            .and_then(Value::as_str)
            .and_then(crate::time::parse_timestamp);
        if parsed.is_some() || matches!(self.object.get(key), Some(Value::Null)) {
            self.object.shift_remove(key);
        }
        parsed
    }

    /// Describes what is wrong with a required field, for error messages.
    pub(crate) fn describe(&self, key: &str) -> String {
        match self.object.get(key) {
            None | Some(Value::Null) => format!("missing `{key}`"),
            Some(Value::String(_)) => format!("`{key}` is not a timestamp"),
            Some(_) => format!("`{key}` has the wrong type"),
        }
    }

    pub(crate) fn finish(self) -> Preserved {
        Preserved {
            order: self.order,
            kept: self.object,
        }
    }
}

/// Builds the object to write: keys of the original file in their original order (known ones
/// with their current value, or dropped when the field is now `None` and nothing was
/// preserved), then known keys the file did not have, in `known`'s order.
pub(crate) fn render_object(
    known: Vec<(&'static str, Option<Value>)>,
    preserved: &Preserved,
) -> Map<String, Value> {
    let mut out = Map::new();
    for key in &preserved.order {
        let current = known
            .iter()
            .find(|(name, _)| *name == key.as_str())
            .and_then(|(_, value)| value.clone());
        if let Some(value) = current.or_else(|| preserved.kept.get(key).cloned()) {
            out.insert(key.clone(), value);
        }
    }
    for (key, value) in known {
        if let Some(value) = value
            && !out.contains_key(key)
        {
            out.insert(key.to_owned(), value);
        }
    }
    out
}

/// One line, exactly as botocore's `json.dumps(obj)`, with no trailing newline (neither the
/// CLI's `os.write` nor `JSONFileCache`'s `f.write` adds one).
pub(crate) fn render_line(object: Map<String, Value>) -> String {
    Dumps::new().dumps(&Value::Object(object))
}

pub(crate) fn secret_value(secret: &sso_core::Secret<String>) -> Value {
    Value::String(secret.expose().clone())
}
