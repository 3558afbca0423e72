//! Runs every case of `testdata/config/parser-cases.json` (expected values produced by botocore,
//! see `generate_parser_cases.py` there) through `SharedConfig::parse`.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value as Json};
use sso_config::{Properties, SharedConfig, Value};

fn cases_file() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/config/parser-cases.json")
}

fn properties_json(properties: &Properties) -> Json {
    let mut map = Map::new();
    for (key, value) in properties {
        let value = match value {
            Value::Text(text) => Json::String(text.clone()),
            Value::Nested(nested) => Json::Object(
                nested
                    .iter()
                    .map(|(k, v)| (k.clone(), Json::String(v.clone())))
                    .collect(),
            ),
        };
        map.insert(key.clone(), value);
    }
    Json::Object(map)
}

/// The same shape the generator writes: name → properties, in order.
fn config_json(config: &SharedConfig) -> Json {
    let profiles: Map<String, Json> = config
        .profiles()
        .map(|p| (p.name().to_owned(), properties_json(p.properties())))
        .collect();
    let sessions: Map<String, Json> = config
        .sso_sessions()
        .map(|s| (s.name().to_owned(), properties_json(s.properties())))
        .collect();
    let services: Map<String, Json> = config
        .all_services()
        .map(|s| (s.name().to_owned(), properties_json(s.properties())))
        .collect();
    let mut out = Map::new();
    out.insert("profiles".into(), Json::Object(profiles));
    out.insert("sso_sessions".into(), Json::Object(sessions));
    out.insert("services".into(), Json::Object(services));
    Json::Object(out)
}

#[test]
fn parser_cases_match_botocore() {
    let text = std::fs::read_to_string(cases_file()).expect("testdata present");
    let document: Json = serde_json::from_str(&text).expect("valid JSON");
    let config_path = Path::new(document["config_path"].as_str().unwrap());
    let credentials_path = Path::new(document["credentials_path"].as_str().unwrap());
    let cases = document["cases"].as_array().unwrap();
    assert!(cases.len() >= 50, "only {} cases", cases.len());

    let mut failures = Vec::new();
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let config = case["config"].as_str().unwrap();
        let credentials = case["credentials"].as_str().unwrap();
        let result = SharedConfig::parse(config, config_path, credentials, credentials_path);
        match (result, case.get("expected"), case.get("error")) {
            (Ok(parsed), Some(expected), None) => {
                // Compare serialised text so key order matters (IndexMap equality ignores it).
                let got = serde_json::to_string_pretty(&config_json(&parsed)).unwrap();
                let want = serde_json::to_string_pretty(expected).unwrap();
                if got != want {
                    failures.push(format!("{name}:\n got: {got}\nwant: {want}"));
                }
            }
            (Err(error), None, Some(expected)) => {
                if error.to_string() != expected.as_str().unwrap() {
                    failures.push(format!(
                        "{name}:\n got error: {error}\nwant error: {expected}"
                    ));
                }
                assert_eq!(error.exit_class(), sso_core::ExitClass::General, "{name}");
                assert_eq!(error.aws_code(), None, "{name}");
            }
            (Ok(parsed), _, Some(expected)) => failures.push(format!(
                "{name}: parsed as {} but expected error {expected}",
                config_json(&parsed)
            )),
            (Err(error), _, _) => failures.push(format!("{name}: unexpected error {error}")),
            (Ok(_), None, None) => failures.push(format!("{name}: case has no expectation")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
