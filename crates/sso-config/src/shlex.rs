//! Python's `shlex.split(s)` (POSIX mode, no comments), used to split section names.
//!
//! botocore classifies `[profile NAME]`, `[sso-session NAME]` and `[services NAME]` by running
//! `shlex.split` on the section name and keeping the section only when that yields exactly two
//! words (`configloader._parse_section`). Quotes therefore work (`[profile "my p"]` is the profile
//! `my p`) and an unbalanced quote makes the section disappear. No crate reproduces Python's
//! tokenizer state machine exactly (the `shlex` crate follows POSIX sh, which differs on
//! backslashes inside double quotes and on `\r`), so this is a direct port of
//! `shlex.shlex.read_token` with `posix=True`, `whitespace_split=True`, `commenters=''`.

/// Why Python's `shlex.split` would raise `ValueError`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SplitError {
    /// `No closing quotation`.
    UnclosedQuote,
    /// `No escaped character` (a trailing backslash).
    TrailingEscape,
}

/// `shlex`'s default whitespace set. Note: only these four, not Unicode whitespace.
fn is_shlex_whitespace(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    /// Between words.
    Whitespace,
    /// Inside an unquoted word.
    Word,
    /// Inside a quoted part; the char is the quote.
    Quoted(char),
    /// After a backslash; remembers the state to return to.
    Escape(Return),
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Return {
    Word,
    DoubleQuoted,
}

/// Python's `shlex.quote(s)`: `s` unchanged when it is non-empty and made only of
/// `[A-Za-z0-9@%+=:,./_-]`, otherwise wrapped in single quotes with each `'` as `'"'"'`.
pub(crate) fn quote(s: &str) -> String {
    let safe = |c: char| c.is_ascii_alphanumeric() || "@%+=:,./_-".contains(c);
    if !s.is_empty() && s.chars().all(safe) {
        return s.to_owned();
    }
    format!("'{}'", s.replace('\'', "'\"'\"'"))
}

/// Splits `s` into words exactly like Python's `shlex.split(s)`.
pub(crate) fn split(s: &str) -> Result<Vec<String>, SplitError> {
    let mut words = Vec::new();
    let mut token = String::new();
    // Python returns an empty token only if part of it was quoted (`''`).
    let mut quoted = false;
    let mut state = State::Whitespace;
    for c in s.chars() {
        match state {
            State::Whitespace | State::Word => {
                if is_shlex_whitespace(c) {
                    if state == State::Word || quoted {
                        words.push(std::mem::take(&mut token));
                        quoted = false;
                    }
                    state = State::Whitespace;
                } else if c == '\'' || c == '"' {
                    state = State::Quoted(c);
                } else if c == '\\' {
                    state = State::Escape(Return::Word);
                } else {
                    token.push(c);
                    state = State::Word;
                }
            }
            State::Quoted(q) => {
                quoted = true;
                if c == q {
                    state = State::Word;
                } else if c == '\\' && q == '"' {
                    // Only double quotes are in `escapedquotes`.
                    state = State::Escape(Return::DoubleQuoted);
                } else {
                    token.push(c);
                }
            }
            State::Escape(back) => {
                // Inside double quotes a backslash only escapes `"` and `\`; otherwise it is
                // kept literally (`"\d"` is `\d`).
                if back == Return::DoubleQuoted && c != '\\' && c != '"' {
                    token.push('\\');
                }
                token.push(c);
                state = match back {
                    Return::Word => State::Word,
                    Return::DoubleQuoted => State::Quoted('"'),
                };
            }
        }
    }
    match state {
        State::Quoted(_) => Err(SplitError::UnclosedQuote),
        State::Escape(_) => Err(SplitError::TrailingEscape),
        State::Word => {
            words.push(token);
            Ok(words)
        }
        State::Whitespace => {
            if quoted {
                words.push(token);
            }
            Ok(words)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(s: &str) -> Vec<String> {
        split(s).unwrap()
    }

    /// Expected values were produced with CPython 3.11 `shlex.split`.
    #[test]
    fn matches_python() {
        let cases: &[(&str, &[&str])] = &[
            ("profile dev", &["profile", "dev"]),
            ("profile  dev ", &["profile", "dev"]),
            ("profile 'x y'", &["profile", "x y"]),
            ("profile \"my p\"", &["profile", "my p"]),
            ("profile a\\ b", &["profile", "a b"]),
            ("profile \"a\\\"b\\\\c\\d\"", &["profile", "a\"b\\c\\d"]),
            ("profile 'a\\b'", &["profile", "a\\b"]),
            ("profile ''", &["profile", ""]),
            ("profile a''b", &["profile", "ab"]),
            ("profile a#b", &["profile", "a#b"]),
            ("profile\ta\rb", &["profile", "a", "b"]),
            ("profile", &["profile"]),
            ("", &[]),
            ("  ", &[]),
            ("profile \u{a0}x", &["profile", "\u{a0}x"]),
        ];
        for (input, expected) in cases {
            assert_eq!(ok(input), *expected, "input {input:?}");
        }
    }

    #[test]
    fn errors_match_python() {
        assert_eq!(split("profile 'x"), Err(SplitError::UnclosedQuote));
        assert_eq!(split("profile \"x\\\""), Err(SplitError::UnclosedQuote));
        assert_eq!(split("profile x\\"), Err(SplitError::TrailingEscape));
    }
}
