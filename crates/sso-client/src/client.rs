//! The call engine shared by [`crate::OidcClient`] and [`crate::PortalClient`]: builds the exact
//! request botocore would send (URL, query encoding, header set and order), sends it through
//! the [`Transport`], decodes errors, and retries per the [`RetryPolicy`].
//!
//! Request shape (spec wire-protocol §2.1, §14):
//! - URL = endpoint + operation path; a path in the endpoint is kept (`http://h/portal/` →
//!   `/portal/assignment/accounts`), as botocore's `_urljoin` does;
//! - query values percent-encoded with RFC 3986 rules (only `A-Za-z0-9-_.~` left as is, so
//!   space → `%20`, `/` → `%2F`, `+` → `%2B`, `=` → `%3D`);
//! - headers, in botocore's order: `Accept-Encoding: identity`, `Content-Type:
//!   application/json` (OIDC bodies only), `x-amz-sso_bearer_token` (raw, unencoded),
//!   `User-Agent`, `amz-sdk-invocation-id` (one UUID4 for all attempts of a call),
//!   `amz-sdk-request` (`attempt=1`, then `ttl=<server Date + read timeout>; attempt=N;
//!   max=M`). The transport adds `Host` and `Content-Length`.
//!
//! The User-Agent is our own: `aws-sso/<version> os/<os> md/arch#<arch> lang/rust
//! cfg/retry-mode#<mode>`, plus [`ClientConfig::user_agent_extra`] (the login flow passes
//! `md/sso#auth` for the PKCE flow, as AWS CLI v2 does).

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use serde_json::{Map, Value};
use sso_core::Secret;
use sso_core::python::json::Dumps;

use crate::error::{ClientError, Operation, ServiceError, decode_error};
use crate::retry::{
    CallState, Decision, Outcome, RetryPolicy, RetryState, Sleeper, is_throttling_code, random_u64,
};
use crate::transport::{HttpRequest, HttpResponse, Method, Transport, TransportError};

/// Everything a client needs besides its endpoint. Cheap to clone (the transport and sleeper
/// are shared), so one transport — and its kept-alive connections — can serve both clients.
#[derive(Clone)]
pub struct ClientConfig {
    /// Where requests go.
    pub transport: Arc<dyn Transport>,
    /// Retry mode and attempts.
    pub retry: RetryPolicy,
    /// Backoff sleeping, clock and jitter.
    pub sleeper: Arc<dyn Sleeper>,
    /// Extra User-Agent tokens appended after ours, e.g. `md/sso#auth`.
    pub user_agent_extra: Option<String>,
    /// Receives one line per attempt (operation, method, URL, status or failure, retry) for
    /// `--debug`. Never given headers or bodies, which carry tokens and secrets.
    pub debug: Option<DebugSink>,
    /// Told the service's time (its `Date` header) with every response, to detect a skewed
    /// local clock.
    pub server_time: Option<ServerTimeSink>,
}

/// Where each response's `Date` goes.
pub type ServerTimeSink = Arc<dyn Fn(jiff::Timestamp) + Send + Sync>;

/// Where `--debug` lines go.
pub type DebugSink = Arc<dyn Fn(&str) + Send + Sync>;

impl std::fmt::Debug for ClientConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientConfig")
            .field("retry", &self.retry)
            .field("user_agent_extra", &self.user_agent_extra)
            .finish_non_exhaustive()
    }
}

impl ClientConfig {
    /// Standard retries (3 attempts), no extra User-Agent. The sleeper is the caller's (the
    /// real one from `main`, a recording one in tests): nothing here waits on its own.
    pub fn new(transport: Arc<dyn Transport>, sleeper: Arc<dyn Sleeper>) -> Self {
        Self {
            transport,
            retry: RetryPolicy::default(),
            sleeper,
            user_agent_extra: None,
            debug: None,
            server_time: None,
        }
    }

    /// Sends a line per attempt to `sink` (`--debug`).
    #[must_use]
    pub fn with_debug(mut self, sink: DebugSink) -> Self {
        self.debug = Some(sink);
        self
    }

    /// Tells `sink` the service's time with every response.
    #[must_use]
    pub fn with_server_time(mut self, sink: ServerTimeSink) -> Self {
        self.server_time = Some(sink);
        self
    }

    /// Replaces the retry policy.
    #[must_use]
    pub const fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// Replaces the sleeper (tests).
    #[must_use]
    pub fn with_sleeper(mut self, sleeper: Arc<dyn Sleeper>) -> Self {
        self.sleeper = sleeper;
        self
    }

    /// Appends tokens to the User-Agent.
    #[must_use]
    pub fn with_user_agent_extra(mut self, extra: impl Into<String>) -> Self {
        self.user_agent_extra = Some(extra.into());
        self
    }

