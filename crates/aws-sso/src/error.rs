//! The one place where a failure becomes an error message and an exit code.
//!
//! Library crates return typed errors that say which [`ExitClass`] they belong to (and, for the
//! AWS CLI's `An error occurred (CODE): ...` lines, which code). Commands convert them into
//! [`CliError`] with `?`; `lib.rs` calls [`CliError::render`] once and exits with
//! [`CliError::exit_code`]. The texts follow AWS CLI v2 ≥ 2.34 (spec cli-behavior §6.5): a blank
//! line, then `aws: [ERROR]: ` and the message. We keep the `aws: [ERROR]:` prefix, although the
//! command is `aws-sso`, because scripts that wrap `aws sso` match on it.

use std::fmt::Write as _;

pub(crate) use sso_core::ErrorFormat;
use sso_core::ExitClass;

/// Every way a run of aws-sso can fail.
#[derive(Debug)]
pub(crate) enum CliError {
    /// A command-line error found by the argument parser (argparse in the AWS CLI). The usage
    /// block follows the message.
    Usage(String),
    /// An option the parser does not know: the usage block comes first (AWS CLI v2 order).
    UnknownOptions(String),
    /// A parameter the service model rejects (botocore ParamValidation), exit 252.
    ParamValidation(String),
    /// Ctrl-C ended a command that saves its progress first: the message says what was kept
    /// and how to continue. Exit 130, as for any interrupt.
    Interrupted(String),
    /// A classified failure from a library crate or a command.
    Failure {
        /// Which exit code it gets.
        class: ExitClass,
        /// The code in `An error occurred (CODE): ...`, when the AWS CLI prints one.
        code: Option<String>,
        /// The message.
        message: String,
        /// Extra lines printed after the message (e.g. `Additional error details:`).
        details: Option<String>,
        /// The chain of underlying causes (`Error::source`), printed under `--debug` only.
        causes: Vec<String>,
    },
}

impl CliError {
    /// A failure with no AWS error code, printed as `aws: [ERROR]: MESSAGE`.
    pub(crate) fn general(message: impl Into<String>) -> Self {
        Self::Failure {
            class: ExitClass::General,
            code: None,
            message: message.into(),
            details: None,
            causes: Vec::new(),
        }
    }

    /// The underlying causes of a library failure, outermost first (for `--debug`).
    pub(crate) fn causes(&self) -> &[String] {
        match self {
            Self::Failure { causes, .. } => causes,
            _ => &[],
        }
    }

    /// `aws configure export-credentials`' wrapping of a credential-resolution failure: a
    /// ConfigurationError (exit 253).
    pub(crate) fn unable_to_retrieve(message: &str) -> Self {
        Self::configuration(format!("Unable to retrieve credentials: {message}"))
    }

    /// The AWS CLI's ConfigurationError (exit 253): `An error occurred (Configuration): …`.
    pub(crate) fn configuration(message: impl Into<String>) -> Self {
        Self::Failure {
            class: ExitClass::Configuration,
            code: Some("Configuration".to_owned()),
            message: message.into(),
            details: None,
            causes: Vec::new(),
        }
    }

    /// Adds a line after the message saying how to fix the problem (text formats only; the
    /// structured formats keep the AWS CLI's `Code` and `Message`).
    pub(crate) fn with_hint(mut self, hint: &str) -> Self {
        if let Self::Failure { details, .. } = &mut self {
            details
                .get_or_insert_with(String::new)
                .push_str(&format!("\n{hint}"));
        }
        self
    }

    /// The process exit code.
    pub(crate) const fn exit_code(&self) -> u8 {
        match self {
            Self::Usage(_) | Self::UnknownOptions(_) | Self::ParamValidation(_) => {
                ExitClass::Usage.code()
            }
            Self::Failure { class, .. } => class.code(),
            Self::Interrupted(_) => INTERRUPTED_EXIT_CODE,
        }
    }

    /// The full stderr text for this error in the given format.
    pub(crate) fn render(&self, format: ErrorFormat) -> String {
        let mut out = String::new();
        match self {
            // AWS CLI v2 2.36: a blank line, the usage, two blank lines, then the error.
            Self::UnknownOptions(options) => {
                let _ = write!(
                    out,
                    "\n{USAGE}\n\n{}Unknown options: {options}\n",
                    prefix(format)
                );
            }
            // AWS CLI v2 (cli-behavior §6.5) classes argument errors as parameter validation;
            // the legacy format (v1, v2 before 2.34) prints them bare.
            Self::Usage(message) => {
                let class = match format {
                    ErrorFormat::Legacy => "",
                    _ => "An error occurred (ParamValidation): ",
                };
                let _ = write!(out, "\n{}{class}{message}\n\n{USAGE}", prefix(format));
            }
            Self::Interrupted(message) => {
                let _ = writeln!(out, "{message}");
            }
            Self::ParamValidation(message) => {
                out.push_str(&render_failure(
                    format,
                    Some("ParamValidation"),
                    message,
                    None,
                ));
            }
            Self::Failure {
                code,
                message,
                details,
                ..
            } => out.push_str(&render_failure(
                format,
                code.as_deref(),
                message,
                details.as_deref(),
            )),
        }
        out
    }
}

