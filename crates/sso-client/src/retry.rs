//! Retries, copied from botocore's `legacy`, `standard` and `adaptive` modes (spec cli-behavior
//! §6.6, wire-protocol §11), and the [`Sleeper`] seam they wait through.
//!
//! What each mode retries:
//! - **standard** (AWS CLI v2 default, 3 attempts): any transport failure; statuses 500, 502,
//!   503, 504; codes `RequestTimeout`, `RequestTimeoutException`, `PriorRequestNotComplete`
//!   and botocore's throttling list (which contains `TooManyRequestsException` but **not** the
//!   OIDC `SlowDownException` or `AuthorizationPendingException`: the login loop handles
//!   those). Delay `rand(0,1) × min(2^(attempt−1), 20)` s. Each retry takes 5 tokens (10 after
//!   a timeout) from a per-client quota of 500; a success refunds what its call took (or 1
//!   token when it was not retried). An empty quota stops retrying.
//! - **adaptive**: standard, plus botocore's client-side rate limiter (below).
//! - **legacy** (CLI v1 / PyPI botocore default, 5 attempts): transport failures, statuses
//!   429, 500, 502, 503, 504, 509, and 400 with code `Throttling` / `ThrottlingException`.
//!   Delay `rand(0,1) × 2^(attempt−1)` s, no cap, no quota.
//!
//! When botocore adds `(reached max retries: N)` to the error line (N = retries made):
//! - standard/adaptive: whenever the failing attempt is the last one allowed, **even if the
//!   error was not retryable** (`MaxAttemptsChecker` runs first). So with `max_attempts = 1`
//!   a 401 reads `... operation (reached max retries: 0): ...`. A call stopped by an empty
//!   quota gets no suffix.
//! - legacy: only when the error was retryable and the attempts ran out.
//!
//! Adaptive mode, simplified: botocore's `ClientRateLimiter` is reproduced for one thread —
//! the token bucket (starts disabled, minimum rate 0.5/s), the smoothed measured send rate
//! (0.5 s buckets, smoothing 0.8) and the CUBIC rate adjustment (C = 0.4, β = 0.7) on
//! throttling codes. The limiter lives in one client, so it is per-process as in the CLI.
//! Differences: there is no condition variable to wake a waiting sender early (we have one
//! thread), and a waiting sender sleeps once for the computed deficit instead of looping, so a
//! clock that does not advance cannot hang us.

use std::sync::Mutex;
use std::time::Duration;

use crate::error::ClientError;
use crate::transport::TransportError;

/// Retry settings of a client. The caller resolves `AWS_RETRY_MODE` / `AWS_MAX_ATTEMPTS` /
/// profile keys and their defaults (standard: 3, legacy: 5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// The algorithm.
    pub mode: RetryMode,
    /// Total attempts, first one included. `0` is treated as `1`.
    pub max_attempts: u32,
}

impl Default for RetryPolicy {
    /// AWS CLI v2: standard mode, 3 attempts.
    fn default() -> Self {
        Self {
            mode: RetryMode::Standard,
            max_attempts: 3,
        }
    }
}

impl RetryPolicy {
    pub(crate) fn attempts(self) -> u32 {
        self.max_attempts.max(1)
    }
}

pub use sso_core::RetryMode;
pub use sso_core::sleep::{Sleeper, SystemSleeper, random_u64, random_unit};

/// What one attempt ended with, as far as retrying is concerned.
pub(crate) enum Outcome<'a> {
    /// An error response (status ≥ 301) with its decoded code.
    Error {
        /// HTTP status.
        status: u16,
        /// Decoded error code.
        code: &'a str,
    },
    /// No response.
    Transport(&'a TransportError),
}

/// botocore `ThrottledRetryableChecker._THROTTLED_ERROR_CODES`.
const THROTTLING_CODES: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottledException",
    "TooManyRequestsException",
    "ProvisionedThroughputExceededException",
    "TransactionInProgressException",
    "RequestLimitExceeded",
    "BandwidthLimitExceeded",
    "LimitExceededException",
    "RequestThrottled",
    "SlowDown",
    "PriorRequestNotComplete",
    "EC2ThrottledException",
];

