//! Issue 14, "Unbounded memory" (Deliver 6): `detect` and `investigate` have the query's row,
//! memory and time budgets, and stop with a message naming the detector and the hub; query
//! expressions count string bytes and check the time inside long row loops. Small hub cases and
//! small budgets, so that each test runs in about a second; the 2M-transfer figure is in
//! benches/hub_budget.rs.

use moneytrail::graph::CaseGraph;
use moneytrail::ingest::{load_case, LoadOptions};
use moneytrail::patterns::{self, Budget as DetectBudget, PatternError, RunOptions};
use moneytrail::query::{self, Budget};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

/// A case of `n` transfers 15 s apart between three accounts H1..H3, amounts alike, so that
/// every onward transfer is a pass-through and cycle candidate: each account is a hub.
fn hub_case(dir: &Path, n: usize) -> PathBuf {
    let case = dir.join("hub");
    std::fs::create_dir_all(&case).unwrap();
    std::fs::write(
        case.join("case.toml"),
        "name = \"hub\"\nbase_currency = \"ALL\"\nvaluation_date = \"2024-12-31\"\n",
    )
    .unwrap();
    std::fs::write(
        case.join("accounts.csv"),
        "account_id,iban,bank,holder_id,opened_on,closed_on,currency\nH1,,BKT,,2020-01-01,,ALL\nH2,,BKT,,2020-01-01,,ALL\nH3,,BKT,,2020-01-01,,ALL\n",
    )
    .unwrap();
    let mut t =
        String::from("txn_id,booked_at,from_account,to_account,amount,currency,channel,reference,branch_city\n");
    for i in 0..n {
        let from = i % 3;
        let to = (from + 1 + (i / 3) % 2) % 3;
        let secs = 15 * i;
        t.push_str(&format!(
            "T{i},2023-01-{:02} {:02}:{:02}:{:02},H{},H{},{}.00,ALL,wire,,\n",
            1 + secs / 86_400,
            secs / 3600 % 24,
            secs / 60 % 60,
            secs % 60,
            from + 1,
            to + 1,
            1000 + i % 40
        ));
    }
    std::fs::write(case.join("transfers.csv"), t).unwrap();
    case
}

fn run(args: &[&std::ffi::OsStr]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_moneytrail")).args(args).output().unwrap()
}

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

fn detect_with(case: &Path, typologies: &[&str], budget: DetectBudget) -> Result<usize, PatternError> {
    let l = load_case(case, &LoadOptions::default()).unwrap();
    let g = CaseGraph::build(&l.case);
    let opts = RunOptions { budget, ..RunOptions::parse(Some(typologies), &[]).unwrap() };
    patterns::run(&l.case, &g, &opts).map(|f| f.len())
}

fn small_rows(n: u64) -> DetectBudget {
    DetectBudget { max_rows: n, ..DetectBudget::default() }
}

#[test]
fn layering_chain_on_a_hub_stops_on_the_row_budget_naming_detector_and_hub() {
    let tmp = tempfile::tempdir().unwrap();
    let case = hub_case(tmp.path(), 3_000);
    let e = detect_with(&case, &["layering_chain"], small_rows(100_000)).unwrap_err();
    let m = e.to_string();
    assert!(matches!(e, PatternError::Budget(_)), "{m}");
    assert!(m.contains("detector layering_chain"), "{m}");
    assert!(m.contains("while searching account H"), "names the hub: {m}");
    assert!(m.contains("transfers in") && m.contains("more than 100000 candidate rows"), "{m}");
    assert!(m.contains("--max-rows"), "says what to change: {m}");
    // With room enough, the same case runs to the end.
    assert!(detect_with(&case, &["layering_chain"], DetectBudget::default()).is_ok());
}

#[test]
fn layering_chain_links_on_a_hub_stop_on_the_memory_budget() {
    let tmp = tempfile::tempdir().unwrap();
    let case = hub_case(tmp.path(), 3_000);
    let budget = DetectBudget { max_bytes: 1 << 20, ..DetectBudget::default() };
    let m = detect_with(&case, &["layering_chain"], budget).unwrap_err().to_string();
    assert!(m.contains("detector layering_chain") && m.contains("held more than 1 MiB"), "{m}");
    assert!(m.contains("--max-memory"), "{m}");
}

#[test]
fn cycle_and_scatter_gather_searches_on_a_hub_are_bounded() {
    let tmp = tempfile::tempdir().unwrap();
    let case = hub_case(tmp.path(), 3_000);
    for t in ["cycle", "scatter_gather"] {
        let m = detect_with(&case, &[t], small_rows(50_000)).unwrap_err().to_string();
        assert!(m.contains(&format!("detector {t} while searching account H")), "{t}: {m}");
    }
}

