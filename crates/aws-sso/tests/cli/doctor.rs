//! `doctor` on a zoo of configs, caches and environments, and `--fix` keeping every other byte
//! of the config (issue 12).

use std::os::unix::fs::PermissionsExt as _;

use sso_testkit::TestContext;

use crate::aws_sso;

/// Lines of doctor's output about the machine itself (it may run in a container), which the
/// tests do not control.
fn findings(stdout: &str) -> Vec<String> {
    stdout
        .lines()
        .filter(|line| {
            !line.starts_with("note: this is a container")
                && !line.starts_with("note: there is no display")
        })
        .map(str::to_owned)
        .collect()
}

const ZOO: &str = "\
# my config; comments survive
[default]
region = eu-west-1

[profile legacy]
sso_start_url = https://d-1234567890.awsapps.com/start
sso_region   =   us-east-1
sso_account_id = 111111111111
sso_role_name = ReadOnly
  ; an indented comment inside
region = us-east-1

[profile legacy-too]
sso_start_url = https://d-1234567890.awsapps.com/start
sso_region = us-east-1
sso_account_id = 222222222222
sso_role_name = Admin
[profile uses-existing]
sso_start_url = https://d-0000000000.awsapps.com/start
sso_region = us-east-1
sso_account_id = 3
sso_role_name = R

[sso-session corp]
sso_start_url = https://d-0000000000.awsapps.com/start
sso_region = us-east-1
[sso-session corp-copy]
sso_start_url = https://d-0000000000.awsapps.com/start
sso_region = us-east-1

[sso-session vanity]
sso_start_url = https://sso.example.com/start
[profile dangling]
sso_session = nowhere
[profile half]
sso_start_url = https://d-5555555555.awsapps.com/start
[services local]
sso =
  endpoint_url = http://127.0.0.1:1
";

#[test]
fn every_config_problem_is_one_line_with_its_fix() {
    let mut context = TestContext::new();
    context.config(ZOO);
    context.env("DISPLAY", ":0");
    let outcome = aws_sso(&context, &["doctor"]);
    assert_eq!(outcome.code, 1, "{outcome}");
    assert_eq!(outcome.stderr, "");
    let expected = [
        "problem: ~/.aws/config line 5, [profile legacy]: legacy SSO settings (sso_start_url and sso_region in the profile) give tokens that never refresh, so a new sign-in every 8 hours. Fix: add [sso-session d-1234567890] with sso_start_url = https://d-1234567890.awsapps.com/start, sso_region = us-east-1, sso_registration_scopes = sso:account:access, and in [profile legacy] replace sso_start_url and sso_region with sso_session = d-1234567890 (`aws-sso doctor --fix` does exactly this)",
        "problem: ~/.aws/config line 13, [profile legacy-too]: legacy SSO settings (sso_start_url and sso_region in the profile) give tokens that never refresh, so a new sign-in every 8 hours. Fix: use the existing [sso-session d-1234567890]: in [profile legacy-too] replace sso_start_url and sso_region with sso_session = d-1234567890 (`aws-sso doctor --fix` does exactly this)",
        "problem: ~/.aws/config line 18, [profile uses-existing]: legacy SSO settings (sso_start_url and sso_region in the profile) give tokens that never refresh, so a new sign-in every 8 hours. Fix: use the existing [sso-session corp]: in [profile uses-existing] replace sso_start_url and sso_region with sso_session = corp (`aws-sso doctor --fix` does exactly this)",
        "note: ~/.aws/config line 31, [sso-session vanity]: https://sso.example.com/start is a vanity start URL. aws-sso and AWS CLI v2 (2.35.13 and later) resolve it with one extra request per sign-in, but older AWS CLIs and the SDKs send it as is; if they fail to sign in, set sso_start_url to the https://….awsapps.com/start address it redirects to",
        "problem: ~/.aws/config line 31, [sso-session vanity]: no sso_region. Fix: add sso_region = REGION (the region of your IAM Identity Center, shown in its settings)",
        "problem: ~/.aws/config: [sso-session corp], [sso-session corp-copy] all use https://d-0000000000.awsapps.com/start, so each signs in and caches a token separately. Fix: keep one and point the profiles of the others at it with sso_session",
        "problem: ~/.aws/config line 33, [profile dangling]: sso_session = nowhere, but there is no [sso-session nowhere]. Fix: add that section (`aws-sso configure sso-session --sso-session nowhere`) or correct the name",
        "problem: ~/.aws/config line 35, [profile half]: legacy SSO settings without sso_region. Fix: add sso_region, or better, move the profile to an sso-session (`aws-sso configure sso --profile half`)",
        "7 problems found; `aws-sso doctor --fix` fixes the legacy profiles and file permissions.",
    ];
    assert_eq!(findings(&outcome.stdout), expected, "{outcome}");
}

