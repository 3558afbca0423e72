//! [`Terminal`]: the seam between aws-sso's libraries and the person (or script) running it.
//!
//! Login prints instructions on stdout (where the AWS CLI prints them), warnings on stderr and
//! `--debug` lines behind one prefix; the wizard and paste-back login read a line. Libraries
//! receive a `&dyn Terminal` from `main` instead of touching stdio, so tests record exactly
//! what a user would have seen and script what they would have typed. The real implementation
//! is the binary's `Printer`. Nothing that holds a secret is ever written through it.

use std::io;

/// Where a run's messages go and where its answers come from.
pub trait Terminal: Send + Sync {
    /// Writes text to stdout (command output, login instructions). Failures are ignored: a
    /// reader that went away (`aws-sso … | head`) is not the command's failure.
    fn stdout(&self, text: &str);

    /// Writes text to stderr (warnings, progress).
    fn stderr(&self, text: &str);

    /// Whether `--debug` is on.
    fn debug_enabled(&self) -> bool;

    /// Writes one `--debug` line (without the prefix or the newline). Only called when
    /// [`Terminal::debug_enabled`] is true; see [`Terminal::debug`] on `dyn Terminal`.
    fn debug_line(&self, line: &str);

    /// Shows `prompt` on stderr and reads one line from stdin, without its line ending.
    /// `Ok(None)` at end of input.
    ///
    /// # Errors
    ///
    /// The I/O error that stopped the read.
    fn read_line(&self, prompt: &str) -> io::Result<Option<String>>;

    /// As [`Terminal::read_line`], but gives up with `Ok(None)` once `cancel` is set, leaving
    /// any input after that for whoever reads next (the paste-back prompt, once the browser's
    /// redirect has arrived, must not swallow the keys of the `configure sso` menu after it).
    /// The default cannot be cancelled.
    ///
    /// # Errors
    ///
    /// The I/O error that stopped the read.
    fn read_line_until(
        &self,
        prompt: &str,
        cancel: &std::sync::atomic::AtomicBool,
    ) -> io::Result<Option<String>> {
        let _ = cancel;
        self.read_line(prompt)
    }

    /// Whether stdout is a terminal (colour, pager, table width).
    fn stdout_is_terminal(&self) -> bool;

    /// Whether stdin is a terminal (may a command ask a question?).
    fn stdin_is_terminal(&self) -> bool;

    /// Whether stderr is a terminal (may a progress line be drawn there?).
    fn stderr_is_terminal(&self) -> bool;

    /// The width of the terminal on stdout, in columns, when stdout is one.
    fn width(&self) -> Option<usize>;
}

impl dyn Terminal + '_ {
    /// Writes a `--debug` line built lazily, so a normal run pays nothing for it.
    pub fn debug(&self, message: impl FnOnce() -> String) {
        if self.debug_enabled() {
            self.debug_line(&message());
        }
    }

    /// Writes `warning: MESSAGE` on stderr.
    pub fn warn(&self, message: &dyn std::fmt::Display) {
        self.stderr(&format!("warning: {message}\n"));
    }
}
