//! The link chart every diagram is drawn from, after i2 Analyst's Notebook conventions
//! (docs/methodology.md#diagrams): typed entities, typed links with a confidence (line strength), folded
//! multiplicity (several transfers between one pair = one link with count, total and date range)
//! and the source rows behind every link. Builders live in [`super::charts`]; renderers in
//! `export::dot` (Graphviz) and `export::svg` (pure Rust).

use super::exhibits::{self, Exhibits};
use crate::model::{Case, DateTime, Prov};
use rust_decimal::Decimal;
use std::collections::BTreeMap;

/// What a node stands for; decides shape and colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NodeClass {
    /// A person under suspicion.
    Suspect,
    /// Any other natural person.
    Person,
    /// A company.
    Company,
    /// A bank account.
    Account,
    /// Land, apartment, house, shop.
    Property,
    /// Cash paid in or taken out at a branch.
    Cash,
    /// Several nodes folded into one to keep the chart readable.
    Aggregate,
}

impl NodeClass {
    /// Every class, in legend order.
    pub const ALL: [NodeClass; 7] = [
        NodeClass::Suspect,
        NodeClass::Person,
        NodeClass::Company,
        NodeClass::Account,
        NodeClass::Property,
        NodeClass::Cash,
        NodeClass::Aggregate,
    ];

    /// Legend text.
    pub fn name(self) -> &'static str {
        match self {
            NodeClass::Suspect => "suspect",
            NodeClass::Person => "person",
            NodeClass::Company => "company",
            NodeClass::Account => "bank account",
            NodeClass::Property => "real estate",
            NodeClass::Cash => "cash (branch)",
            NodeClass::Aggregate => "folded nodes",
        }
    }

    /// Fill colour (same in every renderer).
    pub fn fill(self) -> &'static str {
        match self {
            NodeClass::Suspect => "#f4b6b6",
            NodeClass::Person => "#cfe2f3",
            NodeClass::Company => "#fde9c4",
            NodeClass::Account => "#d9ead3",
            NodeClass::Property => "#e6d5f0",
            NodeClass::Cash => "#eeeeee",
            NodeClass::Aggregate => "#ffffff",
        }
    }

    /// Border colour.
    pub fn stroke(self) -> &'static str {
        match self {
            NodeClass::Suspect => "#b00000",
            NodeClass::Person => "#3d6f9e",
            NodeClass::Company => "#b7791f",
            NodeClass::Account => "#3f7d34",
            NodeClass::Property => "#6b3f8c",
            NodeClass::Cash => "#666666",
            NodeClass::Aggregate => "#888888",
        }
    }

    /// The Graphviz shape.
    pub fn dot_shape(self) -> &'static str {
        match self {
            NodeClass::Suspect => "doubleoctagon",
            NodeClass::Person => "ellipse",
            NodeClass::Company => "box",
            NodeClass::Account => "component",
            NodeClass::Property => "house",
            NodeClass::Cash => "diamond",
            NodeClass::Aggregate => "folder",
        }
    }
}

/// Line strength (i2): how sure the link is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Confidence {
    /// Solid: a bank statement or register row says so.
    Confirmed,
    /// Dashed: inferred by the tool (identity match, proximity link).
    Inferred,
    /// Dotted: an analyst's hypothesis (e.g. a recorded "associate").
    Hypothesis,
}

impl Confidence {
    /// Every value, in legend order.
    pub const ALL: [Confidence; 3] = [Confidence::Confirmed, Confidence::Inferred, Confidence::Hypothesis];

    /// Legend text.
    pub fn name(self) -> &'static str {
        match self {
            Confidence::Confirmed => "confirmed: bank or register row",
            Confidence::Inferred => "unconfirmed: inferred match or link",
            Confidence::Hypothesis => "tentative: analyst hypothesis",
        }
    }

    /// Graphviz `style`.
    pub fn dot_style(self) -> &'static str {
        match self {
            Confidence::Confirmed => "solid",
            Confidence::Inferred => "dashed",
            Confidence::Hypothesis => "dotted",
        }
    }

    /// SVG `stroke-dasharray` (empty for solid).
    pub fn dasharray(self) -> &'static str {
        match self {
            Confidence::Confirmed => "",
            Confidence::Inferred => "8,4",
            Confidence::Hypothesis => "2,3",
        }
    }
}

/// What a link is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LinkKind {
    /// One or more transfers.
    Transfer,
    /// Holder of an account.
    Holds,
    /// Shareholding.
    Owns,
    /// Director, administrator.
    Directs,
    /// Land-register title.
    Title,
    /// Family or social tie.
    Related,
    /// A link the tool inferred (e.g. a finding's nearest suspect).
    Inferred,
}

impl LinkKind {
    /// Line colour.
    pub fn color(self) -> &'static str {
        match self {
            LinkKind::Transfer => "#1f4e79",
            LinkKind::Holds => "#3f7d34",
            LinkKind::Owns | LinkKind::Directs => "#b7791f",
            LinkKind::Title => "#6b3f8c",
            LinkKind::Related => "#b00000",
            LinkKind::Inferred => "#555555",
        }
    }
}

