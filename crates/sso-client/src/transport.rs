//! The HTTP seam: [`Transport`] sends one [`HttpRequest`] and returns one [`HttpResponse`].
//!
//! This module owns the plain data types that cross the seam, the transport-level failures
//! ([`TransportError`], worded exactly as botocore words them because the AWS CLI prints them
//! verbatim), and the proxy selection rules ([`Proxies`]). It knows nothing about AWS errors,
//! retries or JSON: a 4xx/5xx is a normal response here. The real implementation lives in
//! [`crate::ureq_transport`]; tests implement the trait with scripted responses.

use std::path::PathBuf;
use std::time::Duration;

use sso_core::{Env, ExitClass};

/// HTTP method. The two APIs only use `GET` and `POST`; `HEAD` resolves vanity start URLs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// `GET` (portal list/get operations): no body, no `Content-Type`.
    Get,
    /// `POST` (OIDC operations and portal `Logout`).
    Post,
    /// `HEAD` (start-URL resolution at login, as AWS CLI v2 ≥ 2.35.13 does it).
    Head,
}

impl Method {
    /// The method as it appears on the request line.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Get => "GET",
            Self::Post => "POST",
            Self::Head => "HEAD",
        }
    }
}

/// One request, fully built: absolute URL (query already percent-encoded), headers in the
/// order they should be written, and the body.
///
/// `Debug` hides header values and the body, because they carry bearer tokens and client
/// secrets.
#[derive(Clone, PartialEq, Eq)]
pub struct HttpRequest {
    /// Method.
    pub method: Method,
    /// Absolute URL, e.g. `https://portal.sso.us-east-1.amazonaws.com/assignment/accounts?max_result=5`.
    pub url: String,
    /// Headers in wire order, names with the casing to send. `Host` and `Content-Length` are
    /// added by the transport.
    pub headers: Vec<(String, String)>,
    /// Request body; `None` means "no body at all" (GET). `Some(vec![])` sends
    /// `Content-Length: 0` (portal `Logout`).
    pub body: Option<Vec<u8>>,
}

impl std::fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.headers.iter().map(|(n, _)| n.as_str()).collect();
        f.debug_struct("HttpRequest")
            .field("method", &self.method)
            .field("url", &self.url)
            .field("header_names", &names)
            .field("body_len", &self.body.as_ref().map(Vec::len))
            .finish()
    }
}

/// One response, whatever its status. The body has been read completely (and capped).
#[derive(Clone, PartialEq, Eq)]
pub struct HttpResponse {
    /// Status code.
    pub status: u16,
    /// Headers in the order received. Values that are not UTF-8 are converted lossily.
    pub headers: Vec<(String, String)>,
    /// The whole body.
    pub body: Vec<u8>,
}

impl std::fmt::Debug for HttpResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Success bodies carry tokens and role credentials: never show them.
        f.debug_struct("HttpResponse")
            .field("status", &self.status)
            .field("headers", &self.headers)
            .field("body_len", &self.body.len())
            .finish()
    }
}

impl HttpResponse {
    /// The first header called `name`, compared case-insensitively.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Sends requests. Implementations must return every HTTP status as a response; only failures
/// to get a response at all are errors.
pub trait Transport: Send + Sync {
    /// Sends one request and reads the whole response.
    fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError>;