    /// The User-Agent header value.
    pub fn user_agent(&self) -> String {
        let mut agent = format!(
            "aws-sso/{} os/{} md/arch#{} lang/rust cfg/retry-mode#{}",
            env!("CARGO_PKG_VERSION"),
            std::env::consts::OS,
            std::env::consts::ARCH,
            self.retry.mode.as_str()
        );
        if let Some(extra) = self.user_agent_extra.as_deref().filter(|e| !e.is_empty()) {
            agent.push(' ');
            agent.push_str(extra);
        }
        agent
    }
}

/// What to put in the request body.
pub(crate) enum Body {
    /// No body (GET).
    None,
    /// An empty body with `Content-Length: 0` and no `Content-Type` (`POST /logout`).
    Empty,
    /// A JSON object (OIDC), sent with `Content-Type: application/json`.
    Json(Map<String, Value>),
}

/// One operation call, before retries.
pub(crate) struct Call<'a> {
    pub(crate) operation: Operation,
    pub(crate) method: Method,
    pub(crate) path: &'static str,
    /// Query parameters in wire order; values are encoded here.
    pub(crate) query: Vec<(&'static str, &'a str)>,
    pub(crate) bearer: Option<&'a Secret<String>>,
    pub(crate) body: Body,
}

/// Endpoint + config + the retry state that outlives calls (quota, rate limiter).
pub(crate) struct Engine {
    endpoint: String,
    config: ClientConfig,
    state: Mutex<RetryState>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("endpoint", &self.endpoint)
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl Engine {
    pub(crate) fn new(endpoint: String, config: ClientConfig) -> Self {
        let now = config.sleeper.now().as_secs_f64();
        let state = RetryState::new(config.retry, now);
        Self {
            endpoint,
            config,
            state,
        }
    }

    pub(crate) fn endpoint(&self) -> &str {
        &self.endpoint
    }

    fn state(&self) -> MutexGuard<'_, RetryState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn now(&self) -> f64 {
        self.config.sleeper.now().as_secs_f64()
    }

    /// Sends `call`, retrying per the policy. Returns the 2xx (or 300) response.
    /// Whether the endpoint answers at all: one `GET /`, any HTTP status counting as an
    /// answer. The connection stays in the transport's pool for the calls that follow.
    pub(crate) fn probe(&self) -> Result<(), ClientError> {
        let request = HttpRequest {
            method: Method::Get,
            url: format!("{}/", self.endpoint.trim_end_matches('/')),
            headers: vec![("User-Agent".to_owned(), self.config.user_agent())],
            body: None,
        };
        match self.config.transport.send(request) {
            Ok(_) => Ok(()),
            Err(error) => Err(ClientError::Transport(error)),
        }
    }

    pub(crate) fn send(&self, call: &Call<'_>) -> Result<HttpResponse, ClientError> {
        let url = build_url(&self.endpoint, call.path, &call.query);
        let invocation_id = uuid4();
        let user_agent = self.config.user_agent();
        let body = match &call.body {
            Body::None => None,
            Body::Empty => Some(Vec::new()),
            // botocore writes rest-json bodies with `json.dumps(obj)`.
            Body::Json(map) => Some(Dumps::new().dumps(map).into_bytes()),
        };
        let policy = self.config.retry;
        let mut ttl: Option<String> = None;
        let mut call_state = CallState::default();
        let mut attempt: u32 = 1;
        loop {
            self.pace_adaptive();
            let request = HttpRequest {
                method: call.method,
                url: url.clone(),
                headers: self.headers(call, &user_agent, &invocation_id, attempt, ttl.as_deref()),
                body: body.clone(),
            };
            let mut result = self.config.transport.send(request);
            if call.operation.has_secret_query() {
                result = result.map_err(TransportError::without_query);
            }
            self.log_attempt(call, &url, attempt, &result);
            if let (Some(sink), Ok(response)) = (&self.config.server_time, &result)
                && let Some(server) = server_date(response)
            {
                sink(server);
            }
            let now = self.now();
            let random = self.config.sleeper.random();
            let (decision, failure) = match result {
                // botocore treats every status from 301 up as an error.
                Ok(response) if response.status < 301 => {
                    let mut state = self.state();
                    state.on_response(now, false);
                    state.on_success(&call_state);
                    return Ok(response);
                }
                Ok(response) => {
                    let error = decode_error(call.operation, &response);
                    let mut state = self.state();
                    state.on_response(now, is_throttling_code(&error.code));
                    let outcome = Outcome::Error {
                        status: error.status,
                        code: &error.code,
                    };
                    let decision = state.decide(policy, attempt, &outcome, random, &mut call_state);
                    drop(state);
                    if let Some(new_ttl) = self.ttl_from(&response) {
                        ttl = Some(new_ttl);
                    }
                    (decision, Failure::Service(error))
                }
                Err(error) => {
                    let mut state = self.state();
                    state.on_response(now, false);
                    let outcome = Outcome::Transport(&error);
                    let decision = state.decide(policy, attempt, &outcome, random, &mut call_state);
                    (decision, Failure::Transport(error))
                }
            };
            match decision {
                Decision::Retry(delay) => {
                    if let Some(debug) = &self.config.debug {
                        debug(&format!("retrying {} in {delay:?}", call.operation));
                    }
                    self.config.sleeper.sleep(delay);
                    attempt += 1;
                }
                Decision::Stop {
                    max_attempts_reached,
                } => {
                    return Err(match failure {
                        Failure::Service(mut error) => {
                            if max_attempts_reached {
                                error.retries_reached = Some(attempt - 1);
                            }
                            ClientError::Service(error)
                        }
                        Failure::Transport(error) => ClientError::Transport(error),
                    });
                }
            }
        }
    }

