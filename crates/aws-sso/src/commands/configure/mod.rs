//! `configure sso`, `configure sso-session` (the AWS CLI's wizards, `wizard.rs`) and
//! `configure populate` (`populate.rs`). Every write goes through `sso_config::writer::edit`.

mod populate;
mod wizard;

use crate::Context;
use crate::cli::{ConfigureCommand, GlobalArgs};
use crate::error::CliError;
use crate::settings::Resolved;

/// Runs one `configure` command.
pub(crate) fn run(
    command: &ConfigureCommand,
    global: &GlobalArgs,
    resolved: &Resolved,
    context: &Context,
) -> Result<(), CliError> {
    match command {
        ConfigureCommand::Sso(args) => wizard::configure_sso(args, global, resolved, context),
        ConfigureCommand::SsoSession(args) => {
            wizard::configure_sso_session(args, global, resolved, context)
        }
        ConfigureCommand::Populate(args) => populate::run(args, global, resolved, context),
    }
}
