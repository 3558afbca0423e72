//! JSON text exactly as Python's `json.dumps` writes it, which is what the AWS CLI puts in its
//! cache files and what it hashes for cache file names.
//!
//! Python's defaults differ from serde_json's in four ways, all reproduced here through a
//! serde_json [`Formatter`]: separators are `", "` and `": "` (or `","` / `":"` when the
//! caller passes `separators=(',', ':')`), every non-ASCII character and DEL are escaped as
//! lower-case `\uXXXX` (`ensure_ascii=True`, astral characters as UTF-16 surrogate pairs), and
//! floats use Python's `repr` (`1e+16`, `1e-05`). `/` is not escaped by either. This module
//! owns only the encoding; which keys go in which order is decided by the entry types.

use std::io::{self, Write};

use serde::Serialize;
use serde_json::ser::Formatter;
use serde_json::{Map, Value};

/// Which separators to write, mirroring the two ways botocore calls `json.dumps`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Separators {
    /// `", "` and `": "`: `json.dumps(obj)`, used for every cache file and the registration key.
    Python,
    /// `","` and `":"`: `separators=(',', ':')`, used only for the role-credential cache key.
    Compact,
}

/// Encodes `value` as Python's `json.dumps(value, ensure_ascii=True, sort_keys=sort_keys)`
/// with the given separators. Key order is the map's order unless `sort_keys` is set; Python
/// sorts by code point, which is the byte order of UTF-8 and so `String`'s `Ord`.
pub fn dumps(value: &Value, separators: Separators, sort_keys: bool) -> String {
    let mut out = Vec::new();
    let formatter = PythonFormatter { separators };
    let mut serializer = serde_json::Serializer::with_formatter(&mut out, formatter);
    let result = if sort_keys {
        sorted(value).serialize(&mut serializer)
    } else {
        value.serialize(&mut serializer)
    };
    // Serialising a `Value` into a `Vec` cannot fail: there is no I/O and no non-string key.
    debug_assert!(result.is_ok());
    // The formatter writes only ASCII (everything else is escaped), so this is lossless.
    String::from_utf8_lossy(&out).into_owned()
}

/// A copy of `value` whose objects (at every depth) have their keys in sorted order.
fn sorted(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            Value::Object(
                entries
                    .into_iter()
                    .map(|(k, v)| (k.clone(), sorted(v)))
                    .collect::<Map<String, Value>>(),
            )
        }
        Value::Array(items) => Value::Array(items.iter().map(sorted).collect()),
        other => other.clone(),
    }
}

/// serde_json's (compact) default formatter with Python's separators, ASCII escaping and float `repr`.
struct PythonFormatter {
    separators: Separators,
}

impl PythonFormatter {
    const fn item_separator(&self) -> &'static [u8] {
        match self.separators {
            Separators::Python => b", ",
            Separators::Compact => b",",
        }
    }

    const fn key_separator(&self) -> &'static [u8] {
        match self.separators {
            Separators::Python => b": ",
            Separators::Compact => b":",
        }
    }
}

impl Formatter for PythonFormatter {
    fn begin_array_value<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        if first {
            Ok(())
        } else {
            writer.write_all(self.item_separator())
        }
    }

    fn begin_object_key<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        if first {
            Ok(())
        } else {
            writer.write_all(self.item_separator())
        }
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        writer.write_all(self.key_separator())
    }

    /// serde_json escapes `"`, `\` and C0 controls itself (with the same short forms and
    /// lower-case hex as Python) and hands us the runs in between; Python additionally escapes
    /// DEL and everything above it (`ESCAPE_ASCII = r'([\\"]|[^\ -~])'`).
    fn write_string_fragment<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        let mut start = 0;
        for (index, ch) in fragment.char_indices() {
            if ch.is_ascii() && ch != '\x7f' {
                continue;
            }
            writer.write_all(&fragment.as_bytes()[start..index])?;
            let mut units = [0u16; 2];
            for unit in ch.encode_utf16(&mut units) {
                write!(writer, "\\u{unit:04x}")?;
            }
            start = index + ch.len_utf8();
        }
        writer.write_all(&fragment.as_bytes()[start..])
    }

    fn write_f64<W: ?Sized + Write>(&mut self, writer: &mut W, value: f64) -> io::Result<()> {
        writer.write_all(python_float_repr(value).as_bytes())
    }

    fn write_f32<W: ?Sized + Write>(&mut self, writer: &mut W, value: f32) -> io::Result<()> {
        self.write_f64(writer, f64::from(value))
    }
}

