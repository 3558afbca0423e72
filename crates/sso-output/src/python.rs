//! Python spellings of JSON values: `str()`, `repr()`, `float.__repr__`, `json.dumps`
//! and the East Asian width measure of `awscli/table.py`.
//!
//! Every AWS CLI output format is produced by Python code, so the bytes we must
//! reproduce are whatever CPython prints for a decoded JSON document: `None`/`True`
//! in text output, `1e+16` for floats, `{'a': 1}` when a container ends up in a
//! text column, `\u00e9` escapes from JMESPath `to_string`. This module owns those
//! spellings and nothing else; it does not decide *where* they are used.

use serde_json::{Number, Value};

use crate::unicode_tables::{UNPRINTABLE, WIDE};

/// `float.__repr__`: the shortest digits that round-trip, in fixed notation when the
/// decimal exponent is in `-4 < e <= 16` and in `1e+16` style otherwise.
pub(crate) fn float_repr(x: f64) -> String {
    if x.is_nan() {
        return "nan".to_owned();
    }
    if x.is_infinite() {
        return if x > 0.0 { "inf" } else { "-inf" }.to_owned();
    }
    if x == 0.0 {
        return if x.is_sign_negative() { "-0.0" } else { "0.0" }.to_owned();
    }
    // Rust's `{:e}` also prints the shortest round-trip digits; only the layout differs.
    let sci = format!("{:e}", x.abs());
    let (mantissa, exponent) = sci.split_once('e').unwrap_or((sci.as_str(), "0"));
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let exponent: i32 = exponent.parse().unwrap_or(0);
    // Position of the decimal point relative to the first digit (CPython's `decpt`).
    let decpt = exponent + 1;
    let sign = if x < 0.0 { "-" } else { "" };
    let ndigits = i32::try_from(digits.len()).unwrap_or(i32::MAX);
    if decpt <= -4 || decpt > 16 {
        let (first, rest) = digits.split_at(1);
        let dot_rest = if rest.is_empty() {
            String::new()
        } else {
            format!(".{rest}")
        };
        let exp = decpt - 1;
        let exp_sign = if exp < 0 { '-' } else { '+' };
        format!("{sign}{first}{dot_rest}e{exp_sign}{:02}", exp.abs())
    } else if decpt <= 0 {
        let zeros = "0".repeat(usize::try_from(-decpt).unwrap_or(0));
        format!("{sign}0.{zeros}{digits}")
    } else if decpt >= ndigits {
        let zeros = "0".repeat(usize::try_from(decpt - ndigits).unwrap_or(0));
        format!("{sign}{digits}{zeros}.0")
    } else {
        let (int_part, frac_part) = digits.split_at(usize::try_from(decpt).unwrap_or(0));
        format!("{sign}{int_part}.{frac_part}")
    }
}

/// `str(n)` for a JSON number: integers in decimal, floats via [`float_repr`].
pub(crate) fn number_str(n: &Number) -> String {
    if n.is_f64() {
        float_repr(n.as_f64().unwrap_or(f64::NAN))
    } else {
        n.to_string()
    }
}

/// Python's `str(value)` for a decoded JSON value.
pub(crate) fn py_str(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => py_repr(other),
    }
}

/// Python's `repr(value)` for a decoded JSON value (`None`, `True`, `'text'`,
/// `[1, 'a']`, `{'k': None}`).
pub(crate) fn py_repr(value: &Value) -> String {
    let mut out = String::new();
    write_repr(value, &mut out);
    out
}

fn write_repr(value: &Value, out: &mut String) {
    match value {
        Value::Null => out.push_str("None"),
        Value::Bool(true) => out.push_str("True"),
        Value::Bool(false) => out.push_str("False"),
        Value::Number(n) => out.push_str(&number_str(n)),
        Value::String(s) => out.push_str(&repr_str(s)),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_repr(item, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (key, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(&repr_str(key));
                out.push_str(": ");
                write_repr(item, out);
            }
            out.push('}');
        }
    }
}

/// Python's `repr(str)`: single quotes unless the text contains `'` and no `"`,
/// backslash escapes for quotes, `\t\n\r`, ASCII controls and unprintable code points.
pub(crate) fn repr_str(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for ch in s.chars() {
        match ch {
            c if c == quote || c == '\\' => {
                out.push('\\');
                out.push(c);
            }
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c if c.is_ascii() || !is_unprintable(c) => out.push(c),
            c => {
                let cp = c as u32;
                if cp < 0x100 {
                    out.push_str(&format!("\\x{cp:02x}"));
                } else if cp < 0x10000 {
                    out.push_str(&format!("\\u{cp:04x}"));
                } else {
                    out.push_str(&format!("\\U{cp:08x}"));
                }
            }
        }
    }
    out.push(quote);
    out
}

/// Python's `type(value).__name__` for a decoded JSON value.
pub(crate) fn py_type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "NoneType",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_f64() => "float",
        Value::Number(_) => "int",
        Value::String(_) => "str",
        Value::Array(_) => "list",
        Value::Object(_) => "dict",
    }
}

/// Python truthiness (`if not value:` in the table builder).
pub(crate) fn is_truthy(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(items) => !items.is_empty(),
        Value::Object(map) => !map.is_empty(),
    }
}

fn in_ranges(table: &[(u32, u32)], cp: u32) -> bool {
    table
        .binary_search_by(|&(lo, hi)| {
            if hi < cp {
                std::cmp::Ordering::Less
            } else if lo > cp {
                std::cmp::Ordering::Greater
            } else {
                std::cmp::Ordering::Equal
            }
        })
        .is_ok()
}

