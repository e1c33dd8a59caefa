//! The syntax tree of a query, as parsed. The planner resolves its names and turns it into a
//! logical plan; expressions stay trees in the plan, with variables resolved to row slots
//! ([`ExprKind::Slot`], [`ExprKind::AggRef`]) and `exists { }` planned ([`ExprKind::ExistsPlan`]).
//! `Display` prints an expression back as query text (EXPLAIN, default aggregate names).

use crate::query::common::{fmt_duration, Span, Value};
use std::any::Any;
use std::fmt;
use std::sync::Arc;

/// A whole query: clauses in order.
#[derive(Clone, Debug)]
pub struct Query {
    /// MATCH, WITH, UNWIND, CALL ... RETURN.
    pub clauses: Vec<Clause>,
}

/// One clause.
#[derive(Clone, Debug)]
pub enum Clause {
    /// `[OPTIONAL] MATCH pattern, pattern WHERE expr`.
    Match {
        /// Comma-separated patterns.
        patterns: Vec<Pattern>,
        /// Filter.
        filter: Option<Expr>,
        /// OPTIONAL MATCH: rows without a match are kept with NULLs.
        optional: bool,
    },
    /// `WITH projection WHERE expr`.
    With {
        /// What passes on.
        proj: Projection,
        /// Filter on the projected rows.
        filter: Option<Expr>,
    },
    /// `UNWIND list AS name`.
    Unwind {
        /// The list.
        expr: Expr,
        /// Variable bound to each element.
        var: String,
    },
    /// `CALL detect('fan_in') YIELD a, b AS c WHERE ...`.
    Call {
        /// Procedure name.
        name: String,
        /// Arguments.
        args: Vec<Expr>,
        /// Yielded columns and their aliases.
        yields: Vec<(String, String)>,
        /// Filter.
        filter: Option<Expr>,
        /// Where CALL starts.
        span: Span,
    },
    /// `RETURN projection`.
    Return(Projection),
}

/// The body of WITH or RETURN.
#[derive(Clone, Debug)]
pub struct Projection {
    /// DISTINCT.
    pub distinct: bool,
    /// `*`: every variable in scope.
    pub star: bool,
    /// Items: expression, output name, and the expression's source text.
    pub items: Vec<(Expr, String, String)>,
    /// ORDER BY keys: expression, true = ascending, source text.
    pub order: Vec<(Expr, bool, String)>,
    /// SKIP.
    pub skip: Option<Expr>,
    /// LIMIT.
    pub limit: Option<Expr>,
    /// Where the clause starts.
    pub span: Span,
}

/// A path pattern: `p = (a)-[r]->(b)<-[s]-(c)`.
#[derive(Clone, Debug)]
pub struct Pattern {
    /// Path variable.
    pub path_var: Option<String>,
    /// First node.
    pub start: NodePat,
    /// Then relationship and node, alternately.
    pub steps: Vec<(RelPat, NodePat)>,
}

/// A node pattern `(v:Label {k: expr})`.
#[derive(Clone, Debug)]
pub struct NodePat {
    /// Variable, if named.
    pub var: Option<String>,
    /// Labels (a node must carry all of them; ours carry one).
    pub labels: Vec<String>,
    /// Inline property equalities.
    pub props: Vec<(String, Expr)>,
    /// Position.
    pub span: Span,
}

/// Direction of a relationship pattern, as written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dir {
    /// `-[]->`
    Out,
    /// `<-[]-`
    In,
    /// `-[]-`
    Both,
}

/// A relationship pattern `-[r:TYPE|TYPE *min..max {k: v} temporal]->`.
#[derive(Clone, Debug)]
pub struct RelPat {
    /// Variable (a list of relationships when variable-length).
    pub var: Option<String>,
    /// Allowed types; empty = any.
    pub types: Vec<String>,
    /// Direction.
    pub dir: Dir,
    /// `*min..max`, when variable-length.
    pub range: Option<(u32, u32)>,
    /// Inline property equalities (each hop must satisfy them).
    pub props: Vec<(String, Expr)>,
    /// Temporal path qualifiers.
    pub temporal: Temporal,
    /// Position.
    pub span: Span,
}

