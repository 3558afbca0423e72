//! `roles` against the emulator: a large organisation behind a throttle, an unknown lower
//! limit, injected server errors, an interrupted run resumed, the role catalog cache, and a
//! token rejected mid-run (issue 11's proof list).

use std::collections::BTreeMap;
use std::process::Stdio;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use sso_testkit::{Emulator, TestContext};

use crate::aws_sso;
use crate::support::{SESSION_TOKEN_FILE, login, setup};

/// The role catalog of session `my-sso`: sha1("my-sso") + `.roles.json`.
const CATALOG_FILE: &str =
    ".aws/sso/aws-sso-roles/0ad374308c5a4e22f723adf10145eafad7c4031c.roles.json";

/// Roles of user `demo` in the directory's own accounts (vectors.toml), listed first.
const DIRECTORY_ROLES: usize = 4;

/// Synthetic accounts get two roles each (`--synthetic-roles` default).
const SYNTHETIC_ROLES: usize = 2;

/// The emulator with `args`, user `demo` signed in, and the request log emptied.
fn signed_in(args: &[&str]) -> (Emulator, TestContext) {
    let mut all = vec!["--auto-approve", "demo"];
    all.extend_from_slice(args);
    let (emulator, context) = setup(&all);
    login(&context, &["--profile", "dev"]);
    emulator.control("DELETE", "requests", None);
    (emulator, context)
}