/// botocore `TransientRetryableChecker._TRANSIENT_ERROR_CODES`.
const TRANSIENT_CODES: &[&str] = &[
    "RequestTimeout",
    "RequestTimeoutException",
    "PriorRequestNotComplete",
];

pub(crate) fn is_throttling_code(code: &str) -> bool {
    THROTTLING_CODES.contains(&code)
}

/// Whether `error` is the service asking the caller to slow down (a throttling code, or a bare
/// 429), for callers that pace themselves instead of relying on the retry modes.
pub fn is_throttled(error: &ClientError) -> bool {
    error
        .service_error()
        .is_some_and(|e| e.status == 429 || is_throttling_code(&e.code))
}

/// Whether `error` is transient in standard mode's sense (a 5xx or transient code, or a
/// connection failure that a retry can cure), not counting throttling.
pub fn is_transient(error: &ClientError) -> bool {
    match error {
        ClientError::Service(e) => {
            matches!(e.status, 500 | 502 | 503 | 504) || TRANSIENT_CODES.contains(&e.code.as_str())
        }
        ClientError::Transport(e) => e.is_retryable(),
        ClientError::InvalidResponse { .. } => false,
    }
}

fn retryable_standard(outcome: &Outcome<'_>) -> bool {
    match outcome {
        Outcome::Transport(error) => error.is_retryable(),
        Outcome::Error { status, code } => {
            matches!(status, 500 | 502 | 503 | 504)
                || TRANSIENT_CODES.contains(code)
                || is_throttling_code(code)
        }
    }
}

fn retryable_legacy(outcome: &Outcome<'_>) -> bool {
    match outcome {
        Outcome::Transport(error) => error.is_retryable(),
        Outcome::Error { status, code } => {
            matches!(status, 429 | 500 | 502 | 503 | 504 | 509)
                || (*status == 400 && matches!(*code, "Throttling" | "ThrottlingException"))
        }
    }
}

/// The decision after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Decision {
    /// Wait this long, then send again.
    Retry(Duration),
    /// Give up. `max_attempts_reached` decides the `(reached max retries: N)` suffix.
    Stop {
        /// botocore's `MaxAttemptsReached` metadata.
        max_attempts_reached: bool,
    },
}

/// Per-call retry bookkeeping (botocore's `request_context['retry_quota_capacity']`).
#[derive(Debug, Default)]
pub(crate) struct CallState {
    /// Tokens taken from the quota by the latest retry of this call.
    quota_capacity: Option<u32>,
}

/// botocore `RetryQuota`: 500 tokens, shared by every call of one client.
#[derive(Debug)]
struct RetryQuota {
    available: u32,
}

impl RetryQuota {
    const MAX: u32 = 500;
    const RETRY_COST: u32 = 5;
    const TIMEOUT_RETRY_COST: u32 = 10;
    const NO_RETRY_INCREMENT: u32 = 1;

    fn acquire(&mut self, amount: u32) -> bool {
        if amount > self.available {
            return false;
        }
        self.available -= amount;
        true
    }

    fn release(&mut self, amount: u32) {
        self.available = (self.available + amount).min(Self::MAX);
    }
}

/// Retry state that outlives a call: the quota and the adaptive rate limiter.
#[derive(Debug)]
pub(crate) struct RetryState {
    quota: RetryQuota,
    limiter: Option<RateLimiter>,
}

impl RetryState {
    pub(crate) fn new(policy: RetryPolicy, now: f64) -> Mutex<Self> {
        Mutex::new(Self {
            quota: RetryQuota {
                available: RetryQuota::MAX,
            },
            limiter: (policy.mode == RetryMode::Adaptive).then(|| RateLimiter::new(now)),
        })
    }

    /// Tokens left in the retry quota.
    #[cfg(test)]
    const fn quota_available(&self) -> u32 {
        self.quota.available
    }

