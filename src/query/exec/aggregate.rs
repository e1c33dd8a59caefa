//! Aggregation: groups rows by key values (first-seen group order) and computes count, sum,
//! min, max, avg and collect, with DISTINCT. Sums of money stay exact decimals.

use super::context::Ctx;
use super::eval::eval;
use crate::query::common::Value;
use crate::query::common::{QResult, QueryError};
use crate::query::parse::ast::Expr;
use crate::query::plan::AggSpec;
use rust_decimal::Decimal;
use std::collections::{BTreeMap, BTreeSet};

type Row = Vec<Value>;

#[derive(Clone)]
enum State {
    Count(u64),
    Sum(Option<Value>),
    Min(Option<Value>),
    Max(Option<Value>),
    Avg(Decimal, u64, i64),
    Collect(Vec<Value>),
}

struct Acc {
    state: State,
    seen: Option<BTreeSet<Value>>,
}

impl Acc {
    fn new(a: &AggSpec) -> Acc {
        let state = match a.func.as_str() {
            "count" => State::Count(0),
            "sum" => State::Sum(None),
            "min" => State::Min(None),
            "max" => State::Max(None),
            "avg" => State::Avg(Decimal::ZERO, 0, 0),
            _ => State::Collect(Vec::new()),
        };
        Acc { state, seen: a.distinct.then(BTreeSet::new) }
    }

    fn add(&mut self, v: Value, star: bool) -> QResult<()> {
        if v.is_null() && !star {
            return Ok(());
        }
        if let Some(seen) = &mut self.seen {
            if !seen.insert(v.clone()) {
                return Ok(());
            }
        }
        match &mut self.state {
            State::Count(n) => *n += 1,
            State::Sum(s) => {
                *s = Some(match (s.take(), v) {
                    (None, v @ (Value::Num(_) | Value::Duration(_))) => v,
                    (Some(Value::Num(a)), Value::Num(b)) => {
                        Value::Num(a.checked_add(b).ok_or_else(|| QueryError::exec("sum() overflowed"))?)
                    }
                    (Some(Value::Duration(a)), Value::Duration(b)) => Value::Duration(a.saturating_add(b)),
                    (_, v) => {
                        return Err(QueryError::exec(format!(
                            "sum() needs numbers or durations, got a {}",
                            v.type_name()
                        )))
                    }
                })
            }
            State::Min(m) => {
                if m.as_ref().is_none_or(|x| v < *x) {
                    *m = Some(v);
                }
            }
            State::Max(m) => {
                if m.as_ref().is_none_or(|x| v > *x) {
                    *m = Some(v);
                }
            }
            State::Avg(sum, n, secs) => match v {
                Value::Num(x) => {
                    *sum = sum.checked_add(x).ok_or_else(|| QueryError::exec("avg() overflowed"))?;
                    *n += 1;
                }
                Value::Duration(d) => {
                    *secs = secs.saturating_add(d);
                    *n += 1;
                }
                o => return Err(QueryError::exec(format!("avg() needs numbers, got a {}", o.type_name()))),
            },
            State::Collect(l) => l.push(v),
        }
        Ok(())
    }

    fn finish(self) -> Value {
        match self.state {
            State::Count(n) => Value::int(n as i64),
            State::Sum(s) => s.unwrap_or(Value::int(0)),
            State::Min(m) | State::Max(m) => m.unwrap_or_default(),
            State::Avg(_, 0, _) => Value::Null,
            State::Avg(sum, n, secs) if sum.is_zero() && secs != 0 => Value::Duration(secs / n as i64),
            State::Avg(sum, n, _) => {
                Value::Num(sum.checked_div(Decimal::from(n)).map(|x| x.round_dp(10)).unwrap_or(Decimal::ZERO))
            }
            State::Collect(l) => Value::list(l),
        }
    }
}

/// Groups `input` by `keys` and computes `aggs`; output rows are keys then aggregates. With no
/// keys and no input, one row of empty aggregates (count 0).
pub fn aggregate(ctx: &Ctx<'_>, input: &[Row], keys: &[(Expr, String)], aggs: &[AggSpec]) -> QResult<Vec<Row>> {
    if aggs.iter().any(|a| a.func == "collect") {
        ctx.charge_values(input.len() as u64)?;
    }
    let mut index: BTreeMap<Vec<Value>, usize> = BTreeMap::new();
    let mut groups: Vec<(Vec<Value>, Vec<Acc>)> = Vec::new();
    for row in input {
        ctx.check_time()?;
        let mut k = Vec::with_capacity(keys.len());
        for (e, _) in keys {
            k.push(eval(ctx, row, e)?);
        }
        let gi = match index.get(&k) {
            Some(&i) => i,
            None => {
                groups.push((k.clone(), aggs.iter().map(Acc::new).collect()));
                index.insert(k, groups.len() - 1);
                groups.len() - 1
            }
        };
        for (j, a) in aggs.iter().enumerate() {
            let (v, star) = match &a.arg {
                Some(e) => (eval(ctx, row, e)?, false),
                None => (Value::Bool(true), true),
            };
            groups[gi].1[j].add(v, star)?;
        }
    }
    if groups.is_empty() && keys.is_empty() {
        groups.push((Vec::new(), aggs.iter().map(Acc::new).collect()));
    }
    Ok(groups
        .into_iter()
        .map(|(mut k, accs)| {
            k.extend(accs.into_iter().map(Acc::finish));
            k
        })
        .collect())
}
