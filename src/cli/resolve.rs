//! `moneytrail resolve CASE`: link person and company records into entities and write one row
//! per record (table, record_id, entity_id, confidence, evidence, basis), plus the decision log.

use anyhow::{Context, Result};
use moneytrail::graph::FlowGraph;
use moneytrail::ingest::{load_case, LoadOptions};
use moneytrail::model::{Case, EntityKind, SourceFile};
use moneytrail::resolve::{read_case_decisions, read_decisions, resolve, Params, Resolution, DECISIONS_FILE};
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
    audience: super::victims::AudienceArgs,
}

pub fn run(a: Args) -> Result<ExitCode> {
    let t0 = std::time::Instant::now();
    let loaded = load_case(&a.case, &LoadOptions { mapping: a.mapping.clone() })?;
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
    let prepared = if a.audience.is_court()? {
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
    Ok(ExitCode::SUCCESS)
}

/// Loads a case for an analysis command: ingest (with `mapping` instead of the folder's
/// case.toml when given), entity resolution unless `no_resolve`, and one warning on stderr when
/// rows were rejected, worded the same by every command.
///
/// # Errors
/// A load error, or a resolution decision file that cannot be read.
pub fn load_resolved(
    case_dir: &Path,
    mapping: Option<std::path::PathBuf>,
    no_resolve: bool,
) -> Result<moneytrail::ingest::Loaded> {
    let mut loaded = moneytrail::ingest::load_case(case_dir, &moneytrail::ingest::LoadOptions { mapping })?;
    resolve_in_place(case_dir, &mut loaded.case, no_resolve)?;
    if loaded.report.rejected() > 0 {
        eprintln!(
            "warning: {} input rows were rejected at ingest; run `moneytrail ingest` to see them",
            loaded.report.rejected()
        );
    }
    Ok(loaded)
}

/// Resolves a loaded case in place (folding each entity's records into its representative, with
/// the decisions in `case_dir`/resolution.csv) unless `skip`; one summary line on stderr.
pub fn resolve_in_place(case_dir: &Path, case: &mut Case, skip: bool) -> Result<()> {
    if skip {
        return Ok(());
    }
    let decisions = read_case_decisions(case_dir)?;
    let path = case_dir.join(DECISIONS_FILE);
    if path.is_file() {
        // The analyst's decisions are an input of the run: hashed into the manifest like the tables.
        let (sha256, size) = moneytrail::ingest::hash_file(&path)?;
        case.files.push(SourceFile { path: DECISIONS_FILE.into(), size, sha256, table: "resolution".into() });
    }
    let r = resolve(case, &decisions, &Params::default());
    for e in r.log.iter().filter(|e| e.action == moneytrail::resolve::Action::Ignored) {
        eprintln!("warning: decision {} / {}: {}", e.left_id, e.right_id, e.reason);
    }
    let folded = moneytrail::resolve::apply(case, &r)?;
    if folded > 0 || !decisions.is_empty() {
        let confirmed = case.inferred_links.iter().filter(|l| l.basis.confirmed()).count();
        eprintln!(
            "entity resolution: {folded} records folded into {} entities ({confirmed} by id number, {} unconfirmed); \
             {} analyst decisions; see `moneytrail resolve` for the evidence (--no-resolve to skip)",
            r.stats.multi_record_entities,
            folded - confirmed,
            decisions.len()
        );
    }
    Ok(())
}

/// A copy of `case` resolved as [`load_resolved`] resolves it (the case folder's decisions,
/// default parameters), without the summary line: for a command that reads the unresolved case
/// but must decide protected persons as the others do.
///
/// # Errors
/// A decision file that cannot be read, or a resolution that does not fit the case.
pub fn resolved_copy(case_dir: &Path, case: &Case) -> Result<Case> {
    let mut c = case.clone();
    let decisions = read_case_decisions(case_dir)?;
    let r = resolve(&c, &decisions, &Params::default());
    moneytrail::resolve::apply(&mut c, &r)?;
    Ok(c)
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
