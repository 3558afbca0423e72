//! [`Settings`]: the global CLI settings resolved with AWS CLI v2 precedence (flag, then
//! environment, then profile, then default; cli-behavior §1.1), and the endpoint for each
//! service.
//!
//! Resolution is a pure function of the parsed files, an [`Env`] snapshot and the flags, so
//! every precedence rule is unit-tested without touching the process environment.
//!
//! Deliberate difference from botocore: an environment variable or profile key that is set
//! but empty counts as unset for region, output, error format, retry mode, max attempts and
//! CA bundle. botocore would take the empty string and fail later in a less clear way
//! (an empty `AWS_CA_BUNDLE` even turns TLS verification off). Variables whose emptiness means
//! something keep it: `AWS_PROFILE=` selects the profile `""` (and fails like the AWS CLI), an
//! empty `AWS_PAGER` disables the pager, and empty endpoint variables are skipped exactly as
//! botocore skips them.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use sso_core::env::vars;
use sso_core::{Env, ErrorFormat, OutputFormat, RetryMode};

use crate::endpoint::{self, EndpointParams, Service};
use crate::error::ConfigError;
use crate::model::{Profile, SharedConfig};
use crate::url;

/// Where a setting's value came from. `Display` gives the flag or variable name, `profile`
/// or `default`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// A command-line flag, e.g. `--region`.
    Flag(&'static str),
    /// An environment variable, e.g. `AWS_REGION`.
    Env(&'static str),
    /// A key of the selected profile.
    Profile,
    /// The built-in default.
    Default,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Flag(name) | Self::Env(name) => f.write_str(name),
            Self::Profile => f.write_str("profile"),
            Self::Default => f.write_str("default"),
        }
    }
}

/// Global flags that override the environment and the profile. Every field is optional; the
/// binary fills in what was given on the command line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Overrides<'a> {
    /// `--profile`.
    pub profile: Option<&'a str>,
    /// `--region`.
    pub region: Option<&'a str>,
    /// `--endpoint-url` (only used for API commands, see [`Settings::endpoint`]).
    pub endpoint_url: Option<&'a str>,
    /// `--ca-bundle`.
    pub ca_bundle: Option<&'a str>,
    /// `--no-verify-ssl`.
    pub no_verify_ssl: bool,
    /// `--output`.
    pub output: Option<&'a str>,
    /// `--cli-error-format`.
    pub cli_error_format: Option<&'a str>,
    /// `--cli-connect-timeout` (seconds).
    pub connect_timeout: Option<&'a str>,
    /// `--cli-read-timeout` (seconds).
    pub read_timeout: Option<&'a str>,
    /// A selected profile that does not exist is the one about to be written (`aws configure
    /// sso --profile NEW`), not an error: it just contributes no settings.
    pub profile_may_be_missing: bool,
}

/// Where an endpoint came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EndpointSource {
    /// `--endpoint-url`.
    Flag,
    /// `AWS_ENDPOINT_URL_SSO` or `AWS_ENDPOINT_URL_SSO_OIDC`.
    ServiceEnv(&'static str),
    /// `AWS_ENDPOINT_URL`.
    GlobalEnv,
    /// `endpoint_url` in the `sso =` / `sso_oidc =` sub-section of `[services NAME]`.
    ServicesSection {
        /// The services section name.
        section: String,
        /// `sso` or `sso_oidc`.
        service_key: &'static str,
    },
    /// The profile's own `endpoint_url`.
    Profile,
    /// Built by the endpoint rule set from the region.
    RuleSet,
}

impl EndpointSource {
    /// Whether the URL is a custom endpoint rather than a rule-set one.
    pub fn is_custom(&self) -> bool {
        !matches!(self, Self::RuleSet)
    }
}

impl fmt::Display for EndpointSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Flag => f.write_str("--endpoint-url"),
            Self::ServiceEnv(name) => f.write_str(name),
            Self::GlobalEnv => f.write_str(vars::AWS_ENDPOINT_URL),
            Self::ServicesSection {
                section,
                service_key,
            } => write!(f, "[services {section}] {service_key}.endpoint_url"),
            Self::Profile => f.write_str("profile endpoint_url"),
            Self::RuleSet => f.write_str("endpoint rule set"),
        }
    }
}

/// An endpoint to send requests to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedEndpoint {
    /// The URL, e.g. `https://oidc.us-east-1.amazonaws.com` or a custom one verbatim.
    pub url: String,
    /// Where it came from.
    pub source: EndpointSource,
}

