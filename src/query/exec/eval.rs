//! Expression evaluation over a row: three-valued logic, exact decimal arithmetic, date and
//! duration arithmetic, property access, list comprehensions and `exists { }` sub-plans.

use super::context::Ctx;
use super::functions;
use super::props;
use crate::model::{Date as MDate, DateTime as MDateTime};
use crate::query::common::Value;
use crate::query::common::{QResult, QueryError};
use crate::query::parse::ast::{BinOp, Expr, ExprKind};
use crate::query::plan::LogicalPlan;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use std::cmp::Ordering;

fn err<T>(m: impl Into<String>) -> QResult<T> {
    Err(QueryError::exec(m))
}

/// Evaluates `e` over `row`.
///
/// Every string it yields counts against the memory budget ([`Ctx::charge_bytes`]): reading a
/// long value row after row costs the same as building it, and the result must be rendered.
pub fn eval(ctx: &Ctx<'_>, row: &[Value], e: &Expr) -> QResult<Value> {
    let v = eval_inner(ctx, row, e).map_err(|x| x.at(e.span))?;
    if let Value::Str(s) = &v {
        ctx.charge_bytes(s.len()).map_err(|x| x.at(e.span))?;
    }
    Ok(v)
}

/// True when `e` evaluates to true (NULL and false are not true).
pub fn truthy(ctx: &Ctx<'_>, row: &[Value], e: &Expr) -> QResult<bool> {
    match eval(ctx, row, e)? {
        Value::Bool(b) => Ok(b),
        Value::Null => Ok(false),
        o => Err(QueryError::exec(format!("a condition must be true or false, got a {}", o.type_name())).at(e.span)),
    }
}

fn bool_of(v: &Value) -> QResult<Option<bool>> {
    match v {
        Value::Bool(b) => Ok(Some(*b)),
        Value::Null => Ok(None),
        o => err(format!("expected true or false, got a {}", o.type_name())),
    }
}

fn eval_inner(ctx: &Ctx<'_>, row: &[Value], e: &Expr) -> QResult<Value> {
    use ExprKind::*;
    Ok(match &e.kind {
        Lit(v) => v.clone(),
        Param(p) => ctx.params.get(p).cloned().unwrap_or_default(),
        Slot(i, _) | AggRef(i, _) => row.get(*i).cloned().unwrap_or_default(),
        Var(v) => return err(format!("internal: unresolved variable '{v}'")),
        Prop(x, name) => prop(ctx, &eval(ctx, row, x)?, name)?,
        Index(x, i) => index(ctx, row, x, i)?,
        Bin(op, a, b) => binary(ctx, row, *op, a, b)?,
        Not(x) => match bool_of(&eval(ctx, row, x)?)? {
            Some(b) => Value::Bool(!b),
            None => Value::Null,
        },
        Neg(x) => match eval(ctx, row, x)? {
            Value::Num(n) => Value::Num(-n),
            Value::Duration(d) => Value::Duration(-d),
            Value::Null => Value::Null,
            o => return err(format!("cannot negate a {}", o.type_name())),
        },
        IsNull(x, negated) => Value::Bool(eval(ctx, row, x)?.is_null() != *negated),
        Call { name, args, .. } => {
            let mut vals = Vec::with_capacity(args.len());
            for a in args {
                vals.push(eval(ctx, row, a)?);
            }
            functions::call(ctx, name, &vals)?
        }
        CountStar => return err("internal: count(*) outside an aggregation"),
        List(items) => {
            ctx.charge_values(items.len() as u64)?;
            let mut out = Vec::with_capacity(items.len());
            for a in items {
                out.push(eval(ctx, row, a)?);
            }
            Value::list(out)
        }
        Map(items) => {
            let mut out = Vec::with_capacity(items.len());
            for (k, a) in items {
                out.push((k.clone(), eval(ctx, row, a)?));
            }
            Value::Map(std::sync::Arc::new(out))
        }
        Case(arms, other) => {
            for (c, v) in arms {
                if truthy(ctx, row, c)? {
                    return eval(ctx, row, v);
                }
            }
            match other {
                Some(o) => eval(ctx, row, o)?,
                None => Value::Null,
            }
        }
        Exists(..) => return err("internal: unplanned exists"),
        ExistsPlan(q) => {
            let p = LogicalPlan::of_subquery(&**q)
                .ok_or_else(|| QueryError::exec("internal: exists { } without a plan"))?;
            Value::Bool(!super::executor::run_plan(ctx, p, Some(row))?.is_empty())
        }
        Comprehension { list, filter, map, .. } => comprehension(ctx, row, list, filter, map)?,
        Reduce { init, list, expr, .. } => reduce(ctx, row, init, list, expr)?,
        Quantifier { q, list, pred, .. } => quantifier(ctx, row, q, list, pred)?,
    })
}

