//! [`RoleCredentials`]: the SSO role-credential entry the AWS CLI v2 keeps in
//! `~/.aws/cli/cache` (spec cli-behavior §2.4), and when it may be reused.
//!
//! The same directory holds assume-role credentials and a `session.db`; entries from the SSO
//! provider are the ones whose top-level `ProviderType` is `"sso"`, which is what logout
//! deletes. The CLI rewrites the whole entry on every fetch, so nothing else is preserved.

use jiff::{SignedDuration, Timestamp};
use serde_json::{Map, Value};
use sso_core::Secret;

use crate::entry::{render_line, secret_value};
use crate::time::{format_timestamp, parse_timestamp};

/// botocore `CachedCredentialFetcher.DEFAULT_EXPIRY_WINDOW_SECONDS`: cached credentials are
/// reused only with at least this much left.
pub const ROLE_CREDENTIALS_EXPIRY_WINDOW: SignedDuration = SignedDuration::from_mins(15);

/// The `ProviderType` value that marks entries written by the SSO credential provider.
pub const SSO_PROVIDER_TYPE: &str = "sso";

/// Temporary credentials from `GetRoleCredentials`.
#[derive(Clone, PartialEq)]
pub struct RoleCredentials {
    /// `AccessKeyId`.
    pub access_key_id: String,
    /// `SecretAccessKey`.
    pub secret_access_key: Secret<String>,
    /// `SessionToken`.
    pub session_token: Secret<String>,
    /// `Expiration`: the response's epoch milliseconds, converted (see
    /// [`crate::timestamp_from_epoch_millis`]).
    pub expiration: Timestamp,
    /// `AccountId`: the profile's `sso_account_id` (absent in files from older CLIs).
    pub account_id: Option<String>,
}

impl std::fmt::Debug for RoleCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RoleCredentials")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &self.secret_access_key)
            .field("session_token", &self.session_token)
            .field("expiration", &self.expiration)
            .field("account_id", &self.account_id)
            .finish()
    }
}

impl RoleCredentials {
    /// Reads an entry; `Err` describes the first missing or malformed field.
    pub fn from_json(object: &Map<String, Value>) -> Result<Self, String> {
        // The assume-role provider shares the directory; an entry of another provider under
        // our key is not ours to use (a missing type is tolerated, as botocore tolerates it).
        match object.get("ProviderType") {
            None => {}
            Some(Value::String(kind)) if kind == SSO_PROVIDER_TYPE => {}
            Some(other) => {
                return Err(format!(
                    "`ProviderType` is {other}, not \"{SSO_PROVIDER_TYPE}\""
                ));
            }
        }
        let Some(Value::Object(credentials)) = object.get("Credentials") else {
            return Err("missing `Credentials`".to_owned());
        };
        let string = |key: &str| match credentials.get(key) {
            Some(Value::String(text)) => Ok(text.clone()),
            None | Some(Value::Null) => Err(format!("missing `Credentials.{key}`")),
            Some(_) => Err(format!("`Credentials.{key}` has the wrong type")),
        };
        let access_key_id = string("AccessKeyId")?;
        let secret_access_key = Secret::new(string("SecretAccessKey")?);
        let session_token = Secret::new(string("SessionToken")?);
        let expiration = parse_timestamp(&string("Expiration")?)
            .ok_or_else(|| "`Credentials.Expiration` is not a timestamp".to_owned())?;
        Ok(Self {
            access_key_id,
            secret_access_key,
            session_token,
            expiration,
            account_id: string("AccountId").ok(),
        })
    }

    /// `{"ProviderType": "sso", "Credentials": {"AccessKeyId", "SecretAccessKey",
    /// "SessionToken", "Expiration"[, "AccountId"]}}`, in that order.
    pub fn to_json(&self) -> Map<String, Value> {
        let mut credentials = Map::new();
        credentials.insert(
            "AccessKeyId".into(),
            Value::String(self.access_key_id.clone()),
        );
        credentials.insert(
            "SecretAccessKey".into(),
            secret_value(&self.secret_access_key),
        );
        credentials.insert("SessionToken".into(), secret_value(&self.session_token));
        credentials.insert(
            "Expiration".into(),
            Value::String(format_timestamp(self.expiration)),
        );
        if let Some(account_id) = &self.account_id {
            credentials.insert("AccountId".into(), Value::String(account_id.clone()));
        }
        let mut object = Map::new();
        object.insert("ProviderType".into(), Value::from(SSO_PROVIDER_TYPE));
        object.insert("Credentials".into(), Value::Object(credentials));
        object
    }

    /// The file contents: one line of Python-style JSON, no trailing newline.
    pub fn render(&self) -> String {
        render_line(self.to_json())
    }

