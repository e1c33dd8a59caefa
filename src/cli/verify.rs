//! `moneytrail verify DIR`: re-checks an evidence bundle against its manifest.json.

use anyhow::Result;
use moneytrail::export::manifest::verify;
use std::path::PathBuf;
use std::process::ExitCode;

/// Flags of `verify`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The bundle folder (holding manifest.json).
    dir: PathBuf,
    /// Also re-hash the input files in this case folder.
    #[arg(long)]
    case: Option<PathBuf>,
}

/// Exit 0 when every listed file matches, 1 when one is missing or changed.
pub fn run(a: Args) -> Result<ExitCode> {
    let r = verify(&a.dir, a.case.as_deref())?;
    for p in &r.problems {
        println!("FAIL {p}");
    }
    for u in &r.unlisted {
        println!("note: {u} is not listed in the manifest");
    }
    println!("manifest.json SHA-256: {}", r.manifest_sha256);
    if r.problems.is_empty() {
        println!("OK: {} files match the manifest", r.ok);
        Ok(ExitCode::SUCCESS)
    } else {
        println!("{} of {} files do not match the manifest", r.problems.len(), r.ok + r.problems.len());
        Ok(ExitCode::from(1))
    }
}
