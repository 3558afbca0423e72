//! Device authorization grant: StartDeviceAuthorization and the polling state machine
//! (pending, slow_down, expired, denied, approved, redeemed).

use serde_json::json;

use crate::common::{DEVICE_GRANT, Emu, START_URL};

#[tokio::test]
async fn start_device_authorization_shape() {
    let emu = Emu::new();
    let reg = emu.legacy_client().await;
    let device = emu.start_device(&reg).await;
    let keys: Vec<&String> = device.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "deviceCode",
            "expiresIn",
            "interval",
            "userCode",
            "verificationUri",
            "verificationUriComplete"
        ],
        "alphabetical, like the real service"
    );
    assert_eq!(device["deviceCode"].as_str().unwrap().len(), 86);
    assert_eq!(device["expiresIn"], 600);
    assert_eq!(device["interval"], 1);
    let user_code = device["userCode"].as_str().unwrap();
    assert_eq!(user_code.len(), 9);
    assert_eq!(&user_code[4..5], "-");
    assert_eq!(device["verificationUri"], "http://127.0.0.1:9999/device");
    assert_eq!(
        device["verificationUriComplete"],
        format!("http://127.0.0.1:9999/device?user_code={user_code}")
    );
}

#[tokio::test]
async fn pending_then_approved_then_redeemed() {
    let emu = Emu::new();
    let reg = emu.legacy_client().await;
    let device = emu.start_device(&reg).await;
    let code = device["deviceCode"].as_str().unwrap();
    let pending = emu.poll(&reg, code).await;
    pending.assert_oidc_error(
        400,
        "AuthorizationPendingException",
        "authorization_pending",
    );
    assert_eq!(
        pending.json(),
        json!({"error": "authorization_pending", "error_description": "Authorization is still pending"})
    );
    let approved = emu
        .approve(device["userCode"].as_str().unwrap(), "demo")
        .await;
    assert_eq!(approved.status, 200);
    assert_eq!(approved.json(), json!({}));
    emu.advance(1);
    let tokens = emu.poll(&reg, code).await.ok_json();
    // Legacy registration: no refresh token, and the token lives for what remains of the
    // 8 h portal session that started when the user approved, one second ago.
    assert_eq!(
        tokens.as_object().unwrap().keys().collect::<Vec<_>>(),
        ["accessToken", "expiresIn", "tokenType"]
    );
    assert_eq!(tokens["expiresIn"], 28_799);
    assert_eq!(tokens["tokenType"], "Bearer");
    let access = tokens["accessToken"].as_str().unwrap();
    assert!(access.starts_with("aoa"));
    for c in [':', '/', '+', '='] {
        assert!(access.contains(c), "{access} lacks {c}");
    }
    emu.get("/assignment/accounts", Some(access))
        .await
        .ok_json();
    // One-time: the second redemption fails.
    emu.advance(1);
    emu.poll(&reg, code)
        .await
        .assert_oidc_error(400, "InvalidGrantException", "invalid_grant");
}

#[tokio::test]
async fn polling_too_fast_slows_down() {
    let emu = Emu::new();
    let reg = emu.legacy_client().await;
    let device = emu.start_device(&reg).await;
    let code = device["deviceCode"].as_str().unwrap();
    emu.poll(&reg, code).await.assert_oidc_error(
        400,
        "AuthorizationPendingException",
        "authorization_pending",
    );
    // A second poll at once (CLI v2 does this after its silent pre-print attempt) is too fast.
    let slow = emu.poll(&reg, code).await;
    slow.assert_oidc_error(400, "SlowDownException", "slow_down");
    assert_eq!(
        slow.json()["error_description"],
        "Client is polling too fast; wait at least 6 seconds between polls"
    );
    // The interval is now 1 + 5 = 6 s: 1 s later is still too fast (and adds 5 more).
    emu.advance(1);
    emu.poll(&reg, code)
        .await
        .assert_oidc_error(400, "SlowDownException", "slow_down");
    emu.advance(11);
    emu.poll(&reg, code).await.assert_oidc_error(
        400,
        "AuthorizationPendingException",
        "authorization_pending",
    );
}

