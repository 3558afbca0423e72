//! The record types kept in the [`Store`](super::Store), one table each, and the small pure
//! predicates on them (expiry, allowed grants). Timestamps are emulator-clock milliseconds since
//! the epoch.
//!
//! Tokens and codes are the keys of their tables; the records hold what the token stands for.
//! A token is valid only while its record says so, which is what makes tokens unforgeable and
//! revocable.

use serde::{Deserialize, Serialize};

use super::{Record, Table};

/// The OAuth grant type names, as on the wire.
pub(crate) mod grant {
    /// Device authorization grant (RFC 8628).
    pub(crate) const DEVICE_CODE: &str = "urn:ietf:params:oauth:grant-type:device_code";
    /// Authorization code grant (with PKCE).
    pub(crate) const AUTHORIZATION_CODE: &str = "authorization_code";
    /// Refresh token grant.
    pub(crate) const REFRESH_TOKEN: &str = "refresh_token";
}

/// A registered OIDC client (RegisterClient), keyed by `clientId`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Client {
    pub(crate) client_secret: String,
    pub(crate) client_name: String,
    /// Registered scopes; empty for a legacy (non-refreshable) registration.
    pub(crate) scopes: Vec<String>,
    /// Grants this client may use (the registered `grantTypes`, or the default set).
    pub(crate) grant_types: Vec<String>,
    /// Registered redirect URIs (port-less loopback form, normally).
    pub(crate) redirect_uris: Vec<String>,
    pub(crate) issued_at_ms: i64,
    pub(crate) expires_at_ms: i64,
}

impl Record for Client {
    const TABLE: Table = Table::new("clients");
}

impl Client {
    /// Whether the client registered for `grant_type`.
    pub(crate) fn allows(&self, grant_type: &str) -> bool {
        self.grant_types.iter().any(|g| g == grant_type)
    }
}

/// Where a device code stands in the RFC 8628 state machine.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub(crate) enum DeviceStatus {
    /// Waiting for the user.
    Pending,
    /// The user allowed it; the next poll redeems it against this portal session.
    Approved { session_id: String },
    /// The user denied or cancelled it.
    Denied,
    /// Tokens were issued; the code is spent.
    Redeemed,
}

/// A device authorization (StartDeviceAuthorization), keyed by `deviceCode`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct DeviceGrant {
    pub(crate) user_code: String,
    pub(crate) client_id: String,
    pub(crate) created_at_ms: i64,
    pub(crate) expires_at_ms: i64,
    /// Current minimum polling interval, seconds (grows by 5 on each `slow_down`).
    pub(crate) interval_secs: i64,
    pub(crate) last_poll_ms: Option<i64>,
    pub(crate) status: DeviceStatus,
}

impl Record for DeviceGrant {
    const TABLE: Table = Table::new("device_codes");
}

/// Index from a canonical user code (`XXXX-XXXX`) to its device code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct UserCode {
    pub(crate) device_code: String,
}

impl Record for UserCode {
    const TABLE: Table = Table::new("user_codes");
}

/// A validated `/authorize` request waiting for sign-in and consent, keyed by an opaque ID that
/// the pages carry in a hidden field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct AuthorizationRequest {
    pub(crate) client_id: String,
    pub(crate) redirect_uri: String,
    pub(crate) state: Option<String>,
    pub(crate) code_challenge: String,
    pub(crate) scopes: Vec<String>,
    pub(crate) expires_at_ms: i64,
    /// Set once the user allowed or denied, so a replayed consent form does nothing.
    pub(crate) completed: bool,
}

impl Record for AuthorizationRequest {
    const TABLE: Table = Table::new("authorization_requests");
}

/// An issued authorization code, keyed by the code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct AuthCode {
    pub(crate) client_id: String,
    /// The exact (port-ful) redirect URI sent to `/authorize`; `/token` must repeat it.
    pub(crate) redirect_uri: String,
    pub(crate) code_challenge: String,
    pub(crate) scopes: Vec<String>,
    pub(crate) session_id: String,
    pub(crate) expires_at_ms: i64,
    pub(crate) used: bool,
}

impl Record for AuthCode {
    const TABLE: Table = Table::new("auth_codes");
}

/// A portal sign-in session: the browser cookie points at it, and every token issued from a
/// sign-in belongs to it. Logout or revocation ends it and with it all its tokens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Session {
    pub(crate) user: String,
    pub(crate) created_at_ms: i64,
    pub(crate) expires_at_ms: i64,
    pub(crate) revoked: bool,
}

impl Record for Session {
    const TABLE: Table = Table::new("sessions");
}

impl Session {
    /// Whether the session can still authorise anything at `now_ms`.
    pub(crate) fn is_live(&self, now_ms: i64) -> bool {
        !self.revoked && now_ms < self.expires_at_ms
    }
}

/// An issued access token, keyed by the token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct AccessToken {
    pub(crate) session_id: String,
    pub(crate) client_id: String,
    pub(crate) scopes: Vec<String>,
    pub(crate) issued_at_ms: i64,
    pub(crate) expires_at_ms: i64,
}

impl Record for AccessToken {
    const TABLE: Table = Table::new("access_tokens");
}

/// An issued refresh token, keyed by the token. Rotated on every use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct RefreshToken {
    pub(crate) session_id: String,
    pub(crate) client_id: String,
    pub(crate) scopes: Vec<String>,
    pub(crate) issued_at_ms: i64,
    /// Set when it was exchanged; a spent refresh token is rejected.
    pub(crate) used: bool,
}

impl Record for RefreshToken {
    const TABLE: Table = Table::new("refresh_tokens");
}

/// Role credentials GetRoleCredentials issued, keyed by access key ID, so the federation
/// endpoint can tell them from forged ones. Only digests of the secret parts are kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct IssuedRoleCredentials {
    pub(crate) user: String,
    pub(crate) account_id: String,
    pub(crate) role_name: String,
    pub(crate) secret_sha256: String,
    pub(crate) token_sha256: String,
    pub(crate) expires_at_ms: i64,
}

impl Record for IssuedRoleCredentials {
    const TABLE: Table = Table::new("role_credentials");
}

/// A console sign-in token from `getSigninToken`, keyed by the token: good for one
/// `Action=login` within 15 minutes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct SigninToken {
    pub(crate) user: String,
    pub(crate) account_id: String,
    pub(crate) role_name: String,
    pub(crate) expires_at_ms: i64,
    /// `SessionDuration`, when the caller asked for one.
    pub(crate) session_seconds: Option<i64>,
    pub(crate) used: bool,
}

impl Record for SigninToken {
    const TABLE: Table = Table::new("signin_tokens");
}

/// A console session, keyed by its cookie.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct ConsoleSession {
    pub(crate) user: String,
    pub(crate) account_id: String,
    pub(crate) role_name: String,
    pub(crate) issuer: String,
    pub(crate) expires_at_ms: i64,
}

impl Record for ConsoleSession {
    const TABLE: Table = Table::new("console_sessions");
}
