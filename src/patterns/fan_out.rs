//! Fan-out (scatter): one account pays many distinct receivers within a window
//! (docs/methodology.md#t-fan-out; AMLSim typology fan_out).
//!
//! Employers pay salaries and foreign senders remit to many people, so the count of receivers
//! alone is weak. Corroboration: a personal account, a burst far above the account's usual
//! outflow, transfers abroad (docs/methodology.md#t-remittance). Receivers that pass the money on to a
//! common destination are scatter-gather intermediaries ([`super::scatter_gather`]) and are
//! not counted here.

use super::common::{goes_abroad, holder, is_account_flow, is_personal, span_phrase, total, Ratio, DAY};
use super::context::{amount_evidence, burst, Datum, BELOW_THRESHOLD, SIMILAR_AMOUNTS};
use super::detector::{DetectCtx, Detector};
use super::fan_in::candidates;
use super::finding::Finding;
use super::registry::Typology;
use super::scatter_gather::{onward, ScatterGatherParams};
use super::signals::{
    dormant_then_active, new_counterparts, regular_timing, short_lived, split_payments, Events, DORMANT,
    NEW_COUNTERPARTS, REGULAR_TIMING, SHORT_LIVED, SPLIT_PAYMENTS,
};
use crate::model::EntityKind;
use crate::model::{AccountId, TransferId};
use rayon::prelude::*;
use rust_decimal::Decimal;
use std::collections::{BTreeSet, HashMap};

