//! Procedures callable from a query: `CALL detect('fan_in') YIELD ...` runs the native
//! detectors of [`crate::patterns`] and turns each finding into a row.

use super::context::Ctx;
use crate::model::EntityKind;
use crate::patterns::{self, RunOptions};
use crate::query::common::{NodeId, RelId, Value};
use crate::query::common::{QResult, QueryError};
use crate::query::plan::DETECT_COLUMNS;

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
                EntityKind::Person => NodeId::Person(e.idx),
                EntityKind::Company => NodeId::Company(e.idx),
            };
            vec![
                Value::str(&f.id),
                Value::str(f.typology),
                Value::int(f.score as i64),
                Value::list(f.txns.iter().map(|&t| Value::Rel(RelId::Transfer(t))).collect()),
                Value::list(f.txns.iter().map(|&t| Value::str(ctx.case.transfers.txn_id.get(t as usize))).collect()),
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
