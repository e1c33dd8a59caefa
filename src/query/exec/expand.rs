//! The Expand operator: one relationship step from a bound node, single-hop or variable-length.
//!
//! Variable-length TRANSFER steps run a depth-first search over the time-sorted CSR. The
//! temporal qualifiers become a time interval per hop (`ASCENDING`: after the previous
//! transfer; `MAX GAP`: within the gap of it; `WITHIN`: inside the window opened by the
//! earliest and latest transfer so far), found by binary search in the node's sorted edge
//! list, so transfers outside it are never visited. `RETENTION` and `NO REPEAT` prune each
//! candidate before descending. A step into a bound node that is ASCENDING, WITHIN a window and
//! NO REPEAT (a temporal cycle when the end is the start) runs the shared reachability-pruned
//! search of [`crate::graph::TemporalSearch`], the one behind the native cycle detector; its
//! rows are the same, in the same order. Input rows (start nodes) are expanded in parallel with
//! rayon, in units balanced by the start nodes' degree.

use super::context::Ctx;
use super::eval::eval;
use super::graphs::{self, flow_node, from_flow};
use super::props;
use crate::graph::{cut_units, HopRules, TemporalSearch, TemporalSpec};
use crate::model::DateTime;
use crate::model::{AccountId, CompanyId, PersonId, TransferId};
use crate::query::common::{NodeId, RelId, Value};
use crate::query::common::{QResult, QueryError};
use crate::query::parse::ast::Dir;
use crate::query::plan::ExpandSpec;
use rayon::prelude::*;
use rust_decimal::Decimal;

type Row = Vec<Value>;

/// Expands every input row; rows are processed in parallel, output keeps input order.
///
/// The rows are cut into contiguous units of about equal cost (the start node's degree), each
/// hub a unit of its own, so the few hub rows of a ledger do not all land on one thread.
pub fn expand(ctx: &Ctx<'_>, spec: &ExpandSpec, input: Vec<Row>) -> QResult<Vec<Row>> {
    let g = &ctx.graph.flow;
    let cost = |i: u32| match input[i as usize].get(spec.from) {
        Some(Value::Node(n)) => {
            flow_node(*n).map_or(1, |f| 1 + g.out_edges(f).len() as u64 + g.in_edges(f).len() as u64)
        }
        _ => 1,
    };
    let units = cut_units(input.len() as u32, cost, 512);
    let parts: Vec<Vec<Row>> = units
        .into_par_iter()
        .with_max_len(1)
        .map(|unit| {
            let mut out = Vec::new();
            for i in unit {
                out.extend(expand_row(ctx, spec, &input[i as usize])?);
            }
            Ok(out)
        })
        .collect::<QResult<_>>()?;
    Ok(parts.into_iter().flatten().collect())
}

/// Evaluated per-row settings of a step.
pub(super) struct Step<'s> {
    pub(super) spec: &'s ExpandSpec,
    rel_props: Vec<(String, Value)>,
    pub(super) target: Option<NodeId>,
    within: Option<i64>,
    gap: Option<i64>,
    retention: Option<(Decimal, Decimal)>,
    /// Relationships bound earlier in the same MATCH (a relationship is matched once).
    taken: Vec<RelId>,
    /// Booking-time slice for single-hop transfers.
    window: Option<(i64, i64)>,
    /// `BETWEEN`: every transfer of the path inside this interval.
    pub(super) between: Option<(i64, i64)>,
}

fn duration(
    ctx: &Ctx<'_>,
    row: &[Value],
    e: &Option<crate::query::parse::ast::Expr>,
    what: &str,
) -> QResult<Option<i64>> {
    match e {
        None => Ok(None),
        Some(e) => match eval(ctx, row, e)? {
            Value::Duration(d) if d >= 0 => Ok(Some(d)),
            Value::Null => Ok(None),
            o => Err(QueryError::exec(format!(
                "{what} needs a non-negative duration such as 30 DAYS, got a {}",
                o.type_name()
            ))
            .at(e.span)),
        },
    }
}

