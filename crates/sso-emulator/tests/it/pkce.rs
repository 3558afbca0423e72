//! Authorization code grant with PKCE: `/authorize` validation, sign-in, consent, the redirect
//! back, and CreateToken's one-time code, verifier and redirect URI checks.

use serde_json::{Value, json};

use crate::common::{CHALLENGE, Emu, REDIRECT, Reg, VERIFIER, authorize_url, enc, redirect_query};

/// Browser part of the flow as `demo`: returns the redirect's query (`code`, `state`).
async fn authorize_as(
    emu: &Emu,
    reg: &Reg,
    state: &str,
) -> std::collections::HashMap<String, String> {
    let mut browser = emu.browser();
    let page = browser.get(&authorize_url(reg, state)).await;
    assert_eq!(page.status, 200, "{}", page.text());
    let signed_in = browser.sign_in(&page, "demo", "demo-password").await;
    assert_eq!(signed_in.status, 303);
    let consent_path = signed_in.header("location").unwrap();
    assert!(
        consent_path.starts_with("/authorize/consent?request="),
        "{consent_path}"
    );
    let consent = browser.get(&consent_path).await;
    let html = consent.text();
    assert!(html.contains("id=\"allow\""), "{html}");
    let csrf = crate::common::hidden(&html, "csrf");
    let request = crate::common::hidden(&html, "request");
    let redirect = browser
        .post(
            "/authorize/consent",
            &[
                ("csrf", &csrf),
                ("request", &request),
                ("decision", "allow"),
            ],
        )
        .await;
    redirect_query(&redirect)
}

async fn redeem(
    emu: &Emu,
    reg: &Reg,
    code: &str,
    verifier: &str,
    redirect: &str,
) -> crate::common::Resp {
    emu.post_json(
        "/token",
        &json!({
            "grantType": "authorization_code",
            "clientId": reg.id,
            "clientSecret": reg.secret,
            "redirectUri": redirect,
            "codeVerifier": verifier,
            "code": code,
        }),
    )
    .await
}

#[tokio::test]
async fn full_flow_issues_refreshable_tokens() {
    let emu = Emu::new();
    let reg = emu.pkce_client().await;
    let state = "553e8045-0aea-4652-adb7-f5c173a01069";
    let query = authorize_as(&emu, &reg, state).await;
    assert_eq!(query["state"], state);
    assert_eq!(query.len(), 2, "{query:?}");
    let tokens = redeem(&emu, &reg, &query["code"], VERIFIER, REDIRECT)
        .await
        .ok_json();
    assert_eq!(
        tokens.as_object().unwrap().keys().collect::<Vec<_>>(),
        ["accessToken", "expiresIn", "refreshToken", "tokenType"]
    );
    assert_eq!(tokens["expiresIn"], 3600);
    assert!(tokens["refreshToken"].as_str().unwrap().starts_with("aor"));
    emu.get(
        "/assignment/accounts",
        Some(tokens["accessToken"].as_str().unwrap()),
    )
    .await
    .ok_json();
    // One-time code.
    redeem(&emu, &reg, &query["code"], VERIFIER, REDIRECT)
        .await
        .assert_oidc_error(400, "InvalidGrantException", "invalid_grant");
}

#[tokio::test]
async fn pkce_mismatch_burns_the_code() {
    let emu = Emu::new();
    let reg = emu.pkce_client().await;
    let query = authorize_as(&emu, &reg, "s").await;
    let wrong = "x".repeat(64);
    redeem(&emu, &reg, &query["code"], &wrong, REDIRECT)
        .await
        .assert_oidc_error(400, "InvalidGrantException", "invalid_grant");
    redeem(&emu, &reg, &query["code"], VERIFIER, REDIRECT)
        .await
        .assert_oidc_error(400, "InvalidGrantException", "invalid_grant");
    // A verifier outside RFC 7636's alphabet or length is rejected too.
    let query = authorize_as(&emu, &reg, "s").await;
    redeem(&emu, &reg, &query["code"], "short", REDIRECT)
        .await
        .assert_oidc_error(400, "InvalidGrantException", "invalid_grant");
}

