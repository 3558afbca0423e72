//! Signing in to IAM Identity Center and using the result: the login flows, the token provider
//! and the role-credentials provider that every aws-sso command builds on.
//!
//! - [`Login`] runs `aws sso login` as AWS CLI v2 does: client-registration reuse, the device
//!   code flow ([`Flow::DeviceCode`]) and PKCE ([`Flow::AuthorizationCode`], with the redirect
//!   arriving at a [`CallbackReceiver`] such as the [`LoopbackReceiver`]), vanity start URLs
//!   ([`start_url`]) and opening the browser ([`SystemBrowser`]).
//! - [`TokenProvider`] hands out the cached token, refreshing it under the cross-process lock
//!   with single flight and botocore's fallback rules.
//! - [`RoleCredentialsProvider`] hands out role credentials from the cache the AWS CLI shares,
//!   fetching them under a lock when needed.
//! - [`Enumerator`] lists every account and role through one adaptive [`RateLimiter`], and
//!   [`CatalogRequest`] keeps the result in a cache of ours, resuming interrupted runs.
//! - [`CredentialServer`] serves credentials to SDKs over the container credentials protocol
//!   (`AWS_CONTAINER_CREDENTIALS_FULL_URI`) on 127.0.0.1, for `exec --ecs-server`.
//!
//! It is synchronous and owns no I/O of its own choosing: the HTTP transport (inside the
//! clients), the clock, the sleeper, the browser, the callback receiver and the terminal are
//! all passed in, so every branch is tested with a scripted transport, a fixed clock and a
//! recording sleeper, and never really waits. It never prints except through the
//! [`sso_core::Terminal`] it is given, and never decides exit codes: [`AuthError`] says which
//! [`sso_core::ExitClass`] a failure belongs to and the binary renders it.
#![warn(missing_docs)]

pub mod browser;
pub mod callback;
pub mod catalog;
pub mod container;
mod device;
pub mod enumerate;
mod error;
pub mod limiter;
pub mod login;
mod loopback;
mod paste;
pub mod pkce;
pub mod registration;
pub mod role;
pub mod start_url;
pub mod token;

pub use browser::{Browser, SystemBrowser};
pub use callback::{CALLBACK_TIMEOUT, CallbackError, CallbackReceiver, LoopbackReceiver};
pub use catalog::{CatalogRequest, Observer};
pub use container::{CredentialServer, CredentialSource};
pub use enumerate::{EnumerationError, Enumerator, Progress};
pub use error::{AuthError, PENDING_AUTHORIZATION_EXPIRED};
pub use limiter::RateLimiter;
pub use login::{Flow, Login};
pub use registration::registration_key;
pub use role::{Fetch, RoleCredentialsProvider, role_key};
pub use token::{TokenProvider, token_key};
