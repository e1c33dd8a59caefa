//! Time-respecting paths to a fixed target over the transfer CSR, and so temporal cycles (the
//! target is the origin): the one search behind the native cycle detector and the query
//! engine's bounded variable-length TRANSFER steps (`-[*2..6 ASCENDING TIME WITHIN 10 DAYS NO
//! REPEAT]->(a)`).
//!
//! A plain depth-first search from an origin walks every time-respecting path of up to L hops
//! and keeps the few that return; through a hub (a payroll or utility account with 10^5
//! counterparts) that is most of the graph, so the cost grew with hub degree rather than with
//! the cycles found. Here each search is pruned by reachability first, as in 2SCENT (Kumar and
//! Calders, VLDB 2018) and the temporal Johnson algorithm of Blanuša, Ienne and Atasu ("Fast
//! parallel algorithms for enumerating simple, temporal cycles", arXiv 2202.09685): a bounded
//! backward search from the target over the transfers of the window labels every node `x` with
//! the latest time at which a path of at most `h` hops can leave `x` and still reach the target
//! in time, for each `h`. The forward search then descends into `x` over a transfer booked at
//! `t` only when that label is later than `t` for the hops left; every other branch is known to
//! find nothing and is never entered. The labels are computed once per group of the origin's
//! first transfers booked within half a window of each other (over their joint window, a sound
//! over-approximation for each), so an origin with 10^5 payments costs a few hundred backward
//! searches, not 10^5.
//!
//! Pruning never changes what is found, nor the order: the forward search visits the same
//! candidates in the same order as the plain search and only skips subtrees that hold no path.

use super::FlowGraph;
use crate::model::DateTime;

/// The shape of a search.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TemporalSpec {
    /// Fewest transfers on a reported path (1 or more).
    pub min_hops: usize,
    /// Most transfers on a path.
    pub max_hops: usize,
    /// The last transfer of a path at most this many seconds after the first.
    pub window: i64,
    /// Each transfer strictly later than the previous. `false`: any order inside the window,
    /// every later transfer after the first in (time, id) order.
    pub ordered: bool,
    /// Each transfer at most this many seconds after the previous (ordered searches).
    pub max_gap: Option<i64>,
    /// Follow only the earliest qualifying transfer to each next node (after the first hop), so
    /// parallel transfers do not multiply the paths (the cycle detector's rule). `false`: every
    /// transfer is its own path (the query's rule).
    pub first_per_node: bool,
}

/// What the caller decides about single transfers and consecutive pairs.
pub trait HopRules {
    /// What a visit can raise (a query's time budget).
    type Error;
    /// May `e` be a transfer of a path at all? It must depend on the transfer only, not on the
    /// path: the backward labels are computed over the transfers it admits.
    fn edge(&self, e: u32) -> bool;
    /// May `next` follow `prev` on a path (an amount band)? Checked before [`HopRules::edge`].
    fn follows(&self, prev: u32, next: u32) -> bool;
    /// Called every 4,096 candidate transfers, so a search over its budget can stop.
    fn check(&self) -> Result<(), Self::Error> {
        Ok(())
    }
}

/// No time label: the node cannot reach the target.
const NONE: i64 = i64::MIN;

/// Reusable state of a search: the backward labels and the current path. Its arrays are
/// indexed by node (8 bytes per node) and reset by generation, so a search allocates nothing
/// per origin; [`TemporalSearch::with`] lends each thread its own.
pub struct TemporalSearch {
    spec: TemporalSpec,
    /// Labels per node, `levels` values each (at most 1, 2, ... `levels` hops), at
    /// `slot[x] * levels`; valid when `stamp[x] == generation`.
    stamp: Vec<u32>,
    slot: Vec<u32>,
    generation: u32,
    labels: Vec<i64>,
    levels: usize,
    touched: Vec<u32>,
    next_frontier: Vec<u32>,
    /// The nodes whose label improved at the previous level, with that label.
    level_from: Vec<(u32, i64)>,
    path: Vec<u32>,
    nodes: Vec<u32>,
    steps: u64,
}