/// One entity on a chart.
#[derive(Clone, Debug, PartialEq)]
pub struct ChartNode {
    /// Stable key (`P:<id>`, `C:<id>`, `A:<id>`, `R:<id>`, `CASH:<city>`, `AGG:<name>`).
    pub key: String,
    /// Class.
    pub class: NodeClass,
    /// First label line (name or account id).
    pub title: String,
    /// Second label line (id, holder, city ...).
    pub detail: String,
    /// Inside the suspect's cluster.
    pub cluster: bool,
}

/// One link on a chart (possibly several folded rows).
#[derive(Clone, Debug, PartialEq)]
pub struct ChartEdge {
    /// Index of the source node.
    pub from: usize,
    /// Index of the target node.
    pub to: usize,
    /// Kind.
    pub kind: LinkKind,
    /// Label lines (without exhibit numbers; renderers add them).
    pub label: Vec<String>,
    /// Line strength.
    pub confidence: Confidence,
    /// The source rows, sorted.
    pub provs: Vec<Prov>,
    /// Transfers folded into this edge (indices into `Case::transfers`), sorted.
    pub txns: Vec<u32>,
    /// Base-currency total of the transfers (zero for register links); decides line width.
    pub weight: Decimal,
}

/// A chart: nodes, links, notes about what was left out.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Chart {
    /// Short machine name (file stem, graph id).
    pub name: String,
    /// Heading.
    pub title: String,
    /// Nodes.
    pub nodes: Vec<ChartNode>,
    /// Links, sorted by (from, to, kind).
    pub edges: Vec<ChartEdge>,
    /// Heading of the cluster (`None` when no node is clustered).
    pub cluster_label: Option<String>,
    /// What was folded or left out, for the reader.
    pub notes: Vec<String>,
    /// The fixed words renderers write around the chart (legend, notes, exhibit lists) in the
    /// report's language; `None`: English ([`ChartWords::default`]).
    pub words: Option<ChartWords>,
}

/// The fixed words a renderer writes around a chart, in one language. The chart's own texts
/// (title, labels, notes) are translated by the report (`export::report`) before rendering.
#[derive(Clone, Debug, PartialEq)]
pub struct ChartWords {
    /// The legend's heading.
    pub legend: String,
    /// The legend text of each node class, in [`NodeClass::ALL`] order.
    pub classes: [String; 7],
    /// The legend text of each line style, in [`Confidence::ALL`] order.
    pub lines: [String; 3],
    /// A note line: `{note}` is replaced by the note.
    pub note: String,
    /// A shortened exhibit list: `{list}` and `{n}` (how many more) are replaced.
    pub more: String,
    /// The tooltip of a link without a source row.
    pub no_source: String,
}

impl Default for ChartWords {
    /// English, the words of [`NodeClass::name`] and [`Confidence::name`].
    fn default() -> Self {
        ChartWords {
            legend: "Legend".into(),
            classes: NodeClass::ALL.map(|c| c.name().to_string()),
            lines: Confidence::ALL.map(|c| c.name().to_string()),
            note: "Note: {note}".into(),
            more: "{list} +{n} more".into(),
            no_source: "no source row".into(),
        }
    }
}

impl Chart {
    /// Exhibit numbers of an edge.
    pub fn edge_exhibits(&self, e: &ChartEdge, ex: &Exhibits) -> Vec<u32> {
        ex.numbers(&e.provs)
    }

    /// The label lines of an edge with its exhibits (at most `max` numbers shown).
    pub fn edge_label(&self, e: &ChartEdge, ex: &Exhibits, max: usize) -> Vec<String> {
        let mut l = e.label.clone();
        let n = ex.numbers(&e.provs);
        if !n.is_empty() {
            l.push(match &self.words {
                Some(w) if n.len() > max => w
                    .more
                    .replace("{list}", &exhibits::full_list(&n[..max]))
                    .replace("{n}", &(n.len() - max).to_string()),
                _ => exhibits::short_list(&n, max),
            });
        }
        l
    }

    /// The fixed words of this chart's renderers ([`ChartWords`]).
    pub fn words(&self) -> std::borrow::Cow<'_, ChartWords> {
        match &self.words {
            Some(w) => std::borrow::Cow::Borrowed(w),
            None => std::borrow::Cow::Owned(ChartWords::default()),
        }
    }

    /// The legend text of node class `c` in the chart's words.
    pub fn class_name(&self, c: NodeClass) -> String {
        match &self.words {
            Some(w) => NodeClass::ALL.iter().position(|x| *x == c).map(|i| w.classes[i].clone()).unwrap_or_default(),
            None => c.name().to_string(),
        }
    }

    /// The chart's notes as the lines a renderer prints (`Note: ...`).
    pub fn note_lines(&self) -> Vec<String> {
        let w = self.words();
        self.notes.iter().map(|n| w.note.replace("{note}", n)).collect()
    }
}

