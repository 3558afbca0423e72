//! Test helpers for aws-sso's CLI tests: run the real binary in a sandboxed home and compare what
//! it printed.
//!
//! [`TestContext`] makes a temporary `HOME`, scrubs the environment (every `AWS_*` variable, every
//! proxy variable, everything else the developer's shell has) and runs a binary there, returning
//! an [`Outcome`] (exit code, stdout, stderr). `Outcome`'s `Display` is a stable snapshot text
//! with the temporary home replaced by `[HOME]`, so tests can compare it as a whole.
//! It owns no knowledge of aws-sso's behaviour: tests assert that.
//!
//! [`Emulator`] runs `sso-emulator` in the test's own process, so a test that needs the service
//! needs nothing prebuilt.

use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use tempfile::TempDir;

/// A sandbox to run a binary in: a temporary home and a clean environment.
pub struct TestContext {
    home: TempDir,
    env: Vec<(String, String)>,
    filters: Vec<(String, String)>,
}

impl Default for TestContext {
    fn default() -> Self {
        Self::new()
    }
}

impl TestContext {
    /// A new sandbox with an empty home.
    pub fn new() -> Self {
        let home = tempfile::Builder::new()
            .prefix("aws-sso-test-")
            .tempdir()
            .expect("a temporary directory can be created");
        Self {
            home,
            env: Vec::new(),
            filters: Vec::new(),
        }
    }

    /// The sandbox's home directory.
    pub fn home(&self) -> &Path {
        self.home.path()
    }

    /// Writes `~/.aws/config`.
    pub fn config(&self, text: &str) -> &Self {
        self.write(".aws/config", text)
    }

    /// Writes a file relative to the home directory, creating parent directories.
    pub fn write(&self, relative: &str, text: &str) -> &Self {
        let path = self.home().join(relative);
        fs::create_dir_all(path.parent().expect("a file has a parent"))
            .expect("parent directories can be created");
        fs::write(&path, text).expect("a test file can be written");
        self
    }

    /// Reads a file relative to the home directory, if it exists.
    pub fn read(&self, relative: &str) -> Option<String> {
        fs::read_to_string(self.home().join(relative)).ok()
    }

    /// The path of a file relative to the home directory.
    pub fn path(&self, relative: &str) -> PathBuf {
        self.home().join(relative)
    }

    /// Sets an environment variable for every run.
    pub fn env(&mut self, name: &str, value: &str) -> &mut Self {
        self.env.retain(|(n, _)| n != name);
        self.env.push((name.to_owned(), value.to_owned()));
        self
    }

    /// Replaces `from` with `to` in snapshots (e.g. an emulator URL with `[EMULATOR]`).
    pub fn filter(&mut self, from: &str, to: &str) -> &mut Self {
        self.filters.push((from.to_owned(), to.to_owned()));
        self
    }

    /// A command for `program` with the sandbox environment: only `HOME`, `PATH`, a fixed
    /// locale and terminal width, `NO_COLOR`, plus what [`TestContext::env`] set.
    pub fn command(&self, program: impl AsRef<Path>) -> Command {
        let mut command = Command::new(program.as_ref());
        command
            .env_clear()
            .env("HOME", self.home())
            .env("PATH", "/usr/local/bin:/usr/bin:/bin")
            .env("LANG", "C.UTF-8")
            .env("COLUMNS", "80")
            .env("NO_COLOR", "1")
            .current_dir(self.home())
            .stdin(Stdio::null());
        for (name, value) in &self.env {
            command.env(name, value);
        }
        command
    }

    /// Runs `program` with `args` in the sandbox and collects what it printed.
    pub fn run<I, S>(&self, program: impl AsRef<Path>, args: I) -> Outcome
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        let output = self
            .command(program)
            .args(args)
            .output()
            .expect("the program can be started");
        Outcome::from_output(&output, self)
    }
}

/// What a run printed, and how it ended.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The exit code (-1 if killed by a signal).
    pub code: i32,
    /// Everything written to stdout.
    pub stdout: String,
    /// Everything written to stderr.
    pub stderr: String,
    filters: Vec<(String, String)>,
}

impl Outcome {
    /// The outcome of a process started with [`TestContext::command`].
    pub fn from_output(output: &std::process::Output, context: &TestContext) -> Self {
        let mut filters = context.filters.clone();
        filters.push((context.home().display().to_string(), "[HOME]".to_owned()));
        Self {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
            filters,
        }
    }

    fn filtered(&self, text: &str) -> String {
        self.filters
            .iter()
            .fold(text.to_owned(), |text, (from, to)| text.replace(from, to))
    }

    /// stdout with the snapshot filters applied.
    pub fn stdout_filtered(&self) -> String {
        self.filtered(&self.stdout)
    }

    /// stderr with the snapshot filters applied.
    pub fn stderr_filtered(&self) -> String {
        self.filtered(&self.stderr)
    }

    /// Parses stdout as JSON, panicking with the whole outcome if it is not.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{self}"))
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "exit: {}\n--- stdout\n{}--- stderr\n{}",
            self.code,
            self.stdout_filtered(),
            self.stderr_filtered()
        )
    }
}

