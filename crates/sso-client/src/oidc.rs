//! [`OidcClient`]: the three SSO OIDC operations the login flows use (spec wire-protocol §5).
//!
//! All three are unsigned `POST`s with a JSON body and `Content-Type: application/json`.
//! Polling semantics (`AuthorizationPendingException`, `SlowDownException`) belong to the
//! login flow; here they are ordinary [`ServiceError`](crate::ServiceError)s, never retried
//! (botocore does not retry them either).

use crate::client::{Body, Call, ClientConfig, Engine};
use crate::error::{ClientError, Operation};
use crate::transport::Method;
use crate::wire::{
    CreateTokenRequest, CreateTokenResponse, RegisterClientRequest, RegisterClientResponse,
    StartDeviceAuthorizationRequest, StartDeviceAuthorizationResponse,
};

/// Client of `oidc.{region}.amazonaws.com` (or a configured endpoint).
#[derive(Debug)]
pub struct OidcClient {
    engine: Engine,
    region: String,
}

impl OidcClient {
    /// A client for `endpoint` (scheme, host, optional port and path prefix), e.g.
    /// `https://oidc.us-east-1.amazonaws.com`. The region is not used on the wire (the
    /// operations are unsigned); it is kept for the caller (token cache, messages).
    pub fn new(
        endpoint: impl Into<String>,
        region: impl Into<String>,
        config: ClientConfig,
    ) -> Self {
        Self {
            engine: Engine::new(endpoint.into(), config),
            region: region.into(),
        }
    }

    /// The endpoint requests go to.
    pub fn endpoint(&self) -> &str {
        self.engine.endpoint()
    }

    /// The region given at construction.
    pub fn region(&self) -> &str {
        &self.region
    }

    /// Whether the OIDC endpoint can be reached from here, before a person is sent to a
    /// browser for a sign-in whose token exchange would then fail: one `GET /` (any answer
    /// will do), on the connection the exchange reuses.
    ///
    /// # Errors
    ///
    /// The connection failure (`Could not connect to the endpoint URL: …`).
    pub fn check_reachable(&self) -> Result<(), ClientError> {
        self.engine.probe()
    }

    /// `POST /client/register`.
    pub fn register_client(
        &self,
        request: &RegisterClientRequest,
    ) -> Result<RegisterClientResponse, ClientError> {
        let response = self.engine.send(&Call {
            operation: Operation::RegisterClient,
            method: Method::Post,
            path: "/client/register",
            query: Vec::new(),
            bearer: None,
            body: Body::Json(request.body()),
        })?;
        RegisterClientResponse::parse(&response.body)
    }

    /// `POST /device_authorization`.
    pub fn start_device_authorization(
        &self,
        request: &StartDeviceAuthorizationRequest,
    ) -> Result<StartDeviceAuthorizationResponse, ClientError> {
        let response = self.engine.send(&Call {
            operation: Operation::StartDeviceAuthorization,
            method: Method::Post,
            path: "/device_authorization",
            query: Vec::new(),
            bearer: None,
            body: Body::Json(request.body()),
        })?;
        StartDeviceAuthorizationResponse::parse(&response.body)
    }

    /// `POST /token` with any of the three grants.
    pub fn create_token(
        &self,
        request: &CreateTokenRequest,
    ) -> Result<CreateTokenResponse, ClientError> {
        let response = self.engine.send(&Call {
            operation: Operation::CreateToken,
            method: Method::Post,
            path: "/token",
            query: Vec::new(),
            bearer: None,
            body: Body::Json(request.body()),
        })?;
        CreateTokenResponse::parse(&response.body)
    }
}
