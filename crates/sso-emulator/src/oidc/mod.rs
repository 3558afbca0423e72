//! The SSO OIDC API (`oidc.{region}.amazonaws.com`): `RegisterClient` and
//! `StartDeviceAuthorization` here, `CreateToken` and its three grants in [`token`]
//! (`wire-protocol.md` §5, §7, §9).
//!
//! Registration validates what the real service is known to validate (§13): `clientType` must be
//! `public`, grant types come from the three supported values, redirect URIs must be the
//! loopback `http://127.0.0.1[:port]/oauth/callback` form, at most 25 scopes from a known set,
//! and an `issuerUrl` must name this instance. A registration that omits `grantTypes` may use
//! the device code and refresh token grants. Response keys are alphabetical and include the two
//! `null` endpoint members, exactly as the real service's responses do.

mod token;

use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use serde::Serialize;

pub(crate) use token::create_token;

use crate::error::{ApiError, OidcKind};
use crate::extract::JsonBody;
use crate::ids;
use crate::state::AppState;
use crate::store::{Client, DeviceGrant, DeviceStatus, UserCode, grant};

/// Scopes a registration may ask for: the portal scope every CLI uses, and the scopes other AWS
/// clients register on the same endpoints (§9.5).
pub(crate) const KNOWN_SCOPES: &[&str] = &[
    "sso:account:access",
    "codewhisperer:completions",
    "codewhisperer:analysis",
    "codewhisperer:conversations",
    "codewhisperer:transformations",
    "codewhisperer:taskassist",
    "codecatalyst:read_write",
    "openid",
    "aws",
    "sts:identity_context",
];

/// At most 25 scopes per request (§9.5).
const MAX_SCOPES: usize = 25;

/// `RegisterClient` response, keys alphabetical.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct RegisterResponse {
    /// Always `null`, as observed on the real service.
    authorization_endpoint: Option<String>,
    client_id: String,
    /// Epoch **seconds** (CLI v2 calls `fromtimestamp` on it).
    client_id_issued_at: i64,
    client_secret: String,
    /// Epoch seconds.
    client_secret_expires_at: i64,
    /// Always `null`, as observed.
    token_endpoint: Option<String>,
}

/// `StartDeviceAuthorization` response, keys alphabetical.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct DeviceAuthorizationResponse {
    device_code: String,
    expires_in: i64,
    interval: i64,
    user_code: String,
    verification_uri: String,
    verification_uri_complete: String,
}

/// The port of a loopback redirect URI of the only accepted shape,
/// `http://127.0.0.1[:port]/oauth/callback` (§5.1, §9.2): `Some(None)` without a port,
/// `None` if the URI has another shape.
pub(crate) fn loopback_port(uri: &str) -> Option<Option<u16>> {
    let rest = uri.strip_prefix("http://127.0.0.1")?;
    let (port, path) = match rest.strip_prefix(':') {
        Some(rest) => {
            let digits = rest.find('/').unwrap_or(rest.len());
            let (port, path) = rest.split_at(digits);
            if port.is_empty() || !port.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            (Some(port.parse::<u16>().ok().filter(|p| *p != 0)?), path)
        }
        None => (None, rest),
    };
    (path == "/oauth/callback").then_some(port)
}

/// Whether `requested` (port-ful, from `/authorize`) matches a registered redirect URI when the
/// port is ignored (RFC 8252 §7.3 loopback rule, §9.2).
pub(crate) fn redirect_matches(registered: &[String], requested: &str) -> bool {
    loopback_port(requested).is_some() && registered.iter().any(|uri| loopback_port(uri).is_some())
}

/// Whether a start or issuer URL names this instance. Trailing `/` and a `#/` fragment, which
/// users paste from the portal, are ignored.
pub(crate) fn is_own_start_url(state: &AppState, url: &str) -> bool {
    fn normalize(url: &str) -> &str {
        url.trim_end_matches("#/").trim_end_matches('/')
    }
    normalize(url) == normalize(state.directory().start_url())
}

/// The origin verification URIs point at: [`Config::base_url`](crate::Config::base_url) (the
/// binary sets it to the address it listens on), else the `Host` the client used.
pub(crate) fn base_url(state: &AppState, headers: &HeaderMap) -> String {
    if let Some(base) = &state.config().base_url {
        return base.trim_end_matches('/').to_owned();
    }
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|host| host.to_str().ok())
        .filter(|host| {
            !host.is_empty()
                && host
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
        })
        .unwrap_or("127.0.0.1");
    format!("http://{host}")
}

