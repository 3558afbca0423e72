//! [`UreqTransport`]: the real [`Transport`], a blocking HTTP/1.1 client on ureq + rustls (ring).
//!
//! Why ureq: no async runtime, ~3 ms per call over HTTP and ~10 ms over HTTPS, and rustls with
//! the ring provider avoids aws-lc's 60–100 ms entropy seeding on first TLS use
//! (research/ecosystem.md §1a, §3.4).
//!
//! What this module owns:
//! - building ureq agents lazily: nothing is built, and no CA file is read, until the first
//!   request; an `http://` request never builds a TLS configuration at all;
//! - one agent per (needs TLS, proxy) pair, kept for the life of the transport, so connections
//!   are reused (HTTP/1.1 keep-alive) across calls of one process;
//! - translating ureq failures into botocore's exception texts ([`TransportError`]).
//!
//! It deliberately does not retry, follow redirects (botocore does not either), decompress, or
//! read the process environment (proxies come in through [`TransportOptions::proxies`]).

use std::io::ErrorKind;
use std::path::Path;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use ureq::Agent;
use ureq::tls::{PemItem, RootCerts, TlsConfig};

use crate::transport::{
    HttpRequest, HttpResponse, Method, Transport, TransportError, TransportOptions, mask_proxy_url,
};

/// Largest response body we read. Real responses are a few kilobytes (a 100-account page is
/// ~15 KB); anything near this is not an AWS answer.
pub const MAX_BODY_BYTES: u64 = 10 * 1024 * 1024;

/// The real HTTP transport. Cheap to construct; see the module docs for what is deferred.
pub struct UreqTransport {
    options: TransportOptions,
    /// The TLS settings, built on the first `https://` request (reads the CA bundle).
    tls: OnceLock<Result<TlsConfig, String>>,
    /// Agents by (uses TLS settings, proxy URL). Usually one entry.
    agents: Mutex<Vec<(AgentKey, Agent)>>,
}

#[derive(Clone, PartialEq, Eq)]
struct AgentKey {
    tls: bool,
    proxy: Option<String>,
}

impl std::fmt::Debug for UreqTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UreqTransport")
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl UreqTransport {
    /// A transport with these settings. Does no I/O.
    pub fn new(options: &TransportOptions) -> Self {
        Self {
            options: options.clone(),
            tls: OnceLock::new(),
            agents: Mutex::new(Vec::new()),
        }
    }

    /// The agent for `key`, building it (and the TLS settings it needs) on first use.
    fn agent(&self, key: &AgentKey, url: &str) -> Result<Agent, TransportError> {
        let mut agents = self
            .agents
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((_, agent)) = agents.iter().find(|(k, _)| k == key) {
            return Ok(agent.clone());
        }
        let tls = if key.tls {
            self.tls
                .get_or_init(|| build_tls(&self.options))
                .clone()
                .map_err(|detail| TransportError::CaBundle {
                    url: url.to_owned(),
                    path: self.options.ca_bundle.clone().unwrap_or_default(),
                    detail,
                })?
        } else {
            // Never used for a plain-http connection; the default costs nothing because
            // ureq builds the rustls configuration only on the first TLS handshake.
            TlsConfig::default()
        };
        let proxy = match &key.proxy {
            Some(proxy_url) => {
                Some(
                    ureq::Proxy::new(proxy_url).map_err(|error| TransportError::Other {
                        url: url.to_owned(),
                        detail: format!("invalid proxy URL {}: {error}", mask_proxy_url(proxy_url)),
                    })?,
                )
            }
            None => None,
        };
        let config = Agent::config_builder()
            .http_status_as_error(false)
            // botocore does not follow redirects: a 3xx is an error response.
            .max_redirects(0)
            // ureq's 128 KiB defaults cost ~18% of a call's instructions in zero-filling (see
            // bench/README.md); SSO responses and their headers are a few KiB.
            .input_buffer_size(32 * 1024)
            .output_buffer_size(32 * 1024)
            // We write every header ourselves, botocore-style; ureq adds only Host and
            // Content-Length.
            .user_agent("")
            .accept("")
            .accept_encoding("")
            .timeout_connect(self.options.connect_timeout)
            // Python's socket timeout restarts on every recv/send, like ureq's per-read and
            // per-write timeouts.
            .timeout_per_read(self.options.read_timeout)
            .timeout_per_write(self.options.read_timeout)
            .proxy(proxy)
            .tls_config(tls)
            .build();
        let agent = Agent::new_with_config(config);
        agents.push((key.clone(), agent.clone()));
        Ok(agent)
    }
}

