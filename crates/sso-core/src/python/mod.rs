//! Python's spellings of decoded JSON values, in one place.
//!
//! Every byte the AWS CLI prints or stores is produced by CPython: `None` and `True` in text
//! output and error messages, `1e+16` for floats, `{'a': 1}` when a container lands in a text
//! column, `<class 'int'>` in a parameter-validation message, `", "` separators in cache files,
//! `\u00e9` escapes in request bodies. The cache, the client, the output renderers and the
//! binary all need the same spellings, so they live here and nowhere else; this module decides
//! only how a value is spelled, never where it is used.
//!
//! - [`to_str`], [`repr`], [`repr_str`], [`float_repr`], [`number_str`]: `str()` and `repr()`.
//! - [`type_name`], [`class_name`], [`is_truthy`]: `type(v).__name__`, `str(type(v))`, `bool(v)`.
//! - [`index`], [`slice_bound`]: list indexing and slice clamping.
//! - [`text_length`]: `awscli.table.get_text_length` (East Asian width).
//! - [`json`]: `json.dumps` with each combination of options botocore and the CLI use.

pub mod difflib;
pub mod json;
mod unicode_tables;

use serde_json::{Number, Value};

use unicode_tables::{UNPRINTABLE, WIDE};

/// `float.__repr__`: the shortest digits that round-trip, in positional notation when the
/// decimal exponent is in `-4 < e <= 16` and as `1e+16` / `1e-05` otherwise.
///
/// Written out rather than relying on `{:?}`: Rust's `Debug` picks the same digits but spells
/// the exponent `1e16`, and its switch-over points are not documented as stable.
pub fn float_repr(x: f64) -> String {
    if x.is_nan() {
        return "nan".to_owned();
    }
    if x.is_infinite() {
        return if x > 0.0 { "inf" } else { "-inf" }.to_owned();
    }
    if x == 0.0 {
        return if x.is_sign_negative() { "-0.0" } else { "0.0" }.to_owned();
    }
    // `{:e}` prints the shortest round-trip digits; only the layout differs from Python's.
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

/// `str(n)` for a decoded JSON number: integers in decimal, floats via [`float_repr`].
pub fn number_str(n: &Number) -> String {
    match n.as_f64() {
        Some(x) if n.is_f64() => float_repr(x),
        _ => n.to_string(),
    }
}

/// `str(value)`: text as it is, everything else as [`repr`].
pub fn to_str(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => repr(other),
    }
}

