//! Console federation: getSigninToken only for role credentials this emulator issued and that
//! are unexpired, one login per sign-in token, and the stand-in console page.

use axum::body::Body;
use axum::http::Request;
use serde_json::{Value, json};

use crate::common::{Emu, enc};

async fn role_credentials(emu: &Emu) -> Value {
    let token = emu.demo_token().await;
    emu.get(
        "/federation/credentials?role_name=ReadOnly&account_id=111111111111",
        Some(&token),
    )
    .await
    .ok_json()["roleCredentials"]
        .clone()
}

fn session(credentials: &Value) -> String {
    json!({
        "sessionId": credentials["accessKeyId"],
        "sessionKey": credentials["secretAccessKey"],
        "sessionToken": credentials["sessionToken"],
    })
    .to_string()
}

async fn signin_token(emu: &Emu, session: &str) -> crate::common::Resp {
    emu.get(
        &format!("/federation?Action=getSigninToken&Session={}", enc(session)),
        None,
    )
    .await
}

async fn browse(emu: &Emu, uri: &str, cookie: Option<&str>) -> crate::common::Resp {
    let mut request = Request::get(uri);
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    emu.send(request.body(Body::empty()).unwrap()).await
}

#[tokio::test]
async fn issued_credentials_sign_in_to_the_console_once() {
    let emu = Emu::new();
    let credentials = role_credentials(&emu).await;
    let signin = signin_token(&emu, &session(&credentials)).await.ok_json();
    let token = signin["SigninToken"].as_str().unwrap().to_owned();
    assert_eq!(signin.as_object().unwrap().len(), 1);

    let destination = "https://console.aws.amazon.com/console/home?region=us-east-1";
    let login = format!(
        "/federation?Action=login&Issuer={}&Destination={}&SigninToken={}",
        enc("https://d-0000000000.awsapps.com/start"),
        enc(destination),
        enc(&token)
    );
    let response = browse(&emu, &login, None).await;
    assert_eq!(response.status, 302, "{}", response.text());
    assert_eq!(
        response.header("location").unwrap(),
        format!("/console?destination={}", enc(destination))
    );
    let cookie = response.header("set-cookie").unwrap();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    let pair = cookie.split(';').next().unwrap().to_owned();

    let page = browse(&emu, &response.header("location").unwrap(), Some(&pair)).await;
    assert_eq!(page.status, 200);
    let html = page.text();
    assert!(
        html.contains("<strong id=\"console-account\">111111111111</strong> (dev)"),
        "{html}"
    );
    assert!(
        html.contains("<strong id=\"console-role\">ReadOnly</strong>"),
        "{html}"
    );
    assert!(
        html.contains("<strong id=\"console-user\">demo</strong>"),
        "{html}"
    );

    // A sign-in token is spent by its login; no cookie, no console.
    assert_eq!(browse(&emu, &login, None).await.status, 400);
    assert_eq!(browse(&emu, "/console", None).await.status, 401);
    let counters = emu.get("/_emulator/counters", None).await.json();
    assert_eq!(
        (
            counters["GetSigninToken"].as_u64(),
            counters["ConsoleLogin"].as_u64()
        ),
        (Some(1), Some(2))
    );
}

#[tokio::test]
async fn forged_expired_or_incomplete_credentials_are_refused() {
    let emu = Emu::with(|config| config.lifetimes.role_credentials = 60);
    let credentials = role_credentials(&emu).await;
    let mut forged = credentials.clone();
    forged["secretAccessKey"] = json!("not-the-secret");
    assert_eq!(signin_token(&emu, &session(&forged)).await.status, 400);
    let mut unknown = credentials.clone();
    unknown["accessKeyId"] = json!("ASIAFORGEDFORGED0000");
    assert_eq!(signin_token(&emu, &session(&unknown)).await.status, 400);
    let refused = signin_token(&emu, "{\"sessionId\": \"x\"}").await;
    assert_eq!(refused.status, 400);
    assert!(
        refused.json()["message"]
            .as_str()
            .unwrap()
            .contains("sessionKey")
    );
    let duration = emu
        .get(
            &format!(
                "/federation?Action=getSigninToken&SessionDuration=60&Session={}",
                enc(&session(&credentials))
            ),
            None,
        )
        .await;
    assert_eq!(duration.status, 400);
    assert_eq!(signin_token(&emu, &session(&credentials)).await.status, 200);
    emu.advance(61);
    assert_eq!(signin_token(&emu, &session(&credentials)).await.status, 400);
}

#[tokio::test]
async fn the_login_redirects_only_to_a_console() {
    let emu = Emu::new();
    let credentials = role_credentials(&emu).await;
    for (destination, status) in [
        ("https://evil.example/console", 400),
        ("http://console.aws.amazon.com/", 400),
        ("https://console.aws.amazon.com.evil.example/", 400),
        ("https://eu-west-1.console.aws.amazon.com/ec2/home", 302),
        ("http://127.0.0.1:9999/console?x=1", 302),
    ] {
        let token = signin_token(&emu, &session(&credentials)).await.ok_json()["SigninToken"]
            .as_str()
            .unwrap()
            .to_owned();
        let login = format!(
            "/federation?Action=login&Destination={}&SigninToken={}",
            enc(destination),
            enc(&token)
        );
        let response = browse(&emu, &login, None).await;
        assert_eq!(
            response.status,
            status,
            "{destination}: {}",
            response.text()
        );
    }
    assert_eq!(
        browse(&emu, "/federation?Action=other", None).await.status,
        400
    );
}
