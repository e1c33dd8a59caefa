//! Explain an effective share: the chains of register rows behind it (docs/methodology.md#bo-computation,
//! AMLR Art. 52), and the cyclic components that add to it.
//!
//! The finite part is the sum over **simple** chains (no company twice) from the person to the
//! company; each chain lists its rows and its exact product. When a cyclic component lies
//! between the person and the company, walks around the cycle add
//! `cycle_contribution = effective - simple_total` (the integrated-ownership convention of
//! [`super::effective`]), and the explanation names the component's companies.

use std::collections::{BTreeSet, VecDeque};

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::effective::{Ownership, ShareEdge, ShareGraph};

/// One link of a chain: `holder` holds `share` of `company` by register row `row`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Link {
    /// The holder the share counts for.
    pub holder: u32,
    /// The company held.
    pub company: u32,
    /// The share.
    pub share: Decimal,
    /// The register row.
    pub row: u32,
    /// The registered nominee when the share was re-attributed to its principal.
    pub nominee: Option<u32>,
}

impl From<&ShareEdge> for Link {
    fn from(e: &ShareEdge) -> Self {
        Link { holder: e.holder, company: e.company, share: e.share, row: e.row, nominee: e.nominee }
    }
}

/// A chain from the person (first link's holder) to the company (last link's company).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Chain {
    /// Links in order person -> ... -> company.
    pub links: Vec<Link>,
    /// Product of the shares (exact in Decimal up to 28 significant digits).
    pub product: Decimal,
}

/// The explanation of `effective` share of `person` in `company`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Explanation {
    /// The person.
    pub person: u32,
    /// The company.
    pub company: u32,
    /// Effective share from [`Ownership::share`].
    pub effective: Decimal,
    /// Simple chains, in depth-first order of the register rows (deterministic).
    pub chains: Vec<Chain>,
    /// Sum of the chain products (of all simple chains, even beyond `max_chains`).
    pub simple_total: Decimal,
    /// `effective - simple_total`: what walks around cycles add (zero without cycles).
    pub cycle_contribution: Decimal,
    /// Cyclic components lying between the person and the company (sorted company ids).
    pub cyclic_components: Vec<Vec<u32>>,
    /// True if more than `max_chains` chains exist and only the first were listed, or the
    /// search stopped (see `exhaustive`).
    pub truncated: bool,
    /// False when the search stopped after [`MAX_STEPS`] register rows examined: a dense
    /// register has exponentially many simple chains (40 layers of two companies that each
    /// hold half of both companies of the next layer: 2^40). `simple_total` is then the sum
    /// over the chains found, a lower bound, and `cycle_contribution` an upper bound.
    pub exhaustive: bool,
}

/// Most register rows one [`explain`] examines before it stops (about a second of work); the
/// chains listed come first, so a report still cites rows.
pub const MAX_STEPS: u64 = 1 << 20;

/// Lists the chains from `person` to `company`.
///
/// Only companies reachable from the person are explored, so the search stays within the
/// person's holdings. The number of simple chains can grow exponentially with the depth of a
/// dense cross-holding structure; `max_chains` bounds the list, and [`MAX_STEPS`] the search
/// (before, a register of 80 companies could keep `assets` and `investigate` busy for hours).
///
/// # Complexity
/// O(N + E) for the reachability sets plus O(min(number of simple chains x chain length,
/// [`MAX_STEPS`])).
pub fn explain(g: &ShareGraph, own: &Ownership, person: u32, company: u32, max_chains: usize) -> Explanation {
    let n = g.len();
    let down = reach(g, person, true);
    let up = reach(g, company, false);
    let mut chains = Vec::new();
    let mut simple_total = Decimal::ZERO;
    let mut truncated = false;
    let mut exhaustive = true;
    let mut steps: u64 = 0;
    if (company as usize) < n && (person as usize) < n {
        let mut on_path = vec![false; n];
        on_path[company as usize] = true;
        // frames[i] = (company, next in-edge); path[i] = edge into frames[i].0 from frames[i+1].0
        let mut frames: Vec<(u32, usize)> = vec![(company, 0)];
        let mut path: Vec<&ShareEdge> = Vec::new();
        while let Some(top) = frames.last_mut() {
            let (c, i) = *top;
            let edges = g.holders_of(c);
            if i >= edges.len() {
                on_path[c as usize] = false;
                frames.pop();
                path.pop();
                continue;
            }
            top.1 += 1;
            steps += 1;
            if steps > MAX_STEPS {
                exhaustive = false;
                truncated = true;
                break;
            }
            let e = &edges[i];
            if e.holder == person {
                let links: Vec<Link> = std::iter::once(e).chain(path.iter().rev().copied()).map(Link::from).collect();
                // Bounded, so unchecked: every share is in [0, 1] (`ShareGraph::build`), so a
                // product is in [0, 1]. The chains to `person` are disjoint events of the
                // backward walk from `company` that picks each holder with its share (a chain
                // ends at the person, who has no holders), and a company's shares sum to at
                // most 1, so the sum over all chains is at most 1 (plus rounding at the 28th
                // digit); it is the effective share without the walks around cycles.
                let product: Decimal = links.iter().map(|l| l.share).product();
                simple_total += product;
                debug_assert!(simple_total <= Decimal::TWO, "chains to company {company} sum to {simple_total}");
                if chains.len() < max_chains {
                    chains.push(Chain { links, product });
                } else {
                    truncated = true;
                }
            } else if g.is_company(e.holder) && down[e.holder as usize] && !on_path[e.holder as usize] {
                on_path[e.holder as usize] = true;
                path.push(e);
                frames.push((e.holder, 0));
            }
        }
    }
    let mut cyclic: BTreeSet<&[u32]> = BTreeSet::new();
    for c in 0..n {
        if down[c] && up[c] {
            if let Some(comp) = own.cyclic_component_of(c as u32) {
                cyclic.insert(comp);
            }
        }
    }
    let effective = own.share(person, company);
    Explanation {
        person,
        company,
        effective,
        chains,
        simple_total,
        // Both terms are in [0, about 1] (see the sum above): no overflow.
        cycle_contribution: effective - simple_total,
        cyclic_components: cyclic.into_iter().map(<[u32]>::to_vec).collect(),
        truncated,
        exhaustive,
    }
}

/// Entities reachable from `start` along holdings (`forward`: towards held companies;
/// otherwise towards holders), `start` included.
fn reach(g: &ShareGraph, start: u32, forward: bool) -> Vec<bool> {
    let mut seen = vec![false; g.len()];
    let Some(s) = seen.get_mut(start as usize) else {
        return seen;
    };
    *s = true;
    let mut queue = VecDeque::from([start]);
    while let Some(x) = queue.pop_front() {
        let next: Vec<u32> = if forward {
            g.out_edges[x as usize].iter().map(|&(c, _)| c).collect()
        } else {
            g.holders_of(x).iter().map(|e| e.holder).collect()
        };
        for y in next {
            if !seen[y as usize] {
                seen[y as usize] = true;
                queue.push_back(y);
            }
        }
    }
    seen
}
