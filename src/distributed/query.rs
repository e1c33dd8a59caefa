//! The openCypher subset that is plain joins over transfers, planned on the cluster
//! (`moneytrail query CASE FILE --engine ballista://...`).
//!
//! The subset is one transfer hop with filters and grouping:
//!
//! ```text
//! MATCH (s[:Account|:Cash])-[t:TRANSFER]->(d[:Account|:Cash])
//! [WHERE t.amount|t.booked_at|t.channel OP literal|$param|number * $param [AND ...]]
//! RETURN s.id | d.id | t.id | t.amount | t.booked_at | t.channel
//!        | count(*) | count(t) | count(DISTINCT s|d) | sum(t.amount) | min|max(t.booked_at) [AS name], ...
//! ORDER BY item [ASC|DESC], ... [LIMIT n]
//! ```
//!
//! The cluster filters, groups and aggregates over dense ids and integer cents; the local case
//! maps the ids back to external ids, amounts and times, and sorts and limits with the local
//! engine's own value order, so the rows equal `--engine local`'s. The query text is first
//! checked and planned by the local engine (same errors, same column names). Anything outside
//! the subset, or an ORDER BY that does not fix the row order, is refused with
//! "runs locally only: <reason>": never a guessed answer.

use super::engine::Session;
use super::DistError;
use crate::graph::FlowGraph;
use crate::model::{Case, DateTime};
use crate::query::{NodeId, QueryResult, Value};
use datafusion::arrow::array::{Array, AsArray};
use datafusion::arrow::datatypes::{Int64Type, UInt32Type};
use rust_decimal::Decimal;
use std::collections::HashMap;

/// A token of the subset.
#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Word(String),
    Num(Decimal),
    Str(String),
    Param(String),
    Sym(&'static str),
}

fn lex(text: &str) -> Result<Vec<Tok>, DistError> {
    let b = text.as_bytes();
    let mut i = 0;
    let mut out = Vec::new();
    let local = |what: String| DistError::LocalOnly(what);
    while i < b.len() {
        let c = b[i] as char;
        if c.is_whitespace() {
            i += 1;
        } else if text[i..].starts_with("//") {
            i = text[i..].find('\n').map_or(b.len(), |n| i + n);
        } else if c.is_ascii_alphabetic() || c == '_' {
            let s = i;
            while i < b.len() && ((b[i] as char).is_ascii_alphanumeric() || b[i] == b'_') {
                i += 1;
            }
            out.push(Tok::Word(text[s..i].to_string()));
        } else if c.is_ascii_digit() {
            let s = i;
            while i < b.len() && ((b[i] as char).is_ascii_digit() || b[i] == b'.') {
                i += 1;
            }
            let d: Decimal = text[s..i].parse().map_err(|_| local(format!("the number {}", &text[s..i])))?;
            out.push(Tok::Num(d));
        } else if c == '$' {
            let s = i + 1;
            i += 1;
            while i < b.len() && ((b[i] as char).is_ascii_alphanumeric() || b[i] == b'_') {
                i += 1;
            }
            out.push(Tok::Param(text[s..i].to_string()));
        } else if c == '\'' || c == '"' {
            let s = i + 1;
            let end = text[s..].find(c).ok_or_else(|| local("an unterminated string".into()))? + s;
            let lit = &text[s..end];
            if lit.contains('\\') {
                return Err(local("escapes in strings".into()));
            }
            out.push(Tok::Str(lit.to_string()));
            i = end + 1;
        } else {
            let sym = ["<>", "<=", ">=", "->", "(", ")", "[", "]", "-", ":", ",", ".", "*", "=", "<", ">", ";"]
                .into_iter()
                .find(|s| text[i..].starts_with(s))
                .ok_or_else(|| local(format!("the character '{c}'")))?;
            out.push(Tok::Sym(sym));
            i += sym.len();
        }
    }
    Ok(out)
}

/// A node label of the subset.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Label {
    Any,
    Account,
    Cash,
}

/// A transfer property the subset reads.
#[derive(Clone, Copy, Debug, PartialEq)]
enum TProp {
    Id,
    Amount,
    BookedAt,
    Channel,
}

