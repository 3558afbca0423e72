//! The `/_emulator/` control routes: off by default, and each route's contract.

use serde_json::{Value, json};

use crate::common::{Emu, START_URL, enc};

#[tokio::test]
async fn control_routes_are_404_unless_enabled() {
    let emu = Emu::with(|config| config.enable_control = false);
    for (method, path) in [
        ("GET", "/_emulator/requests"),
        ("GET", "/_emulator/counters"),
        ("GET", "/_emulator/issued"),
        ("GET", "/_emulator/device/pending"),
        ("POST", "/_emulator/clock/advance"),
        ("POST", "/_emulator/device/approve"),
    ] {
        let resp = if method == "GET" {
            emu.get(path, None).await
        } else {
            emu.post_json(path, &json!({"seconds": 1})).await
        };
        assert_eq!(resp.status, 404, "{method} {path}");
    }
}

#[tokio::test]
async fn pending_approve_deny_and_clock() {
    let emu = Emu::new();
    let reg = emu.legacy_client().await;
    let device = emu.start_device(&reg).await;
    let pending = emu.get("/_emulator/device/pending", None).await.json();
    assert_eq!(
        pending,
        json!({"pending": [{
            "user_code": device["userCode"],
            "client_id": reg.id,
            "expires_at": "2026-01-01T00:10:00Z",
        }]})
    );
    for (body, status) in [
        (
            json!({"user_code": device["userCode"], "user": "mallory"}),
            404,
        ),
        (json!({"user_code": "BCDF-GHJK", "user": "demo"}), 404),
        (json!({"user_code": device["userCode"]}), 400),
        (json!([1]), 400),
    ] {
        let resp = emu.post_json("/_emulator/device/approve", &body).await;
        assert_eq!(resp.status, status, "{body}: {}", resp.text());
        assert!(resp.json()["message"].is_string());
    }
    assert_eq!(
        emu.approve(device["userCode"].as_str().unwrap(), "demo")
            .await
            .status,
        200
    );
    assert_eq!(
        emu.get("/_emulator/device/pending", None).await.json(),
        json!({"pending": []})
    );
    let advanced = emu
        .post_json("/_emulator/clock/advance", &json!({"seconds": 3600}))
        .await;
    assert_eq!(advanced.json(), json!({"now": "2026-01-01T01:00:00Z"}));
    let advanced = emu
        .post_json("/_emulator/clock/advance", &json!({"seconds": 0.5}))
        .await;
    assert_eq!(advanced.json(), json!({"now": "2026-01-01T01:00:00.5Z"}));
    assert_eq!(
        emu.post_json("/_emulator/clock/advance", &json!({"seconds": "x"}))
            .await
            .status,
        400
    );
}

#[tokio::test]
async fn revoke_by_user_or_token() {
    let emu = Emu::new();
    let first = emu.demo_token().await;
    let second = emu.demo_token().await;
    let emu = &emu;
    let revoke = |body: Value| async move {
        emu.post_json("/_emulator/sessions/revoke", &body)
            .await
            .json()
    };
    assert_eq!(
        revoke(json!({"access_token": first})).await,
        json!({"revoked": 1})
    );
    assert_eq!(
        revoke(json!({"access_token": first})).await,
        json!({"revoked": 0})
    );
    assert_eq!(
        revoke(json!({"access_token": "nope"})).await,
        json!({"revoked": 0})
    );
    emu.get("/assignment/accounts", Some(&first))
        .await
        .assert_unauthorized();
    emu.get("/assignment/accounts", Some(&second))
        .await
        .ok_json();
    assert_eq!(revoke(json!({"user": "demo"})).await, json!({"revoked": 1}));
    assert_eq!(
        revoke(json!({"user": "alice"})).await,
        json!({"revoked": 0})
    );
    emu.get("/assignment/accounts", Some(&second))
        .await
        .assert_unauthorized();
}

