//! Compressed sparse rows of transfers, out- and in-adjacency, each node's edges sorted by
//! (booking time, transfer id) so windows are binary searches and scans are sequential.

use crate::model::{AccountId, Case, Channel, DateTime, NO_ACCOUNT, NO_CITY};
use rayon::prelude::*;
use rust_decimal::{Decimal, RoundingStrategy};
use std::sync::OnceLock;

/// What a flow node stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeKind {
    /// An account (its node has the account's number).
    Account(AccountId),
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
    /// Amount of each transfer in the base currency as whole cents (minor units, 1/100 of the
    /// base currency), for exact integer comparisons in the detectors' hot loops: see
    /// [`FlowGraph::cents_of`]. Totals and evidence read the exact decimal with
    /// [`FlowGraph::base_of`]. Zero where the base amount is unknown.
    pub cents: Vec<i64>,
    /// With `cents`, the exact base amounts: see [`BaseScale`].
    scale: BaseScale,
    /// Per transfer, true when its base amount is unknown (no rate for its currency on or
    /// before its date, `crate::model::MISSING_RATE`); empty when every base amount is known.
    unknown: Vec<bool>,
    /// One bit per transfer: [`FlowGraph::is_account_flow`], computed on first use.
    account_flow: OnceLock<Vec<u64>>,
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
        let base = |i: usize| t.base_amount(i, &case.fx).map_or(Decimal::ZERO, |c| c.base_amount);
        let (cents, scale) = BaseScale::build(e, base);
        let unknown: Vec<bool> =
            if t.unknown_base() == 0 { Vec::new() } else { (0..e).map(|i| !t.has_base(i)).collect() };
        let time = t.booked_at.clone();
        let (out_off, out_edges) = adjacency(n_nodes, &src, &time);
        let (in_off, in_edges) = adjacency(n_nodes, &dst, &time);
        FlowGraph {
            n_accounts,
            n_nodes,
            out_off,
            out_edges,
            in_off,
            in_edges,
            src,
            dst,
            time,
            cents,
            scale,
            unknown,
            account_flow: OnceLock::new(),
        }
    }

    /// True when transfer `e` moves money between two accounts (no cash side), is not a card
    /// payment (merchant acquiring), and its two accounts do not have the same holder: the
    /// flows the structural detectors look at. `case` is the case the graph was built from.
    ///
    /// # Complexity
    /// O(1): one bit per transfer, computed for all transfers (in parallel) on the first call.
    /// The test reads the channel and both accounts' holders, three cache misses per transfer
    /// at national scale, and the detectors ask it of the same transfers many times.
    #[inline]
    pub fn is_account_flow(&self, case: &Case, e: u32) -> bool {
        let bits = self.account_flow.get_or_init(|| self.account_flow_bits(case));
        (bits[e as usize >> 6] >> (e & 63)) & 1 == 1
    }

    fn account_flow_bits(&self, case: &Case) -> Vec<u64> {
        let m = self.src.len();
        let rows = &case.accounts.rows;
        let holder = |a: u32| rows.get(a as usize).and_then(|r| r.holder);
        let flow = |e: usize| {
            let (s, d) = (self.src[e], self.dst[e]);
            s < self.n_accounts
                && d < self.n_accounts
                && case.transfers.channel.get(e) != Some(&Channel::Card)
                && !matches!((holder(s), holder(d)), (Some(x), Some(y)) if x == y)
        };
        (0..m.div_ceil(64))
            .into_par_iter()
            .map(|w| {
                let mut bits = 0u64;
                for b in 0..64.min(m - w * 64) {
                    bits |= u64::from(flow(w * 64 + b)) << b;
                }
                bits
            })
            .collect()
    }

    /// The base-currency amount of transfer `i`, exact, with the scale it was converted to (as
    /// [`crate::model::Transfers::base_amount`] gives it); zero where it is unknown (see
    /// [`FlowGraph::has_base`]), which no sum may use as a value.
    #[inline]
    pub fn base_of(&self, i: usize) -> Decimal {
        self.scale.decimal(i, self.cents[i])
    }

    /// Sets the base amount of transfer `i` (its cents follow): for tests and tools that probe
    /// how sums behave on given amounts, such as the overflow paths of the exports.
    pub fn set_base(&mut self, i: usize, amount: Decimal) {
        let c = FlowGraph::cents_of(amount);
        self.cents[i] = c;
        self.scale.set(i, c, amount, self.cents.len());
    }

    /// The smallest and largest decimal scale of the base amounts (2 and 2 when there are none).
    pub fn base_scale_range(&self) -> (u32, u32) {
        if self.cents.is_empty() {
            return (2, 2);
        }
        (0..self.cents.len()).map(|i| self.base_of(i).scale()).fold((u32::MAX, 0), |(lo, hi), s| (lo.min(s), hi.max(s)))
    }

    /// The sum of the base amounts of `edges` (unknown ones count zero), exact.
    pub fn base_sum(&self, edges: &[u32]) -> Decimal {
        edges.iter().map(|&e| self.base_of(e as usize)).sum()
    }

    /// True when transfer `e` has a known base amount (`base_of(e)` and `cents[e]` are its value).
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
        let scale = BaseScale::Uniform(2);
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
            cents,
            scale,
            unknown: Vec::new(),
            account_flow: OnceLock::new(),
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
            NodeKind::Account(AccountId::from_raw(n))
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
            + self.cents.capacity() * 8
            + self.scale.heap_bytes()
            + self.account_flow.get().map_or(0, |b| b.capacity() * 8)
            + self.unknown.capacity()
    }
}

