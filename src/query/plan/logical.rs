//! The logical plan: a query as data. Each operator reads the rows of its input and appends
//! columns (slots) or replaces the row (projection, aggregation). `Display` prints the plan as
//! an indented tree, which is what `moneytrail query --explain` shows.

use crate::query::parse::ast::{Dir, Expr, SubQuery};
use std::any::Any;
use std::fmt;

/// A resolved node label or relationship type.
pub type Label = &'static str;

/// Labels and types of labelled tables, interned once per distinct name for the life of the
/// process (a handful of short strings), so plans keep `&'static str` labels.
static INTERNED: std::sync::Mutex<Vec<&'static str>> = std::sync::Mutex::new(Vec::new());

/// The interned copy of a labelled table's label or type.
pub fn intern(name: &str) -> Label {
    let mut v = INTERNED.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(s) = v.iter().find(|s| **s == name) {
        return s;
    }
    let s: &'static str = Box::leak(name.to_string().into_boxed_str());
    v.push(s);
    s
}

/// True when `name` names a labelled table (interned by the planner; built-in labels never are).
pub fn is_labelled(name: &str) -> bool {
    INTERNED.lock().unwrap_or_else(|e| e.into_inner()).contains(&name)
}

/// `" [labelled]"` after a labelled table's label or type in EXPLAIN.
fn mark(names: &[Label]) -> &'static str {
    if names.iter().any(|n| is_labelled(n)) {
        " [labelled table]"
    } else {
        ""
    }
}

/// Temporal qualifiers of a TRANSFER path, with durations and bounds still as expressions
/// (they may be parameters), enforced during the depth-first expansion.
#[derive(Clone, Debug, Default)]
pub struct TemporalSpec {
    /// Each transfer strictly after the previous one (in the direction money flows).
    pub ascending: bool,
    /// Whole-path window.
    pub within: Option<Expr>,
    /// Largest gap between consecutive transfers.
    pub max_gap: Option<Expr>,
    /// Amount band of each hop relative to the previous hop.
    pub retention: Option<(Expr, Expr)>,
    /// No node twice.
    pub no_repeat: bool,
    /// Every transfer booked inside [lo, hi].
    pub between: Option<(Expr, Expr)>,
    /// Breadth-first: one shortest path per reached node.
    pub shortest: bool,
}

/// One relationship step of a pattern.
#[derive(Clone, Debug)]
pub struct ExpandSpec {
    /// Slot of the node expanded from.
    pub from: usize,
    /// Relationship types (resolved, upper case); empty = all.
    pub types: Vec<Label>,
    /// Direction of traversal (after any reversal of the pattern by the planner).
    pub dir: Dir,
    /// Hop range for variable-length steps.
    pub range: Option<(u32, u32)>,
    /// Per-hop property equalities.
    pub rel_props: Vec<(String, Expr)>,
    /// Temporal qualifiers (TRANSFER only).
    pub temporal: TemporalSpec,
    /// Slot receiving the relationship (or the list of them).
    pub rel_slot: usize,
    /// Relationship variable name, for EXPLAIN.
    pub rel_name: String,
    /// Store a variable-length list reversed (the pattern was reversed for anchoring).
    pub reverse_list: bool,
    /// Slot of the node reached.
    pub to: usize,
    /// Node variable name, for EXPLAIN.
    pub to_name: String,
    /// True when `to` was bound before (expand into: only paths ending there).
    pub to_bound: bool,
    /// Label the reached node must carry.
    pub to_label: Option<Label>,
    /// Single-hop relationship slots of the same MATCH this one must differ from.
    pub distinct_from: Vec<usize>,
    /// Booking-time bounds of a single-hop TRANSFER taken from WHERE (`t.booked_at >= x`):
    /// (bound, true = lower). The expansion reads only that slice of the time-sorted edges;
    /// the WHERE filter still runs, so strict bounds stay exact.
    pub time_bounds: Vec<(Expr, bool)>,
    /// Label every node of a variable-length path must carry, from a recognised
    /// `WHERE all(n IN nodes(p) WHERE n:Label)`; intermediate nodes are pruned on it.
    pub path_label: Option<Label>,
}

/// An aggregate call.
#[derive(Clone, Debug)]
pub struct AggSpec {
    /// count, sum, min, max, avg, collect.
    pub func: String,
    /// DISTINCT inside the call.
    pub distinct: bool,
    /// Argument (`None` for count(*)).
    pub arg: Option<Expr>,
}

