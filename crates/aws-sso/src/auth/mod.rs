//! Signing in: the two OAuth flows of `aws sso login`, client-registration reuse, and the
//! token the flows produce (spec cli-behavior §3).
//!
//! [`login`] follows AWS CLI v2 step by step — reuse a cached registration of the right kind
//! with 15 minutes left or register anew, run the device-code or PKCE flow, write the token —
//! and prints the same text to stdout. What it adds is documented where it happens: a loopback
//! listener bound to 127.0.0.1 before the browser opens, a `state` check, and a clear message
//! and exit code for every failure. Token *use* and refresh for the other commands is
//! `token.rs`.

pub(crate) mod browser;
pub(crate) mod callback;
pub(crate) mod pkce;
pub(crate) mod start_url;
pub(crate) mod token;

use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use sso_cache::{Cache, CachedToken, ClientRegistration, LoginFlow, RegistrationKey, TokenKey};
use sso_client::wire::{
    CreateTokenRequest, CreateTokenResponse, RegisterClientRequest,
    StartDeviceAuthorizationRequest, TokenGrant,
};
use sso_client::{OidcClient, Sleeper};
use sso_config::SsoTarget;
use sso_core::{Clock, Secret};

use crate::error::CliError;
use crate::printer::Printer;
use browser::Browser;
use callback::{CALLBACK_TIMEOUT, CallbackError, CallbackListener};
use pkce::PkceChallenge;

/// AWS CLI v2's message for an authorization that timed out or expired (`ExpiredTokenException`,
/// or no PKCE redirect within 600 s); exit 255.
pub(crate) const PENDING_AUTHORIZATION_EXPIRED: &str = "The pending authorization to retrieve an SSO token has expired. The login flow to retrieve an SSO token must be restarted.";

/// Device-flow poll interval when the service sends none (botocore default).
const DEFAULT_POLL_INTERVAL: u64 = 5;

/// Everything a login needs besides the target.
pub(crate) struct LoginSeams<'a> {
    /// The start URL to send to the service: the configured one, or where a vanity URL
    /// resolved to (`start_url.rs`).
    pub(crate) service_start_url: &'a str,
    pub(crate) oidc: &'a OidcClient,
    pub(crate) cache: &'a Cache,
    pub(crate) clock: &'a dyn Clock,
    pub(crate) printer: &'a Printer,
    pub(crate) browser: Option<&'a dyn Browser>,
    pub(crate) sleeper: &'a dyn Sleeper,
}

/// Signs in to `target` with `flow`, writes the token file, and returns the token.
pub(crate) fn login(
    target: &SsoTarget,
    flow: LoginFlow,
    seams: &LoginSeams<'_>,
) -> Result<CachedToken, CliError> {
    // The PKCE listener exists before anything else, as in the AWS CLI, so a bind failure is
    // reported before any network traffic.
    let listener = match flow {
        LoginFlow::AuthorizationCode => Some(CallbackListener::bind().map_err(|error| {
            CliError::general(format!(
                "Unable to initialize the OAuth 2.0 authorization callback handler: {error} \n You may use --use-device-code to fall back to the device code flow which does not require the callback handler."
            ))
        })?),
        LoginFlow::DeviceCode => None,
    };
    let registration = registration_for(target, flow, seams)?;
    let response = match &listener {
        Some(listener) => pkce_flow(&registration, listener, seams)?,
        None => device_flow(&registration, seams)?,
    };
    let now = seams.clock.now();
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
    seams
        .cache
        .with_token_lock(&key, |lock| lock.store(&token))?;
    seams.printer.debug(|| {
        format!(
            "cached a token for `{}` in {}, expiring at {}",
            key.name(),
            seams.cache.token_path(&key).display(),
            token.expires_at
        )
    });
    Ok(token)
}

/// The cache key of a target's token.
pub(crate) fn token_key(target: &SsoTarget) -> TokenKey {
    match target.session_name() {
        Some(session) => TokenKey::session(session, target.start_url()),
        None => TokenKey::legacy(target.start_url()),
    }
}

