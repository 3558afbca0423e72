//! AWS CLI output formats and `--query`, byte for byte.
//!
//! This crate turns an API result (a `serde_json::Value` whose object keys are
//! already in botocore model order) into the exact bytes AWS CLI v2 writes for
//! `--output json|text|table|yaml|yaml-stream|off`, and evaluates `--query` with
//! jmespath.py's semantics and error texts. It is a pure library: no I/O, no
//! terminal or colour detection, no pager. The binary decides the terminal width,
//! whether colour is on, and how to paginate:
//!
//! * `json`, `table`, `yaml`: aggregate all pages, apply the query once, call
//!   [`render`].
//! * `text`: for each page apply the query and call [`render_text_page`]; if the
//!   result was truncated, treat [`text_next_token_page`] as one more page (the AWS
//!   CLI runs the query on it too).
//! * `yaml-stream`: for each raw page apply the query and call
//!   [`render_yaml_stream_page`].
//!
//! Oracles: AWS CLI v1 1.45.11 / v2 2.9.19 sources (`formatter.py`, `table.py`,
//! `text.py`), jmespath.py 1.1.0, ruamel.yaml 0.19.1 emitting through ruamel.yaml.clib
//! 0.2.15 (libyaml's emitter, as AWS CLI v2 does). Golden files generated from them
//! live in `tests/golden/` (see `testdata/gen.py`).

#![warn(missing_docs)]

mod query;
mod table;
mod text;
mod yaml;

use serde_json::{Map, Value};
pub use sso_core::OutputFormat;
use sso_core::python::json::{Dumps, Separators};

pub use query::{Query, QueryError};

/// Presentation settings the caller resolves (the library never looks at the
/// terminal).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderOptions {
    /// Table title: the operation name, e.g. `ListAccounts`.
    pub title: String,
    /// Terminal width in columns for tables; the AWS CLI uses 80 when stdout is
    /// not a TTY.
    pub width: usize,
    /// Colour table cells and borders the way the AWS CLI does with `--color on`
    /// (or `auto` on a TTY).
    pub color: bool,
    /// Only with `color`: the output goes straight to stdout rather than into the
    /// pager. The AWS CLI's colour support (colorama with `autoreset=True`) then
    /// wraps stdout and appends `ESC[0m` after every write, so table lines carry
    /// extra reset codes; through the pager pipe they do not.
    pub color_unpaged: bool,
}

impl Default for RenderOptions {
    fn default() -> Self {
        Self {
            title: String::new(),
            width: 80,
            color: false,
            color_unpaged: false,
        }
    }
}

/// The AWS CLI itself fails on this result in this format (Python raises while
/// formatting). `Display` is the Python exception text AWS CLI v2 prints after
/// `aws: [ERROR]: ` (exit 255). Text output can fail half-way, after some lines were
/// already written: those are in [`RenderError::partial_output`] and belong on
/// stdout before the error is reported.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct RenderError {
    message: String,
    partial_output: String,
}

impl RenderError {
    /// Output the AWS CLI had already written when it failed (text format only).
    #[must_use]
    pub fn partial_output(&self) -> &str {
        &self.partial_output
    }
}

/// Renders a whole (already aggregated and queried) result in `format`.
///
/// An empty object renders as nothing in `json`, `yaml` and `yaml-stream`, as in
/// the AWS CLI; `table` prints nothing for any falsy result (`{}`, `[]`, `0`, `""`,
/// `null`, `false`). `text` renders the value as a single page and `yaml-stream` as
/// a single (non-paginated) response.
pub fn render(
    format: OutputFormat,
    value: &Value,
    opts: &RenderOptions,
) -> Result<String, RenderError> {
    let is_empty_object = matches!(value, Value::Object(map) if map.is_empty());
    match format {
        OutputFormat::Json => Ok(if is_empty_object {
            String::new()
        } else {
            format!("{}\n", Dumps::new().indent(4).raw_unicode().dumps(value))
        }),
        OutputFormat::Text => render_text_page(value),
        OutputFormat::Table => {
            table::render_table(&opts.title, value, opts.width, table_color(opts)).map_err(
                |message| RenderError {
                    message,
                    partial_output: String::new(),
                },
            )
        }
        OutputFormat::Yaml => Ok(if is_empty_object {
            String::new()
        } else {
            render_yaml_document(value)
        }),
        OutputFormat::YamlStream => Ok(if is_empty_object {
            String::new()
        } else {
            render_yaml_stream_page(value)
        }),
        OutputFormat::Off => Ok(String::new()),
    }
}

