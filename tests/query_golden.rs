//! Golden tests of the query library: every `queries/**/*.cypher` file runs on a fixed generated
//! case (seed 1, 20,000 transfers) and its CSV output must equal the checked-in file under
//! `tests/golden/generated/`. The FinBench TCR queries also run on the LDBC FinBench sf0.01
//! snapshot with the first parameter row of each `read_params` file (skipped when the dataset is
//! absent). Set `UPDATE_GOLDEN=1` to rewrite the expected files after a reviewed change.

use moneytrail::generate::{generate, GenConfig};
use moneytrail::graph::CaseGraph;
use moneytrail::ingest::{load_case, LoadOptions};
use moneytrail::model::Case;
use moneytrail::query::{self, format::Format, Budget, Value};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn query_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(query_files(&p));
        } else if p.extension().is_some_and(|x| x == "cypher") {
            out.push(p);
        }
    }
    out.sort();
    out
}

fn run_csv(case: &Case, graph: &CaseGraph, text: &str, params: HashMap<String, Value>) -> String {
    let q = query::prepare(text, case, &params).unwrap_or_else(|e| panic!("{}", e.render(text)));
    let r =
        query::execute(&q, case, graph, params, &Budget::default()).unwrap_or_else(|e| panic!("{}", e.render(text)));
    let mut buf = Vec::new();
    query::format::write(case, &r, Format::Csv, &mut buf).unwrap();
    String::from_utf8(buf).unwrap()
}

/// Compares `got` with the golden file, or rewrites it under UPDATE_GOLDEN=1. Returns a
/// description of the mismatch, if any.
fn check(golden: &Path, got: &str) -> Option<String> {
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(golden.parent().unwrap()).unwrap();
        std::fs::write(golden, got).unwrap();
        return None;
    }
    let want = std::fs::read_to_string(golden).unwrap_or_default();
    if want == got {
        return None;
    }
    let (w, g): (Vec<&str>, Vec<&str>) = (want.lines().collect(), got.lines().collect());
    let first = (0..w.len().max(g.len())).find(|&i| w.get(i) != g.get(i)).unwrap_or(0);
    Some(format!(
        "{}: differs at line {} (want {} lines, got {})\n  want: {:?}\n  got:  {:?}",
        golden.display(),
        first + 1,
        w.len(),
        g.len(),
        w.get(first),
        g.get(first)
    ))
}

#[test]
fn every_query_file_matches_its_golden_output_on_the_generated_case() {
    let tmp = tempfile::tempdir().unwrap();
    generate(&GenConfig { seed: 1, transfers: 20_000, ..GenConfig::default() }, tmp.path()).unwrap();
    let loaded = load_case(tmp.path(), &LoadOptions::default()).unwrap();
    let case = &loaded.case;
    let graph = CaseGraph::build(case);
    let params_toml: toml::Table =
        std::fs::read_to_string(root().join("tests/golden/params.toml")).unwrap().parse().unwrap();
    let files = query_files(&root().join("queries"));
    assert!(files.len() >= 15, "expected the query library, found {} files", files.len());
    let mut failures = Vec::new();
    for f in &files {
        let stem = f.file_stem().unwrap().to_string_lossy().to_string();
        let text = std::fs::read_to_string(f).unwrap();
        let mut params = HashMap::new();
        if let Some(t) = params_toml.get(&stem).and_then(|v| v.as_table()) {
            for (k, v) in t {
                params.insert(k.clone(), query::param_value(v.as_str().unwrap()));
            }
        }
        let got = run_csv(case, &graph, &text, params);
        if let Some(m) = check(&root().join("tests/golden/generated").join(format!("{stem}.csv")), &got) {
            failures.push(m);
        }
    }
    assert!(
        failures.is_empty(),
        "{} golden mismatches (UPDATE_GOLDEN=1 to accept):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// First parameter row of a FinBench read_params file, by column position.
fn finbench_params(dir: &Path, tcr: u32) -> Vec<String> {
    let text = std::fs::read_to_string(dir.join(format!("read_params/complex_{tcr}_param.csv"))).unwrap();
    let row = text
        .lines()
        .find(|l| l.split('|').next().is_some_and(|c| !c.is_empty() && c.chars().all(|x| x.is_ascii_digit())))
        .unwrap();
    row.split('|').map(str::to_string).collect()
}

#[test]
fn finbench_tcr_queries_run_on_the_sf001_snapshot_with_published_parameters() {
    let fb = root().join("../shared/datasets/external/finbench/sf0.01");
    if !fb.join("snapshot").is_dir() {
        eprintln!("FinBench sf0.01 not found at {}: skipped", fb.display());
        return;
    }
    let opts = LoadOptions { mapping: Some(root().join("datasets/mappings/finbench.toml")) };
    let loaded = load_case(&fb.join("snapshot"), &opts).unwrap();
    let case = &loaded.case;
    let graph = CaseGraph::build(case);
    // (file stem, TCR number, parameter names by read_params column; "" = column not used).
    let table: &[(&str, u32, &[&str])] = &[
        ("tcr1_blocked_medium_accounts", 1, &["id", "startTime", "endTime"]),
        ("tcr2_fund_gathered", 2, &["id", "startTime", "endTime"]),
        ("tcr3_shortest_transfer_path", 3, &["id1", "id2", "startTime", "endTime"]),
        ("tcr4_three_account_cycle", 4, &["id1", "id2", "startTime", "endTime"]),
        ("tcr5_exact_transfer_trace", 5, &["id", "startTime", "endTime"]),
        ("tcr7_transfer_in_out_ratio", 7, &["id", "threshold", "startTime", "endTime"]),
        ("tcr10_investor_similarity", 10, &["pid1", "pid2", "startTime", "endTime"]),
        ("tcr12_transfer_to_company", 12, &["id", "startTime", "endTime"]),
    ];
    let mut failures = Vec::new();
    for (stem, tcr, names) in table {
        let text = std::fs::read_to_string(root().join(format!("queries/finbench/{stem}.cypher"))).unwrap();
        let values = finbench_params(&fb, *tcr);
        let params: HashMap<String, Value> = names
            .iter()
            .zip(&values)
            .filter(|(n, _)| !n.is_empty())
            .map(|(n, v)| (n.to_string(), query::param_value(v)))
            .collect();
        let got = run_csv(case, &graph, &text, params);
        if let Some(m) = check(&root().join("tests/golden/finbench_sf0.01").join(format!("{stem}.csv")), &got) {
            failures.push(m);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
