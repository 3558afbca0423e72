//! `CreateToken` (`POST /token`): the device code, authorization code (+ PKCE) and refresh
//! token grants, and the legacy-vs-refreshable issuance rule (`wire-protocol.md` §5.3, §9).
//!
//! Checks run in this order: required members (400 `InvalidRequestException`), a known grant
//! type (`UnsupportedGrantTypeException`), client authentication (401
//! `InvalidClientException`), the grant registered for the client
//! (`UnauthorizedClientException`), then the grant itself. Each grant's read-modify-write runs in
//! one write transaction, so a one-time code or refresh token can be redeemed once even under
//! concurrent requests.
//!
//! Issuance (§9.4): a refresh token is issued only when the client registered the
//! `refresh_token` grant *and* either registered scopes (device flow of an `sso-session`
//! profile) or used the authorization code grant. Refreshable access tokens live
//! `--access-token-ttl` (1 h); legacy ones `--legacy-token-ttl` (8 h); neither outlives its
//! portal session, and `expiresIn` says exactly when the emulator will start rejecting it.
//!
//! Device polling (§9.1, RFC 8628 §3.5): a poll sooner than `interval` after the previous one
//! gets `SlowDownException` and raises the interval by 5 s, as the spec says — including the
//! second poll that CLI v2 sends right after its silent pre-print attempt
//! (`cli-behavior.md` §3.5), so such a client waits 6 s between later polls, just as it would if
//! the real service were strict. Slow-down only applies while the code is pending: an approved
//! code is redeemed however fast it is polled.

use axum::Json;
use axum::extract::State;
use axum::http::Uri;
use serde::Serialize;

use super::authenticate_client;
use crate::error::{ApiError, OidcKind};
use crate::extract::JsonBody;
use crate::ids;
use crate::state::AppState;
use crate::store::{
    AccessToken, AuthCode, Client, DeviceGrant, DeviceStatus, RefreshToken, Session, StoreError,
    Writer, grant,
};
use crate::traffic::is_iam_token;

/// Polls up to this much earlier than `interval` still count as on time (clock granularity and
/// client timer jitter).
const POLL_TOLERANCE_MS: i64 = 50;

/// `CreateToken` response, keys alphabetical; `idToken` is "not implemented" in the model and
/// omitted, `refreshToken` is omitted for legacy tokens.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct TokenResponse {
    access_token: String,
    expires_in: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    refresh_token: Option<String>,
    token_type: &'static str,
}

fn invalid_grant(description: &str) -> ApiError {
    ApiError::oidc(OidcKind::InvalidGrant, description)
}

/// `CreateToken`.
pub(crate) async fn create_token(
    State(state): State<AppState>,
    uri: Uri,
    body: JsonBody,
) -> Result<Json<TokenResponse>, ApiError> {
    if is_iam_token(&uri) {
        return Err(ApiError::oidc_invalid(
            "CreateTokenWithIAM is not supported by this emulator",
        ));
    }
    let client_id = body.required("clientId")?;
    let client_secret = body.required("clientSecret")?;
    let grant_type = body.required("grantType")?;
    // `scope` "has no effect" (§5.3): the token carries the registration's scopes. It is still
    // type-checked.
    body.string_list("scope")?;
    if ![
        grant::DEVICE_CODE,
        grant::AUTHORIZATION_CODE,
        grant::REFRESH_TOKEN,
    ]
    .contains(&grant_type.as_str())
    {
        return Err(ApiError::oidc(
            OidcKind::UnsupportedGrantType,
            format!("Unsupported grant type `{grant_type}`"),
        ));
    }
    let client = authenticate_client(&state, &client_id, &client_secret)?;
    if !client.allows(&grant_type) {
        return Err(ApiError::oidc(
            OidcKind::UnauthorizedClient,
            format!("The client is not registered for the {grant_type} grant"),
        ));
    }
    let issuer = Issuer {
        state: &state,
        client_id: &client_id,
        client: &client,
        now: state.now_ms(),
    };
    let outcome = match grant_type.as_str() {
        grant::DEVICE_CODE => {
            let device_code = body.required("deviceCode")?;
            state
                .store()
                .write(|tx| issuer.device_code(tx, &device_code))
        }
        grant::AUTHORIZATION_CODE => {
            let code = body.required("code")?;
            let redirect_uri = body.required("redirectUri")?;
            let verifier = body.required("codeVerifier")?;
            state
                .store()
                .write(|tx| issuer.authorization_code(tx, &code, &redirect_uri, &verifier))
        }
        _ => {
            let refresh_token = body.required("refreshToken")?;
            state
                .store()
                .write(|tx| issuer.refresh_token(tx, &refresh_token))
        }
    };
    outcome
        .map_err(|error| ApiError::oidc_store(&error))?
        .map(Json)
}