thread_local! {
    static SEARCH: std::cell::RefCell<Option<TemporalSearch>> = const { std::cell::RefCell::new(None) };
}

impl TemporalSearch {
    /// A search with `spec` (its node arrays grow to the graph on first use).
    pub fn new(spec: TemporalSpec) -> TemporalSearch {
        TemporalSearch {
            spec,
            stamp: Vec::new(),
            slot: Vec::new(),
            generation: 0,
            labels: Vec::new(),
            levels: spec.max_hops.saturating_sub(1),
            touched: Vec::new(),
            next_frontier: Vec::new(),
            level_from: Vec::new(),
            path: Vec::new(),
            nodes: Vec::new(),
            steps: 0,
        }
    }

    /// Runs `f` with this thread's search, set to `spec` (its arrays are kept between calls, so
    /// a parallel loop over origins allocates them once per thread). `f` must not call `with`.
    pub fn with<R>(spec: TemporalSpec, f: impl FnOnce(&mut TemporalSearch) -> R) -> R {
        SEARCH.with_borrow_mut(|s| {
            let s = s.get_or_insert_with(|| TemporalSearch::new(spec));
            s.spec = spec;
            s.levels = spec.max_hops.saturating_sub(1);
            f(s)
        })
    }

    /// Every path from `origin` to `target` (a cycle when they are the same node) with no node
    /// twice, passed to `emit` as its transfers, in the order of a depth-first search over the
    /// origin's transfers sorted by (time, id), each node's candidates in the same order.
    ///
    /// # Complexity
    /// Per group of first transfers, a backward search over the transfers of the window that
    /// lead to the target in time (at most `max_hops - 1` levels), then a forward search that
    /// enters only nodes labelled as able to reach the target: proportional to the part of the
    /// graph that lies on some path, not to the hubs' degree. Worst case (everything reaches
    /// everything) that of the plain search.
    pub fn paths<H: HopRules>(
        &mut self,
        g: &FlowGraph,
        rules: &H,
        origin: u32,
        target: u32,
        emit: &mut impl FnMut(&[u32]) -> Result<(), H::Error>,
    ) -> Result<(), H::Error> {
        let sp = self.spec;
        if sp.max_hops == 0 || sp.window < 0 {
            return Ok(());
        }
        let n = g.node_count() as usize;
        if self.stamp.len() < n {
            // New entries are stamped 0, older than any generation in use.
            self.stamp.resize(n, 0);
            self.slot.resize(n, 0);
        }
        let firsts = g.out_edges(origin);
        // Groups of first transfers booked within half a window of the group's first.
        let span = (sp.window / 2).max(1);
        let mut i = 0;
        while i < firsts.len() {
            let t_lo = g.time[firsts[i] as usize].0;
            let mut j = i;
            while j < firsts.len() && g.time[firsts[j] as usize].0 <= t_lo.saturating_add(span) {
                j += 1;
            }
            let group = &firsts[i..j];
            i = j;
            if !group.iter().any(|&e| rules.edge(e)) {
                continue;
            }
            let t_hi = g.time[group[group.len() - 1] as usize].0;
            let labelled = sp.max_hops >= 2 && self.label(g, rules, target, t_lo, t_hi.saturating_add(sp.window));
            for &e0 in group {
                self.steps += 1;
                if self.steps % 4096 == 0 {
                    rules.check()?;
                }
                if !rules.edge(e0) {
                    continue;
                }
                let d = g.dst[e0 as usize];
                let t0 = g.time[e0 as usize].0;
                if d == target {
                    if sp.min_hops <= 1 {
                        emit(&[e0])?;
                    }
                    continue;
                }
                if !labelled || d == origin || !self.can_reach(d, sp.max_hops - 1, t0) {
                    continue;
                }
                self.path.clear();
                self.nodes.clear();
                self.path.push(e0);
                self.nodes.extend([origin, d]);
                self.extend(g, rules, target, e0, t0, t0.saturating_add(sp.window), emit)?;
            }
        }
        Ok(())
    }

