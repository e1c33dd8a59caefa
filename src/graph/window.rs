//! Sliding windows over one node's time-sorted transfers: how many distinct counterparts fall
//! within a window ending at each transfer. The candidate stage of the fan detectors and the
//! query procedure `counterparts` both run on it.
//!
//! One pass per node: the window's left edge only moves forward, and the count of each
//! counterpart lives in a dense array indexed by node, allocated once per thread and cleared as
//! the window empties, so a pass allocates nothing and hashes nothing.

use crate::model::DateTime;

/// Counts of counterparts in the current window, indexed by flow node; reused across nodes.
pub struct DistinctWindow {
    count: Vec<u32>,
}

impl DistinctWindow {
    /// A counter for keys below `n_nodes` (4 bytes each); it grows when it meets a larger key.
    pub fn new(n_nodes: u32) -> DistinctWindow {
        DistinctWindow { count: vec![0; n_nodes as usize] }
    }

    /// Slides a window of `w` seconds over `edges` (sorted by time): for each position `hi`, the
    /// window holds the edges `lo..=hi` booked at most `w` seconds before `edges[hi]`, and `f(lo,
    /// hi, distinct)` is called with the number of distinct `key[e]` among them. Edges booked at
    /// the same second as `edges[hi]` but after it in the list are not yet in its window (the
    /// last of them sees them all).
    ///
    /// # Complexity
    /// O(len(edges)); no allocation once the counter covers the keys.
    pub fn slide(
        &mut self,
        edges: &[u32],
        time: &[DateTime],
        key: &[u32],
        w: i64,
        mut f: impl FnMut(usize, usize, usize),
    ) {
        let mut lo = 0;
        let mut distinct = 0usize;
        for hi in 0..edges.len() {
            let th = time[edges[hi] as usize].0;
            let k = key[edges[hi] as usize] as usize;
            if k >= self.count.len() {
                self.count.resize(k + 1, 0);
            }
            let count = &mut self.count;
            let c = &mut count[k];
            if *c == 0 {
                distinct += 1;
            }
            *c += 1;
            while time[edges[lo] as usize].0 < th - w {
                let c = &mut count[key[edges[lo] as usize] as usize];
                *c -= 1;
                if *c == 0 {
                    distinct -= 1;
                }
                lo += 1;
            }
            f(lo, hi, distinct);
        }
        // Leave the counter empty for the next node.
        for &e in &edges[lo..] {
            self.count[key[e as usize] as usize] = 0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_distinct_keys_in_each_window_and_leaves_the_counter_empty() {
        const DAY: i64 = 86_400;
        // Times in days; keys repeat.
        let time: Vec<DateTime> = [0, 1, 1, 2, 5, 9, 9].iter().map(|d| DateTime(d * DAY)).collect();
        let key = vec![1, 2, 1, 3, 3, 4, 1];
        let edges: Vec<u32> = (0..7).collect();
        let mut w = DistinctWindow::new(2);
        let mut got = Vec::new();
        w.slide(&edges, &time, &key, 3 * DAY, |lo, hi, n| got.push((lo, hi, n)));
        // Day 5 keeps day 2 (5 - 3 = 2, inclusive); day 9 drops everything before day 6.
        assert_eq!(got, vec![(0, 0, 1), (0, 1, 2), (0, 2, 2), (0, 3, 3), (3, 4, 1), (5, 5, 1), (5, 6, 2)]);
        assert!(w.count.iter().all(|&c| c == 0));
        let mut none = Vec::new();
        w.slide(&[], &time, &key, DAY, |lo, hi, n| none.push((lo, hi, n)));
        assert!(none.is_empty());
    }
}