/// `expr[index]` on a list (negative counts from the end), a map, or a node or relationship
/// (a property by name).
fn index(ctx: &Ctx<'_>, row: &[Value], x: &Expr, i: &Expr) -> QResult<Value> {
    Ok(match (eval(ctx, row, x)?, eval(ctx, row, i)?) {
        (Value::List(l), Value::Num(n)) => {
            let n = n.to_i64().unwrap_or(i64::MAX);
            let idx = if n < 0 { l.len() as i64 + n } else { n };
            usize::try_from(idx).ok().and_then(|i| l.get(i).cloned()).unwrap_or_default()
        }
        (Value::Map(m), Value::Str(k)) => m.iter().find(|(n, _)| **n == *k).map(|(_, v)| v.clone()).unwrap_or_default(),
        (v @ (Value::Node(_) | Value::Rel(_)), Value::Str(k)) => prop(ctx, &v, &k)?,
        (Value::Null, _) | (_, Value::Null) => Value::Null,
        (a, b) => return err(format!("cannot index a {} with a {}", a.type_name(), b.type_name())),
    })
}

/// `[x IN list WHERE pred | expr]`: the element goes in the slot after the row.
fn comprehension(
    ctx: &Ctx<'_>,
    row: &[Value],
    list: &Expr,
    filter: &Option<Box<Expr>>,
    map: &Option<Box<Expr>>,
) -> QResult<Value> {
    let l = match eval(ctx, row, list)? {
        Value::List(l) => l,
        Value::Null => return Ok(Value::Null),
        o => return err(format!("a list comprehension needs a list, got a {}", o.type_name())),
    };
    let mut ext = row.to_vec();
    ext.push(Value::Null);
    let last = ext.len() - 1;
    let mut out = Vec::new();
    for (i, x) in l.iter().enumerate() {
        if i % 1024 == 1023 {
            ctx.check_time()?;
        }
        ext[last] = x.clone();
        if let Some(f) = filter {
            if !truthy(ctx, &ext, f)? {
                continue;
            }
        }
        out.push(match map {
            Some(m) => eval(ctx, &ext, m)?,
            None => x.clone(),
        });
    }
    ctx.charge_values(out.len() as u64)?;
    Ok(Value::list(out))
}

/// `reduce(acc = init, x IN list | expr)`: accumulator and element in the two slots after the row.
fn reduce(ctx: &Ctx<'_>, row: &[Value], init: &Expr, list: &Expr, expr: &Expr) -> QResult<Value> {
    let mut acc = eval(ctx, row, init)?;
    let l = match eval(ctx, row, list)? {
        Value::List(l) => l,
        Value::Null => return Ok(Value::Null),
        o => return err(format!("reduce() needs a list, got a {}", o.type_name())),
    };
    let mut ext = row.to_vec();
    ext.push(Value::Null);
    ext.push(Value::Null);
    let n = ext.len();
    for (i, x) in l.iter().enumerate() {
        if i % 1024 == 1023 {
            ctx.check_time()?;
        }
        ext[n - 2] = acc;
        ext[n - 1] = x.clone();
        acc = eval(ctx, &ext, expr)?;
    }
    Ok(acc)
}

/// `all/any/none/single(x IN list WHERE pred)`: the element goes in the slot after the row.
fn quantifier(ctx: &Ctx<'_>, row: &[Value], q: &str, list: &Expr, pred: &Expr) -> QResult<Value> {
    let l = match eval(ctx, row, list)? {
        Value::List(l) => l,
        Value::Null => return Ok(Value::Null),
        o => return err(format!("{q}() needs a list, got a {}", o.type_name())),
    };
    let mut ext = row.to_vec();
    ext.push(Value::Null);
    let last = ext.len() - 1;
    let mut hits = 0usize;
    for (i, x) in l.iter().enumerate() {
        if i % 1024 == 1023 {
            ctx.check_time()?;
        }
        ext[last] = x.clone();
        if truthy(ctx, &ext, pred)? {
            hits += 1;
        }
    }
    Ok(Value::Bool(match q {
        "all" => hits == l.len(),
        "any" => hits > 0,
        "none" => hits == 0,
        _ => hits == 1,
    }))
}

