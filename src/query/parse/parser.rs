//! Recursive-descent parser: tokens to [`Query`]. Clauses and projections live here, patterns
//! in `pattern.rs` and expressions in `expr.rs`.
//!
//! Nesting is bounded by [`MAX_DEPTH`] so hostile input cannot overflow the stack.

use super::ast::*;
use super::lexer::{lex, Tok, Token};
use crate::query::common::{QResult, QueryError, Span};

/// Nesting budget of one query. A parenthesis, list, call or pattern level costs
/// [`NEST_COST`] (it recurses through the whole precedence ladder), a link of a left-deep chain
/// (`a AND b AND ...`) costs [`CHAIN_COST`]: at most 64 nested levels or 256 chained operators,
/// which keeps parsing and evaluation well inside a 2 MiB thread stack.
pub const MAX_DEPTH: u32 = 512;
/// Cost of one level of recursive nesting.
pub const NEST_COST: u32 = 8;
/// Cost of one link of an operator chain.
pub const CHAIN_COST: u32 = 2;
/// Most clauses plus relationship steps in one query (each becomes a plan operator).
pub const MAX_OPS: u32 = 1000;

/// Parses a query.
///
/// # Errors
/// A [`QueryError`] of kind `Parse` with the position of the fault and what was expected.
pub fn parse(src: &str) -> QResult<Query> {
    let toks = lex(src)?;
    let mut p = Parser { src, toks, pos: 0, depth: 0, ops: 0 };
    let q = p.query()?;
    Ok(q)
}

/// Parser state (shared with the pattern and expression parts).
pub(super) struct Parser<'a> {
    pub(super) src: &'a str,
    toks: Vec<Token>,
    pos: usize,
    pub(super) depth: u32,
    ops: u32,
}

impl<'a> Parser<'a> {
    pub(super) fn peek(&self) -> &Tok {
        self.toks.get(self.pos).map(|t| &t.tok).unwrap_or(&Tok::Eof)
    }

    pub(super) fn peek_at(&self, k: usize) -> &Tok {
        self.toks.get(self.pos + k).map(|t| &t.tok).unwrap_or(&Tok::Eof)
    }

    pub(super) fn span(&self) -> Span {
        self.toks.get(self.pos).or(self.toks.last()).map(|t| t.span).unwrap_or_default()
    }

    pub(super) fn bump(&mut self) -> Tok {
        let t = self.peek().clone();
        if self.pos < self.toks.len() {
            self.pos += 1;
        }
        t
    }

    /// The token as the user wrote it, for messages.
    pub(super) fn describe(&self) -> String {
        match self.peek() {
            Tok::Ident(s) => format!("'{s}'"),
            Tok::Param(s) => format!("'${s}'"),
            Tok::Str(s) => format!("the string '{s}'"),
            Tok::Num(n) => format!("the number {n}"),
            Tok::Sym(s) => format!("'{s}'"),
            Tok::Eof => "the end of the query".into(),
        }
    }

    /// An error "expected X, found Y" at the current token.
    pub(super) fn expected(&self, what: &str) -> QueryError {
        QueryError::parse(self.span(), format!("expected {what}, found {}", self.describe()))
    }