/// One RETURN item.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Item {
    /// `s.id` (true) or `d.id` (false).
    NodeId(bool),
    Prop(TProp),
    Count,
    /// `count(DISTINCT s)` (true) or `d` (false).
    CountDistinct(bool),
    SumAmount,
    MinBooked,
    MaxBooked,
}

impl Item {
    fn is_aggregate(self) -> bool {
        !matches!(self, Item::NodeId(_) | Item::Prop(_))
    }
}

/// A comparison value: a number (possibly a parameter times a number), text or a time.
#[derive(Clone, Debug, PartialEq)]
enum Lit {
    Num(Decimal),
    Text(String),
    Time(DateTime),
}

/// The parsed subset query.
#[derive(Debug)]
struct Subset {
    labels: (Label, Label),
    preds: Vec<(TProp, &'static str, Lit)>,
    items: Vec<Item>,
    /// (index into items, descending)
    order: Vec<(usize, bool)>,
    limit: Option<usize>,
}

struct Parser<'a> {
    toks: Vec<Tok>,
    at: usize,
    params: &'a HashMap<String, Value>,
    vars: [String; 3],
}

fn outside(what: impl std::fmt::Display) -> DistError {
    DistError::LocalOnly(format!(
        "{what} is outside the subset the cluster plans (one TRANSFER hop, filters, grouping; docs/scale-out.md)"
    ))
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.at)
    }

    fn kw(&mut self, k: &str) -> bool {
        match self.peek() {
            Some(Tok::Word(w)) if w.eq_ignore_ascii_case(k) => {
                self.at += 1;
                true
            }
            _ => false,
        }
    }

    fn sym(&mut self, s: &str) -> bool {
        if matches!(self.peek(), Some(Tok::Sym(x)) if *x == s) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    fn expect_sym(&mut self, s: &str) -> Result<(), DistError> {
        if self.sym(s) {
            Ok(())
        } else {
            Err(outside(format!("{:?} where '{s}' was expected", self.peek())))
        }
    }

    fn word(&mut self) -> Result<String, DistError> {
        match self.peek().cloned() {
            Some(Tok::Word(w)) => {
                self.at += 1;
                Ok(w)
            }
            t => Err(outside(format!("{t:?} where a name was expected"))),
        }
    }

    fn node(&mut self) -> Result<(String, Label), DistError> {
        self.expect_sym("(")?;
        let v = self.word()?;
        let mut label = Label::Any;
        if self.sym(":") {
            label = match self.word()?.as_str() {
                "Account" => Label::Account,
                "Cash" => Label::Cash,
                l => return Err(outside(format!("the label :{l}"))),
            };
        }
        self.expect_sym(")")?;
        Ok((v, label))
    }

    fn tprop(&mut self) -> Result<TProp, DistError> {
        let v = self.word()?;
        if v != self.vars[1] {
            return Err(outside(format!("a property of {v}")));
        }
        self.expect_sym(".")?;
        Ok(match self.word()?.as_str() {
            "id" | "txn_id" => TProp::Id,
            "amount" => TProp::Amount,
            "booked_at" => TProp::BookedAt,
            "channel" => TProp::Channel,
            p => return Err(outside(format!("the transfer property {p}"))),
        })
    }

    fn number(&mut self) -> Result<Decimal, DistError> {
        let param = |p: &mut Self, name: String| match p.params.get(&name) {
            Some(Value::Num(d)) => Ok(*d),
            Some(v) => Err(outside(format!("${name} as a {}", v.type_name()))),
            None => Err(DistError::LocalOnly(format!("${name} is not given"))),
        };
        let first = match self.peek().cloned() {
            Some(Tok::Num(d)) => {
                self.at += 1;
                d
            }
            Some(Tok::Param(n)) => {
                self.at += 1;
                param(self, n)?
            }
            t => return Err(outside(format!("{t:?} as a value"))),
        };
        if self.sym("*") {
            let second = self.number()?;
            return first.checked_mul(second).ok_or_else(|| outside("an overflowing product"));
        }
        Ok(first)
    }

    fn lit(&mut self, prop: TProp) -> Result<Lit, DistError> {
        match (prop, self.peek().cloned()) {
            (TProp::Channel | TProp::Id, Some(Tok::Str(s))) => {
                self.at += 1;
                Ok(Lit::Text(s))
            }
            (TProp::BookedAt, Some(Tok::Word(w))) if w.eq_ignore_ascii_case("datetime") => {
                self.at += 1;
                self.expect_sym("(")?;
                let Some(Tok::Str(s)) = self.peek().cloned() else { return Err(outside("datetime() without text")) };
                self.at += 1;
                self.expect_sym(")")?;
                let t = DateTime::parse_iso(&s).ok_or_else(|| outside(format!("datetime('{s}')")))?;
                Ok(Lit::Time(t))
            }
            (TProp::Amount, _) => Ok(Lit::Num(self.number()?)),
            (p, t) => Err(outside(format!("{t:?} compared with {p:?}"))),
        }
    }

    fn item(&mut self) -> Result<Item, DistError> {
        let start = self.at;
        let w = self.word()?;
        let lower = w.to_ascii_lowercase();
        if self.sym("(") {
            let it = match lower.as_str() {
                "count" if self.sym("*") => Item::Count,
                "count" if self.kw("distinct") => {
                    let v = self.word()?;
                    if v == self.vars[0] {
                        Item::CountDistinct(true)
                    } else if v == self.vars[2] {
                        Item::CountDistinct(false)
                    } else {
                        return Err(outside(format!("count(DISTINCT {v})")));
                    }
                }
                "count" => {
                    let v = self.word()?;
                    if v != self.vars[1] {
                        return Err(outside(format!("count({v})")));
                    }
                    Item::Count
                }
                "sum" if self.tprop()? == TProp::Amount => Item::SumAmount,
                "min" | "max" => {
                    if self.tprop()? != TProp::BookedAt {
                        return Err(outside(format!("{lower}() of anything but booked_at")));
                    }
                    if lower == "min" {
                        Item::MinBooked
                    } else {
                        Item::MaxBooked
                    }
                }
                f => return Err(outside(format!("the function {f}()"))),
            };
            self.expect_sym(")")?;
            return Ok(it);
        }
        if w == self.vars[0] || w == self.vars[2] {
            self.expect_sym(".")?;
            let p = self.word()?;
            if p != "id" {
                return Err(outside(format!("the node property {p}")));
            }
            return Ok(Item::NodeId(w == self.vars[0]));
        }
        self.at = start;
        Ok(Item::Prop(self.tprop()?))
    }

    fn parse(mut self) -> Result<Subset, DistError> {
        if !self.kw("match") {
            return Err(outside("a query that does not start with MATCH"));
        }
        let (s, ls) = self.node()?;
        self.expect_sym("-")?;
        self.expect_sym("[")?;
        let t = self.word()?;
        self.expect_sym(":")?;
        if self.word()? != "TRANSFER" {
            return Err(outside("a relationship other than :TRANSFER"));
        }
        if !self.sym("]") {
            return Err(outside("a variable-length or qualified TRANSFER (a path query)"));
        }
        self.expect_sym("->")?;
        let (d, ld) = self.node()?;
        if s == d || s == t || t == d {
            return Err(outside("a pattern that repeats a variable"));
        }
        self.vars = [s, t, d];
        let mut preds = Vec::new();
        if self.kw("where") {
            loop {
                let p = self.tprop()?;
                let op = ["=", "<>", "<=", ">=", "<", ">"]
                    .into_iter()
                    .find(|o| self.sym(o))
                    .ok_or_else(|| outside(format!("{:?} as a comparison", self.peek())))?;
                let l = self.lit(p)?;
                preds.push((p, op, l));
                if !self.kw("and") {
                    break;
                }
            }
        }
        if !self.kw("return") {
            return Err(outside(format!("{:?} (a second MATCH, WITH, OR, ...)", self.peek())));
        }
        if self.kw("distinct") {
            return Err(outside("RETURN DISTINCT"));
        }
        let mut items = Vec::new();
        let mut names: Vec<Option<String>> = Vec::new();
        loop {
            items.push(self.item()?);
            names.push(if self.kw("as") { Some(self.word()?) } else { None });
            if !self.sym(",") {
                break;
            }
        }
        let mut order = Vec::new();
        if self.kw("order") {
            if !self.kw("by") {
                return Err(outside("ORDER without BY"));
            }
            loop {
                let k = match self.peek().cloned() {
                    Some(Tok::Word(w)) if names.iter().any(|n| n.as_deref() == Some(w.as_str())) => {
                        self.at += 1;
                        names.iter().position(|n| n.as_deref() == Some(w.as_str())).unwrap_or(0)
                    }
                    _ => {
                        let it = self.item()?;
                        items
                            .iter()
                            .position(|x| *x == it)
                            .ok_or_else(|| outside("ORDER BY an expression not returned"))?
                    }
                };
                let desc = if self.kw("desc") || self.kw("descending") {
                    true
                } else {
                    let _ = self.kw("asc") || self.kw("ascending");
                    false
                };
                order.push((k, desc));
                if !self.sym(",") {
                    break;
                }
            }
        }
        let mut limit = None;
        if self.kw("limit") {
            match self.peek().cloned() {
                Some(Tok::Num(n)) if n.scale() == 0 => {
                    self.at += 1;
                    limit = usize::try_from(n.mantissa()).ok();
                }
                t => return Err(outside(format!("LIMIT {t:?}"))),
            }
        }
        let _ = self.sym(";");
        if let Some(t) = self.peek() {
            return Err(outside(format!("{t:?} after the query")));
        }
        // The row order must be fixed by ORDER BY: the local engine's order of equal keys is its own.
        let grouped = items.iter().any(|i| i.is_aggregate());
        let total = if grouped {
            items.iter().enumerate().filter(|(_, i)| !i.is_aggregate()).all(|(k, _)| order.iter().any(|o| o.0 == k))
        } else {
            items.iter().position(|i| *i == Item::Prop(TProp::Id)).is_some_and(|k| order.iter().any(|o| o.0 == k))
        };
        if !total {
            return Err(DistError::LocalOnly(
                "the ORDER BY does not fix the row order (order by every grouping key, or by t.id for transfer rows), so \
                 rows could come back in another order than the local engine's"
                    .into(),
            ));
        }
        Ok(Subset { labels: (ls, ld), preds, items, order, limit })
    }
}

