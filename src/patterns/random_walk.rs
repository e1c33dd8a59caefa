//! Random walk: money handed on from account to account, each holder passing most of what it
//! received to the next within days, over two hops or more, without a fixed shape: no hub, no
//! return to the start (docs/methodology.md#t-random-walk; AMLSim `RandomTypology` and the
//! RANDOM pattern of IBM AMLworld, methodology.md#src-amlsim).
//!
//! A hop links transfer `e` into account `d` to the transfer `n` out of `d` that passes it on
//! when each is the other's nearest match: `n` is the first qualifying payment out of `d`
//! after `e`, and `e` the last qualifying payment into `d` before `n`. Each transfer then has
//! at most one next and one previous hop, so the links form simple paths: a walk. Busy
//! accounts with many inflows and outflows link only their nearest pairs, which bounds the
//! work and keeps a walk a walk.
//!
//! Walks the layering-chain detector reports (at least three hops, each passed on within its
//! gap and inside its retention band, amounts comparable) are left to it, and a walk whose
//! money comes back to where it started is a cycle, left to the cycle detector: the same
//! transfers never stand in two findings under two typologies.

use super::common::{in_band, is_account_flow, is_new, is_personal, Ratio, DAY, HOUR, NOT_COMPARED};
use super::context::Datum;
use super::detector::{DetectCtx, Detector};
use super::finding::Finding;
use super::registry::Typology;
use super::signals::{short_lived, SHORT_LIVED};
use crate::model::DateTime;
use crate::model::{AccountId, TransferId};
use rayon::prelude::*;
use rust_decimal::Decimal;

crate::params! {
    /// Parameters of [`RandomWalk`].
    pub struct RandomWalkParams {
        /// Fewest hops: three, two intermediaries. A single intermediary passing money on is
        /// rapid pass-through (docs/methodology.md#t-pass-through), which every scatter-gather,
        /// stack and fan also contains; as a walk of its own it floods the list (measured,
        /// docs/methodology.md#t-random-walk).
        min_hops: usize = 3,
        /// Largest delay between receiving and passing on, in hours: 7 days, the longest gap
        /// between the hops of a layering chain (docs/methodology.md#t-layering-chain); AMLSim
        /// draws each hop of a random walk at a random step of the alert period
        /// (methodology.md#t-random-walk).
        max_gap_hours: i64 = 168,
        /// First to last hop within this many days: AMLSim's 30-day look-back
        /// (docs/methodology.md#src-amlsim).
        window_days: i64 = 30,
        /// Least share of the incoming hop passed on: "most of the money", more than half
        /// (docs/methodology.md#t-random-walk; AMLSim draws hop amounts at random).
        min_retention: Decimal = Decimal::new(5, 1),
        /// Largest share passed on: the cycle detector's 1/0.8, room for a hop topped up or
        /// converted at another rate (docs/methodology.md#t-cycle).
        max_retention: Decimal = Decimal::new(125, 2),
        /// Every hop within this many hours counts as "within hours" (Δt <= 48 h,
        /// docs/methodology.md#t-pass-through) (project default).
        fast_hours: i64 = 48,
        /// Each hop at least this share of the previous counts as "amount kept": the
        /// intermediary keeps at most AMLSim's 10 % margin (docs/methodology.md#src-amlsim).
        kept_retention: Decimal = Decimal::new(9, 1),
        /// An account opened at most this many days before is "new" (short account life,
        /// docs/methodology.md#t-pass-through) (project default).
        new_account_days: i64 = 90,
    }
}

super::context::indicators! {
    /// The indicators of [`RandomWalk`], their points and the data they need
    /// (`patterns::context`): the only place their points are written.
    pub const INDICATORS + [SHORT_LIVED];
    /// The structure itself: it makes the candidate, the other indicators make the score.
    WALK = ("walk", 0, []);
    WITHIN_HOURS = ("within_hours", 15, []);
    AMOUNT_KEPT = ("amount_kept", 15, []);
    NEW_RELATIONS = ("new_relations", 15, []);
    PERSONAL_INTERMEDIARIES = ("personal_intermediaries", 10, [Datum::Holders]);
    NEW_ACCOUNTS = ("new_accounts", 15, [Datum::OpeningDates]);
    LARGE_AMOUNT = ("large_amount", 10, []);
}

/// The random-walk detector.
#[derive(Default)]
pub struct RandomWalk {
    /// Parameters.
    pub p: RandomWalkParams,
}

/// No link.
const NONE: u32 = u32::MAX;

impl Detector for RandomWalk {
    super::detector::detector_parts!(Typology::RandomWalk);

