//! Which IAM Identity Center instance to talk to: [`resolve_sso_target`] for `aws sso login`
//! (and logout-style commands) and [`resolve_role_profile`] for the credential provider, each
//! with the AWS CLI's validation errors word for word (cli-behavior §1.4).
//!
//! The two paths differ on purpose, as they do in the AWS CLI: login (`awscli/customizations/
//! sso/utils.py` `BaseSSOCommand._get_sso_config` + `resolve.py`) takes the session's values
//! and checks the start URL's scheme and host, while the credential provider (botocore
//! `SSOProvider._load_sso_config` + `SSOTokenProvider._load_sso_config`) merges profile and
//! session keys, insists they agree, and never looks at the URL.

use crate::error::ConfigError;
use crate::ini::py_strip;
use crate::model::{Profile, SharedConfig, Value};
use crate::url;

/// An IAM Identity Center instance plus how its token is cached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SsoTarget {
    /// A profile using an `[sso-session NAME]` section: refreshable tokens, cached by session
    /// name, PKCE login by default.
    Session {
        /// The session name.
        session_name: String,
        /// `sso_start_url`, verbatim.
        start_url: String,
        /// `sso_region`.
        region: String,
        /// `sso_registration_scopes`: `None` when the key is absent, `Some(vec![])` when it is
        /// present but has no non-empty item.
        registration_scopes: Option<Vec<String>>,
    },
    /// A legacy profile with `sso_start_url`/`sso_region` in the profile itself: tokens cached
    /// by start URL, device-code login, no refresh.
    Legacy {
        /// The profile name.
        profile_name: String,
        /// `sso_start_url`, verbatim.
        start_url: String,
        /// `sso_region`.
        region: String,
    },
}

impl SsoTarget {
    /// The start URL.
    pub fn start_url(&self) -> &str {
        match self {
            Self::Session { start_url, .. } | Self::Legacy { start_url, .. } => start_url,
        }
    }

    /// The region of the OIDC and portal endpoints (`sso_region`).
    pub fn region(&self) -> &str {
        match self {
            Self::Session { region, .. } | Self::Legacy { region, .. } => region,
        }
    }

    /// The sso-session name, for session targets.
    pub fn session_name(&self) -> Option<&str> {
        match self {
            Self::Session { session_name, .. } => Some(session_name),
            Self::Legacy { .. } => None,
        }
    }

    /// The configured registration scopes (session targets with the key only).
    pub fn registration_scopes(&self) -> Option<&[String]> {
        match self {
            Self::Session {
                registration_scopes,
                ..
            } => registration_scopes.as_deref(),
            Self::Legacy { .. } => None,
        }
    }

    /// What the token cache file name is the SHA-1 of: the session name, or the start URL for
    /// legacy profiles.
    pub fn token_cache_key(&self) -> &str {
        match self {
            Self::Session { session_name, .. } => session_name,
            Self::Legacy { start_url, .. } => start_url,
        }
    }

    /// Whether this is a legacy (session-less) profile.
    pub fn is_legacy(&self) -> bool {
        matches!(self, Self::Legacy { .. })
    }
}

/// A profile that gets role credentials through SSO.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleProfile {
    /// The profile name.
    pub profile_name: String,
    /// `sso_account_id` (not validated, as in the AWS CLI).
    pub account_id: String,
    /// `sso_role_name`.
    pub role_name: String,
    /// Where the token comes from.
    pub target: SsoTarget,
}

