//! `list-accounts`, `list-account-roles`, `get-role-credentials` against the emulator: the
//! cached-token path, refresh, pagination and errors (spec cli-behavior §4, §6).

use std::os::unix::fs::PermissionsExt;
use std::process::Stdio;

use serde_json::json;

use crate::aws_sso;
use crate::support::*;

#[test]
fn commands_use_the_cached_token_of_the_profile() {
    let (emulator, context) = setup(&["--auto-approve", "demo"]);
    login(&context, &["--profile", "dev"]);
    let accounts = aws_sso(
        &context,
        &[
            "list-accounts",
            "--profile",
            "dev",
            "--query",
            "accountList[].accountId",
            "--output",
            "text",
        ],
    );
    assert_eq!(accounts.code, 0, "{accounts}");
    assert_eq!(
        accounts.stdout,
        "111111111111\t222222222222\t333333333333\n"
    );
    let roles = aws_sso(
        &context,
        &[
            "list-account-roles",
            "--profile",
            "dev",
            "--account-id",
            "111111111111",
        ],
    );
    assert_eq!(
        roles.json(),
        json!({"roleList": [
            {"roleName": "AdministratorAccess", "accountId": "111111111111"},
            {"roleName": "ReadOnly", "accountId": "111111111111"}
        ]})
    );
    let credentials = aws_sso(
        &context,
        &[
            "get-role-credentials",
            "--profile",
            "dev",
            "--account-id",
            "111111111111",
            "--role-name",
            "ReadOnly",
        ],
    );
    assert_eq!(credentials.code, 0, "{credentials}");
    let keys: Vec<String> = credentials.json()["roleCredentials"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    assert_eq!(
        keys,
        [
            "accessKeyId",
            "secretAccessKey",
            "sessionToken",
            "expiration"
        ]
    );
    // An --access-token works exactly as in the AWS CLI.
    let token = read_json(&context, SESSION_TOKEN_FILE)["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let explicit = aws_sso(
        &context,
        &[
            "list-accounts",
            "--access-token",
            &token,
            "--region",
            "us-east-1",
            "--endpoint-url",
            emulator.url(),
        ],
    );
    assert_eq!(
        explicit.stdout,
        aws_sso(&context, &["list-accounts", "--profile", "dev"]).stdout
    );
}

#[test]
fn without_a_token_the_cli_error_names_the_session() {
    let (_emulator, context) = setup(&[]);
    let outcome = aws_sso(&context, &["list-accounts", "--profile", "dev"]);
    assert_eq!(outcome.code, 255);
    assert_eq!(
        outcome.stderr,
        "\naws: [ERROR]: Error loading SSO Token: Token for my-sso does not exist\nTo sign in, run: aws-sso login --sso-session my-sso\n"
    );
}

#[test]
fn an_unassigned_role_is_forbidden() {
    let (_emulator, context) = setup(&["--auto-approve", "demo"]);
    login(&context, &["--profile", "dev"]);
    let outcome = aws_sso(
        &context,
        &[
            "get-role-credentials",
            "--profile",
            "dev",
            "--account-id",
            "222222222222",
            "--role-name",
            "AdministratorAccess",
        ],
    );
    assert_eq!(outcome.code, 254);
    assert_eq!(
        outcome.stderr,
        "\naws: [ERROR]: An error occurred (ForbiddenException) when calling the GetRoleCredentials operation: No access\nThis session may not use role AdministratorAccess in account 222222222222; `aws-sso list-account-roles --account-id 222222222222` lists the roles it may use.\n"
    );
}

#[test]
fn pagination_resumes_across_runs() {
    let (emulator, context) = setup(&["--auto-approve", "demo"]);
    login(&context, &["--profile", "dev"]);
    let first = aws_sso(
        &context,
        &[
            "list-accounts",
            "--profile",
            "dev",
            "--page-size",
            "2",
            "--max-items",
            "1",
        ],
    )
    .json();
    assert_eq!(first["accountList"].as_array().unwrap().len(), 1);
    let token = first["NextToken"].as_str().unwrap().to_owned();
    let rest = aws_sso(
        &context,
        &[
            "list-accounts",
            "--profile",
            "dev",
            "--page-size",
            "2",
            "--starting-token",
            &token,
        ],
    )
    .json();
    let ids: Vec<&str> = rest["accountList"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["accountId"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["222222222222", "333333333333"]);
    assert!(rest.get("NextToken").is_none());
    // Every call sent max_result=2.
    let requests = emulator.control("GET", "requests", None);
    let queries: Vec<&str> = requests["requests"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["operation"] == "ListAccounts")
        .map(|r| r["query"].as_str().unwrap())
        .collect();
    assert!(
        queries.iter().all(|q| q.contains("max_result=2")),
        "{queries:?}"
    );
}

/// Rewrites the cached token so it expires at `expires_at` and returns the pinned "now" that
/// puts it `minutes_left` minutes from expiry.
fn age_token(context: &sso_testkit::TestContext, minutes_left: i64) -> String {
    let token = read_json(context, SESSION_TOKEN_FILE);
    let expires: jiff::Timestamp = token["expiresAt"].as_str().unwrap().parse().unwrap();
    let now = expires - jiff::SignedDuration::from_mins(minutes_left);
    now.to_string()
}

#[test]
fn a_token_about_to_expire_is_refreshed_and_written_back() {
    let (emulator, mut context) = setup(&["--auto-approve", "demo"]);
    login(&context, &["--profile", "dev"]);
    let before = read_json(&context, SESSION_TOKEN_FILE);
    context.env("AWS_SSO_TEST_NOW", &age_token(&context, 5));
    let outcome = aws_sso(&context, &["list-accounts", "--profile", "dev", "--debug"]);
    assert_eq!(outcome.code, 0, "{outcome}");
    assert_no_secrets(&emulator, &outcome);
    // --debug shows each call and how it ended, never a token.
    let debug = outcome.stderr_filtered();
    assert!(
        debug.contains("aws-sso [DEBUG] CreateToken POST [EMULATOR]/token (attempt 1): 200"),
        "{debug}"
    );
    assert!(
        debug.contains(
            "aws-sso [DEBUG] ListAccounts GET [EMULATOR]/assignment/accounts (attempt 1): 200"
        ),
        "{debug}"
    );
    let after = read_json(&context, SESSION_TOKEN_FILE);
    assert_ne!(before["accessToken"], after["accessToken"]);
    assert!(after["expiresAt"].as_str() > before["expiresAt"].as_str());
    assert_eq!(
        emulator.counters()["CreateToken"],
        2,
        "one login, one refresh"
    );
}

/// Makes `dir` immutable (`chattr +i`: no file can be created in it, even by root) until the
/// guard drops; `None` where the filesystem or the user cannot (the test then says so).
struct Immutable(std::path::PathBuf);

impl Immutable {
    fn new(dir: std::path::PathBuf) -> Option<Self> {
        let done = std::process::Command::new("chattr")
            .arg("+i")
            .arg(&dir)
            .status()
            .is_ok_and(|status| status.success());
        done.then_some(Self(dir))
    }
}

impl Drop for Immutable {
    fn drop(&mut self) {
        let _ = std::process::Command::new("chattr")
            .arg("-i")
            .arg(&self.0)
            .status();
    }
}

#[test]
fn a_refresh_whose_token_cannot_be_saved_still_completes_the_command() {
    let (emulator, mut context) = setup(&["--auto-approve", "demo"]);
    login(&context, &["--profile", "dev"]);
    let before = read_json(&context, SESSION_TOKEN_FILE);
    context.env("AWS_SSO_TEST_NOW", &age_token(&context, 5));
    let Some(_guard) = Immutable::new(context.path(".aws/sso/cache")) else {
        eprintln!(
            "skipped: `chattr +i` is not available here, so a failing write cannot be staged"
        );
        return;
    };
    let outcome = aws_sso(&context, &["list-accounts", "--profile", "dev"]);
    // The service rotated the refresh token; failing now would strand the session.
    assert_eq!(outcome.code, 0, "{outcome}");
    assert_eq!(
        outcome.json()["accountList"][0]["accountId"],
        "111111111111"
    );
    let warning = outcome.stderr_filtered();
    assert!(
        warning.starts_with("warning: the refreshed SSO token could not be saved (failed to write `[HOME]/.aws/sso/cache/0ad374308c5a4e22f723adf10145eafad7c4031c.json`: Operation not permitted (os error 1); check that you own the file and its directory)")
            && warning.ends_with("); this command goes on with it, but once the saved token expires you will need to sign in again\n"),
        "{warning}"
    );
    assert_eq!(
        emulator.counters()["CreateToken"],
        2,
        "one login, one refresh"
    );
    assert_eq!(
        read_json(&context, SESSION_TOKEN_FILE),
        before,
        "the old file is intact"
    );
    assert_no_secrets(&emulator, &outcome);
}

#[test]
fn an_expired_token_without_refresh_is_reported() {
    let (_emulator, mut context) = setup(&["--auto-approve", "demo"]);
    login(&context, &["--profile", "legacy"]);
    let token = read_json(&context, LEGACY_TOKEN_FILE);
    let expires: jiff::Timestamp = token["expiresAt"].as_str().unwrap().parse().unwrap();
    context.env(
        "AWS_SSO_TEST_NOW",
        &(expires + jiff::SignedDuration::from_secs(1)).to_string(),
    );
    let outcome = aws_sso(&context, &["list-accounts", "--profile", "legacy"]);
    assert_eq!(outcome.code, 255);
    assert_eq!(
        outcome.stderr,
        "\naws: [ERROR]: The SSO session associated with this profile has expired or is otherwise invalid. To refresh this SSO session run aws sso login with the corresponding profile.\nTo sign in, run: aws-sso login --profile legacy\n"
    );
}

#[test]
fn fifty_processes_needing_a_refresh_make_exactly_one_refresh() {
    let (emulator, mut context) = setup(&["--auto-approve", "demo"]);
    login(&context, &["--profile", "dev"]);
    context.env("AWS_SSO_TEST_NOW", &age_token(&context, 5));
    let path = context.path(SESSION_TOKEN_FILE);

    // Watch the file while the processes run: always whole JSON, always 0600.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let watcher = {
        let stop = std::sync::Arc::clone(&stop);
        std::thread::spawn(move || {
            let mut checks = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let text = std::fs::read_to_string(&path).expect("the token file never disappears");
                serde_json::from_str::<serde_json::Value>(&text)
                    .expect("the token file is always whole JSON");
                let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
                assert_eq!(mode, 0o600);
                checks += 1;
            }
            checks
        })
    };
    let children: Vec<_> = (0..50)
        .map(|_| {
            context
                .command(env!("CARGO_BIN_EXE_aws-sso"))
                .args([
                    "list-accounts",
                    "--profile",
                    "dev",
                    "--query",
                    "length(accountList)",
                ])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let output = child.wait_with_output().unwrap();
        assert_eq!(
            output.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert_eq!(String::from_utf8_lossy(&output.stdout), "3\n");
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    assert!(watcher.join().unwrap() > 0);
    let requests = emulator.control("GET", "requests", None);
    let refreshes = requests["requests"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["operation"] == "CreateToken" && r["body"]["grantType"] == "refresh_token")
        .count();
    assert_eq!(refreshes, 1, "single flight: exactly one refresh request");
}

#[test]
fn a_corrupt_token_file_is_reported_once_and_a_truncated_write_is_recovered() {
    let (_emulator, context) = setup(&["--auto-approve", "demo"]);
    login(&context, &["--profile", "dev"]);
    let good = context.read(SESSION_TOKEN_FILE).unwrap();

    // The known truncate-then-write signature: valid JSON followed by stray bytes.
    context.write(SESSION_TOKEN_FILE, &format!("{good}5\"}}"));
    let recovered = aws_sso(
        &context,
        &[
            "list-accounts",
            "--profile",
            "dev",
            "--query",
            "length(accountList)",
        ],
    );
    assert_eq!(recovered.code, 0, "{recovered}");
    assert_eq!(recovered.stdout, "3\n");
    assert_eq!(
        recovered.stderr.matches("warning:").count(),
        1,
        "{recovered}"
    );

    // Garbage: one warning, then the AWS CLI's "does not exist" error; nothing crashes.
    context.write(SESSION_TOKEN_FILE, "{\"accessTok");
    let corrupt = aws_sso(&context, &["list-accounts", "--profile", "dev"]);
    assert_eq!(corrupt.code, 255, "{corrupt}");
    let stderr = corrupt.stderr_filtered();
    assert!(stderr.starts_with("warning: "), "{stderr}");
    assert!(
        stderr.contains("0ad374308c5a4e22f723adf10145eafad7c4031c.json"),
        "the warning names the file: {stderr}"
    );
    assert!(
        stderr.ends_with(
            "\naws: [ERROR]: Error loading SSO Token: Token for my-sso does not exist\nTo sign in, run: aws-sso login --sso-session my-sso\n"
        ),
        "{stderr}"
    );
    // An empty file likewise.
    context.write(SESSION_TOKEN_FILE, "");
    assert_eq!(
        aws_sso(&context, &["list-accounts", "--profile", "dev"]).code,
        255
    );
}

#[test]
fn generate_cli_skeleton_and_cli_input_json() {
    let (_emulator, context) = setup(&["--auto-approve", "demo"]);
    // The skeleton needs no token, region or required options, as in the AWS CLI.
    let skeleton = aws_sso(
        &context,
        &["get-role-credentials", "--generate-cli-skeleton"],
    );
    assert_eq!(skeleton.code, 0, "{skeleton}");
    assert_eq!(
        skeleton.stdout,
        "{\n    \"roleName\": \"\",\n    \"accountId\": \"\",\n    \"accessToken\": \"\"\n}\n"
    );

    login(&context, &["--profile", "dev"]);
    let input = r#"{"accountId": "111111111111", "roleName": "AdministratorAccess"}"#;
    let outcome = aws_sso(
        &context,
        &[
            "get-role-credentials",
            "--profile",
            "dev",
            "--cli-input-json",
            input,
            "--query",
            "keys(roleCredentials)",
            "--output",
            "text",
        ],
    );
    assert_eq!(outcome.code, 0, "{outcome}");
    assert_eq!(
        outcome.stdout,
        "accessKeyId\tsecretAccessKey\tsessionToken\texpiration\n"
    );
    // The command line wins over the JSON.
    let file = context.path("input.json");
    std::fs::write(&file, r#"{"accountId": "999999999999"}"#).unwrap();
    let roles = aws_sso(
        &context,
        &[
            "list-account-roles",
            "--profile",
            "dev",
            "--account-id",
            "111111111111",
            "--cli-input-json",
            &format!("file://{}", file.display()),
            "--query",
            "length(roleList)",
        ],
    );
    assert_eq!(roles.stdout, "2\n", "{roles}");
    // botocore's validation messages (with no profile to default `accountId` from).
    let missing = aws_sso(
        &context,
        &[
            "get-role-credentials",
            "--sso-session",
            "my-sso",
            "--cli-input-json",
            r#"{"roleName": "ReadOnly"}"#,
        ],
    );
    assert_eq!(missing.code, 252);
    assert_eq!(
        missing.stderr,
        "\naws: [ERROR]: An error occurred (ParamValidation): Parameter validation failed:\nMissing required parameter in input: \"accountId\"\n"
    );
    let unknown = aws_sso(
        &context,
        &[
            "list-accounts",
            "--profile",
            "dev",
            "--cli-input-json",
            r#"{"foo": 1}"#,
        ],
    );
    assert_eq!(unknown.code, 252);
    assert!(unknown.stderr.contains("Unknown parameter in input: \"foo\", must be one of: nextToken, maxResults, accessToken"), "{unknown}");
}

/// Replaces the cached refresh token with one the service will refuse.
fn spoil_refresh_token(context: &sso_testkit::TestContext) {
    let mut token = read_json(context, SESSION_TOKEN_FILE);
    token["refreshToken"] = json!("aor-not-a-real-refresh-token");
    context.write(SESSION_TOKEN_FILE, &token.to_string());
}

#[test]
fn a_refused_refresh_keeps_using_a_still_valid_token() {
    let (emulator, mut context) = setup(&["--auto-approve", "demo"]);
    login(&context, &["--profile", "dev"]);
    spoil_refresh_token(&context);
    context.env("AWS_SSO_TEST_NOW", &age_token(&context, 5));
    let outcome = aws_sso(
        &context,
        &[
            "list-accounts",
            "--profile",
            "dev",
            "--query",
            "length(accountList)",
        ],
    );
    assert_eq!(
        (outcome.code, outcome.stdout.as_str()),
        (0, "3\n"),
        "{outcome}"
    );
    let refreshes = emulator.control("GET", "requests", None)["requests"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["body"]["grantType"] == "refresh_token")
        .count();
    assert_eq!(refreshes, 1, "the refresh was attempted");
}

#[test]
fn a_refused_refresh_of_an_expired_token_is_the_cli_error() {
    let (_emulator, mut context) = setup(&["--auto-approve", "demo"]);
    login(&context, &["--profile", "dev"]);
    spoil_refresh_token(&context);
    context.env("AWS_SSO_TEST_NOW", &age_token(&context, -1));
    let outcome = aws_sso(&context, &["list-accounts", "--profile", "dev"]);
    assert_eq!(outcome.code, 255, "{outcome}");
    assert_eq!(
        outcome.stderr,
        "\naws: [ERROR]: Error when retrieving token from sso: Token has expired and refresh failed\nTo sign in, run: aws-sso login --sso-session my-sso\n"
    );
}

#[test]
fn an_unreachable_oidc_endpoint_matters_only_when_the_refresh_is_mandatory() {
    let (_emulator, mut context) = setup(&["--auto-approve", "demo"]);
    login(&context, &["--profile", "dev"]);
    context.env("AWS_ENDPOINT_URL_SSO_OIDC", "http://127.0.0.1:9");
    context.env("AWS_MAX_ATTEMPTS", "1");
    // 12 minutes left: advisory window; the refresh fails quietly and the token is used.
    context.env("AWS_SSO_TEST_NOW", &age_token(&context, 12));
    let advisory = aws_sso(
        &context,
        &[
            "list-accounts",
            "--profile",
            "dev",
            "--query",
            "length(accountList)",
        ],
    );
    assert_eq!(
        (advisory.code, advisory.stdout.as_str()),
        (0, "3\n"),
        "{advisory}"
    );
    // 5 minutes left: mandatory; the network error is reported.
    context.env("AWS_SSO_TEST_NOW", &age_token(&context, 5));
    let mandatory = aws_sso(&context, &["list-accounts", "--profile", "dev"]);
    assert_eq!(mandatory.code, 255, "{mandatory}");
    assert_eq!(
        mandatory.stderr,
        "\naws: [ERROR]: Could not connect to the endpoint URL: \"http://127.0.0.1:9/token\"\n"
    );
}

#[test]
fn account_and_role_default_to_the_profile() {
    let (emulator, context) = setup(&["--auto-approve", "demo"]);
    login(&context, &["--profile", "dev"]);
    // Profile `dev` has sso_account_id 111111111111 and sso_role_name ReadOnly.
    let credentials = aws_sso(&context, &["get-role-credentials", "--profile", "dev"]);
    assert_eq!(credentials.code, 0, "{credentials}");
    assert!(credentials.json()["roleCredentials"]["accessKeyId"].is_string());
    let roles = aws_sso(
        &context,
        &[
            "list-account-roles",
            "--profile",
            "dev",
            "--query",
            "roleList[].roleName",
            "--output",
            "text",
        ],
    );
    assert_eq!(roles.code, 0, "{roles}");
    let logged = emulator.control("GET", "requests", None);
    let queries: Vec<&str> = logged["requests"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["query"].as_str())
        .filter(|q| q.contains("account_id"))
        .collect();
    assert_eq!(
        queries,
        [
            "role_name=ReadOnly&account_id=111111111111",
            "account_id=111111111111"
        ]
    );
    // The command line still wins, and without any source argparse's error stays.
    let other = aws_sso(
        &context,
        &[
            "list-account-roles",
            "--profile",
            "dev",
            "--account-id",
            "222222222222",
            "--output",
            "text",
        ],
    );
    assert_eq!(other.code, 0, "{other}");
    let none = aws_sso(&context, &["list-account-roles", "--sso-session", "my-sso"]);
    assert_eq!(none.code, 252, "{none}");
    assert!(
        none.stderr
            .starts_with("\naws: [ERROR]: An error occurred (ParamValidation): the following arguments are required: --account-id\n"),
        "{none}"
    );
}

#[test]
fn a_skewed_clock_is_named_once_with_its_offset() {
    let (emulator, context) = setup(&["--auto-approve", "demo"]);
    // The service's clock runs two hours behind this machine's.
    emulator.control(
        "POST",
        "clock/advance",
        Some(serde_json::json!({"seconds": -7200})),
    );
    let outcome = login(&context, &["--profile", "dev"]);
    let warnings: Vec<&str> = outcome
        .stderr
        .lines()
        .filter(|line| line.starts_with("warning: this machine's clock is "))
        .collect();
    assert_eq!(
        warnings.len(),
        1,
        "one warning for the whole run: {outcome}"
    );
    assert!(
        warnings[0].starts_with(
            "warning: this machine's clock is 2h 00m ahead of the service's (which says 20"
        ),
        "{}",
        warnings[0]
    );
    assert!(warnings[0].ends_with("until the clock is set (for example, turn on NTP)"));
    // (With the clocks in step, as in every other test here, there is no warning: those tests
    // assert their stderr exactly.)
}
