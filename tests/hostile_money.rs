//! Issue 14, "Money arithmetic panics": amounts past the documented range (docs/data-model.md,
//! "Amount range") are row rejects at ingest, named by file, line and column, and no later
//! command panics on the case (exit 101 was "Addition overflowed"). Every probe runs the real
//! binary on a copy of the demo case.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn run(args: &[&std::ffi::OsStr]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_moneytrail"))
        .args(args)
        .env("MONEYTRAIL_SEAL_PASSPHRASE", "demo case passphrase")
        .output()
        .unwrap()
}

fn demo_copy(dir: &Path) -> PathBuf {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets/demo");
    let dst = dir.join("case");
    std::fs::create_dir_all(dst.join("truth")).unwrap();
    for sub in ["", "truth"] {
        for e in std::fs::read_dir(src.join(sub)).unwrap().flatten() {
            if e.path().is_file() {
                std::fs::copy(e.path(), dst.join(sub).join(e.file_name())).unwrap();
            }
        }
    }
    dst
}

/// Appends transfer rows to the case's transfers.csv.
fn add_transfers(case: &Path, rows: &[String]) {
    let mut t = std::fs::read_to_string(case.join("transfers.csv")).unwrap();
    for r in rows {
        t.push_str(r);
        t.push('\n');
    }
    std::fs::write(case.join("transfers.csv"), t).unwrap();
}

fn lines_of(case: &Path) -> usize {
    std::fs::read_to_string(case.join("transfers.csv")).unwrap().lines().count()
}

/// Runs `ingest` and returns its rejects.csv.
fn ingest_rejects(case: &Path, tmp: &Path) -> (Output, String) {
    let out = tmp.join("ingest-out");
    let o = run(&["ingest".as_ref(), case.as_os_str(), "--out".as_ref(), out.as_os_str()]);
    let rejects = std::fs::read_to_string(out.join("rejects.csv")).unwrap_or_default();
    (o, rejects)
}

/// Every command that sums or converts amounts: none may panic, each either runs or stops
/// with a message (exit 0, 1 or 2, never 101).
fn no_command_panics(case: &Path, tmp: &Path) {
    let q = tmp.join("q.cypher");
    std::fs::write(&q, "MATCH (a:Account)-[t:TRANSFER]->(b:Account) RETURN sum(t.amount) AS total\n").unwrap();
    let o = |name: &str| tmp.join(name).into_os_string();
    let c = case.as_os_str();
    let runs: Vec<(&str, Vec<std::ffi::OsString>)> = vec![
        ("detect", vec!["detect".into(), c.into(), "--out".into(), o("f.csv")]),
        ("investigate", vec!["investigate".into(), c.into(), "--out".into(), o("bundle"), "--no-graphviz".into()]),
        (
            "export",
            vec!["export".into(), c.into(), "--format".into(), "graphml".into(), "--out".into(), o("g.graphml")],
        ),
        ("eval", vec!["eval".into(), c.into()]),
        ("compensation", vec!["compensation".into(), c.into(), "--out".into(), o("comp.csv")]),
        ("victims", vec!["victims".into(), c.into(), "--out".into(), o("v.csv")]),
        ("resolve", vec!["resolve".into(), c.into(), "--out".into(), o("r.csv")]),
        ("query", vec!["query".into(), c.into(), q.clone().into_os_string(), "--out".into(), o("q.csv")]),
    ];
    for (name, args) in runs {
        let args: Vec<&std::ffi::OsStr> = args.iter().map(|a| a.as_os_str()).collect();
        let r = run(&args);
        let err = String::from_utf8_lossy(&r.stderr);
        assert!(
            !err.contains("panicked") && r.status.code() != Some(101),
            "{name} panicked (exit {:?}): {}",
            r.status.code(),
            &err[..err.len().min(2000)]
        );
        assert!(matches!(r.status.code(), Some(0..=2)), "{name}: exit {:?}: {err}", r.status.code());
    }
}

#[test]
fn ten_transfers_of_9e27_into_one_account_are_rejects_and_no_command_panics() {
    let tmp = tempfile::tempdir().unwrap();
    let case = demo_copy(tmp.path());
    let first = lines_of(&case) + 1;
    let rows: Vec<String> = (0..10)
        .map(|i| {
            format!("TBIG{i},2024-03-0{} 10:00:00,A0000014,A0000020,9000000000000000000000000000,ALL,wire,,", i % 9 + 1)
        })
        .collect();
    add_transfers(&case, &rows);
    let (o, rejects) = ingest_rejects(&case, tmp.path());
    assert_eq!(o.status.code(), Some(1), "rows were rejected: {}", String::from_utf8_lossy(&o.stderr));
    for i in 0..10 {
        let line = first + i;
        assert!(
            rejects
                .lines()
                .any(|l| l.contains(&format!("transfers.csv,{line},amount")) && l.contains("digits before the point")),
            "line {line} rejected for its amount:\n{rejects}"
        );
    }
    no_command_panics(&case, tmp.path());
}

