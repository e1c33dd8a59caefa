//! Scale-out benchmark (issue 20; `cargo bench --features distributed --bench scale_out`).
//!
//! For each size in `MT_SCALE_SIZES` (default `10000000,50000000` transfers) it generates the
//! seed-1 case into `target/bench-cases` (reused when present; `MT_SCALE_CASE=DIR` reads that
//! existing case instead, read-only), loads it, writes the Parquet case into
//! `target/bench-cases`, times the cluster-planned detectors (`MT_SCALE_DETECTORS`, default all
//! eight) locally on 2 threads, then for each executor
//! count in `MT_SCALE_EXECUTORS` (default `1,2,4`) starts a `moneytrail cluster scheduler` and
//! that many `moneytrail cluster executor` processes on loopback and times the same detectors
//! with the structural search on the cluster (scoring local, as in production), and checks the
//! findings equal the local ones. Per run it prints wall times, the shuffle bytes the executors
//! wrote (their work folders), and the peak RSS (VmHWM) of every process. Figures go to
//! docs/scale-out.md, which also has the CLI script used when no release bench binary was built.

mod common;
use common::{cases_dir, ensure_generated, peak_rss_mib};

use moneytrail::distributed::detect::{detect, Placement};
use moneytrail::distributed::engine::{Engine, Session};
use moneytrail::distributed::storage::write_case;
use moneytrail::graph::CaseGraph;
use moneytrail::ingest::{load_case, LoadOptions};
use moneytrail::patterns::{self, RunOptions};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The detectors with a cluster plan.
const DETECTORS: &str = "fan_in,fan_out,gather_scatter,funnel_account,cycle,scatter_gather,layering_chain,structuring";

fn list(var: &str, default: &str) -> Vec<u64> {
    std::env::var(var).unwrap_or_else(|_| default.into()).split(',').filter_map(|s| s.trim().parse().ok()).collect()
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").map(|l| l.local_addr().map(|a| a.port()).unwrap_or(0)).unwrap_or(0)
}

/// VmHWM of process `pid` in MiB.
fn peak_of(pid: u32) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

/// Bytes of all files under `dir`.
fn du(dir: &Path) -> u64 {
    let mut n = 0;
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            match e.metadata() {
                Ok(m) if m.is_dir() => n += du(&p),
                Ok(m) => n += m.len(),
                Err(_) => {}
            }
        }
    }
    n
}

struct Cluster {
    procs: Vec<Child>,
    port: u16,
    work: Vec<PathBuf>,
}

