//! Cycle: money leaves an account and returns to it through 1 to L-1 other accounts, each hop
//! later than the previous, the whole cycle inside a window, each hop passing on a share of
//! the previous hop within a retention band (docs/methodology.md#t-cycle; AMLSim `CycleTypology`,
//! 10 % margin per hop).
//!
//! Cycles through a company that the originator owns or directs are round-tripping, reported
//! by that typology's detector, and are left out here; so are moves between accounts of one
//! holder.

use super::common::{holder, in_band, is_account_flow, is_new, is_personal, Ratio, DAY, NOT_COMPARED};
use super::context::{similar_amounts, Datum};
use super::detector::{DetectCtx, Detector};
use super::finding::Finding;
use super::registry::Typology;
use super::signals::{short_lived, SHORT_LIVED};
use crate::graph::{FlowGraph, HopRules, TemporalSearch, TemporalSpec};
use crate::model::{AccountId, TransferId};
use crate::model::{Case, EntityKind, EntityRef};
use rayon::prelude::*;
use rust_decimal::Decimal;
use std::collections::HashSet;

crate::params! {
    /// Parameters of [`Cycle`].
    pub struct CycleParams {
        /// Most hops in a cycle (length 2 to 6, docs/methodology.md#t-cycle).
        max_hops: usize = 6,
        /// First to last hop within this many days (window <= 90 days, docs/methodology.md#t-cycle;
        /// 30 days is AMLSim's look-back, methodology.md#src-amlsim) (project default).
        window_days: i64 = 30,
        /// Least share of the previous hop passed on: within 20 % either way (AMLSim's alert
        /// "amount difference 20 %"; AMLSim also draws hop amounts at random, so amounts need
        /// not shrink; docs/methodology.md#t-cycle).
        min_retention: Decimal = Decimal::new(8, 1),
        /// Largest share of the previous hop passed on: 1/0.8 (docs/methodology.md#t-cycle).
        max_retention: Decimal = Decimal::new(125, 2),
        /// Each hop strictly later than the previous (time-respecting). `false` accepts hops
        /// in any order inside the window, as AMLSim's "unordered" scheduling mode produces
        /// (docs/methodology.md#src-amlsim) (project default).
        ordered: bool = true,
        /// An account opened at most this many days before is "new" (short account life,
        /// docs/methodology.md#t-pass-through) (project default).
        new_account_days: i64 = 90,
        /// Every hop passed on within this many hours of the previous is rapid pass-through
        /// (Δt <= 48 h, docs/methodology.md#t-pass-through); cycles of three hops or more.
        rapid_hours: i64 = 48,
        /// Each hop at least this share of the previous and smaller: "amounts decreasing by a
        /// margin" of at most 10 % per hop (AMLSim's margin_ratio 0.1; docs/methodology.md#t-cycle); an indicator, not a condition.
        margin_min_retention: Decimal = Decimal::new(9, 1),
        /// Hop amounts count as uniform when every one lies within this share of their median
        /// (AMLSim alert parameter "amount difference 20 %").
        similar_spread: Decimal = Decimal::new(2, 1),
    }
}

super::context::indicators! {
    /// The indicators of [`Cycle`], their points and the data they need
    /// (`patterns::context`): the only place their points are written.
    pub const INDICATORS + [SHORT_LIVED];
    /// The structure itself: it makes the candidate, the other indicators make the score.
    CYCLE = ("cycle", 0, []);
    PERSONAL_ACCOUNTS = ("personal_accounts", 10, [Datum::Holders]);
    NEW_ACCOUNTS = ("new_accounts", 15, [Datum::OpeningDates]);
    LARGE_AMOUNT = ("large_amount", 10, []);
    RAPID_HOPS = ("rapid_hops", 15, []);
    SHRINKING = ("margin_per_hop", 10, []);
    UNIFORM = ("uniform_amounts", 10, []);
    NEW_RELATIONS = ("new_relations", 15, []);
}

/// The cycle detector.
#[derive(Default)]
pub struct Cycle {
    /// Parameters.
    pub p: CycleParams,
}

/// The detector's rules for the shared temporal search (`graph::TemporalSearch`): hops are
/// account-to-account flows (no cash, no cards, not between accounts of one holder), each within
/// the retention band of the previous hop, exactly in cents.
struct Rules<'a> {
    case: &'a Case,
    g: &'a FlowGraph,
    /// `p.min_retention` and `p.max_retention` as exact ratios.
    min_ret: Ratio,
    max_ret: Ratio,
    /// The detector's budget: the search charges the candidates it examines (every 4,096, in
    /// [`HopRules::check`]) at the account it started from, and each cycle it keeps.
    budget: &'a super::budget::Gauge<'a>,
    /// The account the search starts from (the hub a budget message names).
    origin: u32,
}

