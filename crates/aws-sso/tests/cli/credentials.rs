//! `export-credentials` and `exec` against the emulator: formats, the role cache shared with the
//! AWS CLI, the non-interactive contract, and how `exec` hands over to the command.

use std::os::unix::fs::PermissionsExt as _;
use std::os::unix::process::ExitStatusExt as _;

use serde_json::Value;
use sso_testkit::TestContext;

use crate::aws_sso;
use crate::support::{login, read_json, recording_browser, setup};

/// sha1(`{"accountId":"111111111111","roleName":"ReadOnly","sessionName":"my-sso"}`), the
/// role-credential file of profile `dev` (cli-behavior §2.7).
const DEV_ROLE_FILE: &str = ".aws/cli/cache/7656329665c70f26bb8dc6f65f498aa9de8da4e0.json";

fn get_role_credentials_calls(emulator: &sso_testkit::Emulator) -> u64 {
    emulator.counters()["GetRoleCredentials"].as_u64().unwrap()
}

#[test]
fn process_format_fills_and_then_reuses_the_aws_cli_role_cache() {
    let (emulator, context) = setup(&["--auto-approve", "demo"]);
    login(&context, &["--profile", "dev"]);
    let first = aws_sso(&context, &["export-credentials", "--profile", "dev"]);
    assert_eq!(first.code, 0, "{first}");
    assert_eq!(first.stderr, "");
    let process = first.json();
    let keys: Vec<&str> = process
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "Version",
            "AccessKeyId",
            "SecretAccessKey",
            "SessionToken",
            "Expiration"
        ]
    );
    assert_eq!(process["Version"], 1);
    assert!(
        process["Expiration"].as_str().unwrap().ends_with("+00:00"),
        "{process}"
    );
    assert!(
        first
            .stdout
            .starts_with("{\n  \"Version\": 1,\n  \"AccessKeyId\": "),
        "{first}"
    );

    // The entry AWS CLI v2 writes: same name, same one-line body, 0600.
    let text = context
        .read(DEV_ROLE_FILE)
        .expect("the role cache entry exists");
    assert!(!text.ends_with('\n'));
    let entry: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(entry["ProviderType"], "sso");
    let cached = &entry["Credentials"];
    let cached_keys: Vec<&str> = cached
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        cached_keys,
        [
            "AccessKeyId",
            "SecretAccessKey",
            "SessionToken",
            "Expiration",
            "AccountId"
        ]
    );
    assert_eq!(cached["AccessKeyId"], process["AccessKeyId"]);
    assert_eq!(cached["AccountId"], "111111111111");
    let mode = std::fs::metadata(context.path(DEV_ROLE_FILE))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    assert_eq!(get_role_credentials_calls(&emulator), 1);

    // A second run is a cache hit: same credentials, no request.
    let second = aws_sso(
        &context,
        &["export-credentials", "--profile", "dev", "--format", "env"],
    );
    assert_eq!(second.code, 0, "{second}");
    let expected = format!(
        "export AWS_ACCESS_KEY_ID={}\nexport AWS_SECRET_ACCESS_KEY={}\nexport AWS_SESSION_TOKEN={}\nexport AWS_CREDENTIAL_EXPIRATION={}\n",
        process["AccessKeyId"].as_str().unwrap(),
        process["SecretAccessKey"].as_str().unwrap(),
        process["SessionToken"].as_str().unwrap(),
        process["Expiration"].as_str().unwrap(),
    );
    assert_eq!(second.stdout, expected);
    assert_eq!(get_role_credentials_calls(&emulator), 1);
}

#[test]
fn a_cache_entry_written_by_the_aws_cli_is_used_without_any_service() {
    // No emulator, no token: only the role cache, in AWS CLI v2's exact format.
    let mut context = TestContext::new();
    context.config(crate::support::CONFIG);
    context
        .env("AWS_ENDPOINT_URL_SSO", "http://127.0.0.1:9")
        .env("AWS_ENDPOINT_URL_SSO_OIDC", "http://127.0.0.1:9");
    context.write(
        DEV_ROLE_FILE,
        r#"{"ProviderType": "sso", "Credentials": {"AccessKeyId": "ASIAFROMCLI", "SecretAccessKey": "c2VjcmV0", "SessionToken": "dG9rZW4=", "Expiration": "2099-01-01T00:00:00Z", "AccountId": "111111111111"}}"#,
    );
    let outcome = aws_sso(
        &context,
        &["export-credentials", "--profile", "dev", "--format", "fish"],
    );
    assert_eq!(outcome.code, 0, "{outcome}");
    assert_eq!(
        outcome.stdout,
        "set -gx AWS_ACCESS_KEY_ID \"ASIAFROMCLI\"\nset -gx AWS_SECRET_ACCESS_KEY \"c2VjcmV0\"\nset -gx AWS_SESSION_TOKEN \"dG9rZW4=\"\nset -gx AWS_CREDENTIAL_EXPIRATION \"2099-01-01T00:00:00+00:00\"\n"
    );
}

