//! [`Printer`]: the real [`Terminal`]; every byte aws-sso writes to the terminal goes through
//! here, and every line it reads comes from here.
//!
//! Owning output in one place gives three guarantees: a closed stdout pipe (`aws-sso ... | head`)
//! ends the run quietly instead of panicking, `--debug` lines all share one prefix and go to
//! stderr, and nothing else in the binary needs `println!` (the workspace lints forbid it).
//! Secrets never reach here: the types that hold them have redacted `Debug` and no `Display`.

use std::io::{self, BufRead as _, IsTerminal as _, Write};

use sso_core::Terminal;

/// Terminal output for one run.
#[derive(Debug)]
pub(crate) struct Printer {
    debug: bool,
}

impl Printer {
    /// A printer; `debug` turns on `--debug` lines.
    pub(crate) const fn new(debug: bool) -> Self {
        Self { debug }
    }
}

impl Terminal for Printer {
    /// A reader that went away (`aws-sso … | head`) or any other stdout failure is not
    /// reported: there is nowhere better to report it, and the run's exit code is about the
    /// command, not the pipe.
    fn stdout(&self, text: &str) {
        let mut out = io::stdout().lock();
        let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
    }

    fn stderr(&self, text: &str) {
        let mut err = io::stderr().lock();
        let _ = err.write_all(text.as_bytes());
        let _ = err.flush();
    }

    fn debug_enabled(&self) -> bool {
        self.debug
    }

    fn debug_line(&self, line: &str) {
        self.stderr(&format!("aws-sso [DEBUG] {line}\n"));
    }

    fn read_line(&self, prompt: &str) -> io::Result<Option<String>> {
        self.stderr(prompt);
        let mut line = String::new();
        if io::stdin().lock().read_line(&mut line)? == 0 {
            return Ok(None);
        }
        let trimmed = line.trim_end_matches(['\n', '\r']).len();
        line.truncate(trimmed);
        Ok(Some(line))
    }

    /// Waits for a line with `poll` (100 ms at a time), so a cancelled read consumes nothing.
    #[cfg(unix)]
    fn read_line_until(
        &self,
        prompt: &str,
        cancel: &std::sync::atomic::AtomicBool,
    ) -> io::Result<Option<String>> {
        use nix::errno::Errno;
        use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
        use std::os::fd::AsFd as _;
        use std::sync::atomic::Ordering;

        self.stderr(prompt);
        let stdin = io::stdin();
        loop {
            if cancel.load(Ordering::SeqCst) {
                return Ok(None);
            }
            let mut fds = [PollFd::new(stdin.as_fd(), PollFlags::POLLIN)];
            match poll(&mut fds, PollTimeout::from(100_u16)) {
                Ok(0) | Err(Errno::EINTR) => {}
                // Input is waiting, but it is no longer ours once the wait is over.
                Ok(_) if cancel.load(Ordering::SeqCst) => return Ok(None),
                Ok(_) => break,
                Err(errno) => return Err(errno.into()),
            }
        }
        let mut line = String::new();
        if stdin.lock().read_line(&mut line)? == 0 {
            return Ok(None);
        }
        let trimmed = line.trim_end_matches(['\n', '\r']).len();
        line.truncate(trimmed);
        Ok(Some(line))
    }

    fn stdout_is_terminal(&self) -> bool {
        io::stdout().is_terminal()
    }

    fn stdin_is_terminal(&self) -> bool {
        io::stdin().is_terminal()
    }

    fn stderr_is_terminal(&self) -> bool {
        io::stderr().is_terminal()
    }

    /// The width of the terminal on stdout (`TIOCGWINSZ`). `COLUMNS` is deliberately not
    /// read: the AWS CLI's `table.py` ignores it.
    fn width(&self) -> Option<usize> {
        terminal_size::terminal_size_of(io::stdout())
            .map(|(width, _)| usize::from(width.0))
            .filter(|&w| w > 0)
    }
}
