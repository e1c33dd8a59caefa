//! Scatter-gather: one source pays several intermediaries, which pass the money on, less a
//! margin, to one common destination; all first hops come before all second hops
//! (docs/methodology.md#t-scatter-gather; AMLSim `ScatterGatherTypology`).

use super::common::{in_band, is_account_flow, is_new, is_personal, threshold, Ratio, DAY, NOT_COMPARED};
use super::context::{amount_evidence, Datum, SIMILAR_AMOUNTS};
use super::detector::{BorrowedParams, DetectCtx, Detector};
use super::finding::Finding;
use super::registry::Typology;
use super::signals::{short_lived, SHORT_LIVED};
use crate::graph::FlowGraph;
use crate::model::{AccountId, TransferId};
use crate::model::{Case, DateTime};
use rayon::prelude::*;
use rust_decimal::Decimal;
use std::collections::BTreeSet;

crate::params! {
    /// Parameters of [`ScatterGather`].
    pub struct ScatterGatherParams {
        /// Distinct intermediaries needed (n >= 2, docs/methodology.md#t-scatter-gather).
        min_intermediaries: usize = 2,
        /// Whole pattern (first scatter to last gather) within this many days (project default) (
        /// docs/methodology.md#t-scatter-gather leaves the window open; AMLSim schedules a pattern within one alert period).
        window_days: i64 = 10,
        /// Least share of a scatter amount passed on: within 20 % either way (AMLSim's alert
        /// "amount difference 20 %"; docs/methodology.md#t-scatter-gather).
        min_retention: Decimal = Decimal::new(8, 1),
        /// Largest share passed on: 1/0.8, the same 20 % the other way (an intermediary may add
        /// a little of its own or lose a fee; docs/methodology.md#t-scatter-gather).
        max_retention: Decimal = Decimal::new(125, 2),
        /// An account opened at most this many days before is "new" (short account life,
        /// docs/methodology.md#t-pass-through) (project default).
        new_account_days: i64 = 90,
        /// Every intermediary passing on within this many hours is rapid pass-through
        /// (Δt <= 48 h, docs/methodology.md#t-pass-through).
        rapid_hours: i64 = 48,
        /// Scatter payments count as near-identical when every amount lies within this share of
        /// their median (AMLSim alert parameter "amount difference 20 %", docs/methodology.md#src-amlsim).
        similar_spread: Decimal = Decimal::new(2, 1),
    }
}

super::context::indicators! {
    /// The indicators of [`ScatterGather`], their points and the data they need
    /// (`patterns::context`): the only place their points are written.
    pub const INDICATORS + [SIMILAR_AMOUNTS, SHORT_LIVED];
    /// The structure itself: it makes the candidate, the other indicators make the score.
    SCATTER_GATHER = ("scatter_gather", 0, []);
    NEW_RELATIONS = ("new_relations", 15, []);
    PERSONAL_INTERMEDIARIES = ("personal_intermediaries", 10, [Datum::Holders]);
    NEW_ACCOUNTS = ("new_accounts", 15, [Datum::OpeningDates]);
    PERSONAL_ENDS = ("personal_ends", 10, [Datum::Holders]);
    LARGE_AMOUNT = ("large_amount", 10, []);
    RAPID_HOPS = ("rapid_hops", 15, []);
}

/// The scatter-gather detector.
#[derive(Default)]
pub struct ScatterGather {
    /// Parameters.
    pub p: ScatterGatherParams,
}

/// One candidate: scatter transfer `e1` to intermediary `mid`, gather transfer `e2` to `dst`.
#[derive(Clone, Copy, Debug)]
struct Pair {
    dst: u32,
    mid: u32,
    e1: u32,
    e2: u32,
}

