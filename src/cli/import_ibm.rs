//! `moneytrail import-ibm DIR --out CASE`: turn the IBM AML HI-Small pattern file and benign
//! sample into a case folder with ground truth (see `moneytrail::ingest::ibm`).

use anyhow::Result;
use moneytrail::ingest::ibm::{import, ImportOptions};
use std::path::PathBuf;
use std::process::ExitCode;

/// Flags of `import-ibm`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The IBM folder (laundering_patterns_normalized.json, transactions_sample.csv).
    dir: PathBuf,
    /// The case folder to write: new or empty (a folder with files in it needs --force).
    #[arg(long)]
    out: PathBuf,
    /// Write into a folder that already has files (existing case files are overwritten).
    #[arg(long)]
    force: bool,
    /// Base currency of the case; rates are derived from the data against it.
    #[arg(long, default_value = "USD")]
    base_currency: String,
}

pub fn run(a: Args) -> Result<ExitCode> {
    super::output::case_target(&a.out, a.force, &super::output::Inputs::default().dir(&a.dir))?;
    let opts = ImportOptions { base_currency: a.base_currency, ..ImportOptions::default() };
    let s = import(&a.dir, &a.out, &opts)?;
    println!(
        "{} laundering attempts ({} transactions), {} benign rows, {} accounts written to {}",
        s.patterns,
        s.pattern_txns,
        s.benign_txns,
        s.accounts,
        a.out.display()
    );
    let mut t = super::table::Table::new([
        "family",
        "typology",
        "patterns",
        "txns",
        "loadable",
        "all loadable",
        "none loadable",
    ])
    .right(&[2, 3, 4, 5, 6]);
    for (f, c) in &s.families {
        t.row([
            f.to_string(),
            c.typology.to_string(),
            c.patterns.to_string(),
            c.txns.to_string(),
            c.txns_loadable.to_string(),
            c.patterns_loadable.to_string(),
            c.patterns_unloadable.to_string(),
        ]);
    }
    t.print();
    println!(
        "fx rates derived from the data: {} ({} rows between two non-base currencies unused)",
        s.rates.len(),
        s.cross_pairs_unused
    );
    for r in &s.rates {
        println!("  {} {} {} ({} observations)", r.date, r.currency, r.rate, r.observations);
    }
    for (c, (l, b)) in &s.missing_rates {
        println!("no derivable rate for {c}: {l} laundering and {b} benign rows load with an unknown base amount");
    }
    println!(
        "self-transfers (rejected by ingest): {} laundering, {} benign; cash rows loaded as cash deposits: {} ({} of them from == to)",
        s.self_transfers.0, s.self_transfers.1, s.cash_rows, s.cash_self
    );
    println!(
        "expected ingest rejects: {}; rows loaded with an unknown base amount: {}",
        s.expected_rejects(),
        s.expected_unknown_base()
    );
    Ok(ExitCode::SUCCESS)
}
