//! Parquet tables go through the same validation as CSV (needs `--features parquet`).
#![cfg(feature = "parquet")]

use moneytrail::ingest::{load_case, LoadOptions};
use polars::prelude::*;

#[test]
fn a_parquet_table_loads_with_row_numbers_and_rejects() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("case.toml"), "name = 'pq'\nbase_currency = 'ALL'\nvaluation_date = '2024-12-31'\n").unwrap();
    let mut df = df!(
        "person_id" => ["P1", "P2", "P1"],
        "full_name" => ["Arbën Hoxha", "Elira Çela", "Duplicate"],
        "birth_date" => ["1979-03-12", "31.02.1985", ""]
    )
    .unwrap();
    let f = std::fs::File::create(d.join("persons.parquet")).unwrap();
    ParquetWriter::new(f).finish(&mut df).unwrap();
    let l = load_case(d, &LoadOptions::default()).unwrap();
    assert!(l.report.reconciles());
    assert_eq!(l.case.persons.len(), 1, "{:?}", l.report.rejects);
    assert_eq!(l.case.persons.rows[0].full_name, "Arbën Hoxha");
    let lines: Vec<u64> = l.report.rejects.iter().map(|r| r.line).collect();
    assert_eq!(lines, vec![2, 3], "row numbers are 1-based: {:?}", l.report.rejects);
    assert_eq!(l.case.files[1].path, "persons.parquet");
}
