//! Wire types of the two APIs: request bodies we send and responses we parse.
//!
//! These are our own structs, deliberately not shared with `sso-emulator`: if both sides used
//! one definition, a misreading of the wire format would pass every test (STYLE §2).
//!
//! - Request bodies are written member by member in the order AWS CLI v2 sends them (spec
//!   cli-behavior §3.4–3.6, wire-protocol §14), with absent optionals omitted, and serialised
//!   like Python's `json.dumps` (`", "` / `": "` separators, non-ASCII as `\uXXXX`), so a
//!   captured request is byte-identical to botocore's.
//! - Responses are parsed by key; unknown keys are ignored and `null` counts as absent.
//!   Tokens, secrets and role keys are held as [`Secret`].
//! - Portal responses can be turned into a [`serde_json::Value`] in botocore-model member
//!   order with absent members omitted ([`ListAccountsResponse::to_value`] etc.): that is what
//!   the AWS CLI prints (spec cli-behavior §6.3). Role credentials appear there in clear,
//!   because the command prints them.

use serde::Deserialize;
use serde_json::{Map, Value};
use sso_core::Secret;

use crate::error::{ClientError, Operation};

// ---------------------------------------------------------------------------------------------
// OIDC requests

/// `RegisterClient` input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisterClientRequest {
    /// `botocore-client-<session name>` or, for legacy profiles, `botocore-client-<epoch s>`.
    pub client_name: String,
    /// Always `public`.
    pub client_type: String,
    /// PKCE flow: `["authorization_code", "refresh_token"]`; device flow: omitted.
    pub grant_types: Option<Vec<String>>,
    /// PKCE flow: `["http://127.0.0.1/oauth/callback"]`; device flow: omitted.
    pub redirect_uris: Option<Vec<String>>,
    /// PKCE flow: the resolved start URL; device flow: omitted.
    pub issuer_url: Option<String>,
    /// Registration scopes; omitted when none are configured (legacy device flow).
    pub scopes: Option<Vec<String>>,
}

impl RegisterClientRequest {
    /// The device-code flow registration (spec cli-behavior §3.4): name, `public`, scopes if
    /// any.
    pub fn device_code(client_name: impl Into<String>, scopes: Option<Vec<String>>) -> Self {
        Self {
            client_name: client_name.into(),
            client_type: "public".to_owned(),
            grant_types: None,
            redirect_uris: None,
            issuer_url: None,
            scopes,
        }
    }

    /// The authorization-code (PKCE) flow registration: both grants, the port-less loopback
    /// redirect URI, the start URL as issuer, and the scopes (the caller applies the
    /// `sso:account:access` default).
    pub fn authorization_code(
        client_name: impl Into<String>,
        issuer_url: impl Into<String>,
        scopes: Vec<String>,
    ) -> Self {
        Self {
            client_name: client_name.into(),
            client_type: "public".to_owned(),
            grant_types: Some(vec![
                "authorization_code".to_owned(),
                "refresh_token".to_owned(),
            ]),
            redirect_uris: Some(vec!["http://127.0.0.1/oauth/callback".to_owned()]),
            issuer_url: Some(issuer_url.into()),
            scopes: Some(scopes),
        }
    }

    /// Body in CLI v2 order: clientName, clientType, grantTypes, redirectUris, issuerUrl,
    /// scopes (spec cli-behavior §3.4, observed).
    pub(crate) fn body(&self) -> Map<String, Value> {
        let mut map = Map::new();
        put(&mut map, "clientName", &self.client_name);
        put(&mut map, "clientType", &self.client_type);
        put_list(&mut map, "grantTypes", self.grant_types.as_deref());
        put_list(&mut map, "redirectUris", self.redirect_uris.as_deref());
        if let Some(issuer_url) = &self.issuer_url {
            put(&mut map, "issuerUrl", issuer_url);
        }
        put_list(&mut map, "scopes", self.scopes.as_deref());
        map
    }
}

