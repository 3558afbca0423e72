//! [`ProgressLine`]: one self-erasing status line on stderr for long work (`roles`), drawn
//! only when stderr is a terminal, so logs and pipes never see it.

use std::time::Duration;

use sso_auth::{Observer, Progress};
use sso_core::Terminal;

/// Carriage return, then "erase the whole line" (ECMA-48 EL 2).
const ERASE: &str = "\r\x1b[2K";

/// Longest line drawn; beyond the terminal's width a line wraps and can no longer be erased.
const MAX_WIDTH: usize = 79;

/// The progress line of an enumeration.
pub(crate) struct ProgressLine<'a> {
    terminal: &'a dyn Terminal,
    enabled: bool,
    drawn: bool,
}

impl<'a> ProgressLine<'a> {
    /// A line on `terminal`'s stderr, or nothing when that is not a terminal.
    pub(crate) fn new(terminal: &'a dyn Terminal) -> Self {
        Self {
            terminal,
            enabled: terminal.stderr_is_terminal(),
            drawn: false,
        }
    }

    fn draw(&mut self, text: &str) {
        if self.enabled {
            let text: String = text.chars().take(MAX_WIDTH).collect();
            self.terminal.stderr(&format!("{ERASE}{text}"));
            self.drawn = true;
        }
    }

    /// Erases the line, leaving the cursor where the line began.
    pub(crate) fn clear(&mut self) {
        if self.drawn {
            self.terminal.stderr(ERASE);
            self.drawn = false;
        }
    }
}

impl Observer for ProgressLine<'_> {
    fn accounts_found(&mut self, count: usize) {
        self.draw(&format!("Listing accounts: {count} found"));
    }

    fn progress(&mut self, progress: &Progress) {
        self.draw(&describe(progress));
    }
}

impl Drop for ProgressLine<'_> {
    fn drop(&mut self) {
        self.clear();
    }
}

/// `Listing roles: 340/2000 accounts, 19.8 requests/s, about 1m 24s left`.
fn describe(progress: &Progress) -> String {
    let seconds = progress.elapsed.as_secs_f64();
    let per_second = if seconds > 0.0 {
        progress.requests as f64 / seconds
    } else {
        0.0
    };
    let mut text = format!(
        "Listing roles: {}/{} accounts, {per_second:.1} requests/s",
        progress.done, progress.total
    );
    if let Some(eta) = progress.eta().filter(|_| progress.done < progress.total) {
        text.push_str(&format!(", about {} left", duration(eta)));
    }
    text
}

/// Time left, rounded up to the second.
fn duration(duration: Duration) -> String {
    crate::output::human_duration(duration.as_secs_f64().ceil() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describes_done_total_rate_and_time_left() {
        let progress = Progress {
            done: 340,
            total: 2000,
            requests: 400,
            rate: 20.0,
            elapsed: Duration::from_secs(20),
        };
        assert_eq!(
            describe(&progress),
            "Listing roles: 340/2000 accounts, 20.0 requests/s, about 1m 38s left"
        );
        let finished = Progress {
            done: 2000,
            ..progress
        };
        assert_eq!(
            describe(&finished),
            "Listing roles: 2000/2000 accounts, 20.0 requests/s"
        );
    }

    #[test]
    fn durations_read_like_a_clock() {
        assert_eq!(duration(Duration::from_millis(44_200)), "45s");
        assert_eq!(duration(Duration::from_secs(84)), "1m 24s");
        assert_eq!(duration(Duration::from_secs(7_380)), "2h 03m");
    }
}
