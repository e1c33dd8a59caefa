//! The detectors on the IBM AML HI-Small pattern file (third-party labelled data, issue 3; see
//! docs/evaluation.md): the import reconciles with ingest (every row loaded or rejected with its
//! reason) and each typology keeps the recall measured when this test was written, with the
//! default parameters (context-aware thresholds, `patterns::context`) and with the analyst
//! overrides of docs/evaluation.md. Skipped, with a message, when the external data is absent.

use moneytrail::graph::CaseGraph;
use moneytrail::ingest::ibm::{import, ImportOptions};
use moneytrail::ingest::{load_case, LoadOptions};
use moneytrail::model::Case;
use moneytrail::patterns::{self, eval, Finding, RunOptions};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn data() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/datasets/external/ibm-aml-hi-small");
    if dir.join("laundering_patterns_normalized.json").exists() && dir.join("transactions_sample.csv").exists() {
        Some(dir)
    } else {
        println!("skipped: {} is absent", dir.display());
        None
    }
}

const TYPOLOGIES: [&str; 8] =
    ["bipartite", "cycle", "fan_in", "fan_out", "gather_scatter", "layering_chain", "random", "scatter_gather"];

/// The detectors that have an IBM family.
const DETECTED: [&str; 6] = ["fan_in", "fan_out", "gather_scatter", "scatter_gather", "cycle", "layering_chain"];

/// Run A of docs/evaluation.md: the data set has no holders, cash, opening dates, addresses or
/// IBANs, so no corroborating indicator can fire; only the report threshold is lowered.
fn analyst_a() -> Vec<String> {
    DETECTED.iter().map(|t| format!("{t}.min_score=0")).collect()
}

/// Run B: run A plus structural thresholds taken from IBM's published pattern definitions.
fn analyst_b() -> Vec<String> {
    let mut p = analyst_a();
    p.extend(
        [
            "fan_in.min_senders=2",
            "fan_out.min_receivers=2",
            "gather_scatter.min_senders=2",
            "gather_scatter.min_receivers=2",
            "gather_scatter.forward_days=4",
            "layering_chain.min_hops=2",
            "layering_chain.max_gap_hours=72",
        ]
        .map(String::from),
    );
    p
}

/// Share of the loaded transfers of each typology's truth patterns that lie in some finding of
/// that typology (transaction-level recall; partial patterns count in part).
fn txn_recall(truth: &[eval::TruthPattern], found: &[Finding]) -> BTreeMap<String, f64> {
    let mut out = BTreeMap::new();
    for t in TYPOLOGIES {
        let want: BTreeSet<u32> =
            truth.iter().filter(|p| p.typology == t).flat_map(|p| p.txns.iter().copied()).collect();
        let got: BTreeSet<u32> =
            found.iter().filter(|f| f.typology == t).flat_map(|f| f.txns.iter().copied()).collect();
        out.insert(t.to_string(), want.intersection(&got).count() as f64 / want.len().max(1) as f64);
    }
    out
}

fn measure(case: &Case, truth: &[eval::TruthPattern], params: Vec<String>, label: &str) -> eval::Evaluation {
    let graph = CaseGraph::build(case);
    let opts = RunOptions { threads: 1, ..RunOptions::parse(None, &params).unwrap() };
    let found = patterns::run(case, &graph, &opts).unwrap();
    let ev = eval::evaluate(&found, truth, 0.8);
    let tr = txn_recall(truth, &found);
    println!("{label}: {} findings", found.len());
    println!(
        "{:<16} {:>8} {:>6} {:>8} {:>8} {:>7} {:>7} {:>9} {:>10}",
        "typology", "patterns", "found", "findings", "correct", "recall", "loaded", "recall|ld", "txn recall"
    );
    for (t, s) in &ev.per_typology {
        // Attempts with at least one loaded transfer: the others cannot be found by any detector.
        let with: Vec<&eval::TruthPattern> = truth.iter().filter(|p| &p.typology == t && !p.txns.is_empty()).collect();
        let hit = with.iter().filter(|p| found.iter().any(|f| eval::matches(p, f, 0.8))).count();
        println!(
            "{t:<16} {:>8} {:>6} {:>8} {:>8} {:>7.3} {:>7} {:>9.3} {:>10.3}",
            s.patterns,
            s.found,
            s.findings,
            s.correct,
            s.recall(),
            with.len(),
            hit as f64 / with.len().max(1) as f64,
            tr.get(t).copied().unwrap_or(0.0)
        );
    }
    ev
}

fn recall(ev: &eval::Evaluation, t: &str) -> f64 {
    ev.per_typology.get(t).map(|s| s.recall()).unwrap_or(0.0)
}

