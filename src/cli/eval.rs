//! `moneytrail eval CASE --truth truth/patterns.csv`: precision and recall per typology.

use super::common::CaseArgs;
use super::detect::DetectArgs;
use super::table::{count, Table};
use anyhow::Result;
use moneytrail::graph::CaseGraph;
use moneytrail::patterns::{self, eval};
use std::path::PathBuf;
use std::process::ExitCode;

/// Flags of `eval`.
#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    case: CaseArgs,
    /// Ground truth (default: CASE/truth/patterns.csv).
    #[arg(long)]
    truth: Option<PathBuf>,
    #[command(flatten)]
    detect: DetectArgs,
    /// Share of a pattern's transfers a finding must hold to match it.
    #[arg(long, default_value_t = 0.8)]
    min_overlap: f64,
}

pub fn run(a: Args) -> Result<ExitCode> {
    let opts = a.detect.config()?.detect;
    let loaded = super::common::load(&a.case.case, &a.case.load)?;
    let case = &loaded.case;
    let graph = CaseGraph::build(case);
    let found = patterns::run(case, &graph, &opts)?;
    let truth_path = a.truth.unwrap_or_else(|| a.case.case.join("truth/patterns.csv"));
    let mut truth = eval::read_truth(&truth_path, case)?;
    if let Some(sel) = &a.detect.typology {
        truth.retain(|p| sel.iter().any(|t| t.as_str() == p.typology));
    }
    let ev = eval::evaluate(&found, &truth, a.min_overlap);
    let mut t = Table::new(["typology", "patterns", "found", "findings", "correct", "precision", "recall"])
        .right(&[1, 2, 3, 4, 5, 6]);
    for (name, s) in &ev.per_typology {
        // Nothing found: precision is undefined, not perfect; no patterns: recall likewise.
        let precision = if s.findings == 0 { "n/a".to_string() } else { format!("{:.3}", s.precision()) };
        let recall = if s.patterns == 0 { "n/a".to_string() } else { format!("{:.3}", s.recall()) };
        t.row([
            name.to_string(),
            count(s.patterns as u64),
            count(s.found as u64),
            count(s.findings as u64),
            count(s.correct as u64),
            precision,
            recall,
        ]);
    }
    t.print();
    if ev.top_k == 0 {
        println!("top-k precision: n/a (nothing found)");
    } else {
        println!("top-{} precision: {}/{}", ev.top_k, ev.top_k_correct, ev.top_k);
    }
    Ok(ExitCode::SUCCESS)
}
