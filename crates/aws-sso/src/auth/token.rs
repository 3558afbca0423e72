//! Using a cached token for the API commands, refreshing it when needed (spec cli-behavior §4).
//!
//! This is botocore's SSO token provider, made safe for many processes at once: the decision
//! (use, refresh, reject) is `sso_cache::refresh_decision`; the refresh runs under the
//! per-session lock and re-reads the file after taking it, so when fifty processes need a
//! refresh at the same moment exactly one of them calls the service and the rest read its
//! result (single flight). In the advisory window (10–15 minutes left) a process that finds the
//! lock taken simply uses the still-valid token instead of waiting.

use jiff::SignedDuration;
use sso_cache::{Cache, CachedToken, Decision, TokenLock, refresh_decision};
use sso_client::OidcClient;
use sso_client::wire::{CreateTokenRequest, TokenGrant};
use sso_config::SsoTarget;
use sso_core::{Clock, Secret};

use super::token_key;
use crate::error::CliError;
use crate::printer::Printer;

/// A valid access token for `target`, refreshed first if it is about to expire.
/// `oidc` is only called when a refresh is needed.
pub(crate) fn access_token(
    target: &SsoTarget,
    cache: &Cache,
    clock: &dyn Clock,
    printer: &Printer,
    oidc: impl FnOnce() -> Result<OidcClient, CliError>,
) -> Result<Secret<String>, CliError> {
    let key = token_key(target);
    let loaded = cache.load_token(&key)?;
    if let Some(warning) = &loaded.warning {
        printer.stderr(&format!("warning: {warning}\n"));
    }
    let token = loaded.require(&key)?;
    let mandatory = match refresh_decision(&token, clock.now(), target.is_legacy()) {
        Decision::UseAsIs => return Ok(token.access_token),
        Decision::Expired => return Err(Decision::expired_error(target.is_legacy()).into()),
        Decision::Refresh { mandatory } => mandatory,
    };
    let lock = if mandatory {
        cache.lock_token(&key)?
    } else {
        match cache.try_lock_token(&key)? {
            Some(lock) => lock,
            None => {
                printer.debug(|| {
                    "another process is refreshing the token; using the current one".into()
                });
                return Ok(token.access_token);
            }
        }
    };
    refresh_locked(target, &lock, clock, printer, oidc)
}

/// Under the lock: re-read, re-decide, and refresh only if nobody did it meanwhile.
fn refresh_locked(
    target: &SsoTarget,
    lock: &TokenLock,
    clock: &dyn Clock,
    printer: &Printer,
    oidc: impl FnOnce() -> Result<OidcClient, CliError>,
) -> Result<Secret<String>, CliError> {
    let token = lock.load()?.require(&token_key(target))?;
    let now = clock.now();
    let mandatory = match refresh_decision(&token, now, false) {
        Decision::UseAsIs => {
            printer.debug(|| "the token was refreshed by another process".into());
            return Ok(token.access_token);
        }
        Decision::Expired => return Err(Decision::expired_error(false).into()),
        Decision::Refresh { mandatory } => mandatory,
    };
    match refresh(&token, target, clock, oidc) {
        Ok(fresh) => {
            lock.store(&fresh)?;
            printer.debug(|| {
                format!(
                    "refreshed the SSO token; it now expires at {}",
                    fresh.expires_at
                )
            });
            Ok(fresh.access_token)
        }
        Err(error) => {
            printer.debug(|| {
                format!(
                    "refreshing the SSO token failed: {}",
                    error.render(crate::error::ErrorFormat::Legacy).trim()
                )
            });
            let still_valid = token.expires_at > now;
            let service_error = matches!(
                &error,
                CliError::Failure {
                    class: sso_core::ExitClass::Service,
                    ..
                }
            );
            // botocore: a service error is swallowed and the old token used while it is
            // valid; other errors (network) propagate when the refresh was mandatory.
            match (service_error, still_valid) {
                (true, true) => Ok(token.access_token),
                (true, false) => Err(Decision::expired_error(false).into()),
                (false, true) if !mandatory => Ok(token.access_token),
                (false, _) => Err(error),
            }
        }
    }
}

/// One `refresh_token` grant; the refreshed token as botocore writes it.
fn refresh(
    token: &CachedToken,
    target: &SsoTarget,
    clock: &dyn Clock,
    oidc: impl FnOnce() -> Result<OidcClient, CliError>,
) -> Result<CachedToken, CliError> {
    let (Some(client_id), Some(client_secret), Some(refresh_token)) =
        (&token.client_id, &token.client_secret, &token.refresh_token)
    else {
        return Err(Decision::expired_error(false).into());
    };
    let response = oidc()?.create_token(&CreateTokenRequest {
        client_id: client_id.clone(),
        client_secret: client_secret.clone(),
        grant: TokenGrant::RefreshToken {
            refresh_token: refresh_token.clone(),
        },
        scope: None,
    })?;
    let expires_at =
        clock.now() + SignedDuration::from_secs(response.expires_in.unwrap_or_default());
    Ok(token.refreshed(
        target.start_url(),
        target.region(),
        response.access_token,
        jiff::Timestamp::from_second(expires_at.as_second()).unwrap_or(expires_at),
        response.refresh_token,
    ))
}
