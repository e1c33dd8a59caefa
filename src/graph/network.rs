//! The entity network in petgraph: persons, companies, accounts and properties, with edges for
//! holdings, shareholdings, directorships, titles and relations. Node indices are laid out by
//! kind (persons, then companies, accounts, properties), so a model index maps to a node index
//! by addition, without a hash map.

use crate::model::{Case, Date, EntityKind, EntityRef, RelationKind, Role};
use petgraph::graph::{DiGraph, NodeIndex};
use rust_decimal::Decimal;

/// A node of the entity network.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NodeRef {
    /// Index into `Case::persons`.
    Person(u32),
    /// Index into `Case::companies`.
    Company(u32),
    /// Index into `Case::accounts`.
    Account(u32),
    /// Index into `Case::properties`.
    Property(u32),
}

/// An edge of the entity network; `row` is the index of the source row in its table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EdgeKind {
    /// Holder to account.
    Holds,
    /// Shareholder to company (`Case::ownership` row).
    Owns {
        /// Fraction.
        share: Decimal,
        /// Row in `Case::ownership`.
        row: u32,
        /// Held as nominee.
        nominee: bool,
    },
    /// Officer to company (`Case::ownership` row).
    Directs {
        /// The role.
        role: Role,
        /// Row in `Case::ownership`.
        row: u32,
    },
    /// Owner to property (`Case::titles` row).
    Title {
        /// Fraction.
        share: Decimal,
        /// Acquisition date.
        acquired_on: Option<Date>,
        /// Row in `Case::titles`.
        row: u32,
    },
    /// Person to related entity (`Case::relations` row).
    Related {
        /// The tie, read as "target is the kind of source".
        kind: RelationKind,
        /// Row in `Case::relations`.
        row: u32,
    },
}

/// The entity network of a case.
pub struct Network {
    /// The graph; node weights say what each node is.
    pub graph: DiGraph<NodeRef, EdgeKind, u32>,
    persons: u32,
    companies: u32,
    accounts: u32,
}

impl Network {
    /// Builds the network.
    ///
    /// # Complexity
    /// O(V + E) over persons, companies, accounts, properties and the link tables.
    pub fn build(case: &Case) -> Network {
        let (p, c, a, r) = (
            case.persons.len() as u32,
            case.companies.len() as u32,
            case.accounts.len() as u32,
            case.properties.len() as u32,
        );
        let mut g = DiGraph::with_capacity((p + c + a + r) as usize, 0);
        (0..p).for_each(|i| {
            g.add_node(NodeRef::Person(i));
        });
        (0..c).for_each(|i| {
            g.add_node(NodeRef::Company(i));
        });
        (0..a).for_each(|i| {
            g.add_node(NodeRef::Account(i));
        });
        (0..r).for_each(|i| {
            g.add_node(NodeRef::Property(i));
        });
        let mut net = Network { graph: g, persons: p, companies: c, accounts: a };
        for (i, acc) in case.accounts.rows.iter().enumerate() {
            if let Some(h) = acc.holder {
                let (from, to) = (net.entity(h), net.node(NodeRef::Account(i as u32)));
                net.graph.add_edge(from, to, EdgeKind::Holds);
            }
        }
        for (row, o) in case.ownership.rows.iter().enumerate() {
            let (from, to) = (net.entity(o.holder), net.node(NodeRef::Company(o.company)));
            let kind = match (o.role, o.share) {
                (Role::Shareholder | Role::NomineeShareholder, Some(share)) => {
                    EdgeKind::Owns { share, row: row as u32, nominee: o.role == Role::NomineeShareholder }
                }
                (role, _) => EdgeKind::Directs { role, row: row as u32 },
            };
            net.graph.add_edge(from, to, kind);
        }
        for (row, t) in case.titles.rows.iter().enumerate() {
            let (from, to) = (net.entity(t.owner), net.node(NodeRef::Property(t.property)));
            net.graph.add_edge(
                from,
                to,
                EdgeKind::Title { share: t.share, acquired_on: t.acquired_on, row: row as u32 },
            );
        }
        for (row, rel) in case.relations.rows.iter().enumerate() {
            let (from, to) = (net.node(NodeRef::Person(rel.person)), net.entity(rel.related));
            net.graph.add_edge(from, to, EdgeKind::Related { kind: rel.kind, row: row as u32 });
        }
        net
    }

    /// The node index of a model reference.
    pub fn node(&self, n: NodeRef) -> NodeIndex<u32> {
        NodeIndex::new(match n {
            NodeRef::Person(i) => i as usize,
            NodeRef::Company(i) => (self.persons + i) as usize,
            NodeRef::Account(i) => (self.persons + self.companies + i) as usize,
            NodeRef::Property(i) => (self.persons + self.companies + self.accounts + i) as usize,
        })
    }

    /// The node index of a person or company.
    pub fn entity(&self, e: EntityRef) -> NodeIndex<u32> {
        self.node(match e.kind {
            EntityKind::Person => NodeRef::Person(e.idx),
            EntityKind::Company => NodeRef::Company(e.idx),
        })
    }

    /// What a node index stands for.
    pub fn what(&self, n: NodeIndex<u32>) -> NodeRef {
        self.graph[n]
    }
}
