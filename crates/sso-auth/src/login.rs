//! Signing in: the two OAuth flows of `aws sso login`, client-registration reuse, and the
//! token the flows produce (spec cli-behavior §3).
//!
//! [`Login::run`] follows AWS CLI v2 step by step — reuse a cached registration of the right
//! kind with 15 minutes left or register anew, run the device-code or PKCE flow, write the
//! token — and prints the same text to stdout through the [`Terminal`]. What it adds is
//! documented where it happens: a loopback listener bound to 127.0.0.1 before the browser opens
//! (the caller binds it and passes it in as the [`Flow`]), a `state` check, and a clear error
//! for every failure. Token *use* and refresh for the other commands is `token.rs`.

use jiff::{SignedDuration, Timestamp};
use sso_cache::{Cache, CachedToken, ClientRegistration, LoginFlow};
use sso_client::wire::{CreateTokenRequest, CreateTokenResponse, TokenGrant};
use sso_client::{OidcClient, Operation};
use sso_config::SsoTarget;
use sso_core::{Clock, Secret, Sleeper, Terminal};

use crate::AuthError;
use crate::browser::Browser;
use crate::callback::{CALLBACK_TIMEOUT, CallbackError, CallbackReceiver};
use crate::device::{DeviceFlow, no_browser_prompt};
use crate::pkce::{self, PkceChallenge};
use crate::registration::{DEFAULT_SCOPE, Registrar, Registration, is_rejected_client};
use crate::token::token_key;

/// Which OAuth grant to sign in with.
#[derive(Clone, Copy)]
pub enum Flow<'a> {
    /// The device authorization grant: a code the user confirms in any browser.
    DeviceCode,
    /// The authorization-code grant with PKCE; the redirect arrives at this receiver, which the
    /// caller has already bound (so a bind failure is reported before any network traffic).
    AuthorizationCode(&'a dyn CallbackReceiver),
}

impl Flow<'_> {
    /// The cache's name for the flow (registrations remember which grant they were made for).
    pub const fn kind(&self) -> LoginFlow {
        match self {
            Self::DeviceCode => LoginFlow::DeviceCode,
            Self::AuthorizationCode(_) => LoginFlow::AuthorizationCode,
        }
    }
}

/// Everything a login needs besides the target: the service, the caches and the seams.
pub struct Login<'a> {
    /// The SSO OIDC client of the target's region.
    pub oidc: &'a OidcClient,
    /// Where the registration and the token are cached.
    pub cache: &'a Cache,
    /// "Now", for expiry times.
    pub clock: &'a dyn Clock,
    /// Waits between device-code polls.
    pub sleeper: &'a dyn Sleeper,
    /// Where instructions, warnings and `--debug` lines go.
    pub terminal: &'a dyn Terminal,
    /// Opens the verification or authorization URL; `None` for `--no-browser`.
    pub browser: Option<&'a dyn Browser>,
    /// The start URL to send to the service: the configured one, or where a vanity URL
    /// resolved to (`start_url.rs`).
    pub service_start_url: &'a str,
}

