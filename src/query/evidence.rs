//! The subgraph behind a result row, as an evidence diagram: every node, relationship and path
//! a row holds (with the endpoints of each relationship), written as Graphviz DOT with the
//! transfer ids, amounts and dates on the edges, so each row of a query can be shown in court
//! next to the rows of the source files it rests on.
//!
//! Text from the case (names, references) is escaped for DOT: a hostile name cannot break out of
//! its label. The evidence bundle of the export module can take the same [`Subgraph`] later.

use super::common::{node_key, rel_key, NodeId, RelId, Value};
use super::exec::graphs::rel_ends;
use super::exec::props;
use super::exec::{Budget, Ctx};
use crate::graph::CaseGraph;
use crate::model::Case;
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
        let _ = writeln!(s, "digraph \"{}\" {{", esc(title));
        let _ = writeln!(
            s,
            "  rankdir=LR; node [fontname=\"Helvetica\", fontsize=10]; edge [fontname=\"Helvetica\", fontsize=9];"
        );
        let _ = writeln!(s, "  labelloc=t; label=\"{}\";", esc(title));
        let scalars: Vec<String> = columns
            .iter()
            .zip(row)
            .filter(|(_, v)| !matches!(v, Value::Node(_) | Value::Rel(_) | Value::Path(_) | Value::List(_)))
            .map(|(c, v)| format!("{}: {}", c, v.render(case)))
            .collect();
        if !scalars.is_empty() {
            let _ = writeln!(s, "  note [shape=note, label=\"{}\"];", esc(&scalars.join("\n")));
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
            let mut label = format!("{}\n{}", n.label(case), node_key(case, *n));
            let name = match n {
                NodeId::Person(_) | NodeId::Company(_) => props::node_prop(&self.ctx, *n, "name"),
                NodeId::Account(_) => props::node_prop(&self.ctx, *n, "holder_name"),
                NodeId::Property(_) => props::node_prop(&self.ctx, *n, "kind"),
                NodeId::Cash(_) | NodeId::Labelled(..) => Value::Null,
            };
            if !name.is_null() {
                label.push('\n');
                label.push_str(&name.render(case));
            }
            let _ = writeln!(s, "  n{i} [shape={shape}, label=\"{}\"];", esc(&label));
        }
        for r in &g.rels {
            let (a, b) = rel_ends(&self.ctx, *r);
            let (Some(ia), Some(ib)) = (index.get(&a), index.get(&b)) else { continue };
            let label = match r {
                RelId::Transfer(_) => format!(
                    "{}\n{} {}\n{}",
                    rel_key(case, *r),
                    props::rel_prop(&self.ctx, *r, "amount").render(case),
                    case.meta.base_currency,
                    props::rel_prop(&self.ctx, *r, "booked_at").render(case)
                ),
                RelId::Owns(_) | RelId::Title(_) => {
                    format!("{} {}", r.rel_type(case), props::rel_prop(&self.ctx, *r, "share").render(case))
                }
                RelId::Directs(_) => {
                    format!("{} ({})", r.rel_type(case), props::rel_prop(&self.ctx, *r, "role").render(case))
                }
                RelId::Related(_) => {
                    format!("{} ({})", r.rel_type(case), props::rel_prop(&self.ctx, *r, "kind").render(case))
                }
                RelId::Holds(_) => r.rel_type(case).to_string(),
                RelId::Labelled(..) => format!("{}\n{}", r.rel_type(case), rel_key(case, *r)),
            };
            let style = if matches!(r, RelId::Transfer(_)) { "solid" } else { "dashed" };
            let _ = writeln!(s, "  n{ia} -> n{ib} [style={style}, label=\"{}\"];", esc(&label));
        }
        s.push_str("}\n");
        s
    }
}

/// Escapes text for a double-quoted DOT string: backslash and quote escaped, line breaks as
/// `\n`, other control characters dropped.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::esc;

    #[test]
    fn hostile_text_stays_inside_its_label() {
        assert_eq!(esc("a\"]; evil [label=\"x"), "a\\\"]; evil [label=\\\"x");
        assert_eq!(esc("line1\nline2\r\t\\"), "line1\\nline2\\\\");
    }
}
