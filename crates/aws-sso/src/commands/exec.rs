//! `exec`: run a command with the profile's role credentials in its environment.
//!
//! The command replaces aws-sso (`execvp`), so it gets the terminal's signals directly, its exit
//! status is the one the caller sees, and no aws-sso process lingers beside it.

use std::process::Command;

use sso_core::env::vars;

use crate::Context;
use crate::cli::ExecArgs;
use crate::commands::credentials;
use crate::error::CliError;
use crate::settings::Resolved;

/// `exec`.
pub(crate) fn run(args: &ExecArgs, resolved: &Resolved, context: &Context) -> Result<(), CliError> {
    let profile = &resolved.settings.profile_name;
    if let Some(outer) = context.env.non_empty(vars::AWS_SSO_EXEC)
        && !args.allow_nested
    {
        return Err(CliError::configuration(format!(
            "aws-sso exec is already running here (profile {outer}); a nested exec for profile {profile} would replace its credentials. Leave that shell first, or pass --allow-nested."
        )));
    }
    let role = credentials::role_profile(resolved)?;
    let credentials = credentials::fetch(&role, resolved, context)?;

    let (program, rest) = args
        .command
        .split_first()
        .ok_or_else(|| CliError::Usage("the following arguments are required: COMMAND".into()))?;
    let mut command = Command::new(program);
    command
        .args(rest)
        .env_remove(vars::AWS_PROFILE)
        .env_remove(vars::AWS_DEFAULT_PROFILE)
        .env(vars::AWS_ACCESS_KEY_ID, &credentials.access_key_id)
        .env(
            vars::AWS_SECRET_ACCESS_KEY,
            credentials.secret_access_key.expose(),
        )
        .env(vars::AWS_SESSION_TOKEN, credentials.session_token.expose())
        .env(
            vars::AWS_CREDENTIAL_EXPIRATION,
            credentials::iso_expiration(credentials.expiration),
        )
        .env(vars::AWS_SSO_EXEC, profile);
    if let Some(region) = &resolved.settings.region {
        command
            .env(vars::AWS_REGION, region)
            .env(vars::AWS_DEFAULT_REGION, region);
    }
    context.terminal.debug(|| {
        format!(
            "running {} with the credentials of {} in account {}",
            program.to_string_lossy(),
            role.role_name,
            role.account_id
        )
    });
    Err(replace_process(&mut command, &program.to_string_lossy()))
}

/// Runs `command` in place of this process; returns only if it could not be started.
#[cfg(unix)]
fn replace_process(command: &mut Command, program: &str) -> CliError {
    use std::os::unix::process::CommandExt as _;
    let error = command.exec();
    CliError::general(format!("cannot run {program}: {error}"))
}

/// Without `execvp`, run the command as a child and exit with its status.
#[cfg(not(unix))]
fn replace_process(command: &mut Command, program: &str) -> CliError {
    match command.status() {
        Ok(status) =>
        {
            #[expect(clippy::exit, reason = "the child's exit status is ours")]
            std::process::exit(status.code().unwrap_or(1))
        }
        Err(error) => CliError::general(format!("cannot run {program}: {error}")),
    }
}
