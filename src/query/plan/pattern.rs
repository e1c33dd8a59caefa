//! Planning of MATCH: anchoring each pattern on its most selective end (a bound variable, then
//! an id lookup), turning `v.id = const` conjuncts into id lookups, expanding step by step, and
//! placing each WHERE conjunct right after the operator that binds its last variable.

use super::catalog;
use super::logical::*;
use super::planner::{slot_of, vars_of, Planner};
use crate::query::common::{QResult, QueryError};
use crate::query::parse::ast::*;

/// Splits a predicate on AND.
fn split_and(e: &Expr, out: &mut Vec<Expr>) {
    if let ExprKind::Bin(BinOp::And, a, b) = &e.kind {
        split_and(a, out);
        split_and(b, out);
    } else {
        out.push(e.clone());
    }
}

/// `v.id = expr` with a variable-free `expr`: returns (v, expr).
fn id_equality(e: &Expr) -> Option<(String, Expr)> {
    let ExprKind::Bin(BinOp::Eq, a, b) = &e.kind else { return None };
    for (l, r) in [(a, b), (b, a)] {
        if let ExprKind::Prop(x, p) = &l.kind {
            if let ExprKind::Var(v) = &x.kind {
                let mut vs = Vec::new();
                vars_of(r, &mut vs);
                if p == "id" && vs.is_empty() && !matches!(r.kind, ExprKind::Exists(..)) {
                    return Some((v.clone(), (**r).clone()));
                }
            }
        }
    }
    None
}

/// `all(x IN nodes(p) WHERE x:Label)`: the label every node of path `p` must carry.
fn nodes_label(c: &Expr, p: &str) -> Option<String> {
    let ExprKind::Quantifier { q, var, list, pred } = &c.kind else { return None };
    let ExprKind::Call { name, args, .. } = &list.kind else { return None };
    if q != "all" || name != "nodes" || !matches!(args.as_slice(), [Expr { kind: ExprKind::Var(v), .. }] if v == p) {
        return None;
    }
    match &pred.kind {
        ExprKind::Call { name, args, .. } if name == "has_label" => match args.as_slice() {
            [Expr { kind: ExprKind::Var(x), .. }, Expr { kind: ExprKind::Lit(crate::query::common::Value::Str(l)), .. }]
                if x == var =>
            {
                Some(l.to_string())
            }
            _ => None,
        },
        _ => None,
    }
}

/// `v.booked_at OP e` (either side) with `e` bound in `scope`: (e, true for a lower bound).
fn time_bound(c: &Expr, v: &str, scope: &[String]) -> Option<(Expr, bool)> {
    let ExprKind::Bin(op, a, b) = &c.kind else { return None };
    let is_t = |x: &Expr| matches!(&x.kind, ExprKind::Prop(y, p) if p == "booked_at" && matches!(&y.kind, ExprKind::Var(n) if n == v));
    let bound = |x: &Expr| {
        let mut vs = Vec::new();
        vars_of(x, &mut vs);
        vs.iter().all(|n| slot_of(scope, n).is_some()) && !matches!(x.kind, ExprKind::Exists(..))
    };
    let (lower, other) = match op {
        BinOp::Ge | BinOp::Gt if is_t(a) => (true, b),
        BinOp::Le | BinOp::Lt if is_t(a) => (false, b),
        BinOp::Ge | BinOp::Gt if is_t(b) => (false, a),
        BinOp::Le | BinOp::Lt if is_t(b) => (true, a),
        _ => return None,
    };
    bound(other).then(|| ((**other).clone(), lower))
}

fn flip(d: Dir) -> Dir {
    match d {
        Dir::Out => Dir::In,
        Dir::In => Dir::Out,
        Dir::Both => Dir::Both,
    }
}