/// Lines printed under every chart: case, version, rules, parameters, input-manifest hash.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Footer {
    /// The lines.
    pub lines: Vec<String>,
}

/// Incremental chart construction with node de-duplication by key.
#[derive(Default)]
pub struct ChartBuilder {
    nodes: Vec<ChartNode>,
    index: BTreeMap<String, usize>,
    edges: Vec<ChartEdge>,
}

impl ChartBuilder {
    /// The index of the node with `node.key`, adding it when new (a later `cluster` flag wins).
    pub fn node(&mut self, node: ChartNode) -> usize {
        if let Some(&i) = self.index.get(&node.key) {
            self.nodes[i].cluster |= node.cluster;
            return i;
        }
        self.index.insert(node.key.clone(), self.nodes.len());
        self.nodes.push(node);
        self.nodes.len() - 1
    }

    /// The index of a node key, if present.
    pub fn find(&self, key: &str) -> Option<usize> {
        self.index.get(key).copied()
    }

    /// Number of nodes so far.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// True when there are no nodes.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// Adds a link.
    pub fn edge(&mut self, mut e: ChartEdge) {
        e.provs.sort_unstable();
        e.provs.dedup();
        e.txns.sort_unstable();
        e.txns.dedup();
        self.edges.push(e);
    }

    /// The chart, nodes in insertion order, edges sorted by (from, to, kind, first row).
    pub fn finish(mut self, name: String, title: String, cluster_label: Option<String>, notes: Vec<String>) -> Chart {
        self.edges
            .sort_by(|a, b| (a.from, a.to, a.kind, a.provs.first()).cmp(&(b.from, b.to, b.kind, b.provs.first())));
        let cluster_label = cluster_label.filter(|_| self.nodes.iter().any(|n| n.cluster));
        Chart { name, title, nodes: self.nodes, edges: self.edges, cluster_label, notes, words: None }
    }
}

/// `1,234,567.89` (two decimals, comma thousands separator, half away from zero).
pub fn amount(d: Decimal) -> String {
    let r = crate::model::round_cents(d);
    let s = format!("{:.2}", r.abs());
    let (int, frac) = s.split_once('.').unwrap_or((&s, "00"));
    let mut out = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    let sign = if r.is_sign_negative() && !r.is_zero() { "-" } else { "" };
    format!("{sign}{out}.{frac}")
}

/// `amount currency`.
pub fn money(d: Decimal, currency: &str) -> String {
    format!("{} {}", amount(d), currency)
}

/// What a chart prints for a total that left the exact decimal range (see [`total`]).
pub const BEYOND_RANGE: &str =
    "beyond the exact decimal range (check the amounts; docs/data-model.md, \"Amount range\")";

/// A chart's total of `values`, `None` when the sum leaves `Decimal`'s exact range (a case not
/// loaded by ingest): the label then says so ([`BEYOND_RANGE`]) instead of a wrapped figure.
pub fn total<I: IntoIterator<Item = Decimal>>(values: I) -> Option<Decimal> {
    crate::model::money::checked_sum(values)
}

/// [`money`] of a [`total`]: [`BEYOND_RANGE`] for `None`.
pub fn money_total(d: Option<Decimal>, currency: &str) -> String {
    d.map_or_else(|| format!("{BEYOND_RANGE} {currency}"), |d| money(d, currency))
}

/// The label of one or several transfers: "amount currency · date" for one, else
/// "n transfers · total base · first – last".
pub fn transfer_label(case: &Case, txns: &[u32], total_base: Decimal) -> Vec<String> {
    transfer_label_total(case, txns, Some(total_base))
}

/// [`transfer_label`] with a [`total`] that may have left the exact range.
pub fn transfer_label_total(case: &Case, txns: &[u32], total_base: Option<Decimal>) -> Vec<String> {
    let t = &case.transfers;
    let day = |i: u32| t.booked_at[i as usize].date().to_string();
    match txns {
        [one] => {
            let i = *one as usize;
            vec![format!("{} {} · {}", amount(t.amount(i)), t.currency[i], day(*one))]
        }
        _ => {
            let first = txns.iter().map(|&i| t.booked_at[i as usize]).min().unwrap_or(DateTime(0));
            let last = txns.iter().map(|&i| t.booked_at[i as usize]).max().unwrap_or(DateTime(0));
            vec![
                format!("{} transfers · {}", txns.len(), money_total(total_base, case.meta.base_currency.as_str())),
                format!("{} – {}", first.date(), last.date()),
            ]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_group_thousands() {
        assert_eq!(amount(Decimal::new(123456789, 2)), "1,234,567.89");
        assert_eq!(amount(Decimal::new(-5, 1)), "-0.50");
        assert_eq!(amount(Decimal::new(100, 0)), "100.00");
    }
}
