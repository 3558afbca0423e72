//! `aws-sso logout`: end sessions and remove cached tokens and SSO role credentials
//! (spec cli-behavior §5).
//!
//! With no selection it does what AWS CLI v2 does: for every cached token, call the portal's
//! `Logout` in the token's region (ignoring service errors) and delete the file, keep client
//! registrations, then delete every `"ProviderType": "sso"` file in `~/.aws/cli/cache`; it
//! prints nothing. Two improvements: a network failure on one token is reported as a warning
//! and does not stop the others from being removed (the AWS CLI aborts, leaving files behind),
//! and `--sso-session NAME` signs out of that one session only, removing only the role
//! credentials of profiles that use it. `--profile` is accepted and, as in AWS CLI v2, does not
//! narrow anything: an off-boarding script that always passes it must still sign out of
//! everything. (`--sso-session` is ours; v2 rejects it, so no v2 script meets the narrowing.)
//! Our own account and role catalogs (`aws-sso roles`) of the signed-out sessions go too.

use sso_auth::{role_key, token_key};
use sso_cache::{Cache, TokenFile, sha1_hex};
use sso_config::SsoTarget;

use crate::Context;
use crate::cli::LogoutArgs;
use crate::error::CliError;
use crate::settings::Resolved;

/// Signs out.
pub(crate) fn run(
    args: &LogoutArgs,
    resolved: &Resolved,
    context: &Context,
) -> Result<(), CliError> {
    let cache = context.cache()?;
    if args.sso_session.is_some() {
        let target = resolved.sso_target(args.sso_session.as_deref())?;
        return logout_one(&target, cache, resolved, context);
    }
    for file in cache.token_files()? {
        end_session(&file, resolved, context);
        let lock = cache.lock_token_file(&file)?;
        lock.delete()?;
    }
    for path in cache.sso_role_credential_files()? {
        cache.delete_file(&path)?;
    }
    // Our account and role catalogs: what the signed-out identity could see is theirs.
    for path in cache.catalog_files()? {
        cache.delete_file(&path)?;
    }
    for path in cache.session_record_files()? {
        cache.delete_file(&path)?;
    }
    // Whatever an interrupted write left (a complete temp token was signed out above, as a
    // token file); nothing may outlive a logout holding a secret.
    for path in cache.leftover_temp_files()? {
        cache.delete_file(&path)?;
    }
    Ok(())
}

/// Signs out of one session: its token, and the role credentials of the profiles using it.
fn logout_one(
    target: &SsoTarget,
    cache: &Cache,
    resolved: &Resolved,
    context: &Context,
) -> Result<(), CliError> {
    let key = token_key(target);
    let path = cache.token_path(&key);
    if let Some(file) = cache
        .token_files()?
        .into_iter()
        .find(|file| file.path == path)
    {
        end_session(&file, resolved, context);
    }
    cache.with_token_lock(&key, |lock| lock.delete())?;
    cache.delete_file(&cache.catalog_path(&key))?;
    cache.delete_file(&cache.session_record_path(&key))?;
    for profile in resolved.config.profiles() {
        let Ok(role) = sso_config::resolve_role_profile(&resolved.config, profile.name()) else {
            continue;
        };
        if role.target.token_cache_key() == target.token_cache_key() {
            cache.delete_role_credentials(&role_key(&role))?;
        }
    }
    Ok(())
}

/// Calls `Logout` for a cached token when it names its region. Service errors are ignored, as
/// in the AWS CLI; other failures become a warning so the remaining files are still removed.
fn end_session(file: &TokenFile, resolved: &Resolved, context: &Context) {
    let (Some(token), Some(region)) = (&file.access_token, &file.region) else {
        return;
    };
    let result = resolved
        .portal_client(context, region, false)
        .map_err(CliError::from)
        .and_then(|portal| portal.logout(token).map_err(CliError::from));
    match result {
        Ok(()) => {}
        Err(CliError::Failure {
            class: sso_core::ExitClass::Service,
            ..
        }) => context.terminal.debug(|| {
            format!(
                "the service refused Logout for {}; removing the token anyway",
                describe(file, resolved)
            )
        }),
        Err(error) => context.terminal.stderr(&format!(
            "warning: could not end the session of {} on the service ({}); the cached token was removed anyway\n",
            describe(file, resolved),
            error.summary()
        )),
    }
}

/// A token file as the user knows it: `sso-session NAME` when a configured session owns it
/// (its file name is the SHA-1 of the name), else its start URL, else the file.
fn describe(file: &TokenFile, resolved: &Resolved) -> String {
    let stem = file.path.file_stem().and_then(|stem| stem.to_str());
    let session = resolved
        .config
        .sso_session_names()
        .find(|name| Some(sha1_hex(name).as_str()) == stem);
    match (session, file.start_url.as_deref()) {
        (Some(name), _) => format!("sso-session {name}"),
        (None, Some(start_url)) => start_url.to_owned(),
        (None, None) => file.path.display().to_string(),
    }
}
