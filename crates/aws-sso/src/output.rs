//! Printing API results the way the AWS CLI does: `--output`, `--query`, per-page text output,
//! colour and the pager.
//!
//! The formats themselves are `sso-output`'s (a pure library); this module decides what to feed
//! it — the aggregated result for json/table/yaml, each page for text and yaml-stream (AWS CLI
//! `formatter.py`) — and where the bytes go: stdout, or the pager when stdout is a terminal.

use std::io::{IsTerminal as _, Write as _};
use std::process::{Command, Stdio};

use serde_json::Value;
use sso_core::env::vars;
use sso_output::{OutputFormat, Query, RenderOptions};

use crate::Context;
use crate::cli::{Color, GlobalArgs};
use crate::commands::paging::{self, Pages};
use crate::error::CliError;
use crate::settings::Resolved;

/// Output settings of one API command run.
pub(crate) struct Renderer {
    format: OutputFormat,
    query: Option<Query>,
    options: RenderOptions,
    pager: Option<String>,
}

/// Text ready for stdout, and whether it may go through the pager.
pub(crate) struct Rendered {
    text: String,
    pager: Option<String>,
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
        let format = resolved
            .settings
            .output
            .as_str()
            .parse::<OutputFormat>()
            .map_err(|error| CliError::general(error.to_string()))?;
        let query = global
            .query
            .as_deref()
            .map(Query::parse)
            .transpose()
            .map_err(|error| query_error(&error))?;
        let terminal = std::io::stdout().is_terminal();
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

    fn search(&self, value: &Value) -> Result<Value, CliError> {
        match &self.query {
            Some(query) => query.search(value).map_err(|error| query_error(&error)),
            None => Ok(value.clone()),
        }
    }

    /// A single (non-paginated) response.
    pub(crate) fn single(&self, response: &Value) -> Result<Rendered, CliError> {
        let value = self.search(response)?;
        let text = sso_output::render(self.format, &value, &self.options).map_err(render_error)?;
        Ok(Rendered {
            text,
            pager: self.pager.clone(),
        })
    }

    /// A paginated listing.
    pub(crate) fn paginated(&self, pages: &Pages, result_key: &str) -> Result<Rendered, CliError> {
        let text = match self.format {
            OutputFormat::Text => {
                let mut text = String::new();
                for page in &pages.pages {
                    let mut current = serde_json::Map::new();
                    current.insert(
                        result_key.to_owned(),
                        page.get(result_key).cloned().unwrap_or(Value::Null),
                    );
                    let value = self.search(&Value::Object(current))?;
                    text.push_str(&sso_output::render_text_page(&value).map_err(render_error)?);
                }
                if let Some(token) = &pages.resume_token {
                    let value = self.search(&sso_output::text_next_token_page(token))?;
                    text.push_str(&sso_output::render_text_page(&value).map_err(render_error)?);
                }
                text
            }
            OutputFormat::YamlStream => {
                let mut text = String::new();
                for page in &pages.pages {
                    let value = self.search(&Value::Object(page.clone()))?;
                    text.push_str(&sso_output::render_yaml_stream_page(&value));
                }
                text
            }
            format => {
                let full = Value::Object(paging::full_result(pages, result_key));
                let value = self.search(&full)?;
                sso_output::render(format, &value, &self.options).map_err(render_error)?
            }
        };
        Ok(Rendered {
            text,
            pager: self.pager.clone(),
        })
    }
}

fn query_error(error: &sso_output::QueryError) -> CliError {
    match error.cli_parameter_message() {
        Some(message) => CliError::ParamValidation(message),
        None => CliError::general(error.to_string()),
    }
}

fn render_error(error: sso_output::RenderError) -> CliError {
    CliError::general(error.to_string())
}

/// Table width as Python's `shutil.get_terminal_size` (which the AWS CLI uses) finds it:
/// `COLUMNS` when set, else the terminal's width, else 80.
fn terminal_width(context: &Context) -> usize {
    context
        .env
        .non_empty(vars::COLUMNS)
        .and_then(|c| c.trim().parse::<usize>().ok())
        .filter(|&c| c > 0)
        .or_else(|| {
            terminal_size::terminal_size_of(std::io::stdout())
                .map(|(width, _)| usize::from(width.0))
                .filter(|&w| w > 0)
        })
        .unwrap_or(80)
}

/// Writes the output: through the pager when one applies, else to stdout.
pub(crate) fn emit(rendered: Rendered, context: &Context) -> Result<(), CliError> {
    if rendered.text.is_empty() {
        return Ok(());
    }
    if let Some(pager) = rendered.pager.as_deref()
        && page(pager, &rendered.text, context)
    {
        return Ok(());
    }
    let _ = context.printer.stdout(&rendered.text);
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