/// Accounts to which the receiver of `e1` passes on between `min_ret` and `max_ret` of its amount
/// (both inclusive, exact in cents) within `w` seconds, with the passing transfer: the gather
/// legs that can follow scatter `e1`. A leg whose amount cannot be compared with `e1` (other
/// currency, no rate) is kept on its structure.
///
/// # Complexity
/// O(log d + k) for the receiver's out-degree d and k transfers in the window.
pub(crate) fn onward(case: &Case, g: &FlowGraph, e1: u32, w: i64, min_ret: Ratio, max_ret: Ratio) -> Vec<(u32, u32)> {
    let (src, mid) = (g.src[e1 as usize], g.dst[e1 as usize]);
    let t1 = g.time[e1 as usize];
    let mut out = Vec::new();
    for &e2 in g.out_between(mid, DateTime(t1.0 + 1), DateTime(t1.0 + w)) {
        let d = g.dst[e2 as usize];
        if d != src
            && d != mid
            && in_band(case, g, e1, e2, min_ret, max_ret) != Some(false)
            && is_account_flow(case, g, e2)
        {
            out.push((d, e2));
        }
    }
    out
}

impl Detector for ScatterGather {
    super::detector::detector_parts!(Typology::ScatterGather);

    fn lend(&self, to: &mut BorrowedParams) {
        to.scatter_gather = self.p.clone();
    }

    /// For every scatter transfer S -> I, the onward transfers I -> D in the retention band
    /// within the window; pairs grouped by (S, D) and clustered in time; a cluster with enough
    /// distinct intermediaries whose scatters all precede its gathers is one finding.
    ///
    /// # Complexity
    /// O(sum over transfers S -> I of I's transfers in the window), parallel over sources.
    fn detect(&self, ctx: &DetectCtx<'_>) -> Vec<Finding> {
        let g = &ctx.graph.flow;
        let case = ctx.case;
        let p = &self.p;
        let w = p.window_days * DAY;
        let (min_ret, max_ret) = (Ratio::new(p.min_retention), Ratio::new(p.max_retention));
        g.par_accounts()
            .flat_map_iter(|s| {
                let mut pairs: Vec<Pair> = Vec::new();
                for &e1 in g.out_edges(s) {
                    if !is_account_flow(case, g, e1) {
                        continue;
                    }
                    // The onward search examines the receiver's transfers in the window: on a hub,
                    // the square of its degree (charged to the run's budget).
                    let (mid, t1) = (g.dst[e1 as usize], g.time[e1 as usize]);
                    let k = g.out_between(mid, DateTime(t1.0 + 1), DateTime(t1.0 + w)).len() as u64;
                    if !ctx.budget.rows(mid, k) {
                        return Vec::new();
                    }
                    let mut seen_dst: Vec<u32> = Vec::new();
                    for (d, e2) in onward(case, g, e1, w, min_ret, max_ret) {
                        if !seen_dst.contains(&d) {
                            seen_dst.push(d);
                            pairs.push(Pair { dst: d, mid: g.dst[e1 as usize], e1, e2 });
                        }
                    }
                }
                self.clusters(ctx, s, pairs)
            })
            .collect()
    }
}

impl ScatterGather {
    /// Scores structural candidates: the pairs `(e1, e2)` of source `s` (scatter `e1` out of
    /// `s`, then its receiver's earliest gather leg `e2` per destination, as
    /// [`Detector::detect`] finds them, in any order). Used by the distributed engine, whose
    /// cluster finds the pairs.
    #[cfg_attr(not(feature = "distributed"), allow(dead_code))]
    pub(crate) fn score_pairs(&self, ctx: &DetectCtx<'_>, s: u32, pairs: &[(u32, u32)]) -> Vec<Finding> {
        let g = &ctx.graph.flow;
        let pairs = pairs.iter().map(|&(e1, e2)| Pair { dst: g.dst[e2 as usize], mid: g.dst[e1 as usize], e1, e2 });
        self.clusters(ctx, s, pairs.collect())
    }

    /// The findings of source `s`: `pairs` grouped by destination and clustered in time; a
    /// cluster with enough distinct intermediaries whose scatters all precede its gathers is one.
    fn clusters(&self, ctx: &DetectCtx<'_>, s: u32, mut pairs: Vec<Pair>) -> Vec<Finding> {
        let g = &ctx.graph.flow;
        let p = &self.p;
        let w = p.window_days * DAY;
        pairs.sort_by_key(|x| (x.dst, g.time[x.e1 as usize], x.e1, x.e2));
        let mut out = Vec::new();
        let mut i = 0;
        while i < pairs.len() {
            let start = g.time[pairs[i].e1 as usize].0;
            let mut cluster: Vec<Pair> = Vec::new();
            let mut j = i;
            while j < pairs.len() && pairs[j].dst == pairs[i].dst && g.time[pairs[j].e1 as usize].0 <= start + w {
                let x = pairs[j];
                if g.time[x.e2 as usize].0 <= start + w && !cluster.iter().any(|c| c.mid == x.mid) {
                    cluster.push(x);
                }
                j += 1;
            }
            let last_scatter = cluster.iter().map(|c| g.time[c.e1 as usize]).max();
            let first_gather = cluster.iter().map(|c| g.time[c.e2 as usize]).min();
            if cluster.len() >= p.min_intermediaries && last_scatter < first_gather {
                out.push(self.finding(ctx, s, &cluster));
                i = j;
            } else {
                i += 1;
            }
        }
        out
    }

