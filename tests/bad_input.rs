//! The table of bad inputs (issue "Hostile and broken input"): each entry loads a copy of the
//! mini fixture with one defect and checks the clear error, reject or warning it must produce,
//! and that the counts still reconcile.

use moneytrail::ingest::{load_case, IngestError, Issue, LoadOptions, Loaded};
use std::path::{Path, PathBuf};

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/mini")
}

/// A temp copy of the mini case with `edit` applied.
fn case_with(edit: impl FnOnce(&Path)) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for e in std::fs::read_dir(fixture()).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), dir.path().join(e.file_name())).unwrap();
    }
    edit(dir.path());
    dir
}

fn append_bytes(path: &Path, bytes: &[u8]) {
    let mut v = std::fs::read(path).unwrap();
    v.extend_from_slice(bytes);
    std::fs::write(path, v).unwrap();
}

fn load(dir: &Path) -> Loaded {
    let l = load_case(dir, &LoadOptions::default()).unwrap();
    assert!(l.report.reconciles(), "counts must reconcile: {:?}", l.report.tables);
    l
}

fn rejected<'a>(l: &'a Loaded, table: &str, needle: &str) -> &'a Issue {
    l.report
        .rejects
        .iter()
        .find(|r| r.table == table && r.reason.contains(needle))
        .unwrap_or_else(|| panic!("no {table} reject containing '{needle}' in {:#?}", l.report.rejects))
}

fn warned<'a>(l: &'a Loaded, needle: &str) -> &'a Issue {
    l.report
        .warnings
        .iter()
        .find(|w| w.reason.contains(needle))
        .unwrap_or_else(|| panic!("no warning containing '{needle}' in {:#?}", l.report.warnings))
}

const T: &str = "transfers.csv";

#[test]
fn invalid_utf8_is_rejected_with_the_encoding_advice() {
    let d = case_with(|d| append_bytes(&d.join(T), b"T9,2023-03-01 10:00:00,A1,A2,10.00,ALL,wire,caf\xe9,\n"));
    let l = load(d.path());
    let r = rejected(&l, "transfers", "invalid UTF-8");
    assert_eq!((r.line, r.column.as_str()), (7, "reference"));
    assert!(r.reason.contains("windows-1250"));
}

#[test]
fn wrong_declared_encoding_is_flagged() {
    let d = case_with(|d| {
        let mut t = std::fs::read_to_string(d.join("case.toml")).unwrap();
        t.push_str("[read]\nencoding = \"windows-1250\"\n");
        std::fs::write(d.join("case.toml"), t).unwrap();
    });
    let l = load(d.path());
    let w = warned(&l, "reads as UTF-8");
    assert_eq!(w.line, 0);
}

#[test]
fn a_byte_order_mark_is_not_part_of_the_first_column_name() {
    let d = case_with(|d| {
        let s = std::fs::read(d.join("persons.csv")).unwrap();
        let mut v = b"\xef\xbb\xbf".to_vec();
        v.extend(s);
        std::fs::write(d.join("persons.csv"), v).unwrap();
    });
    let l = load(d.path());
    assert!(l.report.rejects.is_empty(), "{:?}", l.report.rejects);
    assert_eq!(l.case.persons.len(), 3);
}

#[test]
fn nul_bytes_are_rejected() {
    let d = case_with(|d| append_bytes(&d.join("persons.csv"), b"P9,Evil\0Name,,,,,\n"));
    let l = load(d.path());
    let r = rejected(&l, "persons", "NUL");
    assert_eq!((r.line, r.column.as_str()), (5, "full_name"));
}

#[test]
fn a_100_mb_line_stops_the_load_with_a_clear_error_and_bounded_memory() {
    let d = case_with(|d| {
        let mut line = b"T9,2023-03-01 10:00:00,A1,A2,10.00,ALL,wire,".to_vec();
        line.resize(100 << 20, b'x');
        line.extend_from_slice(b",\n");
        append_bytes(&d.join(T), &line);
    });
    let e = load_case(d.path(), &LoadOptions::default()).unwrap_err();
    assert!(matches!(e, IngestError::Csv { .. }));
    let msg = e.to_string();
    assert!(msg.contains("line 7 is longer than 8 MiB"), "{msg}");
}

#[test]
fn ragged_rows_are_rejected() {
    let d = case_with(|d| {
        append_bytes(&d.join(T), b"T9,2023-03-01 10:00:00,A1,A2,10.00,ALL,wire,,,,extra\nT10,2023-03-01\n")
    });
    let l = load(d.path());
    assert_eq!(l.report.rejects.iter().filter(|r| r.reason.contains("fields where the header has 9")).count(), 2);
}