/// `StartDeviceAuthorization` input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StartDeviceAuthorizationRequest {
    /// From the registration.
    pub client_id: String,
    /// From the registration.
    pub client_secret: Secret<String>,
    /// The resolved start URL.
    pub start_url: String,
}

impl StartDeviceAuthorizationRequest {
    /// Body in botocore order: clientId, clientSecret, startUrl.
    pub(crate) fn body(&self) -> Map<String, Value> {
        let mut map = Map::new();
        put(&mut map, "clientId", &self.client_id);
        put(&mut map, "clientSecret", self.client_secret.expose());
        put(&mut map, "startUrl", &self.start_url);
        map
    }
}

/// The grant of a `CreateToken` call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenGrant {
    /// `urn:ietf:params:oauth:grant-type:device_code`.
    DeviceCode {
        /// From `StartDeviceAuthorization`.
        device_code: Secret<String>,
    },
    /// `authorization_code` with PKCE.
    AuthorizationCode {
        /// The code from the loopback redirect.
        code: Secret<String>,
        /// The port-ful redirect URI that was sent to `/authorize`.
        redirect_uri: String,
        /// The PKCE verifier.
        code_verifier: Secret<String>,
    },
    /// `refresh_token`.
    RefreshToken {
        /// The cached refresh token.
        refresh_token: Secret<String>,
    },
}

impl TokenGrant {
    /// The `grantType` value.
    pub const fn grant_type(&self) -> &'static str {
        match self {
            Self::DeviceCode { .. } => "urn:ietf:params:oauth:grant-type:device_code",
            Self::AuthorizationCode { .. } => "authorization_code",
            Self::RefreshToken { .. } => "refresh_token",
        }
    }
}

/// `CreateToken` input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateTokenRequest {
    /// From the registration.
    pub client_id: String,
    /// From the registration.
    pub client_secret: Secret<String>,
    /// Which grant, with its own fields.
    pub grant: TokenGrant,
    /// `scope` (singular name, list type). AWS CLI v2 never sends it; the model says it has
    /// no effect.
    pub scope: Option<Vec<String>>,
}

impl CreateTokenRequest {
    /// Body in the order botocore's callers pass the arguments (spec wire-protocol §14.7):
    /// - device code (`SSOTokenFetcher`): grantType, clientId, clientSecret, deviceCode;
    /// - auth code (CLI v2 `sso/utils.py`): grantType, clientId, clientSecret, redirectUri,
    ///   codeVerifier, code;
    /// - refresh (`tokens.py`): grantType, clientId, clientSecret, refreshToken.
    ///
    /// `scope`, if set, goes last.
    pub(crate) fn body(&self) -> Map<String, Value> {
        let mut map = Map::new();
        put(&mut map, "grantType", self.grant.grant_type());
        put(&mut map, "clientId", &self.client_id);
        put(&mut map, "clientSecret", self.client_secret.expose());
        match &self.grant {
            TokenGrant::DeviceCode { device_code } => {
                put(&mut map, "deviceCode", device_code.expose());
            }
            TokenGrant::AuthorizationCode {
                code,
                redirect_uri,
                code_verifier,
            } => {
                put(&mut map, "redirectUri", redirect_uri);
                put(&mut map, "codeVerifier", code_verifier.expose());
                put(&mut map, "code", code.expose());
            }
            TokenGrant::RefreshToken { refresh_token } => {
                put(&mut map, "refreshToken", refresh_token.expose());
            }
        }
        put_list(&mut map, "scope", self.scope.as_deref());
        map
    }
}

fn put(map: &mut Map<String, Value>, key: &str, value: &str) {
    map.insert(key.to_owned(), Value::String(value.to_owned()));
}

fn put_list(map: &mut Map<String, Value>, key: &str, values: Option<&[String]>) {
    if let Some(values) = values {
        let list = values.iter().cloned().map(Value::String).collect();
        map.insert(key.to_owned(), Value::Array(list));
    }
}

