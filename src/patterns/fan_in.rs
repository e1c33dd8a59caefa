//! Fan-in (gather): many distinct senders pay into one account within a window
//! (docs/methodology.md#t-fan-in; AMLSim typology fan_in).
//!
//! Shops, employers and landlords receive from many people, so the count of senders alone is
//! a weak indicator. An investigator looks for what sets a controller apart (
//! docs/methodology.md#indicator-sources, FinCEN 2020 and methodology.md#t-victim-control): a personal account; senders that only pass on money that
//! reached them hours before, often cash paid in at branches in several cities; young sender
//! accounts; senders sharing an address. When the gathered money is scattered on at once, the
//! pattern is reported as gather-scatter instead (see [`super::gather_scatter`]).

use super::common::{
    episodes, funding, is_account_flow, is_new, is_personal, shared_address_count, span_phrase, total, Ratio, DAY, HOUR,
};
use super::context::{amount_evidence, passed_on, Datum, PassBand, BELOW_THRESHOLD, SIMILAR_AMOUNTS};
use super::detector::{DetectCtx, Detector};
use super::finding::Finding;
use super::gather_scatter::{scatter_after, GatherScatterParams};
use super::registry::Typology;
use super::signals::{
    dormant_then_active, new_counterparts, regular_timing, short_lived, split_payments, Events, DORMANT,
    NEW_COUNTERPARTS, REGULAR_TIMING, SHORT_LIVED, SPLIT_PAYMENTS,
};
use crate::model::{AccountId, TransferId};
use crate::model::{Channel, DateTime, NO_CITY};
use rayon::prelude::*;
use rust_decimal::Decimal;
use std::collections::BTreeSet;

crate::params! {
    /// Parameters of [`FanIn`].
    pub struct FanInParams {
        /// Distinct senders that make a candidate within the window: from 2, IBM's "max
        /// 2-degree" fans (docs/methodology.md#t-fan-in); the ranking, not this count, does
        /// the precision work.
        min_senders: usize = 2,
        /// Window length in days (w = 30, AMLSim's look-back; docs/methodology.md#t-fan-in).
        window_days: i64 = 30,
        /// A run of overlapping windows longer than this many days is a steady flow, not a
        /// burst: the candidate is then its busiest `window_days` window (most senders new to
        /// the account), compared with the rest of the account's life (two windows) (project default).
        steady_days: i64 = 60,
        /// A sender "passes on" a payment when inflows of the previous this many hours cover
        /// it (rapid pass-through, Δt <= 48 h, docs/methodology.md#t-pass-through).
        funded_hours: i64 = 48,
        /// Share of a payment the preceding inflows must cover (ρ <= 0.1, docs/methodology.md#t-pass-through;
        /// 0.8 allows for a cut kept by the sender) (project default).
        funded_share: Decimal = Decimal::new(8, 1),
        /// Cities of cash deposits funding the senders that count as dispersed (c >= 3,
        /// docs/methodology.md#t-dispersion).
        min_cities: usize = 3,
        /// An account opened at most this many days before is "new" (short account life,
        /// docs/methodology.md#t-pass-through) (project default).
        new_account_days: i64 = 90,
        /// Payments count as near-identical when every amount lies within this share of their
        /// median (AMLSim alert parameter "amount difference 20 %", docs/methodology.md#src-amlsim).
        similar_spread: Decimal = Decimal::new(2, 1),
        /// Lower edge of the band just below the reporting threshold T, as a share of T: the
        /// indicator fires when every payment lies in [band_low · T, T) (structuring, "each in
        /// [0.8·T, T)", docs/methodology.md#t-structuring).
        band_low: Decimal = Decimal::new(8, 1),
        /// The receiver "passes the money on" when within `funded_hours` after the last payment
        /// it pays out between this share of the gathered sum (ρ <= 0.1, docs/methodology.md#t-pass-through) ...
        pass_share: Decimal = Decimal::new(9, 1),
        /// ... and this share (a little above 1 for a small balance already held) (project default).
        pass_max_share: Decimal = Decimal::new(105, 2),
    }
}

