//! Parquet tables go through the same validation as CSV (needs `--features parquet`).
//!
//! The round trip: a generated case, every table written as Parquet in the column types a bank or
//! a register would use, loads as the same case as its CSV (same rows, ids, exact amounts, dates,
//! rejects; provenance pointing at the Parquet row). Column types chosen (docs/data-model.md,
//! "Parquet"): dates DATE, booking times TIMESTAMP(us) without zone, amounts DECIMAL(38, s) and, for
//! encumbrances, text; shares of titles, FX rates and areas DOUBLE (not money); shares of companies
//! DECIMAL; employees and years integers; `minor` BOOLEAN; payment_txn_ids LIST<STRING>.
#![cfg(feature = "parquet")]

use moneytrail::generate::{generate, GenConfig};
use moneytrail::ingest::{load_case, LoadOptions, Loaded, TABLES};
use moneytrail::model::{Date, DateTime};
use polars::prelude::*;
use rust_decimal::Decimal;
use std::path::Path;
use std::str::FromStr;

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

/// The Parquet type a column is written as.
#[derive(Clone, Copy)]
enum Ty {
    Str,
    Date,
    Datetime,
    Decimal,
    F64,
    I64,
    Bool,
    List,
}

/// Natural types per table; columns not listed are text.
fn ty(table: &str, col: &str) -> Ty {
    match (table, col) {
        (_, "birth_date" | "incorporated_on" | "dissolved_on" | "opened_on" | "closed_on" | "valued_on") => Ty::Date,
        (_, "acquired_on" | "disposed_on" | "registered_on" | "released_on" | "from" | "to" | "since") => Ty::Date,
        ("fx_rates", "date") => Ty::Date,
        ("transfers", "booked_at") => Ty::Datetime,
        ("transfers", "amount") | ("income", "amount") | ("property_titles", "price") => Ty::Decimal,
        ("properties", "market_value" | "cadastral_value") | ("company_ownership", "share") => Ty::Decimal,
        ("property_titles", "share") | ("fx_rates", "rate") | ("properties", "area_m2") => Ty::F64,
        ("companies", "employees") | ("income", "year") => Ty::I64,
        ("victims", "minor") => Ty::Bool,
        ("property_titles", "payment_txn_ids") => Ty::List,
        _ => Ty::Str,
    }
}

fn opt(s: &str) -> Option<&str> {
    (!s.is_empty()).then_some(s)
}

/// One CSV column as a typed polars column (an empty cell is a null).
fn column(table: &str, name: &str, cells: &[String]) -> Column {
    let n: PlSmallStr = name.into();
    let s: Series = match ty(table, name) {
        Ty::Str => Series::new(n, cells.iter().map(|c| opt(c)).collect::<Vec<_>>()),
        Ty::Date => {
            let v: Vec<Option<i32>> = cells.iter().map(|c| opt(c).map(|c| Date::parse_iso(c).unwrap().0)).collect();
            Int32Chunked::from_slice_options(n, &v).into_date().into_series()
        }
        Ty::Datetime => {
            let v: Vec<Option<i64>> =
                cells.iter().map(|c| opt(c).map(|c| DateTime::parse_iso(c).unwrap().0 * 1_000_000)).collect();
            Int64Chunked::from_slice_options(n, &v).into_datetime(TimeUnit::Microseconds, None).into_series()
        }
        Ty::Decimal => {
            let ds: Vec<Option<Decimal>> =
                cells.iter().map(|c| opt(c).map(|c| Decimal::from_str(c).unwrap())).collect();
            let scale = ds.iter().flatten().map(|d| d.scale()).max().unwrap_or(2);
            let v: Vec<Option<i128>> = ds
                .iter()
                .map(|d| {
                    d.map(|mut d| {
                        d.rescale(scale);
                        d.mantissa()
                    })
                })
                .collect();
            Int128Chunked::from_slice_options(n, &v).into_decimal(38, scale as usize).unwrap().into_series()
        }
        Ty::F64 => Series::new(n, cells.iter().map(|c| opt(c).map(|c| c.parse::<f64>().unwrap())).collect::<Vec<_>>()),
        Ty::I64 => Series::new(n, cells.iter().map(|c| opt(c).map(|c| c.parse::<i64>().unwrap())).collect::<Vec<_>>()),
        Ty::Bool => Series::new(n, cells.iter().map(|c| opt(c).map(|c| c == "yes")).collect::<Vec<_>>()),
        Ty::List => {
            let v: Vec<Series> = cells
                .iter()
                .map(|c| Series::new("".into(), c.split(';').filter(|x| !x.is_empty()).collect::<Vec<_>>()))
                .collect();
            Series::new(n, v)
        }
    };
    s.into()
}