/// `repr(value)`: `None`, `True`, `'text'`, `[1, 'a']`, `{'k': None}`.
pub fn repr(value: &Value) -> String {
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

/// `repr(str)`: single quotes unless the text contains `'` and no `"`; backslash escapes for
/// the quote, `\`, `\t\n\r`, ASCII controls and the code points `str.isprintable` rejects.
pub fn repr_str(s: &str) -> String {
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
            c if c.is_ascii() || !in_ranges(UNPRINTABLE, c as u32) => out.push(c),
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

/// `type(value).__name__`: `NoneType`, `bool`, `int`, `float`, `str`, `list`, `dict`.
pub fn type_name(value: &Value) -> &'static str {
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

/// `str(type(value))`, as botocore's parameter validation prints it: `<class 'int'>`.
pub fn class_name(value: &Value) -> String {
    format!("<class '{}'>", type_name(value))
}

/// `bool(value)`: false for `None`, `False`, zero, and empty text, lists and dicts.
pub fn is_truthy(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(items) => !items.is_empty(),
        Value::Object(map) => !map.is_empty(),
    }
}

/// `items[index]` for a list of `len` items: negative counts from the end; `None` where
/// Python raises `IndexError`.
pub fn index(len: usize, index: i64) -> Option<usize> {
    let len = i64::try_from(len).ok()?;
    let resolved = if index < 0 {
        len.checked_add(index)?
    } else {
        index
    };
    if (0..len).contains(&resolved) {
        usize::try_from(resolved).ok()
    } else {
        None
    }
}

/// Where `items[bound:]` starts (or `items[:bound]` ends) in a list of `len` items: negative
/// counts from the end, and out-of-range bounds clamp to the ends instead of raising.
pub fn slice_bound(len: usize, bound: i64) -> usize {
    let len_i = i64::try_from(len).unwrap_or(i64::MAX);
    let position = if bound < 0 {
        len_i.saturating_add(bound).max(0)
    } else {
        bound.min(len_i)
    };
    usize::try_from(position).unwrap_or(0)
}

/// `awscli.table.get_text_length`: characters of East Asian Width W, F or A count as two
/// columns, everything else (combining marks and controls included) as one. A display-width
/// crate would give combining marks width 0 and misalign the CLI's tables.
pub fn text_length(s: &str) -> usize {
    s.chars()
        .map(|c| if in_ranges(WIDE, c as u32) { 2 } else { 1 })
        .sum()
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

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// Each expected string is what CPython 3.11 prints for the same value.
    #[test]
    fn float_repr_matches_cpython() {
        let cases = [
            (1.0, "1.0"),
            (1.5, "1.5"),
            (-2.25, "-2.25"),
            (0.1, "0.1"),
            (1e16, "1e+16"),
            (1e15, "1000000000000000.0"),
            (1234567890123456.0, "1234567890123456.0"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (1.5e-7, "1.5e-07"),
            (1e100, "1e+100"),
            (-2.5e300, "-2.5e+300"),
            (123.456, "123.456"),
            (-0.0, "-0.0"),
            (2.5e16, "2.5e+16"),
            (1e22, "1e+22"),
            (f64::INFINITY, "inf"),
            (f64::NAN, "nan"),
        ];
        for (x, want) in cases {
            assert_eq!(float_repr(x), want, "{x}");
        }
    }

    #[test]
    fn str_and_repr_match_cpython() {
        assert_eq!(repr_str("abc"), "'abc'");
        assert_eq!(repr_str("it's"), "\"it's\"");
        assert_eq!(repr_str("a'b\"c"), "'a\\'b\"c'");
        assert_eq!(repr_str("t\tn\n\u{1}\u{7f}"), "'t\\tn\\n\\x01\\x7f'");
        assert_eq!(repr_str("é日本\u{a0}\u{200b}"), "'é日本\\xa0\\u200b'");
        assert_eq!(repr_str("\u{e0001}"), "'\\U000e0001'");
        let value = json!({"a": [1, 2.0, null, true], "b": "x", "c": 1e16});
        assert_eq!(
            repr(&value),
            "{'a': [1, 2.0, None, True], 'b': 'x', 'c': 1e+16}"
        );
        assert_eq!(to_str(&value), repr(&value));
        assert_eq!(to_str(&json!("it's")), "it's");
        assert_eq!(to_str(&json!(false)), "False");
        assert_eq!(to_str(&json!(null)), "None");
        assert_eq!(to_str(&json!(1e16)), "1e+16");
    }

    #[test]
    fn type_names_and_truthiness() {
        let names: Vec<&str> = [
            json!(null),
            json!(true),
            json!(1),
            json!(1.0),
            json!(""),
            json!([]),
            json!({}),
        ]
        .iter()
        .map(type_name)
        .collect();
        assert_eq!(
            names,
            ["NoneType", "bool", "int", "float", "str", "list", "dict"]
        );
        assert_eq!(class_name(&json!(5)), "<class 'int'>");
        let falsy = [
            json!(null),
            json!(false),
            json!(0),
            json!(0.0),
            json!(""),
            json!([]),
            json!({}),
        ];
        assert!(falsy.iter().all(|v| !is_truthy(v)));
        let truthy = [
            json!(true),
            json!(-1),
            json!(0.5),
            json!(" "),
            json!([0]),
            json!({"a": 0}),
        ];
        assert!(truthy.iter().all(is_truthy));
    }

    #[test]
    fn index_and_slice_rules() {
        assert_eq!(index(3, 0), Some(0));
        assert_eq!(index(3, 2), Some(2));
        assert_eq!(index(3, 3), None);
        assert_eq!(index(3, -1), Some(2));
        assert_eq!(index(3, -3), Some(0));
        assert_eq!(index(3, -4), None);
        assert_eq!(index(0, 0), None);
        assert_eq!(index(3, i64::MIN), None);
        // `list(range(5))[b:]` starts at these positions in CPython.
        let starts: Vec<usize> = [-7, -5, -2, 0, 2, 5, 9]
            .iter()
            .map(|&b| slice_bound(5, b))
            .collect();
        assert_eq!(starts, [0, 0, 3, 0, 2, 5, 5]);
        assert_eq!(slice_bound(5, i64::MIN), 0);
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
}
