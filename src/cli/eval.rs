//! `moneytrail eval CASE --truth truth/patterns.csv`: precision and recall per typology.

use anyhow::Result;
use moneytrail::graph::CaseGraph;
use moneytrail::patterns::{self, eval};
use std::path::PathBuf;
use std::process::ExitCode;

/// Flags of `eval`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The case folder.
    case: PathBuf,
    /// Ground truth (default: CASE/truth/patterns.csv).
    #[arg(long)]
    truth: Option<PathBuf>,
    /// Only these typologies (comma-separated).
    #[arg(long, value_delimiter = ',')]
    typology: Option<Vec<String>>,
    /// Override a parameter: typology.key=value (repeatable).
    #[arg(long = "param")]
    params: Vec<String>,
    /// Skip entity resolution (by default person and company records of one entity are folded
    /// into one, with the case folder's resolution.csv decisions).
    #[arg(long)]
    no_resolve: bool,
    /// Share of a pattern's transfers a finding must hold to match it.
    #[arg(long, default_value_t = 0.8)]
    min_overlap: f64,
}

pub fn run(a: Args) -> Result<ExitCode> {
    let loaded = super::resolve::load_resolved(&a.case, None, a.no_resolve)?;
    let case = &loaded.case;
    let graph = CaseGraph::build(case);
    let opts = super::detect::detect_options(a.typology.as_deref(), &a.params)?;
    let found = patterns::run(case, &graph, &opts)?;
    let truth_path = a.truth.unwrap_or_else(|| a.case.join("truth/patterns.csv"));
    let mut truth = eval::read_truth(&truth_path, case)?;
    if let Some(sel) = &a.typology {
        truth.retain(|p| sel.contains(&p.typology));
    }
    let ev = eval::evaluate(&found, &truth, a.min_overlap);
    println!(
        "{:<22} {:>8} {:>6} {:>8} {:>8} {:>9} {:>7}",
        "typology", "patterns", "found", "findings", "correct", "precision", "recall"
    );
    for (t, s) in &ev.per_typology {
        println!(
            "{:<22} {:>8} {:>6} {:>8} {:>8} {:>9.3} {:>7.3}",
            t,
            s.patterns,
            s.found,
            s.findings,
            s.correct,
            s.precision(),
            s.recall()
        );
    }
    println!("top-{} precision: {}/{}", ev.top_k, ev.top_k_correct, ev.top_k);
    Ok(ExitCode::SUCCESS)
}
