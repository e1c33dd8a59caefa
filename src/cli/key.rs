//! `moneytrail key ...`: keys of a case team. `key gen --out DIR` makes the Ed25519 pair that
//! signs bundles (`investigate --sign-key`) and checks them (`verify --public-key`).

use super::output::{Inputs, OutKind};
use anyhow::Result;
use moneytrail::export::signing;
use std::path::PathBuf;
use std::process::ExitCode;

/// The `key` subcommands.
#[derive(clap::Subcommand, Debug)]
pub enum Command {
    /// Make a bundle-signing key pair: DIR/signing.key.pem (secret, PKCS#8, owner-only) and
    /// DIR/signing.pub.pem (public, SPKI: hand it to whoever verifies). Existing keys are never
    /// overwritten.
    Gen(GenArgs),
}

/// Flags of `key gen`.
#[derive(clap::Args, Debug)]
pub struct GenArgs {
    /// The folder for the two key files (created if needed).
    #[arg(long)]
    out: PathBuf,
}

pub fn run(c: Command) -> Result<ExitCode> {
    match c {
        Command::Gen(a) => {
            Inputs::default().check_all(&[("--out", Some(&a.out), OutKind::Dir)])?;
            let (secret, public, fingerprint) = signing::generate_pair(&a.out)?;
            println!("secret key: {} (keep it with the case team; it signs bundles)", secret.display());
            println!("public key: {} (give it to whoever verifies bundles)", public.display());
            println!("public key SHA-256 fingerprint: {fingerprint}");
            Ok(ExitCode::SUCCESS)
        }
    }
}
