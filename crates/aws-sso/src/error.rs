//! The one place where a failure becomes an error message and an exit code.
//!
//! Library crates return typed errors that say which [`ExitClass`] they belong to (and, for the
//! AWS CLI's `An error occurred (CODE): ...` lines, which code). Commands convert them into
//! [`CliError`] with `?`; `lib.rs` calls [`CliError::render`] once and exits with
//! [`CliError::exit_code`]. The texts follow AWS CLI v2 ≥ 2.34 (spec cli-behavior §6.5): a blank
//! line, then `aws: [ERROR]: ` and the message. We keep the `aws: [ERROR]:` prefix, although the
//! command is `aws-sso`, because scripts that wrap `aws sso` match on it.
//!
//! `--cli-error-format` works as awscli's `errorhandler.py` has it: errors with a code
//! (parameter validation, configuration, service errors) become an error dict that the
//! structured formats (json, yaml, text, table) print instead of the line, and that `legacy`
//! prints as its bare message; every other error is the plain line in every format. An unknown
//! option is always the usage and the line.

use serde_json::{Map, Value};
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
    /// The command has already said everything (on stdout); only the exit status is left.
    Quiet(u8),
    /// A classified failure from a library crate or a command.
    Failure {
        /// Which exit code it gets.
        class: ExitClass,
        /// The code in `An error occurred (CODE): ...`, when the AWS CLI prints one.
        code: Option<String>,
        /// The message.
        message: String,
        /// AWS CLI v2's `Additional error details:` block (the enhanced format only).
        details: Option<String>,
        /// Lines of ours after the message saying how to fix it (the line formats only).
        hint: Option<String>,
        /// The error dict the structured formats print for a service error (botocore's
        /// `Error` plus the modelled members); other coded errors print `Code` and `Message`.
        info: Option<Box<Map<String, Value>>>,
        /// The chain of underlying causes (`Error::source`), printed under `--debug` only.
        causes: Box<[String]>,
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
            hint: None,
            info: None,
            causes: Box::default(),
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
            hint: None,
            info: None,
            causes: Box::default(),
        }
    }

    /// Adds a line after the message saying how to fix the problem (text formats only; the
    /// structured formats keep the AWS CLI's `Code` and `Message`).
    pub(crate) fn with_hint(mut self, line: &str) -> Self {
        if let Self::Failure { hint, .. } = &mut self {
            hint.get_or_insert_with(String::new)
                .push_str(&format!("\n{line}"));
        }
        self
    }

    /// The error's text without the `aws: [ERROR]: ` framing, for use inside another message
    /// (a warning, a JSON answer to an SDK).
    pub(crate) fn summary(&self) -> String {
        let line = self.render(ErrorFormat::Enhanced);
        let text = line.trim();
        text.strip_prefix("aws: [ERROR]: ")
            .unwrap_or(text)
            .to_owned()
    }

    /// The process exit code.
    pub(crate) const fn exit_code(&self) -> u8 {
        match self {
            Self::Usage(_) | Self::UnknownOptions(_) | Self::ParamValidation(_) => {
                ExitClass::Usage.code()
            }
            Self::Failure { class, .. } => class.code(),
            Self::Interrupted(_) => INTERRUPTED_EXIT_CODE,
            Self::Quiet(code) => *code,
        }
    }

    /// The full stderr text for this error in the given format.
    pub(crate) fn render(&self, format: ErrorFormat) -> String {
        match self {
            // awscli `UnknownArgumentErrorHandler`: the same in every format.
            Self::UnknownOptions(options) => {
                format!(
                    "\n{USAGE}\n{}",
                    error_line(&format!("Unknown options: {options}"))
                )
            }
            // argparse's message with the usage after it is the ParamValidation message.
            Self::Usage(message) => coded(
                format,
                "ParamValidation",
                &format!("{message}\n\n{USAGE}"),
                None,
            ),
            Self::ParamValidation(message) => coded(format, "ParamValidation", message, None),
            Self::Interrupted(message) => format!("{message}\n"),
            Self::Quiet(_) => String::new(),
            Self::Failure {
                class: ExitClass::Service,
                code,
                message,
                details,
                hint,
                info,
                ..
            } => {
                let hint = hint.as_deref().unwrap_or_default();
                match format {
                    ErrorFormat::Enhanced => {
                        // An error with an empty message (OAuth-style OIDC errors) ends its line
                        // at the colon, and v2 leaves one blank line before the details.
                        let text = match details {
                            Some(details) if message.ends_with(": ") => {
                                format!("{}\n{details}", message.trim_end())
                            }
                            _ => format!("{message}{}", details.as_deref().unwrap_or_default()),
                        };
                        error_line(&format!("{text}{hint}"))
                    }
                    ErrorFormat::Legacy => error_line(&format!("{message}{hint}")),
                    structured => {
                        let info = info.as_deref().cloned().unwrap_or_else(|| {
                            dict(&[
                                ("Message", message),
                                ("Code", code.as_deref().unwrap_or("")),
                            ])
                        });
                        render_structured(structured, &info)
                    }
                }
            }
            Self::Failure {
                code: Some(code),
                message,
                hint,
                ..
            } => coded(format, code, message, hint.as_deref()),
            Self::Failure {
                code: None,
                message,
                hint,
                ..
            } => error_line(&format!("{message}{}", hint.as_deref().unwrap_or_default())),
        }
    }
}

