//! [`PortalClient`]: the four SSO portal operations (spec wire-protocol §4).
//!
//! The access token travels raw in `x-amz-sso_bearer_token`. Query parameters use the
//! snake_case wire names and botocore's observed order (spec wire-protocol §14.1–14.3):
//! `max_result`, `next_token`, then `account_id`; `role_name` before `account_id`. Values are
//! sent as given, empty strings included, because botocore does no client-side check beyond
//! `maxResults ≥ 1` (which is the caller's job, as it produces a usage error).

use sso_core::Secret;

use crate::client::{Body, Call, ClientConfig, Engine};
use crate::error::{ClientError, Operation};
use crate::transport::Method;
use crate::wire::{GetRoleCredentialsResponse, ListAccountRolesResponse, ListAccountsResponse};

/// Client of `portal.sso.{region}.amazonaws.com` (or a configured endpoint).
#[derive(Debug)]
pub struct PortalClient {
    engine: Engine,
    region: String,
}

impl PortalClient {
    /// A client for `endpoint` (scheme, host, optional port and path prefix), e.g.
    /// `https://portal.sso.us-east-1.amazonaws.com`. The region is not used on the wire.
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

    /// `GET /assignment/accounts[?max_result=N][&next_token=T]`: one page.
    pub fn list_accounts(
        &self,
        access_token: &Secret<String>,
        next_token: Option<&str>,
        max_results: Option<i64>,
    ) -> Result<ListAccountsResponse, ClientError> {
        let max_results = max_results.map(|n| n.to_string());
        let mut query = Vec::new();
        if let Some(max) = &max_results {
            query.push(("max_result", max.as_str()));
        }
        if let Some(token) = next_token {
            query.push(("next_token", token));
        }
        let response = self.engine.send(&Call {
            operation: Operation::ListAccounts,
            method: Method::Get,
            path: "/assignment/accounts",
            query,
            bearer: Some(access_token),
            body: Body::None,
        })?;
        ListAccountsResponse::parse(&response.body)
    }

    /// `GET /assignment/roles?[max_result=N&][next_token=T&]account_id=ID`: one page.
    pub fn list_account_roles(
        &self,
        access_token: &Secret<String>,
        account_id: &str,
        next_token: Option<&str>,
        max_results: Option<i64>,
    ) -> Result<ListAccountRolesResponse, ClientError> {
        let max_results = max_results.map(|n| n.to_string());
        let mut query = Vec::new();
        if let Some(max) = &max_results {
            query.push(("max_result", max.as_str()));
        }
        if let Some(token) = next_token {
            query.push(("next_token", token));
        }
        query.push(("account_id", account_id));
        let response = self.engine.send(&Call {
            operation: Operation::ListAccountRoles,
            method: Method::Get,
            path: "/assignment/roles",
            query,
            bearer: Some(access_token),
            body: Body::None,
        })?;
        ListAccountRolesResponse::parse(&response.body)
    }

    /// `GET /federation/credentials?role_name=R&account_id=ID`.
    pub fn get_role_credentials(
        &self,
        access_token: &Secret<String>,
        role_name: &str,
        account_id: &str,
    ) -> Result<GetRoleCredentialsResponse, ClientError> {
        let response = self.engine.send(&Call {
            operation: Operation::GetRoleCredentials,
            method: Method::Get,
            path: "/federation/credentials",
            query: vec![("role_name", role_name), ("account_id", account_id)],
            bearer: Some(access_token),
            body: Body::None,
        })?;
        GetRoleCredentialsResponse::parse(&response.body)
    }

    /// `POST /logout` with `Content-Length: 0` and no `Content-Type`. Success has an empty
    /// body.
    pub fn logout(&self, access_token: &Secret<String>) -> Result<(), ClientError> {
        self.engine.send(&Call {
            operation: Operation::Logout,
            method: Method::Post,
            path: "/logout",
            query: Vec::new(),
            bearer: Some(access_token),
            body: Body::Empty,
        })?;
        Ok(())
    }
}
