//! `sso-emulator`: a local IAM Identity Center that real AWS clients accept.
//!
//! One axum `Router` serves, on one origin, everything an `aws sso` client talks
//! to: the SSO portal API (`ListAccounts`, `ListAccountRoles`, `GetRoleCredentials`, `Logout`),
//! the SSO OIDC API (`RegisterClient`, `StartDeviceAuthorization`, `CreateToken` with the device
//! code, authorization code + PKCE and refresh token grants), the browser pages (`/authorize`,
//! `/device`, sign-in, consent) and, when enabled, the `/_emulator/` control routes tests use to
//! approve devices, move the clock and read back what clients sent.
//!
//! The wire format follows `shared/spec/wire-protocol.md`. This crate deliberately defines its
//! own wire structs and depends on no client crate: if client and emulator shared types, a
//! misunderstanding of the wire format would pass every test.
//!
//! Library first: [`router`] builds the service from an [`AppState`], so tests can drive it in
//! process with `tower::ServiceExt::oneshot`; [`serve`] runs it on a listener, and
//! [`tls::serve_tls`] behind a freshly made certificate; the `sso-emulator` binary ([`cli`])
//! only parses options, prints `READY http://…` (or `https://…`) and waits for a signal.
#![warn(missing_docs)]

pub mod cli;
pub mod clock;
pub mod config;
mod control;
pub mod directory;
mod error;
mod extract;
mod ids;
mod oidc;
mod pages;
mod portal;
mod state;
mod store;
pub mod tls;
mod traffic;

use std::future::Future;

use axum::Router;
use axum::routing::{get, post};

pub use clock::EmulatorClock;
pub use config::{Config, ConfigError, Family, Lifetimes, RateLimit};
pub use directory::{Account, Assignment, Directory, DirectoryError, User};
pub use state::{AppState, EmulatorError};
pub use store::StoreError;

/// Builds the emulator's HTTP service.
///
/// Routes (all on one origin, as the crate README documents):
/// - portal: `GET /assignment/accounts`, `GET /assignment/roles`, `GET /federation/credentials`,
///   `POST /logout`;
/// - OIDC: `POST /client/register`, `POST /device_authorization`, `POST /token`;
/// - browser: `GET /authorize`, `/authorize/consent`, `/device`, `/device/confirm`,
///   `/device/consent`, `POST /signin`;
/// - control (only with [`Config::enable_control`]): `/_emulator/…`.
///
/// Every API response carries `Content-Type: application/json` and an `x-amzn-RequestId`.
pub fn router(state: AppState) -> Router {
    let mut app = Router::new()
        .route("/assignment/accounts", get(portal::list_accounts))
        .route("/assignment/roles", get(portal::list_account_roles))
        .route("/federation/credentials", get(portal::get_role_credentials))
        .route("/logout", post(portal::logout))
        .route("/client/register", post(oidc::register_client))
        .route(
            "/device_authorization",
            post(oidc::start_device_authorization),
        )
        .route("/token", post(oidc::create_token))
        .merge(pages::routes());
    if state.config().enable_control {
        app = app.nest("/_emulator", control::routes());
    }
    app.fallback(traffic::unknown_operation)
        .method_not_allowed_fallback(traffic::method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            traffic::api_layer,
        ))
        .with_state(state)
}

/// Serves [`router`] on `listener` until `shutdown` resolves, then stops accepting and lets
/// in-flight requests finish.
///
/// # Errors
///
/// Returns the I/O error that stopped the accept loop.
pub async fn serve<F>(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: F,
) -> std::io::Result<()>
where
    F: Future<Output = ()> + Send + 'static,
{
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown)
        .await
}
