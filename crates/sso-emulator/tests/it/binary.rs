//! The real `sso-emulator` binary over loopback: the READY line, `--help`, startup errors,
//! SIGTERM, `--state` restarts, `--directory`, and concurrent load with and without
//! `--rate-limit`. Assertions are on counts and contents, never on how long a request took.

use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::common::{PORTAL_NS, Server};

const BIN: &str = env!("CARGO_BIN_EXE_sso-emulator");

#[test]
fn ready_line_then_clean_exit_on_sigterm() {
    let server = Server::start(&[]);
    assert_eq!(server.origin, format!("http://127.0.0.1:{}", server.port));
    let mut http = server.http();
    let (status, headers, body) = http.send("GET", "/assignment/accounts", &[], "");
    assert_eq!(status, 401);
    assert_eq!(
        headers["x-amzn-errortype"],
        format!("UnauthorizedException:{PORTAL_NS}")
    );
    assert_eq!(body, r#"{"message":"Session token not found or invalid"}"#);
    assert_eq!(headers["x-amzn-requestid"].len(), 36);
    drop(http);
    let (code, rest) = server.terminate();
    assert_eq!(code, Some(0));
    assert_eq!(rest, "", "nothing but the READY line on stdout");
}

#[test]
fn help_documents_the_options_and_the_demo_password() {
    let output = Command::new(BIN).arg("--help").output().unwrap();
    assert!(output.status.success());
    let help = String::from_utf8(output.stdout).unwrap();
    for needle in [
        "demo-password",
        "--rate-limit <FAMILY=RATE[:BURST]>",
        "--auto-approve <USER>",
        "--enable-control",
        "--state <FILE>",
    ] {
        assert!(help.contains(needle), "--help lacks {needle}:\n{help}");
    }
}

#[test]
fn startup_errors_name_the_problem() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dir.toml");
    std::fs::write(
        &path,
        "[[users]]\nname = \"bob\"\npassword = \"pw\"\n[[assignments]]\nuser = \"bob\"\naccount = \"123456789012\"\nroles = [\"R\"]\n",
    )
    .unwrap();
    let cases: [(Vec<&str>, &str); 4] = [
        (
            vec!["--directory", path.to_str().unwrap()],
            "assignments[0]: unknown account `123456789012`",
        ),
        (
            vec!["--directory", "/nonexistent/dir.toml"],
            "/nonexistent/dir.toml",
        ),
        (
            vec!["--auto-approve", "mallory"],
            "--auto-approve `mallory`",
        ),
        (vec!["--page-size", "500"], "--page-size `500`"),
    ];
    for (args, message) in cases {
        let output = Command::new(BIN).args(&args).output().unwrap();
        assert_eq!(output.status.code(), Some(1), "{args:?}");
        assert!(output.stdout.is_empty(), "no READY line on failure");
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert!(stderr.contains(message), "{args:?}: {stderr}");
    }
    let output = Command::new(BIN)
        .args(["--rate-limit", "portal"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "usage error");
}

#[test]
fn directory_file_is_served() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dir.toml");
    std::fs::write(
        &path,
        r#"
start_url = "https://d-1234567890.awsapps.com/start"
region = "eu-west-1"
[[users]]
name = "bob"
password = "pw"
[[accounts]]
id = "123456789012"
name = "bobs-account"
email = "bob@example.com"
[[assignments]]
user = "bob"
account = "123456789012"
roles = ["Deployer"]
"#,
    )
    .unwrap();
    let server = Server::start(&[
        "--directory",
        path.to_str().unwrap(),
        "--auto-approve",
        "bob",
    ]);
    let mut http = server.http();
    let (status, reg) = http.post_json(
        "/client/register",
        &json!({"clientName": "t", "clientType": "public"}),
    );
    assert_eq!(status, 200);
    assert!(
        reg["clientId"].as_str().unwrap().ends_with("V1LXdlc3QtMQ"),
        "region eu-west-1 in the client id: {reg}"
    );
    let (status, device) = http.post_json(
        "/device_authorization",
        &json!({"clientId": reg["clientId"], "clientSecret": reg["clientSecret"],
                "startUrl": "https://d-1234567890.awsapps.com/start"}),
    );
    assert_eq!(status, 200, "{device}");
    assert_eq!(
        device["verificationUri"],
        format!("{}/device", server.origin)
    );
    let (status, tokens) = http.post_json(
        "/token",
        &json!({"clientId": reg["clientId"], "clientSecret": reg["clientSecret"],
                "grantType": crate::common::DEVICE_GRANT, "deviceCode": device["deviceCode"]}),
    );
    assert_eq!(status, 200);
    let token = tokens["accessToken"].as_str().unwrap();
    let (status, _, body) = http.send(
        "GET",
        "/assignment/accounts",
        &[("x-amz-sso_bearer_token", token)],
        "",
    );
    assert_eq!(status, 200);
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap(),
        json!({"accountList": [{"accountId": "123456789012", "accountName": "bobs-account", "emailAddress": "bob@example.com"}]})
    );
}