impl Cluster {
    fn start(k: usize, root: &Path) -> Option<Cluster> {
        let bin = env!("CARGO_BIN_EXE_moneytrail");
        let mut s = Command::new(bin)
            .args(["cluster", "scheduler", "--bind", "127.0.0.1:0", "--shuffle-cleanup", "0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .ok()?;
        let mut line = String::new();
        BufReader::new(s.stdout.take()?).read_line(&mut line).ok()?;
        let port: u16 = line.trim().rsplit_once(':')?.1.parse().ok()?;
        let slots = (2 / k).max(1).to_string();
        let mut procs = vec![s];
        let mut work = Vec::new();
        for i in 0..k {
            let dir = root.join(format!("executor-{i}"));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).ok()?;
            let c = Command::new(bin)
                .args(["cluster", "executor", "--scheduler", &format!("127.0.0.1:{port}"), "--slots", &slots])
                .args(["--port", &free_port().to_string(), "--grpc-port", &free_port().to_string()])
                .arg("--work-dir")
                .arg(&dir)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .ok()?;
            procs.push(c);
            work.push(dir);
        }
        std::thread::sleep(Duration::from_secs(3));
        Some(Cluster { procs, port, work })
    }

    fn shuffle_bytes(&self) -> u64 {
        self.work.iter().map(|d| du(d)).sum()
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        for c in &mut self.procs {
            let _ = Command::new("kill").args(["-TERM", &c.id().to_string()]).status();
        }
        for c in &mut self.procs {
            let _ = c.wait();
        }
    }
}

fn opts(name: &str) -> RunOptions {
    let typologies = name.parse().ok().map(|t| vec![t]);
    RunOptions { typologies, threads: 2, ..RunOptions::default() }
}

fn run(n: u64, executors: &[u64], detectors: &[String]) {
    let (dir, name) = match std::env::var_os("MT_SCALE_CASE") {
        Some(d) => {
            let d = PathBuf::from(d);
            let name = d.file_name().map_or_else(|| "case".into(), |f| f.to_string_lossy().into_owned());
            (d, name)
        }
        None => (cases_dir().join(format!("detect-seed1-{n}")), format!("seed1-{n}")),
    };
    if std::env::var_os("MT_SCALE_CASE").is_none() && !ensure_generated(&dir, n) {
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
    let graph = CaseGraph::build(&case);
    let n = case.transfers.len() as u64;
    println!("\n== {name}, {n} transfers: load and graph {:.1} s", t.elapsed().as_secs_f64());
    let pq = cases_dir().join(format!("parquet-{name}"));
    let t = Instant::now();
    match write_case(&case, &graph.flow, &pq, 8, false) {
        Ok(s) => println!(
            "parquet: {} partitions, {:.0} MB ({:.1} B/transfer), written in {:.1} s",
            s.manifest.partitions.len(),
            s.bytes as f64 / 1e6,
            s.bytes as f64 / n as f64,
            t.elapsed().as_secs_f64()
        ),
        Err(e) => {
            println!("cannot write parquet: {e}");
            return;
        }
    }
    let mut local = Vec::new();
    for d in detectors {
        let t = Instant::now();
        let f = patterns::run(&case, &graph, &opts(d)).unwrap_or_default();
        local.push((t.elapsed().as_secs_f64(), f));
    }
    println!("local engine, 2 threads (client peak RSS so far {:.0} MiB):", peak_rss_mib());
    for (d, (s, f)) in detectors.iter().zip(&local) {
        println!("  {d:<16} {s:>8.1} s  {:>6} findings", f.len());
    }
    let root = cases_dir().join("scale-out-work");
    for &k in executors {
        let Some(c) = Cluster::start(k as usize, &root) else {
            println!("cannot start a cluster of {k} executors");
            continue;
        };
        let engine = Engine::Ballista { host: "127.0.0.1".into(), port: c.port };
        let session = match Session::connect(&engine, &pq, 8) {
            Ok(s) => s,
            Err(e) => {
                println!("cannot connect: {e}");
                continue;
            }
        };
        println!("{k} executor(s), {} slot(s) each, 8 shuffle partitions:", (2 / k).max(1));
        println!(
            "  {:<16} {:>9} {:>9} {:>10} {:>11} {:>6}",
            "detector", "total s", "search s", "candidates", "shuffle MB", "same"
        );
        for (i, d) in detectors.iter().enumerate() {
            let before = c.shuffle_bytes();
            let t = Instant::now();
            match detect(&session, &case, &graph, &opts(d), false) {
                Ok(r) => {
                    let total = t.elapsed().as_secs_f64();
                    let (search, cands) = match r.placement.first() {
                        Some((_, Placement::Cluster { candidates, took })) => (took.as_secs_f64(), *candidates),
                        _ => (0.0, 0),
                    };
                    let mb = (c.shuffle_bytes().saturating_sub(before)) as f64 / 1e6;
                    let same = if r.findings == local[i].1 { "yes" } else { "NO" };
                    println!("  {d:<16} {total:>9.1} {search:>9.1} {cands:>10} {mb:>11.1} {same:>6}");
                }
                Err(e) => println!("  {d:<16} failed: {e}"),
            }
        }
        let peaks: Vec<String> = c.procs.iter().map(|p| format!("{:.0}", peak_of(p.id()))).collect();
        println!(
            "  peak RSS MiB: scheduler {}, executors [{}], client {:.0}",
            peaks[0],
            peaks[1..].join(", "),
            peak_rss_mib()
        );
        drop(session);
    }
}

fn main() {
    // `cargo bench` passes `--bench`; nothing else is read from the command line.
    let sizes = list("MT_SCALE_SIZES", "10000000,50000000");
    let executors = list("MT_SCALE_EXECUTORS", "1,2,4");
    let detectors: Vec<String> = std::env::var("MT_SCALE_DETECTORS")
        .unwrap_or_else(|_| DETECTORS.into())
        .split(',')
        .map(|s| s.trim().to_string())
        .collect();
    // An existing case has one size.
    let sizes = if std::env::var_os("MT_SCALE_CASE").is_some() { sizes.into_iter().take(1).collect() } else { sizes };
    for n in sizes {
        run(n, &executors, &detectors);
    }
}
