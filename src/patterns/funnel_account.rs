//! Funnel account: cash paid in at branches in several cities, then withdrawn or wired away
//! within two days, leaving a low balance (docs/methodology.md#t-funnel-account and methodology.md#t-dispersion; FinCEN FIN-2014-A005,
//! ICE red flags).

use super::common::{episodes, goes_abroad, is_new, is_personal, total_cents, Ratio, DAY};
use super::context::Datum;
use super::detector::{DetectCtx, Detector};
use super::finding::Finding;
use super::registry::Typology;
use crate::model::{AccountId, TransferId};
use crate::model::{Channel, DateTime, NO_CITY};
use rayon::prelude::*;
use rust_decimal::Decimal;
use std::cmp::Ordering;
use std::collections::BTreeSet;

crate::params! {
    /// Parameters of [`FunnelAccount`].
    pub struct FunnelAccountParams {
        /// Distinct cities of the cash deposits (c >= 3, docs/methodology.md#t-funnel-account and methodology.md#t-dispersion).
        min_cities: usize = 3,
        /// Deposits within this many days (c >= 3 per 7 days, docs/methodology.md#t-dispersion).
        window_days: i64 = 7,
        /// Money leaves within this many days of the last deposit (<= 2 days, ICE,
        /// docs/methodology.md#t-funnel-account).
        out_days: i64 = 2,
        /// Largest share of the deposits left behind (end balance < 10 % of throughput,
        /// docs/methodology.md#t-funnel-account).
        max_left_share: Decimal = Decimal::new(1, 1),
        /// An account opened at most this many days before is "new" (short account life,
        /// docs/methodology.md#t-pass-through) (project default).
        new_account_days: i64 = 90,
        /// Findings below this score are not reported: the core pattern plus corroboration
        /// (docs/methodology.md#no-single-indicator, "no single indicator") (project default).
        min_score: u32 = 50,
    }
}

super::context::indicators! {
    /// The indicators of [`FunnelAccount`] and their points, the only place these are written.
    /// It reports on its own rule, not on the data-context threshold of `patterns::context`.
    pub const INDICATORS;
    CASH_MANY_CITIES = ("cash_many_cities", 25, []);
    RAPID_OUT = ("rapid_out", 15, []);
    OUT_ELSEWHERE = ("out_elsewhere", 10, []);
    PERSONAL_ACCOUNT = ("personal_account", 10, [Datum::Holders]);
    NEW_ACCOUNT = ("new_account", 10, [Datum::OpeningDates]);
}

/// The funnel-account detector.
#[derive(Default)]
pub struct FunnelAccount {
    /// Parameters.
    pub p: FunnelAccountParams,
}

impl Detector for FunnelAccount {
    super::detector::detector_parts!(Typology::FunnelAccount);

    /// Per account, a sliding window over cash deposits keyed by branch city (one cash node per
    /// city); each episode with enough cities whose money leaves within `out_days` (all but
    /// `max_left_share`) is one finding.
    ///
    /// # Complexity
    /// O(E) over incoming transfers plus a window lookup per episode; parallel over accounts.
    fn detect(&self, ctx: &DetectCtx<'_>) -> Vec<Finding> {
        let g = &ctx.graph.flow;
        let case = ctx.case;
        let p = &self.p;
        g.par_accounts()
            .flat_map_iter(|a| {
                if !ctx.budget.rows(a, g.in_edges(a).len() as u64) {
                    return Vec::new();
                }
                let cash: Vec<u32> = g
                    .in_edges(a)
                    .iter()
                    .copied()
                    .filter(|&e| {
                        case.transfers.channel[e as usize] == Channel::CashDeposit
                            && case.transfers.branch_city[e as usize] != NO_CITY
                    })
                    .collect();
                episodes(&cash, &g.time, &g.src, p.window_days * DAY, p.min_cities)
                    .into_iter()
                    .filter_map(|ep| self.finding(ctx, a, ep))
                    .collect::<Vec<_>>()
            })
            .collect()
    }
}

impl FunnelAccount {
    /// Scores one structural candidate, an episode `ep` of cash deposits into `a` (in (time,
    /// id) order, as [`Detector::detect`] finds them). Used by the distributed engine.
    pub fn score_episode(&self, ctx: &DetectCtx<'_>, a: u32, ep: Vec<u32>) -> Option<Finding> {
        self.finding(ctx, a, ep)
    }

    fn finding(&self, ctx: &DetectCtx<'_>, a: u32, deps: Vec<u32>) -> Option<Finding> {
        let g = &ctx.graph.flow;
        let case = ctx.case;
        let p = &self.p;
        let first = g.time[*deps.first()? as usize];
        let last = g.time[*deps.last()? as usize];
        let outs: Vec<u32> = g
            .out_between(a, DateTime(first.0 + 1), DateTime(last.0 + p.out_days * DAY))
            .iter()
            .copied()
            .filter(|&e| case.transfers.channel[e as usize] != Channel::Card)
            .collect();
        let sin: Decimal = deps.iter().map(|&e| g.base_of(e as usize)).sum();
        let sout: Decimal = outs.iter().map(|&e| g.base_of(e as usize)).sum();
        // Left behind: deposits less outflows, at most max_left_share of the deposits.
        let sin_c = total_cents(g, &deps);
        let left_c = sin_c - total_cents(g, &outs);
        if outs.is_empty() || Ratio::new(p.max_left_share).cmp_times(left_c, sin_c) == Ordering::Greater {
            return None;
        }
        let kept_pct = Decimal::ONE_HUNDRED * (sin - sout).max(Decimal::ZERO) / sin.max(Decimal::ONE);
        let cities: BTreeSet<u32> = deps.iter().map(|&e| case.transfers.branch_city[e as usize]).collect();
        let mut f = Finding::new(self.name());
        f.accounts.push(AccountId::from_raw(a));
        f.accounts.extend(
            outs.iter().map(|&e| g.dst[e as usize]).filter(|&d| d < g.account_count()).map(AccountId::from_raw),
        );
        f.indicate(
            &CASH_MANY_CITIES,
            format!("{sin} in cash paid in at branches in {} cities within {} days", cities.len(), p.window_days),
        );
        f.indicate(
            &RAPID_OUT,
            format!("{sout} left within {} days of the last deposit ({} % kept)", p.out_days, kept_pct.round_dp(0)),
        );
        let elsewhere = outs.iter().any(|&e| {
            let c = case.transfers.branch_city[e as usize];
            (case.transfers.channel[e as usize] == Channel::CashWithdrawal && c != NO_CITY && !cities.contains(&c))
                || goes_abroad(case, g, e)
        });
        if elsewhere {
            f.indicate(&OUT_ELSEWHERE, "withdrawn in another city or sent abroad");
        }
        if is_personal(case, a) {
            f.indicate(&PERSONAL_ACCOUNT, "the funnel account is held by a person");
        }
        if is_new(case, a, first, p.new_account_days) {
            f.indicate(&NEW_ACCOUNT, format!("opened within {} days before", p.new_account_days));
        }
        f.txns = TransferId::from_raws(&deps).collect();
        f.txns.extend(outs.into_iter().map(TransferId::from_raw));
        let f = f.finish(case, g);
        (f.score >= p.min_score).then_some(f)
    }
}
