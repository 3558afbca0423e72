//! `--query`: an in-house JMESPath engine over `serde_json::Value`.
//!
//! Why in-house: the `jmespath` crate stores objects in a `BTreeMap`, so a
//! multiselect hash such as `{z: accountName, a: accountId}` comes back re-sorted,
//! while the AWS CLI prints `z` before `a` (Python dicts keep insertion order). The
//! engine also reproduces jmespath.py's error texts, which the AWS CLI prints
//! verbatim (`Bad value for --query a[: Invalid jmespath expression: ...`).
//!
//! The engine passes the official JMESPath compliance suite (vendored under
//! `tests/compliance/`). It does not know about pagination or output formats; the
//! caller decides whether to apply the query to the aggregated result or per page.

mod eval;
mod lexer;
mod parser;

use std::fmt;
use std::str::FromStr;

use serde_json::Value;

/// A JMESPath failure. `Display` is exactly the text of the jmespath.py exception the
/// AWS CLI would print (without the CLI's own prefixes).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    /// The expression does not parse. Only [`Query::parse`] returns this; the AWS CLI
    /// reports it as a parameter error, see [`QueryError::cli_parameter_message`].
    #[error("{message}")]
    Syntax {
        /// The expression as given on the command line.
        expression: String,
        /// jmespath.py's `LexerError`/`ParseError`/`IncompleteExpressionError` text.
        message: String,
    },
    /// A function name that JMESPath does not define (detected when it is called).
    #[error("Unknown function: {name}()")]
    UnknownFunction {
        /// The unknown name, without parentheses.
        name: String,
    },
    /// A built-in function called with the wrong number of arguments.
    #[error("{message}")]
    InvalidArity {
        /// The function that was called.
        function: String,
        /// `Expected 1 argument for function length(), received 0`.
        message: String,
    },
    /// A built-in function called with an argument of the wrong type.
    #[error("{message}")]
    InvalidType {
        /// The function that was called.
        function: String,
        /// `In function length(), invalid type for value: 1, expected one of: ...`.
        message: String,
    },
    /// A value the evaluation cannot use, such as a slice step of zero.
    #[error("{message}")]
    InvalidValue {
        /// Python's `ValueError` text (`slice step cannot be zero`).
        message: String,
    },
    /// Something Python itself rejects while evaluating, such as ordering a string
    /// against a number or printing an `&expression` reference.
    #[error("{message}")]
    Unsupported {
        /// Python's `TypeError` text.
        message: String,
    },
}

impl QueryError {
    /// For syntax errors, the message AWS CLI v2 reports as a `ParamValidation`
    /// error (exit 252): `Bad value for --query EXPR: <jmespath.py text>`. Other
    /// errors happen while rendering and are reported as generic errors (exit 255)
    /// with just their `Display` text.
    #[must_use]
    pub fn cli_parameter_message(&self) -> Option<String> {
        match self {
            Self::Syntax {
                expression,
                message,
            } => Some(format!("Bad value for --query {expression}: {message}")),
            _ => None,
        }
    }
}

/// A compiled `--query` expression: parse once, search each page or the whole result.
#[derive(Clone, PartialEq)]
pub struct Query {
    expression: String,
    ast: parser::Node,
}

impl fmt::Debug for Query {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Query").field(&self.expression).finish()
    }
}

impl Query {
    /// Compiles `expression`, failing with [`QueryError::Syntax`] exactly where
    /// jmespath.py's `jmespath.compile` fails.
    pub fn parse(expression: &str) -> Result<Self, QueryError> {
        let ast = parser::parse(expression).map_err(|err| match err {
            QueryError::Syntax { message, .. } => QueryError::Syntax {
                expression: expression.to_owned(),
                message,
            },
            other => other,
        })?;
        Ok(Self {
            expression: expression.to_owned(),
            ast,
        })
    }

    /// The expression text this query was parsed from.
    #[must_use]
    pub fn expression(&self) -> &str {
        &self.expression
    }

    /// Evaluates the query against `data`. Object keys of the result keep the
    /// order of the input (and of the expression for multiselect hashes).
    pub fn search(&self, data: &Value) -> Result<Value, QueryError> {
        eval::search(&self.ast, data)
    }
}