/// A budget of the run was spent: the search stops.
#[derive(Debug)]
struct Spent;

impl HopRules for Rules<'_> {
    /// A budget of the run is spent (the run reports which).
    type Error = Spent;

    fn edge(&self, e: u32) -> bool {
        is_account_flow(self.case, self.g, e)
    }

    fn follows(&self, prev: u32, next: u32) -> bool {
        // A hop whose amount cannot be compared (another currency, no rate) is followed on its
        // structure.
        in_band(self.case, self.g, prev, next, self.min_ret, self.max_ret) != Some(false)
    }

    fn check(&self) -> Result<(), Spent> {
        if self.budget.rows(self.origin, 4096) {
            Ok(())
        } else {
            Err(Spent)
        }
    }
}

impl Detector for Cycle {
    super::detector::detector_parts!(Typology::Cycle);

    /// A depth-first search from every account-to-account transfer as the first hop, pruned by
    /// reachability (`graph::TemporalSearch`: only accounts that can still reach the origin
    /// within the hops and time left are entered). Each next account is tried once, with its
    /// earliest qualifying transfer, so parallel transfers do not multiply the cycles. A cycle
    /// is only closed from its earliest transfer (time-respecting hops make the first hop the
    /// earliest; in unordered mode later hops must follow the first in (time, id) order), so
    /// each cycle is found from exactly one start and its rotations are not reported again;
    /// a set of sorted transfer lists removes any remaining duplicate.
    ///
    /// # Complexity
    /// Per origin, a backward search over the transfers that lead back to it in time, then the
    /// forward search inside that part of the graph: proportional to the transfers lying on
    /// some path back, not to the hubs' degree (worst case O(E · b^(L-1)) for branching b).
    /// Parallel over origins balanced by degree; the cycles are then put in the order of their
    /// first transfer, as a search over start transfers in id order finds them.
    fn detect(&self, ctx: &DetectCtx<'_>) -> Vec<Finding> {
        let g = &ctx.graph.flow;
        let case = ctx.case;
        let (min_ret, max_ret) = (Ratio::new(self.p.min_retention), Ratio::new(self.p.max_retention));
        let budget = ctx.budget;
        let spec = TemporalSpec {
            min_hops: 2,
            max_hops: self.p.max_hops,
            window: self.p.window_days.saturating_mul(DAY),
            ordered: self.p.ordered,
            max_gap: None,
            first_per_node: true,
        };
        let mut cycles: Vec<Vec<u32>> = if self.p.max_hops >= 2 {
            g.par_accounts()
                .flat_map_iter(|a| {
                    let mut out = Vec::new();
                    let rules = Rules { case, g, min_ret, max_ret, budget, origin: a };
                    TemporalSearch::with(spec, |search| {
                        // A spent budget ends this search; the run reports it below.
                        let _ = search.paths(g, &rules, a, a, &mut |c: &[u32]| {
                            if !budget.hold(Some(a), 24 + 4 * c.len() as u64) {
                                return Err(Spent);
                            }
                            out.push(c.to_vec());
                            Ok(())
                        });
                    });
                    out
                })
                .collect()
        } else {
            Vec::new()
        };
        // The order of a search over start transfers by id (stable: each start's cycles keep
        // the depth-first order).
        cycles.par_sort_by_key(|c| c[0]);
        if budget.spent() {
            return Vec::new();
        }
        self.score_cycles(ctx, cycles)
    }
}

impl Cycle {
    /// Scores structural candidates: `cycles`, each the transfers of one closed cycle in hop
    /// order, in the search's order (as [`Detector::detect`] finds them). A repeated set of
    /// transfers is scored once, at its first occurrence. Used by the distributed engine,
    /// whose cluster finds the cycles.
    pub fn score_cycles(&self, ctx: &DetectCtx<'_>, cycles: Vec<Vec<u32>>) -> Vec<Finding> {
        let case = ctx.case;
        let controls = controlled(case);
        // The first occurrence of each set of transfers, in the search's order; then the
        // findings in parallel (collect keeps that order).
        let keys: Vec<Vec<u32>> = cycles
            .par_iter()
            .map(|c| {
                let mut key = c.clone();
                key.sort_unstable();
                key
            })
            .collect();
        let mut seen: HashSet<&[u32]> = HashSet::with_capacity(keys.len());
        let unique: Vec<&Vec<u32>> =
            cycles.iter().zip(&keys).filter(|(_, k)| seen.insert(k.as_slice())).map(|(c, _)| c).collect();
        unique.par_iter().filter_map(|c| self.finding(ctx, c, &controls)).collect()
    }
}

