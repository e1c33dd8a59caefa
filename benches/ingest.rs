//! Ingest throughput and memory: generates cases of 1M (and 10M) transfers once into
//! target/bench-cases, then loads each in a fresh child process and reports rows per second,
//! peak resident memory and resident memory per loaded transfer.
//!
//! Run: `cargo bench --bench ingest` (1M); `MT_BENCH_SIZES=1000000,10000000 cargo bench --bench ingest`.

use moneytrail::generate::{generate, GenConfig};
use moneytrail::ingest::{load_case, LoadOptions};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

fn status_kib(key: &str) -> u64 {
    let s = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    s.lines()
        .find(|l| l.starts_with(key))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

extern "C" {
    fn malloc_trim(pad: usize) -> i32;
}

fn case_dir(n: u64) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-cases").join(format!("seed1-{n}"))
}

fn child(n: u64) {
    let dir = case_dir(n);
    let rss0 = status_kib("VmRSS:");
    let t = Instant::now();
    let loaded = load_case(&dir, &LoadOptions::default()).expect("bench case loads");
    let secs = t.elapsed().as_secs_f64();
    let rss_untrimmed = status_kib("VmRSS:");
    // Give freed heap pages back to the OS, so the figure is what the case holds.
    // SAFETY: malloc_trim only releases free memory; glibc is the allocator on this platform.
    unsafe { malloc_trim(0) };
    let rss1 = status_kib("VmRSS:");
    eprintln!("(RSS before trim {} MiB, after {} MiB)", rss_untrimmed / 1024, rss1 / 1024);
    let hwm = status_kib("VmHWM:");
    let tr = loaded.case.transfers.len() as f64;
    let rows: u64 = loaded.report.tables.iter().map(|t| t.read).sum();
    println!(
        "{:>10} transfers  {:>6.2} s  {:>10.0} transfer rows/s  {:>10.0} rows/s (all tables)  peak RSS {:>6} MiB  resident {:>5.1} B/transfer  column store {:>5.1} B/transfer  rejected {}",
        n,
        secs,
        tr / secs,
        rows as f64 / secs,
        hwm / 1024,
        (rss1.saturating_sub(rss0) as f64 * 1024.0) / tr,
        loaded.case.transfers.heap_bytes() as f64 / tr,
        loaded.report.rejected()
    );
}

fn main() {
    if let Ok(n) = std::env::var("MT_BENCH_CHILD") {
        child(n.parse().expect("size"));
        return;
    }
    let sizes: Vec<u64> = std::env::var("MT_BENCH_SIZES")
        .unwrap_or_else(|_| "1000000".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    let runs: usize = std::env::var("MT_BENCH_RUNS").ok().and_then(|r| r.parse().ok()).unwrap_or(3);
    println!("ingest benchmark ({} threads available)", std::thread::available_parallelism().map_or(1, |n| n.get()));
    for n in sizes {
        let dir = case_dir(n);
        if !dir.join("case.toml").exists() {
            let t = Instant::now();
            generate(&GenConfig { seed: 1, transfers: n, ..GenConfig::default() }, &dir).expect("generate");
            println!("generated {} transfers in {:.1} s", n, t.elapsed().as_secs_f64());
        }
        let bytes = std::fs::metadata(dir.join("transfers.csv")).map(|m| m.len()).unwrap_or(0);
        println!("transfers.csv: {} MiB", bytes >> 20);
        for _ in 0..runs {
            let exe = std::env::current_exe().expect("current exe");
            let st = Command::new(exe).env("MT_BENCH_CHILD", n.to_string()).status().expect("child");
            assert!(st.success());
        }
    }
}