/// Client authentication shared by `StartDeviceAuthorization` and `CreateToken`: unknown client,
/// wrong secret and expired registration are all 401 `InvalidClientException`.
pub(crate) fn authenticate_client(
    state: &AppState,
    client_id: &str,
    client_secret: &str,
) -> Result<Client, ApiError> {
    let client = state
        .client(client_id)
        .map_err(|error| ApiError::oidc_store(&error))?;
    let invalid = |why: &str| ApiError::oidc(OidcKind::InvalidClient, why);
    match client {
        None => Err(invalid("Invalid client: the clientId is not registered")),
        Some(client) if client.client_secret != client_secret => {
            Err(invalid("Invalid client: the clientSecret does not match"))
        }
        Some(client) if state.now_ms() >= client.expires_at_ms => Err(invalid(
            "Invalid client: the client registration has expired; register again",
        )),
        Some(client) => Ok(client),
    }
}

/// `RegisterClient`.
pub(crate) async fn register_client(
    State(state): State<AppState>,
    body: JsonBody,
) -> Result<Json<impl Serialize>, ApiError> {
    let client_name = body.required("clientName")?;
    let client_type = body.required("clientType")?;
    let scopes = body.string_list("scopes")?.unwrap_or_default();
    let redirect_uris = body.string_list("redirectUris")?.unwrap_or_default();
    let grant_types = body.string_list("grantTypes")?;
    let issuer_url = body.string("issuerUrl")?;
    // Type-checked only: application ARNs do not exist in the emulator.
    body.string("entitledApplicationArn")?;

    if client_name.is_empty() {
        return Err(ApiError::oidc_invalid("clientName must not be empty"));
    }
    if client_type != "public" {
        return Err(ApiError::oidc(
            OidcKind::InvalidClientMetadata,
            format!("Invalid client type `{client_type}`: only `public` clients are supported"),
        ));
    }
    if scopes.len() > MAX_SCOPES {
        return Err(ApiError::oidc(
            OidcKind::InvalidScope,
            format!("Too many scopes: {} (at most {MAX_SCOPES})", scopes.len()),
        ));
    }
    if let Some(scope) = scopes.iter().find(|s| !KNOWN_SCOPES.contains(&s.as_str())) {
        return Err(ApiError::oidc(
            OidcKind::InvalidScope,
            format!("Invalid scope `{scope}`"),
        ));
    }
    let supported = [
        grant::DEVICE_CODE,
        grant::AUTHORIZATION_CODE,
        grant::REFRESH_TOKEN,
    ];
    if let Some(unsupported) = grant_types
        .iter()
        .flatten()
        .find(|g| !supported.contains(&g.as_str()))
    {
        return Err(ApiError::oidc(
            OidcKind::UnsupportedGrantType,
            format!("Unsupported grant type `{unsupported}`"),
        ));
    }
    if let Some(bad) = redirect_uris
        .iter()
        .find(|uri| loopback_port(uri).is_none())
    {
        return Err(ApiError::oidc(
            OidcKind::InvalidRedirectUri,
            format!(
                "Invalid redirect URI `{bad}`: only http://127.0.0.1[:port]/oauth/callback is accepted"
            ),
        ));
    }
    let grant_types = grant_types.unwrap_or_else(|| {
        vec![
            grant::DEVICE_CODE.to_owned(),
            grant::REFRESH_TOKEN.to_owned(),
        ]
    });
    if grant_types.iter().any(|g| g == grant::AUTHORIZATION_CODE) && redirect_uris.is_empty() {
        return Err(ApiError::oidc(
            OidcKind::InvalidRedirectUri,
            "The authorization_code grant requires at least one redirect URI",
        ));
    }
    if let Some(issuer) = &issuer_url
        && !is_own_start_url(&state, issuer)
        && !issuer.starts_with("https://identitycenter.amazonaws.com/ssoins-")
    {
        return Err(ApiError::oidc_invalid(format!(
            "Invalid issuerUrl `{issuer}`: this instance's start URL is {}",
            state.directory().start_url()
        )));
    }

    let now_ms = state.now_ms();
    let issued_at = now_ms.div_euclid(1000);
    let expires_at = issued_at + state.config().lifetimes.registration;
    let client_id = ids::client_id(state.directory().region());
    let client_secret = ids::client_secret(&client_id, &client_name, issued_at, expires_at);
    let client = Client {
        client_secret: client_secret.clone(),
        client_name,
        scopes,
        grant_types,
        redirect_uris,
        issued_at_ms: now_ms,
        expires_at_ms: expires_at * 1000,
    };
    state
        .store()
        .write(|tx| tx.put(&client_id, &client))
        .map_err(|error| ApiError::oidc_store(&error))?;
    Ok(Json(RegisterResponse {
        authorization_endpoint: None,
        client_id,
        client_id_issued_at: issued_at,
        client_secret,
        client_secret_expires_at: expires_at,
        token_endpoint: None,
    }))
}

