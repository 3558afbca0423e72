//! Test harness: an in-process emulator driven with `tower::ServiceExt::oneshot` on a fixed
//! clock, a cookie-keeping browser for the HTML pages, the real binary started on a free port,
//! and a tiny keep-alive HTTP/1.1 client over `std::net::TcpStream` (no client crate: the
//! emulator must be checked against bytes, not against a library's idea of the protocol).

#![allow(dead_code)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request};
use serde_json::{Value, json};
use sso_core::FixedClock;
use sso_emulator::{AppState, Config, Directory, router};
use tower::ServiceExt;

pub(crate) const START_URL: &str = "https://d-0000000000.awsapps.com/start";
pub(crate) const DEVICE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";
pub(crate) const PORTAL_NS: &str =
    "http://internal.amazon.com/coral/com.amazonaws.switchboard.portal/";
pub(crate) const OIDC_NS: &str = "http://internal.amazon.com/coral/com.amazonaws.sso.oidc/";
/// RFC 7636 appendix B.
pub(crate) const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
pub(crate) const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
pub(crate) const REDIRECT: &str = "http://127.0.0.1:43210/oauth/callback";

/// An HTTP response, fully read.
#[derive(Debug)]
pub(crate) struct Resp {
    pub(crate) status: u16,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Vec<u8>,
}

impl Resp {
    pub(crate) fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "body is not JSON ({e}): {}",
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    pub(crate) fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub(crate) fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
    }

    /// Asserts an OIDC error: status, `x-amzn-ErrorType` and the OAuth `error` code.
    pub(crate) fn assert_oidc_error(&self, status: u16, exception: &str, error: &str) {
        assert_eq!(self.status, status, "{}", self.text());
        assert_eq!(
            self.header("x-amzn-errortype").as_deref(),
            Some(format!("{exception}:{OIDC_NS}").as_str()),
            "{}",
            self.text()
        );
        assert_eq!(self.json()["error"], error, "{}", self.text());
        assert!(self.json()["error_description"].is_string());
        assert_eq!(
            self.header("content-type").as_deref(),
            Some("application/json")
        );
        assert_request_id(&self.headers);
    }

    /// Asserts a portal error: status, `x-amzn-ErrorType` and the exact `{"message"}` body.
    pub(crate) fn assert_portal_error(&self, status: u16, exception: &str, message: &str) {
        assert_eq!(self.status, status, "{}", self.text());
        assert_eq!(
            self.header("x-amzn-errortype").as_deref(),
            Some(format!("{exception}:{PORTAL_NS}").as_str())
        );
        assert_eq!(self.json(), json!({ "message": message }));
        assert_eq!(
            self.header("content-type").as_deref(),
            Some("application/json")
        );
        assert_request_id(&self.headers);
    }

    pub(crate) fn assert_unauthorized(&self) {
        self.assert_portal_error(
            401,
            "UnauthorizedException",
            "Session token not found or invalid",
        );
    }

    /// Asserts a JSON 200 with a request ID, and returns the body.
    pub(crate) fn ok_json(&self) -> Value {
        assert_eq!(self.status, 200, "{}", self.text());
        assert_eq!(
            self.header("content-type").as_deref(),
            Some("application/json")
        );
        assert!(self.header("x-amzn-errortype").is_none());
        assert_request_id(&self.headers);
        self.json()
    }
}

pub(crate) fn assert_request_id(headers: &HeaderMap) {
    let id = headers
        .get("x-amzn-requestid")
        .expect("x-amzn-RequestId is set")
        .to_str()
        .unwrap();
    assert_eq!(id.len(), 36, "{id}");
    assert_eq!(id.as_bytes()[14], b'4', "{id} is not a UUID v4");
}

/// Percent-encodes everything but unreserved characters.
pub(crate) fn enc(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Decodes a query string (`+` is a space).
pub(crate) fn parse_query(query: &str) -> HashMap<String, String> {
    fn decode(text: &str) -> String {
        let bytes = text.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'+' => out.push(b' '),
                b'%' if i + 2 < bytes.len() => {
                    let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap();
                    out.push(u8::from_str_radix(hex, 16).unwrap());
                    i += 2;
                }
                b => out.push(b),
            }
            i += 1;
        }
        String::from_utf8(out).unwrap()
    }
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(k), decode(v))
        })
        .collect()
}

