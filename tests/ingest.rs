//! Ingest: loading, provenance, conversion, rejects that reconcile, foreign layouts.

use moneytrail::ingest::{load_case, IngestError, LoadOptions};
use moneytrail::model::*;
use std::path::{Path, PathBuf};
use std::process::Command;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
    }
}

fn append(path: &Path, lines: &str) {
    let mut s = std::fs::read_to_string(path).unwrap();
    s.push_str(lines);
    std::fs::write(path, s).unwrap();
}

#[test]
fn mini_case_loads_clean_with_provenance_and_conversion() {
    let l = load_case(&fixture("mini"), &LoadOptions::default()).unwrap();
    let c = &l.case;
    assert!(l.report.rejects.is_empty(), "{:?}", l.report.rejects);
    assert!(l.report.reconciles());
    assert_eq!((c.persons.len(), c.companies.len(), c.accounts.len(), c.transfers.len()), (3, 2, 4, 5));
    // Provenance: T4 is on line 5 of transfers.csv, and that file's hash is recorded.
    let i = (0..c.transfers.len()).find(|&i| c.transfers.txn_id.get(i) == "T4").unwrap();
    let p = c.transfers.prov(i);
    assert_eq!(p.line, 5);
    let f = c.file_of(p).unwrap();
    assert_eq!(f.path, "transfers.csv");
    assert_eq!(f.sha256, moneytrail::ingest::hash_file(&fixture("mini/transfers.csv")).unwrap().0);
    // EUR 20,000 on 2023-02-01 converts at the 2023-01-02 rate 115.20, recorded with its date.
    let conv = c.transfers.base_amount(i, &c.fx).unwrap();
    assert_eq!(conv.base_amount.to_string(), "2304000.00");
    assert_eq!(conv.rate.to_string(), "115.20");
    assert_eq!(conv.rate_date.unwrap().to_string(), "2023-01-02");
    // Cash deposits have no from_account and keep their branch city.
    let t1 = (0..c.transfers.len()).find(|&i| c.transfers.txn_id.get(i) == "T1").unwrap();
    assert_eq!(c.transfers.from[t1], NO_ACCOUNT);
    assert_eq!(c.cities[c.transfers.branch_city[t1] as usize], "Durrës");
    // Extra columns are kept; diacritics survive.
    assert_eq!(c.persons.extras.get("phone", 0), Some("+355691111111"));
    assert_eq!(c.persons.rows[2].full_name, "Dritan Këlliçi");
    // Titles resolve their payments to loaded transfers.
    let t3 = (0..c.transfers.len()).find(|&i| c.transfers.txn_id.get(i) == "T3").unwrap() as u32;
    assert_eq!(c.titles.rows[0].payment_txns, vec![t3]);
    assert_eq!(c.meta.cash_report.amount.to_string(), "1000000");
}