// ---------------------------------------------------------------------------------------------
// Response parsing helpers

/// A 2xx body as a JSON object: empty (or only whitespace) is `{}`, as in botocore. Anything
/// else that is not an object is an error, where botocore would carry on with a dict holding no
/// model member and print an empty result: a truncated answer must not pass for "no accounts".
fn body_object(operation: Operation, body: &[u8]) -> Result<Value, ClientError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Object(Map::new()));
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(value @ Value::Object(_)) => Ok(value),
        Ok(_) => Err(ClientError::InvalidResponse {
            operation,
            detail: "the body is JSON but not an object".to_owned(),
        }),
        Err(error) => Err(ClientError::InvalidResponse {
            operation,
            detail: format!("the body is not valid JSON ({error}); was it cut off?"),
        }),
    }
}

fn parse<T: for<'de> Deserialize<'de>>(
    operation: Operation,
    body: &[u8],
) -> Result<T, ClientError> {
    serde_json::from_value(body_object(operation, body)?).map_err(|error| {
        ClientError::InvalidResponse {
            operation,
            detail: error.to_string(),
        }
    })
}

fn required<T>(operation: Operation, member: &str, value: Option<T>) -> Result<T, ClientError> {
    value.ok_or_else(|| ClientError::InvalidResponse {
        operation,
        detail: format!("the required member `{member}` is missing"),
    })
}

/// A JSON number as an integer. The models say long/integer; a float (which botocore would
/// pass through) is truncated rather than rejected.
fn integer(number: Option<serde_json::Number>) -> Option<i64> {
    let number = number?;
    number
        .as_i64()
        .or_else(|| number.as_f64().map(|float| float as i64))
}

// ---------------------------------------------------------------------------------------------
// OIDC responses

/// `RegisterClient` output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisterClientResponse {
    /// Client ID.
    pub client_id: String,
    /// Client secret.
    pub client_secret: Secret<String>,
    /// Issue time, epoch **seconds**.
    pub client_id_issued_at: Option<i64>,
    /// Expiry, epoch **seconds** (issue + 90 days on the real service).
    pub client_secret_expires_at: Option<i64>,
    /// Not used by the AWS CLI.
    pub authorization_endpoint: Option<String>,
    /// Not used by the AWS CLI.
    pub token_endpoint: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawRegisterClient {
    client_id: Option<String>,
    client_secret: Option<String>,
    client_id_issued_at: Option<serde_json::Number>,
    client_secret_expires_at: Option<serde_json::Number>,
    authorization_endpoint: Option<String>,
    token_endpoint: Option<String>,
}

impl RegisterClientResponse {
    pub(crate) fn parse(body: &[u8]) -> Result<Self, ClientError> {
        let op = Operation::RegisterClient;
        let raw: RawRegisterClient = parse(op, body)?;
        Ok(Self {
            client_id: required(op, "clientId", raw.client_id)?,
            client_secret: Secret::new(required(op, "clientSecret", raw.client_secret)?),
            client_id_issued_at: integer(raw.client_id_issued_at),
            client_secret_expires_at: integer(raw.client_secret_expires_at),
            authorization_endpoint: raw.authorization_endpoint,
            token_endpoint: raw.token_endpoint,
        })
    }
}

/// `StartDeviceAuthorization` output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StartDeviceAuthorizationResponse {
    /// The code to poll `CreateToken` with.
    pub device_code: Secret<String>,
    /// The `XXXX-XXXX` code shown to the user.
    pub user_code: Option<String>,
    /// Where the user enters the code.
    pub verification_uri: Option<String>,
    /// The same with the code filled in (opened in the browser).
    pub verification_uri_complete: Option<String>,
    /// Seconds until the device code expires (600 on the real service).
    pub expires_in: Option<i64>,
    /// Poll interval in seconds; botocore uses 5 when absent.
    pub interval: Option<i64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawStartDeviceAuthorization {
    device_code: Option<String>,
    user_code: Option<String>,
    verification_uri: Option<String>,
    verification_uri_complete: Option<String>,
    expires_in: Option<serde_json::Number>,
    interval: Option<serde_json::Number>,
}

