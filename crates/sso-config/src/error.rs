//! [`ConfigError`]: every way reading or resolving configuration can fail, with the exact
//! AWS CLI v2 text where the AWS CLI has one.
//!
//! `Display` is the message alone; the binary adds `aws: [ERROR]: ` and, when
//! [`ConfigError::aws_code`] is `Some`, `An error occurred (CODE): `. Where the AWS CLI prints a
//! bare Python error (a non-numeric `AWS_MAX_ATTEMPTS`) or only a path (parse errors), we keep
//! its words as a prefix and add what is wrong and where.

use std::fmt;
use std::path::PathBuf;

use sso_core::ExitClass;

use crate::settings::Source;

/// What is wrong at one line of a config or credentials file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParseProblem {
    /// The same `[section]` header appears twice (configparser `DuplicateSectionError`).
    DuplicateSection {
        /// The section name as written between the brackets.
        section: String,
        /// Line of the first occurrence.
        first_line: usize,
    },
    /// The same key appears twice in one section (configparser `DuplicateOptionError`).
    DuplicateKey {
        /// The section name as written between the brackets (`DEFAULT` for `[DEFAULT]`).
        section: String,
        /// The key, lower-cased.
        key: String,
    },
    /// A line before the first section header (configparser `MissingSectionHeaderError`).
    OutsideSection {
        /// The offending line, shortened.
        text: String,
    },
    /// The file starts with a UTF-8 byte order mark. botocore reads config files without
    /// `utf-8-sig`, so the BOM becomes part of the first line and that line is not a header.
    ByteOrderMark,
    /// A line that is neither a header, a comment, nor `key = value` / `key: value`.
    NotKeyValue {
        /// The offending line, shortened.
        text: String,
    },
    /// `= value` with nothing before the delimiter.
    EmptyKey {
        /// The offending line, shortened.
        text: String,
    },
    /// A line of a nested sub-section (`sso =` followed by indented lines) without `=`
    /// (botocore `_parse_nested` accepts only `=`, not `:`).
    NestedNotKeyValue {
        /// The key that opened the sub-section.
        key: String,
        /// The offending line, shortened.
        text: String,
    },
    /// The bytes are not UTF-8.
    InvalidUtf8,
}

impl fmt::Display for ParseProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::DuplicateSection {
                section,
                first_line,
            } => write!(
                f,
                "section [{section}] already appeared on line {first_line}; merge the two sections"
            ),
            Self::DuplicateKey { section, key } => write!(
                f,
                "duplicate key `{key}` in section [{section}]; remove one of them"
            ),
            Self::OutsideSection { text } => write!(
                f,
                "`{text}` comes before any [section] header; add a header such as [default] above it"
            ),
            Self::ByteOrderMark => f.write_str(
                "the file starts with a UTF-8 byte order mark, which the AWS CLI rejects; save it as UTF-8 without BOM",
            ),
            Self::NotKeyValue { text } => write!(
                f,
                "`{text}` is not a [section] header, a comment or a `key = value` line"
            ),
            Self::EmptyKey { text } => write!(f, "`{text}` has no key before the delimiter"),
            Self::NestedNotKeyValue { key, text } => write!(
                f,
                "`{text}` inside the `{key} =` sub-section is not a `key = value` line"
            ),
            Self::InvalidUtf8 => f.write_str("the file is not valid UTF-8"),
        }
    }
}