impl Transport for UreqTransport {
    fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        let url = request.url.clone();
        let lower = url.to_ascii_lowercase();
        let is_https = lower.starts_with("https://");
        if !is_https && !lower.starts_with("http://") {
            return Err(TransportError::InvalidEndpoint { endpoint: url });
        }
        let proxy = self.options.proxies.proxy_for(&url);
        let key = AgentKey {
            tls: is_https || proxy.as_deref().is_some_and(|p| p.starts_with("https:")),
            proxy,
        };
        let agent = self.agent(&key, &url)?;
        // Python's http.client writes `Host` first and botocore's `Content-Length` comes
        // last; setting both ourselves keeps that order and casing (ureq would otherwise
        // prepend lower-case ones).
        let mut headers = Vec::with_capacity(request.headers.len() + 2);
        if let Some(host) = host_header(&url) {
            headers.push(("Host".to_owned(), host));
        }
        headers.extend(request.headers);
        if let Some(body) = &request.body {
            headers.push(("Content-Length".to_owned(), body.len().to_string()));
        }
        let result = match request.method {
            Method::Get => {
                let mut builder = agent.get(&url);
                for (name, value) in &headers {
                    builder = builder.header_raw(name, value.as_bytes());
                }
                match request.body {
                    Some(body) => builder.force_send_body().send(&body[..]),
                    None => builder.call(),
                }
            }
            Method::Head => {
                let mut builder = agent.head(&url);
                for (name, value) in &headers {
                    builder = builder.header_raw(name, value.as_bytes());
                }
                builder.call()
            }
            Method::Post => {
                let mut builder = agent.post(&url);
                for (name, value) in &headers {
                    builder = builder.header_raw(name, value.as_bytes());
                }
                builder.send(request.body.as_deref().unwrap_or_default())
            }
        };
        let map = |error| classify(error, &url, is_https, key.proxy.as_deref());
        let mut response = result.map_err(map)?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(name, value)| {
                (
                    name.as_str().to_owned(),
                    String::from_utf8_lossy(value.as_bytes()).into_owned(),
                )
            })
            .collect();
        let body = response
            .body_mut()
            .with_config()
            .limit(MAX_BODY_BYTES)
            .read_to_vec()
            .map_err(map)?;
        Ok(HttpResponse {
            status,
            headers,
            body,
        })
    }

    fn read_timeout(&self) -> Option<Duration> {
        self.options.read_timeout
    }
}

/// The `Host` header for `url` as Python's http.client writes it: the authority without
/// user info, and without the port when it is the scheme's default.
fn host_header(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next()?;
    let authority = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    let default_port = if scheme.eq_ignore_ascii_case("https") {
        ":443"
    } else {
        ":80"
    };
    let host = authority.strip_suffix(default_port).unwrap_or(authority);
    (!host.is_empty()).then(|| host.to_owned())
}

/// The TLS settings: verification off, the user's bundle, or the compiled-in Mozilla roots.
fn build_tls(options: &TransportOptions) -> Result<TlsConfig, String> {
    let builder = TlsConfig::builder();
    if !options.verify_ssl {
        // `--no-verify-ssl`: like botocore's `verify=False`, no chain and no host-name check.
        return Ok(builder.disable_verification(true).build());
    }
    match &options.ca_bundle {
        Some(path) => Ok(builder.root_certs(load_bundle(path)?).build()),
        None => Ok(builder.root_certs(RootCerts::WebPki).build()),
    }
}

/// Reads every certificate of a PEM bundle. Fails if the file cannot be read or holds no
/// certificate, because ureq would otherwise silently end up with an empty trust store.
fn load_bundle(path: &Path) -> Result<RootCerts, String> {
    let bytes = std::fs::read(path).map_err(|error| error.to_string())?;
    let mut certificates = Vec::new();
    for item in ureq::tls::parse_pem(&bytes) {
        match item {
            Ok(PemItem::Certificate(certificate)) => certificates.push(certificate),
            Ok(_) => {}
            Err(error) => return Err(format!("not a valid PEM file ({error})")),
        }
    }
    if certificates.is_empty() {
        return Err("no PEM certificate found in the file".to_owned());
    }
    Ok(RootCerts::new_with_certs(&certificates))
}

