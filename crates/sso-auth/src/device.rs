//! The device authorization grant (RFC 8628) as AWS CLI v2 runs it (spec cli-behavior §3.5).
//!
//! `StartDeviceAuthorization`, then one silent `CreateToken` attempt (a pre-authorised client
//! finishes without any prompt), then the instructions and the browser, then a poll every
//! `interval` seconds: `AuthorizationPendingException` keeps polling, `SlowDownException` adds
//! five seconds to the interval for good (RFC 8628 §3.5, botocore), `ExpiredTokenException`
//! ends the login with the CLI's "pending authorization … has expired" message, and anything
//! else is the error. Waiting goes through the injected [`Sleeper`], so tests never sleep.

use std::time::Duration;

use sso_cache::ClientRegistration;
use sso_client::OidcClient;
use sso_client::wire::{
    CreateTokenRequest, CreateTokenResponse, StartDeviceAuthorizationRequest, TokenGrant,
};
use sso_core::{Sleeper, Terminal};

use crate::AuthError;
use crate::browser::Browser;

/// Poll interval when the service sends none (botocore's default).
const DEFAULT_POLL_INTERVAL: u64 = 5;

/// Seconds `SlowDownException` adds to the interval, each time.
const SLOW_DOWN_STEP: u64 = 5;

/// What the device flow needs.
pub(crate) struct DeviceFlow<'a> {
    pub(crate) oidc: &'a OidcClient,
    pub(crate) sleeper: &'a dyn Sleeper,
    pub(crate) terminal: &'a dyn Terminal,
    pub(crate) browser: Option<&'a dyn Browser>,
    /// The start URL sent to the service.
    pub(crate) service_start_url: &'a str,
}

impl DeviceFlow<'_> {
    /// Runs the flow to a token.
    pub(crate) fn run(
        &self,
        registration: &ClientRegistration,
    ) -> Result<CreateTokenResponse, AuthError> {
        let authorization =
            self.oidc
                .start_device_authorization(&StartDeviceAuthorizationRequest {
                    client_id: registration.client_id.clone(),
                    client_secret: registration.client_secret.clone(),
                    start_url: self.service_start_url.to_owned(),
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
        if let Some(token) = poll_once(self.oidc, &request, &mut interval)? {
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
        match self.browser {
            Some(browser) => {
                let mut text = format!(
                    "Attempting to open your default browser.\nIf the browser does not open or you wish to use a different device to authorize this request, open the following URL:\n\n{uri}\n"
                );
                if let Some(code) = user_code {
                    text.push_str(&format!("\nThen enter the code:\n\n{code}\n"));
                }
                self.terminal.stdout(&text);
                browser.open(complete);
            }
            None => {
                self.terminal
                    .stdout(&no_browser_prompt(uri, user_code, Some(complete)));
            }
        }
        loop {
            self.sleeper.sleep(Duration::from_secs(interval));
            if let Some(token) = poll_once(self.oidc, &request, &mut interval)? {
                return Ok(token);
            }
        }
    }
}

/// One `CreateToken` poll: the token, `None` to keep polling, or the error that ends the login.
fn poll_once(
    oidc: &OidcClient,
    request: &CreateTokenRequest,
    interval: &mut u64,
) -> Result<Option<CreateTokenResponse>, AuthError> {
    match oidc.create_token(request) {
        Ok(token) => Ok(Some(token)),
        Err(error) => match error.code() {
            Some("AuthorizationPendingException") => Ok(None),
            Some("SlowDownException") => {
                *interval += SLOW_DOWN_STEP;
                Ok(None)
            }
            Some("ExpiredTokenException") => Err(AuthError::AuthorizationExpired),
            _ => Err(error.into()),
        },
    }
}

/// The `--no-browser` text (both flows; the code block only when there is a user code).
pub(crate) fn no_browser_prompt(
    uri: &str,
    user_code: Option<&str>,
    complete: Option<&str>,
) -> String {
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
