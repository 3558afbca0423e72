//! The container credentials endpoint: the protocol every AWS SDK's container provider speaks
//! (ECS's `169.254.170.2`, or any loopback `AWS_CONTAINER_CREDENTIALS_FULL_URI`), served on
//! `127.0.0.1` to the processes of one `aws-sso exec --ecs-server`.
//!
//! A client sends `GET /` with the `Authorization` header set to
//! `AWS_CONTAINER_AUTHORIZATION_TOKEN`, verbatim, and reads `AccessKeyId`, `SecretAccessKey`,
//! `Token`, `Expiration` and `AccountId` from the JSON answer; SDKs ask again 15 minutes
//! before `Expiration`. Each request asks the credential source afresh (one at a time), so
//! what a client gets is as fresh as the source makes it: with the role-credentials provider
//! behind it, never within 15 minutes of expiring.
//!
//! The token is 32 random bytes made here and compared in constant time; a request without it,
//! with another one, with another method or for another path is refused. When the source
//! fails, the answer is a 503 whose `message` the SDKs put in their error.

use std::io::{self, Write as _};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value};
use sso_cache::{RoleCredentials, format_timestamp};
use sso_core::{Secret, Sleeper};

use crate::loopback::{MAX_CONNECTIONS, read_request};

/// Where a request's credentials come from; `Err` carries the message for the client.
pub type CredentialSource<'a> = dyn Fn() -> Result<RoleCredentials, String> + Sync + 'a;

/// A bound, not yet serving, container credentials endpoint.
pub struct CredentialServer {
    listener: TcpListener,
    port: u16,
    token: Secret<String>,
    sleeper: Arc<dyn Sleeper>,
    stopping: AtomicBool,
}

impl CredentialServer {
    /// Binds `127.0.0.1` on a port the system picks and makes the authorization token.
    ///
    /// # Errors
    ///
    /// The bind failure, or no randomness for the token.
    pub fn bind(sleeper: Arc<dyn Sleeper>) -> io::Result<Self> {
        let mut bytes = [0_u8; 32];
        getrandom::fill(&mut bytes).map_err(|error| io::Error::other(error.to_string()))?;
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
        let port = listener.local_addr()?.port();
        Ok(Self {
            listener,
            port,
            token: Secret::new(URL_SAFE_NO_PAD.encode(bytes)),
            sleeper,
            stopping: AtomicBool::new(false),
        })
    }

    /// `AWS_CONTAINER_CREDENTIALS_FULL_URI`: an IP literal, since SDKs allow plain HTTP only
    /// to loopback addresses (and the Rust SDK resolves names and insists on loopback).
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/", self.port)
    }

    /// `AWS_CONTAINER_AUTHORIZATION_TOKEN`.
    pub const fn token(&self) -> &Secret<String> {
        &self.token
    }

    /// Serves until [`CredentialServer::stop`] is called (from another thread), each connection
    /// on a thread of its own.
    pub fn serve(&self, source: &CredentialSource<'_>) {
        // One source call at a time: parallel SDK clients share one fetch.
        let single = Mutex::new(());
        let active = AtomicUsize::new(0);
        std::thread::scope(|scope| {
            for stream in self.listener.incoming() {
                if self.stopping.load(Ordering::SeqCst) {
                    return;
                }
                let Ok(stream) = stream else {
                    // Out of file descriptors, say: back off rather than spin on the error.
                    self.sleeper.sleep(std::time::Duration::from_millis(50));
                    continue;
                };
                if active.fetch_add(1, Ordering::SeqCst) >= MAX_CONNECTIONS {
                    active.fetch_sub(1, Ordering::SeqCst);
                    continue;
                }
                let (single, active) = (&single, &active);
                scope.spawn(move || {
                    let _ = self.handle(stream, source, single);
                    active.fetch_sub(1, Ordering::SeqCst);
                });
            }
        });
    }

    /// Makes [`CredentialServer::serve`] return once open connections are answered.
    pub fn stop(&self) {
        self.stopping.store(true, Ordering::SeqCst);
        // Wake the accept loop.
        let _ = TcpStream::connect((Ipv4Addr::LOCALHOST, self.port));
    }

    fn handle(
        &self,
        mut stream: TcpStream,
        source: &CredentialSource<'_>,
        single: &Mutex<()>,
    ) -> io::Result<()> {
        let Some(request) = read_request(&mut stream, self.sleeper.as_ref()) else {
            return Ok(());
        };
        let authorized = request.header("Authorization").is_some_and(|given| {
            constant_time_eq(given.as_bytes(), self.token.expose().as_bytes())
        });
        let (status, body) = if !authorized {
            (
                403,
                error_body("AccessDenied", "missing or wrong authorization token"),
            )
        } else if request.method != "GET" {
            (405, error_body("MethodNotAllowed", "only GET is served"))
        } else if request.target != "/" {
            (
                404,
                error_body("NotFound", "credentials are served at / only"),
            )
        } else {
            let fetched = {
                let _one = single.lock().unwrap_or_else(PoisonError::into_inner);
                source()
            };
            match fetched {
                Ok(credentials) => (200, credentials_body(&credentials)),
                Err(message) => (503, error_body("CredentialsUnavailable", &message)),
            }
        };
        respond(&mut stream, status, &body)
    }
}

