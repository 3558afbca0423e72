//! `--output text`: the tab-separated layout of `awscli/text.py`.
//!
//! Rules (all observed in the AWS CLI, v1 and v2 alike): a dict prints its scalar
//! values sorted by key on one line, prefixed by the upper-cased key it was found
//! under; a list of dicts shares one sorted column set (the union of every element's
//! scalar keys, missing ones printed as empty strings); non-scalar values recurse
//! with their key as the new identifier; a scalar list under a key prints one
//! `KEY\tvalue` line per element; anything else is `str(value)`.
//!
//! This module renders one page. Pagination (one call per page, then the
//! `NEXTTOKEN` trailer) is the caller's job; see [`crate::render_text_next_token`].

use std::collections::BTreeSet;

use serde_json::{Map, Value};

use sso_core::python;

/// Where the AWS CLI's text formatter stopped with a Python exception: the text it had
/// already written and the exception message.
pub(crate) struct TextFailure {
    pub(crate) partial: String,
    pub(crate) message: String,
}

/// Formats `value` exactly as `awscli.text.format_text` writes it.
pub(crate) fn format_text(value: &Value) -> Result<String, TextFailure> {
    let mut out = String::new();
    match write_item(value, None, None, &mut out) {
        Ok(()) => Ok(out),
        Err(message) => Err(TextFailure {
            partial: out,
            message,
        }),
    }
}

fn is_scalar(value: &Value) -> bool {
    !matches!(value, Value::Array(_) | Value::Object(_))
}

fn write_item(
    item: &Value,
    identifier: Option<&str>,
    scalar_keys: Option<&[String]>,
    out: &mut String,
) -> Result<(), String> {
    match item {
        Value::Object(map) => write_dict(map, identifier, scalar_keys, out),
        Value::Array(items) => write_list(items, identifier, out),
        scalar => {
            out.push_str(&python::to_str(scalar));
            out.push('\n');
            Ok(())
        }
    }
}

fn write_list(items: &[Value], identifier: Option<&str>, out: &mut String) -> Result<(), String> {
    if items.is_empty() {
        return Ok(());
    }
    if items.iter().any(|el| matches!(el, Value::Object(_))) {
        let all_keys = all_scalar_keys(items)?;
        for element in items {
            write_item(element, identifier, Some(&all_keys), out)?;
        }
    } else if items.iter().any(|el| matches!(el, Value::Array(_))) {
        let (scalars, nested): (Vec<&Value>, Vec<&Value>) =
            items.iter().partition(|el| is_scalar(el));
        if !scalars.is_empty() {
            write_scalar_list(&scalars, identifier, out);
        }
        for element in nested {
            write_item(element, identifier, None, out)?;
        }
    } else {
        let scalars: Vec<&Value> = items.iter().collect();
        write_scalar_list(&scalars, identifier, out);
    }
    Ok(())
}

fn write_scalar_list(elements: &[&Value], identifier: Option<&str>, out: &mut String) {
    match identifier {
        Some(id) => {
            let id = id.to_uppercase();
            for element in elements {
                out.push_str(&id);
                out.push('\t');
                out.push_str(&python::to_str(element));
                out.push('\n');
            }
        }
        None => {
            let joined: Vec<String> = elements.iter().map(|el| python::to_str(el)).collect();
            out.push_str(&joined.join("\t"));
            out.push('\n');
        }
    }
}

fn write_dict(
    map: &Map<String, Value>,
    identifier: Option<&str>,
    scalar_keys: Option<&[String]>,
    out: &mut String,
) -> Result<(), String> {
    let mut scalars: Vec<String> = Vec::new();
    let mut nested: Vec<(&str, &Value)> = Vec::new();
    match scalar_keys {
        None => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            for (key, value) in entries {
                if is_scalar(value) {
                    scalars.push(python::to_str(value));
                } else {
                    nested.push((key, value));
                }
            }
        }
        Some(keys) => {
            // The shared column set wins even when this element holds a list under
            // one of those keys: Python prints its repr in the column.
            for key in keys {
                scalars.push(map.get(key).map_or_else(String::new, python::to_str));
            }
            let mut remaining: Vec<&String> = map.keys().filter(|k| !keys.contains(*k)).collect();
            remaining.sort();
            for key in remaining {
                if let Some(value) = map.get(key) {
                    nested.push((key, value));
                }
            }
        }
    }
    if !scalars.is_empty() {
        if let Some(id) = identifier {
            scalars.insert(0, id.to_uppercase());
        }
        out.push_str(&scalars.join("\t"));
        out.push('\n');
    }
    for (key, value) in nested {
        write_item(value, Some(key), None, out)?;
    }
    Ok(())
}

/// The sorted union of scalar-valued keys. Python calls `.items()` on every element,
/// so a non-dict element among dicts raises `AttributeError`.
fn all_scalar_keys(items: &[Value]) -> Result<Vec<String>, String> {
    let mut keys = BTreeSet::new();
    for item in items {
        let Value::Object(map) = item else {
            return Err(format!(
                "'{}' object has no attribute 'items'",
                python::type_name(item)
            ));
        };
        for (key, value) in map {
            if is_scalar(value) {
                keys.insert(key.clone());
            }
        }
    }
    Ok(keys.into_iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn text(value: Value) -> String {
        match format_text(&value) {
            Ok(s) => s,
            Err(f) => panic!("unexpected failure: {}", f.message),
        }
    }

    #[test]
    fn sorted_scalars_with_uppercased_identifier() {
        let page = json!({"accountList": [
            {"accountId": "111111111111", "accountName": "dev", "emailAddress": "dev@example.com"},
            {"accountName": "prod", "accountId": "222222222222"}
        ]});
        assert_eq!(
            text(page),
            "ACCOUNTLIST\t111111111111\tdev\tdev@example.com\nACCOUNTLIST\t222222222222\tprod\t\n"
        );
    }

    #[test]
    fn scalars_use_python_spellings() {
        assert_eq!(text(json!(null)), "None\n");
        assert_eq!(text(json!(true)), "True\n");
        assert_eq!(text(json!(2.0)), "2.0\n");
        assert_eq!(text(json!(["a", 1, null])), "a\t1\tNone\n");
        assert_eq!(text(json!({"k": ["a", "b"]})), "K\ta\nK\tb\n");
    }

    #[test]
    fn list_in_shared_scalar_column_prints_its_repr() {
        let page = json!([{"a": 1}, {"a": [1, "x"]}]);
        assert_eq!(text(page), "1\n[1, 'x']\n");
    }

    #[test]
    fn nested_lists_print_scalars_first() {
        assert_eq!(text(json!(["a", ["b", "c"], "d"])), "a\td\nb\tc\n");
    }

    #[test]
    fn mixed_dict_and_scalar_list_fails_like_python() {
        let failure = format_text(&json!({"a": 1, "b": [{"x": 1}, "y"]}))
            .err()
            .map(|f| (f.partial, f.message));
        assert_eq!(
            failure,
            Some((
                "1\n".to_owned(),
                "'str' object has no attribute 'items'".to_owned()
            ))
        );
    }
}
