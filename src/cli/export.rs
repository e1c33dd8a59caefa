//! `moneytrail export CASE --format graphml|ftm --out FILE`: the case for other tools.

use super::output::OutKind;
use anyhow::{bail, Context, Result};
use moneytrail::export::{ftm, graphml};
use moneytrail::graph::FlowGraph;
use std::path::PathBuf;
use std::process::ExitCode;

/// Flags of `export`.
#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    case: super::common::CaseArgs,
    /// `graphml` (Gephi, yEd) or `ftm` (FollowTheMoney JSON lines for Aleph).
    #[arg(long)]
    format: String,
    /// Output file.
    #[arg(long)]
    out: PathBuf,
    #[command(flatten)]
    audience: super::common::AudienceArgs,
}

pub fn run(a: Args) -> Result<ExitCode> {
    if a.format != "graphml" && a.format != "ftm" {
        bail!("--format must be graphml or ftm, not '{}'", a.format);
    }
    let inputs = a.audience.key.inputs(a.case.inputs());
    inputs.check_all(&[("--out", Some(&a.out), OutKind::File)])?;
    let t0 = std::time::Instant::now();
    let loaded = super::common::load(&a.case.case, &a.case.load)?;
    let rejected = loaded.report.rejected();
    let flow = FlowGraph::build(&loaded.case);
    let prepared = a.audience.prepare(&loaded.case, &flow)?;
    let case = prepared.view(&loaded.case);
    if let Some(dir) = a.out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let file = std::fs::File::create(&a.out).with_context(|| format!("cannot write {}", a.out.display()))?;
    let w = std::io::BufWriter::new(file);
    if a.format == "graphml" {
        graphml::write_graphml(case, &flow, w)?;
    } else {
        ftm::write_ftm(case, w)?;
    }
    println!("{} written in {:.2} s", a.out.display(), t0.elapsed().as_secs_f64());
    Ok(super::common::done(rejected))
}
