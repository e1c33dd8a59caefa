//! `moneytrail ingest CASE`: load, validate, report.

use super::output::{out_dir, write_issues, write_json};
use anyhow::Result;
use moneytrail::investigation::{load, LoadSettings};
use moneytrail::model::Manifest;
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
}

pub fn run(a: Args) -> Result<ExitCode> {
    let started = std::time::Instant::now();
    let loaded = load(&a.case, &LoadSettings { mapping: a.mapping.clone(), no_resolve: true })?;
    let elapsed = started.elapsed();
    let dir = out_dir(a.out, &a.case)?;
    let r = &loaded.report;
    let manifest = Manifest {
        tool_version: env!("CARGO_PKG_VERSION").into(),
        case_name: loaded.case.meta.name.clone(),
        inputs: loaded.case.files.clone(),
    };
    write_json(&dir.join("manifest.json"), &manifest)?;
    write_json(&dir.join("ingest-report.json"), &r.tables)?;
    write_issues(&dir.join("rejects.csv"), &r.rejects)?;
    write_issues(&dir.join("warnings.csv"), &r.warnings)?;

    println!(
        "case: {}  (base currency {}, valuation date {})",
        loaded.case.meta.name, loaded.case.meta.base_currency, loaded.case.meta.valuation_date
    );
    println!("{:<18} {:>5} {:>12} {:>12} {:>9} {:>9}", "table", "files", "read", "loaded", "rejected", "warnings");
    for t in &r.tables {
        println!("{:<18} {:>5} {:>12} {:>12} {:>9} {:>9}", t.table, t.files, t.read, t.loaded, t.rejected, t.warnings);
    }
    let read: u64 = r.tables.iter().map(|t| t.read).sum();
    let loaded_n: u64 = r.tables.iter().map(|t| t.loaded).sum();
    println!(
        "{:<18} {:>5} {:>12} {:>12} {:>9} {:>9}",
        "total",
        r.tables.iter().map(|t| t.files).sum::<usize>(),
        read,
        loaded_n,
        r.rejected(),
        r.warnings.len()
    );
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
    if r.rejected() > 0 {
        eprintln!("{} rows rejected: see {}", r.rejected(), dir.join("rejects.csv").display());
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}