super::context::indicators! {
    /// The indicators of [`FanIn`], their points and the data they need
    /// (`patterns::context`): the only place their points are written.
    pub const INDICATORS + [SIMILAR_AMOUNTS, BELOW_THRESHOLD, NEW_COUNTERPARTS, SPLIT_PAYMENTS, DORMANT, SHORT_LIVED, REGULAR_TIMING];
    /// The structure itself: it makes the candidate, the other indicators make the score.
    MANY_SENDERS = ("many_senders", 0, []);
    PERSONAL_ACCOUNT = ("personal_account", 10, [Datum::Holders]);
    SENDERS_PASS_ON = ("senders_pass_on", 20, []);
    CASH_FUNDED = ("cash_funded", 10, [Datum::Cash]);
    MANY_CITIES = ("many_cities", 10, [Datum::BranchCities]);
    NEW_ACCOUNTS = ("new_accounts", 10, [Datum::OpeningDates]);
    SHARED_ADDRESS = ("shared_address", 15, [Datum::Holders, Datum::Addresses]);
    PASSED_ON = ("passed_on", 15, []);
}

/// The fan-in detector.
#[derive(Default)]
pub struct FanIn {
    /// Parameters.
    pub p: FanInParams,
}

/// Candidate episodes of `edges` (an account's flows in one direction, sorted by time): merged
/// windows of `w` seconds with at least `min` distinct counterparts (`key[e]`); an episode
/// longer than `steady` seconds is a steady flow and is narrowed to its window of `w` seconds
/// with the most first contacts (then the most transfers, then the earliest).
pub(crate) fn candidates(
    ctx: &DetectCtx<'_>,
    edges: &[u32],
    key: &[u32],
    w: i64,
    min: usize,
    steady: i64,
) -> Vec<Vec<u32>> {
    let g = &ctx.graph.flow;
    episodes(edges, &g.time, key, w, min)
        .into_iter()
        .filter_map(|ep| {
            let span = g.time[*ep.last()? as usize].0 - g.time[*ep.first()? as usize].0;
            if span <= steady {
                return Some(ep);
            }
            let (mut best, mut lo, mut firsts) = ((0usize, 0usize, 0usize, 0usize), 0usize, 0usize);
            for hi in 0..ep.len() {
                firsts += ctx.signals.is_first_contact(ep[hi]) as usize;
                while g.time[ep[hi] as usize].0 - g.time[ep[lo] as usize].0 > w {
                    firsts -= ctx.signals.is_first_contact(ep[lo]) as usize;
                    lo += 1;
                }
                let n = hi - lo + 1;
                if (firsts, n) > (best.0, best.1) {
                    best = (firsts, n, lo, hi);
                }
            }
            let window = ep[best.2..=best.3].to_vec();
            let distinct: BTreeSet<u32> = window.iter().map(|&e| key[e as usize]).collect();
            (distinct.len() >= min).then_some(window)
        })
        .collect()
}

impl Detector for FanIn {
    super::detector::detector_parts!(Typology::FanIn);

    /// Per account, a sliding window over incoming account-to-account transfers sorted by
    /// time; overlapping qualifying windows merge into one episode (a steady flow is narrowed
    /// to its busiest window, [`candidates`]). Every episode that is not a gather-scatter's is a
    /// candidate, scored on the indicators.
    ///
    /// # Complexity
    /// O(E) over incoming transfers of every account, plus per episode a window lookup on each
    /// sender; parallel over accounts.
    fn detect(&self, ctx: &DetectCtx<'_>) -> Vec<Finding> {
        let g = &ctx.graph.flow;
        let case = ctx.case;
        let w = self.p.window_days * DAY;
        g.par_accounts()
            .flat_map_iter(|a| {
                if !ctx.budget.rows(a, g.in_edges(a).len() as u64) {
                    return Vec::new();
                }
                let edges: Vec<u32> = g.in_edges(a).iter().copied().filter(|&e| is_account_flow(case, g, e)).collect();
                candidates(ctx, &edges, &g.src, w, self.p.min_senders, self.p.steady_days * DAY)
                    .into_iter()
                    .filter_map(|ep| self.score_episode_with(ctx, a, ep, &ctx.borrowed.gather_scatter))
                    .collect::<Vec<_>>()
            })
            .collect()
    }
}

impl FanIn {
    /// Scores one structural candidate, an episode `ep` of account `a` (its incoming flows in
    /// (time, id) order, as [`Detector::detect`] finds them): the finding, or `None` when the
    /// episode is a gather-scatter's (with gather-scatter's configured parameters). Used by
    /// the distributed engine (feature `distributed`), whose cluster finds the episodes.
    pub fn score_episode(&self, ctx: &DetectCtx<'_>, a: u32, ep: Vec<u32>) -> Option<Finding> {
        self.score_episode_with(ctx, a, ep, &ctx.borrowed.gather_scatter)
    }