/// The "corrupted copy" of the Foundation issue: every good row loads, every bad row is
/// reported with its reason, and the counts reconcile.
#[test]
fn corrupted_rows_are_rejected_with_reasons_and_counts_reconcile() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    copy_dir(&fixture("mini"), d);
    append(
        &d.join("transfers.csv"),
        "T6,2023-02-31 10:00:00,A1,A2,10.00,ALL,wire,,\n\
         T7,2023-03-01 10:00:00,A1,A999,10.00,ALL,wire,,\n\
         T3,2023-03-02 10:00:00,A1,A2,10.00,ALL,wire,dup,\n\
         T8,2023-03-03 10:00:00,A1,A1,10.00,ALL,wire,,\n\
         T9,2023-03-04 10:00:00,A1,A2,0,ALL,wire,,\n\
         T10,2023-03-05 10:00:00,A1,A2,-5,ALL,wire,,\n\
         T11,2022-12-01 10:00:00,A4,A3,10.00,USD,remittance,,\n\
         T12,2017-01-01 10:00:00,A1,A2,10.00,ALL,wire,,\n\
         T13,2023-03-06 10:00:00,A1,A2,12x,ALL,wire,,\n\
         T14,2023-03-07 10:00:00,A1,A2,10.00,ALL,teleport,,\n\
         T15,2023-03-08 10:00:00,A1,A2\n",
    );
    append(&d.join("company_ownership.csv"), "C1,P2,shareholder,1.5,2015-02-01,\nC1,P2,shareholder,0.3,2020-01-01,\n");
    append(&d.join("persons.csv"), "P1,Arbën Hoxha (again),1979-03-12,,,,\nP4,Besnik Dervishi,31.02.1980,,,,\n");
    let l = load_case(d, &LoadOptions::default()).unwrap();
    let r = &l.report;
    assert!(r.reconciles());
    let reasons: Vec<(String, u64, String, String)> =
        r.rejects.iter().map(|i| (i.table.clone(), i.line, i.column.clone(), i.reason.clone())).collect();
    let has = |table: &str, line: u64, col: &str, needle: &str| {
        assert!(
            reasons.iter().any(|(t, l, c, why)| t == table && *l == line && c == col && why.contains(needle)),
            "expected {table}:{line} {col} '{needle}' in {reasons:#?}"
        )
    };
    has("transfers", 7, "booked_at", "not a valid date-time");
    has("transfers", 8, "to_account", "unknown account 'A999'");
    has("transfers", 9, "txn_id", "duplicate txn_id: first loaded from transfers.csv line 4");
    has("transfers", 10, "to_account", "to itself");
    has("transfers", 11, "amount", "greater than zero");
    has("transfers", 12, "amount", "greater than zero");
    has("transfers", 14, "from_account", "outside the account's life");
    has("transfers", 15, "amount", "not a decimal number");
    has("transfers", 16, "channel", "'teleport' is not one of");
    has("transfers", 17, "", "row has 4 fields where the header has 9");
    has("company_ownership", 5, "share", "fraction in [0, 1]");
    has("persons", 5, "person_id", "duplicate id");
    has("persons", 6, "birth_date", "not a valid date");
    let t = |name: &str| r.tables.iter().find(|t| t.table == name).unwrap().clone();
    // A currency without a rate loads with its own amount and an unknown base amount, with a
    // warning and a count (issue 21): nothing is lost for a missing rate.
    assert_eq!((t("transfers").read, t("transfers").loaded, t("transfers").rejected), (16, 6, 10));
    assert_eq!(t("transfers").unknown_base, 1);
    let w = r.warnings.iter().find(|w| w.table == "transfers" && w.line == 13).expect("missing-rate warning");
    assert_eq!((w.column.as_str(), w.value.as_str()), ("currency", "USD"));
    assert!(w.reason.starts_with("no ALL rate for USD on or before 2022-12-01"), "{}", w.reason);
    assert!(w.reason.contains("unknown base amount"), "{}", w.reason);
    let t11 = (0..l.case.transfers.len()).find(|&i| l.case.transfers.txn_id.get(i) == "T11").unwrap();
    assert!(l.case.transfers.base_amount(t11, &l.case.fx).is_none());
    assert_eq!(l.case.transfers.amount(t11).to_string(), "10.00");
    assert_eq!((t("persons").read, t("persons").loaded, t("persons").rejected), (5, 3, 2));
    // 0.6 + 0.4 + 0.3 from 2020: a warning, and the row still loads.
    assert_eq!(t("company_ownership").loaded, 4);
    assert!(r.warnings.iter().any(|w| w.reason.contains("sum to 1.3")), "{:?}", r.warnings);
    // Good rows are all there.
    assert_eq!(l.case.transfers.len(), 6);
}

#[test]
fn ingest_command_exit_codes_and_report_files() {
    let exe = env!("CARGO_BIN_EXE_moneytrail");
    let out = tempfile::tempdir().unwrap();
    let s = Command::new(exe).args(["ingest"]).arg(fixture("mini")).arg("--out").arg(out.path()).status().unwrap();
    assert_eq!(s.code(), Some(0));
    let manifest = std::fs::read_to_string(out.path().join("manifest.json")).unwrap();
    assert!(manifest.contains("\"sha256\"") && manifest.contains("transfers.csv"));

    let bad = tempfile::tempdir().unwrap();
    copy_dir(&fixture("mini"), bad.path());
    append(&bad.path().join("transfers.csv"), "T9,2023-03-04 10:00:00,A1,A2,=1+1,ALL,wire,,\n");
    let s = Command::new(exe).arg("ingest").arg(bad.path()).arg("--out").arg(out.path()).status().unwrap();
    assert_eq!(s.code(), Some(1));
    let rejects = std::fs::read_to_string(out.path().join("rejects.csv")).unwrap();
    // The hostile value is neutralised for spreadsheets.
    assert!(rejects.contains(",'=1+1,"), "{rejects}");

    std::fs::write(bad.path().join("case.toml"), "name = 'x'\nbase_currency = 'ALL'\n").unwrap();
    let o = Command::new(exe).arg("ingest").arg(bad.path()).arg("--out").arg(out.path()).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("valuation_date"));
}

