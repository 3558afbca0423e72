//! Console federation (`/federation`, the API of `signin.aws.amazon.com`) and a stand-in for
//! the AWS Management Console (`/console`), so a console sign-in URL can be followed end to end.
//!
//! - `GET /federation?Action=getSigninToken&Session={"sessionId","sessionKey","sessionToken"}`
//!   `[&SessionDuration=900..43200]`: only for role credentials GetRoleCredentials issued here
//!   and that have not expired; answers `{"SigninToken": …}`, good for one login in 15 minutes.
//! - `GET /federation?Action=login&SigninToken=…&Destination=…[&Issuer=…]`: spends the token,
//!   sets the console-session cookie and redirects to the destination. A destination on an AWS
//!   console host is shown by `/console` (there is no console here); one on this emulator is
//!   followed as given; anything else is refused, so the endpoint is no open redirect.
//! - `GET /console`: who is signed in, to which account and role.
//!
//! The real service's error bodies are not documented; ours are a short JSON message for the
//! API action and an error page for the browser one, both with status 400.

use std::collections::HashMap;

use axum::Json;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::html::{Page, escape};
use super::{cookies, internal};
use crate::ids;
use crate::state::AppState;
use crate::store::{ConsoleSession, IssuedRoleCredentials, SigninToken};

const CONSOLE_COOKIE: &str = "sso_emulator_console";
/// How long a sign-in token can be spent (the real service: 15 minutes).
const SIGNIN_TOKEN_TTL_MS: i64 = 15 * 60 * 1000;
/// The console session without `SessionDuration`.
const DEFAULT_CONSOLE_SECONDS: i64 = 3600;
/// Hosts of the real consoles, per partition.
const CONSOLE_HOSTS: [&str; 4] = [
    "console.aws.amazon.com",
    "console.amazonaws.cn",
    "console.amazonaws-us-gov.com",
    "console.amazonaws-eusc.eu",
];

/// `GET /federation`: dispatches on `Action`.
pub(super) async fn federation(
    State(state): State<AppState>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    match params.get("Action").map(String::as_str) {
        Some("getSigninToken") => signin_token(&state, &params),
        Some("login") => login(&state, &params),
        _ => bad_request("Action must be getSigninToken or login"),
    }
}

fn bad_request(message: &str) -> Response {
    (StatusCode::BAD_REQUEST, Json(json!({ "message": message }))).into_response()
}

fn signin_token(state: &AppState, params: &HashMap<String, String>) -> Response {
    let Some(session) = params
        .get("Session")
        .and_then(|raw| serde_json::from_str::<Value>(raw).ok())
    else {
        return bad_request(
            "Session must be a JSON object with sessionId, sessionKey and sessionToken",
        );
    };
    let field = |name: &str| session.get(name).and_then(Value::as_str);
    let (Some(key_id), Some(secret), Some(token)) = (
        field("sessionId"),
        field("sessionKey"),
        field("sessionToken"),
    ) else {
        return bad_request(
            "Session must be a JSON object with sessionId, sessionKey and sessionToken",
        );
    };
    let session_seconds = match params.get("SessionDuration") {
        None => None,
        Some(raw) => match raw.parse::<i64>() {
            Ok(seconds) if (900..=43_200).contains(&seconds) => Some(seconds),
            _ => {
                return bad_request(
                    "SessionDuration must be a number of seconds from 900 to 43200",
                );
            }
        },
    };
    let now = state.now_ms();
    let result = state.store().write(|tx| {
        let Some(issued) = tx.get::<IssuedRoleCredentials>(key_id)? else {
            return Ok(None);
        };
        let genuine = issued.secret_sha256 == ids::sha256_hex(secret)
            && issued.token_sha256 == ids::sha256_hex(token);
        if !genuine || issued.expires_at_ms <= now {
            return Ok(None);
        }
        let signin = ids::opaque();
        tx.put(
            &signin,
            &SigninToken {
                user: issued.user,
                account_id: issued.account_id,
                role_name: issued.role_name,
                expires_at_ms: now + SIGNIN_TOKEN_TTL_MS,
                session_seconds,
                used: false,
            },
        )?;
        Ok(Some(signin))
    });
    match result {
        Ok(Some(signin)) => Json(json!({ "SigninToken": signin })).into_response(),
        Ok(None) => bad_request("the session credentials are not valid or have expired"),
        Err(error) => internal(&error).into_response(),
    }
}

