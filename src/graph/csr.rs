//! Compressed sparse rows of transfers, out- and in-adjacency, each node's edges sorted by
//! (booking time, transfer id) so windows are binary searches and scans are sequential.

use crate::model::{Case, Channel, DateTime, NO_ACCOUNT, NO_CITY};
use rayon::prelude::*;
use rust_decimal::{Decimal, RoundingStrategy};

/// What a flow node stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeKind {
    /// An account (index into `Case::accounts`).
    Account(u32),
    /// Cash handled at a branch in a city (index into `Case::cities`; `u32::MAX` = city unknown).
    Cash(u32),
}

/// The transfer graph. Nodes `0..n_accounts` are accounts; then one cash node per city and a
/// last one for cash of unknown place. Edge ids are transfer indices into `Case::transfers`.
#[derive(Clone, Debug)]
pub struct FlowGraph {
    n_accounts: u32,
    n_nodes: u32,
    out_off: Vec<u64>,
    out_edges: Vec<u32>,
    in_off: Vec<u64>,
    in_edges: Vec<u32>,
    /// Source node of each transfer.
    pub src: Vec<u32>,
    /// Target node of each transfer.
    pub dst: Vec<u32>,
    /// Booking time of each transfer (copied for locality).
    pub time: Vec<DateTime>,
    /// Amount of each transfer in the base currency (converted at booking, to the cent); zero
    /// where the base amount is unknown (no rate: see [`FlowGraph::has_base`]), which no sum
    /// may use as a value.
    pub base: Vec<Decimal>,
    /// The same amounts as whole cents (minor units, 1/100 of the base currency), for exact
    /// integer comparisons in the detectors' hot loops: see [`FlowGraph::cents_of`]. Totals and
    /// evidence stay in `base`. Zero where the base amount is unknown.
    pub cents: Vec<i64>,
    /// Per transfer, true when its base amount is unknown (no rate for its currency on or
    /// before its date, `crate::model::MISSING_RATE`); empty when every base amount is known.
    unknown: Vec<bool>,
}

impl FlowGraph {
    /// Builds the CSR from a case.
    ///
    /// # Complexity
    /// O(E log d) for E transfers and node degree d: a counting pass, a scatter, and a parallel
    /// per-node sort by time.
    pub fn build(case: &Case) -> FlowGraph {
        let t = &case.transfers;
        let n_accounts = case.accounts.len() as u32;
        let n_cities = case.cities.len() as u32;
        let cash_node = |city: u32| n_accounts + if city == NO_CITY { n_cities } else { city };
        let n_nodes = n_accounts + n_cities + 1;
        let e = t.len();
        let (src, dst): (Vec<u32>, Vec<u32>) = (0..e)
            .into_par_iter()
            .map(|i| {
                let s = if t.from[i] == NO_ACCOUNT { cash_node(t.branch_city[i]) } else { t.from[i] };
                let d = if t.to[i] == NO_ACCOUNT { cash_node(t.branch_city[i]) } else { t.to[i] };
                (s, d)
            })
            .unzip();
        let base: Vec<Decimal> = (0..e)
            .into_par_iter()
            .map(|i| t.base_amount(i, &case.fx).map_or(Decimal::ZERO, |c| c.base_amount))
            .collect();
        let cents: Vec<i64> = base.par_iter().map(|&d| FlowGraph::cents_of(d)).collect();
        let unknown: Vec<bool> =
            if t.unknown_base() == 0 { Vec::new() } else { (0..e).map(|i| !t.has_base(i)).collect() };
        let time = t.booked_at.clone();
        let (out_off, out_edges) = adjacency(n_nodes, &src, &time);
        let (in_off, in_edges) = adjacency(n_nodes, &dst, &time);
        FlowGraph { n_accounts, n_nodes, out_off, out_edges, in_off, in_edges, src, dst, time, base, cents, unknown }
    }

    /// True when transfer `e` has a known base amount (`base[e]` and `cents[e]` are its value).
    #[inline]
    pub fn has_base(&self, e: u32) -> bool {
        self.unknown.is_empty() || !self.unknown[e as usize]
    }

    /// Transfers whose base amount is unknown.
    pub fn unknown_base(&self) -> usize {
        self.unknown.iter().filter(|&&u| u).count()
    }

    /// A graph of `n_nodes` accounts from bare edge columns, for unit tests of the searches.
    #[cfg(test)]
    pub(crate) fn from_edges(
        n_nodes: u32,
        src: Vec<u32>,
        dst: Vec<u32>,
        time: Vec<DateTime>,
        cents: Vec<i64>,
    ) -> FlowGraph {
        let base = cents.iter().map(|&c| Decimal::new(c, 2)).collect();
        let (out_off, out_edges) = adjacency(n_nodes, &src, &time);
        let (in_off, in_edges) = adjacency(n_nodes, &dst, &time);
        FlowGraph {
            n_accounts: n_nodes,
            n_nodes,
            out_off,
            out_edges,
            in_off,
            in_edges,
            src,
            dst,
            time,
            base,
            cents,
            unknown: Vec::new(),
        }
    }