#[test]
fn without_a_token_it_fails_at_once_names_the_fix_and_opens_nothing() {
    let (emulator, mut context) = setup(&[]);
    // A browser that leaves a trace if anything tries to open it.
    recording_browser(&mut context, "BROWSER");
    let session = aws_sso(&context, &["export-credentials", "--profile", "dev"]);
    assert_eq!(session.code, 255, "{session}");
    assert_eq!(session.stdout, "");
    assert_eq!(
        session.stderr,
        "\naws: [ERROR]: Error loading SSO Token: Token for my-sso does not exist\nTo sign in, run: aws-sso login --sso-session my-sso\n"
    );
    let legacy = aws_sso(&context, &["exec", "--profile", "legacy", "--", "true"]);
    assert_eq!(legacy.code, 255, "{legacy}");
    assert_eq!(
        legacy.stderr,
        "\naws: [ERROR]: Error loading SSO Token: Token for https://d-1234567890.awsapps.com/start does not exist\nTo sign in, run: aws-sso login --profile legacy\n"
    );
    assert!(context.read("opened").is_none(), "a browser was opened");
    assert_eq!(emulator.counters()["StartDeviceAuthorization"], 0);
    assert_eq!(emulator.counters()["RegisterClient"], 0);
}

#[test]
fn a_revoked_session_names_the_fix_too() {
    let (emulator, context) = setup(&["--auto-approve", "demo"]);
    login(&context, &["--profile", "dev"]);
    let token = read_json(&context, crate::support::SESSION_TOKEN_FILE);
    emulator.control(
        "POST",
        "sessions/revoke",
        Some(serde_json::json!({"access_token": token["accessToken"]})),
    );
    let outcome = aws_sso(&context, &["export-credentials", "--profile", "dev"]);
    assert_eq!(outcome.code, 255, "{outcome}");
    assert!(
        outcome.stderr.ends_with(
            "The SSO session associated with this profile has expired or is otherwise invalid. To refresh this SSO session run aws sso login with the corresponding profile.\nTo sign in, run: aws-sso login --sso-session my-sso\n"
        ),
        "{outcome}"
    );
}

#[test]
fn configuration_problems_are_one_clear_line() {
    let mut context = TestContext::new();
    context.config(
        "[profile plain]\nregion = us-east-1\n\n[profile half]\nsso_account_id = 1\nsso_session = nope\n",
    );
    let plain = aws_sso(&context, &["export-credentials", "--profile", "plain"]);
    assert_eq!(plain.code, 253, "{plain}");
    assert_eq!(
        plain.stderr,
        "\naws: [ERROR]: An error occurred (Configuration): Unable to retrieve credentials: the profile \"plain\" has no SSO settings; aws-sso serves SSO role credentials only: give it sso_account_id, sso_role_name and sso_session (or sso_start_url and sso_region)\n"
    );
    let half = aws_sso(&context, &["export-credentials", "--profile", "half"]);
    assert_eq!(half.code, 253, "{half}");
    assert_eq!(
        half.stderr,
        "\naws: [ERROR]: An error occurred (Configuration): Unable to retrieve credentials: The specified sso-session does not exist: \"nope\"\n"
    );
    context.env("_AWS_CLI_PROFILE_CHAIN", "outer,plain");
    let cycle = aws_sso(&context, &["export-credentials", "--profile", "plain"]);
    assert_eq!(cycle.code, 253, "{cycle}");
    assert!(
        cycle
            .stderr
            .contains("profile cycle: outer -> plain -> plain"),
        "{cycle}"
    );
    let bad = aws_sso(&context, &["export-credentials", "--format", "xml"]);
    assert_eq!(bad.code, 252, "{bad}");
    assert!(
        bad.stderr.contains("argument --format: Found invalid choice 'xml'\n\nValid values: process, env, env-no-export, powershell, windows-cmd, fish\n\nusage: "),
        "{bad}"
    );
}

