//! Tracing a whole case folder (`moneytrail trace` and `trace::case`): the worked example of
//! docs/methodology.md#tracing.1 written as CSV files, with its exact figures per rule; sources chosen by
//! transfer, by account window and by a findings file; hop-by-hop propagation through a currency
//! conversion into a property purchase, with the rate recorded.

use moneytrail::export::tracing::write_trace_csv;
use moneytrail::ingest::{load_case, LoadOptions};
use moneytrail::model::{Case, Date};
use moneytrail::trace::case::{findings_txn_ids, trace_case, Destination, Destinations, SourceSelection};
use moneytrail::trace::{Label, Rule, TraceConfig, TraceResult};
use rust_decimal::Decimal;
use std::path::Path;

mod common;
use common::write_case;

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn load(dir: &Path) -> Case {
    let loaded = load_case(dir, &LoadOptions::default()).unwrap();
    assert_eq!(loaded.report.rejected(), 0, "{:?}", loaded.report);
    loaded.case
}

/// docs/methodology.md#tracing.1: S's account A1; t1 salary 1,000 (from the employer's account), t2
/// trafficking cash 3,000, t3 car X (a registered vehicle title paid by T3) 2,500 to the dealer,
/// t4 salary 1,000, t5 2,000 to relative Y (a sibling).
fn worked_example(dir: &Path) {
    write_case(
        dir,
        "2024-12-31",
        &[
            ("persons.csv", &["PS,Suspect S,1980-01-01,,Rruga 1,Tiranë", "PY,Relative Y,1982-01-01,,Rruga 2,Tiranë"]),
            (
                "companies.csv",
                &[
                    "CE,Employer SH.P.K.,L1,SH.P.K.,Rruga 3,Tiranë,2010-01-01,,5",
                    "CD,Auto SH.P.K.,L2,SH.P.K.,Rruga 4,Tiranë,2010-01-01,,3",
                ],
            ),
            (
                "accounts.csv",
                &[
                    "A1,,BKT,PS,2020-01-01,,ALL",
                    "A2,,BKT,PY,2020-01-01,,ALL",
                    "AE,,BKT,CE,2010-01-01,,ALL",
                    "AD,,BKT,CD,2010-01-01,,ALL",
                ],
            ),
            (
                "transfers.csv",
                &[
                    "T1,2024-03-01 09:00:00,AE,A1,1000.00,ALL,wire,Paga,",
                    "T2,2024-03-02 19:00:00,,A1,3000.00,ALL,cash_deposit,Derdhje cash,Tiranë",
                    "T3,2024-03-03 10:00:00,A1,AD,2500.00,ALL,wire,Makina X,",
                    "T4,2024-04-01 09:00:00,AE,A1,1000.00,ALL,wire,Paga,",
                    "T5,2024-04-02 12:00:00,A1,A2,2000.00,ALL,wire,Dhuratë,",
                ],
            ),
            ("properties.csv", &["VX,,vehicle,Tiranë,,,2400.00,,ALL,2024-12-01"]),
            ("property_titles.csv", &["VX,PS,1,2024-03-03,2500.00,ALL,,T3"]),
            ("relations.csv", &["PS,PY,sibling"]),
            ("suspects.csv", &["PS,trafficking,SPAK-1,2024-01-01"]),
        ],
    );
}

fn by_rule(results: &[TraceResult], rule: Rule) -> &TraceResult {
    results.iter().find(|r| r.rule == rule).unwrap()
}

/// (car X, relative Y, left in A1, total attributed) per rule, as in the methodology.md#tracing-example table.
fn figures(case: &Case, results: &[TraceResult], rule: Rule) -> [Decimal; 4] {
    let r = by_rule(results, rule);
    let seq = |id: &str| (0..case.transfers.len()).find(|&i| case.transfers.txn_id.get(i) == id).unwrap() as u32;
    let a1 = case.account("A1").unwrap();
    let s = r.summary(Label(1)).unwrap();
    [
        r.tainted_in_event(seq("T3"), Label(1)),
        r.tainted_in_event(seq("T5"), Label(1)),
        r.remaining(a1.raw(), Label(1)),
        s.attributed(),
    ]
}

