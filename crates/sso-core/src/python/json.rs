//! `json.dumps` exactly as CPython writes it, for every combination of options in use:
//!
//! | caller | Python call | [`Dumps`] |
//! |---|---|---|
//! | cache files, registration key, request bodies | `json.dumps(obj)` | `Dumps::new()` |
//! | role-credential cache key | `json.dumps(obj, sort_keys=True, separators=(',', ':'))` | `.sort_keys().separators(Separators::COMPACT)` |
//! | `--output json` | `json.dumps(obj, indent=4, ensure_ascii=False)` | `.indent(4).raw_unicode()` |
//! | a scalar with `--output json`, JMESPath `to_string` | `separators=(',', ':')`, with or without `ensure_ascii` | `.separators(Separators::COMPACT)` |
//!
//! Python's encoder differs from serde_json's in its separators (`", "` and `": "` by default,
//! `","` after items once `indent` is set), in escaping DEL and everything above it as
//! lower-case `\uXXXX` (UTF-16 surrogate pairs above U+FFFF) unless `ensure_ascii=False`, and in
//! spelling floats with `repr` (`1e+16`). All of that is one serde_json [`Formatter`]: serde_json
//! already escapes `"`, `\` and C0 controls with the same short forms and lower-case hex.

use std::io::{self, Write};

use serde::Serialize;
use serde_json::ser::Formatter;
use serde_json::{Map, Value};

use super::float_repr;

/// `separators=(item, key)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Separators {
    /// Written between items of a list or dict.
    pub item: &'static str,
    /// Written between a key and its value.
    pub key: &'static str,
}

impl Separators {
    /// `(', ', ': ')`, Python's default without `indent`.
    pub const DEFAULT: Self = Self {
        item: ", ",
        key: ": ",
    };
    /// `(',', ': ')`, Python's default with `indent`.
    pub const INDENTED: Self = Self {
        item: ",",
        key: ": ",
    };
    /// `(',', ':')`.
    pub const COMPACT: Self = Self {
        item: ",",
        key: ":",
    };
}

/// The options of one `json.dumps` call; [`Dumps::new`] is the call with no options.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[must_use]
pub struct Dumps {
    separators: Option<Separators>,
    indent: Option<usize>,
    raw_unicode: bool,
    sort_keys: bool,
}

impl Dumps {
    /// `json.dumps(obj)`.
    pub const fn new() -> Self {
        Self {
            separators: None,
            indent: None,
            raw_unicode: false,
            sort_keys: false,
        }
    }

    /// `separators=…` (without it, Python picks [`Separators::DEFAULT`] or, with `indent`,
    /// [`Separators::INDENTED`]).
    pub const fn separators(mut self, separators: Separators) -> Self {
        self.separators = Some(separators);
        self
    }

    /// `indent=spaces`: one item per line, nested levels indented by `spaces` more.
    pub const fn indent(mut self, spaces: usize) -> Self {
        self.indent = Some(spaces);
        self
    }

    /// `ensure_ascii=False`: text other than `"`, `\` and C0 controls is written as UTF-8.
    pub const fn raw_unicode(mut self) -> Self {
        self.raw_unicode = true;
        self
    }

    /// `sort_keys=True`: dict keys in code-point order (the byte order of UTF-8, so `str`'s
    /// `Ord`), at every depth.
    pub const fn sort_keys(mut self) -> Self {
        self.sort_keys = true;
        self
    }

    /// The text CPython's `json.dumps(value, …)` returns for these options, for a decoded
    /// JSON value or anything that serialises like one (a `Map`, a `Vec<String>`).
    pub fn dumps<T: Serialize + ?Sized>(self, value: &T) -> String {
        let separators = self.separators.unwrap_or(if self.indent.is_some() {
            Separators::INDENTED
        } else {
            Separators::DEFAULT
        });
        let formatter = PythonFormatter {
            separators,
            indent: self.indent,
            raw_unicode: self.raw_unicode,
            depth: 0,
            has_value: false,
        };
        let mut out = Vec::new();
        let mut serializer = serde_json::Serializer::with_formatter(&mut out, formatter);
        let result = if self.sort_keys {
            serde_json::to_value(value).and_then(|value| sorted(&value).serialize(&mut serializer))
        } else {
            value.serialize(&mut serializer)
        };
        // JSON-shaped data into a `Vec` cannot fail: there is no I/O and no non-string key.
        debug_assert!(result.is_ok(), "{result:?}");
        // The formatter writes only whole UTF-8 characters, so this never replaces anything.
        String::from_utf8(out)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
    }
}

/// A copy of `value` whose objects, at every depth, have their keys in sorted order.
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

struct PythonFormatter {
    separators: Separators,
    indent: Option<usize>,
    raw_unicode: bool,
    /// Nesting depth, for indentation.
    depth: usize,
    /// Whether the innermost open container has an item (empty ones print as `[]` / `{}`).
    has_value: bool,
}

impl PythonFormatter {
    fn newline_indent<W: ?Sized + Write>(&self, writer: &mut W) -> io::Result<()> {
        if let Some(spaces) = self.indent {
            writer.write_all(b"\n")?;
            for _ in 0..self.depth * spaces {
                writer.write_all(b" ")?;
            }
        }
        Ok(())
    }

