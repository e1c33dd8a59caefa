//! `moneytrail detect CASE`: run the laundering-pattern detectors.

use anyhow::{bail, Context, Result};
use moneytrail::export::findings;
use moneytrail::graph::CaseGraph;
use moneytrail::patterns::{self, RunOptions};
use std::path::PathBuf;
use std::process::ExitCode;

/// Flags of `detect`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The case folder.
    #[arg(required_unless_present = "list")]
    case: Option<PathBuf>,
    /// A mapping file used instead of the folder's case.toml.
    #[arg(long)]
    mapping: Option<PathBuf>,
    /// Only these typologies (comma-separated).
    #[arg(long, value_delimiter = ',')]
    typology: Option<Vec<String>>,
    /// Override a parameter: typology.key=value (repeatable).
    #[arg(long = "param")]
    params: Vec<String>,
    /// Worker threads (0 = all cores).
    #[arg(long, default_value_t = 0)]
    threads: usize,
    /// Largest number of hops at which a finding is linked to a suspect.
    #[arg(long, default_value_t = 4)]
    max_suspect_hops: u32,
    /// Output file: .csv or .json.
    #[arg(long, required_unless_present = "list")]
    out: Option<PathBuf>,
    /// Skip entity resolution (by default person and company records of one entity are folded
    /// into one, with the case folder's resolution.csv decisions).
    #[arg(long)]
    no_resolve: bool,
    /// List the detectors and their parameters, then stop.
    #[arg(long)]
    list: bool,
    #[command(flatten)]
    audience: super::victims::AudienceArgs,
    #[command(flatten)]
    engine: super::cluster::EngineArgs,
}

pub fn run(a: Args) -> Result<ExitCode> {
    if a.list {
        for mut d in patterns::registry() {
            println!("{}", d.name());
            for (k, v, doc) in d.params().describe() {
                println!("  {}.{k} = {v}    {doc}", d.name());
            }
        }
        return Ok(ExitCode::SUCCESS);
    }
    let (Some(case_dir), Some(out)) = (a.case, a.out) else { bail!("CASE and --out are required") };
    let ext = out.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
    if ext != "csv" && ext != "json" {
        bail!("--out must end in .csv or .json, not '{}'", out.display());
    }
    let opts = RunOptions {
        typologies: a.typology,
        params: a.params,
        max_suspect_hops: a.max_suspect_hops,
        threads: a.threads,
    };
    patterns::configure(&opts)?;
    let t0 = std::time::Instant::now();
    let loaded = super::resolve::load_resolved(&case_dir, a.mapping, a.no_resolve)?;
    let case = &loaded.case;
    let t1 = std::time::Instant::now();
    let graph = CaseGraph::build(case);
    let t2 = std::time::Instant::now();
    let mut found = a.engine.detect(case, &graph, &opts, !a.no_resolve)?;
    // Findings on victims' accounts say so; outside the court, protected persons are pseudonymised.
    let prepared = a.audience.prepare(case, &graph.flow)?;
    moneytrail::victims::annotate_findings(case, &mut found, &prepared.assessed);
    for f in found.iter_mut() {
        for i in f.indicators.iter_mut() {
            i.detail = prepared.scrub(&i.detail).into_owned();
        }
    }
    let case = prepared.view(case);
    let t3 = std::time::Instant::now();
    if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let file = std::fs::File::create(&out).with_context(|| format!("cannot write {}", out.display()))?;
    let w = std::io::BufWriter::new(file);
    if ext == "csv" {
        findings::write_csv(case, &found, w)?;
    } else {
        findings::write_json(case, &found, w)?;
    }
    let mut per: std::collections::BTreeMap<&str, usize> = Default::default();
    for f in &found {
        *per.entry(f.typology).or_default() += 1;
    }
    for (t, n) in &per {
        println!("{t:<22} {n:>7}");
    }
    println!(
        "{} findings written to {} (ingest {:.2} s, graph {:.2} s, detect {:.2} s)",
        found.len(),
        out.display(),
        (t1 - t0).as_secs_f64(),
        (t2 - t1).as_secs_f64(),
        (t3 - t2).as_secs_f64()
    );
    let missing = moneytrail::patterns::DataContext::of(case).summary();
    if !missing.is_empty() {
        println!("{missing}: thresholds applied to the indicators this data can show (docs/evaluation.md)");
    }
    Ok(ExitCode::SUCCESS)
}
