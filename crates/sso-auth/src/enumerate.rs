//! [`Enumerator`]: every account and role a sign-in can use, listed as fast as the service's
//! throttle allows and no faster (issue 11; wire-protocol §4, §11).
//!
//! ListAccounts is read page by page at the largest page size (100), then ListAccountRoles for
//! each account by a bounded pool of workers. Every request of every worker first takes a slot
//! from one shared [`RateLimiter`], which starts at the documented 20 requests per second and
//! adapts (AIMD) to the throttle the service really applies, so a lower or shared limit costs
//! speed, not failures. This client's retry modes are off for these calls (the client is
//! built with one attempt); the retry policy lives here instead:
//!
//! - throttled (`TooManyRequestsException`, 429): the limiter slows down, and the request is
//!   tried again after a jittered pause, up to [`MAX_THROTTLED`] times;
//! - transient (5xx, a dropped connection): full-jitter exponential backoff, up to
//!   [`MAX_ATTEMPTS`] attempts;
//! - `UnauthorizedException` although the token looked valid: the token is renewed once for
//!   the whole run (a refresh under the token lock, never a login) and the request repeated; a
//!   second rejection ends the run;
//! - anything else, or retries used up, fails that one account: it is reported and the rest
//!   go on (ListAccounts failing ends the run, since nothing else can be listed).
//!
//! Results are handed over in ListAccounts order whatever order the workers finish in, with
//! roles in ListAccountRoles order. An interrupt (the `cancel` flag) stops new requests at
//! once, lets those in flight finish, and hands over what was finished, so the caller can
//! save it and resume later.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use sso_client::{ClientError, PortalClient, is_throttled, is_transient};
use sso_core::{Secret, Sleeper};

use crate::AuthError;
use crate::limiter::RateLimiter;

/// The page size of both list operations: the model's maximum.
pub const PAGE_SIZE: i64 = 100;

/// Concurrent ListAccountRoles workers. At 20 requests per second and real-world latencies of
/// 100–300 ms, eight keep the pace; more would only queue at the limiter.
pub const DEFAULT_CONCURRENCY: usize = 8;

/// Attempts for a request that fails transiently (5xx, connection): standard mode's 3, plus
/// two, since a failed account costs the user a re-run.
pub const MAX_ATTEMPTS: u32 = 5;

/// Throttled retries of one request before it counts as failed. The limiter makes throttling
/// rare; this bounds a service that throttles everything.
pub const MAX_THROTTLED: u32 = 20;

/// The first backoff, doubled per retry.
const BACKOFF_BASE: Duration = Duration::from_millis(250);

/// The longest backoff.
const BACKOFF_CAP: Duration = Duration::from_secs(5);

/// Waits are taken in steps of this, so an interrupt is noticed promptly.
const WAIT_STEP: Duration = Duration::from_millis(50);

/// How often progress is reported while roles are listed.
const PROGRESS_EVERY: Duration = Duration::from_millis(200);

/// Why an enumeration stopped before the end.
#[derive(Debug, thiserror::Error)]
pub enum EnumerationError {
    /// The `cancel` flag was raised (Ctrl-C).
    #[error("the enumeration was interrupted")]
    Interrupted,
    /// Nothing more can be listed: ListAccounts failed, or the token was rejected after its
    /// renewal.
    #[error(transparent)]
    Failed(#[from] AuthError),
}

/// How a rejected token is replaced: [`crate::TokenProvider::renew_rejected`] in the binary.
pub trait Renew: Sync {
    /// A token to use instead of `rejected`.
    ///
    /// # Errors
    ///
    /// The token cannot be renewed without a login.
    fn renew(&self, rejected: &Secret<String>) -> Result<Secret<String>, AuthError>;
}

impl<F> Renew for F
where
    F: Fn(&Secret<String>) -> Result<Secret<String>, AuthError> + Sync,
{
    fn renew(&self, rejected: &Secret<String>) -> Result<Secret<String>, AuthError> {
        self(rejected)
    }
}

/// One account from ListAccounts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// The 12-digit account ID.
    pub account_id: String,
    /// Its name (empty when the service gave none).
    pub account_name: String,
    /// Its e-mail address.
    pub email_address: Option<String>,
}

