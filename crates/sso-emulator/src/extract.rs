//! Request extractors that turn every malformed input into the service's own error shape
//! instead of axum's plain-text rejections: [`JsonBody`] for OIDC bodies (400
//! `InvalidRequestException` naming the field), [`PortalQuery`] for portal query strings, and
//! [`bearer_token`] for the portal's `x-amz-sso_bearer_token` header.
//!
//! JSON bodies are read field by field rather than into derived structs so each error can name
//! the offending member (`clientId must be a string`), keys may come in any order and unknown
//! keys are ignored, as real clients expect (`wire-protocol.md` §2.1).

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Query, Request};
use axum::http::HeaderMap;
use axum::http::request::Parts;
use serde_json::{Map, Value};

use crate::error::ApiError;

/// A JSON object body of an OIDC operation.
#[derive(Debug)]
pub(crate) struct JsonBody(Map<String, Value>);

impl<S: Send + Sync> FromRequest<S> for JsonBody {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(|_| ApiError::oidc_invalid("The request body could not be read"))?;
        Self::parse(&bytes)
    }
}

impl JsonBody {
    /// Parses a body; anything but a JSON object is `InvalidRequestException`.
    pub(crate) fn parse(bytes: &[u8]) -> Result<Self, ApiError> {
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Err(ApiError::oidc_invalid(
                "The request body is empty; a JSON object is required",
            ));
        }
        match serde_json::from_slice::<Value>(bytes) {
            Ok(Value::Object(map)) => Ok(Self(map)),
            Ok(_) => Err(ApiError::oidc_invalid(
                "The request body must be a JSON object",
            )),
            Err(error) => Err(ApiError::oidc_invalid(format!(
                "The request body is not valid JSON: {error}"
            ))),
        }
    }

    /// An optional string member (`null` counts as absent).
    pub(crate) fn string(&self, name: &str) -> Result<Option<String>, ApiError> {
        match self.0.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(text)) => Ok(Some(text.clone())),
            Some(_) => Err(ApiError::oidc_invalid(format!("{name} must be a string"))),
        }
    }

    /// A required string member.
    pub(crate) fn required(&self, name: &str) -> Result<String, ApiError> {
        self.string(name)?
            .ok_or_else(|| ApiError::oidc_invalid(format!("Missing required parameter: {name}")))
    }

    /// An optional list-of-strings member.
    pub(crate) fn string_list(&self, name: &str) -> Result<Option<Vec<String>>, ApiError> {
        let wrong = || ApiError::oidc_invalid(format!("{name} must be a list of strings"));
        match self.0.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Array(items)) => items
                .iter()
                .map(|item| item.as_str().map(str::to_owned).ok_or_else(wrong))
                .collect::<Result<Vec<_>, _>>()
                .map(Some),
            Some(_) => Err(wrong()),
        }
    }
}

/// The decoded query string of a portal request (`+` is a space, `%XX` decoded).
#[derive(Debug)]
pub(crate) struct PortalQuery(pub(crate) HashMap<String, String>);

impl<S: Send + Sync> FromRequestParts<S> for PortalQuery {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Query::<HashMap<String, String>>::try_from_uri(&parts.uri)
            .map(|Query(map)| Self(map))
            .map_err(|_| ApiError::portal_invalid("The query string could not be decoded"))
    }
}

/// The raw bearer token, if the header is present and is text. Header names are
/// case-insensitive; the underscore is part of the real name.
pub(crate) fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    headers.get("x-amz-sso_bearer_token")?.to_str().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::OidcKind;

    fn description(error: ApiError) -> String {
        match error {
            ApiError::Oidc {
                kind: OidcKind::InvalidRequest,
                description,
            } => description,
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn bodies_that_are_not_objects_are_invalid_requests() {
        let cases: [(&[u8], &str); 4] = [
            (b"", "The request body is empty; a JSON object is required"),
            (b"[1]", "The request body must be a JSON object"),
            (b"\"x\"", "The request body must be a JSON object"),
            (
                b"{\"a\":",
                "The request body is not valid JSON: EOF while parsing a value at line 1 column 5",
            ),
        ];
        for (body, expected) in cases {
            assert_eq!(description(JsonBody::parse(body).unwrap_err()), expected);
        }
    }

    #[test]
    fn members_are_typed() {
        let body =
            JsonBody::parse(br#"{"a": "x", "n": 5, "l": ["p", "q"], "bad": [1], "z": null}"#)
                .unwrap();
        assert_eq!(body.string("a").unwrap().as_deref(), Some("x"));
        assert_eq!(body.string("z").unwrap(), None);
        assert_eq!(body.string("missing").unwrap(), None);
        assert_eq!(
            description(body.string("n").unwrap_err()),
            "n must be a string"
        );
        assert_eq!(
            description(body.required("missing").unwrap_err()),
            "Missing required parameter: missing"
        );
        assert_eq!(
            body.string_list("l").unwrap(),
            Some(vec!["p".to_owned(), "q".to_owned()])
        );
        assert_eq!(
            description(body.string_list("bad").unwrap_err()),
            "bad must be a list of strings"
        );
        assert_eq!(
            description(body.string_list("a").unwrap_err()),
            "a must be a list of strings"
        );
    }
}
