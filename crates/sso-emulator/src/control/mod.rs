//! The `/_emulator/` control routes for tests (only with `--enable-control`; otherwise these
//! paths are 404 like any unknown path). JSON in, JSON out; errors are `{"message": …}`.
//!
//! - `POST /device/approve {"user_code","user"}`, `POST /device/deny {"user_code"}`,
//!   `GET /device/pending`: drive device codes without a browser;
//! - `POST /clock/advance {"seconds"}`: move the emulator clock (expiry tests);
//! - `POST /sessions/revoke {"user"} | {"access_token"}`: end portal sessions;
//! - `GET`/`DELETE /requests`: the captured API requests;
//! - `GET /issued`: every secret issued (leak checks); `GET /counters`: requests per operation.
//!
//! The prefix is one AWS never uses, so the routes cannot shadow a real operation. They are not
//! captured in the request log and bypass rate limits and fault injection.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value, json};

use crate::state::{AppState, DeviceActionError};
use crate::store::{DeviceGrant, DeviceStatus};

/// The control routes, to be nested under `/_emulator`.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/device/approve", post(approve))
        .route("/device/deny", post(deny))
        .route("/device/pending", get(pending))
        .route("/clock/advance", post(advance_clock))
        .route("/sessions/revoke", post(revoke))
        .route("/requests", get(requests).delete(clear_requests))
        .route("/issued", get(issued))
        .route("/counters", get(counters))
}

/// A control-route error: `{"message": …}` with a status.
#[derive(Debug)]
struct Failure(StatusCode, String);

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        (self.0, Json(json!({"message": self.1}))).into_response()
    }
}

fn failure(status: StatusCode, message: impl Into<String>) -> Failure {
    Failure(status, message.into())
}

/// Parses a JSON object body.
fn object(body: &Bytes) -> Result<serde_json::Map<String, Value>, Failure> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(failure(
            StatusCode::BAD_REQUEST,
            "the body must be a JSON object",
        )),
    }
}

fn text<'a>(map: &'a serde_json::Map<String, Value>, name: &str) -> Result<&'a str, Failure> {
    map.get(name).and_then(Value::as_str).ok_or_else(|| {
        failure(
            StatusCode::BAD_REQUEST,
            format!("`{name}` (a string) is required"),
        )
    })
}

fn device_failure(error: &DeviceActionError) -> Failure {
    let status = match error {
        DeviceActionError::UnknownCode(_) | DeviceActionError::UnknownUser(_) => {
            StatusCode::NOT_FOUND
        }
        DeviceActionError::Expired(_) | DeviceActionError::NotPending(_) => StatusCode::CONFLICT,
        DeviceActionError::Store(_) => StatusCode::INTERNAL_SERVER_ERROR,
    };
    failure(status, error.to_string())
}

fn store_failure(error: &crate::store::StoreError) -> Response {
    tracing::error!(%error, "control route failed on the state database");
    failure(StatusCode::INTERNAL_SERVER_ERROR, error.to_string()).into_response()
}

async fn approve(State(state): State<AppState>, body: Bytes) -> Response {
    let result = (|| {
        let map = object(&body)?;
        let user_code = text(&map, "user_code")?;
        let user = text(&map, "user")?;
        state
            .approve_device_as(user_code, crate::state::Approver::User(user))
            .map_err(|error| device_failure(&error))
    })();
    match result {
        Ok(()) => Json(json!({})).into_response(),
        Err(failure) => failure.into_response(),
    }
}

async fn deny(State(state): State<AppState>, body: Bytes) -> Response {
    let result = (|| {
        let map = object(&body)?;
        let user_code = text(&map, "user_code")?;
        state
            .deny_device_code(user_code)
            .map_err(|error| device_failure(&error))
    })();
    match result {
        Ok(()) => Json(json!({})).into_response(),
        Err(failure) => failure.into_response(),
    }
}

fn rfc3339(milliseconds: i64) -> String {
    jiff::Timestamp::from_millisecond(milliseconds)
        .map(|t| t.to_string())
        .unwrap_or_default()
}

async fn pending(State(state): State<AppState>) -> Response {
    let now = state.now_ms();
    match state.store().read(|tx| tx.all::<DeviceGrant>()) {
        Ok(grants) => {
            let mut live: Vec<DeviceGrant> = grants
                .into_iter()
                .map(|(_, grant)| grant)
                .filter(|grant| grant.status == DeviceStatus::Pending && now < grant.expires_at_ms)
                .collect();
            live.sort_by_key(|grant| grant.created_at_ms);
            let pending: Vec<Value> = live
                .iter()
                .map(|grant| {
                    json!({
                        "user_code": grant.user_code,
                        "client_id": grant.client_id,
                        "expires_at": rfc3339(grant.expires_at_ms),
                    })
                })
                .collect();
            Json(json!({"pending": pending})).into_response()
        }
        Err(error) => store_failure(&error),
    }
}

async fn advance_clock(State(state): State<AppState>, body: Bytes) -> Response {
    let map = match object(&body) {
        Ok(map) => map,
        Err(failure) => return failure.into_response(),
    };
    let Some(seconds) = map.get("seconds").and_then(Value::as_f64) else {
        return failure(StatusCode::BAD_REQUEST, "`seconds` (a number) is required")
            .into_response();
    };
    if !seconds.is_finite() || seconds.abs() > 3.2e9 {
        return failure(StatusCode::BAD_REQUEST, "`seconds` is out of range").into_response();
    }
    // Range-checked above: at most ±3.2e12 ms, far inside i64.
    let milliseconds = (seconds * 1000.0).round() as i64;
    let now = state.clock().advance_ms(milliseconds);
    Json(json!({"now": now.to_string()})).into_response()
}

async fn revoke(State(state): State<AppState>, body: Bytes) -> Response {
    let map = match object(&body) {
        Ok(map) => map,
        Err(failure) => return failure.into_response(),
    };
    let result = if let Some(user) = map.get("user").and_then(Value::as_str) {
        state.revoke_user(user)
    } else if let Some(token) = map.get("access_token").and_then(Value::as_str) {
        state.revoke_token(token)
    } else {
        return failure(
            StatusCode::BAD_REQUEST,
            "give `user` or `access_token` (a string)",
        )
        .into_response();
    };
    match result {
        Ok(revoked) => Json(json!({"revoked": revoked})).into_response(),
        Err(error) => store_failure(&error),
    }
}

async fn requests(State(state): State<AppState>) -> Response {
    Json(json!({"requests": state.traffic().requests()})).into_response()
}

async fn clear_requests(State(state): State<AppState>) -> Response {
    state.traffic().clear_requests();
    Json(json!({})).into_response()
}

async fn issued(State(state): State<AppState>) -> Response {
    match state.issued() {
        Ok(issued) => Json(issued).into_response(),
        Err(error) => store_failure(&error),
    }
}

async fn counters(State(state): State<AppState>) -> Response {
    Json(state.traffic().counters()).into_response()
}
