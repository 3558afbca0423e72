//! [`AuthError`]: every way signing in, using a token or fetching role credentials can fail.
//!
//! Messages that the AWS CLI prints are copied exactly from AWS CLI v2 (spec cli-behavior §3,
//! §4), because scripts match on them. Errors of the layers below (client, cache, config) are
//! carried whole, so the binary renders them exactly as it renders them elsewhere, and the
//! chain of causes stays available for `--debug`.

use sso_core::ExitClass;

/// AWS CLI v2's message for an authorization that timed out or expired
/// (`ExpiredTokenException`, or no PKCE redirect within 600 s).
pub const PENDING_AUTHORIZATION_EXPIRED: &str = "The pending authorization to retrieve an SSO token has expired. The login flow to retrieve an SSO token must be restarted.";

/// A failure of `sso-auth`.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// An SSO OIDC or portal call failed.
    #[error(transparent)]
    Client(#[from] sso_client::ClientError),

    /// Reading or writing a cache file failed, or the cached token is missing or expired.
    #[error(transparent)]
    Cache(#[from] sso_cache::CacheError),

    /// The configuration does not say how to reach the service (endpoint resolution).
    #[error(transparent)]
    Config(#[from] sso_config::ConfigError),

    /// The device code or the PKCE wait expired before the user finished (exit 255).
    #[error("{PENDING_AUTHORIZATION_EXPIRED}")]
    AuthorizationExpired,

    /// The loopback listener for the PKCE redirect could not be started.
    #[error(
        "Unable to initialize the OAuth 2.0 authorization callback handler: {0} \n You may use --use-device-code to fall back to the device code flow which does not require the callback handler."
    )]
    CallbackBind(#[source] std::io::Error),

    /// The loopback listener failed while waiting.
    #[error("The OAuth 2.0 authorization callback handler failed: {0}")]
    CallbackFailed(#[source] std::io::Error),

    /// The redirect carried `error`: the sign-in was denied or refused.
    #[error("Error loading authorization code: Failed to retrieve an authorization code.")]
    Denied,

    /// The redirect's `state` was not the one this login sent.
    #[error("Error loading authorization code: State parameter does not match expected value.")]
    StateMismatch,

    /// The operating system's random number generator failed.
    #[error("Unable to generate PKCE values: {0}")]
    Randomness(getrandom::Error),

    /// `RegisterClient` answered without a usable `clientSecretExpiresAt`.
    #[error(
        "The RegisterClient response has no valid `clientSecretExpiresAt`; the SSO OIDC endpoint may not be IAM Identity Center"
    )]
    InvalidRegistration,

    /// A vanity start URL could not be resolved to an AWS-owned endpoint (AWS CLI
    /// `ConfigurationError`, exit 253).
    #[error("{0}")]
    StartUrl(String),

    /// `GetRoleCredentials` answered without credentials.
    #[error("The GetRoleCredentials response has no complete `roleCredentials`")]
    IncompleteRoleCredentials,
}

impl AuthError {
    /// How the binary should exit on this error.
    pub fn exit_class(&self) -> ExitClass {
        match self {
            Self::Client(error) => error.exit_class(),
            Self::Cache(error) => error.exit_class(),
            Self::Config(error) => error.exit_class(),
            Self::StartUrl(_) => ExitClass::Configuration,
            Self::AuthorizationExpired
            | Self::CallbackBind(_)
            | Self::CallbackFailed(_)
            | Self::Denied
            | Self::StateMismatch
            | Self::Randomness(_)
            | Self::InvalidRegistration
            | Self::IncompleteRoleCredentials => ExitClass::General,
        }
    }

    /// The code the AWS CLI prints in `An error occurred (CODE): …`, when it prints one.
    pub fn aws_code(&self) -> Option<&str> {
        match self {
            Self::Client(error) => error.code(),
            Self::Config(error) => error.aws_code(),
            Self::StartUrl(_) => Some("Configuration"),
            _ => None,
        }
    }

    /// Whether the service itself refused (botocore `ClientError`), as opposed to a network,
    /// cache or local failure. The refresh fallback treats the two differently.
    pub fn is_service_error(&self) -> bool {
        self.exit_class() == ExitClass::Service
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_and_codes() {
        assert_eq!(
            AuthError::AuthorizationExpired.exit_class(),
            ExitClass::General
        );
        assert_eq!(
            AuthError::StartUrl("x".into()).aws_code(),
            Some("Configuration")
        );
        assert_eq!(AuthError::StartUrl("x".into()).exit_class().code(), 253);
        let cache: AuthError = sso_cache::CacheError::RefreshFailed.into();
        assert_eq!(
            cache.to_string(),
            "Error when retrieving token from sso: Token has expired and refresh failed"
        );
        assert!(!cache.is_service_error());
    }
}