impl<'s> Step<'s> {
    /// The settings of `spec` for one input row: the start node and the evaluated qualifiers;
    /// `None` when the row has no start node, or no end node where the end is bound.
    fn for_row(ctx: &Ctx<'_>, spec: &'s ExpandSpec, row: &Row) -> QResult<Option<(NodeId, Step<'s>)>> {
        let from = match row.get(spec.from) {
            Some(Value::Node(n)) => *n,
            Some(Value::Null) | None => return Ok(None),
            Some(o) => {
                return Err(QueryError::exec(format!(
                    "'{}' ... expands from a node, not a {}",
                    spec.rel_name.trim(),
                    o.type_name()
                )))
            }
        };
        let mut rel_props = Vec::new();
        for (k, e) in &spec.rel_props {
            rel_props.push((k.clone(), eval(ctx, row, e)?));
        }
        let target = if spec.to_bound {
            match row.get(spec.to) {
                Some(Value::Node(n)) => Some(*n),
                _ => return Ok(None),
            }
        } else {
            None
        };
        let t = &spec.temporal;
        let retention = match &t.retention {
            None => None,
            Some((lo, hi)) => match (eval(ctx, row, lo)?, eval(ctx, row, hi)?) {
                (Value::Num(a), Value::Num(b)) if a <= b && a > Decimal::ZERO => Some((a, b)),
                _ => {
                    return Err(QueryError::exec("RETENTION needs two numbers lo..hi with 0 < lo <= hi, e.g. 0.8..1.0")
                        .at(lo.span))
                }
            },
        };
        let taken = spec
            .distinct_from
            .iter()
            .filter_map(|&i| if let Some(Value::Rel(r)) = row.get(i) { Some(*r) } else { None })
            .collect();
        let mut window = None;
        if !spec.time_bounds.is_empty() {
            let (mut lo, mut hi) = (i64::MIN, i64::MAX);
            for (e, lower) in &spec.time_bounds {
                if let Some(t) = eval(ctx, row, e)?.as_datetime() {
                    if *lower {
                        lo = lo.max(t.0);
                    } else {
                        hi = hi.min(t.0);
                    }
                }
            }
            window = Some((lo, hi));
        }
        let between = match &t.between {
            None => None,
            Some((lo, hi)) => match (eval(ctx, row, lo)?.as_datetime(), eval(ctx, row, hi)?.as_datetime()) {
                (Some(a), Some(b)) => Some((a.0, b.0)),
                _ => return Err(QueryError::exec("BETWEEN needs two dates or datetimes").at(lo.span)),
            },
        };
        let step = Step {
            spec,
            taken,
            between,
            window,
            rel_props,
            target,
            within: duration(ctx, row, &t.within, "WITHIN")?,
            gap: duration(ctx, row, &t.max_gap, "MAX GAP")?,
            retention,
        };
        Ok(Some((from, step)))
    }
}

fn expand_row(ctx: &Ctx<'_>, spec: &ExpandSpec, row: &Row) -> QResult<Vec<Row>> {
    let Some((from, step)) = Step::for_row(ctx, spec, row)? else { return Ok(Vec::new()) };
    let mut out = Vec::new();
    let mut emit = |rels: &[RelId], end: NodeId| -> QResult<()> {
        let mut r = row.clone();
        let rel = match spec.range {
            None => Value::Rel(rels[0]),
            Some(_) => {
                let mut v: Vec<Value> = rels.iter().map(|&x| Value::Rel(x)).collect();
                if spec.reverse_list {
                    v.reverse();
                }
                Value::list(v)
            }
        };
        r.push(rel);
        if !spec.to_bound {
            r.push(Value::Node(end));
        }
        out.push(r);
        if out.len() % 1024 == 0 {
            ctx.charge(1024)?;
        }
        Ok(())
    };
    match spec.range {
        None => single(ctx, &step, from, &mut emit)?,
        Some((lo, hi)) if spec.temporal.shortest => super::shortest::bfs(ctx, &step, lo, hi, from, &mut emit)?,
        Some((lo, hi)) => {
            let timed = spec.types == ["TRANSFER"] && spec.dir != Dir::Both;
            match (timed, flow_node(from)) {
                (true, Some(f)) if temporal_spec(&step, lo, hi).is_some() => {
                    if let (Some(ts), Some(target)) = (temporal_spec(&step, lo, hi), step.target) {
                        if end_ok(ctx, &step, target) {
                            let to = flow_node(target).unwrap_or(u32::MAX);
                            let rules = QueryHops { ctx, step: &step };
                            let mut rels: Vec<RelId> = Vec::new();
                            TemporalSearch::with(ts, |s| {
                                s.paths(&ctx.graph.flow, &rules, f, to, &mut |path: &[u32]| {
                                    rels.clear();
                                    rels.extend(path.iter().map(|&e| RelId::Transfer(TransferId::from_raw(e))));
                                    emit(&rels, target)
                                })
                            })?;
                        }
                    }
                }
                (true, Some(f)) => {
                    let mut dfs = TimedDfs { ctx, step: &step, lo, hi, edges: Vec::new(), nodes: vec![f], steps: 0 };
                    dfs.go(f, None, i64::MAX, i64::MIN, &mut emit)?;
                }
                (true, None) => {}
                (false, _) => {
                    let mut rels = Vec::new();
                    let mut nodes = vec![from];
                    generic(ctx, &step, lo, hi, from, &mut rels, &mut nodes, &mut 0, &mut emit)?;
                }
            }
        }
    }
    let n = out.len() as u64 % 1024;
    ctx.charge(n)?;
    Ok(out)
}