    /// 1. For every account-to-account transfer `e` into `d`, the first payment out of `d`
    ///    within `max_gap_hours` that passes on a share in the retention band (or whose amount
    ///    cannot be compared without a rate: linked on its structure, and said), not straight
    ///    back to the payer; and for every transfer `n` out of `d`, the last such payment in.
    ///    Both in parallel.
    /// 2. A hop `e → n` when each is the other's choice: at most one next and one previous
    ///    hop per transfer, so the hops form simple paths.
    /// 3. Every path from a transfer with no previous hop, cut where it would leave the
    ///    window; paths of at least `min_hops` that neither return to their start nor are
    ///    layering chains become findings.
    ///
    /// # Complexity
    /// O(E + C) for C candidate transfers examined: each transfer scans its receiver's
    /// outflows (its payer's inflows) in the gap until the first match. On a hub C grows with
    /// its transfers per gap, so C is charged to the run's row budget ([`super::budget`]), and
    /// the four links per transfer (16 bytes) to its memory budget.
    fn detect(&self, ctx: &DetectCtx<'_>) -> Vec<Finding> {
        let g = &ctx.graph.flow;
        let case = ctx.case;
        let p = &self.p;
        let (lo, hi) = (Ratio::new(p.min_retention), Ratio::new(p.max_retention));
        let gap = p.max_gap_hours * HOUR;
        let m = g.edge_count();
        if m == 0 || !ctx.budget.hold(None, 16 * m as u64) {
            return Vec::new();
        }
        let hop = |e: u32, n: u32| {
            g.src[n as usize] == g.dst[e as usize]
                && g.dst[n as usize] != g.src[e as usize]
                && is_account_flow(case, g, n)
                && in_band(case, g, e, n, lo, hi) != Some(false)
        };
        // Step 1: each transfer's choice of next hop, and of previous hop.
        let next: Vec<u32> = (0..m as u32)
            .into_par_iter()
            .map(|e| {
                if !is_account_flow(case, g, e) {
                    return NONE;
                }
                let (d, t) = (g.dst[e as usize], g.time[e as usize]);
                let out = g.out_between(d, DateTime(t.0 + 1), DateTime(t.0 + gap));
                let at = out.iter().position(|&n| hop(e, n));
                if !ctx.budget.rows(d, at.map_or(out.len(), |i| i + 1) as u64) {
                    return NONE;
                }
                at.map_or(NONE, |i| out[i])
            })
            .collect();
        let prev: Vec<u32> = (0..m as u32)
            .into_par_iter()
            .map(|n| {
                if !is_account_flow(case, g, n) {
                    return NONE;
                }
                let (s, t) = (g.src[n as usize], g.time[n as usize]);
                let ins = g.in_between(s, DateTime(t.0 - gap), DateTime(t.0 - 1));
                let at = ins.iter().rposition(|&e| is_account_flow(case, g, e) && hop(e, n));
                if !ctx.budget.rows(s, (ins.len() - at.unwrap_or(0)) as u64) {
                    return NONE;
                }
                at.map_or(NONE, |i| ins[i])
            })
            .collect();
        if ctx.budget.spent() {
            return Vec::new();
        }
        // Step 2: mutual choices only.
        let link = |e: u32| {
            let n = next[e as usize];
            (n != NONE && prev[n as usize] == e).then_some(n)
        };
        let has_prev = |n: u32| {
            let e = prev[n as usize];
            e != NONE && next[e as usize] == n
        };
        // Step 3: walk every path from its first hop, in transfer order.
        let window = p.window_days * DAY;
        let starts: Vec<u32> = (0..m as u32).filter(|&e| link(e).is_some() && !has_prev(e)).collect();
        let walks: Vec<Vec<u32>> = starts
            .par_iter()
            .flat_map_iter(|&e0| {
                let mut out: Vec<Vec<u32>> = Vec::new();
                let mut cur = vec![e0];
                let mut e = e0;
                while let Some(n) = link(e) {
                    if g.time[n as usize].0 - g.time[cur[0] as usize].0 > window {
                        out.push(std::mem::replace(&mut cur, vec![n]));
                    } else {
                        cur.push(n);
                    }
                    e = n;
                }
                out.push(cur);
                out
            })
            .collect();
        walks
            .into_par_iter()
            .filter(|w| w.len() >= p.min_hops && !self.is_cycle(ctx, w) && !self.is_layering(ctx, w))
            .filter_map(|w| self.finding(ctx, w))
            .collect()
    }
}

impl RandomWalk {
    /// True when the walk's money ends where it began, or passes twice through one account:
    /// a cycle (docs/methodology.md#t-cycle), the cycle detector's.
    fn is_cycle(&self, ctx: &DetectCtx<'_>, w: &[u32]) -> bool {
        let g = &ctx.graph.flow;
        let mut seen: Vec<u32> = w.iter().map(|&e| g.src[e as usize]).collect();
        seen.push(g.dst[*w.last().unwrap_or(&0) as usize]);
        seen.sort_unstable();
        seen.windows(2).any(|x| x[0] == x[1])
    }