/// Writes `dir/<table>.csv` as `out/<table>.parquet` in natural types.
fn to_parquet(dir: &Path, table: &str, out: &Path) {
    to_parquet_in_groups(dir, table, out, None)
}

/// The same, with row groups of at most `group_rows` rows (polars' default when `None`).
fn to_parquet_in_groups(dir: &Path, table: &str, out: &Path, group_rows: Option<usize>) {
    let mut r = csv::Reader::from_path(dir.join(format!("{table}.csv"))).unwrap();
    let headers: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    let mut cols: Vec<Vec<String>> = vec![Vec::new(); headers.len()];
    for rec in r.records() {
        let rec = rec.unwrap();
        for (c, v) in cols.iter_mut().zip(rec.iter()) {
            c.push(v.to_string());
        }
    }
    let columns = headers.iter().zip(&cols).map(|(h, c)| column(table, h, c)).collect();
    let mut df = DataFrame::new_infer_height(columns).unwrap();
    let f = std::fs::File::create(out.join(format!("{table}.parquet"))).unwrap();
    ParquetWriter::new(f).with_row_group_size(group_rows).finish(&mut df).unwrap();
}

/// Appends rows that must be rejected, the same in both formats.
fn corrupt(dir: &Path) {
    let append = |table: &str, line: &str| {
        let p = dir.join(format!("{table}.csv"));
        let mut s = std::fs::read_to_string(&p).unwrap();
        s.push_str(line);
        s.push('\n');
        std::fs::write(p, s).unwrap();
    };
    append("transfers", "TBAD-1,2021-03-04 10:11:12,A9999999,A0000002,100.00,ALL,wire,unknown account,");
    append("transfers", "TBAD-2,2021-03-04 10:11:12,A0000001,A0000002,-5.00,ALL,wire,negative,");
    append("company_ownership", "C00001,P000001,shareholder,1.5,2020-01-01,");
    append("property_titles", "R00001,P9999999,0.5,2020-01-01,1000.00,EUR,,");
    append("encumbrances", "R00001,C00001,0,ALL,2020-01-01,");
    append("persons", "P000001,Duplicate Person,1980-01-01,,,Tiranë");
}

/// A row as JSON, decimals normalised (1.50 = 1.5) and, for the CSV side, the line turned into
/// the Parquet row (CSV line 1 is the header; Parquet row 1 is the first data row).
fn norm(v: serde_json::Value, line_shift: i64) -> serde_json::Value {
    use serde_json::Value;
    match v {
        Value::String(s) => match Decimal::from_str(&s) {
            Ok(d) if s.contains('.') => Value::String(d.normalize().to_string()),
            _ => Value::String(s),
        },
        Value::Array(a) => Value::Array(a.into_iter().map(|x| norm(x, line_shift)).collect()),
        Value::Object(o) => Value::Object(
            o.into_iter()
                .map(|(k, x)| {
                    let x = match (k.as_str(), x) {
                        ("prov", Value::Object(mut p)) => {
                            let line = p.get("line").and_then(Value::as_i64).unwrap();
                            p.insert("line".into(), Value::from(line + line_shift));
                            Value::Object(p)
                        }
                        (_, x) => norm(x, line_shift),
                    };
                    (k, x)
                })
                .collect(),
        ),
        x => x,
    }
}

fn rows<T: serde::Serialize>(rows: &[T], shift: i64) -> Vec<serde_json::Value> {
    rows.iter().map(|r| norm(serde_json::to_value(r).unwrap(), shift)).collect()
}