/// The `value` of `<input type="hidden" name="NAME" value="…">` in a page.
pub(crate) fn hidden(html: &str, name: &str) -> String {
    let needle = format!("name=\"{name}\" value=\"");
    let start = html
        .find(&needle)
        .unwrap_or_else(|| panic!("no hidden {name} in {html}"))
        + needle.len();
    let end = html[start..].find('"').unwrap() + start;
    html[start..end].replace("&amp;", "&")
}

/// A client registration.
#[derive(Debug, Clone)]
pub(crate) struct Reg {
    pub(crate) id: String,
    pub(crate) secret: String,
}

/// The in-process emulator on a fixed clock (2026-01-01T00:00:00Z), control routes enabled.
pub(crate) struct Emu {
    pub(crate) state: AppState,
    router: Router,
}

impl Emu {
    pub(crate) fn new() -> Self {
        Self::with(|_| {})
    }

    pub(crate) fn with(adjust: impl FnOnce(&mut Config)) -> Self {
        let mut config = Config {
            enable_control: true,
            base_url: Some("http://127.0.0.1:9999".to_owned()),
            ..Config::default()
        };
        adjust(&mut config);
        Self::build(config, Directory::builtin())
    }

    pub(crate) fn build(config: Config, directory: Directory) -> Self {
        let start = "2026-01-01T00:00:00Z".parse().unwrap();
        let state = AppState::with_clock(config, directory, Arc::new(FixedClock(start))).unwrap();
        Self {
            router: router(state.clone()),
            state,
        }
    }

    pub(crate) async fn send(&self, request: Request<Body>) -> Resp {
        let response = self.router.clone().oneshot(request).await.unwrap();
        let (parts, body) = response.into_parts();
        let body = axum::body::to_bytes(body, usize::MAX).await.unwrap();
        Resp {
            status: parts.status.as_u16(),
            headers: parts.headers,
            body: body.to_vec(),
        }
    }

    /// A portal-style GET with an optional bearer token.
    pub(crate) async fn get(&self, uri: &str, token: Option<&str>) -> Resp {
        let mut request = Request::get(uri);
        if let Some(token) = token {
            request = request.header("x-amz-sso_bearer_token", token);
        }
        self.send(request.body(Body::empty()).unwrap()).await
    }

    pub(crate) async fn post_json(&self, uri: &str, body: &Value) -> Resp {
        self.post_raw(uri, Some("application/json"), &body.to_string())
            .await
    }

    pub(crate) async fn post_raw(&self, uri: &str, content_type: Option<&str>, body: &str) -> Resp {
        let mut request = Request::post(uri);
        if let Some(content_type) = content_type {
            request = request.header("content-type", content_type);
        }
        self.send(request.body(Body::from(body.to_owned())).unwrap())
            .await
    }

    pub(crate) async fn logout(&self, token: &str) -> Resp {
        self.send(
            Request::post("/logout")
                .header("x-amz-sso_bearer_token", token)
                .header("content-length", "0")
                .body(Body::empty())
                .unwrap(),
        )
        .await
    }

    pub(crate) async fn register(&self, body: Value) -> Reg {
        let json = self.post_json("/client/register", &body).await.ok_json();
        Reg {
            id: json["clientId"].as_str().unwrap().to_owned(),
            secret: json["clientSecret"].as_str().unwrap().to_owned(),
        }
    }

    /// A legacy device-flow registration (no scopes): tokens without refresh tokens.
    pub(crate) async fn legacy_client(&self) -> Reg {
        self.register(json!({"clientName": "botocore-client-1700000000", "clientType": "public"}))
            .await
    }

    /// An `sso-session` device-flow registration (scopes): refreshable tokens.
    pub(crate) async fn scoped_client(&self) -> Reg {
        self.register(json!({
            "clientName": "botocore-client-my-sso",
            "clientType": "public",
            "scopes": ["sso:account:access"],
        }))
        .await
    }

    /// CLI v2's authorization-code registration.
    pub(crate) async fn pkce_client(&self) -> Reg {
        self.register(json!({
            "clientName": "botocore-client-my-sso",
            "clientType": "public",
            "grantTypes": ["authorization_code", "refresh_token"],
            "redirectUris": ["http://127.0.0.1/oauth/callback"],
            "issuerUrl": START_URL,
            "scopes": ["sso:account:access"],
        }))
        .await
    }

    pub(crate) async fn start_device(&self, reg: &Reg) -> Value {
        self.post_json(
            "/device_authorization",
            &json!({"clientId": reg.id, "clientSecret": reg.secret, "startUrl": START_URL}),
        )
        .await
        .ok_json()
    }

