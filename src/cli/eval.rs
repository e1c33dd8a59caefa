//! `moneytrail eval CASE [--truth truth/patterns.csv] [--labels COLUMN]`: per typology,
//! pattern- and account-level recall, precision among the top of the ranked list and average
//! precision; with `--labels`, the accounts ranked by alert score against a per-account label
//! column (AMLSim's `isFraud`).

use super::common::CaseArgs;
use super::detect::DetectArgs;
use super::table::{count, Table};
use anyhow::{bail, Result};
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
    /// Instead of truth patterns, an extra column of accounts.csv that labels accounts (value
    /// 1 = labelled), e.g. `isFraud` of AMLSim: scores the accounts ranked by alert score.
    #[arg(long)]
    labels: Option<String>,
    #[command(flatten)]
    detect: DetectArgs,
    /// Share of a pattern's transfers a finding must hold to match it.
    #[arg(long, default_value_t = 0.8)]
    min_overlap: f64,
}

pub fn run(a: Args) -> Result<ExitCode> {
    let opts = a.detect.config()?.detect;
    let loaded = super::common::load(&a.case.case, &a.case.load)?;
    let rejected = loaded.report.rejected();
    let case = &loaded.case;
    let graph = CaseGraph::build(case);
    let found = patterns::run(case, &graph, &opts)?;
    if let Some(col) = &a.labels {
        if !case.accounts.extras.names.iter().any(|n| n == col) {
            bail!(
                "--labels {col}: accounts have no extra column '{col}'; known: {}",
                case.accounts.extras.names.join(", ")
            );
        }
        let labels: Vec<bool> = (0..case.accounts.len())
            .map(|i| case.accounts.extras.get(col, i).is_some_and(|v| v.trim() == "1"))
            .collect();
        account_table(col, case, &found, &labels);
        return Ok(super::common::done(rejected));
    }
    let truth_path = a.truth.unwrap_or_else(|| a.case.case.join("truth/patterns.csv"));
    let mut truth = eval::read_truth(&truth_path, case)?;
    if let Some(sel) = &a.detect.typology {
        truth.retain(|p| sel.iter().any(|t| t.as_str() == p.typology));
    }
    let ev = eval::evaluate(&found, &truth, a.min_overlap);
    let mut t = Table::new([
        "typology",
        "patterns",
        "found",
        "findings",
        "correct",
        "precision",
        "recall",
        "acct_r",
        "P@k",
        "P@2k",
        "AP",
    ])
    .right(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    for (name, s) in &ev.per_typology {
        // Nothing found: precision is undefined, not perfect; no patterns: recall likewise.
        let na = |undefined: bool, v: f64| if undefined { "n/a".to_string() } else { format!("{v:.3}") };
        t.row([
            name.to_string(),
            count(s.patterns as u64),
            count(s.found as u64),
            count(s.findings as u64),
            count(s.correct as u64),
            na(s.findings == 0, s.precision()),
            na(s.patterns == 0, s.recall()),
            na(s.patterns == 0, s.account_recall()),
            na(s.findings == 0, s.precision_at_k()),
            na(s.findings == 0, s.precision_at_2k()),
            na(s.findings == 0, s.average_precision),
        ]);
    }
    t.print();
    if ev.top_k == 0 {
        println!("top-k precision: n/a (nothing found)");
    } else {
        println!("top-{} precision: {}/{}", ev.top_k, ev.top_k_correct, ev.top_k);
    }
    // Precision among the first k findings over all typologies, what an analyst reads first.
    let at = |k: usize| {
        let hits = found.iter().take(k).filter(|f| truth.iter().any(|p| eval::matches(p, f, a.min_overlap))).count();
        format!("P@{k} {:.3} ({hits}/{k})", hits as f64 / k.max(1) as f64)
    };
    println!("findings, all typologies: {}, {}, {}", at(50), at(100), at(truth.len()));
    println!();
    account_table("in truth", case, &found, &eval::truth_labels(&truth, case.accounts.len()));
    Ok(super::common::done(rejected))
}

/// Expected labelled accounts among the first `k` by score (accounts in no finding last),
/// ties at the cut shared in proportion, as [`eval::evaluate_labels`] does for k = |labelled|.
fn hits_at(scores: &[Option<u32>], labels: &[bool], k: usize) -> f64 {
    let mut groups: std::collections::BTreeMap<std::cmp::Reverse<i64>, (usize, usize)> = Default::default();
    for (s, &l) in scores.iter().zip(labels) {
        let g = groups.entry(std::cmp::Reverse(s.map_or(-1, i64::from))).or_default();
        g.0 += 1;
        g.1 += usize::from(l);
    }
    let (mut before, mut hits) = (0usize, 0.0f64);
    for (n, pos) in groups.into_values() {
        let take = n.min(k.saturating_sub(before));
        hits += take as f64 * pos as f64 / n as f64;
        before += n;
    }
    hits
}

/// Accounts ranked by alert score (and, as the baseline, by their best finding's evidence)
/// against `labels`.
fn account_table(col: &str, case: &moneytrail::model::Case, found: &[patterns::Finding], labels: &[bool]) {
    println!(
        "{:<10} {:<9} {:>8} {:>8} {:>8} {:>9} {:>8} {:>8} {:>8} {:>7} {:>7} {:>7}",
        "labels", "ranking", "accounts", "labelled", "flagged", "recall", "P@1x", "R@2x", "P@2x", "AP", "P@50", "P@100"
    );
    for (how, scores) in
        [("alert", eval::account_scores(case, found)), ("evidence", eval::evidence_scores(found, case.accounts.len()))]
    {
        let l = eval::evaluate_labels(&scores, labels);
        println!(
            "{:<10} {:<9} {:>8} {:>8} {:>8} {:>9.3} {:>8.3} {:>8.3} {:>8.3} {:>7.3} {:>7.3} {:>7.3}",
            col,
            how,
            l.accounts,
            l.labelled,
            l.flagged,
            l.recall_flagged(),
            l.precision_at_1x(),
            l.recall_at_2x(),
            l.precision_at_2x(),
            l.average_precision,
            hits_at(&scores, labels, 50) / 50.0,
            hits_at(&scores, labels, 100) / 100.0,
        );
    }
    println!("{}", patterns::account_score::ACCOUNT_BASIS);
}