    /// Adaptive mode, before each attempt: how long to wait for a send token (zero when the
    /// limiter is off). The caller sleeps, then calls [`Self::after_wait`].
    pub(crate) fn before_send(&mut self, now: f64) -> Duration {
        self.limiter
            .as_mut()
            .map_or(Duration::ZERO, |limiter| limiter.wait_before_send(now))
    }

    /// Adaptive mode: takes the send token after the wait computed by [`Self::before_send`].
    pub(crate) fn after_wait(&mut self, now: f64) {
        if let Some(limiter) = self.limiter.as_mut() {
            limiter.take_token(now);
        }
    }

    /// Adaptive mode, after each attempt: feeds the rate limiter.
    pub(crate) fn on_response(&mut self, now: f64, throttled: bool) {
        if let Some(limiter) = self.limiter.as_mut() {
            limiter.on_response(now, throttled);
        }
    }

    /// A 2xx arrived: refund the quota (botocore `release_retry_quota`).
    pub(crate) fn on_success(&mut self, call: &CallState) {
        self.quota.release(
            call.quota_capacity
                .unwrap_or(RetryQuota::NO_RETRY_INCREMENT),
        );
    }

    /// Decides whether attempt number `attempt` (1-based), which failed with `outcome`, is
    /// retried, following botocore exactly (see the module docs). `random` is the jitter in
    /// `[0, 1)`.
    pub(crate) fn decide(
        &mut self,
        policy: RetryPolicy,
        attempt: u32,
        outcome: &Outcome<'_>,
        random: f64,
        call: &mut CallState,
    ) -> Decision {
        let max_attempts = policy.attempts();
        match policy.mode {
            RetryMode::Legacy => {
                if !retryable_legacy(outcome) {
                    return Decision::Stop {
                        max_attempts_reached: false,
                    };
                }
                if attempt >= max_attempts {
                    return Decision::Stop {
                        max_attempts_reached: true,
                    };
                }
                Decision::Retry(seconds(random * 2_f64.powf(f64::from(attempt - 1))))
            }
            RetryMode::Standard | RetryMode::Adaptive => {
                if attempt >= max_attempts {
                    return Decision::Stop {
                        max_attempts_reached: true,
                    };
                }
                if !retryable_standard(outcome) {
                    return Decision::Stop {
                        max_attempts_reached: false,
                    };
                }
                let cost = match outcome {
                    Outcome::Transport(error) if error.is_timeout() => {
                        RetryQuota::TIMEOUT_RETRY_COST
                    }
                    _ => RetryQuota::RETRY_COST,
                };
                if !self.quota.acquire(cost) {
                    return Decision::Stop {
                        max_attempts_reached: false,
                    };
                }
                call.quota_capacity = Some(cost);
                let backoff = 2_f64.powf(f64::from(attempt - 1)).min(20.0);
                Decision::Retry(seconds(random * backoff))
            }
        }
    }
}

/// Seconds as a `Duration`, saturating instead of panicking on absurd values.
fn seconds(value: f64) -> Duration {
    Duration::try_from_secs_f64(value.max(0.0)).unwrap_or(Duration::MAX)
}

/// botocore's adaptive `ClientRateLimiter` + `TokenBucket` + `RateClocker` +
/// `CubicCalculator`, for one thread. Times are seconds on the [`Sleeper`] clock.
#[derive(Debug)]
struct RateLimiter {
    enabled: bool,
    // Token bucket.
    fill_rate: f64,
    max_capacity: f64,
    current_capacity: f64,
    last_refill: Option<f64>,
    // Rate clocker.
    measured_rate: f64,
    last_bucket: f64,
    count: f64,
    // CUBIC.
    w_max: f64,
    k: f64,
    last_fail: f64,
}

impl RateLimiter {
    const MIN_RATE: f64 = 0.5;
    const SMOOTHING: f64 = 0.8;
    const BUCKET_SCALE: f64 = 2.0; // 1 / 0.5 s
    const SCALE_CONSTANT: f64 = 0.4;
    const BETA: f64 = 0.7;
    const MAX_RATE_ADJUST_SCALE: f64 = 2.0;

