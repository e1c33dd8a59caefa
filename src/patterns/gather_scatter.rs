//! Gather-scatter: a collector hub receives from several senders and, within days, passes
//! about the same money on to several receivers (docs/methodology.md#t-gather-scatter; AMLSim
//! `GatherScatterTypology`): victims' earnings collected and remitted to the controllers.

use super::common::{episodes, goes_abroad, is_account_flow, is_new, is_personal, shared_address_count, total, DAY};
use super::context::{amount_evidence, balanced, Datum, PassBand, BELOW_THRESHOLD, SIMILAR_AMOUNTS};
use super::detector::{BorrowedParams, DetectCtx, Detector};
use super::finding::Finding;
use super::registry::Typology;
use super::signals::{
    dormant_then_active, new_counterparts, short_lived, split_payments, Events, DORMANT, NEW_COUNTERPARTS, SHORT_LIVED,
    SPLIT_PAYMENTS,
};
use crate::graph::FlowGraph;
use crate::model::{AccountId, TransferId};
use crate::model::{Case, DateTime};
use rayon::prelude::*;
use rust_decimal::Decimal;
use std::collections::BTreeSet;

crate::params! {
    /// Parameters of [`GatherScatter`].
    pub struct GatherScatterParams {
        /// Distinct senders into the hub: from 2, IBM's "max 2-degree" fans
        /// (docs/methodology.md#t-gather-scatter).
        min_senders: usize = 2,
        /// Distinct receivers from the hub: from 2 (docs/methodology.md#t-gather-scatter).
        min_receivers: usize = 2,
        /// Gather window in days: AMLSim's alert periods run 5 to 20 days, IBM's attempts up to
        /// 4 days and gather-scatters up to 8.4 days (docs/methodology.md#t-gather-scatter).
        window_days: i64 = 10,
        /// The scatter follows the last gathered transfer within this many days: IBM's
        /// gather-scatters span up to 8.4 days, AMLSim's periods up to 20
        /// (docs/methodology.md#t-gather-scatter).
        forward_days: i64 = 10,
        /// Least share of the gathered sum scattered for the pass-through indicator, and for
        /// fan-in to leave the episode to this detector (ρ <= 0.1 plus tolerance,
        /// docs/methodology.md#t-pass-through).
        min_retention: Decimal = Decimal::new(8, 1),
        /// Largest share scattered (the hub does not add much of its own) (project default).
        max_retention: Decimal = Decimal::new(105, 2),
        /// An account opened at most this many days before is "new" (docs/methodology.md#t-pass-through) (project default).
        new_account_days: i64 = 90,
        /// Payments count as near-identical when every amount lies within this share of their
        /// median (AMLSim alert parameter "amount difference 20 %", docs/methodology.md#src-amlsim).
        similar_spread: Decimal = Decimal::new(2, 1),
        /// Lower edge of the band just below the reporting threshold T, as a share of T: the
        /// indicator fires when every payment lies in [band_low · T, T) (structuring, "each in
        /// [0.8·T, T)", docs/methodology.md#t-structuring).
        band_low: Decimal = Decimal::new(8, 1),
    }
}

super::context::indicators! {
    /// The indicators of [`GatherScatter`], their points and the data they need
    /// (`patterns::context`): the only place their points are written.
    pub const INDICATORS + [SIMILAR_AMOUNTS, BELOW_THRESHOLD, NEW_COUNTERPARTS, SPLIT_PAYMENTS, DORMANT, SHORT_LIVED];
    /// The structure itself: it makes the candidate, the other indicators make the score.
    GATHER_SCATTER = ("gather_scatter", 0, []);
    PASSED_ON = ("passed_on", 15, []);
    PERSONAL_HUB = ("personal_hub", 10, [Datum::Holders]);
    NEW_ACCOUNT = ("new_account", 15, [Datum::OpeningDates]);
    PERSONAL_SENDERS = ("personal_senders", 10, [Datum::Holders]);
    CROSS_BORDER = ("cross_border", 10, [Datum::Holders, Datum::Abroad]);
    SHARED_ADDRESS = ("shared_address", 10, [Datum::Holders, Datum::Addresses]);
}

/// The gather-scatter detector.
#[derive(Default)]
pub struct GatherScatter {
    /// Parameters.
    pub p: GatherScatterParams,
}

/// The scatter that follows gathered inflows `ins` (sorted by time) of `hub`: the hub's
/// transfers to other accounts from the first inflow to `forward_days` after the last, when
/// they reach at least `min_receivers` distinct receivers (none of them a sender). Structure
/// only.
///
/// # Complexity
/// O(log d + k) for the hub's out-degree d and k transfers in the window.
pub(crate) fn scatter_of(
    case: &Case,
    g: &FlowGraph,
    hub: u32,
    ins: &[u32],
    p: &GatherScatterParams,
) -> Option<Vec<u32>> {
    let first = g.time[*ins.first()? as usize];
    let last = g.time[*ins.last()? as usize];
    let senders: BTreeSet<u32> = ins.iter().map(|&e| g.src[e as usize]).collect();
    let outs: Vec<u32> = g
        .out_between(hub, DateTime(first.0 + 1), DateTime(last.0 + p.forward_days * DAY))
        .iter()
        .copied()
        .filter(|&e| is_account_flow(case, g, e) && !senders.contains(&g.dst[e as usize]))
        .collect();
    let receivers: BTreeSet<u32> = outs.iter().map(|&e| g.dst[e as usize]).collect();
    (receivers.len() >= p.min_receivers).then_some(outs)
}

