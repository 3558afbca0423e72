//! What aws-sso's loopback HTTP listeners share (the PKCE callback receiver and the container
//! credentials server): one request per connection, read within a deadline and a size cap, so
//! no local client can stall a listener or grow its memory.
//!
//! Hand-written rather than an HTTP server crate: each listener answers one or two GET routes
//! on 127.0.0.1, and a synchronous reader of a request head is a few lines, where a server
//! framework would bring an async runtime into a synchronous binary.

use std::io::Read as _;
use std::net::TcpStream;
use std::time::Duration;

use sso_core::Sleeper;

/// How long one connection may take to send its request line and headers. Clients send them
/// at once; one that dawdles must not hold anything up.
pub(crate) const REQUEST_DEADLINE: Duration = Duration::from_secs(5);

/// The most a request line plus headers may be. Browsers and SDKs send far less.
pub(crate) const MAX_REQUEST_BYTES: usize = 8 * 1024;

/// Connections served at once; further ones are closed at once until one finishes.
pub(crate) const MAX_CONNECTIONS: usize = 32;

/// A request's method, target and headers.
pub(crate) struct Request {
    pub(crate) method: String,
    pub(crate) target: String,
    headers: Vec<(String, String)>,
}

impl Request {
    /// The first header called `name` (case-insensitive), trimmed.
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Reads the request line and headers within [`REQUEST_DEADLINE`] and [`MAX_REQUEST_BYTES`];
/// `None` when the client gave up, was too slow or sent too much.
pub(crate) fn read_request(stream: &mut TcpStream, sleeper: &dyn Sleeper) -> Option<Request> {
    let deadline = sleeper.now() + REQUEST_DEADLINE;
    let mut head = Vec::with_capacity(1024);
    let mut buffer = [0_u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        let remaining = deadline
            .checked_sub(sleeper.now())
            .filter(|d| !d.is_zero())?;
        stream.set_read_timeout(Some(remaining)).ok()?;
        let read = stream.read(&mut buffer).ok().filter(|&n| n > 0)?;
        head.extend_from_slice(&buffer[..read]);
        if head.len() > MAX_REQUEST_BYTES {
            return None;
        }
    }
    let head = String::from_utf8_lossy(&head);
    let mut lines = head.split("\r\n");
    let mut request_line = lines.next().unwrap_or_default().split_whitespace();
    let method = request_line.next().unwrap_or_default().to_owned();
    let target = request_line.next().unwrap_or("/").to_owned();
    let headers = lines
        .take_while(|line| !line.is_empty())
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_owned(), value.trim().to_owned()))
        .collect();
    Some(Request {
        method,
        target,
        headers,
    })
}