fn list_accounts(http: &mut crate::common::Http, token: &str) -> u16 {
    http.send(
        "GET",
        "/assignment/accounts",
        &[("x-amz-sso_bearer_token", token)],
        "",
    )
    .0
}

fn refresh(http: &mut crate::common::Http, tokens: &Value, refresh_token: &Value) -> (u16, Value) {
    http.post_json(
        "/token",
        &json!({"clientId": tokens["clientId"], "clientSecret": tokens["clientSecret"],
                "grantType": "refresh_token", "refreshToken": refresh_token}),
    )
}

#[test]
fn state_file_survives_restarts_and_kills() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.redb");
    let args = ["--state", path.to_str().unwrap(), "--auto-approve", "demo"];

    let server = Server::start(&args);
    let tokens = server.http().auto_approved_tokens();
    let access = tokens["accessToken"].as_str().unwrap().to_owned();
    assert_eq!(list_accounts(&mut server.http(), &access), 200);
    let (code, _) = server.terminate();
    assert_eq!(code, Some(0));

    // Clean restart: the token, the client and the refresh token are all still known.
    let server = Server::start(&args);
    let mut http = server.http();
    assert_eq!(list_accounts(&mut http, &access), 200);
    let (status, refreshed) = refresh(&mut http, &tokens, &tokens["refreshToken"]);
    assert_eq!(status, 200, "{refreshed}");
    drop(http);
    drop(server); // SIGKILL: every commit was already durable.

    let server = Server::start(&args);
    let mut http = server.http();
    let new_access = refreshed["accessToken"].as_str().unwrap();
    assert_eq!(list_accounts(&mut http, new_access), 200);
    assert_eq!(list_accounts(&mut http, &access), 200);
    // The first refresh token was spent before the kill, and that was persisted too.
    let (status, error) = refresh(&mut http, &tokens, &tokens["refreshToken"]);
    assert_eq!(status, 400);
    assert_eq!(error["error"], "invalid_grant");
    let (status, _) = refresh(&mut http, &tokens, &refreshed["refreshToken"]);
    assert_eq!(status, 200);
}

#[test]
fn without_state_file_a_restart_forgets_everything() {
    let server = Server::start(&["--auto-approve", "demo"]);
    let tokens = server.http().auto_approved_tokens();
    drop(server);
    let server = Server::start(&["--auto-approve", "demo"]);
    assert_eq!(
        list_accounts(&mut server.http(), tokens["accessToken"].as_str().unwrap()),
        401
    );
}