/// `awscli.customizations.sso.utils.parse_sso_registration_scopes`: split on `,`, trim each
/// item, drop empty ones.
pub fn parse_registration_scopes(raw: &str) -> Vec<String> {
    raw.split(',')
        .map(py_strip)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// A value as a string; nested sub-sections (never valid for these keys) read as empty.
fn text(value: Option<&Value>) -> String {
    value
        .and_then(Value::as_text)
        .unwrap_or_default()
        .to_owned()
}

/// The start URL, region and scopes `aws sso login` would use.
///
/// `profile` is the selected profile (`None` = `default`); a profile that does not exist
/// behaves as an empty one (an explicitly selected missing profile is rejected earlier by
/// [`Settings::resolve`](crate::Settings::resolve)). `sso_session_flag` is `--sso-session`.
///
/// Order, as in the AWS CLI: `--sso-session` wins over the profile's `sso_session`; an empty
/// name (either way) means legacy mode; missing keys are reported together (present-but-empty
/// counts as present); then the start URL must be `https` and have a host.
pub fn resolve_sso_target(
    config: &SharedConfig,
    profile: Option<&str>,
    sso_session_flag: Option<&str>,
) -> Result<SsoTarget, ConfigError> {
    const REQUIRED: [&str; 2] = ["sso_start_url", "sso_region"];
    let profile_name = profile.unwrap_or("default");
    let scoped = config.profile(profile_name);
    let session_name = match sso_session_flag {
        Some(flag) => flag.to_owned(),
        None => text(scoped.and_then(|p| p.value("sso_session"))),
    };

    let target = if session_name.is_empty() {
        let missing: Vec<&'static str> = REQUIRED
            .into_iter()
            .filter(|key| !scoped.is_some_and(|p| p.contains(key)))
            .collect();
        if !missing.is_empty() {
            return Err(ConfigError::LoginMissingValues {
                missing,
                legacy: true,
            });
        }
        let get = |key| text(scoped.and_then(|p: &Profile| p.value(key)));
        SsoTarget::Legacy {
            profile_name: profile_name.to_owned(),
            start_url: get("sso_start_url"),
            region: get("sso_region"),
        }
    } else {
        let Some(session) = config.sso_session(&session_name) else {
            return Err(ConfigError::LoginSessionNotFound {
                session: session_name,
            });
        };
        let missing: Vec<&'static str> = REQUIRED
            .into_iter()
            .filter(|key| !session.contains(key))
            .collect();
        if !missing.is_empty() {
            return Err(ConfigError::LoginMissingValues {
                missing,
                legacy: false,
            });
        }
        SsoTarget::Session {
            start_url: text(session.value("sso_start_url")),
            region: text(session.value("sso_region")),
            registration_scopes: session
                .value("sso_registration_scopes")
                .map(|v| parse_registration_scopes(v.as_text().unwrap_or_default())),
            session_name,
        }
    };
    check_start_url(target.start_url())?;
    Ok(target)
}

/// `resolve.py` `resolve_start_url`, the offline part: https only, and a host is required.
/// (AWS-owned-domain and vanity-URL resolution need the network and live in the login flow.)
fn check_start_url(start_url: &str) -> Result<(), ConfigError> {
    let Ok(parts) = url::split(start_url) else {
        // Python raises a bare ValueError here ("Invalid IPv6 URL"); report it as a bad URL.
        return Err(ConfigError::InvalidStartUrl {
            url: start_url.to_owned(),
        });
    };
    if parts.scheme != "https" {
        return Err(ConfigError::StartUrlNotHttps {
            url: start_url.to_owned(),
        });
    }
    if parts.hostname.is_none() {
        return Err(ConfigError::InvalidStartUrl {
            url: start_url.to_owned(),
        });
    }
    Ok(())
}

/// The SSO role configuration of `profile_name`, validated the way botocore's SSO credential
/// provider and then its token provider do.
///
/// Errors, in botocore's order: [`ConfigError::NotSsoProfile`] when neither `sso_account_id`
/// nor `sso_role_name` is set (botocore moves on to other providers); the referenced
/// sso-session must exist; every key the session and profile share must be equal; all of
/// `sso_role_name, sso_account_id, sso_start_url, sso_region[, sso_session]` must be present
/// after merging; then, for session profiles, the token provider requires a non-empty session
/// with its own `sso_start_url` and `sso_region`.
pub fn resolve_role_profile(
    config: &SharedConfig,
    profile_name: &str,
) -> Result<RoleProfile, ConfigError> {
    let profile = config.profile(profile_name);
    let has = |key: &str| profile.is_some_and(|p| p.contains(key));
    if !has("sso_role_name") && !has("sso_account_id") {
        return Err(ConfigError::NotSsoProfile {
            profile: profile_name.to_owned(),
        });
    }
    let mut merged = profile.map(|p| p.properties().clone()).unwrap_or_default();

    // `_resolve_sso_session_reference`: only when the key is present (an empty value still
    // refers to a session named "").
    let session = match merged.get("sso_session") {
        None => None,
        Some(value) => {
            let name = text(Some(value));
            let Some(session) = config.sso_session(&name) else {
                return Err(ConfigError::SsoSessionNotFound { session: name });
            };
            for (key, value) in session.properties() {
                if let Some(existing) = merged.get(key)
                    && existing != value
                {
                    return Err(ConfigError::SsoValueMismatch {
                        key: key.clone(),
                        profile_value: existing.python_str(),
                        session_value: value.python_str(),
                    });
                }
                merged.insert(key.clone(), value.clone());
            }
            Some((name, session))
        }
    };

    let mut required = vec![
        "sso_role_name",
        "sso_account_id",
        "sso_start_url",
        "sso_region",
    ];
    if session.is_some() {
        required.push("sso_session");
    }
    let missing: Vec<&'static str> = required
        .into_iter()
        .filter(|key| !merged.contains_key(*key))
        .collect();
    if !missing.is_empty() {
        return Err(ConfigError::SsoProfileIncomplete {
            profile: profile_name.to_owned(),
            missing,
        });
    }
    let get = |key: &str| text(merged.get(key));

    let target = match session {
        None => SsoTarget::Legacy {
            profile_name: profile_name.to_owned(),
            start_url: get("sso_start_url"),
            region: get("sso_region"),
        },
        Some((session_name, session)) => {
            // `SSOTokenProvider._load_sso_config`: an empty section counts as missing, and the
            // session itself (not the merged view) must hold both keys.
            if session.is_empty() {
                return Err(ConfigError::TokenProviderSessionNotFound {
                    profile: profile_name.to_owned(),
                    session: session_name,
                });
            }
            let missing: Vec<&'static str> = ["sso_start_url", "sso_region"]
                .into_iter()
                .filter(|key| !session.contains(key))
                .collect();
            if !missing.is_empty() {
                return Err(ConfigError::TokenProviderIncomplete {
                    profile: profile_name.to_owned(),
                    missing,
                });
            }
            SsoTarget::Session {
                start_url: text(session.value("sso_start_url")),
                region: text(session.value("sso_region")),
                registration_scopes: session
                    .value("sso_registration_scopes")
                    .map(|v| parse_registration_scopes(v.as_text().unwrap_or_default())),
                session_name,
            }
        }
    };
    Ok(RoleProfile {
        profile_name: profile_name.to_owned(),
        account_id: get("sso_account_id"),
        role_name: get("sso_role_name"),
        target,
    })
}
