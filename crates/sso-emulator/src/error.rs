//! [`ApiError`]: every error the two APIs answer, rendered in the service's exact shape.
//!
//! The type lives in the `x-amzn-ErrorType` header with a Coral namespace suffix, because that
//! header is where botocore and smithy-rs read the error code; an OAuth `error` field alone
//! would make clients report a generic "400" and break their polling loops
//! (`wire-protocol.md` §2.3, §8). Portal bodies are `{"message": …}`; OIDC bodies are
//! `{"error": …, "error_description": …}` with the statuses of §6 and §7 (note
//! `InvalidClientException` is 401). The `x-amzn-RequestId` header is added by the traffic
//! layer for every API response, errors included.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::store::StoreError;

const PORTAL_NAMESPACE: &str = "http://internal.amazon.com/coral/com.amazonaws.switchboard.portal/";
const OIDC_NAMESPACE: &str = "http://internal.amazon.com/coral/com.amazonaws.sso.oidc/";

/// The real message for every bad, expired or revoked portal token (§4.3, §6).
pub(crate) const SESSION_INVALID: &str = "Session token not found or invalid";

/// Portal error types (§6).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PortalKind {
    InvalidRequest,
    Unauthorized,
    /// Unmodelled but real: a valid token asking for an unassigned account or role.
    Forbidden,
    TooManyRequests,
}

impl PortalKind {
    fn name(self) -> &'static str {
        match self {
            Self::InvalidRequest => "InvalidRequestException",
            Self::Unauthorized => "UnauthorizedException",
            Self::Forbidden => "ForbiddenException",
            Self::TooManyRequests => "TooManyRequestsException",
        }
    }

    fn status(self) -> StatusCode {
        match self {
            Self::InvalidRequest => StatusCode::BAD_REQUEST,
            Self::Unauthorized => StatusCode::UNAUTHORIZED,
            Self::Forbidden => StatusCode::FORBIDDEN,
            Self::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
        }
    }
}

/// OIDC error types (§7.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OidcKind {
    AuthorizationPending,
    SlowDown,
    ExpiredToken,
    AccessDenied,
    InvalidGrant,
    InvalidClient,
    UnauthorizedClient,
    UnsupportedGrantType,
    InvalidScope,
    InvalidRequest,
    InvalidClientMetadata,
    InvalidRedirectUri,
    InternalServer,
}

impl OidcKind {
    fn name(self) -> &'static str {
        match self {
            Self::AuthorizationPending => "AuthorizationPendingException",
            Self::SlowDown => "SlowDownException",
            Self::ExpiredToken => "ExpiredTokenException",
            Self::AccessDenied => "AccessDeniedException",
            Self::InvalidGrant => "InvalidGrantException",
            Self::InvalidClient => "InvalidClientException",
            Self::UnauthorizedClient => "UnauthorizedClientException",
            Self::UnsupportedGrantType => "UnsupportedGrantTypeException",
            Self::InvalidScope => "InvalidScopeException",
            Self::InvalidRequest => "InvalidRequestException",
            Self::InvalidClientMetadata => "InvalidClientMetadataException",
            Self::InvalidRedirectUri => "InvalidRedirectUriException",
            Self::InternalServer => "InternalServerException",
        }
    }

    /// The OAuth `error` code of the body.
    fn oauth(self) -> &'static str {
        match self {
            Self::AuthorizationPending => "authorization_pending",
            Self::SlowDown => "slow_down",
            Self::ExpiredToken => "expired_token",
            Self::AccessDenied => "access_denied",
            Self::InvalidGrant => "invalid_grant",
            Self::InvalidClient => "invalid_client",
            Self::UnauthorizedClient => "unauthorized_client",
            Self::UnsupportedGrantType => "unsupported_grant_type",
            Self::InvalidScope => "invalid_scope",
            Self::InvalidRequest => "invalid_request",
            Self::InvalidClientMetadata => "invalid_client_metadata",
            Self::InvalidRedirectUri => "invalid_redirect_uri",
            Self::InternalServer => "server_error",
        }
    }

    fn status(self) -> StatusCode {
        match self {
            Self::InvalidClient => StatusCode::UNAUTHORIZED,
            Self::InternalServer => StatusCode::INTERNAL_SERVER_ERROR,
            _ => StatusCode::BAD_REQUEST,
        }
    }
}