#[test]
fn worked_example_as_a_case_folder_gives_the_domain_figures_for_every_rule() {
    let dir = tempfile::tempdir().unwrap();
    worked_example(dir.path());
    let case = load(dir.path());
    let sel = [SourceSelection::Txns(vec!["T2".into()])];
    let results = trace_case(&case, &sel, &Rule::ALL, &TraceConfig::default()).unwrap();
    let table = [
        (Rule::Fifo, ["1500", "1500", "0", "3000"]),
        (Rule::Lifo, ["2500", "500", "0", "3000"]),
        (Rule::ProRata, ["1875", "900", "225", "3000"]),
        (Rule::Libr, ["1500", "1000", "500", "3000"]),
        (Rule::Poison, ["2500", "2000", "500", "5000"]),
    ];
    for (rule, want) in table {
        let want = want.map(d);
        assert_eq!(figures(&case, &results, rule), want, "{rule}");
    }
    // The car is a property purchase, Y a person: the destinations the report names.
    let dest = Destinations::new(&case);
    let vx = case.property_index["VX"];
    assert_eq!(dest.of(&case, 2), Destination::Property(vx));
    assert!(matches!(dest.of(&case, 4), Destination::Person(_)));
}

#[test]
fn account_window_and_findings_file_select_the_same_source() {
    let dir = tempfile::tempdir().unwrap();
    worked_example(dir.path());
    let case = load(dir.path());
    let day = Date::parse_iso("2024-03-02");
    // Every credit to A1 on 2 March: only the cash deposit T2.
    let window = [SourceSelection::Account { account: "A1".into(), from: day, to: day }];
    let a = trace_case(&case, &window, &[Rule::Fifo], &TraceConfig::default()).unwrap();
    let findings = "finding_id,typology,txn_ids\nF1,structuring,T2\nF2,fan_in,T2;\n";
    let ids = findings_txn_ids(findings.as_bytes()).unwrap();
    assert_eq!(ids, vec!["T2".to_string()]);
    let b = trace_case(&case, &[SourceSelection::Txns(ids)], &[Rule::Fifo], &TraceConfig::default()).unwrap();
    assert_eq!(a, b);
    assert_eq!(figures(&case, &a, Rule::Fifo), ["1500", "1500", "0", "3000"].map(d));
    // Unknown ids are errors that name the id.
    let bad = trace_case(&case, &[SourceSelection::Txns(vec!["T9".into()])], &[Rule::Fifo], &TraceConfig::default());
    assert!(bad.unwrap_err().to_string().contains("'T9'"));
    assert!(findings_txn_ids("a,b\n1,2\n".as_bytes()).is_err());
}

