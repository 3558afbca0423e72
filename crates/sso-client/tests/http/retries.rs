//! Retry behaviour on the wire: attempts, `amz-sdk-request` headers, backoff delays (recorded,
//! never slept), the `(reached max retries: N)` text and the retry quota.

use std::net::TcpListener;
use std::time::Duration;

use sso_client::{ClientError, PortalClient, RetryMode, TransportError};

use crate::server::{Reply, Server, aws_error, json};
use crate::{RecordingSleeper, config, token};

fn client(
    server: &str,
    sleeper: &std::sync::Arc<RecordingSleeper>,
    mode: RetryMode,
    max: u32,
) -> PortalClient {
    PortalClient::new(server, "us-east-1", config(sleeper, mode, max))
}

fn throttled() -> Reply {
    aws_error(
        429,
        "TooManyRequestsException",
        r#"{"message":"Rate exceeded"}"#,
    )
}

fn secs(values: &[f64]) -> Vec<Duration> {
    values.iter().map(|v| Duration::from_secs_f64(*v)).collect()
}

#[test]
fn standard_mode_three_attempts_with_headers_and_backoff() {
    let server = Server::start(vec![
        throttled().header("Date", "Tue, 15 Nov 1994 08:12:31 GMT"),
    ]);
    let sleeper = RecordingSleeper::new(0.5);
    let error = client(&server.url(), &sleeper, RetryMode::Standard, 3)
        .get_role_credentials(&token("t"), "ReadOnly", "111122223333")
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "An error occurred (TooManyRequestsException) when calling the GetRoleCredentials operation (reached max retries: 2): Rate exceeded"
    );
    let requests = server.requests();
    let headers: Vec<&str> = requests
        .iter()
        .map(|r| r.header("amz-sdk-request").unwrap())
        .collect();
    // ttl = server Date + the 60 s default read timeout.
    assert_eq!(
        headers,
        [
            "attempt=1",
            "ttl=19941115T081331Z; attempt=2; max=3",
            "ttl=19941115T081331Z; attempt=3; max=3",
        ]
    );
    let ids: Vec<&str> = requests
        .iter()
        .map(|r| r.header("amz-sdk-invocation-id").unwrap())
        .collect();
    assert!(ids.iter().all(|id| *id == ids[0]), "{ids:?}");
    // rand × min(2^(attempt−1), 20) with rand = 0.5.
    assert_eq!(sleeper.sleeps(), secs(&[0.5, 1.0]));
}

#[test]
fn retry_headers_without_date_have_no_ttl_and_new_calls_get_new_ids() {
    let server = Server::start(vec![json(503, ""), json(200, "{}"), json(200, "{}")]);
    let sleeper = RecordingSleeper::new(0.25);
    let portal = client(&server.url(), &sleeper, RetryMode::Standard, 4);
    portal.list_accounts(&token("t"), None, None).unwrap();
    portal.list_accounts(&token("t"), None, None).unwrap();
    let requests = server.requests();
    let headers: Vec<&str> = requests
        .iter()
        .map(|r| r.header("amz-sdk-request").unwrap())
        .collect();
    assert_eq!(headers, ["attempt=1", "attempt=2; max=4", "attempt=1"]);
    let ids: Vec<&str> = requests
        .iter()
        .map(|r| r.header("amz-sdk-invocation-id").unwrap())
        .collect();
    assert_eq!(ids[0], ids[1]);
    assert_ne!(ids[1], ids[2]);
    assert_eq!(sleeper.sleeps(), secs(&[0.25]));
}

#[test]
fn html_5xx_is_retried_and_reported_with_the_reason_phrase() {
    let server = Server::start(vec![Reply::Respond {
        status: 503,
        headers: vec![("Content-Type".to_owned(), "text/html".to_owned())],
        body: b"<html><body>down</body></html>".to_vec(),
    }]);
    let sleeper = RecordingSleeper::new(1.0 - f64::EPSILON);
    let error = client(&server.url(), &sleeper, RetryMode::Standard, 3)
        .list_accounts(&token("t"), None, None)
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "An error occurred (503) when calling the ListAccounts operation (reached max retries: 2): Service Unavailable"
    );
    assert_eq!(server.requests().len(), 3);
}

#[test]
fn last_attempt_reports_max_retries_even_when_not_retryable() {
    // botocore's MaxAttemptsChecker runs before the retryable checks.
    let server = Server::start(vec![
        json(500, ""),
        json(500, ""),
        aws_error(
            401,
            "UnauthorizedException",
            r#"{"message":"Session token not found or invalid"}"#,
        ),
    ]);
    let sleeper = RecordingSleeper::new(0.5);
    let error = client(&server.url(), &sleeper, RetryMode::Standard, 3)
        .list_accounts(&token("t"), None, None)
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "An error occurred (UnauthorizedException) when calling the ListAccounts operation (reached max retries: 2): Session token not found or invalid"
    );

    let server = Server::start(vec![aws_error(
        401,
        "UnauthorizedException",
        r#"{"message":"m"}"#,
    )]);
    let error = client(&server.url(), &sleeper, RetryMode::Standard, 1)
        .list_accounts(&token("t"), None, None)
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "An error occurred (UnauthorizedException) when calling the ListAccounts operation (reached max retries: 0): m"
    );
}

