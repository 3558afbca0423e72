//! [`CachedToken`]: the access-token file in `~/.aws/sso/cache`, and [`refresh_decision`]: when
//! the AWS CLI would use, refresh or reject it.
//!
//! The file format is spec cli-behavior §2.2; the decision rules are §4, read from botocore
//! `tokens.py` (`SSOTokenProvider`, `DeferredRefreshableToken`) and `credentials.py`
//! (`SSOCredentialFetcher` for legacy profiles). This module is pure: no I/O, no clock.

use jiff::{SignedDuration, Timestamp};
use serde_json::{Map, Value};
use sso_core::Secret;

use crate::entry::{FieldReader, Preserved, render_line, render_object, secret_value};
use crate::registration::ClientRegistration;
use crate::time::format_timestamp;

/// botocore `SSOTokenProvider._REFRESH_WINDOW` and `DeferredRefreshableToken`'s advisory
/// window: below this much remaining validity a refresh is attempted.
pub const ADVISORY_REFRESH_WINDOW: SignedDuration = SignedDuration::from_mins(15);

/// `DeferredRefreshableToken._mandatory_refresh_timeout`: below this, callers block on the
/// refresh and its non-service errors propagate.
pub const MANDATORY_REFRESH_WINDOW: SignedDuration = SignedDuration::from_mins(10);

/// An SSO access token as cached by `aws sso login`.
///
/// Only `accessToken` and `expiresAt` are required to read a file (botocore `SSOTokenLoader`),
/// so everything else is optional: legacy device-flow tokens written by older CLIs have no
/// client fields, and other tools write subsets. Unknown keys are kept and written back.
#[derive(Clone, PartialEq)]
pub struct CachedToken {
    /// `startUrl`: the configured start URL (never the vanity-resolved one).
    pub start_url: Option<String>,
    /// `region`: the OIDC region the token came from; logout calls `Logout` there.
    pub region: Option<String>,
    /// `accessToken`: the bearer token for the portal API.
    pub access_token: Secret<String>,
    /// `expiresAt`.
    pub expires_at: Timestamp,
    /// `clientId` of the registration that issued the token.
    pub client_id: Option<String>,
    /// `clientSecret` of that registration.
    pub client_secret: Option<Secret<String>>,
    /// `registrationExpiresAt`: when that registration (and so the ability to refresh) ends.
    pub registration_expires_at: Option<Timestamp>,
    /// `refreshToken`, present only if CreateToken returned one.
    pub refresh_token: Option<Secret<String>>,
    preserved: Preserved,
}

impl std::fmt::Debug for CachedToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CachedToken")
            .field("start_url", &self.start_url)
            .field("region", &self.region)
            .field("access_token", &self.access_token)
            .field("expires_at", &self.expires_at)
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret)
            .field("registration_expires_at", &self.registration_expires_at)
            .field("refresh_token", &self.refresh_token)
            .field("other_keys", &self.preserved)
            .finish()
    }
}

/// Why a JSON object is not a usable token: botocore's "is invalid" case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidToken {
    /// What is missing or malformed, e.g. ``missing `accessToken` ``.
    pub detail: String,
}

impl CachedToken {
    /// A token with only the two required fields; set the public fields for the rest.
    pub fn new(access_token: Secret<String>, expires_at: Timestamp) -> Self {
        Self {
            start_url: None,
            region: None,
            access_token,
            expires_at,
            client_id: None,
            client_secret: None,
            registration_expires_at: None,
            refresh_token: None,
            preserved: Preserved::default(),
        }
    }

    /// The token `aws sso login` writes after CreateToken: all seven fields, plus
    /// `refreshToken` when the service returned one. `region` is the region actually used for
    /// OIDC; `start_url` the configured one.
    pub fn issued(
        start_url: impl Into<String>,
        region: impl Into<String>,
        access_token: Secret<String>,
        expires_at: Timestamp,
        registration: &ClientRegistration,
        refresh_token: Option<Secret<String>>,
    ) -> Self {
        Self {
            start_url: Some(start_url.into()),
            region: Some(region.into()),
            client_id: Some(registration.client_id.clone()),
            client_secret: Some(registration.client_secret.clone()),
            registration_expires_at: Some(registration.expires_at),
            refresh_token,
            ..Self::new(access_token, expires_at)
        }
    }