    /// The read timeout in force, used only for the `ttl=` part of the `amz-sdk-request`
    /// retry header (botocore: server `Date` + read timeout). `None` (no timeout, or a test
    /// transport) means no `ttl=` is sent, which is also what botocore does with
    /// `--cli-read-timeout 0`.
    fn read_timeout(&self) -> Option<Duration> {
        None
    }
}

/// Settings for the real transport, resolved by the caller from flags, environment and
/// profile (spec cli-behavior §1.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransportOptions {
    /// `--cli-connect-timeout` (default 60 s; `None` = wait forever, which is what `0` means).
    pub connect_timeout: Option<Duration>,
    /// `--cli-read-timeout` (default 60 s; `None` = wait forever). Applies to each socket read
    /// and write, as Python's socket timeout does.
    pub read_timeout: Option<Duration>,
    /// `--ca-bundle` / `AWS_CA_BUNDLE` / `ca_bundle`: a PEM file whose certificates *replace*
    /// the compiled-in Mozilla roots, as botocore's `verify=<path>` does.
    pub ca_bundle: Option<PathBuf>,
    /// `false` for `--no-verify-ssl`: no certificate or host-name verification at all.
    pub verify_ssl: bool,
    /// Proxies, taken from the environment snapshot.
    pub proxies: Proxies,
}

impl Default for TransportOptions {
    /// The AWS CLI defaults: 60 s timeouts, bundled roots, verification on, no proxy.
    fn default() -> Self {
        Self {
            connect_timeout: Some(Duration::from_secs(60)),
            read_timeout: Some(Duration::from_secs(60)),
            ca_bundle: None,
            verify_ssl: true,
            proxies: Proxies::default(),
        }
    }
}

/// Proxy settings as Python's `urllib.request.getproxies()` reads them, which is what botocore
/// uses: the proxy is chosen by the URL scheme (`https_proxy` for `https://` URLs,
/// `http_proxy` for `http://`), lower-case names win over upper-case ones, and a set-but-empty
/// lower-case variable switches the proxy off. `no_proxy` holds DNS suffixes (or `*`).
///
/// `ALL_PROXY` is honoured only as a fallback when the scheme's own variable is unset. That is
/// our extension (curl's behaviour): botocore looks up only the URL's scheme and ignores it.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Proxies {
    http: Option<String>,
    https: Option<String>,
    all: Option<String>,
    no_proxy: Option<String>,
}

impl std::fmt::Debug for Proxies {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Proxy URLs may embed credentials.
        f.debug_struct("Proxies")
            .field("http", &self.http.as_deref().map(mask_proxy_url))
            .field("https", &self.https.as_deref().map(mask_proxy_url))
            .field("all", &self.all.as_deref().map(mask_proxy_url))
            .field("no_proxy", &self.no_proxy)
            .finish()
    }
}

impl Proxies {
    /// Reads `http_proxy`, `https_proxy`, `all_proxy` and `no_proxy` (either case) from the
    /// environment snapshot.
    pub fn from_env(env: &Env) -> Self {
        // urllib: upper- or lower-case sets the value; the lower-case variable then wins,
        // and an empty lower-case variable removes it.
        let read = |lower: &str, upper: &str| -> Option<String> {
            match env.get(lower) {
                Some("") => None,
                Some(v) => Some(v.to_owned()),
                None => env.non_empty(upper).map(str::to_owned),
            }
        };
        Self {
            http: read("http_proxy", "HTTP_PROXY"),
            https: read("https_proxy", "HTTPS_PROXY"),
            all: read("all_proxy", "ALL_PROXY"),
            no_proxy: read("no_proxy", "NO_PROXY"),
        }
    }

    /// Builds proxy settings by hand (tests, or a caller with its own configuration).
    pub fn new(
        http: Option<String>,
        https: Option<String>,
        all: Option<String>,
        no_proxy: Option<String>,
    ) -> Self {
        Self {
            http,
            https,
            all,
            no_proxy,
        }
    }

