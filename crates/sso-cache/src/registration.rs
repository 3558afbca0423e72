//! [`ClientRegistration`]: the OIDC client-registration file in `~/.aws/sso/cache`
//! (spec cli-behavior §2.3), and when `aws sso login` may reuse it.
//!
//! The device and PKCE flows share one file name, so a registration records its kind in
//! `grantTypes` (present only for PKCE) and reuse checks the kind as well as the expiry.

use jiff::{SignedDuration, Timestamp};
use serde_json::{Map, Value};
use sso_core::Secret;

use crate::entry::{FieldReader, Preserved, render_line, render_object, secret_value};
use crate::time::format_timestamp;

/// botocore's `_EXPIRY_WINDOW` for registrations: reuse only with at least this much left.
pub const REGISTRATION_EXPIRY_WINDOW: SignedDuration = SignedDuration::from_mins(15);

/// The grant type whose presence in `grantTypes` marks a PKCE registration.
pub const AUTHORIZATION_CODE_GRANT: &str = "authorization_code";

/// The login flow a registration is wanted for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginFlow {
    /// Device authorization grant (legacy profiles, `--use-device-code`).
    DeviceCode,
    /// Authorization code with PKCE (the default for sso-session profiles since 2.22.0).
    AuthorizationCode,
}

/// A cached RegisterClient result.
#[derive(Clone, PartialEq)]
pub struct ClientRegistration {
    /// `clientId`.
    pub client_id: String,
    /// `clientSecret`.
    pub client_secret: Secret<String>,
    /// `expiresAt`: RegisterClient's `clientSecretExpiresAt`.
    pub expires_at: Timestamp,
    /// `scopes` as registered. The device flow writes it only when scopes were configured.
    pub scopes: Option<Vec<String>>,
    /// `grantTypes`; written only by the PKCE flow (`["authorization_code", "refresh_token"]`).
    pub grant_types: Option<Vec<String>>,
    preserved: Preserved,
}

impl std::fmt::Debug for ClientRegistration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientRegistration")
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret)
            .field("expires_at", &self.expires_at)
            .field("scopes", &self.scopes)
            .field("grant_types", &self.grant_types)
            .field("other_keys", &self.preserved)
            .finish()
    }
}

impl ClientRegistration {
    /// A fresh registration, written in the CLI's key order `clientId, clientSecret,
    /// expiresAt[, scopes][, grantTypes]`.
    pub fn new(
        client_id: impl Into<String>,
        client_secret: Secret<String>,
        expires_at: Timestamp,
        scopes: Option<Vec<String>>,
        grant_types: Option<Vec<String>>,
    ) -> Self {
        Self {
            client_id: client_id.into(),
            client_secret,
            expires_at,
            scopes,
            grant_types,
            preserved: Preserved::default(),
        }
    }

    /// Reads a registration; `Err` describes the first missing or malformed required field
    /// (`clientId`, `clientSecret`, `expiresAt`).
    pub fn from_json(object: Map<String, Value>) -> Result<Self, String> {
        let mut reader = FieldReader::new(object);
        let client_id = reader.string("clientId");
        let client_secret = reader.string("clientSecret");
        let expires_at = reader.timestamp("expiresAt");
        let (client_id, client_secret, expires_at) = match (client_id, client_secret, expires_at) {
            (Some(id), Some(secret), Some(expires_at)) => (id, secret, expires_at),
            // Name the first field that did not parse (parsed ones are no longer in the reader).
            (id, secret, _) => {
                let key = if id.is_none() {
                    "clientId"
                } else if secret.is_none() {
                    "clientSecret"
                } else {
                    "expiresAt"
                };
                return Err(reader.describe(key));
            }
        };
        Ok(Self {
            client_id,
            client_secret: Secret::new(client_secret),
            expires_at,
            scopes: reader.strings("scopes"),
            grant_types: reader.strings("grantTypes"),
            preserved: reader.finish(),
        })
    }

    /// The JSON object to write (see [`crate::CachedToken::to_json`] for the ordering rules).
    pub fn to_json(&self) -> Map<String, Value> {
        let list = |items: &Option<Vec<String>>| items.clone().map(Value::from);
        let known = vec![
            ("clientId", Some(Value::String(self.client_id.clone()))),
            ("clientSecret", Some(secret_value(&self.client_secret))),
            (
                "expiresAt",
                Some(Value::String(format_timestamp(self.expires_at))),
            ),
            ("scopes", list(&self.scopes)),
            ("grantTypes", list(&self.grant_types)),
        ];
        render_object(known, &self.preserved)
    }

    /// The file contents: one line of Python-style JSON, no trailing newline.
    pub fn render(&self) -> String {
        render_line(self.to_json())
    }

    /// Whether this registration was made for the PKCE flow: `grantTypes` contains
    /// `authorization_code`.
    pub fn is_pkce(&self) -> bool {
        self.grant_types
            .as_ref()
            .is_some_and(|grants| grants.iter().any(|grant| grant == AUTHORIZATION_CODE_GRANT))
    }

