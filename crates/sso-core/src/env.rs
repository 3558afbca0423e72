//! [`Env`]: one snapshot of the process environment, taken once in `main`.
//!
//! Every environment variable aws-sso reads is named in [`vars`], with what it does. Libraries
//! receive an `&Env` instead of calling `std::env::var`, so tests can re-root the whole tool
//! (a fake `HOME`, no `AWS_*` leakage from the developer's shell) by building an `Env` by hand.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::PathBuf;

/// A snapshot of environment variables.
#[derive(Clone, Default)]
pub struct Env {
    vars: BTreeMap<OsString, OsString>,
}

impl std::fmt::Debug for Env {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Values may hold secrets (proxy credentials, tokens): show names only.
        f.debug_set().entries(self.vars.keys()).finish()
    }
}

impl Env {
    /// Takes a snapshot of the real process environment.
    pub fn from_process() -> Self {
        #[expect(
            clippy::disallowed_methods,
            reason = "the one place the environment is read"
        )]
        let vars = std::env::vars_os().collect();
        Self { vars }
    }

    /// Builds an environment from name/value pairs (for tests).
    pub fn from_pairs<K: Into<OsString>, V: Into<OsString>>(
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        Self {
            vars: pairs
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        }
    }

    /// Sets a variable (for tests and for building child environments).
    pub fn set(&mut self, name: impl Into<OsString>, value: impl Into<OsString>) {
        self.vars.insert(name.into(), value.into());
    }

    /// The value of `name` if it is set and valid UTF-8. Set-but-empty counts as set.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.vars.get(std::ffi::OsStr::new(name))?.to_str()
    }

    /// The value of `name` if it is set and not empty.
    pub fn non_empty(&self, name: &str) -> Option<&str> {
        self.get(name).filter(|v| !v.is_empty())
    }

    /// The raw value of `name`.
    pub fn get_os(&self, name: &str) -> Option<&std::ffi::OsStr> {
        self.vars
            .get(std::ffi::OsStr::new(name))
            .map(OsString::as_os_str)
    }

    /// A boolean switch the way botocore reads one: `true` (any case) is true, anything else
    /// is false, unset is `None`.
    pub fn flag(&self, name: &str) -> Option<bool> {
        self.get(name)
            .map(|v| v.trim().eq_ignore_ascii_case("true"))
    }

    /// The user's home directory: `HOME`, as Python's `os.path.expanduser` uses it.
    pub fn home(&self) -> Option<PathBuf> {
        self.get_os(vars::HOME)
            .filter(|h| !h.is_empty())
            .map(PathBuf::from)
    }

    /// Expands a leading `~` and `$VAR` / `${VAR}` references, as botocore does for
    /// `AWS_CONFIG_FILE` (`os.path.expandvars(os.path.expanduser(p))`). Unknown variables are
    /// left as written, like Python.
    pub fn expand_path(&self, raw: &str) -> PathBuf {
        let mut path = String::new();
        let rest = if raw == "~" || raw.starts_with("~/") {
            if let Some(home) = self.home() {
                path.push_str(&home.to_string_lossy());
                &raw[1..]
            } else {
                raw
            }
        } else {
            raw
        };
        let mut chars = rest.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            if c != '$' {
                path.push(c);
                continue;
            }
            let tail = &rest[i + 1..];
            let (name, consumed) = if let Some(braced) = tail.strip_prefix('{') {
                match braced.find('}') {
                    Some(end) => (&braced[..end], end + 2),
                    None => ("", 0),
                }
            } else {
                let end = tail
                    .find(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '_'))
                    .unwrap_or(tail.len());
                (&tail[..end], end)
            };
            match (name.is_empty(), self.get(name)) {
                (false, Some(value)) => {
                    path.push_str(value);
                    for _ in 0..consumed {
                        chars.next();
                    }
                }
                _ => path.push('$'),
            }
        }
        PathBuf::from(path)
    }

    /// All variable names, for scrubbing child environments in tests.
    pub fn names(&self) -> impl Iterator<Item = &std::ffi::OsStr> {
        self.vars.keys().map(OsString::as_os_str)
    }
}