#[tokio::test]
async fn requests_are_captured_in_order() {
    let emu = Emu::new();
    let token = emu.demo_token().await;
    let clear = emu
        .send(
            axum::http::Request::delete("/_emulator/requests")
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(clear.status, 200);
    assert_eq!(
        emu.get("/_emulator/requests", None).await.json(),
        json!({"requests": []})
    );

    emu.get("/assignment/accounts?max_result=5", Some(&token))
        .await;
    let reg = emu.pkce_client().await;
    emu.browser()
        .get(&crate::common::authorize_url(&reg, "s"))
        .await;
    emu.browser().get("/device").await;
    emu.get("/no/such/path?x=1", None).await;
    emu.get("/_emulator/counters", None).await;

    let log = emu.get("/_emulator/requests", None).await.json();
    let requests = log["requests"].as_array().unwrap();
    let summary: Vec<(String, Value, u64)> = requests
        .iter()
        .map(|r| {
            (
                r["path"].as_str().unwrap().to_owned(),
                r["operation"].clone(),
                r["status"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (
                "/assignment/accounts".to_owned(),
                json!("ListAccounts"),
                200
            ),
            ("/client/register".to_owned(), json!("RegisterClient"), 200),
            ("/authorize".to_owned(), json!("Authorize"), 200),
            ("/no/such/path".to_owned(), Value::Null, 404),
        ]
    );
    let first = &requests[0];
    assert_eq!(first["method"], "GET");
    assert_eq!(first["query"], "max_result=5");
    assert_eq!(first["headers"]["x-amz-sso_bearer_token"], token.as_str());
    assert_eq!(first["body"], Value::Null);
    let register = &requests[1];
    assert_eq!(register["method"], "POST");
    assert_eq!(register["body"]["issuerUrl"], START_URL);
    assert_eq!(register["headers"]["content-type"], "application/json");
    assert!(
        requests[2]["query"]
            .as_str()
            .unwrap()
            .contains(&format!("client_id={}", enc(&reg.id)))
    );
}

#[tokio::test]
async fn issued_lists_every_secret() {
    let emu = Emu::new();
    let reg = emu.scoped_client().await;
    let tokens = emu.device_tokens(&reg, "demo").await;
    let legacy = emu.legacy_client().await;
    let legacy_tokens = emu.device_tokens(&legacy, "alice").await;
    let issued = emu.get("/_emulator/issued", None).await.json();
    // Ordered by issue time; on this fixed clock everything ties, so compare as sets.
    let sorted = |key: &str| {
        let mut values: Vec<String> = issued[key]
            .as_array()
            .unwrap_or_else(|| panic!("{key} missing"))
            .iter()
            .map(|v| v.as_str().unwrap().to_owned())
            .collect();
        values.sort();
        values
    };
    let expect = |values: &[&Value]| {
        let mut values: Vec<String> = values
            .iter()
            .map(|v| v.as_str().unwrap().to_owned())
            .collect();
        values.sort();
        values
    };
    assert_eq!(
        issued.as_object().unwrap().keys().collect::<Vec<_>>(),
        [
            "access_tokens",
            "refresh_tokens",
            "client_secrets",
            "client_ids"
        ]
    );
    assert_eq!(
        sorted("access_tokens"),
        expect(&[&tokens["accessToken"], &legacy_tokens["accessToken"]])
    );
    assert_eq!(sorted("refresh_tokens"), expect(&[&tokens["refreshToken"]]));
    assert_eq!(
        sorted("client_secrets"),
        expect(&[&json!(reg.secret), &json!(legacy.secret)])
    );
    assert_eq!(
        sorted("client_ids"),
        expect(&[&json!(reg.id), &json!(legacy.id)])
    );
}

#[tokio::test]
async fn counters_count_each_operation() {
    let emu = Emu::new();
    let token = emu.demo_token().await;
    emu.get("/assignment/accounts", Some(&token)).await;
    emu.get("/assignment/accounts", Some("bad")).await;
    emu.logout(&token).await;
    let counters = emu.get("/_emulator/counters", None).await.json();
    assert_eq!(
        counters,
        json!({
            "Authorize": 0,
            "ConsoleLogin": 0,
            "CreateToken": 1,
            "CreateTokenWithIAM": 0,
            "GetRoleCredentials": 0,
            "GetSigninToken": 0,
            "ListAccountRoles": 0,
            "ListAccounts": 2,
            "Logout": 1,
            "RegisterClient": 1,
            "StartDeviceAuthorization": 1,
        })
    );
}