    /// True when `x` is labelled as reaching the target within `hops` hops leaving after `t`
    /// (ordered) or at all (unordered).
    #[inline]
    fn can_reach(&self, x: u32, hops: usize, t: i64) -> bool {
        if hops == 0 || self.stamp[x as usize] != self.generation {
            return false;
        }
        let v = self.labels[self.slot[x as usize] as usize * self.levels + hops.min(self.levels) - 1];
        if self.spec.ordered {
            v > t
        } else {
            v != NONE
        }
    }

    /// The backward labels for first transfers booked in `[t_lo, ..]` and paths ending by
    /// `t_end`. Returns false when no node reaches the target (nothing to search).
    fn label<H: HopRules>(&mut self, g: &FlowGraph, rules: &H, target: u32, t_lo: i64, t_end: i64) -> bool {
        let levels = self.levels;
        self.generation = self.generation.wrapping_add(1);
        if self.generation == 0 {
            self.stamp.iter_mut().for_each(|s| *s = 0);
            self.generation = 1;
        }
        self.labels.clear();
        self.touched.clear();
        // Transfers after the first: strictly later (ordered) or from its time on (unordered).
        let from = if self.spec.ordered { t_lo.saturating_add(1) } else { t_lo };
        // Level 0: the target itself, reached at any time up to t_end.
        let mut level_from = std::mem::take(&mut self.level_from);
        level_from.clear();
        level_from.push((target, t_end.saturating_add(1)));
        for h in 1..=levels {
            // Labels of level h start as those of level h - 1 (at most h hops includes h - 1).
            if h > 1 {
                for &x in &self.touched {
                    let b = self.slot[x as usize] as usize * levels;
                    self.labels[b + h - 1] = self.labels[b + h - 2];
                }
            }
            self.next_frontier.clear();
            for &(x, before) in &level_from {
                // Transfers into x that leave their sender early enough to arrive before x's label.
                let to = if self.spec.ordered { before.saturating_sub(1).min(t_end) } else { t_end };
                if to < from {
                    continue;
                }
                for &e in g.in_between(x, DateTime(from), DateTime(to)) {
                    if !rules.edge(e) {
                        continue;
                    }
                    let y = g.src[e as usize];
                    if y == target {
                        continue;
                    }
                    let te = if self.spec.ordered { g.time[e as usize].0 } else { t_end };
                    let yi = y as usize;
                    if self.stamp[yi] != self.generation {
                        self.stamp[yi] = self.generation;
                        self.slot[yi] = self.touched.len() as u32;
                        self.touched.push(y);
                        self.labels.extend(std::iter::repeat_n(NONE, levels));
                    }
                    let k = self.slot[yi] as usize * levels + h - 1;
                    if te > self.labels[k] {
                        self.labels[k] = te;
                        self.next_frontier.push(y);
                    }
                }
            }
            if self.next_frontier.is_empty() {
                // Nothing new at this level: the higher levels equal it.
                for l in h + 1..=levels {
                    for &x in &self.touched {
                        let b = self.slot[x as usize] as usize * levels;
                        self.labels[b + l - 1] = self.labels[b + l - 2];
                    }
                }
                break;
            }
            // Next level: each improved node once, with its final label of this level.
            self.next_frontier.sort_unstable();
            self.next_frontier.dedup();
            level_from.clear();
            for &y in &self.next_frontier {
                let v = self.labels[self.slot[y as usize] as usize * levels + h - 1];
                level_from.push((y, if self.spec.ordered { v } else { t_end.saturating_add(1) }));
            }
        }
        self.level_from = level_from;
        !self.touched.is_empty()
    }

