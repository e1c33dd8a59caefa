//! What the fuzz targets run, shared by the `cargo fuzz` targets (fuzz/fuzz_targets/*.rs) and by
//! tests/fuzz_corpus.rs, which replays every file of tests/fuzz-corpus/ through the same code
//! as an ordinary test. Each function must return normally for every input: an `Err` from the
//! library is a fine answer to bad input; a panic, a hang, or counts that do not reconcile are
//! bugs.

#![allow(dead_code)]

use moneytrail::graph::CaseGraph;
use moneytrail::ingest::{load_case, LoadOptions, Loaded};
use moneytrail::model::Case;
use moneytrail::query::{self, Budget};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

/// The repository root (this file is compiled from the repository and from fuzz/).
pub fn repo_root() -> PathBuf {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    if here.join("tests/fixtures/mini").is_dir() {
        here.to_path_buf()
    } else {
        here.parent().unwrap_or(here).to_path_buf()
    }
}

/// Checks what every successful load must satisfy.
fn check_loaded(l: &Loaded) {
    assert!(l.report.reconciles(), "counts do not reconcile: {:?}", l.report.tables);
    for t in &l.report.tables {
        let rejects = l.report.rejects.iter().filter(|r| r.table == t.table).count() as u64;
        assert_eq!(rejects, t.rejected, "table {}: reject lines disagree with the count", t.table);
    }
}

/// Scratch folders live in RAM when the machine has /dev/shm.
fn scratch() -> tempfile::TempDir {
    let shm = Path::new("/dev/shm");
    let made = if shm.is_dir() { tempfile::tempdir_in(shm) } else { tempfile::tempdir() };
    match made {
        Ok(d) => d,
        Err(_) => tempfile::tempdir().unwrap_or_else(|e| panic!("no temp dir: {e}")),
    }
}

fn write(dir: &Path, name: &str, bytes: &[u8]) {
    std::fs::write(dir.join(name), bytes).unwrap_or_else(|e| panic!("write {name}: {e}"));
}

const ACCOUNTS: &str = "account_id,iban,bank,holder_id,opened_on,closed_on,currency\n\
A1,AL47212110090000000235698741,BKT,P1,2018-01-01,,ALL\n\
A2,AL35202111090000000001234567,BKT,P2,2019-05-01,,ALL\n\
A3,,Raiffeisen,,2015-03-01,,EUR\n";
const FX: &str = "date,currency,rate\n2023-01-02,EUR,115.20\n2024-12-31,EUR,98.40\n";
/// Fixed tables are read with their own settings, whatever `[read]` says for the fuzzed ones.
const FIXED_TABLES: &str = r#"
[[tables.accounts]]
file = "accounts.csv"
read = { delimiter = ",", encoding = "utf-8", has_header = true, decimal_comma = false }
[[tables.fx_rates]]
file = "fx_rates.csv"
read = { delimiter = ",", encoding = "utf-8", has_header = true, decimal_comma = false, thousands_separator = "" }
"#;

