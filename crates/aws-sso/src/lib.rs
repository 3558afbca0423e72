//! The `aws-sso` binary as a library: argument parsing, the run context, and command dispatch.
//!
//! [`main`] is the whole program: it parses the command line, takes the one snapshot of the
//! environment, builds the [`Context`] of side-effect seams (environment, clock, sleeper, HTTP
//! transport, browser, terminal, cache location), runs the command and renders any error once
//! (`error.rs`). Commands live in `commands/`, one file per `aws sso` command; they take
//! resolved inputs and call the libraries (`sso-auth` for signing in and tokens), writing only
//! through the context's [`Terminal`].

mod cli;
mod commands;
mod error;
mod output;
mod printer;
mod prompt;
mod settings;

use std::ffi::OsString;
use std::process::ExitCode;
use std::sync::Arc;

use clap::error::{ContextKind, ContextValue, ErrorKind};
use sso_auth::{Browser, SystemBrowser};
use sso_cache::Cache;
use sso_client::{Transport, TransportOptions, UreqTransport};
use sso_core::{Clock, Env, FixedClock, Sleeper, SystemClock, SystemSleeper, Terminal};

pub use cli::Cli;
use error::{CliError, ErrorFormat};
use printer::Printer;

/// Builds the HTTP transport once the settings (timeouts, CA bundle, proxies) are known.
pub type Connect = dyn Fn(&TransportOptions) -> Arc<dyn Transport> + Send + Sync;

/// The side-effect seams of one run, built once in [`main`] and passed down.
pub struct Context {
    /// The environment snapshot.
    pub env: Env,
    /// The clock (`AWS_SSO_TEST_NOW` pins it in tests).
    pub clock: Arc<dyn Clock>,
    /// Waiting: retry backoff and device-code polling.
    pub sleeper: Arc<dyn Sleeper>,
    /// Terminal output and input.
    pub terminal: Arc<dyn Terminal>,
    /// Opens URLs for login.
    pub browser: Arc<dyn Browser>,
    /// The HTTP transport, built from the resolved settings.
    pub connect: Arc<Connect>,
    /// The caches under `HOME`; `None` when `HOME` is not set (reported when a command needs
    /// them, not before).
    cache: Option<Cache>,
    /// How errors are printed; starts from `--cli-error-format` / `AWS_CLI_ERROR_FORMAT` and
    /// takes the profile's `cli_error_format` into account once the config has been read.
    error_format: std::sync::Mutex<ErrorFormat>,
    /// Whether the clock-skew warning has been given (once per run).
    skew_warned: Arc<std::sync::atomic::AtomicBool>,
    /// Asks the `configure` wizards' questions (only used when stdin is a terminal).
    prompter: Arc<dyn prompt::Prompter>,
}

/// Runs aws-sso with the given arguments (including the program name) and returns the exit code.
pub fn main(args: impl IntoIterator<Item = OsString>) -> ExitCode {
    let env = Env::from_process();
    let args = help_word_to_flag(args.into_iter().collect());
    let cli = match Cli::parse_args(args.clone()) {
        Ok(cli) => cli,
        Err(error) => return clap_failure(&error, &args, &env),
    };
    let printer = Printer::new(cli.global.debug);
    if cli.global.version {
        printer.stdout(&format!("{}\n", cli::version_line()));
        return ExitCode::SUCCESS;
    }
    let clock: Arc<dyn Clock> = match test_clock(&env) {
        Ok(clock) => clock,
        Err(error) => return report(&error, ErrorFormat::default(), &printer),
    };
    let error_format = settings::error_format(&cli.global, &env);
    let context = Context {
        clock,
        sleeper: Arc::new(SystemSleeper::new()),
        terminal: Arc::new(printer),
        browser: Arc::new(SystemBrowser::from_env(&env)),
        connect: Arc::new(|options: &TransportOptions| {
            Arc::new(UreqTransport::new(options)) as Arc<dyn Transport>
        }),
        cache: Cache::from_env(&env).ok(),
        env,
        error_format: std::sync::Mutex::new(error_format),
        skew_warned: Arc::default(),
        prompter: Arc::new(prompt::TerminalPrompter),
    };
    match commands::run(cli, &context) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => report(&error, context.error_format(), context.terminal.as_ref()),
    }
}

