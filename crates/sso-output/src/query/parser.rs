//! Top-down operator precedence (Pratt) parser for JMESPath.
//!
//! The grammar is the JMESPath specification's; the places where a syntax error is
//! detected, and the token it is reported against, follow jmespath.py so that the
//! AWS CLI's `Bad value for --query` text comes out identical. Two jmespath.py
//! leniencies are kept on purpose because the AWS CLI accepts them: a missing comma
//! between multi-select-hash pairs (`{a: b c: d}`) and between function arguments
//! (`f(a b)`), and a trailing comma in function arguments (`f(a,)`).

use serde_json::Value;

use super::QueryError;
use super::lexer::{Kind, Token, TokenValue, tokenize};

/// A parsed JMESPath expression.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Node {
    Identity,
    Current,
    Field(String),
    /// `a.b.c`: each child applied to the previous result.
    Subexpression(Vec<Self>),
    /// `a[0][1]`: like `Subexpression`, but jmespath.py appends further index or slice
    /// children here instead of projecting (so `a[0][1:]` does not project).
    IndexExpression(Vec<Self>),
    Index(i64),
    Slice(Option<i64>, Option<i64>, Option<i64>),
    Projection(Box<Self>, Box<Self>),
    ValueProjection(Box<Self>, Box<Self>),
    FilterProjection(Box<Self>, Box<Self>, Box<Self>),
    Flatten(Box<Self>),
    Literal(Value),
    MultiSelectList(Vec<Self>),
    MultiSelectHash(Vec<(String, Self)>),
    Or(Box<Self>, Box<Self>),
    And(Box<Self>, Box<Self>),
    Not(Box<Self>),
    Pipe(Box<Self>, Box<Self>),
    Comparator(Comparator, Box<Self>, Box<Self>),
    Function(String, Vec<Self>),
    Expref(Box<Self>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Comparator {
    Eq,
    Ne,
    Lt,
    Lte,
    Gt,
    Gte,
}

/// Below this binding power a token ends a projection.
const PROJECTION_STOP: u8 = 10;

/// Nesting limit for sub-expressions. jmespath.py recurses too and dies with
/// `RecursionError` at a few hundred levels; this lower limit keeps our stack
/// (2 MiB on test threads, unoptimised frames) safe. No real query nests this deep.
const MAX_DEPTH: usize = 100;

pub(super) fn parse(expression: &str) -> Result<Node, QueryError> {
    let tokens = tokenize(expression)?;
    let mut parser = Parser {
        expression,
        tokens,
        index: 0,
        depth: 0,
    };
    let node = parser.expression(0)?;
    if parser.current() != Kind::Eof {
        let token = parser.token(0).clone();
        let message = format!("Unexpected token: {}", token.value.display());
        return Err(parser.parse_error(&token, &message));
    }
    Ok(node)
}

struct Parser<'a> {
    expression: &'a str,
    tokens: Vec<Token>,
    index: usize,
    depth: usize,
}