    /// One `--debug` line for an attempt: what was called and how it ended.
    fn log_attempt(
        &self,
        call: &Call<'_>,
        url: &str,
        attempt: u32,
        result: &Result<HttpResponse, crate::transport::TransportError>,
    ) {
        let Some(debug) = &self.config.debug else {
            return;
        };
        let outcome = match result {
            Ok(response) if response.status < 301 => format!("{}", response.status),
            Ok(response) => format!(
                "{} {}",
                response.status,
                decode_error(call.operation, response).code
            ),
            Err(error) => error.to_string(),
        };
        let url = match url.split_once('?') {
            Some((base, _)) if call.operation.has_secret_query() => format!("{base}?…"),
            _ => url.to_owned(),
        };
        debug(&format!(
            "{} {} {url} (attempt {attempt}): {outcome}",
            call.operation,
            call.method.as_str()
        ));
    }

    /// Adaptive mode: wait for a send token.
    fn pace_adaptive(&self) {
        let wait = self.state().before_send(self.now());
        if !wait.is_zero() {
            self.config.sleeper.sleep(wait);
        }
        let now = self.now();
        self.state().after_wait(now);
    }

    fn headers(
        &self,
        call: &Call<'_>,
        user_agent: &str,
        invocation_id: &str,
        attempt: u32,
        ttl: Option<&str>,
    ) -> Vec<(String, String)> {
        let mut headers = vec![("Accept-Encoding".to_owned(), "identity".to_owned())];
        if matches!(call.body, Body::Json(_)) {
            headers.push(("Content-Type".to_owned(), "application/json".to_owned()));
        }
        if let Some(token) = call.bearer {
            // Sent raw: botocore does not encode header values (spec wire-protocol §2.1).
            headers.push(("x-amz-sso_bearer_token".to_owned(), token.expose().clone()));
        }
        headers.push(("User-Agent".to_owned(), user_agent.to_owned()));
        headers.push(("amz-sdk-invocation-id".to_owned(), invocation_id.to_owned()));
        let request = if attempt == 1 {
            "attempt=1".to_owned()
        } else {
            let max = self.config.retry.attempts();
            match ttl {
                Some(ttl) => format!("ttl={ttl}; attempt={attempt}; max={max}"),
                None => format!("attempt={attempt}; max={max}"),
            }
        };
        headers.push(("amz-sdk-request".to_owned(), request));
        headers
    }

    /// botocore `_set_ttl`: the server's `Date` plus the read timeout (the local-clock skew
    /// terms cancel out), formatted `YYYYMMDDTHHMMSSZ`. No `Date`, an unparsable one, or no
    /// read timeout → no new ttl (an earlier one is kept, as botocore keeps it in the
    /// retries context).
    fn ttl_from(&self, response: &HttpResponse) -> Option<String> {
        let read_timeout = self.config.transport.read_timeout()?;
        let server = server_date(response)?;
        let seconds = i64::try_from(read_timeout.as_secs()).ok()?;
        let ttl = jiff::Timestamp::from_second(server.as_second().checked_add(seconds)?).ok()?;
        Some(ttl.strftime("%Y%m%dT%H%M%SZ").to_string())
    }
}

/// A response's `Date` header (RFC 9110 IMF-fixdate, an RFC 2822 form).
fn server_date(response: &HttpResponse) -> Option<jiff::Timestamp> {
    jiff::fmt::rfc2822::DateTimeParser::new()
        .parse_timestamp(response.header("Date")?.trim())
        .ok()
}

/// The failure of the last attempt, kept until we know whether to retry it.
enum Failure {
    Service(ServiceError),
    Transport(crate::transport::TransportError),
}