#[test]
fn a_quote_left_open_is_reported_with_the_lines_it_swallowed() {
    let d = case_with(|d| {
        append_bytes(
            &d.join(T),
            b"T9,2023-03-01 10:00:00,A1,A2,10.00,ALL,wire,\"never closed,\nT10,2023-03-02 10:00:00,A1,A2,10.00,ALL,wire,,\nT11,2023-03-03 10:00:00,A1,A2,10.00,ALL,wire,,\n",
        )
    });
    let l = load(d.path());
    let r = rejected(&l, "transfers", "quote opened on line 7 is not closed before line 10");
    assert_eq!(r.line, 7);
}

#[test]
fn thousands_separators_and_decimal_commas_need_to_be_declared() {
    let d = case_with(|d| append_bytes(&d.join(T), b"T9,2023-03-01 10:00:00,A1,A2,\"1.234,56\",ALL,wire,,\n"));
    let l = load(d.path());
    let r = rejected(&l, "transfers", "decimal_comma");
    assert_eq!(r.column, "amount");
}

#[test]
fn amounts_with_30_digits_are_rejected_not_rounded() {
    let d = case_with(|d| {
        append_bytes(&d.join(T), b"T9,2023-03-01 10:00:00,A1,A2,123456789012345678901234567890,ALL,wire,,\n")
    });
    let l = load(d.path());
    rejected(&l, "transfers", "more than 28 significant digits");
}

#[test]
fn impossible_dates_are_rejected() {
    let d = case_with(|d| append_bytes(&d.join("persons.csv"), b"P9,Someone,2023-02-31,,,,\n"));
    let l = load(d.path());
    let r = rejected(&l, "persons", "not a valid date");
    assert_eq!((r.column.as_str(), r.value.as_str()), ("birth_date", "2023-02-31"));
}

#[test]
fn time_zone_offsets_are_converted_and_dst_gaps_flagged() {
    let d = case_with(|d| {
        append_bytes(
            &d.join(T),
            b"T9,2023-05-01T10:00:00+02:00,A1,A2,10.00,ALL,wire,,\nT10,2023-03-26 02:30:00,A1,A2,10.00,ALL,wire,,\n",
        )
    });
    let l = load(d.path());
    assert!(l.report.rejects.is_empty(), "{:#?}", l.report.rejects);
    let t = &l.case.transfers;
    let i = (0..t.len()).find(|&i| t.txn_id.get(i) == "T9").unwrap();
    assert_eq!(t.booked_at[i].to_string(), "2023-05-01 10:00:00", "+02:00 is Tirana's summer offset");
    assert_eq!(t.extras.get("booked_at_original", i), Some("2023-05-01T10:00:00+02:00"));
    let w = warned(&l, "this local time does not exist");
    assert_eq!(w.line, 8);
    assert!(w.reason.contains("from 02:00 to 03:00"), "{}", w.reason);
}

#[test]
fn duplicate_ids_across_files_keep_the_first() {
    let d = case_with(|d| {
        std::fs::write(d.join("more_persons.csv"), "person_id,full_name\nP1,Arbën Hoxha (bank copy)\nP7,Ilir Meta\n")
            .unwrap();
        let mut t = std::fs::read_to_string(d.join("case.toml")).unwrap();
        t.push_str("[[tables.persons]]\nfile = \"persons.csv\"\n[[tables.persons]]\nfile = \"more_persons.csv\"\n");
        std::fs::write(d.join("case.toml"), t).unwrap();
    });
    let l = load(d.path());
    let r = rejected(&l, "persons", "duplicate id");
    assert_eq!((r.file.as_str(), r.line), ("more_persons.csv", 2));
    assert_eq!(l.case.persons.len(), 4);
    assert_eq!(l.case.persons.extras.names.len(), 1, "the phone column of the first file is kept");
}

#[test]
fn unknown_references_are_rejected() {
    let d = case_with(|d| {
        append_bytes(&d.join("property_titles.csv"), b"R1,P404,0.5,2023-01-20,,,,\nR404,P1,0.5,2023-01-20,,,,\n")
    });
    let l = load(d.path());
    rejected(&l, "property_titles", "unknown owner_id 'P404'");
    rejected(&l, "property_titles", "unknown property_id 'R404'");
}