#[test]
fn detect_on_a_hub_stops_with_the_budget_message_from_the_command_line() {
    let tmp = tempfile::tempdir().unwrap();
    let case = hub_case(tmp.path(), 3_000);
    let out = tmp.path().join("f.csv");
    let o = run(&[
        "detect".as_ref(),
        case.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
        "--typology".as_ref(),
        "layering_chain".as_ref(),
        "--max-rows".as_ref(),
        "100000".as_ref(),
    ]);
    let m = text(&o);
    assert!(!o.status.success(), "{m}");
    assert!(m.contains("detection stopped: detector layering_chain while searching account H"), "{m}");
    assert!(!out.exists(), "no findings file from a stopped run");
    // The time budget: --timeout 0 stops at the first charge, whichever detector makes it.
    let o = run(&[
        "detect".as_ref(),
        case.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
        "--timeout".as_ref(),
        "0".as_ref(),
    ]);
    let m = text(&o);
    assert!(!o.status.success() && m.contains("ran longer than 0 s") && m.contains("--timeout"), "{m}");
}

#[test]
fn investigate_on_a_hub_stops_with_the_budget_message_and_leaves_no_bundle() {
    let tmp = tempfile::tempdir().unwrap();
    let case = hub_case(tmp.path(), 3_000);
    let out = tmp.path().join("bundle");
    let o = run(&[
        "investigate".as_ref(),
        case.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
        "--max-memory".as_ref(),
        "1".as_ref(),
    ]);
    let m = text(&o);
    assert!(!o.status.success(), "{m}");
    assert!(m.contains("detection stopped: detector ") && m.contains("held more than 1 MiB"), "{m}");
    assert!(!out.join("manifest.json").exists(), "no bundle from a stopped run");
}

fn mini() -> (moneytrail::model::Case, CaseGraph) {
    let l =
        load_case(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/mini"), &LoadOptions::default()).unwrap();
    let g = CaseGraph::build(&l.case);
    (l.case, g)
}

fn query_with(text: &str, budget: &Budget) -> Result<usize, query::QueryError> {
    let (case, g) = mini();
    let q = query::prepare(text, &case, &Default::default())?;
    query::execute(&q, &case, &g, Default::default(), budget).map(|r| r.rows.len())
}

/// A 1 MiB string (twenty doublings of one letter), then `rows` rows of `expr` over it.
fn long_string_rows(rows: u32, expr: &str) -> String {
    format!("WITH reduce(s = 'x', i IN range(1, 20) | s + s) AS s UNWIND range(1, {rows}) AS i RETURN {expr} AS v")
}

#[test]
fn rows_of_a_long_string_stop_on_the_memory_budget_not_the_oom_killer() {
    let budget = Budget { max_bytes: 16 << 20, ..Budget::default() };
    let e = query_with(&long_string_rows(200, "s + toString(i)"), &budget).unwrap_err();
    assert!(e.to_string().contains("more than 16 MiB of text") && e.to_string().contains("--max-memory"), "{e}");
    // Reading the long value row after row costs as much as building it: the result holds it.
    let e = query_with(&long_string_rows(200, "s"), &budget).unwrap_err();
    assert!(e.to_string().contains("more than 16 MiB of text"), "{e}");
    // Short strings are free, and a long one within the budget passes.
    assert_eq!(query_with(&long_string_rows(5, "substring(s, 0, 10)"), &budget).unwrap(), 5);
}

#[test]
fn a_per_row_size_of_a_long_string_honours_the_timeout() {
    // 100,000 rows of size() over 1 MiB: tens of seconds of work. The time budget is checked
    // on every row, so the query stops soon after its 1 s instead of running on.
    let budget = Budget { max_rows: u64::MAX, max_bytes: u64::MAX, max_time: Duration::from_secs(1) };
    let e = query_with(&long_string_rows(100_000, "size(s)"), &budget).unwrap_err();
    assert!(e.to_string().contains("longer than 1 s") && e.to_string().contains("--timeout"), "{e}");
}

#[test]
fn query_takes_max_memory_from_the_command_line() {
    let tmp = tempfile::tempdir().unwrap();
    let q = tmp.path().join("q.cypher");
    std::fs::write(&q, long_string_rows(200, "s + toString(i)")).unwrap();
    let case = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/mini");
    let o = run(&["query".as_ref(), case.as_os_str(), q.as_os_str(), "--max-memory".as_ref(), "8".as_ref()]);
    let m = text(&o);
    assert!(!o.status.success() && m.contains("more than 8 MiB of text"), "{m}");
}
