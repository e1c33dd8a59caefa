//! Expression parsing by precedence climbing:
//! OR < XOR < AND < NOT < comparison (= <> < <= > >= IN STARTS WITH ENDS WITH CONTAINS IS NULL)
//! < + - < * / % < unary minus < postfix (.prop, [index]) < primary.

use super::ast::*;
use super::lexer::Tok;
use super::parser::Parser;
use crate::query::common::Value;
use crate::query::common::{QResult, QueryError};

impl Parser<'_> {
    /// Counts one more link of a left-deep chain (`a + b + c ...`) as a nesting level, so long
    /// chains are bounded like parentheses are.
    fn chain(&mut self, n: &mut u32) -> QResult<()> {
        *n += 1;
        self.add_depth(super::parser::CHAIN_COST)
    }

    fn unchain(&mut self, n: u32) {
        self.depth = self.depth.saturating_sub(n * super::parser::CHAIN_COST);
    }

    /// A full expression.
    pub(super) fn expr(&mut self) -> QResult<Expr> {
        self.enter()?;
        let e = self.or();
        self.leave();
        e
    }

    fn or(&mut self) -> QResult<Expr> {
        let mut l = self.xor()?;
        let mut chained = 0u32;
        while self.is_kw("OR") {
            let sp = self.span();
            self.bump();
            let r = self.xor()?;
            self.chain(&mut chained)?;
            l = Expr::new(ExprKind::Bin(BinOp::Or, Box::new(l), Box::new(r)), sp);
        }
        self.unchain(chained);
        Ok(l)
    }

    fn xor(&mut self) -> QResult<Expr> {
        let mut l = self.and()?;
        let mut chained = 0u32;
        while self.is_kw("XOR") {
            let sp = self.span();
            self.bump();
            let r = self.and()?;
            self.chain(&mut chained)?;
            l = Expr::new(ExprKind::Bin(BinOp::Xor, Box::new(l), Box::new(r)), sp);
        }
        self.unchain(chained);
        Ok(l)
    }

    fn and(&mut self) -> QResult<Expr> {
        let mut l = self.not()?;
        let mut chained = 0u32;
        while self.is_kw("AND") {
            let sp = self.span();
            self.bump();
            let r = self.not()?;
            self.chain(&mut chained)?;
            l = Expr::new(ExprKind::Bin(BinOp::And, Box::new(l), Box::new(r)), sp);
        }
        self.unchain(chained);
        Ok(l)
    }

    fn not(&mut self) -> QResult<Expr> {
        if self.is_kw("NOT") {
            let sp = self.span();
            self.bump();
            self.enter()?;
            let e = self.not();
            self.leave();
            return Ok(Expr::new(ExprKind::Not(Box::new(e?)), sp));
        }
        self.comparison()
    }

    fn comparison(&mut self) -> QResult<Expr> {
        let mut l = self.additive()?;
        let mut chained = 0u32;
        loop {
            let sp = self.span();
            let op = match self.peek() {
                Tok::Sym("=") => BinOp::Eq,
                Tok::Sym("<>") | Tok::Sym("!=") => BinOp::Ne,
                Tok::Sym("<") => BinOp::Lt,
                Tok::Sym("<=") => BinOp::Le,
                Tok::Sym(">") => BinOp::Gt,
                Tok::Sym(">=") => BinOp::Ge,
                Tok::Sym("=~") => {
                    return Err(QueryError::not_implemented(
                        sp,
                        "regular expressions (=~); use contains, startsWith or endsWith",
                    ))
                }
                _ if self.is_kw("IN") => BinOp::In,
                _ if self.is_kw("CONTAINS") => BinOp::Contains,
                _ if self.is_kw("STARTS") => BinOp::StartsWith,
                _ if self.is_kw("ENDS") => BinOp::EndsWith,
                _ if self.is_kw("IS") => {
                    self.bump();
                    let negated = self.eat_kw("NOT");
                    self.expect_kw("NULL", "NULL after IS / IS NOT")?;
                    self.chain(&mut chained)?;
                    l = Expr::new(ExprKind::IsNull(Box::new(l), negated), sp);
                    continue;
                }
                _ => {
                    self.unchain(chained);
                    return Ok(l);
                }
            };
            self.bump();
            if matches!(op, BinOp::StartsWith | BinOp::EndsWith) {
                self.expect_kw("WITH", "WITH after STARTS / ENDS")?;
            }
            let r = self.additive()?;
            self.chain(&mut chained)?;
            l = Expr::new(ExprKind::Bin(op, Box::new(l), Box::new(r)), sp);
        }
    }

    /// An expression without comparisons or logic (`+ - * /` and below), for bounds that are
    /// followed by a keyword such as AND.
    pub(super) fn additive_expr(&mut self) -> QResult<Expr> {
        self.enter()?;
        let e = self.additive();
        self.leave();
        e
    }

    fn additive(&mut self) -> QResult<Expr> {
        let mut l = self.multiplicative()?;
        let mut chained = 0u32;
        loop {
            let sp = self.span();
            let op = match self.peek() {
                Tok::Sym("+") => BinOp::Add,
                Tok::Sym("-") => BinOp::Sub,
                _ => {
                    self.unchain(chained);
                    return Ok(l);
                }
            };
            self.bump();
            let r = self.multiplicative()?;
            self.chain(&mut chained)?;
            l = Expr::new(ExprKind::Bin(op, Box::new(l), Box::new(r)), sp);
        }
    }

    fn multiplicative(&mut self) -> QResult<Expr> {
        let mut l = self.unary()?;
        let mut chained = 0u32;
        loop {
            let sp = self.span();
            let op = match self.peek() {
                Tok::Sym("*") => BinOp::Mul,
                Tok::Sym("/") => BinOp::Div,
                Tok::Sym("%") => BinOp::Mod,
                _ => {
                    self.unchain(chained);
                    return Ok(l);
                }
            };
            self.bump();
            let r = self.unary()?;
            self.chain(&mut chained)?;
            l = Expr::new(ExprKind::Bin(op, Box::new(l), Box::new(r)), sp);
        }
    }

    /// Unary minus or plus, then postfix.
    pub(super) fn unary(&mut self) -> QResult<Expr> {
        let sp = self.span();
        if self.eat("-") {
            self.enter()?;
            let e = self.unary();
            self.leave();
            return Ok(Expr::new(ExprKind::Neg(Box::new(e?)), sp));
        }
        if self.eat("+") {
            return self.unary();
        }
        self.postfix()
    }

    fn postfix(&mut self) -> QResult<Expr> {
        let mut e = self.primary()?;
        let mut chained = 0u32;
        loop {
            let sp = self.span();
            if self.eat(".") {
                let name = self.ident("a property name after '.'")?;
                self.chain(&mut chained)?;
                e = Expr::new(ExprKind::Prop(Box::new(e), name), sp);
            } else if self.is_sym(":") && matches!(self.peek_at(1), Tok::Ident(_)) {
                // Label predicate `n:Account`.
                self.bump();
                let label = self.ident("a label")?;
                self.chain(&mut chained)?;
                let args = vec![e, Expr::new(ExprKind::Lit(Value::str(&label)), sp)];
                e = Expr::new(ExprKind::Call { name: "has_label".into(), distinct: false, args }, sp);
            } else if self.eat("[") {
                let i = self.expr()?;
                self.expect("]", "']' after the index")?;
                self.chain(&mut chained)?;
                e = Expr::new(ExprKind::Index(Box::new(e), Box::new(i)), sp);
            } else {
                {
                    self.unchain(chained);
                    return Ok(e);
                }
            }
        }
    }

    fn primary(&mut self) -> QResult<Expr> {
        let sp = self.span();
        let lit = |v| Ok(Expr::new(ExprKind::Lit(v), sp));
        match self.peek().clone() {
            Tok::Num(n) => {
                self.bump();
                lit(Value::Num(n))
            }
            Tok::Str(s) => {
                self.bump();
                lit(Value::Str(s.into()))
            }
            Tok::Param(p) => {
                self.bump();
                Ok(Expr::new(ExprKind::Param(p), sp))
            }
            Tok::Sym("(") => {
                self.bump();
                let e = self.expr()?;
                self.expect(")", "')' to close the parenthesis")?;
                Ok(e)
            }
            Tok::Sym("[") => self.list_or_comprehension(),
            Tok::Sym("{") => {
                self.bump();
                let mut items = Vec::new();
                if !self.eat("}") {
                    loop {
                        let k = self.ident("a key in the map")?;
                        self.expect(":", "':' after the map key")?;
                        items.push((k, self.expr()?));
                        if !self.eat(",") {
                            break;
                        }
                    }
                    self.expect("}", "'}' or ',' in the map")?;
                }
                Ok(Expr::new(ExprKind::Map(items), sp))
            }
            Tok::Ident(name) => self.named(name, sp),
            _ => Err(self.expected("an expression")),
        }
    }

    fn named(&mut self, name: String, sp: crate::query::common::Span) -> QResult<Expr> {
        let lower = name.to_ascii_lowercase();
        let quoted_or_call = self.is_sym_at(1, "(");
        match lower.as_str() {
            "true" | "false" | "null" if !quoted_or_call => {
                self.bump();
                let v = match lower.as_str() {
                    "true" => Value::Bool(true),
                    "false" => Value::Bool(false),
                    _ => Value::Null,
                };
                return Ok(Expr::new(ExprKind::Lit(v), sp));
            }
            "case" => return self.case_expr(),
            "exists" if self.is_sym_at(1, "{") => {
                self.bump();
                self.bump();
                let mut pats = vec![self.pattern()?];
                while self.eat(",") {
                    pats.push(self.pattern()?);
                }
                let filter = if self.eat_kw("WHERE") { Some(Box::new(self.expr()?)) } else { None };
                self.expect("}", "'}' to close exists { }")?;
                return Ok(Expr::new(ExprKind::Exists(pats, filter), sp));
            }
            _ => {}
        }
        self.bump();
        if !self.eat("(") {
            return Ok(Expr::new(ExprKind::Var(name), sp));
        }
        if lower == "count" && self.eat("*") {
            self.expect(")", "')' after count(*")?;
            return Ok(Expr::new(ExprKind::CountStar, sp));
        }
        if lower == "reduce" {
            let acc = self.ident("an accumulator name (reduce(acc = 1, x IN list | acc * x))")?;
            self.expect("=", "'=' and the initial value")?;
            let init = self.expr()?;
            self.expect(",", "',' after the initial value")?;
            let var = self.ident("a variable")?;
            self.expect_kw("IN", "IN after the variable")?;
            let list = self.expr()?;
            self.expect("|", "'|' and the expression")?;
            let expr = self.expr()?;
            self.expect(")", "')' to close reduce")?;
            let k = ExprKind::Reduce { acc, init: Box::new(init), var, list: Box::new(list), expr: Box::new(expr) };
            return Ok(Expr::new(k, sp));
        }
        if matches!(lower.as_str(), "all" | "any" | "none" | "single") {
            let var = self.ident("a variable (all(x IN list WHERE predicate))")?;
            self.expect_kw("IN", "IN after the variable")?;
            let list = self.expr()?;
            self.expect_kw("WHERE", "WHERE and a predicate")?;
            let pred = self.expr()?;
            self.expect(")", "')' to close the quantifier")?;
            let k = ExprKind::Quantifier { q: lower, var, list: Box::new(list), pred: Box::new(pred) };
            return Ok(Expr::new(k, sp));
        }
        let distinct = self.eat_kw("DISTINCT");
        let mut args = Vec::new();
        if !self.eat(")") {
            args.push(self.expr()?);
            while self.eat(",") {
                args.push(self.expr()?);
            }
            self.expect(")", "')' or ',' in the argument list")?;
        }
        Ok(Expr::new(ExprKind::Call { name: lower, distinct, args }, sp))
    }

    fn list_or_comprehension(&mut self) -> QResult<Expr> {
        let sp = self.span();
        self.bump();
        if matches!(self.peek(), Tok::Ident(_)) && self.is_kw_at(1, "IN") {
            let var = self.ident("a variable")?;
            self.bump();
            let list = self.expr()?;
            let filter = if self.eat_kw("WHERE") { Some(Box::new(self.expr()?)) } else { None };
            let map = if self.eat("|") { Some(Box::new(self.expr()?)) } else { None };
            self.expect("]", "']' to close the list comprehension")?;
            return Ok(Expr::new(ExprKind::Comprehension { var, list: Box::new(list), filter, map }, sp));
        }
        let mut items = Vec::new();
        if !self.eat("]") {
            loop {
                items.push(self.expr()?);
                if !self.eat(",") {
                    break;
                }
            }
            self.expect("]", "']' or ',' in the list")?;
        }
        Ok(Expr::new(ExprKind::List(items), sp))
    }

    fn case_expr(&mut self) -> QResult<Expr> {
        let sp = self.span();
        self.bump();
        let mut arms = Vec::new();
        while self.eat_kw("WHEN") {
            let c = self.expr()?;
            self.expect_kw("THEN", "THEN after the WHEN condition")?;
            arms.push((c, self.expr()?));
        }
        if arms.is_empty() {
            return Err(self.expected("WHEN after CASE (only the searched form CASE WHEN c THEN v END is supported)"));
        }
        let other = if self.eat_kw("ELSE") { Some(Box::new(self.expr()?)) } else { None };
        self.expect_kw("END", "END to close CASE")?;
        Ok(Expr::new(ExprKind::Case(arms, other), sp))
    }
}
