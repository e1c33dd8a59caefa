//! Control, kept apart from ownership and never multiplied (docs/methodology.md#bo-computation; AMLR Art. 53).
//!
//! `X` controls `Y` when
//! * **majority**: the votes in `Y` held by `X` and by the entities `X` already controls add up to
//!   more than 50 % ("50 % + 1", Art. 53(2)). A controlled entity's **full** voting block counts,
//!   so 51 % of a company that holds 51 % of `Y` gives control of `Y` although the multiplied
//!   share is only 26 %. Control is transitive through this rule.
//! * **directorship**: `X` is director, nominee director or administrator of `Y` (board control,
//!   and the senior-managing-official fallback of AMLD4 Art. 3(6)(a)(ii)). Marked as such. By
//!   default it does not pass `Y`'s votes on to `X` (one director among several does not command
//!   the board majority Art. 53 requires); [`ControlParams::directorship_propagates`] changes that.
//! * **nominee**: `X` is the known principal behind a nominee shareholder or nominee director of
//!   `Y` (Art. 53(1) "formal or informal nominee arrangements"). The nominee's votes already count
//!   for the principal in the majority rule.

use std::collections::BTreeMap;

use rayon::prelude::*;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::effective::ShareGraph;
use super::Role;

/// Parameters of [`control`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ControlParams {
    /// Votes strictly above this fraction give control (default 0.5, AMLR Art. 53 "50 % + 1").
    pub majority: Decimal,
    /// Whether an entity directed by `X` (director, administrator, or principal of a nominee)
    /// passes its votes on to `X` (default `false`).
    pub directorship_propagates: bool,
}

impl Default for ControlParams {
    fn default() -> Self {
        Self { majority: Decimal::new(5, 1), directorship_propagates: false }
    }
}

/// Why `controller` controls `controlled`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ControlBasis {
    /// Majority of votes held directly or through controlled entities.
    Majority {
        /// Votes of the controller's block in the company.
        votes: Decimal,
        /// Register rows of the block's shareholdings in the company.
        rows: Vec<u32>,
        /// Controlled entities whose votes were counted (empty for a direct majority).
        via: Vec<u32>,
    },
    /// Director, nominee director or administrator of the company.
    Directorship {
        /// The role.
        role: Role,
        /// The register row.
        row: u32,
    },
    /// Principal behind a nominee of the company.
    Nominee {
        /// The nominee.
        nominee: u32,
        /// The nominee's role.
        role: Role,
        /// The register row of the role.
        row: u32,
        /// The row of the nominee arrangement.
        arrangement_row: u32,
    },
}

/// One edge of the control relation.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ControlEdge {
    /// Who controls.
    pub controller: u32,
    /// Who is controlled.
    pub controlled: u32,
    /// The basis.
    pub basis: ControlBasis,
}

/// The control relation, sorted by (controller, controlled, basis).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Control {
    edges: Vec<ControlEdge>,
}

impl Control {
    /// All edges, sorted.
    pub fn edges(&self) -> &[ControlEdge] {
        &self.edges
    }

    /// Edges whose controlled entity is `company`.
    pub fn controllers_of(&self, company: u32) -> impl Iterator<Item = &ControlEdge> + '_ {
        self.edges.iter().filter(move |e| e.controlled == company)
    }

    /// True if `x` controls `y` on any basis.
    pub fn controls(&self, x: u32, y: u32) -> bool {
        let start = self.edges.partition_point(|e| e.controller < x);
        self.edges[start..].iter().take_while(|e| e.controller == x).any(|e| e.controlled == y)
    }
}

