//! Bank productions as they arrive (issue 16): statements as CSV and Excel, time zones,
//! `ingest --preview`, errors that teach, and the statement templates in datasets/mappings.

use moneytrail::ingest::{load_case, IngestError, LoadOptions, Loaded};
use moneytrail::model::{Case, NO_ACCOUNT};
use rust_decimal::Decimal;
use std::path::{Path, PathBuf};
use std::str::FromStr;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn mapping(name: &str) -> PathBuf {
    root().join("datasets/mappings").join(name)
}

fn sample(name: &str) -> PathBuf {
    root().join("datasets/mappings/samples").join(name)
}

fn load_with(dir: &Path, map: &Path) -> Loaded {
    let l = load_case(dir, &LoadOptions { mapping: Some(map.to_path_buf()) })
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    assert!(l.report.reconciles(), "counts must reconcile: {:?}", l.report.tables);
    l
}

const OWN: &str = "AL35202111090000000001234567";

/// The seven movements of the synthetic statement: (day, credit?, amount, counterparty).
const MOVES: &[(&str, bool, &str, Option<&str>)] = &[
    ("2024-03-01", true, "25000", Some("AL47212110090000000235698741")),
    ("2024-03-05", true, "50000", None),
    ("2024-03-07", false, "40000", Some("AL11202111120000000055500011")),
    ("2024-03-12", false, "10000", None),
    ("2024-03-18", false, "5000", Some("AL47212110090000000235698741")),
    ("2024-03-25", true, "80500.5", Some("DE89370400440532013000")),
    ("2024-03-29", false, "500", Some("name:Banka Shembull sh.a.")),
];

/// One transfer per movement, the own account on the right side, in date order.
fn assert_movements(case: &Case) {
    let t = &case.transfers;
    assert_eq!(t.len(), MOVES.len());
    let id = |a: u32| if a == NO_ACCOUNT { None } else { Some(case.accounts.rows[a as usize].id.as_str()) };
    let mut rows: Vec<usize> = (0..t.len()).collect();
    rows.sort_by_key(|&i| t.booked_at[i]);
    for (&i, &(day, credit, amount, cp)) in rows.iter().zip(MOVES) {
        assert_eq!(t.booked_at[i].date().to_string(), day);
        assert_eq!(t.amount(i), Decimal::from_str(amount).unwrap(), "line {}", t.prov(i).line);
        let (own_side, other) = if credit { (t.to[i], t.from[i]) } else { (t.from[i], t.to[i]) };
        assert_eq!(id(own_side), Some(OWN), "own account on the {} side", if credit { "credit" } else { "debit" });
        assert_eq!(id(other), cp);
    }
}

fn balance_breaks(l: &Loaded) -> Vec<&moneytrail::ingest::Issue> {
    l.report.warnings.iter().filter(|w| w.column == "balance").collect()
}

/// A copy of a sample folder, with `edit` applied to its files.
fn copy_of(dir: &Path, edit: impl FnOnce(&Path)) -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    for e in std::fs::read_dir(dir).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), d.path().join(e.file_name())).unwrap();
    }
    edit(d.path());
    d
}

#[test]
fn a_windows_1250_csv_statement_gives_one_transfer_per_movement() {
    let l = load_with(&sample("al-statement-csv"), &mapping("al-statement-csv.toml"));
    assert!(l.report.rejects.is_empty(), "{:#?}", l.report.rejects);
    assert_movements(&l.case);
    assert!(balance_breaks(&l).is_empty(), "{:#?}", l.report.warnings);
    // The totals and closing-balance lines are footer, listed as skipped with their lines.
    let skipped: Vec<u64> = l.report.skipped.iter().map(|s| s.line).collect();
    assert_eq!(skipped, vec![15, 16]);
    // Provenance: the CSV line of each movement (header on line 7, CRLF line ends).
    let t = &l.case.transfers;
    let first = (0..t.len()).min_by_key(|&i| t.booked_at[i]).unwrap();
    assert_eq!(t.prov(first).line, 8);
    assert_eq!(t.txn_id.get(first), "AL35-2024-03-8");
    // Counterparties are unverified external records that say where they were named.
    let c = &l.case;
    let a = c.account("AL47212110090000000235698741").unwrap().ix();
    let basis = c.accounts.extras.get("record_basis", a).unwrap();
    assert!(
        basis.starts_with("unverified external: counterparty named in the statement statement-2024-03.csv line 8"),
        "{basis}"
    );
    let holder = c.accounts.rows[a].holder.unwrap();
    assert_eq!(c.entity_name(holder), "Elira Kola");
    let firm = c.accounts.rows[c.account("AL11202111120000000055500011").unwrap().ix()].holder.unwrap();
    assert_eq!(firm.kind, moneytrail::model::EntityKind::Company, "a name with Sh.p.k. is a company");
    let derived: u64 = l.report.tables.iter().map(|t| t.derived).sum();
    assert_eq!(derived, 5 + 4, "own + 4 counterparty accounts, 2 persons, 2 companies");
}