/// Asserts that `a` (from CSV) and `b` are the same case; `pq` names the tables `b` read from
/// Parquet (their rows are numbered from the first data row, one less than the CSV line).
fn same_case(a: &Loaded, b: &Loaded, pq: &[&str]) {
    let shift = |t: &str| if pq.contains(&t) { -1 } else { 0 };
    let (ca, cb) = (&a.case, &b.case);
    for (ta, tb) in a.report.tables.iter().zip(&b.report.tables) {
        assert_eq!(
            (&ta.table, ta.read, ta.loaded, ta.rejected, ta.warnings),
            (&tb.table, tb.read, tb.loaded, tb.rejected, tb.warnings)
        );
    }
    assert_eq!(a.report.tables.len(), b.report.tables.len());
    macro_rules! same {
        ($field:ident, $table:expr) => {
            assert_eq!(rows(&ca.$field.rows, shift($table)), rows(&cb.$field.rows, 0), "table {}", $table);
        };
    }
    same!(persons, "persons");
    same!(companies, "companies");
    same!(accounts, "accounts");
    same!(properties, "properties");
    same!(titles, "property_titles");
    same!(encumbrances, "encumbrances");
    same!(ownership, "company_ownership");
    same!(relations, "relations");
    same!(income, "income");
    same!(suspects, "suspects");
    same!(victims, "victims");
    // A DOUBLE rate reads as its shortest decimal: 138.3350 comes back as 138.335, the same value.
    let fx = |c: &moneytrail::model::Case| -> Vec<_> {
        c.fx.rates().iter().map(|r| (r.date, r.currency, r.rate.normalize())).collect()
    };
    assert!(fx(ca) == fx(cb), "fx_rates differ");
    let (x, y) = (&ca.transfers, &cb.transfers);
    assert_eq!(x.len(), y.len());
    let s = shift("transfers");
    for i in 0..x.len() {
        assert_eq!(x.txn_id.get(i), y.txn_id.get(i));
        assert_eq!(x.booked_at[i], y.booked_at[i]);
        assert_eq!((x.from[i], x.to[i]), (y.from[i], y.to[i]));
        let (m, n) = (x.amount(i), y.amount(i));
        assert_eq!((m, m.scale()), (n, n.scale()), "amount of {}", x.txn_id.get(i));
        assert_eq!((x.currency[i], x.fx[i], x.channel[i]), (y.currency[i], y.fx[i], y.channel[i]));
        assert_eq!(x.reference.get(i), y.reference.get(i));
        assert_eq!(x.branch_city[i], y.branch_city[i]);
        assert_eq!(x.prov(i).line as i64 + s, y.prov(i).line as i64);
        assert_eq!(x.prov(i).file, y.prov(i).file);
    }
    // Same rejects, each at the matching row of its own file.
    let key = |l: &Loaded, r: &moneytrail::ingest::Issue| {
        let t = r.table.as_str();
        let is_pq = std::ptr::eq(l, b) && pq.contains(&t);
        let line = r.line as i64 + if is_pq { 0 } else { shift(t) };
        let value = match Decimal::from_str(&r.value) {
            Ok(d) => d.normalize().to_string(),
            Err(_) => r.value.clone(),
        };
        let file = r.file.replace(".parquet", ".csv");
        (t.to_string(), file, line, r.column.clone(), value, r.reason.clone())
    };
    let ra: Vec<_> = a.report.rejects.iter().map(|r| key(a, r)).collect();
    let rb: Vec<_> = b.report.rejects.iter().map(|r| key(b, r)).collect();
    assert_eq!(ra, rb);
}

