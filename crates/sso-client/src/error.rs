//! Errors of an API call, and the decoding of AWS error responses exactly as botocore does it.
//!
//! [`ServiceError`] is botocore's `ClientError`: its `Display` is the line the AWS CLI prints
//! (`An error occurred (CODE) when calling the OP operation: MESSAGE`). [`decode_error`]
//! derives code and message with botocore's rest-json rules (spec wire-protocol §2.3, §8):
//!
//! - a response with status ≥ 500 whose body is empty or starts with `<html>` is "generic":
//!   code = the status as a string, message = the standard reason phrase;
//! - otherwise the body is parsed as JSON (an unparsable body becomes `{"message": <body>}`);
//!   message = body `message`, else `Message`, else empty;
//! - code = header `x-amzn-ErrorType`, else body `code`/`Code`, else body `__type`, else the
//!   status as a string; cut at the first `:` and keep what follows the last `#`.
//!
//! The OAuth `error` / `error_description` fields are never the code or the message. AWS CLI
//! v2's vendored botocore has no sso-oidc hook copying `error_description` into the message,
//! so OIDC errors print an empty message; those fields appear only in the
//! `Additional error details` block ([`ServiceError::additional_details`]).

use serde_json::Value;
use sso_core::{ExitClass, python};

use crate::transport::{HttpResponse, TransportError};

/// An operation of the portal or OIDC API, named as botocore names it in error messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Operation {
    /// Portal `GET /assignment/accounts`.
    ListAccounts,
    /// Portal `GET /assignment/roles`.
    ListAccountRoles,
    /// Portal `GET /federation/credentials`.
    GetRoleCredentials,
    /// Portal `POST /logout`.
    Logout,
    /// OIDC `POST /client/register`.
    RegisterClient,
    /// OIDC `POST /device_authorization`.
    StartDeviceAuthorization,
    /// OIDC `POST /token`.
    CreateToken,
    /// Console federation `GET /federation?Action=getSigninToken` (sign-in endpoint).
    GetSigninToken,
}

impl Operation {
    /// The model name, as printed in `when calling the <name> operation`.
    pub const fn name(self) -> &'static str {
        match self {
            Self::ListAccounts => "ListAccounts",
            Self::ListAccountRoles => "ListAccountRoles",
            Self::GetRoleCredentials => "GetRoleCredentials",
            Self::Logout => "Logout",
            Self::RegisterClient => "RegisterClient",
            Self::StartDeviceAuthorization => "StartDeviceAuthorization",
            Self::CreateToken => "CreateToken",
            Self::GetSigninToken => "GetSigninToken",
        }
    }

    /// Whether the request's query carries secrets, so it is never logged or printed.
    pub(crate) const fn has_secret_query(self) -> bool {
        matches!(self, Self::GetSigninToken)
    }

    const fn is_oidc(self) -> bool {
        matches!(
            self,
            Self::RegisterClient | Self::StartDeviceAuthorization | Self::CreateToken
        )
    }
}

impl std::fmt::Display for Operation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The service answered with an error (botocore `ClientError`; AWS CLI exit 254).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceError {
    /// Error code, e.g. `UnauthorizedException`, or `"400"` when the response names none.
    pub code: String,
    /// Error message; empty when the body has no `message`/`Message` (all OAuth-style OIDC
    /// errors).
    pub message: String,
    /// The operation that failed.
    pub operation: Operation,
    /// HTTP status.
    pub status: u16,
    /// `Some(retries made)` when botocore would report `(reached max retries: N)`: the
    /// attempt budget was used up (see [`crate::retry`] for exactly when).
    pub retries_reached: Option<u32>,
    /// The members of the modelled error shape that the body holds, in model order, as
    /// botocore's modelled parse adds them to the response: `[("message", "Rate exceeded")]`
    /// for a portal error, `[("error", "access_denied"), ("error_description", "denied")]`
    /// for an OIDC one.
    pub extra: Vec<(String, String)>,
    /// `x-amzn-RequestId`, when present.
    pub request_id: Option<String>,
}