#[test]
fn exec_hands_the_credentials_and_region_to_the_command() {
    let (_emulator, mut context) = setup(&["--auto-approve", "demo"]);
    login(&context, &["--profile", "dev"]);
    context
        .env("AWS_PROFILE", "dev")
        .env("AWS_DEFAULT_PROFILE", "dev");
    let outcome = aws_sso(&context, &["exec", "--", "/usr/bin/env"]);
    assert_eq!(outcome.code, 0, "{outcome}");
    let env: std::collections::BTreeMap<&str, &str> = outcome
        .stdout
        .lines()
        .filter_map(|line| line.split_once('='))
        .collect();
    let exported = aws_sso(
        &context,
        &["export-credentials", "--format", "env-no-export"],
    );
    for line in exported.stdout.lines() {
        let (name, value) = line.split_once('=').unwrap();
        assert_eq!(env.get(name), Some(&value), "{name}");
    }
    assert_eq!(env.get("AWS_REGION"), Some(&"us-east-1"));
    assert_eq!(env.get("AWS_DEFAULT_REGION"), Some(&"us-east-1"));
    assert_eq!(env.get("AWS_SSO_EXEC"), Some(&"dev"));
    assert!(!env.contains_key("AWS_PROFILE") && !env.contains_key("AWS_DEFAULT_PROFILE"));
}

#[test]
fn exec_exit_status_signals_and_nesting() {
    let (_emulator, mut context) = setup(&["--auto-approve", "demo"]);
    login(&context, &["--profile", "dev"]);
    let exit = aws_sso(
        &context,
        &["exec", "--profile", "dev", "--", "sh", "-c", "exit 7"],
    );
    assert_eq!(exit.code, 7, "{exit}");

    // The command replaces aws-sso: a signal to the process we started reaches the command's
    // own handler, and death by a signal is the caller's to see.
    assert_signals_reach_the_command(&context, &[]);

    let missing = aws_sso(
        &context,
        &["exec", "--profile", "dev", "--", "/nonexistent/tool"],
    );
    assert_eq!(missing.code, 255, "{missing}");
    assert!(
        missing
            .stderr
            .contains("cannot run /nonexistent/tool: No such file or directory"),
        "{missing}"
    );

    context.env("AWS_SSO_EXEC", "prod");
    let nested = aws_sso(&context, &["exec", "--profile", "dev", "--", "true"]);
    assert_eq!(nested.code, 253, "{nested}");
    assert!(
        nested
            .stderr
            .contains("aws-sso exec is already running here (profile prod)"),
        "{nested}"
    );
    let allowed = aws_sso(
        &context,
        &[
            "exec",
            "--profile",
            "dev",
            "--allow-nested",
            "--",
            "sh",
            "-c",
            "echo $AWS_SSO_EXEC",
        ],
    );
    assert_eq!(
        (allowed.code, allowed.stdout.as_str()),
        (0, "dev\n"),
        "{allowed}"
    );
}