#[tokio::test]
async fn polling_at_the_interval_never_slows_down() {
    let emu = Emu::new();
    let reg = emu.legacy_client().await;
    let device = emu.start_device(&reg).await;
    let code = device["deviceCode"].as_str().unwrap();
    for _ in 0..5 {
        emu.poll(&reg, code).await.assert_oidc_error(
            400,
            "AuthorizationPendingException",
            "authorization_pending",
        );
        emu.advance(1);
    }
    emu.approve(device["userCode"].as_str().unwrap(), "demo")
        .await;
    // An approved code is redeemed even when polled quickly.
    emu.poll(&reg, code).await.ok_json();
}

#[tokio::test]
async fn device_codes_expire() {
    let emu = Emu::new();
    let reg = emu.legacy_client().await;
    let device = emu.start_device(&reg).await;
    let code = device["deviceCode"].as_str().unwrap();
    emu.advance(599);
    emu.poll(&reg, code).await.assert_oidc_error(
        400,
        "AuthorizationPendingException",
        "authorization_pending",
    );
    emu.advance(1);
    emu.poll(&reg, code)
        .await
        .assert_oidc_error(400, "ExpiredTokenException", "expired_token");
    let late = emu
        .approve(device["userCode"].as_str().unwrap(), "demo")
        .await;
    assert_eq!(late.status, 409, "{}", late.text());
    // An approved but unredeemed code expires too.
    let device = emu.start_device(&reg).await;
    emu.approve(device["userCode"].as_str().unwrap(), "demo")
        .await;
    emu.advance(600);
    emu.poll(&reg, device["deviceCode"].as_str().unwrap())
        .await
        .assert_oidc_error(400, "ExpiredTokenException", "expired_token");
}

#[tokio::test]
async fn denied_codes_answer_access_denied() {
    let emu = Emu::new();
    let reg = emu.legacy_client().await;
    let device = emu.start_device(&reg).await;
    let user_code = device["userCode"].as_str().unwrap().to_ascii_lowercase();
    // User codes are accepted case-insensitively and without the dash.
    let denied = emu
        .post_json(
            "/_emulator/device/deny",
            &json!({"user_code": user_code.replace('-', "")}),
        )
        .await;
    assert_eq!(denied.status, 200, "{}", denied.text());
    emu.poll(&reg, device["deviceCode"].as_str().unwrap())
        .await
        .assert_oidc_error(400, "AccessDeniedException", "access_denied");
    assert_eq!(emu.approve(&user_code, "demo").await.status, 409);
}

#[tokio::test]
async fn device_codes_belong_to_their_client() {
    let emu = Emu::new();
    let reg = emu.legacy_client().await;
    let other = emu.legacy_client().await;
    let device = emu.start_device(&reg).await;
    let code = device["deviceCode"].as_str().unwrap();
    emu.approve(device["userCode"].as_str().unwrap(), "demo")
        .await;
    emu.poll(&other, code)
        .await
        .assert_oidc_error(400, "InvalidGrantException", "invalid_grant");
    emu.poll(&reg, "not-a-device-code").await.assert_oidc_error(
        400,
        "InvalidGrantException",
        "invalid_grant",
    );
    let mut wrong_secret = reg.clone();
    wrong_secret.secret.push('x');
    emu.poll(&wrong_secret, code).await.assert_oidc_error(
        401,
        "InvalidClientException",
        "invalid_client",
    );
    // None of that spent the code.
    emu.poll(&reg, code).await.ok_json();
}

