//! [`Config`]: every knob of the emulator that is not the directory — lifetimes, page size,
//! realism and fault injection, control routes, where state lives.
//!
//! The defaults are the ones this crate's README documents and follow the real service
//! where it is known (`wire-protocol.md` §9.6): access tokens 1 h, legacy tokens and portal
//! sessions 8 h, registrations 90 days, device codes 600 s polled every 1 s. It owns parsing of
//! `--rate-limit` values; it does not own the command line itself (see [`crate::cli`]).

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

/// Lifetimes, in seconds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lifetimes {
    /// Access tokens of refreshable registrations (`--access-token-ttl`, default 3600).
    pub access_token: i64,
    /// Access tokens of legacy registrations, which get no refresh token
    /// (`--legacy-token-ttl`, default 28800). Capped by the remaining portal session.
    pub legacy_token: i64,
    /// Portal (sign-in) sessions; refresh works until the session ends (`--session-ttl`, 28800).
    pub session: i64,
    /// Client registrations (`--registration-ttl`, default 7776000 = 90 days).
    pub registration: i64,
    /// Device codes (`--device-code-ttl`, default 600).
    pub device_code: i64,
    /// The polling interval announced for device codes (`--device-poll-interval`, default 1).
    pub device_poll_interval: i64,
    /// Authorization codes (`--auth-code-ttl`, default 300).
    pub auth_code: i64,
    /// Role credentials from `GetRoleCredentials` (`--role-credentials-ttl`, default 3600).
    pub role_credentials: i64,
}

impl Default for Lifetimes {
    fn default() -> Self {
        Self {
            access_token: 3600,
            legacy_token: 28_800,
            session: 28_800,
            registration: 7_776_000,
            device_code: 600,
            device_poll_interval: 1,
            auth_code: 300,
            role_credentials: 3600,
        }
    }
}

/// The two API families that `--rate-limit` throttles separately.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Family {
    /// `ListAccounts`, `ListAccountRoles`, `GetRoleCredentials`, `Logout`: throttled with
    /// 429 `TooManyRequestsException`.
    Portal,
    /// `RegisterClient`, `StartDeviceAuthorization`, `CreateToken`: throttled with 400
    /// `SlowDownException` (OIDC has no 429, `wire-protocol.md` §11).
    Oidc,
}

impl fmt::Display for Family {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Portal => "portal",
            Self::Oidc => "oidc",
        })
    }
}

/// One `--rate-limit FAMILY=RATE[:BURST]` token bucket.
#[derive(Debug, Clone, PartialEq)]
pub struct RateLimit {
    /// Which operations it applies to.
    pub family: Family,
    /// Sustained rate, requests per second.
    pub rate: f64,
    /// Bucket size: how many requests may pass at once after a quiet period. Defaults to
    /// `max(1, rate)`, one second's worth.
    pub burst: f64,
}

impl FromStr for RateLimit {
    type Err = ConfigError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let bad = |why: &str| ConfigError::RateLimit {
            value: text.to_owned(),
            why: why.to_owned(),
        };
        let (family, rest) = text
            .split_once('=')
            .ok_or_else(|| bad("expected FAMILY=RATE[:BURST], e.g. `portal=50` or `oidc=5:10`"))?;
        let family = match family.trim() {
            "portal" => Family::Portal,
            "oidc" => Family::Oidc,
            _ => return Err(bad("FAMILY must be `portal` or `oidc`")),
        };
        let (rate, burst) = match rest.split_once(':') {
            Some((rate, burst)) => (rate, Some(burst)),
            None => (rest, None),
        };
        let rate: f64 = rate
            .trim()
            .parse()
            .map_err(|_| bad("RATE must be a number of requests per second"))?;
        if !(rate.is_finite() && rate > 0.0) {
            return Err(bad("RATE must be greater than 0"));
        }
        let burst = match burst {
            Some(burst) => {
                let burst: f64 = burst
                    .trim()
                    .parse()
                    .map_err(|_| bad("BURST must be a number of requests"))?;
                if !(burst.is_finite() && burst >= 1.0) {
                    return Err(bad("BURST must be at least 1"));
                }
                burst
            }
            None => rate.max(1.0),
        };
        Ok(Self {
            family,
            rate,
            burst,
        })
    }
}

