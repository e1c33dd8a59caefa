//! The exit-code table of `moneytrail --help` and the README holds for the real binary:
//! 0 done, 1 done with rejected or listed records, 2 cannot run, 3 a verification failed.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_moneytrail"));
    c.env_remove("MONEYTRAIL_SEAL_PASSPHRASE");
    c
}

fn run(args: &[&std::ffi::OsStr]) -> Output {
    bin().args(args).output().unwrap()
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

fn text(o: &Output) -> String {
    format!("{}\n{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

fn demo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets/demo")
}

/// A copy of the demo case with one transfer whose amount is not a number.
fn demo_with_reject(dir: &Path) -> PathBuf {
    let case = dir.join("case");
    std::fs::create_dir_all(&case).unwrap();
    for e in std::fs::read_dir(demo()).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_file() {
            std::fs::copy(e.path(), case.join(e.file_name())).unwrap();
        }
    }
    let mut t = std::fs::read_to_string(case.join("transfers.csv")).unwrap();
    t.push_str("T999999999,2020-01-01 10:00:00,A0000014,A0000020,twelve,ALL,wire,bad amount,\n");
    std::fs::write(case.join("transfers.csv"), t).unwrap();
    case
}

#[test]
fn help_prints_the_table() {
    let o = run(&["--help".as_ref()]);
    assert_eq!(code(&o), 0);
    let t = text(&o);
    for line in [
        "Exit codes:",
        "0  done",
        "1  done with rejected or listed records",
        "2  cannot run",
        "3  a verification failed",
    ] {
        assert!(t.contains(line), "--help lacks '{line}':\n{t}");
    }
    // The README holds the same table.
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    for row in ["| 0 |", "| 1 |", "| 2 |", "| 3 |"] {
        assert!(readme.contains(row), "README lacks the exit-code row {row}");
    }
}

#[test]
fn ingest_exit_codes() {
    let tmp = tempfile::tempdir().unwrap();
    let o = run(&["ingest".as_ref(), demo().as_os_str(), "--out".as_ref(), tmp.path().join("a").as_os_str()]);
    assert_eq!(code(&o), 0, "{}", text(&o));
    let case = demo_with_reject(tmp.path());
    let o = run(&[
        "ingest".as_ref(),
        case.as_os_str(),
        "--out".as_ref(),
        tmp.path().join("b").as_os_str(),
        "--audience".as_ref(),
        "court".as_ref(),
    ]);
    assert_eq!(code(&o), 1, "{}", text(&o));
    assert!(text(&o).contains("1 rows rejected"), "{}", text(&o));
    let o = run(&["ingest".as_ref(), tmp.path().join("nowhere").as_os_str()]);
    assert_eq!(code(&o), 2, "{}", text(&o));
    // A flag clap does not know is "cannot run" too.
    let o = run(&["ingest".as_ref(), "--no-such-flag".as_ref()]);
    assert_eq!(code(&o), 2, "{}", text(&o));
}

#[test]
fn investigate_and_verify_exit_codes() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("bundle");
    let inv = |case: &Path, out: &Path| {
        run(&[
            "investigate".as_ref(),
            case.as_os_str(),
            "--out".as_ref(),
            out.as_os_str(),
            "--audience".as_ref(),
            "court".as_ref(),
            "--no-graphviz".as_ref(),
            "--finding-diagrams".as_ref(),
            "1".as_ref(),
        ])
    };
    let o = inv(&demo(), &out);
    assert_eq!(code(&o), 0, "{}", text(&o));
    let o = run(&["verify".as_ref(), out.as_os_str()]);
    assert_eq!(code(&o), 0, "{}", text(&o));
    // A changed byte: the verification fails, exit 3.
    let f = out.join("findings.csv");
    let mut b = std::fs::read(&f).unwrap();
    b.push(b'\n');
    std::fs::write(&f, b).unwrap();
    let o = run(&["verify".as_ref(), out.as_os_str()]);
    assert_eq!(code(&o), 3, "{}", text(&o));
    // A folder that is no bundle cannot be verified at all: exit 2.
    let o = run(&["verify".as_ref(), tmp.path().as_os_str()]);
    assert_eq!(code(&o), 2, "{}", text(&o));
    // Rows rejected: the bundle is written, exit 1, and stderr says so.
    let case = demo_with_reject(tmp.path());
    let out2 = tmp.path().join("bundle2");
    let o = inv(&case, &out2);
    assert_eq!(code(&o), 1, "{}", text(&o));
    assert!(out2.join("manifest.json").is_file());
    assert!(text(&o).contains("1 input rows were rejected at ingest"), "{}", text(&o));
    // Cannot run: a non-court bundle of a case with victims needs the case passphrase.
    let o = run(&["investigate".as_ref(), demo().as_os_str(), "--out".as_ref(), tmp.path().join("b3").as_os_str()]);
    assert_eq!(code(&o), 2, "{}", text(&o));
}

