//! HTTP client for the IAM Identity Center APIs that `aws sso` uses: the SSO portal
//! (`portal.sso.{region}.amazonaws.com`) and SSO OIDC (`oidc.{region}.amazonaws.com`).
//!
//! It owns the wire: the [`Transport`] seam and its ureq implementation, our own request and
//! response structs, error decoding identical to botocore's (so the printed
//! `An error occurred (...)` line matches the AWS CLI), and botocore's retry modes. It
//! deliberately owns no endpoint resolution, configuration, caching or printing: callers
//! resolve those and call one operation at a time. [`paginator`] is botocore's paginator over
//! any `fetch` closure, with the AWS CLI's paging options and resume tokens. Everything is
//! blocking; there is no async runtime.
//!
//! ```no_run
//! use std::sync::Arc;
//! use sso_client::{ClientConfig, PortalClient, TransportOptions, UreqTransport};
//! use sso_core::{Secret, SystemSleeper};
//!
//! let transport = Arc::new(UreqTransport::new(&TransportOptions::default()));
//! let portal = PortalClient::new(
//!     "https://portal.sso.us-east-1.amazonaws.com",
//!     "us-east-1",
//!     ClientConfig::new(transport, Arc::new(SystemSleeper::new())),
//! );
//! let token = Secret::new("aoa-example".to_owned());
//! match portal.list_accounts(&token, None, None) {
//!     Ok(page) => { let _printable = page.to_value(); }
//!     Err(error) => { let _exit = error.exit_class(); let _line = error.to_string(); }
//! }
//! ```
#![warn(missing_docs)]

pub mod client;
pub mod error;
pub mod oidc;
pub mod paginator;
pub mod portal;
pub mod retry;
pub mod signin;
pub mod transport;
pub mod ureq_transport;
pub mod wire;

pub use client::{ClientConfig, DebugSink, ServerTimeSink, format_uuid4};
pub use error::{ClientError, Operation, ServiceError, decode_error};
pub use oidc::OidcClient;
pub use paginator::{PaginationError, PagingOptions};
pub use portal::PortalClient;
pub use retry::{RetryMode, RetryPolicy, Sleeper, SystemSleeper, is_throttled, is_transient};
pub use signin::SigninClient;
pub use transport::{
    HttpRequest, HttpResponse, Method, Proxies, Transport, TransportError, TransportOptions,
};
pub use ureq_transport::{MAX_BODY_BYTES, UreqTransport};
pub use wire::{
    AccountInfo, CreateTokenRequest, CreateTokenResponse, GetRoleCredentialsResponse,
    ListAccountRolesResponse, ListAccountsResponse, RegisterClientRequest, RegisterClientResponse,
    RoleCredentials, RoleInfo, StartDeviceAuthorizationRequest, StartDeviceAuthorizationResponse,
    TokenGrant,
};
