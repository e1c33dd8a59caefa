//! Bipartite: a set of senders each paying several of a set of receivers, each receiver paid by
//! several of the senders, all inside a window: money spread across many-to-many payments
//! between two groups with no hub (docs/methodology.md#t-bipartite; AMLSim `BipartiteTypology`,
//! every sender paying every receiver; the BIPARTITE pattern of IBM AMLworld,
//! methodology.md#src-amlsim).
//!
//! The structure is the (2, 2)-core of the window's payments: senders that pay at least
//! `min_links` distinct receivers of the group, receivers paid by at least `min_links` distinct
//! senders of it. That leaves out a fan (one sender or one receiver: fan-out, fan-in) and a
//! set of unrelated one-to-one payments, which no structure joins. An account that both pays
//! and is paid inside the group is a chain, a stack or a cycle, reported by those detectors:
//! such a group is left out here.

use super::common::{is_account_flow, is_new, is_personal, DAY, HOUR};
use super::context::{similar_amounts, Datum};
use super::detector::{DetectCtx, Detector};
use super::finding::Finding;
use super::registry::Typology;
use super::signals::{short_lived, SHORT_LIVED};
use crate::model::{AccountId, TransferId};
use rayon::prelude::*;
use rust_decimal::Decimal;
use std::collections::{BTreeMap, BTreeSet, HashMap};

crate::params! {
    /// Parameters of [`Bipartite`].
    pub struct BipartiteParams {
        /// Fewest senders in the group (two: "a set", docs/methodology.md#t-bipartite).
        min_senders: usize = 2,
        /// Fewest receivers in the group (two, docs/methodology.md#t-bipartite).
        min_receivers: usize = 2,
        /// Each sender pays at least this many receivers of the group and each receiver is paid
        /// by at least this many of its senders: two, the least that makes a group many-to-many
        /// rather than fans or one-to-one payments (docs/methodology.md#t-bipartite).
        min_links: usize = 2,
        /// All payments of a group inside this many days: the window of scatter-gather and
        /// gather-scatter, the other many-to-many shapes (docs/methodology.md#t-scatter-gather).
        /// Windows overlap by half, so a group spanning up to half of it is always seen whole.
        window_days: i64 = 10,
        /// Largest group reported, in accounts: a larger (2, 2)-core in one window is a busy
        /// community (payroll, suppliers), not one scheme (docs/methodology.md#t-bipartite)
        /// (project default).
        max_accounts: usize = 60,
        /// Every payment within this many hours of the first counts as "within hours"
        /// (Δt <= 48 h, docs/methodology.md#t-pass-through) (project default).
        fast_hours: i64 = 48,
        /// Amounts count as uniform when every one lies within this share of their median
        /// (docs/methodology.md#similar-amounts; AMLSim pays one amount on every edge).
        similar_spread: Decimal = Decimal::new(2, 1),
        /// An account opened at most this many days before is "new" (short account life,
        /// docs/methodology.md#t-pass-through) (project default).
        new_account_days: i64 = 90,
    }
}

super::context::indicators! {
    /// The indicators of [`Bipartite`], their points and the data they need
    /// (`patterns::context`): the only place their points are written.
    pub const INDICATORS + [SHORT_LIVED];
    /// The structure itself: it makes the candidate, the other indicators make the score.
    BIPARTITE = ("bipartite", 0, []);
    ALL_TO_ALL = ("all_to_all", 15, []);
    UNIFORM = ("uniform_amounts", 15, []);
    NEW_RELATIONS = ("new_relations", 15, []);
    WITHIN_HOURS = ("within_hours", 10, []);
    PERSONAL_ACCOUNTS = ("personal_accounts", 10, [Datum::Holders]);
    NEW_ACCOUNTS = ("new_accounts", 15, [Datum::OpeningDates]);
}

/// The bipartite detector.
#[derive(Default)]
pub struct Bipartite {
    /// Parameters.
    pub p: BipartiteParams,
}

/// Bytes held per payment of a window while its core is peeled (pair maps, degrees, queue).
const PAIR_BYTES: u64 = 48;

impl Detector for Bipartite {
    super::detector::detector_parts!(Typology::Bipartite);