/// Maps a ureq failure onto the botocore exception the AWS CLI would have printed.
/// How std words a failed `getaddrinfo` ("failed to lookup address information: Name or service
/// not known", "…: Temporary failure in name resolution").
fn is_name_resolution_failure(io: &std::io::Error) -> bool {
    io.to_string()
        .starts_with("failed to lookup address information")
}

fn classify(error: ureq::Error, url: &str, is_https: bool, proxy: Option<&str>) -> TransportError {
    let url_owned = || url.to_owned();
    let connect_failed = |detail: String| match proxy {
        Some(proxy_url) => TransportError::Proxy {
            proxy_url: mask_proxy_url(proxy_url),
        },
        None => TransportError::Connect {
            url: url_owned(),
            detail,
        },
    };
    match error {
        ureq::Error::Timeout(ureq::Timeout::Connect | ureq::Timeout::Resolve) => {
            TransportError::ConnectTimeout { url: url_owned() }
        }
        ureq::Error::Timeout(_) => TransportError::ReadTimeout { url: url_owned() },
        ureq::Error::HostNotFound | ureq::Error::ConnectionFailed => {
            connect_failed(error.to_string())
        }
        ureq::Error::ConnectProxyFailed(_) => TransportError::Proxy {
            proxy_url: proxy.map(mask_proxy_url).unwrap_or_default(),
        },
        ureq::Error::Io(io) => match io.kind() {
            ErrorKind::ConnectionRefused
            | ErrorKind::HostUnreachable
            | ErrorKind::NetworkUnreachable
            | ErrorKind::NetworkDown
            | ErrorKind::AddrNotAvailable => connect_failed(io.to_string()),
            ErrorKind::TimedOut => TransportError::ReadTimeout { url: url_owned() },
            // rustls reports handshake and certificate failures as `InvalidData` I/O errors
            // wrapping its own error; nothing else in an https exchange produces that kind
            // (HTTP framing problems surface as `ureq::Error::Protocol`).
            ErrorKind::InvalidData if is_https => TransportError::Ssl {
                url: url_owned(),
                detail: match io.get_ref() {
                    Some(inner) => match inner.downcast_ref::<rustls::Error>() {
                        Some(tls) => describe_tls_error(tls),
                        None => inner.to_string(),
                    },
                    None => io.to_string(),
                },
            },
            ErrorKind::UnexpectedEof
            | ErrorKind::ConnectionReset
            | ErrorKind::ConnectionAborted
            | ErrorKind::BrokenPipe => TransportError::ConnectionClosed { url: url_owned() },
            // A failed DNS lookup (std's `getaddrinfo` error has no stable kind): urllib3's
            // `NameResolutionError`, which botocore reports as `EndpointConnectionError`.
            _ if is_name_resolution_failure(&io) => connect_failed(io.to_string()),
            _ => TransportError::Other {
                url: url_owned(),
                detail: io.to_string(),
            },
        },
        ureq::Error::Rustls(tls) => TransportError::Ssl {
            url: url_owned(),
            detail: describe_tls_error(&tls),
        },
        ureq::Error::Tls(_) | ureq::Error::Pem(_) => TransportError::Ssl {
            url: url_owned(),
            detail: error.to_string(),
        },
        // urllib3 `ProtocolError` (garbled or truncated response) → botocore
        // `ConnectionClosedError`.
        ureq::Error::Protocol(_) => TransportError::ConnectionClosed { url: url_owned() },
        ureq::Error::BadUri(_) => TransportError::InvalidEndpoint {
            endpoint: url_owned(),
        },
        // The request builder rejected a header (a line break in the token, say).
        ureq::Error::Http(error) => TransportError::InvalidRequest {
            url: url_owned(),
            detail: error.to_string(),
        },
        ureq::Error::BodyExceedsLimit(limit) => TransportError::Other {
            url: url_owned(),
            detail: format!("the response body is larger than {limit} bytes"),
        },
        other => TransportError::Other {
            url: url_owned(),
            detail: other.to_string(),
        },
    }
}

