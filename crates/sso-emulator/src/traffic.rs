//! The traffic layer in front of every API route: it names the operation, captures the request
//! for `GET /_emulator/requests`, counts it, and applies the realism and fault knobs
//! (`--latency-ms`, `--rate-limit`, `--error-rate`) before the handler runs; afterwards it
//! stamps `x-amzn-RequestId` on the response.
//!
//! Rate limits are token buckets on the monotonic clock, not the emulator clock, so advancing
//! time in a test never refills them. Over-limit portal calls get 429
//! `TooManyRequestsException` `{"message":"Rate exceeded"}` and OIDC calls 400
//! `SlowDownException` (OIDC has no 429, `wire-protocol.md` §11). Fault injection draws from a
//! small seeded generator (`--seed`) so a failing run can be replayed; it is never used for
//! secrets. Browser pages and control routes pass through untouched, except that `GET
//! /authorize` is logged (as operation `Authorize`) because the URL a client builds is worth
//! checking.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, Uri};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::Value;

use crate::config::{Config, Family, OperationErrorRate};
use crate::error::{ApiError, OidcKind, PortalKind};
use crate::ids;
use crate::state::{AppState, lock};

/// Largest request body read (real bodies are a few hundred bytes).
const MAX_BODY: usize = 1 << 20;
/// How many requests the capture log keeps (the oldest are dropped first).
pub(crate) const LOG_CAPACITY: usize = 20_000;

/// The API operations, as named in the service models.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Operation {
    ListAccounts,
    ListAccountRoles,
    GetRoleCredentials,
    Logout,
    RegisterClient,
    StartDeviceAuthorization,
    CreateToken,
    CreateTokenWithIam,
    /// `GET /authorize`: logged and counted, never throttled or faulted (a browser sends it).
    Authorize,
    /// `GET /federation?Action=getSigninToken` (the console sign-in endpoint).
    GetSigninToken,
    /// `GET /federation?Action=login` (a browser follows it).
    ConsoleLogin,
}

impl Operation {
    const ALL: [Self; 11] = [
        Self::ListAccounts,
        Self::ListAccountRoles,
        Self::GetRoleCredentials,
        Self::Logout,
        Self::RegisterClient,
        Self::StartDeviceAuthorization,
        Self::CreateToken,
        Self::CreateTokenWithIam,
        Self::Authorize,
        Self::GetSigninToken,
        Self::ConsoleLogin,
    ];

    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::ListAccounts => "ListAccounts",
            Self::ListAccountRoles => "ListAccountRoles",
            Self::GetRoleCredentials => "GetRoleCredentials",
            Self::Logout => "Logout",
            Self::RegisterClient => "RegisterClient",
            Self::StartDeviceAuthorization => "StartDeviceAuthorization",
            Self::CreateToken => "CreateToken",
            Self::CreateTokenWithIam => "CreateTokenWithIAM",
            Self::Authorize => "Authorize",
            Self::GetSigninToken => "GetSigninToken",
            Self::ConsoleLogin => "ConsoleLogin",
        }
    }

    fn family(self) -> Option<Family> {
        match self {
            Self::ListAccounts
            | Self::ListAccountRoles
            | Self::GetRoleCredentials
            | Self::Logout => Some(Family::Portal),
            Self::RegisterClient
            | Self::StartDeviceAuthorization
            | Self::CreateToken
            | Self::CreateTokenWithIam => Some(Family::Oidc),
            Self::Authorize | Self::GetSigninToken | Self::ConsoleLogin => None,
        }
    }

    fn classify(method: &Method, uri: &Uri) -> Option<Self> {
        let get = method == Method::GET;
        let post = method == Method::POST;
        match uri.path() {
            "/assignment/accounts" if get => Some(Self::ListAccounts),
            "/assignment/roles" if get => Some(Self::ListAccountRoles),
            "/federation/credentials" if get => Some(Self::GetRoleCredentials),
            "/logout" if post => Some(Self::Logout),
            "/client/register" if post => Some(Self::RegisterClient),
            "/device_authorization" if post => Some(Self::StartDeviceAuthorization),
            "/token" if post && is_iam_token(uri) => Some(Self::CreateTokenWithIam),
            "/token" if post => Some(Self::CreateToken),
            "/authorize" if get => Some(Self::Authorize),
            "/federation" if get && query_has(uri, "Action=login") => Some(Self::ConsoleLogin),
            "/federation" if get => Some(Self::GetSigninToken),
            _ => None,
        }
    }
}