pub(super) fn rel_ok(ctx: &Ctx<'_>, step: &Step<'_>, r: RelId, other: NodeId) -> bool {
    if let Some(l) = step.spec.to_label {
        // The label constrains only the final node; checked on emit for variable length.
        if step.spec.range.is_none() && other.label(ctx.case) != l {
            return false;
        }
    }
    step.rel_props.iter().all(|(k, v)| props::rel_prop(ctx, r, k) == *v && !v.is_null())
}

pub(super) fn end_ok(ctx: &Ctx<'_>, step: &Step<'_>, end: NodeId) -> bool {
    step.target.is_none_or(|t| t == end) && step.spec.to_label.is_none_or(|l| end.label(ctx.case) == l)
}

pub(super) fn dirs(d: Dir) -> &'static [bool] {
    match d {
        Dir::Out => &[true],
        Dir::In => &[false],
        Dir::Both => &[true, false],
    }
}

fn single(
    ctx: &Ctx<'_>,
    step: &Step<'_>,
    from: NodeId,
    emit: &mut impl FnMut(&[RelId], NodeId) -> QResult<()>,
) -> QResult<()> {
    let mut found = Vec::new();
    match (step.window, flow_node(from)) {
        (Some((lo, hi)), Some(f)) => {
            let g = &ctx.graph.flow;
            if lo <= hi {
                for &out in dirs(step.spec.dir) {
                    if out {
                        for &e in g.out_between(f, DateTime(lo), DateTime(hi)) {
                            found.push((RelId::Transfer(TransferId::from_raw(e)), from_flow(ctx, g.dst[e as usize])));
                        }
                    } else {
                        for &e in g.in_between(f, DateTime(lo), DateTime(hi)) {
                            found.push((RelId::Transfer(TransferId::from_raw(e)), from_flow(ctx, g.src[e as usize])));
                        }
                    }
                }
            }
        }
        _ => {
            for &out in dirs(step.spec.dir) {
                graphs::neighbors(ctx, from, &step.spec.types, out, &mut |r, n| found.push((r, n)));
            }
        }
    }
    for (r, n) in found {
        if !step.taken.contains(&r) && rel_ok(ctx, step, r, n) && end_ok(ctx, step, n) {
            emit(&[r], n)?;
        }
    }
    Ok(())
}

/// Depth-first search over any relationship types, without repeated relationships.
#[allow(clippy::too_many_arguments)]
fn generic(
    ctx: &Ctx<'_>,
    step: &Step<'_>,
    lo: u32,
    hi: u32,
    at: NodeId,
    rels: &mut Vec<RelId>,
    nodes: &mut Vec<NodeId>,
    steps: &mut u64,
    emit: &mut impl FnMut(&[RelId], NodeId) -> QResult<()>,
) -> QResult<()> {
    let depth = rels.len() as u32;
    if depth >= lo && end_ok(ctx, step, at) && depth > 0 {
        emit(rels, at)?;
    }
    let closed = depth > 0 && at == nodes[0];
    if depth >= hi || (closed && step.spec.temporal.no_repeat) {
        return Ok(());
    }
    let mut found = Vec::new();
    for &out in dirs(step.spec.dir) {
        graphs::neighbors(ctx, at, &step.spec.types, out, &mut |r, n| found.push((r, n)));
    }
    for (r, n) in found {
        *steps += 1;
        if *steps % 4096 == 0 {
            ctx.check_time()?;
        }
        if step.spec.path_label.is_some_and(|l| n.label(ctx.case) != l) {
            continue;
        }
        let closes = n == nodes[0] && step.target == Some(n);
        let repeat = step.spec.temporal.no_repeat && !closes && nodes.contains(&n);
        if rels.contains(&r) || repeat || !rel_ok(ctx, step, r, n) {
            continue;
        }
        rels.push(r);
        nodes.push(n);
        generic(ctx, step, lo, hi, n, rels, nodes, steps, emit)?;
        rels.pop();
        nodes.pop();
    }
    Ok(())
}

