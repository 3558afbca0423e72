//! `exec`: run a command with the profile's role credentials.
//!
//! Plainly, the keys go in the command's environment and the command replaces aws-sso
//! (`execvp`): it gets the terminal's signals directly, its exit status is the one the caller
//! sees, and no aws-sso process lingers beside it. With `--ecs-server`, aws-sso stays as the
//! command's parent and serves the container credentials endpoint ([`sso_auth::CredentialServer`]),
//! renewing credentials for as long as the command runs.

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
    // Fetched before anything starts, so a missing login fails at once, with its fix.
    let credentials = credentials::fetch(&role, resolved, context)?;

    let (program, rest) = args
        .command
        .split_first()
        .ok_or_else(|| CliError::Usage("the following arguments are required: COMMAND".into()))?;
    let program_name = program.to_string_lossy().into_owned();
    let mut command = Command::new(program);
    command
        .args(rest)
        .env_remove(vars::AWS_PROFILE)
        .env_remove(vars::AWS_DEFAULT_PROFILE)
        .env(vars::AWS_SSO_EXEC, profile);
    if let Some(region) = &resolved.settings.region {
        command
            .env(vars::AWS_REGION, region)
            .env(vars::AWS_DEFAULT_REGION, region);
    }
    context.terminal.debug(|| {
        format!(
            "running {program_name} with the credentials of {} in account {}",
            role.role_name, role.account_id
        )
    });
    if args.ecs_server {
        return server::run_beside(command, &program_name, &role, resolved, context);
    }
    command
        .env(vars::AWS_ACCESS_KEY_ID, &credentials.access_key_id)
        .env(
            vars::AWS_SECRET_ACCESS_KEY,
            credentials.secret_access_key.expose(),
        )
        .env(vars::AWS_SESSION_TOKEN, credentials.session_token.expose())
        .env(
            vars::AWS_CREDENTIAL_EXPIRATION,
            credentials::iso_expiration(credentials.expiration),
        );
    Err(replace_process(&mut command, &program_name))
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

#[cfg(unix)]
mod server {
    use std::os::unix::process::ExitStatusExt as _;
    use std::process::{Command, ExitStatus};
    use std::sync::{Arc, Mutex, PoisonError};

    use nix::sys::signal::{Signal, kill};
    use nix::unistd::Pid;
    use signal_hook::consts::{SIGHUP, SIGINT, SIGQUIT, SIGTERM};
    use signal_hook::iterator::Signals;
    use sso_auth::CredentialServer;
    use sso_config::RoleProfile;
    use sso_core::env::vars;

    use crate::Context;
    use crate::commands::credentials;
    use crate::error::CliError;
    use crate::settings::Resolved;

    /// Starts the credential server, runs `command` beside it with the endpoint in its
    /// environment, and ends the way the command ended.
    pub(super) fn run_beside(
        mut command: Command,
        program: &str,
        role: &RoleProfile,
        resolved: &Resolved,
        context: &Context,
    ) -> Result<(), CliError> {
        let server = CredentialServer::bind(Arc::clone(&context.sleeper)).map_err(|error| {
            CliError::general(format!("cannot start the credential server: {error}"))
        })?;
        // Anything an SDK would prefer over the endpoint goes.
        for name in [
            vars::AWS_ACCESS_KEY_ID,
            vars::AWS_SECRET_ACCESS_KEY,
            vars::AWS_SESSION_TOKEN,
            vars::AWS_CREDENTIAL_EXPIRATION,
            vars::AWS_CONTAINER_CREDENTIALS_RELATIVE_URI,
            vars::AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE,
        ] {
            command.env_remove(name);
        }
        command
            .env(vars::AWS_CONTAINER_CREDENTIALS_FULL_URI, server.url())
            .env(
                vars::AWS_CONTAINER_AUTHORIZATION_TOKEN,
                server.token().expose(),
            );
        // Registered before the child exists, so no signal meant for it is missed. SIGINT is
        // taken only to keep it from ending aws-sso: at a terminal the child gets its own.
        let mut signals = Signals::new([SIGINT, SIGTERM, SIGHUP, SIGQUIT]).map_err(|error| {
            CliError::general(format!("cannot install the signal handlers: {error}"))
        })?;
        let signal_handle = signals.handle();
        let mut child = command
            .spawn()
            .map_err(|error| CliError::general(format!("cannot run {program}: {error}")))?;
        let pid = i32::try_from(child.id()).map(Pid::from_raw).ok();
        context.terminal.debug(|| {
            format!(
                "serving credentials at {} to process {}",
                server.url(),
                child.id()
            )
        });

        let last_failure = Mutex::new(None::<String>);
        let source = || {
            let fetched = credentials::fetch(role, resolved, context).map_err(|error| {
                let message = error.summary();
                let mut last = last_failure.lock().unwrap_or_else(PoisonError::into_inner);
                // One line per new problem, not one per SDK retry.
                if last.as_deref() != Some(message.as_str()) {
                    let one_line = message.lines().collect::<Vec<_>>().join(" ");
                    context.terminal.stderr(&format!(
                        "aws-sso exec: cannot renew the credentials: {one_line}\n"
                    ));
                    *last = Some(message.clone());
                }
                message
            });
            if fetched.is_ok() {
                *last_failure.lock().unwrap_or_else(PoisonError::into_inner) = None;
            }
            fetched
        };
        let status = std::thread::scope(|scope| {
            scope.spawn(|| server.serve(&source));
            scope.spawn(|| {
                for signal in signals.forever() {
                    if signal == SIGINT {
                        continue;
                    }
                    if let (Some(pid), Ok(signal)) = (pid, Signal::try_from(signal)) {
                        let _ = kill(pid, signal);
                    }
                }
            });
            let status = child.wait();
            server.stop();
            signal_handle.close();
            status
        })
        .map_err(|error| CliError::general(format!("cannot wait for {program}: {error}")))?;
        end_like(status)
    }

    /// Exits with the child's status, or dies of the signal that killed it.
    fn end_like(status: ExitStatus) -> ! {
        if let Some(signal) = status.signal() {
            let _ = signal_hook::low_level::emulate_default_handler(signal);
        }
        #[expect(clippy::exit, reason = "the child's exit status is ours")]
        std::process::exit(status.code().unwrap_or(1))
    }
}

#[cfg(not(unix))]
mod server {
    use super::*;

    pub(super) fn run_beside(
        _command: Command,
        _program: &str,
        _role: &sso_config::RoleProfile,
        _resolved: &Resolved,
        _context: &Context,
    ) -> Result<(), CliError> {
        Err(CliError::general(
            "exec --ecs-server needs a Unix system (it forwards signals to the command)",
        ))
    }
}
