//! Scalar functions: dates, datetimes and durations, strings, lists, paths, conversions. Their
//! names and argument counts are in the planner's catalog (`plan/catalog.rs`), which checks every
//! call before it runs. Aggregates (count, sum, min, max, avg, collect) are computed in
//! `aggregate.rs`.

use super::context::Ctx;
use super::graphs;
use crate::model::{Date, DateTime};
use crate::query::common::{PathVal, Value};
use crate::query::common::{QResult, QueryError};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};
use std::str::FromStr;
use std::sync::Arc;

fn err<T>(m: impl Into<String>) -> QResult<T> {
    Err(QueryError::exec(m))
}

fn text(v: &Value, f: &str) -> QResult<Option<Arc<str>>> {
    match v {
        Value::Null => Ok(None),
        Value::Str(s) => Ok(Some(s.clone())),
        other => err(format!("{f}() expects a string, got a {}", other.type_name())),
    }
}

fn num(v: &Value, f: &str) -> QResult<Option<Decimal>> {
    match v {
        Value::Null => Ok(None),
        Value::Num(n) => Ok(Some(*n)),
        other => err(format!("{f}() expects a number, got a {}", other.type_name())),
    }
}

fn map_get<'v>(m: &'v [(String, Value)], k: &str) -> Option<&'v Value> {
    m.iter().find(|(n, _)| n.eq_ignore_ascii_case(k)).map(|(_, v)| v)
}

fn map_i64(m: &[(String, Value)], k: &str) -> QResult<Option<i64>> {
    match map_get(m, k) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Num(n)) => {
            n.trunc().to_i64().map(Some).ok_or_else(|| QueryError::exec(format!("{k} out of range")))
        }
        Some(o) => err(format!("{k} must be a number, got a {}", o.type_name())),
    }
}

/// Parses an ISO 8601 duration without years or months (`P30D`, `PT12H`, `P1W`, `P2DT3H4M5S`).
pub fn parse_duration(s: &str) -> Option<i64> {
    let s = s.trim();
    let (neg, s) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s),
    };
    let body = s.strip_prefix('P').or_else(|| s.strip_prefix('p'))?;
    let mut total: i64 = 0;
    let mut in_time = false;
    let mut n = String::new();
    for c in body.chars() {
        match c.to_ascii_uppercase() {
            'T' if n.is_empty() => in_time = true,
            d if d.is_ascii_digit() => n.push(d),
            u => {
                let v: i64 = n.parse().ok()?;
                n.clear();
                let unit = match (u, in_time) {
                    ('W', false) => 7 * 86_400,
                    ('D', false) => 86_400,
                    ('H', true) => 3_600,
                    ('M', true) => 60,
                    ('S', true) => 1,
                    _ => return None,
                };
                total = total.checked_add(v.checked_mul(unit)?)?;
            }
        }
    }
    if !n.is_empty() {
        return None;
    }
    Some(if neg { -total } else { total })
}

fn to_int(d: Decimal) -> Value {
    Value::Num(d.trunc())
}

/// Evaluates scalar function `name` on evaluated arguments (the planner checked the name and
/// the argument count against the catalog).
pub fn call(ctx: &Ctx<'_>, name: &str, a: &[Value]) -> QResult<Value> {
    let first = a.first().cloned().unwrap_or(Value::Null);
    for family in [dates, strings, lists, numbers, graph] {
        if let Some(v) = family(ctx, name, first.clone(), a)? {
            return Ok(v);
        }
    }
    err(format!("unknown function '{name}'"))
}