fn query_has(uri: &Uri, pair: &str) -> bool {
    uri.query()
        .is_some_and(|query| query.split('&').any(|p| p == pair))
}

/// `POST /token?aws_iam=t` is CreateTokenWithIAM (§5.4).
pub(crate) fn is_iam_token(uri: &Uri) -> bool {
    uri.query()
        .is_some_and(|query| query.split('&').any(|pair| pair.starts_with("aws_iam=")))
}

/// Browser pages and control routes: not API traffic.
fn is_passthrough(path: &str) -> bool {
    path == "/_emulator"
        || path.starts_with("/_emulator/")
        || matches!(
            path,
            "/" | "/favicon.ico"
                | "/signin"
                | "/authorize/consent"
                | "/device"
                | "/device/confirm"
                | "/device/consent"
                | "/console"
        )
}

/// One captured API request, as `GET /_emulator/requests` shows it.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct LoggedRequest {
    method: String,
    path: String,
    /// The raw (still percent-encoded) query string.
    query: String,
    /// Lower-case header names; repeated headers joined with `, `.
    headers: BTreeMap<String, String>,
    /// The body parsed as JSON, or `null` (no body, or not JSON).
    body: Value,
    /// The response status; `null` while the request is in flight.
    status: Option<u16>,
    operation: Option<&'static str>,
    #[serde(skip)]
    sequence: u64,
}

/// Token bucket on the monotonic clock.
#[derive(Debug)]
struct TokenBucket {
    rate: f64,
    burst: f64,
    tokens: f64,
    last: Instant,
}

impl TokenBucket {
    fn admit(&mut self, now: Instant) -> bool {
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        self.tokens = (self.tokens + elapsed * self.rate).min(self.burst);
        self.last = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

/// SplitMix64: a tiny, well-known seedable generator. Fault injection needs reproducible coin
/// flips, not cryptographic randomness, which does not justify the `rand` crate.
#[derive(Debug)]
struct SplitMix64(u64);

impl SplitMix64 {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `[0, 1)`.
    fn next_f64(&mut self) -> f64 {
        // 53-bit values convert to f64 exactly.
        let value = (self.next_u64() >> 11) as f64;
        value / (1_u64 << 53) as f64
    }
}

/// Request log, counters, rate limiters and fault generator.
#[derive(Debug)]
pub(crate) struct Traffic {
    log: Mutex<VecDeque<LoggedRequest>>,
    next_sequence: Mutex<u64>,
    counters: Mutex<BTreeMap<&'static str, u64>>,
    buckets: Mutex<HashMap<Family, TokenBucket>>,
    faults: Mutex<SplitMix64>,
    error_rate: f64,
    operation_error_rates: Vec<OperationErrorRate>,
    latency: Duration,
}

impl Traffic {
    pub(crate) fn new(config: &Config) -> Self {
        #[expect(
            clippy::disallowed_methods,
            reason = "rate limits are real time on a real server, not the emulated clock"
        )]
        let now = Instant::now();
        let buckets = config
            .rate_limits
            .iter()
            .map(|limit| {
                (
                    limit.family,
                    TokenBucket {
                        rate: limit.rate,
                        burst: limit.burst,
                        tokens: limit.burst,
                        last: now,
                    },
                )
            })
            .collect();
        let seed = config
            .seed
            .unwrap_or_else(|| u64::from_le_bytes(ids::random::<8>()));
        Self {
            log: Mutex::new(VecDeque::new()),
            next_sequence: Mutex::new(0),
            counters: Mutex::new(Operation::ALL.iter().map(|op| (op.name(), 0)).collect()),
            buckets: Mutex::new(buckets),
            faults: Mutex::new(SplitMix64(seed)),
            error_rate: config.error_rate,
            operation_error_rates: config.operation_error_rates.clone(),
            latency: config.latency,
        }
    }