impl std::fmt::Display for ServiceError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "An error occurred ({}) when calling the {} operation",
            self.code, self.operation
        )?;
        if let Some(retries) = self.retries_reached {
            write!(f, " (reached max retries: {retries})")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for ServiceError {}

impl ServiceError {
    /// Service errors exit with 254 in AWS CLI v2.
    pub const fn exit_class(&self) -> ExitClass {
        ExitClass::Service
    }

    /// The block AWS CLI v2 appends after the error line when the error shape has modelled
    /// fields besides the message, e.g.
    /// `"\nAdditional error details:\nerror: access_denied\nerror_description: denied"`.
    ///
    /// It starts with a newline and has no trailing newline: the CLI strips the whole text
    /// and then writes one `\n` (spec cli-behavior §6.5).
    pub fn additional_details(&self) -> Option<String> {
        // awscli `EnhancedErrorFormatter`: every field but the code and the message, which the
        // line already says (compared without case, so the portal's `message` is left out).
        let mut additional = self
            .extra
            .iter()
            .filter(|(name, _)| !matches!(name.to_lowercase().as_str(), "code" | "message"))
            .peekable();
        additional.peek()?;
        let mut text = String::from("\nAdditional error details:");
        for (name, value) in additional {
            text.push('\n');
            text.push_str(name);
            text.push_str(": ");
            text.push_str(value);
        }
        Some(text)
    }
}

impl ServiceError {
    /// The error as AWS CLI v2's structured error formats (`--cli-error-format json|yaml|text|
    /// table`) print it: botocore's `Error` dict (`Message`, then `Code`, the bare values)
    /// followed by the modelled members the body held (awscli `ClientErrorHandler`).
    pub fn error_info(&self) -> serde_json::Map<String, Value> {
        let mut info = serde_json::Map::new();
        info.insert("Message".to_owned(), Value::String(self.message.clone()));
        info.insert("Code".to_owned(), Value::String(self.code.clone()));
        for (name, value) in &self.extra {
            info.entry(name.clone())
                .or_insert_with(|| Value::String(value.clone()));
        }
        info
    }
}

/// Everything an API call can fail with.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClientError {
    /// The service answered with an error status.
    #[error(transparent)]
    Service(#[from] ServiceError),
    /// No response was received.
    #[error(transparent)]
    Transport(#[from] TransportError),
    /// A success response whose JSON does not have the shape the model promises (a required
    /// member missing, or a member of the wrong type).
    #[error("Unable to parse the response of the {operation} operation: {detail}")]
    InvalidResponse {
        /// The operation called.
        operation: Operation,
        /// What was wrong, naming the member.
        detail: String,
    },
}

impl ClientError {
    /// 254 for service errors, 255 for everything else.
    pub const fn exit_class(&self) -> ExitClass {
        match self {
            Self::Service(error) => error.exit_class(),
            Self::Transport(error) => error.exit_class(),
            Self::InvalidResponse { .. } => ExitClass::General,
        }
    }

    /// The service error, if this is one.
    pub const fn service_error(&self) -> Option<&ServiceError> {
        match self {
            Self::Service(error) => Some(error),
            _ => None,
        }
    }

    /// The service error code, if this is a service error (for `match`ing on
    /// `AuthorizationPendingException` and friends).
    pub fn code(&self) -> Option<&str> {
        self.service_error().map(|error| error.code.as_str())
    }
}

/// Decodes a response with status ≥ 301 into a [`ServiceError`] (with `retries_reached`
/// still `None`; the retry loop fills it in).
pub fn decode_error(operation: Operation, response: &HttpResponse) -> ServiceError {
    let request_id = response.header("x-amzn-RequestId").map(str::to_owned);
    if is_generic_error(response) {
        return ServiceError {
            code: response.status.to_string(),
            message: reason_phrase(response.status).to_owned(),
            operation,
            status: response.status,
            retries_reached: None,
            extra: Vec::new(),
            request_id,
        };
    }
    let body = parse_error_body(&response.body);
    let message = body
        .get("message")
        .or_else(|| body.get("Message"))
        .map_or_else(String::new, python::to_str);

    // BaseJSONParser._do_error_parse: `__type`, else the status.
    let mut code = match body.get("__type") {
        Some(Value::Null) => String::new(),
        Some(value) => cut_code(&python::to_str(value)),
        None => response.status.to_string(),
    };
    // RestJSONParser._inject_error_code: the header, else body `code`/`Code`.
    let injected = match response.header("x-amzn-ErrorType") {
        Some(header) => Some(Value::String(header.to_owned())),
        None => body.get("code").or_else(|| body.get("Code")).cloned(),
    };
    match injected {
        None | Some(Value::Null) => {}
        Some(Value::String(text)) => code = cut_code(&text),
        Some(other) => code = python::to_str(&other),
    }

    let members = if operation.is_oidc() {
        oidc_error_members(&code)
    } else {
        portal_error_members(&code)
    };
    // botocore's modelled parse skips members that are absent or null.
    let extra = members
        .iter()
        .filter_map(|member| match body.get(*member) {
            None | Some(Value::Null) => None,
            Some(value) => Some(((*member).to_owned(), python::to_str(value))),
        })
        .collect();

    ServiceError {
        code,
        message,
        operation,
        status: response.status,
        retries_reached: None,
        extra,
        request_id,
    }
}

/// botocore `_is_generic_error_response`: status ≥ 500 and a body that is empty (after
/// stripping whitespace) or starts with `<html>`.
fn is_generic_error(response: &HttpResponse) -> bool {
    if response.status < 500 {
        return false;
    }
    let body = response.body.trim_ascii();
    body.is_empty() || body.starts_with(b"<html>")
}

/// botocore `_parse_body_as_json`: empty → `{}`; not JSON → `{"message": <text>}`. A JSON
/// value that is not an object crashes botocore; we treat it as `{}`.
fn parse_error_body(body: &[u8]) -> serde_json::Map<String, Value> {
    if body.is_empty() {
        return serde_json::Map::new();
    }
    let text = String::from_utf8_lossy(body);
    match serde_json::from_str::<Value>(&text) {
        Ok(Value::Object(map)) => map,
        Ok(_) => serde_json::Map::new(),
        Err(_) => {
            let mut map = serde_json::Map::new();
            map.insert("message".to_owned(), Value::String(text.into_owned()));
            map
        }
    }
}

/// `code.split(':', 1)[0].rsplit('#', 1)[-1]`.
fn cut_code(raw: &str) -> String {
    let before_colon = raw.split(':').next().unwrap_or(raw);
    before_colon
        .rsplit('#')
        .next()
        .unwrap_or(before_colon)
        .to_owned()
}

/// Members of each sso (portal) error shape (botocore `data/sso/2019-06-10/service-2.json`):
/// all four model only `message`.
fn portal_error_members(code: &str) -> &'static [&'static str] {
    match code {
        "InvalidRequestException"
        | "ResourceNotFoundException"
        | "TooManyRequestsException"
        | "UnauthorizedException" => &["message"],
        _ => &[],
    }
}

/// Members of each sso-oidc error shape, in model order (botocore
/// `data/sso-oidc/2019-06-10/service-2.json`). Unknown codes have no shape, hence no extras.
fn oidc_error_members(code: &str) -> &'static [&'static str] {
    match code {
        "AccessDeniedException" | "InvalidRequestException" => {
            &["error", "reason", "error_description"]
        }
        "InvalidRequestRegionException" => &["error", "error_description", "endpoint", "region"],
        "AuthorizationPendingException"
        | "ExpiredTokenException"
        | "InternalServerException"
        | "InvalidClientException"
        | "InvalidClientMetadataException"
        | "InvalidGrantException"
        | "InvalidRedirectUriException"
        | "InvalidScopeException"
        | "SlowDownException"
        | "UnauthorizedClientException"
        | "UnsupportedGrantTypeException" => &["error", "error_description"],
        _ => &[],
    }
}

