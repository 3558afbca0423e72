//! RegisterClient, and malformed input on every OIDC operation: always the service's error
//! shape, never a 500.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

use crate::common::{Emu, START_URL};

#[tokio::test]
async fn register_client_response_matches_the_real_service() {
    let emu = Emu::new();
    let resp = emu
        .post_json(
            "/client/register",
            &json!({"clientName": "botocore-client-my-sso", "clientType": "public", "scopes": ["sso:account:access"]}),
        )
        .await;
    let body = resp.ok_json();
    // Raw text: alphabetical keys and the two null endpoints, as in real responses.
    let text = resp.text();
    assert!(
        text.starts_with("{\"authorizationEndpoint\":null,\"clientId\":\""),
        "{text}"
    );
    assert!(text.ends_with(",\"tokenEndpoint\":null}"), "{text}");
    assert_eq!(
        body.as_object().unwrap().keys().collect::<Vec<_>>(),
        [
            "authorizationEndpoint",
            "clientId",
            "clientIdIssuedAt",
            "clientSecret",
            "clientSecretExpiresAt",
            "tokenEndpoint"
        ]
    );
    let client_id = body["clientId"].as_str().unwrap();
    assert!(client_id.ends_with("VzLWVhc3QtMQ"), "{client_id}");
    assert_eq!(
        &URL_SAFE_NO_PAD.decode(client_id).unwrap()[16..],
        b"us-east-1"
    );
    // Epoch seconds, 90 days apart.
    assert_eq!(body["clientIdIssuedAt"], 1_767_225_600);
    assert_eq!(body["clientSecretExpiresAt"], 1_767_225_600 + 7_776_000);
    let secret = body["clientSecret"].as_str().unwrap();
    let parts: Vec<&str> = secret.split('.').collect();
    assert_eq!(parts.len(), 3, "a compact JWS");
    let header: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[0]).unwrap()).unwrap();
    assert_eq!(header["alg"], "HS384");
}

#[tokio::test]
async fn register_client_validation() {
    let emu = Emu::new();
    let base = json!({"clientName": "c", "clientType": "public"});
    let with = |extra: Value| {
        let mut body = base.clone();
        for (key, value) in extra.as_object().unwrap() {
            body[key] = value.clone();
        }
        body
    };
    let too_many: Vec<String> = (0..26).map(|_| "sso:account:access".to_owned()).collect();
    let cases = [
        (
            json!({"clientType": "public"}),
            "InvalidRequestException",
            "invalid_request",
        ),
        (
            json!({"clientName": "c"}),
            "InvalidRequestException",
            "invalid_request",
        ),
        (
            with(json!({"clientName": ""})),
            "InvalidRequestException",
            "invalid_request",
        ),
        (
            with(json!({"clientName": 5})),
            "InvalidRequestException",
            "invalid_request",
        ),
        (
            with(json!({"clientType": "confidential"})),
            "InvalidClientMetadataException",
            "invalid_client_metadata",
        ),
        (
            with(json!({"scopes": ["s3:everything"]})),
            "InvalidScopeException",
            "invalid_scope",
        ),
        (
            with(json!({"scopes": too_many})),
            "InvalidScopeException",
            "invalid_scope",
        ),
        (
            with(json!({"scopes": "sso:account:access"})),
            "InvalidRequestException",
            "invalid_request",
        ),
        (
            with(json!({"grantTypes": ["password"]})),
            "UnsupportedGrantTypeException",
            "unsupported_grant_type",
        ),
        (
            with(json!({"grantTypes": ["authorization_code"]})),
            "InvalidRedirectUriException",
            "invalid_redirect_uri",
        ),
        (
            with(
                json!({"grantTypes": ["authorization_code"], "redirectUris": ["http://localhost/oauth/callback"]}),
            ),
            "InvalidRedirectUriException",
            "invalid_redirect_uri",
        ),
        (
            with(json!({"redirectUris": ["http://127.0.0.1:8080/other"]})),
            "InvalidRedirectUriException",
            "invalid_redirect_uri",
        ),
        (
            with(json!({"issuerUrl": "https://d-9999999999.awsapps.com/start"})),
            "InvalidRequestException",
            "invalid_request",
        ),
    ];
    for (body, exception, error) in cases {
        emu.post_json("/client/register", &body)
            .await
            .assert_oidc_error(400, exception, error);
    }
    // Accepted variants: key order, unknown keys, the identitycenter issuer form, null members.
    for body in [
        json!({"scopes": ["sso:account:access"], "clientType": "public", "clientName": "z", "futureKey": {"a": 1}}),
        with(json!({"issuerUrl": "https://identitycenter.amazonaws.com/ssoins-1234"})),
        with(json!({"issuerUrl": START_URL, "scopes": null, "grantTypes": null})),
        with(
            json!({"redirectUris": ["http://127.0.0.1/oauth/callback", "http://127.0.0.1:5/oauth/callback"]}),
        ),
    ] {
        emu.post_json("/client/register", &body).await.ok_json();
    }
}

