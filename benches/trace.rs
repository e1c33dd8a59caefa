//! Tracing benchmark (issue 5): traces one suspect's proceeds (every credit to the suspect's own
//! accounts from the suspicion date on, as `moneytrail assets` does) through a generated case of
//! 1M transfers, and 10M when `MONEYTRAIL_BENCH_10M=1`, under FIFO, LIBR and pro-rata. Cases are
//! generated with seed 1 into `target/bench-cases` (reused when present, also the detector
//! benchmark's). Prints the load time, the case -> events mapping, each rule alone on one thread,
//! the three rules side by side on two threads (`trace_rules`), the rows written, throughput and
//! peak RSS (VmHWM). Target (issue 5): under 30 s at 10M transfers on the 2-core machine.
//!
//! `cargo bench --bench trace`
//!
//! Measured (release, 2-core machine shared with other builds, load average 8-10): 10M transfers,
//! suspect P125001: case -> events 1.2 s; FIFO 2.5 s, LIBR 2.6 s, pro-rata 2.8 s alone on one
//! thread; the three rules side by side on two threads 4.1 s; total 5.3 s (target 30 s);
//! peak RSS 2.0 GiB (mostly the loaded case; CSV load itself 61 s under that load). 1M: 0.18 s
//! to 0.28 s total.

mod common;
use common::{cases_dir, ensure_generated, peak_rss_mib};

use moneytrail::ingest::{load_case, LoadOptions};
use moneytrail::model::Case;
use moneytrail::trace::case::case_events;
use moneytrail::trace::{trace_rules, trace_with, Label, Rule, Sources, TraceConfig};
use std::time::Instant;

fn load(n: u64) -> Option<Case> {
    // Reuse the detector benchmark's case of the same size and seed when present.
    let shared = cases_dir().join(format!("detect-seed1-{n}"));
    let dir = if shared.join("truth/patterns.csv").exists() { shared } else { cases_dir().join(format!("seed1-{n}")) };
    if !ensure_generated(&dir, n) {
        return None;
    }
    let t = Instant::now();
    match load_case(&dir, &LoadOptions::default()) {
        Ok(l) => {
            println!("\n== {n} transfers ({}): load {:.2} s", dir.display(), t.elapsed().as_secs_f64());
            Some(l.case)
        }
        Err(e) => {
            println!("cannot load {}: {e}", dir.display());
            None
        }
    }
}

fn run(n: u64) {
    let Some(case) = load(n) else { return };
    let Some(suspect) = case.suspects.rows.first() else {
        println!("no suspect in the case");
        return;
    };
    let since = suspect.since.map_or(i64::MIN, |d| d.start().0);
    let mut sources = Sources::new();
    let own: Vec<u32> = (0..case.accounts.len() as u32)
        .filter(|&a| case.accounts.rows[a as usize].holder == Some(suspect.entity))
        .collect();
    for &a in &own {
        sources.add_inflows(a, since, i64::MAX, Label(1));
    }
    println!("suspect {} ({} own accounts, since {:?})", case.entity_id(suspect.entity), own.len(), suspect.since);

    let pool1 = rayon::ThreadPoolBuilder::new().num_threads(1).build().ok();
    let pool2 = rayon::ThreadPoolBuilder::new().num_threads(2).build().ok();
    let install = |p: &Option<rayon::ThreadPool>, f: &mut (dyn FnMut() + Send)| match p {
        Some(p) => p.install(f),
        None => f(),
    };
    let mut events = Vec::new();
    let mut map_s = [0.0; 2];
    for (k, p) in [&pool1, &pool2].into_iter().enumerate() {
        let t = Instant::now();
        install(p, &mut || events = case_events(&case));
        map_s[k] = t.elapsed().as_secs_f64();
    }
    println!("{:<22} {:>8.3}s (1 thread) {:>8.3}s (2 threads)", "case -> events", map_s[0], map_s[1]);
    let config = TraceConfig::default();
    let rules = [Rule::Fifo, Rule::Libr, Rule::ProRata];
    let mut sum1 = 0.0;
    for rule in rules {
        let t = Instant::now();
        let mut out = None;
        install(&pool1, &mut || out = Some(trace_with(&events, &sources, rule, &config)));
        let s = t.elapsed().as_secs_f64();
        sum1 += s;
        match out {
            Some(Ok(r)) => {
                let sm = r.summary(Label(1));
                println!(
                    "{:<22} {:>8.3}s  rows {:>9}  introduced {}  remaining {}  exited {}",
                    format!("{rule} (1 thread)"),
                    s,
                    r.rows.len(),
                    sm.map(|x| x.introduced).unwrap_or_default(),
                    sm.map(|x| x.remaining).unwrap_or_default(),
                    sm.map(|x| x.exited).unwrap_or_default(),
                );
            }
            Some(Err(e)) => println!("{rule}: {e}"),
            None => {}
        }
    }
    let t = Instant::now();
    let mut both = None;
    install(&pool2, &mut || both = Some(trace_rules(&events, &sources, &rules, &config)));
    let s2 = t.elapsed().as_secs_f64();
    let rows: usize = both.and_then(Result::ok).map_or(0, |v| v.iter().map(|r| r.rows.len()).sum());
    println!("{:<22} {:>8.3}s (sum of the three alone: {sum1:.3} s)", "3 rules, 2 threads", s2);
    println!(
        "total trace (events + 3 rules, 2 threads): {:.3} s; {:.2} M transfers/s; {rows} rows",
        map_s[1] + s2,
        n as f64 / (map_s[1] + s2) / 1e6
    );
    println!("peak RSS (VmHWM): {:.0} MiB", peak_rss_mib());
}

fn main() {
    run(1_000_000);
    if std::env::var("MONEYTRAIL_BENCH_10M").is_ok_and(|v| v == "1") {
        run(10_000_000);
    } else {
        println!("\n(set MONEYTRAIL_BENCH_10M=1 for the 10M-transfer case)");
    }
}
