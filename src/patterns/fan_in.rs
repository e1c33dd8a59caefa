//! Fan-in (gather): many distinct senders pay into one account within a window
//! (docs/domain.md §1.3 #4; AMLSim typology fan_in).
//!
//! Shops, employers and landlords receive from many people, so the count of senders alone is
//! a weak indicator. An investigator looks for what sets a controller apart (docs/domain.md
//! §1.1, FinCEN 2020 and §1.3 #10): a personal account; senders that only pass on money that
//! reached them hours before, often cash paid in at branches in several cities; young sender
//! accounts; senders sharing an address. When the gathered money is scattered on at once, the
//! pattern is reported as gather-scatter instead (see [`super::gather_scatter`]).

use super::common::{
    episodes, funding, is_account_flow, is_new, is_personal, shared_address_count, span_phrase, total, Ratio, DAY, HOUR,
};
use super::context::{amount_evidence, passed_on, Datum, PassBand, BELOW_THRESHOLD, SIMILAR_AMOUNTS};
use super::detector::{DetectCtx, Detector};
use super::finding::Finding;
use super::gather_scatter::scatter_after;
use super::registry::Typology;
use crate::model::{Channel, DateTime, NO_CITY};
use rayon::prelude::*;
use rust_decimal::Decimal;
use std::collections::BTreeSet;

crate::params! {
    /// Parameters of [`FanIn`].
    pub struct FanInParams {
        /// Distinct senders needed within the window (n >= 5, docs/domain.md §1.3 #4, AMLSim).
        min_senders: usize = 5,
        /// Window length in days (w = 30, AMLSim look-back, docs/domain.md §1.3 #4).
        window_days: i64 = 30,
        /// An episode of merged windows longer than this many days is a steady flow, not a
        /// burst: the account collects from many senders all the time (a shop, a landlord, a
        /// payroll account), so the count of senders earns no points and only corroboration can
        /// report it (docs/domain.md §0, "contextual information matters"; 6 windows) [D].
        steady_days: i64 = 180,
        /// A sender "passes on" a payment when inflows of the previous this many hours cover
        /// it (rapid pass-through, Δt <= 48 h, docs/domain.md §1.3 #3).
        funded_hours: i64 = 48,
        /// Share of a payment the preceding inflows must cover (ρ <= 0.1, docs/domain.md §1.3 #3;
        /// 0.8 allows for a cut kept by the sender) [D].
        funded_share: Decimal = Decimal::new(8, 1),
        /// Cities of cash deposits funding the senders that count as dispersed (c >= 3,
        /// docs/domain.md §1.3 #13).
        min_cities: usize = 3,
        /// An account opened at most this many days before is "new" (short account life,
        /// docs/domain.md §1.3 #3) [D].
        new_account_days: i64 = 90,
        /// Payments count as near-identical when every amount lies within this share of their
        /// median (AMLSim alert parameter "amount difference 20 %", docs/domain.md §1.2).
        similar_spread: Decimal = Decimal::new(2, 1),
        /// Lower edge of the band just below the reporting threshold T, as a share of T: the
        /// indicator fires when every payment lies in [band_low · T, T) (structuring, "each in
        /// [0.8·T, T)", docs/domain.md §1.3 #1).
        band_low: Decimal = Decimal::new(8, 1),
        /// The receiver "passes the money on" when within `funded_hours` after the last payment
        /// it pays out between this share of the gathered sum (ρ <= 0.1, docs/domain.md §1.3 #3) ...
        pass_share: Decimal = Decimal::new(9, 1),
        /// ... and this share (a little above 1 for a small balance already held) [D].
        pass_max_share: Decimal = Decimal::new(105, 2),
        /// Findings below this score are not reported: the core pattern plus corroboration
        /// (docs/domain.md §0, "no single indicator") [D]. Applied to the indicators this case
        /// can evaluate (`patterns::context`).
        min_score: u32 = 50,
    }
}