#[tokio::test]
async fn malformed_bodies_are_invalid_requests_everywhere() {
    let emu = Emu::new();
    let bodies = [
        (Some("application/json"), ""),
        (Some("application/json"), "{"),
        (Some("application/json"), "[]"),
        (Some("application/json"), "null"),
        (Some("application/json"), "\"text\""),
        (Some("application/json"), "{\"clientId\": }"),
        (
            Some("application/x-www-form-urlencoded"),
            "clientId=a&clientSecret=b",
        ),
        (None, "\u{0}\u{1}\u{2}"),
    ];
    for path in ["/client/register", "/device_authorization", "/token"] {
        for (content_type, body) in bodies {
            emu.post_raw(path, content_type, body)
                .await
                .assert_oidc_error(400, "InvalidRequestException", "invalid_request");
        }
    }
}

#[tokio::test]
async fn wrong_types_and_missing_members_in_create_token() {
    let emu = Emu::new();
    let reg = emu.legacy_client().await;
    let cases = [
        (
            json!({"clientSecret": reg.secret, "grantType": "refresh_token"}),
            400,
            "InvalidRequestException",
        ),
        (
            json!({"clientId": reg.id, "grantType": "refresh_token"}),
            400,
            "InvalidRequestException",
        ),
        (
            json!({"clientId": reg.id, "clientSecret": reg.secret}),
            400,
            "InvalidRequestException",
        ),
        (
            json!({"clientId": [reg.id], "clientSecret": reg.secret, "grantType": "refresh_token"}),
            400,
            "InvalidRequestException",
        ),
        (
            json!({"clientId": reg.id, "clientSecret": reg.secret, "grantType": 1}),
            400,
            "InvalidRequestException",
        ),
        (
            json!({"clientId": reg.id, "clientSecret": reg.secret, "grantType": "refresh_token", "scope": "x"}),
            400,
            "InvalidRequestException",
        ),
        (
            json!({"clientId": reg.id, "clientSecret": reg.secret, "grantType": "client_credentials"}),
            400,
            "UnsupportedGrantTypeException",
        ),
        (
            json!({"clientId": reg.id, "clientSecret": "nope", "grantType": "refresh_token", "refreshToken": "r"}),
            401,
            "InvalidClientException",
        ),
        (
            json!({"clientId": reg.id, "clientSecret": reg.secret, "grantType": "authorization_code", "code": "c"}),
            400,
            "UnauthorizedClientException",
        ),
        (
            json!({"clientId": reg.id, "clientSecret": reg.secret, "grantType": "urn:ietf:params:oauth:grant-type:device_code"}),
            400,
            "InvalidRequestException",
        ),
    ];
    for (body, status, exception) in cases {
        let resp = emu.post_json("/token", &body).await;
        assert_eq!(resp.status, status, "{body}: {}", resp.text());
        assert_eq!(
            resp.header("x-amzn-errortype").unwrap(),
            format!("{exception}:{}", crate::common::OIDC_NS),
            "{body}"
        );
    }
    // CreateTokenWithIAM is not offered.
    emu.post_json(
        "/token?aws_iam=t",
        &json!({"clientId": "arn:aws:sso::123456789012:application/x", "grantType": "refresh_token"}),
    )
    .await
    .assert_oidc_error(400, "InvalidRequestException", "invalid_request");
}