/// Property `name` of a value (node, relationship, map, date, datetime or duration).
pub fn prop(ctx: &Ctx<'_>, v: &Value, name: &str) -> QResult<Value> {
    Ok(match v {
        Value::Null => Value::Null,
        Value::Node(n) => props::node_prop(ctx, *n, name),
        Value::Rel(r) => props::rel_prop(ctx, *r, name),
        Value::Map(m) => m.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default(),
        Value::Duration(d) => match name {
            "days" => Value::int(d / 86_400),
            "hours" => Value::int(d / 3_600),
            "minutes" => Value::int(d / 60),
            "seconds" => Value::int(*d),
            _ => return err(format!("a duration has no '{name}'; it has days, hours, minutes, seconds")),
        },
        Value::Date(_) | Value::DateTime(_) => {
            let t = v.as_datetime().unwrap_or(MDateTime(0));
            let n = t.to_naive();
            use chrono::{Datelike, Timelike};
            match name {
                "year" => Value::int(n.year() as i64),
                "month" => Value::int(n.month() as i64),
                "day" => Value::int(n.day() as i64),
                "hour" => Value::int(n.hour() as i64),
                "minute" => Value::int(n.minute() as i64),
                "epochMillis" => Value::Num(Decimal::from(t.0) * Decimal::from(1000)),
                "epochSeconds" => Value::int(t.0),
                _ => return err(format!("a date has no '{name}'; it has year, month, day, hour, minute, epochMillis")),
            }
        }
        o => return err(format!("a {} has no properties (asked for '{name}')", o.type_name())),
    })
}

/// Compares two values for `<`, `>`: `None` when they are not comparable (different types, NULL).
pub fn compare(a: &Value, b: &Value) -> Option<Ordering> {
    use Value::*;
    match (a, b) {
        (Null, _) | (_, Null) => None,
        (Num(_), Num(_)) | (Str(_), Str(_)) | (Bool(_), Bool(_)) | (Duration(_), Duration(_)) => Some(a.total_cmp(b)),
        (Date(_) | DateTime(_), Date(_) | DateTime(_)) => Some(a.total_cmp(b)),
        (List(_), List(_)) | (Node(_), Node(_)) | (Rel(_), Rel(_)) | (Path(_), Path(_)) | (Map(_), Map(_)) => {
            Some(a.total_cmp(b))
        }
        _ => None,
    }
}

fn equal(a: &Value, b: &Value) -> Option<bool> {
    if a.is_null() || b.is_null() {
        return None;
    }
    Some(compare(a, b) == Some(Ordering::Equal))
}

fn binary(ctx: &Ctx<'_>, row: &[Value], op: BinOp, a: &Expr, b: &Expr) -> QResult<Value> {
    use BinOp::*;
    // Short-circuit logic with NULL as unknown.
    if matches!(op, And | Or) {
        let l = bool_of(&eval(ctx, row, a)?)?;
        if op == And && l == Some(false) {
            return Ok(Value::Bool(false));
        }
        if op == Or && l == Some(true) {
            return Ok(Value::Bool(true));
        }
        let r = bool_of(&eval(ctx, row, b)?)?;
        return Ok(match (op, l, r) {
            (And, _, Some(false)) => Value::Bool(false),
            (And, Some(true), Some(true)) => Value::Bool(true),
            (Or, _, Some(true)) => Value::Bool(true),
            (Or, Some(false), Some(false)) => Value::Bool(false),
            _ => Value::Null,
        });
    }
    let (l, r) = (eval(ctx, row, a)?, eval(ctx, row, b)?);
    let cmp = |f: fn(Ordering) -> bool| compare(&l, &r).map(|o| Value::Bool(f(o))).unwrap_or_default();
    Ok(match op {
        Xor => match (bool_of(&l)?, bool_of(&r)?) {
            (Some(x), Some(y)) => Value::Bool(x ^ y),
            _ => Value::Null,
        },
        Eq => equal(&l, &r).map(Value::Bool).unwrap_or_default(),
        Ne => equal(&l, &r).map(|x| Value::Bool(!x)).unwrap_or_default(),
        Lt => cmp(|o| o == Ordering::Less),
        Le => cmp(|o| o != Ordering::Greater),
        Gt => cmp(|o| o == Ordering::Greater),
        Ge => cmp(|o| o != Ordering::Less),
        In => match r {
            Value::List(list) => {
                if l.is_null() {
                    return Ok(Value::Null);
                }
                let mut unknown = false;
                for x in list.iter() {
                    match equal(&l, x) {
                        Some(true) => return Ok(Value::Bool(true)),
                        None => unknown = true,
                        _ => {}
                    }
                }
                if unknown {
                    Value::Null
                } else {
                    Value::Bool(false)
                }
            }
            Value::Null => Value::Null,
            o => return err(format!("IN needs a list on the right, got a {}", o.type_name())),
        },
        StartsWith | EndsWith | Contains => match (&l, &r) {
            (Value::Str(s), Value::Str(t)) => Value::Bool(match op {
                StartsWith => s.starts_with(&**t),
                EndsWith => s.ends_with(&**t),
                _ => s.contains(&**t),
            }),
            _ => Value::Null,
        },
        Add | Sub | Mul | Div | Mod => arith(ctx, op, l, r)?,
        And | Or => Value::Null,
    })
}