    /// True (and consumed) when the next token is keyword `kw` (case-insensitive, not backquoted).
    pub(super) fn eat_kw(&mut self, kw: &str) -> bool {
        if self.is_kw(kw) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    pub(super) fn is_kw(&self, kw: &str) -> bool {
        self.is_kw_at(0, kw)
    }

    pub(super) fn is_kw_at(&self, k: usize, kw: &str) -> bool {
        match self.toks.get(self.pos + k) {
            Some(Token { tok: Tok::Ident(s), quoted: false, .. }) => s.eq_ignore_ascii_case(kw),
            _ => false,
        }
    }

    pub(super) fn expect_kw(&mut self, kw: &str, what: &str) -> QResult<()> {
        if self.eat_kw(kw) {
            Ok(())
        } else {
            Err(self.expected(what))
        }
    }

    pub(super) fn eat(&mut self, sym: &str) -> bool {
        if matches!(self.peek(), Tok::Sym(s) if *s == sym) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    pub(super) fn is_sym(&self, sym: &str) -> bool {
        matches!(self.peek(), Tok::Sym(s) if *s == sym)
    }

    pub(super) fn is_sym_at(&self, k: usize, sym: &str) -> bool {
        matches!(self.peek_at(k), Tok::Sym(s) if *s == sym)
    }

    pub(super) fn expect(&mut self, sym: &str, what: &str) -> QResult<()> {
        if self.eat(sym) {
            Ok(())
        } else {
            Err(self.expected(what))
        }
    }

    pub(super) fn ident(&mut self, what: &str) -> QResult<String> {
        match self.peek() {
            Tok::Ident(s) => {
                let s = s.clone();
                self.pos += 1;
                Ok(s)
            }
            _ => Err(self.expected(what)),
        }
    }

    /// Enters one nesting level; errors past [`MAX_DEPTH`].
    pub(super) fn enter(&mut self) -> QResult<()> {
        self.add_depth(NEST_COST)
    }

    /// Adds `cost` to the nesting depth; errors past [`MAX_DEPTH`].
    pub(super) fn add_depth(&mut self, cost: u32) -> QResult<()> {
        self.depth += cost;
        if self.depth > MAX_DEPTH {
            return Err(QueryError::parse(
                self.span(),
                format!(
                    "the query nests deeper than {} levels (or chains more than {} operators); simplify it (use WITH to split steps)",
                    MAX_DEPTH / NEST_COST,
                    MAX_DEPTH / CHAIN_COST
                ),
            ));
        }
        Ok(())
    }

    /// Counts one more plan operator (clause or relationship step); errors past [`MAX_OPS`].
    pub(super) fn count_op(&mut self) -> QResult<()> {
        self.ops += 1;
        if self.ops > MAX_OPS {
            return Err(QueryError::parse(
                self.span(),
                format!("the query has more than {MAX_OPS} clauses and relationship steps; split it"),
            ));
        }
        Ok(())
    }

    pub(super) fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(NEST_COST);
    }

    /// The source text from `start` up to the current token, trimmed (default column names).
    pub(super) fn text_from(&self, start: Span) -> String {
        let end = self.span().offset;
        let end = if self.peek() == &Tok::Eof { self.src.len() } else { end };
        self.src.get(start.offset..end).unwrap_or("").trim().to_string()
    }

    fn query(&mut self) -> QResult<Query> {
        let mut clauses = Vec::new();
        loop {
            if self.eat(";") || self.peek() == &Tok::Eof {
                if self.peek() != &Tok::Eof {
                    return Err(self.expected("the end of the query after ';'"));
                }
                break;
            }
            let c = self.clause()?;
            let is_return = matches!(c, Clause::Return(_));
            clauses.push(c);
            if is_return && !matches!(self.peek(), Tok::Eof | Tok::Sym(";")) {
                return Err(self.expected("the end of the query after RETURN"));
            }
        }
        if clauses.is_empty() {
            return Err(self.expected("MATCH, WITH, UNWIND, CALL or RETURN"));
        }
        match clauses.last() {
            Some(Clause::Return(_)) => Ok(Query { clauses }),
            _ => Err(QueryError::parse(self.span(), "a query must end with RETURN; expected RETURN")),
        }
    }

    fn clause(&mut self) -> QResult<Clause> {
        let span = self.span();
        self.count_op()?;
        let optional = self.eat_kw("OPTIONAL");
        if optional && !self.is_kw("MATCH") {
            return Err(self.expected("MATCH after OPTIONAL"));
        }
        if self.eat_kw("MATCH") {
            let mut patterns = vec![self.pattern()?];
            while self.eat(",") {
                patterns.push(self.pattern()?);
            }
            let filter = self.where_opt()?;
            return Ok(Clause::Match { patterns, filter, optional });
        }
        if self.eat_kw("WITH") {
            let proj = self.projection(span)?;
            let filter = self.where_opt()?;
            return Ok(Clause::With { proj, filter });
        }
        if self.eat_kw("RETURN") {
            return Ok(Clause::Return(self.projection(span)?));
        }
        if self.eat_kw("UNWIND") {
            let expr = self.expr()?;
            self.expect_kw("AS", "AS after the UNWIND list")?;
            let var = self.ident("a variable name after AS")?;
            return Ok(Clause::Unwind { expr, var });
        }
        if self.eat_kw("CALL") {
            let name = self.ident("a procedure name after CALL, such as detect")?;
            self.expect("(", "'(' after the procedure name")?;
            let mut args = Vec::new();
            if !self.eat(")") {
                args.push(self.expr()?);
                while self.eat(",") {
                    args.push(self.expr()?);
                }
                self.expect(")", "')' or ',' in the argument list")?;
            }
            let mut yields = Vec::new();
            if self.eat_kw("YIELD") {
                loop {
                    let col = self.ident("a column name after YIELD")?;
                    let alias = if self.eat_kw("AS") { self.ident("a name after AS")? } else { col.clone() };
                    yields.push((col, alias));
                    if !self.eat(",") {
                        break;
                    }
                }
            }
            let filter = self.where_opt()?;
            return Ok(Clause::Call { name: name.to_ascii_lowercase(), args, yields, filter, span });
        }
        for kw in ["CREATE", "MERGE", "DELETE", "SET", "REMOVE", "DETACH", "FOREACH", "LOAD"] {
            if self.is_kw(kw) {
                return Err(QueryError::not_implemented(
                    span,
                    format!("{kw}: queries are read-only; the case is evidence and is never changed"),
                ));
            }
        }
        Err(self.expected("MATCH, WITH, UNWIND, CALL or RETURN"))
    }

    fn where_opt(&mut self) -> QResult<Option<Expr>> {
        if self.eat_kw("WHERE") {
            Ok(Some(self.expr()?))
        } else {
            Ok(None)
        }
    }

    fn projection(&mut self, span: Span) -> QResult<Projection> {
        let distinct = self.eat_kw("DISTINCT");
        let mut items = Vec::new();
        let mut star = false;
        if self.eat("*") {
            star = true;
        } else {
            loop {
                let start = self.span();
                let e = self.expr()?;
                let text = self.text_from(start);
                let name = if self.eat_kw("AS") { self.ident("a column name after AS")? } else { text.clone() };
                items.push((e, name, text));
                if !self.eat(",") {
                    break;
                }
            }
        }
        let mut order = Vec::new();
        if self.eat_kw("ORDER") {
            self.expect_kw("BY", "BY after ORDER")?;
            loop {
                let start = self.span();
                let e = self.expr()?;
                let text = self.text_from(start);
                let asc = if self.eat_kw("DESC") || self.eat_kw("DESCENDING") {
                    false
                } else {
                    let _ = self.eat_kw("ASC") || self.eat_kw("ASCENDING");
                    true
                };
                order.push((e, asc, text));
                if !self.eat(",") {
                    break;
                }
            }
        }
        let skip = if self.eat_kw("SKIP") { Some(self.expr()?) } else { None };
        let limit = if self.eat_kw("LIMIT") { Some(self.expr()?) } else { None };
        Ok(Projection { distinct, star, items, order, skip, limit, span })
    }
}