#[test]
fn fix_moves_legacy_profiles_to_sessions_and_keeps_every_other_byte() {
    let mut context = TestContext::new();
    context.config(ZOO);
    context.env("DISPLAY", ":0");
    let config = context.path(".aws/config");
    std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o640)).unwrap();
    let outcome = aws_sso(&context, &["doctor", "--fix"]);
    assert_eq!(outcome.code, 1, "{outcome}");
    let lines = findings(&outcome.stdout);
    assert!(lines.contains(&"fixed: [profile legacy] now uses [sso-session d-1234567890]; sign in once with `aws-sso login --sso-session d-1234567890` for tokens that refresh themselves".to_owned()), "{outcome}");
    assert_eq!(lines.last().unwrap(), "4 problems left to fix by hand.");
    let expected = ZOO
        .replace(
            "sso_start_url = https://d-1234567890.awsapps.com/start\nsso_region   =   us-east-1\n",
            "sso_session = d-1234567890\n",
        )
        .replace(
            "sso_start_url = https://d-1234567890.awsapps.com/start\nsso_region = us-east-1\nsso_account_id = 222222222222",
            "sso_session = d-1234567890\nsso_account_id = 222222222222",
        )
        .replace(
            "sso_start_url = https://d-0000000000.awsapps.com/start\nsso_region = us-east-1\nsso_account_id = 3",
            "sso_session = corp\nsso_account_id = 3",
        )
        + "[sso-session d-1234567890]\nsso_start_url = https://d-1234567890.awsapps.com/start\nsso_region = us-east-1\nsso_registration_scopes = sso:account:access\n";
    assert_eq!(context.read(".aws/config").unwrap(), expected);
    assert_eq!(
        std::fs::metadata(&config).unwrap().permissions().mode() & 0o777,
        0o640,
        "the file keeps its mode"
    );
    // The moved profiles now resolve through their sessions: nothing legacy is left to report.
    let again = aws_sso(&context, &["doctor", "--fix"]);
    assert!(
        !again
            .stdout
            .contains("legacy SSO settings (sso_start_url and sso_region"),
        "{again}"
    );
    assert_eq!(
        context.read(".aws/config").unwrap(),
        expected,
        "a second --fix changes nothing"
    );
}

