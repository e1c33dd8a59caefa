//! Detection quality on data this project did not write, plus unseen generator seeds (issue
//! 21): one table over every labelled third-party set in `../shared/datasets/external` (the
//! IBM AML HI-Small pattern file and the three AMLSim 20K graphs) and three generator seeds not
//! used for anything else, with default parameters throughout.
//!
//! `cargo bench --bench detect_quality` (a data set that is absent is skipped with a message).
//! Columns (docs/evaluation.md): `truth` patterns (or labelled accounts), `findings` (or
//! accounts in some finding), `recall` of patterns over the whole ranked list, `acct_r` the
//! share of the truth's accounts in a finding of the typology, `R@2k` patterns found within the
//! first 2|truth| findings (accounts: labelled among the first 2|labelled| by alert score),
//! `P@k` and `P@2k` precision among the first |truth| and 2|truth| (divided by k), `AP` average
//! precision. `MT_QUALITY_SEEDS=91,92,93` and `MT_QUALITY_TRANSFERS=100000` choose the
//! generated cases.

use moneytrail::generate::{generate, GenConfig};
use moneytrail::graph::CaseGraph;
use moneytrail::ingest::ibm::{import, ImportOptions};
use moneytrail::ingest::{load_case, LoadOptions};
use moneytrail::model::Case;
use moneytrail::patterns::{self, eval, Finding, RunOptions};
use std::path::{Path, PathBuf};
use std::time::Instant;

fn shared() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/datasets/external")
}

struct Row {
    data: String,
    typology: String,
    truth: usize,
    findings: usize,
    recall: f64,
    acct: f64,
    r2k: f64,
    pk: f64,
    p2k: f64,
    ap: f64,
}

fn run(case: &Case) -> Vec<Finding> {
    let graph = CaseGraph::build(case);
    patterns::run(case, &graph, &RunOptions::default()).expect("default options")
}

fn pattern_rows(data: &str, found: &[Finding], truth: &[eval::TruthPattern]) -> Vec<Row> {
    let ev = eval::evaluate(found, truth, 0.8);
    ev.per_typology
        .iter()
        .filter(|(_, s)| s.patterns > 0)
        .map(|(t, s)| Row {
            data: data.to_string(),
            typology: t.clone(),
            truth: s.patterns,
            findings: s.findings,
            recall: s.recall(),
            acct: s.account_recall(),
            r2k: s.recall_at_2k(),
            pk: s.precision_at_k(),
            p2k: s.precision_at_2k(),
            ap: s.average_precision,
        })
        .chain(std::iter::once(total(data, found)))
        .collect()
}

/// The number of findings of the run, for the table's last line per data set.
fn total(data: &str, found: &[Finding]) -> Row {
    Row {
        data: data.to_string(),
        typology: "(all findings)".into(),
        truth: 0,
        findings: found.len(),
        recall: f64::NAN,
        acct: f64::NAN,
        r2k: f64::NAN,
        pk: f64::NAN,
        p2k: f64::NAN,
        ap: f64::NAN,
    }
}

fn ibm(rows: &mut Vec<Row>) {
    let src = shared().join("ibm-aml-hi-small");
    if !src.join(moneytrail::ingest::ibm::PATTERNS_FILE).exists() {
        println!("skipped: {} is absent", src.display());
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let t = Instant::now();
    let s = import(&src, dir.path(), &ImportOptions::default()).expect("IBM import");
    let loaded = load_case(dir.path(), &LoadOptions::default()).expect("IBM case loads");
    let tr = loaded.report.tables.iter().find(|t| t.table == "transfers");
    let case = &loaded.case;
    let found = run(case);
    let truth = eval::read_truth(&dir.path().join("truth/patterns.csv"), case).expect("IBM truth");
    let loaded_laundering = truth.iter().map(|p| p.txns.len()).sum::<usize>();
    println!(
        "IBM HI-Small: {} attempts, {} laundering rows, {} of them loaded; transfers read {}, loaded {}, rejected {} ({:.1} s)",
        s.patterns,
        s.pattern_txns,
        loaded_laundering,
        tr.map_or(0, |t| t.read),
        tr.map_or(0, |t| t.loaded),
        tr.map_or(0, |t| t.rejected),
        t.elapsed().as_secs_f64()
    );
    rows.extend(pattern_rows("IBM HI-Small", &found, &truth));
}

fn amlsim(rows: &mut Vec<Row>) {
    let mapping = Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets/mappings/amlsim-20k.toml");
    for name in ["20K_fanin200", "20K_cycle200", "20K_fanin200cycle200"] {
        let dir = shared().join("amlsim-ibm-samples").join(name);
        if !dir.join("transactions.csv").exists() {
            println!("skipped: {} is absent", dir.display());
            continue;
        }
        let t = Instant::now();
        let case = load_case(&dir, &LoadOptions { mapping: Some(mapping.clone()) }).expect("AMLSim loads").case;
        let found = run(&case);
        let labels: Vec<bool> =
            (0..case.accounts.len()).map(|i| case.accounts.extras.get("isFraud", i) == Some("1")).collect();
        let l = eval::evaluate_labels(&eval::account_scores(&case, &found), &labels);
        println!(
            "AMLSim {name}: {} accounts, {} labelled, {} transfers, {} findings ({:.1} s)",
            l.accounts,
            l.labelled,
            case.transfers.len(),
            found.len(),
            t.elapsed().as_secs_f64()
        );
        rows.push(Row {
            data: format!("AMLSim {name}"),
            typology: "accounts (isFraud)".into(),
            truth: l.labelled,
            findings: l.flagged,
            recall: l.recall_flagged(),
            acct: l.recall_flagged(),
            r2k: l.recall_at_2x(),
            pk: l.precision_at_1x(),
            p2k: l.precision_at_2x(),
            ap: l.average_precision,
        });
    }
}

fn generated(rows: &mut Vec<Row>) {
    let seeds: Vec<u64> = std::env::var("MT_QUALITY_SEEDS")
        .ok()
        .map(|s| s.split(',').filter_map(|x| x.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![91, 92, 93]);
    let n: u64 = std::env::var("MT_QUALITY_TRANSFERS").ok().and_then(|s| s.parse().ok()).unwrap_or(100_000);
    for seed in seeds {
        let dir = tempfile::tempdir().expect("temp dir");
        let t = Instant::now();
        generate(&GenConfig { seed, transfers: n, ..GenConfig::default() }, dir.path()).expect("generate");
        let case = load_case(dir.path(), &LoadOptions::default()).expect("generated case loads").case;
        let found = run(&case);
        let truth = eval::read_truth(&dir.path().join("truth/patterns.csv"), &case).expect("truth");
        println!("generated seed {seed}: {n} transfers, {} findings ({:.1} s)", found.len(), t.elapsed().as_secs_f64());
        rows.extend(pattern_rows(&format!("generated seed {seed}"), &found, &truth));
    }
}

fn main() {
    let mut rows = Vec::new();
    ibm(&mut rows);
    amlsim(&mut rows);
    generated(&mut rows);
    let f = |x: f64| if x.is_nan() { String::new() } else { format!("{x:.3}") };
    println!();
    println!("| data | typology | truth | findings | recall | acct_r | R@2k | P@k | P@2k | AP |");
    println!("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for r in &rows {
        println!(
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            r.data,
            r.typology,
            if r.truth == 0 { String::new() } else { r.truth.to_string() },
            r.findings,
            f(r.recall),
            f(r.acct),
            f(r.r2k),
            f(r.pk),
            f(r.p2k),
            f(r.ap)
        );
    }
}