/// The logical plan.
#[derive(Clone, Debug)]
pub enum LogicalPlan {
    /// One empty row.
    Unit,
    /// The outer row of a sub-query (`exists { }`), `width` slots wide.
    Argument {
        /// Number of slots.
        width: usize,
    },
    /// Every node with `label` (every node when `None`), into a new slot.
    NodeScan {
        /// Input.
        input: Box<LogicalPlan>,
        /// Variable.
        var: String,
        /// Label.
        label: Option<Label>,
    },
    /// The node whose external id is `id`, into a new slot (none when absent).
    NodeById {
        /// Input.
        input: Box<LogicalPlan>,
        /// Variable.
        var: String,
        /// Label.
        label: Option<Label>,
        /// The id.
        id: Expr,
    },
    /// Follows one relationship pattern from a bound node.
    Expand {
        /// Input.
        input: Box<LogicalPlan>,
        /// The step.
        spec: Box<ExpandSpec>,
    },
    /// Builds a path value from a start node and relationship slots (pattern order).
    BuildPath {
        /// Input.
        input: Box<LogicalPlan>,
        /// Path variable.
        var: String,
        /// Slot of the first node.
        start: usize,
        /// Slots of the relationships or relationship lists.
        rels: Vec<usize>,
    },
    /// Keeps rows where the predicate is true.
    Filter {
        /// Input.
        input: Box<LogicalPlan>,
        /// Predicate.
        pred: Expr,
    },
    /// Replaces each row by the items.
    Project {
        /// Input.
        input: Box<LogicalPlan>,
        /// Expressions and names.
        items: Vec<(Expr, String)>,
    },
    /// Drops repeated rows, keeping the first.
    Distinct {
        /// Input.
        input: Box<LogicalPlan>,
    },
    /// Groups by the keys and computes aggregates: output = keys then aggregates.
    Aggregate {
        /// Input.
        input: Box<LogicalPlan>,
        /// Grouping keys.
        keys: Vec<(Expr, String)>,
        /// Aggregates.
        aggs: Vec<AggSpec>,
    },
    /// Sorts rows (stable).
    Sort {
        /// Input.
        input: Box<LogicalPlan>,
        /// Keys, true = ascending.
        keys: Vec<(Expr, bool)>,
    },
    /// Skips rows.
    Skip {
        /// Input.
        input: Box<LogicalPlan>,
        /// How many.
        n: Expr,
    },
    /// Keeps the first rows.
    Limit {
        /// Input.
        input: Box<LogicalPlan>,
        /// How many.
        n: Expr,
    },
    /// One row per list element.
    Unwind {
        /// Input.
        input: Box<LogicalPlan>,
        /// The list.
        expr: Expr,
        /// Variable.
        var: String,
    },
    /// OPTIONAL MATCH: runs `sub` per row (its leaf is the row); a row without any match is kept
    /// with NULL in the new columns.
    Optional {
        /// Input.
        input: Box<LogicalPlan>,
        /// The MATCH, planned on an `Argument` leaf.
        sub: Box<LogicalPlan>,
        /// Names of the columns it adds.
        vars: Vec<String>,
    },
    /// Calls a procedure and appends its yielded columns.
    Call {
        /// Input.
        input: Box<LogicalPlan>,
        /// Procedure.
        name: String,
        /// Arguments.
        args: Vec<Expr>,
        /// Indices of the yielded columns in the procedure's output, and their names.
        yields: Vec<(usize, String)>,
    },
}

impl fmt::Display for LogicalPlan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.fmt_indent(f, 0)
    }
}

fn list<T>(items: &[T], f: impl Fn(&T) -> String) -> String {
    items.iter().map(f).collect::<Vec<_>>().join(", ")
}

impl LogicalPlan {
    /// The input operator, if any.
    pub fn input(&self) -> Option<&LogicalPlan> {
        use LogicalPlan::*;
        match self {
            Unit | Argument { .. } => None,
            NodeScan { input, .. }
            | NodeById { input, .. }
            | Expand { input, .. }
            | BuildPath { input, .. }
            | Filter { input, .. }
            | Project { input, .. }
            | Distinct { input }
            | Aggregate { input, .. }
            | Sort { input, .. }
            | Skip { input, .. }
            | Limit { input, .. }
            | Unwind { input, .. }
            | Optional { input, .. }
            | Call { input, .. } => Some(input),
        }
    }

