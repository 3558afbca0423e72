//! [`Sleeper`]: the one way aws-sso waits, reads a monotonic clock, or rolls dice for jitter.
//!
//! Retries back off, device-code logins poll every few seconds, and the adaptive rate limiter
//! measures elapsed time. All of them go through a `Sleeper` passed in from `main`, so tests
//! inject a recording one and never really wait. [`SystemSleeper`] is the one real
//! implementation; `clippy.toml` disallows `std::thread::sleep` and `Instant::now` elsewhere.

use std::time::{Duration, Instant};

/// How time passes: sleeping, a monotonic clock, and uniform random numbers for jitter.
pub trait Sleeper: Send + Sync {
    /// Blocks for `duration`.
    fn sleep(&self, duration: Duration);

    /// Monotonic time since some fixed point (only differences matter).
    fn now(&self) -> Duration;

    /// A uniform random number in `[0, 1)` (backoff jitter).
    fn random(&self) -> f64 {
        random_unit()
    }
}

/// The real [`Sleeper`]: `std::thread::sleep`, `Instant`, and OS randomness.
#[derive(Debug, Clone, Copy)]
pub struct SystemSleeper {
    origin: Instant,
}

impl SystemSleeper {
    /// A sleeper whose clock starts now.
    pub fn new() -> Self {
        Self {
            #[expect(
                clippy::disallowed_methods,
                reason = "this is the real monotonic clock"
            )]
            origin: Instant::now(),
        }
    }
}

impl Default for SystemSleeper {
    fn default() -> Self {
        Self::new()
    }
}

impl Sleeper for SystemSleeper {
    fn sleep(&self, duration: Duration) {
        #[expect(clippy::disallowed_methods, reason = "this is the real sleeper")]
        std::thread::sleep(duration);
    }

    fn now(&self) -> Duration {
        self.origin.elapsed()
    }
}

/// A uniform `[0, 1)` float from 53 random bits.
pub fn random_unit() -> f64 {
    // 53 bits fit an f64 mantissa exactly.
    #[expect(
        clippy::cast_precision_loss,
        reason = "53-bit integers are exact in f64"
    )]
    let unit = (random_u64() >> 11) as f64 / (1_u64 << 53) as f64;
    unit
}

/// 64 random bits from the OS; if that fails (it practically cannot), std's per-process random
/// hash keys, which is still plenty for jitter and invocation IDs.
pub fn random_u64() -> u64 {
    getrandom::u64().unwrap_or_else(|_| {
        use std::hash::BuildHasher;
        std::collections::hash_map::RandomState::new().hash_one(0_u8)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_numbers_are_in_the_unit_interval() {
        for _ in 0..1000 {
            let x = random_unit();
            assert!((0.0..1.0).contains(&x), "{x}");
        }
        assert_ne!(random_u64(), random_u64());
    }

    #[test]
    fn the_system_clock_is_monotonic() {
        let sleeper = SystemSleeper::new();
        let before = sleeper.now();
        sleeper.sleep(Duration::from_millis(2));
        assert!(sleeper.now() >= before + Duration::from_millis(2));
    }
}
