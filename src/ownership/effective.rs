//! Effective (integrated) ownership through chains, parallel chains and circular holdings.
//!
//! Convention (docs/methodology.md#bo-computation, AMLR Art. 52 "multiplying the shares along each chain and
//! adding the results of the various chains"): the effective share of person `p` in company `c`
//! is the sum over **all walks** from `p` to `c` of the product of the shares along the walk.
//! For acyclic holdings this is the sum over chains; for circular holdings it is the integrated
//! ownership `U = W_pc (I - W_cc)^-1` (so the methodology.md#bo-computation example gives P 2/3, not the 1/2 of a
//! "simple paths only" rule).
//!
//! Method: the company-to-company holding graph is split into strongly connected components
//! (petgraph `tarjan_scc`) and processed in topological order (holders before held). An acyclic
//! company is a plain sum of products, exact in `Decimal` (up to its 28 significant digits). A
//! cyclic component `S` is solved exactly by Gauss-Jordan inversion of `I - W_SS` in `Decimal`;
//! the only error is rounding at 28 digits (e.g. 2/3 is stored as 0.666...67), so tests compare
//! cyclic results to a tolerance of `1e-20`. No iteration, hence no convergence cap is needed:
//! a component whose companies are held entirely from inside it (no outside or unknown holder)
//! makes `I - W_SS` singular and is reported as [`AssetsError::ClosedCycle`].
//!
//! Unknown residual: a company whose known holders sum below 1 keeps `1 - sum` as "unknown";
//! unknown propagates through chains like a person, so for every company
//! `sum over persons + unknown == 1` (within rounding).

use std::collections::BTreeMap;
use std::hash::RandomState;

use petgraph::algo::tarjan_scc;
use petgraph::graphmap::DiGraphMap;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::{linalg, AssetsError, Day, EntityKind, Holding, NomineeArrangement, Role};

/// What to do when a company's valid shareholdings sum above 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Oversubscribed {
    /// Fail with [`AssetsError::Oversubscribed`] (default: a register error must be looked at).
    #[default]
    Error,
    /// Scale the company's shares pro rata so they sum to 1, and raise [`Flag::Scaled`].
    Scale,
}

/// Parameters of [`ShareGraph::build`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OwnershipParams {
    /// Only holdings valid at this day count ([`Holding::valid_at`]); `None` ignores dates.
    pub as_of: Option<Day>,
    /// Handling of shares summing above 1.
    pub oversubscribed: Oversubscribed,
    /// A cyclic component whose companies each have at least `1 - closed_tolerance` held from
    /// inside the component is treated as closed (default `1e-20`, guarding against rounding
    /// after [`Oversubscribed::Scale`]).
    pub closed_tolerance: Decimal,
}

impl Default for OwnershipParams {
    fn default() -> Self {
        Self { as_of: None, oversubscribed: Oversubscribed::Error, closed_tolerance: Decimal::new(1, 20) }
    }
}

/// The input: entity kinds indexed by dense id, register holdings, known nominee arrangements.
#[derive(Debug, Clone, Copy)]
pub struct OwnershipInput<'a> {
    /// `kinds[id]` is the kind of entity `id`.
    pub kinds: &'a [EntityKind],
    /// Register rows.
    pub holdings: &'a [Holding],
    /// Known nominee -> principal arrangements (may be empty).
    pub nominees: &'a [NomineeArrangement],
}

/// A shareholding edge after date filtering and nominee resolution.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShareEdge {
    /// The holder the share counts for (the principal when a nominee arrangement is known).
    pub holder: u32,
    /// The company held.
    pub company: u32,
    /// The fraction (after [`Oversubscribed::Scale`] if applied).
    pub share: Decimal,
    /// The register row.
    pub row: u32,
    /// The registered nominee, when the share was re-attributed to its principal.
    pub nominee: Option<u32>,
}

/// A directorship-type edge (director, nominee director, administrator) valid at the date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleEdge {
    /// The registered holder of the role.
    pub holder: u32,
    /// The company.
    pub company: u32,
    /// The role.
    pub role: Role,
    /// The register row.
    pub row: u32,
}

