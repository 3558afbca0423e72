//! The enumeration engine on a scripted transport, with one worker so the order of requests is
//! the script's: paging, the retry classes, the one token renewal, failures that stay with
//! their account, and interrupts. (Concurrency, real throttles and resuming are proven against
//! the emulator in the binary's CLI tests.)

use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::AtomicBool;

use serde_json::json;
use sso_auth::AuthError;
use sso_auth::enumerate::{EnumerationError, Enumerator, Progress};
use sso_client::ClientError;
use sso_core::Secret;

use crate::support::{RecordingSleeper, ScriptedTransport, portal};

const ACCOUNTS: &str = "/assignment/accounts";
const ROLES: &str = "/assignment/roles";

type Results = Vec<(usize, Result<Vec<String>, ClientError>)>;

fn accounts(ids: &[&str], next: Option<&str>) -> serde_json::Value {
    let list: Vec<_> = ids
        .iter()
        .map(|id| json!({"accountId": id, "accountName": format!("name-{id}"), "emailAddress": "a@example.com"}))
        .collect();
    json!({"accountList": list, "nextToken": next})
}

fn roles(names: &[&str]) -> serde_json::Value {
    let list: Vec<_> = names
        .iter()
        .map(|name| json!({"roleName": name, "accountId": "x"}))
        .collect();
    json!({"roleList": list})
}

fn throttled(transport: &ScriptedTransport) {
    transport.reply(
        ROLES,
        429,
        Some("TooManyRequestsException"),
        json!({"message": "Rate exceeded"}),
    );
}

fn server_error(transport: &ScriptedTransport) {
    transport.reply(ROLES, 500, None, json!({"message": "Internal failure"}));
}

fn unauthorized(transport: &ScriptedTransport) {
    transport.reply(
        ROLES,
        401,
        Some("UnauthorizedException"),
        json!({"message": "Session token not found or invalid"}),
    );
}

/// Runs `list_roles` over `ids` with one worker; returns the results and how often the token
/// was renewed.
fn list(
    transport: &Arc<ScriptedTransport>,
    ids: &[&str],
    cancel: bool,
) -> (Results, Result<(), EnumerationError>, usize) {
    let sleeper = RecordingSleeper::new();
    let client = portal(transport, &sleeper);
    let renewals = Mutex::new(0);
    let renew = |_: &Secret<String>| -> Result<Secret<String>, AuthError> {
        *renewals.lock().unwrap() += 1;
        Ok(Secret::new("fresh-token".to_owned()))
    };
    let cancel = AtomicBool::new(cancel);
    let enumerator = Enumerator::new(
        &client,
        sleeper.as_ref(),
        Secret::new("old-token".to_owned()),
        &renew,
        &cancel,
        20.0,
        1,
    );
    let ids: Vec<String> = ids.iter().map(|id| (*id).to_owned()).collect();
    let mut results = Vec::new();
    let mut progress: Vec<Progress> = Vec::new();
    let outcome = enumerator.list_roles(
        &ids,
        &mut |index, result| results.push((index, result)),
        &mut |p| progress.push(*p),
    );
    let last = progress.last().expect("progress is reported at the end");
    assert_eq!((last.total, last.done), (ids.len(), results.len()));
    let renewed = *renewals.lock().unwrap();
    (results, outcome, renewed)
}

fn names(result: &Result<Vec<String>, ClientError>) -> Vec<String> {
    result.as_ref().expect("roles").clone()
}

#[test]
fn accounts_are_read_at_the_largest_page_size_across_pages() {
    let transport = ScriptedTransport::new();
    transport
        .ok(ACCOUNTS, accounts(&["1", "2"], Some("page-2")))
        .ok(ACCOUNTS, accounts(&["3"], None));
    let sleeper = RecordingSleeper::new();
    let client = portal(&transport, &sleeper);
    let renew = |_: &Secret<String>| -> Result<Secret<String>, AuthError> { unreachable!() };
    let cancel = AtomicBool::new(false);
    let enumerator = Enumerator::new(
        &client,
        sleeper.as_ref(),
        Secret::new("token".to_owned()),
        &renew,
        &cancel,
        20.0,
        1,
    );
    let mut seen = Vec::new();
    let listed = enumerator.list_accounts(&mut |n| seen.push(n)).unwrap();
    let ids: Vec<&str> = listed.iter().map(|a| a.account_id.as_str()).collect();
    assert_eq!(ids, ["1", "2", "3"]);
    assert_eq!(listed[0].account_name, "name-1");
    assert_eq!(seen, [2, 3]);
    let queries: Vec<String> = transport.sent().into_iter().map(|s| s.query).collect();
    assert_eq!(
        queries,
        ["max_result=100", "max_result=100&next_token=page-2"]
    );
    transport.assert_done();
}