#[test]
fn a_28_digit_eur_amount_in_an_all_case_is_a_reject_and_no_command_panics() {
    let tmp = tempfile::tempdir().unwrap();
    let case = demo_copy(tmp.path());
    let line = lines_of(&case) + 1;
    add_transfers(
        &case,
        &["TEUR,2024-03-01 10:00:00,A0000016,A0000021,9000000000000000000000000000,EUR,wire,,".into()],
    );
    let (o, rejects) = ingest_rejects(&case, tmp.path());
    assert_eq!(o.status.code(), Some(1));
    assert!(rejects.contains(&format!("transfers.csv,{line},amount")), "{rejects}");
    no_command_panics(&case, tmp.path());
}

#[test]
fn a_29_digit_amount_is_rejected_like_a_30_digit_one() {
    let tmp = tempfile::tempdir().unwrap();
    let case = demo_copy(tmp.path());
    let line = lines_of(&case) + 1;
    add_transfers(
        &case,
        &[
            "T29,2024-03-01 10:00:00,A0000014,A0000020,12345678901234567890123456789,ALL,wire,,".into(),
            "T30,2024-03-01 10:00:00,A0000014,A0000020,123456789012345678901234567890,ALL,wire,,".into(),
        ],
    );
    let (o, rejects) = ingest_rejects(&case, tmp.path());
    assert_eq!(o.status.code(), Some(1));
    for l in [line, line + 1] {
        assert!(rejects.contains(&format!("transfers.csv,{l},amount")), "line {l}:\n{rejects}");
    }
}

#[test]
fn the_largest_amount_in_range_is_loaded_and_every_command_runs() {
    // 12 digits before the point at ten transfers into one account, plus the same in EUR at the
    // case's rates: the range holds for every later sum and conversion.
    let tmp = tempfile::tempdir().unwrap();
    let case = demo_copy(tmp.path());
    let mut rows: Vec<String> = (0..10)
        .map(|i| format!("TMAX{i},2024-03-0{} 10:00:00,A0000014,A0000020,999999999999.99,ALL,wire,,", i % 9 + 1))
        .collect();
    rows.push("TMAXE,2024-03-01 10:00:00,A0000016,A0000021,999999999999.99,EUR,wire,,".into());
    add_transfers(&case, &rows);
    let (o, rejects) = ingest_rejects(&case, tmp.path());
    assert!(!rejects.contains("TMAX"), "{rejects}");
    assert!(matches!(o.status.code(), Some(0 | 1)), "{}", String::from_utf8_lossy(&o.stderr));
    no_command_panics(&case, tmp.path());
}

#[test]
fn an_amount_with_extra_decimals_is_rejected_not_rounded() {
    let tmp = tempfile::tempdir().unwrap();
    let case = demo_copy(tmp.path());
    let line = lines_of(&case) + 1;
    add_transfers(
        &case,
        &[
            // 29 decimals: rust_decimal alone rounds this to 12.5.
            "TDEC1,2024-03-01 10:00:00,A0000014,A0000020,12.49999999999999999999999999999,ALL,wire,,".into(),
            // Three decimals in a currency of two (ISO 4217 minor units of ALL: 2).
            "TDEC2,2024-03-01 10:00:00,A0000014,A0000020,12.345,ALL,wire,,".into(),
            // Trailing zeros lose nothing: loaded.
            "TDEC3,2024-03-01 10:00:00,A0000014,A0000020,12.3400,ALL,wire,,".into(),
        ],
    );
    let (_, rejects) = ingest_rejects(&case, tmp.path());
    assert!(rejects.contains(&format!("transfers.csv,{line},amount")), "{rejects}");
    assert!(
        rejects.lines().any(|l| l.contains(&format!("transfers.csv,{},amount", line + 1)) && l.contains("ALL has 2")),
        "{rejects}"
    );
    assert!(!rejects.contains(&format!("transfers.csv,{},", line + 2)), "{rejects}");
}

#[test]
fn a_rate_past_the_range_is_a_reject_at_ingest() {
    let tmp = tempfile::tempdir().unwrap();
    let case = demo_copy(tmp.path());
    let mut fx = std::fs::read_to_string(case.join("fx_rates.csv")).unwrap();
    let line = fx.lines().count() + 1;
    fx.push_str("2026-01-05,EUR,10000\n2026-01-06,EUR,96.12345678901\n");
    std::fs::write(case.join("fx_rates.csv"), fx).unwrap();
    let (_, rejects) = ingest_rejects(&case, tmp.path());
    assert!(rejects.contains(&format!("fx_rates.csv,{line},rate")), "{rejects}");
    assert!(rejects.contains(&format!("fx_rates.csv,{},rate", line + 1)), "{rejects}");
}