/// The shared temporal search's settings for a step, when it can run it: a forward TRANSFER
/// step into a bound flow node, ASCENDING, WITHIN a window, NO REPEAT. Other timed steps run
/// [`TimedDfs`].
fn temporal_spec(step: &Step<'_>, lo: u32, hi: u32) -> Option<TemporalSpec> {
    let t = &step.spec.temporal;
    step.target.and_then(flow_node)?;
    if step.spec.dir != Dir::Out || !t.ascending || !t.no_repeat || hi == 0 {
        return None;
    }
    Some(TemporalSpec {
        min_hops: lo.max(1) as usize,
        max_hops: hi as usize,
        window: step.within?,
        ordered: true,
        max_gap: step.gap,
        first_per_node: false,
    })
}

/// The query's per-transfer conditions for the shared temporal search: BETWEEN, the path label
/// and relationship properties on every transfer, RETENTION between consecutive ones, and the
/// time budget.
struct QueryHops<'c, 's> {
    ctx: &'c Ctx<'c>,
    step: &'s Step<'s>,
}

impl HopRules for QueryHops<'_, '_> {
    type Error = QueryError;

    fn edge(&self, e: u32) -> bool {
        let g = &self.ctx.graph.flow;
        if let Some((lo, hi)) = self.step.between {
            let te = g.time[e as usize].0;
            if te < lo || te > hi {
                return false;
            }
        }
        let next = g.dst[e as usize];
        if self.step.spec.path_label.is_some_and(|l| from_flow(self.ctx, next).label(self.ctx.case) != l) {
            return false;
        }
        self.step.rel_props.is_empty()
            || rel_ok(self.ctx, self.step, RelId::Transfer(TransferId::from_raw(e)), from_flow(self.ctx, next))
    }

    fn follows(&self, prev: u32, next: u32) -> bool {
        match self.step.retention {
            None => true,
            Some((lo, hi)) => {
                let g = &self.ctx.graph.flow;
                let (a, amt) = (g.base_of(prev as usize), g.base_of(next as usize));
                amt >= a * lo && amt <= a * hi
            }
        }
    }

    fn check(&self) -> QResult<()> {
        self.ctx.check_time()
    }
}

/// Depth-first search over TRANSFER edges of the flow graph with temporal pruning.
struct TimedDfs<'c, 's> {
    ctx: &'c Ctx<'c>,
    step: &'s Step<'s>,
    lo: u32,
    hi: u32,
    edges: Vec<u32>,
    nodes: Vec<u32>,
    steps: u64,
}

impl TimedDfs<'_, '_> {
    /// `tmin`/`tmax`: earliest and latest booking on the path so far (seconds).
    fn go(
        &mut self,
        at: u32,
        prev: Option<u32>,
        tmin: i64,
        tmax: i64,
        emit: &mut impl FnMut(&[RelId], NodeId) -> QResult<()>,
    ) -> QResult<()> {
        let g = &self.ctx.graph.flow;
        let depth = self.edges.len() as u32;
        if depth >= self.lo && depth > 0 {
            let end = from_flow(self.ctx, at);
            if end_ok(self.ctx, self.step, end) {
                let rels: Vec<RelId> = self.edges.iter().map(|&e| RelId::Transfer(TransferId::from_raw(e))).collect();
                emit(&rels, end)?;
            }
        }
        // A path that came back to its start (a cycle) ends there under NO REPEAT.
        let closed = depth > 0 && at == self.nodes[0];
        if depth >= self.hi || (closed && self.step.spec.temporal.no_repeat) {
            return Ok(());
        }
        let forward = self.step.spec.dir == Dir::Out;
        let t = &self.step.spec.temporal;
        // The interval of booking times a next transfer may have.
        let (mut from, mut to) = (i64::MIN, i64::MAX);
        let prev_t = prev.map(|e| g.time[e as usize].0);
        if let Some(tp) = prev_t {
            if t.ascending {
                if forward {
                    from = tp;
                } else {
                    to = tp;
                }
            }
            if let Some(gap) = self.step.gap {
                from = from.max(tp.saturating_sub(gap));
                to = to.min(tp.saturating_add(gap));
            }
            if let Some(w) = self.step.within {
                from = from.max(tmax.saturating_sub(w));
                to = to.min(tmin.saturating_add(w));
            }
        }
        if let Some((lo, hi)) = self.step.between {
            from = from.max(lo);
            to = to.min(hi);
        }
        if from > to {
            return Ok(());
        }
        let cands = if forward {
            g.out_between(at, DateTime(from), DateTime(to))
        } else {
            g.in_between(at, DateTime(from), DateTime(to))
        };
        let band = match (self.step.retention, prev) {
            (Some((lo, hi)), Some(pe)) => {
                let a = g.base_of(pe as usize);
                // Forward: next / prev in [lo, hi]. Backward (money flows the other way): prev / next in [lo, hi].
                Some(if forward { (a * lo, a * hi) } else { (a / hi, a / lo) })
            }
            _ => None,
        };
        for &e in cands {
            self.steps += 1;
            if self.steps % 4096 == 0 {
                self.ctx.check_time()?;
            }
            let te = g.time[e as usize].0;
            if t.ascending && prev_t == Some(te) {
                continue;
            }
            if let Some((blo, bhi)) = band {
                let amt = g.base_of(e as usize);
                if amt < blo || amt > bhi {
                    continue;
                }
            }
            let next = if forward { g.dst[e as usize] } else { g.src[e as usize] };
            if self.step.spec.path_label.is_some_and(|l| from_flow(self.ctx, next).label(self.ctx.case) != l) {
                continue;
            }
            // NO REPEAT: a node once, except the start node closing a cycle.
            let closes = next == self.nodes[0] && self.step.target.and_then(flow_node) == Some(next);
            if t.no_repeat && !closes && self.nodes.contains(&next) {
                continue;
            }
            if !t.ascending && self.edges.contains(&e) {
                continue;
            }
            if !self.step.rel_props.is_empty()
                && !rel_ok(self.ctx, self.step, RelId::Transfer(TransferId::from_raw(e)), from_flow(self.ctx, next))
            {
                continue;
            }
            self.edges.push(e);
            self.nodes.push(next);
            self.go(next, Some(e), tmin.min(te), tmax.max(te), emit)?;
            self.edges.pop();
            self.nodes.pop();
        }
        Ok(())
    }
}