/// A nominee role (shareholder or director) whose principal is known.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NomineeLink {
    /// The registered nominee.
    pub nominee: u32,
    /// The principal behind it.
    pub principal: u32,
    /// The company.
    pub company: u32,
    /// The nominee's role.
    pub role: Role,
    /// The register row of the role.
    pub row: u32,
    /// The row of the arrangement.
    pub arrangement_row: u32,
}

/// Data-quality findings raised while building the graph; a report should show them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Flag {
    /// A shareholding row without a share: counted as unknown.
    MissingShare {
        /// The register row.
        row: u32,
    },
    /// A nominee shareholding without a known principal: counted for the nominee.
    NomineeUnresolved {
        /// The register row.
        row: u32,
        /// The nominee.
        nominee: u32,
    },
    /// A company's shares summed above 1 and were scaled pro rata.
    Scaled {
        /// The company.
        company: u32,
        /// The original sum.
        total: Decimal,
    },
}

/// Validated, date-filtered, nominee-resolved holdings, indexed for the algorithms.
#[derive(Debug, Clone)]
pub struct ShareGraph {
    pub(crate) kinds: Vec<EntityKind>,
    /// `in_edges[c]`: shareholdings in company `c`.
    pub(crate) in_edges: Vec<Vec<ShareEdge>>,
    /// `out_edges[h]`: `(company, index into in_edges[company])` held by `h`.
    pub(crate) out_edges: Vec<Vec<(u32, usize)>>,
    pub(crate) roles: Vec<RoleEdge>,
    pub(crate) nominee_links: Vec<NomineeLink>,
    pub(crate) flags: Vec<Flag>,
    pub(crate) closed_tolerance: Decimal,
}

impl ShareGraph {
    /// Validates and indexes the input at `params.as_of`.
    ///
    /// # Errors
    /// Unknown ids, a held person, shares outside `[0, 1]`, oversubscription (unless scaled).
    ///
    /// # Complexity
    /// O(H log H + N) for H holdings and N entities.
    pub fn build(input: OwnershipInput<'_>, params: &OwnershipParams) -> Result<Self, AssetsError> {
        let n = input.kinds.len();
        let check = |id: u32, row: u32| {
            if (id as usize) < n {
                Ok(())
            } else {
                Err(AssetsError::UnknownEntity { id, row })
            }
        };
        let mut principals: BTreeMap<(u32, Option<u32>), (u32, u32)> = BTreeMap::new();
        for a in input.nominees {
            check(a.nominee, a.row)?;
            check(a.principal, a.row)?;
            principals.insert((a.nominee, a.company), (a.principal, a.row));
        }
        let principal_of = |nominee: u32, company: u32| {
            principals.get(&(nominee, Some(company))).or_else(|| principals.get(&(nominee, None))).copied()
        };
        let mut g = ShareGraph {
            kinds: input.kinds.to_vec(),
            in_edges: vec![Vec::new(); n],
            out_edges: vec![Vec::new(); n],
            roles: Vec::new(),
            nominee_links: Vec::new(),
            flags: Vec::new(),
            closed_tolerance: params.closed_tolerance,
        };
        let mut rows: Vec<&Holding> = input.holdings.iter().filter(|h| h.valid_at(params.as_of)).collect();
        rows.sort_by_key(|h| (h.company, h.row));
        for h in rows {
            check(h.company, h.row)?;
            check(h.holder, h.row)?;
            if input.kinds[h.company as usize] != EntityKind::Company {
                return Err(AssetsError::NotACompany { id: h.company, row: h.row });
            }
            let principal = match h.role {
                Role::NomineeShareholder | Role::NomineeDirector => principal_of(h.holder, h.company),
                _ => None,
            };
            if let Some((p, arow)) = principal {
                g.nominee_links.push(NomineeLink {
                    nominee: h.holder,
                    principal: p,
                    company: h.company,
                    role: h.role,
                    row: h.row,
                    arrangement_row: arow,
                });
            }
            if h.role.is_directorship() {
                g.roles.push(RoleEdge { holder: h.holder, company: h.company, role: h.role, row: h.row });
                continue;
            }
            let Some(share) = h.share else {
                g.flags.push(Flag::MissingShare { row: h.row });
                continue;
            };
            if share < Decimal::ZERO || share > Decimal::ONE {
                return Err(AssetsError::ShareOutOfRange { row: h.row, share });
            }
            if h.role == Role::NomineeShareholder && principal.is_none() {
                g.flags.push(Flag::NomineeUnresolved { row: h.row, nominee: h.holder });
            }
            g.in_edges[h.company as usize].push(ShareEdge {
                holder: principal.map_or(h.holder, |(p, _)| p),
                company: h.company,
                share,
                row: h.row,
                nominee: principal.map(|_| h.holder),
            });
        }
        for (c, edges) in g.in_edges.iter_mut().enumerate() {
            // Checked, though bounded: every share is in [0, 1] here, so the total is at most
            // the number of holdings (far below Decimal's 7.9e28).
            let total = edges
                .iter()
                .try_fold(Decimal::ZERO, |t, e| t.checked_add(e.share).ok_or(AssetsError::Overflow { row: e.row }))?;
            if total <= Decimal::ONE {
                continue;
            }
            let company = c as u32;
            match params.oversubscribed {
                Oversubscribed::Error => {
                    return Err(AssetsError::Oversubscribed {
                        company,
                        total,
                        rows: edges.iter().map(|e| e.row).collect(),
                    })
                }
                Oversubscribed::Scale => {
                    for e in edges.iter_mut() {
                        // total > 1 here, so the quotient is below the share.
                        e.share = e.share.checked_div(total).ok_or(AssetsError::Overflow { row: e.row })?;
                    }
                    g.flags.push(Flag::Scaled { company, total });
                }
            }
        }
        for (c, edges) in g.in_edges.iter().enumerate() {
            for (i, e) in edges.iter().enumerate() {
                g.out_edges[e.holder as usize].push((c as u32, i));
            }
        }
        Ok(g)
    }

