//! `aws-sso logout` (spec cli-behavior §5, plus per-session logout).

use crate::aws_sso;
use crate::support::*;

const ROLE_CREDS: &str = ".aws/cli/cache/7656329665c70f26bb8dc6f65f498aa9de8da4e0.json";
const ASSUME_ROLE_CREDS: &str = ".aws/cli/cache/assume-role.json";

fn seed_cli_cache(context: &sso_testkit::TestContext) {
    context.write(
        ROLE_CREDS,
        r#"{"ProviderType": "sso", "Credentials": {"AccessKeyId": "ASIA", "SecretAccessKey": "s", "SessionToken": "t", "Expiration": "2099-01-01T00:00:00Z", "AccountId": "111111111111"}}"#,
    );
    context.write(
        ASSUME_ROLE_CREDS,
        r#"{"Credentials": {"AccessKeyId": "AKIA"}}"#,
    );
}

#[test]
fn logout_ends_every_session_and_keeps_registrations() {
    let (emulator, context) = setup(&["--auto-approve", "demo"]);
    login(&context, &["--profile", "dev"]);
    login(&context, &["--profile", "legacy"]);
    seed_cli_cache(&context);
    let token = read_json(&context, SESSION_TOKEN_FILE)["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();

    let outcome = aws_sso(&context, &["logout"]);
    assert_eq!(
        (
            outcome.code,
            outcome.stdout.as_str(),
            outcome.stderr.as_str()
        ),
        (0, "", "")
    );
    assert!(context.read(SESSION_TOKEN_FILE).is_none());
    assert!(context.read(LEGACY_TOKEN_FILE).is_none());
    assert!(
        context.read(LEGACY_REGISTRATION_FILE).is_some(),
        "registrations are kept"
    );
    assert!(context.read(ROLE_CREDS).is_none());
    assert!(
        context.read(ASSUME_ROLE_CREDS).is_some(),
        "non-SSO credentials are kept"
    );
    assert_eq!(emulator.counters()["Logout"], 2);

    // The session really ended on the service.
    let after = aws_sso(
        &context,
        &[
            "list-accounts",
            "--access-token",
            &token,
            "--region",
            "us-east-1",
        ],
    );
    assert_eq!(after.code, 254, "{after}");
    assert_eq!(
        after.stderr,
        "\naws: [ERROR]: An error occurred (UnauthorizedException) when calling the ListAccounts operation: Session token not found or invalid\n"
    );
}

#[test]
fn logout_with_a_profile_still_ends_every_session_as_aws_cli_v2_does() {
    let (emulator, context) = setup(&["--auto-approve", "demo"]);
    login(&context, &["--profile", "dev"]);
    login(&context, &["--sso-session", "other"]);
    seed_cli_cache(&context);
    let outcome = aws_sso(&context, &["logout", "--profile", "dev"]);
    assert_eq!(outcome.code, 0, "{outcome}");
    assert!(context.read(SESSION_TOKEN_FILE).is_none());
    assert!(
        context
            .read(".aws/sso/cache/d0941e68da8f38151ff86a61fc59f7c5cf9fcaa2.json")
            .is_none(),
        "the other session was left signed in"
    );
    assert!(context.read(ROLE_CREDS).is_none());
    assert_eq!(emulator.counters()["Logout"], 2);
}

#[test]
fn logout_of_one_session_keeps_the_others() {
    let (emulator, context) = setup(&["--auto-approve", "demo"]);
    login(&context, &["--profile", "dev"]);
    login(&context, &["--sso-session", "other"]);
    seed_cli_cache(&context);
    let outcome = aws_sso(&context, &["logout", "--sso-session", "my-sso"]);
    assert_eq!(outcome.code, 0, "{outcome}");
    assert!(context.read(SESSION_TOKEN_FILE).is_none());
    // sha1("other"): the other session is still signed in.
    assert!(
        context
            .read(".aws/sso/cache/d0941e68da8f38151ff86a61fc59f7c5cf9fcaa2.json")
            .is_some()
    );
    // The role credentials of profile `dev` (session my-sso) are gone, others stay.
    assert!(context.read(ROLE_CREDS).is_none());
    assert!(context.read(ASSUME_ROLE_CREDS).is_some());
    assert_eq!(emulator.counters()["Logout"], 1);
}

#[test]
fn a_network_failure_does_not_stop_the_others() {
    let (_emulator, mut context) = setup(&["--auto-approve", "demo"]);
    login(&context, &["--profile", "dev"]);
    login(&context, &["--profile", "legacy"]);
    // Nothing listens on port 9 of loopback.
    context.env("AWS_ENDPOINT_URL_SSO", "http://127.0.0.1:9");
    let outcome = aws_sso(&context, &["logout"]);
    assert_eq!(outcome.code, 0, "{outcome}");
    assert_eq!(outcome.stdout, "");
    assert_eq!(
        outcome
            .stderr
            .matches("warning: could not end the session")
            .count(),
        2,
        "{outcome}"
    );
    // Named as the user knows them, not by cache-file hash.
    assert!(
        outcome
            .stderr
            .contains("warning: could not end the session of sso-session my-sso on the service (Could not connect to the endpoint URL: "),
        "{outcome}"
    );
    assert!(
        outcome.stderr.contains(
            "warning: could not end the session of https://d-1234567890.awsapps.com/start on the service ("
        ),
        "{outcome}"
    );
    assert!(context.read(SESSION_TOKEN_FILE).is_none());
    assert!(context.read(LEGACY_TOKEN_FILE).is_none());
}

#[test]
fn logout_signs_out_and_removes_what_an_interrupted_write_left() {
    let (emulator, context) = setup(&["--auto-approve", "demo"]);
    login(&context, &["--profile", "dev"]);
    // A writer killed between writing and renaming: the whole token sits in a temp file.
    let token = context.read(SESSION_TOKEN_FILE).unwrap();
    let access_token = crate::support::read_json(&context, SESSION_TOKEN_FILE)["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    std::fs::remove_file(context.path(SESSION_TOKEN_FILE)).unwrap();
    context.write(".aws/sso/cache/.aws-sso-Xk3Qz.tmp", &token);
    context.write(
        ".aws/cli/cache/.aws-sso-half.tmp",
        "{\"ProviderType\": \"sso\", \"Cred",
    );
    let outcome = aws_sso(&context, &["logout"]);
    assert_eq!(outcome.code, 0, "{outcome}");
    assert!(context.read(".aws/sso/cache/.aws-sso-Xk3Qz.tmp").is_none());
    assert!(context.read(".aws/cli/cache/.aws-sso-half.tmp").is_none());
    assert_eq!(emulator.counters()["Logout"], 1);
    // The session the temp file held is over on the service too.
    let after = aws_sso(
        &context,
        &[
            "list-accounts",
            "--access-token",
            &access_token,
            "--region",
            "us-east-1",
        ],
    );
    assert_eq!(after.code, 254, "{after}");
}
