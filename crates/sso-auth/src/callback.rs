//! The loopback listener that receives the browser's redirect in the PKCE flow.
//!
//! Two deliberate differences from AWS CLI v2 (which binds `0.0.0.0`): the listener binds
//! `127.0.0.1` only, so nothing on the network can race the browser to it, and it is bound
//! before the browser opens, so a warm portal session that redirects at once still finds it
//! (the bug fixed in synfinatic/aws-sso-cli#1442). As in the AWS CLI, any GET is answered with a
//! page, the wait ends on a request carrying `error`, or `code` and `state`, and a `state` that
//! does not match is refused.
//!
//! Unlike the AWS CLI's single-threaded server, each connection is served on its own thread
//! with a whole-request deadline and a size cap, and the overall deadline is a blocking wait on
//! a channel, so no local client can stall or grow a login.
//!
//! [`CallbackReceiver`] is the seam: the PKCE flow only asks for a redirect URI and waits for a
//! code, so tests script the outcome and never open a socket.

use std::io::{self, Write as _};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, Once, PoisonError, mpsc};
use std::time::Duration;

use sso_core::{Sleeper, Terminal};

use crate::loopback::{MAX_CONNECTIONS, read_request};
use crate::paste;

/// The path of the redirect URI.
pub(crate) const CALLBACK_PATH: &str = "/oauth/callback";

/// The overall wait for the redirect (AWS CLI: 600 s).
pub const CALLBACK_TIMEOUT: Duration = Duration::from_secs(600);

/// How the wait for the redirect can end without a code.
#[derive(Debug)]
pub enum CallbackError {
    /// The redirect carried `error` (the user denied, or the service refused).
    Denied,
    /// The redirect's `state` was not ours.
    StateMismatch,
    /// Nothing arrived in time.
    TimedOut,
    /// The socket failed.
    Io(io::Error),
}

/// Where the PKCE redirect arrives: the loopback listener in real runs, a scripted one in
/// tests (and, later, a pasted URL).
pub trait CallbackReceiver {
    /// The redirect URI for `/authorize` and `CreateToken`.
    fn redirect_uri(&self) -> String;

    /// Waits up to `timeout` for a redirect carrying `error`, or `code` and `state`; returns
    /// the code when the state is `expected_state`.
    ///
    /// # Errors
    ///
    /// How the wait ended without a code.
    fn wait(&self, expected_state: &str, timeout: Duration) -> Result<String, CallbackError>;

    /// Whether the user can finish by pasting the redirect's address (see `paste.rs`).
    fn accepts_paste(&self) -> bool {
        false
    }
}

/// A bound loopback listener, and optionally a paste-back prompt (see `paste.rs`).
pub struct LoopbackReceiver {
    listener: TcpListener,
    port: u16,
    sleeper: Arc<dyn Sleeper>,
    /// Every way the wait can end sends here: the listener's connections and the prompt.
    outcomes: mpsc::Sender<Outcome>,
    results: Mutex<mpsc::Receiver<Outcome>>,
    /// The terminal to offer paste-back on, when stdin is one.
    paste: Option<Arc<dyn Terminal>>,
    /// The prompt is started once, on the first wait, and lives across waits.
    prompt: Once,
    /// Whether the prompt is on screen waiting for a line.
    prompting: Arc<AtomicBool>,
    /// Set when the wait is over, so the paste-back prompt stops reading.
    done: Arc<AtomicBool>,
}

impl std::fmt::Debug for LoopbackReceiver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoopbackReceiver")
            .field("port", &self.port)
            .finish_non_exhaustive()
    }
}

impl LoopbackReceiver {
    /// Binds `127.0.0.1` on a port the system picks. `sleeper` measures each connection's
    /// request deadline.
    ///
    /// # Errors
    ///
    /// The bind failure.
    pub fn bind(sleeper: Arc<dyn Sleeper>) -> io::Result<Self> {
        Self::bind_port(sleeper, 0)
    }

