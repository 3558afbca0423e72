//! The loopback listener that receives the browser's redirect in the PKCE flow.
//!
//! Two deliberate differences from AWS CLI v2 (which binds `0.0.0.0`): the listener binds
//! `127.0.0.1` only, so nothing on the network can race the browser to it, and it is bound
//! before the browser opens, so a warm portal session that redirects at once still finds it
//! (the bug fixed in synfinatic/aws-sso-cli#1442). As in the AWS CLI, any GET is answered with a
//! page, the wait ends on a request carrying `error`, or `code` and `state`, and a `state` that
//! does not match is refused.

use std::io::{self, BufRead, BufReader, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::time::{Duration, Instant};

/// The overall wait for the redirect (AWS CLI: 600 s).
pub(crate) const CALLBACK_TIMEOUT: Duration = Duration::from_secs(600);

/// How the wait for the redirect can end without a code.
#[derive(Debug)]
pub(crate) enum CallbackError {
    /// The redirect carried `error` (the user denied, or the service refused).
    Denied,
    /// The redirect's `state` was not ours.
    StateMismatch,
    /// Nothing arrived in time.
    TimedOut,
    /// The socket failed.
    Io(io::Error),
}

/// A bound loopback listener.
#[derive(Debug)]
pub(crate) struct CallbackListener {
    listener: TcpListener,
    port: u16,
}

impl CallbackListener {
    /// Binds `127.0.0.1` on a port the system picks.
    pub(crate) fn bind() -> io::Result<Self> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
        listener.set_nonblocking(true)?;
        let port = listener.local_addr()?.port();
        Ok(Self { listener, port })
    }

    /// The redirect URI for `/authorize` and `CreateToken` (with the port; the registration
    /// uses the port-less form).
    pub(crate) fn redirect_uri(&self) -> String {
        format!("http://127.0.0.1:{}/oauth/callback", self.port)
    }

    /// Serves requests until one carries `error`, or `code` and `state`; returns the code.
    pub(crate) fn wait(
        &self,
        expected_state: &str,
        timeout: Duration,
    ) -> Result<String, CallbackError> {
        let deadline = Instant::now() + timeout;
        loop {
            match self.listener.accept() {
                Ok((stream, _)) => {
                    if let Some(outcome) = handle(stream, expected_state) {
                        return outcome;
                    }
                }
                Err(error) if error.kind() == io::ErrorKind::WouldBlock => {
                    if Instant::now() >= deadline {
                        return Err(CallbackError::TimedOut);
                    }
                    std::thread::sleep(Duration::from_millis(20));
                }
                Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
                Err(error) => return Err(CallbackError::Io(error)),
            }
        }
    }
}

/// Answers one request; `Some` when it ends the wait.
fn handle(stream: TcpStream, expected_state: &str) -> Option<Result<String, CallbackError>> {
    let _ = stream.set_nonblocking(false);
    // A browser that opens a connection and sends nothing must not stall the login.
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let mut reader = BufReader::new(stream);
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return None;
    }
    // Drain the headers so the browser sees a clean response.
    let mut line = String::new();
    while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
        line.clear();
    }
    let target = request_line.split_whitespace().nth(1).unwrap_or("/");
    let query = target.split_once('?').map_or("", |(_, q)| q);
    let params = parse_query(query);
    let get = |name: &str| {
        params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };

    let outcome = if let Some(error) = get("error") {
        Some((
            Err(CallbackError::Denied),
            format!(
                "The authentication redirect failed with the following error: {}",
                html_escape(error)
            ),
        ))
    } else if let (Some(code), Some(state)) = (get("code"), get("state")) {
        if state == expected_state {
            Some((
                Ok(code.to_owned()),
                "Your credentials have been shared successfully and can be used until your session expires. You can now close this tab.".to_owned(),
            ))
        } else {
            Some((
                Err(CallbackError::StateMismatch),
                "This sign-in was not started by this aws-sso process (state mismatch). Nothing was shared; you can close this tab.".to_owned(),
            ))
        }
    } else {
        None
    };
    let message = outcome
        .as_ref()
        .map_or("Waiting for the sign-in to finish…", |(_, message)| {
            message.as_str()
        });
    let _ = respond(reader.into_inner(), message);
    outcome.map(|(result, _)| result)
}

fn respond(mut stream: TcpStream, message: &str) -> io::Result<()> {
    let body = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Amazon Web Services Sign-in</title></head>\
         <body style=\"font-family:sans-serif;max-width:40em;margin:4em auto\"><h1>Sign in to AWS</h1><p>{message}</p></body></html>\n"
    );
    write!(
        stream,
        "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    stream.flush()
}

/// Decodes an `application/x-www-form-urlencoded` query (`+` is a space).
pub(crate) fn parse_query(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(key), percent_decode(value))
        })
        .collect()
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                match std::str::from_utf8(&bytes[i + 1..i + 3])
                    .ok()
                    .and_then(|hex| u8::from_str_radix(hex, 16).ok())
                {
                    Some(byte) => {
                        out.push(byte);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            byte => out.push(byte),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn get(port: u16, path: &str) -> String {
        let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
        write!(stream, "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        response
    }

    #[test]
    fn binds_loopback_only_and_returns_the_code() {
        let listener = CallbackListener::bind().unwrap();
        assert_eq!(
            listener.listener.local_addr().unwrap().ip(),
            std::net::IpAddr::V4(Ipv4Addr::LOCALHOST)
        );
        let port = listener.port;
        assert_eq!(
            listener.redirect_uri(),
            format!("http://127.0.0.1:{port}/oauth/callback")
        );
        let browser = std::thread::spawn(move || {
            let favicon = get(port, "/favicon.ico");
            let done = get(port, "/oauth/callback?code=c%2B1&state=s-1");
            (favicon, done)
        });
        let code = listener.wait("s-1", Duration::from_secs(5)).unwrap();
        assert_eq!(code, "c+1");
        let (favicon, done) = browser.join().unwrap();
        assert!(favicon.starts_with("HTTP/1.1 200 OK"), "{favicon}");
        assert!(done.contains("shared successfully"), "{done}");
    }

    #[test]
    fn refuses_a_foreign_state_and_reports_errors() {
        let listener = CallbackListener::bind().unwrap();
        let port = listener.port;
        let browser = std::thread::spawn(move || get(port, "/oauth/callback?code=c&state=evil"));
        assert!(matches!(
            listener.wait("mine", Duration::from_secs(5)),
            Err(CallbackError::StateMismatch)
        ));
        assert!(browser.join().unwrap().contains("state mismatch"));

        let listener = CallbackListener::bind().unwrap();
        let port = listener.port;
        let browser = std::thread::spawn(move || {
            get(
                port,
                "/oauth/callback?error=access_denied&error_description=no&state=mine",
            )
        });
        assert!(matches!(
            listener.wait("mine", Duration::from_secs(5)),
            Err(CallbackError::Denied)
        ));
        assert!(browser.join().unwrap().contains("access_denied"));
    }

    #[test]
    fn times_out() {
        let listener = CallbackListener::bind().unwrap();
        assert!(matches!(
            listener.wait("s", Duration::from_millis(50)),
            Err(CallbackError::TimedOut)
        ));
    }

    #[test]
    fn decodes_queries() {
        assert_eq!(
            parse_query("a=1+2&b=%2F%3D&c&d=%zz"),
            [
                ("a".into(), "1 2".into()),
                ("b".into(), "/=".into()),
                ("c".into(), String::new()),
                ("d".into(), "%zz".into())
            ]
        );
    }
}
