//! Transfer-detector benchmark (issue 3): generates cases of 1M transfers (and 10M when
//! `MONEYTRAIL_BENCH_10M=1`) into `target/bench-cases` (reused when present), loads them,
//! builds the graph and runs every transfer detector, printing the time of the graph build and
//! of each detector on 1 and 2 threads, the speed-up, throughput and peak RSS (VmHWM).
//!
//! `cargo bench --bench detect`; each figure is the median of `MT_BENCH_RUNS` runs (default 5 at
//! 1M, 1 at 10M).

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

/// Runs per measurement: `MT_BENCH_RUNS`, else 5 below 5M transfers and 1 above.
fn repeats(n: u64) -> usize {
    std::env::var("MT_BENCH_RUNS").ok().and_then(|r| r.parse().ok()).filter(|&r| r > 0).unwrap_or(if n < 5_000_000 {
        5
    } else {
        1
    })
}

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
    println!("\n== {n} transfers: load {:.2} s; median of {} runs per figure", t.elapsed().as_secs_f64(), repeats(n));
    // The graph is the same whatever the thread count (tests/detect_transfers.rs); it is built
    // on 1 and on 2 threads for the timing, and one copy is kept.
    let mut graph_s = [0.0f64; 2];
    let mut graph = None;
    for (k, threads) in [1usize, 2].into_iter().enumerate() {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().ok();
        drop(graph.take()); // one graph in memory at a time
        let t = Instant::now();
        graph = Some(match &pool {
            Some(p) => p.install(|| CaseGraph::build(&case)),
            None => CaseGraph::build(&case),
        });
        graph_s[k] = t.elapsed().as_secs_f64();
    }
    let Some(graph) = graph else { return };
    let rows: Vec<(&str, Vec<String>, Vec<String>)> = std::iter::once(("runner only", vec![], vec![]))
        .chain(TRANSFER_TYPOLOGIES.iter().map(|t| (*t, vec![t.to_string()], vec![])))
        .chain(std::iter::once(("all together", TRANSFER_TYPOLOGIES.iter().map(|t| t.to_string()).collect(), vec![])))
        .chain(std::iter::once((
            "cycle 6h/10d",
            vec!["cycle".to_string()],
            vec!["cycle.max_hops=6".to_string(), "cycle.window_days=10".to_string()],
        )))
        .collect();
    // Per row, 1 and 2 threads alternate, `repeats` times each, and each figure is the median:
    // a single sub-second run on two cores varies by tens of per cent, and alternating keeps a
    // drift of the machine from favouring either side.
    let mut per: Vec<(String, [f64; 2], usize)> = Vec::new();
    for (typ, sel, params) in rows {
        let mut times: [Vec<f64>; 2] = [Vec::new(), Vec::new()];
        let mut found = 0;
        for _ in 0..repeats(n) {
            for (k, threads) in [1usize, 2].into_iter().enumerate() {
                let opts =
                    RunOptions { threads, ..RunOptions::parse(Some(&sel), &params).expect("bench options parse") };
                let t = Instant::now();
                found = patterns::run(&case, &graph, &opts).map(|f| f.len()).unwrap_or(0);
                times[k].push(t.elapsed().as_secs_f64());
            }
        }
        let median = |v: &mut Vec<f64>| {
            v.sort_by(f64::total_cmp);
            v[v.len() / 2]
        };
        let [mut a, mut b] = times;
        per.push((typ.to_string(), [median(&mut a), median(&mut b)], found));
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