    /// True when the layering-chain detector, with its configured parameters (an override of
    /// `layering_chain.*` reaches this rule too, [`super::detector::BorrowedParams`]), links
    /// every hop of the walk and the walk is long enough for it: that detector reports it.
    fn is_layering(&self, ctx: &DetectCtx<'_>, w: &[u32]) -> bool {
        let l = &ctx.borrowed.layering_chain;
        let g = &ctx.graph.flow;
        let (lo, hi) = (Ratio::new(l.min_retention), Ratio::new(l.max_retention));
        w.len() >= l.min_hops
            && w.windows(2).all(|x| {
                g.time[x[1] as usize].0 - g.time[x[0] as usize].0 <= l.max_gap_hours * HOUR
                    && in_band(ctx.case, g, x[0], x[1], lo, hi) == Some(true)
            })
    }

    fn finding(&self, ctx: &DetectCtx<'_>, w: Vec<u32>) -> Option<Finding> {
        let g = &ctx.graph.flow;
        let case = ctx.case;
        let p = &self.p;
        let first = *w.first()?;
        let last = *w.last()?;
        let mids: Vec<u32> = w[1..].iter().map(|&e| g.src[e as usize]).collect();
        let mut f = Finding::new(self.name());
        f.accounts.extend(w.iter().map(|&e| AccountId::from_raw(g.src[e as usize])));
        f.accounts.push(AccountId::from_raw(g.dst[last as usize]));
        let days = (g.time[last as usize].0 - g.time[first as usize].0) as f64 / DAY as f64;
        let gaps: Vec<i64> = w.windows(2).map(|x| g.time[x[1] as usize].0 - g.time[x[0] as usize].0).collect();
        let slowest = gaps.iter().copied().max().unwrap_or(0);
        f.indicate(
            &WALK,
            format!(
                "{}-hop walk from {} to {}: {} intermediaries each passed on {:.0} % to {:.0} % of what arrived \
                 within {} h, over {days:.1} days",
                w.len(),
                case.accounts.rows[g.src[first as usize] as usize].id,
                case.accounts.rows[g.dst[last as usize] as usize].id,
                mids.len(),
                (p.min_retention * Decimal::ONE_HUNDRED).round_dp(0),
                (p.max_retention * Decimal::ONE_HUNDRED).round_dp(0),
                p.max_gap_hours
            ),
        );
        if slowest <= p.fast_hours * HOUR {
            f.indicate(
                &WITHIN_HOURS,
                format!("every intermediary passed the money on within {:.1} h", slowest as f64 / HOUR as f64),
            );
        }
        let (kept, one) = (Ratio::new(p.kept_retention), Ratio::new(Decimal::new(125, 2)));
        let kept: Option<Vec<bool>> = w.windows(2).map(|x| in_band(case, g, x[0], x[1], kept, one)).collect();
        match kept {
            Some(v) if v.iter().all(|&k| k) => f.indicate(
                &AMOUNT_KEPT,
                format!(
                    "each hop at least {:.0} % of the previous: the intermediaries kept little or nothing",
                    (p.kept_retention * Decimal::ONE_HUNDRED).round_dp(0)
                ),
            ),
            None => f.note(NOT_COMPARED),
            _ => {}
        }
        if w.iter().all(|&e| ctx.signals.is_first_contact(e)) {
            f.indicate(&NEW_RELATIONS, "every hop is the first transfer between its two accounts");
        }
        if mids.iter().all(|&a| is_personal(case, a)) {
            f.indicate(&PERSONAL_INTERMEDIARIES, "every intermediary is a personal account");
        }
        let t0 = g.time[first as usize];
        let new = mids.iter().filter(|&&a| is_new(case, a, t0, p.new_account_days)).count();
        if new * 2 >= mids.len().max(1) {
            f.indicate(
                &NEW_ACCOUNTS,
                format!("{new} of {} intermediaries opened within {} days before", mids.len(), p.new_account_days),
            );
        }
        if g.has_base(first) && g.base_of(first as usize) >= case.meta.cash_report.amount {
            f.indicate(&LARGE_AMOUNT, "the first hop is at least the reporting threshold");
        }
        short_lived(ctx, &mut f, &mids, "intermediaries");
        f.total = if g.has_base(first) { g.base_of(first as usize) } else { Decimal::ZERO };
        f.txns = TransferId::from_raws(&w).collect();
        let f = f.finish(case, g);
        Some(ctx.data.rank(f, INDICATORS))
    }
}