    fn finding(&self, ctx: &DetectCtx<'_>, s: u32, cluster: &[Pair]) -> Finding {
        let g = &ctx.graph.flow;
        let case = ctx.case;
        let p = &self.p;
        let d = cluster.first().map_or(0, |c| c.dst);
        let mids: BTreeSet<u32> = cluster.iter().map(|c| c.mid).collect();
        let mut f = Finding::new(self.name());
        f.accounts.extend([s, d].map(AccountId::from_raw));
        f.accounts.extend(mids.iter().map(|&a| AccountId::from_raw(a)));
        f.txns.extend(cluster.iter().flat_map(|c| [c.e1, c.e2]).map(TransferId::from_raw));
        let scattered: Decimal = cluster.iter().map(|c| g.base_of(c.e1 as usize)).sum();
        let gathered: Decimal = cluster.iter().map(|c| g.base_of(c.e2 as usize)).sum();
        f.indicate(&SCATTER_GATHER, format!(
                "{} intermediaries took {scattered} from {} and passed {gathered} to {} within {} days, all scatters before the gathers",
                mids.len(),
                case.accounts.rows[s as usize].id,
                case.accounts.rows[d as usize].id,
                p.window_days
            ),
        );
        let (min_ret, max_ret) = (Ratio::new(p.min_retention), Ratio::new(p.max_retention));
        if cluster.iter().any(|c| in_band(case, g, c.e1, c.e2, min_ret, max_ret).is_none()) {
            f.note(NOT_COMPARED);
        }
        if cluster.iter().all(|c| ctx.signals.is_first_contact(c.e1) && ctx.signals.is_first_contact(c.e2)) {
            f.indicate(&NEW_RELATIONS, "every leg is the first transfer between its two accounts");
        }
        let mid_list: Vec<u32> = mids.iter().copied().collect();
        short_lived(ctx, &mut f, &mid_list, "intermediaries");
        if mids.iter().all(|&m| is_personal(case, m)) {
            f.indicate(&PERSONAL_INTERMEDIARIES, "every intermediary is a personal account");
        }
        let t0 = cluster.iter().map(|c| g.time[c.e1 as usize]).min().unwrap_or(DateTime(0));
        let new = mids.iter().filter(|&&m| is_new(case, m, t0, p.new_account_days)).count();
        if new * 2 >= mids.len() {
            f.indicate(
                &NEW_ACCOUNTS,
                format!("{new} of {} intermediaries opened within {} days before", mids.len(), p.new_account_days),
            );
        }
        if is_personal(case, s) && is_personal(case, d) {
            f.indicate(&PERSONAL_ENDS, "source and destination are personal accounts");
        }
        if threshold(case) > 0 && scattered >= case.meta.cash_report.amount {
            f.indicate(&LARGE_AMOUNT, format!("{scattered} scattered, at least the reporting threshold"));
        }
        // Transfer-only evidence (any ledger).
        let slowest = cluster.iter().map(|c| g.time[c.e2 as usize].0 - g.time[c.e1 as usize].0).max().unwrap_or(0);
        if slowest <= p.rapid_hours * super::common::HOUR {
            f.indicate(&RAPID_HOPS, format!("every intermediary passed on within {:.1} h", slowest as f64 / 3600.0));
        }
        let scatters: Vec<u32> = cluster.iter().map(|c| c.e1).collect();
        amount_evidence(&mut f, case, g, &scatters, "scatter payment", p.similar_spread, None);
        let f = f.finish(case, g);
        ctx.data.rank(f, INDICATORS)
    }
}
