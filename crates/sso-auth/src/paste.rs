//! Paste-back: finishing a PKCE login by pasting the address the browser ended on.
//!
//! The PKCE redirect goes to `http://127.0.0.1:PORT/oauth/callback` on the machine running
//! aws-sso. Over SSH, in a container or a VM, the browser is elsewhere and that address leads
//! nowhere (aws/aws-cli#9228, #10433), but the browser's address bar still shows it, code and
//! state included. While the listener waits, the user may paste that address at a prompt on
//! the terminal. It is checked exactly as the listener checks a request: the same path, the
//! same port and the same `state`, and the code then goes through the same token exchange with
//! the same verifier. A pasted address that is not this sign-in's is refused with a message
//! and the wait goes on; the first of paste and redirect to arrive completes the login.

use crate::callback::{CALLBACK_PATH, CallbackError, parse_query};

/// What a pasted line amounts to.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Pasted {
    /// This sign-in's authorization code.
    Code(String),
    /// The sign-in was refused (`error=` in the address).
    Denied,
    /// Not this sign-in's address; the message says why.
    Refused(String),
    /// An empty line.
    Nothing,
}

/// The prompt shown while the listener waits.
pub(crate) fn prompt(port: u16) -> String {
    format!(
        "If the browser cannot reach this machine, paste the address it ends on (http://127.0.0.1:{port}/oauth/callback?code=...) here and press Enter: "
    )
}

/// Checks one pasted line against this sign-in: listener `port` and `expected_state`.
pub(crate) fn check(line: &str, port: u16, expected_state: &str) -> Pasted {
    let line = line.trim();
    if line.is_empty() {
        return Pasted::Nothing;
    }
    let expected_address = format!("{port}{CALLBACK_PATH}");
    let query = line
        .strip_prefix("http://127.0.0.1:")
        .or_else(|| line.strip_prefix("http://localhost:"))
        .and_then(|rest| rest.split_once('?'))
        .filter(|(address, _)| *address == expected_address)
        .map(|(_, query)| query);
    let Some(query) = query else {
        return Pasted::Refused(format!(
            "That is not the address this sign-in ends on, which starts with http://127.0.0.1:{port}{CALLBACK_PATH}?. Paste the whole address from the browser's address bar."
        ));
    };
    let params = parse_query(query.split('#').next().unwrap_or_default());
    let get = |name: &str| {
        params
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    };
    if get("error").is_some() {
        return Pasted::Denied;
    }
    match (get("code"), get("state")) {
        (Some(code), Some(state)) if state == expected_state && !code.is_empty() => {
            Pasted::Code(code.to_owned())
        }
        (Some(_), Some(_)) => Pasted::Refused(
            "That address belongs to another sign-in (its state does not match this one), so it was ignored. Paste the address from the browser this sign-in opened.".to_owned(),
        ),
        _ => Pasted::Refused(
            "That address has no authorization code in it; paste it whole, after the sign-in has finished in the browser.".to_owned(),
        ),
    }
}

/// The outcome a pasted line ends the wait with, if any.
pub(crate) fn outcome(pasted: Pasted) -> Option<Result<String, CallbackError>> {
    match pasted {
        Pasted::Code(code) => Some(Ok(code)),
        Pasted::Denied => Some(Err(CallbackError::Denied)),
        Pasted::Refused(_) | Pasted::Nothing => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_this_sign_ins_address_only() {
        let ok = "  http://127.0.0.1:4711/oauth/callback?code=c%2B1&state=s-1 \n";
        assert_eq!(check(ok, 4711, "s-1"), Pasted::Code("c+1".into()));
        assert_eq!(
            check(
                "http://localhost:4711/oauth/callback?state=s-1&code=x",
                4711,
                "s-1"
            ),
            Pasted::Code("x".into())
        );
        assert_eq!(check("", 4711, "s-1"), Pasted::Nothing);
        assert_eq!(
            check(
                "http://127.0.0.1:4711/oauth/callback?error=access_denied&state=s-1",
                4711,
                "s-1"
            ),
            Pasted::Denied
        );
        for foreign in [
            "http://127.0.0.1:9999/oauth/callback?code=c&state=s-1",
            "https://evil.example/oauth/callback?code=c&state=s-1",
            "http://127.0.0.1:4711/other?code=c&state=s-1",
            "code=c&state=s-1",
        ] {
            let Pasted::Refused(message) = check(foreign, 4711, "s-1") else {
                panic!("{foreign} was accepted");
            };
            assert!(
                message.contains("http://127.0.0.1:4711/oauth/callback?"),
                "{message}"
            );
        }
        let Pasted::Refused(message) = check(
            "http://127.0.0.1:4711/oauth/callback?code=c&state=other",
            4711,
            "s-1",
        ) else {
            panic!("a foreign state was accepted");
        };
        assert!(message.contains("state does not match"), "{message}");
        assert!(matches!(
            check(
                "http://127.0.0.1:4711/oauth/callback?state=s-1",
                4711,
                "s-1"
            ),
            Pasted::Refused(_)
        ));
    }
}
