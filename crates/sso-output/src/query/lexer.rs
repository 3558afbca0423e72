//! Tokenizer for JMESPath expressions, with jmespath.py's token kinds, positions
//! (counted in characters) and error texts, since those appear verbatim in the AWS
//! CLI's `Bad value for --query` message.

use serde_json::Value;

use super::QueryError;
use sso_core::python;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Dot,
    Star,
    Rbracket,
    Comma,
    Colon,
    Current,
    Lparen,
    Rparen,
    Lbrace,
    Rbrace,
    UnquotedIdentifier,
    QuotedIdentifier,
    Flatten,
    Filter,
    Lbracket,
    Literal,
    Or,
    Pipe,
    And,
    Expref,
    Number,
    Lte,
    Lt,
    Gte,
    Gt,
    Ne,
    Not,
    Eq,
    Eof,
}

impl Kind {
    /// jmespath.py's lower-case token type name.
    pub(super) fn name(self) -> &'static str {
        match self {
            Self::Dot => "dot",
            Self::Star => "star",
            Self::Rbracket => "rbracket",
            Self::Comma => "comma",
            Self::Colon => "colon",
            Self::Current => "current",
            Self::Lparen => "lparen",
            Self::Rparen => "rparen",
            Self::Lbrace => "lbrace",
            Self::Rbrace => "rbrace",
            Self::UnquotedIdentifier => "unquoted_identifier",
            Self::QuotedIdentifier => "quoted_identifier",
            Self::Flatten => "flatten",
            Self::Filter => "filter",
            Self::Lbracket => "lbracket",
            Self::Literal => "literal",
            Self::Or => "or",
            Self::Pipe => "pipe",
            Self::And => "and",
            Self::Expref => "expref",
            Self::Number => "number",
            Self::Lte => "lte",
            Self::Lt => "lt",
            Self::Gte => "gte",
            Self::Gt => "gt",
            Self::Ne => "ne",
            Self::Not => "not",
            Self::Eq => "eq",
            Self::Eof => "eof",
        }
    }

    /// Binding powers of jmespath.py's Pratt parser.
    pub(super) fn binding_power(self) -> u8 {
        match self {
            Self::Pipe => 1,
            Self::Or => 2,
            Self::And => 3,
            Self::Eq | Self::Gt | Self::Lt | Self::Gte | Self::Lte | Self::Ne => 5,
            Self::Flatten => 9,
            Self::Star => 20,
            Self::Filter => 21,
            Self::Dot => 40,
            Self::Not => 45,
            Self::Lbrace => 50,
            Self::Lbracket => 55,
            Self::Lparen => 60,
            _ => 0,
        }
    }
}

/// A token's value: what jmespath.py stores (and prints in parse errors).
#[derive(Debug, Clone)]
pub(super) enum TokenValue {
    Text(String),
    /// A `number` token: clamped value plus its Python `str(int(...))` spelling.
    Number(i64, String),
    Json(Value),
}

impl TokenValue {
    /// `'%s' % token['value']` in jmespath.py's error messages.
    pub(super) fn display(&self) -> String {
        match self {
            Self::Text(s) => s.clone(),
            Self::Number(_, s) => s.clone(),
            Self::Json(v) => python::to_str(v),
        }
    }
}

#[derive(Debug, Clone)]
pub(super) struct Token {
    pub(super) kind: Kind,
    pub(super) value: TokenValue,
    pub(super) start: usize,
}

struct Lexer<'a> {
    expression: &'a str,
    chars: Vec<char>,
    position: usize,
    current: Option<char>,
}