/// Runs `moneytrail CMD CASE ARGS...` on the demo case (exit 0) and on a copy with one rejected
/// transfer (exit 1, the output written all the same, the loader's warning on stderr naming the
/// rejected rows and `ingest` to list them). `{out}` in `args` stands for a fresh output path per run.
fn loads_with_rejects(cmd: &str, args: &[&str]) {
    let tmp = tempfile::tempdir().unwrap();
    let case = demo_with_reject(tmp.path());
    for (n, (dir, want)) in [(demo(), 0), (case, 1)].into_iter().enumerate() {
        let out = tmp.path().join(format!("out{n}"));
        let out = out.to_str().unwrap();
        let mut argv: Vec<String> = vec![cmd.into(), dir.to_str().unwrap().into()];
        argv.extend(args.iter().map(|a| a.replace("{out}", out)));
        let argv: Vec<&std::ffi::OsStr> = argv.iter().map(|a| a.as_ref()).collect();
        let o = run(&argv);
        assert_eq!(code(&o), want, "{cmd} on {}: {}", dir.display(), text(&o));
        if let Some(a) = args.iter().find(|a| a.contains("{out}")) {
            assert!(Path::new(&a.replace("{out}", out)).exists(), "{cmd} wrote its output despite the rejected row");
        }
        let note = "1 input rows were rejected at ingest; run `moneytrail ingest` to see them";
        assert_eq!(String::from_utf8_lossy(&o.stderr).contains(note), want == 1, "{cmd}: {}", text(&o));
    }
}

#[test]
fn assets_exits_1_with_rejected_rows() {
    loads_with_rejects("assets", &["--out", "{out}.csv", "--audience", "court"]);
}

#[test]
fn compensation_exits_1_with_rejected_rows() {
    loads_with_rejects("compensation", &["--out", "{out}.csv", "--audience", "court"]);
}

#[test]
fn detect_exits_1_with_rejected_rows() {
    loads_with_rejects("detect", &["--out", "{out}.csv", "--audience", "court"]);
}

#[test]
fn eval_exits_1_with_rejected_rows() {
    let truth = demo().join("truth/patterns.csv");
    loads_with_rejects("eval", &["--truth", truth.to_str().unwrap()]);
}

#[test]
fn export_exits_1_with_rejected_rows() {
    loads_with_rejects("export", &["--format", "graphml", "--out", "{out}.graphml", "--audience", "court"]);
}

#[test]
fn query_exits_1_with_rejected_rows() {
    let q = Path::new(env!("CARGO_MANIFEST_DIR")).join("queries/fan_in.cypher");
    loads_with_rejects("query", &[q.to_str().unwrap(), "--format", "csv", "--out", "{out}.csv", "--audience", "court"]);
}

#[test]
fn resolve_exits_1_with_rejected_rows() {
    loads_with_rejects("resolve", &["--out", "{out}.csv", "--audience", "court"]);
}

#[test]
fn trace_exits_1_with_rejected_rows() {
    loads_with_rejects("trace", &["--source-victims", "--out", "{out}.csv", "--audience", "court"]);
}

#[test]
fn victims_exits_1_with_rejected_rows() {
    loads_with_rejects("victims", &["--out", "{out}.csv", "--audience", "court"]);
}

#[test]
fn import_exit_codes() {
    let tmp = tempfile::tempdir().unwrap();
    let clean = tmp.path().join("clean.jsonl");
    let person = r#"{"id":"P1","schema":"Person","properties":{"name":["Drita Leka"],"birthDate":["1990-02-03"]}}"#;
    std::fs::write(&clean, format!("{person}\n")).unwrap();
    let listed = tmp.path().join("listed.jsonl");
    std::fs::write(&listed, format!("{person}\nnot json at all\n")).unwrap();
    let ftm = |input: &Path, out: &str, extra: &[&str]| {
        let mut args: Vec<&std::ffi::OsStr> = vec!["import-ftm".as_ref(), input.as_os_str(), "--out".as_ref()];
        let out = tmp.path().join(out);
        args.push(out.as_os_str());
        args.extend(["--valuation-date", "2025-12-31"].iter().map(std::ffi::OsStr::new));
        args.extend(extra.iter().map(std::ffi::OsStr::new));
        run(&args)
    };
    let o = ftm(&clean, "c1", &[]);
    assert_eq!(code(&o), 0, "{}", text(&o));
    // A listed record is accounted for in import_report.csv: still 0 ...
    let o = ftm(&listed, "c2", &[]);
    assert_eq!(code(&o), 0, "{}", text(&o));
    assert!(text(&o).contains("1 listed"), "{}", text(&o));
    // ... and 1 with --strict (the case is written all the same).
    let o = ftm(&listed, "c3", &["--strict"]);
    assert_eq!(code(&o), 1, "{}", text(&o));
    assert!(tmp.path().join("c3/import_report.csv").is_file());
    // A non-empty target without --force cannot run.
    let o = ftm(&clean, "c1", &[]);
    assert_eq!(code(&o), 2, "{}", text(&o));
    // BODS: a missing input cannot run.
    let o = run(&[
        "import-bods".as_ref(),
        tmp.path().join("none.json").as_os_str(),
        "--out".as_ref(),
        tmp.path().join("c4").as_os_str(),
    ]);
    assert_eq!(code(&o), 2, "{}", text(&o));
}

#[test]
fn imports_have_their_own_help() {
    let ftm = text(&run(&["import-ftm".as_ref(), "--help".as_ref()]));
    let bods = text(&run(&["import-bods".as_ref(), "--help".as_ref()]));
    assert_ne!(ftm, bods);
    assert!(ftm.contains("FollowTheMoney") && ftm.contains("--fx-rates") && ftm.contains("--strict"), "{ftm}");
    assert!(
        bods.contains("Beneficial Ownership") && !bods.contains("--fx-rates") && bods.contains("--strict"),
        "{bods}"
    );
}
