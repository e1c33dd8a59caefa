//! The extreme-hub case of issue 14 (Deliver 6): 2,000,000 transfers between 3 accounts, every
//! one of them a hub, amounts so alike that every onward transfer falls in the pass-through and
//! cycle retention bands. `moneytrail detect` on it must finish within 60 s under 2 GB, or stop
//! with the budget message naming the detector and the hub.
//!
//! `cargo bench --bench hub_budget` writes the case into `target/bench-cases/hub-3x2M` (reused
//! when present), then runs the release binary: `detect` with its default budgets, and each
//! transfer typology alone, printing wall time, peak RSS of the process (wait4's ru_maxrss),
//! the exit status and the message. `MT_HUB_TRANSFERS` changes the transfer count.

mod common;
use common::cases_dir;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

/// Writes the hub case: accounts H1..H3, `n` transfers 15 s apart from 2023-01-01, each from
/// one hub to another, amounts 1,000.00 to 1,049.99 ALL.
fn write_case(dir: &Path, n: u64) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    std::fs::write(
        dir.join("case.toml"),
        "name = \"Three hubs, two million transfers\"\nbase_currency = \"ALL\"\nvaluation_date = \"2024-12-31\"\n",
    )?;
    std::fs::write(
        dir.join("accounts.csv"),
        "account_id,iban,bank,holder_id,opened_on,closed_on,currency\nH1,,BKT,,2020-01-01,,ALL\nH2,,BKT,,2020-01-01,,ALL\nH3,,BKT,,2020-01-01,,ALL\n",
    )?;
    let f = std::fs::File::create(dir.join("transfers.tmp"))?;
    let mut w = std::io::BufWriter::new(f);
    writeln!(w, "txn_id,booked_at,from_account,to_account,amount,currency,channel,reference,branch_city")?;
    let start = chrono::NaiveDate::from_ymd_opt(2023, 1, 1).and_then(|d| d.and_hms_opt(0, 0, 0)).unwrap_or_default();
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    for i in 0..n {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let from = (i % 3) as usize;
        let to = (from + 1 + ((x >> 20) % 2) as usize) % 3;
        let t = start + chrono::Duration::seconds(15 * i as i64);
        let cents = 100_000 + (x % 5_000);
        writeln!(
            w,
            "T{i},{},H{},H{},{}.{:02},ALL,wire,,",
            t.format("%Y-%m-%d %H:%M:%S"),
            from + 1,
            to + 1,
            cents / 100,
            cents % 100
        )?;
    }
    w.flush()?;
    drop(w);
    // Renamed last, so an interrupted write is regenerated on the next run.
    std::fs::rename(dir.join("transfers.tmp"), dir.join("transfers.csv"))
}

/// Runs `bin args`, returning (wall seconds, peak RSS MiB, exit code, last stderr/stdout lines).
fn measure(bin: &str, args: &[&str]) -> (f64, f64, i32, String) {
    let t = Instant::now();
    let child = match Command::new(bin).args(args).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn() {
        Ok(c) => c,
        Err(e) => return (0.0, 0.0, -1, format!("cannot run {bin}: {e}")),
    };
    let pid = child.id() as libc::pid_t;
    // Read the pipes on threads so a chatty child never blocks, then reap it with wait4 for
    // its own peak RSS (getrusage(RUSAGE_CHILDREN) would give the largest child so far).
    let mut child = child;
    let (mut so, mut se) = (child.stdout.take(), child.stderr.take());
    let out = std::thread::spawn(move || {
        let mut s = String::new();
        if let Some(p) = so.as_mut() {
            let _ = std::io::Read::read_to_string(p, &mut s);
        }
        s
    });
    let err = std::thread::spawn(move || {
        let mut s = String::new();
        if let Some(p) = se.as_mut() {
            let _ = std::io::Read::read_to_string(p, &mut s);
        }
        s
    });
    let mut status: libc::c_int = 0;
    // SAFETY: `rusage` is plain data that wait4 fills in; `pid` is our own child, reaped once.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let secs = t.elapsed().as_secs_f64();
    let code = if r < 0 {
        -1
    } else if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        128 + libc::WTERMSIG(status)
    };
    let text = format!("{}{}", out.join().unwrap_or_default(), err.join().unwrap_or_default());
    let tail: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let tail = tail[tail.len().saturating_sub(2)..].join(" | ");
    (secs, usage.ru_maxrss as f64 / 1024.0, code, tail)
}

fn main() {
    let n: u64 = std::env::var("MT_HUB_TRANSFERS").ok().and_then(|s| s.parse().ok()).unwrap_or(2_000_000);
    let dir = cases_dir().join(format!("hub-3x{n}"));
    if !dir.join("transfers.csv").exists() {
        let t = Instant::now();
        if let Err(e) = write_case(&dir, n) {
            println!("cannot write {}: {e}", dir.display());
            return;
        }
        println!("wrote {n} transfers between 3 accounts into {} in {:.1} s", dir.display(), t.elapsed().as_secs_f64());
    }
    let bin = env!("CARGO_BIN_EXE_moneytrail");
    let scratch = match tempfile::tempdir() {
        Ok(d) => d,
        Err(e) => {
            println!("no temp dir: {e}");
            return;
        }
    };
    let case = dir.to_string_lossy().into_owned();
    let out = scratch.path().join("findings.csv").to_string_lossy().into_owned();
    println!("\n{:<28} {:>8} {:>10} {:>5}  message", "run", "wall", "peak RSS", "exit");
    let mut runs: Vec<(String, Vec<String>)> = vec![("detect (all, defaults)".into(), vec![])];
    for t in ["layering_chain", "cycle", "fan_in", "fan_out", "gather_scatter", "scatter_gather", "structuring"] {
        runs.push((format!("detect --typology {t}"), vec!["--typology".into(), t.into()]));
    }
    runs.push(("ingest only".into(), vec![]));
    for (name, extra) in &runs {
        let mut args: Vec<&str> =
            if name == "ingest only" { vec!["ingest", &case] } else { vec!["detect", &case, "--out", &out] };
        args.extend(extra.iter().map(String::as_str));
        let (secs, rss, code, tail) = measure(bin, &args);
        println!("{name:<28} {secs:>7.1}s {rss:>7.0} MiB {code:>5}  {tail}");
    }
    println!("\nDone when (issue 14): `detect` within 60 s under 2 GB, or the budget message.");
}
