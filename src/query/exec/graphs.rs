//! The query's view of the case graphs: transfers from the time-sorted CSR, holdings,
//! shareholdings, directorships, titles and relations from the petgraph entity network.

use super::context::Ctx;
use crate::graph::{EdgeKind, NodeRef};
use crate::model::{AccountId, CompanyId, PersonId, TransferId};
use crate::model::{EntityKind, EntityRef};
use crate::query::common::{NodeId, RelId};
use petgraph::visit::EdgeRef;
use petgraph::Direction;

/// The flow-graph node of a query node (accounts and cash nodes only).
pub fn flow_node(n: NodeId) -> Option<u32> {
    match n {
        NodeId::Account(a) => Some(a.node().raw()),
        NodeId::Cash(i) => Some(i),
        _ => None,
    }
}

/// The query node of a flow-graph node.
pub fn from_flow(ctx: &Ctx<'_>, n: u32) -> NodeId {
    if n < ctx.graph.flow.account_count() {
        NodeId::Account(AccountId::from_raw(n))
    } else {
        NodeId::Cash(n)
    }
}

fn entity(e: EntityRef) -> NodeId {
    match e.kind {
        EntityKind::Person => NodeId::Person(PersonId::from_raw(e.idx)),
        EntityKind::Company => NodeId::Company(CompanyId::from_raw(e.idx)),
    }
}

fn net_ref(n: NodeId) -> Option<NodeRef> {
    Some(match n {
        NodeId::Person(i) => NodeRef::Person(i.raw()),
        NodeId::Company(i) => NodeRef::Company(i.raw()),
        NodeId::Account(i) => NodeRef::Account(i.raw()),
        NodeId::Property(i) => NodeRef::Property(i),
        NodeId::Cash(_) | NodeId::Labelled(..) => return None,
    })
}

fn from_net(r: NodeRef) -> NodeId {
    match r {
        NodeRef::Person(i) => NodeId::Person(PersonId::from_raw(i)),
        NodeRef::Company(i) => NodeId::Company(CompanyId::from_raw(i)),
        NodeRef::Account(i) => NodeId::Account(AccountId::from_raw(i)),
        NodeRef::Property(i) => NodeId::Property(i),
    }
}

/// Start and end node of a relationship (in its own direction).
pub fn rel_ends(ctx: &Ctx<'_>, r: RelId) -> (NodeId, NodeId) {
    let case = ctx.case;
    let g = &ctx.graph.flow;
    match r {
        RelId::Transfer(e) => (from_flow(ctx, g.src[e.ix()]), from_flow(ctx, g.dst[e.ix()])),
        RelId::Holds(a) => {
            let h = case.accounts.rows[a.ix()].holder.map(entity).unwrap_or(NodeId::Account(a));
            (h, NodeId::Account(a))
        }
        RelId::Owns(row) | RelId::Directs(row) => {
            let o = &case.ownership.rows[row as usize];
            (entity(o.holder), NodeId::Company(CompanyId::from_raw(o.company)))
        }
        RelId::Title(row) => {
            let t = &case.titles.rows[row as usize];
            (entity(t.owner), NodeId::Property(t.property))
        }
        RelId::Related(row) => {
            let r = &case.relations.rows[row as usize];
            (NodeId::Person(PersonId::from_raw(r.person)), entity(r.related))
        }
        RelId::Labelled(t, row) => {
            let t = &case.labelled.edges[t as usize];
            (NodeId::from_end(t.from[row as usize]), NodeId::from_end(t.to[row as usize]))
        }
    }
}

fn rel_of(kind: &EdgeKind, target: NodeRef) -> RelId {
    match *kind {
        EdgeKind::Holds => match target {
            NodeRef::Account(a) => RelId::Holds(AccountId::from_raw(a)),
            _ => RelId::Holds(AccountId::from_raw(u32::MAX)),
        },
        EdgeKind::Owns { row, .. } => RelId::Owns(row),
        EdgeKind::Directs { row, .. } => RelId::Directs(row),
        EdgeKind::Title { row, .. } => RelId::Title(row),
        EdgeKind::Related { row, .. } => RelId::Related(row),
    }
}

/// Every relationship of the allowed `types` (all when empty) at `n` in direction `out`
/// (true = outgoing), with the node at its other end. Transfers come in booking-time order.
pub fn neighbors(ctx: &Ctx<'_>, n: NodeId, types: &[&str], out: bool, push: &mut impl FnMut(RelId, NodeId)) {
    let want = |t: &str| types.is_empty() || types.contains(&t);
    if want("TRANSFER") {
        if let Some(f) = flow_node(n) {
            let g = &ctx.graph.flow;
            if out {
                for &e in g.out_edges(f) {
                    push(RelId::Transfer(TransferId::from_raw(e)), from_flow(ctx, g.dst[e as usize]));
                }
            } else {
                for &e in g.in_edges(f) {
                    push(RelId::Transfer(TransferId::from_raw(e)), from_flow(ctx, g.src[e as usize]));
                }
            }
        }
    }
    if let (false, Some(end)) = (ctx.case.labelled.edges.is_empty(), n.as_end()) {
        for (k, t) in ctx.case.labelled.edges.iter().enumerate() {
            if !want(&t.rel_type) {
                continue;
            }
            let other = if out { &t.to } else { &t.from };
            for &row in t.at(end, out) {
                push(RelId::Labelled(k as u16, row), NodeId::from_end(other[row as usize]));
            }
        }
    }
    let net_types = ["HOLDS", "OWNS", "DIRECTS", "TITLE", "RELATED"];
    if !net_types.iter().any(|t| want(t)) {
        return;
    }
    let Some(r) = net_ref(n) else { return };
    let net = &ctx.graph.network;
    let ix = net.node(r);
    if ix.index() >= net.graph.node_count() {
        return;
    }
    let dir = if out { Direction::Outgoing } else { Direction::Incoming };
    let mut found: Vec<(RelId, NodeId)> = Vec::new();
    for e in net.graph.edges_directed(ix, dir) {
        let rel = rel_of(e.weight(), net.what(e.target()));
        if want(rel.builtin_type()) {
            let other = if out { e.target() } else { e.source() };
            found.push((rel, from_net(net.what(other))));
        }
    }
    // petgraph lists edges newest first; report them in table order for stable output.
    found.sort_unstable();
    for (rel, other) in found {
        push(rel, other);
    }
}