fn table_color(opts: &RenderOptions) -> table::Color {
    match (opts.color, opts.color_unpaged) {
        (false, _) => table::Color::Off,
        (true, false) => table::Color::On,
        (true, true) => table::Color::OnAutoreset,
    }
}

/// `--output text` for one page (the query, if any, already applied to it).
pub fn render_text_page(page: &Value) -> Result<String, RenderError> {
    text::format_text(page).map_err(|failure| RenderError {
        message: failure.message,
        partial_output: failure.partial,
    })
}

/// The extra "page" the AWS CLI's text formatter prints when the result was
/// truncated: `{"NextToken": {"NextToken": token}}`, which renders as
/// `NEXTTOKEN\t<token>`. The AWS CLI applies `--query` to it like to any page (so
/// with most queries it prints `None` instead); do the same before rendering.
#[must_use]
pub fn text_next_token_page(token: &str) -> Value {
    let mut inner = Map::new();
    inner.insert("NextToken".to_owned(), Value::String(token.to_owned()));
    let mut outer = Map::new();
    outer.insert("NextToken".to_owned(), Value::Object(inner));
    Value::Object(outer)
}

/// `--output yaml-stream` for one page of a paginated result (the query, if any,
/// already applied): the page as a one-item YAML list. Unlike [`render`], an empty
/// page is still printed (`- {}`).
#[must_use]
pub fn render_yaml_stream_page(page: &Value) -> String {
    yaml::dump(&Value::Array(vec![page.clone()]))
}

/// AWS CLI v2 `YAMLDumper.dump`: JSON scalars are written with
/// `json.dump(ensure_ascii=False)` (ruamel would append a `...` end marker), every
/// container as a YAML document.
fn render_yaml_document(value: &Value) -> String {
    match value {
        Value::Array(_) | Value::Object(_) => yaml::dump(value),
        scalar => format!(
            "{}\n",
            Dumps::new()
                .separators(Separators::COMPACT)
                .raw_unicode()
                .dumps(scalar)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn opts() -> RenderOptions {
        RenderOptions {
            title: "ListAccounts".to_owned(),
            ..RenderOptions::default()
        }
    }

    #[test]
    fn empty_object_prints_nothing_but_empty_list_does() {
        for format in [
            OutputFormat::Json,
            OutputFormat::Yaml,
            OutputFormat::YamlStream,
            OutputFormat::Table,
        ] {
            assert_eq!(
                render(format, &json!({}), &opts()),
                Ok(String::new()),
                "{format}"
            );
        }
        assert_eq!(
            render(OutputFormat::Json, &json!([]), &opts()),
            Ok("[]\n".to_owned())
        );
        assert_eq!(
            render(OutputFormat::Yaml, &json!([]), &opts()),
            Ok("[]\n".to_owned())
        );
        assert_eq!(render_yaml_stream_page(&json!({})), "- {}\n");
    }

    #[test]
    fn yaml_top_level_scalars_are_json() {
        assert_eq!(
            render(OutputFormat::Yaml, &json!("é"), &opts()),
            Ok("\"é\"\n".to_owned())
        );
        assert_eq!(
            render(OutputFormat::Yaml, &json!(null), &opts()),
            Ok("null\n".to_owned())
        );
        assert_eq!(
            render(OutputFormat::Yaml, &json!(1.0), &opts()),
            Ok("1.0\n".to_owned())
        );
    }

    #[test]
    fn next_token_page_renders_like_the_aws_cli() {
        let page = text_next_token_page("tok");
        assert_eq!(render_text_page(&page), Ok("NEXTTOKEN\ttok\n".to_owned()));
        let queried = Query::parse("accountList").and_then(|q| q.search(&page));
        assert_eq!(
            queried.map(|v| render_text_page(&v)),
            Ok(Ok("None\n".to_owned()))
        );
    }

    #[test]
    fn off_prints_nothing() {
        assert_eq!(
            render(OutputFormat::Off, &json!({"a": 1}), &opts()),
            Ok(String::new())
        );
    }
}