    /// The proxy URL to use for `url`, or `None` to connect directly.
    pub fn proxy_for(&self, url: &str) -> Option<String> {
        let (scheme, rest) = url.split_once("://")?;
        let netloc = rest.split(['/', '?', '#']).next().unwrap_or("");
        if self.bypass(netloc) {
            return None;
        }
        let chosen = match scheme.to_ascii_lowercase().as_str() {
            "https" => self.https.as_ref(),
            "http" => self.http.as_ref(),
            _ => None,
        }
        .or(self.all.as_ref())?;
        // botocore `ProxyConfiguration._fix_proxy_url`: `//host` and a bare `host:port` mean
        // http. Other schemes (socks5://, from ALL_PROXY) are passed on as written.
        if let Some(rest) = chosen.strip_prefix("//") {
            Some(format!("http://{rest}"))
        } else if chosen.contains("://") {
            Some(chosen.clone())
        } else {
            Some(format!("http://{chosen}"))
        }
    }

    /// `urllib.request.proxy_bypass_environment`: `*` bypasses everything; otherwise each
    /// comma-separated name (leading dots ignored) matches itself and any subdomain, against
    /// the host with or without its port.
    fn bypass(&self, netloc: &str) -> bool {
        let Some(no_proxy) = self.no_proxy.as_deref() else {
            return false;
        };
        if no_proxy == "*" {
            return true;
        }
        let host = netloc.to_ascii_lowercase();
        let host_only = split_port(&host);
        no_proxy
            .split(',')
            .map(str::trim)
            .filter(|name| !name.is_empty())
            .map(|name| name.trim_start_matches('.').to_ascii_lowercase())
            .any(|name| {
                let dotted = format!(".{name}");
                host_only == name
                    || host == name
                    || host_only.ends_with(&dotted)
                    || host.ends_with(&dotted)
            })
    }
}

/// `host:port` → `host` (IPv6 literals keep their brackets).
fn split_port(netloc: &str) -> &str {
    if netloc.starts_with('[') {
        return netloc.split_inclusive(']').next().unwrap_or(netloc);
    }
    match netloc.rsplit_once(':') {
        Some((host, port)) if port.bytes().all(|b| b.is_ascii_digit()) => host,
        _ => netloc,
    }
}

/// botocore `mask_proxy_url`: hide `user:password@` in a proxy URL before printing it.
pub fn mask_proxy_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return match url.rsplit_once('@') {
            Some((_, host)) => format!("***:***@{host}"),
            None => url.to_owned(),
        };
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..authority_end].rsplit_once('@') {
        Some((_, host)) => format!("{scheme}://***:***@{host}{}", &rest[authority_end..]),
        None => url.to_owned(),
    }
}

/// Failing to get an HTTP response at all. The messages are botocore's exception texts, which
/// the AWS CLI prints as `aws: [ERROR]: <message>` with exit 255.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransportError {
    /// botocore `EndpointConnectionError`: DNS failure, connection refused, unreachable host.
    #[error("Could not connect to the endpoint URL: \"{url}\"")]
    Connect {
        /// The full request URL, query included.
        url: String,
        /// What the OS or HTTP library said (for `--debug`; not part of the message).
        detail: String,
    },
    /// botocore `ConnectTimeoutError`.
    #[error("Connect timeout on endpoint URL: \"{url}\"")]
    ConnectTimeout {
        /// The full request URL.
        url: String,
    },
    /// botocore `ReadTimeoutError`: no (complete) response within the read timeout.
    #[error("Read timeout on endpoint URL: \"{url}\"")]
    ReadTimeout {
        /// The full request URL.
        url: String,
    },
    /// botocore `ConnectionClosedError`: the server hung up before a complete response.
    #[error(
        "Connection was closed before we received a valid response from endpoint URL: \"{url}\"."
    )]
    ConnectionClosed {
        /// The full request URL.
        url: String,
    },
    /// botocore `SSLError`: the TLS handshake or certificate verification failed.
    #[error("SSL validation failed for {url} {detail}")]
    Ssl {
        /// The full request URL.
        url: String,
        /// The reason, e.g. `[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed:
        /// certificate has expired (not valid after …)`.
        detail: String,
    },
    /// The CA bundle could not be used. botocore reports this as an `SSLError` too, but
    /// without naming the file; we name it so the fix is obvious.
    #[error(
        "SSL validation failed for {url} could not load the CA bundle {}: {detail}",
        path.display()
    )]
    CaBundle {
        /// The full request URL.
        url: String,
        /// The bundle from `--ca-bundle`, `AWS_CA_BUNDLE` or `ca_bundle`.
        path: PathBuf,
        /// Why: unreadable, or no PEM certificate in it.
        detail: String,
    },
    /// botocore `ProxyConnectionError` (credentials in the URL are masked).
    #[error("Failed to connect to proxy URL: \"{proxy_url}\"")]
    Proxy {
        /// The proxy URL with `user:password` replaced by `***:***`.
        proxy_url: String,
    },
    /// botocore `ValueError("Invalid endpoint: ...")`: the endpoint is not an http(s) URL.
    #[error("Invalid endpoint: {endpoint}")]
    InvalidEndpoint {
        /// The endpoint as configured.
        endpoint: String,
    },
    /// The request could not be written, e.g. a header value (the access token) holds a
    /// line break. Python's http.client refuses such a request before sending it. The value
    /// itself is not echoed, since it is usually a token.
    #[error("Invalid request to \"{url}\": {detail}")]
    InvalidRequest {
        /// The full request URL.
        url: String,
        /// What was invalid.
        detail: String,
    },
    /// Anything else (botocore `HTTPClientError`).
    #[error("An HTTP Client raised an unhandled exception: {detail}")]
    Other {
        /// The full request URL.
        url: String,
        /// What went wrong.
        detail: String,
    },
}