    /// 1. The account-to-account transfers in time order, cut into windows of `window_days`
    ///    that start every half window.
    /// 2. Per window (in parallel): the distinct (sender, receiver) pairs; senders with fewer
    ///    than `min_links` receivers and receivers with fewer than `min_links` senders are
    ///    peeled off, repeatedly, until none is left (the (2, 2)-core).
    /// 3. The core's connected groups with at least `min_senders` senders and `min_receivers`
    ///    receivers, no account on both sides and at most `max_accounts` accounts become
    ///    findings, one per distinct set of transfers.
    ///
    /// # Complexity
    /// O(E log E) for the sort plus O(E) per window pass (each transfer lies in two windows),
    /// peeling linear in the window's pairs. A window's transfers are charged to the run's row
    /// budget, and the pair maps of the largest window, once per thread, to the memory budget
    /// ([`super::budget`]): a window of millions of payments stops the run (naming the
    /// window's first payer) instead of exhausting memory.
    fn detect(&self, ctx: &DetectCtx<'_>) -> Vec<Finding> {
        let g = &ctx.graph.flow;
        let case = ctx.case;
        let p = &self.p;
        let mut edges: Vec<u32> = (0..g.edge_count() as u32)
            .into_par_iter()
            .filter(|&e| is_account_flow(case, g, e) && g.src[e as usize] != g.dst[e as usize])
            .collect();
        if edges.is_empty() {
            return Vec::new();
        }
        edges.par_sort_unstable_by_key(|&e| (g.time[e as usize], e));
        let w = p.window_days.max(1) * DAY;
        let step = (w / 2).max(1);
        let t0 = g.time[edges[0] as usize].0;
        let t1 = g.time[edges[edges.len() - 1] as usize].0;
        let starts: Vec<i64> = (0..).map(|k| t0 + k * step).take_while(|&s| s <= t1).collect();
        let span = |s: i64| {
            let lo = edges.partition_point(|&e| g.time[e as usize].0 < s);
            let hi = edges.partition_point(|&e| g.time[e as usize].0 < s + w);
            lo..hi
        };
        // The pair maps of the windows searched at once: at most one window per thread.
        let largest = starts.iter().map(|&s| span(s).len()).max().unwrap_or(0);
        let held = PAIR_BYTES * largest as u64 * rayon::current_num_threads().min(starts.len()).max(1) as u64;
        if !ctx.budget.hold(None, held) {
            return Vec::new();
        }
        let groups: Vec<Vec<u32>> = starts.par_iter().flat_map_iter(|&s| self.window(ctx, &edges[span(s)])).collect();
        let unique: BTreeSet<Vec<u32>> = groups.into_iter().collect();
        unique.into_iter().collect::<Vec<_>>().into_par_iter().filter_map(|txns| self.finding(ctx, txns)).collect()
    }
}

impl Bipartite {
    /// The groups of one window's transfers (`win`, sorted by time), as sorted transfer lists.
    fn window(&self, ctx: &DetectCtx<'_>, win: &[u32]) -> Vec<Vec<u32>> {
        let g = &ctx.graph.flow;
        let p = &self.p;
        let k = p.min_links.max(1);
        if win.len() < k * p.min_senders.max(p.min_receivers).max(1) {
            return Vec::new();
        }
        let first = win.first().map_or(0, |&e| g.src[e as usize]);
        if !ctx.budget.rows(first, win.len() as u64) {
            return Vec::new();
        }
        // Distinct pairs, and each side's distinct counterparts.
        let mut pairs: BTreeMap<(u32, u32), Vec<u32>> = BTreeMap::new();
        for &e in win {
            pairs.entry((g.src[e as usize], g.dst[e as usize])).or_default().push(e);
        }
        let mut out_deg: HashMap<u32, usize> = HashMap::new();
        let mut in_deg: HashMap<u32, usize> = HashMap::new();
        for &(s, r) in pairs.keys() {
            *out_deg.entry(s).or_default() += 1;
            *in_deg.entry(r).or_default() += 1;
        }
        // Peel to the (k, k)-core.
        let mut alive: BTreeMap<(u32, u32), bool> = pairs.keys().map(|&pr| (pr, true)).collect();
        let mut by_s: HashMap<u32, Vec<u32>> = HashMap::new();
        let mut by_r: HashMap<u32, Vec<u32>> = HashMap::new();
        for &(s, r) in pairs.keys() {
            by_s.entry(s).or_default().push(r);
            by_r.entry(r).or_default().push(s);
        }
        // Queue of (account, is_sender) whose degree fell below k.
        let mut queue: Vec<(u32, bool)> = out_deg.iter().filter(|&(_, &d)| d < k).map(|(&a, _)| (a, true)).collect();
        queue.extend(in_deg.iter().filter(|&(_, &d)| d < k).map(|(&a, _)| (a, false)));
        queue.sort_unstable();
        let mut gone: BTreeSet<(u32, bool)> = queue.iter().copied().collect();
        while let Some((a, sender)) = queue.pop() {
            let others = if sender { by_s.get(&a) } else { by_r.get(&a) };
            for &o in others.map(Vec::as_slice).unwrap_or(&[]) {
                let key = if sender { (a, o) } else { (o, a) };
                if let Some(v) = alive.get_mut(&key) {
                    if !*v {
                        continue;
                    }
                    *v = false;
                }
                let (deg, side) = if sender { (in_deg.get_mut(&o), false) } else { (out_deg.get_mut(&o), true) };
                if let Some(d) = deg {
                    *d -= 1;
                    if *d < k && gone.insert((o, side)) {
                        queue.push((o, side));
                    }
                }
            }
        }
        // Connected groups of the core (union of sender and receiver roles by account).
        let core: Vec<(u32, u32)> = alive.iter().filter(|&(_, &v)| v).map(|(&pr, _)| pr).collect();
        if core.is_empty() {
            return Vec::new();
        }
        let mut parent: HashMap<(u32, bool), (u32, bool)> = HashMap::new();
        fn find(parent: &mut HashMap<(u32, bool), (u32, bool)>, x: (u32, bool)) -> (u32, bool) {
            let mut r = x;
            while let Some(&q) = parent.get(&r) {
                if q == r {
                    break;
                }
                r = q;
            }
            parent.insert(x, r);
            r
        }
        for &(s, r) in &core {
            parent.entry((s, true)).or_insert((s, true));
            parent.entry((r, false)).or_insert((r, false));
            let (a, b) = (find(&mut parent, (s, true)), find(&mut parent, (r, false)));
            if a != b {
                let (lo, hi) = if a < b { (a, b) } else { (b, a) };
                parent.insert(hi, lo);
            }
        }
        let mut comps: BTreeMap<(u32, bool), Vec<(u32, u32)>> = BTreeMap::new();
        for &(s, r) in &core {
            let root = find(&mut parent, (s, true));
            comps.entry(root).or_default().push((s, r));
        }
        comps
            .into_values()
            .filter_map(|prs| {
                let senders: BTreeSet<u32> = prs.iter().map(|x| x.0).collect();
                let receivers: BTreeSet<u32> = prs.iter().map(|x| x.1).collect();
                let ok = senders.len() >= p.min_senders
                    && receivers.len() >= p.min_receivers
                    && senders.len() + receivers.len() <= p.max_accounts
                    && senders.is_disjoint(&receivers);
                ok.then(|| {
                    let mut txns: Vec<u32> = prs.iter().flat_map(|pr| pairs[pr].iter().copied()).collect();
                    txns.sort_unstable();
                    txns
                })
            })
            .collect()
    }

