//! `moneytrail ingest CASE`: load, validate, report.

use super::common::AudienceArgs;
use super::output::{out_dir, write_issues, write_json, Inputs};
use super::table::{count, Table};
use anyhow::Result;
use moneytrail::graph::FlowGraph;
use moneytrail::ingest::Issue;
use moneytrail::investigation::{load, LoadSettings};
use moneytrail::model::Manifest;
use moneytrail::victims::classify::VictimParams;
use moneytrail::victims::view::{prepare_view_of, Prepared};
use std::path::PathBuf;
use std::process::ExitCode;

/// Flags of `ingest`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The case folder.
    case: PathBuf,
    /// A mapping file used instead of the folder's case.toml (foreign layouts read in place).
    #[arg(long)]
    mapping: Option<PathBuf>,
    /// Where to write manifest.json, ingest-report.json, rejects.csv and warnings.csv
    /// (default: out/<case folder name>).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Show the first N parsed rows of each source beside their raw text, and the first
    /// rejects with their reasons; writes nothing (default N = 5).
    #[arg(long, value_name = "N", num_args = 0..=1, default_missing_value = "5")]
    preview: Option<usize>,
    /// court: rejects and warnings quote the rows as read; police (alias analyst), ngo or public:
    /// protected persons' identifiers are replaced in them (their pseudonyms need the case
    /// passphrase), and rejected person and victim rows do not show their values.
    #[command(flatten)]
    audience: AudienceArgs,
    #[command(flatten)]
    parquet: super::cluster::ParquetOutArgs,
}

/// Tables whose rejected rows describe a person that is not in the case, so cannot be judged
/// protected or not: outside the court their values are withheld.
const PERSON_TABLES: &[&str] = &["persons", "victims"];

/// Rejects and warnings for the audience: every value and reason scrubbed of protected
/// identifiers; a rejected row of a person table shows no value at all (and the reason not the
/// value either).
fn protect_issues(issues: &mut [Issue], prepared: &Prepared, rejected: bool) {
    for i in issues.iter_mut() {
        if rejected && PERSON_TABLES.contains(&i.table.as_str()) && !i.value.is_empty() {
            if i.value.trim().chars().count() >= 2 {
                i.reason = i.reason.replace(&i.value, "[withheld]");
            }
            i.value = "[withheld outside the court]".into();
        }
        prepared.scrub_in_place(&mut i.value);
        prepared.scrub_in_place(&mut i.reason);
    }
}

pub fn run(a: Args) -> Result<ExitCode> {
    if let Some(n) = a.preview {
        return preview(&a, n);
    }
    let inputs = a.audience.key.inputs(Inputs::case(&a.case).file(a.mapping.as_deref()));
    let dir = out_dir(a.out, &a.case, &inputs)?;
    inputs.check_all(&[("--parquet-out", a.parquet.out_dir(), super::output::OutKind::Dir)])?;
    let started = std::time::Instant::now();
    let loaded = load(&a.case, &LoadSettings { mapping: a.mapping.clone(), no_resolve: true })?;
    let elapsed = started.elapsed();
    let mut report = loaded.report.clone();
    // Outside the court, rows quoted in rejects and warnings lose the identifiers of protected
    // persons, decided on the resolved case as every command decides them. Nothing to decide
    // when nothing is quoted.
    let quoted = report.rejects.iter().chain(&report.warnings).any(|i| !i.value.is_empty() || i.line > 0);
    if !a.audience.is_court() && quoted {
        let case = &loaded.case;
        let resolved = moneytrail::investigation::load::resolved_copy(&a.case, case)?;
        let key = a.audience.key.case_keys(&case.meta.name)?;
        let prepared = prepare_view_of(
            case,
            &resolved,
            &FlowGraph::build(&resolved),
            a.audience.audience,
            key.as_ref(),
            &VictimParams::default(),
        )?;
        if prepared.redacts() || PERSON_TABLES.iter().any(|t| report.rejects.iter().any(|i| i.table == *t)) {
            protect_issues(&mut report.rejects, &prepared, true);
            protect_issues(&mut report.warnings, &prepared, false);
        }
    }
    let r = &report;
    let manifest = Manifest {
        tool_version: env!("CARGO_PKG_VERSION").into(),
        case_name: loaded.case.meta.name.clone(),
        inputs: loaded.case.files.clone(),
    };
    write_json(&dir.join("manifest.json"), &manifest)?;
    write_json(&dir.join("ingest-report.json"), &r.tables)?;
    write_issues(&dir.join("rejects.csv"), &r.rejects)?;
    write_issues(&dir.join("warnings.csv"), &r.warnings)?;
    if !r.skipped.is_empty() {
        write_issues(&dir.join("skipped.csv"), &r.skipped)?;
    }

    println!(
        "case: {}  (base currency {}, valuation date {})",
        loaded.case.meta.name, loaded.case.meta.base_currency, loaded.case.meta.valuation_date
    );
    let mut t = Table::new(["table", "files", "read", "loaded", "rejected", "warnings"]).right(&[1, 2, 3, 4, 5]);
    for x in &r.tables {
        t.row([
            x.table.to_string(),
            count(x.files as u64),
            count(x.read),
            count(x.loaded),
            count(x.rejected),
            count(x.warnings),
        ]);
    }
    let read: u64 = r.tables.iter().map(|t| t.read).sum();
    let loaded_n: u64 = r.tables.iter().map(|t| t.loaded).sum();
    t.row([
        "total".to_string(),
        count(r.tables.iter().map(|t| t.files as u64).sum()),
        count(read),
        count(loaded_n),
        count(r.rejected()),
        count(r.warnings.len() as u64),
    ]);
    t.print();
    println!(
        "reconciled: {}; {} transfers in {:.2} s; report in {}",
        if r.reconciles() { "yes (read = loaded + rejected for every table)" } else { "NO" },
        loaded.case.transfers.len(),
        elapsed.as_secs_f64(),
        dir.display()
    );
    let unknown: u64 = r.tables.iter().map(|t| t.unknown_base).sum();
    if unknown > 0 {
        println!(
            "{unknown} transfers have no {} rate on or before their date: loaded with their own amount and an unknown \
             base amount (warnings.csv); detection uses their structure, tracing and valuation leave them out",
            loaded.case.meta.base_currency
        );
    }
    for w in r.warnings.iter().filter(|w| w.line == 0) {
        eprintln!("warning: {}", w.reason);
    }
    if !r.skipped.is_empty() {
        println!(
            "{} rows skipped by rules of the mapping (footer, row filters): see {}",
            r.skipped.len(),
            dir.join("skipped.csv").display()
        );
    }
    let derived: Vec<String> =
        r.tables.iter().filter(|t| t.derived > 0).map(|t| format!("{} {}", t.derived, t.table)).collect();
    if !derived.is_empty() {
        println!(
            "created from bank statements (unverified external records, see record_basis): {}",
            derived.join(", ")
        );
    }
    let breaks = r.warnings.iter().filter(|w| w.column == "balance").count();
    if breaks > 0 {
        eprintln!("{breaks} running-balance breaks in bank statements: see {}", dir.join("warnings.csv").display());
    }
    a.parquet.write(&a.case, loaded.case)?;
    if r.rejected() > 0 {
        eprintln!("{} rows rejected: see {}", r.rejected(), dir.join("rejects.csv").display());
    }
    Ok(super::exit::rejected(r.rejected()))
}