impl TransportError {
    /// Network failures are "anything else" in the AWS CLI: exit 255.
    pub const fn exit_class(&self) -> ExitClass {
        ExitClass::General
    }

    /// Whether a retry can help. botocore retries every connection-level failure (TLS
    /// failures included); it never sends requests with a bad endpoint or header, and we
    /// do not retry a CA bundle that cannot be read either (botocore would, to no avail).
    pub(crate) const fn is_retryable(&self) -> bool {
        !matches!(
            self,
            Self::InvalidEndpoint { .. } | Self::InvalidRequest { .. } | Self::CaBundle { .. }
        )
    }

    /// The same error with the query cut from its URL, for requests whose query carries
    /// secrets (the console federation's `Session`).
    pub(crate) fn without_query(self) -> Self {
        fn cut(url: String) -> String {
            match url.split_once('?') {
                Some((base, _)) => format!("{base}?…"),
                None => url,
            }
        }
        match self {
            Self::Connect { url, detail } => Self::Connect {
                url: cut(url),
                detail,
            },
            Self::ConnectTimeout { url } => Self::ConnectTimeout { url: cut(url) },
            Self::ReadTimeout { url } => Self::ReadTimeout { url: cut(url) },
            Self::ConnectionClosed { url } => Self::ConnectionClosed { url: cut(url) },
            Self::Ssl { url, detail } => Self::Ssl {
                url: cut(url),
                detail,
            },
            Self::CaBundle { url, path, detail } => Self::CaBundle {
                url: cut(url),
                path,
                detail,
            },
            Self::InvalidRequest { url, detail } => Self::InvalidRequest {
                url: cut(url),
                detail,
            },
            Self::Other { url, detail } => Self::Other {
                url: cut(url),
                detail,
            },
            other @ (Self::Proxy { .. } | Self::InvalidEndpoint { .. }) => other,
        }
    }

