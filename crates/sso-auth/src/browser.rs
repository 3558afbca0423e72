//! Opening the user's browser, the way users expect across desktops, WSL and headless boxes.
//!
//! Order: the hidden test hook `AWS_SSO_TEST_BROWSER`, then `BROWSER` (a `:`-separated list of
//! commands, `%s` replaced by the URL or the URL appended, as Python's `webbrowser` — and so the
//! AWS CLI — reads it), then WSL's `wslview` or Windows' `explorer.exe`, then the desktop opener
//! (`xdg-open` when a display is set, `open` on macOS). Failing to open is never fatal: the
//! caller has already printed the URL (and code) for the user to open by hand.

use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use sso_core::Env;
use sso_core::env::vars;

/// Something that can show a URL to the user.
pub trait Browser: Send + Sync {
    /// Tries to open `url`; `false` when nothing could be started.
    fn open(&self, url: &str) -> bool;
}

/// The real opener, configured from the environment snapshot.
#[derive(Debug)]
pub struct SystemBrowser {
    commands: Vec<Vec<String>>,
}

impl SystemBrowser {
    /// Works out which commands to try, from the environment.
    #[must_use]
    pub fn from_env(env: &Env) -> Self {
        Self {
            commands: candidate_commands(env, is_wsl(env), cfg!(target_os = "macos")),
        }
    }
}

/// How long an opener may take to fail before it is taken to have worked. Python's webbrowser
/// waits for a `BROWSER` command's exit status and tries the next entry when it fails
/// (`BROWSER=false:firefox` opens Firefox); a real browser that keeps running must not hold up
/// the login, so a command still running after this is a success.
const OPENER_VERDICT: Duration = Duration::from_secs(1);

impl Browser for SystemBrowser {
    fn open(&self, url: &str) -> bool {
        self.commands.iter().any(|template| {
            let argv = fill(template, url);
            let Some((program, args)) = argv.split_first() else {
                return false;
            };
            // Detached: the browser outlives us, and its chatter must not reach our output.
            let Ok(mut child) = Command::new(program)
                .args(args)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
            else {
                return false;
            };
            // Waited for on a thread of its own, which also reaps it whenever it ends.
            let (exited, status) = mpsc::channel();
            std::thread::spawn(move || {
                let _ = exited.send(child.wait());
            });
            !matches!(status.recv_timeout(OPENER_VERDICT), Ok(Ok(status)) if !status.success())
        })
    }
}

/// Argument vectors to try in order; `%s` marks where the URL goes.
fn candidate_commands(env: &Env, wsl: bool, macos: bool) -> Vec<Vec<String>> {
    let mut commands = Vec::new();
    if let Some(test) = env.non_empty(vars::AWS_SSO_TEST_BROWSER) {
        commands.push(split_words(test));
        return commands;
    }
    if let Some(list) = env.non_empty(vars::BROWSER) {
        commands.extend(
            list.split(':')
                .filter(|c| !c.trim().is_empty())
                .map(split_words),
        );
    }
    if wsl {
        commands.push(vec!["wslview".into(), "%s".into()]);
        commands.push(vec!["explorer.exe".into(), "%s".into()]);
    }
    if macos {
        commands.push(vec!["open".into(), "%s".into()]);
    } else if env.non_empty(vars::DISPLAY).is_some()
        || env.non_empty(vars::WAYLAND_DISPLAY).is_some()
    {
        commands.push(vec!["xdg-open".into(), "%s".into()]);
    }
    commands
}

/// WSL sets `WSL_DISTRO_NAME` in every shell it starts.
fn is_wsl(env: &Env) -> bool {
    env.non_empty(vars::WSL_DISTRO_NAME).is_some()
}

/// Splits a command on whitespace, honouring simple single and double quotes (enough for
/// `BROWSER` values such as `firefox --new-tab %s`).
fn split_words(command: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quote = None;
    let mut in_word = false;
    for c in command.chars() {
        match (quote, c) {
            (None, '\'' | '"') => {
                quote = Some(c);
                in_word = true;
            }
            (Some(q), c) if c == q => quote = None,
            (None, c) if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            (_, c) => {
                word.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        words.push(word);
    }
    words
}

/// Puts the URL in place of `%s`, or appends it when the template has none.
fn fill(template: &[String], url: &str) -> Vec<String> {
    if template.iter().any(|w| w.contains("%s")) {
        template.iter().map(|w| w.replace("%s", url)).collect()
    } else {
        let mut argv = template.to_vec();
        argv.push(url.to_owned());
        argv
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn browser_variable_is_read_like_python_webbrowser() {
        let env = Env::from_pairs([("BROWSER", "firefox --new-tab:'my browser' %s")]);
        let commands = candidate_commands(&env, false, false);
        assert_eq!(
            commands,
            [
                vec!["firefox".to_owned(), "--new-tab".to_owned()],
                vec!["my browser".to_owned(), "%s".to_owned()],
            ]
        );
        assert_eq!(
            fill(&commands[0], "http://x"),
            ["firefox", "--new-tab", "http://x"]
        );
        assert_eq!(fill(&commands[1], "http://x"), ["my browser", "http://x"]);
    }

    #[test]
    fn wsl_and_desktop_openers() {
        let env = Env::from_pairs([("WSL_DISTRO_NAME", "Ubuntu"), ("DISPLAY", ":0")]);
        let programs: Vec<String> = candidate_commands(&env, is_wsl(&env), false)
            .into_iter()
            .map(|c| c[0].clone())
            .collect();
        assert_eq!(programs, ["wslview", "explorer.exe", "xdg-open"]);
        // A headless Linux box has nothing to try: the printed URL is the way.
        assert!(candidate_commands(&Env::default(), false, false).is_empty());
        assert_eq!(
            candidate_commands(&Env::default(), false, true)[0][0],
            "open"
        );
    }

    #[test]
    fn the_test_hook_wins() {
        let env = Env::from_pairs([("AWS_SSO_TEST_BROWSER", "/bin/x"), ("BROWSER", "y")]);
        assert_eq!(
            candidate_commands(&env, true, false),
            [vec!["/bin/x".to_owned()]]
        );
    }

    #[test]
    fn a_failing_browser_command_falls_back_to_the_next_as_python_does() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("opened");
        let script = dir.path().join("browser");
        std::fs::write(
            &script,
            format!("#!/bin/sh\nprintf '%s' \"$1\" > '{}'\n", out.display()),
        )
        .unwrap();
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
        let browser = SystemBrowser::from_env(&Env::from_pairs([(
            "BROWSER",
            format!("false:{}", script.display()),
        )]));
        assert!(browser.open("http://127.0.0.1/x"));
        // `false` failed at once, so the script ran, and finished before `open` returned.
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "http://127.0.0.1/x");
        // Every command failing is a failure (the caller prints the URL for the user).
        let none = SystemBrowser::from_env(&Env::from_pairs([("BROWSER", "false:false")]));
        assert!(!none.open("http://127.0.0.1/x"));
    }

    #[test]
    fn a_missing_program_is_not_fatal() {
        let browser = SystemBrowser {
            commands: vec![vec!["/nonexistent/browser".into()]],
        };
        assert!(!browser.open("http://127.0.0.1/"));
    }
}
