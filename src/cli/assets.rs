//! `moneytrail assets CASE [--suspect ID] [--as-of DATE] [--rule ...] --out FILE`: each suspect's
//! scope assets, the proceeds traced into them, and the object-based, value-based and
//! disproportion views of the confiscable value (docs/methodology.md#legal-bases).

use super::output::OutKind;
use anyhow::{bail, Context, Result};
use moneytrail::assets::confiscable::{confiscable, ConfiscableParams};
use moneytrail::export::valuation::write_assets_csv;
use moneytrail::graph::FlowGraph;
use moneytrail::model::{Date, EntityRef};
use moneytrail::trace::Rule;
use std::path::PathBuf;
use std::process::ExitCode;

/// Flags of `assets`.
#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    case: super::common::CaseArgs,
    /// Only this suspect (person or company id; repeatable). Default: every suspect of suspects.csv.
    #[arg(long)]
    suspect: Vec<String>,
    /// Valuation date (YYYY-MM-DD); default the case's.
    #[arg(long = "as-of")]
    as_of: Option<String>,
    /// Tracing rules side by side (comma-separated; conserving rules only).
    #[arg(long, value_delimiter = ',', default_value = "fifo,libr,pro-rata")]
    rule: Vec<String>,
    /// Output CSV.
    #[arg(long)]
    out: PathBuf,
    #[command(flatten)]
    audience: super::common::AudienceArgs,
}

pub fn run(a: Args) -> Result<ExitCode> {
    let mut rules = Vec::new();
    for r in &a.rule {
        let rule: Rule = r.parse().map_err(|e| anyhow::anyhow!("--rule: {e}"))?;
        if !matches!(rule, Rule::Fifo | Rule::Libr | Rule::ProRata) {
            bail!(
                "--rule {rule}: the assets table has columns for fifo, libr and pro-rata (poison is not \
                 value-conserving, LIFO only a sensitivity bound); use `trace --rule {rule}` for it"
            );
        }
        rules.push(rule);
    }
    let as_of = a
        .as_of
        .as_deref()
        .map(|s| Date::parse_iso(s).with_context(|| format!("--as-of '{s}' is not a date (YYYY-MM-DD)")))
        .transpose()?;
    let inputs = a.audience.key.inputs(a.case.inputs());
    inputs.check_all(&[("--out", Some(&a.out), OutKind::File)])?;
    let loaded = super::common::load(&a.case.case, &a.case.load)?;
    let rejected = loaded.report.rejected();
    let case = &loaded.case;
    // The figures are computed on the real case; the CSV and the lines printed read `view`, and
    // the text the figures carry (asset ids, bases, notes) is scrubbed: outside the court a
    // protected person (a minor in a suspect's family, a victim holding an asset) appears only
    // under their pseudonym.
    let prepared = a.audience.prepare(case, &FlowGraph::build(case))?;
    let view = prepared.view(case);
    let suspects: Vec<EntityRef> = if a.suspect.is_empty() {
        let mut v: Vec<EntityRef> = case.suspects.rows.iter().map(|s| s.entity).collect();
        v.sort_by(|x, y| case.entity_id(*x).cmp(case.entity_id(*y)));
        v.dedup();
        v
    } else {
        a.suspect
            .iter()
            .map(|id| {
                case.entity(id).with_context(|| format!("--suspect '{id}' is not a person or company of the case"))
            })
            .collect::<Result<_>>()?
    };
    let params = ConfiscableParams { rules, as_of, ..ConfiscableParams::default() };
    let t0 = std::time::Instant::now();
    let mut figures = confiscable(case, &suspects, &params)?;
    if prepared.redacts() {
        for s in figures.iter_mut() {
            for a in s.assets.iter_mut() {
                prepared.scrub_in_place(&mut a.asset_id);
                prepared.scrub_in_place(&mut a.asset_kind);
                prepared.scrub_in_place(&mut a.basis);
            }
            for n in s.notes.iter_mut() {
                prepared.scrub_in_place(n);
            }
        }
    }
    if let Some(dir) = a.out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let f = std::fs::File::create(&a.out).with_context(|| format!("cannot write {}", a.out.display()))?;
    write_assets_csv(view, &figures, std::io::BufWriter::new(f))?;
    for s in &figures {
        // Thousands separators on the terminal; the CSV keeps the plain figures.
        let m = super::table::money;
        let ((ol, oh), (vl, vh), (dl, dh)) = (s.object_band(), s.value_band(), s.disproportion_band());
        let (ol, oh, vl, vh, dl, dh) = (m(&ol), m(&oh), m(&vl), m(&vh), m(&dl), m(&dh));
        println!(
            "{}: {} assets; object-based {ol} .. {oh}; value-based {vl} .. {vh}; disproportion {dl} .. {dh} {}",
            view.entity_id(s.suspect),
            s.assets.len(),
            view.meta.base_currency
        );
        for n in &s.notes {
            eprintln!("note: {n}");
        }
    }
    println!("written to {} in {:.2} s", a.out.display(), t0.elapsed().as_secs_f64());
    Ok(super::common::done(rejected))
}
