//! Query benchmark (issue 4): the time-respecting cycle query (`queries/cycle.cypher`) against
//! the native `cycle` detector on the same generated case of 1M transfers (seed 1; shared with
//! `benches/detect.rs` in `target/bench-cases`, generated when missing). Prints the median of
//! three runs of each and their ratio (target: the query within 3x of the detector).
//!
//! `cargo bench --bench query` (`MONEYTRAIL_BENCH_TRANSFERS=200000` for another size). The
//! same question asked of Kuzu: `benches/kuzu/run.sh`.

mod common;
use common::{cases_dir, ensure_generated};

use moneytrail::graph::CaseGraph;
use moneytrail::ingest::{load_case, LoadOptions};
use moneytrail::patterns::{self, RunOptions};
use moneytrail::query::{self, Budget};
use std::collections::HashMap;
use std::time::Instant;

fn median_secs(runs: usize, mut f: impl FnMut() -> usize) -> (f64, usize) {
    let mut times = Vec::new();
    let mut n = 0;
    for _ in 0..runs {
        let t = Instant::now();
        n = f();
        times.push(t.elapsed().as_secs_f64());
    }
    times.sort_by(|a, b| a.total_cmp(b));
    (times[times.len() / 2], n)
}

fn load_avg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

fn main() {
    let n: u64 = std::env::var("MONEYTRAIL_BENCH_TRANSFERS").ok().and_then(|s| s.parse().ok()).unwrap_or(1_000_000);
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
    let g = CaseGraph::build(&case);
    println!(
        "case {}: {} transfers, {} accounts; load + graph {:.1} s; load average {}",
        dir.display(),
        case.transfers.len(),
        case.accounts.len(),
        t.elapsed().as_secs_f64(),
        load_avg()
    );
    let text = match std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/queries/cycle.cypher")) {
        Ok(t) => t,
        Err(e) => {
            println!("cannot read queries/cycle.cypher: {e}");
            return;
        }
    };
    let q = match query::prepare(&text, &case, &HashMap::new()) {
        Ok(q) => q,
        Err(e) => {
            println!("{}", e.render(&text));
            return;
        }
    };
    let budget = Budget { max_rows: u64::MAX, max_time: std::time::Duration::from_secs(3600), ..Budget::default() };
    let (secs_q, rows) = median_secs(3, || match query::execute(&q, &case, &g, HashMap::new(), &budget) {
        Ok(r) => r.rows.len(),
        Err(e) => {
            println!("query failed: {}", e.render(&text));
            0
        }
    });
    println!(
        "query  cycle.cypher {secs_q:>8.3} s  {rows:>6} cycles  {:>6.2} M transfers/s  (median of 3)",
        case.transfers.len() as f64 / secs_q / 1e6
    );
    if !patterns::registry().iter().any(|d| d.name() == "cycle") {
        println!("native cycle detector: not in this build's registry");
        return;
    }
    let opts = RunOptions::parse(Some(&["cycle"]), &[]).expect("bench options parse");
    let (secs_n, found) = median_secs(3, || patterns::run(&case, &g, &opts).map(|f| f.len()).unwrap_or(0));
    println!("native cycle       {secs_n:>8.3} s  {found:>6} findings (median of 3)");
    println!("query / native = {:.2}x (target: within 3x); load average {}", secs_q / secs_n, load_avg());
}
