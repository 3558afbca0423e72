//! A tiny scripted HTTP/1.1 server on 127.0.0.1 for the tests: it answers each request with
//! the next scripted [`Reply`] (repeating the last one when the script runs out) and records
//! every raw request. It can also speak TLS (with the test certificates in `testdata/tls/`) and act as
//! a CONNECT proxy that tunnels to itself.

use std::collections::VecDeque;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

/// What the server does with one request.
#[derive(Clone, Debug)]
pub(crate) enum Reply {
    /// Send this response.
    Respond {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    },
    /// Read the request and never answer (the connection stays open for a while).
    Hang,
    /// Read the request and close the connection without answering.
    Close,
}

/// A JSON response.
pub(crate) fn json(status: u16, body: &str) -> Reply {
    Reply::Respond {
        status,
        headers: vec![("Content-Type".to_owned(), "application/json".to_owned())],
        body: body.as_bytes().to_vec(),
    }
}

/// An AWS-style error: `x-amzn-ErrorType` plus a JSON body.
pub(crate) fn aws_error(status: u16, error_type: &str, body: &str) -> Reply {
    json(status, body).header("x-amzn-ErrorType", error_type)
}

impl Reply {
    /// Adds a header.
    pub(crate) fn header(self, name: &str, value: &str) -> Self {
        match self {
            Self::Respond {
                status,
                mut headers,
                body,
            } => {
                headers.push((name.to_owned(), value.to_owned()));
                Self::Respond {
                    status,
                    headers,
                    body,
                }
            }
            other => other,
        }
    }
}

/// One recorded request.
#[derive(Clone, Debug)]
pub(crate) struct Recorded {
    /// Request line and header lines, without the final empty line.
    pub(crate) lines: Vec<String>,
    /// The body.
    pub(crate) body: Vec<u8>,
    /// Which accepted connection it arrived on (0-based).
    pub(crate) connection: usize,
}

impl Recorded {
    /// The value of the first header called `name` (case-insensitive).
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.lines.iter().skip(1).find_map(|line| {
            let (n, v) = line.split_once(": ")?;
            n.eq_ignore_ascii_case(name).then_some(v)
        })
    }

    pub(crate) fn body_text(&self) -> String {
        String::from_utf8(self.body.clone()).unwrap()
    }
}

struct Shared {
    script: Mutex<VecDeque<Reply>>,
    last: Mutex<Option<Reply>>,
    log: Mutex<Vec<Recorded>>,
    connections: AtomicUsize,
    tls: Option<Arc<rustls::ServerConfig>>,
}

/// A running server. Threads are detached; they die with the test process.
pub(crate) struct Server {
    addr: SocketAddr,
    shared: Arc<Shared>,
}

impl Server {
    /// Plain HTTP.
    pub(crate) fn start(script: Vec<Reply>) -> Self {
        Self::spawn(script, None)
    }

    /// HTTPS with the test leaf certificate (signed by `testdata/tls/ca.pem`, valid for 127.0.0.1).
    pub(crate) fn start_tls(script: Vec<Reply>) -> Self {
        use rustls::pki_types::pem::PemObject;
        use rustls::pki_types::{CertificateDer, PrivateKeyDer};
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata/tls");
        let certs = CertificateDer::pem_file_iter(format!("{dir}/leaf.pem"))
            .unwrap()
            .collect::<Result<Vec<_>, _>>()
            .unwrap();
        let key = PrivateKeyDer::from_pem_file(format!("{dir}/leaf.key")).unwrap();
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(certs, key)
            .unwrap();
        Self::spawn(script, Some(Arc::new(config)))
    }

    fn spawn(script: Vec<Reply>, tls: Option<Arc<rustls::ServerConfig>>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let shared = Arc::new(Shared {
            script: Mutex::new(script.into()),
            last: Mutex::new(None),
            log: Mutex::new(Vec::new()),
            connections: AtomicUsize::new(0),
            tls,
        });
        let accept_shared = Arc::clone(&shared);
        thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { return };
                let shared = Arc::clone(&accept_shared);
                let connection = shared.connections.fetch_add(1, Ordering::SeqCst);
                thread::spawn(move || serve(stream, connection, &shared));
            }
        });
        Self { addr, shared }
    }

    /// `http://127.0.0.1:<port>` (or `https://`).
    pub(crate) fn url(&self) -> String {
        let scheme = if self.shared.tls.is_some() {
            "https"
        } else {
            "http"
        };
        format!("{scheme}://{}", self.addr)
    }

    /// `127.0.0.1:<port>`.
    pub(crate) fn host(&self) -> String {
        self.addr.to_string()
    }

    /// Every request so far.
    pub(crate) fn requests(&self) -> Vec<Recorded> {
        self.shared.log.lock().unwrap().clone()
    }

    /// How many TCP connections were accepted.
    pub(crate) fn connections(&self) -> usize {
        self.shared.connections.load(Ordering::SeqCst)
    }
}

fn serve(stream: TcpStream, connection: usize, shared: &Shared) {
    match &shared.tls {
        Some(config) => {
            let Ok(tls) = rustls::ServerConnection::new(Arc::clone(config)) else {
                return;
            };
            serve_stream(rustls::StreamOwned::new(tls, stream), connection, shared);
        }
        None => serve_stream(stream, connection, shared),
    }
}

fn serve_stream(mut stream: impl Read + Write, connection: usize, shared: &Shared) {
    loop {
        let Some((lines, body)) = read_request(&mut stream) else {
            return;
        };
        let is_connect = lines.first().is_some_and(|l| l.starts_with("CONNECT "));
        shared.log.lock().unwrap().push(Recorded {
            lines,
            body,
            connection,
        });
        if is_connect {
            // Act as a proxy that tunnels to ourselves: the next request arrives in clear.
            if stream
                .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
                .is_err()
            {
                return;
            }
            continue;
        }
        let reply = {
            let mut script = shared.script.lock().unwrap();
            let mut last = shared.last.lock().unwrap();
            match script.pop_front() {
                Some(reply) => {
                    *last = Some(reply.clone());
                    reply
                }
                None => last.clone().unwrap_or_else(|| json(200, "{}")),
            }
        };
        match reply {
            Reply::Respond {
                status,
                headers,
                body,
            } => {
                let mut out = format!("HTTP/1.1 {status} {}\r\n", reason(status));
                for (name, value) in &headers {
                    out.push_str(&format!("{name}: {value}\r\n"));
                }
                out.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
                let mut bytes = out.into_bytes();
                bytes.extend_from_slice(&body);
                if stream
                    .write_all(&bytes)
                    .and_then(|()| stream.flush())
                    .is_err()
                {
                    return;
                }
            }
            Reply::Hang => {
                thread::sleep(Duration::from_secs(30));
                return;
            }
            Reply::Close => return,
        }
    }
}

/// Reads one request (head + `Content-Length` body). `None` at EOF.
fn read_request(stream: &mut impl Read) -> Option<(Vec<String>, Vec<u8>)> {
    let mut head = Vec::new();
    let mut byte = [0_u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match stream.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            _ => return None,
        }
    }
    let text = String::from_utf8_lossy(&head[..head.len() - 4]).into_owned();
    let lines: Vec<String> = text.split("\r\n").map(str::to_owned).collect();
    let length = lines
        .iter()
        .skip(1)
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse::<usize>().ok())?
        })
        .unwrap_or(0);
    let mut body = vec![0; length];
    stream.read_exact(&mut body).ok()?;
    Some((lines, body))
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        302 => "Found",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Whatever",
    }
}