#[tokio::test]
async fn redirect_uri_must_match_exactly() {
    let emu = Emu::new();
    let reg = emu.pkce_client().await;
    for redirect in [
        "http://127.0.0.1:43211/oauth/callback",
        "http://127.0.0.1/oauth/callback",
    ] {
        let query = authorize_as(&emu, &reg, "s").await;
        redeem(&emu, &reg, &query["code"], VERIFIER, redirect)
            .await
            .assert_oidc_error(400, "InvalidGrantException", "invalid_grant");
    }
}

#[tokio::test]
async fn codes_belong_to_their_client_and_expire() {
    let emu = Emu::new();
    let reg = emu.pkce_client().await;
    let other = emu.pkce_client().await;
    let query = authorize_as(&emu, &reg, "s").await;
    redeem(&emu, &other, &query["code"], VERIFIER, REDIRECT)
        .await
        .assert_oidc_error(400, "InvalidGrantException", "invalid_grant");
    // Not burnt by the other client's attempt.
    redeem(&emu, &reg, &query["code"], VERIFIER, REDIRECT)
        .await
        .ok_json();

    let query = authorize_as(&emu, &reg, "s").await;
    emu.advance(300);
    redeem(&emu, &reg, &query["code"], VERIFIER, REDIRECT)
        .await
        .assert_oidc_error(400, "InvalidGrantException", "invalid_grant");
    redeem(&emu, &reg, "forged-code", VERIFIER, REDIRECT)
        .await
        .assert_oidc_error(400, "InvalidGrantException", "invalid_grant");
}

#[tokio::test]
async fn missing_members_are_invalid_requests() {
    let emu = Emu::new();
    let reg = emu.pkce_client().await;
    let query = authorize_as(&emu, &reg, "s").await;
    for missing in ["code", "redirectUri", "codeVerifier"] {
        let mut body = json!({
            "grantType": "authorization_code",
            "clientId": reg.id,
            "clientSecret": reg.secret,
            "redirectUri": REDIRECT,
            "codeVerifier": VERIFIER,
            "code": query["code"],
        });
        body.as_object_mut().unwrap().remove(missing);
        let resp = emu.post_json("/token", &body).await;
        resp.assert_oidc_error(400, "InvalidRequestException", "invalid_request");
        assert_eq!(
            resp.json()["error_description"],
            format!("Missing required parameter: {missing}")
        );
    }
    // None of those spent the code.
    redeem(&emu, &reg, &query["code"], VERIFIER, REDIRECT)
        .await
        .ok_json();
}

#[tokio::test]
async fn deny_redirects_with_access_denied() {
    let emu = Emu::new();
    let reg = emu.pkce_client().await;
    let mut browser = emu.browser();
    let page = browser.get(&authorize_url(&reg, "st-1")).await;
    let signed_in = browser.sign_in(&page, "demo", "demo-password").await;
    let consent = browser
        .get(&signed_in.header("location").unwrap())
        .await
        .text();
    let csrf = crate::common::hidden(&consent, "csrf");
    let request = crate::common::hidden(&consent, "request");
    let resp = browser
        .post(
            "/authorize/consent",
            &[("csrf", &csrf), ("request", &request), ("decision", "deny")],
        )
        .await;
    let query = redirect_query(&resp);
    assert_eq!(query["error"], "access_denied");
    assert_eq!(
        query["error_description"],
        "The user denied the authorization request"
    );
    assert_eq!(query["state"], "st-1");
    assert!(!query.contains_key("code"));
    // The request is answered: replaying the form does nothing.
    let replay = browser
        .post(
            "/authorize/consent",
            &[
                ("csrf", &csrf),
                ("request", &request),
                ("decision", "allow"),
            ],
        )
        .await;
    assert_eq!(replay.status, 400);
    assert!(replay.header("location").is_none());
}