/// The usage block printed with argument errors (AWS CLI wording, our command name).
pub(crate) const USAGE: &str = "\
usage: aws-sso [options] <command> [parameters]
To see help text, you can run:

  aws-sso --help
  aws-sso <command> --help
";

/// The exit status of a run ended by Ctrl-C (128 + SIGINT), as the AWS CLI exits.
pub(crate) const INTERRUPTED_EXIT_CODE: u8 = 130;

/// awscli `errorformat.write_error`: a blank line, the prefix, the stripped message, a newline.
fn error_line(message: &str) -> String {
    let message = visible_controls(message.trim());
    if message.is_empty() {
        "\naws: [ERROR]:\n".to_owned()
    } else {
        format!("\naws: [ERROR]: {message}\n")
    }
}

/// An error with a code but no service behind it (awscli's `FilteredExceptionHandler`):
/// `An error occurred (CODE): MESSAGE`, the bare message in the legacy format, `Code` and
/// `Message` in the structured ones.
fn coded(format: ErrorFormat, code: &str, message: &str, hint: Option<&str>) -> String {
    let hint = hint.unwrap_or_default();
    match format {
        ErrorFormat::Enhanced => {
            let headline = if message.starts_with("An error occurred (") {
                message.to_owned()
            } else {
                format!("An error occurred ({code}): {message}")
            };
            error_line(&format!("{headline}{hint}"))
        }
        ErrorFormat::Legacy => error_line(&format!("{message}{hint}")),
        structured => render_structured(structured, &dict(&[("Code", code), ("Message", message)])),
    }
}

fn dict(pairs: &[(&str, &str)]) -> Map<String, Value> {
    pairs
        .iter()
        .map(|(key, value)| ((*key).to_owned(), Value::String((*value).to_owned())))
        .collect()
}

/// awscli `formatter('error', error_info, stderr)`: the output formatter of that name, with
/// `error` as the table's title.
fn render_structured(format: ErrorFormat, info: &Map<String, Value>) -> String {
    let (output, title) = match format {
        ErrorFormat::Yaml => (sso_output::OutputFormat::Yaml, ""),
        ErrorFormat::Text => (sso_output::OutputFormat::Text, ""),
        ErrorFormat::Table => (sso_output::OutputFormat::Table, "error"),
        _ => (sso_output::OutputFormat::Json, ""),
    };
    let options = sso_output::RenderOptions {
        title: title.to_owned(),
        ..sso_output::RenderOptions::default()
    };
    let value = Value::Object(info.clone());
    let text =
        sso_output::render(output, &value, &options).unwrap_or_else(|_| value.to_string() + "\n");
    match output {
        // JSON and YAML escape control characters themselves.
        sso_output::OutputFormat::Text | sso_output::OutputFormat::Table => visible_controls(&text),
        _ => text,
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
fn causes_of(error: &dyn std::error::Error) -> Box<[String]> {
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
            hint: None,
            info: None,
            causes: causes_of(&error),
        }
    }
}

impl From<sso_config::writer::WriteError> for CliError {
    fn from(error: sso_config::writer::WriteError) -> Self {
        use sso_config::writer::WriteError;
        match error {
            WriteError::Parse(error) => Self::from(error)
                .with_hint("Fix that line and run the command again; nothing was written."),
            other => Self::general(other.to_string()),
        }
    }
}