    /// This token after a successful `refresh_token` grant, as botocore's
    /// `_attempt_create_token` builds it: `startUrl`/`region` from the config, the new access
    /// token and expiry, client fields carried over, and `refreshToken` replaced by the
    /// response's (dropped when the response has none, exactly as botocore does). Unlike
    /// botocore, keys written by other tools are kept.
    pub fn refreshed(
        &self,
        start_url: impl Into<String>,
        region: impl Into<String>,
        access_token: Secret<String>,
        expires_at: Timestamp,
        refresh_token: Option<Secret<String>>,
    ) -> Self {
        Self {
            start_url: Some(start_url.into()),
            region: Some(region.into()),
            access_token,
            expires_at,
            refresh_token,
            ..self.clone()
        }
    }

    /// Reads a token from a parsed JSON object.
    pub fn from_json(object: Map<String, Value>) -> Result<Self, InvalidToken> {
        let mut reader = FieldReader::new(object);
        // Checked first and together, as botocore does, so the detail names the first gap.
        let access_token = reader.string("accessToken");
        let expires_at = reader.timestamp("expiresAt");
        let (access_token, expires_at) = match (access_token, expires_at) {
            (Some(token), Some(expiry)) => (token, expiry),
            (None, _) => {
                return Err(InvalidToken {
                    detail: reader.describe("accessToken"),
                });
            }
            (Some(_), None) => {
                return Err(InvalidToken {
                    detail: reader.describe("expiresAt"),
                });
            }
        };
        Ok(Self {
            start_url: reader.string("startUrl"),
            region: reader.string("region"),
            access_token: Secret::new(access_token),
            expires_at,
            client_id: reader.string("clientId"),
            client_secret: reader.string("clientSecret").map(Secret::new),
            registration_expires_at: reader.timestamp("registrationExpiresAt"),
            refresh_token: reader.string("refreshToken").map(Secret::new),
            preserved: reader.finish(),
        })
    }

    /// The JSON object to write: original key order kept, unknown keys kept, new keys appended
    /// in the AWS CLI's order `startUrl, region, accessToken, expiresAt, clientId,
    /// clientSecret, registrationExpiresAt, refreshToken`.
    pub fn to_json(&self) -> Map<String, Value> {
        let known = vec![
            ("startUrl", self.start_url.clone().map(Value::String)),
            ("region", self.region.clone().map(Value::String)),
            ("accessToken", Some(secret_value(&self.access_token))),
            (
                "expiresAt",
                Some(Value::String(format_timestamp(self.expires_at))),
            ),
            ("clientId", self.client_id.clone().map(Value::String)),
            (
                "clientSecret",
                self.client_secret.as_ref().map(secret_value),
            ),
            (
                "registrationExpiresAt",
                self.registration_expires_at
                    .map(|at| Value::String(format_timestamp(at))),
            ),
            (
                "refreshToken",
                self.refresh_token.as_ref().map(secret_value),
            ),
        ];
        render_object(known, &self.preserved)
    }

    /// The file contents: one line of Python-style JSON, no trailing newline.
    pub fn render(&self) -> String {
        render_line(self.to_json())
    }

    /// Keys from the file that this type does not model, kept for the next write.
    pub fn other_keys(&self) -> impl Iterator<Item = &str> {
        self.preserved.keys()
    }

    /// How long the token remains valid (negative once expired).
    pub fn remaining(&self, now: Timestamp) -> SignedDuration {
        self.expires_at.duration_since(now)
    }

    /// Whether a `refresh_token` grant can be attempted: `refreshToken`, `clientId`,
    /// `clientSecret` and `registrationExpiresAt` are all present and the registration has not
    /// expired (botocore `_refresh_access_token`, which also treats `<= 0` as expired).
    pub fn can_refresh(&self, now: Timestamp) -> bool {
        self.refresh_token.is_some()
            && self.client_id.is_some()
            && self.client_secret.is_some()
            && self
                .registration_expires_at
                .is_some_and(|at| at.duration_since(now) > SignedDuration::ZERO)
    }
}