/// What the SDKs' container providers read (botocore reads `Token` by name).
fn credentials_body(credentials: &RoleCredentials) -> String {
    let mut body = Map::new();
    body.insert(
        "AccessKeyId".into(),
        credentials.access_key_id.clone().into(),
    );
    body.insert(
        "SecretAccessKey".into(),
        credentials.secret_access_key.expose().clone().into(),
    );
    body.insert(
        "Token".into(),
        credentials.session_token.expose().clone().into(),
    );
    body.insert(
        "Expiration".into(),
        format_timestamp(credentials.expiration).into(),
    );
    if let Some(account) = &credentials.account_id {
        body.insert("AccountId".into(), account.clone().into());
    }
    Value::Object(body).to_string()
}

fn error_body(code: &str, message: &str) -> String {
    serde_json::json!({ "code": code, "message": message }).to_string()
}

fn respond(stream: &mut TcpStream, status: u16, body: &str) -> io::Result<()> {
    let reason = match status {
        200 => "OK",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        _ => "Service Unavailable",
    };
    write!(
        stream,
        "HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    stream.flush()
}

/// Compares without an early exit, so the time taken does not tell how much of a guess was
/// right. (Lengths are not secret: every token is 43 characters.) Written out because the one
/// comparison does not justify a crate.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0_u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use std::io::Read as _;

    use super::*;

    fn credentials(key: &str) -> RoleCredentials {
        RoleCredentials {
            access_key_id: key.into(),
            secret_access_key: Secret::new("secret".into()),
            session_token: Secret::new("session".into()),
            expiration: "2026-12-03T13:00:00Z".parse().unwrap(),
            account_id: Some("111111111111".into()),
        }
    }

    fn request(port: u16, head: &str) -> (u16, Value) {
        let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
        stream.write_all(head.as_bytes()).unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        let status = response[9..12].parse().unwrap();
        let body = response.split_once("\r\n\r\n").unwrap().1;
        (status, serde_json::from_str(body).unwrap())
    }

    #[test]
    fn serves_only_the_holder_of_the_token() {
        let server = CredentialServer::bind(Arc::new(sso_core::SystemSleeper::new())).unwrap();
        let port = server.port;
        let token = server.token().expose().clone();
        assert_eq!(token.len(), 43);
        assert_eq!(server.url(), format!("http://127.0.0.1:{port}/"));
        let calls = AtomicUsize::new(0);
        let source = || {
            let n = calls.fetch_add(1, Ordering::SeqCst);
            if n == 1 {
                Err("the SSO session has expired; run aws-sso login".to_owned())
            } else {
                Ok(credentials(&format!("ASIA{n}")))
            }
        };
        std::thread::scope(|scope| {
            scope.spawn(|| server.serve(&source));
            let get = |auth: &str| {
                request(
                    port,
                    &format!("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n{auth}\r\n"),
                )
            };
            let (status, body) = get(&format!("Authorization: {token}\r\n"));
            assert_eq!(status, 200);
            assert_eq!(
                body,
                serde_json::json!({"AccessKeyId": "ASIA0", "SecretAccessKey": "secret", "Token": "session", "Expiration": "2026-12-03T13:00:00Z", "AccountId": "111111111111"})
            );
            let (status, body) = get(&format!("authorization: {token}\r\n"));
            assert_eq!(
                (status, body["code"].as_str()),
                (503, Some("CredentialsUnavailable"))
            );
            assert_eq!(
                body["message"],
                "the SSO session has expired; run aws-sso login"
            );
            assert_eq!(get("").0, 403);
            assert_eq!(get(&format!("Authorization: Bearer {token}\r\n")).0, 403);
            let wrong: String = token.chars().rev().collect();
            assert_eq!(get(&format!("Authorization: {wrong}\r\n")).0, 403);
            let (status, _) = request(
                port,
                &format!("POST / HTTP/1.1\r\nAuthorization: {token}\r\n\r\n"),
            );
            assert_eq!(status, 405);
            let (status, _) = request(
                port,
                &format!("GET /role-arn/x HTTP/1.1\r\nAuthorization: {token}\r\n\r\n"),
            );
            assert_eq!(status, 404);
            // Refused requests never reach the source.
            assert_eq!(calls.load(Ordering::SeqCst), 2);
            assert_eq!(
                get(&format!("Authorization: {token}\r\n")).1["AccessKeyId"],
                "ASIA2"
            );
            server.stop();
        });
    }

    #[test]
    fn each_server_has_its_own_token() {
        let sleeper: Arc<dyn Sleeper> = Arc::new(sso_core::SystemSleeper::new());
        let a = CredentialServer::bind(Arc::clone(&sleeper)).unwrap();
        let b = CredentialServer::bind(sleeper).unwrap();
        assert_ne!(a.token().expose(), b.token().expose());
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }
}