/// `ingest_csv`: byte 0 chooses the `[read]` options (delimiter, decimal comma, encoding,
/// thousands separator), byte 1 the mapping variant, byte 2 where the rest is split into
/// transfers.csv and persons.csv. The case folder also holds fixed accounts and FX rates.
pub fn ingest_csv(_root: &Path, data: &[u8]) {
    if data.len() < 3 {
        return;
    }
    let (b0, b1, b2) = (data[0], data[1], data[2]);
    let rest = &data[3..];
    let split = rest.len() * b2 as usize / 255;
    let (transfers, persons) = rest.split_at(split);

    let delimiter = [",", ";", "\\t", "|"][(b0 & 3) as usize];
    let mut read = format!("delimiter = \"{delimiter}\"\n");
    if b0 & 4 != 0 {
        read.push_str("decimal_comma = true\n");
    }
    match (b0 >> 3) & 3 {
        1 => read.push_str("encoding = \"utf-8\"\n"),
        2 => read.push_str("encoding = \"windows-1250\"\n"),
        3 => read.push_str("encoding = \"utf-16le\"\n"),
        _ => {}
    }
    match (b0 >> 5) & 3 {
        1 => read.push_str("thousands_separator = \".\"\n"),
        2 => read.push_str("thousands_separator = \" \"\n"),
        3 => read.push_str("thousands_separator = \"'\"\n"),
        _ => {}
    }
    if b0 & 0x80 != 0 {
        read.push_str("date_format = \"%d.%m.%Y\"\ndatetime_format = \"%d.%m.%Y %H:%M\"\n");
    }
    let mapping = match b1 & 3 {
        // The contract layout.
        0 => String::new(),
        // A bank export: no ids, a renamed amount, a fixed channel, dates with their own format.
        1 => r#"
[[tables.transfers]]
file = "transfers.csv"
columns = { txn_id = { row_number = true, prefix = "T" }, amount = "value", channel = { value = "wire" }, booked_at = { column = "date", format = "%d.%m.%Y %H:%M" } }
[[tables.persons]]
file = "persons.csv"
columns = { person_id = { column = "id", prefix = "P" }, full_name = "name" }
"#
        .to_string(),
        // No header: columns by position, a fixed currency, Unix times.
        2 => r#"
[[tables.transfers]]
file = "transfers.csv"
read = { has_header = false, currency = "EUR" }
columns = { txn_id = "column_1", booked_at = { column = "column_2", format = "unix_seconds" }, from_account = "column_3", to_account = "column_4", amount = "column_5" }
[[tables.persons]]
file = "persons.csv"
read = { has_header = false }
columns = { person_id = "column_1", full_name = "column_2", birth_date = { column = "column_3", format = "days_since:1900-01-01" } }
"#
        .to_string(),
        // Day numbers and milliseconds.
        _ => r#"
[[tables.transfers]]
file = "transfers.csv"
columns = { booked_at = { column = "booked_at", format = "unix_millis" }, reference = { value = "fuzz" } }
[[tables.persons]]
file = "persons.csv"
columns = { birth_date = { column = "birth_date", format = "days_since:2000-02-29" } }
"#
        .to_string(),
    };
    let toml = format!(
        "name = \"fuzz\"\nbase_currency = \"ALL\"\nvaluation_date = \"2024-12-31\"\n{FIXED_TABLES}{mapping}\n[read]\n{read}"
    );
    let dir = scratch();
    write(dir.path(), "case.toml", toml.as_bytes());
    write(dir.path(), "accounts.csv", ACCOUNTS.as_bytes());
    write(dir.path(), "fx_rates.csv", FX.as_bytes());
    write(dir.path(), "transfers.csv", transfers);
    write(dir.path(), "persons.csv", persons);
    match load_case(dir.path(), &LoadOptions::default()) {
        Ok(l) => check_loaded(&l),
        Err(e) => {
            // Errors must say something.
            assert!(!e.to_string().is_empty());
        }
    }
}

/// `case_toml`: arbitrary text as the settings of the hand-written mini case (read in place
/// through `--mapping`, so the fixture is never written to).
pub fn case_toml(root: &Path, data: &[u8]) {
    let dir = scratch();
    let settings = dir.path().join("case.toml");
    write(dir.path(), "case.toml", data);
    let fixture = root.join("tests/fixtures/mini");
    match load_case(&fixture, &LoadOptions { mapping: Some(settings) }) {
        Ok(l) => check_loaded(&l),
        Err(e) => assert!(!e.to_string().is_empty()),
    }
}

struct QueryFixture {
    case: Case,
    graph: CaseGraph,
}

fn query_fixture(root: &Path) -> &'static QueryFixture {
    static F: OnceLock<QueryFixture> = OnceLock::new();
    F.get_or_init(|| {
        let l = load_case(&root.join("tests/fixtures/mini"), &LoadOptions::default())
            .unwrap_or_else(|e| panic!("the mini fixture must load: {e}"));
        let graph = CaseGraph::build(&l.case);
        QueryFixture { case: l.case, graph }
    })
}

/// `query_parse`: arbitrary text through the parser and the planner (on the mini case, with
/// `$p` bound), then, when it plans, through the executor under a small budget. Every error must
/// render with its caret.
pub fn query_parse(root: &Path, data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let _ = query::check_syntax(text);
    let f = query_fixture(root);
    let params: HashMap<String, query::Value> = [
        ("p".to_string(), query::param_value("1")),
        ("s".to_string(), query::param_value("'A1'")),
        ("l".to_string(), query::param_value("[1, 2]")),
    ]
    .into_iter()
    .collect();
    let q = match query::prepare(text, &f.case, &params) {
        Ok(q) => q,
        Err(e) => {
            let _ = e.render(text);
            return;
        }
    };
    let _ = q.plan.to_string();
    let budget = Budget { max_rows: 20_000, max_bytes: 64 << 20, max_time: Duration::from_secs(2) };
    let started = std::time::Instant::now();
    match query::execute(&q, &f.case, &f.graph, params, &budget) {
        Ok(r) => {
            for row in &r.rows {
                for v in row {
                    let _ = v.render(&f.case);
                }
            }
        }
        Err(e) => {
            let _ = e.render(text);
        }
    }
    // The time budget must hold (with slack for a loaded machine).
    assert!(started.elapsed() < Duration::from_secs(10), "query ran {:?} past its 2 s budget", started.elapsed());
}