    fn new(now: f64) -> Self {
        let mut limiter = Self {
            enabled: false,
            fill_rate: 0.0,
            max_capacity: 0.0,
            current_capacity: 0.0,
            last_refill: None,
            measured_rate: 0.0,
            last_bucket: now.floor(),
            count: 0.0,
            w_max: 0.0,
            k: 0.0,
            last_fail: now,
        };
        limiter.k = limiter.zero_point();
        // `TokenBucket(max_rate=1)`.
        limiter.set_max_rate(1.0, now);
        limiter
    }

    fn zero_point(&self) -> f64 {
        (self.w_max * (1.0 - Self::BETA) / Self::SCALE_CONSTANT).cbrt()
    }

    fn refill(&mut self, now: f64) {
        if let Some(last) = self.last_refill {
            let filled = (now - last).max(0.0) * self.fill_rate;
            self.current_capacity = (self.current_capacity + filled).min(self.max_capacity);
        }
        self.last_refill = Some(now);
    }

    fn set_max_rate(&mut self, value: f64, now: f64) {
        self.refill(now);
        self.fill_rate = value.max(Self::MIN_RATE);
        self.max_capacity = if value >= 1.0 { value } else { 1.0 };
        self.current_capacity = self.current_capacity.min(self.max_capacity);
    }

    fn wait_before_send(&mut self, now: f64) -> Duration {
        if !self.enabled {
            return Duration::ZERO;
        }
        self.refill(now);
        if self.current_capacity >= 1.0 {
            return Duration::ZERO;
        }
        seconds((1.0 - self.current_capacity) / self.fill_rate)
    }

    fn take_token(&mut self, now: f64) {
        if !self.enabled {
            return;
        }
        self.refill(now);
        self.current_capacity = (self.current_capacity - 1.0).max(0.0);
    }

    /// `RateClocker.record`.
    fn record(&mut self, now: f64) -> f64 {
        let bucket = (now * Self::BUCKET_SCALE).floor() / Self::BUCKET_SCALE;
        self.count += 1.0;
        if bucket > self.last_bucket {
            let current_rate = self.count / (bucket - self.last_bucket);
            self.measured_rate =
                current_rate * Self::SMOOTHING + self.measured_rate * (1.0 - Self::SMOOTHING);
            self.count = 0.0;
            self.last_bucket = bucket;
        }
        self.measured_rate
    }