    /// Binds `127.0.0.1:port` (`0`: a port the system picks), for a redirect that must arrive
    /// on a known port (an SSH tunnel, a firewall rule).
    ///
    /// # Errors
    ///
    /// The bind failure (`AddrInUse` when another program has the port).
    pub fn bind_port(sleeper: Arc<dyn Sleeper>, port: u16) -> io::Result<Self> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, port))?;
        let port = listener.local_addr()?.port();
        let (outcomes, results) = mpsc::channel();
        Ok(Self {
            listener,
            port,
            sleeper,
            outcomes,
            results: Mutex::new(results),
            paste: None,
            prompt: Once::new(),
            prompting: Arc::new(AtomicBool::new(false)),
            done: Arc::new(AtomicBool::new(false)),
        })
    }

    /// Also accepts the redirect's address pasted on `terminal` (which should have a terminal
    /// on stdin) while waiting: for a browser that cannot reach this machine.
    #[must_use]
    pub fn with_paste_back(mut self, terminal: Arc<dyn Terminal>) -> Self {
        self.paste = Some(terminal);
        self
    }

    /// Shows the paste-back prompt and reads lines until one ends the wait (or input ends).
    /// When the listener wins, the prompt stops reading ([`Terminal::read_line_until`]), so
    /// keys typed afterwards reach whatever asks next.
    fn start_prompt(&self, expected_state: &str) {
        let Some(terminal) = self.paste.clone() else {
            return;
        };
        let outcomes = self.outcomes.clone();
        let prompting = Arc::clone(&self.prompting);
        let done = Arc::clone(&self.done);
        let (port, expected) = (self.port, expected_state.to_owned());
        std::thread::spawn(move || {
            loop {
                prompting.store(true, Ordering::SeqCst);
                let line = terminal.read_line_until(&paste::prompt(port), &done);
                prompting.store(false, Ordering::SeqCst);
                let Ok(Some(line)) = line else {
                    return;
                };
                let pasted = paste::check(&line, port, &expected);
                if let paste::Pasted::Refused(message) = &pasted {
                    terminal.stderr(&format!("{message}\n"));
                }
                if let Some(outcome) = paste::outcome(pasted) {
                    let _ = outcomes.send(outcome);
                    return;
                }
            }
        });
    }

    /// The port bound.
    pub const fn port(&self) -> u16 {
        self.port
    }
}

impl CallbackReceiver for LoopbackReceiver {
    fn accepts_paste(&self) -> bool {
        self.paste.is_some()
    }

    /// `http://127.0.0.1:PORT/oauth/callback` (the registration uses the port-less form).
    fn redirect_uri(&self) -> String {
        format!("http://127.0.0.1:{}{CALLBACK_PATH}", self.port)
    }

    /// Accepts on a thread of its own and serves each connection on another, so no client —
    /// an idle connection, one dripping a byte at a time, an endless request line — can keep
    /// the browser's redirect from being read or the overall deadline from being enforced.
    fn wait(&self, expected_state: &str, timeout: Duration) -> Result<String, CallbackError> {
        let listener = self.listener.try_clone().map_err(CallbackError::Io)?;
        let outcomes = self.outcomes.clone();
        let stop = Arc::new(AtomicBool::new(false));
        self.prompt.call_once(|| self.start_prompt(expected_state));
        let accept = {
            let stop = Arc::clone(&stop);
            let expected = expected_state.to_owned();
            let sleeper = Arc::clone(&self.sleeper);
            std::thread::spawn(move || {
                accept_loop(&listener, &expected, &sleeper, &stop, &outcomes)
            })
        };
        let outcome = self
            .results
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .recv_timeout(timeout)
            .unwrap_or(Err(CallbackError::TimedOut));
        // The listener won (or time ran out) while the prompt still waits for a line: end the
        // prompt's line so what follows starts on a fresh one.
        if !matches!(outcome, Err(CallbackError::TimedOut))
            && self.prompting.swap(false, Ordering::SeqCst)
            && let Some(terminal) = &self.paste
        {
            terminal.stderr("\n");
        }
        self.done.store(true, Ordering::SeqCst);
        // Wake the accept loop so its thread ends with the wait.
        stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect((Ipv4Addr::LOCALHOST, self.port));
        let _ = accept.join();
        outcome
    }
}