super::context::indicators! {
    /// The indicators of [`FanIn`], their points and the data they need
    /// (`patterns::context`): the only place their points are written.
    pub const INDICATORS + [SIMILAR_AMOUNTS, BELOW_THRESHOLD];
    MANY_SENDERS = ("many_senders", 25, []);
    /// `many_senders` on an episode longer than `steady_days`: a steady flow, not a burst, so it
    /// is stated and earns no points.
    MANY_SENDERS_STEADY = ("many_senders", 0, []);
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

impl Detector for FanIn {
    super::detector::detector_parts!(Typology::FanIn);

    /// Per account, a sliding window over incoming account-to-account transfers sorted by
    /// time; overlapping qualifying windows merge into one episode. Each episode is scored on
    /// the corroborating indicators and reported when it reaches `min_score`.
    ///
    /// # Complexity
    /// O(E) over incoming transfers of every account, plus per episode a window lookup on each
    /// sender; parallel over accounts.
    fn detect(&self, ctx: &DetectCtx<'_>) -> Vec<Finding> {
        let g = &ctx.graph.flow;
        let case = ctx.case;
        let w = self.p.window_days * DAY;
        // Gather-scatter's rule with its configured parameters (an override reaches it here too).
        let gs = &ctx.borrowed.gather_scatter;
        g.par_accounts()
            .flat_map_iter(|a| {
                if !ctx.budget.rows(a, g.in_edges(a).len() as u64) {
                    return Vec::new();
                }
                let edges: Vec<u32> = g.in_edges(a).iter().copied().filter(|&e| is_account_flow(case, g, e)).collect();
                episodes(&edges, &g.time, &g.src, w, self.p.min_senders)
                    .into_iter()
                    .filter(|ep| scatter_after(case, g, a, ep, gs).is_none())
                    .filter_map(|ep| self.finding(ctx, a, ep))
                    .collect::<Vec<_>>()
            })
            .collect()
    }
}

impl FanIn {
    fn finding(&self, ctx: &DetectCtx<'_>, a: u32, ep: Vec<u32>) -> Option<Finding> {
        let g = &ctx.graph.flow;
        let case = ctx.case;
        let p = &self.p;
        let senders: Vec<u32> = ep.iter().map(|&e| g.src[e as usize]).collect::<BTreeSet<_>>().into_iter().collect();
        let mut f = Finding::new(self.name());
        f.accounts.push(a);
        f.accounts.extend(senders.iter().copied());
        let span = match (ep.first(), ep.last()) {
            (Some(&x), Some(&y)) => g.time[y as usize].0 - g.time[x as usize].0,
            _ => 0,
        };
        let steady = span > p.steady_days * DAY;
        f.indicate(
            if steady { &MANY_SENDERS_STEADY } else { &MANY_SENDERS },
            format!(
                "{} distinct senders paid {} {}{}",
                senders.len(),
                total(g, &ep),
                span_phrase(g, &ep, p.window_days),
                if steady { " (a steady flow longer than steady_days, not a burst: no points)" } else { "" }
            ),
        );
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
        let t0 = ep.first().map(|&e| g.time[e as usize]).unwrap_or(DateTime(0));
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
        // reporting threshold, the gathered money passed straight on. No burst indicator: many
        // senders in one window already is more inflow than usual (on AMLSim's fanin200 a burst
        // fired in 2,956 of 2,971 candidates, most of them benign; docs/evaluation.md).
        amount_evidence(&mut f, case, g, &ep, "payment", p.similar_spread, Some(p.band_low));
        if let Some(&last) = ep.last() {
            let got = super::common::total_cents(g, &ep);
            let band = PassBand { min: p.pass_share, max: p.pass_max_share };
            if let Some(outs) = passed_on(case, g, a, g.time[last as usize], p.funded_hours, got, band, &senders) {
                f.indicate(
                    &PASSED_ON,
                    format!("the receiver paid {} on within {} h of the last payment", total(g, &outs), p.funded_hours),
                );
            }
        }
        f.txns = ep;
        let f = f.finish(case, &g.base);
        ctx.data.report(f, p.min_score, INDICATORS)
    }
}