    /// Number of entities.
    pub fn len(&self) -> usize {
        self.kinds.len()
    }

    /// True if there are no entities.
    pub fn is_empty(&self) -> bool {
        self.kinds.is_empty()
    }

    /// True if `id` is a company.
    pub fn is_company(&self, id: u32) -> bool {
        self.kinds.get(id as usize) == Some(&EntityKind::Company)
    }

    /// Shareholdings in `company` (empty for unknown ids).
    pub fn holders_of(&self, company: u32) -> &[ShareEdge] {
        self.in_edges.get(company as usize).map_or(&[], |v| v.as_slice())
    }

    /// Directorship-type roles valid at the date, sorted by (company, row).
    pub fn roles(&self) -> &[RoleEdge] {
        &self.roles
    }

    /// Nominee roles whose principal is known.
    pub fn nominee_links(&self) -> &[NomineeLink] {
        &self.nominee_links
    }

    /// Data-quality flags.
    pub fn flags(&self) -> &[Flag] {
        &self.flags
    }
}

/// Ultimate owners of one company: persons with their effective share, plus unknown.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CompanyOwners {
    /// Effective share of each person (only non-zero entries).
    pub persons: BTreeMap<u32, Decimal>,
    /// Share with no identified ultimate person (missing holders, missing shares).
    pub unknown: Decimal,
}

impl CompanyOwners {
    /// `sum(persons) + unknown`: 1 within rounding for every company.
    ///
    /// Unchecked, because it is bounded for owners computed by [`effective_ownership`]: it
    /// caps every value at 1 and there are at most 2^32 persons (u32 ids), so the sum stays
    /// below 4.3e9, far inside Decimal's range of 7.9e28.
    pub fn total(&self) -> Decimal {
        debug_assert!(self.persons.values().chain([&self.unknown]).all(|v| *v <= Decimal::ONE));
        self.persons.values().copied().sum::<Decimal>() + self.unknown
    }
}

