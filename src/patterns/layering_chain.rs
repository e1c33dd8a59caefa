//! Layering chain / rapid pass-through: money forwarded from account to account, each mule
//! passing on most of what arrived within hours, over at least three hops
//! (docs/methodology.md#t-pass-through and methodology.md#t-layering-chain; AMLSim `StackTypology`).
//! Its many-path form is the stack: several sources paying intermediaries who pass the money
//! on, two or more layers deep, the chains joined through the accounts they share; a stack of
//! two-hop chains with at least `min_sources` sources and as many intermediaries is one
//! finding. Each hop must be shown to conserve the amount: one that cannot be compared
//! without a rate links no chain here (the random-walk detector may still report it).
//!
//! A chain whose money comes back to the account it started from is a cycle (
//! docs/methodology.md#t-cycle: "directed cycle A → … → A"; #9 is a path that moves the money on), reported by the
//! cycle or round-tripping detector; it is left out here, as the cycle detector leaves cycles
//! through the originator's companies to round-tripping. Otherwise the same transfers would
//! stand in two findings under two typologies.

use super::common::{in_band, is_account_flow, is_new, is_personal, Band, Ratio, DAY, HOUR};
use super::context::Datum;
use super::detector::{BorrowedParams, DetectCtx, Detector};
use super::finding::Finding;
use super::registry::Typology;
use crate::model::DateTime;
use crate::model::{AccountId, TransferId};
use rayon::prelude::*;
use rust_decimal::Decimal;
use std::collections::BTreeMap;

crate::params! {
    /// Parameters of [`LayeringChain`].
    pub struct LayeringChainParams {
        /// Fewest hops (path length >= 3, docs/methodology.md#t-layering-chain).
        min_hops: usize = 3,
        /// A component of two-hop chains is a stack of parallel chains, one finding, when it
        /// has at least this many sources and as many intermediaries: AMLSim's stack of
        /// bipartite layers, "several sources, two or three layers"
        /// (docs/methodology.md#t-layering-chain).
        min_sources: usize = 2,
        /// Largest delay between receiving and passing on, in hours (Δt <= 48 h,
        /// docs/methodology.md#t-pass-through). methodology.md#t-layering-chain allows up to 7 days between the hops of a
        /// layering chain; measured with `defer_cycles`, 168 h reports the same findings as
        /// 48 h on generated cases, IBM and AMLSim (no gain) and adds weak chains below the
        /// threshold (1 -> 24 on 23 generated seeds), so 48 h stays (docs/evaluation.md,
        /// "Layering chain: 48 h or 7 days").
        max_gap_hours: i64 = 48,
        /// Least share of the incoming hop passed on (Σout ≈ Σin (1 − ρ), ρ <= 0.1,
        /// docs/methodology.md#t-pass-through, with room for fees) (project default).
        min_retention: Decimal = Decimal::new(85, 2),
        /// Largest share passed on (no money added on the way) (project default).
        max_retention: Decimal = Decimal::ONE,
        /// Every hop within this many hours counts as "within hours" (FinCEN: "immediately
        /// withdrawn or transferred", docs/methodology.md#t-pass-through) (project default).
        fast_hours: i64 = 12,
        /// Each hop at least this share of the previous counts as "amount kept": the
        /// intermediary keeps at most AMLSim's 10 % margin (docs/methodology.md#src-amlsim), as
        /// for the random walk (`random.kept_retention`).
        kept_retention: Decimal = Decimal::new(9, 1),
        /// An account opened at most this many days before is "new" (short account life,
        /// docs/methodology.md#t-pass-through) (project default).
        new_account_days: i64 = 90,
        /// Leave a chain to the cycle detector when its money returns to where it started
        /// (docs/methodology.md#t-cycle against #9; module documentation). `false` reports such
        /// chains as well (project default).
        defer_cycles: bool = true,
        /// The closing transfer (the return, or the earlier payment from the chain's last
        /// account to its first) and the chain must fit in this many days: the cycle
        /// detector's window (`cycle.window_days`; window <= 90 days, docs/methodology.md#t-cycle;
        /// AMLSim's 30-day look-back, methodology.md#src-amlsim) (project default).
        return_window_days: i64 = 30,
        /// The return must carry at least this share of the chain's last hop (the chain's
        /// first hop at least this share of an earlier payment): the cycle detector's band (`cycle.min_retention`; AMLSim's 10 % margin with room for a larger
        /// cut, docs/methodology.md#src-amlsim and methodology.md#t-cycle) (project default).
        return_min_retention: Decimal = Decimal::new(8, 1),
    }
}

