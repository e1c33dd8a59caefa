//! L4, pattern queries: an openCypher-style language with time-respecting money paths, run over
//! one case and its graphs. The language is documented in docs/query-language.md.
//!
//! A query passes three stages, after DataFusion's pipeline:
//! 1. `parse/`: text -> tokens -> syntax tree;
//! 2. `plan/`: syntax tree -> [`LogicalPlan`], every name checked against the case (the plan's
//!    `Display` is the EXPLAIN text);
//! 3. `exec/`: the plan run over the case and its graphs -> rows of [`Value`]s.
//!
//! Each stage uses only the ones before it and `common/` (errors, values): `parse` neither
//! `plan` nor `exec`, `plan` not `exec`. Around them: [`format`] writes results, [`evidence`]
//! draws a row's subgraph. The module depends on `model`, `graph` and `patterns` (for
//! `CALL detect(...)`), and never prints.
//!
//! ```no_run
//! # use moneytrail::query;
//! # fn f(case: &moneytrail::model::Case, g: &moneytrail::graph::CaseGraph) -> Result<(), query::QueryError> {
//! let q = query::prepare(
//!     "MATCH p = (a:Account)-[:TRANSFER*2..6 ASCENDING TIME WITHIN 90 DAYS]->(a) RETURN p",
//!     case,
//!     &Default::default(),
//! )?;
//! let result = query::execute(&q, case, g, Default::default(), &query::Budget::default())?;
//! # Ok(()) }
//! ```

mod common;
mod exec;
mod parse;
mod plan;

pub mod evidence;
pub mod format;

pub use common::{ErrorKind, NodeId, PathVal, QueryError, RelId, Span, Value};
pub use exec::{Budget, DetectFn};
pub use plan::LogicalPlan;

use crate::graph::CaseGraph;
use crate::model::Case;
use std::collections::HashMap;

/// A parsed and planned query, ready to run.
#[derive(Clone, Debug)]
pub struct Prepared {
    /// The plan (its `Display` is the EXPLAIN text).
    pub plan: LogicalPlan,
    /// Result column names.
    pub columns: Vec<String>,
}

/// The rows of a query.
#[derive(Clone, Debug)]
pub struct QueryResult {
    /// Column names.
    pub columns: Vec<String>,
    /// Rows, one value per column.
    pub rows: Vec<Vec<Value>>,
}

impl QueryResult {
    /// Rewrites the text of every cell with `f` (see [`Value::rewrite_text`]): what
    /// `moneytrail query` does with the audience's scrubber before writing the rows, the
    /// evidence diagrams included, from the audience's view of the case.
    pub fn rewrite_text(&mut self, f: &dyn Fn(&str) -> Option<String>) {
        for row in self.rows.iter_mut() {
            for v in row.iter_mut() {
                if let Some(n) = v.rewrite_text(f) {
                    *v = n;
                }
            }
        }
    }
}

/// Parses and plans `text` for `case` with the given parameter values.
///
/// # Errors
/// Parse and plan errors with line, column and what was expected; render them with
/// [`QueryError::render`].
pub fn prepare(text: &str, case: &Case, params: &HashMap<String, Value>) -> Result<Prepared, QueryError> {
    let q = parse::parse(text)?;
    let p = plan::plan(&q, case, params)?;
    Ok(Prepared { plan: p.plan, columns: p.columns })
}

/// Checks the syntax of `text` only.
///
/// # Errors
/// The first parse error.
pub fn check_syntax(text: &str) -> Result<(), QueryError> {
    parse::parse(text).map(|_| ())
}

/// Runs a prepared query.
///
/// # Errors
/// Execution errors (types, division by zero, bad dates) and budget stops.
///
/// # Complexity
/// Per operator linear in its input rows, except variable-length expansion: O(d^k) per start
/// node for degree d and k hops in the worst case, cut by the temporal qualifiers, which
/// restrict each hop to a binary-searched time interval of the node's sorted edges.
pub fn execute(
    q: &Prepared,
    case: &Case,
    graph: &CaseGraph,
    params: HashMap<String, Value>,
    budget: &Budget,
) -> Result<QueryResult, QueryError> {
    execute_with(q, case, graph, params, budget, None)
}

/// [`execute`], with `CALL detect(...)` answered by `detect` instead of running the detectors on
/// `case` (see [`DetectFn`]).
///
/// # Errors
/// As [`execute`].
pub fn execute_with(
    q: &Prepared,
    case: &Case,
    graph: &CaseGraph,
    params: HashMap<String, Value>,
    budget: &Budget,
    detect: Option<&DetectFn<'_>>,
) -> Result<QueryResult, QueryError> {
    let mut ctx = exec::Ctx::new(case, graph, params, budget.clone());
    ctx.detect = detect;
    let rows = exec::run_top(&ctx, &q.plan)?;
    Ok(QueryResult { columns: q.columns.clone(), rows })
}

