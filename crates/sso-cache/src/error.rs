//! [`CacheError`]: every way reading or writing the caches can fail, and [`CacheWarning`]: the
//! problems we recover from but still tell the user about.
//!
//! Messages that the AWS CLI also prints are copied exactly from botocore
//! (`SSOTokenLoadError`, `UnauthorizedSSOTokenError`, `TokenRetrievalError`), because scripts
//! grep for them. Our own messages name the file and the action that failed.

use std::path::PathBuf;

use sso_core::ExitClass;

/// A failure of the cache layer.
#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    /// A filesystem operation failed. `action` says what we were doing ("read", "create the
    /// directory", ...), `path` where.
    #[error("failed to {action} `{path}`: {source}{}", io_fix(source))]
    Io {
        /// What we were trying to do, as a verb phrase.
        action: &'static str,
        /// The file or directory involved.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },

    /// `HOME` is unset or empty, so the cache directories cannot be found.
    #[error(
        "cannot locate `~/.aws/sso/cache`: the `HOME` environment variable is not set\n\nhint: set `HOME` to your home directory"
    )]
    NoHome,

    /// No token file for this session or start URL (botocore `SSOTokenLoader`). `name` is the
    /// sso-session name, or the start URL for a legacy profile.
    #[error("Error loading SSO Token: Token for {name} does not exist")]
    TokenMissing {
        /// The sso-session name, or the start URL for a legacy profile.
        name: String,
    },

    /// The token file exists but lacks `accessToken` or `expiresAt` (or `expiresAt` is not a
    /// timestamp). botocore names the *start URL* here even for sso-session profiles, and so do
    /// we; `detail` says what exactly is wrong, for `--debug`.
    #[error("Error loading SSO Token: Token for {start_url} is invalid")]
    TokenInvalid {
        /// The configured start URL.
        start_url: String,
        /// The token file.
        path: PathBuf,
        /// What is wrong with it.
        detail: String,
    },

    /// A legacy (non-refreshable) token has expired (botocore `UnauthorizedSSOTokenError`; also
    /// what `GetRoleCredentials` answering `UnauthorizedException` becomes).
    #[error(
        "The SSO session associated with this profile has expired or is otherwise invalid. To refresh this SSO session run aws sso login with the corresponding profile."
    )]
    SessionExpired,

    /// An sso-session token is expired and could not be refreshed (botocore
    /// `TokenRetrievalError` from `DeferredRefreshableToken`).
    #[error("Error when retrieving token from sso: Token has expired and refresh failed")]
    RefreshFailed,

    /// An epoch value from the service cannot be represented as a timestamp.
    #[error("the timestamp {value} {unit} since the Unix epoch is out of range")]
    TimestampOutOfRange {
        /// The value received.
        value: i64,
        /// `seconds` or `milliseconds`.
        unit: &'static str,
    },
}

/// What to do about a filesystem error, for the kinds with an obvious fix.
fn io_fix(error: &std::io::Error) -> &'static str {
    use std::io::ErrorKind;
    match error.kind() {
        ErrorKind::PermissionDenied => "; check that you own the file and its directory",
        ErrorKind::StorageFull | ErrorKind::QuotaExceeded => "; free some disk space",
        ErrorKind::ReadOnlyFilesystem => "; the filesystem is read-only",
        _ => "",
    }
}

impl CacheError {
    /// How the binary should exit on this error. The AWS CLI exits 255 for all of these: none
    /// of them is a ClientError or a configuration error (spec cli-behavior §4).
    pub const fn exit_class(&self) -> ExitClass {
        ExitClass::General
    }

    pub(crate) fn io(
        action: &'static str,
        path: impl Into<PathBuf>,
        source: std::io::Error,
    ) -> Self {
        Self::Io {
            action,
            path: path.into(),
            source,
        }
    }
}

/// A problem with a cache file that we worked around. The caller should print it once (as a
/// warning on stderr) and carry on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CacheWarning {
    /// The file is empty, is not JSON, or is JSON but not an object: it is treated as missing.
    /// botocore fails with a bare `KeyError` here until the file is deleted by hand
    /// (boto/botocore#3213, aws/aws-cli#5528).
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What the JSON parser said.
        detail: String,
    },
    /// The file holds a complete JSON object followed by stray bytes: the signature of two
    /// writers truncating and writing the same file at once (aws/aws-cli#9632). The leading
    /// object was used.
    Recovered {
        /// The file.
        path: PathBuf,
        /// How many bytes followed the object.
        trailing_bytes: usize,
    },
    /// The file is valid JSON but lacks fields this kind of entry needs (a registration without
    /// `clientSecret`, role credentials without `Expiration`, ...): it is treated as missing.
    /// Tokens are the exception: an incomplete token is an error, as in botocore.
    Incomplete {
        /// The file.
        path: PathBuf,
        /// What is missing or malformed.
        detail: String,
    },
}

impl std::fmt::Display for CacheWarning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Corrupt { path, detail } => write!(
                f,
                "ignored the corrupt cache file `{}` ({detail}); it is treated as missing",
                path.display()
            ),
            Self::Recovered {
                path,
                trailing_bytes,
            } => write!(
                f,
                "the cache file `{}` has {trailing_bytes} stray bytes after its JSON object \
                 (left by two programs writing it at once); using the object and ignoring the rest",
                path.display()
            ),
            Self::Incomplete { path, detail } => write!(
                f,
                "ignored the incomplete cache file `{}` ({detail}); it is treated as missing",
                path.display()
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parity_messages_match_botocore() {
        let cases = [
            (
                CacheError::TokenMissing {
                    name: "my-sso".into(),
                },
                "Error loading SSO Token: Token for my-sso does not exist",
            ),
            (
                CacheError::TokenInvalid {
                    start_url: "https://x.awsapps.com/start".into(),
                    path: "/h/t.json".into(),
                    detail: "missing `accessToken`".into(),
                },
                "Error loading SSO Token: Token for https://x.awsapps.com/start is invalid",
            ),
            (
                CacheError::SessionExpired,
                "The SSO session associated with this profile has expired or is otherwise invalid. To refresh this SSO session run aws sso login with the corresponding profile.",
            ),
            (
                CacheError::RefreshFailed,
                "Error when retrieving token from sso: Token has expired and refresh failed",
            ),
        ];
        for (error, expected) in cases {
            assert_eq!(error.to_string(), expected);
            assert_eq!(error.exit_class(), ExitClass::General);
            assert_eq!(error.exit_class().code(), 255);
        }
    }

    #[test]
    fn io_errors_name_the_action_the_path_and_the_fix() {
        let error = CacheError::io(
            "read",
            "/h/.aws/sso/cache/x.json",
            std::io::Error::from(std::io::ErrorKind::PermissionDenied),
        );
        assert_eq!(
            error.to_string(),
            "failed to read `/h/.aws/sso/cache/x.json`: permission denied; check that you own the file and its directory"
        );
        let full = CacheError::io(
            "write",
            "/h/.aws/sso/cache/x.json",
            std::io::Error::from(std::io::ErrorKind::StorageFull),
        );
        assert!(
            full.to_string().ends_with("; free some disk space"),
            "{full}"
        );
        let other = CacheError::io("list", "/h", std::io::Error::other("odd"));
        assert_eq!(other.to_string(), "failed to list `/h`: odd");
    }
}