#[test]
fn trace_command_writes_rows_with_hops_provenance_and_rates() {
    let dir = tempfile::tempdir().unwrap();
    // Cash EUR 1,000 into the suspect's EUR account (rate 100.50), EUR 600 to a relative's ALL
    // account on 1 Feb (rate 101.25: ALL 60,750), which pays a developer ALL 60,750 for R1.
    write_case(
        dir.path(),
        "2024-12-31",
        &[
            ("persons.csv", &["PS,Suspect S,1980-01-01,,Rruga 1,Tiranë", "PW,Wife W,1982-01-01,,Rruga 1,Tiranë"]),
            ("companies.csv", &["CD,Ndërtim SH.P.K.,L2,SH.P.K.,Rruga 4,Tiranë,2010-01-01,,3"]),
            (
                "accounts.csv",
                &["AE,,BKT,PS,2020-01-01,,EUR", "AW,,BKT,PW,2020-01-01,,ALL", "AD,,BKT,CD,2010-01-01,,ALL"],
            ),
            (
                "transfers.csv",
                &[
                    "T1,2024-01-10 19:00:00,,AE,1000.00,EUR,cash_deposit,Derdhje cash,Tiranë",
                    "T2,2024-02-01 10:00:00,AE,AW,600.00,EUR,wire,Dhuratë,",
                    "T3,2024-02-10 10:00:00,AW,AD,60750.00,ALL,wire,Pagesë për blerje pasurie,",
                ],
            ),
            ("properties.csv", &["R1,TR-1,apartment,Tiranë,8270,80,90000.00,,ALL,2024-06-01"]),
            ("property_titles.csv", &["R1,PW,1,2024-02-10,60750.00,ALL,,T3"]),
            ("relations.csv", &["PS,PW,spouse"]),
            ("suspects.csv", &["PS,trafficking,SPAK-1,2024-01-01"]),
            ("fx_rates.csv", &["2024-01-01,EUR,100.50", "2024-02-01,EUR,101.25"]),
        ],
    );
    // Outside the case folder: inputs are read-only to every command.
    let outdir = tempfile::tempdir().unwrap();
    let out = outdir.path().join("trace.csv");
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_moneytrail"))
        .arg("trace")
        .arg(dir.path())
        .args(["--source-account", "AE", "--rule", "fifo", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(status.status.success(), "{}", String::from_utf8_lossy(&status.stderr));
    let mut rdr = csv::Reader::from_path(&out).unwrap();
    let h = rdr.headers().unwrap().clone();
    let col = |name: &str| h.iter().position(|x| x == name).unwrap();
    let rows: Vec<csv::StringRecord> = rdr.records().map(Result::unwrap).collect();
    let get = |r: &csv::StringRecord, c: &str| r[col(c)].to_string();
    let got: Vec<[String; 7]> = rows
        .iter()
        .map(|r| {
            [
                get(r, "rule"),
                get(r, "txn_id"),
                get(r, "tainted_amount"),
                get(r, "hop"),
                get(r, "fx_rate"),
                get(r, "destination"),
                get(r, "line"),
            ]
        })
        .collect();
    let s = |v: [&str; 7]| v.map(str::to_string);
    assert_eq!(
        got,
        vec![
            s(["fifo", "T1", "100500.00", "0", "100.50", "person PS", "2"]),
            s(["fifo", "T2", "60750.00", "1", "101.25", "person PW", "3"]),
            s(["fifo", "T3", "60750.00", "2", "1", "property R1", "4"]),
        ]
    );
    assert!(rows.iter().all(|r| get(r, "file") == "transfers.csv" && get(r, "currency") == "ALL"));
    // Same through the library, every rule: conservation in the base currency.
    let case = load(dir.path());
    let sel = [SourceSelection::Account { account: "AE".into(), from: None, to: None }];
    let results = trace_case(&case, &sel, &[Rule::Fifo, Rule::Libr, Rule::ProRata], &TraceConfig::default()).unwrap();
    for r in &results {
        let sm = r.summary(Label(1)).unwrap();
        assert_eq!((sm.introduced, sm.remaining), (d("100500.00"), d("100500.00")), "{}", r.rule);
        assert_eq!(r.tainted_in_event(2, Label(1)), d("60750.00"), "{}", r.rule);
    }
    let mut buf = Vec::new();
    write_trace_csv(&case, &results, &mut buf).unwrap();
    assert!(String::from_utf8(buf)
        .unwrap()
        .starts_with("rule,txn_id,from_account,to_account,amount,tainted_amount,hop"));
}

/// With opening balances at zero an account can be overdrawn: taint paid into the overdraft is
/// absorbed (Bishopsgate v Homan), reported, and conservation still holds.
#[test]
fn overdraft_absorbs_taint_when_openings_are_zero() {
    use moneytrail::trace::OpeningPolicy;
    let dir = tempfile::tempdir().unwrap();
    write_case(
        dir.path(),
        "2024-12-31",
        &[
            ("persons.csv", &["PS,Suspect S,1980-01-01,,Rruga 1,Tiranë"]),
            ("accounts.csv", &["A1,,BKT,PS,2020-01-01,,ALL"]),
            (
                "transfers.csv",
                &[
                    "T1,2024-03-01 09:00:00,A1,,500.00,ALL,cash_withdrawal,,Tiranë",
                    "T2,2024-03-02 19:00:00,,A1,3000.00,ALL,cash_deposit,,Tiranë",
                    "T3,2024-03-03 10:00:00,A1,,1000.00,ALL,cash_withdrawal,,Tiranë",
                ],
            ),
        ],
    );
    let case = load(dir.path());
    let sel = [SourceSelection::Txns(vec!["T2".into()])];
    let zero = TraceConfig { opening: OpeningPolicy::Zero, ..TraceConfig::default() };
    for rule in [Rule::Fifo, Rule::Libr, Rule::ProRata] {
        let r = &trace_case(&case, &sel, &[rule], &zero).unwrap()[0];
        let s = r.summary(Label(1)).unwrap();
        let want = [d("3000"), d("500"), d("1000"), d("1500")];
        assert_eq!([s.introduced, s.absorbed_by_overdraft, s.exited, s.remaining], want, "{rule}");
        // Minimal clean opening: the account held 500 of unknown clean money before T1.
        let m = &trace_case(&case, &sel, &[rule], &TraceConfig::default()).unwrap()[0];
        assert_eq!(m.summary(Label(1)).unwrap().absorbed_by_overdraft, Decimal::ZERO, "{rule}");
    }
}

/// `--source-query`: the rows of a query file become tracing sources.
#[test]
fn a_query_file_can_name_the_sources() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = tempfile::tempdir().unwrap();
    let csv = out.path().join("trace.csv");
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_moneytrail"))
        .arg("trace")
        .arg(root.join("datasets/demo"))
        .arg("--source-query")
        .arg(root.join("queries/mule_chains.cypher"))
        .args(["--audience", "court", "--rule", "fifo", "--out"])
        .arg(&csv)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = std::fs::read_to_string(&csv).unwrap();
    // The demo's mule chain starts with T000002877; it is a hop-0 source.
    assert!(text.lines().any(|l| l.starts_with("fifo,T000002877,") && l.contains(",0,1,")), "{text}");
}