/// (person, company) pairs where the person owns, directs or administers the company.
fn controlled(case: &Case) -> HashSet<(EntityRef, u32)> {
    case.ownership.rows.iter().filter(|o| o.holder.kind == EntityKind::Person).map(|o| (o.holder, o.company)).collect()
}

impl Cycle {
    fn finding(&self, ctx: &DetectCtx<'_>, c: &[u32], controls: &HashSet<(EntityRef, u32)>) -> Option<Finding> {
        let g = &ctx.graph.flow;
        let case = ctx.case;
        let p = &self.p;
        let first = *c.first()?;
        let last = *c.last()?;
        let origin = g.src[first as usize];
        let accounts: Vec<u32> = c.iter().map(|&e| g.src[e as usize]).collect();
        // Round-tripping through the originator's own companies is its own typology.
        if let Some(h) = holder(case, origin) {
            let through_own = accounts
                .iter()
                .filter_map(|&a| holder(case, a))
                .any(|x| x.kind == EntityKind::Company && controls.contains(&(h, x.idx)));
            if through_own {
                return None;
            }
        }
        let days = (g.time[last as usize].0 - g.time[first as usize].0) as f64 / DAY as f64;
        let mut f = Finding::new(self.name());
        f.accounts.extend(AccountId::from_raws(&accounts));
        f.txns.extend(TransferId::from_raws(c));
        f.indicate(
            &CYCLE,
            format!(
                "{}-hop cycle: {} left {} and {} came back within {days:.1} days",
                c.len(),
                g.base_of(first as usize),
                case.accounts.rows[origin as usize].id,
                g.base_of(last as usize)
            ),
        );
        if accounts.iter().all(|&a| is_personal(case, a)) {
            f.indicate(&PERSONAL_ACCOUNTS, "every account in the cycle is held by a person");
        }
        let t0 = g.time[first as usize];
        let new = accounts.iter().filter(|&&a| is_new(case, a, t0, p.new_account_days)).count();
        if new > 0 {
            f.indicate(&NEW_ACCOUNTS, format!("{new} accounts opened within {} days before", p.new_account_days));
        }
        if g.has_base(first) && g.base_of(first as usize) >= case.meta.cash_report.amount {
            f.indicate(&LARGE_AMOUNT, "the first hop is at least the reporting threshold");
        }
        // Transfer-only evidence: every hop passed on within hours (rapid pass-through).
        let pairs: Vec<(u32, u32)> = c.windows(2).map(|w| (w[0], w[1])).collect();
        let slowest = pairs.iter().map(|&(a, b)| g.time[b as usize].0 - g.time[a as usize].0).max().unwrap_or(0);
        // Needs two intermediaries (three hops): a two-hop return within days is also what a
        // refund looks like (project default).
        if pairs.len() >= 2 && slowest <= p.rapid_hours * super::common::HOUR {
            f.indicate(
                &RAPID_HOPS,
                format!("every hop passed on within {:.1} h of the previous", slowest as f64 / 3600.0),
            );
        }
        let margin = Ratio::new(p.margin_min_retention);
        let shrinks = c.windows(2).map(|w| {
            let smaller = in_band(case, g, w[0], w[1], margin, Ratio::new(Decimal::ONE))?;
            let equal = in_band(case, g, w[0], w[1], Ratio::new(Decimal::ONE), Ratio::new(Decimal::ONE))?;
            Some(smaller && !equal)
        });
        let shrinks: Option<Vec<bool>> = shrinks.collect();
        match &shrinks {
            Some(v) if c.len() >= 3 && v.iter().all(|&x| x) => f.indicate(
                &SHRINKING,
                format!(
                    "each hop {:.0}-100 % of the previous: the amount shrinks by a small margin at every step",
                    (p.margin_min_retention * Decimal::ONE_HUNDRED).round_dp(0)
                ),
            ),
            None => f.note(NOT_COMPARED),
            _ => {}
        }
        if c.len() >= 3 && similar_amounts(case, g, c, p.similar_spread) {
            f.indicate(
                &UNIFORM,
                format!(
                    "every hop within {} % of the median amount",
                    (p.similar_spread * Decimal::ONE_HUNDRED).round_dp(0)
                ),
            );
        }
        if c.iter().all(|&e| ctx.signals.is_first_contact(e)) {
            f.indicate(&NEW_RELATIONS, "every hop is the first transfer between its two accounts");
        }
        short_lived(ctx, &mut f, &accounts, "accounts of the cycle");
        f.total = if g.has_base(first) { g.base_of(first as usize) } else { Decimal::ZERO };
        let f = f.finish(case, g);
        Some(ctx.data.rank(f, INDICATORS))
    }
}
