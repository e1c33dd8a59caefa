//! Parsing of path patterns: nodes, relationships, variable length and the temporal
//! qualifiers of TRANSFER paths (`ASCENDING TIME`, `WITHIN 60 DAYS`, `MAX GAP 2 DAYS`,
//! `RETENTION 0.8..1.0`, `NO REPEAT`).

use super::ast::*;
use super::lexer::Tok;
use super::parser::Parser;
use crate::query::common::Value;
use crate::query::common::{QResult, QueryError};

/// Largest hop count of a variable-length pattern.
pub const MAX_HOPS: u32 = 16;

impl Parser<'_> {
    /// `[p =] (a)-[r]->(b)...`
    pub(super) fn pattern(&mut self) -> QResult<Pattern> {
        self.enter()?;
        let mut path_var = None;
        if matches!(self.peek(), Tok::Ident(_)) && self.is_sym_at(1, "=") {
            path_var = Some(self.ident("a path variable")?);
            self.bump();
        }
        let start = self.node_pat()?;
        let mut steps = Vec::new();
        while self.is_sym("-") || (self.is_sym("<") && self.is_sym_at(1, "-")) {
            self.count_op()?;
            let rel = self.rel_pat()?;
            let node = self.node_pat()?;
            steps.push((rel, node));
        }
        self.leave();
        Ok(Pattern { path_var, start, steps })
    }

    fn node_pat(&mut self) -> QResult<NodePat> {
        let span = self.span();
        self.expect("(", "'(' to start a node pattern")?;
        let var = match self.peek() {
            Tok::Ident(_) => Some(self.ident("a variable")?),
            _ => None,
        };
        let mut labels = Vec::new();
        while self.eat(":") {
            labels.push(self.ident("a label after ':' (Person, Company, Account, Property, Cash)")?);
        }
        let props = if self.is_sym("{") { self.prop_map()? } else { Vec::new() };
        self.expect(")", "')' to close the node pattern")?;
        Ok(NodePat { var, labels, props, span })
    }

    fn prop_map(&mut self) -> QResult<Vec<(String, Expr)>> {
        self.expect("{", "'{'")?;
        let mut out = Vec::new();
        if self.eat("}") {
            return Ok(out);
        }
        loop {
            let k = self.ident("a property name")?;
            self.expect(":", "':' after the property name")?;
            out.push((k, self.expr()?));
            if !self.eat(",") {
                break;
            }
        }
        self.expect("}", "'}' or ',' in the property map")?;
        Ok(out)
    }

    fn rel_pat(&mut self) -> QResult<RelPat> {
        let span = self.span();
        let left_arrow = self.eat("<");
        self.expect("-", "'-' in a relationship pattern")?;
        let mut rel = RelPat {
            var: None,
            types: Vec::new(),
            dir: Dir::Both,
            range: None,
            props: Vec::new(),
            temporal: Temporal::default(),
            span,
        };
        if self.eat("[") {
            self.rel_body(&mut rel)?;
            self.expect("]", "']' to close the relationship pattern, or a temporal qualifier (ASCENDING TIME, WITHIN, MAX GAP, RETENTION, NO REPEAT)")?;
        }
        self.expect("-", "'-' after the relationship")?;
        let right_arrow = self.eat(">");
        rel.dir = match (left_arrow, right_arrow) {
            (false, true) => Dir::Out,
            (true, false) => Dir::In,
            (false, false) => Dir::Both,
            (true, true) => {
                return Err(QueryError::parse(
                    span,
                    "a relationship cannot point both ways; write -[]-> , <-[]- or -[]-",
                ))
            }
        };
        Ok(rel)
    }

    fn rel_body(&mut self, rel: &mut RelPat) -> QResult<()> {
        if let Tok::Ident(_) = self.peek() {
            if !self.is_temporal_kw() {
                rel.var = Some(self.ident("a variable")?);
            }
        }
        if self.eat(":") {
            loop {
                rel.types.push(self.ident("a relationship type (TRANSFER, HOLDS, OWNS, DIRECTS, TITLE, RELATED)")?);
                if !self.eat("|") {
                    break;
                }
                let _ = self.eat(":");
            }
        }
        if self.eat("*") {
            let sp = self.span();
            let mut lo = 1;
            let mut hi = None;
            if let Tok::Num(n) = self.peek() {
                lo = hops(*n, sp)?;
                self.bump();
                hi = Some(lo);
            }
            if self.eat("..") {
                hi = None;
                if let Tok::Num(n) = self.peek() {
                    hi = Some(hops(*n, self.span())?);
                    self.bump();
                }
            }
            let hi = match hi {
                Some(h) => h,
                None => {
                    return Err(QueryError::parse(
                        sp,
                        format!("a variable-length pattern needs an upper bound (at most {MAX_HOPS}), e.g. *1..5"),
                    ))
                }
            };
            if hi < lo || hi > MAX_HOPS {
                return Err(QueryError::parse(
                    sp,
                    format!("expected a hop range min..max with min <= max <= {MAX_HOPS}"),
                ));
            }
            rel.range = Some((lo, hi));
        }
        if self.is_sym("{") {
            rel.props = self.prop_map()?;
        }
        self.temporal(&mut rel.temporal)
    }

    fn is_temporal_kw(&self) -> bool {
        ["ASCENDING", "WITHIN", "MAX", "RETENTION", "NO", "BETWEEN", "SHORTEST"].iter().any(|k| self.is_kw(k))
    }

    fn temporal(&mut self, t: &mut Temporal) -> QResult<()> {
        loop {
            if self.eat_kw("ASCENDING") {
                let _ = self.eat_kw("TIME");
                t.ascending = true;
            } else if self.eat_kw("WITHIN") {
                t.within = Some(self.duration_arg()?);
            } else if self.eat_kw("MAX") {
                self.expect_kw("GAP", "GAP after MAX (MAX GAP 2 DAYS)")?;
                t.max_gap = Some(self.duration_arg()?);
            } else if self.eat_kw("RETENTION") {
                let lo = self.unary()?;
                self.expect("..", "'..' between the retention bounds (RETENTION 0.8..1.0)")?;
                let hi = self.unary()?;
                t.retention = Some((lo, hi));
            } else if self.eat_kw("BETWEEN") {
                let lo = self.additive_expr()?;
                self.expect_kw("AND", "AND between the two times (BETWEEN date('2024-01-01') AND date('2024-06-30'))")?;
                let hi = self.additive_expr()?;
                t.between = Some((lo, hi));
            } else if self.eat_kw("SHORTEST") {
                t.shortest = true;
            } else if self.eat_kw("NO") {
                self.expect_kw("REPEAT", "REPEAT after NO (NO REPEAT)")?;
                t.no_repeat = true;
            } else {
                return Ok(());
            }
        }
    }

    /// `60 DAYS`, `12 HOURS`, `duration('P2D')`, `$window`.
    fn duration_arg(&mut self) -> QResult<Expr> {
        let span = self.span();
        if let Tok::Num(n) = self.peek() {
            let n = *n;
            if let Tok::Ident(unit) = self.peek_at(1) {
                let secs: i64 = match unit.to_ascii_lowercase().trim_end_matches('s') {
                    "week" => 7 * 86_400,
                    "day" => 86_400,
                    "hour" => 3_600,
                    "minute" => 60,
                    "second" => 1,
                    _ => {
                        return Err(QueryError::parse(
                            self.span(),
                            "expected a unit: DAYS, HOURS, MINUTES, SECONDS or WEEKS",
                        ))
                    }
                };
                self.bump();
                self.bump();
                let s = n
                    .checked_mul(rust_decimal::Decimal::from(secs))
                    .and_then(|total| i64::try_from(total.trunc()).ok())
                    .ok_or_else(|| QueryError::parse(span, "duration out of range"))?;
                return Ok(Expr::new(ExprKind::Lit(Value::Duration(s)), span));
            }
        }
        self.unary()
    }
}

fn hops(n: rust_decimal::Decimal, sp: crate::query::common::Span) -> QResult<u32> {
    if n.fract() != rust_decimal::Decimal::ZERO || n > rust_decimal::Decimal::from(MAX_HOPS) {
        return Err(QueryError::parse(sp, format!("expected a whole hop count up to {MAX_HOPS}")));
    }
    use rust_decimal::prelude::ToPrimitive;
    n.to_u32().ok_or_else(|| QueryError::parse(sp, "expected a hop count"))
}
