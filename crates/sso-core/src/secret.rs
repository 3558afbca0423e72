//! [`Secret`]: a value (access token, refresh token, client secret, role secret key) that must
//! never reach stdout, stderr, a log line or `--debug` output by accident.
//!
//! `Debug` prints `Secret(***)`, there is no `Display`, and the only way in is [`Secret::expose`],
//! which makes every use of the raw value greppable. The value is zeroed when it is dropped
//! (smithy-rs does the same with `Zeroizing`), so a token does not linger in freed memory that a
//! core dump could show.

use std::fmt;

use zeroize::Zeroize;

/// A value that is redacted when formatted and zeroed when dropped. Compare and clone it
/// freely; print it never.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Secret<T: Zeroize>(T);

impl<T: Zeroize> Secret<T> {
    /// Wraps a secret value.
    pub const fn new(value: T) -> Self {
        Self(value)
    }

    /// Gives the raw value, for putting on the wire or into a cache file. Never for printing.
    pub const fn expose(&self) -> &T {
        &self.0
    }

    /// Unwraps the raw value (which then no longer zeroes itself).
    pub fn into_inner(mut self) -> T
    where
        T: Default,
    {
        std::mem::take(&mut self.0)
    }
}

impl<T: Zeroize> Drop for Secret<T> {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl<T: Zeroize> fmt::Debug for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl From<String> for Secret<String> {
    fn from(value: String) -> Self {
        Self(value)
    }
}

impl From<&str> for Secret<String> {
    fn from(value: &str) -> Self {
        Self(value.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_is_redacted() {
        let secret = Secret::new("aoa-very-secret".to_owned());
        let shown = format!("{secret:?} {:?}", Some(&secret));
        assert!(!shown.contains("very-secret"), "{shown}");
        assert_eq!(secret.expose(), "aoa-very-secret");
    }

    #[test]
    fn into_inner_keeps_the_value() {
        let secret = Secret::new("aoa-kept".to_owned());
        assert_eq!(secret.into_inner(), "aoa-kept");
    }
}
