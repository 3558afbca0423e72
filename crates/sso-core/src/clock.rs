//! [`Clock`]: the one way aws-sso asks what time it is.
//!
//! The binary uses [`SystemClock`], or a [`FixedClock`] when the hidden test variable
//! `AWS_SSO_TEST_NOW` is set, so expiry and refresh decisions can be tested without waiting.

use jiff::Timestamp;

/// A source of the current time.
pub trait Clock: Send + Sync {
    /// The current instant, in UTC.
    fn now(&self) -> Timestamp;
}

/// The real wall clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        // The one place the wall clock is read (clippy.toml disallows it elsewhere).
        #[expect(clippy::disallowed_methods, reason = "this is the real clock")]
        let now = std::time::SystemTime::now();
        Timestamp::try_from(now).unwrap_or(Timestamp::UNIX_EPOCH)
    }
}

/// A clock that always answers the same instant.
#[derive(Debug, Clone, Copy)]
pub struct FixedClock(pub Timestamp);

impl Clock for FixedClock {
    fn now(&self) -> Timestamp {
        self.0
    }
}