#[test]
fn tokens_other_sdks_cannot_read_and_loose_permissions_are_found_and_fixed() {
    let mut context = TestContext::new();
    context.config("[sso-session s]\nsso_start_url = https://d-1234567890.awsapps.com/start\nsso_region = us-east-1\n");
    context.env("DISPLAY", ":0");
    context.write(
        ".aws/sso/cache/aaaa.json",
        r#"{"startUrl": "https://d-1234567890.awsapps.com/start", "region": "us-east-1", "accessToken": "secret-token-value", "expiresAt": "2030-01-01T00:00:00+00:00", "registrationExpiresAt": "2030-01-01T00:00:00UTC"}"#,
    );
    let dir = context.path(".aws/sso/cache");
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    let file = dir.join("aaaa.json");
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    let outcome = aws_sso(&context, &["doctor"]);
    assert_eq!(outcome.code, 1, "{outcome}");
    assert!(!outcome.stdout.contains("secret-token-value"), "{outcome}");
    let lines = findings(&outcome.stdout);
    assert_eq!(
        lines,
        [
            "problem: ~/.aws/sso/cache/aaaa.json (the token for https://d-1234567890.awsapps.com/start): expiresAt is \"2030-01-01T00:00:00+00:00\", which the AWS SDKs for Rust, Go and JavaScript cannot read (they take only UTC times ending in Z), so they ignore the sign-in. Fix: sign in again with aws-sso login, which writes …Z times",
            "problem: ~/.aws/sso/cache/aaaa.json (the token for https://d-1234567890.awsapps.com/start): registrationExpiresAt is \"2030-01-01T00:00:00UTC\", which the AWS SDKs for Rust, Go and JavaScript cannot read (they take only UTC times ending in Z), so they ignore the sign-in. Fix: sign in again with aws-sso login, which writes …Z times",
            "problem: ~/.aws/sso/cache is 755: other users can list the cached tokens and credentials. Fix: chmod 700 ~/.aws/sso/cache",
            "problem: ~/.aws/sso/cache/aaaa.json is 644: other users can read the token or credentials in it. Fix: chmod 600 ~/.aws/sso/cache/aaaa.json",
            "4 problems found; `aws-sso doctor --fix` fixes the legacy profiles and file permissions.",
        ],
        "{outcome}"
    );
    let fixed = aws_sso(&context, &["doctor", "--fix"]);
    assert_eq!(fixed.code, 1, "{fixed}");
    assert_eq!(
        std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777,
        0o700
    );
    assert_eq!(
        std::fs::metadata(&file).unwrap().permissions().mode() & 0o777,
        0o600
    );
    assert_eq!(
        findings(&fixed.stdout).last().unwrap(),
        "2 problems left to fix by hand."
    );
}

#[test]
fn a_ca_bundle_without_certificates_and_an_unusable_proxy_are_problems() {
    let mut context = TestContext::new();
    context.config("[default]\nregion = us-east-1\n");
    context.write("bundle.pem", "not a certificate\n");
    let bundle = context.path("bundle.pem").display().to_string();
    context
        .env("AWS_CA_BUNDLE", &bundle)
        .env("HTTPS_PROXY", "socks5://user:pw@proxy.example:1080")
        .env("DISPLAY", ":0");
    let outcome = aws_sso(&context, &["doctor"]);
    assert_eq!(outcome.code, 1, "{outcome}");
    assert!(
        !outcome.stdout.contains("user:pw"),
        "proxy credentials are masked: {outcome}"
    );
    assert_eq!(
        findings(&outcome.stdout_filtered()),
        [
            "problem: the CA bundle [HOME]/bundle.pem (from --ca-bundle, AWS_CA_BUNDLE or ca_bundle) has no PEM certificate (-----BEGIN CERTIFICATE-----) in it, so every HTTPS request will fail. Fix: point it at a PEM file of your CA certificates, or unset it",
            "problem: the HTTPS proxy socks5://***:***@proxy.example:1080 (from https_proxy, HTTPS_PROXY or ALL_PROXY) cannot work: its scheme socks5:// is not supported (use an http:// or https:// proxy). Fix: correct or unset it",
            "2 problems found; `aws-sso doctor --fix` fixes the legacy profiles and file permissions.",
        ],
        "{outcome}"
    );
}

#[test]
fn a_clean_setup_has_no_problems_and_notes_the_ssh_session() {
    let mut context = TestContext::new();
    context.config("[profile dev]\nsso_session = s\nsso_account_id = 1\nsso_role_name = R\n[sso-session s]\nsso_start_url = https://d-1234567890.awsapps.com/start\nsso_region = us-east-1\n");
    context
        .env("SSH_CONNECTION", "10.0.0.2 50000 10.0.0.1 22")
        .env("DISPLAY", ":0");
    let outcome = aws_sso(&context, &["doctor"]);
    assert_eq!(outcome.code, 0, "{outcome}");
    let lines = findings(&outcome.stdout);
    assert_eq!(lines.len(), 2, "{outcome}");
    assert!(lines[0].starts_with("note: this is an SSH session: the browser of a PKCE sign-in must reach 127.0.0.1 on this machine. Use `aws-sso login --use-device-code`"), "{outcome}");
    assert!(lines[1].starts_with("No problems found ("), "{outcome}");
}
