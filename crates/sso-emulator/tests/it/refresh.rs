//! The refresh token grant and the legacy-vs-refreshable issuance rules (§9.3, §9.4).

use serde_json::{Value, json};

use crate::common::{Emu, Reg};

async fn refresh(emu: &Emu, reg: &Reg, token: &Value) -> crate::common::Resp {
    emu.post_json(
        "/token",
        &json!({"grantType": "refresh_token", "clientId": reg.id, "clientSecret": reg.secret, "refreshToken": token}),
    )
    .await
}

#[tokio::test]
async fn refresh_rotates_the_refresh_token() {
    let emu = Emu::new();
    let reg = emu.scoped_client().await;
    let first = emu.device_tokens(&reg, "demo").await;
    assert_eq!(first["expiresIn"], 3600);
    emu.advance(3000);
    let second = refresh(&emu, &reg, &first["refreshToken"]).await.ok_json();
    assert_eq!(second["expiresIn"], 3600);
    assert_eq!(second["tokenType"], "Bearer");
    assert_ne!(second["accessToken"], first["accessToken"]);
    assert_ne!(second["refreshToken"], first["refreshToken"]);
    // The old refresh token is spent; the new one works; the old access token lives on.
    refresh(&emu, &reg, &first["refreshToken"])
        .await
        .assert_oidc_error(400, "InvalidGrantException", "invalid_grant");
    emu.get(
        "/assignment/accounts",
        Some(first["accessToken"].as_str().unwrap()),
    )
    .await
    .ok_json();
    let third = refresh(&emu, &reg, &second["refreshToken"]).await.ok_json();
    emu.get(
        "/assignment/accounts",
        Some(third["accessToken"].as_str().unwrap()),
    )
    .await
    .ok_json();
    // botocore's request also carries no scope; a `scope` list is accepted and ignored.
    let fourth = emu
        .post_json(
            "/token",
            &json!({
                "clientId": reg.id, "clientSecret": reg.secret, "grantType": "refresh_token",
                "refreshToken": third["refreshToken"], "scope": ["sso:account:access"],
            }),
        )
        .await
        .ok_json();
    assert!(fourth["refreshToken"].is_string());
}

#[tokio::test]
async fn refresh_works_until_the_session_ends() {
    let emu = Emu::new();
    let reg = emu.scoped_client().await;
    let tokens = emu.device_tokens(&reg, "demo").await;
    // 8 h session: 800 s before its end the new token is capped to the session.
    emu.advance(28_000);
    let capped = refresh(&emu, &reg, &tokens["refreshToken"]).await.ok_json();
    assert_eq!(capped["expiresIn"], 800);
    emu.advance(800);
    emu.get(
        "/assignment/accounts",
        Some(capped["accessToken"].as_str().unwrap()),
    )
    .await
    .assert_unauthorized();
    refresh(&emu, &reg, &capped["refreshToken"])
        .await
        .assert_oidc_error(400, "InvalidGrantException", "invalid_grant");
}

#[tokio::test]
async fn revoked_and_foreign_refresh_tokens_fail() {
    let emu = Emu::new();
    let reg = emu.scoped_client().await;
    let other = emu.scoped_client().await;
    let tokens = emu.device_tokens(&reg, "demo").await;
    refresh(&emu, &other, &tokens["refreshToken"])
        .await
        .assert_oidc_error(400, "InvalidGrantException", "invalid_grant");
    refresh(&emu, &reg, &json!("aorForged:AAAA"))
        .await
        .assert_oidc_error(400, "InvalidGrantException", "invalid_grant");
    let revoked = emu
        .post_json(
            "/_emulator/sessions/revoke",
            &json!({"access_token": tokens["accessToken"]}),
        )
        .await;
    assert_eq!(revoked.json(), json!({"revoked": 1}));
    refresh(&emu, &reg, &tokens["refreshToken"])
        .await
        .assert_oidc_error(400, "InvalidGrantException", "invalid_grant");
    emu.get(
        "/assignment/accounts",
        Some(tokens["accessToken"].as_str().unwrap()),
    )
    .await
    .assert_unauthorized();
}

/// Which registrations get refresh tokens, and how long their access tokens live.
#[tokio::test]
async fn legacy_versus_refreshable_issuance() {
    let emu = Emu::new();
    let device = "urn:ietf:params:oauth:grant-type:device_code";
    let cases = [
        // Legacy profile: no scopes → no refresh token, 8 h.
        (json!({"clientName": "a", "clientType": "public"}), false),
        // sso-session profile: scopes → refreshable, 1 h.
        (
            json!({"clientName": "b", "clientType": "public", "scopes": ["sso:account:access"]}),
            true,
        ),
        // Scopes but the refresh grant not registered → legacy.
        (
            json!({"clientName": "c", "clientType": "public", "scopes": ["sso:account:access"], "grantTypes": [device]}),
            false,
        ),
        // Refresh grant registered but no scopes → legacy (device flow).
        (
            json!({"clientName": "d", "clientType": "public", "grantTypes": [device, "refresh_token"]}),
            false,
        ),
    ];
    for (body, refreshable) in cases {
        let reg = emu.register(body.clone()).await;
        let tokens = emu.device_tokens(&reg, "demo").await;
        assert_eq!(tokens.get("refreshToken").is_some(), refreshable, "{body}");
        assert_eq!(
            tokens["expiresIn"],
            if refreshable { 3600 } else { 28_800 },
            "{body}"
        );
    }
    // A legacy client cannot use a refresh token it never got; one without the grant is
    // refused outright.
    let no_refresh = emu
        .register(json!({"clientName": "e", "clientType": "public", "grantTypes": [device]}))
        .await;
    refresh(&emu, &no_refresh, &json!("aorX"))
        .await
        .assert_oidc_error(400, "UnauthorizedClientException", "unauthorized_client");
}

#[tokio::test]
async fn authorization_code_grant_is_refreshable_without_scopes() {
    let emu = Emu::with(|config| config.auto_approve = Some("demo".to_owned()));
    for (grants, refreshable) in [
        (json!(["authorization_code", "refresh_token"]), true),
        (json!(["authorization_code"]), false),
    ] {
        let reg = emu
            .register(json!({
                "clientName": "p", "clientType": "public", "grantTypes": grants,
                "redirectUris": ["http://127.0.0.1/oauth/callback"],
            }))
            .await;
        let url =
            crate::common::authorize_url(&reg, "s").replace("&scopes=sso%3Aaccount%3Aaccess", "");
        let query = crate::common::redirect_query(&emu.browser().get(&url).await);
        let tokens = emu
            .post_json(
                "/token",
                &json!({
                    "grantType": "authorization_code", "clientId": reg.id, "clientSecret": reg.secret,
                    "redirectUri": crate::common::REDIRECT, "codeVerifier": crate::common::VERIFIER,
                    "code": query["code"],
                }),
            )
            .await
            .ok_json();
        assert_eq!(
            tokens.get("refreshToken").is_some(),
            refreshable,
            "{grants}"
        );
        assert_eq!(tokens["expiresIn"], if refreshable { 3600 } else { 28_800 });
    }
}

#[tokio::test]
async fn legacy_tokens_never_outlive_the_session() {
    let emu = Emu::with(|config| config.lifetimes.session = 3000);
    let reg = emu.legacy_client().await;
    let tokens = emu.device_tokens(&reg, "demo").await;
    assert_eq!(tokens["expiresIn"], 3000);
}
