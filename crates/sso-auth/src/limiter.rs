//! [`RateLimiter`]: one request pace shared by every worker of an enumeration, adapted to the
//! throttle the service actually applies (AIMD, as TCP congestion control does).
//!
//! IAM Identity Center's APIs share a throttle of about 20 requests per second per account
//! (wire-protocol §11; aws-sso-util#112, granted#912), but the real limit is not published and
//! can be lower. The limiter starts at the known ceiling and paces requests evenly (a slot
//! every `1/rate` seconds, so workers never burst). A throttled request halves the rate —
//! once per cool-down, since the requests already in flight when the service began refusing
//! will be refused too and say nothing new — and every success adds back a little, about
//! [`INCREASE_PER_SECOND`] requests per second for each second of success. The rate never
//! exceeds the ceiling: the throttle is shared with the user's other tools, and going faster
//! than the documented limit would only buy refusals for them.
//!
//! botocore's adaptive mode (CUBIC, per client) exists in `sso-client` for single calls; it
//! is not used here because enumeration needs one limiter across many concurrent calls and a
//! ceiling, and CUBIC probes above the last rate that worked.

use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use sso_core::Sleeper;

/// The published collective limit of the Identity Center APIs, requests per second.
pub const DEFAULT_RATE: f64 = 20.0;

/// The factor a throttle applies to the rate.
const DECREASE: f64 = 0.5;

/// Requests per second regained per second of successes.
pub const INCREASE_PER_SECOND: f64 = 1.0;

/// After a decrease, throttles within this long count as the same congestion event.
const COOL_DOWN: Duration = Duration::from_secs(1);

/// The slowest pace: one request every two seconds still finishes any organisation.
const FLOOR: f64 = 0.5;

/// A shared, adaptive request pace. Cheap to share by reference across threads.
pub struct RateLimiter<'a> {
    sleeper: &'a dyn Sleeper,
    state: Mutex<State>,
}

struct State {
    rate: f64,
    ceiling: f64,
    /// When (on the sleeper's clock, seconds) the next request may start.
    next_slot: f64,
    /// When the rate was last decreased.
    last_decrease: Option<f64>,
}

impl<'a> RateLimiter<'a> {
    /// A limiter that starts at, and never exceeds, `rate` requests per second.
    pub fn new(rate: f64, sleeper: &'a dyn Sleeper) -> Self {
        let ceiling = rate.max(FLOOR);
        Self {
            sleeper,
            state: Mutex::new(State {
                rate: ceiling,
                ceiling,
                next_slot: sleeper.now().as_secs_f64(),
                last_decrease: None,
            }),
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn now(&self) -> f64 {
        self.sleeper.now().as_secs_f64()
    }

    /// Reserves the next request slot and returns how long to wait before sending. The caller
    /// waits (in pieces, so it can notice an interrupt); every caller gets its own slot.
    pub fn reserve(&self) -> Duration {
        let now = self.now();
        let mut state = self.state();
        // An idle limiter does not save up slots: after a pause requests resume at the pace,
        // not in a burst.
        let slot = state.next_slot.max(now);
        state.next_slot = slot + 1.0 / state.rate;
        Duration::from_secs_f64(slot - now)
    }

    /// A request succeeded: the rate grows additively, up to the ceiling.
    pub fn on_success(&self) {
        let mut state = self.state();
        // `rate` successes happen per second, so each adds INCREASE_PER_SECOND / rate.
        state.rate = (state.rate + INCREASE_PER_SECOND / state.rate).min(state.ceiling);
    }

    /// A request was throttled: the rate is cut multiplicatively, once per cool-down, and
    /// the next slot moves out by one new interval so the service's bucket can refill.
    pub fn on_throttle(&self) {
        let now = self.now();
        let mut state = self.state();
        if state
            .last_decrease
            .is_some_and(|at| now - at < COOL_DOWN.as_secs_f64())
        {
            return;
        }
        state.rate = (state.rate * DECREASE).max(FLOOR);
        state.last_decrease = Some(now);
        state.next_slot = state.next_slot.max(now) + 1.0 / state.rate;
    }

    /// The current pace, requests per second.
    pub fn rate(&self) -> f64 {
        self.state().rate
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;

    /// A clock that only moves when told to.
    struct ManualClock(Mutex<Duration>);

    impl ManualClock {
        fn advance(&self, by: Duration) {
            *self.0.lock().unwrap() += by;
        }
    }

    impl Sleeper for ManualClock {
        fn sleep(&self, duration: Duration) {
            self.advance(duration);
        }
        fn now(&self) -> Duration {
            *self.0.lock().unwrap()
        }
    }

    fn clock() -> ManualClock {
        ManualClock(Mutex::new(Duration::from_secs(100)))
    }

    #[test]
    fn paces_requests_evenly_without_saving_up_a_burst() {
        let clock = clock();
        let limiter = RateLimiter::new(20.0, &clock);
        let waits: Vec<u128> = (0..4).map(|_| limiter.reserve().as_millis()).collect();
        assert_eq!(waits, [0, 50, 100, 150]);
        // Idle for ten seconds: the next request goes at once, the one after waits 50 ms.
        clock.advance(Duration::from_secs(10));
        assert_eq!(limiter.reserve().as_millis(), 0);
        assert_eq!(limiter.reserve().as_millis(), 50);
    }

    #[test]
    fn throttling_halves_once_per_cool_down_and_success_recovers_to_the_ceiling() {
        let clock = clock();
        let limiter = RateLimiter::new(20.0, &clock);
        limiter.on_throttle();
        limiter.on_throttle(); // the same congestion event
        assert!((limiter.rate() - 10.0).abs() < 1e-9, "{}", limiter.rate());
        clock.advance(COOL_DOWN);
        limiter.on_throttle();
        assert!((limiter.rate() - 5.0).abs() < 1e-9);
        // Ten requests at 5/s take two seconds and add back almost two requests per second.
        for _ in 0..10 {
            limiter.on_success();
        }
        assert!((6.5..7.0).contains(&limiter.rate()), "{}", limiter.rate());
        for _ in 0..10_000 {
            limiter.on_success();
        }
        assert!(
            (limiter.rate() - 20.0).abs() < 1e-9,
            "capped at the ceiling"
        );
        for _ in 0..20 {
            clock.advance(COOL_DOWN);
            limiter.on_throttle();
        }
        assert!(
            (limiter.rate() - FLOOR).abs() < 1e-9,
            "never below the floor"
        );
    }

    #[test]
    fn a_throttle_pushes_the_next_slot_out() {
        let clock = clock();
        let limiter = RateLimiter::new(20.0, &clock);
        assert_eq!(limiter.reserve().as_millis(), 0);
        limiter.on_throttle();
        // The next slot was 50 ms away; it is now that plus one 10/s interval.
        assert_eq!(limiter.reserve().as_millis(), 150);
    }
}