crate::params! {
    /// Parameters of [`FanOut`].
    pub struct FanOutParams {
        /// Distinct receivers that make a candidate within the window: from 2, IBM's "max
        /// 2-degree" fans (docs/methodology.md#t-fan-out); the ranking does the precision work.
        min_receivers: usize = 2,
        /// Window length in days (w = 30, AMLSim's look-back; docs/methodology.md#t-fan-out).
        window_days: i64 = 30,
        /// A run of overlapping windows longer than this many days is a steady flow: the
        /// candidate is its busiest window (as fan-in's `steady_days`) (project default).
        steady_days: i64 = 60,
        /// The episode's total counts as a burst when it exceeds this multiple of the account's
        /// average outflow per window over its active life (project default).
        burst_factor: Decimal = Decimal::new(3, 0),
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
    /// The indicators of [`FanOut`], their points and the data they need
    /// (`patterns::context`): the only place their points are written.
    pub const INDICATORS + [SIMILAR_AMOUNTS, BELOW_THRESHOLD, NEW_COUNTERPARTS, SPLIT_PAYMENTS, DORMANT, SHORT_LIVED, REGULAR_TIMING];
    /// The structure itself: it makes the candidate, the other indicators make the score.
    MANY_RECEIVERS = ("many_receivers", 0, []);
    PERSONAL_ACCOUNT = ("personal_account", 10, [Datum::Holders]);
    BURST = ("burst", 15, [Datum::History]);
    CROSS_BORDER = ("cross_border", 10, [Datum::Holders, Datum::Abroad]);
}

/// The fan-out detector.
#[derive(Default)]
pub struct FanOut {
    /// Parameters.
    pub p: FanOutParams,
}

impl Detector for FanOut {
    super::detector::detector_parts!(Typology::FanOut);

    /// Per account, a sliding window over outgoing account-to-account transfers (no cards, no
    /// cash, no own-account moves); overlapping qualifying windows merge into one episode (a
    /// steady flow is narrowed to its busiest window). Transfers to scatter-gather
    /// intermediaries are dropped, the rest re-checked and scored.
    ///
    /// # Complexity
    /// O(E) over outgoing transfers, plus per episode a window lookup on each receiver;
    /// parallel over accounts.
    fn detect(&self, ctx: &DetectCtx<'_>) -> Vec<Finding> {
        let g = &ctx.graph.flow;
        let w = self.p.window_days * DAY;
        g.par_accounts()
            .flat_map_iter(|a| {
                if !ctx.budget.rows(a, g.out_edges(a).len() as u64) {
                    return Vec::new();
                }
                let edges = self.out_flows(ctx, a);
                let mut out = Vec::new();
                for ep in candidates(ctx, &edges, &g.dst, w, self.p.min_receivers, self.p.steady_days * DAY) {
                    out.extend(self.episode_findings(ctx, &edges, a, ep, &ctx.borrowed.scatter_gather));
                }
                out
            })
            .collect()
    }
}

impl FanOut {
    /// Scores one structural candidate, an episode `ep` of outgoing flows of `a` (in (time,
    /// id) order, as [`Detector::detect`] finds them): scatter-gather intermediaries dropped
    /// (scatter-gather's configured parameters, as in [`Detector::detect`]), the rest re-checked
    /// and scored. Used by the distributed engine.
    pub fn score_episode(&self, ctx: &DetectCtx<'_>, a: u32, ep: Vec<u32>) -> Vec<Finding> {
        self.episode_findings(ctx, &self.out_flows(ctx, a), a, ep, &ctx.borrowed.scatter_gather)
    }

    /// The outgoing transfers of `a` that a fan-out counts, in (time, id) order.
    fn out_flows(&self, ctx: &DetectCtx<'_>, a: u32) -> Vec<u32> {
        let (g, case) = (&ctx.graph.flow, ctx.case);
        // A person paying companies is paying bills and purchases: only payments to
        // other persons or abroad (unknown holders) spread a person's money.
        let personal = is_personal(case, a);
        let to_company = |e: u32| holder(case, g.dst[e as usize]).is_some_and(|h| h.kind == EntityKind::Company);
        g.out_edges(a)
            .iter()
            .copied()
            .filter(|&e| is_account_flow(case, g, e) && !(personal && to_company(e)))
            .collect()
    }

    /// The findings of one episode `ep` among `edges` (the account's [`FanOut::out_flows`]).
    fn episode_findings(
        &self,
        ctx: &DetectCtx<'_>,
        edges: &[u32],
        a: u32,
        ep: Vec<u32>,
        sg: &ScatterGatherParams,
    ) -> Vec<Finding> {
        let (g, case) = (&ctx.graph.flow, ctx.case);
        let w = self.p.window_days * DAY;
        let (sg_min, sg_max) = (Ratio::new(sg.min_retention), Ratio::new(sg.max_retention));
        // Receivers passing the money on to a destination shared with another receiver are
        // the middle of a scatter-gather, not ends of a fan-out.
        let mut by_dest: HashMap<u32, BTreeSet<u32>> = HashMap::new();
        for &e in &ep {
            for (d, _) in onward(case, g, e, sg.window_days * DAY, sg_min, sg_max) {
                by_dest.entry(d).or_default().insert(g.dst[e as usize]);
            }
        }
        let mids: BTreeSet<u32> = by_dest.into_values().filter(|m| m.len() >= 2).flatten().collect();
        let kept: Vec<u32> = ep.into_iter().filter(|&e| !mids.contains(&g.dst[e as usize])).collect();
        super::common::episodes(&kept, &g.time, &g.dst, w, self.p.min_receivers)
            .into_iter()
            .map(|sub| self.finding(ctx, edges, a, sub))
            .collect()
    }

    fn finding(&self, ctx: &DetectCtx<'_>, all: &[u32], a: u32, ep: Vec<u32>) -> Finding {
        let g = &ctx.graph.flow;
        let case = ctx.case;
        let p = &self.p;
        let receivers: BTreeSet<u32> = ep.iter().map(|&e| g.dst[e as usize]).collect();
        let sum = total(g, &ep);
        let mut f = Finding::new(self.name());
        f.accounts.push(AccountId::from_raw(a));
        f.accounts.extend(receivers.iter().map(|&r| AccountId::from_raw(r)));
        f.indicate(
            &MANY_RECEIVERS,
            format!("{} distinct receivers got {sum} {}", receivers.len(), span_phrase(g, &ep, p.window_days)),
        );
        let recv: Vec<u32> = receivers.iter().copied().collect();
        new_counterparts(ctx, &mut f, a, &ep, Events::NewOut, "receivers");
        split_payments(ctx, &mut f, a, &ep, Events::Out);
        if let Some(&e0) = ep.first() {
            dormant_then_active(ctx, &mut f, a, g.time[e0 as usize].0);
        }
        short_lived(ctx, &mut f, &recv, "receivers");
        regular_timing(ctx, &mut f, &ep);
        if is_personal(case, a) {
            f.indicate(&PERSONAL_ACCOUNT, "the paying account is held by a person");
        }
        // Burst: the episode against the account's average outflow per window over the rest of
        // its recorded activity; an account with no other activity in the data is not a burst.
        if ctx.data.has(Datum::History) {
            if let Some(avg) = burst(g, all, &ep, p.window_days, p.burst_factor) {
                f.indicate(
                    &BURST,
                    format!("{sum} paid out, above {}x the account's average of {avg} per window", p.burst_factor),
                );
            }
        }
        let abroad = ep.iter().filter(|&&e| goes_abroad(case, g, e)).count();
        if abroad > 0 {
            f.indicate(&CROSS_BORDER, format!("{abroad} of the transfers are transfers abroad"));
        }
        // Transfer-only evidence (any ledger): near-identical payments, payments just below the
        // reporting threshold.
        amount_evidence(&mut f, case, g, &ep, "payment", p.similar_spread, Some(p.band_low));
        f.txns = TransferId::from_raws(&ep).collect();
        let f = f.finish(case, g);
        ctx.data.rank(f, INDICATORS)
    }
}