pub(super) fn tokenize(expression: &str) -> Result<Vec<Token>, QueryError> {
    if expression.is_empty() {
        return Err(QueryError::Syntax {
            expression: String::new(),
            message: "Invalid JMESPath expression: cannot be empty.".to_owned(),
        });
    }
    let chars: Vec<char> = expression.chars().collect();
    let mut lexer = Lexer {
        expression,
        current: chars.first().copied(),
        chars,
        position: 0,
    };
    let mut tokens = Vec::new();
    while let Some(ch) = lexer.current() {
        let start = lexer.position;
        let simple = match ch {
            '.' => Some(Kind::Dot),
            '*' => Some(Kind::Star),
            ']' => Some(Kind::Rbracket),
            ',' => Some(Kind::Comma),
            ':' => Some(Kind::Colon),
            '@' => Some(Kind::Current),
            '(' => Some(Kind::Lparen),
            ')' => Some(Kind::Rparen),
            '{' => Some(Kind::Lbrace),
            '}' => Some(Kind::Rbrace),
            _ => None,
        };
        if let Some(kind) = simple {
            tokens.push(text_token(kind, ch.to_string(), start));
            lexer.advance();
            continue;
        }
        match ch {
            c if c.is_ascii_alphabetic() || c == '_' => {
                let mut buff = String::from(c);
                while let Some(next) = lexer
                    .advance()
                    .filter(|n| n.is_ascii_alphanumeric() || *n == '_')
                {
                    buff.push(next);
                }
                tokens.push(text_token(Kind::UnquotedIdentifier, buff, start));
            }
            ' ' | '\t' | '\n' | '\r' => {
                lexer.advance();
            }
            '[' => match lexer.advance() {
                Some(']') => {
                    lexer.advance();
                    tokens.push(text_token(Kind::Flatten, "[]".into(), start));
                }
                Some('?') => {
                    lexer.advance();
                    tokens.push(text_token(Kind::Filter, "[?".into(), start));
                }
                _ => tokens.push(text_token(Kind::Lbracket, "[".into(), start)),
            },
            '\'' => {
                let lexeme = lexer.consume_until('\'')?.replace("\\'", "'");
                tokens.push(Token {
                    kind: Kind::Literal,
                    value: TokenValue::Json(Value::String(lexeme)),
                    start,
                });
            }
            '|' => tokens.push(lexer.match_or_else('|', Kind::Or, Kind::Pipe)),
            '&' => tokens.push(lexer.match_or_else('&', Kind::And, Kind::Expref)),
            '`' => tokens.push(lexer.consume_literal()?),
            c if c.is_ascii_digit() => {
                let buff = lexer.consume_number();
                tokens.push(number_token(&buff, start));
            }
            '-' => {
                let buff = lexer.consume_number();
                if buff.chars().count() > 1 {
                    tokens.push(number_token(&buff, start));
                } else {
                    return Err(lexer.error(start, format!("Unknown token '{buff}'")));
                }
            }
            '"' => tokens.push(lexer.consume_quoted_identifier()?),
            '<' => tokens.push(lexer.match_or_else('=', Kind::Lte, Kind::Lt)),
            '>' => tokens.push(lexer.match_or_else('=', Kind::Gte, Kind::Gt)),
            '!' => tokens.push(lexer.match_or_else('=', Kind::Ne, Kind::Not)),
            '=' => {
                if lexer.advance() == Some('=') {
                    tokens.push(text_token(Kind::Eq, "==".into(), lexer.position - 1));
                    lexer.advance();
                } else {
                    // At end of input the position never moved past the '='.
                    let position = if lexer.current().is_none() {
                        lexer.position
                    } else {
                        lexer.position - 1
                    };
                    return Err(lexer.error(position, "Unknown token '='".to_owned()));
                }
            }
            other => return Err(lexer.error(start, format!("Unknown token {other}"))),
        }
    }
    tokens.push(text_token(Kind::Eof, String::new(), lexer.chars.len()));
    Ok(tokens)
}

fn text_token(kind: Kind, text: String, start: usize) -> Token {
    Token {
        kind,
        value: TokenValue::Text(text),
        start,
    }
}

