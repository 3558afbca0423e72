//! Client registrations: reuse a cached one of the right kind, or register anew (spec
//! cli-behavior §3.4).
//!
//! AWS CLI v2 reuses a cached registration when it has more than 15 minutes left and was made
//! for the same grant (a device-code registration cannot serve a PKCE login: it has no redirect
//! URI), and otherwise registers and caches a new one. The cache key hashes the *configured*
//! scopes, so `sso_registration_scopes` edits get a new registration.

use jiff::Timestamp;
use sso_cache::{Cache, ClientRegistration, LoginFlow, RegistrationKey};
use sso_client::wire::RegisterClientRequest;
use sso_client::{OidcClient, Operation};
use sso_config::SsoTarget;
use sso_core::{Clock, Terminal};

use crate::AuthError;

/// The scope every PKCE registration asks for when none is configured.
pub(crate) const DEFAULT_SCOPE: &str = "sso:account:access";

/// The cache key of a target's client registration (botocore hashes the configured scopes).
pub fn registration_key(target: &SsoTarget) -> RegistrationKey {
    RegistrationKey {
        start_url: target.start_url().to_owned(),
        region: target.region().to_owned(),
        scopes: configured_scopes(target),
        session_name: target.session_name().map(str::to_owned),
    }
}

fn configured_scopes(target: &SsoTarget) -> Option<Vec<String>> {
    match target {
        SsoTarget::Session {
            registration_scopes,
            ..
        } => registration_scopes.clone(),
        SsoTarget::Legacy { .. } => None,
    }
}

/// A registration to sign in with.
pub(crate) struct Registration {
    pub(crate) registration: ClientRegistration,
    /// Whether it came from the cache (and so may be one the service has since forgotten).
    pub(crate) reused: bool,
}

/// Whether the service refused the client itself in `operation`: it does not know the
/// registration (any more), or its secret has expired.
pub(crate) fn is_rejected_client(error: &AuthError, operation: Operation) -> bool {
    matches!(error, AuthError::Client(e) if e.service_error().is_some_and(|service| {
        service.code == "InvalidClientException" && service.operation == operation
    }))
}

/// Deletes the cached registration of `target` if it is the client `client_id` the service
/// just rejected, so the next login registers anew instead of sending the user to a sign-in
/// page that says the client is not registered. Best effort.
pub(crate) fn forget_rejected(cache: &Cache, target: &SsoTarget, client_id: &str) {
    let key = registration_key(target);
    let rejected = cache
        .load_registration(&key)
        .ok()
        .and_then(sso_cache::Loaded::into_found)
        .is_some_and(|cached| cached.client_id == client_id);
    if rejected {
        let _ = cache.delete_file(&cache.registration_path(&key));
    }
}

/// What registering needs.
pub(crate) struct Registrar<'a> {
    pub(crate) oidc: &'a OidcClient,
    pub(crate) cache: &'a Cache,
    pub(crate) clock: &'a dyn Clock,
    pub(crate) terminal: &'a dyn Terminal,
    /// The start URL sent as `issuerUrl` (where a vanity URL resolved to).
    pub(crate) service_start_url: &'a str,
}

impl Registrar<'_> {
    /// A cached registration usable for `flow` with 15 minutes left (`reused` true), or a
    /// new one (cached).
    pub(crate) fn registration(
        &self,
        target: &SsoTarget,
        flow: LoginFlow,
    ) -> Result<Registration, AuthError> {
        let key = registration_key(target);
        let now = self.clock.now();
        let loaded = self.cache.load_registration(&key)?;
        if let Some(warning) = &loaded.warning {
            self.terminal.warn(warning);
        }
        if let Some(cached) = loaded.into_found()
            && cached.is_usable_for(flow, now)
        {
            self.terminal
                .debug(|| format!("reusing client registration {}", cached.client_id));
            return Ok(Registration {
                registration: cached,
                reused: true,
            });
        }
        self.fresh(target, flow)
    }

    /// A new registration, cached in place of the old one: also what replaces a cached
    /// registration the service has rejected (it forgot the client, or revoked it).
    pub(crate) fn fresh(
        &self,
        target: &SsoTarget,
        flow: LoginFlow,
    ) -> Result<Registration, AuthError> {
        let registration = self.register(target, flow, self.clock.now())?;
        self.cache
            .store_registration(&registration_key(target), &registration)?;
        Ok(Registration {
            registration,
            reused: false,
        })
    }

    /// One `RegisterClient` call, named and scoped as botocore names and scopes it.
    fn register(
        &self,
        target: &SsoTarget,
        flow: LoginFlow,
        now: Timestamp,
    ) -> Result<ClientRegistration, AuthError> {
        let client_name = match target.session_name() {
            Some(session) => format!("botocore-client-{session}"),
            None => format!("botocore-client-{}", now.as_second()),
        };
        let scopes = configured_scopes(target);
        let request = match flow {
            // An empty `sso_registration_scopes =` is no scopes: botocore sends them only
            // when the list is not empty.
            LoginFlow::DeviceCode => {
                RegisterClientRequest::device_code(client_name, scopes.filter(|s| !s.is_empty()))
            }
            LoginFlow::AuthorizationCode => RegisterClientRequest::authorization_code(
                client_name,
                self.service_start_url,
                scopes
                    .filter(|s| !s.is_empty())
                    .unwrap_or_else(|| vec![DEFAULT_SCOPE.to_owned()]),
            ),
        };
        let response = self.oidc.register_client(&request)?;
        let expires_at = response
            .client_secret_expires_at
            .and_then(|seconds| Timestamp::from_second(seconds).ok())
            .ok_or(AuthError::InvalidRegistration)?;
        Ok(ClientRegistration::new(
            response.client_id,
            response.client_secret,
            expires_at,
            request.scopes.clone(),
            request.grant_types,
        ))
    }
}