impl Login<'_> {
    /// Signs in to `target` with `flow`, writes the token file, and returns the token.
    ///
    /// # Errors
    ///
    /// Registration, authorization, the token exchange or the cache write failed.
    pub fn run(&self, target: &SsoTarget, flow: Flow<'_>) -> Result<CachedToken, AuthError> {
        let registrar = Registrar {
            oidc: self.oidc,
            cache: self.cache,
            clock: self.clock,
            terminal: self.terminal,
            service_start_url: self.service_start_url,
        };
        let Registration {
            mut registration,
            reused,
        } = registrar.registration(target, flow.kind())?;
        let response = match flow {
            Flow::AuthorizationCode(receiver) => {
                // A reused registration means nothing has been sent to the OIDC host yet:
                // find out now if it cannot be reached, rather than after a browser sign-in
                // whose token exchange would fail.
                if reused {
                    self.oidc.check_reachable()?;
                }
                self.pkce(&registration, receiver)?
            }
            Flow::DeviceCode => {
                let device = DeviceFlow {
                    oidc: self.oidc,
                    sleeper: self.sleeper,
                    terminal: self.terminal,
                    browser: self.browser,
                    service_start_url: self.service_start_url,
                };
                match device.run(&registration) {
                    // A cached registration the service no longer knows (it was revoked, or
                    // the service forgot it) is replaced once instead of failing the login.
                    Err(error)
                        if reused
                            && is_rejected_client(&error, Operation::StartDeviceAuthorization) =>
                    {
                        self.terminal.debug(|| {
                            "the service rejected the cached client registration; registering anew"
                                .into()
                        });
                        registration = registrar.fresh(target, flow.kind())?.registration;
                        device.run(&registration)?
                    }
                    outcome => outcome?,
                }
            }
        };
        let now = self.clock.now();
        let expires_in = response.expires_in.unwrap_or_default();
        let token = CachedToken::issued(
            target.start_url(),
            target.region(),
            response.access_token,
            truncate_to_seconds(now + SignedDuration::from_secs(expires_in)),
            &registration,
            response.refresh_token,
        );
        let key = token_key(target);
        self.cache
            .with_token_lock(&key, |lock| lock.store(&token))?;
        self.terminal.debug(|| {
            format!(
                "cached a token for `{}` in {}, expiring at {}",
                key.name(),
                self.cache.token_path(&key).display(),
                token.expires_at
            )
        });
        Ok(token)
    }

    /// The authorization-code grant with PKCE (spec §3.6).
    fn pkce(
        &self,
        registration: &ClientRegistration,
        receiver: &dyn CallbackReceiver,
    ) -> Result<CreateTokenResponse, AuthError> {
        let challenge = PkceChallenge::generate().map_err(AuthError::Randomness)?;
        let redirect_uri = receiver.redirect_uri();
        let scopes = registration
            .scopes
            .clone()
            .unwrap_or_else(|| vec![DEFAULT_SCOPE.to_owned()]);
        let url = pkce::authorize_url(
            self.oidc.endpoint(),
            &registration.client_id,
            &redirect_uri,
            &challenge,
            &scopes,
        );
        match self.browser {
            Some(browser) => {
                self.terminal.stdout(&format!(
                    "Attempting to open your default browser. If the browser does not open, open the following URL.\nIf you are unable to open the URL on this device, run this command again with the '--use-device-code' option.\n\n{url}\n\n"
                ));
                browser.open(&url);
            }
            None => self.terminal.stdout(&no_browser_prompt(&url, None, None)),
        }
        // A browser that never comes back (an error page, or no browser that can reach this
        // machine's 127.0.0.1) would otherwise mean ten silent minutes: after a while, say what
        // to do, then go on waiting for the rest of the AWS CLI's 600 s.
        let code = match receiver.wait(&challenge.state, STILL_WAITING_AFTER) {
            Err(CallbackError::TimedOut) => {
                self.terminal.stderr(if receiver.accepts_paste() {
                    STILL_WAITING_PASTE
                } else {
                    STILL_WAITING
                });
                receiver.wait(
                    &challenge.state,
                    CALLBACK_TIMEOUT.saturating_sub(STILL_WAITING_AFTER),
                )
            }
            other => other,
        }
        .map_err(|error| match error {
            CallbackError::Denied => AuthError::Denied,
            CallbackError::StateMismatch => AuthError::StateMismatch,
            CallbackError::TimedOut => AuthError::AuthorizationExpired,
            CallbackError::Io(error) => AuthError::CallbackFailed(error),
        })?;
        let request = CreateTokenRequest {
            client_id: registration.client_id.clone(),
            client_secret: registration.client_secret.clone(),
            grant: TokenGrant::AuthorizationCode {
                code: Secret::new(code),
                redirect_uri,
                code_verifier: challenge.verifier,
            },
            scope: None,
        };
        self.oidc.create_token(&request).map_err(|error| {
            if error.code() == Some("ExpiredTokenException") {
                AuthError::AuthorizationExpired
            } else {
                error.into()
            }
        })
    }
}

/// How long the PKCE flow waits for the browser before saying what to do if it is stuck.
pub const STILL_WAITING_AFTER: std::time::Duration = std::time::Duration::from_secs(30);

/// The line shown then (on stderr, so it never mixes with the prompt the AWS CLI prints).
pub const STILL_WAITING: &str = "Still waiting for the browser to finish the sign-in. If it shows an error, or cannot reach this machine (the sign-in ends at http://127.0.0.1 here), press Ctrl-C and run the login again with --use-device-code.\n";

/// The same when the address can be pasted at the prompt (stdin is a terminal).
pub const STILL_WAITING_PASTE: &str = "Still waiting for the browser to finish the sign-in. If it cannot reach this machine (the sign-in ends at http://127.0.0.1 here), paste the address it ends on at the prompt; if it shows an error, press Ctrl-C and run the login again with --use-device-code.\n";

/// The token file stores whole seconds (`YYYY-MM-DDTHH:MM:SSZ`).
pub(crate) fn truncate_to_seconds(timestamp: Timestamp) -> Timestamp {
    Timestamp::from_second(timestamp.as_second()).unwrap_or(timestamp)
}