/// The reason of a failed certificate check, in the words AWS CLI v2 prints (OpenSSL's, through
/// Python's `ssl`: `[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: certificate has
/// expired`) so scripts matching them keep working, plus what rustls knows beyond them (the
/// names the certificate is for, when it expired). Other TLS failures keep rustls' own text.
fn describe_tls_error(error: &rustls::Error) -> String {
    use rustls::CertificateError as Certificate;
    let rustls::Error::InvalidCertificate(certificate) = error else {
        return error.to_string();
    };
    let reason = match certificate {
        Certificate::UnknownIssuer => {
            "unable to get local issuer certificate (it is not signed by a trusted CA)".to_owned()
        }
        Certificate::Expired => "certificate has expired".to_owned(),
        Certificate::ExpiredContext { not_after, .. } => format!(
            "certificate has expired (not valid after {})",
            unix_time(not_after.as_secs())
        ),
        Certificate::NotValidYet => "certificate is not yet valid".to_owned(),
        Certificate::NotValidYetContext { not_before, .. } => format!(
            "certificate is not yet valid (not valid before {})",
            unix_time(not_before.as_secs())
        ),
        Certificate::NotValidForName => "Hostname mismatch".to_owned(),
        Certificate::NotValidForNameContext {
            expected,
            presented,
        } => {
            let expected = expected.to_str();
            let kind = if expected.parse::<std::net::IpAddr>().is_ok() {
                "IP address"
            } else {
                "Hostname"
            };
            let names: Vec<&str> = presented.iter().map(|name| presented_name(name)).collect();
            let valid_for = if names.is_empty() {
                "no name".to_owned()
            } else {
                names.join(", ")
            };
            format!(
                "{kind} mismatch, certificate is not valid for '{expected}' (it is valid for {valid_for})"
            )
        }
        Certificate::Revoked => "certificate revoked".to_owned(),
        other => return rustls::Error::InvalidCertificate(other.clone()).to_string(),
    };
    format!("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: {reason}")
}

/// A subject name as rustls-webpki lists it (`DnsName("example.com")`, `IpAddress(10.0.0.1)`),
/// without the wrapping.
fn presented_name(name: &str) -> &str {
    name.strip_prefix("DnsName(\"")
        .and_then(|rest| rest.strip_suffix("\")"))
        .or_else(|| {
            name.strip_prefix("IpAddress(")
                .and_then(|rest| rest.strip_suffix(')'))
        })
        .unwrap_or(name)
}