fn overflow<T>(op: BinOp) -> QResult<T> {
    err(format!("number overflow in '{}'", op.as_str()))
}

/// Arithmetic on numbers (exact), strings and lists (+), dates, datetimes and durations.
fn arith(ctx: &Ctx<'_>, op: BinOp, l: Value, r: Value) -> QResult<Value> {
    use BinOp::*;
    use Value::*;
    Ok(match (op, l, r) {
        (_, Null, _) | (_, _, Null) => Null,
        (Add, Num(a), Num(b)) => a.checked_add(b).map(Num).map_or_else(|| overflow(op), Ok)?,
        (Sub, Num(a), Num(b)) => a.checked_sub(b).map(Num).map_or_else(|| overflow(op), Ok)?,
        (Mul, Num(a), Num(b)) => a.checked_mul(b).map(Num).map_or_else(|| overflow(op), Ok)?,
        (Div | Mod, Num(_), Num(b)) if b.is_zero() => return err("division by zero"),
        (Div, Num(a), Num(b)) => a.checked_div(b).map(|x| Num(x.normalize())).map_or_else(|| overflow(op), Ok)?,
        (Mod, Num(a), Num(b)) => a.checked_rem(b).map(Num).map_or_else(|| overflow(op), Ok)?,
        (Add, Str(a), b) => text(format!("{a}{}", b.render(ctx.case)))?,
        (Add, a @ (Num(_) | Bool(_) | Date(_) | DateTime(_)), Str(b)) => text(format!("{}{b}", a.render(ctx.case)))?,
        (Add, List(a), List(b)) => {
            ctx.charge_values((a.len() + b.len()) as u64)?;
            let mut v = a.to_vec();
            v.extend(b.iter().cloned());
            Value::list(v)
        }
        (Add, List(a), b) => {
            ctx.charge_values(a.len() as u64 + 1)?;
            let mut v = a.to_vec();
            v.push(b);
            Value::list(v)
        }
        (Add | Sub, DateTime(t), Duration(d)) => DateTime(MDateTime(shift(t.0, d, op)?)),
        (Add, Duration(d), DateTime(t)) => DateTime(MDateTime(shift(t.0, d, Add)?)),
        (Add | Sub, Date(t), Duration(d)) => {
            let s = shift(t.start().0, d, op)?;
            if d % 86_400 == 0 {
                Date(MDateTime(s).date())
            } else {
                DateTime(MDateTime(s))
            }
        }
        (Add, Duration(d), Date(t)) => Date(MDateTime(shift(t.start().0, d, Add)?).date()),
        (Sub, a @ (Date(_) | DateTime(_)), b @ (Date(_) | DateTime(_))) => {
            let (x, y) = (a.as_datetime().map(|t| t.0).unwrap_or(0), b.as_datetime().map(|t| t.0).unwrap_or(0));
            Duration(x.checked_sub(y).map_or_else(|| overflow(op), Ok)?)
        }
        (Add, Duration(a), Duration(b)) => Duration(a.checked_add(b).map_or_else(|| overflow(op), Ok)?),
        (Sub, Duration(a), Duration(b)) => Duration(a.checked_sub(b).map_or_else(|| overflow(op), Ok)?),
        (Mul, Duration(d), Num(n)) | (Mul, Num(n), Duration(d)) => {
            Duration(Decimal::from(d).checked_mul(n).and_then(|x| x.trunc().to_i64()).map_or_else(|| overflow(op), Ok)?)
        }
        (Div, Duration(_), Num(n)) if n.is_zero() => return err("division by zero"),
        (Div, Duration(d), Num(n)) => {
            Duration(Decimal::from(d).checked_div(n).and_then(|x| x.trunc().to_i64()).map_or_else(|| overflow(op), Ok)?)
        }
        (Div, Duration(a), Duration(b)) if b != 0 => Num(Decimal::from(a) / Decimal::from(b)),
        (op, a, b) => {
            return err(format!("cannot apply '{}' to a {} and a {}", op.as_str(), a.type_name(), b.type_name()))
        }
    })
}

/// A string result, refused past [`super::context::MAX_STRING`] bytes.
fn text(s: String) -> QResult<Value> {
    if s.len() > super::context::MAX_STRING {
        return err(format!("a string grew past {} MiB; simplify the expression", super::context::MAX_STRING >> 20));
    }
    Ok(Value::str(&s))
}

fn shift(t: i64, d: i64, op: BinOp) -> QResult<i64> {
    let r = if op == BinOp::Sub { t.checked_sub(d) } else { t.checked_add(d) };
    match r {
        Some(x)
            if (-1_000_000_000_000..=250_000_000_000).contains(&x)
                && MDate(x.div_euclid(86_400) as i32).year() < 10_000 =>
        {
            Ok(x)
        }
        _ => err("date arithmetic out of range"),
    }
}