#[test]
fn a_failing_account_is_reported_and_the_others_are_listed_in_order() {
    let transport = ScriptedTransport::new();
    transport.ok(ROLES, roles(&["Admin", "ReadOnly"]));
    transport.reply(
        ROLES,
        403,
        Some("ForbiddenException"),
        json!({"message": "No access"}),
    );
    transport.ok(ROLES, roles(&["ReadOnly"]));
    let (results, outcome, _) = list(&transport, &["1", "2", "3"], false);
    outcome.unwrap();
    assert_eq!(results.len(), 3);
    assert_eq!(results[0].0, 0);
    assert_eq!(names(&results[0].1), ["Admin", "ReadOnly"]);
    let error = results[1].1.as_ref().unwrap_err();
    assert_eq!(error.code(), Some("ForbiddenException"));
    assert_eq!(names(&results[2].1), ["ReadOnly"]);
    let queries: Vec<String> = transport.sent().into_iter().map(|s| s.query).collect();
    assert_eq!(
        queries,
        [
            "max_result=100&account_id=1",
            "max_result=100&account_id=2",
            "max_result=100&account_id=3"
        ]
    );
    transport.assert_done();
}

#[test]
fn throttled_and_transient_failures_are_retried_and_roles_pages_followed() {
    let transport = ScriptedTransport::new();
    throttled(&transport);
    server_error(&transport);
    transport.unreachable(ROLES);
    transport.ok(
        ROLES,
        json!({"roleList": [{"roleName": "A"}], "nextToken": "more"}),
    );
    transport.ok(ROLES, roles(&["B"]));
    let (results, outcome, _) = list(&transport, &["1"], false);
    outcome.unwrap();
    assert_eq!(names(&results[0].1), ["A", "B"]);
    assert_eq!(
        transport.sent().last().unwrap().query,
        "max_result=100&next_token=more&account_id=1"
    );
    transport.assert_done();
}

#[test]
fn transient_failures_give_up_after_five_attempts_naming_the_retries() {
    let transport = ScriptedTransport::new();
    for _ in 0..5 {
        server_error(&transport);
    }
    transport.ok(ROLES, roles(&["ReadOnly"]));
    let (results, outcome, _) = list(&transport, &["1", "2"], false);
    outcome.unwrap();
    assert_eq!(
        results[0].1.as_ref().unwrap_err().to_string(),
        "An error occurred (500) when calling the ListAccountRoles operation (reached max retries: 4): Internal failure"
    );
    assert_eq!(names(&results[1].1), ["ReadOnly"]);
    transport.assert_done();
}

#[test]
fn a_rejected_token_is_renewed_once_and_a_second_rejection_ends_the_run() {
    let transport = ScriptedTransport::new();
    unauthorized(&transport);
    transport.ok(ROLES, roles(&["ReadOnly"]));
    unauthorized(&transport);
    let (results, outcome, renewals) = list(&transport, &["1", "2", "3"], false);
    assert_eq!(renewals, 1);
    let bearers: Vec<Option<String>> = transport.sent().into_iter().map(|s| s.bearer).collect();
    assert_eq!(
        bearers,
        [
            Some("old-token".to_owned()),
            Some("fresh-token".to_owned()),
            Some("fresh-token".to_owned())
        ]
    );
    // The first account was listed with the renewed token and handed over; the run then stops.
    assert_eq!(results.len(), 1);
    assert_eq!(names(&results[0].1), ["ReadOnly"]);
    match outcome {
        Err(EnumerationError::Failed(AuthError::Client(error))) => {
            assert_eq!(error.code(), Some("UnauthorizedException"));
        }
        other => panic!("{other:?}"),
    }
    transport.assert_done();
}

#[test]
fn an_interrupt_stops_before_any_request() {
    let transport = ScriptedTransport::new();
    let (results, outcome, _) = list(&transport, &["1", "2"], true);
    assert!(results.is_empty());
    assert!(matches!(outcome, Err(EnumerationError::Interrupted)));
    assert!(transport.sent().is_empty());
}