    fn finding(&self, ctx: &DetectCtx<'_>, txns: Vec<u32>) -> Option<Finding> {
        let g = &ctx.graph.flow;
        let case = ctx.case;
        let p = &self.p;
        let senders: BTreeSet<u32> = txns.iter().map(|&e| g.src[e as usize]).collect();
        let receivers: BTreeSet<u32> = txns.iter().map(|&e| g.dst[e as usize]).collect();
        let pairs: BTreeSet<(u32, u32)> = txns.iter().map(|&e| (g.src[e as usize], g.dst[e as usize])).collect();
        let mut by_time = txns.clone();
        by_time.sort_unstable_by_key(|&e| (g.time[e as usize], e));
        let (first, last) = (*by_time.first()?, *by_time.last()?);
        let span = g.time[last as usize].0 - g.time[first as usize].0;
        let mut f = Finding::new(self.name());
        f.accounts.extend(senders.iter().chain(&receivers).map(|&a| AccountId::from_raw(a)));
        f.indicate(
            &BIPARTITE,
            format!(
                "{} senders paid {} receivers in {} payments within {:.1} days; each sender paid at least {} of the \
                 receivers and each receiver was paid by at least {} of the senders",
                senders.len(),
                receivers.len(),
                txns.len(),
                span as f64 / DAY as f64,
                p.min_links,
                p.min_links
            ),
        );
        if pairs.len() == senders.len() * receivers.len() {
            f.indicate(&ALL_TO_ALL, "every sender paid every receiver");
        }
        if similar_amounts(case, g, &txns, p.similar_spread) {
            f.indicate(
                &UNIFORM,
                format!(
                    "every payment within {} % of the median amount",
                    (p.similar_spread * Decimal::ONE_HUNDRED).round_dp(0)
                ),
            );
        }
        if txns.iter().all(|&e| ctx.signals.is_first_contact(e)) {
            f.indicate(&NEW_RELATIONS, "every payment is the first between its two accounts");
        }
        if span <= p.fast_hours * HOUR {
            f.indicate(&WITHIN_HOURS, format!("all payments within {:.1} h", span as f64 / HOUR as f64));
        }
        if f.accounts.iter().all(|&a| is_personal(case, a.raw())) {
            f.indicate(&PERSONAL_ACCOUNTS, "every account in the group is held by a person");
        }
        let t0 = g.time[first as usize];
        let new = f.accounts.iter().filter(|&&a| is_new(case, a.raw(), t0, p.new_account_days)).count();
        if new * 2 >= f.accounts.len().max(1) {
            f.indicate(
                &NEW_ACCOUNTS,
                format!("{new} of {} accounts opened within {} days before", f.accounts.len(), p.new_account_days),
            );
        }
        let accounts: Vec<u32> = f.accounts.iter().map(|a| a.raw()).collect();
        short_lived(ctx, &mut f, &accounts, "accounts of the group");
        f.txns = TransferId::from_raws(&txns).collect();
        let f = f.finish(case, g);
        Some(ctx.data.rank(f, INDICATORS))
    }
}