/// botocore `_urljoin` (without the endpoint-query corner case) plus the encoded query.
pub(crate) fn build_url(endpoint: &str, path: &str, query: &[(&str, &str)]) -> String {
    let authority_start = endpoint.find("://").map_or(0, |i| i + 3);
    let path_start = endpoint[authority_start..]
        .find('/')
        .map_or(endpoint.len(), |i| authority_start + i);
    let (base, endpoint_path) = endpoint.split_at(path_start);
    let mut url = String::from(base);
    url.push_str(endpoint_path.strip_suffix('/').unwrap_or(endpoint_path));
    url.push_str(path);
    for (index, (name, value)) in query.iter().enumerate() {
        url.push(if index == 0 { '?' } else { '&' });
        url.push_str(&percent_encode(name));
        url.push('=');
        url.push_str(&percent_encode(value));
    }
    url
}

/// RFC 3986 percent-encoding as botocore's `percent_encode` does it (`quote(safe='-_.~')`):
/// everything but unreserved characters becomes `%XX` (upper-case hex) over UTF-8 bytes.
/// Hand-written because the `url`/`percent-encoding` sets would need the same table anyway.
pub(crate) fn percent_encode(value: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(byte >> 4)]));
            out.push(char::from(HEX[usize::from(byte & 0x0F)]));
        }
    }
    out
}

/// A random (version 4) UUID in the canonical lower-case form, like Python's `uuid.uuid4()`.
pub(crate) fn uuid4() -> String {
    let mut bytes = [0_u8; 16];
    if getrandom::fill(&mut bytes).is_err() {
        bytes[..8].copy_from_slice(&random_u64().to_le_bytes());
        bytes[8..].copy_from_slice(&random_u64().to_le_bytes());
    }
    format_uuid4(bytes)
}

/// Formats 16 random bytes as a version-4 UUID (sets the version and variant bits).
pub fn format_uuid4(mut bytes: [u8; 16]) -> String {
    bytes[6] = (bytes[6] & 0x0F) | 0x40;
    bytes[8] = (bytes[8] & 0x3F) | 0x80;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_encoding_matches_botocore() {
        let cases = [
            ("Admin Access", "Admin%20Access"),
            ("tok/1+=", "tok%2F1%2B%3D"),
            ("a-b_c.d~e", "a-b_c.d~e"),
            ("é", "%C3%A9"),
            ("a&b?c#d%", "a%26b%3Fc%23d%25"),
            ("", ""),
        ];
        for (raw, encoded) in cases {
            assert_eq!(percent_encode(raw), encoded, "{raw}");
        }
    }

    #[test]
    fn urls_keep_endpoint_paths() {
        let cases = [
            ("http://h:1", "/logout", "http://h:1/logout"),
            ("http://h:1/", "/logout", "http://h:1/logout"),
            (
                "http://h/portal/",
                "/assignment/accounts",
                "http://h/portal/assignment/accounts",
            ),
            (
                "http://h/portal",
                "/assignment/accounts",
                "http://h/portal/assignment/accounts",
            ),
            (
                "https://portal.sso.us-east-1.amazonaws.com",
                "/federation/credentials",
                "https://portal.sso.us-east-1.amazonaws.com/federation/credentials",
            ),
        ];
        for (endpoint, path, want) in cases {
            assert_eq!(build_url(endpoint, path, &[]), want, "{endpoint}");
        }
        assert_eq!(
            build_url(
                "http://h",
                "/federation/credentials",
                &[("role_name", "Admin Access"), ("account_id", "1")]
            ),
            "http://h/federation/credentials?role_name=Admin%20Access&account_id=1"
        );
    }

    #[test]
    fn uuid4_has_version_and_variant() {
        let id = uuid4();
        assert_eq!(id.len(), 36);
        let groups: Vec<&str> = id.split('-').collect();
        assert_eq!(
            groups.iter().map(|g| g.len()).collect::<Vec<_>>(),
            [8, 4, 4, 4, 12]
        );
        assert!(groups[2].starts_with('4'), "{id}");
        assert!(
            matches!(groups[3].as_bytes()[0], b'8' | b'9' | b'a' | b'b'),
            "{id}"
        );
        assert_ne!(uuid4(), id);
    }

    #[test]
    fn user_agent_names_us_and_the_retry_mode() {
        struct Nowhere;
        impl Transport for Nowhere {
            fn send(
                &self,
                _: HttpRequest,
            ) -> Result<HttpResponse, crate::transport::TransportError> {
                Err(crate::transport::TransportError::Other {
                    url: String::new(),
                    detail: String::new(),
                })
            }
        }
        let config = ClientConfig::new(Arc::new(Nowhere), Arc::new(sso_core::SystemSleeper::new()))
            .with_user_agent_extra("md/sso#auth");
        let agent = config.user_agent();
        assert!(
            agent.starts_with(&format!("aws-sso/{} os/", env!("CARGO_PKG_VERSION"))),
            "{agent}"
        );
        assert!(
            agent.ends_with(" lang/rust cfg/retry-mode#standard md/sso#auth"),
            "{agent}"
        );
    }
}
