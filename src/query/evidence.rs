//! The subgraph behind a result row, as an evidence diagram: every node, relationship and path
//! a row holds (with the endpoints of each relationship), written as Graphviz DOT with the
//! transfer ids, amounts and dates on the edges, so each row of a query can be shown in court
//! next to the rows of the source files it rests on.
//!
//! Text from the case (names, references) is escaped for DOT by [`crate::text::dot`], the rule
//! every diagram follows: a hostile name cannot break out of its label or add lines to it. The evidence bundle of the export module can take the same [`Subgraph`] later.

use super::common::{node_key, rel_key, NodeId, RelId, Value};
use super::exec::graphs::rel_ends;
use super::exec::props;
use super::exec::{Budget, Ctx};
use crate::graph::CaseGraph;
use crate::model::Case;
use crate::text::dot::{label, quoted, Lines};
use std::collections::{BTreeSet, HashMap};
use std::fmt::Write;

/// Nodes and relationships of one row, sorted and without repeats.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Subgraph {
    /// Nodes.
    pub nodes: Vec<NodeId>,
    /// Relationships.
    pub rels: Vec<RelId>,
}

/// Draws result rows of one case.
pub struct Evidence<'a> {
    ctx: Ctx<'a>,
}

impl<'a> Evidence<'a> {
    /// A drawer for `case`.
    pub fn new(case: &'a Case, graph: &'a CaseGraph) -> Evidence<'a> {
        Evidence { ctx: Ctx::new(case, graph, HashMap::new(), Budget::default()) }
    }

    /// The subgraph a row holds: its nodes, relationships, paths and lists of them, with the
    /// endpoints of every relationship.
    pub fn subgraph(&self, row: &[Value]) -> Subgraph {
        let (mut nodes, mut rels) = (BTreeSet::new(), BTreeSet::new());
        let mut stack: Vec<&Value> = row.iter().collect();
        while let Some(v) = stack.pop() {
            match v {
                Value::Node(n) => {
                    nodes.insert(*n);
                }
                Value::Rel(r) => {
                    rels.insert(*r);
                }
                Value::Path(p) => {
                    nodes.extend(p.nodes.iter().copied());
                    rels.extend(p.rels.iter().copied());
                }
                Value::List(l) => stack.extend(l.iter()),
                Value::Map(m) => stack.extend(m.iter().map(|(_, x)| x)),
                _ => {}
            }
        }
        for r in &rels {
            let (a, b) = rel_ends(&self.ctx, *r);
            nodes.insert(a);
            nodes.insert(b);
        }
        Subgraph { nodes: nodes.into_iter().collect(), rels: rels.into_iter().collect() }
    }

    /// The row as a Graphviz digraph titled `title`, with the row's scalar columns in a note.
    pub fn dot(&self, title: &str, columns: &[String], row: &[Value]) -> String {
        let case = self.ctx.case;
        let g = self.subgraph(row);
        let index: HashMap<NodeId, usize> = g.nodes.iter().enumerate().map(|(i, n)| (*n, i)).collect();
        let mut s = String::new();
        let _ = writeln!(s, "digraph {} {{", quoted(title));
        let _ = writeln!(
            s,
            "  rankdir=LR; node [fontname=\"Helvetica\", fontsize=10]; edge [fontname=\"Helvetica\", fontsize=9];"
        );
        let _ = writeln!(s, "  labelloc=t; label={};", quoted(title));
        let scalars: Vec<String> = columns
            .iter()
            .zip(row)
            .filter(|(_, v)| !matches!(v, Value::Node(_) | Value::Rel(_) | Value::Path(_) | Value::List(_)))
            .map(|(c, v)| format!("{}: {}", c, v.render(case)))
            .collect();
        if !scalars.is_empty() {
            let lines: Vec<&str> = scalars.iter().map(String::as_str).collect();
            let _ = writeln!(s, "  note [shape=note, label={}];", label(&lines, Lines::Joined));
        }
        for (i, n) in g.nodes.iter().enumerate() {
            let shape = match n {
                NodeId::Person(_) => "ellipse",
                NodeId::Company(_) => "box",
                NodeId::Account(_) => "component",
                NodeId::Property(_) => "house",
                NodeId::Cash(_) => "diamond",
                NodeId::Labelled(..) => "octagon",
            };
            let mut lines = vec![n.label(case).to_string(), node_key(case, *n)];
            let name = match n {
                NodeId::Person(_) | NodeId::Company(_) => props::node_prop(&self.ctx, *n, "name"),
                NodeId::Account(_) => props::node_prop(&self.ctx, *n, "holder_name"),
                NodeId::Property(_) => props::node_prop(&self.ctx, *n, "kind"),
                NodeId::Cash(_) | NodeId::Labelled(..) => Value::Null,
            };
            if !name.is_null() {
                lines.push(name.render(case));
            }
            let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
            let _ = writeln!(s, "  n{i} [shape={shape}, label={}];", label(&lines, Lines::Joined));
        }
        for r in &g.rels {
            let (a, b) = rel_ends(&self.ctx, *r);
            let (Some(ia), Some(ib)) = (index.get(&a), index.get(&b)) else { continue };
            let lines: Vec<String> = match r {
                RelId::Transfer(_) => vec![
                    rel_key(case, *r),
                    format!("{} {}", props::rel_prop(&self.ctx, *r, "amount").render(case), case.meta.base_currency),
                    props::rel_prop(&self.ctx, *r, "booked_at").render(case),
                ],
                RelId::Owns(_) | RelId::Title(_) => {
                    vec![format!("{} {}", r.rel_type(case), props::rel_prop(&self.ctx, *r, "share").render(case))]
                }
                RelId::Directs(_) => {
                    vec![format!("{} ({})", r.rel_type(case), props::rel_prop(&self.ctx, *r, "role").render(case))]
                }
                RelId::Related(_) => {
                    vec![format!("{} ({})", r.rel_type(case), props::rel_prop(&self.ctx, *r, "kind").render(case))]
                }
                RelId::Holds(_) => vec![r.rel_type(case).to_string()],
                RelId::Labelled(..) => vec![r.rel_type(case).to_string(), rel_key(case, *r)],
            };
            let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
            let style = if matches!(r, RelId::Transfer(_)) { "solid" } else { "dashed" };
            let _ = writeln!(s, "  n{ia} -> n{ib} [style={style}, label={}];", label(&lines, Lines::Joined));
        }
        s.push_str("}\n");
        s
    }
}