/// The resolved global settings.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// The selected profile name (`default` when nothing selects one).
    pub profile_name: String,
    /// What selected the profile: `--profile`, `AWS_PROFILE` or `AWS_DEFAULT_PROFILE`; `None`
    /// when nothing did and `default` is used implicitly.
    pub profile_source: Option<Source>,
    /// The region, if any source has one.
    pub region: Option<String>,
    /// Where [`Self::region`] came from.
    pub region_source: Option<Source>,
    /// Output format.
    pub output: OutputFormat,
    /// Error output format.
    pub cli_error_format: ErrorFormat,
    /// Pager command: `None` means the platform default (`less`), `Some("")` means no pager.
    pub cli_pager: Option<String>,
    /// CA bundle to verify TLS with instead of the built-in roots.
    pub ca_bundle: Option<PathBuf>,
    /// `false` with `--no-verify-ssl`.
    pub verify_ssl: bool,
    /// Retry mode.
    pub retry_mode: RetryMode,
    /// Total attempts per request, first one included (≥ 1).
    pub max_attempts: u32,
    /// Use FIPS endpoints.
    pub use_fips: bool,
    /// Use dual-stack endpoints.
    pub use_dualstack: bool,
    /// Connect timeout; `None` means no timeout (`0` given).
    pub connect_timeout: Option<Duration>,
    /// Read timeout; `None` means no timeout (`0` given).
    pub read_timeout: Option<Duration>,
    /// `--endpoint-url`, kept for [`Self::endpoint`].
    pub endpoint_url_flag: Option<String>,
    /// `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS` / `ignore_configured_endpoint_urls`: only
    /// `--endpoint-url` and the rule set remain.
    pub ignore_configured_endpoint_urls: bool,
}

/// Default for both timeouts, in seconds (botocore `DEFAULT_TIMEOUT`).
const DEFAULT_TIMEOUT_SECONDS: u64 = 60;

/// A value and where it came from.
type Sourced<'a> = Option<(&'a str, Source)>;

