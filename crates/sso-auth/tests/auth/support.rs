//! Fakes for every seam `sso-auth` takes: a transport that answers from a script and records
//! what was sent, a sleeper that records instead of sleeping, a terminal that records what a
//! user would have seen, a browser that records what it was asked to open, and a callback
//! receiver with a scripted outcome.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use jiff::Timestamp;
use serde_json::{Value, json};
use sso_auth::{Browser, CallbackError, CallbackReceiver};
use sso_cache::Cache;
use sso_client::{
    ClientConfig, HttpRequest, HttpResponse, OidcClient, PortalClient, RetryMode, RetryPolicy,
    Sleeper, Transport, TransportError,
};
use sso_config::SsoTarget;
use sso_core::{FixedClock, Terminal};

/// "Now" in every test.
pub(crate) const NOW: &str = "2026-06-01T12:00:00Z";
pub(crate) const START_URL: &str = "https://d-1234567890.awsapps.com/start";
pub(crate) const ENDPOINT: &str = "https://oidc.us-east-1.amazonaws.com";

pub(crate) fn now() -> Timestamp {
    NOW.parse().unwrap()
}

pub(crate) fn clock() -> FixedClock {
    FixedClock(now())
}

/// What the scripted transport answers to one request.
enum Reply {
    Response(HttpResponse),
    ConnectFailure,
}

/// One request as sent.
#[derive(Debug, Clone)]
pub(crate) struct Sent {
    pub(crate) path: String,
    /// The query string, still encoded.
    pub(crate) query: String,
    /// `x-amz-sso_bearer_token`, when sent.
    pub(crate) bearer: Option<String>,
    pub(crate) body: Value,
}

/// A [`Transport`] that answers requests from a script, in order, and records them. A request
/// for another path than the next scripted one, or past the end of the script, fails the test.
#[derive(Default)]
pub(crate) struct ScriptedTransport {
    script: Mutex<VecDeque<(String, Reply)>>,
    sent: Mutex<Vec<Sent>>,
}

impl ScriptedTransport {
    pub(crate) fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    /// Answers the next request, which must be for `path`, with `status` and `body`; a
    /// `code` becomes the `x-amzn-ErrorType` header, as the service sends it.
    pub(crate) fn reply(&self, path: &str, status: u16, code: Option<&str>, body: Value) -> &Self {
        let mut headers = vec![
            ("Content-Type".to_owned(), "application/json".to_owned()),
            ("x-amzn-RequestId".to_owned(), "req-1".to_owned()),
        ];
        if let Some(code) = code {
            headers.push(("x-amzn-ErrorType".to_owned(), code.to_owned()));
        }
        self.script.lock().unwrap().push_back((
            path.to_owned(),
            Reply::Response(HttpResponse {
                status,
                headers,
                body: body.to_string().into_bytes(),
            }),
        ));
        self
    }

    /// A 200 with `body`.
    pub(crate) fn ok(&self, path: &str, body: Value) -> &Self {
        self.reply(path, 200, None, body)
    }

    /// An OIDC error (400, the code's `error` member).
    pub(crate) fn oidc_error(&self, code: &str, error: &str) -> &Self {
        self.reply(
            "/token",
            400,
            Some(code),
            json!({"error": error, "error_description": null}),
        )
    }

    /// The connection to `path` fails.
    pub(crate) fn unreachable(&self, path: &str) -> &Self {
        self.script
            .lock()
            .unwrap()
            .push_back((path.to_owned(), Reply::ConnectFailure));
        self
    }

    pub(crate) fn sent(&self) -> Vec<Sent> {
        self.sent.lock().unwrap().clone()
    }

    pub(crate) fn paths(&self) -> Vec<String> {
        self.sent().into_iter().map(|s| s.path).collect()
    }

    /// Every scripted reply was used.
    pub(crate) fn assert_done(&self) {
        let left: Vec<String> = self
            .script
            .lock()
            .unwrap()
            .iter()
            .map(|(p, _)| p.clone())
            .collect();
        assert!(
            left.is_empty(),
            "scripted replies never requested: {left:?}"
        );
    }
}