impl FromStr for Query {
    type Err = QueryError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn search(expr: &str, data: &Value) -> Result<Value, QueryError> {
        Query::parse(expr)?.search(data)
    }

    #[test]
    fn multiselect_hash_keeps_expression_order() {
        let data = json!({"accountList": [{"accountId": "1", "accountName": "dev"}]});
        let result = search("accountList[0].{z: accountName, a: accountId}", &data);
        let keys: Vec<String> = result
            .ok()
            .and_then(|v| v.as_object().map(|m| m.keys().cloned().collect()))
            .unwrap_or_default();
        assert_eq!(keys, vec!["z", "a"]);
    }

    #[test]
    fn bad_query_message_matches_aws_cli_v2() {
        let err = Query::parse("a[").err();
        assert_eq!(
            err.and_then(|e| e.cli_parameter_message()).as_deref(),
            Some(
                "Bad value for --query a[: Invalid jmespath expression: Incomplete expression:\n\"a[\"\n   ^"
            )
        );
    }

    #[test]
    fn runtime_errors_match_jmespath_py() {
        let data = json!({"a": [1, "x"], "n": 1});
        let message = |e: &str| search(e, &data).err().map(|e| e.to_string());
        assert_eq!(
            message("foo(a)").as_deref(),
            Some("Unknown function: foo()")
        );
        assert_eq!(
            message("length()").as_deref(),
            Some("Expected 1 argument for function length(), received 0")
        );
        assert_eq!(
            message("not_null()").as_deref(),
            Some("Expected at least 1 argument for function not_null(), received 0")
        );
        assert_eq!(
            message("length(n)").as_deref(),
            Some(
                "In function length(), invalid type for value: 1, expected one of: ['string', 'array', 'object'], received: \"number\""
            )
        );
        assert_eq!(
            message("sum(a)").as_deref(),
            Some(
                "In function sum(), invalid type for value: x, expected one of: ['array-number'], received: \"str\""
            )
        );
        assert_eq!(
            message("a[::0]").as_deref(),
            Some("slice step cannot be zero")
        );
        assert_eq!(
            message("'a' < `1`").as_deref(),
            Some("'<' not supported between instances of 'str' and 'int'")
        );
        // Errors are lazy: nothing is called on an empty projection.
        assert_eq!(search("[].foo()", &json!([])).ok(), Some(json!([])));
    }

    #[test]
    fn deepest_accepted_expression_evaluates_without_overflow() {
        // The parser accepts at most 100 nested sub-expressions.
        let depth = 98;
        let expr = format!("{}a{}", "not_null(".repeat(depth), ")".repeat(depth));
        assert_eq!(search(&expr, &json!({"a": 1})).ok(), Some(json!(1)));
        let lists = format!("{}a{}", "[".repeat(99), "]".repeat(99));
        assert!(search(&lists, &json!({"a": 1})).is_ok());
    }

    #[test]
    fn python_number_semantics() {
        let data = json!({"n": [1, 2, 3, 4], "f": 1.5});
        assert_eq!(search("avg(n)", &data).ok(), Some(json!(2.5)));
        assert_eq!(search("avg([`1`, `3`])", &data).ok(), Some(json!(2.0)));
        assert_eq!(search("ceil(f)", &data).ok(), Some(json!(2)));
        assert_eq!(search("sum(n)", &data).ok(), Some(json!(10)));
        assert_eq!(search("`1` == `1.0`", &data).ok(), Some(json!(true)));
        assert_eq!(search("`1` == `true`", &data).ok(), Some(json!(false)));
        // Python's json.loads: `-0` is the int 0, `-0.0` stays a float; strings are untouched.
        assert_eq!(search("`-0`", &data).ok(), Some(json!(0)));
        assert_eq!(
            search("`[-0, -0.0, \"-0\"]`", &data).ok(),
            Some(json!([0, -0.0, "-0"]))
        );
        assert_eq!(search("to_string(`\"é\"`)", &data).ok(), Some(json!("é")));
        assert_eq!(
            search("to_string(`[\"é\"]`)", &data).ok(),
            Some(json!("[\"\\u00e9\"]"))
        );
    }
}
