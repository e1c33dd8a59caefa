//! `moneytrail import-ftm FILE.jsonl --out DIR` and `moneytrail import-bods FILE.json|DIR --out
//! DIR`: FollowTheMoney entities or BODS statements as a case folder (see
//! `moneytrail::ingest::import`). Prints what was written and what was listed; exit 0 when every
//! record was written or merged, 1 when records were listed in import_report.csv, 2 on errors.

use anyhow::{bail, Result};
use moneytrail::ingest::import::{bods::import_bods, ftm::import_ftm, ImportOptions, ImportSummary};
use std::path::PathBuf;
use std::process::ExitCode;

/// Flags shared by both imports.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The input: FtM JSON lines, or a BODS JSON file (or a folder of them).
    input: PathBuf,
    /// The case folder to write: new or empty (a folder with files in it needs --force).
    #[arg(long)]
    out: PathBuf,
    /// Write into a folder that already has files (existing case files are overwritten).
    #[arg(long)]
    force: bool,
    /// Case name (default "Import of FILE").
    #[arg(long)]
    name: Option<String>,
    /// Base currency (default: FtM the most frequent payment currency, BODS ALL).
    #[arg(long)]
    base_currency: Option<String>,
    /// Valuation date YYYY-MM-DD (default: the latest full date in the data).
    #[arg(long)]
    valuation_date: Option<String>,
    /// An fx_rates.csv in the contract layout to copy into the case (FtM carries no rates).
    #[arg(long)]
    fx_rates: Option<PathBuf>,
}

/// Refuses a target folder that is not new or empty (without --force) or that holds an input.
fn check_target(a: &Args) -> Result<()> {
    let inputs = super::output::Inputs::default().dir(&a.input).file(a.fx_rates.as_deref());
    super::output::case_target(&a.out, a.force, &inputs)
}

fn options(a: &Args) -> ImportOptions {
    ImportOptions {
        name: a.name.clone(),
        base_currency: a.base_currency.clone(),
        valuation_date: a.valuation_date.clone(),
        fx_rates: a.fx_rates.clone(),
    }
}

fn print(s: &ImportSummary, a: &Args) -> Result<ExitCode> {
    for src in &s.sources {
        println!("{}  sha256 {}  {} bytes  {} records", src.path, src.sha256, src.size, src.records);
    }
    println!(
        "records: {} read = {} written + {} merged + {} listed; parts: {} read = {} written + {} listed",
        s.read, s.written, s.merged, s.listed, s.parts_read, s.parts_written, s.parts_listed
    );
    for (t, n) in &s.rows {
        println!("  {t:<18} {n:>9} rows");
    }
    for n in &s.notes {
        println!("note: {n}");
    }
    println!("case written to {} (import_report.csv lists what was not written)", a.out.display());
    if !s.reconciles() {
        bail!("import counts do not reconcile (a bug): {s:?}");
    }
    Ok(if s.listed + s.parts_listed > 0 { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

pub fn run_ftm(a: Args) -> Result<ExitCode> {
    check_target(&a)?;
    let s = import_ftm(&a.input, &a.out, &options(&a))?;
    print(&s, &a)
}

pub fn run_bods(a: Args) -> Result<ExitCode> {
    check_target(&a)?;
    let s = import_bods(&a.input, &a.out, &options(&a))?;
    print(&s, &a)
}