#[test]
fn ownership_cycles_load_and_self_ownership_is_refused() {
    let d = case_with(|d| {
        append_bytes(&d.join("companies.csv"), b"C3,Cikli SH.P.K.,,,,,,,\n");
        append_bytes(&d.join("company_ownership.csv"), b"C3,C1,shareholder,0.5,2020-01-01,\nC1,C3,shareholder,0.0,2020-01-01,\nC3,C3,shareholder,0.1,2020-01-01,\n");
    });
    let l = load(d.path());
    assert_eq!(l.report.rejects.len(), 1, "{:?}", l.report.rejects);
    rejected(&l, "company_ownership", "cannot hold itself");
    assert_eq!(l.case.ownership.len(), 5);
}

#[test]
fn paths_in_case_toml_that_leave_the_case_folder_are_refused() {
    let d = case_with(|d| {
        let mut t = std::fs::read_to_string(d.join("case.toml")).unwrap();
        t.push_str("[[tables.persons]]\nfile = \"../../../etc/passwd\"\n");
        std::fs::write(d.join("case.toml"), t).unwrap();
    });
    let e = load_case(d.path(), &LoadOptions::default()).unwrap_err();
    assert!(e.to_string().contains("leaves the case folder"), "{e}");
}

#[test]
fn empty_tables_load_as_zero_rows() {
    let d = case_with(|d| {
        std::fs::write(d.join("relations.csv"), "person_id,related_id,kind\n").unwrap();
        std::fs::write(d.join("income.csv"), "").unwrap();
    });
    let l = load(d.path());
    let t = |n: &str| l.report.tables.iter().find(|t| t.table == n).unwrap().clone();
    assert_eq!((t("relations").read, t("income").read), (0, 0));
    assert!(l.report.rejects.is_empty());
    let w = warned(&l, "the file is empty");
    assert_eq!(w.file, "income.csv");
}

#[test]
fn a_case_without_suspects_loads_with_a_warning() {
    let d = case_with(|d| std::fs::remove_file(d.join("suspects.csv")).unwrap());
    let l = load(d.path());
    warned(&l, "the case names no suspects");
}

/// Found by the `ingest_csv` fuzzer: a date-time whose 20th byte falls inside a multi-byte
/// letter panicked while building the time-zone hint (byte slicing at 19).
#[test]
fn datetime_with_a_multibyte_letter_at_byte_19_is_rejected_not_a_panic() {
    let d = case_with(|d| append_bytes(&d.join(T), "T9,2023-01-06 11:30:0ذ,A1,A2,10.00,ALL,wire,,\n".as_bytes()));
    let l = load(d.path());
    let r = rejected(&l, "transfers", "not a valid date-time");
    assert_eq!((r.line, r.column.as_str()), (7, "booked_at"));
}

#[test]
fn a_header_with_thousands_of_extra_columns_is_refused() {
    let d = case_with(|d| {
        let mut h = String::from("person_id,full_name");
        for i in 0..5000 {
            h.push_str(&format!(",x{i}"));
        }
        std::fs::write(d.join("persons.csv"), format!("{h}\n")).unwrap();
    });
    let e = load_case(d.path(), &LoadOptions::default()).unwrap_err().to_string();
    assert!(e.contains("5000 columns beyond the contract"), "{e}");
}

#[test]
fn victims_table_loads_minor_flags_and_rejects_companies_duplicates_and_bad_flags() {
    let d = case_with(|d| {
        std::fs::write(
            d.join("victims.csv"),
            "entity_id,basis,minor,since\n\
             P2,victim statement,yes,2023-01-01\n\
             P1,,,\n\
             C1,victim statement,no,2023-01-01\n\
             P2,repeat,no,2023-01-01\n\
             P3,referral,maybe,2023-01-01\n",
        )
        .unwrap()
    });
    let l = load(d.path());
    let v = &l.case.victims.rows;
    assert_eq!(v.len(), 2, "{:#?}", l.report.rejects);
    assert_eq!((v[0].minor, v[0].basis.as_deref()), (Some(true), Some("victim statement")));
    assert_eq!((v[1].minor, v[1].since), (None, None));
    assert_eq!(rejected(&l, "victims", "must be a person").line, 4);
    assert_eq!(rejected(&l, "victims", "listed twice").line, 5);
    let r = rejected(&l, "victims", "minor must be yes or no");
    assert_eq!((r.line, r.column.as_str()), (6, "minor"));
}