/// Where an enumeration is, for a progress line.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Progress {
    /// Accounts whose roles are listed (or failed).
    pub done: usize,
    /// Accounts to do in this run.
    pub total: usize,
    /// Requests sent so far, retries included.
    pub requests: u64,
    /// The limiter's current pace, requests per second.
    pub rate: f64,
    /// Time since the role listing began.
    pub elapsed: Duration,
}

impl Progress {
    /// The estimated time to finish: the accounts left at the pace seen so far (or at the
    /// limiter's pace before there is one to go by).
    pub fn eta(&self) -> Option<Duration> {
        let left = self.total.saturating_sub(self.done);
        let seconds = self.elapsed.as_secs_f64();
        let per_second = if self.done > 0 && seconds >= 1.0 {
            self.done as f64 / seconds
        } else {
            self.rate
        };
        (per_second > 0.0).then(|| Duration::from_secs_f64(left as f64 / per_second))
    }
}

/// Counts of one run, for `--debug` and benchmarks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Stats {
    /// Requests sent, retries included.
    pub requests: u64,
    /// Of those, throttled ones.
    pub throttled: u64,
    /// Token renewals (0 or 1).
    pub renewals: u64,
}

/// Lists accounts and roles through one limiter. See the module docs.
pub struct Enumerator<'a> {
    portal: &'a PortalClient,
    sleeper: &'a dyn Sleeper,
    limiter: RateLimiter<'a>,
    tokens: Tokens<'a>,
    cancel: &'a AtomicBool,
    concurrency: usize,
    requests: AtomicU64,
    throttled: AtomicU64,
}

/// The token every worker sends, and its one renewal.
struct Tokens<'a> {
    renew: &'a dyn Renew,
    state: Mutex<TokenState>,
}

struct TokenState {
    current: Secret<String>,
    /// Bumped by each renewal, so workers rejected with the same old token renew once.
    generation: u32,
}

/// How one request ended for its caller.
enum CallError {
    /// This request (and so this account) failed; the run goes on.
    Failed(ClientError),
    /// The run must stop.
    Stop(EnumerationError),
}

impl<'a> Enumerator<'a> {
    /// An enumerator sending `token` through `portal` (which should make one attempt per call:
    /// retries are ours), at most `rate` requests per second with `concurrency` workers.
    pub fn new(
        portal: &'a PortalClient,
        sleeper: &'a dyn Sleeper,
        token: Secret<String>,
        renew: &'a dyn Renew,
        cancel: &'a AtomicBool,
        rate: f64,
        concurrency: usize,
    ) -> Self {
        Self {
            portal,
            sleeper,
            limiter: RateLimiter::new(rate, sleeper),
            tokens: Tokens {
                renew,
                state: Mutex::new(TokenState {
                    current: token,
                    generation: 0,
                }),
            },
            cancel,
            concurrency: concurrency.max(1),
            requests: AtomicU64::new(0),
            throttled: AtomicU64::new(0),
        }
    }

    /// What the run has cost so far.
    pub fn stats(&self) -> Stats {
        Stats {
            requests: self.requests.load(Ordering::Relaxed),
            throttled: self.throttled.load(Ordering::Relaxed),
            renewals: u64::from(self.tokens.state().generation),
        }
    }

    /// Every account, in ListAccounts order. `on_page` is told how many are known so far.
    ///
    /// # Errors
    ///
    /// A page that could not be read after retries, a token that cannot be renewed, or an
    /// interrupt.
    pub fn list_accounts(
        &self,
        on_page: &mut dyn FnMut(usize),
    ) -> Result<Vec<Account>, EnumerationError> {
        let mut accounts = Vec::new();
        let mut next_token: Option<String> = None;
        loop {
            let page = self
                .call(|token| {
                    self.portal
                        .list_accounts(token, next_token.as_deref(), Some(PAGE_SIZE))
                })
                .map_err(|error| match error {
                    CallError::Failed(error) => AuthError::Client(error).into(),
                    CallError::Stop(error) => error,
                })?;
            accounts.extend(
                page.account_list
                    .unwrap_or_default()
                    .into_iter()
                    .filter_map(|info| {
                        Some(Account {
                            account_id: info.account_id?,
                            account_name: info.account_name.unwrap_or_default(),
                            email_address: info.email_address,
                        })
                    }),
            );
            on_page(accounts.len());
            match page.next_token.filter(|token| !token.is_empty()) {
                Some(token) => next_token = Some(token),
                None => return Ok(accounts),
            }
        }
    }

