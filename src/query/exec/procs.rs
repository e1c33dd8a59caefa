//! Procedures callable from a query: `CALL detect('fan_in') YIELD ...` runs the native
//! detectors of [`crate::patterns`] and turns each finding into a row; `CALL
//! counterparts('in', duration('P3D'))` gives each account's largest number of distinct
//! counterparts within a sliding window (the fan screening question).

use super::context::Ctx;
use crate::graph::DistinctWindow;
use crate::model::EntityKind;
use crate::model::{AccountId, CompanyId, PersonId};
use crate::patterns::{self, RunOptions};
use crate::query::common::{NodeId, RelId, Value};
use crate::query::common::{QResult, QueryError};
use crate::query::plan::{COUNTERPARTS_COLUMNS, DETECT_COLUMNS};
use rayon::prelude::*;

/// Runs `detect(typology?, params?)`: the first argument names one typology (all when absent or
/// NULL), the second is a map of parameter overrides (`{min_senders: 6}`). One row per finding,
/// columns as in [`DETECT_COLUMNS`].
pub fn detect(ctx: &Ctx<'_>, args: &[Value]) -> QResult<Vec<Vec<Value>>> {
    let typology = match args.first() {
        None | Some(Value::Null) => None,
        Some(Value::Str(s)) => Some(s.to_string()),
        Some(o) => return Err(QueryError::exec(format!("detect() takes a typology name, got a {}", o.type_name()))),
    };
    let mut params = Vec::new();
    match args.get(1) {
        None | Some(Value::Null) => {}
        Some(Value::Map(m)) => {
            let t = typology
                .clone()
                .ok_or_else(|| QueryError::exec("detect(typology, {params}) needs a typology to set parameters"))?;
            for (k, v) in m.iter() {
                params.push(format!("{t}.{k}={}", v.render(ctx.case)));
            }
        }
        Some(o) => {
            return Err(QueryError::exec(format!(
                "detect()'s second argument is a map of parameters, got a {}",
                o.type_name()
            )))
        }
    }
    let selected = typology.map(|t| vec![t]);
    let found = match ctx.detect {
        Some(run) => run(selected.as_deref(), &params).map_err(QueryError::exec)?,
        None => RunOptions::parse(selected.as_deref(), &params)
            .and_then(|opts| patterns::run(ctx.case, ctx.graph, &opts))
            .map_err(|e| QueryError::exec(e.to_string()))?,
    };
    let rows: Vec<Vec<Value>> = found
        .iter()
        .map(|f| {
            let ent = |e: crate::model::EntityRef| match e.kind {
                EntityKind::Person => NodeId::Person(PersonId::from_raw(e.idx)),
                EntityKind::Company => NodeId::Company(CompanyId::from_raw(e.idx)),
            };
            vec![
                Value::str(&f.id),
                Value::str(f.typology),
                Value::int(f.score as i64),
                Value::list(f.txns.iter().map(|&t| Value::Rel(RelId::Transfer(t))).collect()),
                Value::list(f.txns.iter().map(|&t| Value::str(ctx.case.transfers.txn_id.get(t.ix()))).collect()),
                Value::list(f.accounts.iter().map(|&a| Value::Node(NodeId::Account(a))).collect()),
                Value::list(f.entities.iter().map(|&e| Value::Node(ent(e))).collect()),
                Value::Num(f.total),
                f.first_at.map(Value::DateTime).unwrap_or_default(),
                f.last_at.map(Value::DateTime).unwrap_or_default(),
                f.suspect.map(|l| Value::Node(ent(l.suspect))).unwrap_or_default(),
                f.suspect.map(|l| Value::int(l.hops as i64)).unwrap_or_default(),
                Value::str(&f.explanation()),
            ]
        })
        .collect();
    // The planner resolved YIELD against these columns, by position.
    debug_assert!(rows.iter().all(|r| r.len() == DETECT_COLUMNS.len()));
    Ok(rows)
}

/// Runs `counterparts(direction, window)`: for every account, the largest number of distinct
/// counterpart accounts among its incoming (`'in'`) or outgoing (`'out'`) account-to-account
/// transfers (every channel; cash has no counterpart account) booked within `window` before and
/// including one of them. One row per account with such a transfer, in account order, columns
/// as in [`COUNTERPARTS_COLUMNS`].
///
/// # Complexity
/// O(E) in one pass over each account's time-sorted transfers (`graph::DistinctWindow`),
/// parallel over accounts balanced by degree.
pub fn counterparts(ctx: &Ctx<'_>, args: &[Value]) -> QResult<Vec<Vec<Value>>> {
    let usage = "counterparts(direction, window) takes 'in' or 'out' and a duration such as duration('P3D')";
    let incoming = match args.first() {
        Some(Value::Str(s)) if s.as_ref() == "in" => true,
        Some(Value::Str(s)) if s.as_ref() == "out" => false,
        _ => return Err(QueryError::exec(usage)),
    };
    let w = match args.get(1) {
        Some(Value::Duration(d)) if *d >= 0 => *d,
        _ => return Err(QueryError::exec(usage)),
    };
    if args.len() > 2 {
        return Err(QueryError::exec(usage));
    }
    let g = &ctx.graph.flow;
    let n = g.account_count();
    let key: &[u32] = if incoming { &g.src } else { &g.dst };
    let rows: Vec<Vec<Value>> = g
        .par_accounts()
        .map_init(
            || (DistinctWindow::new(g.node_count()), Vec::new()),
            |(win, buf): &mut (DistinctWindow, Vec<u32>), a| {
                let edges = if incoming { g.in_edges(a) } else { g.out_edges(a) };
                buf.clear();
                buf.extend(edges.iter().copied().filter(|&e| key[e as usize] < n));
                let mut best = 0;
                win.slide(buf, &g.time, key, w, |_, _, d| best = best.max(d));
                (!buf.is_empty())
                    .then(|| vec![Value::Node(NodeId::Account(AccountId::from_raw(a))), Value::int(best as i64)])
            },
        )
        .flatten()
        .collect();
    debug_assert!(rows.iter().all(|r| r.len() == COUNTERPARTS_COLUMNS.len()));
    Ok(rows)
}
