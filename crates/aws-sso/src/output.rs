//! Printing API results the way the AWS CLI does: `--output`, `--query`, per-page text output,
//! colour and the pager.
//!
//! The formats themselves are `sso-output`'s (a pure library); this module decides what to feed
//! it — the aggregated result for json/table/yaml, each page for text and yaml-stream (AWS CLI
//! `formatter.py`) — and where the bytes go: stdout, or the pager when stdout is a terminal.

use std::borrow::Cow;
use std::io::Write as _;
use std::process::{Command, Stdio};

use serde_json::Value;
use sso_client::paginator::{self, Pages};
use sso_core::OutputFormat;
use sso_core::env::vars;
use sso_core::python::json::Dumps;
use sso_output::{Query, RenderOptions};

use crate::Context;
use crate::cli::{Color, GlobalArgs};
use crate::error::CliError;
use crate::settings::Resolved;

/// Output settings of one API command run.
pub(crate) struct Renderer {
    format: OutputFormat,
    query: Option<Query>,
    options: RenderOptions,
    pager: Option<String>,
    final_reset: bool,
}

/// Text ready for stdout, and whether it may go through the pager.
pub(crate) struct Rendered {
    text: String,
    pager: Option<String>,
    /// Colour written straight to a terminal: the AWS CLI's colorama writes one more reset at
    /// exit.
    final_reset: bool,
}

/// Rendering failed after some output was produced: the AWS CLI has written that output
/// already when it reports the error (text output is written page by page).
pub(crate) struct PartialOutput {
    pub(crate) rendered: Rendered,
    pub(crate) error: CliError,
}

impl Renderer {
    /// Validates `--output` and `--query` up front, before any request is made, as the AWS CLI
    /// does (a bad query is a 252 even when the call would fail).
    pub(crate) fn new(
        global: &GlobalArgs,
        resolved: &Resolved,
        context: &Context,
        operation: &str,
    ) -> Result<Self, CliError> {
        let format = resolved.settings.output;
        let query = global
            .query
            .as_deref()
            .map(Query::parse)
            .transpose()
            .map_err(|error| query_error(&error))?;
        let terminal = context.terminal.stdout_is_terminal();
        let color = match global.color.unwrap_or(Color::Auto) {
            Color::On => true,
            Color::Off => false,
            Color::Auto => terminal && context.env.get(vars::NO_COLOR).is_none(),
        };
        // The AWS CLI pages only a terminal's output: AWS_PAGER, `cli_pager`, PAGER, then
        // `less`; an empty value or --no-cli-pager turns it off.
        let pager = match resolved.settings.cli_pager.as_deref() {
            _ if !terminal || global.no_cli_pager => None,
            Some("") => None,
            Some(command) => Some(command.to_owned()),
            None => Some("less".to_owned()),
        };
        Ok(Self {
            // colorama (initialised by the table styler) resets the terminal at exit.
            final_reset: color && terminal && format == OutputFormat::Table,
            format,
            query,
            options: RenderOptions {
                title: operation.to_owned(),
                width: terminal_width(context),
                color,
                // Colour written straight to stdout (not through the pager) carries the extra
                // reset codes the AWS CLI's colorama wrapper adds.
                color_unpaged: color && pager.is_none(),
            },
            pager,
        })
    }

