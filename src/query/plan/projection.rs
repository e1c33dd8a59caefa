//! Planning of WITH and RETURN: projection, DISTINCT, aggregation, ORDER BY, SKIP and LIMIT.
//!
//! Without aggregation or DISTINCT, sorting happens before the projection (so ORDER BY may use
//! any variable in scope as well as the new column names); otherwise after it, over the
//! projected columns.

use super::catalog;
use super::logical::*;
use super::planner::{has_aggregate, Planner};
use crate::query::common::{QResult, QueryError};
use crate::query::parse::ast::*;

impl Planner<'_> {
    /// Plans a projection; returns the plan and the new scope (the column names).
    pub(super) fn projection(
        &mut self,
        input: LogicalPlan,
        scope: &[String],
        proj: &Projection,
    ) -> QResult<(LogicalPlan, Vec<String>)> {
        let mut items: Vec<(Expr, String, String)> = proj.items.clone();
        if proj.star {
            for name in scope.iter().filter(|s| !s.starts_with(' ')) {
                items.push((Expr::new(ExprKind::Var(name.clone()), proj.span), name.clone(), name.clone()));
            }
            if items.is_empty() {
                return Err(QueryError::plan(proj.span, "RETURN * with no variables in scope"));
            }
        }
        let names: Vec<String> = items.iter().map(|i| i.1.clone()).collect();
        for (i, n) in names.iter().enumerate() {
            if names[..i].contains(n) {
                return Err(QueryError::plan(
                    items[i].0.span,
                    format!("column name '{n}' is used twice; rename one with AS"),
                ));
            }
        }
        let aggregating = items.iter().any(|i| has_aggregate(&i.0));
        let plan = if !aggregating && !proj.distinct {
            self.sort_then_project(input, scope, proj, &items)?
        } else {
            self.project_then_sort(input, scope, proj, &items, &names, aggregating)?
        };
        self.relabel(&items, scope);
        Ok((plan, names))
    }

    /// Without aggregation or DISTINCT: sort, skip and limit over the input rows, then project.
    fn sort_then_project(
        &mut self,
        mut plan: LogicalPlan,
        scope: &[String],
        proj: &Projection,
        items: &[(Expr, String, String)],
    ) -> QResult<LogicalPlan> {
        if !proj.order.is_empty() {
            let mut keys = Vec::new();
            for (e, asc, text) in &proj.order {
                // A returned column name or the text of a returned expression means that expression.
                let e = match items.iter().find(|(_, n, t)| matches!(&e.kind, ExprKind::Var(v) if v == n) || t == text)
                {
                    Some((ie, _, _)) => ie.clone(),
                    None => e.clone(),
                };
                let mut e = e;
                self.resolve(&mut e, scope)?;
                keys.push((e, *asc));
            }
            plan = LogicalPlan::Sort { input: Box::new(plan), keys };
        }
        plan = self.skip_limit(plan, proj)?;
        let out = self.resolve_items(items, scope)?;
        Ok(LogicalPlan::Project { input: Box::new(plan), items: out })
    }

    /// With aggregation or DISTINCT: project (aggregating), then DISTINCT, then sort, skip and
    /// limit over the returned columns only.
    fn project_then_sort(
        &mut self,
        mut plan: LogicalPlan,
        scope: &[String],
        proj: &Projection,
        items: &[(Expr, String, String)],
        names: &[String],
        aggregating: bool,
    ) -> QResult<LogicalPlan> {
        plan = if aggregating {
            self.aggregation(plan, scope, items)?
        } else {
            let out = self.resolve_items(items, scope)?;
            LogicalPlan::Project { input: Box::new(plan), items: out }
        };
        if proj.distinct {
            plan = LogicalPlan::Distinct { input: Box::new(plan) };
        }
        if !proj.order.is_empty() {
            let mut keys = Vec::new();
            for (e, asc, text) in &proj.order {
                let mut e = match items.iter().position(|(_, n, t)| t == text || n == text) {
                    Some(i) => Expr::new(ExprKind::Slot(i, names[i].clone()), e.span),
                    None => e.clone(),
                };
                self.resolve(&mut e, names).map_err(|err| {
                    QueryError::plan(
                        e.span,
                        format!(
                            "{}; after DISTINCT or aggregation ORDER BY may only use the returned columns",
                            err.message
                        ),
                    )
                })?;
                keys.push((e, *asc));
            }
            plan = LogicalPlan::Sort { input: Box::new(plan), keys };
        }
        self.skip_limit(plan, proj)
    }

    /// The items resolved over `scope`, with their names.
    fn resolve_items(&mut self, items: &[(Expr, String, String)], scope: &[String]) -> QResult<Vec<(Expr, String)>> {
        let mut out = Vec::new();
        for (e, n, _) in items {
            let mut e = e.clone();
            self.resolve(&mut e, scope)?;
            out.push((e, n.clone()));
        }
        Ok(out)
    }

    /// `Aggregate` grouped by the items without an aggregate, then a `Project` that computes each
    /// item over the aggregated row (keys then aggregates).
    fn aggregation(
        &mut self,
        plan: LogicalPlan,
        scope: &[String],
        items: &[(Expr, String, String)],
    ) -> QResult<LogicalPlan> {
        let mut keys = Vec::new();
        for (e, n, _) in items.iter().filter(|i| !has_aggregate(&i.0)) {
            let mut e = e.clone();
            self.resolve(&mut e, scope)?;
            keys.push((e, n.clone()));
        }
        let k = keys.len();
        let mut aggs = Vec::new();
        let mut out = Vec::new();
        let mut key_i = 0;
        for (e, n, _) in items {
            if has_aggregate(e) {
                let mut e = e.clone();
                self.extract_aggs(&mut e, scope, k, &mut aggs)?;
                out.push((e, n.clone()));
            } else {
                out.push((Expr::new(ExprKind::Slot(key_i, n.clone()), e.span), n.clone()));
                key_i += 1;
            }
        }
        let plan = LogicalPlan::Aggregate { input: Box::new(plan), keys, aggs };
        // The aggregated row is keys then aggregates; resolve the items over it.
        let mut post_scope: Vec<String> = items.iter().filter(|i| !has_aggregate(&i.0)).map(|i| i.1.clone()).collect();
        post_scope.extend((0..out.len()).map(|j| format!(" agg{j}")));
        for (e, _) in &mut out {
            self.resolve(e, &post_scope)?;
        }
        Ok(LogicalPlan::Project { input: Box::new(plan), items: out })
    }

    /// Keeps the known labels of variables passed through unchanged (`WITH a, b`).
    fn relabel(&mut self, items: &[(Expr, String, String)], _scope: &[String]) {
        let mut next = std::collections::HashMap::new();
        for (e, n, _) in items {
            if let ExprKind::Var(v) = &e.kind {
                if let Some(l) = self.labels.get(v) {
                    next.insert(n.clone(), *l);
                }
            }
        }
        self.labels = next;
    }

    fn skip_limit(&mut self, mut plan: LogicalPlan, proj: &Projection) -> QResult<LogicalPlan> {
        if let Some(s) = &proj.skip {
            let mut s = s.clone();
            self.resolve(&mut s, &[])?;
            plan = LogicalPlan::Skip { input: Box::new(plan), n: s };
        }
        if let Some(l) = &proj.limit {
            let mut l = l.clone();
            self.resolve(&mut l, &[])?;
            plan = LogicalPlan::Limit { input: Box::new(plan), n: l };
        }
        Ok(plan)
    }

    /// Replaces each aggregate call in `e` by a reference to its output column (`k + j`).
    fn extract_aggs(&mut self, e: &mut Expr, scope: &[String], k: usize, aggs: &mut Vec<AggSpec>) -> QResult<()> {
        use ExprKind::*;
        let span = e.span;
        match &mut e.kind {
            CountStar => {
                aggs.push(AggSpec { func: "count".into(), distinct: false, arg: None });
                e.kind = AggRef(k + aggs.len() - 1, "count(*)".into());
            }
            Call { name, distinct, args } if catalog::is_aggregate(name) => {
                catalog::check(name, args.len()).map_err(|m| QueryError::plan(span, m))?;
                let mut arg = args
                    .first()
                    .cloned()
                    .ok_or_else(|| QueryError::plan(span, format!("{name}() needs an argument")))?;
                if has_aggregate(&arg) {
                    return Err(QueryError::plan(span, "aggregates cannot be nested"));
                }
                self.resolve(&mut arg, scope)?;
                let label = format!("{name}({}{arg})", if *distinct { "DISTINCT " } else { "" });
                aggs.push(AggSpec { func: name.clone(), distinct: *distinct, arg: Some(arg) });
                e.kind = AggRef(k + aggs.len() - 1, label);
            }
            Call { args, .. } | List(args) => {
                for a in args {
                    self.extract_aggs(a, scope, k, aggs)?;
                }
            }
            Prop(x, _) | Not(x) | Neg(x) | IsNull(x, _) => self.extract_aggs(x, scope, k, aggs)?,
            Index(a, b) | Bin(_, a, b) => {
                self.extract_aggs(a, scope, k, aggs)?;
                self.extract_aggs(b, scope, k, aggs)?;
            }
            Map(items) => {
                for (_, a) in items {
                    self.extract_aggs(a, scope, k, aggs)?;
                }
            }
            Case(arms, other) => {
                for (c, v) in arms {
                    self.extract_aggs(c, scope, k, aggs)?;
                    self.extract_aggs(v, scope, k, aggs)?;
                }
                if let Some(o) = other {
                    self.extract_aggs(o, scope, k, aggs)?;
                }
            }
            _ => {}
        }
        Ok(())
    }
}