#[test]
fn the_balance_check_catches_one_altered_balance_in_csv() {
    let d = copy_of(&sample("al-statement-csv"), |d| {
        let p = d.join("statement-2024-03.csv");
        let bytes = std::fs::read(&p).unwrap();
        // Line 11 (12.03.2024): 125.000,00 becomes 126.000,00.
        let altered = replace_once(&bytes, b";10.000,00;;125.000,00", b";10.000,00;;126.000,00");
        std::fs::write(&p, altered).unwrap();
    });
    let l = load_with(d.path(), &mapping("al-statement-csv.toml"));
    assert!(l.report.rejects.is_empty());
    let b = balance_breaks(&l);
    assert_eq!(b.len(), 1, "{b:#?}");
    assert_eq!(b[0].line, 11);
    assert!(b[0].reason.contains("alone was altered"), "{}", b[0].reason);
}

fn replace_once(hay: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let i = hay.windows(from.len()).position(|w| w == from).expect("pattern in file");
    [&hay[..i], to, &hay[i + from.len()..]].concat()
}

/// Writes the synthetic statement as a workbook: preamble cells, date cells, number cells.
fn write_xlsx(path: &Path, altered: bool) {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("Lëvizjet").unwrap();
    let date = Format::new().set_num_format("dd.mm.yyyy");
    ws.write_string(0, 0, "Banka Shembull sh.a. - Ekstrakt llogarie").unwrap();
    ws.write_string(1, 0, "Klienti").unwrap();
    ws.write_string(1, 1, "Arbën Hoxha").unwrap();
    ws.write_string(2, 0, "IBAN").unwrap();
    ws.write_string(2, 1, OWN).unwrap();
    ws.write_string(3, 0, "Monedha").unwrap();
    ws.write_string(3, 1, "ALL").unwrap();
    ws.write_string(4, 0, "Gjendja fillestare").unwrap();
    ws.write_number(4, 1, 100_000.0).unwrap();
    let header = ["Data", "IBAN i palës", "Emri i palës", "Përshkrimi", "Debi", "Kredi", "Gjendja"];
    for (c, h) in header.iter().enumerate() {
        ws.write_string(6, c as u16, *h).unwrap();
    }
    let rows: &[(u8, &str, &str, &str, f64, f64, f64)] = &[
        (1, "AL47212110090000000235698741", "Elira Kola", "Pagesë qiraje mars", 0.0, 25_000.0, 125_000.0),
        (5, "", "", "Depozitë cash në degë", 0.0, 50_000.0, 175_000.0),
        (7, "AL11202111120000000055500011", "Ndërtimi Sh.p.k.", "Transfertë për punime", 40_000.0, 0.0, 135_000.0),
        (12, "", "", "Tërheqje ATM Tiranë", 10_000.0, 0.0, if altered { 126_000.0 } else { 125_000.0 }),
        (18, "AL47212110090000000235698741", "Elira Kola", "Kthim huaje", 5_000.0, 0.0, 120_000.0),
        (25, "DE89370400440532013000", "Jonas Weber", "Remitancë nga Gjermania", 0.0, 80_500.5, 200_500.5),
        (29, "", "", "Komision mirëmbajtje llogarie", 500.0, 0.0, 200_000.5),
    ];
    for (k, (day, iban, name, desc, debit, credit, balance)) in rows.iter().enumerate() {
        let r = 7 + k as u32;
        ws.write_datetime_with_format(r, 0, ExcelDateTime::from_ymd(2024, 3, *day).unwrap(), &date).unwrap();
        for (c, t) in [(1u16, iban), (2, name), (3, desc)] {
            if !t.is_empty() {
                ws.write_string(r, c, *t).unwrap();
            }
        }
        if *debit > 0.0 {
            ws.write_number(r, 4, *debit).unwrap();
        }
        if *credit > 0.0 {
            ws.write_number(r, 5, *credit).unwrap();
        }
        ws.write_number(r, 6, *balance).unwrap();
    }
    ws.write_string(14, 0, "Totali").unwrap();
    ws.write_number(14, 4, 55_500.0).unwrap();
    ws.write_number(14, 5, 155_500.5).unwrap();
    wb.save(path).unwrap();
}