super::context::indicators! {
    /// The indicators of [`LayeringChain`], their points and the data they need
    /// (`patterns::context`): the only place their points are written.
    pub const INDICATORS;
    /// The structure itself: it makes the candidate, the other indicators make the score
    /// (docs/ranking.md, "Rank, do not gate").
    PASS_THROUGH_CHAIN = ("pass_through_chain", 0, []);
    WITHIN_HOURS = ("within_hours", 15, []);
    AMOUNT_KEPT = ("amount_kept", 15, []);
    NEW_RELATIONS = ("new_relations", 15, []);
    PERSONAL_INTERMEDIARIES = ("personal_intermediaries", 10, [Datum::Holders]);
    NEW_ACCOUNTS = ("new_accounts", 15, [Datum::OpeningDates]);
    LARGE_AMOUNT = ("large_amount", 10, []);
}

/// The layering-chain detector.
#[derive(Default)]
pub struct LayeringChain {
    /// Parameters.
    pub p: LayeringChainParams,
}

/// Bytes one successor link holds in the link list (charged to the memory budget).
const LINK_BYTES: u64 = 8;

fn find(parent: &mut [u32], mut x: u32) -> u32 {
    while parent[x as usize] != x {
        parent[x as usize] = parent[parent[x as usize] as usize];
        x = parent[x as usize];
    }
    x
}

impl Detector for LayeringChain {
    super::detector::detector_parts!(Typology::LayeringChain);

    fn lend(&self, to: &mut BorrowedParams) {
        to.layering_chain = self.p.clone();
    }

    /// 1. For every account-to-account transfer, its successors: transfers out of the receiver
    ///    within `max_gap_hours` carrying a share in the retention band (parallel).
    /// 2. Longest chain ending at and starting from every transfer, by dynamic programming in
    ///    time order (successors are strictly later, so the relation is acyclic).
    /// 3. Transfers on a chain of at least two hops, joined through their successor links and
    ///    through the accounts they share within the gap (the parallel chains of a stack)
    ///    into components; a component with a chain of `min_hops` hops, or a stack
    ///    (`min_sources` sources and intermediaries), is one finding.
    ///
    /// # Complexity
    /// O(E log d + C + S) for C candidate successors examined and S successor links kept, plus
    /// a sort of the linked transfers by time. On a hub C grows with the square of its
    /// transfers per window, so C is charged to the run's row budget and S to its memory
    /// budget ([`super::budget`]): the detector stops, naming the hub, instead of exhausting
    /// memory.
    fn detect(&self, ctx: &DetectCtx<'_>) -> Vec<Finding> {
        let g = &ctx.graph.flow;
        let case = ctx.case;
        let p = &self.p;
        let (min_ret, max_ret) = (Ratio::new(p.min_retention), Ratio::new(p.max_retention));
        let gap = p.max_gap_hours * HOUR;
        let links: Vec<(u32, u32)> = (0..g.edge_count() as u32)
            .into_par_iter()
            .flat_map_iter(|e| {
                let mut out = Vec::new();
                if is_account_flow(case, g, e) {
                    let (s, d, t) = (g.src[e as usize], g.dst[e as usize], g.time[e as usize]);
                    let candidates = g.out_between(d, DateTime(t.0 + 1), DateTime(t.0 + gap));
                    if !ctx.budget.rows(d, candidates.len() as u64) {
                        return out;
                    }
                    // The amount must be shown to be conserved: a hop whose amount cannot be
                    // compared without a rate links no chain (a walk may still hold it,
                    // `random_walk`).
                    for &n in candidates {
                        if g.dst[n as usize] != s
                            && is_account_flow(case, g, n)
                            && in_band(case, g, e, n, min_ret, max_ret) == Some(true)
                        {
                            out.push((e, n));
                        }
                    }
                    if !out.is_empty() && !ctx.budget.hold(Some(d), LINK_BYTES * out.len() as u64) {
                        out.clear();
                    }
                }
                out
            })
            .collect();
        self.score_links(ctx, links)
    }
}

