//! Links findings to suspects: a multi-source breadth-first search from every suspect over
//! holdings, ownership, directorships, titles, relations and transfers (both directions).

use super::finding::SuspectLink;
use crate::graph::{CaseGraph, NodeRef};
use crate::model::{AccountId, Case, EntityRef};
use petgraph::visit::EdgeRef;
use petgraph::Direction;
use std::collections::VecDeque;

/// For each network node, the nearest suspect and the hop count (`None` beyond the limit).
pub struct SuspectLinks {
    nearest: Vec<Option<(u32, u32)>>,
    suspects: Vec<EntityRef>,
}

impl SuspectLinks {
    /// BFS from all suspects at once, up to `max_hops`. Suspects are seeded in the order of
    /// their external ids, so ties go to the suspect whose id sorts first (deterministic).
    ///
    /// # Complexity
    /// O(V + E) over the network plus the transfers of reached accounts.
    pub fn compute(case: &Case, g: &CaseGraph, max_hops: u32) -> SuspectLinks {
        let net = &g.network;
        let n = net.graph.node_count();
        let mut suspects: Vec<EntityRef> = case.suspects.rows.iter().map(|s| s.entity).collect();
        suspects.sort_by(|a, b| case.entity_id(*a).cmp(case.entity_id(*b)));
        let mut nearest: Vec<Option<(u32, u32)>> = vec![None; n];
        let mut q = VecDeque::new();
        for (si, s) in suspects.iter().enumerate() {
            let ix = net.entity(*s).index();
            if nearest[ix].is_none() {
                nearest[ix] = Some((si as u32, 0));
                q.push_back(ix);
            }
        }
        let accounts_start = net.node(NodeRef::Account(0)).index();
        let n_accounts = case.accounts.len();
        while let Some(u) = q.pop_front() {
            let Some((s, d)) = nearest[u] else { continue };
            if d >= max_hops {
                continue;
            }
            let ui = petgraph::graph::NodeIndex::new(u);
            let mut visit = |v: usize, q: &mut VecDeque<usize>| {
                if nearest[v].is_none() {
                    nearest[v] = Some((s, d + 1));
                    q.push_back(v);
                }
            };
            for dir in [Direction::Outgoing, Direction::Incoming] {
                for e in net.graph.edges_directed(ui, dir) {
                    let v = if dir == Direction::Outgoing { e.target() } else { e.source() };
                    visit(v.index(), &mut q);
                }
            }
            if (accounts_start..accounts_start + n_accounts).contains(&u) {
                let a = (u - accounts_start) as u32;
                for &t in g.flow.out_edges(a).iter().chain(g.flow.in_edges(a)) {
                    let other =
                        if g.flow.src[t as usize] == a { g.flow.dst[t as usize] } else { g.flow.src[t as usize] };
                    if (other as usize) < n_accounts {
                        visit(accounts_start + other as usize, &mut q);
                    }
                }
            }
        }
        SuspectLinks { nearest, suspects }
    }

    /// The nearest suspect to any of the given accounts and entities, with hops.
    pub fn nearest(&self, g: &CaseGraph, accounts: &[AccountId], entities: &[EntityRef]) -> Option<SuspectLink> {
        let net = &g.network;
        accounts
            .iter()
            .map(|&a| net.node(NodeRef::Account(a.raw())))
            .chain(entities.iter().map(|&e| net.entity(e)))
            .filter_map(|ix| self.nearest.get(ix.index()).copied().flatten())
            .min_by_key(|&(s, d)| (d, s))
            .map(|(s, d)| SuspectLink { suspect: self.suspects[s as usize], hops: d })
    }
}