impl Settings {
    /// Resolves every setting. Fails when an explicitly selected profile does not exist
    /// (checked first, as botocore does when the session is created) or a value is invalid.
    pub fn resolve(
        config: &SharedConfig,
        env: &Env,
        overrides: &Overrides<'_>,
    ) -> Result<Self, ConfigError> {
        // v2 order: AWS_PROFILE before AWS_DEFAULT_PROFILE. Set-but-empty selects "" (and then
        // fails as missing), as in botocore.
        let selected: Sourced<'_> = overrides
            .profile
            .map(|p| (p, Source::Flag("--profile")))
            .or_else(|| {
                env.get(vars::AWS_PROFILE)
                    .map(|p| (p, Source::Env(vars::AWS_PROFILE)))
            })
            .or_else(|| {
                env.get(vars::AWS_DEFAULT_PROFILE)
                    .map(|p| (p, Source::Env(vars::AWS_DEFAULT_PROFILE)))
            });
        let (profile_name, profile_source) = match selected {
            Some((name, source)) => {
                if config.profile(name).is_none() && !overrides.profile_may_be_missing {
                    return Err(ConfigError::ProfileNotFound {
                        profile: name.to_owned(),
                    });
                }
                (name.to_owned(), Some(source))
            }
            None => ("default".to_owned(), None),
        };
        let profile = config.profile(&profile_name);
        let lookup = Lookup { env, profile };

        let region = lookup.first(&[
            Candidate::Flag("--region", overrides.region),
            Candidate::Env(vars::AWS_REGION),
            Candidate::Env(vars::AWS_DEFAULT_REGION),
            Candidate::Profile("region"),
        ]);

        let output = match lookup.first(&[
            Candidate::Flag("--output", overrides.output),
            Candidate::Env(vars::AWS_DEFAULT_OUTPUT),
            Candidate::Profile("output"),
        ]) {
            None => OutputFormat::Json,
            Some((value, origin)) => {
                OutputFormat::from_name(value).ok_or_else(|| ConfigError::InvalidOutput {
                    value: value.to_owned(),
                    origin,
                })?
            }
        };

        let cli_error_format = match lookup.first(&[
            Candidate::Flag("--cli-error-format", overrides.cli_error_format),
            Candidate::Env(vars::AWS_CLI_ERROR_FORMAT),
            Candidate::Profile("cli_error_format"),
        ]) {
            None => ErrorFormat::Enhanced,
            Some((value, origin)) => {
                ErrorFormat::from_name(value).ok_or_else(|| ConfigError::InvalidErrorFormat {
                    value: value.to_owned(),
                    origin,
                    profile: profile_name.clone(),
                })?
            }
        };

        // Empty values are meaningful here (they disable the pager), so `get`, not `non_empty`.
        let cli_pager = env
            .get(vars::AWS_PAGER)
            .or_else(|| profile.and_then(|p| p.get("cli_pager")))
            .or_else(|| env.get(vars::PAGER))
            .map(str::to_owned);

        let ca_bundle = lookup
            .first(&[
                Candidate::Flag("--ca-bundle", overrides.ca_bundle),
                Candidate::Env(vars::AWS_CA_BUNDLE),
                Candidate::Profile("ca_bundle"),
            ])
            .map(|(path, _)| PathBuf::from(path));

        let retry_mode = match lookup.first(&[
            Candidate::Env(vars::AWS_RETRY_MODE),
            Candidate::Profile("retry_mode"),
        ]) {
            None => RetryMode::Standard,
            Some((value, origin)) => {
                RetryMode::from_name(value).ok_or_else(|| ConfigError::InvalidRetryMode {
                    value: value.to_owned(),
                    origin,
                })?
            }
        };

        let max_attempts = match lookup.first(&[
            Candidate::Env(vars::AWS_MAX_ATTEMPTS),
            Candidate::Profile("max_attempts"),
        ]) {
            None => retry_mode.default_max_attempts(),
            Some((value, origin)) => {
                parse_attempts(value).ok_or_else(|| ConfigError::InvalidMaxAttempts {
                    value: value.to_owned(),
                    origin,
                    profile: profile_name.clone(),
                })?
            }
        };

        Ok(Self {
            region: region.map(|(r, _)| r.to_owned()),
            region_source: region.map(|(_, s)| s),
            output,
            cli_error_format,
            cli_pager,
            ca_bundle,
            verify_ssl: !overrides.no_verify_ssl,
            retry_mode,
            max_attempts,
            use_fips: lookup.flag(vars::AWS_USE_FIPS_ENDPOINT, "use_fips_endpoint"),
            use_dualstack: lookup.flag(vars::AWS_USE_DUALSTACK_ENDPOINT, "use_dualstack_endpoint"),
            connect_timeout: parse_timeout("--cli-connect-timeout", overrides.connect_timeout)?,
            read_timeout: parse_timeout("--cli-read-timeout", overrides.read_timeout)?,
            endpoint_url_flag: overrides.endpoint_url.map(str::to_owned),
            ignore_configured_endpoint_urls: lookup.flag(
                vars::AWS_IGNORE_CONFIGURED_ENDPOINT_URLS,
                "ignore_configured_endpoint_urls",
            ),
            profile_name,
            profile_source,
        })
    }

    /// The region, or the `NoRegion` error the AWS CLI gives without one.
    pub fn require_region(&self) -> Result<&str, ConfigError> {
        self.region.as_deref().ok_or(ConfigError::NoRegion)
    }

    /// The endpoint for `service` in `region`.
    ///
    /// Precedence: `--endpoint-url` (only when `allow_endpoint_url_flag`: the API commands;
    /// `sso login`/`logout` and the credential provider ignore it), then the service variable
    /// (`AWS_ENDPOINT_URL_SSO` / `AWS_ENDPOINT_URL_SSO_OIDC`), `AWS_ENDPOINT_URL`, the
    /// `[services NAME]` sub-section named by the profile's `services` key, and the profile's
    /// `endpoint_url`; all but the flag are skipped when configured endpoints are ignored.
    /// Otherwise the rule set builds the URL from `region`, FIPS and dual-stack.
    pub fn endpoint(
        &self,
        config: &SharedConfig,
        env: &Env,
        service: Service,
        region: &str,
        allow_endpoint_url_flag: bool,
    ) -> Result<ResolvedEndpoint, ConfigError> {
        let custom = match self.endpoint_url_flag.as_deref() {
            Some(url) if allow_endpoint_url_flag => Some((url.to_owned(), EndpointSource::Flag)),
            _ if self.ignore_configured_endpoint_urls => None,
            _ => configured_endpoint(config.profile(&self.profile_name), config, env, service)?,
        };
        if let Some((url, _)) = &custom {
            // botocore's EndpointCreator checks the URL when the client is built, before the
            // rule set (and its FIPS/dual-stack errors) runs.
            if !url::is_valid_endpoint(url) {
                return Err(ConfigError::InvalidEndpoint { url: url.clone() });
            }
        }
        let url = endpoint::resolve(
            service,
            &EndpointParams {
                region,
                use_fips: self.use_fips,
                use_dualstack: self.use_dualstack,
                endpoint: custom.as_ref().map(|(url, _)| url.as_str()),
            },
        )?;
        Ok(ResolvedEndpoint {
            url,
            source: custom.map_or(EndpointSource::RuleSet, |(_, source)| source),
        })
    }
}