/// The API operations fault injection can target by name.
pub const FAULTABLE_OPERATIONS: [&str; 8] = [
    "ListAccounts",
    "ListAccountRoles",
    "GetRoleCredentials",
    "Logout",
    "RegisterClient",
    "StartDeviceAuthorization",
    "CreateToken",
    "CreateTokenWithIAM",
];

/// One `--operation-error-rate OPERATION=F`: the fault rate of one operation, replacing
/// `--error-rate` for it.
#[derive(Debug, Clone, PartialEq)]
pub struct OperationErrorRate {
    /// The operation's model name, e.g. `ListAccountRoles`.
    pub operation: &'static str,
    /// Fraction of its requests answered with a 500.
    pub rate: f64,
}

impl FromStr for OperationErrorRate {
    type Err = ConfigError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let bad = |why: String| ConfigError::OperationErrorRate {
            value: text.to_owned(),
            why,
        };
        let (name, rate) = text
            .split_once('=')
            .ok_or_else(|| bad("expected OPERATION=F, e.g. `ListAccountRoles=0.5`".to_owned()))?;
        let operation = FAULTABLE_OPERATIONS
            .iter()
            .find(|known| **known == name.trim())
            .ok_or_else(|| {
                bad(format!(
                    "OPERATION must be one of {}",
                    FAULTABLE_OPERATIONS.join(", ")
                ))
            })?;
        let rate: f64 = rate
            .trim()
            .parse()
            .ok()
            .filter(|rate| (0.0..=1.0).contains(rate))
            .ok_or_else(|| bad("F must be a number from 0 to 1".to_owned()))?;
        Ok(Self { operation, rate })
    }
}

/// Everything but the directory.
#[derive(Debug, Clone)]
pub struct Config {
    /// Token, session and code lifetimes.
    pub lifetimes: Lifetimes,
    /// Page size of `ListAccounts` / `ListAccountRoles` when the client sends no `max_result`
    /// (`--page-size`, default 20; the real default is undocumented).
    pub page_size: u32,
    /// Added before every API response (`--latency-ms`).
    pub latency: Duration,
    /// Token buckets (`--rate-limit`), at most one per family; a later one replaces an earlier.
    pub rate_limits: Vec<RateLimit>,
    /// Fraction of API requests answered with a 500 (`--error-rate`, 0..=1).
    pub error_rate: f64,
    /// Per-operation replacements of `error_rate` (`--operation-error-rate`).
    pub operation_error_rates: Vec<OperationErrorRate>,
    /// Seed of the fault-injection randomness (`--seed`); random when `None`. Never used for
    /// tokens, which always come from the OS.
    pub seed: Option<u64>,
    /// Approve device codes and `/authorize` requests as this user without a browser
    /// (`--auto-approve`).
    pub auto_approve: Option<String>,
    /// Serve the `/_emulator/` control routes (`--enable-control`); 404 otherwise.
    pub enable_control: bool,
    /// The origin clients reach the emulator at, e.g. `http://127.0.0.1:4321`, used for
    /// `verificationUri`. When `None`, the request's `Host` header is used.
    pub base_url: Option<String>,
    /// The redb file holding state across restarts (`--state`); in memory when `None`.
    pub state_file: Option<PathBuf>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            lifetimes: Lifetimes::default(),
            page_size: 20,
            latency: Duration::ZERO,
            rate_limits: Vec::new(),
            error_rate: 0.0,
            operation_error_rates: Vec::new(),
            seed: None,
            auto_approve: None,
            enable_control: false,
            base_url: None,
            state_file: None,
        }
    }
}

