//! Transfer-detector benchmark (issue 3): generates cases of 1M transfers (and 10M when
//! `MONEYTRAIL_BENCH_10M=1`) into `target/bench-cases` (reused when present), loads them,
//! builds the graph and runs every transfer detector, printing the time of the graph build and
//! of each detector on 1 and 2 threads, the speed-up, throughput and peak RSS (VmHWM).
//!
//! `cargo bench --bench detect`

mod common;
use common::{cases_dir, ensure_generated, peak_rss_mib};

use moneytrail::graph::CaseGraph;
use moneytrail::ingest::{load_case, LoadOptions};
use moneytrail::patterns::{self, RunOptions};
use std::time::Instant;

const TRANSFER_TYPOLOGIES: [&str; 8] = [
    "fan_in",
    "fan_out",
    "gather_scatter",
    "scatter_gather",
    "cycle",
    "layering_chain",
    "structuring",
    "funnel_account",
];

fn run(n: u64) {
    let dir = cases_dir().join(format!("detect-seed1-{n}"));
    if !ensure_generated(&dir, n) {
        return;
    }
    let t = Instant::now();
    let case = match load_case(&dir, &LoadOptions::default()) {
        Ok(l) => l.case,
        Err(e) => {
            println!("cannot load {}: {e}", dir.display());
            return;
        }
    };
    println!("\n== {n} transfers: load {:.2} s", t.elapsed().as_secs_f64());
    let mut graph_s = [0.0f64; 2];
    let mut per: Vec<(String, [f64; 2], usize)> = Vec::new();
    for (k, threads) in [1usize, 2].into_iter().enumerate() {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().ok();
        let t = Instant::now();
        let graph = match &pool {
            Some(p) => p.install(|| CaseGraph::build(&case)),
            None => CaseGraph::build(&case),
        };
        graph_s[k] = t.elapsed().as_secs_f64();
        let rows: Vec<(&str, Vec<String>, Vec<String>)> = std::iter::once(("runner only", vec![], vec![]))
            .chain(TRANSFER_TYPOLOGIES.iter().map(|t| (*t, vec![t.to_string()], vec![])))
            .chain(std::iter::once((
                "all together",
                TRANSFER_TYPOLOGIES.iter().map(|t| t.to_string()).collect(),
                vec![],
            )))
            .chain(std::iter::once((
                "cycle 6h/10d",
                vec!["cycle".to_string()],
                vec!["cycle.max_hops=6".to_string(), "cycle.window_days=10".to_string()],
            )))
            .collect();
        for (i, (typ, sel, params)) in rows.into_iter().enumerate() {
            let opts = RunOptions { typologies: Some(sel), params, threads, ..RunOptions::default() };
            let t = Instant::now();
            let found = patterns::run(&case, &graph, &opts).map(|f| f.len()).unwrap_or(0);
            let s = t.elapsed().as_secs_f64();
            if k == 0 {
                per.push((typ.to_string(), [s, 0.0], found));
            } else if let Some(x) = per.get_mut(i) {
                x.1[1] = s;
            }
        }
    }
    println!("{:<16} {:>9} {:>9} {:>8} {:>9}", "step", "1 thread", "2 threads", "speedup", "findings");
    println!("{:<16} {:>8.3}s {:>8.3}s {:>7.2}x", "graph build", graph_s[0], graph_s[1], graph_s[0] / graph_s[1]);
    let (mut s1, mut s2) = (0.0, 0.0);
    let mut together = [0.0f64; 2];
    for (typ, s, found) in &per {
        if TRANSFER_TYPOLOGIES.contains(&typ.as_str()) {
            s1 += s[0];
            s2 += s[1];
        }
        if typ == "all together" {
            together = *s;
        }
        println!("{typ:<16} {:>8.3}s {:>8.3}s {:>7.2}x {found:>9}", s[0], s[1], s[0] / s[1]);
    }
    println!("{:<16} {:>8.3}s {:>8.3}s {:>7.2}x", "sum of the rows", s1, s2, s1 / s2);
    println!("throughput (all together, 2 threads): {:.2} M transfers/s", n as f64 / together[1] / 1e6);
    println!("peak RSS (VmHWM): {:.0} MiB", peak_rss_mib());
    // Each timing includes the runner's suspect-link BFS and sort, as a user's run does; the
    // "runner only" row is that overhead alone (no detector selected). "all together" is one
    // run of the eight transfer detectors, as `moneytrail detect` runs them; "sum of the rows"
    // pays the runner's overhead eight times.
}

fn main() {
    run(1_000_000);
    if std::env::var("MONEYTRAIL_BENCH_10M").is_ok_and(|v| v == "1") {
        run(10_000_000);
    } else {
        println!("\n(set MONEYTRAIL_BENCH_10M=1 for the 10M-transfer case)");
    }
}