/// The exit status of a run ended by Ctrl-C (128 + SIGINT), as the AWS CLI exits.
pub(crate) const INTERRUPTED_EXIT_CODE: u8 = 130;

/// The usage block printed with argument errors (AWS CLI wording, our command name).
pub(crate) const USAGE: &str = "\
usage: aws-sso [options] <command> [parameters]
To see help text, you can run:

  aws-sso --help
  aws-sso <command> --help
";

fn prefix(format: ErrorFormat) -> &'static str {
    match format {
        ErrorFormat::Legacy => "aws: error: ",
        _ => "aws: [ERROR]: ",
    }
}

fn render_failure(
    format: ErrorFormat,
    code: Option<&str>,
    message: &str,
    details: Option<&str>,
) -> String {
    let headline = match code {
        Some(code) if !message.starts_with("An error occurred (") => {
            format!("An error occurred ({code}): {message}")
        }
        _ => message.to_owned(),
    };
    // AWS CLI v2 strips the whole error text and then writes one newline, so an empty OIDC
    // error message leaves no trailing space.
    // An error with an empty message (OAuth-style OIDC errors) ends its line at the colon, and
    // AWS CLI v2 leaves one blank line before the details that follow.
    let text = match details {
        Some(details) if headline.ends_with(": ") => {
            format!("{}\n{details}", headline.trim_end())
        }
        _ => format!("{headline}{}", details.unwrap_or_default()),
    };
    let text = visible_controls(text.trim_end());
    let text = text.as_str();
    match format {
        ErrorFormat::Enhanced => format!("\naws: [ERROR]: {text}\n"),
        ErrorFormat::Legacy => format!("\n{text}\n"),
        structured => {
            let mut document = serde_json::Map::new();
            document.insert("Code".into(), code.unwrap_or("Unknown").into());
            document.insert("Message".into(), message.into());
            let value = serde_json::Value::Object(document);
            let (output, title) = match structured {
                ErrorFormat::Yaml => (sso_output::OutputFormat::Yaml, ""),
                ErrorFormat::Text => (sso_output::OutputFormat::Text, ""),
                ErrorFormat::Table => (sso_output::OutputFormat::Table, "Error"),
                _ => (sso_output::OutputFormat::Json, ""),
            };
            let options = sso_output::RenderOptions {
                title: title.to_owned(),
                ..sso_output::RenderOptions::default()
            };
            sso_output::render(output, &value, &options).unwrap_or_else(|_| format!("{headline}\n"))
        }
    }
}

/// Control characters other than line breaks and tabs, which can arrive in names from a config
/// file or the command line, written as `\xNN` so an error line cannot move the cursor, clear
/// the screen or fake other output.
fn visible_controls(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\n' | '\t' => c.to_string(),
            c if c.is_control() => format!("\\x{:02x}", u32::from(c)),
            c => c.to_string(),
        })
        .collect()
}

/// The messages of `error`'s sources, outermost first.
fn causes_of(error: &dyn std::error::Error) -> Vec<String> {
    std::iter::successors(error.source(), |cause| cause.source())
        .map(ToString::to_string)
        .collect()
}

impl From<sso_config::ConfigError> for CliError {
    fn from(error: sso_config::ConfigError) -> Self {
        Self::Failure {
            class: error.exit_class(),
            code: error.aws_code().map(str::to_owned),
            message: error.to_string(),
            details: None,
            causes: causes_of(&error),
        }
    }
}

impl From<sso_client::ClientError> for CliError {
    fn from(error: sso_client::ClientError) -> Self {
        let details = error
            .service_error()
            .and_then(sso_client::ServiceError::additional_details);
        Self::Failure {
            class: error.exit_class(),
            code: error.code().map(str::to_owned),
            message: error.to_string(),
            details,
            causes: causes_of(&error),
        }
    }
}