/// Python's `http.client.responses` phrases for the statuses that can reach the generic path.
fn reason_phrase(status: u16) -> &'static str {
    match status {
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        505 => "HTTP Version Not Supported",
        506 => "Variant Also Negotiates",
        507 => "Insufficient Storage",
        508 => "Loop Detected",
        510 => "Not Extended",
        511 => "Network Authentication Required",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(status: u16, error_type: Option<&str>, body: &str) -> HttpResponse {
        let mut headers = vec![("content-type".to_owned(), "application/json".to_owned())];
        if let Some(error_type) = error_type {
            headers.push(("x-amzn-ErrorType".to_owned(), error_type.to_owned()));
        }
        HttpResponse {
            status,
            headers,
            body: body.as_bytes().to_vec(),
        }
    }

    /// Every row of spec wire-protocol §8, plus the cutting rules.
    #[test]
    fn decodes_like_botocore_section_8() {
        use Operation::{CreateToken, GetRoleCredentials, ListAccounts, RegisterClient};
        /// (operation, status, x-amzn-ErrorType, body, code, message, extra members)
        type Case<'a> = (
            Operation,
            u16,
            Option<&'a str>,
            &'a str,
            &'a str,
            &'a str,
            &'a [(&'a str, &'a str)],
        );
        let cases: &[Case<'_>] = &[
            (
                ListAccounts,
                401,
                Some(
                    "UnauthorizedException:http://internal.amazon.com/coral/com.amazonaws.switchboard.portal/",
                ),
                r#"{"message":"Session token not found or invalid"}"#,
                "UnauthorizedException",
                "Session token not found or invalid",
                &[("message", "Session token not found or invalid")],
            ),
            (
                ListAccounts,
                401,
                None,
                r#"{"message":"m0"}"#,
                "401",
                "m0",
                &[],
            ),
            (
                ListAccounts,
                401,
                None,
                r#"{"__type":"ns#UnauthorizedException","message":"m1"}"#,
                "UnauthorizedException",
                "m1",
                &[("message", "m1")],
            ),
            (
                ListAccounts,
                401,
                None,
                r#"{"code":"UnauthorizedException","Message":"m2"}"#,
                "UnauthorizedException",
                "m2",
                &[],
            ),
            (
                ListAccounts,
                401,
                Some("UnauthorizedException"),
                "not json",
                "UnauthorizedException",
                "not json",
                &[("message", "not json")],
            ),
            (
                GetRoleCredentials,
                403,
                Some("ForbiddenException"),
                r#"{"message":"No access"}"#,
                "ForbiddenException",
                "No access",
                &[],
            ),
            (
                GetRoleCredentials,
                429,
                Some("TooManyRequestsException"),
                r#"{"message":"slow"}"#,
                "TooManyRequestsException",
                "slow",
                &[("message", "slow")],
            ),
            (
                ListAccounts,
                500,
                None,
                "",
                "500",
                "Internal Server Error",
                &[],
            ),
            (
                ListAccounts,
                503,
                None,
                "<html><body>down</body></html>",
                "503",
                "Service Unavailable",
                &[],
            ),
            (ListAccounts, 502, None, "  \n", "502", "Bad Gateway", &[]),
            // A non-text message is `str()`-ed the Python way (botocore 1.40 prints exactly this).
            (
                ListAccounts,
                400,
                None,
                r#"{"__type":"ns#TooManyRequestsException","message":{"a":[1,1e16,null,true]}}"#,
                "TooManyRequestsException",
                "{'a': [1, 1e+16, None, True]}",
                &[("message", "{'a': [1, 1e+16, None, True]}")],
            ),
            (
                CreateToken,
                400,
                Some(
                    "AuthorizationPendingException:http://internal.amazon.com/coral/com.amazonaws.sso.oidc/",
                ),
                r#"{"error":"authorization_pending","error_description":"Authorization is still pending"}"#,
                "AuthorizationPendingException",
                "",
                &[
                    ("error", "authorization_pending"),
                    ("error_description", "Authorization is still pending"),
                ],
            ),
            (
                CreateToken,
                400,
                None,
                r#"{"error":"authorization_pending","error_description":"Authorization is still pending"}"#,
                "400",
                "",
                &[],
            ),
            (
                CreateToken,
                400,
                None,
                r#"{"__type":"AuthorizationPendingException","error":"authorization_pending"}"#,
                "AuthorizationPendingException",
                "",
                &[("error", "authorization_pending")],
            ),
            (
                CreateToken,
                400,
                Some("SlowDownException"),
                r#"{"error":"slow_down"}"#,
                "SlowDownException",
                "",
                &[("error", "slow_down")],
            ),
            (
                CreateToken,
                400,
                Some("AccessDeniedException"),
                r#"{"error_description":"denied","reason":"KMS_AccessDeniedException","error":"access_denied"}"#,
                "AccessDeniedException",
                "",
                &[
                    ("error", "access_denied"),
                    ("reason", "KMS_AccessDeniedException"),
                    ("error_description", "denied"),
                ],
            ),
            (
                CreateToken,
                400,
                Some("InvalidRequestRegionException"),
                r#"{"error":"invalid_request","error_description":"d","endpoint":"https://oidc.eu-west-1.amazonaws.com","region":"eu-west-1"}"#,
                "InvalidRequestRegionException",
                "",
                &[
                    ("error", "invalid_request"),
                    ("error_description", "d"),
                    ("endpoint", "https://oidc.eu-west-1.amazonaws.com"),
                    ("region", "eu-west-1"),
                ],
            ),
            (
                RegisterClient,
                401,
                Some("InvalidClientException"),
                r#"{"error":"invalid_client","error_description":"bad"}"#,
                "InvalidClientException",
                "",
                &[("error", "invalid_client"), ("error_description", "bad")],
            ),
            (
                CreateToken,
                500,
                Some("InternalServerException"),
                r#"{"error":"server_error","error_description":"oops"}"#,
                "InternalServerException",
                "",
                &[("error", "server_error"), ("error_description", "oops")],
            ),
            (
                CreateToken,
                400,
                Some("SomethingNewException"),
                r#"{"error":"weird"}"#,
                "SomethingNewException",
                "",
                &[],
            ),
            (
                CreateToken,
                400,
                None,
                r#"{"error":"authorization_pending","message":"msg field"}"#,
                "400",
                "msg field",
                &[],
            ),
            (
                CreateToken,
                400,
                Some("InvalidGrantException"),
                r#"{"error":"invalid_grant"}"#,
                "InvalidGrantException",
                "",
                &[("error", "invalid_grant")],
            ),
            // Header wins over the body; `#` is cut from the last one.
            (
                ListAccounts,
                400,
                Some("aws.protocoltests#A#ValidationException:ns"),
                r#"{"code":"Other"}"#,
                "ValidationException",
                "",
                &[],
            ),
            // Body `code` wins over `__type`; `Message` is the fallback for `message`.
            (
                ListAccounts,
                400,
                None,
                r#"{"__type":"T","code":"C","Message":"upper"}"#,
                "C",
                "upper",
                &[],
            ),
            // A 302 is an error too (status >= 301), with no body.
            (ListAccounts, 302, None, "", "302", "", &[]),
            // Non-string message, Python str().
            (
                ListAccounts,
                400,
                Some("X"),
                r#"{"message":null}"#,
                "X",
                "None",
                &[],
            ),
        ];
        for (operation, status, header, body, code, message, extra) in cases {
            let error = decode_error(*operation, &response(*status, *header, body));
            let extra: Vec<(String, String)> = extra
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect();
            assert_eq!(
                (error.code.as_str(), error.message.as_str(), &error.extra),
                (*code, *message, &extra),
                "{status} {header:?} {body}"
            );
            assert_eq!(error.status, *status);
        }
    }

    #[test]
    fn error_info_is_the_dict_v2_prints_and_the_details_leave_the_message_out() {
        let portal = decode_error(
            Operation::ListAccounts,
            &response(
                401,
                Some("UnauthorizedException"),
                r#"{"message":"Session token not found or invalid","other":"x"}"#,
            ),
        );
        assert_eq!(
            Value::Object(portal.error_info()).to_string(),
            r#"{"Message":"Session token not found or invalid","Code":"UnauthorizedException","message":"Session token not found or invalid"}"#
        );
        assert_eq!(portal.additional_details(), None);
        let oidc = decode_error(
            Operation::CreateToken,
            &response(
                400,
                Some("InvalidGrantException"),
                r#"{"error":"invalid_grant","error_description":null}"#,
            ),
        );
        assert_eq!(
            Value::Object(oidc.error_info()).to_string(),
            r#"{"Message":"","Code":"InvalidGrantException","error":"invalid_grant"}"#
        );
        assert_eq!(
            oidc.additional_details().as_deref(),
            Some("\nAdditional error details:\nerror: invalid_grant")
        );
    }

    #[test]
    fn display_is_the_cli_line() {
        let mut error = decode_error(
            Operation::GetRoleCredentials,
            &response(
                429,
                Some("TooManyRequestsException"),
                r#"{"message":"Rate exceeded"}"#,
            ),
        );
        assert_eq!(
            error.to_string(),
            "An error occurred (TooManyRequestsException) when calling the GetRoleCredentials operation: Rate exceeded"
        );
        error.retries_reached = Some(2);
        assert_eq!(
            error.to_string(),
            "An error occurred (TooManyRequestsException) when calling the GetRoleCredentials operation (reached max retries: 2): Rate exceeded"
        );
        assert_eq!(error.exit_class(), ExitClass::Service);
        assert_eq!(error.additional_details(), None);
    }

    #[test]
    fn oidc_errors_print_empty_message_and_details_block() {
        let error = decode_error(
            Operation::CreateToken,
            &response(
                400,
                Some("AccessDeniedException"),
                r#"{"error":"access_denied","error_description":"denied"}"#,
            ),
        );
        assert_eq!(
            error.to_string(),
            "An error occurred (AccessDeniedException) when calling the CreateToken operation: "
        );
        assert_eq!(
            error.additional_details().as_deref(),
            Some("\nAdditional error details:\nerror: access_denied\nerror_description: denied")
        );
    }

    #[test]
    fn request_id_is_kept() {
        let mut response = response(401, Some("UnauthorizedException"), "{}");
        response
            .headers
            .push(("x-amzn-requestid".to_owned(), "4699f496".to_owned()));
        let error = decode_error(Operation::Logout, &response);
        assert_eq!(error.request_id.as_deref(), Some("4699f496"));
        let client_error = ClientError::from(error);
        assert_eq!(client_error.exit_class(), ExitClass::Service);
        assert_eq!(client_error.code(), Some("UnauthorizedException"));
    }
}