/// Effective ownership of every company (result of [`effective_ownership`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ownership {
    /// Indexed by entity id; empty for persons.
    owners: Vec<CompanyOwners>,
    /// Cyclic strongly connected components (sorted company ids), sorted.
    cyclic: Vec<Vec<u32>>,
    /// `component[c]`: index into `cyclic` when `c` is in a cyclic component.
    component: Vec<Option<usize>>,
}

impl Ownership {
    /// Effective share of `person` in `company` (zero if none or ids unknown).
    pub fn share(&self, person: u32, company: u32) -> Decimal {
        self.owners.get(company as usize).and_then(|o| o.persons.get(&person)).copied().unwrap_or(Decimal::ZERO)
    }

    /// Ultimate owners of `company`, `None` for an unknown id.
    pub fn owners(&self, company: u32) -> Option<&CompanyOwners> {
        self.owners.get(company as usize)
    }

    /// Cyclic components (companies holding each other, directly or around a loop).
    pub fn cyclic_components(&self) -> &[Vec<u32>] {
        &self.cyclic
    }

    /// The cyclic component containing `company`, if any.
    pub fn cyclic_component_of(&self, company: u32) -> Option<&[u32]> {
        let i = (*self.component.get(company as usize)?)?;
        self.cyclic.get(i).map(|v| v.as_slice())
    }
}

/// Ultimate-holder key during the computation: a person, or `None` for unknown.
type Key = Option<u32>;

/// Adds `v` to `map[k]`; `None` when the sum leaves Decimal's range.
///
/// For valid input the sums stay near [0, 1] (shares sum to at most 1 per company), but
/// the cyclic solve multiplies by entries of `(I - W)^-1`, which grow as a component comes
/// close to being closed; every addition is checked so that this cannot panic.
#[must_use]
fn add(map: &mut BTreeMap<Key, Decimal>, k: Key, v: Decimal) -> Option<()> {
    if !v.is_zero() {
        let e = map.entry(k).or_insert(Decimal::ZERO);
        *e = e.checked_add(v)?;
    }
    Some(())
}