/// Where a destination goes: the stand-in page for a real console URL, or this emulator's own.
fn redirect_target(state: &AppState, destination: &str) -> Option<String> {
    if let Some(origin) = state.config().base_url.as_deref()
        && destination.starts_with(&format!("{origin}/console"))
    {
        return Some(destination.to_owned());
    }
    let host = destination
        .strip_prefix("https://")?
        .split(['/', '?', '#'])
        .next()?;
    let on_console = CONSOLE_HOSTS
        .iter()
        .any(|console| host == *console || host.ends_with(&format!(".{console}")));
    on_console.then(|| format!("/console?destination={}", ids::percent_encode(destination)))
}

fn login(state: &AppState, params: &HashMap<String, String>) -> Response {
    let refuse = |message: &str| {
        Page::error(StatusCode::BAD_REQUEST, "Console sign-in failed", message).into_response()
    };
    let (Some(signin), Some(destination)) = (params.get("SigninToken"), params.get("Destination"))
    else {
        return refuse("SigninToken and Destination are required.");
    };
    let Some(target) = redirect_target(state, destination) else {
        return refuse("Destination must be an AWS console URL.");
    };
    let issuer = params.get("Issuer").cloned().unwrap_or_default();
    let now = state.now_ms();
    let result = state.store().write(|tx| {
        let Some(mut token) = tx.get::<SigninToken>(signin)? else {
            return Ok(None);
        };
        if token.used || token.expires_at_ms <= now {
            return Ok(None);
        }
        token.used = true;
        tx.put(signin, &token)?;
        let cookie = ids::opaque();
        let seconds = token.session_seconds.unwrap_or(DEFAULT_CONSOLE_SECONDS);
        tx.put(
            &cookie,
            &ConsoleSession {
                user: token.user,
                account_id: token.account_id,
                role_name: token.role_name,
                issuer,
                expires_at_ms: now + seconds * 1000,
            },
        )?;
        Ok(Some((cookie, seconds)))
    });
    let (cookie, seconds) = match result {
        Ok(Some(found)) => found,
        Ok(None) => {
            return refuse("The sign-in token is not valid, was used already, or has expired.");
        }
        Err(error) => return internal(&error).into_response(),
    };
    let mut response = StatusCode::FOUND.into_response();
    if let Ok(value) = HeaderValue::from_str(&target) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    let secure = super::secure_attribute(state);
    let cookie = format!(
        "{CONSOLE_COOKIE}={cookie}; Path=/; HttpOnly; SameSite=Lax; Max-Age={seconds}{secure}"
    );
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

/// `GET /console`: the stand-in console.
pub(super) async fn console(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(params): Query<HashMap<String, String>>,
) -> Page {
    let session = cookies(&headers)
        .get(CONSOLE_COOKIE)
        .and_then(|id| {
            state
                .store()
                .read(|tx| tx.get::<ConsoleSession>(id))
                .ok()
                .flatten()
        })
        .filter(|session| session.expires_at_ms > state.now_ms());
    let Some(session) = session else {
        return Page::error(
            StatusCode::UNAUTHORIZED,
            "AWS Management Console",
            "You are not signed in to the console. Sign in with a console sign-in URL.",
        );
    };
    let account_name = state
        .directory()
        .accounts()
        .iter()
        .find(|account| account.id == session.account_id)
        .map_or(String::new(), |account| {
            format!(" ({})", escape(&account.name))
        });
    let destination = params.get("destination").map_or(String::new(), |d| {
        format!(
            "<p>Destination: <code id=\"console-destination\">{}</code></p>\n",
            escape(d)
        )
    });
    Page::new(
        StatusCode::OK,
        "AWS Management Console",
        format!(
            "<p id=\"console-identity\">Signed in to account <strong id=\"console-account\">{}</strong>{account_name} \
             with role <strong id=\"console-role\">{}</strong> as <strong id=\"console-user\">{}</strong>.</p>\n\
             {destination}<p>Issuer: <code id=\"console-issuer\">{}</code></p>\n",
            escape(&session.account_id),
            escape(&session.role_name),
            escape(&session.user),
            escape(&session.issuer),
        ),
    )
}