/// Every environment variable aws-sso reads.
pub mod vars {
    /// The home directory: `~/.aws/config`, `~/.aws/sso/cache` and `~/.aws/cli/cache` hang off it.
    pub const HOME: &str = "HOME";
    /// Path of the shared config file (default `~/.aws/config`).
    pub const AWS_CONFIG_FILE: &str = "AWS_CONFIG_FILE";
    /// Path of the shared credentials file (default `~/.aws/credentials`).
    pub const AWS_SHARED_CREDENTIALS_FILE: &str = "AWS_SHARED_CREDENTIALS_FILE";
    /// Profile to use; wins over `AWS_DEFAULT_PROFILE` (AWS CLI v2 order).
    pub const AWS_PROFILE: &str = "AWS_PROFILE";
    /// Profile to use when `AWS_PROFILE` is unset.
    pub const AWS_DEFAULT_PROFILE: &str = "AWS_DEFAULT_PROFILE";
    /// Region; wins over `AWS_DEFAULT_REGION` (AWS CLI v2 order).
    pub const AWS_REGION: &str = "AWS_REGION";
    /// Region when `AWS_REGION` is unset.
    pub const AWS_DEFAULT_REGION: &str = "AWS_DEFAULT_REGION";
    /// Output format when `--output` is not given.
    pub const AWS_DEFAULT_OUTPUT: &str = "AWS_DEFAULT_OUTPUT";
    /// Endpoint for every service.
    pub const AWS_ENDPOINT_URL: &str = "AWS_ENDPOINT_URL";
    /// Endpoint of the SSO portal API.
    pub const AWS_ENDPOINT_URL_SSO: &str = "AWS_ENDPOINT_URL_SSO";
    /// Endpoint of the SSO OIDC API.
    pub const AWS_ENDPOINT_URL_SSO_OIDC: &str = "AWS_ENDPOINT_URL_SSO_OIDC";
    /// `true` disables every configured endpoint (env and config), keeping `--endpoint-url`.
    pub const AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: &str = "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS";
    /// Endpoint of the console sign-in (federation) service, for `aws-sso console`.
    pub const AWS_ENDPOINT_URL_SIGNIN: &str = "AWS_ENDPOINT_URL_SIGNIN";
    /// `true` selects FIPS endpoints.
    pub const AWS_USE_FIPS_ENDPOINT: &str = "AWS_USE_FIPS_ENDPOINT";
    /// `true` selects dual-stack endpoints.
    pub const AWS_USE_DUALSTACK_ENDPOINT: &str = "AWS_USE_DUALSTACK_ENDPOINT";
    /// CA bundle used to verify TLS.
    pub const AWS_CA_BUNDLE: &str = "AWS_CA_BUNDLE";
    /// Retry mode: `standard`, `adaptive` or `legacy`.
    pub const AWS_RETRY_MODE: &str = "AWS_RETRY_MODE";
    /// Total attempts per request, including the first.
    pub const AWS_MAX_ATTEMPTS: &str = "AWS_MAX_ATTEMPTS";
    /// Pager for API command output on a terminal.
    pub const AWS_PAGER: &str = "AWS_PAGER";
    /// Fallback pager.
    pub const PAGER: &str = "PAGER";
    /// Error output format when `--cli-error-format` is not given.
    pub const AWS_CLI_ERROR_FORMAT: &str = "AWS_CLI_ERROR_FORMAT";
    /// `true` turns off the EC2 instance metadata region lookup (we never do it; read for parity).
    pub const AWS_EC2_METADATA_DISABLED: &str = "AWS_EC2_METADATA_DISABLED";
    /// Browser command to open URLs with (as Python's `webbrowser` reads it).
    pub const BROWSER: &str = "BROWSER";
    /// Set by sshd in a session: `CLIENT_IP CLIENT_PORT SERVER_IP SERVER_PORT`.
    pub const SSH_CONNECTION: &str = "SSH_CONNECTION";
    /// The login name, for the `ssh -L` line of a login over SSH.
    pub const USER: &str = "USER";
    /// X11 display; its presence means a desktop browser can be opened with `xdg-open`.
    pub const DISPLAY: &str = "DISPLAY";
    /// Wayland display; like `DISPLAY`.
    pub const WAYLAND_DISPLAY: &str = "WAYLAND_DISPLAY";
    /// Set by WSL in every shell: open URLs with `wslview` or Windows' `explorer.exe`.
    pub const WSL_DISTRO_NAME: &str = "WSL_DISTRO_NAME";
    /// Disables colour when set.
    pub const NO_COLOR: &str = "NO_COLOR";
    /// Terminal width for table output.
    pub const COLUMNS: &str = "COLUMNS";
    /// The profiles `export-credentials` calls are nested in (CSV), the AWS CLI's recursion
    /// guard for a credential_process that runs itself.
    pub const AWS_CLI_PROFILE_CHAIN: &str = "_AWS_CLI_PROFILE_CHAIN";
    /// Set by `aws-sso exec` in the child (the profile name), so a nested exec is noticed.
    pub const AWS_SSO_EXEC: &str = "AWS_SSO_EXEC";
    /// Role credentials, as SDKs read them from the environment (set by `aws-sso exec`).
    pub const AWS_ACCESS_KEY_ID: &str = "AWS_ACCESS_KEY_ID";
    /// See [`AWS_ACCESS_KEY_ID`].
    pub const AWS_SECRET_ACCESS_KEY: &str = "AWS_SECRET_ACCESS_KEY";
    /// See [`AWS_ACCESS_KEY_ID`].
    pub const AWS_SESSION_TOKEN: &str = "AWS_SESSION_TOKEN";
    /// The container credentials endpoint an SDK asks (set by `aws-sso exec --ecs-server`).
    pub const AWS_CONTAINER_CREDENTIALS_FULL_URI: &str = "AWS_CONTAINER_CREDENTIALS_FULL_URI";
    /// The container endpoint on 169.254.170.2; removed by `exec --ecs-server`, as SDKs prefer it.
    pub const AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: &str =
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI";
    /// The `Authorization` value for the container endpoint.
    pub const AWS_CONTAINER_AUTHORIZATION_TOKEN: &str = "AWS_CONTAINER_AUTHORIZATION_TOKEN";
    /// A file holding the container authorization token; wins over the variable in SDKs.
    pub const AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: &str =
        "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE";
    /// When the credentials in the environment expire (ISO 8601).
    pub const AWS_CREDENTIAL_EXPIRATION: &str = "AWS_CREDENTIAL_EXPIRATION";
    /// Hidden, tests only: RFC 3339 instant to use as "now".
    pub const AWS_SSO_TEST_NOW: &str = "AWS_SSO_TEST_NOW";
    /// Hidden, tests only: command run with the URL instead of a real browser.
    pub const AWS_SSO_TEST_BROWSER: &str = "AWS_SSO_TEST_BROWSER";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expands_home_and_vars_like_python() {
        let env = Env::from_pairs([("HOME", "/h"), ("X", "x1")]);
        assert_eq!(
            env.expand_path("~/a/$X/${X}b"),
            PathBuf::from("/h/a/x1/x1b")
        );
        assert_eq!(env.expand_path("/p/$NOPE/q"), PathBuf::from("/p/$NOPE/q"));
        assert_eq!(env.expand_path("~user/x"), PathBuf::from("~user/x"));
    }

    #[test]
    fn flags_follow_botocore() {
        let env = Env::from_pairs([("A", "TRUE"), ("B", "1"), ("C", "")]);
        assert_eq!(env.flag("A"), Some(true));
        assert_eq!(env.flag("B"), Some(false));
        assert_eq!(env.flag("C"), Some(false));
        assert_eq!(env.flag("D"), None);
    }

    #[test]
    fn debug_shows_names_not_values() {
        let env = Env::from_pairs([("HTTPS_PROXY", "http://user:pw@proxy")]);
        assert!(!format!("{env:?}").contains("pw"));
    }
}