/// A certificate time, RFC 3339 in UTC.
fn unix_time(seconds: u64) -> String {
    i64::try_from(seconds)
        .ok()
        .and_then(|seconds| jiff::Timestamp::from_second(seconds).ok())
        .map_or_else(|| format!("{seconds} (UNIX)"), |time| time.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn certificate_failures_are_named_as_the_aws_cli_names_them() {
        use rustls::CertificateError as Certificate;
        use rustls::pki_types::{ServerName, UnixTime};
        let prefix = "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: ";
        let at = |seconds| UnixTime::since_unix_epoch(Duration::from_secs(seconds));
        let cases = [
            (
                Certificate::UnknownIssuer,
                "unable to get local issuer certificate (it is not signed by a trusted CA)",
            ),
            (
                Certificate::ExpiredContext {
                    time: at(1_796_355_391),
                    not_after: at(1_796_268_988),
                },
                "certificate has expired (not valid after 2026-12-03T03:36:28Z)",
            ),
            (
                Certificate::NotValidYetContext {
                    time: at(1_796_268_988),
                    not_before: at(1_796_355_391),
                },
                "certificate is not yet valid (not valid before 2026-12-04T03:36:31Z)",
            ),
            (
                Certificate::NotValidForNameContext {
                    expected: ServerName::try_from("127.0.0.1").unwrap(),
                    presented: vec!["DnsName(\"wrong.example\")".into()],
                },
                "IP address mismatch, certificate is not valid for '127.0.0.1' (it is valid for wrong.example)",
            ),
            (
                Certificate::NotValidForNameContext {
                    expected: ServerName::try_from("localhost").unwrap(),
                    presented: vec![
                        "DnsName(\"a.example\")".into(),
                        "IpAddress(10.0.0.1)".into(),
                    ],
                },
                "Hostname mismatch, certificate is not valid for 'localhost' (it is valid for a.example, 10.0.0.1)",
            ),
        ];
        for (error, want) in cases {
            let got = describe_tls_error(&rustls::Error::InvalidCertificate(error));
            assert_eq!(got, format!("{prefix}{want}"));
        }
        // Anything else keeps rustls' words.
        assert_eq!(
            describe_tls_error(&rustls::Error::InvalidCertificate(
                Certificate::BadSignature
            )),
            "invalid peer certificate: BadSignature"
        );
        assert_eq!(
            describe_tls_error(&rustls::Error::DecryptError),
            rustls::Error::DecryptError.to_string()
        );
    }

    #[test]
    fn host_header_drops_default_ports_and_user_info() {
        let cases = [
            ("http://127.0.0.1:18765/x", Some("127.0.0.1:18765")),
            ("http://h:80/x", Some("h")),
            (
                "https://portal.sso.us-east-1.amazonaws.com:443/x?a=b",
                Some("portal.sso.us-east-1.amazonaws.com"),
            ),
            ("https://h:80", Some("h:80")),
            ("http://u:p@[::1]:8080/", Some("[::1]:8080")),
            ("http:///x", None),
        ];
        for (url, want) in cases {
            assert_eq!(host_header(url).as_deref(), want, "{url}");
        }
    }

    #[test]
    fn ureq_failures_map_to_botocore_exceptions() {
        let url = "https://h/x";
        let io = |kind| ureq::Error::Io(std::io::Error::new(kind, "boom"));
        let cases: Vec<(ureq::Error, Option<&str>, TransportError)> = vec![
            (
                ureq::Error::Timeout(ureq::Timeout::Connect),
                None,
                TransportError::ConnectTimeout { url: url.into() },
            ),
            (
                ureq::Error::Timeout(ureq::Timeout::Resolve),
                None,
                TransportError::ConnectTimeout { url: url.into() },
            ),
            (
                ureq::Error::Timeout(ureq::Timeout::PerRead),
                None,
                TransportError::ReadTimeout { url: url.into() },
            ),
            (
                ureq::Error::Timeout(ureq::Timeout::RecvBody),
                None,
                TransportError::ReadTimeout { url: url.into() },
            ),
            (
                ureq::Error::Io(std::io::Error::other(
                    "failed to lookup address information: Name or service not known",
                )),
                None,
                TransportError::Connect {
                    url: url.into(),
                    detail: "failed to lookup address information: Name or service not known"
                        .into(),
                },
            ),
            (
                ureq::Error::HostNotFound,
                None,
                TransportError::Connect {
                    url: url.into(),
                    detail: "host not found".into(),
                },
            ),
            (
                io(ErrorKind::ConnectionRefused),
                None,
                TransportError::Connect {
                    url: url.into(),
                    detail: "boom".into(),
                },
            ),
            (
                io(ErrorKind::ConnectionRefused),
                Some("http://u:pw@proxy:3128"),
                TransportError::Proxy {
                    proxy_url: "http://***:***@proxy:3128".into(),
                },
            ),
            (
                io(ErrorKind::UnexpectedEof),
                None,
                TransportError::ConnectionClosed { url: url.into() },
            ),
            (
                io(ErrorKind::ConnectionReset),
                None,
                TransportError::ConnectionClosed { url: url.into() },
            ),
            (
                io(ErrorKind::InvalidData),
                None,
                TransportError::Ssl {
                    url: url.into(),
                    detail: "boom".into(),
                },
            ),
            (
                ureq::Error::ConnectProxyFailed("no".into()),
                Some("http://p:1"),
                TransportError::Proxy {
                    proxy_url: "http://p:1".into(),
                },
            ),
            (
                ureq::Error::BodyExceedsLimit(5),
                None,
                TransportError::Other {
                    url: url.into(),
                    detail: "the response body is larger than 5 bytes".into(),
                },
            ),
        ];
        for (error, proxy, want) in cases {
            let shown = error.to_string();
            assert_eq!(classify(error, url, true, proxy), want, "{shown}");
        }
    }
}
