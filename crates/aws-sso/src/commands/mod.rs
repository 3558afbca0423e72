//! One module per `aws sso` command, and the dispatch between them.
//!
//! [`run`] resolves the settings every command shares, then hands each command its own
//! arguments. Commands return `Result<(), CliError>`; rendering errors is `error.rs`'s job.

mod api;
mod login;
mod logout;
pub(crate) mod paging;
mod parameters;

use crate::Context;
use crate::cli::{Cli, Command};
use crate::error::CliError;
use crate::settings::Resolved;

/// Runs the parsed command line.
pub(crate) fn run(cli: Cli, context: &Context) -> Result<(), CliError> {
    let Some(command) = cli.command else {
        return Err(CliError::Usage(
            "the following arguments are required: command".to_owned(),
        ));
    };
    let resolved = Resolved::load(&cli.global, context)?;
    if cli.global.show_settings {
        return resolved.show(&command, context);
    }
    let global = &cli.global;
    match &command {
        Command::Login(args) => login::login(args, &resolved, context),
        Command::Logout(args) => logout::logout(args, &resolved, context),
        Command::ListAccounts(args) => api::list_accounts(args, global, &resolved, context),
        Command::ListAccountRoles(args) => {
            api::list_account_roles(args, global, &resolved, context)
        }
        Command::GetRoleCredentials(args) => {
            api::get_role_credentials(args, global, &resolved, context)
        }
    }
}

/// The valid command names laid out as argparse does in "Invalid choice" errors: two columns,
/// the left one padded to 40 characters.
pub(crate) fn choices_table() -> String {
    let names = [
        "get-role-credentials",
        "list-account-roles",
        "list-accounts",
        "login",
        "logout",
    ];
    names
        .chunks(2)
        .map(|pair| match pair {
            [left, right] => format!("{left:<40} | {right}"),
            [left] => (*left).to_owned(),
            _ => String::new(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Ctrl-C ends the run with exit 130 and a single newline on stdout, as AWS CLI v2 does.
/// Cache writes are temp-file-then-rename, so an interrupt never leaves a half-written file.
pub(crate) fn install_interrupt_handler() {
    let _ = ctrlc::set_handler(|| {
        use std::io::Write as _;
        let mut out = std::io::stdout();
        let _ = out.write_all(b"\n");
        let _ = out.flush();
        #[expect(
            clippy::exit,
            reason = "the documented exit status of an interrupted run"
        )]
        std::process::exit(130);
    });
}

#[cfg(test)]
mod tests {
    #[test]
    fn choices_are_laid_out_like_argparse() {
        assert_eq!(
            super::choices_table(),
            "get-role-credentials                     | list-account-roles\n\
             list-accounts                            | login\n\
             logout"
        );
    }
}