/// Temporal qualifiers of a TRANSFER path, enforced while expanding.
#[derive(Clone, Debug, Default)]
pub struct Temporal {
    /// `ASCENDING TIME`: each transfer booked strictly after the previous one.
    pub ascending: bool,
    /// `WITHIN duration`: last booking minus first booking at most this.
    pub within: Option<Expr>,
    /// `MAX GAP duration`: between consecutive transfers at most this.
    pub max_gap: Option<Expr>,
    /// `RETENTION lo..hi`: amount of each hop over the previous one in [lo, hi].
    pub retention: Option<(Expr, Expr)>,
    /// `NO REPEAT`: no node twice on the path (transfers never repeat anyway).
    pub no_repeat: bool,
    /// `BETWEEN lo AND hi`: every transfer booked in [lo, hi].
    pub between: Option<(Expr, Expr)>,
    /// `SHORTEST`: one shortest path per reached node (breadth-first).
    pub shortest: bool,
}

impl Temporal {
    /// True when any qualifier is set.
    pub fn any(&self) -> bool {
        self.ascending
            || self.within.is_some()
            || self.max_gap.is_some()
            || self.retention.is_some()
            || self.no_repeat
            || self.between.is_some()
            || self.shortest
    }
}

/// An expression with its position.
#[derive(Clone, Debug)]
pub struct Expr {
    /// What it is.
    pub kind: ExprKind,
    /// Where it starts.
    pub span: Span,
}

/// Binary operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    /// OR
    Or,
    /// XOR
    Xor,
    /// AND
    And,
    /// =
    Eq,
    /// <> or !=
    Ne,
    /// <
    Lt,
    /// <=
    Le,
    /// >
    Gt,
    /// >=
    Ge,
    /// IN
    In,
    /// STARTS WITH
    StartsWith,
    /// ENDS WITH
    EndsWith,
    /// CONTAINS
    Contains,
    /// +
    Add,
    /// -
    Sub,
    /// *
    Mul,
    /// /
    Div,
    /// %
    Mod,
}

impl BinOp {
    /// The operator as written.
    pub fn as_str(self) -> &'static str {
        use BinOp::*;
        match self {
            Or => "OR",
            Xor => "XOR",
            And => "AND",
            Eq => "=",
            Ne => "<>",
            Lt => "<",
            Le => "<=",
            Gt => ">",
            Ge => ">=",
            In => "IN",
            StartsWith => "STARTS WITH",
            EndsWith => "ENDS WITH",
            Contains => "CONTAINS",
            Add => "+",
            Sub => "-",
            Mul => "*",
            Div => "/",
            Mod => "%",
        }
    }
}

/// Expression kinds.
#[derive(Clone, Debug)]
pub enum ExprKind {
    /// A literal.
    Lit(Value),
    /// `$name`.
    Param(String),
    /// A variable, by name.
    Var(String),
    /// A variable resolved by the planner to a column of the row.
    Slot(usize, String),
    /// `expr.name`.
    Prop(Box<Expr>, String),
    /// `expr[index]`.
    Index(Box<Expr>, Box<Expr>),
    /// Binary operation.
    Bin(BinOp, Box<Expr>, Box<Expr>),
    /// NOT.
    Not(Box<Expr>),
    /// Unary minus.
    Neg(Box<Expr>),
    /// `IS NULL` (false) or `IS NOT NULL` (true).
    IsNull(Box<Expr>, bool),
    /// Function call; `distinct` for `count(DISTINCT x)`.
    Call {
        /// Lower-cased name.
        name: String,
        /// DISTINCT inside an aggregate.
        distinct: bool,
        /// Arguments.
        args: Vec<Expr>,
    },
    /// `count(*)`.
    CountStar,
    /// `[a, b]`.
    List(Vec<Expr>),
    /// `{k: v}`.
    Map(Vec<(String, Expr)>),
    /// `CASE WHEN c THEN v ... ELSE e END` (searched form).
    Case(Vec<(Expr, Expr)>, Option<Box<Expr>>),
    /// `exists { pattern WHERE expr }` as parsed.
    Exists(Vec<Pattern>, Option<Box<Expr>>),
    /// `exists { ... }` planned into a sub-plan run per row.
    ExistsPlan(Arc<dyn SubQuery>),
    /// `[x IN list WHERE pred | expr]`.
    Comprehension {
        /// Variable name.
        var: String,
        /// The list.
        list: Box<Expr>,
        /// Filter.
        filter: Option<Box<Expr>>,
        /// Mapping.
        map: Option<Box<Expr>>,
    },
    /// `all/any/none/single(x IN list WHERE pred)`.
    Quantifier {
        /// all, any, none or single.
        q: String,
        /// Variable name.
        var: String,
        /// The list.
        list: Box<Expr>,
        /// The predicate.
        pred: Box<Expr>,
    },
    /// `reduce(acc = init, x IN list | expr)`.
    Reduce {
        /// Accumulator name.
        acc: String,
        /// Initial value.
        init: Box<Expr>,
        /// Element name.
        var: String,
        /// The list.
        list: Box<Expr>,
        /// Next accumulator value.
        expr: Box<Expr>,
    },
    /// An aggregate computed by the plan, read from column `usize` of the row.
    AggRef(usize, String),
}