/// What to do with a cached token right now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Send it as it is.
    UseAsIs,
    /// Attempt a `refresh_token` grant. On a service error keep using the old token while it
    /// is still valid (botocore swallows `ClientError` here); if the old token has expired,
    /// fail with [`crate::CacheError::RefreshFailed`].
    Refresh {
        /// Less than [`MANDATORY_REFRESH_WINDOW`] remains: wait for the refresh (take the
        /// blocking lock) and let non-service errors (network) propagate. Otherwise the
        /// refresh is advisory: skip it if another process is already refreshing
        /// (`Cache::try_lock_token` returns `None`) and use the current token.
        ///
        /// Note: the AWS CLI is a fresh process each time, and botocore treats the first load
        /// of a process as mandatory, so `aws` propagates network errors from a refresh in the
        /// advisory window too. Callers copying that exactly can ignore this flag.
        mandatory: bool,
    },
    /// Unusable and not refreshable: fail with [`crate::CacheError::SessionExpired`] for a
    /// legacy profile, [`crate::CacheError::RefreshFailed`] for an sso-session one
    /// (see [`Decision::expired_error`]).
    Expired,
}

impl Decision {
    /// The error the AWS CLI reports for [`Decision::Expired`] (or for a token still expired
    /// after a failed refresh).
    pub const fn expired_error(is_legacy: bool) -> crate::CacheError {
        if is_legacy {
            crate::CacheError::SessionExpired
        } else {
            crate::CacheError::RefreshFailed
        }
    }
}

