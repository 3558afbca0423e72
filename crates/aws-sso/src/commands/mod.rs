//! One module per `aws sso` command (each with a `run`), and the dispatch between them.
//!
//! [`run`] resolves the settings every command shares, then hands each command its own
//! arguments. Commands return `Result<(), CliError>`; rendering errors is `error.rs`'s job.
//! `portal.rs` holds what the three portal API commands share (token and region of the call,
//! `--cli-input-json`, paging and printing); `parameters.rs` their service-model inputs.

mod completion;
mod configure;
mod console;
mod credentials;
mod doctor;
mod exec;
mod export_credentials;
mod get_role_credentials;
mod list_account_roles;
mod list_accounts;
mod login;
mod logout;
mod parameters;
pub(crate) mod portal;
mod progress;
mod roles;
mod status;

use std::sync::atomic::{AtomicBool, Ordering};

use crate::Context;
use crate::cli::{Cli, Command};
use crate::error::CliError;
use crate::settings::Resolved;

/// Runs the parsed command line.
pub(crate) fn run(cli: Cli, context: &Context) -> Result<(), CliError> {
    let Some(command) = &cli.command else {
        return Err(CliError::Usage(
            "the following arguments are required: command".to_owned(),
        ));
    };
    // Before the settings: the completion helper must work with any AWS_PROFILE.
    if let Command::Completion(args) = command {
        return completion::run(args, context);
    }
    // The AWS CLI's Ctrl-C behaviour (exit 130 and a newline) for the commands a person runs
    // and watches. Not for the ones other programs run: `export-credentials` (a credential
    // process killed by SIGINT just ends, and the handler's thread is a tenth of its run time)
    // and `exec` (which becomes the command, or handles signals itself with --ecs-server).
    if !matches!(command, Command::ExportCredentials(_) | Command::Exec(_)) {
        install_interrupt_handler();
    }
    let resolved = if matches!(command, Command::Configure(_)) {
        Resolved::load_for_configure(&cli.global, context)?
    } else {
        Resolved::load(&cli.global, context)?
    };
    if cli.global.show_settings {
        return resolved.show(&cli, command, context);
    }
    let global = &cli.global;
    match command {
        Command::Login(args) => login::run(args, &resolved, context),
        Command::Logout(args) => logout::run(args, &resolved, context),
        Command::ListAccounts(args) => list_accounts::run(args, global, &resolved, context),
        Command::ListAccountRoles(args) => {
            list_account_roles::run(args, global, &resolved, context)
        }
        Command::GetRoleCredentials(args) => {
            get_role_credentials::run(args, global, &resolved, context)
        }
        Command::ExportCredentials(args) => export_credentials::run(args, &resolved, context),
        Command::Exec(args) => exec::run(args, &resolved, context),
        Command::Console(args) => console::run(args, &resolved, context),
        Command::Roles(args) => roles::run(args, global, &resolved, context),
        Command::Status(args) => status::run(args, global, &resolved, context),
        Command::Configure(command) => configure::run(command, global, &resolved, context),
        Command::Doctor(args) => doctor::run(args, &resolved, context),
        Command::Completion(args) => completion::run(args, context),
    }
}

/// The command names, from the clap definition (for `Maybe you meant:`).
pub(crate) fn command_names() -> Vec<String> {
    use clap::CommandFactory as _;
    Cli::command()
        .get_subcommands()
        .filter(|command| !command.is_hide_set())
        .map(|command| command.get_name().to_owned())
        .collect()
}

/// Set by the first Ctrl-C of a command that asked to be told ([`graceful_interrupt`]).
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Whether the running command stops by itself on Ctrl-C.
static GRACEFUL: AtomicBool = AtomicBool::new(false);

/// Ctrl-C ends the run with exit 130 and a single newline on stdout, as AWS CLI v2 does.
/// Cache writes are temp-file-then-rename, so an interrupt never leaves a half-written file.
/// A command that saves its progress first takes the first Ctrl-C as a request
/// ([`graceful_interrupt`]); a second one still ends the run at once.
pub(crate) fn install_interrupt_handler() {
    let _ = ctrlc::set_handler(|| {
        use std::io::Write as _;
        let mut out = std::io::stdout();
        let _ = out.write_all(b"\n");
        let _ = out.flush();
        if GRACEFUL.load(Ordering::SeqCst) && !INTERRUPTED.swap(true, Ordering::SeqCst) {
            return;
        }
        #[expect(
            clippy::exit,
            reason = "the documented exit status of an interrupted run"
        )]
        std::process::exit(i32::from(crate::error::INTERRUPTED_EXIT_CODE));
    });
}

/// From now on, the first Ctrl-C raises the returned flag instead of ending the process; the
/// caller polls it, saves its work and returns [`CliError::Interrupted`].
pub(crate) fn graceful_interrupt() -> &'static AtomicBool {
    GRACEFUL.store(true, Ordering::SeqCst);
    &INTERRUPTED
}

#[cfg(test)]
mod tests {
    #[test]
    fn command_names_come_from_the_definition() {
        assert_eq!(
            super::command_names(),
            [
                "login",
                "logout",
                "list-accounts",
                "list-account-roles",
                "get-role-credentials",
                "export-credentials",
                "exec",
                "console",
                "roles",
                "status",
                "doctor",
                "configure",
                "completion"
            ]
        );
    }
}