#[test]
fn every_table_as_parquet_loads_as_the_same_case_as_csv() {
    let tmp = tempfile::tempdir().unwrap();
    let (csv_dir, pq_dir, mixed) = (tmp.path().join("csv"), tmp.path().join("pq"), tmp.path().join("mixed"));
    let cfg = GenConfig { seed: 11, transfers: 3_000, ..GenConfig::default() };
    generate(&cfg, &csv_dir).unwrap();
    corrupt(&csv_dir);
    for d in [&pq_dir, &mixed] {
        std::fs::create_dir_all(d).unwrap();
        std::fs::copy(csv_dir.join("case.toml"), d.join("case.toml")).unwrap();
    }
    for (i, t) in TABLES.iter().enumerate() {
        assert!(csv_dir.join(format!("{t}.csv")).is_file(), "the generator writes {t}");
        // Transfers in row groups of 700 rows: read one group at a time, batches never span two.
        to_parquet_in_groups(&csv_dir, t, &pq_dir, (*t == "transfers").then_some(700));
        // Mixed: every other table stays CSV.
        if i % 2 == 0 {
            to_parquet(&csv_dir, t, &mixed);
        } else {
            std::fs::copy(csv_dir.join(format!("{t}.csv")), mixed.join(format!("{t}.csv"))).unwrap();
        }
    }
    let t0 = std::time::Instant::now();
    let a = load_case(&csv_dir, &LoadOptions::default()).unwrap();
    let t_csv = t0.elapsed();
    let t0 = std::time::Instant::now();
    let b = load_case(&pq_dir, &LoadOptions::default()).unwrap();
    let t_pq = t0.elapsed();
    eprintln!("load of {} transfers: CSV {t_csv:?}, Parquet {t_pq:?}", a.case.transfers.len());
    assert!(a.report.reconciles() && b.report.reconciles());
    assert!(a.case.transfers.len() >= 2_900, "a few thousand transfers load");
    // The injected bad rows are rejected, the generated ones are not.
    assert_eq!(a.report.rejects.len(), 6, "{:#?}", a.report.rejects);
    same_case(&a, &b, TABLES);
    // Every input file is a Parquet file, hashed.
    for f in b.case.files.iter().skip(1) {
        assert!(f.path.ends_with(".parquet") && f.sha256.len() == 64, "{f:?}");
    }
    // Provenance points at the Parquet row: read it back and compare the ids.
    let f = std::fs::File::open(pq_dir.join("transfers.parquet")).unwrap();
    let mut reader = ParquetReader::new(f);
    let groups = reader.get_metadata().unwrap().row_groups.len();
    assert!(groups >= 4, "transfers.parquet has {groups} row groups");
    let df = reader.finish().unwrap();
    let ids = df.column("txn_id").unwrap().as_materialized_series().str().unwrap().clone();
    for i in [0, 1, b.case.transfers.len() / 2, b.case.transfers.len() - 1] {
        let row = b.case.transfers.prov(i).line as usize;
        assert_eq!(ids.get(row - 1), Some(b.case.transfers.txn_id.get(i)), "row {row} is 1-based");
    }
    let bad = b.report.rejects.iter().find(|r| r.table == "transfers" && r.value == "A9999999").unwrap();
    assert_eq!(ids.get(bad.line as usize - 1), Some("TBAD-1"), "{bad:?}");

    let even: Vec<&str> = TABLES.iter().step_by(2).copied().collect();
    let m = load_case(&mixed, &LoadOptions::default()).unwrap();
    assert!(m.report.reconciles());
    same_case(&a, &m, &even);
    let kinds: Vec<&str> = m.case.files.iter().skip(1).map(|f| f.path.rsplit('.').next().unwrap()).collect();
    assert!(kinds.contains(&"csv") && kinds.contains(&"parquet"), "{kinds:?}");
}

/// Writes one Parquet table (`df`) into a fresh case with `toml_extra` appended to case.toml.
fn case_with(table: &str, mut df: DataFrame, toml_extra: &str) -> (tempfile::TempDir, Loaded) {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let toml = format!("name = 'pq'\nbase_currency = 'ALL'\nvaluation_date = '2024-12-31'\n{toml_extra}");
    std::fs::write(d.join("case.toml"), toml).unwrap();
    let f = std::fs::File::create(d.join(format!("{table}.parquet"))).unwrap();
    ParquetWriter::new(f).finish(&mut df).unwrap();
    let l = load_case(d, &LoadOptions::default()).unwrap();
    assert!(l.report.reconciles());
    (dir, l)
}

fn dates(name: &str, v: &[Option<&str>]) -> Column {
    let days: Vec<Option<i32>> = v.iter().map(|d| d.map(|d| Date::parse_iso(d).unwrap().0)).collect();
    Int32Chunked::from_slice_options(name.into(), &days).into_date().into_series().into()
}