/// Marks, in [`BaseScale::PerTransfer`], an amount that is not a whole number of cents: its
/// exact value is in the side table.
const FINE: u8 = u8::MAX;

/// What `cents` needs to give back each exact base amount: its decimal scale. A base amount is
/// a `Decimal` of 16 bytes; stored as whole cents (8 bytes, needed anyway for the detectors)
/// and a scale it costs one byte a transfer, or nothing when every amount has the same scale
/// (the usual case: conversions round to the cent). The rare amount that is not a whole number
/// of cents (an unconverted base amount given with more decimals, an overflowed conversion)
/// is kept whole in a side table.
#[derive(Clone, Debug)]
enum BaseScale {
    /// Every amount is `cents / 100` at this scale.
    Uniform(u8),
    /// Per transfer: the scale, or [`FINE`] for an amount kept whole in `fine` (sorted by
    /// transfer).
    PerTransfer { scale: Vec<u8>, fine: Vec<(u32, Decimal)> },
}

impl BaseScale {
    /// Cents and scales of the `n` amounts `base(i)`, in parallel; exact for every `Decimal`.
    fn build(n: usize, base: impl Fn(usize) -> Decimal + Sync) -> (Vec<i64>, BaseScale) {
        let (cents, scale): (Vec<i64>, Vec<u8>) = (0..n)
            .into_par_iter()
            .map(|i| {
                let d = base(i);
                let c = FlowGraph::cents_of(d);
                let s = d.scale();
                (c, if s < FINE as u32 && BaseScale::rebuild(c, s) == Some(d) { s as u8 } else { FINE })
            })
            .unzip();
        match scale.first() {
            None => (cents, BaseScale::Uniform(2)),
            Some(&s0) if s0 != FINE && scale.par_iter().all(|&s| s == s0) => (cents, BaseScale::Uniform(s0)),
            _ => {
                let fine =
                    scale.iter().enumerate().filter(|(_, &s)| s == FINE).map(|(i, _)| (i as u32, base(i))).collect();
                (cents, BaseScale::PerTransfer { scale, fine })
            }
        }
    }

    /// `cents / 100` at `scale`, when that is exact (same value, and the scale reached).
    fn rebuild(cents: i64, scale: u32) -> Option<Decimal> {
        let mut d = Decimal::new(cents, 2);
        d.rescale(scale);
        (d.scale() == scale && d == Decimal::new(cents, 2)).then_some(d)
    }

    /// Records that amount `i` of `n` is `d`, with whole cents `cents`.
    fn set(&mut self, i: usize, cents: i64, d: Decimal, n: usize) {
        let s = d.scale();
        let exact = s < FINE as u32 && BaseScale::rebuild(cents, s) == Some(d);
        if let BaseScale::Uniform(u) = *self {
            if exact && s == u32::from(u) {
                return;
            }
            *self = BaseScale::PerTransfer { scale: vec![u; n], fine: Vec::new() };
        }
        let BaseScale::PerTransfer { scale, fine } = self else { return };
        let at = fine.binary_search_by_key(&(i as u32), |f| f.0);
        if exact {
            scale[i] = s as u8;
            if let Ok(p) = at {
                fine.remove(p);
            }
        } else {
            scale[i] = FINE;
            match at {
                Ok(p) => fine[p].1 = d,
                Err(p) => fine.insert(p, (i as u32, d)),
            }
        }
    }

