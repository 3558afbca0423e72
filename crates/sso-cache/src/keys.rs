//! Cache file names: which string botocore hashes for each kind of entry.
//!
//! All three names are `sha1_hex(X) + ".json"`; they differ in X (spec cli-behavior §2.2–2.4):
//! the token uses the sso-session name or the start URL, the client registration a sorted-key
//! JSON object with Python's default separators, the role credentials a sorted-key compact JSON
//! object. The JSON is produced by [`crate::json`] so that non-ASCII names hash exactly as
//! Python's `ensure_ascii` output does.

use serde_json::{Map, Value};
use sha1::{Digest, Sha1};

use sso_core::python::json::{Dumps, Separators};

/// Lower-case hex SHA-1 of the UTF-8 bytes of `input`, as `hashlib.sha1(s.encode()).hexdigest()`.
pub fn sha1_hex(input: &str) -> String {
    use std::fmt::Write;
    let digest = Sha1::digest(input.as_bytes());
    let mut hex = String::with_capacity(40);
    for byte in digest.iter() {
        // Writing to a String cannot fail.
        let _ = write!(hex, "{byte:02x}");
    }
    hex
}

/// Which access token a profile uses: the one named after its sso-session, or (legacy profiles)
/// the one named after its start URL. Also carries the start URL, which botocore's "is invalid"
/// message names in both cases.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenKey {
    session_name: Option<String>,
    start_url: String,
}

impl TokenKey {
    /// The token of an sso-session (`sso_session = name`): file `sha1(name).json`.
    pub fn session(session_name: impl Into<String>, start_url: impl Into<String>) -> Self {
        Self {
            session_name: Some(session_name.into()),
            start_url: start_url.into(),
        }
    }

    /// The token of a legacy profile (`sso_start_url` without `sso_session`): file
    /// `sha1(start URL as configured).json`.
    pub fn legacy(start_url: impl Into<String>) -> Self {
        Self {
            session_name: None,
            start_url: start_url.into(),
        }
    }

    /// The hashed string: the session name, else the start URL. This is also the `<name>` of
    /// `Token for <name> does not exist`.
    pub fn name(&self) -> &str {
        self.session_name.as_deref().unwrap_or(&self.start_url)
    }

    /// The configured start URL.
    pub fn start_url(&self) -> &str {
        &self.start_url
    }

    /// The sso-session name, `None` for a legacy profile.
    pub fn session_name(&self) -> Option<&str> {
        self.session_name.as_deref()
    }

    /// Legacy tokens are never refreshed (spec cli-behavior §4).
    pub const fn is_legacy(&self) -> bool {
        self.session_name.is_none()
    }

    /// The file name without `.json`.
    pub fn file_stem(&self) -> String {
        sha1_hex(self.name())
    }
}

/// What identifies a client registration: botocore's `_registration_cache_key` arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistrationKey {
    /// The configured start URL (not a vanity-resolved one).
    pub start_url: String,
    /// The OIDC region.
    pub region: String,
    /// The *configured* `sso_registration_scopes`: `None` when the key is absent, `Some(vec![])`
    /// when present but empty. These hash differently, and neither is what PKCE actually
    /// registers (`["sso:account:access"]`), which is the point: copy the CLI, not the logic.
    pub scopes: Option<Vec<String>>,
    /// The sso-session name, `None` for a legacy profile.
    pub session_name: Option<String>,
}

impl RegistrationKey {
    /// The exact text botocore hashes: `json.dumps({...}, sort_keys=True)`, e.g.
    /// `{"region": "us-east-1", "scopes": null, "session_name": "my-sso", "startUrl": "…", "tool": "botocore"}`.
    pub fn json(&self) -> String {
        let mut object = Map::new();
        object.insert("tool".into(), Value::from("botocore"));
        object.insert("startUrl".into(), Value::from(self.start_url.as_str()));
        object.insert("region".into(), Value::from(self.region.as_str()));
        object.insert(
            "scopes".into(),
            self.scopes
                .as_ref()
                .map_or(Value::Null, |scopes| Value::from(scopes.clone())),
        );
        object.insert(
            "session_name".into(),
            self.session_name
                .as_deref()
                .map_or(Value::Null, Value::from),
        );
        Dumps::new().sort_keys().dumps(&Value::Object(object))
    }

    /// The file name without `.json`.
    pub fn file_stem(&self) -> String {
        sha1_hex(&self.json())
    }
}

/// What identifies cached role credentials in `~/.aws/cli/cache`: botocore
/// `SSOCredentialFetcher._create_cache_key`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleCredentialsKey {
    account_id: String,
    role_name: String,
    /// `("sessionName", name)` or `("startUrl", url)`.
    scope: (&'static str, String),
}

impl RoleCredentialsKey {
    /// Builds the key the way botocore does: `sessionName` when the profile has a non-empty
    /// sso-session name (`if self._sso_session_name:`, so an empty name falls back), else
    /// `startUrl`. Values are the raw config strings.
    pub fn new(
        account_id: impl Into<String>,
        role_name: impl Into<String>,
        session_name: Option<&str>,
        start_url: &str,
    ) -> Self {
        let scope = match session_name {
            Some(name) if !name.is_empty() => ("sessionName", name.to_owned()),
            _ => ("startUrl", start_url.to_owned()),
        };
        Self {
            account_id: account_id.into(),
            role_name: role_name.into(),
            scope,
        }
    }

