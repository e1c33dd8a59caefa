//! Extra labelled tables: node and edge tables a case declares in case.toml (`[[labels.nodes]]`,
//! `[[labels.edges]]`) beyond the case tables, such as phone numbers, e-mail addresses,
//! devices, loans or login media, and the links between them and persons, companies, accounts
//! and properties. Queries reach them by label and relationship type (docs/data-model.md,
//! "Extra labelled tables").
//!
//! Every row keeps its [`Prov`]; columns the declaration types (`types = { amount = "decimal" }`)
//! are stored parsed, every other column is kept as text in [`Extras`].

use super::case::IdMap;
use super::entities::Extras;
use super::provenance::Prov;
use super::time::{Date, DateTime};
use rust_decimal::Decimal;
use std::collections::HashMap;

/// The type a declaration gives a property column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PropType {
    /// An exact decimal number.
    Decimal,
    /// A calendar date.
    Date,
    /// A date-time (read to the second).
    DateTime,
    /// `true`/`false` (also yes/no, 1/0).
    Bool,
}

impl PropType {
    /// The name used in case.toml.
    pub fn as_str(self) -> &'static str {
        match self {
            PropType::Decimal => "decimal",
            PropType::Date => "date",
            PropType::DateTime => "datetime",
            PropType::Bool => "bool",
        }
    }

    /// Parses a type name of case.toml.
    pub fn parse(s: &str) -> Option<PropType> {
        Some(match s.trim() {
            "decimal" | "number" => PropType::Decimal,
            "date" => PropType::Date,
            "datetime" => PropType::DateTime,
            "bool" | "boolean" => PropType::Bool,
            _ => return None,
        })
    }
}

/// One parsed value of a typed column (`None` in [`TypedColumn::values`] = empty cell).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PropValue {
    /// Exact number.
    Decimal(Decimal),
    /// Date.
    Date(Date),
    /// Date-time.
    DateTime(DateTime),
    /// Boolean.
    Bool(bool),
}

/// A typed property column, one value per loaded row.
#[derive(Clone, Debug, Default)]
pub struct TypedColumn {
    /// Column name (as in the source header; the property name in queries).
    pub name: String,
    /// Values, aligned with the table's rows.
    pub values: Vec<Option<PropValue>>,
}

/// A node a labelled edge may end at: a row of a case table or of a labelled node table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LabelEnd {
    /// Index into `Case::persons`.
    Person(u32),
    /// Index into `Case::companies`.
    Company(u32),
    /// Index into `Case::accounts`.
    Account(u32),
    /// Index into `Case::properties`.
    Property(u32),
    /// Row `row` of labelled node table `table` (`Labelled::nodes`).
    Node {
        /// Index into [`Labelled::nodes`].
        table: u16,
        /// Row in that table.
        row: u32,
    },
}

/// A labelled node table (all sources declared with one label).
#[derive(Clone, Debug, Default)]
pub struct NodeTable {
    /// The label (`Phone`, `Loan`, ...).
    pub label: String,
    /// External ids, one per row (unique within the label).
    pub ids: Vec<String>,
    /// External id to row.
    pub index: IdMap<u32>,
    /// Where each row came from.
    pub prov: Vec<Prov>,
    /// Typed property columns.
    pub typed: Vec<TypedColumn>,
    /// Every other column, as text.
    pub extras: Extras,
}

/// A labelled edge table (one `[[labels.edges]]` declaration).
#[derive(Clone, Debug, Default)]
pub struct EdgeTable {
    /// The relationship type (`USES`, `APPLY`, ...).
    pub rel_type: String,
    /// Label of the start nodes (`Person`, `Account`, a labelled node label, ...).
    pub from_label: String,
    /// Label of the end nodes.
    pub to_label: String,
    /// Optional external ids (empty when the declaration names no id column).
    pub ids: Vec<String>,
    /// Start node per row.
    pub from: Vec<LabelEnd>,
    /// End node per row.
    pub to: Vec<LabelEnd>,
    /// Where each row came from.
    pub prov: Vec<Prov>,
    /// Typed property columns.
    pub typed: Vec<TypedColumn>,
    /// Every other column, as text.
    pub extras: Extras,
    /// Rows leaving each node, in row order.
    pub out: HashMap<LabelEnd, Vec<u32>, foldhash::fast::FixedState>,
    /// Rows arriving at each node, in row order.
    pub inc: HashMap<LabelEnd, Vec<u32>, foldhash::fast::FixedState>,
}

impl EdgeTable {
    /// Number of loaded rows.
    pub fn len(&self) -> usize {
        self.from.len()
    }

    /// True when no row loaded.
    pub fn is_empty(&self) -> bool {
        self.from.is_empty()
    }

    /// Builds the adjacency (`out`, `inc`) from `from` and `to`.
    pub fn index(&mut self) {
        self.out.clear();
        self.inc.clear();
        for (i, (f, t)) in self.from.iter().zip(&self.to).enumerate() {
            self.out.entry(*f).or_default().push(i as u32);
            self.inc.entry(*t).or_default().push(i as u32);
        }
    }

    /// Rows of this table at `n`, leaving it (`out`) or arriving at it.
    pub fn at(&self, n: LabelEnd, out: bool) -> &[u32] {
        let m = if out { &self.out } else { &self.inc };
        m.get(&n).map(Vec::as_slice).unwrap_or(&[])
    }
}

/// The typed value of column `name` at `row`: `Some(None)` for an empty cell, `None` when
/// the table has no typed column of that name.
pub fn typed_value(cols: &[TypedColumn], name: &str, row: usize) -> Option<Option<PropValue>> {
    cols.iter().find(|c| c.name == name).map(|c| c.values.get(row).copied().flatten())
}

/// Every labelled table of a case.
#[derive(Clone, Debug, Default)]
pub struct Labelled {
    /// Node tables, one per label.
    pub nodes: Vec<NodeTable>,
    /// Edge tables, one per declaration (several may share a type).
    pub edges: Vec<EdgeTable>,
}

impl Labelled {
    /// The node table of `label`.
    pub fn node_table(&self, label: &str) -> Option<usize> {
        self.nodes.iter().position(|t| t.label == label)
    }

    /// True when no labelled table is declared.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty() && self.edges.is_empty()
    }
}