impl Transport for ScriptedTransport {
    fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        let without_origin = request
            .url
            .split_once("://")
            .and_then(|(_, rest)| rest.find('/').map(|i| rest[i..].to_owned()))
            .unwrap_or_default();
        let path = without_origin
            .split('?')
            .next()
            .unwrap_or_default()
            .to_owned();
        let body = request
            .body
            .as_deref()
            .filter(|b| !b.is_empty())
            .map_or(Value::Null, |b| serde_json::from_slice(b).unwrap());
        let query = without_origin
            .split_once('?')
            .map(|(_, query)| query.to_owned())
            .unwrap_or_default();
        let bearer = request
            .headers
            .iter()
            .find(|(name, _)| name == "x-amz-sso_bearer_token")
            .map(|(_, value)| value.clone());
        self.sent.lock().unwrap().push(Sent {
            path: path.clone(),
            query,
            bearer,
            body,
        });
        let (expected, reply) = self
            .script
            .lock()
            .unwrap()
            .pop_front()
            .unwrap_or_else(|| panic!("unexpected request to {path}: the script has ended"));
        assert_eq!(path, expected, "requests out of script order");
        match reply {
            Reply::Response(response) => Ok(response),
            Reply::ConnectFailure => Err(TransportError::Connect {
                url: request.url,
                detail: "scripted failure".to_owned(),
            }),
        }
    }
}

/// A [`Sleeper`] that records each sleep and advances a virtual clock instead.
#[derive(Default)]
pub(crate) struct RecordingSleeper {
    slept: Mutex<Vec<Duration>>,
}

impl RecordingSleeper {
    pub(crate) fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    pub(crate) fn slept(&self) -> Vec<u64> {
        self.slept
            .lock()
            .unwrap()
            .iter()
            .map(Duration::as_secs)
            .collect()
    }
}

impl Sleeper for RecordingSleeper {
    fn sleep(&self, duration: Duration) {
        self.slept.lock().unwrap().push(duration);
    }

    fn now(&self) -> Duration {
        self.slept.lock().unwrap().iter().sum()
    }

    fn random(&self) -> f64 {
        0.5
    }
}

/// A [`Terminal`] that records what a user would have seen.
#[derive(Default)]
pub(crate) struct RecordingTerminal {
    pub(crate) out: Mutex<String>,
    pub(crate) err: Mutex<String>,
    pub(crate) debug: Mutex<Vec<String>>,
}

impl RecordingTerminal {
    pub(crate) fn stdout_text(&self) -> String {
        self.out.lock().unwrap().clone()
    }

    pub(crate) fn stderr_text(&self) -> String {
        self.err.lock().unwrap().clone()
    }

    pub(crate) fn debug_lines(&self) -> Vec<String> {
        self.debug.lock().unwrap().clone()
    }
}

impl Terminal for RecordingTerminal {
    fn stdout(&self, text: &str) {
        self.out.lock().unwrap().push_str(text);
    }

    fn stderr(&self, text: &str) {
        self.err.lock().unwrap().push_str(text);
    }

    fn debug_enabled(&self) -> bool {
        true
    }

    fn debug_line(&self, line: &str) {
        self.debug.lock().unwrap().push(line.to_owned());
    }

    fn read_line(&self, _prompt: &str) -> std::io::Result<Option<String>> {
        Ok(None)
    }

    fn stdout_is_terminal(&self) -> bool {
        false
    }

    fn stdin_is_terminal(&self) -> bool {
        false
    }

    fn stderr_is_terminal(&self) -> bool {
        false
    }

    fn width(&self) -> Option<usize> {
        None
    }
}

/// A [`Browser`] that records the URLs it was asked to open.
#[derive(Default)]
pub(crate) struct RecordingBrowser {
    pub(crate) opened: Mutex<Vec<String>>,
}

impl Browser for RecordingBrowser {
    fn open(&self, url: &str) -> bool {
        self.opened.lock().unwrap().push(url.to_owned());
        true
    }
}

/// A [`CallbackReceiver`] whose waits end as scripted, one outcome per call, recording the
/// state and timeout of each.
pub(crate) struct ScriptedReceiver {
    outcomes: Mutex<std::collections::VecDeque<Result<String, CallbackError>>>,
    pub(crate) asked: Mutex<Vec<(String, Duration)>>,
}

