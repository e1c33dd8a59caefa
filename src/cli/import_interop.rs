//! `moneytrail import-ftm FILE.jsonl --out DIR` and `moneytrail import-bods FILE.json|DIR --out
//! DIR`: FollowTheMoney entities or BODS statements as a case folder (see
//! `moneytrail::ingest::import`). Prints what was written and what was listed; exit 0 when every
//! record was written, merged or listed in import_report.csv (accounted for), 1 with `--strict`
//! when records were listed, 2 on errors.

use anyhow::{bail, Result};
use moneytrail::ingest::import::{bods::import_bods, ftm::import_ftm, ImportOptions, ImportSummary};
use std::path::PathBuf;
use std::process::ExitCode;

/// Flags of `import-ftm`.
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Exit codes: 0 every record written, merged or listed in import_report.csv; 1 with --strict when \
    records were listed; 2 the import could not run."
)]
pub struct FtmArgs {
    /// FollowTheMoney entities as JSON lines (an Aleph export, or `moneytrail export --format ftm`).
    input: PathBuf,
    #[command(flatten)]
    common: Common,
    /// Base currency of the case (default: the most frequent currency of the Payment entities).
    #[arg(long)]
    base_currency: Option<String>,
    /// An fx_rates.csv in the contract layout to copy into the case (FtM carries no rates).
    #[arg(long)]
    fx_rates: Option<PathBuf>,
}

/// Flags of `import-bods`.
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Exit codes: 0 every statement written, merged or listed in import_report.csv; 1 with --strict \
    when statements were listed; 2 the import could not run."
)]
pub struct BodsArgs {
    /// Beneficial Ownership Data Standard 0.2-0.4 statements: a JSON file (array or JSON lines) or a
    /// folder of them. Person and entity statements become persons and companies, ownership-or-control
    /// statements company_ownership (a share range keeps its lower bound as the share, both bounds kept).
    input: PathBuf,
    #[command(flatten)]
    common: Common,
    /// Base currency of the case (default ALL: BODS carries no amounts).
    #[arg(long)]
    base_currency: Option<String>,
}

/// Flags both imports share.
#[derive(clap::Args, Debug)]
struct Common {
    /// The case folder to write: new or empty (a folder with files in it needs --force).
    #[arg(long)]
    out: PathBuf,
    /// Write into a folder that already has files (existing case files are overwritten).
    #[arg(long)]
    force: bool,
    /// Case name (default "Import of FILE").
    #[arg(long)]
    name: Option<String>,
    /// Valuation date YYYY-MM-DD (default: the latest full date in the data).
    #[arg(long)]
    valuation_date: Option<String>,
    /// Exit 1 when any record was listed in import_report.csv instead of written (default: listed
    /// records are accounted for, exit 0).
    #[arg(long)]
    strict: bool,
}

/// Refuses a target folder that is not new or empty (without --force) or that holds an input.
fn check_target(input: &std::path::Path, c: &Common, fx_rates: Option<&std::path::Path>) -> Result<()> {
    let inputs = super::output::Inputs::default().dir(input).file(fx_rates);
    super::output::case_target(&c.out, c.force, &inputs)
}

fn options(c: &Common, base_currency: &Option<String>, fx_rates: &Option<PathBuf>) -> ImportOptions {
    ImportOptions {
        name: c.name.clone(),
        base_currency: base_currency.clone(),
        valuation_date: c.valuation_date.clone(),
        fx_rates: fx_rates.clone(),
    }
}

fn print(s: &ImportSummary, c: &Common) -> Result<ExitCode> {
    for src in &s.sources {
        println!("{}  sha256 {}  {} bytes  {} records", src.path, src.sha256, src.size, src.records);
    }
    println!(
        "records: {} read = {} written + {} merged + {} listed; parts: {} read = {} written + {} listed",
        s.read, s.written, s.merged, s.listed, s.parts_read, s.parts_written, s.parts_listed
    );
    let mut t = super::table::Table::new(["table", "rows"]).right(&[1]);
    for (name, n) in &s.rows {
        t.row([name.to_string(), super::table::count(*n as u64)]);
    }
    t.print();
    for n in &s.notes {
        println!("note: {n}");
    }
    println!("case written to {} (import_report.csv lists what was not written)", c.out.display());
    if !s.reconciles() {
        bail!("import counts do not reconcile (a bug): {s:?}");
    }
    let listed = s.listed + s.parts_listed;
    if listed > 0 && c.strict {
        eprintln!("--strict: {listed} records listed in import_report.csv instead of written");
        return Ok(super::exit::code(super::exit::DONE_WITH_REJECTS));
    }
    Ok(super::exit::code(super::exit::DONE))
}

pub fn run_ftm(a: FtmArgs) -> Result<ExitCode> {
    check_target(&a.input, &a.common, a.fx_rates.as_deref())?;
    let s = import_ftm(&a.input, &a.common.out, &options(&a.common, &a.base_currency, &a.fx_rates))?;
    print(&s, &a.common)
}

pub fn run_bods(a: BodsArgs) -> Result<ExitCode> {
    check_target(&a.input, &a.common, None)?;
    let s = import_bods(&a.input, &a.common.out, &options(&a.common, &a.base_currency, &None))?;
    print(&s, &a.common)
}