#[test]
fn windows_1250_decimal_comma_and_custom_dates_map_onto_the_contract() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("case.toml"),
        r#"
name = "Bank export in a foreign layout"
base_currency = "ALL"
valuation_date = "2024-12-31"
[[tables.persons]]
file = "klientet.csv"
read = { delimiter = ";", encoding = "windows-1250", date_format = "%d.%m.%Y" }
columns = { person_id = "ID", full_name = "Emri", birth_date = "Datelindja" }
[[tables.accounts]]
file = "llogarite.csv"
read = { delimiter = ";", encoding = "windows-1250", currency = "ALL" }
columns = { account_id = "Llogaria", holder_id = "Klienti" }
[[tables.transfers]]
file = "levizjet.csv"
read = { delimiter = ";", encoding = "windows-1250", decimal_comma = true, thousands_separator = ".", datetime_format = "%d.%m.%Y %H:%M", currency = "ALL" }
columns = { txn_id = "Nr", booked_at = "Data", from_account = "Debi", to_account = "Kredi", amount = "Shuma", channel = { value = "wire" }, reference = "Pershkrimi" }
"#,
    )
    .unwrap();
    let enc = |s: &str| encoding_rs::WINDOWS_1250.encode(s).0.into_owned();
    std::fs::write(
        d.join("klientet.csv"),
        enc("ID;Emri;Datelindja\n1;Arbën Hoxha;12.03.1979\n2;Elira Çela;01.07.1985\n"),
    )
    .unwrap();
    std::fs::write(d.join("llogarite.csv"), enc("Llogaria;Klienti\nL1;1\nL2;2\n")).unwrap();
    std::fs::write(
        d.join("levizjet.csv"),
        enc("Nr;Data;Debi;Kredi;Shuma;Pershkrimi\n7;05.01.2023 10:30;L1;L2;1.234.567,89;Dhuratë për shtëpinë\n"),
    )
    .unwrap();
    let l = load_case(d, &LoadOptions::default()).unwrap();
    assert!(l.report.rejects.is_empty(), "{:?}", l.report.rejects);
    let c = &l.case;
    assert_eq!(c.persons.rows[0].full_name, "Arbën Hoxha");
    assert_eq!(c.persons.rows[1].birth_date.unwrap().to_string(), "1985-07-01");
    assert_eq!(c.transfers.amount(0).to_string(), "1234567.89");
    assert_eq!(c.transfers.booked_at[0].to_string(), "2023-01-05 10:30:00");
    assert_eq!(c.transfers.reference.get(0), "Dhuratë për shtëpinë");
    // Read as UTF-8 instead, the same bytes are refused with advice, not garbled.
    let cfg =
        std::fs::read_to_string(d.join("case.toml")).unwrap().replace("encoding = \"windows-1250\", date", "date");
    std::fs::write(d.join("case.toml"), cfg).unwrap();
    let l = load_case(d, &LoadOptions::default()).unwrap();
    assert!(l.report.rejects.iter().any(|r| r.table == "persons" && r.reason.contains("encoding")));
}