/// Checks one response of the load mix; returns a description of what is wrong, if anything.
fn check(
    kind: usize,
    status: u16,
    headers: &std::collections::HashMap<String, String>,
    body: &str,
) -> Option<String> {
    let wrong = |why: &str| Some(format!("kind {kind}: {why}: {status} {body}"));
    if headers.get("x-amzn-requestid").map(String::len) != Some(36) {
        return wrong("no request id");
    }
    if headers.get("content-type").map(String::as_str) != Some("application/json") {
        return wrong("not JSON");
    }
    let Ok(json) = serde_json::from_str::<Value>(body) else {
        return wrong("unparsable body");
    };
    let ok = match kind {
        0 => {
            status == 200
                && json["accountList"].as_array().map(|list| {
                    list.iter()
                        .map(|a| a["accountId"].as_str().unwrap_or(""))
                        .collect::<Vec<_>>()
                }) == Some(vec!["111111111111", "222222222222", "333333333333"])
                && json["nextToken"].as_str().is_some_and(|t| t.len() >= 40)
        }
        1 => {
            status == 200
                && json
                    == json!({"roleList": [
                        {"accountId": "111111111111", "roleName": "AdministratorAccess"},
                        {"accountId": "111111111111", "roleName": "ReadOnly"},
                        {"accountId": "111111111111", "roleName": "PowerUserAccess"},
                    ]})
        }
        2 => {
            status == 200
                && json["roleCredentials"]["accessKeyId"]
                    .as_str()
                    .is_some_and(|k| k.starts_with("ASIA") && k.len() == 20)
                && json["roleCredentials"]["expiration"].is_i64()
        }
        3 => {
            status == 401
                && json == json!({"message": "Session token not found or invalid"})
                && headers.get("x-amzn-errortype").map(String::as_str)
                    == Some(format!("UnauthorizedException:{PORTAL_NS}").as_str())
        }
        _ => {
            status == 200
                && json["clientId"]
                    .as_str()
                    .is_some_and(|id| id.ends_with("VzLWVhc3QtMQ"))
        }
    };
    if ok {
        None
    } else {
        wrong("unexpected response")
    }
}

