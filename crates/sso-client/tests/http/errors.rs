//! Error responses end to end: the printed line, the details block, the exit class. The full
//! decoding table (every row of spec wire-protocol §8) is a unit test in `src/error.rs`.

use sso_client::{
    ClientError, CreateTokenRequest, Operation, RetryMode, StartDeviceAuthorizationRequest,
    TokenGrant,
};
use sso_core::{ExitClass, Secret};

use crate::server::{Server, aws_error, json};
use crate::{RecordingSleeper, config, oidc, portal, token};

fn poll(client: &sso_client::OidcClient) -> ClientError {
    client
        .create_token(&CreateTokenRequest {
            client_id: "cid".to_owned(),
            client_secret: Secret::new("csec".to_owned()),
            grant: TokenGrant::DeviceCode {
                device_code: Secret::new("dc".to_owned()),
            },
            scope: None,
        })
        .unwrap_err()
}

#[test]
fn portal_unauthorized_prints_the_cli_line() {
    let server = Server::start(vec![
        aws_error(
            401,
            "UnauthorizedException:http://internal.amazon.com/coral/com.amazonaws.switchboard.portal/",
            r#"{"message":"Session token not found or invalid"}"#,
        )
        .header("x-amzn-RequestId", "4699f496-2102-45b3-bf0f-ecc47b8e5f8b"),
    ]);
    let sleeper = RecordingSleeper::new(0.5);
    let error = portal(&server.url(), &sleeper)
        .list_accounts(&token("bad"), None, None)
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "An error occurred (UnauthorizedException) when calling the ListAccounts operation: Session token not found or invalid"
    );
    assert_eq!(error.exit_class(), ExitClass::Service);
    let service = error.service_error().unwrap();
    assert_eq!(service.status, 401);
    assert_eq!(service.operation, Operation::ListAccounts);
    assert_eq!(
        service.request_id.as_deref(),
        Some("4699f496-2102-45b3-bf0f-ecc47b8e5f8b")
    );
    assert_eq!(service.additional_details(), None);
    // Not retryable: one request, no sleep.
    assert_eq!(server.requests().len(), 1);
    assert!(sleeper.sleeps().is_empty());
}

#[test]
fn forbidden_role_is_a_plain_service_error() {
    let server = Server::start(vec![aws_error(
        403,
        "ForbiddenException",
        r#"{"message":"No access"}"#,
    )]);
    let error = portal(&server.url(), &RecordingSleeper::new(0.5))
        .get_role_credentials(&token("t"), "Wrong", "111122223333")
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "An error occurred (ForbiddenException) when calling the GetRoleCredentials operation: No access"
    );
    assert_eq!(error.code(), Some("ForbiddenException"));
}

#[test]
fn oidc_pending_and_slow_down_are_not_retried_and_have_empty_messages() {
    let server = Server::start(vec![
        aws_error(
            400,
            "AuthorizationPendingException:http://internal.amazon.com/coral/com.amazonaws.sso.oidc/",
            r#"{"error":"authorization_pending","error_description":"Authorization is still pending"}"#,
        ),
        aws_error(400, "SlowDownException", r#"{"error":"slow_down"}"#),
    ]);
    let sleeper = RecordingSleeper::new(0.5);
    let client = oidc(&server.url(), &sleeper);
    let pending = poll(&client);
    assert_eq!(pending.code(), Some("AuthorizationPendingException"));
    assert_eq!(
        pending.to_string(),
        "An error occurred (AuthorizationPendingException) when calling the CreateToken operation: "
    );
    let slow = poll(&client);
    assert_eq!(slow.code(), Some("SlowDownException"));
    assert_eq!(
        slow.service_error()
            .unwrap()
            .additional_details()
            .as_deref(),
        Some("\nAdditional error details:\nerror: slow_down")
    );
    assert_eq!(server.requests().len(), 2);
    assert!(sleeper.sleeps().is_empty());
}

#[test]
fn access_denied_details_block_in_model_order() {
    let server = Server::start(vec![aws_error(
        400,
        "AccessDeniedException",
        r#"{"error_description":"denied","error":"access_denied"}"#,
    )]);
    let error = poll(&oidc(&server.url(), &RecordingSleeper::new(0.5)));
    let service = error.service_error().unwrap();
    assert_eq!(
        format!("{service}{}", service.additional_details().unwrap()),
        "An error occurred (AccessDeniedException) when calling the CreateToken operation: \nAdditional error details:\nerror: access_denied\nerror_description: denied"
    );
    assert_eq!(error.exit_class(), ExitClass::Service);
}

#[test]
fn oauth_body_without_error_type_header_is_a_generic_400() {
    let server = Server::start(vec![json(
        400,
        r#"{"error":"invalid_grant","error_description":"Invalid grant provided"}"#,
    )]);
    let error = poll(&oidc(&server.url(), &RecordingSleeper::new(0.5)));
    // CLI v2 (no sso-oidc hook): empty message; CLI v1 would print the description.
    assert_eq!(
        error.to_string(),
        "An error occurred (400) when calling the CreateToken operation: "
    );
    assert_eq!(error.service_error().unwrap().additional_details(), None);
}

#[test]
fn invalid_client_is_401_on_start_device_authorization() {
    let server = Server::start(vec![aws_error(
        401,
        "InvalidClientException",
        r#"{"error":"invalid_client","error_description":"Client not found"}"#,
    )]);
    let error = oidc(&server.url(), &RecordingSleeper::new(0.5))
        .start_device_authorization(&StartDeviceAuthorizationRequest {
            client_id: "gone".to_owned(),
            client_secret: Secret::new("s".to_owned()),
            start_url: "https://d-1234567890.awsapps.com/start".to_owned(),
        })
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "An error occurred (InvalidClientException) when calling the StartDeviceAuthorization operation: "
    );
    assert_eq!(error.service_error().unwrap().status, 401);
}

#[test]
fn redirects_are_errors_not_followed() {
    let server = Server::start(vec![
        json(302, "").header("Location", "http://127.0.0.1:1/elsewhere"),
    ]);
    let error = portal(&server.url(), &RecordingSleeper::new(0.5))
        .list_accounts(&token("t"), None, None)
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "An error occurred (302) when calling the ListAccounts operation: "
    );
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn success_without_required_member_is_an_invalid_response() {
    let server = Server::start(vec![json(200, r#"{"tokenType":"Bearer"}"#)]);
    let error = poll(&oidc(&server.url(), &RecordingSleeper::new(0.5)));
    assert_eq!(
        error,
        ClientError::InvalidResponse {
            operation: Operation::CreateToken,
            detail: "the required member `accessToken` is missing".to_owned(),
        }
    );
    assert_eq!(error.exit_class(), ExitClass::General);
}

#[test]
fn legacy_mode_error_text_matches_cli_v1_capture() {
    // Spec wire-protocol §14.10: five 429s, CLI v1 legacy mode.
    let server = Server::start(vec![aws_error(
        429,
        "TooManyRequestsException",
        r#"{"message":"Rate exceeded"}"#,
    )]);
    let sleeper = RecordingSleeper::new(0.5);
    let client = sso_client::PortalClient::new(
        server.url(),
        "us-east-1",
        config(&sleeper, RetryMode::Legacy, 5),
    );
    let error = client
        .get_role_credentials(&token("t"), "ReadOnly", "111122223333")
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "An error occurred (TooManyRequestsException) when calling the GetRoleCredentials operation (reached max retries: 4): Rate exceeded"
    );
    assert_eq!(server.requests().len(), 5);
}
