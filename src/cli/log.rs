//! `moneytrail log verify CASE [--head HASH]`: re-checks the workspace's hash-chained log
//! (triage statuses, notes, saved queries) of a case folder.

use anyhow::Result;
use std::path::PathBuf;
use std::process::ExitCode;

/// Flags of `log`.
#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(subcommand)]
    command: LogCommand,
}

#[derive(clap::Subcommand, Debug)]
enum LogCommand {
    /// Check that no entry of CASE/.moneytrail/workspace.log was edited, removed or reordered
    /// (exit 1 when one was).
    Verify {
        /// The case folder.
        case: PathBuf,
        /// A head hash recorded elsewhere (an evidence bundle's manifest setting
        /// workspace.log_head_sha256): it must be the hash of one entry of the chain.
        #[arg(long)]
        head: Option<String>,
    },
}

pub fn run(a: Args) -> Result<ExitCode> {
    let LogCommand::Verify { case, head } = a.command;
    let path = moneytrail::workspace::log_path(&case);
    let v = moneytrail::workspace::verify(&case, head.as_deref())?;
    for p in &v.problems {
        println!("FAIL {p}");
    }
    if let Some(k) = v.anchor {
        println!("anchor: the given head is entry {k} of {}", v.entries);
    }
    if v.problems.is_empty() {
        println!("OK: {} entries, head SHA-256 {} ({})", v.entries, v.head, path.display());
        Ok(ExitCode::SUCCESS)
    } else {
        println!("{} problems; the chain is intact up to entry {} ({})", v.problems.len(), v.entries, path.display());
        Ok(ExitCode::from(1))
    }
}