/// Rows of `NodeScan`: every node with the label.
pub fn all_nodes(ctx: &Ctx<'_>, label: Option<&str>) -> Vec<NodeId> {
    let c = ctx.case;
    let mut v = Vec::new();
    let want = |l: &str| label.is_none_or(|x| x == l);
    if want("Person") {
        v.extend((0..c.persons.len() as u32).map(|i| NodeId::Person(PersonId::from_raw(i))));
    }
    if want("Company") {
        v.extend((0..c.companies.len() as u32).map(|i| NodeId::Company(CompanyId::from_raw(i))));
    }
    if want("Account") {
        v.extend((0..c.accounts.len() as u32).map(|i| NodeId::Account(AccountId::from_raw(i))));
    }
    if want("Property") {
        v.extend((0..c.properties.len() as u32).map(NodeId::Property));
    }
    if want("Cash") {
        let g = &ctx.graph.flow;
        v.extend((g.account_count()..g.node_count()).map(NodeId::Cash));
    }
    for (k, t) in c.labelled.nodes.iter().enumerate() {
        if want(&t.label) {
            v.extend((0..t.ids.len() as u32).map(|row| NodeId::Labelled(k as u16, row)));
        }
    }
    v
}

/// The node with external id `id` and the label (any label when `None`).
pub fn node_by_id(ctx: &Ctx<'_>, label: Option<&str>, id: &str) -> Option<NodeId> {
    let c = ctx.case;
    let want = |l: &str| label.is_none_or(|x| x == l);
    if want("Person") || want("Company") {
        if let Some(e) = c.entity(id) {
            let n = match e.kind {
                crate::model::EntityKind::Person => NodeId::Person(PersonId::from_raw(e.idx)),
                crate::model::EntityKind::Company => NodeId::Company(CompanyId::from_raw(e.idx)),
            };
            if want(n.label(c)) {
                return Some(n);
            }
        }
    }
    if want("Account") {
        if let Some(a) = c.account(id) {
            return Some(NodeId::Account(a));
        }
    }
    if want("Property") {
        if let Some(&p) = c.property_index.get(id) {
            return Some(NodeId::Property(p));
        }
    }
    if want("Cash") {
        if let Some(city) = id.strip_prefix("cash:") {
            let g = &ctx.graph.flow;
            let idx = c.cities.iter().position(|x| x == city).map(|i| i as u32).unwrap_or(c.cities.len() as u32);
            if city == "unknown" || (idx as usize) < c.cities.len() {
                return Some(NodeId::Cash(g.account_count() + idx));
            }
        }
    }
    for (k, t) in c.labelled.nodes.iter().enumerate() {
        if want(&t.label) {
            if let Some(&row) = t.index.get(id) {
                return Some(NodeId::Labelled(k as u16, row));
            }
        }
    }
    None
}
