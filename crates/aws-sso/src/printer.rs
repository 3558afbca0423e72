//! [`Printer`]: every byte aws-sso writes to the terminal goes through here.
//!
//! Owning output in one place gives three guarantees: a closed stdout pipe (`aws-sso ... | head`)
//! ends the run quietly instead of panicking, `--debug` lines all share one prefix and go to
//! stderr, and nothing else in the binary needs `println!` (the workspace lints forbid it).
//! Secrets never reach here: the types that hold them have redacted `Debug` and no `Display`.

use std::io::{self, Write};

/// Terminal output for one run.
#[derive(Debug)]
pub struct Printer {
    debug: bool,
}

impl Printer {
    /// A printer; `debug` turns on `--debug` lines.
    pub const fn new(debug: bool) -> Self {
        Self { debug }
    }

    /// Writes command output to stdout. A reader that went away (`aws-sso … | head`) or any
    /// other stdout failure is not reported: there is nowhere better to report it, and the
    /// run's exit code is about the command, not the pipe.
    pub fn stdout(&self, text: &str) {
        let mut out = io::stdout().lock();
        let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
    }

    /// Writes a message to stderr.
    pub fn stderr(&self, text: &str) {
        let mut err = io::stderr().lock();
        let _ = err.write_all(text.as_bytes());
        let _ = err.flush();
    }

    /// A `--debug` line writer for libraries (the HTTP client), when debugging is on.
    pub fn debug_sink(&self) -> Option<sso_client::DebugSink> {
        self.debug.then(|| {
            std::sync::Arc::new(|line: &str| {
                let mut err = io::stderr().lock();
                let _ = writeln!(err, "aws-sso [DEBUG] {line}");
            }) as sso_client::DebugSink
        })
    }

    /// Writes one `--debug` line to stderr when debugging is on. The message is built lazily so
    /// that a normal run pays nothing for it.
    pub fn debug(&self, message: impl FnOnce() -> String) {
        if self.debug {
            self.stderr(&format!("aws-sso [DEBUG] {}\n", message()));
        }
    }
}