#[test]
fn ibm_hi_small_reconciles_and_keeps_its_recall() {
    let Some(src) = data() else { return };
    let dir = tempfile::tempdir().unwrap();
    let s = import(&src, dir.path(), &ImportOptions::default()).unwrap();
    assert_eq!((s.patterns, s.pattern_txns, s.benign_txns), (370, 3209, 1000));
    let fams: usize = s.families.values().map(|f| f.patterns).sum();
    assert_eq!(fams, 370);

    // Counts reconcile: every row read is loaded or rejected, and the rejects are exactly the
    // self-transfers and the rows in currencies without a rate derivable from the data.
    let loaded = load_case(dir.path(), &LoadOptions::default()).unwrap();
    let r = &loaded.report;
    assert!(r.reconciles());
    let tr = r.tables.iter().find(|t| t.table == "transfers").unwrap();
    assert_eq!(tr.read, 4209);
    assert_eq!(tr.read, tr.loaded + tr.rejected);
    assert_eq!(tr.loaded as usize, loaded.case.transfers.len());
    let mut reasons: BTreeMap<&str, usize> = BTreeMap::new();
    for i in r.rejects.iter().filter(|i| i.table == "transfers") {
        let key = if i.reason == "transfer from an account to itself" {
            "self-transfer"
        } else if i.reason.starts_with("no USD rate for ") {
            "missing rate"
        } else {
            "other"
        };
        *reasons.entry(key).or_default() += 1;
    }
    println!("transfers: read {}, loaded {}, rejected {} {reasons:?}", tr.read, tr.loaded, tr.rejected);
    println!("rates derived from the data: {}; missing: {:?}", s.rates.len(), s.missing_rates);
    assert_eq!(reasons.get("other"), None, "{:?}", r.rejects.iter().take(5).collect::<Vec<_>>());
    assert_eq!(reasons.get("self-transfer").copied().unwrap_or(0), s.self_transfers.0 + s.self_transfers.1);
    let missing: usize = s.missing_rates.values().map(|(a, b)| a + b).sum();
    assert_eq!(reasons.get("missing rate").copied().unwrap_or(0), missing);
    assert_eq!(tr.rejected as usize, s.expected_rejects());
    // As measured: no row pays in one currency and receives in another, so no rate can be
    // derived and only USD rows load (740 self-transfers, 2,020 non-USD laundering rows).
    assert_eq!((tr.loaded, tr.rejected), (1449, 2760));

    let case = &loaded.case;
    let truth = eval::read_truth(&dir.path().join("truth/patterns.csv"), case).unwrap();
    assert_eq!(truth.len(), 370);

    // Recall floors, a little below the figures measured (docs/evaluation.md), so they test
    // behaviour rather than exact tuning. With the defaults the threshold is applied to the
    // indicators this data can show (no holders, opening dates, addresses, IBANs, history);
    // IBM's fans carry no transfer evidence beyond their shape, so they stay unreported.
    let floors: [(&str, f64, f64, f64); 8] = [
        // typology, defaults, run A, run B
        ("fan_in", 0.0, 0.22, 0.30),
        ("fan_out", 0.0, 0.20, 0.47),
        ("cycle", 0.0, 0.018, 0.018),
        ("gather_scatter", 0.0, 0.0, 0.019),
        ("scatter_gather", 0.0, 0.0, 0.0),
        ("layering_chain", 0.0, 0.0, 0.0),
        ("random", 0.0, 0.0, 0.0),
        ("bipartite", 0.0, 0.0, 0.0),
    ];
    let d = measure(case, &truth, Vec::new(), "defaults");
    let a = measure(case, &truth, analyst_a(), "run A (min_score=0)");
    let b = measure(case, &truth, analyst_b(), "run B (run A + IBM-shaped thresholds)");
    for (t, fd, fa, fb) in floors {
        assert!(recall(&d, t) >= fd, "{t} defaults: {}", recall(&d, t));
        assert!(recall(&a, t) >= fa, "{t} run A: {}", recall(&a, t));
        assert!(recall(&b, t) >= fb, "{t} run B: {}", recall(&b, t));
    }
    // Not silent with defaults: findings with transfer evidence are reported, each one says
    // what could not be evaluated, and none rests on the bare pattern except a cycle with the
    // typology's signature, which says so (none among the loaded rows: the one fully loaded
    // cycle has two hops, the others lost hops to missing rates, docs/evaluation.md).
    let graph = CaseGraph::build(case);
    let found = patterns::run(case, &graph, &RunOptions { threads: 1, ..RunOptions::default() }).unwrap();
    assert!(found.len() >= 10, "{} default findings", found.len());
    for f in &found {
        let e = f.explanation();
        match f.structural {
            None => assert!(f.indicators.len() >= 2, "{}: {e}", f.id),
            Some(_) => {
                assert_eq!(f.typology, "cycle", "{}: {e}", f.id);
                assert!(e.contains("reported on structure and amount conservation alone"), "{e}");
            }
        }
        assert!(e.contains("not evaluable here: account holders"), "{e}");
    }
    let bare = found.iter().filter(|f| f.structural.is_some()).count();
    assert!(bare <= 2, "{bare} cycles reported on structure alone");
    let dc = patterns::DataContext::of(case);
    assert_eq!(
        dc.summary(),
        "not evaluable here: account holders, opening dates, addresses, branch cities, IBANs or remittances, \
         account history"
    );
    // No detector exists for RANDOM and BIPARTITE: recall 0 by construction.
    assert_eq!(recall(&b, "random"), 0.0);
    assert_eq!(recall(&b, "bipartite"), 0.0);

    // The attempts whose every transaction loads (12 fan-in, 1 fan-out, 1 cycle).
    let full = eval::read_truth(&dir.path().join("truth/patterns_loadable.csv"), case).unwrap();
    assert_eq!(full.len(), 14);
    let fa = measure(case, &full, analyst_a(), "run A, fully loadable attempts");
    assert!(recall(&fa, "fan_in") >= 0.75, "{}", recall(&fa, "fan_in"));
    assert!(recall(&fa, "cycle") >= 1.0);
}