    /// The exact text botocore hashes: `json.dumps(args, sort_keys=True, separators=(',', ':'))`.
    pub fn json(&self) -> String {
        let mut object = Map::new();
        object.insert("roleName".into(), Value::from(self.role_name.as_str()));
        object.insert("accountId".into(), Value::from(self.account_id.as_str()));
        object.insert(self.scope.0.into(), Value::from(self.scope.1.as_str()));
        Dumps::new()
            .sort_keys()
            .separators(Separators::COMPACT)
            .dumps(&Value::Object(object))
    }

    /// The file name without `.json`. botocore then replaces `:` and path separators with `_`
    /// (`_make_file_safe`), which never changes a hex digest.
    pub fn file_stem(&self) -> String {
        sha1_hex(&self.json())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PORTAL: &str = "https://my-sso-portal.awsapps.com/start";

    // Every row of spec cli-behavior §2.7.
    #[test]
    fn token_vectors() {
        let cases = [
            (
                TokenKey::session("my-sso", PORTAL),
                "0ad374308c5a4e22f723adf10145eafad7c4031c",
            ),
            (
                TokenKey::legacy(PORTAL),
                "c7aaaf71fcc8777ae2475525ed049d39fe16c484",
            ),
            (
                TokenKey::legacy("https://d-1234567890.awsapps.com/start"),
                "7487b5b67d5fa1132cf33fa93ae51ef38cc37752",
            ),
        ];
        for (key, expected) in cases {
            assert_eq!(key.file_stem(), expected, "{key:?}");
        }
    }

    #[test]
    fn registration_vectors() {
        let key =
            |scopes: Option<&[&str]>, session: Option<&str>, start_url: &str| RegistrationKey {
                start_url: start_url.into(),
                region: "us-east-1".into(),
                scopes: scopes.map(|s| s.iter().map(|x| (*x).to_owned()).collect()),
                session_name: session.map(str::to_owned),
            };
        let cases = [
            (
                key(Some(&["sso:account:access"]), Some("my-sso"), PORTAL),
                r#"{"region": "us-east-1", "scopes": ["sso:account:access"], "session_name": "my-sso", "startUrl": "https://my-sso-portal.awsapps.com/start", "tool": "botocore"}"#,
                "c5cfae6e3e4f067423a532368c8b514b6a4b0ace",
            ),
            (
                key(None, Some("my-sso"), PORTAL),
                r#"{"region": "us-east-1", "scopes": null, "session_name": "my-sso", "startUrl": "https://my-sso-portal.awsapps.com/start", "tool": "botocore"}"#,
                "5d2ad48f7ce068c072924f44a42fb81ca0fd6b99",
            ),
            (
                key(None, None, "https://d-1234567890.awsapps.com/start"),
                r#"{"region": "us-east-1", "scopes": null, "session_name": null, "startUrl": "https://d-1234567890.awsapps.com/start", "tool": "botocore"}"#,
                "365414a68be7c9bfc776c660981dbdbd942acea4",
            ),
            (
                // The spec row follows the `"scopes": null` row it is written under.
                key(None, Some("sess-é"), PORTAL),
                r#"{"region": "us-east-1", "scopes": null, "session_name": "sess-\u00e9", "startUrl": "https://my-sso-portal.awsapps.com/start", "tool": "botocore"}"#,
                "b93ec1ae3462514bf0aa986920e60860fad7ef5b",
            ),
        ];
        for (key, json, expected) in cases {
            assert_eq!(key.json(), json);
            assert_eq!(key.file_stem(), expected, "{json}");
        }
    }

    #[test]
    fn empty_scopes_hash_differently_from_absent_scopes() {
        let mut key = RegistrationKey {
            start_url: PORTAL.into(),
            region: "us-east-1".into(),
            scopes: Some(vec![]),
            session_name: Some("my-sso".into()),
        };
        assert!(key.json().contains(r#""scopes": [], "#), "{}", key.json());
        let empty = key.file_stem();
        key.scopes = None;
        assert_ne!(empty, key.file_stem());
    }

    #[test]
    fn role_credential_vectors() {
        let cases = [
            (
                RoleCredentialsKey::new("123456789012", "ReadOnly", Some("my-sso"), PORTAL),
                r#"{"accountId":"123456789012","roleName":"ReadOnly","sessionName":"my-sso"}"#,
                "31b260dab331b2af063485cea75f7b8b3cf54c71",
            ),
            (
                RoleCredentialsKey::new("123456789012", "ReadOnly", None, PORTAL),
                r#"{"accountId":"123456789012","roleName":"ReadOnly","startUrl":"https://my-sso-portal.awsapps.com/start"}"#,
                "107af63d78e24f5ce0fbb60ccb8244f20f6e19e6",
            ),
            (
                RoleCredentialsKey::new("111111111111", "ReadOnly", Some("my-sso"), PORTAL),
                r#"{"accountId":"111111111111","roleName":"ReadOnly","sessionName":"my-sso"}"#,
                "7656329665c70f26bb8dc6f65f498aa9de8da4e0",
            ),
        ];
        for (key, json, expected) in cases {
            assert_eq!(key.json(), json);
            assert_eq!(key.file_stem(), expected, "{json}");
        }
    }

    #[test]
    fn empty_session_name_falls_back_to_start_url_like_botocore() {
        assert_eq!(
            RoleCredentialsKey::new("1", "R", Some(""), PORTAL),
            RoleCredentialsKey::new("1", "R", None, PORTAL)
        );
    }

    #[test]
    fn non_ascii_role_key_is_ascii_escaped() {
        let key = RoleCredentialsKey::new("1", "Rôle", Some("sess-é"), PORTAL);
        assert_eq!(
            key.json(),
            r#"{"accountId":"1","roleName":"R\u00f4le","sessionName":"sess-\u00e9"}"#
        );
    }
}
