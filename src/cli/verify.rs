//! `moneytrail verify DIR`: re-checks an evidence bundle against its manifest.json (and its
//! signature with `--public-key`).

use anyhow::Result;
use moneytrail::export::manifest::{verify_with, VerifyOptions};
use moneytrail::export::signing;
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
    /// Check manifest.json.sig with this Ed25519 public key (SPKI PEM, from `moneytrail key gen`);
    /// a bundle without a valid signature by this key fails.
    #[arg(long)]
    public_key: Option<PathBuf>,
}

/// Exit 0 when every listed file matches (and the signature, when asked), 1 otherwise.
pub fn run(a: Args) -> Result<ExitCode> {
    let public_key = a.public_key.as_deref().map(signing::read_public).transpose()?;
    let r = verify_with(&a.dir, &VerifyOptions { case: a.case.clone(), public_key })?;
    for p in &r.problems {
        println!("FAIL {p}");
    }
    println!("manifest.json SHA-256: {}", r.manifest_sha256);
    match (r.signed, a.public_key.is_some(), r.signature_ok) {
        (_, true, true) => println!("signature: valid ({} by the key given)", signing::SIGNATURE),
        (true, false, _) => {
            println!("note: the bundle is signed ({}); give --public-key to check the signature", signing::SIGNATURE)
        }
        (false, false, _) => println!(
            "note: the bundle is not signed: the manifest shows the files are as it lists them, not who wrote it \
             (docs/evidence.md)"
        ),
        _ => {}
    }
    if r.problems.is_empty() {
        println!("OK: {} files match the manifest", r.ok);
        Ok(ExitCode::SUCCESS)
    } else {
        println!("{} problems; {} files match the manifest", r.problems.len(), r.ok);
        Ok(ExitCode::from(1))
    }
}