/// botocore's `ConfiguredEndpointProvider`: the first non-empty of the service variable, the
/// global variable, the services sub-section and the profile's `endpoint_url`.
fn configured_endpoint(
    profile: Option<&Profile>,
    config: &SharedConfig,
    env: &Env,
    service: Service,
) -> Result<Option<(String, EndpointSource)>, ConfigError> {
    let service_var = service.endpoint_env_var();
    if let Some(url) = env.non_empty(service_var) {
        return Ok(Some((
            url.to_owned(),
            EndpointSource::ServiceEnv(service_var),
        )));
    }
    if let Some(url) = env.non_empty(vars::AWS_ENDPOINT_URL) {
        return Ok(Some((url.to_owned(), EndpointSource::GlobalEnv)));
    }
    let Some(profile) = profile else {
        return Ok(None);
    };
    if profile.contains("services") {
        // A `services` key naming a missing (or empty) section is an error even when the
        // profile also has `endpoint_url`.
        let name = profile.get("services").unwrap_or_default();
        let section = config
            .services(name)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| ConfigError::ServicesSectionNotFound {
                name: name.to_owned(),
            })?;
        if let Some(url) = section.endpoint_url(service.services_key()) {
            return Ok(Some((
                url.to_owned(),
                EndpointSource::ServicesSection {
                    section: name.to_owned(),
                    service_key: service.services_key(),
                },
            )));
        }
    }
    Ok(profile
        .get("endpoint_url")
        .filter(|url| !url.is_empty())
        .map(|url| (url.to_owned(), EndpointSource::Profile)))
}

/// One place a setting may come from.
enum Candidate<'a> {
    Flag(&'static str, Option<&'a str>),
    Env(&'static str),
    Profile(&'static str),
}

struct Lookup<'a> {
    env: &'a Env,
    profile: Option<&'a Profile>,
}

impl<'a> Lookup<'a> {
    /// The first non-empty value among `candidates`.
    fn first(&self, candidates: &[Candidate<'a>]) -> Sourced<'a> {
        candidates.iter().find_map(|candidate| {
            let (value, source) = match candidate {
                Candidate::Flag(name, value) => ((*value)?, Source::Flag(name)),
                Candidate::Env(name) => (self.env.get(name)?, Source::Env(name)),
                Candidate::Profile(key) => (self.profile?.get(key)?, Source::Profile),
            };
            (!value.is_empty()).then_some((value, source))
        })
    }

    /// A boolean the way botocore's `ensure_boolean` reads it (`true` in any case is true,
    /// anything else false): the variable if set, else the profile key, else false.
    fn flag(&self, variable: &str, key: &str) -> bool {
        self.env.flag(variable).unwrap_or_else(|| {
            self.profile
                .and_then(|p| p.get(key))
                .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
        })
    }
}

/// Python `int()` on a string, restricted to what can be a valid attempt count: optional
/// surrounding whitespace and `+`, ASCII digits, at least 1.
fn parse_attempts(value: &str) -> Option<u32> {
    let digits = value.trim();
    let digits = digits.strip_prefix('+').unwrap_or(digits);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse::<u32>().ok().filter(|&n| n >= 1)
}

/// A timeout flag: seconds as a non-negative number; `0` means no timeout; absent means 60 s.
fn parse_timeout(flag: &'static str, value: Option<&str>) -> Result<Option<Duration>, ConfigError> {
    let Some(raw) = value else {
        return Ok(Some(Duration::from_secs(DEFAULT_TIMEOUT_SECONDS)));
    };
    let invalid = || ConfigError::InvalidTimeout {
        flag,
        value: raw.to_owned(),
    };
    let seconds: f64 = raw.trim().parse().map_err(|_| invalid())?;
    if !seconds.is_finite() || seconds < 0.0 {
        return Err(invalid());
    }
    if seconds == 0.0 {
        return Ok(None);
    }
    Duration::try_from_secs_f64(seconds)
        .map(Some)
        .map_err(|_| invalid())
}
