//! The SSO portal API (`portal.sso.{region}.amazonaws.com`): `ListAccounts`,
//! `ListAccountRoles`, `GetRoleCredentials` and `Logout` (`wire-protocol.md` §4, §6).
//!
//! Every operation authenticates the raw `x-amz-sso_bearer_token` header against the issued
//! access tokens: a missing, unknown, expired, revoked or logged-out token is 401
//! `UnauthorizedException` "Session token not found or invalid". Inputs are validated first
//! (400 `InvalidRequestException`), as a Coral service validates its model before running the
//! activity. A valid token asking for an account or role its user is not assigned gets the
//! real, unmodelled 403 `ForbiddenException` "No access". Pagination tokens are opaque random
//! strings backed by server-side cursors, so they are never guessable and never repeat.

use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::error::{ApiError, json_content_type};
use crate::extract::{PortalQuery, bearer_token};
use crate::ids;
use crate::state::{AppState, ListKind, revoke_session};
use crate::store::{AccessToken, IssuedRoleCredentials, Session};

/// The scope that unlocks the portal API for refreshable registrations (§9.5).
const PORTAL_SCOPE: &str = "sso:account:access";

/// `GET /assignment/accounts` response. Keys in alphabetical order, like the OIDC service.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct AccountsPage {
    account_list: Vec<AccountInfo>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_token: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct AccountInfo {
    account_id: String,
    account_name: String,
    email_address: String,
}

/// `GET /assignment/roles` response.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct RolesPage {
    #[serde(skip_serializing_if = "Option::is_none")]
    next_token: Option<String>,
    role_list: Vec<RoleInfo>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct RoleInfo {
    account_id: String,
    role_name: String,
}

/// `GET /federation/credentials` response.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct CredentialsResponse {
    role_credentials: RoleCredentials,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct RoleCredentials {
    access_key_id: String,
    /// Epoch **milliseconds** (§4.3).
    expiration: i64,
    secret_access_key: String,
    session_token: String,
}

/// Who a valid token belongs to.
struct Caller {
    user: String,
    session_id: String,
}

/// Checks the bearer token against the issued tokens and their session.
fn authenticate(state: &AppState, headers: &HeaderMap) -> Result<Caller, ApiError> {
    let Some(token) = bearer_token(headers).filter(|token| !token.is_empty()) else {
        return Err(ApiError::unauthorized());
    };
    let now = state.now_ms();
    let caller = state
        .store()
        .read(|tx| {
            let Some(record) = tx.get::<AccessToken>(token)? else {
                return Ok(None);
            };
            if now >= record.expires_at_ms {
                return Ok(None);
            }
            // A refreshable registration without the portal scope gets a real-looking 401
            // (§9.5); legacy registrations have no scopes and always pass.
            if !record.scopes.is_empty() && !record.scopes.iter().any(|s| s == PORTAL_SCOPE) {
                return Ok(None);
            }
            let Some(session) = tx.get::<Session>(&record.session_id)? else {
                return Ok(None);
            };
            Ok(session.is_live(now).then_some(Caller {
                user: session.user,
                session_id: record.session_id,
            }))
        })
        .map_err(|error| ApiError::portal_store(&error))?;
    caller.ok_or_else(ApiError::unauthorized)
}

/// Validates `max_result` (1..=100; botocore checks only the minimum, so the server must check
/// the maximum, §2.1) with Coral's validation wording.
fn page_size(state: &AppState, query: &PortalQuery) -> Result<usize, ApiError> {
    let Some(text) = query.0.get("max_result") else {
        return Ok(state.config().page_size as usize);
    };
    let value: i64 = text.trim().parse().map_err(|_| {
        ApiError::portal_invalid(format!(
            "1 validation error detected: Value '{text}' at 'maxResults' failed to satisfy constraint: Member must be an integer"
        ))
    })?;
    if value < 1 {
        return Err(ApiError::portal_invalid(format!(
            "1 validation error detected: Value '{value}' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1"
        )));
    }
    if value > 100 {
        return Err(ApiError::portal_invalid(format!(
            "1 validation error detected: Value '{value}' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 100"
        )));
    }
    // 1..=100 fits any usize.
    Ok(usize::try_from(value).unwrap_or(100))
}

/// A required, non-empty query parameter (botocore sends `account_id=` for `--account-id ""`).
fn required<'q>(query: &'q PortalQuery, name: &str, member: &str) -> Result<&'q str, ApiError> {
    match query.0.get(name) {
        None => Err(ApiError::portal_invalid(format!(
            "1 validation error detected: Value null at '{member}' failed to satisfy constraint: Member must not be null"
        ))),
        Some(value) if value.is_empty() => Err(ApiError::portal_invalid(format!(
            "1 validation error detected: Value '' at '{member}' failed to satisfy constraint: Member must have length greater than or equal to 1"
        ))),
        Some(value) => Ok(value),
    }
}

