//! [`EmulatorClock`]: the emulator's notion of "now" — a base clock plus an offset that tests
//! move forward with `POST /_emulator/clock/advance`.
//!
//! Every expiry (tokens, sessions, codes, registrations, device polling) is judged against this
//! clock, so expiry can be tested without waiting. Rate limiting deliberately does not use it:
//! token buckets run on the monotonic clock, because advancing time must not refill them.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use jiff::Timestamp;
use sso_core::Clock;

/// A base clock (normally the system clock) shifted by an adjustable offset.
pub struct EmulatorClock {
    base: Arc<dyn Clock>,
    offset_ms: AtomicI64,
}

impl std::fmt::Debug for EmulatorClock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmulatorClock")
            .field("now", &self.now())
            .field("offset_ms", &self.offset_ms.load(Ordering::Relaxed))
            .finish()
    }
}

impl EmulatorClock {
    /// A clock that starts with no offset.
    pub fn new(base: Arc<dyn Clock>) -> Self {
        Self {
            base,
            offset_ms: AtomicI64::new(0),
        }
    }

    /// The current emulator time.
    pub fn now(&self) -> Timestamp {
        let base = self.base.now();
        let offset = self.offset_ms.load(Ordering::Relaxed);
        Timestamp::from_millisecond(base.as_millisecond().saturating_add(offset)).unwrap_or(base)
    }

    /// The current emulator time in milliseconds since the epoch (the unit state is kept in).
    pub fn now_ms(&self) -> i64 {
        self.now().as_millisecond()
    }

    /// Moves the clock by `milliseconds` (negative goes back) and returns the new time.
    pub fn advance_ms(&self, milliseconds: i64) -> Timestamp {
        self.offset_ms.fetch_add(milliseconds, Ordering::Relaxed);
        self.now()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sso_core::FixedClock;

    #[test]
    fn advance_shifts_now() {
        let start: Timestamp = "2026-01-01T00:00:00Z".parse().unwrap();
        let clock = EmulatorClock::new(Arc::new(FixedClock(start)));
        assert_eq!(clock.now(), start);
        let later = clock.advance_ms(3_600_000);
        assert_eq!(later.to_string(), "2026-01-01T01:00:00Z");
        assert_eq!(clock.now_ms(), start.as_millisecond() + 3_600_000);
    }
}