impl LayeringChain {
    /// Chains from successor links `(e, n)` (transfer `n` out of `e`'s receiver passes `e` on,
    /// in the order [`Detector::detect`] finds them: by `e`, then `n` in (time, id) order): the
    /// longest chains through each transfer, their components, each component one finding.
    /// Used by the distributed engine too, whose cluster finds the links.
    pub(crate) fn score_links(&self, ctx: &DetectCtx<'_>, links: Vec<(u32, u32)>) -> Vec<Finding> {
        let g = &ctx.graph.flow;
        let p = &self.p;
        let gap = p.max_gap_hours * HOUR;
        // The linked transfers' ids, adjacency and chain lengths: about 56 bytes per transfer
        // and 8 more per link, besides the links themselves.
        if links.is_empty()
            || ctx.budget.spent()
            || !ctx.budget.hold(None, 8 * links.len() as u64 + 56 * links.len().min(2 * g.edge_count()) as u64)
        {
            return Vec::new();
        }
        // Dense ids for the linked transfers, in (time, id) order.
        let mut ids: Vec<u32> = links.iter().flat_map(|&(a, b)| [a, b]).collect();
        ids.par_sort_unstable_by_key(|&e| (g.time[e as usize], e));
        ids.dedup();
        let pos =
            |e: u32| ids.binary_search_by_key(&(g.time[e as usize], e), |&x| (g.time[x as usize], x)).unwrap_or(0);
        let (mut succ, mut pred): (Vec<Vec<u32>>, Vec<Vec<u32>>) =
            (vec![Vec::new(); ids.len()], vec![Vec::new(); ids.len()]);
        let at: Vec<(u32, u32)> = links.par_iter().map(|&(a, b)| (pos(a) as u32, pos(b) as u32)).collect();
        for &(i, j) in &at {
            succ[i as usize].push(j);
            pred[j as usize].push(i);
        }
        // Hops of the longest chain ending at / starting from each transfer.
        let mut back = vec![1usize; ids.len()];
        for j in 0..ids.len() {
            back[j] = pred[j].iter().map(|&i| back[i as usize] + 1).max().unwrap_or(1);
        }
        let mut fwd = vec![1usize; ids.len()];
        for i in (0..ids.len()).rev() {
            fwd[i] = succ[i].iter().map(|&j| fwd[j as usize] + 1).max().unwrap_or(1);
        }
        // On a chain of two hops or more: a long chain, or one layer of a stack.
        let on_chain = |i: usize| back[i] + fwd[i] > 2.min(p.min_hops);
        let mut parent: Vec<u32> = (0..ids.len() as u32).collect();
        for (i, next) in succ.iter().enumerate() {
            if !on_chain(i) {
                continue;
            }
            for &j in next {
                if on_chain(j as usize) {
                    let (a, b) = (find(&mut parent, i as u32), find(&mut parent, j));
                    if a != b {
                        parent[a.max(b) as usize] = a.min(b);
                    }
                }
            }
        }
        // Parallel chains of a stack share accounts rather than links: join the chain
        // transfers out of one account (or into one account) booked within the gap of each
        // other.
        for side in [&g.src, &g.dst] {
            let mut at: Vec<(u32, i64, u32)> = (0..ids.len())
                .filter(|&i| on_chain(i))
                .map(|i| (side[ids[i] as usize], g.time[ids[i] as usize].0, i as u32))
                .collect();
            at.sort_unstable();
            for w in at.windows(2) {
                if w[0].0 == w[1].0 && w[1].1 - w[0].1 <= gap {
                    let (a, b) = (find(&mut parent, w[0].2), find(&mut parent, w[1].2));
                    if a != b {
                        parent[a.max(b) as usize] = a.min(b);
                    }
                }
            }
        }
        let mut comps: BTreeMap<u32, Vec<usize>> = BTreeMap::new();
        for i in 0..ids.len() {
            if on_chain(i) {
                let r = find(&mut parent, i as u32);
                comps.entry(r).or_default().push(i);
            }
        }
        let comps: Vec<Vec<usize>> = comps.into_values().collect();
        comps
            .into_par_iter()
            .filter(|members| !(p.defer_cycles && self.returns_to_origin(ctx, &ids, members, &succ, &pred, &on_chain)))
            .filter_map(|members| {
                let hops = members.iter().map(|&i| back[i]).max().unwrap_or(0);
                let parallel = self.parallel(ctx, &ids, &members, &pred, &on_chain);
                if hops < p.min_hops && !parallel {
                    return None;
                }
                let max_gap = members
                    .iter()
                    .flat_map(|&i| succ[i].iter().filter(|&&j| on_chain(j as usize)).map(move |&j| (i, j as usize)))
                    .map(|(i, j)| g.time[ids[j] as usize].0 - g.time[ids[i] as usize].0)
                    .max()
                    .unwrap_or(0);
                let txns: Vec<u32> = members.iter().map(|&i| ids[i]).collect();
                let ids = &ids;
                let hop_pairs: Vec<(u32, u32)> = members
                    .iter()
                    .flat_map(|&i| {
                        succ[i].iter().filter(|&&j| on_chain(j as usize)).map(move |&j| (ids[i], ids[j as usize]))
                    })
                    .collect();
                self.finding(ctx, txns, &hop_pairs, hops, max_gap, parallel)
            })
            .collect()
    }

