//! Timing of the time-respecting cycle query against the native detectors on a large generated
//! case. Ignored by default (it builds a 1M-transfer case); run in release:
//!
//! ```text
//! cargo test --release --test query_bench -- --ignored --nocapture
//! MONEYTRAIL_BENCH_TRANSFERS=200000 cargo test --release --test query_bench -- --ignored --nocapture
//! MONEYTRAIL_BENCH_FAN_IN=1 ...   # also time queries/fan_in.cypher against the native fan_in
//! ```
//!
//! It reports times and throughputs and asserts nothing about speed (house style: a timed test
//! asserts results, not durations). The native `cycle` detector is timed when the registry has
//! it (it is merged from another branch); `fan_in` is timed against its query meanwhile.

use moneytrail::generate::{generate, GenConfig};
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

#[test]
#[ignore]
fn cycle_query_against_native_detectors_on_a_large_case() {
    let n: u64 = std::env::var("MONEYTRAIL_BENCH_TRANSFERS").ok().and_then(|s| s.parse().ok()).unwrap_or(1_000_000);
    let dir = tempfile::tempdir().unwrap();
    let t = Instant::now();
    generate(&GenConfig { seed: 1, transfers: n, ..GenConfig::default() }, dir.path()).unwrap();
    let case = load_case(dir.path(), &LoadOptions::default()).unwrap().case;
    let g = CaseGraph::build(&case);
    println!(
        "case: {} transfers, {} accounts; generate + load + graph {:.1} s",
        case.transfers.len(),
        case.accounts.len(),
        t.elapsed().as_secs_f64()
    );
    let root = env!("CARGO_MANIFEST_DIR");
    let budget = Budget { max_rows: u64::MAX, max_time: std::time::Duration::from_secs(3600) };
    // fan_in.cypher joins every incoming transfer with the following 30 days of them: tens of
    // millions of rows at 1M transfers, so it is timed only on request.
    let mut pairs = vec![("cycle.cypher", "cycle")];
    if std::env::var_os("MONEYTRAIL_BENCH_FAN_IN").is_some() {
        pairs.push(("fan_in.cypher", "fan_in"));
    }
    for (file, typology) in pairs {
        let text = std::fs::read_to_string(format!("{root}/queries/{file}")).unwrap();
        let q = query::prepare(&text, &case, &HashMap::new()).unwrap();
        let (secs, rows) =
            median_secs(3, || query::execute(&q, &case, &g, HashMap::new(), &budget).unwrap().rows.len());
        println!(
            "query  {file:<14} {secs:>8.3} s  {rows:>7} rows  {:>6.1} M transfers/s",
            case.transfers.len() as f64 / secs / 1e6
        );
        if patterns::registry().iter().any(|d| d.name() == typology) {
            let opts = RunOptions { typologies: Some(vec![typology.into()]), ..RunOptions::default() };
            let (secs_n, found) = median_secs(3, || patterns::run(&case, &g, &opts).unwrap().len());
            println!(
                "native {typology:<14} {secs_n:>8.3} s  {found:>7} findings  query/native = {:.2}x",
                secs / secs_n
            );
        } else {
            println!("native {typology:<14} not in this branch's registry");
        }
    }
}