/// An `sso-emulator` running in this process on its own thread and async runtime, stopped when
/// dropped.
///
/// In process rather than as a child so that `cargo test -p aws-sso` (or nextest of any single
/// crate) works on a clean checkout: the emulator library is a dependency and is built with the
/// test, where a binary would have to be built separately first.
pub struct Emulator {
    url: String,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Emulator {
    /// Starts the emulator as `sso-emulator --port 0 --enable-control ARGS` would, on
    /// 127.0.0.1, and returns once it accepts connections.
    ///
    /// # Panics
    ///
    /// On options the emulator rejects, or a directory or state file it cannot load.
    pub fn start(args: &[&str]) -> Self {
        use clap::Parser;
        let cli = sso_emulator::cli::Cli::try_parse_from(
            ["sso-emulator", "--port", "0", "--enable-control"]
                .iter()
                .chain(args),
        )
        .unwrap_or_else(|e| panic!("sso-emulator options {args:?}: {e}"));
        let directory = cli
            .directory()
            .unwrap_or_else(|e| panic!("sso-emulator directory: {e}"));
        // Bound here, synchronously, so the port is known and accepting before `start` returns.
        let listener = std::net::TcpListener::bind((cli.host, cli.port))
            .expect("the emulator can listen on loopback");
        let url = format!(
            "http://{}",
            listener
                .local_addr()
                .expect("a bound listener has an address")
        );
        let state = sso_emulator::AppState::new(cli.config(Some(url.clone())), directory)
            .unwrap_or_else(|e| panic!("sso-emulator state: {e}"));
        listener
            .set_nonblocking(true)
            .expect("the listener can be made non-blocking");
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("sso-emulator".to_owned())
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .enable_all()
                    .build()
                    .expect("the emulator's runtime can start");
                runtime.block_on(async move {
                    let listener = tokio::net::TcpListener::from_std(listener)
                        .expect("the listener joins the runtime");
                    let drain = std::sync::Arc::new(tokio::sync::Notify::new());
                    let draining = std::sync::Arc::clone(&drain);
                    let server = sso_emulator::serve(listener, state, async move {
                        draining.notified().await;
                    });
                    tokio::pin!(server);
                    tokio::select! {
                        result = &mut server => result.expect("the emulator serves until stopped"),
                        _ = stopped => {
                            // Let in-flight requests finish, but never hang a test on a client
                            // that kept a connection open.
                            drain.notify_one();
                            let _ = tokio::time::timeout(std::time::Duration::from_secs(5), server).await;
                        }
                    }
                });
            })
            .expect("the emulator thread can start");
        Self {
            url,
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Calls a control route (`/_emulator/...`) and returns its JSON answer.
    pub fn control(
        &self,
        method: &str,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> serde_json::Value {
        http_json(method, &format!("{}/_emulator/{path}", self.url), body)
    }

    /// Every access token, refresh token and client secret the emulator has issued.
    pub fn issued_secrets(&self) -> Vec<String> {
        let issued = self.control("GET", "issued", None);
        ["access_tokens", "refresh_tokens", "client_secrets"]
            .iter()
            .flat_map(|key| issued[key].as_array().cloned().unwrap_or_default())
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect()
    }

    /// Request counts per operation.
    pub fn counters(&self) -> serde_json::Value {
        self.control("GET", "counters", None)
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// A minimal HTTP/1.1 JSON request over loopback (tests only; keeps the kit free of an HTTP
/// client dependency).
pub fn http_json(method: &str, url: &str, body: Option<serde_json::Value>) -> serde_json::Value {
    use std::io::{Read, Write};
    let rest = url.strip_prefix("http://").expect("loopback http URL");
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let path = if path.is_empty() { "/" } else { path };
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    let mut stream =
        std::net::TcpStream::connect(authority).expect("the emulator accepts connections");
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {authority}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .expect("the request can be sent");
    let mut response = String::new();
    stream
        .read_to_string(&mut response)
        .expect("the response can be read");
    let (head, payload) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
    assert!(
        head.starts_with("HTTP/1.1 2"),
        "{method} {url} failed:\n{response}"
    );
    let payload = if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        dechunk(payload)
    } else {
        payload.to_owned()
    };
    if payload.trim().is_empty() {
        serde_json::Value::Null
    } else {
        serde_json::from_str(&payload).unwrap_or_else(|e| panic!("{method} {url}: {e}: {payload}"))
    }
}

fn dechunk(mut body: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = body.split_once("\r\n") {
        let Ok(size) = usize::from_str_radix(size.trim(), 16) else {
            break;
        };
        if size == 0 || rest.len() < size {
            break;
        }
        out.push_str(&rest[..size]);
        body = rest[size..].trim_start_matches("\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_in_a_scrubbed_environment() {
        let mut context = TestContext::new();
        context.env("AWS_REGION", "eu-west-1");
        let outcome = context.run("/usr/bin/env", std::iter::empty::<&str>());
        assert_eq!(outcome.code, 0);
        let mut names: Vec<&str> = outcome
            .stdout
            .lines()
            .filter_map(|l| l.split('=').next())
            .collect();
        names.sort_unstable();
        assert_eq!(
            names,
            ["AWS_REGION", "COLUMNS", "HOME", "LANG", "NO_COLOR", "PATH"]
        );
        assert!(outcome.to_string().contains("HOME=[HOME]"), "{outcome}");
    }
}