impl Parser<'_> {
    fn token(&self, offset: isize) -> &Token {
        let at = self.index.checked_add_signed(offset).unwrap_or(0);
        // The token list always ends with `eof`; looking past it stays on `eof`.
        let last = self.tokens.len() - 1;
        &self.tokens[at.min(last)]
    }

    fn current(&self) -> Kind {
        self.token(0).kind
    }

    fn lookahead(&self, offset: isize) -> Kind {
        self.token(offset).kind
    }

    fn advance(&mut self) {
        self.index += 1;
    }

    /// jmespath.py `ParseError.__str__` (position reported in characters).
    fn parse_error(&self, token: &Token, reason: &str) -> QueryError {
        self.error_at(
            token.start,
            &token.value.display(),
            token.kind.name(),
            reason,
        )
    }

    fn error_at(&self, position: usize, value: &str, kind: &str, reason: &str) -> QueryError {
        QueryError::Syntax {
            expression: self.expression.to_owned(),
            message: format!(
                "{reason}: Parse error at column {position}, token \"{value}\" ({}), for expression:\n\"{}\"\n{}^",
                kind.to_uppercase(),
                self.expression,
                " ".repeat(position + 1)
            ),
        }
    }

    fn incomplete(&self) -> QueryError {
        let length = self.expression.chars().count();
        QueryError::Syntax {
            expression: self.expression.to_owned(),
            message: format!(
                "Invalid jmespath expression: Incomplete expression:\n\"{}\"\n{}^",
                self.expression,
                " ".repeat(length + 1)
            ),
        }
    }

    fn syntax_error(&self, reason: &str) -> QueryError {
        self.parse_error(self.token(0), reason)
    }

    /// `_match`: consume the expected token or report what was found instead.
    fn expect(&mut self, kind: Kind) -> Result<(), QueryError> {
        if self.current() == kind {
            self.advance();
            Ok(())
        } else {
            Err(self.unexpected(kind.name()))
        }
    }

    fn unexpected(&self, expected: &str) -> QueryError {
        let token = self.token(0);
        if token.kind == Kind::Eof {
            return self.incomplete();
        }
        self.parse_error(
            token,
            &format!("Expecting: {expected}, got: {}", token.kind.name()),
        )
    }

    fn expression(&mut self, binding_power: u8) -> Result<Node, QueryError> {
        if self.depth >= MAX_DEPTH {
            return Err(QueryError::Syntax {
                expression: self.expression.to_owned(),
                message: "maximum recursion depth exceeded".to_owned(),
            });
        }
        self.depth += 1;
        let result = self.expression_inner(binding_power);
        self.depth -= 1;
        result
    }

    fn expression_inner(&mut self, binding_power: u8) -> Result<Node, QueryError> {
        let token = self.token(0).clone();
        self.advance();
        let mut left = self.nud(&token)?;
        loop {
            let current = self.current();
            if binding_power >= current.binding_power() {
                break;
            }
            left = self.led(current, left)?;
        }
        Ok(left)
    }

    fn nud(&mut self, token: &Token) -> Result<Node, QueryError> {
        match token.kind {
            Kind::Literal => match &token.value {
                TokenValue::Json(value) => Ok(Node::Literal(value.clone())),
                other => Ok(Node::Literal(Value::String(other.display()))),
            },
            Kind::UnquotedIdentifier => Ok(Node::Field(token.value.display())),
            Kind::QuotedIdentifier => {
                if self.current() == Kind::Lparen {
                    let next = self.token(0);
                    return Err(self.error_at(
                        0,
                        &next.value.display(),
                        next.kind.name(),
                        "Quoted identifier not allowed for function names.",
                    ));
                }
                Ok(Node::Field(token.value.display()))
            }
            Kind::Star => {
                let right = if self.current() == Kind::Rbracket {
                    Node::Identity
                } else {
                    self.projection_rhs(Kind::Star.binding_power())?
                };
                Ok(Node::ValueProjection(
                    Box::new(Node::Identity),
                    Box::new(right),
                ))
            }
            Kind::Filter => self.led_filter(Node::Identity),
            Kind::Lbrace => self.multi_select_hash(),
            Kind::Lparen => {
                let inner = self.expression(0)?;
                self.expect(Kind::Rparen)?;
                Ok(inner)
            }
            Kind::Flatten => {
                let right = self.projection_rhs(Kind::Flatten.binding_power())?;
                Ok(Node::Projection(
                    Box::new(Node::Flatten(Box::new(Node::Identity))),
                    Box::new(right),
                ))
            }
            Kind::Not => {
                let inner = self.expression(Kind::Not.binding_power())?;
                Ok(Node::Not(Box::new(inner)))
            }
            Kind::Lbracket => {
                if matches!(self.current(), Kind::Number | Kind::Colon) {
                    let right = self.index_expression()?;
                    self.project_if_slice(Node::Identity, right)
                } else if self.current() == Kind::Star && self.lookahead(1) == Kind::Rbracket {
                    self.advance();
                    self.advance();
                    let right = self.projection_rhs(Kind::Star.binding_power())?;
                    Ok(Node::Projection(Box::new(Node::Identity), Box::new(right)))
                } else {
                    self.multi_select_list()
                }
            }
            Kind::Current => Ok(Node::Current),
            Kind::Expref => {
                let inner = self.expression(Kind::Expref.binding_power())?;
                Ok(Node::Expref(Box::new(inner)))
            }
            Kind::Eof => Err(self.incomplete()),
            _ => Err(self.parse_error(token, "invalid token")),
        }
    }

    fn led(&mut self, kind: Kind, left: Node) -> Result<Node, QueryError> {
        let comparator = match kind {
            Kind::Eq => Some(Comparator::Eq),
            Kind::Ne => Some(Comparator::Ne),
            Kind::Lt => Some(Comparator::Lt),
            Kind::Lte => Some(Comparator::Lte),
            Kind::Gt => Some(Comparator::Gt),
            Kind::Gte => Some(Comparator::Gte),
            _ => None,
        };
        if !matches!(
            kind,
            Kind::Dot
                | Kind::Pipe
                | Kind::Or
                | Kind::And
                | Kind::Lparen
                | Kind::Filter
                | Kind::Flatten
                | Kind::Lbracket
        ) && comparator.is_none()
        {
            return Err(self.syntax_error("invalid token"));
        }
        self.advance();
        if let Some(op) = comparator {
            let right = self.expression(kind.binding_power())?;
            return Ok(Node::Comparator(op, Box::new(left), Box::new(right)));
        }
        match kind {
            Kind::Dot => {
                if self.current() == Kind::Star {
                    self.advance();
                    let right = self.projection_rhs(Kind::Dot.binding_power())?;
                    Ok(Node::ValueProjection(Box::new(left), Box::new(right)))
                } else {
                    let right = self.dot_rhs(Kind::Dot.binding_power())?;
                    match left {
                        Node::Subexpression(mut children) => {
                            children.push(right);
                            Ok(Node::Subexpression(children))
                        }
                        other => Ok(Node::Subexpression(vec![other, right])),
                    }
                }
            }
            Kind::Pipe => {
                let right = self.expression(Kind::Pipe.binding_power())?;
                Ok(Node::Pipe(Box::new(left), Box::new(right)))
            }
            Kind::Or => {
                let right = self.expression(Kind::Or.binding_power())?;
                Ok(Node::Or(Box::new(left), Box::new(right)))
            }
            Kind::And => {
                let right = self.expression(Kind::And.binding_power())?;
                Ok(Node::And(Box::new(left), Box::new(right)))
            }
            Kind::Lparen => self.function_call(left),
            Kind::Filter => self.led_filter(left),
            Kind::Flatten => {
                let right = self.projection_rhs(Kind::Flatten.binding_power())?;
                Ok(Node::Projection(
                    Box::new(Node::Flatten(Box::new(left))),
                    Box::new(right),
                ))
            }
            // Only `Lbracket` is left.
            _ => self.led_lbracket(left),
        }
    }

    fn function_call(&mut self, left: Node) -> Result<Node, QueryError> {
        let Node::Field(name) = left else {
            // The token before `(` names the culprit.
            let culprit = self.token(-2).clone();
            let reason = format!("Invalid function name '{}'", culprit.value.display());
            return Err(self.parse_error(&culprit, &reason));
        };
        let mut args = Vec::new();
        while self.current() != Kind::Rparen {
            let arg = self.expression(0)?;
            if self.current() == Kind::Comma {
                self.expect(Kind::Comma)?;
            }
            args.push(arg);
        }
        self.expect(Kind::Rparen)?;
        Ok(Node::Function(name, args))
    }

    fn led_filter(&mut self, left: Node) -> Result<Node, QueryError> {
        let condition = self.expression(0)?;
        self.expect(Kind::Rbracket)?;
        let right = if self.current() == Kind::Flatten {
            Node::Identity
        } else {
            self.projection_rhs(Kind::Filter.binding_power())?
        };
        Ok(Node::FilterProjection(
            Box::new(left),
            Box::new(right),
            Box::new(condition),
        ))
    }

    fn led_lbracket(&mut self, left: Node) -> Result<Node, QueryError> {
        if matches!(self.current(), Kind::Number | Kind::Colon) {
            let right = self.index_expression()?;
            if let Node::IndexExpression(mut children) = left {
                children.push(right);
                return Ok(Node::IndexExpression(children));
            }
            self.project_if_slice(left, right)
        } else {
            self.expect(Kind::Star)?;
            self.expect(Kind::Rbracket)?;
            let right = self.projection_rhs(Kind::Star.binding_power())?;
            Ok(Node::Projection(Box::new(left), Box::new(right)))
        }
    }

    fn project_if_slice(&mut self, left: Node, right: Node) -> Result<Node, QueryError> {
        let is_slice = matches!(right, Node::Slice(..));
        let index = Node::IndexExpression(vec![left, right]);
        if is_slice {
            let rhs = self.projection_rhs(Kind::Star.binding_power())?;
            Ok(Node::Projection(Box::new(index), Box::new(rhs)))
        } else {
            Ok(index)
        }
    }

    fn index_expression(&mut self) -> Result<Node, QueryError> {
        if self.lookahead(0) == Kind::Colon || self.lookahead(1) == Kind::Colon {
            return self.slice_expression();
        }
        let value = match &self.token(0).value {
            TokenValue::Number(n, _) => *n,
            _ => 0,
        };
        self.advance();
        self.expect(Kind::Rbracket)?;
        Ok(Node::Index(value))
    }

    fn slice_expression(&mut self) -> Result<Node, QueryError> {
        let mut parts: [Option<i64>; 3] = [None, None, None];
        let mut index = 0;
        while self.current() != Kind::Rbracket && index < 3 {
            match self.current() {
                Kind::Colon => {
                    index += 1;
                    if index == 3 {
                        return Err(self.syntax_error("syntax error"));
                    }
                    self.advance();
                }
                Kind::Number => {
                    if let TokenValue::Number(n, _) = self.token(0).value {
                        parts[index] = Some(n);
                    }
                    self.advance();
                }
                _ => return Err(self.syntax_error("syntax error")),
            }
        }
        self.expect(Kind::Rbracket)?;
        Ok(Node::Slice(parts[0], parts[1], parts[2]))
    }

    fn multi_select_list(&mut self) -> Result<Node, QueryError> {
        let mut items = Vec::new();
        loop {
            items.push(self.expression(0)?);
            if self.current() == Kind::Rbracket {
                break;
            }
            self.expect(Kind::Comma)?;
        }
        self.expect(Kind::Rbracket)?;
        Ok(Node::MultiSelectList(items))
    }

    fn multi_select_hash(&mut self) -> Result<Node, QueryError> {
        let mut pairs = Vec::new();
        loop {
            let key = self.token(0).clone();
            if !matches!(key.kind, Kind::QuotedIdentifier | Kind::UnquotedIdentifier) {
                return Err(self.unexpected("['quoted_identifier', 'unquoted_identifier']"));
            }
            self.advance();
            self.expect(Kind::Colon)?;
            let value = self.expression(0)?;
            pairs.push((key.value.display(), value));
            match self.current() {
                Kind::Comma => self.expect(Kind::Comma)?,
                Kind::Rbrace => {
                    self.expect(Kind::Rbrace)?;
                    break;
                }
                _ => {}
            }
        }
        Ok(Node::MultiSelectHash(pairs))
    }

    fn projection_rhs(&mut self, binding_power: u8) -> Result<Node, QueryError> {
        let current = self.current();
        if current.binding_power() < PROJECTION_STOP {
            Ok(Node::Identity)
        } else if matches!(current, Kind::Lbracket | Kind::Filter) {
            self.expression(binding_power)
        } else if current == Kind::Dot {
            self.expect(Kind::Dot)?;
            self.dot_rhs(binding_power)
        } else {
            Err(self.syntax_error("syntax error"))
        }
    }

    fn dot_rhs(&mut self, binding_power: u8) -> Result<Node, QueryError> {
        match self.current() {
            Kind::QuotedIdentifier | Kind::UnquotedIdentifier | Kind::Star => {
                self.expression(binding_power)
            }
            Kind::Lbracket => {
                self.expect(Kind::Lbracket)?;
                self.multi_select_list()
            }
            Kind::Lbrace => {
                self.expect(Kind::Lbrace)?;
                self.multi_select_hash()
            }
            other => {
                let reason = format!(
                    "Expecting: ['quoted_identifier', 'unquoted_identifier', 'lbracket', 'lbrace'], got: {}",
                    other.name()
                );
                Err(self.syntax_error(&reason))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(expr: &str) -> String {
        parse(expr).err().map(|e| e.to_string()).unwrap_or_default()
    }

    #[test]
    fn parse_errors_match_jmespath_py() {
        assert_eq!(
            error("a["),
            "Invalid jmespath expression: Incomplete expression:\n\"a[\"\n   ^"
        );
        assert_eq!(
            error("a b"),
            "Unexpected token: b: Parse error at column 2, token \"b\" (UNQUOTED_IDENTIFIER), for expression:\n\"a b\"\n   ^"
        );
        assert_eq!(
            error("foo."),
            "Expecting: ['quoted_identifier', 'unquoted_identifier', 'lbracket', 'lbrace'], got: eof: Parse error at column 4, token \"\" (EOF), for expression:\n\"foo.\"\n     ^"
        );
        assert_eq!(
            error("@()"),
            "Invalid function name '@': Parse error at column 0, token \"@\" (CURRENT), for expression:\n\"@()\"\n ^"
        );
        assert_eq!(
            error("\"f\"()"),
            "Quoted identifier not allowed for function names.: Parse error at column 0, token \"(\" (LPAREN), for expression:\n\"\"f\"()\"\n ^"
        );
        assert_eq!(
            error("a[1:2:3:4]"),
            "syntax error: Parse error at column 7, token \":\" (COLON), for expression:\n\"a[1:2:3:4]\"\n        ^"
        );
        assert_eq!(
            error("{1: a}"),
            "Expecting: ['quoted_identifier', 'unquoted_identifier'], got: number: Parse error at column 1, token \"1\" (NUMBER), for expression:\n\"{1: a}\"\n  ^"
        );
        assert_eq!(
            error("`[1,2]` b"),
            "Unexpected token: b: Parse error at column 8, token \"b\" (UNQUOTED_IDENTIFIER), for expression:\n\"`[1,2]` b\"\n         ^"
        );
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        let deep = format!("{}a{}", "(".repeat(99), ")".repeat(99));
        assert!(parse(&deep).is_ok());
        let too_deep = format!("{}a{}", "(".repeat(100), ")".repeat(100));
        assert_eq!(
            parse(&too_deep).err().map(|e| e.to_string()).as_deref(),
            Some("maximum recursion depth exceeded")
        );
        let chained = format!("a{}", ".b".repeat(5000));
        assert!(parse(&chained).is_ok(), "flat chains do not nest");
    }

    #[test]
    fn jmespath_py_leniencies_are_kept() {
        assert!(parse("{a: b c: d}").is_ok());
        assert!(parse("f(a b)").is_ok());
        assert!(parse("f(a,)").is_ok());
    }
}