impl From<sso_client::PaginationError> for CliError {
    fn from(error: sso_client::PaginationError) -> Self {
        Self::Failure {
            class: error.exit_class(),
            code: error.aws_code().map(str::to_owned),
            message: error.to_string(),
            details: None,
            causes: Vec::new(),
        }
    }
}

impl From<sso_cache::CacheError> for CliError {
    fn from(error: sso_cache::CacheError) -> Self {
        Self::Failure {
            class: error.exit_class(),
            code: None,
            message: error.to_string(),
            details: None,
            causes: causes_of(&error),
        }
    }
}

impl From<sso_auth::AuthError> for CliError {
    fn from(error: sso_auth::AuthError) -> Self {
        use sso_auth::AuthError;
        match error {
            AuthError::Client(error) => error.into(),
            AuthError::Cache(error) => error.into(),
            AuthError::Config(error) => error.into(),
            other => Self::Failure {
                class: other.exit_class(),
                code: other.aws_code().map(str::to_owned),
                message: other.to_string(),
                details: None,
                causes: causes_of(&other),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn configuration(code: &str, message: &str) -> CliError {
        CliError::Failure {
            class: ExitClass::Configuration,
            code: Some(code.to_owned()),
            message: message.to_owned(),
            details: None,
            causes: Vec::new(),
        }
    }

    #[test]
    fn an_empty_service_message_ends_the_line_at_the_colon_before_the_details() {
        let denied = CliError::Failure {
            class: ExitClass::Service,
            code: Some("AccessDeniedException".into()),
            message:
                "An error occurred (AccessDeniedException) when calling the CreateToken operation: "
                    .into(),
            details: Some("\nAdditional error details:\nerror: access_denied".into()),
            causes: Vec::new(),
        };
        assert_eq!(
            denied.render(ErrorFormat::Enhanced),
            "\naws: [ERROR]: An error occurred (AccessDeniedException) when calling the CreateToken operation:\n\nAdditional error details:\nerror: access_denied\n"
        );
    }

    #[test]
    fn control_characters_in_messages_are_made_visible() {
        let error = CliError::general("The config profile (de\u{1b}[2Jv\r) could not be found");
        assert_eq!(
            error.render(ErrorFormat::Enhanced),
            "\naws: [ERROR]: The config profile (de\\x1b[2Jv\\x0d) could not be found\n"
        );
        assert_eq!(
            CliError::general("two\nlines").render(ErrorFormat::Legacy),
            "\ntwo\nlines\n"
        );
    }

    #[test]
    fn exit_codes_follow_the_aws_cli() {
        assert_eq!(CliError::Usage("x".into()).exit_code(), 252);
        assert_eq!(CliError::UnknownOptions("--x".into()).exit_code(), 252);
        assert_eq!(CliError::ParamValidation("x".into()).exit_code(), 252);
        assert_eq!(configuration("NoRegion", "x").exit_code(), 253);
        assert_eq!(CliError::general("x").exit_code(), 255);
    }

    #[test]
    fn enhanced_lines_match_aws_cli_v2() {
        let no_region = configuration(
            "NoRegion",
            "You must specify a region. You can also configure your region by running \"aws configure\".",
        );
        assert_eq!(
            no_region.render(ErrorFormat::Enhanced),
            "\naws: [ERROR]: An error occurred (NoRegion): You must specify a region. You can also configure your region by running \"aws configure\".\n"
        );
        assert_eq!(
            CliError::general("The config profile (nope) could not be found")
                .render(ErrorFormat::Enhanced),
            "\naws: [ERROR]: The config profile (nope) could not be found\n"
        );
        assert_eq!(
            CliError::UnknownOptions("--bogus".into()).render(ErrorFormat::Enhanced),
            format!("\n{USAGE}\n\naws: [ERROR]: Unknown options: --bogus\n")
        );
    }

    #[test]
    fn library_errors_keep_their_causes() {
        let io = std::io::Error::new(std::io::ErrorKind::PermissionDenied, "denied by test");
        let error: CliError = sso_cache::CacheError::Io {
            action: "read",
            path: "/x/token.json".into(),
            source: io,
        }
        .into();
        assert_eq!(error.causes(), ["denied by test"]);
        let auth: CliError = sso_auth::AuthError::CallbackBind(std::io::Error::new(
            std::io::ErrorKind::AddrInUse,
            "in use",
        ))
        .into();
        assert_eq!(auth.causes(), ["in use"]);
        assert_eq!(auth.exit_code(), 255);
    }

    #[test]
    fn legacy_format_drops_the_prefix() {
        assert_eq!(
            CliError::general("boom").render(ErrorFormat::Legacy),
            "\nboom\n"
        );
    }
}
