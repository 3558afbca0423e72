//! The exact bytes of every operation's request, compared with what botocore sends (spec
//! wire-protocol §14), and parsing of the success responses.

use serde_json::json as value;
use sso_client::{
    CreateTokenRequest, RegisterClientRequest, StartDeviceAuthorizationRequest, TokenGrant,
};
use sso_core::Secret;

use crate::server::{Server, json};
use crate::{RecordingSleeper, assert_head, oidc, portal, token};

fn secret(value: &str) -> Secret<String> {
    Secret::new(value.to_owned())
}

#[test]
fn list_accounts_request_and_response() {
    let server = Server::start(vec![json(
        200,
        r#"{"nextToken":"tok2","accountList":[{"emailAddress":"dev@example.com","accountName":"dev","accountId":"111111111111","extra":true}]}"#,
    )]);
    let client = portal(&server.url(), &RecordingSleeper::new(0.5));
    let page = client
        .list_accounts(&token("TOKEN1"), None, Some(5))
        .unwrap();
    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    assert_head(
        &requests[0],
        &server.host(),
        &[
            "GET /assignment/accounts?max_result=5 HTTP/1.1",
            "Host: {host}",
            "Accept-Encoding: identity",
            "x-amz-sso_bearer_token: TOKEN1",
            "User-Agent: {ua}",
            "amz-sdk-invocation-id: {id}",
            "amz-sdk-request: attempt=1",
        ],
    );
    assert!(requests[0].body.is_empty());
    assert_eq!(page.next_token.as_deref(), Some("tok2"));
    assert_eq!(
        serde_json::to_string(&page.to_value()).unwrap(),
        r#"{"nextToken":"tok2","accountList":[{"accountId":"111111111111","accountName":"dev","emailAddress":"dev@example.com"}]}"#
    );
}

#[test]
fn list_accounts_query_encoding_and_order() {
    let server = Server::start(vec![json(200, "{}")]);
    let client = portal(&server.url(), &RecordingSleeper::new(0.5));
    client.list_accounts(&token("t"), None, None).unwrap();
    client
        .list_accounts(&token("t"), Some("tok/1+="), Some(1))
        .unwrap();
    client
        .list_accounts(&token("t"), Some("a b&c"), None)
        .unwrap();
    let lines: Vec<String> = server
        .requests()
        .into_iter()
        .map(|r| r.lines[0].clone())
        .collect();
    assert_eq!(
        lines,
        [
            "GET /assignment/accounts HTTP/1.1",
            "GET /assignment/accounts?max_result=1&next_token=tok%2F1%2B%3D HTTP/1.1",
            "GET /assignment/accounts?next_token=a%20b%26c HTTP/1.1",
        ]
    );
}

#[test]
fn list_account_roles_request_and_response() {
    let server = Server::start(vec![json(
        200,
        r#"{"roleList":[{"accountId":"111122223333","roleName":"ReadOnly"}]}"#,
    )]);
    let client = portal(&server.url(), &RecordingSleeper::new(0.5));
    let page = client
        .list_account_roles(&token("TOKEN1"), "111122223333", None, None)
        .unwrap();
    client
        .list_account_roles(&token("TOKEN1"), "111122223333", None, Some(5))
        .unwrap();
    client
        .list_account_roles(&token("TOKEN1"), "", Some("n/t"), Some(101))
        .unwrap();
    let requests = server.requests();
    assert_head(
        &requests[0],
        &server.host(),
        &[
            "GET /assignment/roles?account_id=111122223333 HTTP/1.1",
            "Host: {host}",
            "Accept-Encoding: identity",
            "x-amz-sso_bearer_token: TOKEN1",
            "User-Agent: {ua}",
            "amz-sdk-invocation-id: {id}",
            "amz-sdk-request: attempt=1",
        ],
    );
    assert_eq!(
        requests[1].lines[0],
        "GET /assignment/roles?max_result=5&account_id=111122223333 HTTP/1.1"
    );
    // Empty account IDs and out-of-range page sizes are sent as given (botocore does too).
    assert_eq!(
        requests[2].lines[0],
        "GET /assignment/roles?max_result=101&next_token=n%2Ft&account_id= HTTP/1.1"
    );
    assert_eq!(
        page.to_value(),
        value!({"roleList": [{"roleName": "ReadOnly", "accountId": "111122223333"}]})
    );
}

