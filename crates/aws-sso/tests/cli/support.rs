//! Shared set-up for tests that talk to the emulator.

use sso_testkit::{Emulator, Outcome, TestContext};

use crate::aws_sso;

/// The start URL of `testdata/emulator/vectors.toml`, used in the spec's test vectors.
pub(crate) const START_URL: &str = "https://d-1234567890.awsapps.com/start";

/// sha1("my-sso"): the token file of the `my-sso` session (spec §2.7).
pub(crate) const SESSION_TOKEN_FILE: &str =
    ".aws/sso/cache/0ad374308c5a4e22f723adf10145eafad7c4031c.json";

/// sha1(START_URL): the token file of a legacy profile (spec §2.7).
pub(crate) const LEGACY_TOKEN_FILE: &str =
    ".aws/sso/cache/7487b5b67d5fa1132cf33fa93ae51ef38cc37752.json";

/// The legacy registration file for START_URL in us-east-1 (spec §2.7).
pub(crate) const LEGACY_REGISTRATION_FILE: &str =
    ".aws/sso/cache/365414a68be7c9bfc776c660981dbdbd942acea4.json";

/// The config every emulator test uses.
pub(crate) const CONFIG: &str = "\
[profile dev]
sso_session = my-sso
sso_account_id = 111111111111
sso_role_name = ReadOnly
region = us-east-1

[profile legacy]
sso_start_url = https://d-1234567890.awsapps.com/start
sso_region = us-east-1
sso_account_id = 111111111111
sso_role_name = ReadOnly

[sso-session my-sso]
sso_start_url = https://d-1234567890.awsapps.com/start
sso_region = us-east-1
sso_registration_scopes = sso:account:access

[sso-session other]
sso_start_url = https://d-1234567890.awsapps.com/start
sso_region = us-east-1
sso_registration_scopes = sso:account:access
";

/// The emulator with the test-vector directory, and a sandbox pointed at it.
pub(crate) fn setup(emulator_args: &[&str]) -> (Emulator, TestContext) {
    let directory = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../testdata/emulator/vectors.toml"
    );
    let mut args = vec!["--directory", directory];
    args.extend_from_slice(emulator_args);
    let emulator = Emulator::start(&args);
    let mut context = TestContext::new();
    context.config(CONFIG);
    context
        .env("AWS_ENDPOINT_URL_SSO", emulator.url())
        .env("AWS_ENDPOINT_URL_SSO_OIDC", emulator.url())
        .filter(emulator.url(), "[EMULATOR]");
    (emulator, context)
}

/// Logs `profile` in silently (the emulator auto-approves device codes).
pub(crate) fn login(context: &TestContext, args: &[&str]) -> Outcome {
    let mut all = vec!["login", "--no-browser", "--use-device-code"];
    all.extend_from_slice(args);
    let outcome = aws_sso(context, &all);
    assert_eq!(outcome.code, 0, "{outcome}");
    outcome
}

/// Points `variable` (`BROWSER` or the test hook `AWS_SSO_TEST_BROWSER`) at a script that writes
/// the URL it is given to `~/opened`, so a test can see whether, and what, a browser was asked
/// to open. Openers are waited for (up to a second), so the file is there when aws-sso exits.
pub(crate) fn recording_browser(context: &mut TestContext, variable: &str) {
    use std::os::unix::fs::PermissionsExt as _;
    context.write(
        "bin/browser",
        "#!/bin/sh\nprintf '%s' \"$1\" > \"$HOME/opened\"\n",
    );
    let script = context.path("bin/browser");
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    context.env(variable, script.to_str().unwrap());
}

/// Reads a cache file as JSON.
pub(crate) fn read_json(context: &TestContext, relative: &str) -> serde_json::Value {
    let text = context
        .read(relative)
        .unwrap_or_else(|| panic!("{relative} does not exist"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{relative}: {e}: {text}"))
}

/// Asserts that no secret the emulator issued appears in the output.
pub(crate) fn assert_no_secrets(emulator: &Emulator, outcome: &Outcome) {
    for secret in emulator.issued_secrets() {
        assert!(
            !outcome.stdout.contains(&secret) && !outcome.stderr.contains(&secret),
            "a secret leaked into the output:\n{outcome}"
        );
    }
}