#[test]
fn parallel_callers_with_a_cold_cache_and_an_expiring_token_make_one_call_each() {
    // Tokens live 700 s: inside the 15-minute refresh window from the start.
    let (emulator, context) = setup(&["--auto-approve", "demo", "--access-token-ttl", "700"]);
    login(&context, &["--profile", "dev"]);
    let children: Vec<_> = (0..20)
        .map(|_| {
            context
                .command(env!("CARGO_BIN_EXE_aws-sso"))
                .args(["export-credentials", "--profile", "dev"])
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let outputs: Vec<_> = children
        .into_iter()
        .map(|child| child.wait_with_output().unwrap())
        .collect();
    for output in &outputs {
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let keys: std::collections::BTreeSet<String> = outputs
        .iter()
        .map(|o| serde_json::from_slice::<Value>(&o.stdout).unwrap()["AccessKeyId"].to_string())
        .collect();
    assert_eq!(keys.len(), 1, "{keys:?}");
    let counters = emulator.counters();
    assert_eq!(counters["GetRoleCredentials"], 1, "{counters}");
    // The login's CreateToken, plus at most one refresh.
    assert!(counters["CreateToken"].as_u64().unwrap() <= 2, "{counters}");
}

#[test]
fn unusable_cache_entries_are_a_miss_with_one_warning_and_are_replaced_whole() {
    let (emulator, context) = setup(&["--auto-approve", "demo"]);
    login(&context, &["--profile", "dev"]);
    let entries = [
        ("corrupt", "{\"ProviderType\": \"sso\", \"Credent".to_owned()),
        (
            "wrong types",
            r#"{"ProviderType": "sso", "Credentials": {"AccessKeyId": 5, "SecretAccessKey": "s", "SessionToken": "t", "Expiration": "2099-01-01T00:00:00Z"}}"#.to_owned(),
        ),
        (
            "missing field",
            r#"{"ProviderType": "sso", "Credentials": {"AccessKeyId": "A", "SessionToken": "t", "Expiration": "2099-01-01T00:00:00Z"}}"#.to_owned(),
        ),
        (
            "another provider",
            r#"{"ProviderType": "assume-role", "Credentials": {"AccessKeyId": "A", "SecretAccessKey": "s", "SessionToken": "t", "Expiration": "2099-01-01T00:00:00Z"}}"#.to_owned(),
        ),
        (
            "expired",
            r#"{"ProviderType": "sso", "Credentials": {"AccessKeyId": "A", "SecretAccessKey": "s", "SessionToken": "t", "Expiration": "2001-01-01T00:00:00Z"}}"#.to_owned(),
        ),
    ];
    for (round, (what, text)) in entries.iter().enumerate() {
        context.write(DEV_ROLE_FILE, text);
        let outcome = aws_sso(&context, &["export-credentials", "--profile", "dev"]);
        assert_eq!(outcome.code, 0, "{what}: {outcome}");
        let warnings = outcome.stderr.lines().filter(|l| !l.is_empty()).count();
        let expected = usize::from(*what != "expired");
        assert_eq!(warnings, expected, "{what}: {outcome}");
        if expected == 1 {
            assert!(
                outcome
                    .stderr
                    .contains(DEV_ROLE_FILE.rsplit('/').next().unwrap()),
                "{what}: {outcome}"
            );
        }
        let entry = read_json(&context, DEV_ROLE_FILE);
        assert_eq!(
            entry["Credentials"]["AccessKeyId"],
            outcome.json()["AccessKeyId"],
            "{what}"
        );
        assert_eq!(entry["Credentials"]["AccountId"], "111111111111", "{what}");
        assert_eq!(
            get_role_credentials_calls(&emulator),
            round as u64 + 1,
            "{what}"
        );
    }
}

/// A bash child that fetches its credentials endpoint once and prints the HTTP status line and
/// body (bash's `/dev/tcp`, so the test needs no HTTP client).
const FETCH: &str = r#"
fetch() {
  local rest=${AWS_CONTAINER_CREDENTIALS_FULL_URI#http://}; local hostport=${rest%%/*}
  exec 3<>"/dev/tcp/${hostport%:*}/${hostport#*:}"
  printf 'GET / HTTP/1.1\r\nHost: %s\r\nAuthorization: %s\r\nConnection: close\r\n\r\n' "$hostport" "$1" >&3
  local status; read -r status <&3; echo "${status%$'\r'}"
  sed -e '1,/^\r$/d' <&3; echo; exec 3<&-
}
"#;

#[test]
fn ecs_server_serves_the_child_instead_of_environment_keys() {
    let (_emulator, mut context) = setup(&["--auto-approve", "demo"]);
    login(&context, &["--profile", "dev"]);
    context.env("AWS_ACCESS_KEY_ID", "AKIASTALE");
    let script = format!(
        "{FETCH}\necho \"uri=$AWS_CONTAINER_CREDENTIALS_FULL_URI key=${{AWS_ACCESS_KEY_ID:-none}} token_length=${{#AWS_CONTAINER_AUTHORIZATION_TOKEN}}\"\nfetch \"$AWS_CONTAINER_AUTHORIZATION_TOKEN\"\nfetch wrong\nexit 7"
    );
    let outcome = aws_sso(
        &context,
        &[
            "exec",
            "--profile",
            "dev",
            "--ecs-server",
            "--",
            "bash",
            "-c",
            &script,
        ],
    );
    assert_eq!(outcome.code, 7, "{outcome}");
    let lines: Vec<&str> = outcome.stdout.lines().collect();
    assert!(lines[0].starts_with("uri=http://127.0.0.1:"), "{outcome}");
    assert!(
        lines[0].ends_with("/ key=none token_length=43"),
        "{outcome}"
    );
    assert_eq!(lines[1], "HTTP/1.1 200 OK", "{outcome}");
    let served: Value = serde_json::from_str(lines[2]).unwrap();
    let cached = read_json(&context, DEV_ROLE_FILE)["Credentials"].clone();
    assert_eq!(served["AccessKeyId"], cached["AccessKeyId"]);
    assert_eq!(served["Token"], cached["SessionToken"]);
    assert_eq!(served["Expiration"], cached["Expiration"]);
    assert_eq!(served["AccountId"], "111111111111");
    assert_eq!(lines[3], "HTTP/1.1 403 Forbidden", "{outcome}");
}

#[test]
fn ecs_server_passes_sigterm_on_and_ends_as_the_child_ended() {
    let (_emulator, context) = setup(&["--auto-approve", "demo"]);
    login(&context, &["--profile", "dev"]);
    // To aws-sso's pid: it must survive, pass the signal on, and end as the child did.
    assert_signals_reach_the_command(&context, &["--ecs-server"]);
}

#[test]
fn ecs_server_reports_a_renewal_it_cannot_make_to_the_client_and_once_on_stderr() {
    // Role credentials live 1 s, so every request needs a new GetRoleCredentials.
    let (emulator, context) = setup(&["--auto-approve", "demo", "--role-credentials-ttl", "1"]);
    login(&context, &["--profile", "dev"]);
    let script = format!(
        "{FETCH}\nfetch \"$AWS_CONTAINER_AUTHORIZATION_TOKEN\"\necho waiting\nread -r _\nfetch \"$AWS_CONTAINER_AUTHORIZATION_TOKEN\"\nfetch \"$AWS_CONTAINER_AUTHORIZATION_TOKEN\""
    );
    let mut child = context
        .command(env!("CARGO_BIN_EXE_aws-sso"))
        .args([
            "exec",
            "--profile",
            "dev",
            "--ecs-server",
            "--",
            "bash",
            "-c",
            &script,
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut head = String::new();
    for _ in 0..3 {
        std::io::BufRead::read_line(&mut stdout, &mut head).unwrap();
    }
    assert!(
        head.starts_with("HTTP/1.1 200 OK\n") && head.ends_with("waiting\n"),
        "{head}"
    );
    let token = read_json(&context, crate::support::SESSION_TOKEN_FILE);
    emulator.control(
        "POST",
        "sessions/revoke",
        Some(serde_json::json!({"access_token": token["accessToken"]})),
    );
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), b"go\n").unwrap();
    let output = child.wait_with_output().unwrap();
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stdout, &mut rest).unwrap();
    let lines: Vec<&str> = rest.lines().collect();
    assert_eq!(lines[0], "HTTP/1.1 503 Service Unavailable", "{rest}");
    let body: Value = serde_json::from_str(lines[1]).unwrap();
    assert_eq!(body["code"], "CredentialsUnavailable");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("To sign in, run: aws-sso login --sso-session my-sso"),
        "{body}"
    );
    assert_eq!(lines[2], "HTTP/1.1 503 Service Unavailable", "{rest}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        stderr,
        "aws-sso exec: cannot renew the credentials: The SSO session associated with this profile has expired or is otherwise invalid. To refresh this SSO session run aws sso login with the corresponding profile. To sign in, run: aws-sso login --sso-session my-sso\n"
    );
}

#[test]
fn console_makes_a_sign_in_url_from_the_role_credentials() {
    let (emulator, mut context) = setup(&["--auto-approve", "demo"]);
    login(&context, &["--profile", "dev"]);
    context.env("AWS_ENDPOINT_URL_SIGNIN", emulator.url());
    let printed = aws_sso(
        &context,
        &["console", "--profile", "dev", "--print", "--debug"],
    );
    assert_eq!(printed.code, 0, "{printed}");
    let url = printed.stdout.trim_end();
    let prefix = format!(
        "{}/federation?Action=login&Issuer=https%3A%2F%2Fd-1234567890.awsapps.com%2Fstart&Destination=https%3A%2F%2Fconsole.aws.amazon.com%2Fconsole%2Fhome%3Fregion%3Dus-east-1&SigninToken=",
        emulator.url()
    );
    assert!(url.starts_with(&prefix), "{printed}");
    assert_eq!(emulator.counters()["GetSigninToken"], 1);
    // --debug names the call but never its query, which carries the role credentials.
    let role = read_json(&context, DEV_ROLE_FILE)["Credentials"].clone();
    for secret in ["SecretAccessKey", "SessionToken"] {
        let value = role[secret].as_str().unwrap();
        assert!(
            !printed.stderr.contains(value),
            "{secret} leaked:\n{printed}"
        );
    }
    assert!(
        printed
            .stderr_filtered()
            .contains("GetSigninToken GET [EMULATOR]/federation?… (attempt 1): 200"),
        "{printed}"
    );

    // Without --print the URL goes to the browser, and only there.
    recording_browser(&mut context, "AWS_SSO_TEST_BROWSER");
    let opened = aws_sso(
        &context,
        &[
            "console",
            "--profile",
            "dev",
            "--destination",
            "https://console.aws.amazon.com/s3/home",
        ],
    );
    assert_eq!(opened.code, 0, "{opened}");
    assert_eq!(opened.stdout, "");
    assert_eq!(
        opened.stderr,
        "Opened the AWS console as ReadOnly in account 111111111111 in your browser.\n"
    );
    let url = context.read("opened").unwrap_or_default();
    assert!(
        url.contains("&Destination=https%3A%2F%2Fconsole.aws.amazon.com%2Fs3%2Fhome&SigninToken="),
        "{url}"
    );
}

#[test]
fn console_refuses_credentials_the_service_did_not_issue() {
    let (emulator, mut context) = setup(&["--auto-approve", "demo"]);
    context.env("AWS_ENDPOINT_URL_SIGNIN", emulator.url());
    context.write(
        DEV_ROLE_FILE,
        r#"{"ProviderType": "sso", "Credentials": {"AccessKeyId": "ASIAFORGEDFORGED0000", "SecretAccessKey": "c2VjcmV0", "SessionToken": "dG9rZW4=", "Expiration": "2099-01-01T00:00:00Z", "AccountId": "111111111111"}}"#,
    );
    let outcome = aws_sso(&context, &["console", "--profile", "dev", "--print"]);
    assert_eq!(outcome.code, 254, "{outcome}");
    assert_eq!(outcome.stdout, "");
    assert_eq!(
        outcome.stderr,
        "\naws: [ERROR]: An error occurred (400) when calling the GetSigninToken operation: the session credentials are not valid or have expired\n"
    );
}

#[test]
fn an_expired_token_that_cannot_refresh_fails_with_the_fix_and_no_browser() {
    let (emulator, mut context) = setup(&["--auto-approve", "demo"]);
    login(&context, &["--profile", "legacy"]);
    let token = read_json(&context, crate::support::LEGACY_TOKEN_FILE);
    let expires: jiff::Timestamp = token["expiresAt"].as_str().unwrap().parse().unwrap();
    context.env(
        "AWS_SSO_TEST_NOW",
        &(expires + jiff::SignedDuration::from_secs(1)).to_string(),
    );
    recording_browser(&mut context, "BROWSER");
    let before = emulator.counters();
    for command in [
        &["export-credentials", "--profile", "legacy"][..],
        &["exec", "--profile", "legacy", "--", "true"],
        &["console", "--profile", "legacy", "--print"],
    ] {
        let outcome = aws_sso(&context, command);
        assert_eq!(outcome.code, 255, "{outcome}");
        assert_eq!(
            outcome.stderr,
            "\naws: [ERROR]: The SSO session associated with this profile has expired or is otherwise invalid. To refresh this SSO session run aws sso login with the corresponding profile.\nTo sign in, run: aws-sso login --profile legacy\n",
            "{command:?}"
        );
    }
    assert!(context.read("opened").is_none(), "a browser was opened");
    assert_eq!(emulator.counters(), before, "no request was made");
}

/// `exec ARGS -- sh …` with a TERM trap: SIGTERM sent to the process we started reaches the
/// command, whose exit status (3) comes back; a command killed by SIGKILL leaves the caller a
/// process killed by SIGKILL.
fn assert_signals_reach_the_command(context: &TestContext, args: &[&str]) {
    let exec = |script: &str| {
        let mut command = context.command(env!("CARGO_BIN_EXE_aws-sso"));
        command
            .args(["exec", "--profile", "dev"])
            .args(args)
            .args(["--", "sh", "-c", script]);
        command
    };
    let mut child =
        exec("trap 'echo got-term; exit 3' TERM; echo ready; while :; do sleep 0.05; done")
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
    let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    std::io::BufRead::read_line(&mut stdout, &mut line).unwrap();
    assert_eq!(line, "ready\n");
    let kill = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let status = child.wait().unwrap();
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stdout, &mut rest).unwrap();
    assert_eq!(
        (status.code(), rest.as_str()),
        (Some(3), "got-term\n"),
        "{args:?}"
    );
    let killed = exec("kill -KILL $$").status().unwrap();
    assert_eq!(killed.signal(), Some(9), "{args:?}");
}