#[test]
fn the_same_statement_as_xlsx_gives_the_same_transfers() {
    for altered in [false, true] {
        let d = copy_of(&sample("al-statement-xlsx"), |d| write_xlsx(&d.join("ekstrakt-2024-03.xlsx"), altered));
        let l = load_with(d.path(), &mapping("al-statement-xlsx.toml"));
        assert!(l.report.rejects.is_empty(), "{:#?}", l.report.rejects);
        assert_movements(&l.case);
        let b = balance_breaks(&l);
        if altered {
            assert_eq!(b.len(), 1, "{b:#?}");
            assert_eq!(b[0].line, 11, "sheet row of 12.03.2024");
        } else {
            assert!(b.is_empty(), "{b:#?}");
        }
        // Provenance: the sheet is in the source-file record, the line is the sheet row.
        let t = &l.case.transfers;
        let first = (0..t.len()).min_by_key(|&i| t.booked_at[i]).unwrap();
        let p = t.prov(first);
        assert_eq!(p.line, 8);
        let f = &l.case.files[p.file as usize];
        assert_eq!((f.path.as_str(), f.sheet.as_deref()), ("ekstrakt-2024-03.xlsx", Some("Lëvizjet")));
        assert_eq!(f.sha256.len(), 64);
    }
}

#[test]
fn the_committed_xlsx_sample_loads_cleanly() {
    let l = load_with(&sample("al-statement-xlsx"), &mapping("al-statement-xlsx.toml"));
    assert!(l.report.rejects.is_empty(), "{:#?}", l.report.rejects);
    assert_movements(&l.case);
    assert!(balance_breaks(&l).is_empty());
}

/// The same statement written by other people's writers: XLS (BIFF8, by Python's xlwt) and ODS
/// (OpenDocument, by odfpy), from tests/fixtures/statements/make.py. calamine reads both, so the
/// XLSX template applies with only the file name changed: same transfers, same sheet provenance,
/// no rejects and no balance break.
#[test]
fn the_same_statement_as_xls_and_ods_gives_the_same_transfers() {
    let fixtures = root().join("tests/fixtures/statements");
    let template = std::fs::read_to_string(mapping("al-statement-xlsx.toml")).unwrap();
    for ext in ["xls", "ods"] {
        let name = format!("ekstrakt-2024-03.{ext}");
        let d = tempfile::tempdir().unwrap();
        std::fs::copy(fixtures.join(&name), d.path().join(&name)).unwrap();
        let maps = tempfile::tempdir().unwrap();
        let map = maps.path().join("statement.toml");
        let text = template.replace("file = \"ekstrakt-2024-03.xlsx\"", &format!("file = \"{name}\""));
        assert_ne!(text, template, "the template names its workbook");
        std::fs::write(&map, text).unwrap();
        let l = load_with(d.path(), &map);
        assert!(l.report.rejects.is_empty(), "{ext}: {:#?}", l.report.rejects);
        assert_movements(&l.case);
        assert!(balance_breaks(&l).is_empty(), "{ext}: {:#?}", balance_breaks(&l));
        let t = &l.case.transfers;
        let first = (0..t.len()).min_by_key(|&i| t.booked_at[i]).unwrap();
        let p = t.prov(first);
        assert_eq!(p.line, 8, "{ext}: the sheet row of 01.03.2024");
        let f = &l.case.files[p.file as usize];
        assert_eq!((f.path.as_str(), f.sheet.as_deref()), (name.as_str(), Some("Lëvizjet")));
    }
}