impl Context {
    /// How errors are printed now.
    pub(crate) fn error_format(&self) -> ErrorFormat {
        *self
            .error_format
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Switches the error format (once the profile's `cli_error_format` is known).
    pub(crate) fn set_error_format(&self, format: ErrorFormat) {
        *self
            .error_format
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = format;
    }

    /// The caches under `HOME`.
    pub(crate) fn cache(&self) -> Result<&Cache, CliError> {
        self.cache
            .as_ref()
            .ok_or_else(|| sso_cache::CacheError::NoHome.into())
    }
}

/// Prints the error once (with its causes under `--debug`) and returns its exit code.
fn report(error: &CliError, format: ErrorFormat, terminal: &dyn Terminal) -> ExitCode {
    terminal.stderr(&error.render(format));
    if terminal.debug_enabled() {
        for cause in error.causes() {
            terminal.debug_line(&format!("Caused by: {cause}"));
        }
    }
    ExitCode::from(error.exit_code())
}

/// `AWS_SSO_TEST_NOW` (hidden, for tests) pins the clock to an RFC 3339 instant.
fn test_clock(env: &Env) -> Result<Arc<dyn Clock>, CliError> {
    match env.non_empty(sso_core::env::vars::AWS_SSO_TEST_NOW) {
        None => Ok(Arc::new(SystemClock)),
        Some(raw) => raw
            .parse::<jiff::Timestamp>()
            .map(|now| Arc::new(FixedClock(now)) as Arc<dyn Clock>)
            .map_err(|error| {
                CliError::general(format!(
                    "AWS_SSO_TEST_NOW must be an RFC 3339 timestamp such as 2026-01-02T03:04:05Z, got `{raw}`: {error}"
                ))
            }),
    }
}

/// The AWS CLI takes `help` as a word (`aws sso login help`); clap wants `--help`. A trailing
/// `help` that is not the value of an option becomes `--help`.
fn help_word_to_flag(mut args: Vec<OsString>) -> Vec<OsString> {
    // `aws-sso help login` (git's order) means `aws-sso login --help` too.
    if args.len() == 3 && args[1] == "help" {
        let command = args.remove(2);
        args[1] = command;
        args.push(OsString::from("--help"));
        return args;
    }
    if args.len() >= 2 && args.last().is_some_and(|a| a == "help") {
        let previous = args[args.len() - 2].to_string_lossy().into_owned();
        if args.len() == 2 || !option_takes_value(&previous) {
            let last = args.len() - 1;
            args[last] = OsString::from("--help");
        }
    }
    args
}

/// The command of `args` that only groups others (`configure`), with the names of those, when
/// the command line names one.
fn command_group(args: &[OsString]) -> Option<(String, Vec<String>)> {
    use clap::CommandFactory as _;
    let mut rest = args.iter().skip(1).map(|arg| arg.to_string_lossy());
    let name = loop {
        let arg = rest.next()?;
        if arg.starts_with('-') {
            if option_takes_value(&arg) {
                rest.next();
            }
            continue;
        }
        break arg.into_owned();
    };
    let root = Cli::command();
    let group = root.find_subcommand(&name)?;
    let operations: Vec<String> = group
        .get_subcommands()
        .filter(|command| !command.is_hide_set())
        .map(|command| command.get_name().to_owned())
        .collect();
    (!operations.is_empty()).then_some((name, operations))
}

/// Whether `--name` (or an abbreviation of it, as argparse allows) is an option that takes a
/// value, according to the clap definition itself.
fn option_takes_value(arg: &str) -> bool {
    use clap::CommandFactory as _;
    let Some(name) = arg.strip_prefix("--").filter(|n| !n.contains('=')) else {
        return false;
    };
    let root = Cli::command();
    std::iter::once(&root)
        .chain(root.get_subcommands())
        .flat_map(clap::Command::get_arguments)
        .filter(|option| option.get_long().is_some_and(|long| long.starts_with(name)))
        .any(|option| option.get_action().takes_values())
}

/// Turns a clap parse failure into the AWS CLI's usage error (exit 252), or prints help.
fn clap_failure(error: &clap::Error, args: &[OsString], env: &Env) -> ExitCode {
    let printer = Printer::new(false);
    let cli_error = match error.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            // A closed pipe (`aws-sso --help | head`) is not worth a message.
            printer.stdout(&error.render().to_string());
            return ExitCode::SUCCESS;
        }
        ErrorKind::UnknownArgument => {
            CliError::UnknownOptions(context_string(error, ContextKind::InvalidArg))
        }
        ErrorKind::MissingRequiredArgument => {
            let missing = context_strings(error, ContextKind::InvalidArg)
                .into_iter()
                .map(|arg| arg.split_whitespace().next().unwrap_or_default().to_owned())
                .collect::<Vec<_>>()
                .join(", ");
            CliError::Usage(format!("the following arguments are required: {missing}"))
        }
        ErrorKind::MissingSubcommand | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            match command_group(args) {
                // `aws-sso configure` alone: name what it needs.
                Some((group, operations)) => CliError::Usage(format!(
                    "the following arguments are required: operation (aws-sso {group} {})",
                    operations.join("|")
                )),
                None => CliError::Usage("the following arguments are required: command".to_owned()),
            }
        }
        ErrorKind::InvalidSubcommand => {
            let given = context_string(error, ContextKind::InvalidSubcommand);
            let message = match command_group(args) {
                Some((_, operations)) => invalid_choice("operation", &given, &operations, None),
                None => invalid_choice("command", &given, &commands::command_names(), None),
            };
            CliError::Usage(message)
        }
        ErrorKind::InvalidValue => {
            let arg = context_string(error, ContextKind::InvalidArg);
            let arg = arg.split_whitespace().next().unwrap_or_default();
            let valid = context_strings(error, ContextKind::ValidValue);
            if valid.is_empty() {
                CliError::Usage(format!("argument {arg}: expected one argument"))
            } else {
                let given = context_string(error, ContextKind::InvalidValue);
                // Our addition, on a line of its own after v2's text: what would have worked.
                let hint = format!("Valid values: {}", valid.join(", "));
                CliError::Usage(invalid_choice(arg, &given, &valid, Some(&hint)))
            }
        }
        _ => {
            let rendered = error.render().to_string();
            let first = rendered.lines().next().unwrap_or_default();
            CliError::Usage(first.trim_start_matches("error: ").to_owned())
        }
    };
    let format = settings::error_format_from_env(env);
    report(&cli_error, format, &printer)
}

