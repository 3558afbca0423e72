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

/// Writing to stdout failed because the reader went away.
#[derive(Debug)]
pub struct BrokenPipe;

impl Printer {
    /// A printer; `debug` turns on `--debug` lines.
    pub const fn new(debug: bool) -> Self {
        Self { debug }
    }

    /// Whether `--debug` is on.
    pub const fn debug_enabled(&self) -> bool {
        self.debug
    }

    /// Writes command output to stdout.
    pub fn stdout(&self, text: &str) -> Result<(), BrokenPipe> {
        let mut out = io::stdout().lock();
        match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
            Err(error) if error.kind() == io::ErrorKind::BrokenPipe => Err(BrokenPipe),
            // Any other stdout failure (a full disk, say) has nowhere better to be reported.
            _ => Ok(()),
        }
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