    fn score_episode_with(
        &self,
        ctx: &DetectCtx<'_>,
        a: u32,
        ep: Vec<u32>,
        gs: &GatherScatterParams,
    ) -> Option<Finding> {
        // Gather-scatter's rule with its configured parameters (an override reaches it here too).
        if scatter_after(ctx.case, &ctx.graph.flow, a, &ep, gs).is_some() {
            return None;
        }
        Some(self.finding(ctx, a, ep))
    }

    fn finding(&self, ctx: &DetectCtx<'_>, a: u32, ep: Vec<u32>) -> Finding {
        let g = &ctx.graph.flow;
        let case = ctx.case;
        let p = &self.p;
        let senders: Vec<u32> = ep.iter().map(|&e| g.src[e as usize]).collect::<BTreeSet<_>>().into_iter().collect();
        let mut f = Finding::new(self.name());
        f.accounts.push(AccountId::from_raw(a));
        f.accounts.extend(senders.iter().map(|&s| AccountId::from_raw(s)));
        f.indicate(
            &MANY_SENDERS,
            format!("{} distinct senders paid {} {}", senders.len(), total(g, &ep), span_phrase(g, &ep, p.window_days)),
        );
        // Signals any ledger has: senders new to the account against its history and peers,
        // split payments, dormancy, short-lived senders, regular timing.
        new_counterparts(ctx, &mut f, a, &ep, Events::NewIn, "senders");
        split_payments(ctx, &mut f, a, &ep, Events::In);
        let t0 = ep.first().map(|&e| g.time[e as usize]).unwrap_or(DateTime(0));
        dormant_then_active(ctx, &mut f, a, t0.0);
        short_lived(ctx, &mut f, &senders, "senders");
        regular_timing(ctx, &mut f, &ep);
        if is_personal(case, a) {
            f.indicate(&PERSONAL_ACCOUNT, "the receiving account is held by a person");
        }
        // Senders that pass on money received hours before, and where that money came from.
        let mut passing: BTreeSet<u32> = BTreeSet::new();
        let mut cash_cities: BTreeSet<u32> = BTreeSet::new();
        let mut cash_funded = 0usize;
        let share = Ratio::new(p.funded_share);
        for &e in &ep {
            let s = g.src[e as usize];
            if let Some(fund) = funding(g, s, e, p.funded_hours * HOUR, share) {
                passing.insert(s);
                let cash: Vec<u32> = fund
                    .iter()
                    .copied()
                    .filter(|&i| case.transfers.channel[i as usize] == Channel::CashDeposit)
                    .collect();
                if !cash.is_empty() {
                    cash_funded += 1;
                }
                cash_cities
                    .extend(cash.iter().map(|&i| case.transfers.branch_city[i as usize]).filter(|&c| c != NO_CITY));
            }
        }
        if passing.len() * 2 >= senders.len() {
            f.indicate(
                &SENDERS_PASS_ON,
                format!(
                    "{} of {} senders paid on within {} h money they had just received",
                    passing.len(),
                    senders.len(),
                    p.funded_hours
                ),
            );
            if cash_funded * 2 >= ep.len() {
                f.indicate(&CASH_FUNDED, format!("{cash_funded} payments funded by cash deposits"));
            }
        }
        if cash_cities.len() >= p.min_cities {
            f.indicate(
                &MANY_CITIES,
                format!("the cash behind the payments was paid in at {} cities", cash_cities.len()),
            );
        }
        let new = senders.iter().filter(|&&s| is_new(case, s, t0, p.new_account_days)).count();
        if new * 2 >= senders.len() {
            f.indicate(
                &NEW_ACCOUNTS,
                format!("{new} of {} senders opened within {} days before", senders.len(), p.new_account_days),
            );
        }
        let shared = shared_address_count(case, &senders, Some(a));
        if shared >= 2 {
            f.indicate(&SHARED_ADDRESS, format!("{shared} senders share an address with each other or the receiver"));
        }
        // Transfer-only evidence (any ledger): near-identical payments, payments just below the
        // reporting threshold, the gathered money passed straight on.
        amount_evidence(&mut f, case, g, &ep, "payment", p.similar_spread, Some(p.band_low));
        if let Some(&last) = ep.last() {
            let band = PassBand { min: p.pass_share, max: p.pass_max_share };
            if let Some(outs) = passed_on(case, g, a, g.time[last as usize], p.funded_hours, &ep, band, &senders) {
                f.indicate(
                    &PASSED_ON,
                    format!("the receiver paid {} on within {} h of the last payment", total(g, &outs), p.funded_hours),
                );
            }
        }
        f.txns = TransferId::from_raws(&ep).collect();
        let f = f.finish(case, g);
        ctx.data.rank(f, INDICATORS)
    }
}