/// What every import must satisfy: every record and part accounted for, and the folder it wrote
/// loads (or fails with a message) without a panic, its counts reconciling.
fn check_import(out: &Path, s: &moneytrail::ingest::import::ImportSummary) {
    assert!(s.reconciles(), "import summary does not reconcile: {s:?}");
    match load_case(out, &LoadOptions::default()) {
        Ok(l) => check_loaded(&l),
        Err(e) => assert!(!e.to_string().is_empty()),
    }
}

/// `ftm_import`: arbitrary bytes as a FollowTheMoney JSON-lines file through `import-ftm`, then
/// the case it wrote through `load_case`.
pub fn ftm_import(_root: &Path, data: &[u8]) {
    use moneytrail::ingest::import::{ftm::import_ftm, ImportOptions};
    let dir = scratch();
    write(dir.path(), "entities.jsonl", data);
    let out = dir.path().join("case");
    match import_ftm(&dir.path().join("entities.jsonl"), &out, &ImportOptions::default()) {
        Ok(s) => check_import(&out, &s),
        Err(e) => assert!(!e.to_string().is_empty()),
    }
}

/// `bods_import`: arbitrary bytes as a BODS file (a JSON array or JSON lines of statements, any
/// schema version) through `import-bods`, then the case it wrote through `load_case`.
pub fn bods_import(_root: &Path, data: &[u8]) {
    use moneytrail::ingest::import::{bods::import_bods, ImportOptions};
    let dir = scratch();
    write(dir.path(), "statements.json", data);
    let out = dir.path().join("case");
    match import_bods(&dir.path().join("statements.json"), &out, &ImportOptions::default()) {
        Ok(s) => check_import(&out, &s),
        Err(e) => assert!(!e.to_string().is_empty()),
    }
}

/// `mapping_toml`: arbitrary text as the `--mapping` file over the CSV bank statement sample
/// (datasets/mappings/samples/al-statement-csv, read in place): the column language (renames,
/// `row_number`, `debit`/`credit`, `direction`, `when`/`matches` rules, constants), statement
/// settings (own account, opening balance, order), preambles, `header_contains` and footers.
pub fn mapping_toml(root: &Path, data: &[u8]) {
    let dir = scratch();
    let settings = dir.path().join("mapping.toml");
    write(dir.path(), "mapping.toml", data);
    let sample = root.join("datasets/mappings/samples/al-statement-csv");
    match load_case(&sample, &LoadOptions { mapping: Some(settings) }) {
        Ok(l) => check_loaded(&l),
        Err(e) => assert!(!e.to_string().is_empty()),
    }
}

/// `xlsx_statement`: arbitrary bytes as the Excel workbook of the XLSX statement layout
/// (datasets/mappings/al-statement-xlsx.toml: sheet by name, header found by its names, preamble
/// cells for the own account and opening balance, a footer, date and number cells).
pub fn xlsx_statement(root: &Path, data: &[u8]) {
    let dir = scratch();
    write(dir.path(), "ekstrakt-2024-03.xlsx", data);
    let mapping = root.join("datasets/mappings/al-statement-xlsx.toml");
    match load_case(dir.path(), &LoadOptions { mapping: Some(mapping) }) {
        Ok(l) => check_loaded(&l),
        Err(e) => assert!(!e.to_string().is_empty()),
    }
}

/// `statement_csv`: byte 0 picks one of the CSV statement layouts of datasets/mappings (even:
/// Windows-1250 with a labelled preamble, debit and credit columns, decimal comma and a totals
/// footer; odd: a D/K marker column, UTC times, newest first), the rest is the statement file.
/// The balance check, counterparty accounts and holders created from the statement, and time
/// zones all run on it.
pub fn statement_csv(root: &Path, data: &[u8]) {
    let Some((&pick, rest)) = data.split_first() else { return };
    let (toml, file) = if pick & 1 == 0 {
        ("al-statement-csv.toml", "statement-2024-03.csv")
    } else {
        ("al-statement-signed-utc.toml", "levizjet.csv")
    };
    let dir = scratch();
    write(dir.path(), file, rest);
    let fx = std::fs::read(root.join("datasets/mappings/samples/al-statement-csv/fx_rates.csv")).unwrap_or_default();
    write(dir.path(), "fx_rates.csv", &fx);
    let mapping = root.join("datasets/mappings").join(toml);
    match load_case(dir.path(), &LoadOptions { mapping: Some(mapping) }) {
        Ok(l) => check_loaded(&l),
        Err(e) => assert!(!e.to_string().is_empty()),
    }
}