/// Every transfer a result mentions: transfer relationships, the transfers of paths, lists of
/// those, and text (or lists of text) in columns named `txn_id`, `txn_ids` or `transfers` (`;`-separated external ids). Sorted,
/// without duplicates; used to take a query's rows as tracing sources.
pub fn transfers_in(result: &QueryResult, case: &Case) -> Vec<u32> {
    fn walk(v: &Value, out: &mut Vec<u32>) {
        match v {
            Value::Rel(RelId::Transfer(t)) => out.push(t.raw()),
            Value::Path(p) => out.extend(p.rels.iter().filter_map(|r| match r {
                RelId::Transfer(t) => Some(t.raw()),
                _ => None,
            })),
            Value::List(l) => l.iter().for_each(|x| walk(x, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    let id_cols: Vec<usize> = result
        .columns
        .iter()
        .enumerate()
        .filter(|(_, c)| matches!(c.as_str(), "txn_id" | "txn_ids" | "transfers"))
        .map(|(i, _)| i)
        .collect();
    let mut by_id: Option<HashMap<&str, u32>> = None;
    for row in &result.rows {
        for (i, v) in row.iter().enumerate() {
            walk(v, &mut out);
            if id_cols.contains(&i) {
                let texts: Vec<&str> = match v {
                    Value::Str(s) => vec![s],
                    Value::List(l) => {
                        l.iter().filter_map(|x| if let Value::Str(s) = x { Some(&**s) } else { None }).collect()
                    }
                    _ => Vec::new(),
                };
                if !texts.is_empty() {
                    let map = by_id.get_or_insert_with(|| {
                        (0..case.transfers.len()).map(|t| (case.transfers.txn_id.get(t), t as u32)).collect()
                    });
                    for s in texts {
                        out.extend(s.split(';').filter_map(|id| map.get(id.trim()).copied()));
                    }
                }
            }
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// Parses a `--param name=value` value: `'text'` or `"text"` is a string, `true`/`false`/`null`,
/// a number is an exact decimal, `[a, b]` a list of those; anything else is a string.
pub fn param_value(s: &str) -> Value {
    let t = s.trim();
    if t.len() >= 2 && ((t.starts_with('\'') && t.ends_with('\'')) || (t.starts_with('"') && t.ends_with('"'))) {
        return Value::str(&t[1..t.len() - 1]);
    }
    match t {
        "true" => return Value::Bool(true),
        "false" => return Value::Bool(false),
        "null" => return Value::Null,
        _ => {}
    }
    if let Some(inner) = t.strip_prefix('[').and_then(|x| x.strip_suffix(']')) {
        if inner.trim().is_empty() {
            return Value::list(Vec::new());
        }
        return Value::list(inner.split(',').map(param_value).collect());
    }
    let numeric = !t.is_empty()
        && t.trim_start_matches('-').chars().all(|c| c.is_ascii_digit() || c == '.')
        && !t.starts_with('0') | (t == "0" || t.starts_with("0."));
    match (numeric, t.parse::<rust_decimal::Decimal>()) {
        (true, Ok(d)) => Value::Num(d),
        _ => Value::str(t),
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    /// The stage rule of the module header, checked on the source: `common` uses no stage,
    /// `parse` neither `plan` nor `exec` (nor the case), `plan` not `exec` (nor the graphs).
    #[test]
    fn stages_depend_only_on_earlier_stages() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/query");
        let rules: &[(&str, &[&str])] = &[
            ("common", &["query::parse", "query::plan", "query::exec", "crate::graph", "crate::patterns"]),
            ("parse", &["query::plan", "query::exec", "crate::model", "crate::graph", "crate::patterns"]),
            ("plan", &["query::exec", "crate::graph", "crate::patterns"]),
        ];
        for (stage, banned) in rules {
            let dir = root.join(stage);
            let mut files = 0;
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                let text = std::fs::read_to_string(&path).unwrap();
                files += 1;
                for (i, line) in text.lines().enumerate() {
                    for b in banned.iter().copied().chain(["super::super", "crate::query::{"]) {
                        assert!(!line.contains(b), "{}:{}: {stage} may not use {b}: {line}", path.display(), i + 1);
                    }
                }
            }
            assert!(files > 1, "no files under {}", dir.display());
        }
    }
}
