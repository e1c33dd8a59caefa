//! Runtime values: exact decimal numbers (money never goes through floats), text, dates,
//! datetimes, durations, lists, maps, and references to the case's nodes, relationships and paths,
//! with the external ids those references render as.

use crate::model::{AccountId, Case, CompanyId, Date, DateTime, LabelEnd, PersonId, TransferId};
use rust_decimal::Decimal;
use std::cmp::Ordering;
use std::sync::Arc;

/// A node of the query graph: a row of a case table or a cash node of the flow graph.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NodeId {
    /// A row of `Case::persons`.
    Person(PersonId),
    /// A row of `Case::companies`.
    Company(CompanyId),
    /// A row of `Case::accounts` (its flow-graph node has the same number).
    Account(AccountId),
    /// Index into `Case::properties`.
    Property(u32),
    /// A cash node of the flow graph (node index; one per branch city plus one "unknown").
    Cash(u32),
    /// Row `.1` of labelled node table `.0` (`Case::labelled.nodes`).
    Labelled(u16, u32),
}

impl NodeId {
    /// The label of the node.
    pub fn label(self, case: &Case) -> &str {
        match self {
            NodeId::Person(_) => "Person",
            NodeId::Company(_) => "Company",
            NodeId::Account(_) => "Account",
            NodeId::Property(_) => "Property",
            NodeId::Cash(_) => "Cash",
            NodeId::Labelled(t, _) => case.labelled.nodes.get(t as usize).map_or("", |n| n.label.as_str()),
        }
    }

    /// The query node of a labelled edge's end.
    pub fn from_end(e: LabelEnd) -> NodeId {
        match e {
            LabelEnd::Person(i) => NodeId::Person(PersonId::from_raw(i)),
            LabelEnd::Company(i) => NodeId::Company(CompanyId::from_raw(i)),
            LabelEnd::Account(i) => NodeId::Account(AccountId::from_raw(i)),
            LabelEnd::Property(i) => NodeId::Property(i),
            LabelEnd::Node { table, row } => NodeId::Labelled(table, row),
        }
    }

    /// The labelled-edge end of a query node (cash nodes are never an edge end).
    pub fn as_end(self) -> Option<LabelEnd> {
        Some(match self {
            NodeId::Person(i) => LabelEnd::Person(i.raw()),
            NodeId::Company(i) => LabelEnd::Company(i.raw()),
            NodeId::Account(i) => LabelEnd::Account(i.raw()),
            NodeId::Property(i) => LabelEnd::Property(i),
            NodeId::Labelled(table, row) => LabelEnd::Node { table, row },
            NodeId::Cash(_) => return None,
        })
    }
}

/// A relationship: a transfer or a row of a link table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RelId {
    /// A row of `Case::transfers`.
    Transfer(TransferId),
    /// Holder to account (the account).
    Holds(AccountId),
    /// Shareholding (row of `Case::ownership`).
    Owns(u32),
    /// Directorship or other office (row of `Case::ownership`).
    Directs(u32),
    /// Property title (row of `Case::titles`).
    Title(u32),
    /// Relation between persons (row of `Case::relations`).
    Related(u32),
    /// Row `.1` of labelled edge table `.0` (`Case::labelled.edges`).
    Labelled(u16, u32),
}

impl RelId {
    /// The relationship type.
    pub fn rel_type(self, case: &Case) -> &str {
        match self {
            RelId::Labelled(t, _) => case.labelled.edges.get(t as usize).map_or("", |e| e.rel_type.as_str()),
            other => other.builtin_type(),
        }
    }

    /// The type of a relationship of the case tables ("" for labelled ones).
    pub fn builtin_type(self) -> &'static str {
        match self {
            RelId::Labelled(..) => "",
            RelId::Transfer(_) => "TRANSFER",
            RelId::Holds(_) => "HOLDS",
            RelId::Owns(_) => "OWNS",
            RelId::Directs(_) => "DIRECTS",
            RelId::Title(_) => "TITLE",
            RelId::Related(_) => "RELATED",
        }
    }
}

/// The external id of a node (`cash:<city>` for cash nodes). Indexing by a [`NodeId`] or
/// [`RelId`] cannot fail: they are only made from indices of this case, never from query text.
pub fn node_key(case: &Case, n: NodeId) -> String {
    match n {
        NodeId::Person(i) => case.persons.rows[i.ix()].id.clone(),
        NodeId::Company(i) => case.companies.rows[i.ix()].id.clone(),
        NodeId::Account(i) => case.accounts.rows[i.ix()].id.clone(),
        NodeId::Property(i) => case.properties.rows[i as usize].id.clone(),
        NodeId::Cash(node) => format!("cash:{}", cash_city(case, node).unwrap_or("unknown")),
        NodeId::Labelled(t, row) => {
            case.labelled.nodes.get(t as usize).and_then(|t| t.ids.get(row as usize)).cloned().unwrap_or_default()
        }
    }
}