/// An API error response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ApiError {
    /// A modelled (or the real unmodelled 403) portal error.
    Portal { kind: PortalKind, message: String },
    /// An OIDC error.
    Oidc { kind: OidcKind, description: String },
    /// A portal 500: the portal models no server error, so the contract answers
    /// `{"message":"Internal failure"}` with no `x-amzn-ErrorType` (botocore reports code
    /// "500" and retries it).
    PortalInternal,
    /// No operation at this path (404) or not with this method (405).
    UnknownOperation { status: StatusCode, message: String },
}

impl ApiError {
    pub(crate) fn portal(kind: PortalKind, message: impl Into<String>) -> Self {
        Self::Portal {
            kind,
            message: message.into(),
        }
    }

    pub(crate) fn oidc(kind: OidcKind, description: impl Into<String>) -> Self {
        Self::Oidc {
            kind,
            description: description.into(),
        }
    }

    /// 401 `UnauthorizedException` with the real message.
    pub(crate) fn unauthorized() -> Self {
        Self::portal(PortalKind::Unauthorized, SESSION_INVALID)
    }

    /// 403 `ForbiddenException` "No access", the real answer for an unassigned role.
    pub(crate) fn forbidden() -> Self {
        Self::portal(PortalKind::Forbidden, "No access")
    }

    pub(crate) fn portal_invalid(message: impl Into<String>) -> Self {
        Self::portal(PortalKind::InvalidRequest, message)
    }

    pub(crate) fn oidc_invalid(description: impl Into<String>) -> Self {
        Self::oidc(OidcKind::InvalidRequest, description)
    }

    /// A state failure on a portal operation: logged with its cause, answered as a plain 500.
    pub(crate) fn portal_store(error: &StoreError) -> Self {
        tracing::error!(%error, "portal request failed on the state database");
        Self::PortalInternal
    }

    /// A state failure on an OIDC operation: logged, answered as `InternalServerException`.
    pub(crate) fn oidc_store(error: &StoreError) -> Self {
        tracing::error!(%error, "OIDC request failed on the state database");
        Self::oidc(OidcKind::InternalServer, "An internal error occurred")
    }
}

fn with_type(mut response: Response, name: &str, namespace: &str) -> Response {
    if let Ok(value) = HeaderValue::from_str(&format!("{name}:{namespace}")) {
        response.headers_mut().insert("x-amzn-ErrorType", value);
    }
    response
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self {
            Self::Portal { kind, message } => with_type(
                (kind.status(), Json(serde_json::json!({"message": message}))).into_response(),
                kind.name(),
                PORTAL_NAMESPACE,
            ),
            Self::Oidc { kind, description } => with_type(
                (
                    kind.status(),
                    Json(serde_json::json!({
                        "error": kind.oauth(),
                        "error_description": description,
                    })),
                )
                    .into_response(),
                kind.name(),
                OIDC_NAMESPACE,
            ),
            Self::PortalInternal => (
                StatusCode::INTERNAL_SERVER_ERROR,
                Json(serde_json::json!({"message": "Internal failure"})),
            )
                .into_response(),
            Self::UnknownOperation { status, message } => {
                let mut response =
                    (status, Json(serde_json::json!({"message": message}))).into_response();
                response.headers_mut().insert(
                    "x-amzn-ErrorType",
                    HeaderValue::from_static("UnknownOperationException"),
                );
                response
            }
        }
    }
}

/// Marks a response as JSON even when its body is empty (`Logout`), as the real service does.
pub(crate) fn json_content_type(response: &mut Response) {
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
}
