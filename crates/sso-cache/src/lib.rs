//! The on-disk caches aws-sso shares with the AWS CLI v2, botocore and the AWS SDKs.
//!
//! It owns three kinds of entry (spec cli-behavior §2): SSO access tokens
//! ([`CachedToken`]) and OIDC client registrations ([`ClientRegistration`]) in
//! `~/.aws/sso/cache`, and SSO role credentials ([`RoleCredentials`]) in `~/.aws/cli/cache`.
//! For each it owns the file name (the SHA-1 of exactly the string botocore hashes, see
//! [`TokenKey`], [`RegistrationKey`], [`RoleCredentialsKey`]), the byte-exact JSON the AWS CLI
//! writes (Python `json.dumps` spacing and escaping, see [`sso_core::python::json`]), and forgiving reading
//! (every timestamp form other tools write, unknown keys kept, corrupt files reported and
//! treated as missing). [`Cache`] adds the I/O: atomic writes, 0600 files in 0700 directories,
//! a per-token cross-process lock for single-flight refresh, and the listings logout needs.
//! One more kind of file is ours alone: the [`RoleCatalog`] of every account and role a
//! sign-in can use, in `~/.aws/sso/aws-sso-roles`.
//! [`refresh_decision`] is the pure use/refresh/reject rule of §4.
//!
//! It deliberately does no HTTP (the refresh itself is the caller's closure) and reads no
//! clock or environment of its own: callers pass `now` and the home directory.
#![warn(missing_docs)]

mod catalog;
mod entry;
mod error;
mod keys;
mod registration;
mod role;
mod session;
mod store;
mod time;
mod token;

pub use catalog::{CatalogAccount, RoleCatalog};
pub use error::{CacheError, CacheWarning};
pub use keys::{RegistrationKey, RoleCredentialsKey, TokenKey, sha1_hex};
pub use registration::{
    AUTHORIZATION_CODE_GRANT, ClientRegistration, LoginFlow, REGISTRATION_EXPIRY_WINDOW,
};
pub use role::{ROLE_CREDENTIALS_EXPIRY_WINDOW, RoleCredentials, SSO_PROVIDER_TYPE};
pub use session::SessionRecord;
pub use store::{
    Cache, CatalogLock, Entry, Loaded, RefreshAttempt, RoleCredentialsLock, TokenFile, TokenLock,
};
pub use time::{
    format_timestamp, parse_timestamp, timestamp_from_epoch_millis, timestamp_from_epoch_seconds,
};
pub use token::{
    ADVISORY_REFRESH_WINDOW, CachedToken, Decision, InvalidToken, MANDATORY_REFRESH_WINDOW,
    refresh_decision,
};