#[tokio::test]
async fn bad_client_or_redirect_uri_shows_an_error_page_without_redirect() {
    let emu = Emu::new();
    let reg = emu.pkce_client().await;
    let legacy = emu.legacy_client().await;
    let good = authorize_url(&reg, "s");
    let cases = [
        good.replace(&enc(&reg.id), "unknown-client"),
        good.replace(&format!("client_id={}&", enc(&reg.id)), ""),
        good.replace(
            &enc(REDIRECT),
            &enc("http://localhost:43210/oauth/callback"),
        ),
        good.replace(&enc(REDIRECT), &enc("https://evil.example/oauth/callback")),
        good.replace(&format!("redirect_uri={}&", enc(REDIRECT)), ""),
        // A client registered without redirect URIs.
        authorize_url(&legacy, "s"),
    ];
    for url in cases {
        let resp = emu.browser().get(&url).await;
        assert_eq!(resp.status, 400, "{url}: {}", resp.text());
        assert!(resp.header("location").is_none(), "{url}");
        assert_eq!(
            resp.header("content-type").as_deref(),
            Some("text/html; charset=utf-8")
        );
        assert!(resp.text().contains("role=\"alert\""));
    }
    // An expired registration is an invalid client too.
    emu.advance(7_776_000);
    let resp = emu.browser().get(&good).await;
    assert_eq!(resp.status, 400);
    assert!(resp.text().contains("expired"));
}

#[tokio::test]
async fn other_request_errors_redirect_back_with_state() {
    let emu = Emu::new();
    let reg = emu.pkce_client().await;
    let device_only = emu
        .register(json!({
            "clientName": "d",
            "clientType": "public",
            "grantTypes": ["urn:ietf:params:oauth:grant-type:device_code"],
            "redirectUris": ["http://127.0.0.1/oauth/callback"],
        }))
        .await;
    let good = authorize_url(&reg, "st");
    let cases = [
        (
            good.replace("response_type=code", "response_type=token"),
            "unsupported_response_type",
        ),
        (
            good.replace("code_challenge_method=S256", "code_challenge_method=plain"),
            "invalid_request",
        ),
        (good.replace(CHALLENGE, ""), "invalid_request"),
        (good.replace(CHALLENGE, "tooshort"), "invalid_request"),
        (
            good.replace(
                &enc("sso:account:access"),
                &enc("sso:account:access codewhisperer:completions"),
            ),
            "invalid_scope",
        ),
        (authorize_url(&device_only, "st"), "unauthorized_client"),
    ];
    for (url, error) in cases {
        let resp = emu.browser().get(&url).await;
        let query = redirect_query(&resp);
        assert_eq!(query["error"], error, "{url}");
        assert_eq!(query["state"], "st");
        assert!(!query["error_description"].is_empty());
    }
}

#[tokio::test]
async fn a_signed_in_browser_goes_straight_to_consent() {
    let emu = Emu::new();
    let reg = emu.pkce_client().await;
    let mut browser = emu.browser();
    let page = browser.get(&authorize_url(&reg, "one")).await;
    browser.sign_in(&page, "demo", "demo-password").await;
    let second = browser.get(&authorize_url(&reg, "two")).await;
    let html = second.text();
    assert!(html.contains("id=\"allow\""), "{html}");
    assert!(!html.contains("id=\"sign-in\""));
    assert!(html.contains("Signed in as <strong id=\"signed-in-user\">demo</strong>"));
}

#[tokio::test]
async fn scope_synonym_and_comma_lists_are_accepted() {
    let emu = Emu::new();
    let reg = emu
        .register(json!({
            "clientName": "AWS IDE Extensions for VSCode",
            "clientType": "public",
            "grantTypes": ["authorization_code", "refresh_token"],
            "redirectUris": ["http://127.0.0.1/oauth/callback"],
            "scopes": ["sso:account:access", "codewhisperer:completions"],
        }))
        .await;
    for scopes in [
        "scopes=sso%3Aaccount%3Aaccess%2Ccodewhisperer%3Acompletions",
        "scope=sso%3Aaccount%3Aaccess+codewhisperer%3Acompletions",
    ] {
        let url = authorize_url(&reg, "s").replace("scopes=sso%3Aaccount%3Aaccess", scopes);
        let page = emu.browser().get(&url).await;
        assert_eq!(page.status, 200, "{scopes}: {}", page.text());
        assert!(page.text().contains("id=\"sign-in\""));
    }
}

#[tokio::test]
async fn auto_approve_redirects_immediately() {
    let emu = Emu::with(|config| config.auto_approve = Some("demo".to_owned()));
    let reg = emu.pkce_client().await;
    let resp = emu.browser().get(&authorize_url(&reg, "auto")).await;
    let query = redirect_query(&resp);
    assert_eq!(query["state"], "auto");
    let tokens: Value = redeem(&emu, &reg, &query["code"], VERIFIER, REDIRECT)
        .await
        .ok_json();
    assert!(tokens["refreshToken"].is_string());
}