/// The cache key of a target's client registration (botocore hashes the *configured* scopes).
fn registration_key(target: &SsoTarget) -> RegistrationKey {
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

/// A cached registration of the right kind with 15 minutes left, or a new one (cached).
fn registration_for(
    target: &SsoTarget,
    flow: LoginFlow,
    seams: &LoginSeams<'_>,
) -> Result<ClientRegistration, CliError> {
    let key = registration_key(target);
    let now = seams.clock.now();
    let loaded = seams.cache.load_registration(&key)?;
    if let Some(warning) = &loaded.warning {
        seams.printer.stderr(&format!("warning: {warning}\n"));
    }
    if let Some(cached) = loaded.into_found()
        && cached.is_usable_for(flow, now)
    {
        seams
            .printer
            .debug(|| format!("reusing client registration {}", cached.client_id));
        return Ok(cached);
    }
    let client_name = match target.session_name() {
        Some(session) => format!("botocore-client-{session}"),
        None => format!("botocore-client-{}", now.as_second()),
    };
    let scopes = configured_scopes(target);
    let request = match flow {
        LoginFlow::DeviceCode => RegisterClientRequest::device_code(client_name, scopes),
        LoginFlow::AuthorizationCode => RegisterClientRequest::authorization_code(
            client_name,
            seams.service_start_url,
            scopes
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| vec!["sso:account:access".to_owned()]),
        ),
    };
    let response = seams.oidc.register_client(&request)?;
    let expires_at = response
        .client_secret_expires_at
        .and_then(|seconds| Timestamp::from_second(seconds).ok())
        .ok_or_else(|| {
            CliError::general(
                "The RegisterClient response has no valid `clientSecretExpiresAt`; the SSO OIDC endpoint may not be IAM Identity Center",
            )
        })?;
    let registration = ClientRegistration::new(
        response.client_id,
        response.client_secret,
        expires_at,
        request.scopes.clone(),
        request.grant_types,
    );
    seams.cache.store_registration(&key, &registration)?;
    Ok(registration)
}

/// The device authorization grant (RFC 8628) as AWS CLI v2 runs it (spec §3.5).
fn device_flow(
    registration: &ClientRegistration,
    seams: &LoginSeams<'_>,
) -> Result<CreateTokenResponse, CliError> {
    let authorization =
        seams
            .oidc
            .start_device_authorization(&StartDeviceAuthorizationRequest {
                client_id: registration.client_id.clone(),
                client_secret: registration.client_secret.clone(),
                start_url: seams.service_start_url.to_owned(),
            })?;
    let request = CreateTokenRequest {
        client_id: registration.client_id.clone(),
        client_secret: registration.client_secret.clone(),
        grant: TokenGrant::DeviceCode {
            device_code: authorization.device_code.clone(),
        },
        scope: None,
    };
    let mut interval = authorization
        .interval
        .and_then(|i| u64::try_from(i).ok())
        .filter(|&i| i > 0)
        .unwrap_or(DEFAULT_POLL_INTERVAL);

    // One silent attempt first: a pre-authorised client finishes without any prompt.
    if let Some(token) = poll_once(seams.oidc, &request, &mut interval)? {
        return Ok(token);
    }
    let uri = authorization
        .verification_uri
        .as_deref()
        .unwrap_or_default();
    let complete = authorization
        .verification_uri_complete
        .as_deref()
        .unwrap_or(uri);
    let user_code = authorization.user_code.as_deref();
    match seams.browser {
        Some(browser) => {
            let mut text = format!(
                "Attempting to open your default browser.\nIf the browser does not open or you wish to use a different device to authorize this request, open the following URL:\n\n{uri}\n"
            );
            if let Some(code) = user_code {
                text.push_str(&format!("\nThen enter the code:\n\n{code}\n"));
            }
            seams.printer.stdout(&text);
            browser.open(complete);
        }
        None => {
            seams
                .printer
                .stdout(&no_browser_prompt(uri, user_code, Some(complete)));
        }
    }
    loop {
        seams.sleeper.sleep(Duration::from_secs(interval));
        if let Some(token) = poll_once(seams.oidc, &request, &mut interval)? {
            return Ok(token);
        }
    }
}

/// One `CreateToken` poll: the token, `None` to keep polling, or the error that ends the login.
fn poll_once(
    oidc: &OidcClient,
    request: &CreateTokenRequest,
    interval: &mut u64,
) -> Result<Option<CreateTokenResponse>, CliError> {
    match oidc.create_token(request) {
        Ok(token) => Ok(Some(token)),
        Err(error) => match error.code() {
            Some("AuthorizationPendingException") => Ok(None),
            // RFC 8628 §3.5 and botocore: each slow_down adds five seconds, cumulatively.
            Some("SlowDownException") => {
                *interval += 5;
                Ok(None)
            }
            Some("ExpiredTokenException") => Err(CliError::general(PENDING_AUTHORIZATION_EXPIRED)),
            _ => Err(error.into()),
        },
    }
}