    /// Whether botocore's retry quota charges this as a timeout (10 tokens instead of 5).
    pub(crate) const fn is_timeout(&self) -> bool {
        matches!(self, Self::ConnectTimeout { .. } | Self::ReadTimeout { .. })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proxies_follow_urllib_rules() {
        let env = Env::from_pairs([
            ("HTTPS_PROXY", "http://upper:1"),
            ("https_proxy", "lower:2"),
            ("HTTP_PROXY", "http://plain:3"),
            ("NO_PROXY", ".internal.example, localhost"),
        ]);
        let proxies = Proxies::from_env(&env);
        let cases = [
            (
                "https://portal.sso.us-east-1.amazonaws.com/x",
                Some("http://lower:2"),
            ),
            ("http://portal.example/x", Some("http://plain:3")),
            ("https://a.internal.example/x", None),
            ("https://internal.example:443/x", None),
            ("http://localhost:8080/x", None),
            ("http://notlocalhost/x", Some("http://plain:3")),
        ];
        for (url, want) in cases {
            assert_eq!(proxies.proxy_for(url).as_deref(), want, "{url}");
        }
    }

    #[test]
    fn proxy_urls_are_fixed_like_botocore() {
        let cases = [
            ("proxy:3128", "http://proxy:3128"),
            ("//proxy:3128", "http://proxy:3128"),
            ("https://proxy:3128", "https://proxy:3128"),
            ("socks5://proxy:1080", "socks5://proxy:1080"),
        ];
        for (raw, want) in cases {
            let proxies = Proxies::new(None, Some(raw.to_owned()), None, None);
            assert_eq!(
                proxies.proxy_for("https://h/").as_deref(),
                Some(want),
                "{raw}"
            );
        }
    }

    #[test]
    fn empty_lower_case_variable_switches_the_proxy_off() {
        let env = Env::from_pairs([("HTTPS_PROXY", "http://upper:1"), ("https_proxy", "")]);
        assert_eq!(Proxies::from_env(&env).proxy_for("https://h/"), None);
    }

    #[test]
    fn all_proxy_is_a_fallback_and_star_bypasses_everything() {
        let env = Env::from_pairs([("ALL_PROXY", "socks5://s:1080")]);
        let proxies = Proxies::from_env(&env);
        assert_eq!(
            proxies.proxy_for("https://h/").as_deref(),
            Some("socks5://s:1080")
        );
        let env = Env::from_pairs([("ALL_PROXY", "http://p:1"), ("no_proxy", "*")]);
        assert_eq!(Proxies::from_env(&env).proxy_for("https://h/"), None);
    }

    #[test]
    fn proxy_credentials_are_masked() {
        assert_eq!(
            mask_proxy_url("http://u:pw@proxy:8080/"),
            "http://***:***@proxy:8080/"
        );
        assert_eq!(mask_proxy_url("http://proxy:8080"), "http://proxy:8080");
        let shown = format!(
            "{:?}",
            Proxies::new(Some("http://u:pw@p:1".into()), None, None, None)
        );
        assert!(!shown.contains("pw"), "{shown}");
    }

    #[test]
    fn transport_messages_are_botocore_texts() {
        let url = "https://portal.sso.us-east-1.amazonaws.com/assignment/accounts".to_owned();
        let cases = [
            (
                TransportError::Connect {
                    url: url.clone(),
                    detail: "refused".into(),
                },
                "Could not connect to the endpoint URL: \"https://portal.sso.us-east-1.amazonaws.com/assignment/accounts\"",
            ),
            (
                TransportError::ReadTimeout { url: url.clone() },
                "Read timeout on endpoint URL: \"https://portal.sso.us-east-1.amazonaws.com/assignment/accounts\"",
            ),
            (
                TransportError::ConnectTimeout { url: url.clone() },
                "Connect timeout on endpoint URL: \"https://portal.sso.us-east-1.amazonaws.com/assignment/accounts\"",
            ),
            (
                TransportError::Ssl {
                    url,
                    detail: "invalid peer certificate: UnknownIssuer".into(),
                },
                "SSL validation failed for https://portal.sso.us-east-1.amazonaws.com/assignment/accounts invalid peer certificate: UnknownIssuer",
            ),
        ];
        for (error, want) in cases {
            assert_eq!(error.to_string(), want);
            assert_eq!(error.exit_class(), ExitClass::General);
        }
    }
}