/// [`scatter_of`] when the scatter carries between `min_retention` and `max_retention` of the
/// gathered sum (amounts compared in one unit; not when they cannot be): the rule by which
/// fan-in leaves an episode to this detector.
pub(crate) fn scatter_after(
    case: &Case,
    g: &FlowGraph,
    hub: u32,
    ins: &[u32],
    p: &GatherScatterParams,
) -> Option<Vec<u32>> {
    let outs = scatter_of(case, g, hub, ins, p)?;
    let band = PassBand { min: p.min_retention, max: p.max_retention };
    balanced(case, g, ins, &outs, band).unwrap_or(false).then_some(outs)
}

impl Detector for GatherScatter {
    super::detector::detector_parts!(Typology::GatherScatter);

    fn lend(&self, to: &mut BorrowedParams) {
        to.gather_scatter = self.p.clone();
    }

    /// Per hub, sliding windows over account-to-account inflows with enough distinct senders;
    /// each such episode followed by a scatter to enough receivers ([`scatter_of`]) is one
    /// candidate.
    ///
    /// # Complexity
    /// O(E) over inflows plus a window lookup per episode, parallel over hubs.
    fn detect(&self, ctx: &DetectCtx<'_>) -> Vec<Finding> {
        let g = &ctx.graph.flow;
        let case = ctx.case;
        let p = &self.p;
        g.par_accounts()
            .flat_map_iter(|hub| {
                if !ctx.budget.rows(hub, g.in_edges(hub).len() as u64) {
                    return Vec::new();
                }
                let ins: Vec<u32> = g.in_edges(hub).iter().copied().filter(|&e| is_account_flow(case, g, e)).collect();
                episodes(&ins, &g.time, &g.src, p.window_days * DAY, p.min_senders)
                    .into_iter()
                    .filter_map(|ep| self.score_episode(ctx, hub, &ep))
                    .collect::<Vec<_>>()
            })
            .collect()
    }
}

impl GatherScatter {
    /// Scores one structural candidate, an episode `ep` of inflows of `hub` (in (time, id)
    /// order, as [`Detector::detect`] finds them): the finding when a scatter to enough
    /// receivers follows. Used by the distributed engine.
    pub fn score_episode(&self, ctx: &DetectCtx<'_>, hub: u32, ep: &[u32]) -> Option<Finding> {
        let outs = scatter_of(ctx.case, &ctx.graph.flow, hub, ep, &self.p)?;
        Some(self.finding(ctx, hub, ep, &outs))
    }

    fn finding(&self, ctx: &DetectCtx<'_>, hub: u32, ins: &[u32], outs: &[u32]) -> Finding {
        let g = &ctx.graph.flow;
        let case = ctx.case;
        let p = &self.p;
        let senders: Vec<u32> = ins.iter().map(|&e| g.src[e as usize]).collect::<BTreeSet<_>>().into_iter().collect();
        let receivers: BTreeSet<u32> = outs.iter().map(|&e| g.dst[e as usize]).collect();
        let (sin, sout) = (total(g, ins), total(g, outs));
        let mut f = Finding::new(self.name());
        f.accounts.push(AccountId::from_raw(hub));
        f.accounts.extend(senders.iter().chain(&receivers).map(|&a| AccountId::from_raw(a)));
        f.txns.extend(TransferId::from_raws(ins).chain(TransferId::from_raws(outs)));
        f.indicate(
            &GATHER_SCATTER,
            format!(
                "{} gathered {sin} from {} senders and scattered {sout} to {} receivers within {} days of the last inflow",
                case.accounts.rows[hub as usize].id,
                senders.len(),
                receivers.len(),
                p.forward_days
            ),
        );
        let band = PassBand { min: p.min_retention, max: p.max_retention };
        match balanced(case, g, ins, outs, band) {
            Some(true) => f.indicate(
                &PASSED_ON,
                format!(
                    "the hub passed on {:.0}-{:.0} % of what it gathered: little stayed in the account",
                    p.min_retention * Decimal::ONE_HUNDRED,
                    p.max_retention * Decimal::ONE_HUNDRED
                ),
            ),
            Some(false) => {}
            None => f.note(super::context::NOT_COMPARED_AMOUNTS),
        }
        new_counterparts(ctx, &mut f, hub, ins, Events::NewIn, "senders");
        split_payments(ctx, &mut f, hub, ins, Events::In);
        let t0 = ins.first().map(|&e| g.time[e as usize]).unwrap_or(DateTime(0));
        dormant_then_active(ctx, &mut f, hub, t0.0);
        let recv: Vec<u32> = receivers.iter().copied().collect();
        short_lived(ctx, &mut f, &recv, "receivers");
        if is_personal(case, hub) {
            f.indicate(&PERSONAL_HUB, "the collector is a personal account");
        }
        if is_new(case, hub, t0, p.new_account_days) {
            f.indicate(&NEW_ACCOUNT, format!("hub opened within {} days before", p.new_account_days));
        }
        if senders.iter().all(|&s| is_personal(case, s)) {
            f.indicate(&PERSONAL_SENDERS, "every sender is a personal account");
        }
        let abroad = outs.iter().filter(|&&e| goes_abroad(case, g, e)).count();
        if abroad > 0 {
            f.indicate(&CROSS_BORDER, format!("{abroad} of the scattered transfers go abroad"));
        }
        let shared = shared_address_count(case, &senders, Some(hub));
        if shared >= 2 {
            f.indicate(&SHARED_ADDRESS, format!("{shared} senders share an address with each other or the hub"));
        }
        // Transfer-only evidence (any ledger).
        amount_evidence(&mut f, case, g, ins, "gathered payment", p.similar_spread, Some(p.band_low));
        let f = f.finish(case, g);
        ctx.data.rank(f, INDICATORS)
    }
}
