//! Browser pages: the device verification flow, sign-in failures, CSRF, escaping, and the
//! accessibility basics browser tests rely on.

use serde_json::json;

use crate::common::{Emu, authorize_url, hidden};

fn assert_accessible(html: &str) {
    assert!(
        html.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"),
        "{html}"
    );
    assert!(html.contains("<title>"));
    assert!(html.contains("<h1>"));
    assert!(
        !html.contains("<script"),
        "pages must work without JavaScript"
    );
    // Every visible input has a label.
    for id in ["username", "password", "user_code"] {
        if html.contains(&format!("id=\"{id}\"")) {
            assert!(html.contains(&format!("<label for=\"{id}\">")), "{id}");
        }
    }
}

#[tokio::test]
async fn device_flow_through_the_pages() {
    let emu = Emu::new();
    let reg = emu.legacy_client().await;
    let device = emu.start_device(&reg).await;
    let user_code = device["userCode"].as_str().unwrap();
    let mut browser = emu.browser();

    // verificationUriComplete, relative to the origin.
    let entry = browser.get(&format!("/device?user_code={user_code}")).await;
    assert_eq!(entry.status, 200);
    let html = entry.text();
    assert_accessible(&html);
    assert!(html.contains(&format!(
        "id=\"user_code\" name=\"user_code\" value=\"{user_code}\""
    )));
    assert!(html.contains("id=\"next\">Next</button>"));
    assert!(
        entry
            .header("set-cookie")
            .unwrap()
            .contains("HttpOnly; SameSite=Lax")
    );
    // Over plain HTTP a browser may refuse a `Secure` cookie (over HTTPS it is set: `tls`).
    assert!(!entry.header("set-cookie").unwrap().contains("Secure"));

    // Next: typed in lower case without the dash still works.
    let csrf = hidden(&html, "csrf");
    let typed = user_code.to_ascii_lowercase().replace('-', "");
    let next = browser
        .post("/device", &[("csrf", &csrf), ("user_code", &typed)])
        .await;
    assert_eq!(next.status, 303);
    let confirm_path = next.header("location").unwrap();
    assert_eq!(
        confirm_path,
        format!("/device/confirm?user_code={user_code}")
    );

    let confirm = browser.get(&confirm_path).await;
    let html = confirm.text();
    assert_accessible(&html);
    assert!(html.contains(&format!("<code id=\"code\">{user_code}</code>")));
    assert!(html.contains(
        "id=\"confirm\" name=\"action\" value=\"confirm\">Confirm and continue</button>"
    ));
    assert!(html.contains("id=\"cancel\" name=\"action\" value=\"cancel\">Cancel</button>"));

    // Confirm without a session: the sign-in page.
    let sign_in = browser
        .post(
            "/device/confirm",
            &[
                ("csrf", &csrf),
                ("user_code", user_code),
                ("action", "confirm"),
            ],
        )
        .await;
    assert_eq!(sign_in.status, 200);
    assert_accessible(&sign_in.text());
    let signed_in = browser.sign_in(&sign_in, "alice", "alice-password").await;
    assert_eq!(signed_in.status, 303);
    let session_cookie = signed_in.header("set-cookie").unwrap();
    assert!(session_cookie.starts_with("sso_emulator_session="));
    assert!(session_cookie.contains("HttpOnly"));
    let consent_path = signed_in.header("location").unwrap();
    assert_eq!(
        consent_path,
        format!("/device/consent?user_code={user_code}")
    );

    let consent = browser.get(&consent_path).await;
    let html = consent.text();
    assert!(html.contains("id=\"allow\" name=\"decision\" value=\"allow\">Allow</button>"));
    assert!(html.contains("id=\"deny\" name=\"decision\" value=\"deny\">Deny</button>"));
    assert!(
        html.contains("botocore-client-1700000000"),
        "names the client"
    );
    let done = browser
        .post(
            "/device/consent",
            &[
                ("csrf", &csrf),
                ("user_code", user_code),
                ("decision", "allow"),
            ],
        )
        .await;
    assert_eq!(done.status, 200);
    assert!(done.text().contains("Request approved"));

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
        "issued to alice, who signed in"
    );
    // The code cannot be entered again.
    let again = browser
        .post("/device", &[("csrf", &csrf), ("user_code", user_code)])
        .await;
    assert!(again.text().contains("That code is not valid"));
}

