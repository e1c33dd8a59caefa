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

/// First column of every data row of a generated case file.
fn first_column(dir: &Path, file: &str) -> Vec<String> {
    let text = std::fs::read_to_string(dir.join(file)).unwrap_or_default();
    text.lines().skip(1).filter_map(|l| l.split(',').next()).map(str::to_string).collect()
}

/// Adds phones, e-mail addresses and devices to a generated case as labelled tables (the
/// generator does not make them): every person has a phone of their own; the first suspect
/// (the controller) shares one with every victim; the victims' accounts give the controller's
/// e-mail address; the second suspect's accounts and the first victim's log in from one
/// device; two unrelated persons share a family landline.
fn add_identifiers(dir: &Path) {
    let persons = first_column(dir, "persons.csv");
    let suspects = first_column(dir, "suspects.csv");
    let victims = first_column(dir, "victims.csv");
    let accounts: Vec<(String, String)> = std::fs::read_to_string(dir.join("accounts.csv"))
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (f[0].to_string(), f.get(3).unwrap_or(&"").to_string())
        })
        .collect();
    let held_by = |who: &str| accounts.iter().filter(|(_, h)| h == who).map(|(a, _)| a.clone()).collect::<Vec<_>>();
    let mut phones = String::from("number,kind\n");
    let mut uses_phone = String::from("person_id,phone\n");
    for (i, p) in persons.iter().enumerate() {
        phones.push_str(&format!("+3556900{i:05},mobile\n"));
        uses_phone.push_str(&format!("{p},+3556900{i:05}\n"));
    }
    phones.push_str("+355699990001,mobile\n+35542000001,landline\n");
    for p in suspects.iter().take(1).chain(&victims) {
        uses_phone.push_str(&format!("{p},+355699990001\n"));
    }
    for p in persons.iter().take(2) {
        uses_phone.push_str(&format!("{p},+35542000001\n"));
    }
    let emails = String::from("address\nboss@posta.al\n");
    let mut uses_email = String::from("account_id,email\n");
    for p in suspects.iter().take(1).chain(&victims) {
        for a in held_by(p) {
            uses_email.push_str(&format!("{a},boss@posta.al\n"));
        }
    }
    let devices = "device_id,model\nIMEI-356938035643809,Samsung A12\n";
    let mut uses_device = String::from("account_id,device,first_login\n");
    for p in suspects.iter().skip(1).take(1).chain(victims.iter().take(1)) {
        for a in held_by(p) {
            uses_device.push_str(&format!("{a},IMEI-356938035643809,2024-05-01 10:00:00\n"));
        }
    }
    for (f, t) in [
        ("phones.csv", phones),
        ("person_phones.csv", uses_phone),
        ("emails.csv", emails),
        ("account_emails.csv", uses_email),
        ("devices.csv", devices.to_string()),
        ("account_devices.csv", uses_device),
    ] {
        std::fs::write(dir.join(f), t).unwrap();
    }
    let mut toml = std::fs::read_to_string(dir.join("case.toml")).unwrap();
    toml.push_str(
        r#"
[[labels.nodes]]
label = "Phone"
file = "phones.csv"
id = "number"

[[labels.nodes]]
label = "Email"
file = "emails.csv"
id = "address"

[[labels.nodes]]
label = "Device"
file = "devices.csv"
id = "device_id"

[[labels.edges]]
type = "USES"
file = "person_phones.csv"
from = { label = "Person", column = "person_id" }
to = { label = "Phone", column = "phone" }

[[labels.edges]]
type = "USES"
file = "account_emails.csv"
from = { label = "Account", column = "account_id" }
to = { label = "Email", column = "email" }

[[labels.edges]]
type = "USES"
file = "account_devices.csv"
from = { label = "Account", column = "account_id" }
to = { label = "Device", column = "device" }
types = { first_login = "datetime" }
"#,
    );
    std::fs::write(dir.join("case.toml"), toml).unwrap();
}

/// FinBench TCRs over FinBench-only labelled tables (media, loans, withdrawals, guarantees):
/// they run on the sf0.01 snapshot below, not on the generated case, which has no such tables.
const FINBENCH_ONLY: &[&str] = &[
    "tcr1_blocked_medium_accounts",
    "tcr2_fund_gathered",
    "tcr6_withdrawal_after_many_to_one",
    "tcr8_transfer_trace_after_loan",
    "tcr9_loan_laundering",
    "tcr11_guarantee_chain",
];

#[test]
fn every_query_file_matches_its_golden_output_on_the_generated_case() {
    let tmp = tempfile::tempdir().unwrap();
    generate(&GenConfig { seed: 1, transfers: 20_000, ..GenConfig::default() }, tmp.path()).unwrap();
    add_identifiers(tmp.path());
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
        if FINBENCH_ONLY.contains(&stem.as_str()) {
            continue;
        }
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

/// Parameter row `n` (0-based, data rows only) of a FinBench read_params file, by column position.
fn finbench_params(dir: &Path, tcr: u32, n: usize) -> Vec<String> {
    let text = std::fs::read_to_string(dir.join(format!("read_params/complex_{tcr}_param.csv"))).unwrap();
    let row = text
        .lines()
        .filter(|l| l.split('|').next().is_some_and(|c| !c.is_empty() && c.chars().all(|x| x.is_ascii_digit())))
        .nth(n)
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
    // (file stem, TCR number, parameter row, parameter names by read_params column; "" =
    // column not used). The row is the first one, except where the first row matches nothing
    // (TCR 1, 2, 6 and 9), so the golden output shows the query at work.
    let table: &[(&str, u32, usize, &[&str])] = &[
        ("tcr1_blocked_medium_accounts", 1, 1, &["id", "startTime", "endTime"]),
        ("tcr2_fund_gathered", 2, 1, &["id", "startTime", "endTime"]),
        ("tcr3_shortest_transfer_path", 3, 0, &["id1", "id2", "startTime", "endTime"]),
        ("tcr4_three_account_cycle", 4, 0, &["id1", "id2", "startTime", "endTime"]),
        ("tcr5_exact_transfer_trace", 5, 0, &["id", "startTime", "endTime"]),
        ("tcr6_withdrawal_after_many_to_one", 6, 3, &["id", "threshold1", "threshold2", "startTime", "endTime"]),
        ("tcr7_transfer_in_out_ratio", 7, 0, &["id", "threshold", "startTime", "endTime"]),
        ("tcr8_transfer_trace_after_loan", 8, 0, &["id", "threshold", "startTime", "endTime"]),
        ("tcr9_loan_laundering", 9, 1, &["id", "threshold", "startTime", "endTime"]),
        ("tcr10_investor_similarity", 10, 0, &["pid1", "pid2", "startTime", "endTime"]),
        ("tcr11_guarantee_chain", 11, 0, &["id", "startTime", "endTime"]),
        ("tcr12_transfer_to_company", 12, 0, &["id", "startTime", "endTime"]),
    ];
    let mut failures = Vec::new();
    for (stem, tcr, row, names) in table {
        let text = std::fs::read_to_string(root().join(format!("queries/finbench/{stem}.cypher"))).unwrap();
        let values = finbench_params(&fb, *tcr, *row);
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