/// A configuration failure. `Display` is the user-facing message without any `aws: [ERROR]:`
/// prefix; [`exit_class`](Self::exit_class) and [`aws_code`](Self::aws_code) tell the binary how
/// to print it and which exit code to use.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// The config or credentials file could not be parsed (exit 255). The AWS CLI prints only
    /// `Unable to parse config file: PATH`; we add the line and the problem.
    #[error("Unable to parse config file: {} (line {line}: {problem})", path.display())]
    Parse {
        /// The file, after `~`/`$VAR` expansion.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        problem: ParseProblem,
    },

    /// `--profile`, `AWS_PROFILE` or `AWS_DEFAULT_PROFILE` names a profile that is in neither file
    /// (botocore `ProfileNotFound`, exit 255).
    #[error("The config profile ({profile}) could not be found")]
    ProfileNotFound {
        /// The requested profile.
        profile: String,
    },

    /// No region from `--region`, `AWS_REGION`, `AWS_DEFAULT_REGION` or the profile (botocore
    /// `NoRegionError`, exit 253, code `NoRegion`).
    #[error(
        "You must specify a region. You can also configure your region by running \"aws configure\"."
    )]
    NoRegion,

    /// `AWS_DEFAULT_OUTPUT` / profile `output` (or `--output`) is not a known format. Text of
    /// the AWS CLI's `formatter.get_formatter`.
    #[error("Unknown output type: {value}")]
    InvalidOutput {
        /// The rejected value.
        value: String,
        /// Where it came from.
        origin: Source,
    },

    /// botocore `InvalidRegionError`: the region is not a valid host label (exit 255).
    #[error("Provided region_name '{region}' doesn't match a supported format.")]
    InvalidRegion {
        /// The region as given.
        region: String,
    },

    /// `aws-sso console` in a partition without a public console (exit 253).
    #[error(
        "There is no public console sign-in endpoint for region {region} (partition {partition}): set AWS_ENDPOINT_URL_SIGNIN"
    )]
    NoConsoleEndpoint {
        /// The region.
        region: String,
        /// Its partition.
        partition: &'static str,
    },

    /// `cli_error_format` is not a known error format.
    #[error(
        "Invalid cli_error_format `{value}` (set by {}): expected one of legacy, json, yaml, text, table, enhanced",
        describe(*origin, "cli_error_format", profile)
    )]
    InvalidErrorFormat {
        /// The rejected value.
        value: String,
        /// Where it came from.
        origin: Source,
        /// The profile, when `origin` is [`Source::Profile`].
        profile: String,
    },

    /// `AWS_RETRY_MODE` / `retry_mode` is not a known mode. botocore's
    /// `InvalidRetryModeError` text, which Python renders with the tuple of valid modes.
    #[error(
        "Invalid value provided to \"mode\": \"{value}\" must be one of: ('legacy', 'standard', 'adaptive')"
    )]
    InvalidRetryMode {
        /// The rejected value.
        value: String,
        /// Where it came from.
        origin: Source,
    },

    /// `AWS_MAX_ATTEMPTS` / `max_attempts` is not an integer ≥ 1. (botocore prints a raw Python
    /// `int()` error for non-numbers and `InvalidMaxRetryAttemptsError` for 0; we name the source.)
    #[error(
        "Invalid max_attempts `{value}` (set by {}): it must be an integer greater than or equal to 1",
        describe(*origin, "max_attempts", profile)
    )]
    InvalidMaxAttempts {
        /// The rejected value.
        value: String,
        /// Where it came from.
        origin: Source,
        /// The profile, when `origin` is [`Source::Profile`].
        profile: String,
    },

    /// `--cli-connect-timeout` / `--cli-read-timeout` is not a non-negative number (exit 252).
    #[error(
        "argument {flag}: invalid value `{value}`: expected a number of seconds (0 means no timeout)"
    )]
    InvalidTimeout {
        /// The flag, e.g. `--cli-read-timeout`.
        flag: &'static str,
        /// The rejected value.
        value: String,
    },

    /// The profile's `services` key names a `[services NAME]` section that does not exist or
    /// is empty (botocore `ConfiguredEndpointProvider`, exit 255).
    #[error(
        "The profile is configured to use the services section but the \"{name}\" services configuration does not exist."
    )]
    ServicesSectionNotFound {
        /// The `services` value.
        name: String,
    },

    /// A custom endpoint together with FIPS (endpoint rule set error, exit 255).
    #[error("Invalid Configuration: FIPS and custom endpoint are not supported")]
    FipsWithCustomEndpoint,

    /// A custom endpoint together with dual-stack (endpoint rule set error, exit 255).
    #[error("Invalid Configuration: Dualstack and custom endpoint are not supported")]
    DualstackWithCustomEndpoint,

    /// The endpoint rule set was asked for an endpoint without a region (exit 255).
    #[error("Invalid Configuration: Missing Region")]
    EndpointMissingRegion,

    /// A custom endpoint URL has no valid host name (botocore `EndpointCreator`, exit 255).
    #[error("Invalid endpoint: {url}")]
    InvalidEndpoint {
        /// The rejected URL.
        url: String,
    },

    /// `aws sso login`: required keys are absent (exit 253, code `Configuration`). For a legacy
    /// profile the message ends with the `aws configure sso` hint; for an sso-session it does
    /// not (the AWS CLI's trailing space there is dropped, as its printer strips it).
    #[error(
        "Missing the following required SSO configuration values: {}.{}",
        missing.join(", "),
        if *legacy {
            " To make sure this profile is properly configured to use SSO, please run: aws configure sso"
        } else {
            ""
        }
    )]
    LoginMissingValues {
        /// Missing keys, in the order `sso_start_url`, `sso_region`.
        missing: Vec<&'static str>,
        /// Whether the profile is a legacy one (start URL in the profile itself).
        legacy: bool,
    },

    /// `aws sso login`: `--sso-session` or the profile's `sso_session` names an absent section
    /// (exit 253, code `Configuration`).
    #[error("The specified sso-session does not exist: \"{session}\"")]
    LoginSessionNotFound {
        /// The session name.
        session: String,
    },

    /// `aws sso login`: the start URL is not https (exit 253, code `Configuration`).
    #[error("The sso_start_url must use the https scheme.")]
    StartUrlNotHttps {
        /// The rejected URL.
        url: String,
    },

    /// `aws sso login`: the start URL has no host (exit 253, code `Configuration`).
    #[error("Invalid sso_start_url: '{url}'")]
    InvalidStartUrl {
        /// The rejected URL.
        url: String,
    },

    /// Credential provider: the profile has neither `sso_account_id` nor `sso_role_name`, so
    /// botocore's SSO provider does not apply (exit 253). The binary usually replaces this with
    /// its own "no credentials" wording.
    #[error(
        "The profile \"{profile}\" is not configured to use SSO: it sets neither sso_account_id nor sso_role_name"
    )]
    NotSsoProfile {
        /// The profile.
        profile: String,
    },

    /// Credential provider: required keys are missing (botocore `InvalidConfigError`, exit 255).
    #[error(
        "The profile \"{profile}\" is configured to use SSO but is missing required configuration: {}",
        missing.join(", ")
    )]
    SsoProfileIncomplete {
        /// The profile.
        profile: String,
        /// Missing keys, in the order `sso_role_name, sso_account_id, sso_start_url, sso_region,
        /// sso_session`.
        missing: Vec<&'static str>,
    },

    /// Credential provider: the profile's `sso_session` names an absent section (exit 255).
    #[error("The specified sso-session does not exist: \"{session}\"")]
    SsoSessionNotFound {
        /// The session name.
        session: String,
    },

    /// Credential provider: a key set in both the profile and its sso-session differs (exit 255).
    #[error(
        "The value for {key} is inconsistent between profile ({profile_value}) and sso-session ({session_value})."
    )]
    SsoValueMismatch {
        /// The key.
        key: String,
        /// The profile's value, as Python prints it.
        profile_value: String,
        /// The session's value, as Python prints it.
        session_value: String,
    },

    /// Token provider: the sso-session section is absent or empty (exit 255).
    #[error(
        "The profile \"{profile}\" is configured to use the SSO token provider but the \"{session}\" sso_session configuration does not exist."
    )]
    TokenProviderSessionNotFound {
        /// The profile.
        profile: String,
        /// The session name.
        session: String,
    },

    /// Token provider: the sso-session lacks `sso_start_url` / `sso_region` (exit 255). The list
    /// is printed as a Python list, e.g. `['sso_region']`.
    #[error(
        "The profile \"{profile}\" is configured to use the SSO token provider but is missing the following configuration: [{}].",
        missing.iter().map(|m| format!("'{m}'")).collect::<Vec<_>>().join(", ")
    )]
    TokenProviderIncomplete {
        /// The profile.
        profile: String,
        /// Missing keys, in the order `sso_start_url`, `sso_region`.
        missing: Vec<&'static str>,
    },
}