impl Planner<'_> {
    /// Plans a MATCH clause (also the body of `exists { }`).
    pub(super) fn plan_match(
        &mut self,
        mut plan: LogicalPlan,
        scope: &mut Vec<String>,
        patterns: &[Pattern],
        filter: Option<&Expr>,
    ) -> QResult<LogicalPlan> {
        let mut pending = Vec::new();
        if let Some(f) = filter {
            split_and(f, &mut pending);
        }
        let mut pats = patterns.to_vec();
        // Constant id equalities on an unbound pattern end become id lookups.
        pending.retain(|c| {
            let Some((v, idx)) = id_equality(c) else { return true };
            if slot_of(scope, &v).is_some() {
                return true;
            }
            for p in &mut pats {
                let last = p.steps.len();
                for k in [0, last] {
                    let node = if k == 0 { &mut p.start } else { &mut p.steps[k - 1].1 };
                    if node.var.as_deref() == Some(v.as_str()) && !node.props.iter().any(|(n, _)| n == "id") {
                        node.props.push(("id".into(), idx));
                        return false;
                    }
                }
            }
            true
        });
        let mut single_rels = Vec::new();
        for p in &pats {
            plan = self.plan_pattern(plan, scope, p, &mut pending, &mut single_rels)?;
        }
        let rest = std::mem::take(&mut pending);
        for mut c in rest {
            self.resolve(&mut c, scope)?;
            plan = LogicalPlan::Filter { input: Box::new(plan), pred: c };
        }
        Ok(plan)
    }

    /// Adds a Filter for each pending conjunct whose variables are all bound.
    fn place(&mut self, mut plan: LogicalPlan, scope: &[String], pending: &mut Vec<Expr>) -> QResult<LogicalPlan> {
        let mut i = 0;
        while i < pending.len() {
            let mut vs = Vec::new();
            vars_of(&pending[i], &mut vs);
            if vs.iter().all(|v| slot_of(scope, v).is_some()) {
                let mut c = pending.remove(i);
                self.resolve(&mut c, scope)?;
                plan = LogicalPlan::Filter { input: Box::new(plan), pred: c };
            } else {
                i += 1;
            }
        }
        Ok(plan)
    }

    fn prop_filters(
        &mut self,
        mut plan: LogicalPlan,
        scope: &[String],
        slot: usize,
        name: &str,
        props_: &[(String, Expr)],
        label: Option<Label>,
    ) -> QResult<LogicalPlan> {
        for (k, v) in props_ {
            if let Some(l) = label {
                if !catalog::has(self.case, l, k) {
                    return Err(QueryError::plan(
                        v.span,
                        format!("{l} has no property '{k}'; known: {}", catalog::all_known(self.case, l).join(", ")),
                    ));
                }
            }
            let mut v = v.clone();
            self.resolve(&mut v, scope)?;
            let sp = v.span;
            let lhs = Expr::new(
                ExprKind::Prop(Box::new(Expr::new(ExprKind::Slot(slot, name.to_string()), sp)), k.clone()),
                sp,
            );
            let pred = Expr::new(ExprKind::Bin(BinOp::Eq, Box::new(lhs), Box::new(v)), sp);
            plan = LogicalPlan::Filter { input: Box::new(plan), pred };
        }
        Ok(plan)
    }

    fn node_label(&self, n: &NodePat) -> QResult<Option<Label>> {
        match n.labels.as_slice() {
            [] => Ok(None),
            [l] => Ok(Some(self.label(l, n.span)?)),
            _ => Err(QueryError::not_implemented(n.span, "a node carries one label here; use one label per node")),
        }
    }

    /// Binds the first node of a pattern (scan, id lookup, or an already bound variable).
    fn bind_start(
        &mut self,
        mut plan: LogicalPlan,
        scope: &mut Vec<String>,
        n: &NodePat,
        pending: &mut Vec<Expr>,
    ) -> QResult<(LogicalPlan, usize)> {
        let label = self.node_label(n)?;
        let name = n.var.clone().unwrap_or_else(|| self.fresh("node"));
        if let Some(slot) = slot_of(scope, &name) {
            if let Some(l) = label {
                plan = self.label_filter(plan, slot, &name, l, n);
            }
            let plan = self.prop_filters(plan, scope, slot, &name, &n.props, label)?;
            return Ok((plan, slot));
        }
        let id = n.props.iter().find(|(k, _)| k == "id").map(|(_, v)| v.clone());
        plan = match id {
            Some(mut id) => {
                self.resolve(&mut id, scope)?;
                LogicalPlan::NodeById { input: Box::new(plan), var: name.clone(), label, id }
            }
            None => LogicalPlan::NodeScan { input: Box::new(plan), var: name.clone(), label },
        };
        scope.push(name.clone());
        let slot = scope.len() - 1;
        if let (Some(l), Some(_)) = (label, &n.var) {
            self.labels.insert(name.clone(), l);
        }
        let rest: Vec<(String, Expr)> = n.props.iter().filter(|(k, _)| k != "id").cloned().collect();
        plan = self.prop_filters(plan, scope, slot, &name, &rest, label)?;
        let plan = self.place(plan, scope, pending)?;
        Ok((plan, slot))
    }

    fn label_filter(&self, plan: LogicalPlan, slot: usize, name: &str, l: Label, n: &NodePat) -> LogicalPlan {
        let sp = n.span;
        let args = vec![
            Expr::new(ExprKind::Slot(slot, name.to_string()), sp),
            Expr::new(ExprKind::Lit(crate::query::common::Value::str(l)), sp),
        ];
        let pred = Expr::new(ExprKind::Call { name: "has_label".into(), distinct: false, args }, sp);
        LogicalPlan::Filter { input: Box::new(plan), pred }
    }

    fn plan_pattern(
        &mut self,
        plan: LogicalPlan,
        scope: &mut Vec<String>,
        p: &Pattern,
        pending: &mut Vec<Expr>,
        single_rels: &mut Vec<usize>,
    ) -> QResult<LogicalPlan> {
        let mut nodes: Vec<NodePat> =
            std::iter::once(p.start.clone()).chain(p.steps.iter().map(|s| s.1.clone())).collect();
        let mut rels: Vec<RelPat> = p.steps.iter().map(|s| s.0.clone()).collect();
        let score = |n: &NodePat, scope: &[String]| {
            if n.var.as_ref().is_some_and(|v| slot_of(scope, v).is_some()) {
                3
            } else if n.props.iter().any(|(k, _)| k == "id") {
                2
            } else if !n.labels.is_empty() {
                // A label scan reads one table instead of every node.
                1
            } else {
                0
            }
        };
        let reversed = nodes.len() > 1 && score(&nodes[nodes.len() - 1], scope) > score(&nodes[0], scope);
        if reversed {
            nodes.reverse();
            rels.reverse();
            for r in &mut rels {
                r.dir = flip(r.dir);
            }
        }
        // Name anonymous nodes so the path can refer to them.
        for n in &mut nodes {
            if n.var.is_none() {
                n.var = Some(self.fresh("node"));
            }
        }
        let (mut plan, first_slot) = self.bind_start(plan, scope, &nodes[0], pending)?;
        let mut rel_slots = Vec::new();
        for (i, rel) in rels.iter().enumerate() {
            let from = slot_of(scope, nodes[i].var.as_deref().unwrap_or("")).unwrap_or(first_slot);
            let path_label = p.path_var.as_deref().and_then(|pv| pending.iter().find_map(|c| nodes_label(c, pv)));
            let (pl, rs) = self.plan_step(plan, scope, from, rel, &nodes[i + 1], reversed, pending, single_rels)?;
            let pl = match (pl, path_label) {
                (LogicalPlan::Expand { input, mut spec }, Some(l)) if spec.range.is_some() => {
                    spec.path_label = Some(self.label(&l, rel.span)?);
                    LogicalPlan::Expand { input, spec }
                }
                (pl, _) => pl,
            };
            plan = pl;
            rel_slots.push(rs);
        }
        if let Some(pv) = &p.path_var {
            let start_name = if reversed { nodes.last() } else { nodes.first() }.and_then(|n| n.var.clone());
            let start = start_name.and_then(|n| slot_of(scope, &n)).unwrap_or(first_slot);
            if reversed {
                rel_slots.reverse();
            }
            plan = LogicalPlan::BuildPath { input: Box::new(plan), var: pv.clone(), start, rels: rel_slots };
            scope.push(pv.clone());
            plan = self.place(plan, scope, pending)?;
        }
        Ok(plan)
    }

    #[allow(clippy::too_many_arguments)]
    fn plan_step(
        &mut self,
        mut plan: LogicalPlan,
        scope: &mut Vec<String>,
        from: usize,
        rel: &RelPat,
        node: &NodePat,
        reversed: bool,
        pending: &mut Vec<Expr>,
        single_rels: &mut Vec<usize>,
    ) -> QResult<(LogicalPlan, usize)> {
        let mut types = Vec::new();
        for t in &rel.types {
            types.push(self.rel_type(t, rel.span)?);
        }
        if let Some(v) = &rel.var {
            if slot_of(scope, v).is_some() {
                return Err(QueryError::not_implemented(
                    rel.span,
                    format!("relationship variable '{v}' is already bound; match it once"),
                ));
            }
        }
        let temporal = self.temporal_spec(rel, &types, scope)?;
        let rel_props = self.rel_props(rel, &types, scope)?;
        let to_label = self.node_label(node)?;
        let to_name = node.var.clone().unwrap_or_else(|| self.fresh("node"));
        let mut to_bound = slot_of(scope, &to_name).is_some();
        let mut node_props: Vec<(String, Expr)> = node.props.clone();
        if !to_bound && rel.range.is_some() {
            if let Some(pos) = node_props.iter().position(|(k, _)| k == "id") {
                // Bind the far end first: the depth-first search then only keeps paths ending there.
                let (_, mut id) = node_props.remove(pos);
                self.resolve(&mut id, scope)?;
                plan = LogicalPlan::NodeById { input: Box::new(plan), var: to_name.clone(), label: to_label, id };
                scope.push(to_name.clone());
                to_bound = true;
            }
        }
        let rel_name = rel.var.clone().unwrap_or_else(|| self.fresh("rel"));
        let mut time_bounds = Vec::new();
        if rel.range.is_none() && types == ["TRANSFER"] && rel.var.is_some() {
            for c in pending.iter() {
                if let Some((mut e, lower)) = time_bound(c, &rel_name, scope) {
                    self.resolve(&mut e, scope)?;
                    time_bounds.push((e, lower));
                }
            }
        }
        let rel_slot = scope.len();
        scope.push(rel_name.clone());
        let to = match slot_of(scope, &to_name) {
            Some(s) if to_bound => s,
            _ => {
                scope.push(to_name.clone());
                scope.len() - 1
            }
        };
        if to_bound {
            if let (Some(l), Some(_)) = (to_label, &node.var) {
                self.labels.entry(to_name.clone()).or_insert(l);
            }
        } else if let (Some(l), Some(_)) = (to_label, &node.var) {
            self.labels.insert(to_name.clone(), l);
        }
        if let (Some(v), [t]) = (&rel.var, types.as_slice()) {
            if rel.range.is_none() {
                self.labels.insert(v.clone(), t);
            }
        }
        let spec = ExpandSpec {
            from,
            types,
            dir: rel.dir,
            range: rel.range,
            rel_props,
            temporal,
            rel_slot,
            rel_name,
            reverse_list: reversed,
            to,
            to_name: to_name.clone(),
            to_bound,
            to_label,
            distinct_from: single_rels.clone(),
            time_bounds,
            path_label: None,
        };
        if rel.range.is_none() {
            single_rels.push(rel_slot);
        }
        plan = LogicalPlan::Expand { input: Box::new(plan), spec: Box::new(spec) };
        plan = self.prop_filters(plan, scope, to, &to_name, &node_props, to_label)?;
        plan = self.place(plan, scope, pending)?;
        Ok((plan, rel_slot))
    }

    /// The temporal qualifiers of a step, checked (variable length, TRANSFER only, a direction,
    /// SHORTEST with BETWEEN only) and with their bounds resolved.
    fn temporal_spec(&mut self, rel: &RelPat, types: &[Label], scope: &[String]) -> QResult<TemporalSpec> {
        let tq = &rel.temporal;
        let mut temporal = TemporalSpec {
            ascending: tq.ascending,
            no_repeat: tq.no_repeat,
            shortest: tq.shortest,
            ..Default::default()
        };
        if tq.shortest && (tq.ascending || tq.within.is_some() || tq.max_gap.is_some() || tq.retention.is_some()) {
            return Err(QueryError::plan(
                rel.span,
                "SHORTEST combines with BETWEEN only (a shortest time-respecting path is not a breadth-first search)",
            ));
        }
        if tq.any() {
            if rel.range.is_none() {
                return Err(QueryError::plan(
                    rel.span,
                    "temporal qualifiers need a variable-length TRANSFER step, e.g. -[:TRANSFER*1..5 ASCENDING TIME]->",
                ));
            }
            let timed = tq.ascending
                || tq.within.is_some()
                || tq.max_gap.is_some()
                || tq.retention.is_some()
                || tq.between.is_some();
            if timed && types != ["TRANSFER"] {
                return Err(QueryError::plan(rel.span, "ASCENDING, WITHIN, MAX GAP, RETENTION and BETWEEN apply to TRANSFER steps only: write -[:TRANSFER*1..5 ...]->"));
            }
            if timed && rel.dir == Dir::Both {
                return Err(QueryError::plan(
                    rel.span,
                    "a time-respecting path needs a direction: -[...]-> or <-[...]-",
                ));
            }
            for (dst, src) in [(&mut temporal.within, &tq.within), (&mut temporal.max_gap, &tq.max_gap)] {
                if let Some(e) = src {
                    let mut e = e.clone();
                    self.resolve(&mut e, scope)?;
                    *dst = Some(e);
                }
            }
            if let Some((lo, hi)) = &tq.retention {
                let (mut lo, mut hi) = (lo.clone(), hi.clone());
                self.resolve(&mut lo, scope)?;
                self.resolve(&mut hi, scope)?;
                temporal.retention = Some((lo, hi));
            }
            if let Some((lo, hi)) = &tq.between {
                let (mut lo, mut hi) = (lo.clone(), hi.clone());
                self.resolve(&mut lo, scope)?;
                self.resolve(&mut hi, scope)?;
                temporal.between = Some((lo, hi));
            }
        }
        Ok(temporal)
    }

    /// The per-hop property equalities of a step, checked against its type when it has one.
    fn rel_props(&mut self, rel: &RelPat, types: &[Label], scope: &[String]) -> QResult<Vec<(String, Expr)>> {
        let mut rel_props = Vec::new();
        for (k, v) in &rel.props {
            if let [t] = types {
                if !catalog::has(self.case, t, k) {
                    return Err(QueryError::plan(
                        v.span,
                        format!("{t} has no property '{k}'; known: {}", catalog::all_known(self.case, t).join(", ")),
                    ));
                }
            }
            let mut v = v.clone();
            self.resolve(&mut v, scope)?;
            rel_props.push((k.clone(), v));
        }
        Ok(rel_props)
    }
}
