//! The lexer: query text to tokens with positions. Keywords are not reserved here; the parser
//! compares identifiers case-insensitively, so `WITHIN` or `GAP` stay usable as names elsewhere.

use crate::query::common::{QResult, QueryError, Span};
use rust_decimal::Decimal;
use std::str::FromStr;

/// A token kind.
#[derive(Clone, Debug, PartialEq)]
pub enum Tok {
    /// A name or keyword (backquoted names arrive without the quotes).
    Ident(String),
    /// `$name`.
    Param(String),
    /// A string literal, unescaped.
    Str(String),
    /// A number literal, exact.
    Num(Decimal),
    /// Punctuation or operator, as written (`(`, `->` is two tokens: `-` and `>`).
    Sym(&'static str),
    /// End of input.
    Eof,
}

/// A token and where it starts.
#[derive(Clone, Debug, PartialEq)]
pub struct Token {
    /// The token.
    pub tok: Tok,
    /// Its position.
    pub span: Span,
    /// True when the token was a backquoted name (never a keyword).
    pub quoted: bool,
}

const SYMS: &[&str] = &[
    "..", "<>", "<=", ">=", "!=", "=~", "(", ")", "[", "]", "{", "}", ",", ".", ":", ";", "|", "*", "+", "-", "/", "%",
    "^", "=", "<", ">",
];

/// Splits `src` into tokens; the last one is [`Tok::Eof`].
///
/// Comments are `// ...` to the end of the line and `/* ... */`.
pub fn lex(src: &str) -> QResult<Vec<Token>> {
    let mut out = Vec::new();
    let mut it = Cursor { src, pos: 0, line: 1, col: 1 };
    loop {
        it.skip_space_and_comments()?;
        let span = it.span();
        let Some(c) = it.peek() else {
            out.push(Token { tok: Tok::Eof, span, quoted: false });
            return Ok(out);
        };
        let (tok, quoted) = if c.is_alphabetic() || c == '_' {
            (Tok::Ident(it.take_while(|c| c.is_alphanumeric() || c == '_').to_string()), false)
        } else if c == '`' {
            it.bump();
            let s = it.take_while(|c| c != '`').to_string();
            if it.peek() != Some('`') {
                return Err(QueryError::parse(span, "unterminated `quoted name`: expected a closing backquote"));
            }
            it.bump();
            (Tok::Ident(s), true)
        } else if c == '$' {
            it.bump();
            let name = it.take_while(|c| c.is_alphanumeric() || c == '_');
            if name.is_empty() {
                return Err(QueryError::parse(span, "expected a parameter name after '$'"));
            }
            (Tok::Param(name.to_string()), false)
        } else if c.is_ascii_digit() {
            (lex_number(&mut it, span)?, false)
        } else if c == '\'' || c == '"' {
            (Tok::Str(lex_string(&mut it, span, c)?), false)
        } else if let Some(s) = SYMS.iter().find(|s| it.rest().starts_with(**s)) {
            // "1..5" must lex as 1 .. 5, handled in lex_number; here ".." is the range symbol.
            for _ in 0..s.len() {
                it.bump();
            }
            (Tok::Sym(s), false)
        } else {
            return Err(QueryError::parse(span, format!("unexpected character '{c}'")));
        };
        out.push(Token { tok, span, quoted });
    }
}

fn lex_number(it: &mut Cursor<'_>, span: Span) -> QResult<Tok> {
    let int = it.take_while(|c| c.is_ascii_digit() || c == '_');
    let mut text = int.replace('_', "");
    // A fraction only when a digit follows the dot ("1..5" is a range).
    let r = it.rest();
    if r.starts_with('.') && r[1..].starts_with(|c: char| c.is_ascii_digit()) {
        it.bump();
        text.push('.');
        text.push_str(it.take_while(|c| c.is_ascii_digit()));
    }
    if it.peek().is_some_and(|c| c.is_alphabetic() || c == '_') {
        return Err(QueryError::parse(span, format!("malformed number '{text}{}'", it.peek().unwrap_or(' '))));
    }
    Decimal::from_str(&text)
        .map(Tok::Num)
        .map_err(|_| QueryError::parse(span, format!("number '{text}' is out of range (at most 28 digits)")))
}

fn lex_string(it: &mut Cursor<'_>, span: Span, q: char) -> QResult<String> {
    it.bump();
    let mut s = String::new();
    loop {
        match it.bump() {
            None => return Err(QueryError::parse(span, format!("unterminated string: expected a closing {q}"))),
            Some(c) if c == q => return Ok(s),
            Some('\\') => match it.bump() {
                Some('n') => s.push('\n'),
                Some('t') => s.push('\t'),
                Some(c @ ('\\' | '\'' | '"')) => s.push(c),
                Some(c) => s.push(c),
                None => return Err(QueryError::parse(span, "unterminated string after '\\'")),
            },
            Some(c) => s.push(c),
        }
    }
}

struct Cursor<'a> {
    src: &'a str,
    pos: usize,
    line: u32,
    col: u32,
}

impl<'a> Cursor<'a> {
    fn rest(&self) -> &'a str {
        self.src.get(self.pos..).unwrap_or("")
    }
    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }
    fn span(&self) -> Span {
        Span { offset: self.pos, line: self.line, col: self.col }
    }
    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        if c == '\n' {
            self.line += 1;
            self.col = 1;
        } else {
            self.col += 1;
        }
        Some(c)
    }
    fn take_while(&mut self, f: impl Fn(char) -> bool) -> &'a str {
        let start = self.pos;
        while self.peek().is_some_and(&f) {
            self.bump();
        }
        self.src.get(start..self.pos).unwrap_or("")
    }
    fn skip_space_and_comments(&mut self) -> QResult<()> {
        loop {
            self.take_while(char::is_whitespace);
            let r = self.rest();
            if r.starts_with("//") {
                self.take_while(|c| c != '\n');
            } else if r.starts_with("/*") {
                let span = self.span();
                self.bump();
                self.bump();
                loop {
                    if self.rest().starts_with("*/") {
                        self.bump();
                        self.bump();
                        break;
                    }
                    if self.bump().is_none() {
                        return Err(QueryError::parse(span, "unterminated comment: expected '*/'"));
                    }
                }
            } else {
                return Ok(());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_numbers_and_arrows() {
        let t: Vec<Tok> = lex("[:T*1..5]->(a {x: 2.50}) // c\n$p").unwrap().into_iter().map(|t| t.tok).collect();
        assert_eq!(t[4], Tok::Num(Decimal::from(1)));
        assert_eq!(t[5], Tok::Sym(".."));
        assert_eq!(t[8], Tok::Sym("-"));
        assert_eq!(t[9], Tok::Sym(">"));
        assert!(t.contains(&Tok::Num(Decimal::from_str("2.50").unwrap())));
        assert!(t.contains(&Tok::Param("p".into())));
    }

    #[test]
    fn positions_are_line_and_column() {
        let t = lex("MATCH\n  (a)").unwrap();
        assert_eq!((t[1].span.line, t[1].span.col), (2, 3));
        let e = lex("RETURN 'abc").unwrap_err();
        assert_eq!(e.span.map(|s| s.col), Some(8));
    }
}