    /// An amount in whole cents: rounded half away from zero to the cent (converted amounts
    /// already are; only an unconverted amount given with more than two decimals is rounded),
    /// and saturated at `i64::MIN`/`i64::MAX` (about ±9.2·10^16 currency units, beyond any real
    /// money, so the saturation never changes a comparison on real data; it only keeps an absurd
    /// input from panicking).
    pub fn cents_of(d: Decimal) -> i64 {
        let r = d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
        // |mantissa| < 2^96 and scale <= 2 here, so the product fits an i128.
        let c = r.mantissa() * 10i128.pow(2 - r.scale());
        c.clamp(i64::MIN as i128, i64::MAX as i128) as i64
    }

    /// Number of nodes (accounts plus cash nodes).
    pub fn node_count(&self) -> u32 {
        self.n_nodes
    }

    /// Number of account nodes.
    pub fn account_count(&self) -> u32 {
        self.n_accounts
    }

    /// Number of transfers.
    pub fn edge_count(&self) -> usize {
        self.src.len()
    }

    /// What node `n` is.
    pub fn kind(&self, n: u32) -> NodeKind {
        if n < self.n_accounts {
            NodeKind::Account(n)
        } else if n + 1 == self.n_nodes {
            NodeKind::Cash(u32::MAX)
        } else {
            NodeKind::Cash(n - self.n_accounts)
        }
    }

    /// Outgoing transfers of `n`, sorted by (time, id).
    pub fn out_edges(&self, n: u32) -> &[u32] {
        &self.out_edges[self.out_off[n as usize] as usize..self.out_off[n as usize + 1] as usize]
    }

    /// Incoming transfers of `n`, sorted by (time, id).
    pub fn in_edges(&self, n: u32) -> &[u32] {
        &self.in_edges[self.in_off[n as usize] as usize..self.in_off[n as usize + 1] as usize]
    }

    /// Outgoing transfers of `n` booked in `[from, to]`, by binary search.
    pub fn out_between(&self, n: u32, from: DateTime, to: DateTime) -> &[u32] {
        window(self.out_edges(n), &self.time, from, to)
    }

    /// Incoming transfers of `n` booked in `[from, to]`, by binary search.
    pub fn in_between(&self, n: u32, from: DateTime, to: DateTime) -> &[u32] {
        window(self.in_edges(n), &self.time, from, to)
    }

    /// Every account, as a parallel iterator balanced by work rather than by count, in
    /// ascending order (collecting gives the same vector as a sequential loop).
    ///
    /// A plain `(0..account_count()).into_par_iter()` hands rayon ranges of equal *length*, and
    /// a leaf range is processed sequentially. Real ledgers have a few hub accounts (a utility
    /// or a payroll account with hundreds of thousands of counterparts) whose ids are often
    /// adjacent, because they were opened first; they then land in one leaf and one thread
    /// works through all of them while the other idles. Here the accounts are cut into
    /// contiguous units of about equal cost (1 + in-degree + out-degree), each hub in a unit
    /// of its own, and every unit is a separate task, so the hubs are spread over the threads.
    pub fn par_accounts(&self) -> impl ParallelIterator<Item = u32> + '_ {
        self.account_units().into_par_iter().with_max_len(1).flat_map_iter(|r| r)
    }

    /// The work units of [`FlowGraph::par_accounts`]: contiguous account ranges covering
    /// `0..account_count()` in order, each closed once its cost reaches 1/`UNITS` of the total
    /// (an account at or above that cost is a unit of its own).
    pub fn account_units(&self) -> Vec<std::ops::Range<u32>> {
        /// Units per run: enough for rayon to balance two to a few dozen threads, few enough
        /// that scheduling costs nothing measurable (project default).
        const UNITS: u64 = 512;
        cut_units(self.n_accounts, |a| 1 + self.out_edges(a).len() as u64 + self.in_edges(a).len() as u64, UNITS)
    }

    /// True when transfer `e` is a cash deposit or withdrawal (one side is a cash node).
    pub fn is_cash(&self, case: &Case, e: u32) -> bool {
        matches!(case.transfers.channel[e as usize], Channel::CashDeposit | Channel::CashWithdrawal)
    }

    /// Bytes held, for memory reports.
    pub fn heap_bytes(&self) -> usize {
        (self.out_off.capacity() + self.in_off.capacity()) * 8
            + (self.out_edges.capacity() + self.in_edges.capacity() + self.src.capacity() + self.dst.capacity()) * 4
            + self.time.capacity() * 8
            + self.base.capacity() * 16
            + self.cents.capacity() * 8
            + self.unknown.capacity()
    }
}