    fn open<W: ?Sized + Write>(&mut self, writer: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.depth += 1;
        self.has_value = false;
        writer.write_all(bracket)
    }

    fn close<W: ?Sized + Write>(&mut self, writer: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.depth -= 1;
        if self.has_value {
            self.newline_indent(writer)?;
        }
        // The enclosing container (if any) holds this one, so it has a value.
        self.has_value = true;
        writer.write_all(bracket)
    }

    fn item<W: ?Sized + Write>(&mut self, writer: &mut W, first: bool) -> io::Result<()> {
        if !first {
            writer.write_all(self.separators.item.as_bytes())?;
        }
        self.newline_indent(writer)
    }
}

impl Formatter for PythonFormatter {
    fn begin_array<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.open(writer, b"[")
    }

    fn end_array<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.close(writer, b"]")
    }

    fn begin_array_value<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.item(writer, first)
    }

    fn end_array_value<W: ?Sized + Write>(&mut self, _writer: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.open(writer, b"{")
    }

    fn end_object<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.close(writer, b"}")
    }

    fn begin_object_key<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.item(writer, first)
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        writer.write_all(self.separators.key.as_bytes())
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, _writer: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    /// The runs between the characters serde_json escapes itself; with `ensure_ascii`, Python
    /// also escapes DEL and everything above it (`ESCAPE_ASCII = r'([\\"]|[^\ -~])'`).
    fn write_string_fragment<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        if self.raw_unicode {
            return writer.write_all(fragment.as_bytes());
        }
        let mut start = 0;
        for (at, ch) in fragment.char_indices() {
            if ch.is_ascii() && ch != '\x7f' {
                continue;
            }
            writer.write_all(&fragment.as_bytes()[start..at])?;
            let mut units = [0u16; 2];
            for unit in ch.encode_utf16(&mut units) {
                write!(writer, "\\u{unit:04x}")?;
            }
            start = at + ch.len_utf8();
        }
        writer.write_all(&fragment.as_bytes()[start..])
    }

    fn write_f64<W: ?Sized + Write>(&mut self, writer: &mut W, value: f64) -> io::Result<()> {
        // A `Value` never holds NaN or infinities (Python would write `NaN` / `Infinity`).
        writer.write_all(float_repr(value).as_bytes())
    }

    fn write_f32<W: ?Sized + Write>(&mut self, writer: &mut W, value: f32) -> io::Result<()> {
        self.write_f64(writer, f64::from(value))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    // Each expected string is what CPython 3.11's `json.dumps` prints for the same value.

    #[test]
    fn defaults_escape_non_ascii_with_python_separators() {
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
            (json!([1.0, 1e16, 1e-5, 0.1]), "[1.0, 1e+16, 1e-05, 0.1]"),
            (json!({}), "{}"),
            (json!([]), "[]"),
        ];
        for (value, expected) in cases {
            assert_eq!(Dumps::new().dumps(&value), expected, "{value}");
        }
    }

    #[test]
    fn compact_and_sorted() {
        let value = json!({"b": "x", "a": ["1", "2"]});
        let compact = Dumps::new().separators(Separators::COMPACT);
        assert_eq!(compact.dumps(&value), r#"{"b":"x","a":["1","2"]}"#);
        assert_eq!(
            compact.sort_keys().dumps(&value),
            r#"{"a":["1","2"],"b":"x"}"#
        );
        let nested =
            json!({"tool": 1, "startUrl": 2, "session_name": 3, "Z": {"b": 1, "a": 2}, "é": 0});
        assert_eq!(
            Dumps::new().sort_keys().dumps(&nested),
            r#"{"Z": {"a": 2, "b": 1}, "session_name": 3, "startUrl": 2, "tool": 1, "\u00e9": 0}"#
        );
    }

    #[test]
    fn raw_unicode_passes_text_through_but_still_escapes_controls() {
        let compact = Dumps::new().separators(Separators::COMPACT).raw_unicode();
        assert_eq!(
            compact.dumps(&json!("é\u{1}\"😀\u{7f}")),
            "\"é\\u0001\\\"😀\u{7f}\""
        );
        assert_eq!(
            Dumps::new()
                .separators(Separators::COMPACT)
                .dumps(&json!("é😀\u{7f}")),
            "\"\\u00e9\\ud83d\\ude00\\u007f\""
        );
    }

    #[test]
    fn indent_puts_one_item_per_line_and_keeps_empty_containers_inline() {
        let pretty = Dumps::new().indent(4).raw_unicode();
        assert_eq!(
            pretty.dumps(&json!({"a": [], "b": {}})),
            "{\n    \"a\": [],\n    \"b\": {}\n}"
        );
        assert_eq!(
            pretty.dumps(&json!({"list": [1, {"k": "é"}, [[]]], "n": null})),
            "{\n    \"list\": [\n        1,\n        {\n            \"k\": \"é\"\n        },\n        [\n            []\n        ]\n    ],\n    \"n\": null\n}"
        );
        assert_eq!(pretty.dumps(&json!([])), "[]");
        assert_eq!(pretty.dumps(&json!("x")), "\"x\"");
        assert_eq!(Dumps::new().indent(2).dumps(&json!([1])), "[\n  1\n]");
    }
}
