//! The planner: resolves variables to row slots, checks labels, types, properties, functions
//! and parameters against the case, anchors patterns on their most selective node, pushes
//! WHERE conjuncts down to the first point where their variables are bound, and builds the
//! [`LogicalPlan`].

use super::catalog::{self, LABELS, TYPES};
use super::logical::*;
use crate::model::Case;
use crate::query::common::Value;
use crate::query::common::{QResult, QueryError, Span};
use crate::query::parse::ast::*;
use std::collections::HashMap;

/// A planned query: the plan and the names of its result columns.
#[derive(Clone, Debug)]
pub struct Planned {
    /// The plan.
    pub plan: LogicalPlan,
    /// Result column names.
    pub columns: Vec<String>,
}

/// Plans a parsed query against a case and the given parameter values.
///
/// # Errors
/// A `Plan` error with the position of the unknown name, label, property, function or missing
/// parameter and what is known instead.
pub fn plan(q: &Query, case: &Case, params: &HashMap<String, Value>) -> QResult<Planned> {
    let mut p = Planner { case, params, anon: 0, labels: HashMap::new() };
    let mut plan = LogicalPlan::Unit;
    let mut scope: Vec<String> = Vec::new();
    let mut columns = Vec::new();
    for c in &q.clauses {
        match c {
            Clause::Match { patterns, filter, optional: false } => {
                plan = p.plan_match(plan, &mut scope, patterns, filter.as_ref())?;
            }
            Clause::Match { patterns, filter, optional: true } => {
                let mut sub_scope = scope.clone();
                let arg = LogicalPlan::Argument { width: scope.len() };
                let sub = p.plan_match(arg, &mut sub_scope, patterns, filter.as_ref())?;
                let vars = sub_scope[scope.len()..].to_vec();
                plan = LogicalPlan::Optional { input: Box::new(plan), sub: Box::new(sub), vars };
                scope = sub_scope;
            }
            Clause::With { proj, filter } => {
                let (pl, sc) = p.projection(plan, &scope, proj)?;
                plan = pl;
                scope = sc;
                if let Some(f) = filter {
                    let mut f = f.clone();
                    p.resolve(&mut f, &scope)?;
                    plan = LogicalPlan::Filter { input: Box::new(plan), pred: f };
                }
            }
            Clause::Unwind { expr, var } => {
                let mut e = expr.clone();
                p.resolve(&mut e, &scope)?;
                scope.push(var.clone());
                plan = LogicalPlan::Unwind { input: Box::new(plan), expr: e, var: var.clone() };
            }
            Clause::Call { name, args, yields, filter, span } => {
                let Some(columns) = catalog::procedure_columns(name) else {
                    return Err(QueryError::plan(
                        *span,
                        format!("unknown procedure '{name}'; known: detect, counterparts"),
                    ));
                };
                let mut a = args.clone();
                for x in &mut a {
                    p.resolve(x, &scope)?;
                }
                let mut ys = Vec::new();
                let yields: Vec<(String, String)> = if yields.is_empty() {
                    columns.iter().map(|c| (c.to_string(), c.to_string())).collect()
                } else {
                    yields.clone()
                };
                for (col, alias) in &yields {
                    let i = columns.iter().position(|c| c == col).ok_or_else(|| {
                        QueryError::plan(*span, format!("{name} yields no '{col}'; it yields {}", columns.join(", ")))
                    })?;
                    ys.push((i, alias.clone()));
                    scope.push(alias.clone());
                }
                plan = LogicalPlan::Call { input: Box::new(plan), name: name.clone(), args: a, yields: ys };
                if let Some(f) = filter {
                    let mut f = f.clone();
                    p.resolve(&mut f, &scope)?;
                    plan = LogicalPlan::Filter { input: Box::new(plan), pred: f };
                }
            }
            Clause::Return(proj) => {
                let (pl, sc) = p.projection(plan, &scope, proj)?;
                plan = pl;
                columns = sc;
                scope = columns.clone();
            }
        }
    }
    Ok(Planned { plan, columns })
}

pub(super) struct Planner<'a> {
    pub(super) case: &'a Case,
    params: &'a HashMap<String, Value>,
    anon: usize,
    /// Known label or type of each named variable, for property checks.
    pub(super) labels: HashMap<String, Label>,
}

/// Slot of `name` in `scope` (the latest binding).
pub(super) fn slot_of(scope: &[String], name: &str) -> Option<usize> {
    scope.iter().rposition(|s| s == name)
}