impl Config {
    /// Checks ranges that clap cannot express.
    ///
    /// # Errors
    ///
    /// Names the option and the accepted range.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let lifetimes = [
            ("--access-token-ttl", self.lifetimes.access_token),
            ("--legacy-token-ttl", self.lifetimes.legacy_token),
            ("--session-ttl", self.lifetimes.session),
            ("--registration-ttl", self.lifetimes.registration),
            ("--device-code-ttl", self.lifetimes.device_code),
            (
                "--device-poll-interval",
                self.lifetimes.device_poll_interval,
            ),
            ("--auth-code-ttl", self.lifetimes.auth_code),
            ("--role-credentials-ttl", self.lifetimes.role_credentials),
        ];
        for (option, seconds) in lifetimes {
            // 100 years: keeps every `now + ttl` far from i64 overflow in milliseconds.
            if !(1..=3_153_600_000).contains(&seconds) {
                return Err(ConfigError::Range {
                    option,
                    value: seconds.to_string(),
                    range: "1..=3153600000 seconds",
                });
            }
        }
        if !(1..=100).contains(&self.page_size) {
            return Err(ConfigError::Range {
                option: "--page-size",
                value: self.page_size.to_string(),
                range: "1..=100 (the service's own max_result bound)",
            });
        }
        if !(0.0..=1.0).contains(&self.error_rate) {
            return Err(ConfigError::Range {
                option: "--error-rate",
                value: self.error_rate.to_string(),
                range: "0..=1",
            });
        }
        Ok(())
    }
}

/// A bad option value.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConfigError {
    /// `--operation-error-rate` could not be parsed.
    #[error("invalid --operation-error-rate `{value}`: {why}")]
    OperationErrorRate {
        /// What was given.
        value: String,
        /// What is wrong with it.
        why: String,
    },
    /// `--rate-limit` could not be parsed.
    #[error("invalid --rate-limit `{value}`: {why}")]
    RateLimit {
        /// The value given.
        value: String,
        /// What is wrong with it.
        why: String,
    },
    /// A numeric option outside its range.
    #[error("invalid {option} `{value}`: must be in {range}")]
    Range {
        /// The option name.
        option: &'static str,
        /// The value given.
        value: String,
        /// The accepted range.
        range: &'static str,
    },
    /// `--auto-approve` names a user that is not in the directory.
    #[error(
        "invalid --auto-approve `{0}`: no such user in the directory (the built-in one has `demo` and `alice`)"
    )]
    UnknownAutoApproveUser(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_limit_parses_rate_and_optional_burst() {
        let cases = [
            ("portal=50", Family::Portal, 50.0, 50.0),
            ("oidc=2.5:10", Family::Oidc, 2.5, 10.0),
            ("portal=0.5", Family::Portal, 0.5, 1.0),
        ];
        for (text, family, rate, burst) in cases {
            let parsed: RateLimit = text.parse().unwrap();
            assert_eq!(
                parsed,
                RateLimit {
                    family,
                    rate,
                    burst
                },
                "{text}"
            );
        }
    }

    #[test]
    fn operation_error_rates_parse_and_reject_unknown_operations() {
        let rule: OperationErrorRate = "ListAccountRoles=1".parse().unwrap();
        assert_eq!((rule.operation, rule.rate), ("ListAccountRoles", 1.0));
        for bad in [
            "ListAccountRoles",
            "Nope=0.5",
            "CreateToken=2",
            "CreateToken=x",
        ] {
            let error = bad.parse::<OperationErrorRate>().unwrap_err().to_string();
            assert!(
                error.starts_with(&format!("invalid --operation-error-rate `{bad}`")),
                "{error}"
            );
        }
    }

    #[test]
    fn rate_limit_rejects_bad_values() {
        for text in [
            "portal",
            "sts=5",
            "portal=0",
            "portal=-1",
            "portal=x",
            "oidc=5:0",
            "oidc=5:y",
        ] {
            assert!(text.parse::<RateLimit>().is_err(), "{text} was accepted");
        }
    }

    #[test]
    fn validate_names_the_option() {
        let config = Config {
            page_size: 101,
            ..Config::default()
        };
        assert_eq!(
            config.validate().unwrap_err().to_string(),
            "invalid --page-size `101`: must be in 1..=100 (the service's own max_result bound)"
        );
        let config = Config {
            error_rate: 1.5,
            ..Config::default()
        };
        assert!(config.validate().is_err());
        assert!(Config::default().validate().is_ok());
    }
}
