//! Role credentials for a profile: AWS CLI v2's SSO credential provider with its cache in
//! `~/.aws/cli/cache` (spec cli-behavior §2.4), safe for many processes at once.
//!
//! botocore's `SSOCredentialFetcher` reuses a cached entry with at least 15 minutes left, and
//! otherwise calls `GetRoleCredentials` and rewrites the entry. We do the same with the same
//! file name and content, so either tool reuses what the other cached, and add a per-entry lock
//! with a re-read after taking it: N processes finding the entry cold or expiring make one
//! `GetRoleCredentials` call (and at most one token refresh) between them.

use sso_cache::{Cache, RoleCredentials, RoleCredentialsKey, timestamp_from_epoch_millis};
use sso_client::PortalClient;
use sso_config::RoleProfile;
use sso_core::{Clock, Secret, Terminal};

use crate::AuthError;

/// Hands out role credentials from the cache, fetching them when needed.
pub struct RoleCredentialsProvider<'a> {
    /// The role-credential cache.
    pub cache: &'a Cache,
    /// "Now", for the reuse rule.
    pub clock: &'a dyn Clock,
    /// Where cache warnings and `--debug` lines go.
    pub terminal: &'a dyn Terminal,
}

/// How to reach the service when the cache cannot answer. Called at most once each, and only
/// when a fetch is needed, so a cache hit does no network set-up at all.
pub struct Fetch<T, P> {
    /// The access token to call with (the token provider, refreshing if needed).
    pub token: T,
    /// The portal client of the token's region.
    pub portal: P,
}

impl RoleCredentialsProvider<'_> {
    /// Usable credentials for `role`: from the cache, or fetched and cached.
    ///
    /// # Errors
    ///
    /// No usable token, a refused `GetRoleCredentials` (an `UnauthorizedException` becomes
    /// botocore's "SSO session … has expired" message), or a cache failure.
    pub fn credentials<T, P>(
        &self,
        role: &RoleProfile,
        fetch: Fetch<T, P>,
    ) -> Result<RoleCredentials, AuthError>
    where
        T: FnOnce() -> Result<Secret<String>, AuthError>,
        P: FnOnce() -> Result<PortalClient, AuthError>,
    {
        let key = role_key(role);
        if let Some(cached) = self.usable(self.cache.load_role_credentials(&key)?, true) {
            return Ok(cached);
        }
        let lock = self.cache.lock_role_credentials(&key)?;
        // Another process may have fetched them while we waited for the lock. (A problem with
        // the file was reported by the first read already.)
        if let Some(cached) = self.usable(lock.load()?, false) {
            self.terminal
                .debug(|| "role credentials were fetched by another process".into());
            return Ok(cached);
        }
        let token = (fetch.token)()?;
        let response = (fetch.portal)()?
            .get_role_credentials(&token, &role.role_name, &role.account_id)
            .map_err(|error| {
                if error.code() == Some("UnauthorizedException") {
                    AuthError::Cache(sso_cache::CacheError::SessionExpired)
                } else {
                    error.into()
                }
            })?;
        let fetched = response
            .role_credentials
            .ok_or(AuthError::IncompleteRoleCredentials)?;
        let (Some(access_key_id), Some(secret_access_key), Some(session_token), Some(millis)) = (
            fetched.access_key_id,
            fetched.secret_access_key,
            fetched.session_token,
            fetched.expiration,
        ) else {
            return Err(AuthError::IncompleteRoleCredentials);
        };
        let credentials = RoleCredentials {
            access_key_id,
            secret_access_key,
            session_token,
            // botocore keeps the `%Y-%m-%dT%H:%M:%SZ` text it caches, so whole seconds.
            expiration: whole_seconds(timestamp_from_epoch_millis(millis)?),
            account_id: Some(role.account_id.clone()),
        };
        lock.store(&credentials)?;
        self.terminal.debug(|| {
            format!(
                "cached role credentials in {}, expiring at {}",
                lock.path().display(),
                credentials.expiration
            )
        });
        Ok(credentials)
    }

    fn usable(
        &self,
        loaded: sso_cache::Loaded<RoleCredentials>,
        warn: bool,
    ) -> Option<RoleCredentials> {
        if let Some(warning) = loaded.warning.as_ref().filter(|_| warn) {
            self.terminal.warn(warning);
        }
        loaded
            .into_found()
            .filter(|credentials| credentials.is_usable(self.clock.now()))
    }
}

fn whole_seconds(timestamp: jiff::Timestamp) -> jiff::Timestamp {
    jiff::Timestamp::from_second(timestamp.as_second()).unwrap_or(timestamp)
}

/// The cache key botocore uses for a profile's role credentials.
pub fn role_key(role: &RoleProfile) -> RoleCredentialsKey {
    RoleCredentialsKey::new(
        &role.account_id,
        &role.role_name,
        role.target.session_name(),
        role.target.start_url(),
    )
}
