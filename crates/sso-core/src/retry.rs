//! The retry mode (`AWS_RETRY_MODE`, profile `retry_mode`), defined once: the config resolves
//! it, the HTTP client runs it.

use std::fmt;

/// Which of botocore's retry algorithms to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum RetryMode {
    /// `legacy`: 5 attempts by default.
    Legacy,
    /// `standard` (the AWS CLI v2 default): 3 attempts by default.
    #[default]
    Standard,
    /// `adaptive`: standard plus client-side rate limiting; 3 attempts by default.
    Adaptive,
}

impl RetryMode {
    /// Every mode, in the order botocore's error message lists them.
    pub const ALL: [Self; 3] = [Self::Legacy, Self::Standard, Self::Adaptive];

    /// The configuration value, also used in the User-Agent `cfg/retry-mode#...` token.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Legacy => "legacy",
            Self::Standard => "standard",
            Self::Adaptive => "adaptive",
        }
    }

    /// Parses a name (case-sensitive, as botocore compares).
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|mode| mode.as_str() == name)
    }

    /// Total attempts (first try included) when `max_attempts` is not configured.
    pub const fn default_max_attempts(self) -> u32 {
        match self {
            Self::Legacy => 5,
            Self::Standard | Self::Adaptive => 3,
        }
    }
}

impl fmt::Display for RetryMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_default_attempts() {
        for mode in RetryMode::ALL {
            assert_eq!(RetryMode::from_name(mode.as_str()), Some(mode));
        }
        assert_eq!(RetryMode::from_name("Standard"), None);
        assert_eq!(RetryMode::default(), RetryMode::Standard);
        assert_eq!(RetryMode::Legacy.default_max_attempts(), 5);
        assert_eq!(RetryMode::Adaptive.default_max_attempts(), 3);
    }
}