    pub(crate) async fn poll(&self, reg: &Reg, device_code: &str) -> Resp {
        self.post_json(
            "/token",
            &json!({
                "clientId": reg.id,
                "clientSecret": reg.secret,
                "grantType": DEVICE_GRANT,
                "deviceCode": device_code,
            }),
        )
        .await
    }

    pub(crate) async fn approve(&self, user_code: &str, user: &str) -> Resp {
        self.post_json(
            "/_emulator/device/approve",
            &json!({"user_code": user_code, "user": user}),
        )
        .await
    }

    /// Device flow to the end: start, approve as `user`, redeem. Returns the token response.
    pub(crate) async fn device_tokens(&self, reg: &Reg, user: &str) -> Value {
        let device = self.start_device(reg).await;
        let approved = self
            .approve(device["userCode"].as_str().unwrap(), user)
            .await;
        assert_eq!(approved.status, 200, "{}", approved.text());
        self.poll(reg, device["deviceCode"].as_str().unwrap())
            .await
            .ok_json()
    }

    /// A refreshable access token for `demo`.
    pub(crate) async fn demo_token(&self) -> String {
        let reg = self.scoped_client().await;
        self.device_tokens(&reg, "demo").await["accessToken"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    pub(crate) fn advance(&self, seconds: i64) {
        self.state.advance_clock(seconds);
    }

    pub(crate) fn browser(&self) -> Browser<'_> {
        Browser {
            emu: self,
            cookies: HashMap::new(),
        }
    }
}

/// A cookie-keeping browser over the in-process router.
pub(crate) struct Browser<'a> {
    emu: &'a Emu,
    pub(crate) cookies: HashMap<String, String>,
}

impl Browser<'_> {
    fn remember(&mut self, resp: &Resp) {
        for value in resp.headers.get_all("set-cookie") {
            let pair = value.to_str().unwrap().split(';').next().unwrap();
            let (name, value) = pair.split_once('=').unwrap();
            self.cookies.insert(name.to_owned(), value.to_owned());
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    pub(crate) async fn get(&mut self, uri: &str) -> Resp {
        let request = Request::get(uri)
            .header("cookie", self.cookie_header())
            .body(Body::empty())
            .unwrap();
        let resp = self.emu.send(request).await;
        self.remember(&resp);
        resp
    }

    pub(crate) async fn post(&mut self, uri: &str, fields: &[(&str, &str)]) -> Resp {
        let body: Vec<String> = fields
            .iter()
            .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
            .collect();
        let request = Request::post(uri)
            .header("cookie", self.cookie_header())
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::from(body.join("&")))
            .unwrap();
        let resp = self.emu.send(request).await;
        self.remember(&resp);
        resp
    }

    /// Fills and submits the sign-in form shown in `page`; returns the response (a 303).
    pub(crate) async fn sign_in(&mut self, page: &Resp, user: &str, password: &str) -> Resp {
        let html = page.text();
        assert!(
            html.contains("id=\"sign-in\""),
            "not a sign-in page: {html}"
        );
        let csrf = hidden(&html, "csrf");
        let next = hidden(&html, "continue");
        self.post(
            "/signin",
            &[
                ("csrf", &csrf),
                ("continue", &next),
                ("username", user),
                ("password", password),
            ],
        )
        .await
    }
}

/// The `/authorize` URL CLI v2 builds (§14.9), for `reg`, with a given state.
pub(crate) fn authorize_url(reg: &Reg, state: &str) -> String {
    format!(
        "/authorize?response_type=code&client_id={}&redirect_uri={}&state={}&code_challenge_method=S256&scopes={}&code_challenge={}",
        enc(&reg.id),
        enc(REDIRECT),
        enc(state),
        enc("sso:account:access"),
        CHALLENGE
    )
}

/// The query of a redirect's `Location`, checking it goes to `REDIRECT`.
pub(crate) fn redirect_query(resp: &Resp) -> HashMap<String, String> {
    assert_eq!(resp.status, 302, "{}", resp.text());
    let location = resp.header("location").expect("a Location header");
    let (base, query) = location.split_once('?').expect("a query in Location");
    assert_eq!(base, REDIRECT);
    parse_query(query)
}

// ---------------------------------------------------------------------------------------------
// The real binary and a raw HTTP client.

