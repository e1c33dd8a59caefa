//! Helpers shared by the benchmarks: where generated cases live and peak memory. Each bench
//! binary includes this module and uses part of it.
#![allow(dead_code)]

use moneytrail::generate::{generate, GenConfig};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Peak resident memory of this process so far (VmHWM), in MiB.
pub fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

/// `target/bench-cases` (or under `CARGO_TARGET_DIR`), where generated cases are kept between runs.
pub fn cases_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| PathBuf::from("target"));
    target.join("bench-cases")
}

/// Generates the seed-1 case of `n` transfers into `dir` unless it is already there (its
/// truth/patterns.csv is written last). Prints what it did; `false` when generation failed.
pub fn ensure_generated(dir: &Path, n: u64) -> bool {
    if dir.join("truth/patterns.csv").exists() {
        return true;
    }
    let t = Instant::now();
    if let Err(e) = generate(&GenConfig { seed: 1, transfers: n, ..GenConfig::default() }, dir) {
        println!("cannot generate {}: {e}", dir.display());
        return false;
    }
    println!("generated {n} transfers into {} in {:.1} s", dir.display(), t.elapsed().as_secs_f64());
    true
}