    /// The roles of each of `account_ids`. `on_result` receives `(index, roles or the
    /// account's failure)` in index order as results become available (and, when the run
    /// stops early, the finished ones after a gap too); `on_progress` is called every 200 ms
    /// and once at the end. Both run on the calling thread.
    ///
    /// # Errors
    ///
    /// The run stopped early: an interrupt, or a token that cannot be renewed. Everything
    /// finished before that has been handed to `on_result`.
    pub fn list_roles(
        &self,
        account_ids: &[String],
        on_result: &mut dyn FnMut(usize, Result<Vec<String>, ClientError>),
        on_progress: &mut dyn FnMut(&Progress),
    ) -> Result<(), EnumerationError> {
        let total = account_ids.len();
        let started = self.sleeper.now();
        let next = AtomicUsize::new(0);
        let stop = AtomicBool::new(false);
        let fatal: Mutex<Option<EnumerationError>> = Mutex::new(None);
        let (sender, receiver) = mpsc::channel();
        std::thread::scope(|scope| {
            for _ in 0..self.concurrency.min(total) {
                let sender = sender.clone();
                let (next, stop, fatal) = (&next, &stop, &fatal);
                scope.spawn(move || {
                    while !stop.load(Ordering::Relaxed) {
                        let index = next.fetch_add(1, Ordering::Relaxed);
                        let Some(account_id) = account_ids.get(index) else {
                            break;
                        };
                        let result = match self.roles_of(account_id) {
                            Ok(roles) => Ok(roles),
                            Err(CallError::Failed(error)) => Err(error),
                            Err(CallError::Stop(error)) => {
                                stop.store(true, Ordering::Relaxed);
                                let mut fatal =
                                    fatal.lock().unwrap_or_else(PoisonError::into_inner);
                                fatal.get_or_insert(error);
                                break;
                            }
                        };
                        if sender.send((index, result)).is_err() {
                            break;
                        }
                    }
                });
            }
            drop(sender);

            let mut pending = BTreeMap::new();
            let mut emitted = 0;
            let mut done = 0;
            let mut last_report = started;
            let progress = |done: usize| Progress {
                done,
                total,
                requests: self.requests.load(Ordering::Relaxed),
                rate: self.limiter.rate(),
                elapsed: self.sleeper.now().saturating_sub(started),
            };
            loop {
                match receiver.recv_timeout(PROGRESS_EVERY) {
                    Ok((index, result)) => {
                        done += 1;
                        pending.insert(index, result);
                        while let Some(result) = pending.remove(&emitted) {
                            on_result(emitted, result);
                            emitted += 1;
                        }
                    }
                    Err(RecvTimeoutError::Timeout) => {}
                    Err(RecvTimeoutError::Disconnected) => break,
                }
                if self.cancel.load(Ordering::Relaxed) {
                    stop.store(true, Ordering::Relaxed);
                }
                let now = self.sleeper.now();
                if now.saturating_sub(last_report) >= PROGRESS_EVERY {
                    last_report = now;
                    on_progress(&progress(done));
                }
            }
            for (index, result) in pending {
                on_result(index, result);
            }
            on_progress(&progress(done));
        });
        // An interrupt reaches the workers as a `Stop`, so it is in `fatal` unless every
        // account was already finished.
        match fatal.into_inner().unwrap_or_else(PoisonError::into_inner) {
            Some(error) => Err(error),
            None => Ok(()),
        }
    }

    /// Every page of one account's roles.
    fn roles_of(&self, account_id: &str) -> Result<Vec<String>, CallError> {
        let mut roles = Vec::new();
        let mut next_token: Option<String> = None;
        loop {
            let page = self.call(|token| {
                self.portal.list_account_roles(
                    token,
                    account_id,
                    next_token.as_deref(),
                    Some(PAGE_SIZE),
                )
            })?;
            roles.extend(
                page.role_list
                    .unwrap_or_default()
                    .into_iter()
                    .filter_map(|role| role.role_name),
            );
            match page.next_token.filter(|token| !token.is_empty()) {
                Some(token) => next_token = Some(token),
                None => return Ok(roles),
            }
        }
    }

