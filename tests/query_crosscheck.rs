//! Cross-checks: a query from queries/ and the native detector answer the same question with
//! the same set of transfers, on generated cases at three seeds.
//!
//! On this branch `patterns::registry()` has `fan_in` only; the cycle, scatter-gather and
//! mule-chain detectors are being written on another branch. `cycle` is cross-checked here as
//! soon as it appears in the registry (the test looks it up by name); until then it is skipped.
//! The native cycle detector filters further (moves between one holder's accounts, cycles
//! through the originator's companies, corroboration score), so for cycles the test asks that
//! every native transfer is found by the query, not the converse; the same holds for
//! scatter_gather and layering_chain (mule chains), also checked once they are registered, and
//! for a corroborated fan_in (one with a `min_score`, run with `min_score=0`). The plain fan_in
//! of this branch must flag exactly the query's transfers.

use moneytrail::generate::{generate, GenConfig};
use moneytrail::graph::CaseGraph;
use moneytrail::ingest::{load_case, LoadOptions};
use moneytrail::model::Case;
use moneytrail::patterns::{self, RunOptions};
use moneytrail::query::{self, Budget, Value};
use std::collections::{BTreeSet, HashMap};

fn load(seed: u64, n: u64) -> (tempfile::TempDir, Case) {
    let tmp = tempfile::tempdir().unwrap();
    generate(&GenConfig { seed, transfers: n, ..GenConfig::default() }, tmp.path()).unwrap();
    let case = load_case(tmp.path(), &LoadOptions::default()).unwrap().case;
    (tmp, case)
}

/// Transfer ids in column `col` (a list of ids) over all rows of the query file.
fn query_txns(case: &Case, g: &CaseGraph, file: &str, col: &str) -> BTreeSet<String> {
    let text = std::fs::read_to_string(format!("{}/queries/{file}", env!("CARGO_MANIFEST_DIR"))).unwrap();
    let q = query::prepare(&text, case, &HashMap::new()).unwrap_or_else(|e| panic!("{}", e.render(&text)));
    let r = query::execute(&q, case, g, HashMap::new(), &Budget::default()).unwrap();
    let c = r.columns.iter().position(|x| x == col).unwrap();
    let mut out = BTreeSet::new();
    for row in &r.rows {
        if let Value::List(l) = &row[c] {
            for v in l.iter() {
                out.insert(v.render(case));
            }
        }
    }
    out
}

/// Native findings' transfers. Detectors that drop weakly corroborated findings (`min_score`)
/// are run with `min_score=0`: the query asks the core question, without corroboration.
fn native_txns(case: &Case, g: &CaseGraph, typology: &str, core: bool) -> BTreeSet<String> {
    let mut params = Vec::new();
    if core && corroborated(typology) {
        params.push(format!("{typology}.min_score=0"));
    }
    if core {
        params.extend(query_shape(typology).iter().map(|p| p.to_string()));
    }
    let opts = RunOptions::parse(Some(&[typology.to_string()]), &params).unwrap();
    let found = patterns::run(case, g, &opts).unwrap();
    found.iter().flat_map(|f| f.txns.iter().map(|&t| case.transfers.txn_id.get(t.ix()).to_string())).collect()
}

/// The native parameters that ask the library query's question: the detectors' defaults are
/// wider since they rank every candidate (fans from 2 counterparts, hop amounts within 20 %
/// either way; issue 21), the queries keep the narrower shapes they document.
fn query_shape(typology: &str) -> &'static [&'static str] {
    match typology {
        "fan_in" => &["fan_in.min_senders=5"],
        "cycle" => &["cycle.max_retention=1"],
        "scatter_gather" => &["scatter_gather.max_retention=1"],
        _ => &[],
    }
}

/// True when the native detector adds corroboration filters beyond the core pattern (it then
/// has a `min_score` parameter, and other filters the query does not ask for).
fn corroborated(typology: &str) -> bool {
    patterns::registry()
        .into_iter()
        .find(|d| d.name() == typology)
        .is_some_and(|d| d.params().describe().iter().any(|p| p.key == "min_score"))
}

/// `exact`: the query and the detector must flag the same transfers; otherwise (or when the
/// detector is a corroborated one) every transfer the detector flags must be flagged by the query.
fn compare(typology: &str, file: &str, col: &str, exact: bool) {
    // A fan-in's steady flow is narrowed to its busiest window and a gather-scatter's episode
    // is left to that detector: the native fan-in flags a subset of the query's transfers.
    let exact = exact && !corroborated(typology) && typology != "fan_in";
    if !patterns::registry().iter().any(|d| d.name() == typology) {
        eprintln!("native '{typology}' detector not in this branch's registry: cross-check skipped");
        return;
    }
    for seed in [1, 2, 3] {
        let (_tmp, case) = load(seed, 20_000);
        let g = CaseGraph::build(&case);
        let native = native_txns(&case, &g, typology, true);
        let query = query_txns(&case, &g, file, col);
        assert!(!native.is_empty(), "seed {seed}: native {typology} found nothing; the check would be vacuous");
        let only_native: Vec<_> = native.difference(&query).take(10).collect();
        let only_query: Vec<_> = query.difference(&native).take(10).collect();
        assert!(
            only_native.is_empty() && (only_query.is_empty() || !exact),
            "seed {seed} {typology}: {} transfers native only (first {:?}), {} query only (first {:?})",
            native.difference(&query).count(),
            only_native,
            query.difference(&native).count(),
            only_query
        );
    }
}

#[test]
fn fan_in_query_and_native_detector_flag_the_same_transfers() {
    compare("fan_in", "fan_in.cypher", "txn_ids", true);
}

#[test]
fn cycle_query_and_native_detector_flag_the_same_transfers() {
    compare("cycle", "cycle.cypher", "transfers", false);
}

#[test]
fn detect_procedure_returns_the_native_findings_as_rows() {
    let (_tmp, case) = load(1, 5_000);
    let g = CaseGraph::build(&case);
    let text = "CALL detect('fan_in') YIELD finding_id, transfers UNWIND transfers AS t RETURN DISTINCT t.id AS id";
    let q = query::prepare(text, &case, &HashMap::new()).unwrap();
    let r = query::execute(&q, &case, &g, HashMap::new(), &Budget::default()).unwrap();
    let via_call: BTreeSet<String> = r.rows.iter().map(|row| row[0].render(&case)).collect();
    assert_eq!(via_call, native_txns(&case, &g, "fan_in", false));
}

#[test]
fn scatter_gather_query_covers_the_native_detector() {
    compare("scatter_gather", "scatter_gather.cypher", "transfers", false);
}

#[test]
fn mule_chain_query_covers_the_native_layering_chain_detector() {
    compare("layering_chain", "mule_chains.cypher", "transfers", false);
}