/// Regenerates the committed sample: `cargo test --test statements write_xlsx_sample -- --ignored`.
#[test]
#[ignore]
fn write_xlsx_sample() {
    write_xlsx(&sample("al-statement-xlsx").join("ekstrakt-2024-03.xlsx"), false);
}

#[test]
fn a_utc_statement_with_a_marker_column_converts_times_and_keeps_the_text() {
    let l = load_with(&sample("al-statement-signed-utc"), &mapping("al-statement-signed-utc.toml"));
    assert!(l.report.rejects.is_empty(), "{:#?}", l.report.rejects);
    assert_movements(&l.case);
    assert!(balance_breaks(&l).is_empty(), "newest first is read as such: {:#?}", l.report.warnings);
    let t = &l.case.transfers;
    let i = (0..t.len()).find(|&i| t.txn_id.get(i) == "REF-1001").unwrap();
    // 08:15 UTC on 1 March is 09:15 in Tirana (winter time).
    assert_eq!(t.booked_at[i].to_string(), "2024-03-01 09:15:00");
    assert_eq!(t.extras.get("booked_at_original", i), Some("2024-03-01 08:15:00 [UTC]"));
}

#[test]
fn offsets_and_z_convert_to_tirana_time_with_the_original_text_kept() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("case.toml"), "name='tz'\nbase_currency='ALL'\nvaluation_date='2024-12-31'\n")
        .unwrap();
    std::fs::write(d.path().join("accounts.csv"), "account_id\nA1\nA2\n").unwrap();
    std::fs::write(
        d.path().join("transfers.csv"),
        "txn_id,booked_at,from_account,to_account,amount,channel\n\
         T1,2024-07-01T08:15:00Z,A1,A2,10.00,wire\n\
         T2,2024-01-10T12:00:00+02:00,A1,A2,10.00,wire\n\
         T3,2024-07-01 10:15:00,A1,A2,10.00,wire\n\
         T4,2024-10-27 02:30:00,A1,A2,10.00,wire\n",
    )
    .unwrap();
    let l = load_case(d.path(), &LoadOptions::default()).unwrap();
    assert!(l.report.rejects.is_empty(), "{:#?}", l.report.rejects);
    let t = &l.case.transfers;
    let at = |id: &str| (0..t.len()).find(|&i| t.txn_id.get(i) == id).unwrap();
    assert_eq!(t.booked_at[at("T1")].to_string(), "2024-07-01 10:15:00");
    assert_eq!(t.booked_at[at("T2")].to_string(), "2024-01-10 11:00:00");
    assert_eq!(t.booked_at[at("T3")].to_string(), "2024-07-01 10:15:00");
    assert_eq!(t.extras.get("booked_at_original", at("T1")), Some("2024-07-01T08:15:00Z"));
    assert_eq!(t.extras.get("booked_at_original", at("T2")), Some("2024-01-10T12:00:00+02:00"));
    assert_eq!(t.extras.get("booked_at_original", at("T3")), Some(""), "local times were not converted");
    let w = l.report.warnings.iter().find(|w| w.column == "booked_at").expect("repeated hour noted");
    assert_eq!(w.line, 5);
    assert!(w.reason.contains("occurred twice") && w.reason.contains("from 03:00 to 02:00"), "{}", w.reason);
}

fn config_error(dir: &Path, map_text: &str) -> String {
    let m = dir.join("mapping.toml");
    std::fs::write(&m, map_text).unwrap();
    match load_case(dir, &LoadOptions { mapping: Some(m) }) {
        Err(e @ (IngestError::Config { .. } | IngestError::Mapping { .. })) => e.to_string(),
        Err(e) => panic!("unexpected error {e}"),
        Ok(_) => panic!("the mapping should not load"),
    }
}

