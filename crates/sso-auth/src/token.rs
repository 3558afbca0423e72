//! Using a cached token, refreshing it when needed (spec cli-behavior §4).
//!
//! This is botocore's SSO token provider, made safe for many processes at once: the decision
//! (use, refresh, reject) is `sso_cache::refresh_decision`; the refresh runs under the
//! per-session lock and re-reads the file after taking it, so when fifty processes need a
//! refresh at the same moment exactly one of them calls the service and the rest read its
//! result (single flight). In the advisory window (10–15 minutes left) a process that finds the
//! lock taken simply uses the still-valid token instead of waiting.
//!
//! When the refresh itself fails, botocore's four-way fallback applies: a service error keeps
//! the old token while it is still valid and otherwise reports "Token has expired and refresh
//! failed"; any other error (the network) is reported when the refresh was mandatory and
//! swallowed when it was only advisory.

use jiff::SignedDuration;
use sso_cache::{
    Cache, CachedToken, Decision, RefreshAttempt, TokenKey, TokenLock, refresh_decision,
};
use sso_client::wire::{CreateTokenRequest, TokenGrant};
use sso_client::{OidcClient, Operation};
use sso_config::SsoTarget;
use sso_core::{Clock, Secret, Terminal};

use crate::AuthError;
use crate::login::truncate_to_seconds;
use crate::registration::{forget_rejected, is_rejected_client};

/// How soon after one refresh attempt (by any process) another may be made: aws-config's
/// rule, so a failing or black-holed OIDC endpoint costs one attempt per 30 s, not one per
/// waiting process, and tokens that live less than the 15-minute window are not refreshed by
/// every caller.
pub const RETRY_REFRESH_AFTER: SignedDuration = SignedDuration::from_secs(30);

/// The cache key of a target's token.
pub fn token_key(target: &SsoTarget) -> TokenKey {
    match target.session_name() {
        Some(session) => TokenKey::session(session, target.start_url()),
        None => TokenKey::legacy(target.start_url()),
    }
}

/// Hands out valid access tokens from the cache, refreshing them when they are about to expire.
pub struct TokenProvider<'a> {
    /// The token cache.
    pub cache: &'a Cache,
    /// "Now", for the refresh decision and the new expiry.
    pub clock: &'a dyn Clock,
    /// Where cache warnings and `--debug` lines go.
    pub terminal: &'a dyn Terminal,
}