#[test]
fn get_role_credentials_request_and_response() {
    let server = Server::start(vec![json(
        200,
        r#"{"roleCredentials":{"expiration":1700000000000,"sessionToken":"sessétoken","secretAccessKey":"secret/key+x","accessKeyId":"ASIAEXAMPLE"}}"#,
    )]);
    let client = portal(&server.url(), &RecordingSleeper::new(0.5));
    let response = client
        .get_role_credentials(&token("tok with space/+="), "Admin Access", "111122223333")
        .unwrap();
    assert_head(
        &server.requests()[0],
        &server.host(),
        &[
            "GET /federation/credentials?role_name=Admin%20Access&account_id=111122223333 HTTP/1.1",
            "Host: {host}",
            "Accept-Encoding: identity",
            "x-amz-sso_bearer_token: tok with space/+=",
            "User-Agent: {ua}",
            "amz-sdk-invocation-id: {id}",
            "amz-sdk-request: attempt=1",
        ],
    );
    let credentials = response.role_credentials.as_ref().unwrap();
    assert_eq!(credentials.expiration, Some(1_700_000_000_000));
    assert_eq!(
        credentials
            .secret_access_key
            .as_ref()
            .map(|s| s.expose().as_str()),
        Some("secret/key+x")
    );
    // Printed form: model order, secrets in clear (the command prints them).
    assert_eq!(
        serde_json::to_string(&response.to_value()).unwrap(),
        r#"{"roleCredentials":{"accessKeyId":"ASIAEXAMPLE","secretAccessKey":"secret/key+x","sessionToken":"sessétoken","expiration":1700000000000}}"#
    );
    let debug = format!("{response:?}");
    assert!(
        !debug.contains("secret/key+x") && !debug.contains("sessétoken"),
        "{debug}"
    );
}

#[test]
fn logout_posts_an_empty_body_without_content_type() {
    let server = Server::start(vec![json(200, "")]);
    let client = portal(&server.url(), &RecordingSleeper::new(0.5));
    client.logout(&token("TOKEN1")).unwrap();
    let requests = server.requests();
    assert_head(
        &requests[0],
        &server.host(),
        &[
            "POST /logout HTTP/1.1",
            "Host: {host}",
            "Accept-Encoding: identity",
            "x-amz-sso_bearer_token: TOKEN1",
            "User-Agent: {ua}",
            "amz-sdk-invocation-id: {id}",
            "amz-sdk-request: attempt=1",
            "Content-Length: 0",
        ],
    );
}

#[test]
fn endpoint_path_prefix_is_kept() {
    let server = Server::start(vec![json(200, "{}")]);
    let client = portal(
        &format!("{}/portal/", server.url()),
        &RecordingSleeper::new(0.5),
    );
    client.list_accounts(&token("t"), None, None).unwrap();
    client.logout(&token("t")).unwrap();
    let lines: Vec<String> = server
        .requests()
        .into_iter()
        .map(|r| r.lines[0].clone())
        .collect();
    assert_eq!(
        lines,
        [
            "GET /portal/assignment/accounts HTTP/1.1",
            "POST /portal/logout HTTP/1.1"
        ]
    );
}