/// The external id of a relationship: the transfer id, or `TYPE:row`; a labelled edge's id
/// column, else `TYPE@file:line` (its provenance).
pub fn rel_key(case: &Case, r: RelId) -> String {
    match r {
        RelId::Transfer(e) => case.transfers.txn_id.get(e.ix()).to_string(),
        RelId::Holds(a) => format!("HOLDS:{}", case.accounts.rows[a.ix()].id),
        RelId::Owns(x) | RelId::Directs(x) | RelId::Title(x) | RelId::Related(x) => {
            format!("{}:{x}", r.builtin_type())
        }
        RelId::Labelled(t, row) => {
            let Some(t) = case.labelled.edges.get(t as usize) else { return String::new() };
            if let Some(id) = t.ids.get(row as usize) {
                return id.clone();
            }
            let prov = t.prov.get(row as usize).copied().unwrap_or(crate::model::Prov { file: 0, line: 0 });
            let file = case.file_of(prov).map_or("?", |f| f.path.as_str());
            format!("{}@{file}:{}", t.rel_type, prov.line)
        }
    }
}

/// The city of a cash node of the flow graph (`None` for the "unknown" cash node).
pub fn cash_city(case: &Case, node: u32) -> Option<&str> {
    let c = node.checked_sub(case.accounts.len() as u32)?;
    case.cities.get(c as usize).map(String::as_str)
}

/// A path: nodes and the relationships between them (`rels.len() + 1 == nodes.len()`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct PathVal {
    /// Nodes in order.
    pub nodes: Vec<NodeId>,
    /// Relationships in order.
    pub rels: Vec<RelId>,
}

/// A value.
#[derive(Clone, Debug, Default)]
pub enum Value {
    /// Missing.
    #[default]
    Null,
    /// Boolean.
    Bool(bool),
    /// Exact number (counts, amounts, shares).
    Num(Decimal),
    /// Text.
    Str(Arc<str>),
    /// Calendar date.
    Date(Date),
    /// Booking time.
    DateTime(DateTime),
    /// Duration in seconds.
    Duration(i64),
    /// List.
    List(Arc<Vec<Value>>),
    /// Map with keys in insertion order.
    Map(Arc<Vec<(String, Value)>>),
    /// Node.
    Node(NodeId),
    /// Relationship.
    Rel(RelId),
    /// Path.
    Path(Arc<PathVal>),
}

impl Value {
    /// A text value.
    pub fn str(s: &str) -> Value {
        Value::Str(Arc::from(s))
    }

    /// A list value.
    pub fn list(v: Vec<Value>) -> Value {
        Value::List(Arc::new(v))
    }

    /// A number from an integer.
    pub fn int(i: i64) -> Value {
        Value::Num(Decimal::from(i))
    }