/// `ingest --preview N`: what the mapping makes of each source, nothing written.
fn preview(a: &Args, n: usize) -> Result<ExitCode> {
    let opts = moneytrail::ingest::LoadOptions { mapping: a.mapping.clone() };
    let loaded = moneytrail::ingest::preview_case(&a.case, &opts, n)?;
    let r = &loaded.report;
    println!("case: {}  (preview: first {n} rows of each source; nothing written)", loaded.case.meta.name);
    for p in &r.preview {
        let sheet = p.sheet.as_ref().map(|s| format!(", sheet {s}")).unwrap_or_default();
        println!();
        println!(
            "== {} <- {}{sheet}: read {}, loaded {}, rejected {}, skipped {}",
            p.table, p.file, p.count.read, p.count.loaded, p.count.rejected, p.count.skipped
        );
        if p.header_line > 0 {
            println!("   header (line {}): {}", p.header_line, p.headers.join(" | "));
        }
        for note in &p.notes {
            println!("   {note}");
        }
        for row in &p.rows {
            println!("   line {:<5} raw:    {}", row.line, row.raw);
            let values: Vec<String> = row.values.iter().map(|(k, v)| format!("{k}={v}")).collect();
            if !values.is_empty() {
                println!("   {:<10} parsed: {}", "", values.join("  "));
            }
            if row.outcome != "loaded" {
                println!("   {:<10} -> {}", "", row.outcome);
            }
        }
        if !p.rejects.is_empty() {
            println!("   first rejects:");
            for j in &p.rejects {
                println!("     line {} {} '{}': {}", j.line, j.column, j.value, j.reason);
            }
        }
    }
    let derived: Vec<String> =
        r.tables.iter().filter(|t| t.derived > 0).map(|t| format!("{} {}", t.derived, t.table)).collect();
    if !derived.is_empty() {
        println!();
        println!("created from statements (unverified external records): {}", derived.join(", "));
    }
    let breaks = r.warnings.iter().filter(|w| w.column == "balance").count();
    if breaks > 0 {
        println!("running-balance breaks: {breaks}");
        for w in r.warnings.iter().filter(|w| w.column == "balance") {
            println!("  {} line {}: {}", w.file, w.line, w.reason);
        }
    }
    println!();
    println!(
        "total: {} rows read, {} loaded, {} rejected, {} skipped, {} warnings",
        r.tables.iter().map(|t| t.read).sum::<u64>(),
        r.tables.iter().map(|t| t.loaded).sum::<u64>(),
        r.rejected(),
        r.skipped.len(),
        r.warnings.len()
    );
    Ok(super::exit::rejected(r.rejected()))
}