/// One CreateToken call's context.
struct Issuer<'a> {
    state: &'a AppState,
    client_id: &'a str,
    client: &'a Client,
    now: i64,
}

type Outcome = Result<Result<TokenResponse, ApiError>, StoreError>;

impl Issuer<'_> {
    /// Issues an access token (and, if `refreshable`, a refresh token) for a live session.
    fn issue(
        &self,
        tx: &Writer,
        session_id: &str,
        session: &Session,
        refreshable: bool,
    ) -> Result<TokenResponse, StoreError> {
        let lifetimes = &self.state.config().lifetimes;
        let ttl = if refreshable {
            lifetimes.access_token
        } else {
            lifetimes.legacy_token
        };
        // Whole seconds, rounded: a session that started 0.2 s ago at approval still has its
        // full 28800 s in `expiresIn`. The portal checks the session too, so a token can never
        // outlive it by those fractions.
        let remaining = (session.expires_at_ms - self.now + 500).div_euclid(1000);
        let expires_in = ttl.min(remaining);
        let access_token = ids::access_token();
        tx.put(
            &access_token,
            &AccessToken {
                session_id: session_id.to_owned(),
                client_id: self.client_id.to_owned(),
                scopes: self.client.scopes.clone(),
                issued_at_ms: self.now,
                expires_at_ms: self.now + expires_in * 1000,
            },
        )?;
        let refresh_token = if refreshable {
            let token = ids::refresh_token();
            tx.put(
                &token,
                &RefreshToken {
                    session_id: session_id.to_owned(),
                    client_id: self.client_id.to_owned(),
                    scopes: self.client.scopes.clone(),
                    issued_at_ms: self.now,
                    used: false,
                },
            )?;
            Some(token)
        } else {
            None
        };
        Ok(TokenResponse {
            access_token,
            expires_in,
            refresh_token,
            token_type: "Bearer",
        })
    }

    /// The session a grant redeems, if it can still issue a token (at least one second left).
    fn live_session(&self, tx: &Writer, session_id: &str) -> Result<Option<Session>, StoreError> {
        Ok(tx
            .get::<Session>(session_id)?
            .filter(|session| session.is_live(self.now + 1000)))
    }

    fn device_code(&self, tx: &Writer, device_code: &str) -> Outcome {
        let Some(mut grant) = tx.get::<DeviceGrant>(device_code)? else {
            return Ok(Err(invalid_grant("Invalid grant provided")));
        };
        if grant.client_id != self.client_id {
            return Ok(Err(invalid_grant(
                "Invalid grant provided: the device code was issued to another client",
            )));
        }
        if grant.status == DeviceStatus::Redeemed {
            return Ok(Err(invalid_grant(
                "Invalid grant provided: the device code has already been used",
            )));
        }
        if self.now >= grant.expires_at_ms {
            return Ok(Err(ApiError::oidc(
                OidcKind::ExpiredToken,
                "The device code has expired",
            )));
        }
        match grant.status.clone() {
            DeviceStatus::Denied => Ok(Err(ApiError::oidc(
                OidcKind::AccessDenied,
                "The user denied the authorization request",
            ))),
            DeviceStatus::Pending => {
                let early = grant.last_poll_ms.is_some_and(|last| {
                    self.now - last < grant.interval_secs * 1000 - POLL_TOLERANCE_MS
                });
                grant.last_poll_ms = Some(self.now);
                let error = if early {
                    grant.interval_secs += 5;
                    ApiError::oidc(
                        OidcKind::SlowDown,
                        format!(
                            "Client is polling too fast; wait at least {} seconds between polls",
                            grant.interval_secs
                        ),
                    )
                } else {
                    ApiError::oidc(
                        OidcKind::AuthorizationPending,
                        "Authorization is still pending",
                    )
                };
                tx.put(device_code, &grant)?;
                Ok(Err(error))
            }
            DeviceStatus::Approved { session_id } => {
                let Some(session) = self.live_session(tx, &session_id)? else {
                    return Ok(Err(invalid_grant(
                        "Invalid grant provided: the approving session has ended",
                    )));
                };
                let refreshable =
                    self.client.allows(grant::REFRESH_TOKEN) && !self.client.scopes.is_empty();
                let response = self.issue(tx, &session_id, &session, refreshable)?;
                grant.status = DeviceStatus::Redeemed;
                grant.last_poll_ms = Some(self.now);
                tx.put(device_code, &grant)?;
                Ok(Ok(response))
            }
            DeviceStatus::Redeemed => Ok(Err(invalid_grant("Invalid grant provided"))),
        }
    }

    fn authorization_code(
        &self,
        tx: &Writer,
        code: &str,
        redirect_uri: &str,
        verifier: &str,
    ) -> Outcome {
        let Some(mut record) = tx.get::<AuthCode>(code)? else {
            return Ok(Err(invalid_grant("Invalid grant provided")));
        };
        // A code presented by another client is not burnt: that would let anyone who saw a
        // code deny it to its owner.
        if record.client_id != self.client_id {
            return Ok(Err(invalid_grant(
                "Invalid grant provided: the code was issued to another client",
            )));
        }
        if record.used {
            return Ok(Err(invalid_grant(
                "Invalid grant provided: the authorization code has already been used",
            )));
        }
        // One attempt per code, successful or not (RFC 6749 §4.1.2): a wrong verifier cannot
        // be retried against the same code.
        record.used = true;
        tx.put(code, &record)?;
        if self.now >= record.expires_at_ms {
            return Ok(Err(invalid_grant(
                "Invalid grant provided: the authorization code has expired",
            )));
        }
        if record.redirect_uri != redirect_uri {
            return Ok(Err(invalid_grant(
                "Invalid grant provided: redirectUri does not match the one sent to /authorize",
            )));
        }
        if !ids::is_valid_verifier(verifier)
            || ids::pkce_s256(verifier) != record.code_challenge.trim_end_matches('=')
        {
            return Ok(Err(invalid_grant(
                "Invalid grant provided: PKCE verification failed (codeVerifier does not match code_challenge)",
            )));
        }
        let Some(session) = self.live_session(tx, &record.session_id)? else {
            return Ok(Err(invalid_grant(
                "Invalid grant provided: the signed-in session has ended",
            )));
        };
        let refreshable = self.client.allows(grant::REFRESH_TOKEN);
        Ok(Ok(self.issue(
            tx,
            &record.session_id,
            &session,
            refreshable,
        )?))
    }

    fn refresh_token(&self, tx: &Writer, token: &str) -> Outcome {
        let Some(mut record) = tx.get::<RefreshToken>(token)? else {
            return Ok(Err(invalid_grant("Invalid grant provided")));
        };
        if record.client_id != self.client_id {
            return Ok(Err(invalid_grant(
                "Invalid grant provided: the refresh token was issued to another client",
            )));
        }
        if record.used {
            return Ok(Err(invalid_grant(
                "Invalid grant provided: the refresh token has already been used (tokens rotate on every refresh)",
            )));
        }
        let Some(session) = self.live_session(tx, &record.session_id)? else {
            return Ok(Err(invalid_grant(
                "Invalid grant provided: the session has expired or was signed out",
            )));
        };
        record.used = true;
        tx.put(token, &record)?;
        Ok(Ok(self.issue(tx, &record.session_id, &session, true)?))
    }
}