    /// Whether the CLI would reuse these at `now`: at least 15 minutes left (botocore
    /// `_is_expired` is `seconds < window`).
    pub fn is_usable(&self, now: Timestamp) -> bool {
        self.expiration.duration_since(now) >= ROLE_CREDENTIALS_EXPIRY_WINDOW
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"{"ProviderType": "sso", "Credentials": {"AccessKeyId": "ASIAEXAMPLE", "SecretAccessKey": "sk-secret", "SessionToken": "st-secret", "Expiration": "2026-11-26T19:15:22Z", "AccountId": "111111111111"}}"#;

    fn parse(text: &str) -> Result<RoleCredentials, String> {
        let Value::Object(object) = serde_json::from_str::<Value>(text).unwrap() else {
            panic!("not an object")
        };
        RoleCredentials::from_json(&object)
    }

    #[test]
    fn another_provider_type_is_refused() {
        let foreign = SAMPLE.replace("\"sso\"", "\"assume-role\"");
        assert_eq!(
            parse(&foreign).unwrap_err(),
            "`ProviderType` is \"assume-role\", not \"sso\""
        );
        assert!(parse(&SAMPLE.replace("\"ProviderType\": \"sso\", ", "")).is_ok());
    }

    #[test]
    fn round_trips_byte_for_byte() {
        let credentials = parse(SAMPLE).unwrap();
        assert_eq!(credentials.access_key_id, "ASIAEXAMPLE");
        assert_eq!(credentials.secret_access_key.expose(), "sk-secret");
        assert_eq!(credentials.session_token.expose(), "st-secret");
        assert_eq!(credentials.account_id.as_deref(), Some("111111111111"));
        assert_eq!(credentials.render(), SAMPLE);
        let older = SAMPLE.replace(r#", "AccountId": "111111111111""#, "");
        assert_eq!(parse(&older).unwrap().render(), older);
    }

    #[test]
    fn built_from_millisecond_expiration() {
        let credentials = RoleCredentials {
            access_key_id: "ASIAEXAMPLE".into(),
            secret_access_key: Secret::new("sk-secret".into()),
            session_token: Secret::new("st-secret".into()),
            expiration: crate::timestamp_from_epoch_millis(1_795_720_522_000).unwrap(),
            account_id: Some("111111111111".into()),
        };
        assert_eq!(credentials.render(), SAMPLE);
    }

    #[test]
    fn incomplete_entries_are_rejected() {
        let cases = [
            (r#"{"ProviderType": "sso"}"#, "missing `Credentials`"),
            (
                r#"{"Credentials": {"SecretAccessKey": "s", "SessionToken": "t", "Expiration": "2026-01-01T00:00:00Z"}}"#,
                "missing `Credentials.AccessKeyId`",
            ),
            (
                r#"{"Credentials": {"AccessKeyId": "a", "SessionToken": "t", "Expiration": "2026-01-01T00:00:00Z"}}"#,
                "missing `Credentials.SecretAccessKey`",
            ),
            (
                r#"{"Credentials": {"AccessKeyId": "a", "SecretAccessKey": "s", "Expiration": "2026-01-01T00:00:00Z"}}"#,
                "missing `Credentials.SessionToken`",
            ),
            (
                r#"{"Credentials": {"AccessKeyId": "a", "SecretAccessKey": "s", "SessionToken": "t"}}"#,
                "missing `Credentials.Expiration`",
            ),
            (
                r#"{"Credentials": {"AccessKeyId": "a", "SecretAccessKey": "s", "SessionToken": "t", "Expiration": 5}}"#,
                "`Credentials.Expiration` has the wrong type",
            ),
            (
                r#"{"Credentials": {"AccessKeyId": "a", "SecretAccessKey": "s", "SessionToken": "t", "Expiration": "x"}}"#,
                "`Credentials.Expiration` is not a timestamp",
            ),
        ];
        for (text, detail) in cases {
            assert_eq!(parse(text).unwrap_err(), detail, "{text}");
        }
    }

    #[test]
    fn reused_only_with_fifteen_minutes_left() {
        let credentials = parse(SAMPLE).unwrap();
        let at = |text: &str| text.parse::<Timestamp>().unwrap();
        assert!(credentials.is_usable(at("2026-11-26T19:00:22Z")));
        assert!(!credentials.is_usable(at("2026-11-26T19:00:23Z")));
        assert!(!credentials.is_usable(at("2026-11-26T20:00:00Z")));
    }

    #[test]
    fn debug_shows_no_secret() {
        let credentials = parse(SAMPLE).unwrap();
        let shown = format!("{credentials:?} {credentials:#?}");
        assert!(
            !shown.contains("sk-secret") && !shown.contains("st-secret"),
            "{shown}"
        );
        assert!(shown.contains("ASIAEXAMPLE"), "{shown}");
    }
}