/// AWS CLI v2's argparse text for a value outside the choices (`awscli/argparser.py`
/// `_check_value`): `Found invalid choice 'X'`, then the close matches by similarity
/// (`difflib.get_close_matches`, cutoff 0.8).
fn invalid_choice(argument: &str, given: &str, choices: &[String], hint: Option<&str>) -> String {
    let mut parts = vec![format!("Found invalid choice '{given}'\n")];
    let close = sso_core::python::difflib::get_close_matches(
        given,
        choices.iter().map(String::as_str),
        3,
        0.8,
    );
    if !close.is_empty() {
        parts.push("Maybe you meant:\n".to_owned());
        parts.extend(close.iter().map(|name| format!("  * {name}")));
    }
    let mut message = format!("argument {argument}: {}", parts.join("\n"));
    if let Some(hint) = hint {
        let gap = if message.ends_with('\n') {
            "\n"
        } else {
            "\n\n"
        };
        message.push_str(&format!("{gap}{hint}"));
    }
    message
}

fn context_strings(error: &clap::Error, kind: ContextKind) -> Vec<String> {
    match error.get(kind) {
        Some(ContextValue::String(value)) => vec![value.clone()],
        Some(ContextValue::Strings(values)) => values.clone(),
        Some(other) => vec![other.to_string()],
        None => Vec::new(),
    }
}

fn context_string(error: &clap::Error, kind: ContextKind) -> String {
    context_strings(error, kind).join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(args: &[&str]) -> Vec<String> {
        help_word_to_flag(args.iter().map(OsString::from).collect())
            .into_iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect()
    }

    #[test]
    fn trailing_help_word_becomes_the_flag() {
        assert_eq!(words(&["aws-sso", "help"]), ["aws-sso", "--help"]);
        assert_eq!(
            words(&["aws-sso", "login", "help"]),
            ["aws-sso", "login", "--help"]
        );
        // A profile called `help` stays a profile.
        assert_eq!(
            words(&["aws-sso", "login", "--profile", "help"]),
            ["aws-sso", "login", "--profile", "help"]
        );
        assert_eq!(
            words(&["aws-sso", "login", "--no-browser", "help"]),
            ["aws-sso", "login", "--no-browser", "--help"]
        );
        assert_eq!(
            words(&["aws-sso", "help", "login"]),
            ["aws-sso", "login", "--help"]
        );
        // An abbreviated option still takes its value.
        assert_eq!(
            words(&["aws-sso", "login", "--prof", "help"]),
            ["aws-sso", "login", "--prof", "help"]
        );
    }
}