    /// True for NULL.
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// The type name, for messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Num(_) => "number",
            Value::Str(_) => "string",
            Value::Date(_) => "date",
            Value::DateTime(_) => "datetime",
            Value::Duration(_) => "duration",
            Value::List(_) => "list",
            Value::Map(_) => "map",
            Value::Node(_) => "node",
            Value::Rel(_) => "relationship",
            Value::Path(_) => "path",
        }
    }

    fn rank(&self) -> u8 {
        match self {
            Value::Map(_) => 0,
            Value::Node(_) => 1,
            Value::Rel(_) => 2,
            Value::List(_) => 3,
            Value::Path(_) => 4,
            Value::Str(_) => 5,
            Value::Bool(_) => 6,
            Value::Num(_) => 7,
            Value::Date(_) | Value::DateTime(_) => 8,
            Value::Duration(_) => 9,
            Value::Null => 10,
        }
    }

    /// A total order over all values, used by ORDER BY, DISTINCT, grouping, min and max:
    /// values of one type compare naturally (dates and datetimes together), types in a fixed
    /// order, NULL last.
    pub fn total_cmp(&self, other: &Value) -> Ordering {
        use Value::*;
        match (self, other) {
            (Null, Null) => Ordering::Equal,
            (Bool(a), Bool(b)) => a.cmp(b),
            (Num(a), Num(b)) => a.cmp(b),
            (Str(a), Str(b)) => a.cmp(b),
            (Date(_) | DateTime(_), Date(_) | DateTime(_)) => self.as_datetime().cmp(&other.as_datetime()),
            (Duration(a), Duration(b)) => a.cmp(b),
            (List(a), List(b)) => cmp_lists(a, b),
            (Map(a), Map(b)) => a.len().cmp(&b.len()).then_with(|| {
                for ((ka, va), (kb, vb)) in a.iter().zip(b.iter()) {
                    let o = ka.cmp(kb).then_with(|| va.total_cmp(vb));
                    if o != Ordering::Equal {
                        return o;
                    }
                }
                Ordering::Equal
            }),
            (Node(a), Node(b)) => a.cmp(b),
            (Rel(a), Rel(b)) => a.cmp(b),
            (Path(a), Path(b)) => a.cmp(b),
            _ => self.rank().cmp(&other.rank()),
        }
    }

    /// A date or datetime as a datetime (a date is its midnight).
    pub fn as_datetime(&self) -> Option<DateTime> {
        match self {
            Value::Date(d) => Some(d.start()),
            Value::DateTime(t) => Some(*t),
            _ => None,
        }
    }

    /// The value with its text rewritten by `f` (`Some(new text)` where a text changes), or
    /// `None` when nothing changed. Texts, and dates through their ISO form, are offered to `f`;
    /// lists and maps are walked. Numbers (money), booking times, durations and references to
    /// nodes, relationships and paths are kept: references are rendered from the case given to
    /// the writer, so a pseudonymised view renders them pseudonymised. A date `f` rewrites
    /// becomes text. Used to scrub protected identifiers from results computed on the real case
    /// (`moneytrail query --audience`).
    pub fn rewrite_text(&self, f: &dyn Fn(&str) -> Option<String>) -> Option<Value> {
        match self {
            Value::Str(s) => f(s).map(|n| Value::Str(n.into())),
            Value::Date(d) => f(&d.to_string()).map(|n| Value::Str(n.into())),
            Value::List(l) => {
                let new: Vec<Option<Value>> = l.iter().map(|v| v.rewrite_text(f)).collect();
                if new.iter().all(Option::is_none) {
                    return None;
                }
                let items = l.iter().zip(new).map(|(old, n)| n.unwrap_or_else(|| old.clone())).collect();
                Some(Value::List(Arc::new(items)))
            }
            Value::Map(m) => {
                let new: Vec<Option<Value>> = m.iter().map(|(_, v)| v.rewrite_text(f)).collect();
                if new.iter().all(Option::is_none) {
                    return None;
                }
                let items =
                    m.iter().zip(new).map(|((k, old), n)| (k.clone(), n.unwrap_or_else(|| old.clone()))).collect();
                Some(Value::Map(Arc::new(items)))
            }
            _ => None,
        }
    }

    /// The value as text for tables and CSV: nodes and relationships by their external ids,
    /// paths as `A1 -[T9]-> A2`, lists in brackets.
    pub fn render(&self, case: &Case) -> String {
        match self {
            Value::Null => String::new(),
            Value::Bool(b) => b.to_string(),
            Value::Num(n) => n.normalize_keep_money().to_string(),
            Value::Str(s) => s.to_string(),
            Value::Date(d) => d.to_string(),
            Value::DateTime(t) => t.to_string(),
            Value::Duration(s) => fmt_duration(*s),
            Value::List(l) => format!("[{}]", l.iter().map(|v| v.render(case)).collect::<Vec<_>>().join(", ")),
            Value::Map(m) => {
                format!(
                    "{{{}}}",
                    m.iter().map(|(k, v)| format!("{k}: {}", v.render(case))).collect::<Vec<_>>().join(", ")
                )
            }
            Value::Node(n) => node_key(case, *n),
            Value::Rel(r) => rel_key(case, *r),
            Value::Path(p) => {
                let mut s = String::new();
                for (i, n) in p.nodes.iter().enumerate() {
                    if i > 0 {
                        s.push_str(&format!(" -[{}]-> ", rel_key(case, p.rels[i - 1])));
                    }
                    s.push_str(&node_key(case, *n));
                }
                s
            }
        }
    }
}

fn cmp_lists(a: &[Value], b: &[Value]) -> Ordering {
    for (x, y) in a.iter().zip(b) {
        let o = x.total_cmp(y);
        if o != Ordering::Equal {
            return o;
        }
    }
    a.len().cmp(&b.len())
}

/// Keeps money-looking scales and drops noise: `12.50` stays (scale <= 2 is kept as
/// written), `0.800000` becomes `0.8`, `10 / 4` shows `2.5`.
trait NormalizeMoney {
    fn normalize_keep_money(&self) -> Decimal;
}

impl NormalizeMoney for Decimal {
    fn normalize_keep_money(&self) -> Decimal {
        if self.scale() <= 2 {
            return *self;
        }
        self.normalize()
    }
}

/// A duration as ISO 8601 (`P30D`, `PT12H`, `P1DT2H3M4S`).
pub fn fmt_duration(secs: i64) -> String {
    let sign = if secs < 0 { "-" } else { "" };
    let s = secs.unsigned_abs();
    let (d, h, m, sec) = (s / 86_400, s % 86_400 / 3600, s % 3600 / 60, s % 60);
    let mut out = format!("{sign}P");
    if d > 0 {
        out.push_str(&format!("{d}D"));
    }
    if h > 0 || m > 0 || sec > 0 {
        out.push('T');
        if h > 0 {
            out.push_str(&format!("{h}H"));
        }
        if m > 0 {
            out.push_str(&format!("{m}M"));
        }
        if sec > 0 {
            out.push_str(&format!("{sec}S"));
        }
    }
    if out.len() == sign.len() + 1 {
        out.push_str("0D");
    }
    out
}

impl PartialEq for Value {
    fn eq(&self, other: &Value) -> bool {
        self.total_cmp(other) == Ordering::Equal
    }
}

impl Eq for Value {}

impl PartialOrd for Value {
    fn partial_cmp(&self, other: &Value) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Value {
    fn cmp(&self, other: &Value) -> Ordering {
        self.total_cmp(other)
    }
}
