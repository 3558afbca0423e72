//! `aws-sso login` end to end against the emulator (spec cli-behavior §2, §3).

use std::io::{BufRead, BufReader, Read};
use std::os::unix::fs::PermissionsExt;
use std::process::Stdio;

use serde_json::{Value, json};

use crate::aws_sso;
use crate::support::*;

#[test]
fn device_flow_writes_the_cli_token_file() {
    let (emulator, context) = setup(&["--auto-approve", "demo"]);
    let outcome = login(&context, &["--profile", "dev", "--debug"]);
    // A pre-approved device code finishes on the silent first attempt: no prompt at all.
    assert_eq!(
        outcome.stdout,
        format!("Successfully logged into Start URL: {START_URL}\n")
    );
    assert_no_secrets(&emulator, &outcome);

    let token = read_json(&context, SESSION_TOKEN_FILE);
    let keys: Vec<&str> = token
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "startUrl",
            "region",
            "accessToken",
            "expiresAt",
            "clientId",
            "clientSecret",
            "registrationExpiresAt",
            "refreshToken"
        ]
    );
    assert_eq!(token["startUrl"], START_URL);
    assert_eq!(token["region"], "us-east-1");
    let expires = token["expiresAt"].as_str().unwrap();
    assert_eq!(expires.len(), 20, "YYYY-MM-DDTHH:MM:SSZ: {expires}");
    assert!(expires.ends_with('Z'));
    // One line, Python json.dumps spacing.
    let raw = context.read(SESSION_TOKEN_FILE).unwrap();
    assert!(
        !raw.contains('\n') && raw.starts_with("{\"startUrl\": \""),
        "{raw}"
    );

    let mode = |p: &str| {
        std::fs::metadata(context.path(p))
            .unwrap()
            .permissions()
            .mode()
            & 0o777
    };
    assert_eq!(mode(SESSION_TOKEN_FILE), 0o600);
    assert_eq!(mode(".aws/sso/cache"), 0o700);
}

#[test]
fn legacy_profiles_use_the_start_url_names_and_get_no_refresh_token() {
    let (_emulator, context) = setup(&["--auto-approve", "demo"]);
    login(&context, &["--profile", "legacy"]);
    let token = read_json(&context, LEGACY_TOKEN_FILE);
    assert!(token.get("refreshToken").is_none(), "{token}");
    let registration = read_json(&context, LEGACY_REGISTRATION_FILE);
    let keys: Vec<&str> = registration
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, ["clientId", "clientSecret", "expiresAt"]);
    assert_eq!(registration["clientId"], token["clientId"]);
}

#[test]
fn registrations_are_reused() {
    let (emulator, context) = setup(&["--auto-approve", "demo"]);
    login(&context, &["--profile", "dev"]);
    let first = read_json(&context, SESSION_TOKEN_FILE);
    login(&context, &["--profile", "dev"]);
    let second = read_json(&context, SESSION_TOKEN_FILE);
    assert_eq!(first["clientId"], second["clientId"]);
    assert_ne!(
        first["accessToken"], second["accessToken"],
        "login always fetches a new token"
    );
    assert_eq!(emulator.counters()["RegisterClient"], 1);
}

#[test]
fn device_flow_prints_the_prompt_and_waits_for_approval() {
    let (emulator, context) = setup(&[]);
    let mut child = context
        .command(env!("CARGO_BIN_EXE_aws-sso"))
        .args([
            "login",
            "--profile",
            "dev",
            "--use-device-code",
            "--no-browser",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    // Read the prompt up to its last line, the URL that autofills the code.
    let mut prompt = String::new();
    loop {
        let mut line = String::new();
        if stdout.read_line(&mut line).unwrap() == 0 || line.contains("?user_code=") {
            prompt.push_str(&line);
            break;
        }
        prompt.push_str(&line);
    }
    let user_code = prompt.lines().nth(7).unwrap().to_owned();
    let url = emulator.url();
    assert_eq!(
        prompt,
        format!(
            "Browser will not be automatically opened.\nPlease visit the following URL:\n\n{url}/device\n\nThen enter the code:\n\n{user_code}\n\nAlternatively, you may visit the following URL which will autofill the code upon loading:\n{url}/device?user_code={user_code}\n"
        )
    );
    emulator.control(
        "POST",
        "device/approve",
        Some(json!({"user_code": user_code, "user": "demo"})),
    );
    let mut rest = String::new();
    stdout.read_to_string(&mut rest).unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0));
    assert_eq!(
        rest,
        format!("Successfully logged into Start URL: {START_URL}\n")
    );
}

