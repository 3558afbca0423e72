//! `status`: the report over every kind of cached token (absent, valid, expiring and
//! refreshable, expired, corrupt), its exit status, the prompt line, the sign-in record that
//! login writes, and `--verify` against the emulator.

use serde_json::{Value, json};
use sso_testkit::TestContext;

use crate::aws_sso;
use crate::support::{CONFIG, LEGACY_TOKEN_FILE, SESSION_TOKEN_FILE, START_URL, login, setup};

/// "Now" in these tests.
const NOW: &str = "2026-12-03T12:00:00Z";

/// A refreshable sso-session token expiring at `expires_at`.
fn session_token(expires_at: &str) -> String {
    json!({
        "startUrl": START_URL,
        "region": "us-east-1",
        "accessToken": "aoa-secret",
        "expiresAt": expires_at,
        "clientId": "cid",
        "clientSecret": "csecret",
        "registrationExpiresAt": "2027-01-01T00:00:00Z",
        "refreshToken": "rt-secret",
    })
    .to_string()
}

/// A legacy (non-refreshable) token.
fn legacy_token(expires_at: &str) -> String {
    json!({"startUrl": START_URL, "region": "us-east-1", "accessToken": "aoa-legacy", "expiresAt": expires_at})
        .to_string()
}

fn context() -> TestContext {
    let mut context = TestContext::new();
    context.config(CONFIG);
    context.env("AWS_SSO_TEST_NOW", NOW);
    context
}

fn sessions(outcome: &sso_testkit::Outcome) -> Vec<Value> {
    outcome.json()["sessions"].as_array().cloned().unwrap()
}

#[test]
fn every_configured_sign_in_is_reported_without_a_request() {
    let context = context();
    context.write(SESSION_TOKEN_FILE, &session_token("2026-12-03T12:10:00Z"));
    context.write(LEGACY_TOKEN_FILE, &legacy_token("2026-12-03T11:00:00Z"));
    // Session `other` has no token.
    let outcome = aws_sso(&context, &["status"]);
    assert_eq!(outcome.code, 1, "a sign-in is needed: {outcome}");
    assert_eq!(outcome.stderr, "");
    assert_eq!(
        outcome.json(),
        json!({"sessions": [
            {
                "name": "sso-session my-sso",
                "startUrl": START_URL,
                "region": "us-east-1",
                "status": "expiring",
                "expiresAt": "2026-12-03T12:10:00Z",
                "canRefresh": true,
                "registrationExpiresAt": "2027-01-01T00:00:00Z",
                "sessionStartedAt": null,
                "sessionEndsAt": null,
            },
            {
                "name": "sso-session other",
                "startUrl": START_URL,
                "region": "us-east-1",
                "status": "absent",
                "expiresAt": null,
                "canRefresh": false,
                "registrationExpiresAt": null,
                "sessionStartedAt": null,
                "sessionEndsAt": null,
            },
            {
                "name": "profile legacy",
                "startUrl": START_URL,
                "region": "us-east-1",
                "status": "expired",
                "expiresAt": "2026-12-03T11:00:00Z",
                "canRefresh": false,
                "registrationExpiresAt": null,
                "sessionStartedAt": null,
                "sessionEndsAt": null,
            },
        ]})
    );
    assert!(
        !outcome.stdout.contains("secret"),
        "no token is ever printed"
    );
    let prompt = aws_sso(&context, &["status", "--prompt"]);
    assert_eq!(
        prompt.stdout,
        "my-sso ok  other signed-out  legacy expired\n"
    );
    assert_eq!(prompt.code, 1);
}

#[test]
fn the_exit_status_says_whether_a_sign_in_is_needed() {
    for (token, status, code) in [
        (Some(session_token("2026-12-03T20:00:00Z")), "valid", 0),
        (Some(session_token("2026-12-03T12:05:00Z")), "expiring", 0),
        // Expired, but the refresh token and registration still work.
        (
            Some(session_token("2026-12-03T11:00:00Z")),
            "refreshable",
            0,
        ),
        (None, "absent", 1),
        (Some("{\"accessToken\": tru".to_owned()), "invalid", 1),
        (
            Some(json!({"startUrl": START_URL}).to_string()),
            "invalid",
            1,
        ),
    ] {
        let context = context();
        if let Some(token) = &token {
            context.write(SESSION_TOKEN_FILE, token);
        }
        let outcome = aws_sso(&context, &["status", "--sso-session", "my-sso"]);
        assert_eq!(outcome.code, code, "{status}: {outcome}");
        assert_eq!(sessions(&outcome)[0]["status"], status, "{outcome}");
        assert_eq!(sessions(&outcome).len(), 1);
    }
    // A profile selects its own sign-in.
    let context = context();
    context.write(LEGACY_TOKEN_FILE, &legacy_token("2026-12-03T13:00:00Z"));
    let outcome = aws_sso(&context, &["status", "--profile", "legacy"]);
    assert_eq!(outcome.code, 0, "{outcome}");
    assert_eq!(sessions(&outcome)[0]["status"], "valid");
    let prompt = aws_sso(&context, &["status", "--profile", "legacy", "--prompt"]);
    assert_eq!(prompt.stdout, "legacy 1h00m\n");
}