#[test]
fn register_client_requests_per_flow() {
    let server = Server::start(vec![json(
        200,
        r#"{"authorizationEndpoint":null,"clientId":"cid","clientIdIssuedAt":1700000000,"clientSecret":"csec","clientSecretExpiresAt":1707776000,"tokenEndpoint":null}"#,
    )]);
    let client = oidc(&server.url(), &RecordingSleeper::new(0.5));
    let registration = client
        .register_client(&RegisterClientRequest::device_code(
            "botocore-client-my-sso",
            Some(vec!["sso:account:access".to_owned()]),
        ))
        .unwrap();
    client
        .register_client(&RegisterClientRequest::authorization_code(
            "botocore-client-my-sso",
            "https://d-1234567890.awsapps.com/start",
            vec!["sso:account:access".to_owned()],
        ))
        .unwrap();
    let requests = server.requests();
    assert_head(
        &requests[0],
        &server.host(),
        &[
            "POST /client/register HTTP/1.1",
            "Host: {host}",
            "Accept-Encoding: identity",
            "Content-Type: application/json",
            "User-Agent: {ua}",
            "amz-sdk-invocation-id: {id}",
            "amz-sdk-request: attempt=1",
            "Content-Length: 98",
        ],
    );
    // Byte-identical to the botocore capture in spec wire-protocol §14.5.
    assert_eq!(
        requests[0].body_text(),
        r#"{"clientName": "botocore-client-my-sso", "clientType": "public", "scopes": ["sso:account:access"]}"#
    );
    // The CLI v2 PKCE registration order (spec cli-behavior §3.4).
    assert_eq!(
        requests[1].body_text(),
        r#"{"clientName": "botocore-client-my-sso", "clientType": "public", "grantTypes": ["authorization_code", "refresh_token"], "redirectUris": ["http://127.0.0.1/oauth/callback"], "issuerUrl": "https://d-1234567890.awsapps.com/start", "scopes": ["sso:account:access"]}"#
    );
    assert_eq!(registration.client_id, "cid");
    assert_eq!(registration.client_secret.expose(), "csec");
    assert_eq!(registration.client_id_issued_at, Some(1_700_000_000));
    assert_eq!(registration.client_secret_expires_at, Some(1_707_776_000));
    assert_eq!(registration.authorization_endpoint, None);
}

#[test]
fn start_device_authorization_request_and_response() {
    let server = Server::start(vec![json(
        200,
        r#"{"deviceCode":"IiXrWybefqAO78PJlDs4VGLY6Oivz0psLM-z-m_SviWn","expiresIn":600,"interval":1,"userCode":"PCTQ-SGXX","verificationUri":"https://device.sso.us-east-2.amazonaws.com/","verificationUriComplete":"https://device.sso.us-east-2.amazonaws.com/?user_code=PCTQ-SGXX"}"#,
    )]);
    let client = oidc(&server.url(), &RecordingSleeper::new(0.5));
    let authorization = client
        .start_device_authorization(&StartDeviceAuthorizationRequest {
            client_id: "cid".to_owned(),
            client_secret: secret("csec"),
            start_url: "https://d-1234567890.awsapps.com/start".to_owned(),
        })
        .unwrap();
    let requests = server.requests();
    assert_head(
        &requests[0],
        &server.host(),
        &[
            "POST /device_authorization HTTP/1.1",
            "Host: {host}",
            "Accept-Encoding: identity",
            "Content-Type: application/json",
            "User-Agent: {ua}",
            "amz-sdk-invocation-id: {id}",
            "amz-sdk-request: attempt=1",
            "Content-Length: 97",
        ],
    );
    assert_eq!(
        requests[0].body_text(),
        r#"{"clientId": "cid", "clientSecret": "csec", "startUrl": "https://d-1234567890.awsapps.com/start"}"#
    );
    assert_eq!(authorization.user_code.as_deref(), Some("PCTQ-SGXX"));
    assert_eq!(authorization.expires_in, Some(600));
    assert_eq!(authorization.interval, Some(1));
    assert_eq!(
        authorization.device_code.expose(),
        "IiXrWybefqAO78PJlDs4VGLY6Oivz0psLM-z-m_SviWn"
    );
    assert_eq!(
        authorization.verification_uri_complete.as_deref(),
        Some("https://device.sso.us-east-2.amazonaws.com/?user_code=PCTQ-SGXX")
    );
}