impl From<sso_client::ClientError> for CliError {
    fn from(error: sso_client::ClientError) -> Self {
        let service = error.service_error();
        Self::Failure {
            class: error.exit_class(),
            code: error.code().map(str::to_owned),
            message: error.to_string(),
            details: service.and_then(sso_client::ServiceError::additional_details),
            hint: None,
            info: service.map(|service| Box::new(service.error_info())),
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
            hint: None,
            info: None,
            causes: Box::default(),
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
            hint: None,
            info: None,
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
            // v2's line names no cause; say what happened and what to do.
            AuthError::Denied => Self::general(AuthError::Denied.to_string()).with_hint(
                "The sign-in was refused in the browser (Deny was chosen, or the sign-in page refused the request). Run the login again and choose Allow.",
            ),
            other => Self::Failure {
                class: other.exit_class(),
                code: other.aws_code().map(str::to_owned),
                message: other.to_string(),
                details: None,
                hint: None,
                info: None,
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
            hint: None,
            info: None,
            causes: Box::default(),
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
            hint: None,
            info: None,
            causes: Box::default(),
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
            "\naws: [ERROR]: two\nlines\n"
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
    fn legacy_keeps_the_prefix_and_drops_the_code_as_v2_does() {
        assert_eq!(
            CliError::general("boom").render(ErrorFormat::Legacy),
            "\naws: [ERROR]: boom\n"
        );
        assert_eq!(
            configuration("NoRegion", "You must specify a region.").render(ErrorFormat::Legacy),
            "\naws: [ERROR]: You must specify a region.\n"
        );
        assert_eq!(
            CliError::Usage("argument --profile: expected one argument".into())
                .render(ErrorFormat::Legacy),
            format!("\naws: [ERROR]: argument --profile: expected one argument\n\n{USAGE}")
        );
    }

    #[test]
    fn structured_formats_print_the_error_dict_and_plain_errors_stay_lines() {
        let service: CliError = sso_client::ClientError::Service(sso_client::ServiceError {
            code: "UnauthorizedException".into(),
            message: "Session token not found or invalid".into(),
            operation: sso_client::Operation::ListAccounts,
            status: 401,
            retries_reached: Some(2),
            extra: vec![(
                "message".into(),
                "Session token not found or invalid".into(),
            )],
            request_id: None,
        })
        .into();
        let service = service.with_hint("To sign in, run: aws-sso login --profile dev");
        assert_eq!(
            service.render(ErrorFormat::Json),
            "{\n    \"Message\": \"Session token not found or invalid\",\n    \"Code\": \"UnauthorizedException\",\n    \"message\": \"Session token not found or invalid\"\n}\n"
        );
        assert_eq!(
            service.render(ErrorFormat::Legacy),
            "\naws: [ERROR]: An error occurred (UnauthorizedException) when calling the ListAccounts operation (reached max retries: 2): Session token not found or invalid\nTo sign in, run: aws-sso login --profile dev\n"
        );
        let usage: Value = serde_json::from_str(
            &CliError::Usage("argument --x: bad".into()).render(ErrorFormat::Json),
        )
        .unwrap();
        assert_eq!(
            usage,
            serde_json::json!({"Code": "ParamValidation", "Message": format!("argument --x: bad\n\n{USAGE}")})
        );
        assert!(
            configuration("NoRegion", "x")
                .render(ErrorFormat::Table)
                .lines()
                .nth(1)
                .is_some_and(|title| title.trim_matches(['|', ' ']) == "error"),
            "the table is titled `error`, as awscli's formatter('error', …) titles it"
        );
        assert_eq!(
            configuration("NoRegion", "You must specify a region.").render(ErrorFormat::Text),
            "NoRegion\tYou must specify a region.\n"
        );
        // awscli's GeneralExceptionHandler: no structure, whatever the format.
        assert_eq!(
            CliError::general("The config profile (nope) could not be found")
                .render(ErrorFormat::Json),
            "\naws: [ERROR]: The config profile (nope) could not be found\n"
        );
        assert_eq!(
            CliError::UnknownOptions("--bogus".into()).render(ErrorFormat::Json),
            format!("\n{USAGE}\n\naws: [ERROR]: Unknown options: --bogus\n")
        );
    }
}