    fn fmt_indent(&self, f: &mut fmt::Formatter<'_>, depth: usize) -> fmt::Result {
        use LogicalPlan::*;
        write!(f, "{}", "  ".repeat(depth))?;
        match self {
            Unit => writeln!(f, "Unit")?,
            Argument { width } => writeln!(f, "Argument: outer row ({width} columns)")?,
            NodeScan { var, label, .. } => {
                let m = mark(label.as_slice());
                writeln!(f, "NodeScan: ({var}:{}){m}", label.unwrap_or("*"))?
            }
            NodeById { var, label, id, .. } => {
                let m = mark(label.as_slice());
                writeln!(f, "NodeById: ({var}:{} {{id: {id}}}){m}", label.unwrap_or("*"))?
            }
            Expand { spec, .. } => writeln!(f, "Expand: {spec}")?,
            BuildPath { var, start, rels, .. } => {
                writeln!(f, "BuildPath: {var} = from #{start} along {}", list(rels, |r| format!("#{r}")))?
            }
            Filter { pred, .. } => writeln!(f, "Filter: {pred}")?,
            Project { items, .. } => writeln!(f, "Project: {}", list(items, |(e, n)| format!("{e} AS {n}")))?,
            Distinct { .. } => writeln!(f, "Distinct")?,
            Aggregate { keys, aggs, .. } => writeln!(
                f,
                "Aggregate: keys [{}] aggregates [{}]",
                list(keys, |(e, n)| format!("{e} AS {n}")),
                list(aggs, |a| {
                    let d = if a.distinct { "DISTINCT " } else { "" };
                    match &a.arg {
                        Some(x) => format!("{}({d}{x})", a.func),
                        None => format!("{}(*)", a.func),
                    }
                })
            )?,
            Sort { keys, .. } => {
                writeln!(f, "Sort: {}", list(keys, |(e, asc)| format!("{e} {}", if *asc { "ASC" } else { "DESC" })))?
            }
            Skip { n, .. } => writeln!(f, "Skip: {n}")?,
            Limit { n, .. } => writeln!(f, "Limit: {n}")?,
            Unwind { expr, var, .. } => writeln!(f, "Unwind: {expr} AS {var}")?,
            Optional { sub, vars, .. } => {
                let shown: Vec<&str> = vars.iter().filter(|v| !v.starts_with(' ')).map(String::as_str).collect();
                writeln!(f, "Optional: per row, NULL for {} when nothing matches", shown.join(", "))?;
                for line in sub.to_string().lines() {
                    writeln!(f, "{}  : {line}", "  ".repeat(depth))?;
                }
            }
            Call { name, args, yields, .. } => writeln!(
                f,
                "Call: {name}({}) YIELD {}",
                list(args, |a| a.to_string()),
                list(yields, |(_, n)| n.clone())
            )?,
        }
        if let Some(i) = self.input() {
            i.fmt_indent(f, depth + 1)?;
        }
        Ok(())
    }
}

/// The step as EXPLAIN shows it after `Expand: `: the pattern, the temporal qualifiers, and how
/// the executor will narrow the search.
impl fmt::Display for ExpandSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self;
        let types = if s.types.is_empty() { String::new() } else { format!(":{}", s.types.join("|")) };
        let range = s.range.map(|(a, b)| format!("*{a}..{b}")).unwrap_or_default();
        let props = if s.rel_props.is_empty() {
            String::new()
        } else {
            format!(" {{{}}}", list(&s.rel_props, |(k, v)| format!("{k}: {v}")))
        };
        let t = &s.temporal;
        let (l, r) = match s.dir {
            Dir::Out => ("-", "->"),
            Dir::In => ("<-", "-"),
            Dir::Both => ("-", "-"),
        };
        let label = s.to_label.map(|l| format!(":{l}")).unwrap_or_default();
        let into = if s.to_bound { " (into bound node)" } else { "" };
        let tb = if s.time_bounds.is_empty() {
            String::new()
        } else {
            format!(
                " [booked_at range: {}]",
                list(&s.time_bounds, |(e, lo)| format!("{} {e}", if *lo { ">=" } else { "<=" }))
            )
        };
        let prune =
            if t.ascending || t.within.is_some() || t.max_gap.is_some() || t.retention.is_some() || t.between.is_some()
            {
                " [pruned during DFS on time-sorted adjacency]"
            } else {
                ""
            };
        let only = s.path_label.map(|l| format!(" [only :{l} nodes]")).unwrap_or_default();
        let mut named = s.types.clone();
        named.extend(s.to_label);
        let labelled = mark(&named);
        write!(
            f,
            "(#{}){l}[{}{types}{range}{props}{t}]{r}({}{label}){into}{prune}{tb}{only}{labelled}",
            s.from, s.rel_name, s.to_name
        )
    }
}

/// The qualifiers as written in a pattern, each after a space (nothing when there are none).
impl fmt::Display for TemporalSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.ascending {
            write!(f, " ASCENDING TIME")?;
        }
        if let Some(w) = &self.within {
            write!(f, " WITHIN {w}")?;
        }
        if let Some(g) = &self.max_gap {
            write!(f, " MAX GAP {g}")?;
        }
        if let Some((lo, hi)) = &self.retention {
            write!(f, " RETENTION {lo}..{hi}")?;
        }
        if let Some((lo, hi)) = &self.between {
            write!(f, " BETWEEN {lo} AND {hi}")?;
        }
        if self.no_repeat {
            write!(f, " NO REPEAT")?;
        }
        if self.shortest {
            write!(f, " SHORTEST")?;
        }
        Ok(())
    }
}

/// A planned `exists { }` is a logical plan run per row (see [`SubQuery`]).
impl SubQuery for LogicalPlan {
    fn as_any(&self) -> &dyn Any {
        self
    }
}

impl LogicalPlan {
    /// The plan of a planned `exists { }`: `None` only if something other than the planner
    /// made the sub-query, which nothing does.
    pub fn of_subquery(q: &dyn SubQuery) -> Option<&LogicalPlan> {
        q.as_any().downcast_ref()
    }
}