    /// Depth-first extension of the current path (its first transfer `e0` at `t0`, every
    /// transfer by `end`).
    #[allow(clippy::too_many_arguments)]
    fn extend<H: HopRules>(
        &mut self,
        g: &FlowGraph,
        rules: &H,
        target: u32,
        e0: u32,
        t0: i64,
        end: i64,
        emit: &mut impl FnMut(&[u32]) -> Result<(), H::Error>,
    ) -> Result<(), H::Error> {
        let sp = self.spec;
        let Some(&last) = self.path.last() else { return Ok(()) };
        let at = g.dst[last as usize];
        let t = g.time[last as usize].0;
        let (from, to) = if sp.ordered {
            (t.saturating_add(1), sp.max_gap.map_or(end, |gap| end.min(t.saturating_add(gap))))
        } else {
            (t0, end)
        };
        if from > to {
            return Ok(());
        }
        let mut tried: Vec<u32> = Vec::new();
        for &e in g.out_between(at, DateTime(from), DateTime(to)) {
            self.steps += 1;
            if self.steps % 4096 == 0 {
                rules.check()?;
            }
            let te = g.time[e as usize].0;
            if !sp.ordered && (te, e) <= (t0, e0) {
                continue;
            }
            if !rules.follows(last, e) || !rules.edge(e) {
                continue;
            }
            let d = g.dst[e as usize];
            if sp.first_per_node {
                if tried.contains(&d) {
                    continue;
                }
                tried.push(d);
            }
            let len = self.path.len() + 1;
            if d == target {
                if len >= sp.min_hops {
                    self.path.push(e);
                    let r = emit(&self.path);
                    self.path.pop();
                    r?;
                }
                continue;
            }
            if len >= sp.max_hops || self.nodes.contains(&d) || !self.can_reach(d, sp.max_hops - len, te) {
                continue;
            }
            self.path.push(e);
            self.nodes.push(d);
            let r = self.extend(g, rules, target, e0, t0, end, emit);
            self.path.pop();
            self.nodes.pop();
            r?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every transfer allowed except those whose id is a multiple of 11; the next transfer
    /// between half and all of the previous amount.
    struct Band;

    impl HopRules for Band {
        type Error = ();
        fn edge(&self, e: u32) -> bool {
            e % 11 != 5
        }
        fn follows(&self, _prev: u32, _next: u32) -> bool {
            true
        }
    }

    struct Retain<'a>(&'a FlowGraph);

    impl HopRules for Retain<'_> {
        type Error = ();
        fn edge(&self, e: u32) -> bool {
            e % 11 != 5
        }
        fn follows(&self, prev: u32, next: u32) -> bool {
            let (a, b) = (self.0.cents[prev as usize], self.0.cents[next as usize]);
            2 * b >= a && b <= a
        }
    }

    /// The plain search the pruned one must equal: depth-first over every candidate, no labels.
    fn plain<H: HopRules>(g: &FlowGraph, rules: &H, sp: &TemporalSpec, origin: u32, target: u32) -> Vec<Vec<u32>> {
        #[allow(clippy::too_many_arguments)]
        fn ext<H: HopRules>(
            g: &FlowGraph,
            r: &H,
            sp: &TemporalSpec,
            target: u32,
            path: &mut Vec<u32>,
            nodes: &mut Vec<u32>,
            out: &mut Vec<Vec<u32>>,
        ) {
            let (e0, last) = (path[0], *path.last().unwrap());
            let (t0, t) = (g.time[e0 as usize].0, g.time[last as usize].0);
            let end = t0 + sp.window;
            let (from, to) =
                if sp.ordered { (t + 1, sp.max_gap.map_or(end, |gap| end.min(t + gap))) } else { (t0, end) };
            if from > to {
                return;
            }
            let mut tried = Vec::new();
            for &e in g.out_between(g.dst[last as usize], DateTime(from), DateTime(to)) {
                if !sp.ordered && (g.time[e as usize].0, e) <= (t0, e0) {
                    continue;
                }
                if !r.follows(last, e) || !r.edge(e) {
                    continue;
                }
                let d = g.dst[e as usize];
                if sp.first_per_node {
                    if tried.contains(&d) {
                        continue;
                    }
                    tried.push(d);
                }
                path.push(e);
                if d == target {
                    if path.len() >= sp.min_hops {
                        out.push(path.clone());
                    }
                } else if path.len() < sp.max_hops && !nodes.contains(&d) {
                    nodes.push(d);
                    ext(g, r, sp, target, path, nodes, out);
                    nodes.pop();
                }
                path.pop();
            }
        }
        let mut out = Vec::new();
        for &e0 in g.out_edges(origin) {
            if !rules.edge(e0) {
                continue;
            }
            let d = g.dst[e0 as usize];
            if d == target {
                if sp.min_hops <= 1 {
                    out.push(vec![e0]);
                }
            } else if d != origin && sp.max_hops >= 2 {
                ext(g, rules, sp, target, &mut vec![e0], &mut vec![origin, d], &mut out);
            }
        }
        out
    }