/// Dates, datetimes and durations: `date`, `datetime`, `duration`, `days`, `hours`, `seconds`,
/// `epochMillis`. `None` for another name.
fn dates(ctx: &Ctx<'_>, name: &str, first: Value, a: &[Value]) -> QResult<Option<Value>> {
    Ok(Some(match name {
        "date" => match first {
            Value::Null if a.is_empty() => Value::Date(ctx.case.meta.valuation_date),
            Value::Null => Value::Null,
            Value::Str(s) => match Date::parse_iso(s.trim()).or_else(|| DateTime::parse_iso(s.trim()).map(|t| t.date())) {
                Some(d) => Value::Date(d),
                None => return err(format!("date('{s}'): expected YYYY-MM-DD")),
            },
            Value::Date(d) => Value::Date(d),
            Value::DateTime(t) => Value::Date(t.date()),
            Value::Map(m) => {
                let (y, mo, d) = (map_i64(&m, "year")?, map_i64(&m, "month")?.unwrap_or(1), map_i64(&m, "day")?.unwrap_or(1));
                let y = y.ok_or_else(|| QueryError::exec("date({...}) needs year"))?;
                match Date::from_ymd(y as i32, mo as u32, d as u32) {
                    Some(d) => Value::Date(d),
                    None => return err(format!("date({{year: {y}, month: {mo}, day: {d}}}) does not exist")),
                }
            }
            o => return err(format!("date() expects a string, map or datetime, got a {}", o.type_name())),
        },
        "datetime" => match first {
            Value::Null if a.is_empty() => Value::DateTime(ctx.case.meta.valuation_date.start()),
            Value::Null => Value::Null,
            Value::Str(s) => match DateTime::parse_iso(s.trim()) {
                Some(t) => Value::DateTime(t),
                None => return err(format!("datetime('{s}'): expected YYYY-MM-DD[THH:MM[:SS]]")),
            },
            Value::Date(d) => Value::DateTime(d.start()),
            Value::DateTime(t) => Value::DateTime(t),
            Value::Num(n) => {
                let s = (n / Decimal::from(1000)).floor().to_i64();
                Value::DateTime(epoch(s, || format!("datetime({n})"))?)
            }
            Value::Map(m) => {
                if let Some(ms) = map_i64(&m, "epochMillis")? {
                    Value::DateTime(epoch(Some(ms.div_euclid(1000)), || format!("datetime({{epochMillis: {ms}}})"))?)
                } else if let Some(s) = map_i64(&m, "epochSeconds")? {
                    Value::DateTime(epoch(Some(s), || format!("datetime({{epochSeconds: {s}}})"))?)
                } else {
                    return err("datetime({...}) needs epochMillis or epochSeconds");
                }
            }
            o => return err(format!("datetime() expects a string, map or date, got a {}", o.type_name())),
        },
        "duration" => match first {
            Value::Null => Value::Null,
            Value::Str(s) => match parse_duration(&s) {
                Some(d) => Value::Duration(d),
                None => return err(format!("duration('{s}'): expected ISO 8601 such as 'P30D' or 'PT12H' (no years or months: their length varies)")),
            },
            Value::Map(m) => {
                let mut total = 0i64;
                for (k, unit) in [("weeks", 604_800), ("days", 86_400), ("hours", 3_600), ("minutes", 60), ("seconds", 1)] {
                    if let Some(v) = map_i64(&m, k)? {
                        total = v.checked_mul(unit).and_then(|x| total.checked_add(x)).ok_or_else(|| QueryError::exec("duration out of range"))?;
                    }
                }
                Value::Duration(total)
            }
            Value::Duration(d) => Value::Duration(d),
            o => return err(format!("duration() expects a string or map, got a {}", o.type_name())),
        },
        "days" | "hours" | "seconds" => match first {
            Value::Duration(d) => {
                let unit = match name {
                    "days" => 86_400,
                    "hours" => 3_600,
                    _ => 1,
                };
                Value::Num((Decimal::from(d) / Decimal::from(unit)).normalize())
            }
            Value::Null => Value::Null,
            o => return err(format!("{name}() expects a duration, got a {}", o.type_name())),
        },
        "epochmillis" => match first.as_datetime() {
            Some(t) => Value::Num(Decimal::from(t.0) * Decimal::from(1000)),
            None => Value::Null,
        },
        _ => return Ok(None),
    }))
}