impl TokenProvider<'_> {
    /// A valid access token for `target`, refreshed first if it is about to expire. `oidc`
    /// builds the client for the refresh and is only called when one is needed.
    ///
    /// # Errors
    ///
    /// No token, an expired one that cannot be refreshed, or a mandatory refresh that failed.
    pub fn access_token(
        &self,
        target: &SsoTarget,
        oidc: impl FnOnce() -> Result<OidcClient, AuthError>,
    ) -> Result<Secret<String>, AuthError> {
        let key = token_key(target);
        let loaded = self.cache.load_token(&key)?;
        if let Some(warning) = &loaded.warning {
            self.terminal.warn(warning);
        }
        let token = loaded.require(&key)?;
        let mandatory = match refresh_decision(&token, self.clock.now(), target.is_legacy()) {
            Decision::UseAsIs => return Ok(token.access_token),
            Decision::Expired => return Err(Decision::expired_error(target.is_legacy()).into()),
            Decision::Refresh { mandatory } => mandatory,
        };
        let lock = if mandatory {
            self.cache.lock_token(&key)?
        } else if let Some(lock) = self.cache.try_lock_token(&key)? {
            lock
        } else {
            self.terminal
                .debug(|| "another process is refreshing the token; using the current one".into());
            return Ok(token.access_token);
        };
        self.refresh_locked(target, &key, &lock, oidc)
    }

    /// A token to use instead of `rejected`, which the service refused (`UnauthorizedException`)
    /// although the cache says it is still valid: it was revoked, or the service's clock is
    /// ahead of ours. Under the lock: if another process already replaced it, that token;
    /// otherwise one refresh, whatever the expiry says. Never a login.
    ///
    /// # Errors
    ///
    /// A legacy token (which cannot be refreshed) or a refresh that failed: botocore's
    /// "expired" errors, so the caller adds the login hint.
    pub fn renew_rejected(
        &self,
        target: &SsoTarget,
        rejected: &Secret<String>,
        oidc: impl FnOnce() -> Result<OidcClient, AuthError>,
    ) -> Result<Secret<String>, AuthError> {
        if target.is_legacy() {
            return Err(Decision::expired_error(true).into());
        }
        let key = token_key(target);
        let lock = self.cache.lock_token(&key)?;
        let token = lock.load()?.require(&key)?;
        if token.access_token != *rejected {
            self.terminal
                .debug(|| "the rejected token was already replaced by another process".into());
            return Ok(token.access_token);
        }
        match self.refresh_under(&lock, &token, target, oidc) {
            Ok(fresh) => Ok(fresh.access_token),
            Err(error) => {
                if error.is_service_error() {
                    Err(Decision::expired_error(false).into())
                } else {
                    Err(error)
                }
            }
        }
    }

    /// Under the lock: re-read, re-decide, and refresh only if nobody did it meanwhile.
    fn refresh_locked(
        &self,
        target: &SsoTarget,
        key: &TokenKey,
        lock: &TokenLock,
        oidc: impl FnOnce() -> Result<OidcClient, AuthError>,
    ) -> Result<Secret<String>, AuthError> {
        let token = lock.load()?.require(key)?;
        let now = self.clock.now();
        let mandatory = match refresh_decision(&token, now, false) {
            Decision::UseAsIs => {
                self.terminal
                    .debug(|| "the token was refreshed by another process".into());
                return Ok(token.access_token);
            }
            Decision::Expired => return Err(Decision::expired_error(false).into()),
            Decision::Refresh { mandatory } => mandatory,
        };
        // Single flight covers failure too: a refresh any process tried in the last
        // `RETRY_REFRESH_AFTER` is not tried again while the current token still works, and a
        // failed one is not repeated by every process queued behind the lock.
        if let Some(last) = lock.last_refresh_attempt()
            && now.duration_since(last.at) < RETRY_REFRESH_AFTER
            && now.duration_since(last.at) >= SignedDuration::ZERO
        {
            if token.expires_at > now {
                self.terminal
                    .debug(|| "a refresh was tried moments ago; using the current token".into());
                return Ok(token.access_token);
            }
            if last.failed {
                return Err(Decision::expired_error(false).into());
            }
        }
        match self.refresh_under(lock, &token, target, oidc) {
            Ok(fresh) => Ok(fresh.access_token),
            Err(error) => {
                let still_valid = token.expires_at > now;
                // botocore: a service error is swallowed and the old token used while it is
                // valid; other errors (network) propagate when the refresh was mandatory.
                match (error.is_service_error(), still_valid) {
                    (true, true) => Ok(token.access_token),
                    (true, false) => Err(Decision::expired_error(false).into()),
                    (false, true) if !mandatory => Ok(token.access_token),
                    (false, _) => Err(error),
                }
            }
        }
    }

    /// One refresh under `lock`: the attempt recorded beside the lock first (as failed, so a
    /// crash mid-way counts as a failure) and as succeeded after, the fresh token saved, and a
    /// registration the service no longer knows forgotten.
    fn refresh_under(
        &self,
        lock: &TokenLock,
        token: &CachedToken,
        target: &SsoTarget,
        oidc: impl FnOnce() -> Result<OidcClient, AuthError>,
    ) -> Result<CachedToken, AuthError> {
        let at = self.clock.now();
        lock.record_refresh_attempt(RefreshAttempt { at, failed: true });
        match self.refresh(token, target, oidc) {
            Ok(fresh) => {
                lock.record_refresh_attempt(RefreshAttempt { at, failed: false });
                self.save_refreshed(lock, &fresh);
                self.terminal.debug(|| {
                    format!(
                        "refreshed the SSO token; it now expires at {}",
                        fresh.expires_at
                    )
                });
                Ok(fresh)
            }
            Err(error) => {
                self.terminal
                    .debug(|| format!("refreshing the SSO token failed: {error}"));
                self.forget_rejected_registration(target, token, &error);
                Err(error)
            }
        }
    }

    /// A refresh the service refused because it does not know the client: the cached
    /// registration is dead too, and must not be reused by the next login.
    fn forget_rejected_registration(
        &self,
        target: &SsoTarget,
        token: &CachedToken,
        error: &AuthError,
    ) {
        if let Some(client_id) = &token.client_id
            && is_rejected_client(error, Operation::CreateToken)
        {
            self.terminal.debug(|| {
                "the service no longer knows the client registration; the next login registers anew"
                    .into()
            });
            forget_rejected(self.cache, target, client_id);
        }
    }

    /// Caches a refreshed token. A failure to write (a full disk, a read-only home) must not
    /// fail the command: the service has already rotated the refresh token, so the fresh token
    /// in hand is the only working one. The command goes on with it, and the user learns why
    /// the next one may need a new sign-in.
    fn save_refreshed(&self, lock: &TokenLock, fresh: &CachedToken) {
        if let Err(error) = lock.store(fresh) {
            self.terminal.warn(&format!(
                "the refreshed SSO token could not be saved ({error}); this command goes on with it, but once the saved token expires you will need to sign in again"
            ));
        }
    }

    /// One `refresh_token` grant; the refreshed token as botocore writes it.
    fn refresh(
        &self,
        token: &CachedToken,
        target: &SsoTarget,
        oidc: impl FnOnce() -> Result<OidcClient, AuthError>,
    ) -> Result<CachedToken, AuthError> {
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
            self.clock.now() + SignedDuration::from_secs(response.expires_in.unwrap_or_default());
        Ok(token.refreshed(
            target.start_url(),
            target.region(),
            response.access_token,
            truncate_to_seconds(expires_at),
            response.refresh_token,
        ))
    }
}