    /// True when the chain component lies on a cycle: every last hop (no successor on the
    /// chain) ends at an account `T` where the chain starts (a sender `O` with no predecessor
    /// on the chain), or `T` and a starting account `O` are joined by one more transfer that
    /// closes the cycle inside `return_window_days`: either `T` pays `O` back after the last
    /// hop, at least `return_min_retention` of it, or `T` paid `O` before the chain began and
    /// the chain's first hop out of `O` carries at least `return_min_retention` of that
    /// payment (the cycle entered half-way). Such a component is a cycle (module documentation).
    fn returns_to_origin(
        &self,
        ctx: &DetectCtx<'_>,
        ids: &[u32],
        members: &[usize],
        succ: &[Vec<u32>],
        pred: &[Vec<u32>],
        on_chain: &dyn Fn(usize) -> bool,
    ) -> bool {
        let g = &ctx.graph.flow;
        let p = &self.p;
        let (min_ret, max_ret) = (Ratio::new(p.return_min_retention), Ratio::new(Decimal::ONE));
        let window = p.return_window_days * DAY;
        let edge = |i: usize| ids[i] as usize;
        // First hops: (origin account, transfer).
        let starts: Vec<(u32, usize)> = members
            .iter()
            .filter(|&&i| !pred[i].iter().any(|&j| on_chain(j as usize)))
            .map(|&i| (g.src[edge(i)], edge(i)))
            .collect();
        let closes = |last: usize| {
            let (at, t1) = (g.dst[last], g.time[last]);
            starts.iter().any(|&(origin, first)| {
                let t0 = g.time[first];
                if at == origin {
                    return true;
                }
                let back = Band::new(min_ret, max_ret, g.cents[last]);
                let returned = g.out_between(at, DateTime(t1.0 + 1), DateTime(t0.0 + window)).iter().any(|&n| {
                    g.dst[n as usize] == origin && back.contains(g.cents[n as usize]) && is_account_flow(ctx.case, g, n)
                });
                returned
                    || g.out_between(at, DateTime(t1.0 - window), DateTime(t0.0 - 1)).iter().any(|&n| {
                        g.dst[n as usize] == origin
                            && Band::new(min_ret, max_ret, g.cents[n as usize]).contains(g.cents[first])
                            && is_account_flow(ctx.case, g, n)
                    })
            })
        };
        let mut last = members.iter().filter(|&&i| !succ[i].iter().any(|&j| on_chain(j as usize))).peekable();
        last.peek().is_some() && last.all(|&i| closes(edge(i)))
    }