    /// A random multigraph with a few hubs, times on a coarse grid (so ties happen).
    fn graph(seed: u64, nodes: u32, edges: usize) -> FlowGraph {
        let mut x = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        let mut next = move |m: u64| {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (x >> 33) % m
        };
        let mut cols = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for _ in 0..edges {
            // A third of the transfers touch one of three hubs.
            let pick = |r: u64, n: u64| if r % 3 == 0 { (r / 3) % 3 } else { n };
            let s = pick(next(9), next(nodes as u64)) as u32;
            let d = pick(next(9), next(nodes as u64)) as u32;
            cols.0.push(s);
            cols.1.push(d);
            cols.2.push(DateTime(next(60) as i64 * 3_600 * 6));
            cols.3.push(100 + next(10_000) as i64);
        }
        FlowGraph::from_edges(nodes, cols.0, cols.1, cols.2, cols.3)
    }

    fn pruned<H: HopRules>(g: &FlowGraph, rules: &H, sp: TemporalSpec, origin: u32, target: u32) -> Vec<Vec<u32>>
    where
        H::Error: std::fmt::Debug,
    {
        let mut out = Vec::new();
        TemporalSearch::with(sp, |s| {
            s.paths(g, rules, origin, target, &mut |p: &[u32]| {
                out.push(p.to_vec());
                Ok(())
            })
        })
        .unwrap();
        out
    }

    #[test]
    fn pruning_finds_the_paths_of_the_plain_search_in_its_order() {
        let day = 86_400;
        let mut specs = Vec::new();
        for (ordered, first_per_node, max_gap) in [
            (true, false, None),
            (true, true, None),
            (true, false, Some(day)),
            (false, true, None),
            (false, false, None),
        ] {
            for (min_hops, max_hops, window) in [(2, 2, 3 * day), (2, 4, 2 * day), (1, 5, 4 * day), (3, 6, 10 * day)] {
                specs.push(TemporalSpec { min_hops, max_hops, window, ordered, max_gap, first_per_node });
            }
        }
        let mut found = 0;
        for seed in 0..3 {
            let g = graph(seed, 40, 500);
            for sp in &specs {
                for origin in 0..g.node_count() {
                    // Cycles, and paths to another node (a hub and an ordinary one).
                    for target in [origin, 1, 17] {
                        if sp.max_hops > 4 && !sp.ordered {
                            continue; // unordered 5- and 6-hop paths: too many for the plain search
                        }
                        let want = plain(&g, &Band, sp, origin, target);
                        assert_eq!(pruned(&g, &Band, *sp, origin, target), want, "{sp:?} {origin} -> {target}");
                        let want_r = plain(&g, &Retain(&g), sp, origin, target);
                        assert_eq!(pruned(&g, &Retain(&g), *sp, origin, target), want_r, "{sp:?} {origin} -> {target}");
                        found += want.len() + want_r.len();
                    }
                }
            }
        }
        assert!(found > 10_000, "too few paths to be a test: {found}");
    }
}
