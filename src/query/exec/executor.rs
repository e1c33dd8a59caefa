//! The executor: runs a [`LogicalPlan`] over the case. The plan is a chain (every operator has
//! one input), so it runs as a loop from the leaf up, without recursion. Filters, projections
//! and expansions are parallel over rows with rayon; output order is deterministic.

use super::aggregate::aggregate;
use super::context::Ctx;
use super::eval::{eval, truthy};
use super::expand::{all_nodes, expand, node_by_id};
use crate::query::common::{NodeId, PathVal, RelId, Value};
use crate::query::common::{QResult, QueryError};
use crate::query::parse::ast::Expr;
use crate::query::plan::LogicalPlan;
use rayon::prelude::*;
use rust_decimal::prelude::ToPrimitive;
use std::sync::Arc;

/// A row: one value per slot.
pub type Row = Vec<Value>;

/// Runs `plan`; `arg` is the outer row for sub-plans (`exists { }`).
pub fn run_plan(ctx: &Ctx<'_>, plan: &LogicalPlan, arg: Option<&[Value]>) -> QResult<Vec<Row>> {
    run_chain(ctx, plan, arg, false)
}

/// [`run_plan`] for a query's outermost plan: reports a progress stage `query`, one step per
/// operator, with the rows each one received (nested plans run inside a step, unreported).
pub fn run_top(ctx: &Ctx<'_>, plan: &LogicalPlan) -> QResult<Vec<Row>> {
    run_chain(ctx, plan, None, true)
}

fn run_chain(ctx: &Ctx<'_>, plan: &LogicalPlan, arg: Option<&[Value]>, report: bool) -> QResult<Vec<Row>> {
    let mut chain = vec![plan];
    while let Some(i) = chain.last().and_then(|p| p.input()) {
        chain.push(i);
    }
    let _progress =
        report.then(|| crate::progress::stage("query", Some(chain.len() as u64), crate::progress::Unit::Steps));
    let mut rows: Vec<Row> = Vec::new();
    for (i, op) in chain.into_iter().rev().enumerate() {
        ctx.check_time()?;
        if report {
            // The operator's kind, as --explain names it (the first word of its line).
            let text = op.to_string();
            let kind = text.trim_start().split([':', '\n']).next().unwrap_or("");
            crate::progress::note(&format!("{} {kind} ({} rows in)", i + 1, rows.len()));
        }
        rows = step(ctx, op, rows, arg)?;
        if report {
            crate::progress::advance(1);
        }
    }
    Ok(rows)
}

fn count(ctx: &Ctx<'_>, rows: &[Row], e: &Expr, what: &str) -> QResult<usize> {
    let empty: Row = Vec::new();
    match eval(ctx, rows.first().unwrap_or(&empty), e)? {
        Value::Num(n) if n >= rust_decimal::Decimal::ZERO => Ok(n.trunc().to_usize().unwrap_or(usize::MAX)),
        o => Err(QueryError::exec(format!("{what} needs a whole number >= 0, got {}", o.type_name())).at(e.span)),
    }
}

/// Runs one operator over the rows of its input; the larger operators have a function each.
fn step(ctx: &Ctx<'_>, op: &LogicalPlan, rows: Vec<Row>, arg: Option<&[Value]>) -> QResult<Vec<Row>> {
    use LogicalPlan::*;
    Ok(match op {
        Unit => vec![Vec::new()],
        Argument { .. } => vec![arg.map(<[Value]>::to_vec).unwrap_or_default()],
        NodeScan { label, .. } => node_scan(ctx, &rows, *label)?,
        NodeById { label, id, .. } => node_lookup(ctx, rows, *label, id)?,
        Expand { spec, .. } => {
            ctx.reset_rows();
            expand(ctx, spec, rows)?
        }
        BuildPath { start, rels, .. } => rows
            .into_par_iter()
            .map(|mut r| {
                let p = build_path(ctx, &r, *start, rels);
                r.push(p);
                r
            })
            .collect(),
        // Each row checks the time budget: one row's expression may take milliseconds (a
        // function over a long string), and a million rows of it would ignore --timeout.
        Filter { pred, .. } => {
            let keep: Vec<bool> = rows
                .par_iter()
                .map(|r| ctx.check_time().and_then(|()| truthy(ctx, r, pred)))
                .collect::<QResult<_>>()?;
            rows.into_iter().zip(keep).filter_map(|(r, k)| k.then_some(r)).collect()
        }
        Project { items, .. } => rows
            .par_iter()
            .map(|r| {
                ctx.check_time()?;
                items.iter().map(|(e, _)| eval(ctx, r, e)).collect::<QResult<Row>>()
            })
            .collect::<QResult<_>>()?,
        Distinct { .. } => {
            let mut seen = std::collections::BTreeSet::new();
            rows.into_iter().filter(|r| seen.insert(r.clone())).collect()
        }
        Aggregate { keys, aggs, .. } => aggregate(ctx, &rows, keys, aggs)?,
        Sort { keys, .. } => sort(ctx, rows, keys)?,
        Skip { n, .. } => {
            let n = count(ctx, &[], n, "SKIP")?;
            rows.into_iter().skip(n).collect()
        }
        Limit { n, .. } => {
            let n = count(ctx, &[], n, "LIMIT")?;
            rows.into_iter().take(n).collect()
        }
        Unwind { expr, .. } => unwind(ctx, rows, expr)?,
        Optional { sub, vars, .. } => optional(ctx, &rows, sub, vars.len())?,
        Call { name, args, yields, .. } => call(ctx, &rows, name, args, yields)?,
    })
}