    fn on_response(&mut self, now: f64, throttled: bool) {
        let measured = self.record(now);
        let new_rate = if throttled {
            let rate_to_use = if self.enabled {
                measured.min(self.fill_rate)
            } else {
                measured
            };
            // CubicCalculator.error_received.
            self.w_max = rate_to_use;
            self.k = self.zero_point();
            self.last_fail = now;
            self.enabled = true;
            rate_to_use * Self::BETA
        } else {
            // CubicCalculator.success_received.
            let dt = now - self.last_fail;
            Self::SCALE_CONSTANT * (dt - self.k).powi(3) + self.w_max
        };
        self.set_max_rate(new_rate.min(Self::MAX_RATE_ADJUST_SCALE * measured), now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decide(policy: RetryPolicy, attempt: u32, outcome: &Outcome<'_>) -> Decision {
        let state = RetryState::new(policy, 0.0);
        let mut state = state.lock().unwrap();
        state.decide(policy, attempt, outcome, 0.5, &mut CallState::default())
    }

    #[test]
    fn standard_mode_retry_table() {
        let policy = RetryPolicy::default();
        let refused = TransportError::Connect {
            url: "u".into(),
            detail: "d".into(),
        };
        let cases: &[(Outcome<'_>, bool)] = &[
            (
                Outcome::Error {
                    status: 500,
                    code: "500",
                },
                true,
            ),
            (
                Outcome::Error {
                    status: 502,
                    code: "502",
                },
                true,
            ),
            (
                Outcome::Error {
                    status: 503,
                    code: "503",
                },
                true,
            ),
            (
                Outcome::Error {
                    status: 504,
                    code: "504",
                },
                true,
            ),
            (
                Outcome::Error {
                    status: 500,
                    code: "InternalServerException",
                },
                true,
            ),
            (
                Outcome::Error {
                    status: 429,
                    code: "TooManyRequestsException",
                },
                true,
            ),
            (
                Outcome::Error {
                    status: 400,
                    code: "ThrottlingException",
                },
                true,
            ),
            (
                Outcome::Error {
                    status: 400,
                    code: "RequestTimeout",
                },
                true,
            ),
            (Outcome::Transport(&refused), true),
            (
                Outcome::Transport(&TransportError::Ssl {
                    url: "u".into(),
                    detail: "d".into(),
                }),
                true,
            ),
            (
                Outcome::Transport(&TransportError::InvalidEndpoint {
                    endpoint: "e".into(),
                }),
                false,
            ),
            // A bare 429 without a throttling code is not retried in standard mode.
            (
                Outcome::Error {
                    status: 429,
                    code: "429",
                },
                false,
            ),
            (
                Outcome::Error {
                    status: 400,
                    code: "SlowDownException",
                },
                false,
            ),
            (
                Outcome::Error {
                    status: 400,
                    code: "AuthorizationPendingException",
                },
                false,
            ),
            (
                Outcome::Error {
                    status: 401,
                    code: "UnauthorizedException",
                },
                false,
            ),
            (
                Outcome::Error {
                    status: 509,
                    code: "509",
                },
                false,
            ),
        ];
        for (outcome, retried) in cases {
            let decision = decide(policy, 1, outcome);
            assert_eq!(
                matches!(decision, Decision::Retry(_)),
                *retried,
                "{:?}",
                match outcome {
                    Outcome::Error { status, code } => format!("{status} {code}"),
                    Outcome::Transport(e) => e.to_string(),
                }
            );
        }
    }

    #[test]
    fn legacy_mode_retry_table() {
        let policy = RetryPolicy {
            mode: RetryMode::Legacy,
            max_attempts: 5,
        };
        let cases: &[(u16, &str, bool)] = &[
            (429, "429", true),
            (429, "TooManyRequestsException", true),
            (509, "509", true),
            (500, "500", true),
            (400, "Throttling", true),
            (400, "ThrottlingException", true),
            (400, "TooManyRequestsException", false),
            (401, "UnauthorizedException", false),
        ];
        for (status, code, retried) in cases {
            let decision = decide(
                policy,
                1,
                &Outcome::Error {
                    status: *status,
                    code,
                },
            );
            assert_eq!(
                matches!(decision, Decision::Retry(_)),
                *retried,
                "{status} {code}"
            );
        }
        // Legacy reports max retries only for retryable errors.
        assert_eq!(
            decide(
                policy,
                5,
                &Outcome::Error {
                    status: 401,
                    code: "X"
                }
            ),
            Decision::Stop {
                max_attempts_reached: false
            }
        );
        assert_eq!(
            decide(
                policy,
                5,
                &Outcome::Error {
                    status: 429,
                    code: "X"
                }
            ),
            Decision::Stop {
                max_attempts_reached: true
            }
        );
        // Uncapped exponential backoff: attempt 5 → rand × 16.
        assert_eq!(
            decide(
                policy,
                4,
                &Outcome::Error {
                    status: 500,
                    code: "500"
                }
            ),
            Decision::Retry(Duration::from_secs(4))
        );
    }

    #[test]
    fn standard_backoff_is_full_jitter_capped_at_20_seconds() {
        let policy = RetryPolicy {
            mode: RetryMode::Standard,
            max_attempts: 10,
        };
        let outcome = Outcome::Error {
            status: 503,
            code: "503",
        };
        let expected = [0.5, 1.0, 2.0, 4.0, 8.0, 10.0, 10.0];
        for (index, want) in expected.iter().enumerate() {
            let attempt = u32::try_from(index).unwrap() + 1;
            assert_eq!(
                decide(policy, attempt, &outcome),
                Decision::Retry(Duration::from_secs_f64(*want)),
                "attempt {attempt}"
            );
        }
    }

    #[test]
    fn standard_max_attempts_reached_even_for_non_retryable_errors() {
        let policy = RetryPolicy {
            mode: RetryMode::Standard,
            max_attempts: 1,
        };
        assert_eq!(
            decide(
                policy,
                1,
                &Outcome::Error {
                    status: 401,
                    code: "UnauthorizedException"
                }
            ),
            Decision::Stop {
                max_attempts_reached: true
            }
        );
    }

    #[test]
    fn quota_drains_by_cost_and_refunds_on_success() {
        let policy = RetryPolicy {
            mode: RetryMode::Standard,
            max_attempts: 1000,
        };
        let state = RetryState::new(policy, 0.0);
        let mut state = state.lock().unwrap();
        let timeout = TransportError::ReadTimeout { url: "u".into() };
        let mut call = CallState::default();
        let decision = state.decide(policy, 1, &Outcome::Transport(&timeout), 0.0, &mut call);
        assert_eq!(decision, Decision::Retry(Duration::ZERO));
        assert_eq!(state.quota_available(), 490);
        state.on_success(&call);
        assert_eq!(state.quota_available(), 500);
        let mut retries = 0;
        let mut call = CallState::default();
        while let Decision::Retry(_) = state.decide(
            policy,
            1,
            &Outcome::Error {
                status: 500,
                code: "500",
            },
            0.0,
            &mut call,
        ) {
            retries += 1;
        }
        assert_eq!(retries, 100);
        assert_eq!(state.quota_available(), 0);
        state.on_success(&CallState::default());
        assert_eq!(state.quota_available(), 1);
    }

    #[test]
    fn adaptive_limiter_engages_on_throttling_and_recovers() {
        let mut limiter = RateLimiter::new(0.0);
        // Disabled until the first throttle: no waiting.
        assert_eq!(limiter.wait_before_send(0.1), Duration::ZERO);
        // Ten quick successes over 2 s establish a measured rate.
        for step in 0..10 {
            limiter.on_response(0.2 * f64::from(step + 1), false);
        }
        assert!(!limiter.enabled);
        let measured = limiter.measured_rate;
        assert!(measured > 0.0, "{measured}");
        limiter.on_response(2.1, true);
        assert!(limiter.enabled);
        // β × measured, floored at the 0.5/s minimum.
        let expected = (measured * 0.7).max(0.5);
        assert!(
            (limiter.fill_rate - expected).abs() < 1e-9,
            "{} vs {expected}",
            limiter.fill_rate
        );
        // Tokens saved up while disabled are spent first (as in botocore); after that a
        // burst has to wait for the bucket to refill at the reduced rate.
        let mut sent = 0;
        while limiter.wait_before_send(2.1).is_zero() && sent < 100 {
            limiter.take_token(2.1);
            sent += 1;
        }
        assert!(sent < 100, "the bucket never ran dry");
        let wait = limiter.wait_before_send(2.1).as_secs_f64();
        let deficit = 1.0 - limiter.current_capacity;
        assert!((wait - deficit / limiter.fill_rate).abs() < 1e-9, "{wait}");
        assert!(
            wait > 0.0 && wait <= 1.0 / limiter.fill_rate + 1e-9,
            "{wait}"
        );
        limiter.take_token(2.1 + wait);
        assert!(
            limiter.current_capacity < 1e-9,
            "{}",
            limiter.current_capacity
        );
        // CUBIC: the rate climbs back to W_max exactly K seconds after the failure, where
        // K = cbrt(W_max (1 − β) / C); the bucket then takes min(that, 2 × measured).
        let (w_max, k, last_fail) = (limiter.w_max, limiter.k, limiter.last_fail);
        assert!((k - (w_max * 0.3 / 0.4).cbrt()).abs() < 1e-12, "{k}");
        limiter.on_response(last_fail + k, false);
        let expected = w_max.min(2.0 * limiter.measured_rate).max(0.5);
        assert!(
            (limiter.fill_rate - expected).abs() < 1e-9,
            "{} vs {expected}",
            limiter.fill_rate
        );
    }
}
