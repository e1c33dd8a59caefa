//! The library's progress reports (issue 18): stages nest, end when their guard drops (also on
//! an early return), and nothing is reported once the sink is uninstalled. One test in its own
//! binary, since the sink is process-wide.

use moneytrail::progress::{self, Progress, Unit};
use std::sync::{Arc, Mutex};

#[derive(Default)]
struct Log(Mutex<Vec<String>>);

impl Progress for Log {
    fn begin(&self, name: &str, total: Option<u64>, _: Unit) {
        self.0.lock().unwrap().push(format!("begin {name} {total:?}"));
    }
    fn advance(&self, n: u64) {
        self.0.lock().unwrap().push(format!("advance {n}"));
    }
    fn note(&self, what: &str) {
        self.0.lock().unwrap().push(format!("note {what}"));
    }
    fn end(&self) {
        self.0.lock().unwrap().push("end".into());
    }
}

fn early(fail: bool) -> Result<(), ()> {
    let _s = progress::stage("inner", None, Unit::Rows);
    if fail {
        return Err(());
    }
    Ok(())
}

#[test]
fn stages_nest_and_end_on_drop() {
    let log = Arc::new(Log::default());
    progress::install(log.clone());
    {
        let outer = progress::stage("investigate", Some(2), Unit::Steps);
        let n = progress::step("fan_in", || 7);
        assert_eq!(n, 7);
        assert!(early(true).is_err());
        outer.advance(1);
    }
    progress::uninstall();
    progress::advance(5);
    let _ = progress::stage("after", None, Unit::Rows);
    let got = std::mem::take(&mut *log.0.lock().unwrap());
    assert_eq!(
        got,
        ["begin investigate Some(2)", "note fan_in", "advance 1", "begin inner None", "end", "advance 1", "end"]
    );

    // Ingest reports rows inside an `ingest` stage; detection one step per detector inside a
    // `detect` stage (in the same test: the sink is process-wide).
    progress::install(log.clone());
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets/demo");
    let settings = moneytrail::investigation::LoadSettings { mapping: None, no_resolve: true };
    let loaded = moneytrail::investigation::load(&dir, &settings).unwrap();
    let graph = moneytrail::graph::CaseGraph::build(&loaded.case);
    let opts = moneytrail::patterns::RunOptions::default();
    let n = moneytrail::patterns::registry().len();
    moneytrail::patterns::run(&loaded.case, &graph, &opts).unwrap();
    progress::uninstall();
    let got = std::mem::take(&mut *log.0.lock().unwrap());
    let rows: u64 = got
        .iter()
        .skip_while(|e| *e != "begin ingest None")
        .take_while(|e| *e != "end")
        .filter_map(|e| e.strip_prefix("advance ").and_then(|n| n.parse::<u64>().ok()))
        .sum();
    let read: u64 = loaded.report.tables.iter().map(|t| t.read).sum();
    assert_eq!(rows, read, "ingest reports every row read: {got:?}");
    let detect: Vec<&String> = got.iter().skip_while(|e| !e.starts_with("begin detect")).collect();
    assert_eq!(detect.first().map(|s| s.as_str()), Some(format!("begin detect Some({n})").as_str()));
    assert_eq!(detect.iter().filter(|e| **e == "advance 1").count(), n, "{detect:?}");
    assert_eq!(detect.last().map(|s| s.as_str()), Some("end"));
}