fn number_token(buff: &str, start: usize) -> Token {
    // Python's int() has no upper bound; indices that large can never match, so a
    // clamped value behaves the same. The display keeps Python's normalised digits.
    let negative = buff.starts_with('-');
    let digits = buff.trim_start_matches('-').trim_start_matches('0');
    let digits = if digits.is_empty() { "0" } else { digits };
    let display = if negative && digits != "0" {
        format!("-{digits}")
    } else {
        digits.to_owned()
    };
    let value = display
        .parse::<i64>()
        .unwrap_or(if negative { i64::MIN } else { i64::MAX });
    Token {
        kind: Kind::Number,
        value: TokenValue::Number(value, display),
        start,
    }
}

impl Lexer<'_> {
    fn current(&self) -> Option<char> {
        self.current
    }

    /// jmespath.py's `_next`: at the last character the position stays put and the
    /// current character becomes `None` (the `=` error position depends on it).
    fn advance(&mut self) -> Option<char> {
        if self.position + 1 >= self.chars.len() {
            self.current = None;
        } else {
            self.position += 1;
            self.current = self.chars.get(self.position).copied();
        }
        self.current
    }

    fn error(&self, position: usize, message: String) -> QueryError {
        QueryError::Syntax {
            expression: self.expression.to_owned(),
            message: format!(
                "Bad jmespath expression: {message}:\n{}\n{}^",
                self.expression,
                " ".repeat(position)
            ),
        }
    }

    fn consume_number(&mut self) -> String {
        let mut buff = String::new();
        if let Some(c) = self.current() {
            buff.push(c);
        }
        while let Some(next) = self.advance().filter(char::is_ascii_digit) {
            buff.push(next);
        }
        buff
    }

    /// Reads up to the closing `delimiter`; a backslash keeps itself and the next
    /// character (callers unescape what they need).
    fn consume_until(&mut self, delimiter: char) -> Result<String, QueryError> {
        let start = self.position;
        let mut buff = String::new();
        let mut current = self.advance();
        while current != Some(delimiter) {
            if current == Some('\\') {
                buff.push('\\');
                current = self.advance();
            }
            let Some(c) = current else {
                return Err(self.error(start, format!("Unclosed {delimiter} delimiter")));
            };
            buff.push(c);
            current = self.advance();
        }
        self.advance();
        Ok(buff)
    }

    fn consume_literal(&mut self) -> Result<Token, QueryError> {
        let start = self.position;
        let lexeme = self.consume_until('`')?.replace("\\`", "`");
        let parsed = serde_json::from_str::<Value>(&integer_negative_zero(&lexeme)).or_else(|_| {
            // JEP-12 deprecation: an invalid JSON literal is retried as a JSON string.
            serde_json::from_str::<Value>(&format!("\"{}\"", lexeme.trim_start()))
        });
        match parsed {
            Ok(value) => Ok(Token {
                kind: Kind::Literal,
                value: TokenValue::Json(value),
                start,
            }),
            Err(_) => Err(self.error(start, format!("Bad token {lexeme}"))),
        }
    }

    fn consume_quoted_identifier(&mut self) -> Result<Token, QueryError> {
        let start = self.position;
        let lexeme = format!("\"{}\"", self.consume_until('"')?);
        match serde_json::from_str::<String>(&lexeme) {
            Ok(name) => Ok(Token {
                kind: Kind::QuotedIdentifier,
                value: TokenValue::Text(name),
                start,
            }),
            Err(_) => Err(self.error(start, python_json_error(&lexeme))),
        }
    }

    fn match_or_else(&mut self, expected: char, matched: Kind, otherwise: Kind) -> Token {
        let start = self.position;
        let current = self.current().unwrap_or_default();
        if self.advance() == Some(expected) {
            self.advance();
            text_token(matched, format!("{current}{expected}"), start)
        } else {
            text_token(otherwise, current.to_string(), start)
        }
    }
}

