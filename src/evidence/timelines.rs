//! Which findings get a timeline of their own (issue 6, "timeline of a money flow"), and the
//! source rows those timelines cite, so every arrow has an exhibit number. Drawn by
//! `export::finding_timelines`.

use super::exhibits::ExhibitCollector;
use crate::model::Case;
use crate::patterns::Finding;

/// Caps of a timeline.
#[derive(Clone, Debug, PartialEq)]
pub struct TimelineLimits {
    /// Most lanes (one more, "other", collects the rest).
    pub max_lanes: usize,
    /// Most arrows drawn (largest by value).
    pub max_arrows: usize,
    /// Most arrows labelled with their exhibit number (largest by value; every arrow's tooltip
    /// has it).
    pub max_labels: usize,
}

impl Default for TimelineLimits {
    /// 14 lanes, 400 arrows, 40 labels [D: what stays legible at 1,400 px].
    fn default() -> Self {
        TimelineLimits { max_lanes: 14, max_arrows: 400, max_labels: 40 }
    }
}

/// Findings listed in the report's findings table (all are in findings.csv).
pub const MAX_FINDING_ROWS: usize = 500;

/// The findings (indices) that get a timeline: the ones the findings table lists, with transfers.
pub fn targets(findings: &[Finding]) -> Vec<usize> {
    findings.iter().enumerate().take(MAX_FINDING_ROWS).filter(|(_, f)| !f.txns.is_empty()).map(|(i, _)| i).collect()
}

/// Cites every transfer of the target findings, so each arrow has an exhibit number. Call
/// before [`ExhibitCollector::finish`].
pub fn cite(case: &Case, findings: &[Finding], targets: &[usize], col: &mut ExhibitCollector) {
    let tr = &case.transfers;
    for &i in targets {
        for &t in &findings[i].txns {
            col.cite(tr.prov(t.ix()), || format!("transfer {}", tr.txn_id.get(t.ix())));
        }
    }
}