/// `NodeScan`: every input row once per node with the label.
fn node_scan(ctx: &Ctx<'_>, rows: &[Row], label: Option<&str>) -> QResult<Vec<Row>> {
    let nodes = all_nodes(ctx, label);
    ctx.charge((rows.len() * nodes.len()) as u64)?;
    let mut out = Vec::with_capacity(rows.len() * nodes.len());
    for r in rows {
        for n in &nodes {
            let mut x = r.clone();
            x.push(Value::Node(*n));
            out.push(x);
        }
    }
    Ok(out)
}

/// `NodeById`: each row with the node whose external id `id` evaluates to (dropped when none).
fn node_lookup(ctx: &Ctx<'_>, rows: Vec<Row>, label: Option<&str>, id: &Expr) -> QResult<Vec<Row>> {
    let mut out = Vec::new();
    for mut r in rows {
        ctx.check_time()?;
        let key = match eval(ctx, &r, id)? {
            Value::Null => continue,
            Value::Str(s) => s.to_string(),
            v => v.render(ctx.case),
        };
        if let Some(n) = node_by_id(ctx, label, &key) {
            r.push(Value::Node(n));
            out.push(r);
        }
    }
    Ok(out)
}

/// `Sort`: a stable sort on the keys, evaluated once per row (in parallel).
fn sort(ctx: &Ctx<'_>, rows: Vec<Row>, keys: &[(Expr, bool)]) -> QResult<Vec<Row>> {
    let ks: Vec<Row> = rows
        .par_iter()
        .map(|r| {
            ctx.check_time()?;
            keys.iter().map(|(e, _)| eval(ctx, r, e)).collect::<QResult<Row>>()
        })
        .collect::<QResult<_>>()?;
    let mut idx: Vec<usize> = (0..rows.len()).collect();
    idx.sort_by(|&a, &b| {
        for (j, (_, asc)) in keys.iter().enumerate() {
            let o = ks[a][j].total_cmp(&ks[b][j]);
            let o = if *asc { o } else { o.reverse() };
            if o != std::cmp::Ordering::Equal {
                return o;
            }
        }
        std::cmp::Ordering::Equal
    });
    let mut slots: Vec<Option<Row>> = rows.into_iter().map(Some).collect();
    Ok(idx.into_iter().filter_map(|i| slots[i].take()).collect())
}

/// `Unwind`: one row per list element (a non-list value is one element, NULL none).
fn unwind(ctx: &Ctx<'_>, rows: Vec<Row>, expr: &Expr) -> QResult<Vec<Row>> {
    let mut out = Vec::new();
    for r in rows {
        ctx.check_time()?;
        match eval(ctx, &r, expr)? {
            Value::Null => {}
            Value::List(l) => {
                for x in l.iter() {
                    let mut y = r.clone();
                    y.push(x.clone());
                    out.push(y);
                }
            }
            v => {
                let mut y = r;
                y.push(v);
                out.push(y);
            }
        }
        if out.len() as u64 > ctx.budget.max_rows {
            return Err(QueryError::budget(format!(
                "UNWIND made more than {} rows; narrow the list or raise --max-rows",
                ctx.budget.max_rows
            )));
        }
    }
    Ok(out)
}

/// `Optional`: runs `sub` on each row (in parallel); a row without a match is kept with `added`
/// NULL columns.
fn optional(ctx: &Ctx<'_>, rows: &[Row], sub: &LogicalPlan, added: usize) -> QResult<Vec<Row>> {
    let parts: Vec<Vec<Row>> = rows
        .par_iter()
        .map(|r| {
            ctx.check_time()?;
            let found = run_plan(ctx, sub, Some(r))?;
            if found.is_empty() {
                let mut y = r.clone();
                y.extend(std::iter::repeat_n(Value::Null, added));
                Ok(vec![y])
            } else {
                Ok(found)
            }
        })
        .collect::<QResult<_>>()?;
    Ok(parts.into_iter().flatten().collect())
}

/// `Call`: runs the procedure once (its arguments evaluated over the first row) and appends the
/// yielded columns of each of its rows to every input row.
fn call(ctx: &Ctx<'_>, rows: &[Row], name: &str, args: &[Expr], yields: &[(usize, String)]) -> QResult<Vec<Row>> {
    let empty: Row = Vec::new();
    let mut a = Vec::new();
    for e in args {
        a.push(eval(ctx, rows.first().unwrap_or(&empty), e)?);
    }
    let found = match name {
        "counterparts" => super::procs::counterparts(ctx, &a)?,
        _ => super::procs::detect(ctx, &a)?,
    };
    let mut out = Vec::new();
    for r in rows {
        for f in &found {
            let mut y = r.clone();
            y.extend(yields.iter().map(|(i, _)| f.get(*i).cloned().unwrap_or_default()));
            out.push(y);
        }
    }
    Ok(out)
}

fn build_path(ctx: &Ctx<'_>, row: &[Value], start: usize, rels: &[usize]) -> Value {
    let Some(Value::Node(mut cur)) = row.get(start).cloned() else { return Value::Null };
    let mut p = PathVal { nodes: vec![cur], rels: Vec::new() };
    let add = |r: RelId, cur: &mut NodeId, p: &mut PathVal| {
        let (a, b) = super::graphs::rel_ends(ctx, r);
        *cur = if a == *cur { b } else { a };
        p.rels.push(r);
        p.nodes.push(*cur);
    };
    for &s in rels {
        match row.get(s) {
            Some(Value::Rel(r)) => add(*r, &mut cur, &mut p),
            Some(Value::List(l)) => {
                for v in l.iter() {
                    if let Value::Rel(r) = v {
                        add(*r, &mut cur, &mut p);
                    }
                }
            }
            _ => return Value::Null,
        }
    }
    Value::Path(Arc::new(p))
}