#[test]
fn bare_429_is_retried_in_legacy_mode_only() {
    let server = Server::start(vec![json(429, "{}")]);
    let sleeper = RecordingSleeper::new(0.5);
    let error = client(&server.url(), &sleeper, RetryMode::Standard, 3)
        .list_accounts(&token("t"), None, None)
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "An error occurred (429) when calling the ListAccounts operation: "
    );
    assert_eq!(server.requests().len(), 1);

    let server = Server::start(vec![json(429, "{}")]);
    let sleeper = RecordingSleeper::new(0.5);
    let error = client(&server.url(), &sleeper, RetryMode::Legacy, 5)
        .list_accounts(&token("t"), None, None)
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "An error occurred (429) when calling the ListAccounts operation (reached max retries: 4): "
    );
    let headers: Vec<String> = server
        .requests()
        .iter()
        .map(|r| r.header("amz-sdk-request").unwrap().to_owned())
        .collect();
    assert_eq!(
        headers,
        [
            "attempt=1",
            "attempt=2; max=5",
            "attempt=3; max=5",
            "attempt=4; max=5",
            "attempt=5; max=5"
        ]
    );
    // Legacy: rand × 2^(attempt−1), no cap.
    assert_eq!(sleeper.sleeps(), secs(&[0.5, 1.0, 2.0, 4.0]));
}

#[test]
fn success_after_a_retry() {
    let server = Server::start(vec![
        json(500, ""),
        json(200, r#"{"roleList":[{"roleName":"R","accountId":"1"}]}"#),
    ]);
    let sleeper = RecordingSleeper::new(0.5);
    let page = client(&server.url(), &sleeper, RetryMode::Standard, 3)
        .list_account_roles(&token("t"), "1", None, None)
        .unwrap();
    assert_eq!(page.role_list.unwrap()[0].role_name.as_deref(), Some("R"));
    assert_eq!(server.requests().len(), 2);
}

#[test]
fn retry_quota_runs_out_after_100_retries() {
    let server = Server::start(vec![json(500, "")]);
    let sleeper = RecordingSleeper::new(0.0);
    let portal = client(&server.url(), &sleeper, RetryMode::Standard, 1000);
    let error = portal.list_accounts(&token("t"), None, None).unwrap_err();
    // 500 tokens / 5 per retry = 100 retries; a quota stop adds no "(reached max retries)".
    assert_eq!(
        error.to_string(),
        "An error occurred (500) when calling the ListAccounts operation: Internal Server Error"
    );
    assert_eq!(server.requests().len(), 101);
    // The quota is per client: the next call cannot retry at all.
    portal.list_accounts(&token("t"), None, None).unwrap_err();
    assert_eq!(server.requests().len(), 102);
}

#[test]
fn connection_errors_are_retried_and_reported_verbatim() {
    let port = {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let endpoint = format!("http://127.0.0.1:{port}");
    let sleeper = RecordingSleeper::new(0.5);
    let error = client(&endpoint, &sleeper, RetryMode::Standard, 3)
        .get_role_credentials(&token("t"), "R", "1")
        .unwrap_err();
    let ClientError::Transport(TransportError::Connect { url, .. }) = &error else {
        panic!("{error:?}");
    };
    assert_eq!(
        url,
        &format!("{endpoint}/federation/credentials?role_name=R&account_id=1")
    );
    assert_eq!(
        error.to_string(),
        format!(
            "Could not connect to the endpoint URL: \"{endpoint}/federation/credentials?role_name=R&account_id=1\""
        )
    );
    assert_eq!(sleeper.sleeps(), secs(&[0.5, 1.0]));
}

#[test]
fn adaptive_mode_paces_sends_after_throttling() {
    let server = Server::start(vec![throttled(), throttled(), json(200, "{}")]);
    let sleeper = RecordingSleeper::new(0.5);
    client(&server.url(), &sleeper, RetryMode::Adaptive, 3)
        .list_accounts(&token("t"), None, None)
        .unwrap();
    assert_eq!(server.requests().len(), 3);
    // The virtual clock only moves when we sleep, so the measured send rate stays 0 and the
    // bucket drops to its 0.5 tokens/s floor after the first throttle. Attempt 2: backoff
    // 0.5 s refills 0.25 token, so the limiter waits (1 − 0.25) / 0.5 = 1.5 s. Attempt 3:
    // backoff 1 s refills 0.5 token → wait 1 s.
    assert_eq!(sleeper.sleeps(), secs(&[0.5, 1.5, 1.0, 1.0]));
}