/// Computes effective ownership of every company (module docs give the convention).
///
/// # Errors
/// [`AssetsError::ClosedCycle`] for a component held wholly from inside;
/// [`AssetsError::Numeric`] on Decimal overflow in a cyclic component,
/// [`AssetsError::Overflow`] (naming the register row) elsewhere.
///
/// # Complexity
/// O(N + E) for the components, plus for each acyclic company O(d * P) map merges (d holders,
/// P ultimate persons above it), plus O(k^3 + k^2 P) per cyclic component of k companies.
pub fn effective_ownership(g: &ShareGraph) -> Result<Ownership, AssetsError> {
    let n = g.len();
    let mut graph: DiGraphMap<u32, (), RandomState> = DiGraphMap::default();
    for c in 0..n as u32 {
        if g.is_company(c) {
            graph.add_node(c);
            for e in g.holders_of(c) {
                if g.is_company(e.holder) {
                    graph.add_edge(e.holder, c, ());
                }
            }
        }
    }
    let mut result: Vec<BTreeMap<Key, Decimal>> = vec![BTreeMap::new(); n];
    let mut cyclic: Vec<Vec<u32>> = Vec::new();
    let mut component = vec![None; n];
    // tarjan_scc returns components in reverse topological order: reversed, holders come first.
    for mut scc in tarjan_scc(&graph).into_iter().rev() {
        scc.sort_unstable();
        let is_cyclic = scc.len() > 1 || graph.contains_edge(scc[0], scc[0]);
        let idx: BTreeMap<u32, usize> = scc.iter().enumerate().map(|(i, &c)| (c, i)).collect();
        // B: the part of each company's ownership that comes from outside the component.
        let mut inside = vec![vec![Decimal::ZERO; scc.len()]; scc.len()]; // inside[h][c] = W
        let mut b: Vec<BTreeMap<Key, Decimal>> = Vec::with_capacity(scc.len());
        for (j, &c) in scc.iter().enumerate() {
            let mut row = BTreeMap::new();
            let mut known = Decimal::ZERO;
            for e in g.holders_of(c) {
                let overflow = AssetsError::Overflow { row: e.row };
                known = known.checked_add(e.share).ok_or(overflow.clone())?;
                if let Some(&i) = idx.get(&e.holder) {
                    inside[i][j] = inside[i][j].checked_add(e.share).ok_or(overflow)?;
                } else if g.is_company(e.holder) {
                    for (&k, &v) in &result[e.holder as usize] {
                        v.checked_mul(e.share).and_then(|p| add(&mut row, k, p)).ok_or(overflow.clone())?;
                    }
                } else {
                    add(&mut row, Some(e.holder), e.share).ok_or(overflow)?;
                }
            }
            // After Oversubscribed::Scale rounding can leave `known` a hair above 1. `known` is
            // in [0, number of holdings], so 1 - known cannot leave the range.
            let unknown = (Decimal::ONE - known).max(Decimal::ZERO);
            let last_row = g.holders_of(c).last().map_or(0, |e| e.row);
            add(&mut row, None, unknown).ok_or(AssetsError::Overflow { row: last_row })?;
            b.push(row);
        }
        if !is_cyclic {
            // Invariant: an acyclic component has exactly one company, so `b` has one row.
            result[scc[0] as usize] = b.pop().unwrap_or_default();
            continue;
        }
        let numeric = || AssetsError::Numeric { companies: scc.clone() };
        // `closed_tolerance` is the caller's parameter: checked, as any value can be passed.
        let closed_at = Decimal::ONE.checked_sub(g.closed_tolerance).ok_or_else(numeric)?;
        let mut closed = true;
        for j in 0..scc.len() {
            let held_inside = inside.iter().try_fold(Decimal::ZERO, |t, r| t.checked_add(r[j])).ok_or_else(numeric)?;
            closed &= held_inside >= closed_at;
        }
        if closed {
            return Err(AssetsError::ClosedCycle { companies: scc.clone() });
        }
        let a: Vec<Vec<Decimal>> = (0..scc.len())
            .map(|i| {
                (0..scc.len())
                    .map(|j| {
                        let id = if i == j { Decimal::ONE } else { Decimal::ZERO };
                        id.checked_sub(inside[i][j]).ok_or_else(numeric)
                    })
                    .collect()
            })
            .collect::<Result<_, _>>()?;
        let inv = linalg::invert(a).ok_or_else(numeric)?;
        // X = B (I - W_SS)^-1, one row vector per ultimate key.
        for (j, &c) in scc.iter().enumerate() {
            let mut row = BTreeMap::new();
            for (i, bi) in b.iter().enumerate() {
                for (&k, &v) in bi {
                    v.checked_mul(inv[i][j]).and_then(|p| add(&mut row, k, p)).ok_or_else(numeric)?;
                }
            }
            // Rounding can leave -1e-28 where the exact value is 0: drop such dust, but a
            // value outside [-tol, 1 + tol] means a numeric failure and is reported.
            // Likewise 1 + 1e-28 where the exact value is 1: clamp to [0, 1].
            let out_of_range = |v: &Decimal| {
                *v < -g.closed_tolerance || v.checked_sub(Decimal::ONE).is_none_or(|d| d > g.closed_tolerance)
            };
            if row.values().any(out_of_range) {
                return Err(numeric());
            }
            row.retain(|_, v| *v > Decimal::ZERO);
            row.values_mut().for_each(|v| *v = (*v).min(Decimal::ONE));
            result[c as usize] = row;
            component[c as usize] = Some(cyclic.len());
        }
        cyclic.push(scc);
    }
    let owners = result
        .into_iter()
        .map(|m| {
            let mut o = CompanyOwners::default();
            for (k, v) in m {
                // Sums of rounded products can exceed 1 by 1e-28; shares are capped at 1.
                let v = v.min(Decimal::ONE);
                match k {
                    Some(p) => {
                        o.persons.insert(p, v);
                    }
                    None => o.unknown = v,
                }
            }
            o
        })
        .collect();
    Ok(Ownership { owners, cyclic, component })
}