/// Text: `toLower`, `toUpper`, `trim`, `contains`, `startsWith`, `endsWith`, `substring`,
/// `replace`, `split`. `None` for another name.
fn strings(ctx: &Ctx<'_>, name: &str, first: Value, a: &[Value]) -> QResult<Option<Value>> {
    Ok(Some(match name {
        "tolower" => text(&first, name)?.map(|s| Value::str(&s.to_lowercase())).unwrap_or_default(),
        "toupper" => text(&first, name)?.map(|s| Value::str(&s.to_uppercase())).unwrap_or_default(),
        "trim" => text(&first, name)?.map(|s| Value::str(s.trim())).unwrap_or_default(),
        "contains" | "startswith" | "endswith" => match (text(&a[0], name)?, text(&a[1], name)?) {
            (Some(s), Some(t)) => Value::Bool(match name {
                "contains" => s.contains(&*t),
                "startswith" => s.starts_with(&*t),
                _ => s.ends_with(&*t),
            }),
            _ => Value::Null,
        },
        "substring" => match (text(&a[0], name)?, num(&a[1], name)?) {
            (Some(s), Some(st)) => {
                let st = st.to_usize().unwrap_or(0);
                let len = match a.get(2) {
                    Some(v) => num(v, name)?.and_then(|x| x.to_usize()).unwrap_or(usize::MAX),
                    None => usize::MAX,
                };
                Value::str(&s.chars().skip(st).take(len).collect::<String>())
            }
            _ => Value::Null,
        },
        "replace" => match (text(&a[0], name)?, text(&a[1], name)?, text(&a[2], name)?) {
            (Some(s), Some(f), Some(t)) => {
                let r = s.replace(&*f, &t);
                if r.len() > super::context::MAX_STRING {
                    return err("replace() made a string past 16 MiB");
                }
                Value::str(&r)
            }
            _ => Value::Null,
        },
        "split" => match (text(&a[0], name)?, text(&a[1], name)?) {
            (Some(s), Some(sep)) => {
                ctx.charge_bytes(s.len())?;
                let parts: Vec<Value> = s.split(&*sep).map(Value::str).collect();
                ctx.charge_values(parts.len() as u64)?;
                Value::list(parts)
            }
            _ => Value::Null,
        },
        _ => return Ok(None),
    }))
}

/// Lists and paths: `size`, `length`, `nodes`, `relationships`, `head`, `last`, `coalesce`,
/// `range`. `None` for another name.
fn lists(ctx: &Ctx<'_>, name: &str, first: Value, a: &[Value]) -> QResult<Option<Value>> {
    Ok(Some(match name {
        "size" | "length" => match first {
            Value::Null => Value::Null,
            Value::Str(s) => Value::int(s.chars().count() as i64),
            Value::List(l) => Value::int(l.len() as i64),
            Value::Path(p) => Value::int(p.rels.len() as i64),
            o => return err(format!("{name}() expects a list, string or path, got a {}", o.type_name())),
        },
        "nodes" => match first {
            Value::Path(p) => Value::list(p.nodes.iter().map(|&n| Value::Node(n)).collect()),
            Value::Null => Value::Null,
            o => return err(format!("nodes() expects a path, got a {}", o.type_name())),
        },
        "relationships" | "rels" => match first {
            Value::Path(p) => Value::list(p.rels.iter().map(|&r| Value::Rel(r)).collect()),
            Value::Null => Value::Null,
            o => return err(format!("relationships() expects a path, got a {}", o.type_name())),
        },
        "head" | "last" => match first {
            Value::List(l) => (if name == "head" { l.first() } else { l.last() }).cloned().unwrap_or_default(),
            Value::Null => Value::Null,
            o => return err(format!("{name}() expects a list, got a {}", o.type_name())),
        },
        "coalesce" => a.iter().find(|v| !v.is_null()).cloned().unwrap_or_default(),
        "range" => {
            let (lo, hi) = (num(&a[0], name)?, num(&a[1], name)?);
            let step = match a.get(2) {
                Some(v) => num(v, name)?,
                None => Some(Decimal::ONE),
            };
            match (lo.and_then(|x| x.to_i64()), hi.and_then(|x| x.to_i64()), step.and_then(|x| x.to_i64())) {
                (Some(lo), Some(hi), Some(st)) if st != 0 => {
                    let n = ((hi - lo) / st + 1).max(0);
                    if n > 1_000_000 {
                        return err("range() would make more than 1,000,000 values");
                    }
                    ctx.charge_values(n as u64)?;
                    Value::list((0..n).map(|i| Value::int(lo + i * st)).collect())
                }
                _ => return err("range(start, end[, step]) needs whole numbers and a non-zero step"),
            }
        }
        _ => return Ok(None),
    }))
}