/// Cuts `0..n` into contiguous ranges of about `total cost / units` each; an item whose own
/// cost reaches that target is a range of its own.
pub(crate) fn cut_units(n: u32, cost: impl Fn(u32) -> u64, units: u64) -> Vec<std::ops::Range<u32>> {
    let total: u64 = (0..n).map(&cost).sum();
    let target = total.div_ceil(units.max(1)).max(1);
    let mut out = Vec::new();
    let (mut start, mut acc) = (0u32, 0u64);
    for a in 0..n {
        let c = cost(a);
        if c >= target && a > start {
            out.push(start..a);
            start = a;
            acc = 0;
        }
        acc += c;
        if acc >= target {
            out.push(start..a + 1);
            start = a + 1;
            acc = 0;
        }
    }
    if start < n {
        out.push(start..n);
    }
    out
}

fn window<'a>(edges: &'a [u32], time: &[DateTime], from: DateTime, to: DateTime) -> &'a [u32] {
    let lo = edges.partition_point(|&e| time[e as usize] < from);
    let hi = edges.partition_point(|&e| time[e as usize] <= to);
    &edges[lo..hi.max(lo)]
}

/// Counting sort of edges by endpoint, then a parallel sort of each node's slice by time.
fn adjacency(n_nodes: u32, end: &[u32], time: &[DateTime]) -> (Vec<u64>, Vec<u32>) {
    let mut off = vec![0u64; n_nodes as usize + 1];
    for &v in end {
        off[v as usize + 1] += 1;
    }
    for i in 0..n_nodes as usize {
        off[i + 1] += off[i];
    }
    let mut fill = off.clone();
    let mut edges = vec![0u32; end.len()];
    for (e, &v) in end.iter().enumerate() {
        let slot = &mut fill[v as usize];
        edges[*slot as usize] = e as u32;
        *slot += 1;
    }
    // Split `edges` into per-node slices and sort each by (time, id) in parallel.
    let mut slices: Vec<&mut [u32]> = Vec::with_capacity(n_nodes as usize);
    let mut rest: &mut [u32] = &mut edges;
    for i in 0..n_nodes as usize {
        let len = (off[i + 1] - off[i]) as usize;
        let (head, tail) = rest.split_at_mut(len);
        slices.push(head);
        rest = tail;
    }
    slices.par_iter_mut().for_each(|s| s.sort_unstable_by_key(|&e| (time[e as usize], e)));
    (off, edges)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cents_round_half_away_from_zero_and_saturate() {
        let c = |s: &str| FlowGraph::cents_of(s.parse().unwrap());
        assert_eq!(c("1234.56"), 123_456);
        assert_eq!(c("7"), 700);
        assert_eq!(c("0.1"), 10);
        assert_eq!(c("0.005"), 1);
        assert_eq!(c("0.0049"), 0);
        assert_eq!(c("-0.005"), -1);
        assert_eq!(c("2.675"), 268);
        assert_eq!(c("79228162514264337593543950335"), i64::MAX);
        assert_eq!(c("-79228162514264337593543950335"), i64::MIN);
        assert_eq!(c("92233720368547758.07"), i64::MAX);
        assert_eq!(c("92233720368547758.08"), i64::MAX);
    }

    #[test]
    fn work_units_cover_every_account_once_and_isolate_hubs() {
        // 1,000 accounts of cost 1, with hubs of cost 10,000 at 8..=12 (adjacent, as when the
        // big accounts were opened first) and at 999.
        let cost = |a: u32| if (8..=12).contains(&a) || a == 999 { 10_000 } else { 1 };
        let units = cut_units(1000, cost, 64);
        let flat: Vec<u32> = units.iter().flat_map(|r| r.clone()).collect();
        assert_eq!(flat, (0..1000).collect::<Vec<_>>(), "in order, each once");
        for hub in [8, 9, 10, 11, 12, 999] {
            assert!(units.contains(&(hub..hub + 1)), "hub {hub} alone: {units:?}");
        }
        let total: u64 = (0..1000).map(cost).sum();
        let target = total.div_ceil(64);
        for r in &units {
            let c: u64 = r.clone().map(cost).sum();
            assert!(r.len() == 1 || c <= target, "unit {r:?} costs {c} > {target}");
        }
        assert!(cut_units(0, cost, 64).is_empty());
        assert_eq!(cut_units(3, |_| 0, 64), vec![0..3]);
    }
}