/// `StartDeviceAuthorization`.
pub(crate) async fn start_device_authorization(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: JsonBody,
) -> Result<Json<impl Serialize>, ApiError> {
    let client_id = body.required("clientId")?;
    let client_secret = body.required("clientSecret")?;
    let start_url = body.required("startUrl")?;
    let client = authenticate_client(&state, &client_id, &client_secret)?;
    if !is_own_start_url(&state, &start_url) {
        return Err(ApiError::oidc_invalid(format!(
            "Invalid startUrl `{start_url}`: this instance's start URL is {}",
            state.directory().start_url()
        )));
    }
    if !client.allows(grant::DEVICE_CODE) {
        return Err(ApiError::oidc(
            OidcKind::UnauthorizedClient,
            "The client is not registered for the device_code grant",
        ));
    }
    let lifetimes = &state.config().lifetimes;
    let now = state.now_ms();
    let device_code = ids::device_code();
    let user_code = state
        .store()
        .write(|tx| {
            // A fresh user code that no live device authorization uses.
            let user_code = loop {
                let candidate = ids::user_code();
                let taken = match tx.get::<UserCode>(&candidate)? {
                    Some(index) => tx
                        .get::<DeviceGrant>(&index.device_code)?
                        .is_some_and(|grant| grant.expires_at_ms > now),
                    None => false,
                };
                if !taken {
                    break candidate;
                }
            };
            let status = match &state.config().auto_approve {
                Some(user) => DeviceStatus::Approved {
                    session_id: state.new_session(tx, user)?,
                },
                None => DeviceStatus::Pending,
            };
            tx.put(
                &device_code,
                &DeviceGrant {
                    user_code: user_code.clone(),
                    client_id: client_id.clone(),
                    created_at_ms: now,
                    expires_at_ms: now + lifetimes.device_code * 1000,
                    interval_secs: lifetimes.device_poll_interval,
                    last_poll_ms: None,
                    status,
                },
            )?;
            tx.put(
                &user_code,
                &UserCode {
                    device_code: device_code.clone(),
                },
            )?;
            Ok(user_code)
        })
        .map_err(|error| ApiError::oidc_store(&error))?;
    let verification_uri = format!("{}/device", base_url(&state, &headers));
    Ok(Json(DeviceAuthorizationResponse {
        device_code,
        expires_in: lifetimes.device_code,
        interval: lifetimes.device_poll_interval,
        verification_uri_complete: format!("{verification_uri}?user_code={user_code}"),
        user_code,
        verification_uri,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_redirects() {
        let cases = [
            ("http://127.0.0.1/oauth/callback", Some(None)),
            ("http://127.0.0.1:54321/oauth/callback", Some(Some(54321))),
            ("http://127.0.0.1:0/oauth/callback", None),
            ("http://127.0.0.1:65536/oauth/callback", None),
            ("http://127.0.0.1:/oauth/callback", None),
            ("http://127.0.0.1:12x/oauth/callback", None),
            ("http://localhost:1234/oauth/callback", None),
            ("https://127.0.0.1/oauth/callback", None),
            ("http://127.0.0.1/oauth/callback/", None),
            ("http://127.0.0.1/oauth/callback?x=1", None),
            ("http://127.0.0.1.evil.example/oauth/callback", None),
            ("http://127.0.0.1@evil.example/oauth/callback", None),
        ];
        for (uri, expected) in cases {
            assert_eq!(loopback_port(uri), expected, "{uri}");
        }
        let registered = vec!["http://127.0.0.1/oauth/callback".to_owned()];
        assert!(redirect_matches(
            &registered,
            "http://127.0.0.1:43210/oauth/callback"
        ));
        assert!(!redirect_matches(&registered, "http://127.0.0.1:43210/x"));
        assert!(!redirect_matches(
            &[],
            "http://127.0.0.1:43210/oauth/callback"
        ));
    }
}