impl Expr {
    /// A new expression.
    pub fn new(kind: ExprKind, span: Span) -> Expr {
        Expr { kind, span }
    }
}

/// A planned sub-query inside an expression (`exists { }`). The parser never makes one: it
/// writes [`ExprKind::Exists`], which the planner replaces by its logical plan. The tree holds
/// that plan through this trait so that the syntax tree does not depend on the plan stage; the
/// executor takes the plan back with `LogicalPlan::of_subquery`. `Display` is its EXPLAIN text.
pub trait SubQuery: fmt::Debug + fmt::Display + Send + Sync {
    /// The concrete plan, for the executor to take back.
    fn as_any(&self) -> &dyn Any;
}

fn list<T>(items: &[T], f: impl Fn(&T) -> String) -> String {
    items.iter().map(f).collect::<Vec<_>>().join(", ")
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use ExprKind::*;
        match &self.kind {
            Lit(v) => match v {
                Value::Str(s) => write!(f, "'{}'", s.replace('\'', "\\'")),
                Value::Null => write!(f, "null"),
                Value::Bool(b) => write!(f, "{b}"),
                Value::Num(n) => write!(f, "{n}"),
                Value::Duration(s) => {
                    write!(f, "duration('{}')", fmt_duration(*s))
                }
                other => write!(f, "{other:?}"),
            },
            Param(p) => write!(f, "${p}"),
            Var(v) => write!(f, "{v}"),
            Slot(_, v) | AggRef(_, v) => write!(f, "{v}"),
            Prop(e, p) => write!(f, "{e}.{p}"),
            Index(e, i) => write!(f, "{e}[{i}]"),
            Bin(op, l, r) => write!(f, "({l} {} {r})", op.as_str()),
            Not(e) => write!(f, "NOT {e}"),
            Neg(e) => write!(f, "-{e}"),
            IsNull(e, neg) => write!(f, "{e} IS {}NULL", if *neg { "NOT " } else { "" }),
            Call { name, distinct, args } => {
                write!(f, "{name}({}{})", if *distinct { "DISTINCT " } else { "" }, list(args, |a| a.to_string()))
            }
            CountStar => write!(f, "count(*)"),
            List(items) => write!(f, "[{}]", list(items, |a| a.to_string())),
            Map(items) => write!(f, "{{{}}}", list(items, |(k, v)| format!("{k}: {v}"))),
            Case(arms, other) => {
                write!(f, "CASE")?;
                for (c, v) in arms {
                    write!(f, " WHEN {c} THEN {v}")?;
                }
                if let Some(o) = other {
                    write!(f, " ELSE {o}")?;
                }
                write!(f, " END")
            }
            Exists(..) => write!(f, "exists {{ ... }}"),
            ExistsPlan(p) => {
                let s = p.to_string();
                write!(f, "exists {{ {} }}", s.lines().map(str::trim).collect::<Vec<_>>().join(" <- "))
            }
            Comprehension { var, list: l, filter, map } => {
                write!(f, "[{var} IN {l}")?;
                if let Some(w) = filter {
                    write!(f, " WHERE {w}")?;
                }
                if let Some(m) = map {
                    write!(f, " | {m}")?;
                }
                write!(f, "]")
            }
            Quantifier { q, var, list: l, pred } => write!(f, "{q}({var} IN {l} WHERE {pred})"),
            Reduce { acc, init, var, list: l, expr } => write!(f, "reduce({acc} = {init}, {var} IN {l} | {expr})"),
        }
    }
}