/// How an error names where a value came from: the flag, the variable, or the key and profile.
fn describe(origin: Source, key: &str, profile: &str) -> String {
    match origin {
        Source::Profile => format!("`{key}` in profile `{profile}`"),
        other => format!("`{other}`"),
    }
}

impl ConfigError {
    /// The AWS CLI return-code class of this error.
    pub fn exit_class(&self) -> ExitClass {
        match self {
            Self::NoRegion
            | Self::LoginMissingValues { .. }
            | Self::LoginSessionNotFound { .. }
            | Self::StartUrlNotHttps { .. }
            | Self::InvalidStartUrl { .. }
            | Self::NotSsoProfile { .. }
            | Self::NoConsoleEndpoint { .. } => ExitClass::Configuration,
            Self::InvalidTimeout { .. } => ExitClass::Usage,
            Self::InvalidOutput { origin, .. } | Self::InvalidErrorFormat { origin, .. }
                if matches!(origin, Source::Flag(_)) =>
            {
                ExitClass::Usage
            }
            Self::Parse { .. }
            | Self::ProfileNotFound { .. }
            | Self::InvalidOutput { .. }
            | Self::InvalidErrorFormat { .. }
            | Self::InvalidRetryMode { .. }
            | Self::InvalidMaxAttempts { .. }
            | Self::ServicesSectionNotFound { .. }
            | Self::FipsWithCustomEndpoint
            | Self::DualstackWithCustomEndpoint
            | Self::EndpointMissingRegion
            | Self::InvalidEndpoint { .. }
            | Self::SsoProfileIncomplete { .. }
            | Self::SsoSessionNotFound { .. }
            | Self::SsoValueMismatch { .. }
            | Self::TokenProviderSessionNotFound { .. }
            | Self::TokenProviderIncomplete { .. }
            | Self::InvalidRegion { .. } => ExitClass::General,
        }
    }

    /// The code the AWS CLI shows as `An error occurred (CODE): …`, if it shows one:
    /// `Configuration` for `aws sso login` configuration errors, `NoRegion` for [`Self::NoRegion`].
    pub fn aws_code(&self) -> Option<&'static str> {
        match self {
            Self::NoRegion => Some("NoRegion"),
            Self::LoginMissingValues { .. }
            | Self::LoginSessionNotFound { .. }
            | Self::StartUrlNotHttps { .. }
            | Self::InvalidStartUrl { .. } => Some("Configuration"),
            _ => None,
        }
    }

    /// Whether this error comes from building botocore's SSO *credential* provider (as opposed
    /// to its token provider, which runs later). `aws configure export-credentials` wraps the
    /// former as `Unable to retrieve credentials: …` (exit 253) and prints the latter bare
    /// (exit 255), see cli-behavior §1.4.
    pub fn is_credential_provider_error(&self) -> bool {
        matches!(
            self,
            Self::SsoProfileIncomplete { .. }
                | Self::SsoSessionNotFound { .. }
                | Self::SsoValueMismatch { .. }
        )
    }
}