fn is_unprintable(c: char) -> bool {
    in_ranges(UNPRINTABLE, c as u32)
}

/// `awscli.table.get_text_length`: characters of East Asian Width W, F or A count as
/// two columns, everything else (including combining marks and controls) as one.
pub(crate) fn text_length(s: &str) -> usize {
    s.chars()
        .map(|c| if in_ranges(WIDE, c as u32) { 2 } else { 1 })
        .sum()
}

/// How `json.dumps` writes non-ASCII text.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ascii {
    /// `ensure_ascii=False`: UTF-8 passes through (the AWS CLI's JSON output).
    Raw,
    /// `ensure_ascii=True`: `\uXXXX` escapes, surrogate pairs above U+FFFF
    /// (JMESPath `to_string`).
    Escape,
}

/// A JSON string literal as Python's `json` encoder writes it.
pub(crate) fn json_string(s: &str, ascii: Ascii, out: &mut String) {
    out.push('"');
    for ch in s.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c if ascii == Ascii::Escape && !(' '..='~').contains(&c) => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// `json.dumps(value, indent=4, ensure_ascii=False)` (no trailing newline).
pub(crate) fn json_pretty(value: &Value) -> String {
    let mut out = String::new();
    write_pretty(value, 0, &mut out);
    out
}

fn write_pretty(value: &Value, depth: usize, out: &mut String) {
    match value {
        Value::Array(items) if !items.is_empty() => {
            out.push_str("[\n");
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(",\n");
                }
                push_indent(depth + 1, out);
                write_pretty(item, depth + 1, out);
            }
            out.push('\n');
            push_indent(depth, out);
            out.push(']');
        }
        Value::Object(map) if !map.is_empty() => {
            out.push_str("{\n");
            for (i, (key, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push_str(",\n");
                }
                push_indent(depth + 1, out);
                json_string(key, Ascii::Raw, out);
                out.push_str(": ");
                write_pretty(item, depth + 1, out);
            }
            out.push('\n');
            push_indent(depth, out);
            out.push('}');
        }
        other => write_compact(other, Ascii::Raw, out),
    }
}

fn push_indent(depth: usize, out: &mut String) {
    for _ in 0..depth {
        out.push_str("    ");
    }
}

/// `json.dumps(value, separators=(',', ':'))` with the given ASCII policy.
pub(crate) fn json_compact(value: &Value, ascii: Ascii) -> String {
    let mut out = String::new();
    write_compact(value, ascii, &mut out);
    out
}

fn write_compact(value: &Value, ascii: Ascii, out: &mut String) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(true) => out.push_str("true"),
        Value::Bool(false) => out.push_str("false"),
        Value::Number(n) => out.push_str(&number_str(n)),
        Value::String(s) => json_string(s, ascii, out),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_compact(item, ascii, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (key, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                json_string(key, ascii, out);
                out.push(':');
                write_compact(item, ascii, out);
            }
            out.push('}');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn float_repr_matches_cpython() {
        let cases = [
            (1.0, "1.0"),
            (1.5, "1.5"),
            (-2.25, "-2.25"),
            (0.1, "0.1"),
            (1e16, "1e+16"),
            (1234567890123456.0, "1234567890123456.0"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (1.5e-7, "1.5e-07"),
            (1e100, "1e+100"),
            (123.456, "123.456"),
            (-0.0, "-0.0"),
            (2.5e16, "2.5e+16"),
            (1e22, "1e+22"),
        ];
        for (x, want) in cases {
            assert_eq!(float_repr(x), want, "{x}");
        }
    }

    #[test]
    fn repr_picks_quotes_and_escapes_like_python() {
        assert_eq!(repr_str("abc"), "'abc'");
        assert_eq!(repr_str("it's"), "\"it's\"");
        assert_eq!(repr_str("a'b\"c"), "'a\\'b\"c'");
        assert_eq!(repr_str("t\tn\n\u{1}\u{7f}"), "'t\\tn\\n\\x01\\x7f'");
        assert_eq!(repr_str("é日本\u{a0}\u{200b}"), "'é日本\\xa0\\u200b'");
        assert_eq!(
            py_repr(&json!({"a": [1, 2.0, null, true], "b": "x"})),
            "{'a': [1, 2.0, None, True], 'b': 'x'}"
        );
    }

    #[test]
    fn east_asian_ambiguous_counts_double() {
        assert_eq!(text_length("abc"), 3);
        assert_eq!(text_length("日本"), 4);
        // U+00E9 is class A, U+0301 (combining acute) is class A too.
        assert_eq!(text_length("é"), 2);
        assert_eq!(text_length("e\u{301}"), 3);
        assert_eq!(text_length("Ａ"), 2);
    }

    #[test]
    fn json_escaping_policies() {
        let mut raw = String::new();
        json_string("é\u{1}\"😀\u{7f}", Ascii::Raw, &mut raw);
        assert_eq!(raw, "\"é\\u0001\\\"😀\u{7f}\"");
        let mut esc = String::new();
        json_string("é😀\u{7f}", Ascii::Escape, &mut esc);
        assert_eq!(esc, "\"\\u00e9\\ud83d\\ude00\\u007f\"");
        assert_eq!(
            json_compact(&json!({"a": [1, 1.0], "b": null}), Ascii::Escape),
            "{\"a\":[1,1.0],\"b\":null}"
        );
        assert_eq!(
            json_pretty(&json!({"a": [], "b": {}})),
            "{\n    \"a\": [],\n    \"b\": {}\n}"
        );
    }
}