    fn record(
        &self,
        parts: &axum::http::request::Parts,
        body: &[u8],
        operation: Option<Operation>,
    ) -> u64 {
        let mut headers: BTreeMap<String, String> = BTreeMap::new();
        for (name, value) in &parts.headers {
            let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
            headers
                .entry(name.as_str().to_owned())
                .and_modify(|existing| {
                    existing.push_str(", ");
                    existing.push_str(&value);
                })
                .or_insert(value);
        }
        let body = serde_json::from_slice(body).unwrap_or(Value::Null);
        if let Some(operation) = operation {
            *lock(&self.counters).entry(operation.name()).or_insert(0) += 1;
        }
        let sequence = {
            let mut next = lock(&self.next_sequence);
            *next += 1;
            *next
        };
        let entry = LoggedRequest {
            method: parts.method.as_str().to_owned(),
            path: parts.uri.path().to_owned(),
            query: parts.uri.query().unwrap_or_default().to_owned(),
            headers,
            body,
            status: None,
            operation: operation.map(Operation::name),
            sequence,
        };
        let mut log = lock(&self.log);
        // Sequence numbers are taken and pushed under different locks, so keep the log sorted
        // by inserting from the back; out-of-order arrivals are at most a few places off.
        let position = log
            .iter()
            .rposition(|existing| existing.sequence < sequence)
            .map_or(0, |index| index + 1);
        log.insert(position, entry);
        if log.len() > LOG_CAPACITY {
            log.pop_front();
        }
        sequence
    }

    fn complete(&self, sequence: u64, status: StatusCode) {
        let mut log = lock(&self.log);
        if let Some(entry) = log
            .iter_mut()
            .rev()
            .find(|entry| entry.sequence == sequence)
        {
            entry.status = Some(status.as_u16());
        }
    }

    /// The captured requests, oldest first.
    pub(crate) fn requests(&self) -> Vec<LoggedRequest> {
        lock(&self.log).iter().cloned().collect()
    }

    /// Empties the capture log.
    pub(crate) fn clear_requests(&self) {
        lock(&self.log).clear();
    }

    /// Request counts per operation.
    pub(crate) fn counters(&self) -> BTreeMap<&'static str, u64> {
        lock(&self.counters).clone()
    }

    #[expect(
        clippy::disallowed_methods,
        reason = "rate limits are real time on a real server, not the emulated clock"
    )]
    fn admit(&self, family: Family) -> bool {
        lock(&self.buckets)
            .get_mut(&family)
            .is_none_or(|bucket| bucket.admit(Instant::now()))
    }

    fn inject_fault(&self, operation: Operation) -> bool {
        let rate = self
            .operation_error_rates
            .iter()
            .rev()
            .find(|rule| rule.operation == operation.name())
            .map_or(self.error_rate, |rule| rule.rate);
        rate > 0.0 && lock(&self.faults).next_f64() < rate
    }
}

/// The middleware (see the module docs).
pub(crate) async fn api_layer(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    if is_passthrough(request.uri().path()) {
        return next.run(request).await;
    }
    let operation = Operation::classify(request.method(), request.uri());
    let (parts, body) = request.into_parts();
    let traffic = state.traffic();
    let (bytes, body_error) = match axum::body::to_bytes(body, MAX_BODY).await {
        Ok(bytes) => (bytes, None),
        Err(_) => (
            axum::body::Bytes::new(),
            Some("The request body is too large or could not be read"),
        ),
    };
    let sequence = traffic.record(&parts, &bytes, operation);
    let family = operation.and_then(Operation::family);

    let mut response = match family {
        Some(family) => {
            if !traffic.latency.is_zero() {
                tokio::time::sleep(traffic.latency).await;
            }
            if let Some(message) = body_error {
                refuse(family, RefusalKind::Invalid(message))
            } else if !traffic.admit(family) {
                refuse(family, RefusalKind::Throttled)
            } else if operation.is_some_and(|operation| traffic.inject_fault(operation)) {
                refuse(family, RefusalKind::Fault)
            } else {
                next.run(Request::from_parts(parts, Body::from(bytes)))
                    .await
            }
        }
        None => match body_error {
            Some(message) => ApiError::portal_invalid(message).into_response(),
            None => {
                next.run(Request::from_parts(parts, Body::from(bytes)))
                    .await
            }
        },
    };

    let status = response.status();
    traffic.complete(sequence, status);
    // The service's time is the emulated clock's, so `/_emulator/clock/advance` also skews what
    // clients see in `Date` (hyper would stamp the real time).
    let date = state
        .clock()
        .now()
        .strftime("%a, %d %b %Y %H:%M:%S GMT")
        .to_string();
    if let Ok(value) = HeaderValue::from_str(&date) {
        response
            .headers_mut()
            .insert(axum::http::header::DATE, value);
    }
    if operation != Some(Operation::Authorize)
        && let Ok(value) = HeaderValue::from_str(&ids::uuid_v4())
    {
        response.headers_mut().insert("x-amzn-RequestId", value);
    }
    tracing::debug!(
        operation = operation.map_or("-", Operation::name),
        status = status.as_u16(),
        "api request"
    );
    response
}

