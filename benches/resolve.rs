//! Entity-resolution throughput: 1M person records from the generator the tests use
//! (`generate::person_records`, medium identity noise: bank, land- and company-register records
//! of the same people plus namesakes), resolved on 1 and 2 threads. Reports records per second,
//! candidate pairs, entities, pairwise precision / recall against the generated truth, peak
//! resident memory and the machine's load average (the 2-core machine is shared).
//!
//! Run: `cargo bench --bench resolve`; `MT_BENCH_RECORDS=200000 cargo bench --bench resolve`.
//! Target (issue 7): 1M person records in under 2 minutes.

use moneytrail::generate::{person_records, IdentityNoise};
use moneytrail::resolve::{resolve_tables, Params, Resolution};
use std::collections::HashMap;
use std::time::Instant;

fn status_kib(key: &str) -> u64 {
    let s = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    s.lines()
        .find(|l| l.starts_with(key))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .unwrap_or_default()
        .split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ")
}

fn pairwise(r: &Resolution, truth: &[String]) -> (f64, f64) {
    let mut pred: HashMap<&str, Vec<usize>> = HashMap::new();
    let mut sizes: HashMap<&str, u64> = HashMap::new();
    for (i, x) in r.records.iter().enumerate() {
        pred.entry(x.entity_id.as_str()).or_default().push(i);
        *sizes.entry(truth[i].as_str()).or_default() += 1;
    }
    let (mut predicted, mut tp) = (0u64, 0u64);
    for m in pred.values() {
        for (k, &a) in m.iter().enumerate() {
            for &b in &m[k + 1..] {
                predicted += 1;
                tp += u64::from(truth[a] == truth[b]);
            }
        }
    }
    let actual: u64 = sizes.values().map(|&n| n * (n - 1) / 2).sum();
    (tp as f64 / predicted.max(1) as f64, tp as f64 / actual.max(1) as f64)
}

fn main() {
    let target: usize = std::env::var("MT_BENCH_RECORDS").ok().and_then(|v| v.parse().ok()).unwrap_or(1_000_000);
    // About 1.58 records per person at medium noise (bank + 40 % land + 15 % company + namesakes).
    let people = target * 100 / 158;
    println!("load average before: {}", loadavg());
    let t = Instant::now();
    let (persons, truth) = person_records(1, people, IdentityNoise::Medium);
    println!("generated {} person records of {people} people in {:.1} s", persons.len(), t.elapsed().as_secs_f64());
    let params = Params::default();
    for threads in [1usize, 2] {
        let pool = match rayon::ThreadPoolBuilder::new().num_threads(threads).build() {
            Ok(p) => p,
            Err(e) => {
                println!("cannot build a {threads}-thread pool: {e}");
                continue;
            }
        };
        // Reset the peak-RSS counter so the figure is this run's (Linux >= 4.0).
        let _ = std::fs::write("/proc/self/clear_refs", "5");
        let rss0 = status_kib("VmRSS:");
        let t = Instant::now();
        let r = pool.install(|| resolve_tables(&persons, &[], &[], &params));
        let secs = t.elapsed().as_secs_f64();
        let (p, rc) = pairwise(&r, &truth);
        let s = r.stats;
        println!(
            "{threads} thread(s): {} records in {secs:.1} s ({:.0} records/s); {} keys, {} candidate pairs, \
             {} oversized blocks; {} links, {} merges, {} refused; {} entities ({} multi-record); \
             precision {p:.4}, recall {rc:.4}; peak RSS {} MiB above the {} MiB of the records; load average {}",
            s.records,
            s.records as f64 / secs,
            s.blocking.keys,
            s.blocking.pairs,
            s.blocking.oversized_blocks,
            s.links,
            s.merges,
            s.refused,
            s.entities,
            s.multi_record_entities,
            status_kib("VmHWM:").saturating_sub(rss0) / 1024,
            rss0 / 1024,
            loadavg()
        );
    }
}
