//! Commands of the `moneytrail` binary.

mod detect;
mod eval;
mod export;
mod generate;
mod ingest;
mod investigate;
mod output;
mod resolve;
mod verify;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Follows the money in human-trafficking cases.
#[derive(Parser, Debug)]
#[command(name = "moneytrail", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Load and validate a case; print rows read, loaded and rejected per table.
    Ingest(ingest::Args),
    /// Measure the detectors against ground truth: precision and recall per typology.
    Eval(eval::Args),
    /// Write a realistic synthetic Albanian case with ground truth under truth/.
    Generate(generate::Args),
    /// Run the laundering-pattern detectors and write findings (CSV or JSON).
    Detect(detect::Args),
    /// The main job: detect, trace, value, and write the evidence bundle (report.html, diagrams, manifest).
    Investigate(investigate::Args),
    /// Write the case as GraphML (Gephi, yEd) or FollowTheMoney JSON lines (Aleph).
    Export(export::Args),
    /// Link person and company records across registers into entities (CSV: table, record_id,
    /// entity_id, confidence, evidence).
    Resolve(resolve::Args),
    /// Re-check an evidence bundle against its manifest.json (exit 1 when a file changed).
    Verify(verify::Args),
}

/// Exit codes: 0 clean, 1 rows were rejected, 2 the command could not run.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let res = match cli.command {
        Command::Ingest(a) => ingest::run(a),
        Command::Detect(a) => detect::run(a),
        Command::Generate(a) => generate::run(a),
        Command::Eval(a) => eval::run(a),
        Command::Investigate(a) => investigate::run(a),
        Command::Verify(a) => verify::run(a),
        Command::Export(a) => export::run(a),
        Command::Resolve(a) => resolve::run(a),
    };
    match res {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}