impl ScriptedReceiver {
    pub(crate) fn new(outcome: Result<String, CallbackError>) -> Self {
        Self::sequence(vec![outcome])
    }

    pub(crate) fn sequence(outcomes: Vec<Result<String, CallbackError>>) -> Self {
        Self {
            outcomes: Mutex::new(outcomes.into()),
            asked: Mutex::new(Vec::new()),
        }
    }
}

impl CallbackReceiver for ScriptedReceiver {
    fn redirect_uri(&self) -> String {
        "http://127.0.0.1:4321/oauth/callback".to_owned()
    }

    fn wait(&self, expected_state: &str, timeout: Duration) -> Result<String, CallbackError> {
        self.asked
            .lock()
            .unwrap()
            .push((expected_state.to_owned(), timeout));
        self.outcomes
            .lock()
            .unwrap()
            .pop_front()
            .expect("no more waits were scripted")
    }
}

/// Clients on the scripted transport with one attempt per call, so the script is exactly the
/// calls the flow makes.
pub(crate) fn config(
    transport: &Arc<ScriptedTransport>,
    sleeper: &Arc<RecordingSleeper>,
) -> ClientConfig {
    ClientConfig::new(
        Arc::clone(transport) as Arc<dyn Transport>,
        Arc::clone(sleeper) as Arc<dyn Sleeper>,
    )
    .with_retry(RetryPolicy {
        mode: RetryMode::Standard,
        max_attempts: 1,
    })
}

pub(crate) fn oidc(
    transport: &Arc<ScriptedTransport>,
    sleeper: &Arc<RecordingSleeper>,
) -> OidcClient {
    OidcClient::new(ENDPOINT, "us-east-1", config(transport, sleeper))
}

pub(crate) fn portal(
    transport: &Arc<ScriptedTransport>,
    sleeper: &Arc<RecordingSleeper>,
) -> PortalClient {
    PortalClient::new(
        "https://portal.sso.us-east-1.amazonaws.com",
        "us-east-1",
        config(transport, sleeper),
    )
}

pub(crate) fn session_target() -> SsoTarget {
    SsoTarget::Session {
        session_name: "my-sso".to_owned(),
        start_url: START_URL.to_owned(),
        region: "us-east-1".to_owned(),
        registration_scopes: Some(vec!["sso:account:access".to_owned()]),
    }
}

pub(crate) fn legacy_target() -> SsoTarget {
    SsoTarget::Legacy {
        profile_name: "legacy".to_owned(),
        start_url: START_URL.to_owned(),
        region: "us-east-1".to_owned(),
    }
}

/// A cache in a fresh temporary home.
pub(crate) fn cache() -> (tempfile::TempDir, Cache) {
    let home = tempfile::tempdir().unwrap();
    let cache = Cache::new(home.path());
    (home, cache)
}

/// RegisterClient's answer, expiring `days` from [`NOW`].
pub(crate) fn registered(client_id: &str, days: i64) -> Value {
    json!({
        "clientId": client_id,
        "clientSecret": format!("secret-{client_id}"),
        "clientIdIssuedAt": now().as_second(),
        "clientSecretExpiresAt": now().as_second() + days * 86_400,
    })
}

/// CreateToken's answer.
pub(crate) fn token_response(access_token: &str, refresh: bool) -> Value {
    let mut body = json!({"accessToken": access_token, "tokenType": "Bearer", "expiresIn": 3600});
    if refresh {
        body["refreshToken"] = json!(format!("refresh-{access_token}"));
    }
    body
}

pub(crate) fn device_authorization(interval: Option<i64>) -> Value {
    let mut body = json!({
        "deviceCode": "device-1",
        "userCode": "ABCD-EFGH",
        "verificationUri": "https://device.sso.us-east-1.amazonaws.com/",
        "verificationUriComplete": "https://device.sso.us-east-1.amazonaws.com/?user_code=ABCD-EFGH",
        "expiresIn": 600,
    });
    if let Some(interval) = interval {
        body["interval"] = json!(interval);
    }
    body
}