/// Numbers and conversions: `abs`, `round`, `floor`, `ceil`, `toString`, `toInteger`, `toNumber`,
/// `toFloat`. `None` for another name.
fn numbers(ctx: &Ctx<'_>, name: &str, first: Value, a: &[Value]) -> QResult<Option<Value>> {
    Ok(Some(match name {
        "abs" => match first {
            Value::Duration(d) => Value::Duration(d.abs()),
            v => num(&v, name)?.map(|n| Value::Num(n.abs())).unwrap_or_default(),
        },
        "round" => {
            let dp = match a.get(1) {
                Some(v) => num(v, name)?.and_then(|x| x.to_u32()).unwrap_or(0),
                None => 0,
            };
            num(&first, name)?
                .map(|n| Value::Num(n.round_dp_with_strategy(dp, RoundingStrategy::MidpointAwayFromZero)))
                .unwrap_or_default()
        }
        "floor" => num(&first, name)?.map(|n| Value::Num(n.floor())).unwrap_or_default(),
        "ceil" => num(&first, name)?.map(|n| Value::Num(n.ceil())).unwrap_or_default(),
        "tostring" => match first {
            Value::Null => Value::Null,
            v => Value::str(&v.render(ctx.case)),
        },
        "tointeger" | "tonumber" | "tofloat" => match first {
            Value::Null => Value::Null,
            Value::Num(n) => {
                if name == "tointeger" {
                    to_int(n)
                } else {
                    Value::Num(n)
                }
            }
            Value::Str(s) => match Decimal::from_str(s.trim()).or_else(|_| Decimal::from_scientific(s.trim())) {
                Ok(n) if name == "tointeger" => to_int(n),
                Ok(n) => Value::Num(n),
                Err(_) => Value::Null,
            },
            Value::Bool(b) => Value::int(b as i64),
            o => return err(format!("{name}() expects a string or number, got a {}", o.type_name())),
        },
        _ => return Ok(None),
    }))
}

/// Nodes, relationships and paths of the case: `id`, `labels`, `type`, `startNode`, `endNode`,
/// `ascending`, `has_label`. `None` for another name.
fn graph(ctx: &Ctx<'_>, name: &str, first: Value, a: &[Value]) -> QResult<Option<Value>> {
    Ok(Some(match name {
        "id" => match first {
            Value::Node(n) => Value::str(&crate::query::common::node_key(ctx.case, n)),
            Value::Rel(r) => Value::str(&crate::query::common::rel_key(ctx.case, r)),
            Value::Null => Value::Null,
            o => return err(format!("id() expects a node or relationship, got a {}", o.type_name())),
        },
        "labels" => match first {
            Value::Node(n) => Value::list(vec![Value::str(n.label(ctx.case))]),
            _ => Value::Null,
        },
        "type" => match first {
            Value::Rel(r) => Value::str(r.rel_type(ctx.case)),
            _ => Value::Null,
        },
        "startnode" | "endnode" => match first {
            Value::Rel(r) => {
                let (s, e) = graphs::rel_ends(ctx, r);
                Value::Node(if name == "startnode" { s } else { e })
            }
            _ => Value::Null,
        },
        "ascending" => match first {
            Value::Path(p) => Value::Bool(ascending(ctx, &p)),
            Value::List(l) => {
                let rels: Vec<_> =
                    l.iter().filter_map(|v| if let Value::Rel(r) = v { Some(*r) } else { None }).collect();
                Value::Bool(ascending(ctx, &PathVal { nodes: Vec::new(), rels }))
            }
            _ => Value::Null,
        },
        "has_label" => match (&a[0], &a[1]) {
            (Value::Node(n), Value::Str(l)) => Value::Bool(n.label(ctx.case) == &**l),
            _ => Value::Bool(false),
        },
        _ => return Ok(None),
    }))
}

/// True when the transfers of a path are booked in strictly increasing time.
fn ascending(ctx: &Ctx<'_>, p: &PathVal) -> bool {
    let times: Vec<_> = p
        .rels
        .iter()
        .filter_map(|r| match r {
            crate::query::common::RelId::Transfer(e) => Some(ctx.case.transfers.booked_at[e.ix()]),
            _ => None,
        })
        .collect();
    times.windows(2).all(|w| w[0] < w[1])
}

/// A date-time from seconds since 1970, kept to the years 0001-9999 that dates render in; beyond
/// them an error naming the call, never a wrapped or clamped date.
fn epoch(secs: Option<i64>, call: impl Fn() -> String) -> QResult<DateTime> {
    const FIRST: i64 = -62_135_596_800; // 0001-01-01 00:00:00
    const LAST: i64 = 253_402_300_799; // 9999-12-31 23:59:59
    match secs {
        Some(s) if (FIRST..=LAST).contains(&s) => Ok(DateTime(s)),
        _ => err(format!("{}: out of range (years 0001 to 9999)", call())),
    }
}