    /// `--query` applied to `value`; without one, `value` itself (a large listing is not
    /// copied just to be printed).
    fn search<'v>(&self, value: &'v Value) -> Result<Cow<'v, Value>, CliError> {
        match &self.query {
            Some(query) => query
                .search(value)
                .map(Cow::Owned)
                .map_err(|error| query_error(&error)),
            None => Ok(Cow::Borrowed(value)),
        }
    }

    fn rendered(&self, text: String) -> Rendered {
        Rendered {
            text,
            pager: self.pager.clone(),
            final_reset: self.final_reset,
        }
    }

    /// The output when it is JSON without `--query`, written straight from `value` with no
    /// `serde_json::Value` tree in between: for a listing of tens of thousands of entries that
    /// tree is most of the time and the memory of the whole command. `None` for any other
    /// output, which needs the tree; the bytes are the same either way.
    pub(crate) fn plain_json<T: serde::Serialize>(&self, value: &T) -> Option<Rendered> {
        (self.format == OutputFormat::Json && self.query.is_none())
            // `sso_output::render`'s JSON, which is `json.dumps(indent=4, ensure_ascii=False)`.
            .then(|| {
                self.rendered(format!(
                    "{}\n",
                    Dumps::new().indent(4).raw_unicode().dumps(value)
                ))
            })
    }

    /// A single (non-paginated) response.
    pub(crate) fn single(&self, response: &Value) -> Result<Rendered, Box<PartialOutput>> {
        let value = self
            .search(response)
            .map_err(|error| self.partial(String::new(), error))?;
        sso_output::render(self.format, &value, &self.options)
            .map(|text| self.rendered(text))
            .map_err(|error| self.render_failure(String::new(), &error))
    }

    fn partial(&self, text: String, error: CliError) -> Box<PartialOutput> {
        Box::new(PartialOutput {
            rendered: self.rendered(text),
            error,
        })
    }

    /// A formatter failure: what it wrote before failing is output too.
    fn render_failure(
        &self,
        mut text: String,
        error: &sso_output::RenderError,
    ) -> Box<PartialOutput> {
        text.push_str(error.partial_output());
        self.partial(text, CliError::general(error.to_string()))
    }

    /// A paginated listing. Text and yaml-stream are produced page by page, so a failure on a
    /// later page keeps the earlier pages' output.
    pub(crate) fn paginated(
        &self,
        pages: &Pages,
        result_key: &str,
    ) -> Result<Rendered, Box<PartialOutput>> {
        let mut text = String::new();
        match self.format {
            OutputFormat::Text => {
                let mut parts: Vec<Value> = pages
                    .pages
                    .iter()
                    .map(|page| {
                        let mut current = serde_json::Map::new();
                        current.insert(
                            result_key.to_owned(),
                            page.get(result_key).cloned().unwrap_or(Value::Null),
                        );
                        Value::Object(current)
                    })
                    .collect();
                if let Some(token) = &pages.resume_token {
                    parts.push(sso_output::text_next_token_page(token));
                }
                for part in &parts {
                    let value = match self.search(part) {
                        Ok(value) => value,
                        Err(error) => return Err(self.partial(text, error)),
                    };
                    match sso_output::render_text_page(&value) {
                        Ok(page) => text.push_str(&page),
                        Err(error) => return Err(self.render_failure(text, &error)),
                    }
                }
            }
            OutputFormat::YamlStream => {
                for page in &pages.pages {
                    let page = Value::Object(page.clone());
                    match self.search(&page) {
                        Ok(value) => text.push_str(&sso_output::render_yaml_stream_page(&value)),
                        Err(error) => return Err(self.partial(text, error)),
                    }
                }
            }
            format => {
                let full = Value::Object(paginator::full_result(pages, result_key));
                let value = self
                    .search(&full)
                    .map_err(|error| self.partial(String::new(), error))?;
                text = sso_output::render(format, &value, &self.options)
                    .map_err(|error| self.render_failure(String::new(), &error))?;
            }
        }
        Ok(self.rendered(text))
    }
}

fn query_error(error: &sso_output::QueryError) -> CliError {
    match error.cli_parameter_message() {
        Some(message) => CliError::ParamValidation(message),
        None => CliError::general(error.to_string()),
    }
}

/// Table width as `awscli/table.py` finds it: the width of the terminal on stdout
/// (`TIOCGWINSZ`), else 80. `COLUMNS` is deliberately not read: the AWS CLI ignores it.
fn terminal_width(context: &Context) -> usize {
    context.terminal.width().unwrap_or(80)
}

/// A span of whole seconds as people read it in messages: `45s`, `1m 24s`, `2h 03m`.
pub(crate) fn human_duration(seconds: u64) -> String {
    match (seconds / 3600, seconds % 3600 / 60, seconds % 60) {
        (0, 0, seconds) => format!("{seconds}s"),
        (0, minutes, seconds) => format!("{minutes}m {seconds:02}s"),
        (hours, minutes, _) => format!("{hours}h {minutes:02}m"),
    }
}

/// Writes the output: through the pager when one applies, else to stdout.
pub(crate) fn emit(rendered: Rendered, context: &Context) -> Result<(), CliError> {
    let paged = !rendered.text.is_empty()
        && rendered
            .pager
            .as_deref()
            .is_some_and(|pager| page(pager, &rendered.text, context));
    if !paged {
        context.terminal.stdout(&rendered.text);
    }
    if rendered.final_reset {
        // colorama's `atexit` reset, which the AWS CLI writes to the terminal at exit.
        context.terminal.stdout("\u{1b}[0m");
    }
    Ok(())
}

/// Runs the pager with the text on its stdin; `false` if it could not be started.
fn page(pager: &str, text: &str, context: &Context) -> bool {
    let mut command = Command::new("sh");
    command.arg("-c").arg(pager).stdin(Stdio::piped());
    if context.env.get("LESS").is_none() {
        // The AWS CLI sets LESS=FRX: quit if one screen, raw colours, keep the screen.
        command.env("LESS", "FRX");
    }
    let Ok(mut child) = command.spawn() else {
        return false;
    };
    if let Some(mut stdin) = child.stdin.take() {
        let _ = stdin.write_all(text.as_bytes());
    }
    let _ = child.wait();
    true
}
