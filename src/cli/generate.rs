//! `moneytrail generate`: write a synthetic case with ground truth.

use anyhow::Result;
use moneytrail::generate::{generate, GenConfig, IdentityNoise};
use std::path::PathBuf;
use std::process::ExitCode;

/// Flags of `generate`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Seed of the random generator: same seed and size, same bytes.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Exact number of transfers to write (1,000 to 100,000,000; streamed in constant memory).
    #[arg(long, default_value_t = 10_000)]
    transfers: u64,
    /// Identity noise: none (default; one record per person), low, medium (realistic) or high.
    /// Above none, the land and company registers get their own person records, spelt their way,
    /// look-alikes are added, and truth/identities.csv maps records to true entities.
    #[arg(long, default_value = "none")]
    identity_noise: IdentityNoise,
    /// Transfers per background person (default 80): fewer give more accounts and heavier hubs
    /// for the same number of transfers (10 gives utilities with over 10^5 payers at 10M).
    #[arg(long, default_value_t = 80, value_parser = clap::value_parser!(u64).range(1..))]
    transfers_per_person: u64,
    /// Per cent of one-off transfers through hub accounts (default 0): bills into the utilities,
    /// pensions and public pay out of the banks (25 with --transfers-per-person 10: hubs of 10^5
    /// counterparts at 10M transfers).
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u32).range(0..=100))]
    hub_percent: u32,
    /// Output folder: new or empty (a folder with files in it needs --force).
    #[arg(long)]
    out: PathBuf,
    /// Write into a folder that already has files (existing case files are overwritten).
    #[arg(long)]
    force: bool,
}

pub fn run(a: Args) -> Result<ExitCode> {
    super::output::case_target(&a.out, a.force, &super::output::Inputs::default())?;
    let t0 = std::time::Instant::now();
    let cfg = GenConfig {
        seed: a.seed,
        transfers: a.transfers,
        identity_noise: a.identity_noise,
        transfers_per_person: a.transfers_per_person,
        hub_percent: a.hub_percent,
        ..GenConfig::default()
    };
    let s = generate(&cfg, &a.out)?;
    for (t, n) in &s.tables {
        println!("{t:<20} {n:>12}");
    }
    let injected: u64 = s.patterns.iter().map(|p| p.1).sum();
    println!(
        "{} injected patterns ({} typologies), {} suspects; written to {} in {:.2} s",
        injected,
        s.patterns.len(),
        s.suspects,
        a.out.display(),
        t0.elapsed().as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}