    /// True when the component is a stack: at least `min_sources` first-hop senders (no
    /// predecessor on the chain) and at least as many intermediaries (accounts that receive and
    /// pass on inside it).
    fn parallel(
        &self,
        ctx: &DetectCtx<'_>,
        ids: &[u32],
        members: &[usize],
        pred: &[Vec<u32>],
        on_chain: &dyn Fn(usize) -> bool,
    ) -> bool {
        let g = &ctx.graph.flow;
        let mut sources: Vec<u32> = members
            .iter()
            .filter(|&&i| !pred[i].iter().any(|&j| on_chain(j as usize)))
            .map(|&i| g.src[ids[i] as usize])
            .collect();
        sources.sort_unstable();
        sources.dedup();
        if sources.len() < self.p.min_sources.max(2) {
            return false;
        }
        let mut senders: Vec<u32> = members.iter().map(|&i| g.src[ids[i] as usize]).collect();
        senders.sort_unstable();
        senders.dedup();
        let mut mids: Vec<u32> =
            members.iter().map(|&i| g.dst[ids[i] as usize]).filter(|d| senders.binary_search(d).is_ok()).collect();
        mids.sort_unstable();
        mids.dedup();
        mids.len() >= self.p.min_sources.max(2)
    }

    fn finding(
        &self,
        ctx: &DetectCtx<'_>,
        txns: Vec<u32>,
        hop_pairs: &[(u32, u32)],
        hops: usize,
        max_gap: i64,
        stack: bool,
    ) -> Option<Finding> {
        let g = &ctx.graph.flow;
        let case = ctx.case;
        let p = &self.p;
        let first = *txns.first()?;
        // Accounts that both receive and pass on inside the component are the mules.
        let mut senders: Vec<u32> = txns.iter().map(|&e| g.src[e as usize]).collect();
        senders.sort_unstable();
        let mut mids: Vec<u32> =
            txns.iter().map(|&e| g.dst[e as usize]).filter(|d| senders.binary_search(d).is_ok()).collect();
        mids.sort_unstable();
        mids.dedup();
        let mut f = Finding::new(self.name());
        f.accounts.extend(txns.iter().flat_map(|&e| [g.src[e as usize], g.dst[e as usize]]).map(AccountId::from_raw));
        let shape = if stack {
            let mut sources: Vec<u32> = senders.iter().copied().filter(|a| mids.binary_search(a).is_err()).collect();
            sources.dedup();
            format!("stack of parallel chains, {hops} layers deep, from {} sources", sources.len())
        } else {
            format!("{hops}-hop chain from {}", case.accounts.rows[g.src[first as usize] as usize].id)
        };
        f.indicate(
            &PASS_THROUGH_CHAIN,
            format!(
                "{shape}: {} intermediaries each passed on at least {:.0} % within {} h",
                mids.len(),
                (p.min_retention * Decimal::ONE_HUNDRED).round_dp(0),
                p.max_gap_hours
            ),
        );
        if max_gap <= p.fast_hours * HOUR {
            f.indicate(&WITHIN_HOURS, format!("every hop passed on within {:.1} h", max_gap as f64 / HOUR as f64));
        }
        // Every hop of the component keeps at least kept_retention of the hop it passes on
        // (its successor links on the chain), and every hop is a first contact.
        let kept = Ratio::new(p.kept_retention);
        let one = Ratio::new(Decimal::ONE);
        if hop_pairs.iter().all(|&(e, n)| in_band(case, g, e, n, kept, one) == Some(true)) {
            f.indicate(
                &AMOUNT_KEPT,
                format!(
                    "each hop at least {:.0} % of the previous: the intermediaries kept little or nothing",
                    (p.kept_retention * Decimal::ONE_HUNDRED).round_dp(0)
                ),
            );
        }
        if txns.iter().all(|&e| ctx.signals.is_first_contact(e)) {
            f.indicate(&NEW_RELATIONS, "every hop is the first transfer between its two accounts");
        }
        if !mids.is_empty() && mids.iter().all(|&m| is_personal(case, m)) {
            f.indicate(&PERSONAL_INTERMEDIARIES, "every intermediary is a personal account");
        }
        let t0 = g.time[first as usize];
        let new = mids.iter().filter(|&&m| is_new(case, m, t0, p.new_account_days)).count();
        if new * 2 >= mids.len().max(1) {
            f.indicate(
                &NEW_ACCOUNTS,
                format!("{new} of {} intermediaries opened within {} days before", mids.len(), p.new_account_days),
            );
        }
        if g.base_of(first as usize) >= case.meta.cash_report.amount {
            f.indicate(&LARGE_AMOUNT, "the first hop is at least the reporting threshold");
        }
        f.total = g.base_of(first as usize);
        f.txns = TransferId::from_raws(&txns).collect();
        let f = f.finish(case, g);
        Some(ctx.data.rank(f, INDICATORS))
    }
}