/// Decides between using, refreshing and rejecting `token` at `now` (spec cli-behavior §4).
///
/// * Legacy profiles never refresh: expired (`expiresAt <= now`) is [`Decision::Expired`],
///   anything else [`Decision::UseAsIs`] (botocore `SSOCredentialFetcher`).
/// * sso-session profiles: 15 minutes or more left is `UseAsIs`. Less than that: `Refresh`
///   when [`CachedToken::can_refresh`], `mandatory` under 10 minutes; otherwise `Expired` if no
///   time is left, else `UseAsIs` (the token still works; botocore logs "Unable to refresh"
///   and sends it).
pub fn refresh_decision(token: &CachedToken, now: Timestamp, is_legacy: bool) -> Decision {
    let remaining = token.remaining(now);
    if is_legacy {
        return if remaining <= SignedDuration::ZERO {
            Decision::Expired
        } else {
            Decision::UseAsIs
        };
    }
    if remaining >= ADVISORY_REFRESH_WINDOW {
        Decision::UseAsIs
    } else if token.can_refresh(now) {
        Decision::Refresh {
            mandatory: remaining < MANDATORY_REFRESH_WINDOW,
        }
    } else if remaining <= SignedDuration::ZERO {
        Decision::Expired
    } else {
        Decision::UseAsIs
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use sso_core::{Clock, FixedClock};

    use super::*;

    /// The observed AWS CLI v2 sample line from spec cli-behavior §2.2.
    const SAMPLE: &str = r#"{"startUrl": "https://d-1234567890.awsapps.com/start", "region": "us-east-1", "accessToken": "at-device", "expiresAt": "2026-11-26T18:15:22Z", "clientId": "cid-123", "clientSecret": "csecret-456", "registrationExpiresAt": "2027-02-24T10:15:10Z", "refreshToken": "rt-device"}"#;

    fn parse(text: &str) -> Result<CachedToken, InvalidToken> {
        let Value::Object(object) = serde_json::from_str::<Value>(text).unwrap() else {
            panic!("not an object: {text}")
        };
        CachedToken::from_json(object)
    }

    fn ts(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    #[test]
    fn sample_round_trips_byte_for_byte() {
        let token = parse(SAMPLE).unwrap();
        assert_eq!(
            token.start_url.as_deref(),
            Some("https://d-1234567890.awsapps.com/start")
        );
        assert_eq!(token.region.as_deref(), Some("us-east-1"));
        assert_eq!(token.access_token.expose(), "at-device");
        assert_eq!(token.expires_at, ts("2026-11-26T18:15:22Z"));
        assert_eq!(token.client_id.as_deref(), Some("cid-123"));
        assert_eq!(
            token.client_secret.as_ref().map(|s| s.expose().as_str()),
            Some("csecret-456")
        );
        assert_eq!(
            token.registration_expires_at,
            Some(ts("2027-02-24T10:15:10Z"))
        );
        assert_eq!(
            token.refresh_token.as_ref().map(|s| s.expose().as_str()),
            Some("rt-device")
        );
        assert_eq!(token.render(), SAMPLE);
    }

    #[test]
    fn issued_token_is_written_in_cli_order() {
        let registration = ClientRegistration::new(
            "cid-123",
            Secret::new("csecret-456".to_owned()),
            ts("2027-02-24T10:15:10Z"),
            None,
            None,
        );
        let token = CachedToken::issued(
            "https://d-1234567890.awsapps.com/start",
            "us-east-1",
            Secret::new("at-device".to_owned()),
            ts("2026-11-26T18:15:22.75Z"),
            &registration,
            Some(Secret::new("rt-device".to_owned())),
        );
        assert_eq!(token.render(), SAMPLE);
        let without_refresh = CachedToken {
            refresh_token: None,
            ..token
        };
        assert_eq!(
            without_refresh.render(),
            SAMPLE.replace(r#", "refreshToken": "rt-device""#, "")
        );
    }

    #[test]
    fn unknown_fields_survive_a_refresh_in_place() {
        // Rust SDK order plus an aws-sso-util style extra key and a non-ASCII value.
        let original = r#"{"accessToken": "old", "expiresAt": "2026-11-26T18:15:43.639952Z", "receivedAt": "2026-11-26T10:15:43UTC", "refreshToken": "rt-old", "clientId": "cid", "clientSecret": "cs", "registrationExpiresAt": "2027-02-24T10:15:10Z", "region": "eu-west-1", "startUrl": "https://x.awsapps.com/start", "note": {"who": "Zoë", "n": [1, 2.5]}}"#;
        let token = parse(original).unwrap();
        assert_eq!(
            token.other_keys().collect::<Vec<_>>(),
            ["receivedAt", "note"]
        );
        let refreshed = token.refreshed(
            "https://x.awsapps.com/start",
            "eu-west-1",
            Secret::new("new".to_owned()),
            ts("2026-11-26T19:15:43Z"),
            Some(Secret::new("rt-new".to_owned())),
        );
        assert_eq!(
            refreshed.render(),
            r#"{"accessToken": "new", "expiresAt": "2026-11-26T19:15:43Z", "receivedAt": "2026-11-26T10:15:43UTC", "refreshToken": "rt-new", "clientId": "cid", "clientSecret": "cs", "registrationExpiresAt": "2027-02-24T10:15:10Z", "region": "eu-west-1", "startUrl": "https://x.awsapps.com/start", "note": {"who": "Zo\u00eb", "n": [1, 2.5]}}"#
        );
        // No refresh token in the response: the old one is dropped, as botocore does.
        let dropped = token.refreshed(
            "u",
            "r",
            Secret::new("new".to_owned()),
            ts("2026-11-26T19:15:43Z"),
            None,
        );
        assert!(
            !dropped.render().contains("refreshToken"),
            "{}",
            dropped.render()
        );
    }

    #[test]
    fn new_keys_are_appended_in_cli_order_after_existing_ones() {
        let mut token =
            parse(r#"{"expiresAt": "2026-01-01T00:00:00Z", "x": 1, "accessToken": "a"}"#).unwrap();
        token.region = Some("us-east-1".into());
        token.start_url = Some("https://s".into());
        token.refresh_token = Some(Secret::new("r".into()));
        assert_eq!(
            token.render(),
            r#"{"expiresAt": "2026-01-01T00:00:00Z", "x": 1, "accessToken": "a", "startUrl": "https://s", "region": "us-east-1", "refreshToken": "r"}"#
        );
    }

    #[test]
    fn uninterpretable_known_values_are_preserved_and_read_as_absent() {
        let token =
            parse(r#"{"accessToken": "a", "expiresAt": "2026-01-01T00:00:00Z", "region": 5, "registrationExpiresAt": "soon"}"#)
                .unwrap();
        assert_eq!(token.region, None);
        assert_eq!(token.registration_expires_at, None);
        assert_eq!(
            token.render(),
            r#"{"accessToken": "a", "expiresAt": "2026-01-01T00:00:00Z", "region": 5, "registrationExpiresAt": "soon"}"#
        );
    }

    #[test]
    fn timestamps_are_normalised_on_write() {
        let token = parse(r#"{"accessToken": "a", "expiresAt": "2019-10-26T05:19:09UTC", "registrationExpiresAt": "2020-01-01T02:00:00.5+02:00"}"#).unwrap();
        assert_eq!(
            token.render(),
            r#"{"accessToken": "a", "expiresAt": "2019-10-26T05:19:09Z", "registrationExpiresAt": "2020-01-01T00:00:00Z"}"#
        );
    }

    #[test]
    fn invalid_tokens_say_what_is_missing() {
        let cases = [
            (
                r#"{"expiresAt": "2026-01-01T00:00:00Z"}"#,
                "missing `accessToken`",
            ),
            (
                r#"{"accessToken": null, "expiresAt": "2026-01-01T00:00:00Z"}"#,
                "missing `accessToken`",
            ),
            (
                r#"{"accessToken": 7, "expiresAt": "2026-01-01T00:00:00Z"}"#,
                "`accessToken` has the wrong type",
            ),
            (r#"{"accessToken": "a"}"#, "missing `expiresAt`"),
            (
                r#"{"accessToken": "a", "expiresAt": "later"}"#,
                "`expiresAt` is not a timestamp",
            ),
            (
                r#"{"accessToken": "a", "expiresAt": 1764180922}"#,
                "`expiresAt` has the wrong type",
            ),
            (
                r#"{"clientId": "c", "clientSecret": "s", "expiresAt": "2026-01-01T00:00:00Z"}"#,
                "missing `accessToken`",
            ),
        ];
        for (text, detail) in cases {
            assert_eq!(parse(text).unwrap_err().detail, detail, "{text}");
        }
    }

    #[test]
    fn debug_shows_no_secret() {
        let mut token = parse(SAMPLE).unwrap();
        token.refresh_token = Some(Secret::new("rt-device".to_owned()));
        let shown = format!("{token:?} {token:#?}");
        for secret in ["at-device", "csecret-456", "rt-device"] {
            assert!(!shown.contains(secret), "{secret} leaked: {shown}");
        }
        assert!(shown.contains("cid-123"), "{shown}");
        // Unknown values may be secrets too: only their keys are shown.
        let extra = parse(
            r#"{"accessToken": "a", "expiresAt": "2026-01-01T00:00:00Z", "idToken": "eyJ-secret"}"#,
        )
        .unwrap();
        let shown = format!("{extra:?}");
        assert!(
            shown.contains("idToken") && !shown.contains("eyJ-secret"),
            "{shown}"
        );
    }

    fn refreshable(expires_at: &str) -> CachedToken {
        CachedToken {
            client_id: Some("cid".into()),
            client_secret: Some(Secret::new("cs".into())),
            registration_expires_at: Some(ts("2026-06-01T00:00:00Z")),
            refresh_token: Some(Secret::new("rt".into())),
            ..CachedToken::new(Secret::new("at".into()), ts(expires_at))
        }
    }

    #[test]
    fn decision_table() {
        let clock = FixedClock(ts("2026-01-01T12:00:00Z"));
        let now = clock.now();
        let no_refresh_token = |at: &str| CachedToken {
            refresh_token: None,
            ..refreshable(at)
        };
        let no_client_secret = |at: &str| CachedToken {
            client_secret: None,
            ..refreshable(at)
        };
        let no_client_id = |at: &str| CachedToken {
            client_id: None,
            ..refreshable(at)
        };
        let registration_at = |at: &str, reg: Option<&str>| CachedToken {
            registration_expires_at: reg.map(ts),
            ..refreshable(at)
        };
        let use_as_is = Decision::UseAsIs;
        let advisory = Decision::Refresh { mandatory: false };
        let mandatory = Decision::Refresh { mandatory: true };
        let expired = Decision::Expired;
        #[rustfmt::skip]
        let cases: Vec<(&str, CachedToken, bool, Decision)> = vec![
            // sso-session, refreshable
            ("8 h left",                 refreshable("2026-01-01T20:00:00Z"), false, use_as_is),
            ("exactly 15 min left",      refreshable("2026-01-01T12:15:00Z"), false, use_as_is),
            ("15 min - 1 s",             refreshable("2026-01-01T12:14:59Z"), false, advisory),
            ("exactly 10 min left",      refreshable("2026-01-01T12:10:00Z"), false, advisory),
            ("10 min - 1 s",             refreshable("2026-01-01T12:09:59Z"), false, mandatory),
            ("1 s left",                 refreshable("2026-01-01T12:00:01Z"), false, mandatory),
            ("expiring now",             refreshable("2026-01-01T12:00:00Z"), false, mandatory),
            ("expired an hour ago",      refreshable("2026-01-01T11:00:00Z"), false, mandatory),
            // sso-session, not refreshable: use while valid, else expired
            ("no refreshToken, 5 min",   no_refresh_token("2026-01-01T12:05:00Z"), false, use_as_is),
            ("no refreshToken, expired", no_refresh_token("2026-01-01T12:00:00Z"), false, expired),
            ("no clientSecret, expired", no_client_secret("2026-01-01T11:59:59Z"), false, expired),
            ("no clientId, expired",     no_client_id("2026-01-01T11:59:59Z"), false, expired),
            ("no registrationExpiresAt", registration_at("2026-01-01T11:59:59Z", None), false, expired),
            ("registration expired",     registration_at("2026-01-01T12:05:00Z", Some("2026-01-01T11:00:00Z")), false, use_as_is),
            ("registration ends now",    registration_at("2026-01-01T11:00:00Z", Some("2026-01-01T12:00:00Z")), false, expired),
            ("registration 1 s left",    registration_at("2026-01-01T11:00:00Z", Some("2026-01-01T12:00:01Z")), false, mandatory),
            ("minimal, 1 h",             CachedToken::new(Secret::new("a".into()), ts("2026-01-01T13:00:00Z")), false, use_as_is),
            // legacy: never refreshes, even when it could
            ("legacy, 5 min left",       refreshable("2026-01-01T12:05:00Z"), true, use_as_is),
            ("legacy, 1 s left",         refreshable("2026-01-01T12:00:01Z"), true, use_as_is),
            ("legacy, expiring now",     refreshable("2026-01-01T12:00:00Z"), true, expired),
            ("legacy, expired",          refreshable("2025-12-31T12:00:00Z"), true, expired),
        ];
        for (name, token, is_legacy, expected) in cases {
            assert_eq!(refresh_decision(&token, now, is_legacy), expected, "{name}");
        }
    }

    #[test]
    fn expired_error_depends_on_profile_kind() {
        assert!(matches!(
            Decision::expired_error(true),
            crate::CacheError::SessionExpired
        ));
        assert!(matches!(
            Decision::expired_error(false),
            crate::CacheError::RefreshFailed
        ));
    }

    #[test]
    fn to_json_matches_field_values() {
        let token = refreshable("2026-01-01T20:00:00Z");
        assert_eq!(
            Value::Object(token.to_json()),
            json!({"accessToken": "at", "expiresAt": "2026-01-01T20:00:00Z", "clientId": "cid", "clientSecret": "cs", "registrationExpiresAt": "2026-06-01T00:00:00Z", "refreshToken": "rt"})
        );
    }
}