#[test]
fn create_token_bodies_for_the_three_grants() {
    let server = Server::start(vec![json(
        200,
        r#"{"accessToken":"aoa-new","expiresIn":3600,"idToken":null,"refreshToken":"aor-new","tokenType":"Bearer"}"#,
    )]);
    let client = oidc(&server.url(), &RecordingSleeper::new(0.5));
    let grants = [
        TokenGrant::DeviceCode {
            device_code: secret("dc"),
        },
        TokenGrant::AuthorizationCode {
            code: secret("authcode-xyz"),
            redirect_uri: "http://127.0.0.1:54321/oauth/callback".to_owned(),
            code_verifier: secret("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
        },
        TokenGrant::RefreshToken {
            refresh_token: secret("old-refresh"),
        },
    ];
    let mut tokens = Vec::new();
    for grant in grants {
        tokens.push(
            client
                .create_token(&CreateTokenRequest {
                    client_id: "cid".to_owned(),
                    client_secret: secret("csec"),
                    grant,
                    scope: None,
                })
                .unwrap(),
        );
    }
    client
        .create_token(&CreateTokenRequest {
            client_id: "cid".to_owned(),
            client_secret: secret("csec"),
            grant: TokenGrant::RefreshToken {
                refresh_token: secret("rt"),
            },
            scope: Some(vec!["sso:account:access".to_owned()]),
        })
        .unwrap();
    let requests = server.requests();
    assert_head(
        &requests[0],
        &server.host(),
        &[
            "POST /token HTTP/1.1",
            "Host: {host}",
            "Accept-Encoding: identity",
            "Content-Type: application/json",
            "User-Agent: {ua}",
            "amz-sdk-invocation-id: {id}",
            "amz-sdk-request: attempt=1",
            "Content-Length: 124",
        ],
    );
    let bodies: Vec<String> = requests
        .iter()
        .map(crate::server::Recorded::body_text)
        .collect();
    assert_eq!(
        bodies,
        [
            // botocore SSOTokenFetcher argument order.
            r#"{"grantType": "urn:ietf:params:oauth:grant-type:device_code", "clientId": "cid", "clientSecret": "csec", "deviceCode": "dc"}"#,
            // CLI v2 auth-code argument order (spec wire-protocol §14.7).
            r#"{"grantType": "authorization_code", "clientId": "cid", "clientSecret": "csec", "redirectUri": "http://127.0.0.1:54321/oauth/callback", "codeVerifier": "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk", "code": "authcode-xyz"}"#,
            // botocore token provider refresh, byte-identical to the capture.
            r#"{"grantType": "refresh_token", "clientId": "cid", "clientSecret": "csec", "refreshToken": "old-refresh"}"#,
            r#"{"grantType": "refresh_token", "clientId": "cid", "clientSecret": "csec", "refreshToken": "rt", "scope": ["sso:account:access"]}"#,
        ]
    );
    assert_eq!(requests[2].header("Content-Length"), Some("104"));
    let token = &tokens[0];
    assert_eq!(token.access_token.expose(), "aoa-new");
    assert_eq!(
        token.refresh_token.as_ref().map(|t| t.expose().as_str()),
        Some("aor-new")
    );
    assert_eq!(token.token_type.as_deref(), Some("Bearer"));
    assert_eq!(token.expires_in, Some(3600));
    assert_eq!(token.id_token, None);
}

#[test]
fn user_agent_extra_is_appended() {
    let server = Server::start(vec![json(200, r#"{"clientId":"c","clientSecret":"s"}"#)]);
    let sleeper = RecordingSleeper::new(0.5);
    let config = crate::config(&sleeper, sso_client::RetryMode::Adaptive, 3)
        .with_user_agent_extra("md/sso#auth");
    let client = sso_client::OidcClient::new(server.url(), "eu-west-1", config);
    assert_eq!(client.region(), "eu-west-1");
    client
        .register_client(&RegisterClientRequest::device_code("n", None))
        .unwrap();
    let agent = server.requests()[0]
        .header("User-Agent")
        .unwrap()
        .to_owned();
    assert!(
        agent.ends_with(" cfg/retry-mode#adaptive md/sso#auth"),
        "{agent}"
    );
}
