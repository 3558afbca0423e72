//! The generic parameter options of the API commands: `--cli-input-json` and
//! `--generate-cli-skeleton input`, with botocore's parameter validation messages.
//!
//! Each command's input members are listed in model order ([`Member`]), which is the order
//! the skeleton prints them and botocore's "must be one of" lists them in.

use serde_json::{Map, Value};
use sso_core::python;
use sso_core::python::json::Dumps;

use crate::error::CliError;

/// A member's type in the service model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A string.
    String,
    /// An integer.
    Integer,
}

/// One input member.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Member {
    pub(crate) name: &'static str,
    pub(crate) kind: Kind,
    /// Required by the model. (`accessToken` is required by the model but optional in aws-sso,
    /// which then uses the cached token; it is marked not required here.)
    pub(crate) required: bool,
}

const fn member(name: &'static str, kind: Kind, required: bool) -> Member {
    Member {
        name,
        kind,
        required,
    }
}

/// `ListAccountsRequest`.
pub(crate) const LIST_ACCOUNTS: &[Member] = &[
    member("nextToken", Kind::String, false),
    member("maxResults", Kind::Integer, false),
    member("accessToken", Kind::String, false),
];

/// `ListAccountRolesRequest`.
pub(crate) const LIST_ACCOUNT_ROLES: &[Member] = &[
    member("nextToken", Kind::String, false),
    member("maxResults", Kind::Integer, false),
    member("accessToken", Kind::String, false),
    member("accountId", Kind::String, true),
];

/// `GetRoleCredentialsRequest`.
pub(crate) const GET_ROLE_CREDENTIALS: &[Member] = &[
    member("roleName", Kind::String, true),
    member("accountId", Kind::String, true),
    member("accessToken", Kind::String, false),
];

/// botocore's "must be one of" list.
pub(crate) fn member_list(members: &[Member]) -> String {
    members
        .iter()
        .map(|m| m.name)
        .collect::<Vec<_>>()
        .join(", ")
}

/// `--generate-cli-skeleton input`: `json.dump(skeleton, indent=4)` of empty values.
pub(crate) fn skeleton(members: &[Member]) -> String {
    let mut object = Map::new();
    for member in members {
        let value = match member.kind {
            Kind::String => Value::from(""),
            Kind::Integer => Value::from(0),
        };
        object.insert(member.name.to_owned(), value);
    }
    format!("{}\n", Dumps::new().indent(4).dumps(&object))
}

/// The values of `--cli-input-json` (inline JSON or `file://PATH`), validated against the
/// members as botocore validates them.
pub(crate) fn input_json(raw: &str, members: &[Member]) -> Result<Map<String, Value>, CliError> {
    let text = match raw.strip_prefix("file://") {
        Some(path) => std::fs::read_to_string(path).map_err(|error| {
            CliError::ParamValidation(format!(
                "Error parsing parameter 'cli-input-json': Unable to load paramfile {raw}: {error}"
            ))
        })?,
        None => raw.to_owned(),
    };
    let value: Value = serde_json::from_str(&text).map_err(|error| {
        CliError::ParamValidation(format!(
            "Error parsing parameter 'cli-input-json': Invalid JSON: {error}\nJSON received: {text}"
        ))
    })?;
    let Value::Object(object) = value else {
        return Err(CliError::ParamValidation(
            "Error parsing parameter 'cli-input-json': the JSON must be an object of parameters, e.g. {\"accountId\": \"111111111111\"}".to_owned(),
        ));
    };
    let mut problems = Vec::new();
    for (key, value) in &object {
        match members.iter().find(|m| m.name == key) {
            None => problems.push(format!(
                "Unknown parameter in input: \"{key}\", must be one of: {}",
                member_list(members)
            )),
            Some(member) => {
                let ok = match member.kind {
                    Kind::String => value.is_string(),
                    Kind::Integer => value.is_i64() || value.is_u64(),
                };
                if !ok {
                    let (python_type, valid) = (
                        python::class_name(value),
                        match member.kind {
                            Kind::String => "<class 'str'>",
                            Kind::Integer => "<class 'int'>",
                        },
                    );
                    problems.push(format!(
                        "Invalid type for parameter {key}, value: {}, type: {python_type}, valid types: {valid}",
                        python::to_str(value)
                    ));
                }
            }
        }
    }
    if problems.is_empty() {
        Ok(object)
    } else {
        Err(CliError::ParamValidation(format!(
            "Parameter validation failed:\n{}",
            problems.join("\n")
        )))
    }
}

/// A required member missing from both the command line and `--cli-input-json`.
pub(crate) fn missing_required(
    members: &[Member],
    present: impl Fn(&str) -> bool,
) -> Result<(), CliError> {
    let missing: Vec<String> = members
        .iter()
        .filter(|m| m.required && !present(m.name))
        .map(|m| format!("Missing required parameter in input: \"{}\"", m.name))
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(CliError::ParamValidation(format!(
            "Parameter validation failed:\n{}",
            missing.join("\n")
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skeletons_match_the_aws_cli() {
        assert_eq!(
            skeleton(LIST_ACCOUNTS),
            "{\n    \"nextToken\": \"\",\n    \"maxResults\": 0,\n    \"accessToken\": \"\"\n}\n"
        );
        assert_eq!(
            skeleton(GET_ROLE_CREDENTIALS),
            "{\n    \"roleName\": \"\",\n    \"accountId\": \"\",\n    \"accessToken\": \"\"\n}\n"
        );
    }

    fn message(error: CliError) -> String {
        error.summary()
    }

    #[test]
    fn validation_messages_match_botocore() {
        let unknown = input_json(r#"{"accessToken": "x", "foo": 1}"#, LIST_ACCOUNTS).unwrap_err();
        assert_eq!(unknown.exit_code(), 252);
        assert!(message(unknown).contains(
            "Parameter validation failed:\nUnknown parameter in input: \"foo\", must be one of: nextToken, maxResults, accessToken"
        ));
        let wrong = input_json(r#"{"accessToken": 5}"#, LIST_ACCOUNTS).unwrap_err();
        assert!(message(wrong).contains(
            "Invalid type for parameter accessToken, value: 5, type: <class 'int'>, valid types: <class 'str'>"
        ));
        // AWS CLI v1 1.45 prints exactly these two lines for this input.
        let containers = input_json(
            r#"{"accessToken": {"a": [1, 1e16, null]}, "maxResults": 1.5}"#,
            LIST_ACCOUNTS,
        )
        .unwrap_err();
        assert!(message(containers).contains(
            "Invalid type for parameter accessToken, value: {'a': [1, 1e+16, None]}, type: <class 'dict'>, valid types: <class 'str'>\nInvalid type for parameter maxResults, value: 1.5, type: <class 'float'>, valid types: <class 'int'>"
        ));
        let missing = missing_required(LIST_ACCOUNT_ROLES, |_| false).unwrap_err();
        assert!(message(missing).contains("Missing required parameter in input: \"accountId\""));
        let bad = input_json("nope", LIST_ACCOUNTS).unwrap_err();
        assert!(message(bad).contains("Error parsing parameter 'cli-input-json': Invalid JSON:"));
        assert_eq!(
            input_json(r#"{"maxResults": 2}"#, LIST_ACCOUNTS).unwrap()["maxResults"],
            2
        );
    }
}