#[tokio::test]
async fn deny_and_cancel_feed_access_denied_to_the_poller() {
    let emu = Emu::new();
    let reg = emu.legacy_client().await;
    let mut browser = emu.browser();
    // Sign in once through an authorize request so the browser has a session.
    let pkce = emu.pkce_client().await;
    let page = browser.get(&authorize_url(&pkce, "s")).await;
    browser.sign_in(&page, "demo", "demo-password").await;

    let device = emu.start_device(&reg).await;
    let user_code = device["userCode"].as_str().unwrap();
    let consent = browser
        .get(&format!("/device/consent?user_code={user_code}"))
        .await;
    let csrf = hidden(&consent.text(), "csrf");
    let denied = browser
        .post(
            "/device/consent",
            &[
                ("csrf", &csrf),
                ("user_code", user_code),
                ("decision", "deny"),
            ],
        )
        .await;
    assert!(denied.text().contains("Request denied"));
    emu.poll(&reg, device["deviceCode"].as_str().unwrap())
        .await
        .assert_oidc_error(400, "AccessDeniedException", "access_denied");

    let device = emu.start_device(&reg).await;
    let user_code = device["userCode"].as_str().unwrap();
    let cancelled = browser
        .post(
            "/device/confirm",
            &[
                ("csrf", &csrf),
                ("user_code", user_code),
                ("action", "cancel"),
            ],
        )
        .await;
    assert!(cancelled.text().contains("Request denied"));
    emu.poll(&reg, device["deviceCode"].as_str().unwrap())
        .await
        .assert_oidc_error(400, "AccessDeniedException", "access_denied");
}

#[tokio::test]
async fn wrong_password_and_unknown_codes() {
    let emu = Emu::new();
    let reg = emu.pkce_client().await;
    let mut browser = emu.browser();
    let page = browser.get(&authorize_url(&reg, "s")).await;
    let resp = browser.sign_in(&page, "demo", "alice-password").await;
    assert_eq!(resp.status, 200);
    let html = resp.text();
    assert!(html.contains("Incorrect username or password."));
    assert!(html.contains("role=\"alert\""));
    assert!(!browser.cookies.contains_key("sso_emulator_session"));
    // The retry form still continues to the same consent page.
    assert!(hidden(&html, "continue").starts_with("/authorize/consent?request="));

    let entry = browser.get("/device").await;
    let csrf = hidden(&entry.text(), "csrf");
    let resp = browser
        .post("/device", &[("csrf", &csrf), ("user_code", "BCDF-GHJK")])
        .await;
    assert_eq!(resp.status, 200);
    assert!(resp.text().contains("That code is not valid"));
    let resp = browser.get("/device/confirm?user_code=nonsense").await;
    assert!(resp.text().contains("That code is not valid"));
}

#[tokio::test]
async fn forms_need_the_csrf_token() {
    let emu = Emu::new();
    let reg = emu.pkce_client().await;
    let mut browser = emu.browser();
    let page = browser.get(&authorize_url(&reg, "s")).await;
    let next = hidden(&page.text(), "continue");
    for csrf in ["", "forged-token-forged-token-forged-token"] {
        let resp = browser
            .post(
                "/signin",
                &[
                    ("csrf", csrf),
                    ("continue", &next),
                    ("username", "demo"),
                    ("password", "demo-password"),
                ],
            )
            .await;
        assert_eq!(resp.status, 403, "{}", resp.text());
        assert!(!browser.cookies.contains_key("sso_emulator_session"));
    }
    // A different browser (no CSRF cookie) replaying a real token is refused too.
    let real = hidden(&page.text(), "csrf");
    let resp = emu
        .browser()
        .post(
            "/signin",
            &[
                ("csrf", &real),
                ("continue", &next),
                ("username", "demo"),
                ("password", "demo-password"),
            ],
        )
        .await;
    assert_eq!(resp.status, 403);
}