#[test]
fn login_records_when_the_sign_in_began_and_status_estimates_its_end() {
    let (_emulator, mut context) = setup(&["--auto-approve", "demo"]);
    context.config(&format!(
        "{CONFIG}\n[sso-session long]\nsso_start_url = {START_URL}\nsso_region = us-east-1\nsso_registration_scopes = sso:account:access\nsso_session_duration = 12h\n"
    ));
    context.env("AWS_SSO_TEST_NOW", NOW);
    login(&context, &["--sso-session", "my-sso"]);
    login(&context, &["--sso-session", "long"]);
    let outcome = aws_sso(&context, &["status"]);
    let report = sessions(&outcome);
    let by_name = |name: &str| {
        report
            .iter()
            .find(|s| s["name"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("{name}: {outcome}"))
    };
    assert_eq!(by_name("sso-session my-sso")["sessionStartedAt"], NOW);
    assert_eq!(
        by_name("sso-session my-sso")["sessionEndsAt"],
        "2026-12-03T20:00:00Z"
    );
    assert_eq!(
        by_name("sso-session long")["sessionEndsAt"],
        "2026-12-04T00:00:00Z"
    );
    assert_eq!(by_name("sso-session long")["status"], "valid");
    let prompt = aws_sso(&context, &["status", "--sso-session", "long", "--prompt"]);
    assert_eq!(prompt.stdout, "long 12h00m\n");
    // After the portal session's end, the refresh token is dead too.
    context.env("AWS_SSO_TEST_NOW", "2026-12-03T21:00:00Z");
    let late = aws_sso(&context, &["status", "--sso-session", "my-sso"]);
    assert_eq!(late.code, 1, "{late}");
    assert_eq!(sessions(&late)[0]["status"], "expired");
    assert_eq!(sessions(&late)[0]["canRefresh"], false);
    // Logout forgets the record with the token.
    let logout = aws_sso(&context, &["logout"]);
    assert_eq!(logout.code, 0, "{logout}");
    let after = aws_sso(&context, &["status", "--sso-session", "my-sso"]);
    assert_eq!(sessions(&after)[0]["sessionStartedAt"], Value::Null);
}

#[test]
fn a_bad_session_duration_names_the_file_section_and_fix() {
    let context = context();
    context.config(&format!("{CONFIG}\n[sso-session odd]\nsso_start_url = {START_URL}\nsso_region = us-east-1\nsso_session_duration = forever\n"));
    let outcome = aws_sso(&context, &["status", "--sso-session", "odd"]);
    assert_eq!(outcome.code, 253, "{outcome}");
    assert!(
        outcome.stderr_filtered().contains(
            "sso_session_duration = forever in [sso-session odd] of [HOME]/.aws/config is not a duration: write it as 8h, 90m, 2d or a number of seconds"
        ),
        "{outcome}"
    );
}

#[test]
fn verify_proves_the_token_with_one_call_and_reports_a_rejected_one() {
    let (emulator, context) = setup(&["--auto-approve", "demo"]);
    login(&context, &["--profile", "dev"]);
    let before = emulator.counters()["ListAccounts"].as_u64().unwrap();
    let outcome = aws_sso(&context, &["status", "--sso-session", "my-sso", "--verify"]);
    assert_eq!(outcome.code, 0, "{outcome}");
    assert_eq!(sessions(&outcome)[0]["verified"], true);
    assert_eq!(
        emulator.counters()["ListAccounts"].as_u64().unwrap(),
        before + 1
    );
    emulator.control("POST", "sessions/revoke", Some(json!({"user": "demo"})));
    let revoked = aws_sso(&context, &["status", "--sso-session", "my-sso", "--verify"]);
    assert_eq!(revoked.code, 1, "{revoked}");
    let report = &sessions(&revoked)[0];
    assert_eq!(report["status"], "rejected");
    assert_eq!(report["verified"], false);
    assert!(
        report["verifyError"].as_str().unwrap().starts_with(
            "An error occurred (UnauthorizedException) when calling the ListAccounts operation"
        ),
        "{report}"
    );
}