impl StartDeviceAuthorizationResponse {
    pub(crate) fn parse(body: &[u8]) -> Result<Self, ClientError> {
        let op = Operation::StartDeviceAuthorization;
        let raw: RawStartDeviceAuthorization = parse(op, body)?;
        Ok(Self {
            device_code: Secret::new(required(op, "deviceCode", raw.device_code)?),
            user_code: raw.user_code,
            verification_uri: raw.verification_uri,
            verification_uri_complete: raw.verification_uri_complete,
            expires_in: integer(raw.expires_in),
            interval: integer(raw.interval),
        })
    }
}

/// `CreateToken` output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateTokenResponse {
    /// The access token for the portal API.
    pub access_token: Secret<String>,
    /// `Bearer`.
    pub token_type: Option<String>,
    /// Lifetime in seconds.
    pub expires_in: Option<i64>,
    /// Present for refreshable (sso-session) registrations.
    pub refresh_token: Option<Secret<String>>,
    /// Not implemented by the service; kept if sent.
    pub id_token: Option<Secret<String>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawCreateToken {
    access_token: Option<String>,
    token_type: Option<String>,
    expires_in: Option<serde_json::Number>,
    refresh_token: Option<String>,
    id_token: Option<String>,
}

impl CreateTokenResponse {
    pub(crate) fn parse(body: &[u8]) -> Result<Self, ClientError> {
        let op = Operation::CreateToken;
        let raw: RawCreateToken = parse(op, body)?;
        Ok(Self {
            access_token: Secret::new(required(op, "accessToken", raw.access_token)?),
            token_type: raw.token_type,
            expires_in: integer(raw.expires_in),
            refresh_token: raw.refresh_token.map(Secret::new),
            id_token: raw.id_token.map(Secret::new),
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Portal responses

/// `ListAccounts` output. Model member order: nextToken, accountList.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ListAccountsResponse {
    /// Token for the next page; absent, `null` or `""` on the last page.
    pub next_token: Option<String>,
    /// The page of accounts.
    pub account_list: Option<Vec<AccountInfo>>,
}

/// One account. Model member order: accountId, accountName, emailAddress.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountInfo {
    /// 12-digit account ID.
    pub account_id: Option<String>,
    /// Display name.
    pub account_name: Option<String>,
    /// Root e-mail address.
    pub email_address: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawListAccounts {
    next_token: Option<String>,
    account_list: Option<Vec<Option<AccountInfo>>>,
}

impl ListAccountsResponse {
    pub(crate) fn parse(body: &[u8]) -> Result<Self, ClientError> {
        let raw: RawListAccounts = parse(Operation::ListAccounts, body)?;
        Ok(Self {
            next_token: raw.next_token,
            account_list: raw
                .account_list
                .map(|list| list.into_iter().map(Option::unwrap_or_default).collect()),
        })
    }

    /// The response as the AWS CLI prints it: model order, absent members omitted.
    pub fn to_value(&self) -> Value {
        let mut map = Map::new();
        put_opt(&mut map, "nextToken", self.next_token.as_deref());
        if let Some(list) = &self.account_list {
            let items = list.iter().map(AccountInfo::to_value).collect();
            map.insert("accountList".to_owned(), Value::Array(items));
        }
        Value::Object(map)
    }
}

impl AccountInfo {
    /// Model order, absent members omitted.
    pub fn to_value(&self) -> Value {
        let mut map = Map::new();
        put_opt(&mut map, "accountId", self.account_id.as_deref());
        put_opt(&mut map, "accountName", self.account_name.as_deref());
        put_opt(&mut map, "emailAddress", self.email_address.as_deref());
        Value::Object(map)
    }
}

/// `ListAccountRoles` output. Model member order: nextToken, roleList.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ListAccountRolesResponse {
    /// Token for the next page.
    pub next_token: Option<String>,
    /// The page of roles.
    pub role_list: Option<Vec<RoleInfo>>,
}

/// One role. Model member order: roleName, accountId.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoleInfo {
    /// Permission-set name.
    pub role_name: Option<String>,
    /// Account ID.
    pub account_id: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawListAccountRoles {
    next_token: Option<String>,
    role_list: Option<Vec<Option<RoleInfo>>>,
}

impl ListAccountRolesResponse {
    pub(crate) fn parse(body: &[u8]) -> Result<Self, ClientError> {
        let raw: RawListAccountRoles = parse(Operation::ListAccountRoles, body)?;
        Ok(Self {
            next_token: raw.next_token,
            role_list: raw
                .role_list
                .map(|list| list.into_iter().map(Option::unwrap_or_default).collect()),
        })
    }

    /// The response as the AWS CLI prints it: model order, absent members omitted.
    pub fn to_value(&self) -> Value {
        let mut map = Map::new();
        put_opt(&mut map, "nextToken", self.next_token.as_deref());
        if let Some(list) = &self.role_list {
            let items = list.iter().map(RoleInfo::to_value).collect();
            map.insert("roleList".to_owned(), Value::Array(items));
        }
        Value::Object(map)
    }
}

impl RoleInfo {
    /// Model order, absent members omitted.
    pub fn to_value(&self) -> Value {
        let mut map = Map::new();
        put_opt(&mut map, "roleName", self.role_name.as_deref());
        put_opt(&mut map, "accountId", self.account_id.as_deref());
        Value::Object(map)
    }
}

/// `GetRoleCredentials` output.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GetRoleCredentialsResponse {
    /// The credentials; absent only if the service sends none.
    pub role_credentials: Option<RoleCredentials>,
}

/// Short-term credentials. Model member order: accessKeyId, secretAccessKey, sessionToken,
/// expiration.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RoleCredentials {
    /// `ASIA...` key ID.
    pub access_key_id: Option<String>,
    /// Secret key.
    pub secret_access_key: Option<Secret<String>>,
    /// Session token.
    pub session_token: Option<Secret<String>>,
    /// Expiry in epoch **milliseconds**.
    pub expiration: Option<i64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawGetRoleCredentials {
    role_credentials: Option<RawRoleCredentials>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawRoleCredentials {
    access_key_id: Option<String>,
    secret_access_key: Option<String>,
    session_token: Option<String>,
    expiration: Option<serde_json::Number>,
}

impl GetRoleCredentialsResponse {
    pub(crate) fn parse(body: &[u8]) -> Result<Self, ClientError> {
        let raw: RawGetRoleCredentials = parse(Operation::GetRoleCredentials, body)?;
        Ok(Self {
            role_credentials: raw.role_credentials.map(|raw| RoleCredentials {
                access_key_id: raw.access_key_id,
                secret_access_key: raw.secret_access_key.map(Secret::new),
                session_token: raw.session_token.map(Secret::new),
                expiration: integer(raw.expiration),
            }),
        })
    }

    /// The response as the AWS CLI prints it, **secrets included** (the command's job is to
    /// print them). Model order, absent members omitted.
    pub fn to_value(&self) -> Value {
        let mut map = Map::new();
        if let Some(credentials) = &self.role_credentials {
            let mut inner = Map::new();
            put_opt(
                &mut inner,
                "accessKeyId",
                credentials.access_key_id.as_deref(),
            );
            put_opt(
                &mut inner,
                "secretAccessKey",
                credentials
                    .secret_access_key
                    .as_ref()
                    .map(|s| s.expose().as_str()),
            );
            put_opt(
                &mut inner,
                "sessionToken",
                credentials
                    .session_token
                    .as_ref()
                    .map(|s| s.expose().as_str()),
            );
            if let Some(expiration) = credentials.expiration {
                inner.insert("expiration".to_owned(), Value::from(expiration));
            }
            map.insert("roleCredentials".to_owned(), Value::Object(inner));
        }
        Value::Object(map)
    }
}

fn put_opt(map: &mut Map<String, Value>, key: &str, value: Option<&str>) {
    if let Some(value) = value {
        put(map, key, value);
    }
}

#[cfg(test)]
mod tests {
    use sso_core::python::json::Dumps;

    use super::*;

    #[test]
    fn debug_of_every_token_bearing_struct_is_redacted() {
        let secret = || Secret::new("s3cr3t-value".to_owned());
        let shown = [
            format!(
                "{:?}",
                StartDeviceAuthorizationRequest {
                    client_id: "cid".into(),
                    client_secret: secret(),
                    start_url: "u".into(),
                }
            ),
            format!(
                "{:?}",
                CreateTokenRequest {
                    client_id: "cid".into(),
                    client_secret: secret(),
                    grant: TokenGrant::AuthorizationCode {
                        code: secret(),
                        redirect_uri: "r".into(),
                        code_verifier: secret(),
                    },
                    scope: None,
                }
            ),
            format!(
                "{:?}",
                TokenGrant::RefreshToken {
                    refresh_token: secret()
                }
            ),
            format!(
                "{:?}",
                RegisterClientResponse::parse(br#"{"clientId":"c","clientSecret":"s3cr3t-value"}"#)
                    .unwrap()
            ),
            format!(
                "{:?}",
                StartDeviceAuthorizationResponse::parse(br#"{"deviceCode":"s3cr3t-value"}"#)
                    .unwrap()
            ),
            format!(
                "{:?}",
                CreateTokenResponse::parse(
                    br#"{"accessToken":"s3cr3t-value","refreshToken":"s3cr3t-value","idToken":"s3cr3t-value"}"#
                )
                .unwrap()
            ),
            format!(
                "{:?}",
                crate::transport::HttpRequest {
                    method: crate::transport::Method::Post,
                    url: "http://h/token".into(),
                    headers: vec![("x-amz-sso_bearer_token".into(), "s3cr3t-value".into())],
                    body: Some(b"{\"clientSecret\": \"s3cr3t-value\"}".to_vec()),
                }
            ),
            format!(
                "{:?}",
                crate::transport::HttpResponse {
                    status: 200,
                    headers: vec![],
                    body: b"{\"accessToken\":\"s3cr3t-value\"}".to_vec(),
                }
            ),
        ];
        for text in shown {
            assert!(!text.contains("s3cr3t"), "{text}");
        }
    }

    #[test]
    fn a_truncated_or_foreign_success_body_is_an_error_naming_the_operation() {
        let cut = ListAccountsResponse::parse(br#"{"accountList":[{"accountId":"1"#).unwrap_err();
        assert!(
            cut.to_string()
                .starts_with("Unable to parse the response of the ListAccounts operation: the body is not valid JSON"),
            "{cut}"
        );
        assert_eq!(cut.exit_class(), sso_core::ExitClass::General);
        let list = ListAccountsResponse::parse(b"[1]").unwrap_err();
        assert!(
            list.to_string()
                .ends_with("the body is JSON but not an object"),
            "{list}"
        );
        // Empty is botocore's `{}`: no members, no error.
        assert!(ListAccountsResponse::parse(b" \n").is_ok());
    }

    #[test]
    fn request_bodies_are_python_json_dumps() {
        let mut map = Map::new();
        put(&mut map, "clientName", "botocore-client-my-sso");
        put_list(&mut map, "scopes", Some(&["a".to_owned(), "b".to_owned()]));
        put(&mut map, "x", "é😀\"\n\x7f\x01");
        assert_eq!(
            Dumps::new().dumps(&map),
            r#"{"clientName": "botocore-client-my-sso", "scopes": ["a", "b"], "x": "\u00e9\ud83d\ude00\"\n\u007f\u0001"}"#
        );
    }

    #[test]
    fn register_client_bodies_per_flow() {
        let device = RegisterClientRequest::device_code("botocore-client-1700000000", None);
        assert_eq!(
            Dumps::new().dumps(&device.body()),
            r#"{"clientName": "botocore-client-1700000000", "clientType": "public"}"#
        );
        let pkce = RegisterClientRequest::authorization_code(
            "botocore-client-my-sso",
            "https://d-1234567890.awsapps.com/start",
            vec!["sso:account:access".to_owned()],
        );
        assert_eq!(
            Dumps::new().dumps(&pkce.body()),
            r#"{"clientName": "botocore-client-my-sso", "clientType": "public", "grantTypes": ["authorization_code", "refresh_token"], "redirectUris": ["http://127.0.0.1/oauth/callback"], "issuerUrl": "https://d-1234567890.awsapps.com/start", "scopes": ["sso:account:access"]}"#
        );
    }

    #[test]
    fn portal_values_follow_model_order_and_skip_absent() {
        let body = br#"{"accountList":[{"emailAddress":"e@x","extra":1,"accountId":"111"},null],"nextToken":null}"#;
        let response = ListAccountsResponse::parse(body).unwrap();
        assert_eq!(
            serde_json::to_string(&response.to_value()).unwrap(),
            r#"{"accountList":[{"accountId":"111","emailAddress":"e@x"},{}]}"#
        );
        let body = br#"{"roleCredentials":{"expiration":1700000000000,"sessionToken":"st","secretAccessKey":"sk","accessKeyId":"ASIA"}}"#;
        let response = GetRoleCredentialsResponse::parse(body).unwrap();
        assert_eq!(
            serde_json::to_string(&response.to_value()).unwrap(),
            r#"{"roleCredentials":{"accessKeyId":"ASIA","secretAccessKey":"sk","sessionToken":"st","expiration":1700000000000}}"#
        );
        let shown = format!("{response:?}");
        assert!(
            !shown.contains("\"sk\"") && !shown.contains("\"st\""),
            "{shown}"
        );
    }

    #[test]
    fn an_empty_success_body_means_every_member_absent_and_html_is_an_error() {
        let response = GetRoleCredentialsResponse::parse(b"").unwrap();
        assert_eq!(response, GetRoleCredentialsResponse::default());
        // botocore would print an empty result for a proxy's HTML page; we say what happened.
        let html = ListAccountRolesResponse::parse(b"<html>").unwrap_err();
        assert!(
            html.to_string()
                .contains("ListAccountRoles operation: the body is not valid JSON"),
            "{html}"
        );
    }

    #[test]
    fn oidc_required_members_and_redaction() {
        let error = CreateTokenResponse::parse(br#"{"expiresIn":3600}"#).unwrap_err();
        assert_eq!(
            error.to_string(),
            "Unable to parse the response of the CreateToken operation: the required member `accessToken` is missing"
        );
        let token = CreateTokenResponse::parse(
            br#"{"accessToken":"aoa-secret","tokenType":"Bearer","expiresIn":3600,"refreshToken":"aor-secret"}"#,
        )
        .unwrap();
        assert_eq!(token.access_token.expose(), "aoa-secret");
        assert_eq!(token.expires_in, Some(3600));
        let shown = format!("{token:?}");
        assert!(
            !shown.contains("aoa-secret") && !shown.contains("aor-secret"),
            "{shown}"
        );
        let wrong_type = CreateTokenResponse::parse(br#"{"accessToken":5}"#).unwrap_err();
        assert!(
            matches!(wrong_type, ClientError::InvalidResponse { .. }),
            "{wrong_type}"
        );
    }
}