type Outcome = Result<String, CallbackError>;

fn accept_loop(
    listener: &TcpListener,
    expected_state: &str,
    sleeper: &Arc<dyn Sleeper>,
    stop: &AtomicBool,
    outcomes: &mpsc::Sender<Outcome>,
) {
    let active = Arc::new(AtomicUsize::new(0));
    for stream in listener.incoming() {
        if stop.load(Ordering::SeqCst) {
            return;
        }
        let stream = match stream {
            Ok(stream) => stream,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
            Err(error) => {
                let _ = outcomes.send(Err(CallbackError::Io(error)));
                return;
            }
        };
        if active.fetch_add(1, Ordering::SeqCst) >= MAX_CONNECTIONS {
            active.fetch_sub(1, Ordering::SeqCst);
            drop(stream);
            continue;
        }
        let active = Arc::clone(&active);
        let expected = expected_state.to_owned();
        let sleeper = Arc::clone(sleeper);
        let outcomes = outcomes.clone();
        std::thread::spawn(move || {
            if let Some(outcome) = handle(stream, &expected, sleeper.as_ref()) {
                let _ = outcomes.send(outcome);
            }
            active.fetch_sub(1, Ordering::SeqCst);
        });
    }
}

/// Answers one request; `Some` when it ends the wait.
fn handle(mut stream: TcpStream, expected_state: &str, sleeper: &dyn Sleeper) -> Option<Outcome> {
    let request = read_request(&mut stream, sleeper)?;
    let query = request.target.split_once('?').map_or("", |(_, q)| q);
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
    let _ = respond(stream, message);
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
pub fn parse_query(query: &str) -> Vec<(String, String)> {
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
    use crate::loopback::MAX_REQUEST_BYTES;
    use std::io::Read;
    use std::io::Write;

    fn get(port: u16, path: &str) -> String {
        let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
        write!(stream, "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        response
    }

    fn bind() -> LoopbackReceiver {
        LoopbackReceiver::bind(Arc::new(sso_core::SystemSleeper::new())).unwrap()
    }

    #[test]
    fn binds_loopback_only_and_returns_the_code() {
        let listener = bind();
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
        let listener = bind();
        let port = listener.port;
        let browser = std::thread::spawn(move || get(port, "/oauth/callback?code=c&state=evil"));
        assert!(matches!(
            listener.wait("mine", Duration::from_secs(5)),
            Err(CallbackError::StateMismatch)
        ));
        assert!(browser.join().unwrap().contains("state mismatch"));

        let listener = bind();
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
    fn idle_and_dripping_connections_do_not_hold_up_the_redirect() {
        let listener = bind();
        let port = listener.port;
        let browser = std::thread::spawn(move || {
            // Connections that send nothing, or half a request line, stay open for the whole
            // request deadline (5 s). The wait below gives up after 2 s, so a receiver that
            // served connections one at a time would time out.
            let idle: Vec<TcpStream> = (0..3)
                .map(|_| TcpStream::connect(("127.0.0.1", port)).unwrap())
                .collect();
            let mut dripping = TcpStream::connect(("127.0.0.1", port)).unwrap();
            dripping.write_all(b"GET /oauth/call").unwrap();
            let done = get(port, "/oauth/callback?code=c&state=s");
            drop((idle, dripping));
            done
        });
        let code = listener.wait("s", Duration::from_secs(2)).unwrap();
        assert_eq!(code, "c");
        assert!(browser.join().unwrap().contains("shared successfully"));
    }

    #[test]
    fn an_oversized_request_is_dropped_unanswered() {
        let listener = bind();
        let port = listener.port;
        let client = std::thread::spawn(move || {
            let mut flood = TcpStream::connect(("127.0.0.1", port)).unwrap();
            // No end of headers within the 8 KiB cap: the receiver stops reading and closes.
            let line = format!(
                "GET /oauth/callback?code=c&state=s&pad={} HTTP/1.1\r\n",
                "a".repeat(MAX_REQUEST_BYTES)
            );
            let _ = flood.write_all(line.as_bytes());
            let mut answer = Vec::new();
            let _ = flood.read_to_end(&mut answer);
            let real = get(port, "/oauth/callback?code=real&state=s");
            (answer, real)
        });
        // Without the cap the flood would hold its connection for the 5 s request deadline.
        let code = listener.wait("s", Duration::from_secs(3)).unwrap();
        assert_eq!(code, "real");
        let (answer, real) = client.join().unwrap();
        assert!(answer.is_empty(), "{}", String::from_utf8_lossy(&answer));
        assert!(real.contains("shared successfully"));
    }

    /// A terminal whose stdin is a script of lines; once they run out, reads block (a person
    /// who has not typed anything).
    struct Typist {
        lines: Mutex<std::collections::VecDeque<String>>,
        stderr: Mutex<String>,
    }

    impl Typist {
        fn new(lines: &[String]) -> Arc<Self> {
            Arc::new(Self {
                lines: Mutex::new(lines.iter().cloned().collect()),
                stderr: Mutex::new(String::new()),
            })
        }
        fn stderr_text(&self) -> String {
            self.stderr.lock().unwrap().clone()
        }
    }

    impl Terminal for Typist {
        fn stdout(&self, _: &str) {}
        fn stderr(&self, text: &str) {
            self.stderr.lock().unwrap().push_str(text);
        }
        fn debug_enabled(&self) -> bool {
            false
        }
        fn debug_line(&self, _: &str) {}
        fn read_line(&self, prompt: &str) -> io::Result<Option<String>> {
            self.stderr(prompt);
            let next = self.lines.lock().unwrap().pop_front();
            match next {
                Some(line) => Ok(Some(line)),
                None => loop {
                    std::thread::park();
                },
            }
        }
        fn stdout_is_terminal(&self) -> bool {
            false
        }
        fn stdin_is_terminal(&self) -> bool {
            true
        }
        fn stderr_is_terminal(&self) -> bool {
            false
        }
        fn width(&self) -> Option<usize> {
            None
        }
    }

    #[test]
    fn a_pasted_address_completes_the_wait_after_foreign_ones_are_refused() {
        let listener = bind();
        let port = listener.port;
        let typist = Typist::new(&[
            "https://example.com/".to_owned(),
            format!("http://127.0.0.1:{port}/oauth/callback?code=stolen&state=theirs"),
            format!("http://127.0.0.1:{port}/oauth/callback?code=good&state=s"),
        ]);
        let listener = listener.with_paste_back(Arc::clone(&typist) as Arc<dyn Terminal>);
        assert!(listener.accepts_paste());
        assert_eq!(listener.wait("s", Duration::from_secs(5)).unwrap(), "good");
        let stderr = typist.stderr_text();
        assert_eq!(
            stderr.matches("paste the address it ends on").count(),
            3,
            "{stderr}"
        );
        assert!(
            stderr.contains("That is not the address this sign-in ends on"),
            "{stderr}"
        );
        assert!(stderr.contains("state does not match"), "{stderr}");
    }

    #[test]
    fn the_listener_winning_ends_the_prompt_line() {
        let listener = bind();
        let port = listener.port;
        let typist = Typist::new(&[]);
        let listener = listener.with_paste_back(Arc::clone(&typist) as Arc<dyn Terminal>);
        let watcher = Arc::clone(&typist);
        let browser = std::thread::spawn(move || {
            // The redirect arrives while the prompt is on screen, as a person would see it.
            while watcher.stderr_text().is_empty() {
                std::thread::yield_now();
            }
            get(port, "/oauth/callback?code=c&state=s")
        });
        assert_eq!(listener.wait("s", Duration::from_secs(5)).unwrap(), "c");
        browser.join().unwrap();
        let stderr = typist.stderr_text();
        assert!(
            stderr.starts_with("If the browser cannot reach this machine"),
            "{stderr}"
        );
        assert!(
            stderr.ends_with(": \n"),
            "the prompt's line is ended: {stderr:?}"
        );
    }

    #[test]
    fn times_out() {
        let listener = bind();
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
