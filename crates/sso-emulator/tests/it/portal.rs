//! Portal API: ListAccounts, ListAccountRoles, GetRoleCredentials, Logout — success shapes,
//! pagination, validation and every kind of bad token.

use std::collections::HashSet;

use serde_json::{Value, json};
use sso_emulator::{Config, Directory};

use crate::common::{Emu, Reg};

/// 2026-01-01T00:00:00Z, the harness clock, in milliseconds.
const START_MS: i64 = 1_767_225_600_000;

fn builtin_accounts() -> Value {
    json!([
        {"accountId": "111111111111", "accountName": "dev", "emailAddress": "dev@example.com"},
        {"accountId": "222222222222", "accountName": "prod", "emailAddress": "prod@example.com"},
        {"accountId": "333333333333", "accountName": "Überwachung 監査", "emailAddress": "audit@example.com"},
        {"accountId": "444444444444", "accountName": "shared-services",
         "emailAddress": "aws-platform-engineering-shared-services+root@subsidiary.example.com"},
        {"accountId": "555555555555", "accountName": "sandbox", "emailAddress": "sandbox@example.com"},
        {"accountId": "666666666666", "accountName": "billing", "emailAddress": "billing@example.com"},
    ])
}

/// Follows `nextToken`s; returns every page's body.
async fn all_pages(emu: &Emu, path: &str, token: &str) -> Vec<Value> {
    let mut pages = Vec::new();
    let mut next: Option<String> = None;
    loop {
        let separator = if path.contains('?') { '&' } else { '?' };
        let uri = match &next {
            Some(t) => format!("{path}{separator}next_token={}", crate::common::enc(t)),
            None => path.to_owned(),
        };
        let page = emu.get(&uri, Some(token)).await.ok_json();
        next = page
            .get("nextToken")
            .map(|t| t.as_str().unwrap().to_owned());
        pages.push(page);
        if next.is_none() {
            return pages;
        }
        assert!(pages.len() < 1000, "pagination does not end");
    }
}

#[tokio::test]
async fn list_accounts_default_page_holds_everything() {
    let emu = Emu::new();
    let token = emu.demo_token().await;
    let body = emu
        .get("/assignment/accounts", Some(&token))
        .await
        .ok_json();
    assert_eq!(body, json!({ "accountList": builtin_accounts() }));
}

#[tokio::test]
async fn list_accounts_paginates_with_fresh_opaque_tokens() {
    let emu = Emu::new();
    let token = emu.demo_token().await;
    let first = all_pages(&emu, "/assignment/accounts?max_result=2", &token).await;
    assert_eq!(first.len(), 3);
    let accounts: Vec<Value> = first
        .iter()
        .flat_map(|page| page["accountList"].as_array().unwrap().clone())
        .collect();
    assert_eq!(Value::Array(accounts), builtin_accounts());
    assert!(first[2].get("nextToken").is_none());

    // A second walk returns the same data under different tokens: never repeated.
    let second = all_pages(&emu, "/assignment/accounts?max_result=2", &token).await;
    let tokens: Vec<&str> = first
        .iter()
        .chain(&second)
        .filter_map(|page| page.get("nextToken"))
        .map(|t| t.as_str().unwrap())
        .collect();
    assert_eq!(tokens.len(), 4);
    assert_eq!(tokens.iter().collect::<HashSet<_>>().len(), 4);
    for token in &tokens {
        assert!(token.len() >= 40, "{token} looks guessable");
    }

    // A token may be replayed (a retry after a 500 gets the same page).
    let replay = first[0]["nextToken"].as_str().unwrap();
    let again = emu
        .get(
            &format!(
                "/assignment/accounts?max_result=2&next_token={}",
                crate::common::enc(replay)
            ),
            Some(&token),
        )
        .await
        .ok_json();
    assert_eq!(again["accountList"], first[1]["accountList"]);
}