/// Computes the control relation of every entity that holds a share or a role.
///
/// Runs one closure per potential controller in parallel (rayon); the result is sorted, so it is
/// identical to a sequential run.
///
/// # Complexity
/// O(C * (E + R)) for C potential controllers, E shareholdings and R roles: each controller's
/// closure visits each shareholding at most once.
pub fn control(g: &ShareGraph, params: &ControlParams) -> Control {
    let mut direct: BTreeMap<u32, Vec<ControlEdge>> = BTreeMap::new();
    for r in g.roles() {
        direct.entry(r.holder).or_default().push(ControlEdge {
            controller: r.holder,
            controlled: r.company,
            basis: ControlBasis::Directorship { role: r.role, row: r.row },
        });
    }
    for l in g.nominee_links() {
        direct.entry(l.principal).or_default().push(ControlEdge {
            controller: l.principal,
            controlled: l.company,
            basis: ControlBasis::Nominee {
                nominee: l.nominee,
                role: l.role,
                row: l.row,
                arrangement_row: l.arrangement_row,
            },
        });
    }
    let mut candidates: Vec<u32> = direct.keys().copied().collect();
    candidates.extend((0..g.len() as u32).filter(|&h| !g.out_edges[h as usize].is_empty()));
    candidates.sort_unstable();
    candidates.dedup();
    let mut edges: Vec<ControlEdge> = candidates
        .par_iter()
        .flat_map_iter(|&x| {
            let seeds = direct.get(&x).map_or(&[][..], |v| v.as_slice());
            let mut out = closure(g, x, seeds, params);
            out.extend(seeds.iter().cloned());
            out
        })
        .collect();
    edges.sort();
    edges.dedup();
    Control { edges }
}

/// The majority-control closure of `x`: grows the block {x} ∪ controlled entities.
fn closure(g: &ShareGraph, x: u32, seeds: &[ControlEdge], params: &ControlParams) -> Vec<ControlEdge> {
    let n = g.len();
    // in_block: entities whose votes count for x; majority: companies x controls by votes.
    let mut in_block = vec![false; n];
    let mut majority = vec![false; n];
    in_block[x as usize] = true;
    let mut stack = vec![x];
    if params.directorship_propagates {
        for s in seeds {
            if !in_block[s.controlled as usize] {
                in_block[s.controlled as usize] = true;
                stack.push(s.controlled);
            }
        }
    }
    // Running vote totals of the block; a company joins the block once it passes the majority.
    let mut votes: BTreeMap<u32, Decimal> = BTreeMap::new();
    let mut controlled = Vec::new();
    while let Some(h) = stack.pop() {
        for &(c, i) in &g.out_edges[h as usize] {
            if c == x || majority[c as usize] {
                continue;
            }
            let v = votes.entry(c).or_insert(Decimal::ZERO);
            // Bounded, so unchecked: `ShareGraph::build` keeps every share in [0, 1] and each
            // company's shares summing to at most 1 (or scales them to 1, give or take
            // rounding at the 28th digit), and each in-edge of `c` is added at most once (a
            // holder is pushed on the stack once), so `v` stays at most about 1.
            *v += g.in_edges[c as usize][i].share;
            debug_assert!(*v <= Decimal::TWO, "votes in company {c} sum to {v}");
            if *v > params.majority {
                majority[c as usize] = true;
                controlled.push(c);
                if !in_block[c as usize] {
                    in_block[c as usize] = true;
                    stack.push(c);
                }
            }
        }
    }
    // The basis cites the final block's full holdings in each controlled company.
    controlled
        .into_iter()
        .map(|c| {
            let mut total = Decimal::ZERO;
            let mut rows = Vec::new();
            let mut via = Vec::new();
            for e in g.holders_of(c).iter().filter(|e| in_block[e.holder as usize]) {
                // Bounded as above: a subset of c's shareholdings, which sum to at most 1.
                total += e.share;
                rows.push(e.row);
                if e.holder != x {
                    via.push(e.holder);
                }
            }
            via.sort_unstable();
            via.dedup();
            debug_assert!(total <= Decimal::TWO, "votes in company {c} sum to {total}");
            ControlEdge { controller: x, controlled: c, basis: ControlBasis::Majority { votes: total, rows, via } }
        })
        .collect()
}
