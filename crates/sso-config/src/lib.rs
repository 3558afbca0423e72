//! `~/.aws/config` and `~/.aws/credentials` read with AWS CLI v2 rules, and everything derived
//! from them: global settings, endpoints, and the SSO target of a profile.
//!
//! The crate is pure apart from [`SharedConfig::load`]: every other function takes parsed
//! files and an [`sso_core::Env`] snapshot, so each precedence rule and error message is
//! testable with literals. The layers, bottom up:
//!
//! * `shlex` (private): Python's `shlex.split`, which botocore uses to split section names.
//! * `ini` (private): CPython `RawConfigParser` (strict) plus botocore's nested sub-sections.
//!   Produces raw sections; errors carry the line.
//! * [`model`]: [`SharedConfig`] classifies raw sections into profiles, sso-sessions and
//!   services sections (`build_profile_map`) and merges the credentials file's profiles in.
//! * [`settings`]: [`Settings::resolve`] applies flag → environment → profile → default
//!   precedence; [`Settings::endpoint`] picks a custom endpoint or asks the rule set.
//! * [`endpoint`]: the SSO portal / OIDC endpoint rule sets and the partition table.
//! * [`sso`]: [`resolve_sso_target`] (login semantics) and [`resolve_role_profile`]
//!   (credential-provider semantics), with the AWS CLI's exact validation messages.
//! * [`error`]: [`ConfigError`], whose `Display` is the message the AWS CLI prints (without
//!   `aws: [ERROR]:`), plus the exit class and the `An error occurred (CODE)` code.
//! * [`document`]: [`ConfigDocument`], the lossless line model every config edit goes through;
//!   [`writer`] applies one to the file atomically under a lock.
//! * `url` (private): the two `urllib.parse` checks the AWS CLI makes on URLs.
#![warn(missing_docs)]

pub mod document;
pub mod endpoint;
pub mod error;
mod ini;
pub mod model;
pub mod settings;
mod shlex;
pub mod sso;
mod url;
pub mod writer;

pub use document::{ConfigDocument, EditError, profile_section, section_header_of};
/// `aws configure sso`'s start-URL check (botocore `is_valid_endpoint_url`): a host of DNS
/// labels (the scheme is not checked, as in the AWS CLI).
pub fn is_valid_start_url(url: &str) -> bool {
    url::is_valid_endpoint(url)
}

pub use endpoint::{Partition, Service, console_home_url, signin_url, validate_region};
pub use error::{ConfigError, ParseProblem};
pub use model::{Profile, Properties, Services, SharedConfig, SsoSession, Value};
pub use settings::{EndpointSource, Overrides, ResolvedEndpoint, Settings, Source};
pub use sso::{
    RoleProfile, SsoTarget, parse_registration_scopes, resolve_role_profile, resolve_sso_target,
};