#[tokio::test]
async fn sign_in_never_redirects_off_site() {
    let emu = Emu::new();
    let mut browser = emu.browser();
    let entry = browser.get("/device").await;
    let csrf = hidden(&entry.text(), "csrf");
    let resp = browser
        .post(
            "/signin",
            &[
                ("csrf", &csrf),
                ("continue", "https://evil.example/"),
                ("username", "demo"),
                ("password", "demo-password"),
            ],
        )
        .await;
    assert_eq!(resp.status, 303);
    assert_eq!(resp.header("location").as_deref(), Some("/"));
    let index = browser.get("/").await;
    assert!(
        index
            .text()
            .contains("Signed in as <strong id=\"signed-in-user\">demo</strong>")
    );
}

#[tokio::test]
async fn client_names_are_escaped() {
    let emu = Emu::new();
    let reg = emu
        .register(json!({
            "clientName": "<script>alert(1)</script>\"x'",
            "clientType": "public",
            "grantTypes": ["authorization_code"],
            "redirectUris": ["http://127.0.0.1/oauth/callback"],
        }))
        .await;
    let url = authorize_url(&reg, "s").replace("&scopes=sso%3Aaccount%3Aaccess", "");
    let page = emu.browser().get(&url).await;
    let html = page.text();
    assert_eq!(page.status, 200, "{html}");
    assert!(!html.contains("<script>"));
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;&quot;x&#39;"));
}

#[tokio::test]
async fn logout_ends_the_browser_session() {
    let emu = Emu::new();
    let reg = emu.pkce_client().await;
    let mut browser = emu.browser();
    let page = browser.get(&authorize_url(&reg, "s")).await;
    let signed_in = browser.sign_in(&page, "demo", "demo-password").await;
    let consent = browser.get(&signed_in.header("location").unwrap()).await;
    let html = consent.text();
    let redirect = browser
        .post(
            "/authorize/consent",
            &[
                ("csrf", &hidden(&html, "csrf")),
                ("request", &hidden(&html, "request")),
                ("decision", "allow"),
            ],
        )
        .await;
    let query = crate::common::redirect_query(&redirect);
    let tokens = emu
        .post_json(
            "/token",
            &json!({
                "grantType": "authorization_code",
                "clientId": reg.id,
                "clientSecret": reg.secret,
                "redirectUri": crate::common::REDIRECT,
                "codeVerifier": crate::common::VERIFIER,
                "code": query["code"],
            }),
        )
        .await
        .ok_json();
    assert_eq!(
        emu.logout(tokens["accessToken"].as_str().unwrap())
            .await
            .status,
        200
    );
    let again = browser.get(&authorize_url(&reg, "s2")).await;
    assert!(
        again.text().contains("id=\"sign-in\""),
        "the portal session behind the token was the browser's"
    );
}

#[tokio::test]
async fn page_headers() {
    let emu = Emu::new();
    let resp = emu.browser().get("/device").await;
    assert_eq!(
        resp.header("content-type").as_deref(),
        Some("text/html; charset=utf-8")
    );
    assert_eq!(resp.header("cache-control").as_deref(), Some("no-store"));
    assert_eq!(resp.header("x-frame-options").as_deref(), Some("DENY"));
    assert!(
        resp.header("content-security-policy")
            .unwrap()
            .contains("default-src 'none'")
    );
    // Malformed forms are a 400 page, not a 500.
    let resp = emu
        .post_raw("/signin", Some("application/json"), "{}")
        .await;
    assert_eq!(resp.status, 400);
}