#[test]
fn sixteen_threads_of_mixed_load_get_only_right_answers() {
    let server = Server::start(&["--auto-approve", "demo"]);
    let tokens = server.http().auto_approved_tokens();
    let token = tokens["accessToken"].as_str().unwrap().to_owned();
    let total = Arc::new(AtomicU64::new(0));
    let wrong: Arc<Mutex<Vec<String>>> = Arc::default();
    let deadline = Instant::now() + Duration::from_secs(3);
    let threads: Vec<_> = (0..16)
        .map(|thread| {
            let (token, total, wrong, port) = (
                token.clone(),
                Arc::clone(&total),
                Arc::clone(&wrong),
                server.port,
            );
            std::thread::spawn(move || {
                let mut http = crate::common::Http::connect(port);
                let mut i = thread;
                while Instant::now() < deadline {
                    let kind = i % 5;
                    i += 1;
                    let bearer = if kind == 3 {
                        "forged-token"
                    } else {
                        token.as_str()
                    };
                    let header = [("x-amz-sso_bearer_token", bearer)];
                    let (status, headers, body) = match kind {
                        0 => http.send("GET", "/assignment/accounts?max_result=3", &header, ""),
                        1 => http.send(
                            "GET",
                            "/assignment/roles?account_id=111111111111",
                            &header,
                            "",
                        ),
                        2 => http.send(
                            "GET",
                            "/federation/credentials?role_name=ReadOnly&account_id=111111111111",
                            &header,
                            "",
                        ),
                        3 => http.send("GET", "/assignment/accounts", &header, ""),
                        _ => http.send(
                            "POST",
                            "/client/register",
                            &[("Content-Type", "application/json")],
                            r#"{"clientName":"load","clientType":"public"}"#,
                        ),
                    };
                    total.fetch_add(1, Ordering::Relaxed);
                    if let Some(problem) = check(kind, status, &headers, &body) {
                        wrong.lock().unwrap().push(problem);
                    }
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    let wrong = wrong.lock().unwrap();
    assert!(
        wrong.is_empty(),
        "{} wrong answers, first: {}",
        wrong.len(),
        wrong[0]
    );
    let total = total.load(Ordering::Relaxed);
    eprintln!("load: {total} requests from 16 threads, all answered correctly");
    assert!(total >= 160, "only {total} requests in 3 s");
    let (status, _, _) = server.http().send("GET", "/_emulator/counters", &[], "");
    assert_eq!(
        status, 404,
        "control routes stay off without --enable-control"
    );
}

#[test]
fn rate_limit_holds_under_concurrent_load() {
    let server = Server::start(&["--auto-approve", "demo", "--rate-limit", "portal=50:5"]);
    let tokens = server.http().auto_approved_tokens();
    let token = tokens["accessToken"].as_str().unwrap().to_owned();
    let accepted = Arc::new(AtomicU64::new(0));
    let throttled = Arc::new(AtomicU64::new(0));
    let wrong: Arc<Mutex<Vec<String>>> = Arc::default();
    let window: Arc<Mutex<(Option<Instant>, Option<Instant>)>> = Arc::default();
    let deadline = Instant::now() + Duration::from_secs(3);
    let threads: Vec<_> = (0..16)
        .map(|_| {
            let (token, accepted, throttled, wrong, window, port) = (
                token.clone(),
                Arc::clone(&accepted),
                Arc::clone(&throttled),
                Arc::clone(&wrong),
                Arc::clone(&window),
                server.port,
            );
            std::thread::spawn(move || {
                let mut http = crate::common::Http::connect(port);
                let header = [("x-amz-sso_bearer_token", token.as_str())];
                let mut first = None;
                let mut last = None;
                while Instant::now() < deadline {
                    let sent = Instant::now();
                    first.get_or_insert(sent);
                    let (status, headers, body) = http.send(
                        "GET",
                        "/assignment/roles?account_id=111111111111",
                        &header,
                        "",
                    );
                    last = Some(Instant::now());
                    match status {
                        200 => {
                            accepted.fetch_add(1, Ordering::Relaxed);
                        }
                        429 if body == r#"{"message":"Rate exceeded"}"#
                            && headers.get("x-amzn-errortype").map(String::as_str)
                                == Some(
                                    format!("TooManyRequestsException:{PORTAL_NS}").as_str(),
                                ) =>
                        {
                            throttled.fetch_add(1, Ordering::Relaxed);
                        }
                        _ => wrong.lock().unwrap().push(format!("{status} {body}")),
                    }
                }
                let mut window = window.lock().unwrap();
                window.0 = match (window.0, first) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                };
                window.1 = match (window.1, last) {
                    (Some(a), Some(b)) => Some(a.max(b)),
                    (a, b) => a.or(b),
                };
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    assert!(
        wrong.lock().unwrap().is_empty(),
        "{:?}",
        wrong.lock().unwrap().first()
    );
    let (first, last) = *window.lock().unwrap();
    let seconds = (last.unwrap() - first.unwrap()).as_secs_f64();
    let accepted = accepted.load(Ordering::Relaxed) as f64;
    let throttled = throttled.load(Ordering::Relaxed);
    // A full bucket of 5, then 50 per second over the window the clients observed (which
    // contains the server's). Demand far exceeds the rate, so the limiter is the bottleneck.
    let expected = 5.0 + 50.0 * seconds;
    eprintln!(
        "rate limit: {accepted} accepted, {throttled} throttled in {seconds:.3} s (expected {expected:.1})"
    );
    assert!(
        throttled > 100,
        "the limit was never reached ({throttled} throttled)"
    );
    // The limiter must never accept more than the rate allows. The lower bound only checks
    // that it does not refuse far too much: on a busy machine 16 client threads may not keep
    // up the demand every moment of the window, so it is loose.
    assert!(
        accepted <= expected + 1.0 && accepted >= expected * 0.6,
        "accepted {accepted} in {seconds:.3} s; expected about {expected:.1}"
    );
}
