//! [`SigninClient`]: the console federation endpoint (`signin.aws.amazon.com/federation`) that
//! turns role credentials into a console sign-in URL, as aws-vault, granted and aws-sso-cli do
//! (anchors-2026-12 §2(e)).
//!
//! `getSigninToken` sends the credentials in the query (`Session`, URL-encoded JSON), so neither
//! the debug log nor an error message ever shows that query, and the sign-in token and the URL
//! made from it are [`Secret`]s: whoever has the URL has the console for 15 minutes.

use serde_json::{Value, json};
use sso_core::Secret;

use crate::client::{Body, Call, ClientConfig, Engine, build_url};
use crate::error::{ClientError, Operation};
use crate::transport::Method;

/// Client of a sign-in endpoint, e.g. `https://signin.aws.amazon.com`.
#[derive(Debug)]
pub struct SigninClient {
    engine: Engine,
}

impl SigninClient {
    /// A client for `endpoint` (scheme, host, optional port and path prefix).
    pub fn new(endpoint: impl Into<String>, config: ClientConfig) -> Self {
        Self {
            engine: Engine::new(endpoint.into(), config),
        }
    }

    /// `GET /federation?Action=getSigninToken[&SessionDuration=S]&Session=…`: a sign-in token
    /// for these role credentials.
    ///
    /// # Errors
    ///
    /// The endpoint refused the credentials (an error status), could not be reached, or answered
    /// without a `SigninToken`.
    pub fn signin_token(
        &self,
        access_key_id: &str,
        secret_access_key: &Secret<String>,
        session_token: &Secret<String>,
        session_duration: Option<u32>,
    ) -> Result<Secret<String>, ClientError> {
        let session = Secret::new(
            json!({
                "sessionId": access_key_id,
                "sessionKey": secret_access_key.expose(),
                "sessionToken": session_token.expose(),
            })
            .to_string(),
        );
        let duration = session_duration.map(|seconds| seconds.to_string());
        let mut query = vec![("Action", "getSigninToken")];
        if let Some(duration) = &duration {
            query.push(("SessionDuration", duration.as_str()));
        }
        query.push(("Session", session.expose().as_str()));
        let response = self.engine.send(&Call {
            operation: Operation::GetSigninToken,
            method: Method::Get,
            path: "/federation",
            query,
            bearer: None,
            body: Body::None,
        })?;
        let invalid = |detail: &str| ClientError::InvalidResponse {
            operation: Operation::GetSigninToken,
            detail: detail.to_owned(),
        };
        let body: Value =
            serde_json::from_slice(&response.body).map_err(|_| invalid("the body is not JSON"))?;
        body.get("SigninToken")
            .and_then(Value::as_str)
            .filter(|token| !token.is_empty())
            .map(|token| Secret::new(token.to_owned()))
            .ok_or_else(|| invalid("no SigninToken"))
    }

    /// `…/federation?Action=login&Issuer=…&Destination=…&SigninToken=…`: the URL that signs a
    /// browser in and lands on `destination`.
    pub fn login_url(
        &self,
        signin_token: &Secret<String>,
        issuer: &str,
        destination: &str,
    ) -> Secret<String> {
        Secret::new(build_url(
            self.engine.endpoint(),
            "/federation",
            &[
                ("Action", "login"),
                ("Issuer", issuer),
                ("Destination", destination),
                ("SigninToken", signin_token.expose()),
            ],
        ))
    }
}