#[test]
fn mapping_errors_teach() {
    let d = copy_of(&sample("al-statement-csv"), |_| {});
    let good = std::fs::read_to_string(mapping("al-statement-csv.toml")).unwrap();
    // A mistyped key of a column rule: the allowed keys, an example and the nearest key.
    let m = config_error(d.path(), &good.replace("{ debit = \"Debi\"", "{ debet = \"Debi\""));
    assert!(!m.contains("did not match any variant"), "{m}");
    assert!(m.contains("allowed in a column rule") && m.contains("did you mean `debit`?"), "{m}");
    assert!(m.contains("example: amount = { debit = \"Debi\", credit = \"Kredi\" }"), "{m}");
    // No encoding: the header is mojibake, and the error says which encoding to set.
    let m = config_error(
        d.path(),
        &good
            .replace("encoding = \"windows-1250\", ", "")
            .replace("header_contains = [\"Data\", \"Debi\", \"Kredi\"]", "skip_rows = 6"),
    );
    assert!(m.contains("windows-1250"), "{m}");
    // A preamble without skip_rows or header_contains: the error points at the header line.
    let m = config_error(d.path(), &good.replace(", header_contains = [\"Data\", \"Debi\", \"Kredi\"]", ""));
    assert!(m.contains("the header seems to be line 7") && m.contains("skip_rows = 6"), "{m}");
}

#[test]
fn a_datetime_column_with_only_date_format_says_to_set_datetime_format() {
    let d = copy_of(&sample("al-statement-csv"), |_| {});
    let good = std::fs::read_to_string(mapping("al-statement-csv.toml")).unwrap();
    let m = d.path().join("mapping.toml");
    std::fs::write(&m, good.replace("datetime_format = \"%d.%m.%Y\"", "date_format = \"%d.%m.%Y\"")).unwrap();
    let l = load_case(d.path(), &LoadOptions { mapping: Some(m) }).unwrap();
    let r = l.report.rejects.iter().find(|r| r.column == "booked_at").expect("booked_at rejects");
    assert!(r.reason.contains("set datetime_format = \"%d.%m.%Y\""), "{}", r.reason);
}

#[test]
fn a_base_currency_rate_of_one_loads_and_another_value_is_rejected() {
    let d = copy_of(&sample("al-statement-csv"), |d| {
        std::fs::write(d.join("fx_rates.csv"), "date,currency,rate\n2024-01-01,ALL,1.0000\n2024-01-02,ALL,1.2\n")
            .unwrap();
    });
    let l = load_with(d.path(), &mapping("al-statement-csv.toml"));
    let fx = l.report.tables.iter().find(|t| t.table == "fx_rates").unwrap();
    assert_eq!((fx.loaded, fx.rejected), (1, 1));
    assert!(l.report.rejects[0].reason.contains("must be 1"), "{}", l.report.rejects[0].reason);
}

#[test]
fn ingest_preview_shows_rows_beside_their_raw_text_and_writes_nothing() {
    let out = tempfile::tempdir().unwrap();
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_moneytrail"))
        .current_dir(out.path())
        .args(["ingest", "--preview", "3", "--mapping"])
        .arg(mapping("al-statement-csv.toml"))
        .arg(sample("al-statement-csv"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&run.stdout);
    assert!(run.status.success(), "{text}\n{}", String::from_utf8_lossy(&run.stderr));
    assert!(text.contains("== transfers <- statement-2024-03.csv: read 9, loaded 7, rejected 0, skipped 2"), "{text}");
    assert!(text.contains("header (line 7): Data | IBAN i palës"), "{text}");
    assert!(text.contains("line 8     raw:    01.03.2024 | AL47212110090000000235698741 | Elira Kola"), "{text}");
    assert!(text.contains("parsed: txn_id=AL35-2024-03-8  booked_at=2024-03-01 00:00:00  from=AL47212110090000000235698741  to=AL35202111090000000001234567  amount=25000.00 ALL"), "{text}");
    assert_eq!(text.matches(" raw: ").count(), 3 + 2, "three rows of transfers, two of fx_rates");
    assert!(std::fs::read_dir(out.path()).unwrap().next().is_none(), "preview writes nothing");
    // A reject shows with its reason.
    let d = copy_of(&sample("al-statement-csv"), |d| {
        let p = d.join("statement-2024-03.csv");
        let b = std::fs::read(&p).unwrap();
        std::fs::write(&p, replace_once(&b, b"07.03.2024", b"31.02.2024")).unwrap();
    });
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_moneytrail"))
        .current_dir(out.path())
        .args(["ingest", "--preview", "--mapping"])
        .arg(mapping("al-statement-csv.toml"))
        .arg(d.path())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&run.stdout);
    assert_eq!(run.status.code(), Some(1));
    assert!(
        text.contains("first rejects:")
            && text.contains("line 10 booked_at '31.02.2024': not a valid date-time in format '%d.%m.%Y'"),
        "{text}"
    );
}
