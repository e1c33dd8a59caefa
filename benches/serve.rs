//! Workspace benchmark (issue 19): on the generated case of 1M transfers (seed 1, shared with
//! `benches/detect.rs` in `target/bench-cases`, generated when missing), the time the server
//! takes to load the case, to answer the findings page (target: under 2 s) and to expand a node
//! in the explorer after the first load (target: under 200 ms), over real HTTP on loopback.
//!
//! `cargo bench --bench serve` (`MONEYTRAIL_BENCH_TRANSFERS=200000` for another size). Nothing
//! is written into the case folder (only GET requests).

mod common;
#[path = "../tests/common/http.rs"]
mod http;

use common::{cases_dir, ensure_generated, peak_rss_mib};
use http::{enc, Session};
use moneytrail::serve::adapter::{Engine, EngineOptions};
use moneytrail::serve::{self, App};
use moneytrail::victims::view::Audience;
use std::time::Instant;

fn ms(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1000.0
}

fn stats(mut v: Vec<f64>) -> String {
    v.sort_by(|a, b| a.total_cmp(b));
    let q = |p: f64| v[((v.len() - 1) as f64 * p).round() as usize];
    format!("median {:.1} ms, p95 {:.1} ms, max {:.1} ms over {}", q(0.5), q(0.95), q(1.0), v.len())
}

fn main() {
    let n: u64 = std::env::var("MONEYTRAIL_BENCH_TRANSFERS").ok().and_then(|s| s.parse().ok()).unwrap_or(1_000_000);
    let dir = cases_dir().join(format!("detect-seed1-{n}"));
    if !ensure_generated(&dir, n) {
        return;
    }
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!("serve bench on {} ({n} transfers); load average {}", dir.display(), load.trim());
    let t = Instant::now();
    let engine = Engine::load(EngineOptions {
        case_dir: dir.clone(),
        mapping: None,
        audience: Audience::Police,
        protection: Some(moneytrail::victims::Protection::from_master([7; 32], [0; 16])),
        passphrase: None,
        no_resolve: false,
        graphviz: false,
    })
    .expect("load");
    println!(
        "load, resolve, detect, protected view: {:.1} s; {} findings; peak RSS {:.0} MiB",
        t.elapsed().as_secs_f64(),
        engine.findings.len(),
        peak_rss_mib()
    );
    let app = App::new(engine, "bench", None).expect("app");
    let srv = serve::start(app, std::net::TcpListener::bind("127.0.0.1:0").unwrap(), 2).unwrap();
    let s = Session::login(srv.addr, &srv.login_url().unwrap());

    // The findings page: the first answer, then repeated (sorted by score, then by suspect).
    let t = Instant::now();
    let page = s.get("/");
    let first = ms(t);
    assert_eq!(page.status, 200);
    let mut again = Vec::new();
    for q in ["/", "/?sort=suspect&dir=asc", "/?sort=total", "/?status=new&min_score=50", "/?page=3"] {
        let t = Instant::now();
        assert_eq!(s.get(q).status, 200);
        again.push(ms(t));
    }
    println!("findings page: first {first:.1} ms ({} KiB); then {}", page.body.len() / 1024, stats(again));

    // Node expansion: accounts of the top findings and their neighbours.
    let list = s.get("/api/findings").json();
    let ids: Vec<String> =
        list["findings"].as_array().unwrap().iter().take(20).map(|f| f["id"].as_str().unwrap().to_string()).collect();
    let t = Instant::now();
    let g = s.get(&format!("/api/graph/finding/{}", enc(&ids[0])));
    println!("finding graph (first load of the explorer): {:.1} ms", ms(t));
    let mut keys: Vec<String> = Vec::new();
    for id in &ids {
        let g = s.get(&format!("/api/graph/finding/{}", enc(id))).json();
        keys.extend(g["nodes"].as_array().unwrap().iter().map(|n| n["id"].as_str().unwrap().to_string()));
    }
    drop(g);
    keys.sort();
    keys.dedup();
    let mut times = Vec::new();
    let mut edges = 0usize;
    let mut ring = Vec::new();
    for k in keys.iter().take(150) {
        let t = Instant::now();
        let r = s.get(&format!("/api/graph/expand?key={}", enc(k)));
        times.push(ms(t));
        let j = r.json();
        edges += j["edges"].as_array().map_or(0, |e| e.len());
        ring.extend(j["nodes"].as_array().into_iter().flatten().map(|n| n["id"].as_str().unwrap().to_string()));
    }
    ring.sort();
    ring.dedup();
    for k in ring.iter().filter(|k| !keys.contains(k)).take(150) {
        let t = Instant::now();
        let r = s.get(&format!("/api/graph/expand?key={}", enc(k)));
        times.push(ms(t));
        edges += r.json()["edges"].as_array().map_or(0, |e| e.len());
    }
    println!("node expansion (25 counterparties): {} ({edges} edges returned)", stats(times));
    // The heaviest account: the one with the most transfers.
    let t = Instant::now();
    let r = s.get("/api/graph/expand?key=CASH%3AElbasan&limit=500");
    println!("expansion of a cash node, 500 counterparties: {:.1} ms (status {})", ms(t), r.status);
    srv.stop().unwrap();
}
