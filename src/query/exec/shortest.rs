//! `SHORTEST` paths: a breadth-first search from the start node that reports, for each node
//! reached within the hop range, the first shortest path found (adjacency order, so the choice
//! among equally short paths is deterministic), or only the path to the bound end node.
//! `BETWEEN` keeps transfers inside the interval.
//!
//! # Complexity
//! O(V + E) over the nodes and relationships reached within `max` hops, against O(d^max) for
//! the depth-first search of an unqualified variable-length step.

use super::context::Ctx;
use super::expand::{dirs, end_ok, rel_ok, Step};
use super::graphs::neighbors;
use crate::query::common::QResult;
use crate::query::common::{NodeId, RelId};
use std::collections::{HashMap, HashSet};

/// Breadth-first search from `from` for paths of `lo..=hi` hops.
pub(super) fn bfs(
    ctx: &Ctx<'_>,
    step: &Step<'_>,
    lo: u32,
    hi: u32,
    from: NodeId,
    emit: &mut impl FnMut(&[RelId], NodeId) -> QResult<()>,
) -> QResult<()> {
    let spec = step.spec;
    let mut parent: HashMap<NodeId, (RelId, NodeId)> = HashMap::new();
    let mut seen: HashSet<NodeId> = HashSet::from([from]);
    let mut frontier = vec![from];
    let mut found = Vec::new();
    let mut steps = 0u64;
    for depth in 1..=hi {
        let mut next = Vec::new();
        for &u in &frontier {
            for &out in dirs(spec.dir) {
                neighbors(ctx, u, &spec.types, out, &mut |r, n| found.push((r, n)));
            }
            for (r, n) in found.drain(..) {
                steps += 1;
                if steps % 4096 == 0 {
                    ctx.check_time()?;
                }
                if seen.contains(&n) {
                    continue;
                }
                if let (Some((a, b)), RelId::Transfer(e)) = (step.between, r) {
                    let t = ctx.graph.flow.time[e.ix()].0;
                    if t < a || t > b {
                        continue;
                    }
                }
                if spec.path_label.is_some_and(|l| n.label(ctx.case) != l) || !rel_ok(ctx, step, r, n) {
                    continue;
                }
                seen.insert(n);
                parent.insert(n, (r, u));
                next.push(n);
                if depth >= lo && end_ok(ctx, step, n) {
                    let mut rels = Vec::with_capacity(depth as usize);
                    let mut at = n;
                    while let Some(&(r, p)) = parent.get(&at) {
                        rels.push(r);
                        at = p;
                    }
                    rels.reverse();
                    emit(&rels, n)?;
                    if step.target == Some(n) {
                        return Ok(());
                    }
                }
            }
        }
        if next.is_empty() {
            break;
        }
        frontier = next;
    }
    Ok(())
}