/// The captured API requests.
fn requests(emulator: &Emulator) -> Vec<Value> {
    emulator.control("GET", "requests", None)["requests"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// Per account ID: the statuses of its ListAccountRoles requests, in order.
fn role_requests(requests: &[Value]) -> BTreeMap<String, Vec<u64>> {
    let mut by_account: BTreeMap<String, Vec<u64>> = BTreeMap::new();
    for request in requests {
        if request["operation"] != "ListAccountRoles" {
            continue;
        }
        let query = request["query"].as_str().unwrap();
        let account = query
            .split('&')
            .find_map(|pair| pair.strip_prefix("account_id="))
            .unwrap()
            .to_owned();
        by_account
            .entry(account)
            .or_default()
            .push(request["status"].as_u64().unwrap());
    }
    by_account
}

fn statuses(requests: &[Value], operation: &str) -> Vec<u64> {
    requests
        .iter()
        .filter(|r| r["operation"] == operation)
        .map(|r| r["status"].as_u64().unwrap())
        .collect()
}

fn count(emulator: &Emulator, operation: &str) -> u64 {
    emulator.counters()[operation].as_u64().unwrap()
}

/// Starts `aws-sso roles --profile dev` in the background and returns once the emulator has
/// answered `after` ListAccountRoles requests (bounded: a minute).
fn roles_running(emulator: &Emulator, context: &TestContext, after: u64) -> std::process::Child {
    let child = context
        .command(env!("CARGO_BIN_EXE_aws-sso"))
        .args(["roles", "--profile", "dev"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while count(emulator, "ListAccountRoles") < after {
        assert!(
            Instant::now() < deadline,
            "the listing never got to {after} accounts"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    child
}

/// Every account was answered exactly once with a 200, and every other answer was `allowed`.
fn assert_each_account_listed_once(requests: &[Value], accounts: usize, allowed: &[u64]) {
    let by_account = role_requests(requests);
    assert_eq!(by_account.len(), accounts, "accounts queried");
    for (account, statuses) in &by_account {
        let successes = statuses.iter().filter(|&&s| s == 200).count();
        assert_eq!(successes, 1, "account {account}: {statuses:?}");
        assert_eq!(
            statuses.last(),
            Some(&200),
            "account {account}: {statuses:?}"
        );
        assert!(
            statuses.iter().all(|s| *s == 200 || allowed.contains(s)),
            "account {account}: {statuses:?}"
        );
    }
}

fn roles_of(outcome: &sso_testkit::Outcome) -> Vec<Value> {
    outcome.json()["roles"].as_array().cloned().unwrap()
}

#[test]
fn two_thousand_accounts_behind_20_tps_are_listed_without_a_failure() {
    let (emulator, context) =
        signed_in(&["--synthetic-accounts", "2000", "--rate-limit", "portal=20"]);
    let outcome = aws_sso(&context, &["roles", "--profile", "dev"]);
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    assert_eq!(
        outcome.stderr, "",
        "no progress line when stderr is not a terminal"
    );
    let roles = roles_of(&outcome);
    assert_eq!(roles.len(), DIRECTORY_ROLES + 2000 * SYNTHETIC_ROLES);

    let log = requests(&emulator);
    // ListAccountRoles once per account, plus only the retries of throttled requests.
    assert_each_account_listed_once(&log, 3 + 2000, &[429]);
    // ListAccounts at the largest page size: 2,003 accounts are 21 pages.
    let pages = statuses(&log, "ListAccounts");
    assert_eq!(pages.iter().filter(|&&s| s == 200).count(), 21, "{pages:?}");
    assert!(log.iter().all(|r| r["status"] == 200 || r["status"] == 429));
    assert!(
        log.iter()
            .filter(|r| r["operation"] == "ListAccounts")
            .all(|r| r["query"].as_str().unwrap().starts_with("max_result=100")),
        "ListAccounts asks for 100 per page"
    );
}

#[test]
fn an_unknown_lower_limit_is_found_and_the_listing_completes() {
    let (emulator, context) =
        signed_in(&["--synthetic-accounts", "120", "--rate-limit", "portal=7"]);
    let outcome = aws_sso(&context, &["roles", "--profile", "dev"]);
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    assert_eq!(
        roles_of(&outcome).len(),
        DIRECTORY_ROLES + 120 * SYNTHETIC_ROLES
    );
    let log = requests(&emulator);
    assert_each_account_listed_once(&log, 123, &[429]);
    let throttled = log.iter().filter(|r| r["status"] == 429).count();
    let succeeded = log.iter().filter(|r| r["status"] == 200).count();
    // Starting at 20/s against 7/s, the limit is certainly hit; a limiter that did not adapt
    // would see about two refusals per success, an adapting one a small fraction.
    assert!(throttled > 0, "the lower limit was never reached");
    assert!(
        throttled * 3 < succeeded,
        "{throttled} throttled for {succeeded} successes: the pace did not converge"
    );
}

#[test]
fn five_percent_server_errors_are_retried_and_the_listing_completes() {
    let (emulator, context) = signed_in(&[
        "--synthetic-accounts",
        "200",
        "--error-rate",
        "0.05",
        "--seed",
        "11",
    ]);
    let outcome = aws_sso(&context, &["roles", "--profile", "dev"]);
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    assert_eq!(
        roles_of(&outcome).len(),
        DIRECTORY_ROLES + 200 * SYNTHETIC_ROLES
    );
    let log = requests(&emulator);
    assert!(
        log.iter().any(|r| r["status"] == 500),
        "the error rate produced no 500"
    );
    assert_each_account_listed_once(&log, 203, &[500]);
}

#[test]
fn an_interrupted_run_is_resumed_without_querying_any_account_twice() {
    let (emulator, context) =
        signed_in(&["--synthetic-accounts", "200", "--rate-limit", "portal=20"]);
    // Halfway: about 100 of 203 accounts.
    let child = roles_running(&emulator, &context, 100);
    let status = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let interrupted = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&interrupted.stderr);
    assert_eq!(interrupted.status.code(), Some(130), "{stderr}");
    assert!(
        stderr.starts_with("Interrupted. The roles of ")
            && stderr.contains("next `aws-sso roles` continues"),
        "{stderr}"
    );
    let saved: Value = serde_json::from_str(&context.read(CATALOG_FILE).unwrap()).unwrap();
    let pending = saved["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["roles"].is_null())
        .count();
    assert!((1..203).contains(&pending), "{pending} accounts pending");
    assert!(saved["completedAt"].is_null());

    let resumed = aws_sso(&context, &["roles", "--profile", "dev"]);
    assert_eq!(resumed.code, 0, "{resumed}");
    assert_eq!(
        roles_of(&resumed).len(),
        DIRECTORY_ROLES + 200 * SYNTHETIC_ROLES
    );
    let log = requests(&emulator);
    assert_each_account_listed_once(&log, 203, &[429]);
    assert_eq!(
        statuses(&log, "ListAccounts")
            .iter()
            .filter(|&&s| s == 200)
            .count(),
        3,
        "the account list was read once, by the first run"
    );
}

#[test]
fn a_second_run_within_the_ttl_answers_from_the_cache_without_a_request() {
    let (emulator, mut context) = signed_in(&[]);
    let first = aws_sso(&context, &["roles", "--profile", "dev"]);
    assert_eq!(first.code, 0, "{first}");
    assert_eq!(first.stderr, "");
    assert_eq!(
        first.json(),
        json!({"roles": [
            {"accountId": "111111111111", "accountName": "dev", "roleName": "AdministratorAccess"},
            {"accountId": "111111111111", "accountName": "dev", "roleName": "ReadOnly"},
            {"accountId": "222222222222", "accountName": "prod", "roleName": "ReadOnly"},
            {"accountId": "333333333333", "accountName": "audit", "roleName": "ReadOnly"},
        ]})
    );
    let calls = requests(&emulator).len();
    assert_eq!(
        calls,
        1 + 3,
        "one ListAccounts page and one ListAccountRoles per account"
    );

    // Ours alone, private, written atomically.
    use std::os::unix::fs::PermissionsExt as _;
    let mode = |relative: &str| {
        std::fs::metadata(context.path(relative))
            .unwrap()
            .permissions()
            .mode()
            & 0o777
    };
    assert_eq!(mode(CATALOG_FILE), 0o600);
    assert_eq!(mode(".aws/sso/aws-sso-roles"), 0o700);

    let second = aws_sso(&context, &["roles", "--sso-session", "my-sso"]);
    assert_eq!(second.code, 0, "{second}");
    assert_eq!(second.stdout, first.stdout);
    assert_eq!(
        requests(&emulator).len(),
        calls,
        "no request within the TTL"
    );

    // The same answer through the other renderers and --query.
    let text = aws_sso(
        &context,
        &[
            "roles",
            "--profile",
            "dev",
            "--output",
            "text",
            "--query",
            "roles[?accountName=='dev'].roleName",
        ],
    );
    assert_eq!(text.stdout, "AdministratorAccess\tReadOnly\n", "{text}");

    // --refresh lists again; an hour later the cache has expired by itself.
    let refreshed = aws_sso(&context, &["roles", "--profile", "dev", "--refresh"]);
    assert_eq!(refreshed.code, 0, "{refreshed}");
    assert_eq!(requests(&emulator).len(), 2 * calls);
    // (The access token has expired by then too, and is refreshed first.)
    context.env("AWS_SSO_TEST_NOW", &later_than_an_hour());
    let expired = aws_sso(&context, &["roles", "--profile", "dev"]);
    assert_eq!(expired.code, 0, "{expired}");
    let portal_calls = requests(&emulator)
        .iter()
        .filter(|r| r["operation"] != "CreateToken")
        .count();
    assert_eq!(portal_calls, 3 * calls);

    // Logout forgets what the signed-out identity could see.
    let logout = aws_sso(&context, &["logout"]);
    assert_eq!(logout.code, 0, "{logout}");
    assert!(context.read(CATALOG_FILE).is_none());
}

fn later_than_an_hour() -> String {
    (jiff::Timestamp::now() + jiff::SignedDuration::from_mins(61)).to_string()
}

#[test]
fn a_corrupt_catalog_is_a_miss_with_one_warning() {
    let (emulator, context) = signed_in(&[]);
    context.write(CATALOG_FILE, "{\"version\": 1, \"accounts\": [tru");
    let outcome = aws_sso(&context, &["roles", "--profile", "dev"]);
    assert_eq!(outcome.code, 0, "{outcome}");
    assert_eq!(roles_of(&outcome).len(), DIRECTORY_ROLES);
    let warnings: Vec<&str> = outcome.stderr.lines().collect();
    assert_eq!(warnings.len(), 1, "{}", outcome.stderr);
    assert!(
        warnings[0].starts_with("warning: ignored the corrupt cache file `")
            && warnings[0]
                .contains("aws-sso-roles/0ad374308c5a4e22f723adf10145eafad7c4031c.roles.json"),
        "{}",
        warnings[0]
    );
    assert_eq!(requests(&emulator).len(), 4);
    // It was replaced by a good one.
    let again = aws_sso(&context, &["roles", "--profile", "dev"]);
    assert_eq!(again.stderr, "");
    assert_eq!(requests(&emulator).len(), 4);
}

#[test]
fn a_token_rejected_mid_run_is_refreshed_once_and_never_starts_a_login() {
    let (emulator, context) =
        signed_in(&["--synthetic-accounts", "100", "--rate-limit", "portal=20"]);
    let before = std::fs::read_to_string(context.path(SESSION_TOKEN_FILE)).unwrap();
    let (logins, tokens) = (
        count(&emulator, "StartDeviceAuthorization"),
        count(&emulator, "CreateToken"),
    );
    let child = roles_running(&emulator, &context, 20);
    // Two hours pass on the service: the one-hour access token expires there, while the
    // client's clock still says it is valid; the refresh token (8-hour session) still works.
    emulator.control("POST", "clock/advance", Some(json!({"seconds": 7200})));
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    let listed: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        listed["roles"].as_array().unwrap().len(),
        DIRECTORY_ROLES + 100 * SYNTHETIC_ROLES
    );
    assert_eq!(
        count(&emulator, "CreateToken"),
        tokens + 1,
        "exactly one refresh"
    );
    assert_eq!(
        count(&emulator, "StartDeviceAuthorization"),
        logins,
        "never a login"
    );
    let after = std::fs::read_to_string(context.path(SESSION_TOKEN_FILE)).unwrap();
    assert_ne!(before, after, "the refreshed token was cached");
    assert_each_account_listed_once(&requests(&emulator), 103, &[401, 429]);
}

#[test]
fn a_token_that_cannot_be_renewed_stops_the_run_and_keeps_its_progress() {
    let (emulator, context) =
        signed_in(&["--synthetic-accounts", "100", "--rate-limit", "portal=20"]);
    let child = roles_running(&emulator, &context, 20);
    // The portal session is revoked: the access token and the refresh token both die.
    emulator.control("POST", "sessions/revoke", Some(json!({"user": "demo"})));
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(255), "{stderr}");
    assert_eq!(
        stderr,
        "\naws: [ERROR]: Error when retrieving token from sso: Token has expired and refresh failed\nTo sign in, run: aws-sso login --sso-session my-sso\n"
    );
    let saved: Value = serde_json::from_str(&context.read(CATALOG_FILE).unwrap()).unwrap();
    let listed = saved["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| !a["roles"].is_null())
        .count();
    assert!(listed >= 15, "progress kept: {listed} accounts");
}

#[test]
fn accounts_that_fail_are_named_and_the_run_exits_with_their_error() {
    let (emulator, context) = signed_in(&["--operation-error-rate", "ListAccountRoles=1"]);
    let outcome = aws_sso(&context, &["roles", "--profile", "dev"]);
    assert_eq!(outcome.code, 254, "{outcome}");
    assert_eq!(outcome.json(), json!({"roles": []}));
    let failure = |id: &str, name: &str| {
        format!(
            "warning: the roles of account {id} ({name}) could not be listed: An error occurred (500) when calling the ListAccountRoles operation (reached max retries: 4): Internal failure\n"
        )
    };
    assert_eq!(
        outcome.stderr,
        format!(
            "{}{}{}\naws: [ERROR]: An error occurred (500) when calling the ListAccountRoles operation (reached max retries: 4): Internal failure\nThe roles of 3 accounts are missing from the output above. Run the command again to retry only those.\n",
            failure("111111111111", "dev"),
            failure("222222222222", "prod"),
            failure("333333333333", "audit"),
        )
    );
    // Five attempts per account, and the catalog keeps them pending for the next run.
    let by_account = role_requests(&requests(&emulator));
    assert!(
        by_account.values().all(|s| s == &[500; 5]),
        "{by_account:?}"
    );
    let saved: Value = serde_json::from_str(&context.read(CATALOG_FILE).unwrap()).unwrap();
    assert!(saved["completedAt"].is_null());
    assert!(
        saved["accounts"]
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["roles"].is_null())
    );
}
