//! Scatter-gather: one source pays several intermediaries, which pass the money on, less a
//! margin, to one common destination; all first hops come before all second hops
//! (docs/domain.md §1.3 #6; AMLSim `ScatterGatherTypology`).

use super::common::{is_account_flow, is_new, is_personal, threshold, Band, Ratio, DAY};
use super::context::{amount_evidence, Datum, SIMILAR_AMOUNTS};
use super::detector::{BorrowedParams, DetectCtx, Detector};
use super::finding::Finding;
use super::registry::Typology;
use crate::graph::FlowGraph;
use crate::model::{Case, DateTime};
use rayon::prelude::*;
use rust_decimal::Decimal;
use std::collections::BTreeSet;

crate::params! {
    /// Parameters of [`ScatterGather`].
    pub struct ScatterGatherParams {
        /// Distinct intermediaries needed (n >= 2, docs/domain.md §1.3 #6).
        min_intermediaries: usize = 2,
        /// Whole pattern (first scatter to last gather) within this many days [D] (docs/domain.md
        /// §1.3 #6 leaves the window open; AMLSim schedules a pattern within one alert period).
        window_days: i64 = 10,
        /// Least share of a scatter amount passed on (per-hop loss about 10 %, docs/domain.md §1.3 #6).
        min_retention: Decimal = Decimal::new(8, 1),
        /// Largest share passed on (an intermediary does not add money) [D].
        max_retention: Decimal = Decimal::ONE,
        /// An account opened at most this many days before is "new" (short account life,
        /// docs/domain.md §1.3 #3) [D].
        new_account_days: i64 = 90,
        /// Every intermediary passing on within this many hours is rapid pass-through
        /// (Δt <= 48 h, docs/domain.md §1.3 #3).
        rapid_hours: i64 = 48,
        /// Scatter payments count as near-identical when every amount lies within this share of
        /// their median (AMLSim alert parameter "amount difference 20 %", docs/domain.md §1.2).
        similar_spread: Decimal = Decimal::new(2, 1),
        /// Findings below this score are not reported: the core pattern plus corroboration
        /// (docs/domain.md §0, "no single indicator") [D]. Applied to the indicators this case
        /// can evaluate (`patterns::context`).
        min_score: u32 = 50,
    }
}

super::context::indicators! {
    /// The indicators of [`ScatterGather`], their points and the data they need
    /// (`patterns::context`): the only place their points are written.
    pub const INDICATORS + [SIMILAR_AMOUNTS];
    SCATTER_GATHER = ("scatter_gather", 25, []);
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
/// legs that can follow scatter `e1`.
///
/// # Complexity
/// O(log d + k) for the receiver's out-degree d and k transfers in the window.
pub(crate) fn onward(case: &Case, g: &FlowGraph, e1: u32, w: i64, min_ret: Ratio, max_ret: Ratio) -> Vec<(u32, u32)> {
    let (src, mid) = (g.src[e1 as usize], g.dst[e1 as usize]);
    let t1 = g.time[e1 as usize];
    let band = Band::new(min_ret, max_ret, g.cents[e1 as usize]);
    let mut out = Vec::new();
    for &e2 in g.out_between(mid, DateTime(t1.0 + 1), DateTime(t1.0 + w)) {
        let d = g.dst[e2 as usize];
        if d != src && d != mid && band.contains(g.cents[e2 as usize]) && is_account_flow(case, g, e2) {
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
                pairs.sort_by_key(|x| (x.dst, g.time[x.e1 as usize], x.e1, x.e2));
                let mut out = Vec::new();
                let mut i = 0;
                while i < pairs.len() {
                    let start = g.time[pairs[i].e1 as usize].0;
                    let mut cluster: Vec<Pair> = Vec::new();
                    let mut j = i;
                    while j < pairs.len() && pairs[j].dst == pairs[i].dst && g.time[pairs[j].e1 as usize].0 <= start + w
                    {
                        let x = pairs[j];
                        if g.time[x.e2 as usize].0 <= start + w && !cluster.iter().any(|c| c.mid == x.mid) {
                            cluster.push(x);
                        }
                        j += 1;
                    }
                    let last_scatter = cluster.iter().map(|c| g.time[c.e1 as usize]).max();
                    let first_gather = cluster.iter().map(|c| g.time[c.e2 as usize]).min();
                    if cluster.len() >= p.min_intermediaries && last_scatter < first_gather {
                        if let Some(f) = self.finding(ctx, s, &cluster) {
                            out.push(f);
                        }
                        i = j;
                    } else {
                        i += 1;
                    }
                }
                out
            })
            .collect()
    }
}

impl ScatterGather {
    fn finding(&self, ctx: &DetectCtx<'_>, s: u32, cluster: &[Pair]) -> Option<Finding> {
        let g = &ctx.graph.flow;
        let case = ctx.case;
        let p = &self.p;
        let d = cluster.first()?.dst;
        let mids: BTreeSet<u32> = cluster.iter().map(|c| c.mid).collect();
        let mut f = Finding::new(self.name());
        f.accounts.push(s);
        f.accounts.push(d);
        f.accounts.extend(mids.iter().copied());
        f.txns.extend(cluster.iter().flat_map(|c| [c.e1, c.e2]));
        let scattered: Decimal = cluster.iter().map(|c| g.base[c.e1 as usize]).sum();
        let gathered: Decimal = cluster.iter().map(|c| g.base[c.e2 as usize]).sum();
        f.indicate(&SCATTER_GATHER, format!(
                "{} intermediaries took {scattered} from {} and passed {gathered} to {} within {} days, all scatters before the gathers",
                mids.len(),
                case.accounts.rows[s as usize].id,
                case.accounts.rows[d as usize].id,
                p.window_days
            ),
        );
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
        let f = f.finish(case, &g.base);
        ctx.data.report(f, p.min_score, INDICATORS)
    }
}