/// The user code of the device login waiting at the emulator, once there is one.
fn pending_user_code(emulator: &sso_testkit::Emulator) -> String {
    loop {
        let pending = emulator.control("GET", "device/pending", None);
        if let Some(code) = pending["pending"][0]["user_code"].as_str() {
            return code.to_owned();
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

/// Starts a device login, lets `act` run against the pending code, returns the outcome.
fn device_login_then(
    act: impl FnOnce(&sso_testkit::Emulator, &str),
) -> (sso_testkit::Outcome, sso_testkit::Emulator) {
    let (emulator, context) = setup(&[]);
    let child = context
        .command(env!("CARGO_BIN_EXE_aws-sso"))
        .args([
            "login",
            "--profile",
            "dev",
            "--use-device-code",
            "--no-browser",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let user_code = pending_user_code(&emulator);
    act(&emulator, &user_code);
    let output = child.wait_with_output().unwrap();
    let outcome = sso_testkit::Outcome::from_output(&output, &context);
    (outcome, emulator)
}

#[test]
fn a_denied_device_code_is_a_service_error() {
    let (outcome, _emulator) = device_login_then(|emulator, code| {
        emulator.control("POST", "device/deny", Some(json!({"user_code": code})));
    });
    assert_eq!(outcome.code, 254, "{outcome}");
    assert!(
        outcome.stderr.starts_with("\naws: [ERROR]: An error occurred (AccessDeniedException) when calling the CreateToken operation:"),
        "{outcome}"
    );
}

#[test]
fn an_expired_device_code_gives_the_cli_message() {
    let (outcome, _emulator) = device_login_then(|emulator, _| {
        emulator.control("POST", "clock/advance", Some(json!({"seconds": 601})));
    });
    assert_eq!(outcome.code, 255, "{outcome}");
    // Ten minutes passed on the service alone, which is also a skewed clock to warn about.
    assert!(
        outcome
            .stderr
            .starts_with("warning: this machine's clock is 10m 0"),
        "{outcome}"
    );
    assert!(
        outcome.stderr.ends_with(
            "\naws: [ERROR]: The pending authorization to retrieve an SSO token has expired. The login flow to retrieve an SSO token must be restarted.\n"
        ),
        "{outcome}"
    );
}

/// A "browser" that follows the authorize URL with curl (the emulator auto-approves).
const CURL_BROWSER: &str = "curl -s -L -o /dev/null";

#[test]
fn pkce_flow_through_the_loopback_listener() {
    let (emulator, mut context) = setup(&["--auto-approve", "demo"]);
    context.env("AWS_SSO_TEST_BROWSER", CURL_BROWSER);
    let outcome = aws_sso(&context, &["login", "--profile", "dev", "--debug"]);
    assert_eq!(outcome.code, 0, "{outcome}");
    let stdout = outcome.stdout_filtered();
    assert!(stdout.starts_with("Attempting to open your default browser. If the browser does not open, open the following URL.\nIf you are unable to open the URL on this device, run this command again with the '--use-device-code' option.\n\n[EMULATOR]/authorize?response_type=code&client_id="), "{stdout}");
    assert!(
        stdout.contains("&redirect_uri=http%3A%2F%2F127.0.0.1%3A"),
        "{stdout}"
    );
    assert!(
        stdout.ends_with(&format!(
            "\n\nSuccessfully logged into Start URL: {START_URL}\n"
        )),
        "{stdout}"
    );
    assert_no_secrets(&emulator, &outcome);
    let token = read_json(&context, SESSION_TOKEN_FILE);
    assert!(token["refreshToken"].is_string());
    // The registration is the PKCE kind, in the AWS CLI's key order.
    let registration_path = std::fs::read_dir(context.path(".aws/sso/cache"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| !p.ends_with("0ad374308c5a4e22f723adf10145eafad7c4031c.json"))
        .unwrap();
    let registration: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&registration_path).unwrap()).unwrap();
    // sha1 of {"region": "us-east-1", "scopes": ["sso:account:access"], "session_name": "my-sso", "startUrl": …, "tool": "botocore"}
    assert_eq!(
        registration["grantTypes"],
        json!(["authorization_code", "refresh_token"])
    );
    assert_eq!(registration["scopes"], json!(["sso:account:access"]));
}

/// A "browser" that answers the callback itself with `query` (and the real or a wrong state).
fn callback_browser(query: &str, keep_state: bool) -> String {
    let state = if keep_state {
        "q['state'][0]"
    } else {
        "'not-the-state'"
    };
    format!(
        "python3 -c \"import sys,urllib.parse as u,urllib.request as r;q=u.parse_qs(u.urlparse(sys.argv[1]).query);r.urlopen(q['redirect_uri'][0]+'?{query}&state='+{state}).read()\""
    )
}

#[test]
fn pkce_denied_and_state_mismatch() {
    for (browser, message) in [
        (
            callback_browser("error=access_denied&error_description=denied", true),
            "Error loading authorization code: Failed to retrieve an authorization code.\nThe sign-in was refused in the browser (Deny was chosen, or the sign-in page refused the request). Run the login again and choose Allow.",
        ),
        (
            callback_browser("code=stolen", false),
            "Error loading authorization code: State parameter does not match expected value.",
        ),
    ] {
        let (_emulator, mut context) = setup(&[]);
        context.env("AWS_SSO_TEST_BROWSER", &browser);
        let outcome = aws_sso(&context, &["login", "--profile", "dev"]);
        assert_eq!(outcome.code, 255, "{outcome}");
        assert_eq!(outcome.stderr, format!("\naws: [ERROR]: {message}\n"));
        assert!(context.read(SESSION_TOKEN_FILE).is_none());
    }
}

#[test]
fn ctrl_c_exits_130_with_a_newline_on_stdout() {
    let (_emulator, context) = setup(&[]);
    let mut child = context
        .command(env!("CARGO_BIN_EXE_aws-sso"))
        .args(["login", "--profile", "dev", "--no-browser"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until it is waiting for the browser (the URL has been printed).
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut printed = String::new();
    while !printed.contains("/authorize?") {
        let mut line = String::new();
        assert!(stdout.read_line(&mut line).unwrap() > 0, "{printed}");
        printed.push_str(&line);
    }
    let status = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let mut rest = String::new();
    stdout.read_to_string(&mut rest).unwrap();
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(130));
    assert_eq!(rest, "\n");
    assert_eq!(String::from_utf8_lossy(&output.stderr), "");
}

#[test]
fn sso_use_device_code_in_the_session_selects_the_device_flow() {
    let (emulator, context) = setup(&[]);
    context.config(&format!("{CONFIG}\n[sso-session device]\nsso_start_url = {START_URL}\nsso_region = us-east-1\nsso_registration_scopes = sso:account:access\nsso_use_device_code = true\n"));
    let child = context
        .command(env!("CARGO_BIN_EXE_aws-sso"))
        .args(["login", "--sso-session", "device", "--no-browser"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The emulator waits for a person: a device code appears, and no /authorize is made.
    let user_code = pending_user_code(&emulator);
    emulator.control(
        "POST",
        "device/approve",
        Some(json!({"user_code": user_code, "user": "demo"})),
    );
    let output = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("Then enter the code:"), "{stdout}");
    assert_eq!(emulator.counters()["Authorize"], 0);
    assert_eq!(emulator.counters()["StartDeviceAuthorization"], 1);
}

#[test]
fn a_fixed_redirect_port_is_in_the_redirect_uri_and_a_busy_one_fails_clearly() {
    let (emulator, mut context) = setup(&["--auto-approve", "demo"]);
    // A browser that follows the sign-in to its end, as a local one would.
    context.env("BROWSER", "curl -s -L -o /dev/null %s");
    // A port free now: bind and release one.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let outcome = aws_sso(
        &context,
        &[
            "login",
            "--profile",
            "dev",
            "--redirect-port",
            &port.to_string(),
        ],
    );
    assert_eq!(outcome.code, 0, "{outcome}");
    let requests = emulator.control("GET", "requests", None);
    let authorize = requests["requests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["operation"] == "Authorize")
        .expect("the browser went to /authorize");
    let redirect = format!("redirect_uri=http%3A%2F%2F127.0.0.1%3A{port}%2Foauth%2Fcallback");
    assert!(
        authorize["query"].as_str().unwrap().contains(&redirect),
        "{authorize}"
    );

    // The same port from the session section, while another program holds it.
    let busy = std::net::TcpListener::bind(("127.0.0.1", port)).unwrap();
    context.config(&format!(
        "{CONFIG}\n[sso-session fixed]\nsso_start_url = {START_URL}\nsso_region = us-east-1\nsso_registration_scopes = sso:account:access\nsso_redirect_port = {port}\n"
    ));
    let outcome = aws_sso(&context, &["login", "--sso-session", "fixed"]);
    assert_eq!(outcome.code, 255, "{outcome}");
    assert!(
        outcome.stderr.starts_with(
            "\naws: [ERROR]: Unable to initialize the OAuth 2.0 authorization callback handler: "
        ),
        "{outcome}"
    );
    assert!(
        outcome.stderr.ends_with(&format!(
            "\nPort {port} of 127.0.0.1 (from --redirect-port or sso_redirect_port) is in use by another program: stop it, or choose another port.\n"
        )),
        "{outcome}"
    );
    drop(busy);
}

#[test]
fn over_ssh_the_pkce_prompt_gives_the_exact_tunnel() {
    let (_emulator, mut context) = setup(&["--auto-approve", "demo"]);
    context
        .env("SSH_CONNECTION", "203.0.113.7 51234 10.0.0.5 2222")
        .env("USER", "ana")
        .env("BROWSER", "/bin/false");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = context
        .command(env!("CARGO_BIN_EXE_aws-sso"))
        .args([
            "login",
            "--profile",
            "dev",
            "--no-browser",
            "--redirect-port",
            &port.to_string(),
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut hint = String::new();
    for _ in 0..2 {
        stderr.read_line(&mut hint).unwrap();
    }
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(
        hint,
        format!(
            "You are signed in to this machine over SSH. For a browser on your own machine to finish the sign-in, run this there first (or paste the address the browser ends on below):\n  ssh -N -L {port}:127.0.0.1:{port} -p 2222 ana@10.0.0.5\n"
        )
    );
}

#[test]
fn login_fresh_ends_the_current_portal_session_first() {
    let (emulator, context) = setup(&["--auto-approve", "demo"]);
    login(&context, &["--profile", "dev"]);
    let old = context.read(SESSION_TOKEN_FILE).unwrap();
    let outcome = login(&context, &["--profile", "dev", "--fresh"]);
    assert_eq!(
        outcome.stderr,
        "Ended the current portal session; signing in to a new one.\n"
    );
    assert_eq!(emulator.counters()["Logout"], 1);
    let new = context.read(SESSION_TOKEN_FILE).unwrap();
    assert_ne!(old, new);
    // The old sign-in is dead on the service: its refresh token no longer works.
    let mut stale: Value = serde_json::from_str(&old).unwrap();
    stale["expiresAt"] = json!("2020-01-01T00:00:00Z");
    context.write(SESSION_TOKEN_FILE, &stale.to_string());
    let refused = aws_sso(&context, &["list-accounts", "--profile", "dev"]);
    assert_eq!(refused.code, 255, "{refused}");
    assert!(
        refused
            .stderr
            .contains("Token has expired and refresh failed"),
        "{refused}"
    );
}
