//! Commands of the `moneytrail` binary.

mod assets;
mod common;
mod compensation;
mod detect;
mod eval;
mod export;
mod generate;
mod import_ibm;
mod import_interop;
mod ingest;
mod investigate;
mod key;
mod log;
mod output;
mod query;
mod resolve;
mod serve;
mod trace;
mod verify;
mod victims;

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
    /// Turn the IBM AML HI-Small pattern file into a case folder with ground truth.
    ImportIbm(import_ibm::Args),
    /// Turn FollowTheMoney entities (JSON lines) into a case folder; import_report.csv lists what was not written.
    ImportFtm(import_interop::Args),
    /// Turn BODS 0.2-0.4 statements (a JSON file or a folder) into a case folder (persons, companies, ownership).
    ImportBods(import_interop::Args),
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
    /// Trace chosen proceeds through the case under court tracing rules (CSV, one row per hop).
    Trace(trace::Args),
    /// Scope assets, traced proceeds and confiscable value per suspect (three views, CSV).
    Assets(assets::Args),
    /// Per victim: money traced into each confiscable asset, share of the compensation fund,
    /// unsatisfied remainder (CSV or JSON; --statements writes one HTML page per victim).
    Compensation(compensation::Args),
    /// Link person and company records across registers into entities (CSV: table, record_id,
    /// entity_id, confidence, evidence).
    Resolve(resolve::Args),
    /// Re-check an evidence bundle against its manifest.json (exit 1 when a file changed).
    Verify(verify::Args),
    /// Run an openCypher-style pattern query (see docs/query-language.md), or --explain it.
    Query(query::Args),
    /// Non-punishment classifier: listed and probable victims with score and reasons (CSV).
    Victims(victims::Args),
    /// Open a sealed pseudonym mapping (court bundle) with the case passphrase.
    Unseal(victims::UnsealArgs),
    /// The investigation workspace in the browser: findings, graph explorer, query console,
    /// tracing, triage and notes, bundle export (loopback; prints a one-time login URL).
    Serve(serve::Args),
    /// The workspace's audit log: `log verify CASE` re-checks its hash chain.
    Log(log::Args),
    /// Keys of the case team: `key gen` makes the pair that signs and checks bundles.
    #[command(subcommand)]
    Key(key::Command),
}

/// Exit codes: 0 clean, 1 rows were rejected, 2 the command could not run.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let res = match cli.command {
        Command::Ingest(a) => ingest::run(a),
        Command::Detect(a) => detect::run(a),
        Command::Generate(a) => generate::run(a),
        Command::Eval(a) => eval::run(a),
        Command::ImportIbm(a) => import_ibm::run(a),
        Command::ImportFtm(a) => import_interop::run_ftm(a),
        Command::ImportBods(a) => import_interop::run_bods(a),
        Command::Investigate(a) => investigate::run(a),
        Command::Verify(a) => verify::run(a),
        Command::Trace(a) => trace::run(a),
        Command::Assets(a) => assets::run(a),
        Command::Compensation(a) => compensation::run(a),
        Command::Export(a) => export::run(a),
        Command::Query(a) => query::run(a),
        Command::Resolve(a) => resolve::run(a),
        Command::Victims(a) => victims::run(a),
        Command::Unseal(a) => victims::unseal(a),
        Command::Serve(a) => serve::run(a),
        Command::Log(a) => log::run(a),
        Command::Key(c) => key::run(c),
    };
    match res {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}