#[test]
fn paths_leaving_the_case_folder_and_unknown_columns_stop_the_load() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let head = "name = 'x'\nbase_currency = 'ALL'\nvaluation_date = '2024-12-31'\n";
    std::fs::write(d.join("case.toml"), format!("{head}[[tables.persons]]\nfile = '../../etc/passwd'\n")).unwrap();
    assert!(matches!(load_case(d, &LoadOptions::default()), Err(IngestError::PathOutsideCase { .. })));
    std::fs::write(d.join("p.csv"), "id,name\n1,A\n").unwrap();
    std::fs::write(
        d.join("case.toml"),
        format!("{head}[[tables.persons]]\nfile = 'p.csv'\ncolumns = {{ person_id = 'id' }}\n"),
    )
    .unwrap();
    let e = load_case(d, &LoadOptions::default()).unwrap_err().to_string();
    assert!(e.contains("required column 'full_name' is missing") && e.contains("id, name"), "{e}");
    std::fs::write(
        d.join("case.toml"),
        format!("{head}[[tables.persons]]\nfile = 'p.csv'\ncolumns = {{ person_id = 'ident' }}\n"),
    )
    .unwrap();
    let e = load_case(d, &LoadOptions::default()).unwrap_err().to_string();
    assert!(e.contains("column 'ident' (mapped to person_id) is not in the header"), "{e}");
}

fn external(rel: &str) -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/datasets/external").join(rel);
    if p.is_dir() {
        Some(p)
    } else {
        eprintln!("SKIP: {} is absent (third-party data lives in ../shared/datasets/external)", p.display());
        None
    }
}

fn mapping(name: &str) -> LoadOptions {
    LoadOptions { mapping: Some(Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets/mappings").join(name)) }
}

#[test]
fn amlsim_sample_loads_through_its_mapping() {
    let Some(dir) = external("amlsim-ibm-samples/20K_cycle200") else { return };
    let l = load_case(&dir, &mapping("amlsim-20k.toml")).unwrap();
    let t = |n: &str| l.report.tables.iter().find(|t| t.table == n).unwrap().clone();
    // metadata.txt: 20,000 nodes, 117,805 transactions; 14 are self-transfers, which are rejected.
    assert_eq!((t("accounts").read, t("accounts").loaded), (20_000, 20_000));
    assert_eq!((t("transfers").read, t("transfers").loaded, t("transfers").rejected), (117_805, 117_791, 14));
    assert!(l.report.rejects.iter().all(|r| r.reason.contains("to itself")));
    let fraud = (0..l.case.accounts.len()).filter(|&i| l.case.accounts.extras.get("isFraud", i) == Some("1")).count();
    assert_eq!(fraud, 945, "metadata.txt: 945 fraud nodes");
    assert_eq!(l.case.transfers.booked_at[0].to_string(), "2017-01-02 00:00:00");
}

#[test]
fn finbench_snapshot_loads_through_its_mapping() {
    let Some(dir) = external("finbench/sf0.01/snapshot") else { return };
    let l = load_case(&dir, &mapping("finbench.toml")).unwrap();
    let t = |n: &str| l.report.tables.iter().find(|t| t.table == n).unwrap().clone();
    // README: 2,055 accounts, 8,132 transfers, 679 C->C + 1,304 P->C invest edges.
    assert_eq!((t("persons").loaded, t("companies").loaded), (785, 386));
    assert_eq!((t("accounts").read, t("accounts").loaded), (2_055, 2_055));
    assert_eq!((t("transfers").read, t("transfers").loaded), (8_132, 8_130));
    assert_eq!(t("company_ownership").read, 679 + 1_304);
    // Five invest edges have a company investing in itself; they are rejected with that reason.
    assert_eq!(t("company_ownership").rejected, 5);
    assert!(l.report.reconciles());
    assert!(l.case.ownership.rows.iter().all(|o| o.share.is_some_and(|s| s <= rust_decimal::Decimal::ONE)));
    // Loans, media and their edges are labelled tables; every row finds its ends.
    for (table, rows) in [
        ("Loan", 1_376),
        ("Medium", 978),
        ("APPLY (Person->Loan)", 927),
        ("APPLY (Company->Loan)", 449),
        ("DEPOSIT (Loan->Account)", 2_758),
        ("REPAY (Account->Loan)", 2_747),
        ("WITHDRAW (Account->Account)", 9_182),
        ("SIGN_IN (Medium->Account)", 2_489),
        ("GUARANTEE (Person->Person)", 377),
        ("GUARANTEE (Company->Company)", 202),
    ] {
        assert_eq!((t(table).read, t(table).loaded), (rows, rows), "{table}");
    }
}