/// The offset a `next_token` continues from, checking it belongs to this user and list.
fn start_offset(
    state: &AppState,
    query: &PortalQuery,
    user: &str,
    list: &ListKind,
) -> Result<usize, ApiError> {
    match query.0.get("next_token").filter(|token| !token.is_empty()) {
        None => Ok(0),
        Some(token) => state
            .cursor(token)
            .filter(|cursor| cursor.user == user && &cursor.list == list)
            .map(|cursor| cursor.offset)
            .ok_or_else(|| ApiError::portal_invalid("Invalid next token")),
    }
}

/// `ListAccounts`.
pub(crate) async fn list_accounts(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: PortalQuery,
) -> Result<Json<impl Serialize>, ApiError> {
    let size = page_size(&state, &query)?;
    let caller = authenticate(&state, &headers)?;
    let directory = state.directory();
    let entries = directory.accounts_of(&caller.user);
    let start = start_offset(&state, &query, &caller.user, &ListKind::Accounts)?.min(entries.len());
    let end = start.saturating_add(size).min(entries.len());
    let account_list = entries[start..end]
        .iter()
        .filter_map(|entry| directory.account_at(entry.account))
        .map(|account| AccountInfo {
            account_id: account.id.clone(),
            account_name: account.name.clone(),
            email_address: account.email.clone(),
        })
        .collect();
    let next_token =
        (end < entries.len()).then(|| state.save_cursor(&caller.user, ListKind::Accounts, end));
    Ok(Json(AccountsPage {
        account_list,
        next_token,
    }))
}

/// `ListAccountRoles`.
pub(crate) async fn list_account_roles(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: PortalQuery,
) -> Result<Json<impl Serialize>, ApiError> {
    let account_id = required(&query, "account_id", "accountId")?.to_owned();
    let size = page_size(&state, &query)?;
    let caller = authenticate(&state, &headers)?;
    let Some(roles) = state.directory().roles_of(&caller.user, &account_id) else {
        return Err(ApiError::forbidden());
    };
    let list = ListKind::Roles(account_id.clone());
    let start = start_offset(&state, &query, &caller.user, &list)?.min(roles.len());
    let end = start.saturating_add(size).min(roles.len());
    let role_list = roles[start..end]
        .iter()
        .map(|role| RoleInfo {
            account_id: account_id.clone(),
            role_name: role.clone(),
        })
        .collect();
    let next_token = (end < roles.len()).then(|| state.save_cursor(&caller.user, list, end));
    Ok(Json(RolesPage {
        next_token,
        role_list,
    }))
}

/// `GetRoleCredentials`.
pub(crate) async fn get_role_credentials(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: PortalQuery,
) -> Result<Json<impl Serialize>, ApiError> {
    let role_name = required(&query, "role_name", "roleName")?;
    let account_id = required(&query, "account_id", "accountId")?;
    let caller = authenticate(&state, &headers)?;
    let assigned = state
        .directory()
        .roles_of(&caller.user, account_id)
        .is_some_and(|roles| roles.iter().any(|role| role == role_name));
    if !assigned {
        return Err(ApiError::forbidden());
    }
    let (access_key_id, secret_access_key, session_token) = ids::role_credentials();
    let expiration = state.now_ms() + state.config().lifetimes.role_credentials * 1000;
    // Remembered so the console federation endpoint accepts these and nothing forged.
    let issued = IssuedRoleCredentials {
        user: caller.user,
        account_id: account_id.to_owned(),
        role_name: role_name.to_owned(),
        secret_sha256: ids::sha256_hex(&secret_access_key),
        token_sha256: ids::sha256_hex(&session_token),
        expires_at_ms: expiration,
    };
    state
        .store()
        .write(|tx| tx.put(&access_key_id, &issued))
        .map_err(|error| ApiError::portal_store(&error))?;
    Ok(Json(CredentialsResponse {
        role_credentials: RoleCredentials {
            access_key_id,
            expiration,
            secret_access_key,
            session_token,
        },
    }))
}

/// `Logout`: ends the portal session behind the token, which revokes every access and refresh
/// token of that session (and the browser sign-in). 200 with an empty body.
pub(crate) async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let caller = authenticate(&state, &headers)?;
    state
        .store()
        .write(|tx| revoke_session(tx, &caller.session_id))
        .map_err(|error| ApiError::portal_store(&error))?;
    let mut response = ().into_response();
    json_content_type(&mut response);
    Ok(response)
}