/// SQL for one subset query; the result columns are the items in order, as ids, cents, times.
fn to_sql(q: &Subset, accounts: u32) -> Result<String, DistError> {
    let mut conds: Vec<String> = Vec::new();
    for (col, label) in [("src", q.labels.0), ("dst", q.labels.1)] {
        match label {
            Label::Account => conds.push(format!("t.{col} < {accounts}")),
            Label::Cash => conds.push(format!("t.{col} >= {accounts}")),
            Label::Any => {}
        }
    }
    for (p, op, lit) in &q.preds {
        let c = match (p, lit) {
            // amount OP x  <=>  cents * 10^s OP x * 100 * 10^s, exact in integers.
            (TProp::Amount, Lit::Num(x)) => {
                let x = x.normalize();
                let s = x.scale();
                if s > 16 {
                    return Err(outside(format!("the amount {x} (more than 16 decimals)")));
                }
                let rhs = x.mantissa().checked_mul(100).ok_or_else(|| outside("a huge amount"))?;
                format!("CAST(t.cents AS DECIMAL(38,0)) * {} {op} {rhs}", 10i128.pow(s))
            }
            (TProp::BookedAt, Lit::Time(t)) => format!("t.ts {op} {}", t.0),
            (TProp::Channel, Lit::Text(s)) if s.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') => {
                format!("t.channel {op} '{s}'")
            }
            (p, l) => return Err(outside(format!("{p:?} compared with {l:?}"))),
        };
        conds.push(c);
    }
    let grouped = q.items.iter().any(|i| i.is_aggregate());
    let mut sel = Vec::new();
    let mut keys = Vec::new();
    for (k, it) in q.items.iter().enumerate() {
        let e = match it {
            Item::NodeId(true) => "t.src".to_string(),
            Item::NodeId(false) => "t.dst".to_string(),
            Item::Prop(TProp::Id) => "t.id".to_string(),
            Item::Prop(TProp::Amount) => "t.id".to_string(),
            Item::Prop(TProp::BookedAt) => "t.ts".to_string(),
            Item::Prop(TProp::Channel) => "t.channel".to_string(),
            Item::Count => "COUNT(*)".to_string(),
            Item::CountDistinct(true) => "COUNT(DISTINCT t.src)".to_string(),
            Item::CountDistinct(false) => "COUNT(DISTINCT t.dst)".to_string(),
            Item::SumAmount => "SUM(CAST(t.cents AS DECIMAL(38,0)))".to_string(),
            Item::MinBooked => "MIN(t.ts)".to_string(),
            Item::MaxBooked => "MAX(t.ts)".to_string(),
        };
        if grouped && matches!(it, Item::Prop(TProp::Amount)) {
            return Err(outside("t.amount as a grouping key"));
        }
        if !it.is_aggregate() {
            keys.push(e.clone());
        }
        sel.push(format!("{e} AS c{k}"));
    }
    let mut sql = format!("SELECT {} FROM transfers t", sel.join(", "));
    if !conds.is_empty() {
        sql.push_str(&format!(" WHERE {}", conds.join(" AND ")));
    }
    if grouped && !keys.is_empty() {
        sql.push_str(&format!(" GROUP BY {}", keys.join(", ")));
    }
    Ok(sql)
}

