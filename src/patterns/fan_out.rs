//! Fan-out (scatter): one account pays many distinct receivers within a window
//! (docs/domain.md §1.3 #5; AMLSim typology fan_out).
//!
//! Employers pay salaries and foreign senders remit to many people, so the count of receivers
//! alone is weak. Corroboration: a personal account, a burst far above the account's usual
//! outflow, transfers abroad (docs/domain.md §1.3 #14). Receivers that pass the money on to a
//! common destination are scatter-gather intermediaries ([`super::scatter_gather`]) and are
//! not counted here.

use super::common::{episodes, goes_abroad, holder, is_account_flow, is_personal, span_phrase, total, Ratio, DAY};
use super::context::{amount_evidence, burst, Datum, BELOW_THRESHOLD, SIMILAR_AMOUNTS};
use super::detector::{DetectCtx, Detector};
use super::finding::Finding;
use super::registry::Typology;
use super::scatter_gather::onward;
use crate::model::EntityKind;
use rayon::prelude::*;
use rust_decimal::Decimal;
use std::collections::{BTreeSet, HashMap};

crate::params! {
    /// Parameters of [`FanOut`].
    pub struct FanOutParams {
        /// Distinct receivers needed within the window (n >= 5, docs/domain.md §1.3 #5, AMLSim).
        min_receivers: usize = 5,
        /// Window length in days (w = 30, AMLSim look-back, docs/domain.md §1.3 #5).
        window_days: i64 = 30,
        /// The episode's total counts as a burst when it exceeds this multiple of the account's
        /// average outflow per window over its active life [D].
        burst_factor: Decimal = Decimal::new(3, 0),
        /// Payments count as near-identical when every amount lies within this share of their
        /// median (AMLSim alert parameter "amount difference 20 %", docs/domain.md §1.2).
        similar_spread: Decimal = Decimal::new(2, 1),
        /// Lower edge of the band just below the reporting threshold T, as a share of T: the
        /// indicator fires when every payment lies in [band_low · T, T) (structuring, "each in
        /// [0.8·T, T)", docs/domain.md §1.3 #1).
        band_low: Decimal = Decimal::new(8, 1),
        /// Findings below this score are not reported: the core pattern plus corroboration
        /// (docs/domain.md §0, "no single indicator") [D]. Applied to the indicators this case
        /// can evaluate (`patterns::context`).
        min_score: u32 = 50,
    }
}

super::context::indicators! {
    /// The indicators of [`FanOut`], their points and the data they need
    /// (`patterns::context`): the only place their points are written.
    pub const INDICATORS + [SIMILAR_AMOUNTS, BELOW_THRESHOLD];
    MANY_RECEIVERS = ("many_receivers", 25, []);
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
    /// cash, no own-account moves); overlapping qualifying windows merge into one episode.
    /// Transfers to scatter-gather intermediaries are dropped, the rest re-checked and scored.
    ///
    /// # Complexity
    /// O(E) over outgoing transfers, plus per episode a window lookup on each receiver;
    /// parallel over accounts.
    fn detect(&self, ctx: &DetectCtx<'_>) -> Vec<Finding> {
        let g = &ctx.graph.flow;
        let case = ctx.case;
        let w = self.p.window_days * DAY;
        // Scatter-gather's rule with its configured parameters (an override reaches it here too).
        let sg = &ctx.borrowed.scatter_gather;
        let (sg_min, sg_max) = (Ratio::new(sg.min_retention), Ratio::new(sg.max_retention));
        g.par_accounts()
            .flat_map_iter(|a| {
                // A person paying companies is paying bills and purchases: only payments to
                // other persons or abroad (unknown holders) spread a person's money.
                if !ctx.budget.rows(a, g.out_edges(a).len() as u64) {
                    return Vec::new();
                }
                let personal = is_personal(case, a);
                let to_company =
                    |e: u32| holder(case, g.dst[e as usize]).is_some_and(|h| h.kind == EntityKind::Company);
                let edges: Vec<u32> = g
                    .out_edges(a)
                    .iter()
                    .copied()
                    .filter(|&e| is_account_flow(case, g, e) && !(personal && to_company(e)))
                    .collect();
                let mut out = Vec::new();
                for ep in episodes(&edges, &g.time, &g.dst, w, self.p.min_receivers) {
                    // Receivers passing the money on to a destination shared with another
                    // receiver are the middle of a scatter-gather, not ends of a fan-out.
                    let mut by_dest: HashMap<u32, BTreeSet<u32>> = HashMap::new();
                    for &e in &ep {
                        for (d, _) in onward(case, g, e, sg.window_days * DAY, sg_min, sg_max) {
                            by_dest.entry(d).or_default().insert(g.dst[e as usize]);
                        }
                    }
                    let mids: BTreeSet<u32> = by_dest.into_values().filter(|m| m.len() >= 2).flatten().collect();
                    let kept: Vec<u32> = ep.into_iter().filter(|&e| !mids.contains(&g.dst[e as usize])).collect();
                    for sub in episodes(&kept, &g.time, &g.dst, w, self.p.min_receivers) {
                        if let Some(f) = self.finding(ctx, &edges, a, sub) {
                            out.push(f);
                        }
                    }
                }
                out
            })
            .collect()
    }
}

impl FanOut {
    fn finding(&self, ctx: &DetectCtx<'_>, all: &[u32], a: u32, ep: Vec<u32>) -> Option<Finding> {
        let g = &ctx.graph.flow;
        let case = ctx.case;
        let p = &self.p;
        let receivers: BTreeSet<u32> = ep.iter().map(|&e| g.dst[e as usize]).collect();
        let sum = total(g, &ep);
        let mut f = Finding::new(self.name());
        f.accounts.push(a);
        f.accounts.extend(receivers.iter().copied());
        f.indicate(
            &MANY_RECEIVERS,
            format!("{} distinct receivers got {sum} {}", receivers.len(), span_phrase(g, &ep, p.window_days)),
        );
        if is_personal(case, a) {
            f.indicate(&PERSONAL_ACCOUNT, "the paying account is held by a person");
        }
        // Burst: the episode against the account's average outflow per window over the rest of
        // its recorded activity; an account with no other activity in the data is not a burst.
        if let Some(avg) = burst(g, all, &ep, p.window_days, p.burst_factor) {
            f.indicate(
                &BURST,
                format!("{sum} paid out, above {}x the account's average of {avg} per window", p.burst_factor),
            );
        }
        let abroad = ep.iter().filter(|&&e| goes_abroad(case, g, e)).count();
        if abroad > 0 {
            f.indicate(&CROSS_BORDER, format!("{abroad} of the transfers are transfers abroad"));
        }
        // Transfer-only evidence (any ledger): near-identical payments, payments just below the
        // reporting threshold.
        amount_evidence(&mut f, case, g, &ep, "payment", p.similar_spread, Some(p.band_low));
        f.txns = ep;
        let f = f.finish(case, &g.base);
        ctx.data.report(f, p.min_score, INDICATORS)
    }
}