    /// Whether `aws sso login` would reuse this registration for `flow` at `now`: at least
    /// 15 minutes left (botocore: expired when `seconds < window`) and the right kind (PKCE
    /// needs `authorization_code` in `grantTypes`, the device flow needs its absence).
    pub fn is_usable_for(&self, flow: LoginFlow, now: Timestamp) -> bool {
        let fresh = self.expires_at.duration_since(now) >= REGISTRATION_EXPIRY_WINDOW;
        let kind_matches = match flow {
            LoginFlow::AuthorizationCode => self.is_pkce(),
            LoginFlow::DeviceCode => !self.is_pkce(),
        };
        fresh && kind_matches
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEVICE: &str = r#"{"clientId": "cid-123", "clientSecret": "csecret-456", "expiresAt": "2027-02-24T10:15:10Z"}"#;
    const PKCE: &str = r#"{"clientId": "cid-123", "clientSecret": "csecret-456", "expiresAt": "2027-02-24T10:15:10Z", "scopes": ["sso:account:access"], "grantTypes": ["authorization_code", "refresh_token"]}"#;

    fn parse(text: &str) -> Result<ClientRegistration, String> {
        let Value::Object(object) = serde_json::from_str::<Value>(text).unwrap() else {
            panic!("not an object")
        };
        ClientRegistration::from_json(object)
    }

    fn ts(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    #[test]
    fn cli_shapes_round_trip_byte_for_byte() {
        for text in [DEVICE, PKCE] {
            assert_eq!(parse(text).unwrap().render(), text);
        }
        let pkce = ClientRegistration::new(
            "cid-123",
            Secret::new("csecret-456".into()),
            ts("2027-02-24T10:15:10Z"),
            Some(vec!["sso:account:access".into()]),
            Some(vec!["authorization_code".into(), "refresh_token".into()]),
        );
        assert_eq!(pkce.render(), PKCE);
        let device = ClientRegistration::new(
            "cid-123",
            Secret::new("csecret-456".into()),
            ts("2027-02-24T10:15:10Z"),
            None,
            None,
        );
        assert_eq!(device.render(), DEVICE);
    }

    #[test]
    fn unknown_fields_are_kept() {
        let text = r#"{"clientId": "c", "clientSecret": "s", "expiresAt": "2027-02-24T10:15:10UTC", "receivedAt": "2026-11-26T10:15:10UTC"}"#;
        let registration = parse(text).unwrap();
        assert_eq!(
            registration.render(),
            r#"{"clientId": "c", "clientSecret": "s", "expiresAt": "2027-02-24T10:15:10Z", "receivedAt": "2026-11-26T10:15:10UTC"}"#
        );
    }

    #[test]
    fn incomplete_registrations_are_rejected() {
        let cases = [
            (
                r#"{"clientSecret": "s", "expiresAt": "2027-01-01T00:00:00Z"}"#,
                "missing `clientId`",
            ),
            (
                r#"{"clientId": "c", "expiresAt": "2027-01-01T00:00:00Z"}"#,
                "missing `clientSecret`",
            ),
            (
                r#"{"clientId": "c", "clientSecret": "s"}"#,
                "missing `expiresAt`",
            ),
            (
                r#"{"clientId": "c", "clientSecret": "s", "expiresAt": "x"}"#,
                "`expiresAt` is not a timestamp",
            ),
        ];
        for (text, detail) in cases {
            assert_eq!(parse(text).unwrap_err(), detail, "{text}");
        }
    }

    #[test]
    fn reuse_needs_fifteen_minutes_and_the_right_kind() {
        let device = parse(DEVICE).unwrap();
        let pkce = parse(PKCE).unwrap();
        let both = ClientRegistration {
            grant_types: Some(vec![
                "refresh_token".into(),
                "authorization_code".into(),
                "urn:ietf:params:oauth:grant-type:device_code".into(),
            ]),
            ..device.clone()
        };
        let refresh_only = ClientRegistration {
            grant_types: Some(vec!["refresh_token".into()]),
            ..device.clone()
        };
        assert!(!device.is_pkce() && pkce.is_pkce() && both.is_pkce() && !refresh_only.is_pkce());
        use LoginFlow::{AuthorizationCode as Pkce, DeviceCode as Device};
        #[rustfmt::skip]
        let cases = [
            (&device, Device, "2027-02-24T10:00:10Z", true),  // exactly 15 min left
            (&device, Device, "2027-02-24T10:00:11Z", false), // 1 s short
            (&device, Pkce,   "2026-01-01T00:00:00Z", false), // wrong kind
            (&pkce,   Pkce,   "2027-02-24T10:00:10Z", true),
            (&pkce,   Pkce,   "2027-02-24T10:15:10Z", false), // expiring now
            (&pkce,   Device, "2026-01-01T00:00:00Z", false), // wrong kind
            (&both,   Device, "2026-01-01T00:00:00Z", false), // has authorization_code
            (&refresh_only, Device, "2026-01-01T00:00:00Z", true),
        ];
        for (registration, flow, now, expected) in cases {
            assert_eq!(
                registration.is_usable_for(flow, ts(now)),
                expected,
                "{flow:?} at {now} for {registration:?}"
            );
        }
    }

    #[test]
    fn debug_shows_no_secret() {
        let registration = parse(PKCE).unwrap();
        let shown = format!("{registration:?} {registration:#?}");
        assert!(!shown.contains("csecret-456"), "{shown}");
        assert!(shown.contains("cid-123"), "{shown}");
    }
}
