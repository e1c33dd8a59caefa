//! Query errors: where in the text the fault is (line, column, a caret) and what was expected,
//! split as DataFusion does into parse, plan, execution, budget and not-implemented errors.

use std::fmt;

/// A position in the query text: byte offset, 1-based line and column (in characters).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Span {
    /// Byte offset of the first character.
    pub offset: usize,
    /// Line, from 1.
    pub line: u32,
    /// Column in characters, from 1.
    pub col: u32,
}

/// What kind of error a [`QueryError`] is.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The text is not a query of the language (lexer or parser).
    Parse,
    /// The query parses but cannot be planned: unknown variable, label, property or function,
    /// wrong argument count, a pattern that cannot be anchored.
    Plan,
    /// Evaluation failed on data: a type mismatch, division by zero, a bad date.
    Execution,
    /// A result or time budget stopped the query.
    Budget,
    /// Valid openCypher that this engine does not support yet.
    NotImplemented,
}

/// An error with its position in the query text when known.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueryError {
    /// Kind.
    pub kind: ErrorKind,
    /// What is wrong and, where possible, what was expected.
    pub message: String,
    /// Where, when the fault is tied to a place in the text.
    pub span: Option<Span>,
}

impl QueryError {
    /// A parse error at `span`.
    pub fn parse(span: Span, message: impl Into<String>) -> QueryError {
        QueryError { kind: ErrorKind::Parse, message: message.into(), span: Some(span) }
    }

    /// A plan error at `span`.
    pub fn plan(span: Span, message: impl Into<String>) -> QueryError {
        QueryError { kind: ErrorKind::Plan, message: message.into(), span: Some(span) }
    }

    /// An execution error.
    pub fn exec(message: impl Into<String>) -> QueryError {
        QueryError { kind: ErrorKind::Execution, message: message.into(), span: None }
    }

    /// A budget stop.
    pub fn budget(message: impl Into<String>) -> QueryError {
        QueryError { kind: ErrorKind::Budget, message: message.into(), span: None }
    }

    /// A feature that is not supported, at `span`.
    pub fn not_implemented(span: Span, message: impl Into<String>) -> QueryError {
        QueryError { kind: ErrorKind::NotImplemented, message: message.into(), span: Some(span) }
    }

    /// Adds a span if the error has none (execution errors raised inside an expression).
    pub fn at(mut self, span: Span) -> QueryError {
        if self.span.is_none() {
            self.span = Some(span);
        }
        self
    }

    /// The error with the offending line of `source` and a caret under the fault, as
    ///
    /// ```text
    /// parse error at line 2, column 7: expected ')' after the node pattern, found ']'
    ///   2 | MATCH (a]
    ///     |        ^
    /// ```
    pub fn render(&self, source: &str) -> String {
        let Some(sp) = self.span else {
            return self.to_string();
        };
        let line = source.lines().nth(sp.line.saturating_sub(1) as usize).unwrap_or("");
        // Long lines are cut to a window around the fault.
        let col = sp.col.saturating_sub(1) as usize;
        let skip = col.saturating_sub(60);
        let line: String = line.chars().skip(skip).take(100).collect();
        let num = sp.line.to_string();
        let pad = " ".repeat(num.len());
        let caret = " ".repeat(col - skip);
        format!("{self}\n {num} | {line}\n {pad} | {caret}^")
    }
}

impl fmt::Display for QueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.kind {
            ErrorKind::Parse => "parse error",
            ErrorKind::Plan => "plan error",
            ErrorKind::Execution => "execution error",
            ErrorKind::Budget => "query stopped",
            ErrorKind::NotImplemented => "not implemented",
        };
        match self.span {
            Some(sp) => write!(f, "{kind} at line {}, column {}: {}", sp.line, sp.col, self.message),
            None => write!(f, "{kind}: {}", self.message),
        }
    }
}

impl std::error::Error for QueryError {}

/// Result of the query module.
pub type QResult<T> = Result<T, QueryError>;