/// The `--no-browser` text (both flows; the code block only when there is a user code).
fn no_browser_prompt(uri: &str, user_code: Option<&str>, complete: Option<&str>) -> String {
    let mut text = format!(
        "Browser will not be automatically opened.\nPlease visit the following URL:\n\n{uri}\n"
    );
    if let Some(code) = user_code {
        text.push_str(&format!("\nThen enter the code:\n\n{code}\n"));
        if let Some(complete) = complete {
            text.push_str(&format!(
                "\nAlternatively, you may visit the following URL which will autofill the code upon loading:\n{complete}\n"
            ));
        }
    }
    text
}

/// The authorization-code grant with PKCE (spec §3.6).
fn pkce_flow(
    registration: &ClientRegistration,
    listener: &CallbackListener,
    seams: &LoginSeams<'_>,
) -> Result<CreateTokenResponse, CliError> {
    let pkce = PkceChallenge::generate()
        .map_err(|error| CliError::general(format!("Unable to generate PKCE values: {error}")))?;
    let redirect_uri = listener.redirect_uri();
    let scopes = registration
        .scopes
        .clone()
        .unwrap_or_else(|| vec!["sso:account:access".to_owned()]);
    let url = pkce::authorize_url(
        seams.oidc.endpoint(),
        &registration.client_id,
        &redirect_uri,
        &pkce,
        &scopes,
    );
    match seams.browser {
        Some(browser) => {
            seams.printer.stdout(&format!(
                "Attempting to open your default browser. If the browser does not open, open the following URL.\nIf you are unable to open the URL on this device, run this command again with the '--use-device-code' option.\n\n{url}\n\n"
            ));
            browser.open(&url);
        }
        None => {
            seams.printer.stdout(&no_browser_prompt(&url, None, None));
        }
    }
    let code = listener
        .wait(&pkce.state, CALLBACK_TIMEOUT)
        .map_err(|error| match error {
            CallbackError::Denied => CliError::general(
                "Error loading authorization code: Failed to retrieve an authorization code.",
            ),
            CallbackError::StateMismatch => CliError::general(
                "Error loading authorization code: State parameter does not match expected value.",
            ),
            CallbackError::TimedOut => CliError::general(PENDING_AUTHORIZATION_EXPIRED),
            CallbackError::Io(error) => CliError::general(format!(
                "The OAuth 2.0 authorization callback handler failed: {error}"
            )),
        })?;
    let request = CreateTokenRequest {
        client_id: registration.client_id.clone(),
        client_secret: registration.client_secret.clone(),
        grant: TokenGrant::AuthorizationCode {
            code: Secret::new(code),
            redirect_uri,
            code_verifier: pkce.verifier,
        },
        scope: None,
    };
    seams.oidc.create_token(&request).map_err(|error| {
        if error.code() == Some("ExpiredTokenException") {
            CliError::general(PENDING_AUTHORIZATION_EXPIRED)
        } else {
            error.into()
        }
    })
}

/// The token file stores whole seconds (`YYYY-MM-DDTHH:MM:SSZ`).
fn truncate_to_seconds(timestamp: Timestamp) -> Timestamp {
    Timestamp::from_second(timestamp.as_second()).unwrap_or(timestamp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_browser_text_matches_the_aws_cli() {
        assert_eq!(
            no_browser_prompt(
                "https://dev/",
                Some("ABCD-EFGH"),
                Some("https://dev/?user_code=ABCD-EFGH")
            ),
            "Browser will not be automatically opened.\nPlease visit the following URL:\n\nhttps://dev/\n\nThen enter the code:\n\nABCD-EFGH\n\nAlternatively, you may visit the following URL which will autofill the code upon loading:\nhttps://dev/?user_code=ABCD-EFGH\n"
        );
        assert_eq!(
            no_browser_prompt("https://oidc/authorize?x", None, None),
            "Browser will not be automatically opened.\nPlease visit the following URL:\n\nhttps://oidc/authorize?x\n"
        );
    }
}