/// serde_json reads the integer `-0` as the float `-0.0`; Python's `json.loads` gives the int
/// `0` (there is no negative integer zero). Rewrites each bare `-0` outside strings to `0`, and
/// leaves `-0.0` and `-0e0`, which are floats in both.
fn integer_negative_zero(json: &str) -> std::borrow::Cow<'_, str> {
    if !json.contains("-0") {
        return std::borrow::Cow::Borrowed(json);
    }
    let chars: Vec<char> = json.chars().collect();
    let mut out = String::with_capacity(json.len());
    let (mut in_string, mut escaped) = (false, false);
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if in_string {
            in_string = escaped || c != '"';
            escaped = !escaped && c == '\\';
        } else if c == '"' {
            in_string = true;
        } else if c == '-'
            && chars.get(i + 1) == Some(&'0')
            && !matches!(chars.get(i + 2), Some('.' | 'e' | 'E' | '0'..='9'))
        {
            i += 1;
            continue;
        }
        out.push(c);
        i += 1;
    }
    std::borrow::Cow::Owned(out)
}

/// The part before the first `:` of the message Python's `json.loads` raises for a
/// bad quoted identifier (jmespath.py reports only that part).
fn python_json_error(lexeme: &str) -> String {
    let body: Vec<char> = lexeme.chars().collect();
    // Walk the string the way Python's scanner does to find the first problem.
    let mut i = 1;
    while i + 1 < body.len() {
        match body[i] {
            '\\' => match body.get(i + 1) {
                Some('"' | '\\' | '/' | 'b' | 'f' | 'n' | 'r' | 't') => i += 2,
                Some('u') => {
                    let hex: String = body.iter().skip(i + 2).take(4).collect();
                    if hex.len() == 4 && hex.chars().all(|c| c.is_ascii_hexdigit()) {
                        i += 6;
                    } else {
                        return "Invalid \\uXXXX escape".to_owned();
                    }
                }
                _ => return "Invalid \\escape".to_owned(),
            },
            c if (c as u32) < 0x20 => return "Invalid control character at".to_owned(),
            _ => i += 1,
        }
    }
    "Unterminated string starting at".to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(expr: &str) -> Vec<Kind> {
        tokenize(expr)
            .map(|t| t.into_iter().map(|t| t.kind).collect())
            .unwrap_or_default()
    }

    #[test]
    fn tokenizes_operators_and_brackets() {
        use Kind::*;
        assert_eq!(
            kinds("a[?b == `1`] || c[] && !d[0:-1].\"e\" | &f"),
            vec![
                UnquotedIdentifier,
                Filter,
                UnquotedIdentifier,
                Eq,
                Literal,
                Rbracket,
                Or,
                UnquotedIdentifier,
                Flatten,
                And,
                Not,
                UnquotedIdentifier,
                Lbracket,
                Number,
                Colon,
                Number,
                Rbracket,
                Dot,
                QuotedIdentifier,
                Pipe,
                Expref,
                UnquotedIdentifier,
                Eof
            ]
        );
    }

    #[test]
    fn lexer_errors_match_jmespath_py() {
        let message = |e: &str| tokenize(e).err().map(|e| e.to_string()).unwrap_or_default();
        assert_eq!(
            message("`foo"),
            "Bad jmespath expression: Unclosed ` delimiter:\n`foo\n^"
        );
        assert_eq!(
            message("a $"),
            "Bad jmespath expression: Unknown token $:\na $\n  ^"
        );
        assert_eq!(
            message("="),
            "Bad jmespath expression: Unknown token '=':\n=\n^"
        );
        assert_eq!(
            message("a = b"),
            "Bad jmespath expression: Unknown token '=':\na = b\n  ^"
        );
        assert_eq!(
            message("-"),
            "Bad jmespath expression: Unknown token '-':\n-\n^"
        );
        assert_eq!(
            message("\"\\q\""),
            "Bad jmespath expression: Invalid \\escape:\n\"\\q\"\n^"
        );
        assert_eq!(message(""), "Invalid JMESPath expression: cannot be empty.");
    }
}