/// Python's `repr(float)`: the shortest round-tripping digits (as Rust's `{:?}` also picks),
/// in positional form for 1e-4 <= |x| < 1e16, else scientific with a signed, at least two-digit
/// exponent. Both languages switch at the same thresholds, so only the exponent needs fixing.
fn python_float_repr(value: f64) -> String {
    if !value.is_finite() {
        // Python writes `NaN` / `Infinity` (not valid JSON); a `serde_json::Value` cannot hold
        // these, so this is unreachable in practice.
        return if value.is_nan() {
            "NaN".to_owned()
        } else if value > 0.0 {
            "Infinity".to_owned()
        } else {
            "-Infinity".to_owned()
        };
    }
    let rust = format!("{value:?}");
    match rust.split_once('e') {
        None => rust,
        Some((mantissa, exponent)) => {
            let (sign, digits) = match exponent.strip_prefix('-') {
                Some(digits) => ('-', digits),
                None => ('+', exponent),
            };
            format!("{mantissa}e{sign}{digits:0>2}")
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn python_default_separators_and_ascii_escaping() {
        // Each expected string is what CPython 3.11 `json.dumps` prints for the same value.
        let cases = [
            (json!({"a": 1, "b": [1, 2]}), r#"{"a": 1, "b": [1, 2]}"#),
            (json!({"u": "https://x/y"}), r#"{"u": "https://x/y"}"#),
            (json!("sess-é"), r#""sess-\u00e9""#),
            (json!("😀"), r#""\ud83d\ude00""#),
            (json!("a\"b\\c\n\t\r\u{8}\u{c}"), r#""a\"b\\c\n\t\r\b\f""#),
            (json!("\u{1}\u{1f}\u{7f}"), r#""\u0001\u001f\u007f""#),
            (json!("日本"), r#""\u65e5\u672c""#),
            (json!({"é": null}), r#"{"\u00e9": null}"#),
            (json!([true, false, null, -3]), "[true, false, null, -3]"),
            (json!({}), "{}"),
            (json!([]), "[]"),
        ];
        for (value, expected) in cases {
            assert_eq!(
                dumps(&value, Separators::Python, false),
                expected,
                "{value}"
            );
        }
    }

    #[test]
    fn compact_separators() {
        let value = json!({"b": "x", "a": ["1", "2"]});
        assert_eq!(
            dumps(&value, Separators::Compact, false),
            r#"{"b":"x","a":["1","2"]}"#
        );
        assert_eq!(
            dumps(&value, Separators::Compact, true),
            r#"{"a":["1","2"],"b":"x"}"#
        );
    }

    #[test]
    fn sort_keys_sorts_by_code_point_at_every_depth() {
        let value =
            json!({"tool": 1, "startUrl": 2, "session_name": 3, "Z": {"b": 1, "a": 2}, "é": 0});
        assert_eq!(
            dumps(&value, Separators::Python, true),
            r#"{"Z": {"a": 2, "b": 1}, "session_name": 3, "startUrl": 2, "tool": 1, "\u00e9": 0}"#
        );
    }

    #[test]
    fn floats_follow_python_repr() {
        let cases = [
            (1.0, "1.0"),
            (0.1, "0.1"),
            (1e16, "1e+16"),
            (1e15, "1000000000000000.0"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (1.5e-7, "1.5e-07"),
            (-2.5e300, "-2.5e+300"),
            (123.456, "123.456"),
        ];
        for (value, expected) in cases {
            assert_eq!(python_float_repr(value), expected, "{value}");
        }
    }
}
