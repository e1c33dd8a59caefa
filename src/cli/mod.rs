//! Commands of the `moneytrail` binary.

mod assets;
mod cluster;
mod common;
mod compensation;
mod config;
mod detect;
mod eval;
mod exit;
mod export;
mod generate;
mod import_ibm;
mod import_interop;
mod ingest;
mod investigate;
mod key;
mod log;
mod output;
mod progress;
mod query;
mod resolve;
mod serve;
mod table;
mod trace;
mod verify;
mod victims;

use clap::{CommandFactory, Parser, Subcommand};
use std::process::ExitCode;

/// Follows the money in human-trafficking cases.
#[derive(Parser, Debug)]
#[command(name = "moneytrail", version, about, long_about = None, after_help = exit::TABLE)]
pub(crate) struct Cli {
    #[command(subcommand)]
    command: Command,
    /// No progress bars on stderr (they are drawn only when stderr is a terminal, for stages
    /// longer than a second).
    #[arg(long, short, global = true)]
    quiet: bool,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Load and validate a case; print rows read, loaded and rejected per table.
    Ingest(ingest::Args),
    /// Turn the IBM AML HI-Small pattern file into a case folder with ground truth.
    ImportIbm(import_ibm::Args),
    /// Turn FollowTheMoney entities (JSON lines) into a case folder; import_report.csv lists what was not written.
    ImportFtm(import_interop::FtmArgs),
    /// Turn BODS 0.2-0.4 statements (a JSON file or a folder) into a case folder (persons, companies, ownership).
    ImportBods(import_interop::BodsArgs),
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
    /// Re-check an evidence bundle against its manifest.json (exit 3 when a file changed).
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
    /// Keys of the case team: `key gen` makes the pair that signs and checks bundles; `key
    /// init|check|rotate CASE` the case passphrase's key check (a typo is refused).
    #[command(subcommand)]
    Key(key::Command),
    /// Run a DataFusion Ballista scheduler or executor (feature `distributed`; docs/scale-out.md).
    #[command(subcommand)]
    Cluster(cluster::Command),
    /// Defaults from ~/.config/moneytrail/config.toml and CASE/moneytrail.toml: `config show`.
    #[command(subcommand)]
    Config(config::Command),
    /// Print a shell completion script: `moneytrail completions bash > ~/.local/share/bash-completion/completions/moneytrail`.
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff): `moneytrail man > moneytrail.1; man -l moneytrail.1`.
    Man {
        /// Write one page per command (moneytrail.1, moneytrail-ingest.1, ...) into this folder.
        #[arg(long)]
        out: Option<std::path::PathBuf>,
    },
}

/// Runs the command line; the exit codes are those of [`exit::TABLE`].
pub fn main() -> ExitCode {
    let args = match config::apply(std::env::args_os().collect()) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("error: {e:#}");
            return exit::code(exit::CANNOT_RUN);
        }
    };
    let cli = Cli::parse_from(args);
    progress::install(cli.quiet);
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
        Command::Cluster(c) => cluster::run(c),
        Command::Config(c) => config::run(c),
        Command::Completions { shell } => {
            clap_complete::generate(shell, &mut Cli::command(), "moneytrail", &mut std::io::stdout());
            Ok(ExitCode::SUCCESS)
        }
        Command::Man { out } => man(out),
    };
    progress::finish();
    match res {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            exit::code(exit::CANNOT_RUN)
        }
    }
}

/// `moneytrail man [--out DIR]`: the man page on standard output, or with `--out` one page per
/// command (moneytrail.1, moneytrail-ingest.1, ...) written into DIR.
fn man(out: Option<std::path::PathBuf>) -> anyhow::Result<ExitCode> {
    let cmd = Cli::command();
    match out {
        None => clap_mangen::Man::new(cmd).render(&mut std::io::stdout().lock())?,
        Some(dir) => {
            output::Inputs::default().check_all(&[("--out", Some(&dir), output::OutKind::Dir)])?;
            std::fs::create_dir_all(&dir)?;
            clap_mangen::generate_to(cmd, &dir)?;
            println!("man pages written to {} (man -l {}/moneytrail.1)", dir.display(), dir.display());
        }
    }
    Ok(ExitCode::SUCCESS)
}
