//! `moneytrail resolve CASE`: link person and company records into entities and write one row
//! per record (table, record_id, entity_id, confidence, evidence, basis), plus the decision log.

use super::output::{Inputs, OutKind};
use anyhow::{Context, Result};
use moneytrail::graph::FlowGraph;
use moneytrail::model::EntityKind;
use moneytrail::resolve::{read_case_decisions, read_decisions, resolve, Params, Resolution};
use moneytrail::text::csv_safe;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Flags of `resolve`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The case folder.
    case: PathBuf,
    /// A mapping file used instead of the folder's case.toml.
    #[arg(long)]
    mapping: Option<PathBuf>,
    /// Where to write the entity CSV (default: standard output).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Where to write the decision log CSV (left_id, right_id, action, by, score, reason).
    #[arg(long)]
    log: Option<PathBuf>,
    /// Analyst must-link / cannot-link decisions (default: resolution.csv in the case folder).
    #[arg(long)]
    decisions: Option<PathBuf>,
    /// Points at which a pair links (default 11; see moneytrail::resolve::Params).
    #[arg(long)]
    threshold: Option<f64>,
    #[command(flatten)]
    audience: super::common::AudienceArgs,
}

pub fn run(a: Args) -> Result<ExitCode> {
    let inputs = Inputs::case(&a.case).file(a.mapping.as_deref()).file(a.decisions.as_deref());
    let inputs = a.audience.key.inputs(inputs);
    inputs.check_all(&[("--out", a.out.as_deref(), OutKind::File), ("--log", a.log.as_deref(), OutKind::File)])?;
    let t0 = std::time::Instant::now();
    // Resolution is what this command shows, so the case is loaded as written.
    let load = super::common::LoadArgs { mapping: a.mapping.clone(), no_resolve: true };
    let loaded = super::common::load(&a.case, &load)?;
    let rejected = loaded.report.rejected();
    let decisions = match &a.decisions {
        Some(p) => read_decisions(p)?,
        None => read_case_decisions(&a.case)?,
    };
    let mut params = Params::default();
    if let Some(t) = a.threshold {
        anyhow::ensure!(t.is_finite(), "--threshold must be a number");
        params.threshold = t;
    }
    let t1 = std::time::Instant::now();
    let r = resolve(&loaded.case, &decisions, &params);
    let took = t1.elapsed();
    // Outside the court, the protected persons of the case as this resolution folds it (with the
    // records folded into them) appear under their pseudonyms, and their names, id numbers,
    // birth dates and addresses are scrubbed from the evidence and the log.
    let prepared = if a.audience.is_court() {
        None
    } else {
        let mut resolved = loaded.case.clone();
        moneytrail::resolve::apply(&mut resolved, &r)?;
        Some(a.audience.prepare(&resolved, &FlowGraph::build(&resolved))?)
    };
    let scrub = |s: &str| -> String { prepared.as_ref().map_or_else(|| s.to_string(), |p| p.scrub(s).into_owned()) };
    match &a.out {
        Some(p) => {
            let f = std::fs::File::create(p).with_context(|| format!("cannot write {}", p.display()))?;
            write_entities(f, &r, &scrub).with_context(|| format!("cannot write {}", p.display()))?;
        }
        None => write_entities(std::io::stdout().lock(), &r, &scrub)?,
    }
    if let Some(p) = &a.log {
        write_log(p, &r, &scrub)?;
    }
    let s = &r.stats;
    eprintln!(
        "{} records -> {} entities ({} of several records); {} candidate pairs, {} links, {} merges, {} refused; \
         {} decisions read; resolved in {:.2} s ({:.2} s with loading)",
        s.records,
        s.entities,
        s.multi_record_entities,
        s.blocking.pairs,
        s.links,
        s.merges,
        s.refused,
        decisions.len(),
        took.as_secs_f64(),
        t0.elapsed().as_secs_f64()
    );
    if s.blocking.oversized_blocks > 0 {
        eprintln!(
            "warning: {} blocks ({} records) were too large to compare pairwise; their records met only through other keys",
            s.blocking.oversized_blocks, s.blocking.oversized_records
        );
    }
    let ignored: Vec<_> = r.log.iter().filter(|e| e.action == moneytrail::resolve::Action::Ignored).collect();
    for e in &ignored {
        eprintln!("warning: decision {} / {}: {}", scrub(&e.left_id), scrub(&e.right_id), scrub(&e.reason));
    }
    Ok(super::common::done(rejected))
}

/// Writes table, record_id, entity_id, confidence, evidence, basis; ids and evidence through
/// `scrub` (the audience's).
fn write_entities<W: Write>(w: W, r: &Resolution, scrub: &dyn Fn(&str) -> String) -> Result<()> {
    let mut w = csv::Writer::from_writer(w);
    w.write_record(["table", "record_id", "entity_id", "confidence", "evidence", "basis"])?;
    for x in &r.records {
        let table = match x.record.kind {
            EntityKind::Person => "persons",
            EntityKind::Company => "companies",
        };
        let conf = format!("{:.3}", x.confidence);
        let basis = x.basis.map(|b| b.as_str()).unwrap_or("");
        let (rec, ent, ev) = (scrub(&x.record_id), scrub(&x.entity_id), scrub(&x.evidence));
        csv_safe::write_record(&mut w, &[table, &rec, &ent, &conf, &ev, basis])?;
    }
    w.flush()?;
    Ok(())
}

fn write_log(path: &Path, r: &Resolution, scrub: &dyn Fn(&str) -> String) -> Result<()> {
    let mut w = csv::Writer::from_path(path).with_context(|| format!("cannot write {}", path.display()))?;
    w.write_record(["left_id", "right_id", "action", "by", "score", "reason"])?;
    for e in &r.log {
        let score = e.score.map(|s| s.to_string()).unwrap_or_default();
        let (left, right, by, reason) = (scrub(&e.left_id), scrub(&e.right_id), scrub(&e.by), scrub(&e.reason));
        csv_safe::write_record(&mut w, &[&left, &right, e.action.as_str(), &by, &score, &reason])?;
    }
    w.flush()?;
    Ok(())
}