/// Variable names an expression mentions.
pub(super) fn vars_of(e: &Expr, out: &mut Vec<String>) {
    use ExprKind::*;
    match &e.kind {
        Var(v) => out.push(v.clone()),
        Prop(x, _) | Not(x) | Neg(x) | IsNull(x, _) => vars_of(x, out),
        Index(a, b) | Bin(_, a, b) => {
            vars_of(a, out);
            vars_of(b, out);
        }
        Call { args, .. } | List(args) => args.iter().for_each(|a| vars_of(a, out)),
        Map(items) => items.iter().for_each(|(_, a)| vars_of(a, out)),
        Case(arms, other) => {
            for (c, v) in arms {
                vars_of(c, out);
                vars_of(v, out);
            }
            if let Some(o) = other {
                vars_of(o, out);
            }
        }
        Exists(pats, f) => {
            for p in pats.iter() {
                let nodes = std::iter::once(&p.start).chain(p.steps.iter().map(|s| &s.1));
                out.extend(nodes.filter_map(|n| n.var.clone()));
                for n in std::iter::once(&p.start).chain(p.steps.iter().map(|s| &s.1)) {
                    n.props.iter().for_each(|(_, x)| vars_of(x, out));
                }
            }
            if let Some(f) = f {
                vars_of(f, out);
            }
        }
        Comprehension { var, list, filter, map } => {
            vars_of(list, out);
            let mut inner = Vec::new();
            if let Some(f) = filter {
                vars_of(f, &mut inner);
            }
            if let Some(m) = map {
                vars_of(m, &mut inner);
            }
            out.extend(inner.into_iter().filter(|v| v != var));
        }
        Quantifier { var, list, pred, .. } => {
            vars_of(list, out);
            let mut inner = Vec::new();
            vars_of(pred, &mut inner);
            out.extend(inner.into_iter().filter(|v| v != var));
        }
        Reduce { acc, init, var, list, expr } => {
            vars_of(init, out);
            vars_of(list, out);
            let mut inner = Vec::new();
            vars_of(expr, &mut inner);
            out.extend(inner.into_iter().filter(|v| v != var && v != acc));
        }
        Lit(_) | Param(_) | Slot(..) | AggRef(..) | CountStar | ExistsPlan(_) => {}
    }
}

/// True when the expression contains an aggregate call.
pub(super) fn has_aggregate(e: &Expr) -> bool {
    use ExprKind::*;
    match &e.kind {
        CountStar => true,
        Call { name, args, .. } => catalog::is_aggregate(name) || args.iter().any(has_aggregate),
        Prop(x, _) | Not(x) | Neg(x) | IsNull(x, _) => has_aggregate(x),
        Index(a, b) | Bin(_, a, b) => has_aggregate(a) || has_aggregate(b),
        List(items) => items.iter().any(has_aggregate),
        Map(items) => items.iter().any(|(_, x)| has_aggregate(x)),
        Case(arms, other) => {
            arms.iter().any(|(c, v)| has_aggregate(c) || has_aggregate(v))
                || other.as_deref().is_some_and(has_aggregate)
        }
        _ => false,
    }
}