#[tokio::test]
async fn synthetic_org_pages_through_in_order() {
    let mut directory = Directory::builtin();
    directory.add_synthetic(250, 3).unwrap();
    let emu = Emu::build(
        Config {
            enable_control: true,
            ..Config::default()
        },
        directory,
    );
    let token = emu.demo_token().await;
    let pages = all_pages(&emu, "/assignment/accounts", &token).await;
    assert_eq!(pages.len(), 13, "256 accounts at the default page size 20");
    let ids: Vec<String> = pages
        .iter()
        .flat_map(|page| page["accountList"].as_array().unwrap().clone())
        .map(|account| account["accountId"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids.len(), 256);
    assert_eq!(ids[6], "500000000001");
    assert_eq!(ids[255], "500000000250");
    assert_eq!(ids.iter().collect::<HashSet<_>>().len(), 256);
    let pages = all_pages(&emu, "/assignment/accounts?max_result=100", &token).await;
    let sizes: Vec<usize> = pages
        .iter()
        .map(|page| page["accountList"].as_array().unwrap().len())
        .collect();
    assert_eq!(sizes, [100, 100, 56]);
    let roles = emu
        .get("/assignment/roles?account_id=500000000250", Some(&token))
        .await
        .ok_json();
    assert_eq!(
        roles["roleList"],
        json!([
            {"accountId": "500000000250", "roleName": "AdministratorAccess"},
            {"accountId": "500000000250", "roleName": "ReadOnly"},
            {"accountId": "500000000250", "roleName": "PowerUserAccess"},
        ])
    );
}

#[tokio::test]
async fn max_result_must_be_1_to_100() {
    let emu = Emu::new();
    let token = emu.demo_token().await;
    let cases = [
        (
            "0",
            "1 validation error detected: Value '0' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1",
        ),
        (
            "-3",
            "1 validation error detected: Value '-3' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1",
        ),
        (
            "101",
            "1 validation error detected: Value '101' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 100",
        ),
        (
            "1000",
            "1 validation error detected: Value '1000' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 100",
        ),
        (
            "abc",
            "1 validation error detected: Value 'abc' at 'maxResults' failed to satisfy constraint: Member must be an integer",
        ),
    ];
    for path in [
        "/assignment/accounts?",
        "/assignment/roles?account_id=111111111111&",
    ] {
        for (value, message) in cases {
            emu.get(&format!("{path}max_result={value}"), Some(&token))
                .await
                .assert_portal_error(400, "InvalidRequestException", message);
        }
        for value in ["1", "100"] {
            emu.get(&format!("{path}max_result={value}"), Some(&token))
                .await
                .ok_json();
        }
    }
    // Input is validated before the token, as a Coral service validates its model first.
    emu.get("/assignment/accounts?max_result=0", None)
        .await
        .assert_portal_error(400, "InvalidRequestException", cases[0].1);
}

#[tokio::test]
async fn next_tokens_are_bound_to_user_and_list() {
    let emu = Emu::new();
    let demo = emu.demo_token().await;
    let reg = emu.scoped_client().await;
    let alice = emu.device_tokens(&reg, "alice").await["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let page = emu
        .get("/assignment/accounts?max_result=1", Some(&demo))
        .await
        .ok_json();
    let next = crate::common::enc(page["nextToken"].as_str().unwrap());
    for (path, token) in [
        (format!("/assignment/accounts?next_token={next}"), &alice),
        (
            format!("/assignment/roles?account_id=111111111111&next_token={next}"),
            &demo,
        ),
        ("/assignment/accounts?next_token=forged".to_owned(), &demo),
    ] {
        emu.get(&path, Some(token)).await.assert_portal_error(
            400,
            "InvalidRequestException",
            "Invalid next token",
        );
    }
}

#[tokio::test]
async fn list_account_roles_and_its_errors() {
    let emu = Emu::new();
    let token = emu.demo_token().await;
    let expected = json!([
        {"accountId": "111111111111", "roleName": "AdministratorAccess"},
        {"accountId": "111111111111", "roleName": "ReadOnly"},
        {"accountId": "111111111111", "roleName": "PowerUserAccess"},
    ]);
    let body = emu
        .get("/assignment/roles?account_id=111111111111", Some(&token))
        .await
        .ok_json();
    assert_eq!(body, json!({ "roleList": expected }));
    let pages = all_pages(
        &emu,
        "/assignment/roles?max_result=1&account_id=111111111111",
        &token,
    )
    .await;
    let roles: Vec<Value> = pages
        .iter()
        .flat_map(|page| page["roleList"].as_array().unwrap().clone())
        .collect();
    assert_eq!(pages.len(), 3);
    assert_eq!(Value::Array(roles), expected);

    // Percent-encoded query values are decoded.
    emu.get("/assignment/roles?account_id=%3111111111111", Some(&token))
        .await
        .ok_json();
    emu.get("/assignment/roles", Some(&token))
        .await
        .assert_portal_error(
            400,
            "InvalidRequestException",
            "1 validation error detected: Value null at 'accountId' failed to satisfy constraint: Member must not be null",
        );
    emu.get("/assignment/roles?account_id=", Some(&token))
        .await
        .assert_portal_error(
            400,
            "InvalidRequestException",
            "1 validation error detected: Value '' at 'accountId' failed to satisfy constraint: Member must have length greater than or equal to 1",
        );
    emu.get("/assignment/roles?account_id=999999999999", Some(&token))
        .await
        .assert_portal_error(403, "ForbiddenException", "No access");
}

#[tokio::test]
async fn get_role_credentials_success_and_forbidden() {
    let emu = Emu::new();
    let token = emu.demo_token().await;
    let body = emu
        .get(
            "/federation/credentials?role_name=ReadOnly&account_id=111111111111",
            Some(&token),
        )
        .await
        .ok_json();
    let credentials = &body["roleCredentials"];
    assert_eq!(
        body.as_object().unwrap().keys().collect::<Vec<_>>(),
        ["roleCredentials"]
    );
    assert_eq!(
        credentials.as_object().unwrap().keys().collect::<Vec<_>>(),
        [
            "accessKeyId",
            "expiration",
            "secretAccessKey",
            "sessionToken"
        ]
    );
    assert!(
        credentials["accessKeyId"]
            .as_str()
            .unwrap()
            .starts_with("ASIA")
    );
    assert_eq!(credentials["secretAccessKey"].as_str().unwrap().len(), 40);
    // Epoch milliseconds, now + --role-credentials-ttl.
    assert_eq!(credentials["expiration"], START_MS + 3_600_000);

    let reg = emu.scoped_client().await;
    let alice = emu.device_tokens(&reg, "alice").await["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    for (query, token) in [
        (
            "role_name=AdministratorAccess&account_id=111111111111",
            &alice,
        ),
        ("role_name=ReadOnly&account_id=555555555555", &alice),
        ("role_name=Admin%20Access&account_id=111111111111", &token),
        ("role_name=ReadOnly&account_id=000000000000", &token),
    ] {
        emu.get(&format!("/federation/credentials?{query}"), Some(token))
            .await
            .assert_portal_error(403, "ForbiddenException", "No access");
    }
    emu.get(
        "/federation/credentials?role_name=ReadOnly&account_id=111111111111",
        Some(&alice),
    )
    .await
    .ok_json();
    emu.get("/federation/credentials?account_id=111111111111", Some(&token))
        .await
        .assert_portal_error(
            400,
            "InvalidRequestException",
            "1 validation error detected: Value null at 'roleName' failed to satisfy constraint: Member must not be null",
        );
}

#[tokio::test]
async fn bad_tokens_are_unauthorized() {
    let emu = Emu::new();
    let token = emu.demo_token().await;
    let mut tampered = token.clone().into_bytes();
    tampered[10] = if tampered[10] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered).unwrap();
    let forged = format!("aoa{}", "A".repeat(40));
    for bad in [
        None,
        Some(""),
        Some(forged.as_str()),
        Some(tampered.as_str()),
        Some("tok with space/+="),
    ] {
        for path in [
            "/assignment/accounts",
            "/assignment/roles?account_id=111111111111",
            "/federation/credentials?role_name=ReadOnly&account_id=111111111111",
        ] {
            emu.get(path, bad).await.assert_unauthorized();
        }
        match bad {
            Some(bad) => emu.logout(bad).await.assert_unauthorized(),
            None => emu
                .post_raw("/logout", None, "")
                .await
                .assert_unauthorized(),
        }
    }
    emu.get("/assignment/accounts", Some(&token))
        .await
        .ok_json();
}

#[tokio::test]
async fn tokens_expire_on_the_emulator_clock() {
    let emu = Emu::new();
    let token = emu.demo_token().await;
    emu.advance(3599);
    emu.get("/assignment/accounts", Some(&token))
        .await
        .ok_json();
    emu.advance(1);
    emu.get("/assignment/accounts", Some(&token))
        .await
        .assert_unauthorized();
}

#[tokio::test]
async fn logout_revokes_the_session_and_its_tokens() {
    let emu = Emu::new();
    let reg: Reg = emu.scoped_client().await;
    let tokens = emu.device_tokens(&reg, "demo").await;
    let access = tokens["accessToken"].as_str().unwrap();
    let other = emu.demo_token().await;

    let resp = emu.logout(access).await;
    assert_eq!(resp.status, 200);
    assert!(resp.body.is_empty());
    assert_eq!(
        resp.header("content-type").as_deref(),
        Some("application/json")
    );
    crate::common::assert_request_id(&resp.headers);

    emu.get("/assignment/accounts", Some(access))
        .await
        .assert_unauthorized();
    emu.logout(access).await.assert_unauthorized();
    // The refresh token of the logged-out session is dead too.
    emu.post_json(
        "/token",
        &json!({
            "clientId": reg.id,
            "clientSecret": reg.secret,
            "grantType": "refresh_token",
            "refreshToken": tokens["refreshToken"],
        }),
    )
    .await
    .assert_oidc_error(400, "InvalidGrantException", "invalid_grant");
    // Another session of the same user is untouched.
    emu.get("/assignment/accounts", Some(&other))
        .await
        .ok_json();
}

#[tokio::test]
async fn a_token_without_the_portal_scope_is_unauthorized() {
    let emu = Emu::new();
    let reg = emu
        .register(json!({
            "clientName": "ide",
            "clientType": "public",
            "scopes": ["codewhisperer:completions"],
        }))
        .await;
    let token = emu.device_tokens(&reg, "demo").await["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    emu.get("/assignment/accounts", Some(&token))
        .await
        .assert_unauthorized();
}

#[tokio::test]
async fn unknown_paths_and_methods() {
    let emu = Emu::new();
    let resp = emu.get("/nope", None).await;
    assert_eq!(resp.status, 404);
    assert_eq!(
        resp.header("x-amzn-errortype").as_deref(),
        Some("UnknownOperationException")
    );
    assert_eq!(
        resp.json(),
        json!({"message": "No operation matches GET /nope"})
    );
    let resp = emu.get("/logout", None).await;
    assert_eq!(resp.status, 405);
    assert_eq!(
        resp.json(),
        json!({"message": "GET is not allowed on /logout"})
    );
}
