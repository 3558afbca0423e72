//! Runs the vendored JMESPath compliance suite against `sso_output::Query`.
//!
//! Results are compared with Python's equality (an integer equals the same float),
//! which is how jmespath.py's own harness compares them; error cases must fail with
//! the category the suite names, at parse time for `syntax` and at search time
//! otherwise.

use std::path::PathBuf;

use serde_json::Value;
use sso_output::{Query, QueryError};

fn py_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| py_eq(p, q))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| py_eq(v, w)))
        }
        _ => a == b,
    }
}

fn category(err: &QueryError) -> &'static str {
    match err {
        QueryError::Syntax { .. } => "syntax",
        QueryError::UnknownFunction { .. } => "unknown-function",
        QueryError::InvalidArity { .. } => "invalid-arity",
        QueryError::InvalidType { .. } | QueryError::Unsupported { .. } => "invalid-type",
        QueryError::InvalidValue { .. } => "invalid-value",
    }
}

#[test]
fn jmespath_compliance_suite() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/compliance");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("compliance directory is vendored in the crate")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    let mut passed = 0;
    let mut skipped = 0;
    let mut failures = Vec::new();
    for file in &files {
        let name = file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let text = std::fs::read_to_string(file).expect("readable compliance file");
        let suites: Vec<Value> = serde_json::from_str(&text).expect("valid compliance JSON");
        for suite in &suites {
            let given = &suite["given"];
            for case in suite["cases"].as_array().expect("cases array") {
                if case.get("bench").is_some() {
                    skipped += 1;
                    continue;
                }
                let expression = case["expression"].as_str().expect("expression string");
                let outcome = match (Query::parse(expression), case.get("error")) {
                    (Err(err), Some(want)) if want == "syntax" && category(&err) == "syntax" => {
                        Ok(())
                    }
                    (Err(err), _) => Err(format!("parse failed: {err}")),
                    (Ok(query), Some(want)) => match query.search(given) {
                        Err(err) if category(&err) == want => Ok(()),
                        Err(err) => Err(format!("wanted {want}, got {}: {err}", category(&err))),
                        Ok(v) => Err(format!("wanted {want} error, got {v}")),
                    },
                    (Ok(query), None) => match query.search(given) {
                        Ok(v) if py_eq(&v, &case["result"]) => Ok(()),
                        Ok(v) => Err(format!("got {v}, wanted {}", case["result"])),
                        Err(err) => Err(format!("error: {err}")),
                    },
                };
                match outcome {
                    Ok(()) => passed += 1,
                    Err(why) => failures.push(format!("{name}: {expression:?}: {why}")),
                }
            }
        }
    }
    println!(
        "compliance: {passed} passed, {} failed, {skipped} benchmark cases skipped",
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(passed, 861, "every non-benchmark case must run");
}