    #[inline]
    fn decimal(&self, i: usize, cents: i64) -> Decimal {
        let s = match self {
            BaseScale::Uniform(s) => *s,
            BaseScale::PerTransfer { scale, fine } => {
                let s = scale[i];
                if s == FINE {
                    return fine.binary_search_by_key(&(i as u32), |f| f.0).map_or(Decimal::ZERO, |p| fine[p].1);
                }
                s
            }
        };
        let mut d = Decimal::new(cents, 2);
        if s != 2 {
            d.rescale(s as u32);
        }
        d
    }

    fn heap_bytes(&self) -> usize {
        match self {
            BaseScale::Uniform(_) => 0,
            BaseScale::PerTransfer { scale, fine } => scale.capacity() + fine.capacity() * 20,
        }
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

/// Nodes per bucket of [`adjacency`]'s first pass (2^11: a bucket's counters fit in L1).
const LOW_BITS: u32 = 11;

/// Edges grouped by endpoint (`end[e]`), each node's edges sorted by (time, id), as offsets and
/// edge ids.
///
/// A plain counting sort scatters every edge to a random place of a 40 MB array (10M edges),
/// one cache miss per edge, and a per-node sort then reads `time` at random: at national scale
/// that was most of the graph build. Here a stable two-pass radix sort groups the edges first by
/// bucket of 2^11 nodes (a few hundred write streams, sequential), then, bucket by bucket in
/// parallel, by node within the bucket (in cache). Edges stay in id order within a node, so when
/// the transfers are booked in time order (the usual export) every node's edges are already in
/// (time, id) order and no sort is needed; otherwise each node's edges are sorted.
fn adjacency(n_nodes: u32, end: &[u32], time: &[DateTime]) -> (Vec<u64>, Vec<u32>) {
    let n = n_nodes as usize;
    let m = end.len();
    let buckets = (n >> LOW_BITS) + 1;
    let mask = (1u32 << LOW_BITS) - 1;
    // Pass 1: edges by bucket, stable; the node's low bits travel with the id.
    let mut start = vec![0usize; buckets + 1];
    for &v in end {
        start[(v >> LOW_BITS) as usize + 1] += 1;
    }
    for b in 0..buckets {
        start[b + 1] += start[b];
    }
    let mut by_bucket = vec![0u64; m];
    let mut fill = start.clone();
    for (e, &v) in end.iter().enumerate() {
        let slot = &mut fill[(v >> LOW_BITS) as usize];
        by_bucket[*slot] = (u64::from(v & mask) << 32) | e as u64;
        *slot += 1;
    }
    drop(fill);
    let in_time_order = time.par_windows(2).all(|w| w[0] <= w[1]);
    // Pass 2, per bucket in parallel: edges by node within the bucket, and the nodes' offsets.
    let mut edges = vec![0u32; m];
    let mut off = vec![0u64; n + 1];
    off[n] = m as u64;
    let mut edge_parts: Vec<&mut [u32]> = Vec::with_capacity(buckets);
    let mut rest: &mut [u32] = &mut edges;
    for b in 0..buckets {
        let (head, tail) = rest.split_at_mut(start[b + 1] - start[b]);
        edge_parts.push(head);
        rest = tail;
    }
    edge_parts.into_par_iter().zip(off[..n].par_chunks_mut(1 << LOW_BITS)).enumerate().for_each(|(b, (out, offs))| {
        let part = &by_bucket[start[b]..start[b + 1]];
        let mut pos = vec![0u32; offs.len() + 1];
        for &x in part {
            pos[(x >> 32) as usize + 1] += 1;
        }
        for i in 0..offs.len() {
            pos[i + 1] += pos[i];
        }
        for (o, &p) in offs.iter_mut().zip(&pos) {
            *o = (start[b] + p as usize) as u64;
        }
        for &x in part {
            let slot = &mut pos[(x >> 32) as usize];
            out[*slot as usize] = x as u32;
            *slot += 1;
        }
        if !in_time_order {
            let first = start[b] as u64;
            for i in 0..offs.len() {
                let lo = (offs[i] - first) as usize;
                let hi = offs.get(i + 1).map_or(out.len(), |&o| (o - first) as usize);
                out[lo..hi].sort_unstable_by_key(|&e| (time[e as usize], e));
            }
        }
    });
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
    fn base_amounts_come_back_exact_with_their_scale() {
        let vals = [
            "7",
            "7.5",
            "7.50",
            "7.500",
            "0.005",
            "1234.5678",
            "0",
            "-3.25",
            "92233720368547758.08",
            "79228162514264337593543950335",
            "0.10",
        ];
        let ds: Vec<Decimal> = vals.iter().map(|v| v.parse().unwrap()).collect();
        let (cents, scale) = BaseScale::build(ds.len(), |i| ds[i]);
        assert!(matches!(scale, BaseScale::PerTransfer { .. }));
        for (i, v) in vals.iter().enumerate() {
            assert_eq!(scale.decimal(i, cents[i]).to_string(), *v, "transfer {i}");
            assert_eq!(cents[i], FlowGraph::cents_of(ds[i]));
        }
        // One scale for all: nothing stored per transfer.
        let two: Vec<Decimal> = ["1.00", "2.50", "0.01"].iter().map(|v| v.parse().unwrap()).collect();
        let (cents, scale) = BaseScale::build(two.len(), |i| two[i]);
        assert!(matches!(scale, BaseScale::Uniform(2)) && scale.heap_bytes() == 0);
        assert_eq!(scale.decimal(1, cents[1]).to_string(), "2.50");
        let (cents, scale) = BaseScale::build(0, |i| two[i]);
        assert!(cents.is_empty() && matches!(scale, BaseScale::Uniform(2)));
        // Setting an amount: kept exact, whatever its scale; setting it back keeps it exact.
        let (mut cents, mut scale) = BaseScale::build(two.len(), |i| two[i]);
        for (i, v) in [(0, "0.125"), (1, "3"), (0, "4.00"), (2, "79228162514264337593543950335")] {
            let d: Decimal = v.parse().unwrap();
            cents[i] = FlowGraph::cents_of(d);
            scale.set(i, cents[i], d, two.len());
            assert_eq!(scale.decimal(i, cents[i]).to_string(), v);
        }
        assert_eq!(scale.decimal(0, cents[0]).to_string(), "4.00");
        assert_eq!(scale.decimal(1, cents[1]).to_string(), "3");
    }

    /// The straightforward adjacency: a counting sort, then each node's edges sorted by
    /// (time, id).
    fn plain_adjacency(n_nodes: u32, end: &[u32], time: &[DateTime]) -> (Vec<u64>, Vec<u32>) {
        let mut lists: Vec<Vec<u32>> = vec![Vec::new(); n_nodes as usize];
        for (e, &v) in end.iter().enumerate() {
            lists[v as usize].push(e as u32);
        }
        let mut off = vec![0u64];
        let mut edges = Vec::new();
        for mut l in lists {
            l.sort_by_key(|&e| (time[e as usize], e));
            edges.extend(l);
            off.push(edges.len() as u64);
        }
        (off, edges)
    }

    #[test]
    fn radix_adjacency_equals_a_plain_sort_in_time_order_or_not() {
        // Node counts below, at and above one bucket (2^11), a multiple of it, and a hub.
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for (n_nodes, m) in [(1u32, 5usize), (7, 0), (300, 4000), (2048, 9000), (4096, 20000), (5000, 30000)] {
            let end: Vec<u32> = (0..m)
                .map(|_| if next() % 4 == 0 { n_nodes - 1 } else { (next() % u64::from(n_nodes)) as u32 })
                .collect();
            let shuffled: Vec<DateTime> = (0..m).map(|_| DateTime((next() % 50) as i64)).collect();
            let mut ordered = shuffled.clone();
            ordered.sort();
            for time in [&shuffled, &ordered] {
                assert_eq!(
                    adjacency(n_nodes, &end, time),
                    plain_adjacency(n_nodes, &end, time),
                    "{n_nodes} nodes, {m} edges"
                );
            }
        }
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