/// Runs `text` with `params` on the cluster of `session` if it is in the subset; the rows are
/// as `crate::query::execute` returns them for the same query on `case`.
///
/// # Errors
/// [`DistError::LocalOnly`] for anything outside the subset; a Parquet case that does not
/// match `case`; a failed cluster job.
pub fn run(
    session: &Session,
    text: &str,
    case: &Case,
    g: &FlowGraph,
    params: &HashMap<String, Value>,
) -> Result<QueryResult, DistError> {
    // The local engine checks and names the columns first: the same errors and names.
    let prepared = crate::query::prepare(text, case, params).map_err(|e| DistError::Config(e.render(text)))?;
    let p = Parser { toks: lex(text)?, at: 0, params, vars: Default::default() };
    let q = p.parse()?;
    let m = &session.manifest;
    m.check_transfers(case, g)?;
    let sums_or_compares = q.items.contains(&Item::SumAmount) || q.preds.iter().any(|p| p.0 == TProp::Amount);
    if sums_or_compares && m.amount_scales.1 > 2 {
        return Err(DistError::LocalOnly(format!(
            "this case has base amounts with {} decimals, which integer cents do not hold exactly",
            m.amount_scales.1
        )));
    }
    let batches = session.sql(&to_sql(&q, m.accounts)?)?;
    let bad = |what: &str| DistError::Engine(format!("unexpected result from the cluster: {what}"));
    let node = |n: u32| -> Result<Value, DistError> {
        if n >= g.node_count() {
            return Err(bad("a node outside the case"));
        }
        Ok(if n < g.account_count() {
            Value::str(&case.accounts.rows[n as usize].id)
        } else {
            Value::str(&Value::Node(NodeId::Cash(n)).render(case))
        })
    };
    let edge =
        |e: u32| if (e as usize) < g.edge_count() { Ok(e as usize) } else { Err(bad("a transfer outside the case")) };
    // The base amounts of this case all have `scale` decimals when the scales agree: a sum of
    // them has that scale too, as the local engine's exact decimal sum has.
    let sum_scale = if m.amount_scales.0 == m.amount_scales.1 { m.amount_scales.1 } else { 2 };
    let mut rows: Vec<Vec<Value>> = Vec::new();
    for b in &batches {
        for r in 0..b.num_rows() {
            let mut row = Vec::with_capacity(q.items.len());
            for (k, it) in q.items.iter().enumerate() {
                let col = b.column(k);
                let u32_at = || col.as_primitive_opt::<UInt32Type>().map(|a| a.value(r)).ok_or_else(|| bad("not u32"));
                let i64_at = || col.as_primitive_opt::<Int64Type>().map(|a| a.value(r)).ok_or_else(|| bad("not i64"));
                let v = match it {
                    Item::NodeId(_) => node(u32_at()?)?,
                    Item::Prop(TProp::Id) => Value::str(case.transfers.txn_id.get(edge(u32_at()?)?)),
                    Item::Prop(TProp::Amount) => Value::Num(g.base_of(edge(u32_at()?)?)),
                    Item::Prop(TProp::BookedAt) | Item::MinBooked | Item::MaxBooked => {
                        if col.is_null(r) {
                            Value::Null
                        } else {
                            Value::DateTime(DateTime(i64_at()?))
                        }
                    }
                    Item::Prop(TProp::Channel) => {
                        let s = col.as_string_opt::<i32>().map(|a| a.value(r).to_string());
                        let s = s.or_else(|| col.as_string_view_opt().map(|a| a.value(r).to_string()));
                        Value::str(&s.ok_or_else(|| bad("channel is not text"))?)
                    }
                    Item::Count | Item::CountDistinct(_) => Value::int(i64_at()?),
                    Item::SumAmount => {
                        let d = col.as_primitive_opt::<datafusion::arrow::datatypes::Decimal128Type>();
                        let cents = d.map(|a| if a.is_null(r) { 0 } else { a.value(r) }).ok_or_else(|| bad("sum"))?;
                        let mut v =
                            Decimal::try_from_i128_with_scale(cents, 2).map_err(|_| bad("a sum beyond 96 bits"))?;
                        if sum_scale < 2 && (cents % 10i128.pow(2 - sum_scale)) == 0 {
                            v.rescale(sum_scale);
                        }
                        Value::Num(v)
                    }
                };
                row.push(v);
            }
            rows.push(row);
        }
    }
    // A grouped query with no grouping key over no rows still has its one row of aggregates.
    if rows.is_empty() && q.items.iter().all(|i| i.is_aggregate()) {
        rows.push(
            q.items
                .iter()
                .map(|i| match i {
                    Item::MinBooked | Item::MaxBooked => Value::Null,
                    _ => Value::int(0),
                })
                .collect(),
        );
    }
    rows.sort_by(|a, b| {
        for &(k, desc) in &q.order {
            let o = a[k].total_cmp(&b[k]);
            let o = if desc { o.reverse() } else { o };
            if o != std::cmp::Ordering::Equal {
                return o;
            }
        }
        std::cmp::Ordering::Equal
    });
    if let Some(n) = q.limit {
        rows.truncate(n);
    }
    Ok(QueryResult { columns: prepared.columns, rows })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Subset, DistError> {
        let params: HashMap<String, Value> = [("threshold".to_string(), Value::int(1_000_000))].into_iter().collect();
        Parser { toks: lex(text)?, at: 0, params: &params, vars: Default::default() }.parse()
    }

    #[test]
    fn the_subset_parses_and_plans_as_one_scan() {
        let q = parse(
            "MATCH (c:Cash)-[t:TRANSFER]->(a:Account) WHERE t.amount >= 0.8 * $threshold AND t.amount < $threshold \
             RETURN a.id AS account, count(*) AS n, sum(t.amount) AS total ORDER BY n DESC, account LIMIT 5",
        )
        .unwrap();
        assert_eq!(q.labels, (Label::Cash, Label::Account));
        assert_eq!(q.limit, Some(5));
        let sql = to_sql(&q, 100).unwrap();
        assert!(sql.contains("t.src >= 100 AND t.dst < 100"), "{sql}");
        assert!(sql.contains("CAST(t.cents AS DECIMAL(38,0)) * 10 >= 800000000"), "{sql}");
        assert!(sql.contains("GROUP BY t.dst"), "{sql}");
    }

    #[test]
    fn anything_else_runs_locally_only() {
        for q in [
            "MATCH p = (a)-[ts:TRANSFER*2..6]->(a) RETURN p",
            "MATCH (a)-[t:TRANSFER]->(b) MATCH (b)-[u:TRANSFER]->(c) RETURN a.id AS x ORDER BY x",
            "MATCH (a)-[t:TRANSFER]->(b) WITH a, count(*) AS n RETURN a.id, n",
            "MATCH (a)-[t:TRANSFER]->(b) RETURN a.id AS x, count(*) AS n",
            "MATCH (a)-[t:TRANSFER]->(b) RETURN t.amount AS x ORDER BY x",
            "MATCH (a:Person)-[t:OWNS]->(b) RETURN a.id AS x ORDER BY x",
            "MATCH (a)-[t:TRANSFER]->(b) WHERE t.amount > 5 OR t.amount < 1 RETURN t.id AS x ORDER BY x",
            "MATCH (a)-[t:TRANSFER]->(b) RETURN a.holder_name AS x ORDER BY x",
        ] {
            match parse(q) {
                Err(DistError::LocalOnly(why)) => assert!(!why.is_empty()),
                other => panic!("{q}: {other:?}"),
            }
        }
    }
}