#[tokio::test]
async fn start_device_authorization_errors() {
    let emu = Emu::new();
    let reg = emu.legacy_client().await;
    let cases = [
        (
            json!({"clientId": reg.id, "clientSecret": reg.secret, "startUrl": "https://d-9999999999.awsapps.com/start"}),
            400,
            "InvalidRequestException",
            "invalid_request",
        ),
        (
            json!({"clientId": reg.id, "clientSecret": reg.secret}),
            400,
            "InvalidRequestException",
            "invalid_request",
        ),
        (
            json!({"clientId": "unknown", "clientSecret": reg.secret, "startUrl": START_URL}),
            401,
            "InvalidClientException",
            "invalid_client",
        ),
        (
            json!({"clientId": reg.id, "clientSecret": "wrong", "startUrl": START_URL}),
            401,
            "InvalidClientException",
            "invalid_client",
        ),
        (
            json!({"clientId": reg.id, "clientSecret": 7, "startUrl": START_URL}),
            400,
            "InvalidRequestException",
            "invalid_request",
        ),
    ];
    for (body, status, exception, error) in cases {
        emu.post_json("/device_authorization", &body)
            .await
            .assert_oidc_error(status, exception, error);
    }
    // Trailing slash and `#/` of a pasted start URL are fine.
    for url in [format!("{START_URL}/"), format!("{START_URL}#/")] {
        emu.post_json(
            "/device_authorization",
            &json!({"clientId": reg.id, "clientSecret": reg.secret, "startUrl": url}),
        )
        .await
        .ok_json();
    }
    let pkce_only = emu.pkce_client().await;
    emu.post_json(
        "/device_authorization",
        &json!({"clientId": pkce_only.id, "clientSecret": pkce_only.secret, "startUrl": START_URL}),
    )
    .await
    .assert_oidc_error(400, "UnauthorizedClientException", "unauthorized_client");
}

#[tokio::test]
async fn registrations_expire_after_90_days() {
    let emu = Emu::new();
    let reg = emu.legacy_client().await;
    emu.advance(7_776_000 - 1);
    emu.start_device(&reg).await;
    emu.advance(1);
    emu.post_json(
        "/device_authorization",
        &json!({"clientId": reg.id, "clientSecret": reg.secret, "startUrl": START_URL}),
    )
    .await
    .assert_oidc_error(401, "InvalidClientException", "invalid_client");
}

#[tokio::test]
async fn auto_approve_issues_on_the_first_poll() {
    let emu = Emu::with(|config| config.auto_approve = Some("alice".to_owned()));
    let reg = emu.legacy_client().await;
    let device = emu.start_device(&reg).await;
    let tokens = emu
        .poll(&reg, device["deviceCode"].as_str().unwrap())
        .await
        .ok_json();
    let accounts = emu
        .get(
            "/assignment/accounts",
            Some(tokens["accessToken"].as_str().unwrap()),
        )
        .await
        .ok_json();
    assert_eq!(
        accounts["accountList"].as_array().unwrap().len(),
        2,
        "approved as alice"
    );
}

#[tokio::test]
async fn an_approval_whose_session_ended_cannot_be_redeemed() {
    let emu = Emu::new();
    let reg = emu.legacy_client().await;
    let device = emu.start_device(&reg).await;
    emu.approve(device["userCode"].as_str().unwrap(), "demo")
        .await;
    let revoked = emu
        .post_json("/_emulator/sessions/revoke", &json!({"user": "demo"}))
        .await;
    assert_eq!(revoked.json(), json!({"revoked": 1}));
    emu.poll(&reg, device["deviceCode"].as_str().unwrap())
        .await
        .assert_oidc_error(400, "InvalidGrantException", "invalid_grant");
}

#[tokio::test]
async fn device_grant_type_string_is_exact() {
    let emu = Emu::new();
    let reg = emu.legacy_client().await;
    let device = emu.start_device(&reg).await;
    for grant in [
        "device_code",
        "urn:ietf:params:oauth:grant-type:DEVICE_CODE",
        "password",
    ] {
        emu.post_json(
            "/token",
            &json!({
                "clientId": reg.id,
                "clientSecret": reg.secret,
                "grantType": grant,
                "deviceCode": device["deviceCode"],
            }),
        )
        .await
        .assert_oidc_error(
            400,
            "UnsupportedGrantTypeException",
            "unsupported_grant_type",
        );
    }
    assert_eq!(DEVICE_GRANT, "urn:ietf:params:oauth:grant-type:device_code");
}