    /// One request, paced and retried as the module docs say.
    fn call<T>(
        &self,
        request: impl Fn(&Secret<String>) -> Result<T, ClientError>,
    ) -> Result<T, CallError> {
        let mut throttles = 0_u32;
        let mut failures = 0_u32;
        loop {
            self.wait(self.limiter.reserve())?;
            let (token, generation) = self.tokens.current();
            self.requests.fetch_add(1, Ordering::Relaxed);
            let error = match request(&token) {
                Ok(value) => {
                    self.limiter.on_success();
                    return Ok(value);
                }
                Err(error) => error,
            };
            if is_throttled(&error) {
                self.limiter.on_throttle();
                self.throttled.fetch_add(1, Ordering::Relaxed);
                throttles += 1;
                if throttles > MAX_THROTTLED {
                    return Err(CallError::Failed(retries_reached(
                        error,
                        throttles + failures,
                    )));
                }
                self.wait(self.backoff(throttles.min(3)))?;
            } else if is_transient(&error) {
                failures += 1;
                if failures >= MAX_ATTEMPTS {
                    return Err(CallError::Failed(retries_reached(
                        error,
                        throttles + failures - 1,
                    )));
                }
                self.wait(self.backoff(failures))?;
            } else if error.code() == Some("UnauthorizedException") {
                self.tokens.renew(generation, &token, error)?;
            } else {
                return Err(CallError::Failed(error));
            }
        }
    }

    /// Full jitter: uniform in `[0, min(cap, base · 2^(retry-1))]`.
    fn backoff(&self, retry: u32) -> Duration {
        let ceiling = BACKOFF_BASE
            .saturating_mul(1 << retry.saturating_sub(1).min(16))
            .min(BACKOFF_CAP);
        ceiling.mul_f64(self.sleeper.random())
    }

    /// Sleeps `duration` in short steps; `Err` as soon as the run is interrupted.
    fn wait(&self, duration: Duration) -> Result<(), CallError> {
        let end = self.sleeper.now() + duration;
        loop {
            if self.cancel.load(Ordering::Relaxed) {
                return Err(CallError::Stop(EnumerationError::Interrupted));
            }
            let left = end.saturating_sub(self.sleeper.now());
            if left.is_zero() {
                return Ok(());
            }
            self.sleeper.sleep(left.min(WAIT_STEP));
        }
    }
}

impl Tokens<'_> {
    fn state(&self) -> MutexGuard<'_, TokenState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn current(&self) -> (Secret<String>, u32) {
        let state = self.state();
        (state.current.clone(), state.generation)
    }

    /// Replaces the token `rejected` (of `generation`) unless another worker already did; a
    /// second rejection after the one renewal ends the run with `error`.
    fn renew(
        &self,
        generation: u32,
        rejected: &Secret<String>,
        error: ClientError,
    ) -> Result<(), CallError> {
        // Held across the renewal: the other workers would only be rejected meanwhile.
        let mut state = self.state();
        if state.generation != generation {
            return Ok(());
        }
        if state.generation > 0 {
            return Err(CallError::Stop(AuthError::Client(error).into()));
        }
        let fresh = self
            .renew
            .renew(rejected)
            .map_err(|error| CallError::Stop(error.into()))?;
        state.current = fresh;
        state.generation += 1;
        Ok(())
    }
}

/// Marks a service error as having used up its retries, as botocore words it.
fn retries_reached(error: ClientError, retries: u32) -> ClientError {
    match error {
        ClientError::Service(mut service) => {
            service.retries_reached = Some(retries);
            ClientError::Service(service)
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eta_uses_the_observed_pace_once_there_is_one() {
        let mut progress = Progress {
            done: 0,
            total: 100,
            requests: 0,
            rate: 20.0,
            elapsed: Duration::ZERO,
        };
        assert_eq!(progress.eta(), Some(Duration::from_secs(5)));
        progress.done = 20;
        progress.elapsed = Duration::from_secs(4);
        assert_eq!(progress.eta(), Some(Duration::from_secs(16)));
        progress.done = 100;
        assert_eq!(progress.eta(), Some(Duration::ZERO));
    }

    #[test]
    fn retries_reached_marks_service_errors_only() {
        let service = ClientError::Service(sso_client::ServiceError {
            code: "TooManyRequestsException".into(),
            message: "Rate exceeded".into(),
            operation: sso_client::Operation::ListAccountRoles,
            status: 429,
            retries_reached: None,
            extra: Vec::new(),
            request_id: None,
        });
        assert_eq!(
            retries_reached(service, 20).to_string(),
            "An error occurred (TooManyRequestsException) when calling the ListAccountRoles operation (reached max retries: 20): Rate exceeded"
        );
    }
}
