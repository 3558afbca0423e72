//! Role credentials for the selected profile, as AWS CLI v2's SSO credential provider resolves
//! them (spec cli-behavior §4), for `export-credentials` and `exec`.
//!
//! Non-interactive by contract: nothing here opens a browser, prompts or waits for a person.
//! Without a usable token it fails at once with the AWS CLI's message plus one line naming the
//! `aws-sso login` that fixes it, so a single interactive login satisfies every waiting caller.

use jiff::Timestamp;
use sso_auth::AuthError;
use sso_cache::{CacheError, RoleCredentials};
use sso_config::{ConfigError, RoleProfile, SsoTarget};

use crate::Context;
use crate::error::CliError;
use crate::settings::Resolved;

/// The profile's SSO role configuration, with `export-credentials`' error wording.
pub(crate) fn role_profile(resolved: &Resolved) -> Result<RoleProfile, CliError> {
    let profile = &resolved.settings.profile_name;
    sso_config::resolve_role_profile(&resolved.config, profile).map_err(|error| match error {
        ConfigError::NotSsoProfile { .. } => CliError::unable_to_retrieve(&format!(
            "the profile \"{profile}\" has no SSO settings; aws-sso serves SSO role credentials only: give it sso_account_id, sso_role_name and sso_session (or sso_start_url and sso_region)"
        )),
        // botocore builds the credential provider inside `get_credentials`, which the AWS CLI
        // wraps; the token provider's own checks come later and are not wrapped.
        error if error.is_credential_provider_error() => {
            CliError::unable_to_retrieve(&error.to_string())
        }
        error => error.into(),
    })
}

/// Usable role credentials for `role`: from the shared role cache, or fetched with the cached
/// SSO token (refreshed if it must be) and cached again.
pub(crate) fn fetch(
    role: &RoleProfile,
    resolved: &Resolved,
    context: &Context,
) -> Result<RoleCredentials, CliError> {
    let cache = context.cache()?;
    let target = &role.target;
    let provider = sso_auth::RoleCredentialsProvider {
        cache,
        clock: context.clock.as_ref(),
        terminal: context.terminal.as_ref(),
    };
    let tokens = sso_auth::TokenProvider {
        cache,
        clock: context.clock.as_ref(),
        terminal: context.terminal.as_ref(),
    };
    let fetch = sso_auth::Fetch {
        token: || {
            tokens.access_token(target, || {
                Ok(resolved.oidc_client(context, target.region(), false)?)
            })
        },
        // GetRoleCredentials goes to the SSO region, where the token is valid.
        portal: || Ok(resolved.portal_client(context, target.region(), false)?),
    };
    provider
        .credentials(role, fetch)
        .map_err(|error| with_login_hint(error, target))
}

/// A failure to get a token as the AWS CLI words it, plus, when signing in again is the fix, a
/// line of its own naming the exact `aws-sso login` (v2's first line stays byte for byte).
pub(crate) fn with_login_hint(error: AuthError, target: &SsoTarget) -> CliError {
    let needs_login = matches!(
        &error,
        AuthError::Cache(
            CacheError::TokenMissing { .. }
                | CacheError::TokenInvalid { .. }
                | CacheError::SessionExpired
                | CacheError::RefreshFailed
        )
    );
    let error = CliError::from(error);
    if needs_login {
        error.with_hint(&login_hint(target))
    } else {
        error
    }
}

/// The line naming the login that fixes a missing, expired or revoked session.
pub(crate) fn login_hint(target: &SsoTarget) -> String {
    let login = match target {
        SsoTarget::Session { session_name, .. } => format!("--sso-session {session_name}"),
        SsoTarget::Legacy { profile_name, .. } => format!("--profile {profile_name}"),
    };
    format!("To sign in, run: aws-sso login {login}")
}

/// Python's `isoformat()` of the aware UTC datetime botocore holds: `+00:00`, and microseconds
/// only when there are any.
pub(crate) fn iso_expiration(expiration: Timestamp) -> String {
    let seconds = expiration.strftime("%Y-%m-%dT%H:%M:%S");
    match expiration.subsec_microsecond() {
        0 => format!("{seconds}+00:00"),
        micros => format!("{seconds}.{micros:06}+00:00"),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn expiration_is_python_isoformat() {
        assert_eq!(
            super::iso_expiration("2026-12-03T13:00:00Z".parse().unwrap()),
            "2026-12-03T13:00:00+00:00"
        );
        assert_eq!(
            super::iso_expiration("2026-12-03T13:00:00.250Z".parse().unwrap()),
            "2026-12-03T13:00:00.250000+00:00"
        );
    }
}