/// A running `sso-emulator` process, killed on drop.
pub(crate) struct Server {
    pub(crate) child: Child,
    pub(crate) origin: String,
    pub(crate) port: u16,
    pub(crate) stdout: BufReader<ChildStdout>,
}

impl Server {
    pub(crate) fn start(args: &[&str]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_sso-emulator"))
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the binary starts");
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        let origin = line
            .strip_prefix("READY ")
            .unwrap_or_else(|| panic!("expected a READY line, got {line:?}"))
            .trim_end()
            .to_owned();
        let port = origin
            .strip_prefix("http://127.0.0.1:")
            .or_else(|| origin.strip_prefix("https://127.0.0.1:"))
            .unwrap()
            .parse()
            .unwrap();
        Self {
            child,
            origin,
            port,
            stdout,
        }
    }

    pub(crate) fn http(&self) -> Http {
        Http::connect(self.port)
    }

    /// Sends SIGTERM and waits; returns the exit code.
    pub(crate) fn terminate(mut self) -> (Option<i32>, String) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        let exit = self.child.wait().unwrap();
        let mut rest = String::new();
        self.stdout.read_to_string(&mut rest).unwrap();
        (exit.code(), rest)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A keep-alive HTTP/1.1 client on one connection.
pub(crate) struct Http {
    stream: BufReader<TcpStream>,
    port: u16,
}

impl Http {
    pub(crate) fn connect(port: u16) -> Self {
        let stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
        stream.set_nodelay(true).unwrap();
        stream
            .set_read_timeout(Some(std::time::Duration::from_secs(30)))
            .unwrap();
        Self {
            stream: BufReader::new(stream),
            port,
        }
    }

    /// Sends one request and reads the response (which must carry a Content-Length).
    pub(crate) fn send(
        &mut self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &str,
    ) -> (u16, HashMap<String, String>, String) {
        let mut request = format!(
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nContent-Length: {}\r\n",
            self.port,
            body.len()
        );
        for (name, value) in headers {
            request.push_str(&format!("{name}: {value}\r\n"));
        }
        request.push_str("\r\n");
        request.push_str(body);
        self.stream.get_mut().write_all(request.as_bytes()).unwrap();

        let mut status_line = String::new();
        self.stream.read_line(&mut status_line).unwrap();
        let status: u16 = status_line
            .split(' ')
            .nth(1)
            .unwrap_or_else(|| panic!("bad status line {status_line:?}"))
            .parse()
            .unwrap();
        let mut response_headers = HashMap::new();
        loop {
            let mut line = String::new();
            self.stream.read_line(&mut line).unwrap();
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            let (name, value) = line.split_once(':').unwrap();
            response_headers.insert(name.trim().to_ascii_lowercase(), value.trim().to_owned());
        }
        let length: usize = response_headers
            .get("content-length")
            .expect("responses carry Content-Length")
            .parse()
            .unwrap();
        let mut body = vec![0; length];
        self.stream.read_exact(&mut body).unwrap();
        (status, response_headers, String::from_utf8(body).unwrap())
    }

    pub(crate) fn post_json(&mut self, path: &str, body: &Value) -> (u16, Value) {
        let (status, _, text) = self.send(
            "POST",
            path,
            &[("Content-Type", "application/json")],
            &body.to_string(),
        );
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// Register (scoped), start a device authorization (the server must auto-approve) and
    /// redeem it. Returns the token response.
    pub(crate) fn auto_approved_tokens(&mut self) -> Value {
        let (status, reg) = self.post_json(
            "/client/register",
            &json!({"clientName": "t", "clientType": "public", "scopes": ["sso:account:access"]}),
        );
        assert_eq!(status, 200, "{reg}");
        let (status, device) = self.post_json(
            "/device_authorization",
            &json!({"clientId": reg["clientId"], "clientSecret": reg["clientSecret"], "startUrl": START_URL}),
        );
        assert_eq!(status, 200, "{device}");
        let (status, tokens) = self.post_json(
            "/token",
            &json!({
                "clientId": reg["clientId"],
                "clientSecret": reg["clientSecret"],
                "grantType": DEVICE_GRANT,
                "deviceCode": device["deviceCode"],
            }),
        );
        assert_eq!(status, 200, "{tokens}");
        let mut tokens = tokens;
        tokens["clientId"] = reg["clientId"].clone();
        tokens["clientSecret"] = reg["clientSecret"].clone();
        tokens
    }
}
