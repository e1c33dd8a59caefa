//! Fan-in (gather): many distinct senders pay into one account within a window
//! (docs/domain.md §1.3 #4; AMLSim typology fan_in).

use super::finding::Finding;
use super::runner::{DetectCtx, Detector};
use super::Params;
use crate::graph::NodeKind;
use crate::model::{Channel, DateTime};
use rayon::prelude::*;
use std::collections::HashMap;

crate::params! {
    /// Parameters of [`FanIn`].
    pub struct FanInParams {
        /// Distinct senders needed within the window (n >= 5, docs/domain.md §1.3 #4, AMLSim).
        min_senders: usize = 5,
        /// Window length in days (w = 30, AMLSim look-back, docs/domain.md §1.3 #4).
        window_days: i64 = 30,
        /// Ignore card payments (merchant acquiring is fan-in by design) [D].
        skip_card: bool = true,
    }
}

/// The fan-in detector.
#[derive(Default)]
pub struct FanIn {
    /// Parameters.
    pub p: FanInParams,
}

impl Detector for FanIn {
    fn name(&self) -> &'static str {
        "fan_in"
    }

    fn params(&mut self) -> &mut dyn Params {
        &mut self.p
    }

    /// Per account, a sliding window over incoming transfers sorted by time; overlapping
    /// qualifying windows merge into one episode, reported as one finding.
    ///
    /// # Complexity
    /// O(E) over incoming transfers of every account, parallel over accounts.
    fn detect(&self, ctx: &DetectCtx<'_>) -> Vec<Finding> {
        let g = &ctx.graph.flow;
        let t = &ctx.case.transfers;
        let w = self.p.window_days * 86_400;
        (0..g.account_count())
            .into_par_iter()
            .flat_map_iter(|a| {
                let edges: Vec<u32> = g
                    .in_edges(a)
                    .iter()
                    .copied()
                    .filter(|&e| !(self.p.skip_card && t.channel[e as usize] == Channel::Card))
                    .collect();
                episodes(&edges, &g.time, &g.src, w, self.p.min_senders)
                    .into_iter()
                    .map(|ep| {
                        let senders: std::collections::BTreeSet<u32> = ep.iter().map(|&e| g.src[e as usize]).collect();
                        let mut f = Finding::new("fan_in");
                        f.accounts.push(a);
                        f.accounts.extend(senders.iter().filter(|&&s| matches!(g.kind(s), NodeKind::Account(_))));
                        f.txns = ep;
                        f.indicate(
                            "many_senders",
                            40,
                            format!("{} distinct senders within {} days", senders.len(), self.p.window_days),
                        );
                        f.finish(ctx.case, &g.base)
                    })
                    .collect::<Vec<_>>()
            })
            .collect()
    }
}

/// Merged windows of `edges` (sorted by time) in which at least `min` distinct senders appear
/// within `w` seconds. Returns the edges of each episode.
fn episodes(edges: &[u32], time: &[DateTime], src: &[u32], w: i64, min: usize) -> Vec<Vec<u32>> {
    let mut out: Vec<Vec<u32>> = Vec::new();
    let mut counts: HashMap<u32, u32> = HashMap::new();
    let mut lo = 0;
    // Current episode as an index range [start, end) into `edges`.
    let mut cur: Option<(usize, usize)> = None;
    for hi in 0..edges.len() {
        let th = time[edges[hi] as usize].0;
        *counts.entry(src[edges[hi] as usize]).or_insert(0) += 1;
        while time[edges[lo] as usize].0 < th - w {
            let s = src[edges[lo] as usize];
            if let Some(c) = counts.get_mut(&s) {
                *c -= 1;
                if *c == 0 {
                    counts.remove(&s);
                }
            }
            lo += 1;
        }
        if counts.len() >= min {
            cur = match cur {
                Some((s, e)) if lo <= e => Some((s.min(lo), hi + 1)),
                Some((s, e)) => {
                    out.push(edges[s..e].to_vec());
                    Some((lo, hi + 1))
                }
                None => Some((lo, hi + 1)),
            };
        }
    }
    if let Some((s, e)) = cur {
        out.push(edges[s..e].to_vec());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn episodes_merge_overlapping_windows() {
        // Senders 1..=5 within 5 days, then nothing for 60 days, then 3 senders.
        let time: Vec<DateTime> = [0, 1, 2, 3, 4, 70, 71, 72].iter().map(|d| DateTime(d * 86_400)).collect();
        let src = vec![1, 2, 3, 4, 5, 1, 2, 3];
        let edges: Vec<u32> = (0..8).collect();
        let eps = episodes(&edges, &time, &src, 30 * 86_400, 5);
        assert_eq!(eps, vec![vec![0, 1, 2, 3, 4]]);
        assert!(episodes(&edges, &time, &src, 30 * 86_400, 6).is_empty());
    }
}