impl Planner<'_> {
    pub(super) fn fresh(&mut self, what: &str) -> String {
        self.anon += 1;
        format!(" {what}{}", self.anon)
    }

    /// Resolves variables to slots, checks functions, parameters and properties, and plans
    /// `exists { }` sub-queries.
    pub(super) fn resolve(&mut self, e: &mut Expr, scope: &[String]) -> QResult<()> {
        self.resolve_in(e, scope, false)
    }

    pub(super) fn resolve_in(&mut self, e: &mut Expr, scope: &[String], in_agg: bool) -> QResult<()> {
        use ExprKind::*;
        let span = e.span;
        match &mut e.kind {
            Var(v) => {
                let i = slot_of(scope, v).ok_or_else(|| unknown_var(span, v, scope))?;
                e.kind = Slot(i, v.clone());
            }
            Param(p) => {
                if !self.params.contains_key(p.as_str()) {
                    return Err(QueryError::plan(span, format!("missing parameter ${p}: pass --param {p}=VALUE")));
                }
            }
            Prop(x, name) => {
                if let Var(v) = &x.kind {
                    if let Some(label) = self.labels.get(v) {
                        if !catalog::has(self.case, label, name) {
                            let known = catalog::all_known(self.case, label);
                            return Err(QueryError::plan(
                                span,
                                format!("{label} has no property '{name}'; known: {}", known.join(", ")),
                            ));
                        }
                    }
                }
                self.resolve_in(x, scope, in_agg)?;
            }
            Index(a, b) | Bin(_, a, b) => {
                self.resolve_in(a, scope, in_agg)?;
                self.resolve_in(b, scope, in_agg)?;
            }
            Not(x) | Neg(x) | IsNull(x, _) => self.resolve_in(x, scope, in_agg)?,
            Call { name, args, .. } => {
                if catalog::is_aggregate(name) && !in_agg {
                    return Err(QueryError::plan(
                        span,
                        format!("aggregate {name}() is only allowed in RETURN or WITH items"),
                    ));
                }
                catalog::check(name, args.len()).map_err(|m| QueryError::plan(span, m))?;
                if name == "has_label" {
                    if let Some(Expr { kind: Lit(Value::Str(l)), span: lsp }) = args.get(1) {
                        let l = self.label(l, *lsp)?;
                        args[1] = Expr::new(Lit(Value::str(l)), *lsp);
                    }
                }
                for a in args {
                    self.resolve_in(a, scope, false)?;
                }
            }
            CountStar => {
                if !in_agg {
                    return Err(QueryError::plan(span, "count(*) is only allowed in RETURN or WITH items"));
                }
            }
            List(items) => {
                for a in items {
                    self.resolve_in(a, scope, in_agg)?;
                }
            }
            Map(items) => {
                for (_, a) in items {
                    self.resolve_in(a, scope, in_agg)?;
                }
            }
            Case(arms, other) => {
                for (c, v) in arms {
                    self.resolve_in(c, scope, in_agg)?;
                    self.resolve_in(v, scope, in_agg)?;
                }
                if let Some(o) = other {
                    self.resolve_in(o, scope, in_agg)?;
                }
            }
            Exists(pats, filter) => {
                let mut sub_scope = scope.to_vec();
                let input = LogicalPlan::Argument { width: scope.len() };
                let saved = self.labels.clone();
                let plan = self.plan_match(input, &mut sub_scope, pats, filter.as_deref())?;
                self.labels = saved;
                e.kind = ExistsPlan(std::sync::Arc::new(plan));
            }
            Comprehension { var, list, filter, map } => {
                self.resolve_in(list, scope, in_agg)?;
                let mut inner = scope.to_vec();
                inner.push(var.clone());
                if let Some(f) = filter {
                    self.resolve_in(f, &inner, in_agg)?;
                }
                if let Some(m) = map {
                    self.resolve_in(m, &inner, in_agg)?;
                }
            }
            Quantifier { var, list, pred, .. } => {
                self.resolve_in(list, scope, in_agg)?;
                let mut inner = scope.to_vec();
                inner.push(var.clone());
                self.resolve_in(pred, &inner, in_agg)?;
            }
            Reduce { acc, init, var, list, expr } => {
                self.resolve_in(init, scope, in_agg)?;
                self.resolve_in(list, scope, in_agg)?;
                let mut inner = scope.to_vec();
                inner.push(acc.clone());
                inner.push(var.clone());
                self.resolve_in(expr, &inner, in_agg)?;
            }
            Lit(_) | Slot(..) | AggRef(..) | ExistsPlan(_) => {}
        }
        Ok(())
    }

    /// A built-in label, or the label of a labelled node table of the case.
    pub(super) fn label(&self, name: &str, span: Span) -> QResult<Label> {
        if let Some(l) = LABELS.iter().find(|l| l.eq_ignore_ascii_case(name)) {
            return Ok(l);
        }
        let declared = self.case.labelled.nodes.iter().map(|t| t.label.as_str());
        if let Some(l) = declared.clone().find(|l| l.eq_ignore_ascii_case(name)) {
            return Ok(intern(l));
        }
        let known: Vec<&str> = LABELS.iter().copied().chain(declared).collect();
        Err(QueryError::plan(span, format!("unknown label '{name}'; known: {}", known.join(", "))))
    }

    /// A built-in relationship type, or the type of a labelled edge table of the case.
    pub(super) fn rel_type(&self, name: &str, span: Span) -> QResult<Label> {
        if let Some(t) = TYPES.iter().find(|l| l.eq_ignore_ascii_case(name)) {
            return Ok(t);
        }
        let declared = self.case.labelled.edges.iter().map(|t| t.rel_type.as_str());
        if let Some(t) = declared.clone().find(|l| l.eq_ignore_ascii_case(name)) {
            return Ok(intern(t));
        }
        let mut known: Vec<&str> = TYPES.iter().copied().chain(declared).collect();
        known.dedup();
        Err(QueryError::plan(span, format!("unknown relationship type '{name}'; known: {}", known.join(", "))))
    }
}

pub(super) fn unknown_var(span: Span, v: &str, scope: &[String]) -> QueryError {
    let visible: Vec<&str> = scope.iter().filter(|s| !s.starts_with(' ')).map(String::as_str).collect();
    let known = if visible.is_empty() { "none".to_string() } else { visible.join(", ") };
    QueryError::plan(span, format!("unknown variable '{v}'; in scope: {known}"))
}