#[test]
fn typed_values_ignore_text_settings_and_unreadable_types_are_refused_per_row() {
    // Text settings for CSV exports (day-first dates, decimal comma) do not apply to typed columns.
    let read = "[read]\ndate_format = '%d.%m.%Y'\ndecimal_comma = true\nthousands_separator = '.'\n";
    let rates = DataFrame::new_infer_height(vec![
        dates("date", &[Some("2020-01-01"), Some("2020-01-02"), None]),
        Series::new("currency".into(), ["EUR", "EUR", "EUR"]).into(),
        Int128Chunked::from_slice_options("rate".into(), &[Some(1_234_567), Some(1_235), Some(1_200)])
            .into_decimal(20, 4)
            .unwrap()
            .into_series()
            .into(),
    ])
    .unwrap();
    let (_d, l) = case_with("fx_rates", rates, read);
    let r = &l.report.rejects;
    assert_eq!(r.len(), 1, "{r:?}");
    assert_eq!((r[0].line, r[0].column.as_str()), (3, "date"), "{r:?}");
    let got: Vec<String> = l.case.fx.rates().iter().map(|x| format!("{} {}", x.date, x.rate)).collect();
    assert_eq!(got, ["2020-01-01 123.4567", "2020-01-02 0.1235"]);

    // A float amount is refused (floats lose cents), a null one is "empty", a float share loads.
    let accounts = df!("account_id" => ["A1", "A2"], "currency" => ["ALL", "ALL"]).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("case.toml"), "name = 'pq'\nbase_currency = 'ALL'\nvaluation_date = '2024-12-31'\n").unwrap();
    ParquetWriter::new(std::fs::File::create(d.join("accounts.parquet")).unwrap())
        .finish(&mut accounts.clone())
        .unwrap();
    let micros = |s: &str| DateTime::parse_iso(s).unwrap().0 * 1_000_000;
    let booked: Vec<Option<i64>> = vec![Some(micros("2021-01-01 10:00:00")); 4];
    let mut transfers = DataFrame::new_infer_height(vec![
        Series::new("txn_id".into(), ["T1", "T2", "T3", "T4"]).into(),
        Int64Chunked::from_slice_options("booked_at".into(), &booked)
            .into_datetime(TimeUnit::Microseconds, None)
            .into_series()
            .into(),
        Series::new("from_account".into(), ["A1", "A1", "A1", "A1"]).into(),
        Series::new("to_account".into(), ["A2", "A2", "A2", "A2"]).into(),
        Series::new("amount".into(), [Some(0.1f64), Some(100.0), None, Some(12.5)]).into(),
        Series::new("channel".into(), ["wire", "wire", "wire", "wire"]).into(),
    ])
    .unwrap();
    ParquetWriter::new(std::fs::File::create(d.join("transfers.parquet")).unwrap()).finish(&mut transfers).unwrap();
    let l = load_case(d, &LoadOptions::default()).unwrap();
    assert!(l.report.reconciles());
    assert_eq!(l.case.transfers.len(), 0);
    let r: Vec<_> = l.report.rejects.iter().map(|r| (r.line, r.column.as_str(), r.value.as_str())).collect();
    assert_eq!(r, [(1, "amount", "0.1"), (2, "amount", "100"), (3, "amount", ""), (4, "amount", "12.5")]);
    assert!(l.report.rejects[0].reason.contains("floating point loses cents"), "{:?}", l.report.rejects[0]);
    assert!(l.report.rejects[0].reason.contains("DECIMAL"));
    assert!(l.report.rejects[2].reason.contains("empty but required"));
    assert_eq!(l.report.rejects[0].file, "transfers.parquet");

    // A time-zone-aware booking time (an instant) is refused; a bare Date means midnight.
    let mut tz = transfers.clone();
    let instants = Int64Chunked::from_slice_options("booked_at".into(), &booked)
        .into_datetime(TimeUnit::Microseconds, Some(TimeZone::UTC))
        .into_series();
    tz.replace("booked_at", instants.into()).unwrap();
    let dec = Int128Chunked::from_slice_options("amount".into(), &[Some(10), Some(20), Some(30), Some(40)])
        .into_decimal(18, 2)
        .unwrap()
        .into_series();
    tz.replace("amount", dec.clone().into()).unwrap();
    ParquetWriter::new(std::fs::File::create(d.join("transfers.parquet")).unwrap()).finish(&mut tz).unwrap();
    let l = load_case(d, &LoadOptions::default()).unwrap();
    assert_eq!(l.report.rejects.len(), 4);
    assert!(
        l.report.rejects.iter().all(|r| r.column == "booked_at" && r.reason.contains("time zone")),
        "{:?}",
        l.report.rejects
    );
    let mut day = transfers.clone();
    day.replace("booked_at", dates("booked_at", &[Some("2021-01-01"); 4])).unwrap();
    day.replace("amount", dec.into()).unwrap();
    ParquetWriter::new(std::fs::File::create(d.join("transfers.parquet")).unwrap()).finish(&mut day).unwrap();
    let l = load_case(d, &LoadOptions::default()).unwrap();
    assert!(l.report.rejects.is_empty(), "{:?}", l.report.rejects);
    assert_eq!(l.case.transfers.booked_at[0].to_string(), "2021-01-01 00:00:00");
    assert_eq!(l.case.transfers.amount(3).to_string(), "0.40");

    // A type moneytrail cannot read as a contract column (binary) is refused per row with its
    // type named; null cells stay empty. In an extra column it is kept as text.
    let persons = DataFrame::new_infer_height(vec![
        Series::new("person_id".into(), ["P1", "P2"]).into(),
        Series::new("full_name".into(), [Some(b"Arb\xc3\xabn".as_slice()), None]).into(),
    ])
    .unwrap();
    let (_d, l) = case_with("persons", persons, "");
    let r = &l.report.rejects;
    assert_eq!(r.len(), 2, "{r:?}");
    assert!(r[0].reason.contains("binary") && r[0].reason.contains("not supported"), "{r:?}");
    assert!(r[1].reason.contains("empty but required"), "{r:?}");
}
