//! `moneytrail investigate CASE --out DIR`: the main job (ingest, detect, trace, value, and write
//! the evidence bundle: report.html, diagrams, tables, manifest.json).

use anyhow::{Context, Result};
use moneytrail::export::bundle::{investigate, InvestigateOptions};
use moneytrail::patterns::RunOptions;
use std::path::PathBuf;
use std::process::ExitCode;

/// Flags of `investigate`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The case folder.
    case: PathBuf,
    /// The bundle folder to write (created if needed).
    #[arg(long)]
    out: PathBuf,
    /// A mapping file used instead of the folder's case.toml.
    #[arg(long)]
    mapping: Option<PathBuf>,
    /// court (identities in clear, sealed pseudonym mapping, key findings linked to a suspect),
    /// police (alias analyst: every finding), ngo or public; outside the court protected persons
    /// (victims, minors) are pseudonymised.
    #[arg(long, default_value = "analyst")]
    audience: String,
    /// File whose first line is the case passphrase (else MONEYTRAIL_SEAL_PASSPHRASE); never
    /// give it on the command line.
    #[arg(long)]
    seal_passphrase_file: Option<PathBuf>,
    /// Override a detector parameter: typology.key=value, or a classifier parameter:
    /// victims.key=value (repeatable).
    #[arg(long = "param")]
    params: Vec<String>,
    /// Tracing rules side by side (comma-separated).
    #[arg(long, value_delimiter = ',', default_value = "fifo,pro-rata,libr")]
    rules: Vec<String>,
    /// Most nodes on one diagram.
    #[arg(long, default_value_t = 60)]
    max_nodes: usize,
    /// Findings (top by score) that get their own diagram.
    #[arg(long, default_value_t = 10)]
    finding_diagrams: usize,
    /// Draw with moneytrail's own SVG layout even when Graphviz is installed.
    #[arg(long)]
    no_graphviz: bool,
    /// Skip entity resolution (by default person and company records of one entity are folded
    /// into one, with the case folder's resolution.csv decisions).
    #[arg(long)]
    no_resolve: bool,
    /// Worker threads (0 = all cores).
    #[arg(long, default_value_t = 0)]
    threads: usize,
}

pub fn run(a: Args) -> Result<ExitCode> {
    let audience = super::victims::audience(&a.audience)?;
    let rules = a
        .rules
        .iter()
        .map(|r| r.parse().map_err(|e| anyhow::anyhow!("--rules: {e}")))
        .collect::<Result<Vec<moneytrail::trace::Rule>>>()?;
    // `victims.key=value` goes to the non-punishment classifier, the rest to the detectors.
    let (victim_params, params): (Vec<String>, Vec<String>) =
        a.params.into_iter().partition(|p| p.starts_with("victims."));
    let mut victims = moneytrail::victims::VictimParams::default();
    for p in &victim_params {
        let (k, v) = p.split_once('=').context("--param expects victims.key=value")?;
        moneytrail::patterns::Params::set(&mut victims, &k["victims.".len()..], v)
            .map_err(|e| anyhow::anyhow!("--param {p}: {e}"))?;
    }
    let detect = RunOptions { threads: a.threads, ..super::detect::detect_options(None, &params)? };
    let mut opts = InvestigateOptions {
        audience,
        detect,
        rules,
        finding_diagrams: a.finding_diagrams,
        graphviz: !a.no_graphviz,
        victims,
        ..InvestigateOptions::default()
    };
    opts.charts.max_nodes = a.max_nodes.max(5);
    let t0 = std::time::Instant::now();
    let loaded = super::resolve::load_resolved(&a.case, a.mapping, a.no_resolve)?;
    let t_ingest = t0.elapsed();
    opts.protection = super::victims::protection(a.seal_passphrase_file.as_deref(), &loaded.case.meta.name)?;
    // One thread pool for the whole job, owned by the detection runner inside `investigate`.
    let summary = investigate(&loaded.case, &a.out, &opts)?;
    for n in &summary.notes {
        eprintln!("note: {n}");
    }
    println!(
        "{} suspects, {} findings; {} files written to {}",
        summary.suspects,
        summary.findings,
        summary.outputs + 1,
        a.out.display()
    );
    let mut times = vec![format!("ingest {:.2} s", t_ingest.as_secs_f64())];
    times.extend(summary.timings.iter().map(|(n, d)| format!("{n} {:.2} s", d.as_secs_f64())));
    println!("time: {}; total {:.2} s", times.join(", "), t0.elapsed().as_secs_f64());
    println!("manifest.json SHA-256: {}", summary.manifest_sha256);
    Ok(ExitCode::SUCCESS)
}
