//! One timeline per finding (issue 6, "timeline of a money flow"): the finding's accounts on the
//! first lanes, one lane per account, each transfer an arrow from sender to receiver at its
//! booking time, every arrow labelled with its exhibit number. Drawn by
//! [`super::timeline::timeline_svg`], so names are escaped the same way and the bytes depend on
//! the case only.
//!
//! Which findings: [`crate::evidence::timelines::targets`], those listed in report.html's
//! findings table that have transfers. Caps per timeline:
//! [`FINDING_TIMELINE_LIMITS`]; a finding with more transfers shows its largest ones and a note
//! says how many and how much were left out (all are in findings.csv and exhibits.csv).

use super::manifest::BundleWriter;
use super::timeline::{timeline_svg, TimelineLimits};
use crate::evidence::chart::Footer;
use crate::evidence::exhibits::Exhibits;
use crate::graph::FlowGraph;
use crate::model::Case;
use crate::patterns::Finding;
use crate::text::file_stem;

/// Caps of a finding's timeline: 30 lanes (plus "other"), 250 arrows, every drawn arrow
/// labelled [D: a finding's flow is read arrow by arrow; 250 labels stay legible at 1,550 px].
pub const FINDING_TIMELINE_LIMITS: TimelineLimits = TimelineLimits { max_lanes: 30, max_arrows: 250, max_labels: 250 };

/// Bundle path of the timeline of the finding at index `i` (rank `i + 1`).
pub fn path(i: usize, finding: &Finding) -> String {
    format!("diagrams/finding-timeline-{:03}-{}.svg", i + 1, file_stem(&finding.id))
}

/// The SVG of one finding's timeline.
pub fn render(case: &Case, flow: &FlowGraph, i: usize, f: &Finding, ex: &Exhibits, footer: &Footer) -> String {
    let title = format!(
        "Finding {} · {} · {}: {} transfers, {}",
        i + 1,
        f.typology,
        f.id,
        f.txns.len(),
        crate::evidence::chart::money(f.total, case.meta.base_currency.as_str())
    );
    // The finding's accounts are flow nodes (account index = node id).
    // The timeline draws flow nodes and edges: an account's node has the account's number.
    let lanes: Vec<u32> = f.accounts.iter().map(|a| a.node().raw()).collect();
    let txns: Vec<u32> = f.txns.iter().map(|t| t.raw()).collect();
    timeline_svg(case, flow, &title, &lanes, &txns, ex, footer, &FINDING_TIMELINE_LIMITS)
}

/// Writes the timeline of every target finding; returns (finding index, bundle path).
///
/// # Errors
/// I/O errors of the bundle writer.
pub fn write_all(
    w: &mut BundleWriter,
    case: &Case,
    flow: &FlowGraph,
    findings: &[Finding],
    targets: &[usize],
    ex: &Exhibits,
    footer: &Footer,
) -> std::io::Result<Vec<(usize, String)>> {
    let mut out = Vec::with_capacity(targets.len());
    for &i in targets {
        let svg = render(case, flow, i, &findings[i], ex, footer);
        let rel = path(i, &findings[i]);
        w.write(&rel, svg.as_bytes())?;
        out.push((i, rel));
    }
    Ok(out)
}