enum RefusalKind {
    Invalid(&'static str),
    Throttled,
    Fault,
}

fn refuse(family: Family, kind: RefusalKind) -> Response {
    let error = match (family, kind) {
        (Family::Portal, RefusalKind::Invalid(message)) => ApiError::portal_invalid(message),
        (Family::Oidc, RefusalKind::Invalid(message)) => ApiError::oidc_invalid(message),
        (Family::Portal, RefusalKind::Throttled) => {
            ApiError::portal(PortalKind::TooManyRequests, "Rate exceeded")
        }
        (Family::Oidc, RefusalKind::Throttled) => {
            ApiError::oidc(OidcKind::SlowDown, "Rate exceeded")
        }
        (Family::Portal, RefusalKind::Fault) => ApiError::PortalInternal,
        (Family::Oidc, RefusalKind::Fault) => ApiError::oidc(
            OidcKind::InternalServer,
            "An internal error occurred (injected by --error-rate)",
        ),
    };
    error.into_response()
}

/// Fallback for paths with no operation.
pub(crate) async fn unknown_operation(method: Method, uri: Uri) -> ApiError {
    ApiError::UnknownOperation {
        status: StatusCode::NOT_FOUND,
        message: format!("No operation matches {method} {}", uri.path()),
    }
}

/// Fallback for a known path with the wrong method.
pub(crate) async fn method_not_allowed(method: Method, uri: Uri) -> ApiError {
    ApiError::UnknownOperation {
        status: StatusCode::METHOD_NOT_ALLOWED,
        message: format!("{method} is not allowed on {}", uri.path()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_admits_burst_then_rate() {
        #[expect(clippy::disallowed_methods, reason = "a fixed origin for the bucket")]
        let start = Instant::now();
        let mut bucket = TokenBucket {
            rate: 10.0,
            burst: 3.0,
            tokens: 3.0,
            last: start,
        };
        let admitted = (0..10).filter(|_| bucket.admit(start)).count();
        assert_eq!(admitted, 3);
        // 0.5 s later: 5 more tokens.
        let later = start + Duration::from_millis(500);
        let admitted = (0..10).filter(|_| bucket.admit(later)).count();
        assert_eq!(admitted, 3, "refill is capped at the burst size");
        let later = later + Duration::from_millis(100);
        assert!(bucket.admit(later));
        assert!(!bucket.admit(later));
    }

    #[test]
    fn splitmix_is_seeded_and_uniform_enough() {
        let mut a = SplitMix64(42);
        let mut b = SplitMix64(42);
        let draws: Vec<f64> = (0..10_000).map(|_| a.next_f64()).collect();
        assert!(
            draws
                .iter()
                .zip((0..10_000).map(|_| b.next_f64()))
                .all(|(x, y)| *x == y)
        );
        assert!(draws.iter().all(|x| (0.0..1.0).contains(x)));
        let below = draws.iter().filter(|x| **x < 0.25).count();
        assert!((2_300..2_700).contains(&below), "{below}");
    }

    #[test]
    fn faultable_operations_are_the_api_operations() {
        let api: Vec<&str> = Operation::ALL
            .iter()
            .filter(|op| op.family().is_some())
            .map(|op| op.name())
            .collect();
        assert_eq!(api, crate::config::FAULTABLE_OPERATIONS);
    }

    #[test]
    fn classify_operations() {
        let cases = [
            (
                Method::GET,
                "/assignment/accounts?max_result=5",
                Some("ListAccounts"),
            ),
            (
                Method::GET,
                "/assignment/roles?account_id=1",
                Some("ListAccountRoles"),
            ),
            (
                Method::GET,
                "/federation/credentials",
                Some("GetRoleCredentials"),
            ),
            (Method::POST, "/logout", Some("Logout")),
            (Method::POST, "/client/register", Some("RegisterClient")),
            (
                Method::POST,
                "/device_authorization",
                Some("StartDeviceAuthorization"),
            ),
            (Method::POST, "/token", Some("CreateToken")),
            (Method::POST, "/token?aws_iam=t", Some("CreateTokenWithIAM")),
            (Method::GET, "/authorize?client_id=x", Some("Authorize")),
            (Method::GET, "/logout", None),
            (Method::GET, "/nope", None),
        ];
        for (method, uri, expected) in cases {
            let uri: Uri = uri.parse().unwrap();
            assert_eq!(
                Operation::classify(&method, &uri).map(Operation::name),
                expected,
                "{method} {uri}"
            );
        }
    }
}
