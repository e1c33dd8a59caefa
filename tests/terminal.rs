//! The terminal as people use it (issue 18): the table renderer holds 200 kB cells and
//! combining and wide characters, query tables fit the terminal while csv stays complete,
//! completions and man pages generate, `eval` says n/a, and progress adds nothing to stderr
//! when it is not a terminal.

#[allow(dead_code)]
#[path = "../src/cli/table.rs"]
mod table;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use table::Table;
use unicode_width::UnicodeWidthStr;

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_moneytrail"));
    c.env_remove("MONEYTRAIL_SEAL_PASSPHRASE").env_remove("COLUMNS");
    c
}

#[path = "common/demo.rs"]
mod demo_files;
use demo_files::demo_copy;

fn demo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets/demo")
}

fn out_text(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Every line of `s` at most `w` display columns.
fn assert_fits(s: &str, w: usize) {
    for l in s.lines() {
        assert!(l.width() <= w, "line of {} columns in a {w}-column table: {l:?}", l.width());
    }
}

#[test]
fn table_holds_200_kb_cells() {
    let mut t = Table::new(["id", "names", "amount"]).right(&[2]);
    let huge = "Ä".repeat(100_000); // 200 kB of UTF-8
    t.row(["A1".to_string(), huge.clone(), table::money(&"1234567.89".parse().unwrap())]);
    t.row(["A2".to_string(), "x".repeat(200_000), "12".to_string()]);
    for w in [11, 20, 80, 200] {
        let s = t.render(w);
        assert_fits(&s, w);
        assert!(s.contains('…'), "{s}");
        if w >= 80 {
            assert!(s.contains("1,234,567.89"), "the widest column is cut first: {s}");
        }
    }
}

#[test]
fn table_holds_combining_and_wide_characters() {
    let mut t = Table::new(["name", "note"]);
    // Combining marks (zero width), CJK and emoji (two columns each), a flag (two code points),
    // right-to-left text, and control characters of hostile data.
    let names = [
        "Z\u{0351}\u{036B}\u{0343}a\u{0308}\u{0301}l\u{0337}g\u{0334}o\u{0315}".repeat(50),
        "中文名字测试数据很长很长".repeat(30),
        "👩‍👩‍👧‍👦🇦🇱".repeat(40),
        "مرحبا بالعالم".repeat(20),
        "line\nbreak\u{1b}[31mred\u{7}".to_string(),
    ];
    for n in &names {
        t.row([n.clone(), n.clone()]);
    }
    for w in [10, 33, 80, 151] {
        let s = t.render(w);
        assert_fits(&s, w);
        assert!(!s.contains('\u{1b}') && !s.contains('\u{7}'), "control characters reach the terminal: {s:?}");
        assert_eq!(s.lines().count(), names.len() + 2, "one line per row: {s}");
    }
    // Cutting never splits a grapheme: each cut cell is a prefix of the whole, by graphemes.
    for n in &names {
        for max in 1..40 {
            let c = table::cut(n, max);
            assert!(c.width() <= max, "{c:?} wider than {max}");
            let kept = c.trim_end_matches('…');
            assert!(n.starts_with(kept), "{kept:?} is not a prefix of {n:?}");
        }
    }
}

#[test]
fn query_table_fits_the_terminal_and_csv_stays_complete() {
    let q = Path::new(env!("CARGO_MANIFEST_DIR")).join("queries/fan_in.cypher");
    let run = |fmt: &str, cols: &str| {
        let o = bin()
            .args(["query".as_ref(), demo().as_os_str(), q.as_os_str(), "--audience".as_ref(), "court".as_ref()])
            .args(["--format", fmt])
            .env("COLUMNS", cols)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        out_text(&o)
    };
    let t = run("table", "100");
    assert_fits(&t, 100);
    assert!(t.contains("account") && t.contains("txn_ids") && t.contains('…'), "{t}");
    assert!(t.trim_end().ends_with("rows)"), "{t}");
    let csv = run("csv", "100");
    let longest = csv.lines().map(str::len).max().unwrap_or(0);
    assert!(longest > 100, "csv lines are complete, not cut: {longest}");
    assert!(!csv.contains('…'));
}

/// The condition that crashed the old table printer ("Formatting argument out of range" on a
/// cell over 65,535 characters), at CI cost: the demo case with 1,500 extra transfers (ids of 50
/// characters) into one account from 40 senders, so that the library's fan-in query returns a
/// `txn_ids` cell of about 80,000 characters. The table fits the terminal and cuts the cell; csv
/// keeps it whole.
#[test]
fn fan_in_query_with_an_80k_character_cell_prints_a_table() {
    let tmp = tempfile::tempdir().unwrap();
    let case = demo_copy(tmp.path());
    let accounts = std::fs::read_to_string(case.join("accounts.csv")).unwrap();
    // Accounts in ALL open over the whole period (account_id,iban,bank,holder_id,opened_on,closed_on,currency).
    let senders: Vec<&str> = accounts
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect::<Vec<_>>())
        .filter(|f| f.len() == 7 && f[6] == "ALL" && f[4] <= "2019-01-01" && f[5].is_empty() && f[0] != "A0000020")
        .map(|f| f[0])
        .take(40)
        .collect();
    assert_eq!(senders.len(), 40);
    let start = chrono::NaiveDate::from_ymd_opt(2019, 2, 1).unwrap().and_hms_opt(9, 0, 0).unwrap();
    let mut t = std::fs::read_to_string(case.join("transfers.csv")).unwrap();
    for i in 0..1500i64 {
        let at = (start + chrono::Duration::days(i)).format("%Y-%m-%d %H:%M:%S");
        let from = senders[i as usize % senders.len()];
        t.push_str(&format!("TFAN{i:07}-{},{at},{from},A0000020,1000.00,ALL,wire,,\n", "x".repeat(38)));
    }
    std::fs::write(case.join("transfers.csv"), t).unwrap();
    let q = Path::new(env!("CARGO_MANIFEST_DIR")).join("queries/fan_in.cypher");
    let csv = tmp.path().join("fan_in.csv");
    let o = bin()
        .args(["query".as_ref(), case.as_os_str(), q.as_os_str(), "--audience".as_ref(), "court".as_ref()])
        .args(["--format".as_ref(), "csv".as_ref(), "--out".as_ref(), csv.as_os_str()])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let longest = std::fs::read_to_string(&csv).unwrap().lines().map(str::len).max().unwrap_or(0);
    assert!(longest > 65_535, "the csv holds the whole txn_ids cell: longest line {longest}");
    let t = fan_in_table(&case, &[]);
    assert!(t.contains("A0000020") && t.contains("txn_ids") && t.contains('…'), "{}", &t[..t.len().min(2000)]);
}

/// The library's fan-in query on `case` as a 160-column terminal table (exit 0, every line
/// fitting).
fn fan_in_table(case: &Path, extra: &[&str]) -> String {
    let q = Path::new(env!("CARGO_MANIFEST_DIR")).join("queries/fan_in.cypher");
    let o = bin()
        .args(["query".as_ref(), case.as_os_str(), q.as_os_str(), "--audience".as_ref(), "court".as_ref()])
        .args(extra)
        .env("COLUMNS", "160")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let t = out_text(&o);
    assert_fits(&t, 160);
    t
}

/// The library's fan-in query on a generated case of 200,000 transfers prints a table. Kept
/// ignored: generating, loading and querying 200,000 transfers in a debug build takes minutes on
/// CI's two cores, and the test above meets the same condition (a cell over 65,535 characters)
/// in seconds. `cargo test --test terminal -- --ignored` runs it.
#[test]
#[ignore]
fn fan_in_query_on_a_200k_case_prints_a_table() {
    let tmp = tempfile::tempdir().unwrap();
    let case = tmp.path().join("case");
    let o = bin().args(["generate", "--seed", "3", "--transfers", "200000", "--out"]).arg(&case).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let t = fan_in_table(&case, &["--max-rows", "20000000", "--timeout", "1200"]);
    assert!(t.lines().count() > 3 && t.contains("txn_ids"), "{}", &t[..t.len().min(2000)]);
}

#[test]
fn completions_generate_for_bash() {
    let o = bin().args(["completions", "bash"]).output().unwrap();
    assert!(o.status.success());
    let s = out_text(&o);
    assert!(s.contains("_moneytrail()") && s.contains("complete -F _moneytrail"), "{}", &s[..s.len().min(500)]);
    for sub in ["investigate", "import-ftm", "completions", "config"] {
        assert!(s.contains(sub), "bash completion lacks {sub}");
    }
    assert!(s.contains("--audience") && s.contains("--seal-passphrase-file"));
    // And the others.
    for sh in ["zsh", "fish", "powershell"] {
        let o = bin().args(["completions", sh]).output().unwrap();
        assert!(o.status.success() && !o.stdout.is_empty(), "{sh}");
    }
    let o = bin().args(["completions", "tcsh"]).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn man_page_generates() {
    let o = bin().arg("man").output().unwrap();
    assert!(o.status.success());
    let s = out_text(&o);
    assert!(s.starts_with(".ie") || s.contains(".TH moneytrail"), "{}", &s[..s.len().min(300)]);
    assert!(s.contains("investigate"));
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("man");
    let o = bin().args(["man".as_ref(), "--out".as_ref(), dir.as_os_str()]).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(dir.join("moneytrail.1").is_file() && dir.join("moneytrail-investigate.1").is_file());
}

#[test]
fn detect_list_is_grouped_and_wrapped() {
    let o = bin().args(["detect", "--list"]).env("COLUMNS", "80").output().unwrap();
    assert!(o.status.success());
    let s = out_text(&o);
    assert_fits(&s, 80);
    assert!(s.contains("fan_in (") && s.contains("  fan_in."), "{s}");
}

#[test]
fn eval_says_na_when_nothing_was_found() {
    // Detectors that find nothing on the demo at an impossible threshold: precision is n/a.
    let o = bin()
        .args(["eval".as_ref(), demo().as_os_str(), "--typology".as_ref(), "fan_in".as_ref()])
        .args(["--param", "fan_in.min_senders=100000"])
        .output()
        .unwrap();
    let s = out_text(&o);
    assert!(o.status.success(), "{s}{}", String::from_utf8_lossy(&o.stderr));
    let row = s.lines().find(|l| l.trim_start().starts_with("fan_in")).unwrap_or_default();
    assert!(row.contains("n/a"), "{s}");
    assert!(!row.contains("1.000"), "{s}");
}

/// With stderr not a terminal (as here: a pipe) nothing but the messages reaches it: no bar, no
/// escape sequence, no carriage return, and the same bytes with and without --quiet.
#[test]
fn progress_adds_nothing_to_stderr_when_it_is_not_a_terminal() {
    let tmp = tempfile::tempdir().unwrap();
    let run = |quiet: bool, out: &str| {
        let mut c = bin();
        c.args(["ingest".as_ref(), demo().as_os_str(), "--out".as_ref(), tmp.path().join(out).as_os_str()]);
        if quiet {
            c.arg("--quiet");
        }
        let o = c.output().unwrap();
        assert!(o.status.success());
        String::from_utf8_lossy(&o.stderr).into_owned()
    };
    let plain = run(false, "a");
    let quiet = run(true, "b");
    assert!(!plain.contains('\u{1b}') && !plain.contains('\r'), "{plain:?}");
    assert_eq!(plain.replace("/b", "/a"), quiet.replace("/b", "/a"));
}

/// `s` with the timings ("0.52 s", "(1.65 s with loading)") masked: they differ run to run.
fn without_timings(s: &str) -> String {
    let words: Vec<&str> = s.split(' ').collect();
    let mut out = Vec::with_capacity(words.len());
    for (i, w) in words.iter().enumerate() {
        let num = w.trim_start_matches('(');
        let timed = words.get(i + 1).is_some_and(|n| n.starts_with('s'));
        out.push(if timed && num.contains('.') && num.parse::<f64>().is_ok() { "#" } else { w });
    }
    out.join(" ")
}

/// Every file under `dir`, by path relative to it, with its bytes.
fn files_under(dir: &Path) -> std::collections::BTreeMap<PathBuf, Vec<u8>> {
    let mut out = std::collections::BTreeMap::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                todo.push(p);
            } else {
                out.insert(p.strip_prefix(dir).unwrap().to_path_buf(), std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

/// Progress drawn on a real terminal changes no output. Each command runs twice into the same
/// paths: once with stderr a pipe (no bars), once under `script` (util-linux), whose
/// pseudo-terminal is stderr, with every bar drawn at once (MONEYTRAIL_PROGRESS_DELAY_MS=0).
/// The files written and standard output (timings masked) are byte-identical, and the
/// terminal saw each command's bar.
#[test]
fn progress_on_a_terminal_changes_no_output() {
    if Command::new("script").arg("--version").output().is_err() {
        eprintln!("SKIP: no `script` (util-linux) to give the command a pseudo-terminal");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let exe = env!("CARGO_BIN_EXE_moneytrail");
    let case = tmp.path().join("case");
    let o = bin().args(["generate", "--seed", "5", "--transfers", "20000", "--out"]).arg(&case).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let (c, q) = (case.to_str().unwrap(), concat!(env!("CARGO_MANIFEST_DIR"), "/queries/fan_in.cypher"));
    let o = |name: &str| out.join(name).to_str().unwrap().to_string();
    // (command line, what its bar shows on the terminal)
    let runs: Vec<(Vec<String>, &str)> = vec![
        (
            vec![
                "generate".into(),
                "--seed".into(),
                "5".into(),
                "--transfers".into(),
                "20000".into(),
                "--out".into(),
                o("gen"),
            ],
            "generate: ",
        ),
        (vec!["ingest".into(), c.into(), "--out".into(), o("ingest")], "B/"),
        (
            vec![
                "trace".into(),
                c.into(),
                "--source-victims".into(),
                "--audience".into(),
                "court".into(),
                "--out".into(),
                o("t.csv"),
            ],
            "trace [",
        ),
        (
            vec![
                "query".into(),
                c.into(),
                q.into(),
                "--audience".into(),
                "court".into(),
                "--format".into(),
                "csv".into(),
                "--out".into(),
                o("q.csv"),
            ],
            "rows in)",
        ),
        (
            vec!["resolve".into(), c.into(), "--audience".into(), "court".into(), "--out".into(), o("r.csv")],
            "resolve: ",
        ),
        (
            vec![
                "investigate".into(),
                c.into(),
                "--audience".into(),
                "court".into(),
                "--no-graphviz".into(),
                "--finding-diagrams".into(),
                "1".into(),
                "--out".into(),
                o("bundle"),
            ],
            "bundle: ",
        ),
    ];
    for (args, bar) in runs {
        std::fs::create_dir_all(&out).unwrap();
        let piped = bin().args(&args).output().unwrap();
        assert!(piped.status.success(), "{args:?}: {}", String::from_utf8_lossy(&piped.stderr));
        let first = tmp.path().join("first");
        std::fs::rename(&out, &first).unwrap();
        std::fs::create_dir_all(&out).unwrap();
        let stdout = tmp.path().join("stdout");
        let log = tmp.path().join("terminal.log");
        let line = format!(
            "'{exe}' {} > '{}'",
            args.iter().map(|a| format!("'{a}'")).collect::<Vec<_>>().join(" "),
            stdout.display()
        );
        let t = Command::new("script")
            .args(["-q", "-e", "-c", &line])
            .arg(&log)
            .env_remove("MONEYTRAIL_SEAL_PASSPHRASE")
            .env("MONEYTRAIL_PROGRESS_DELAY_MS", "0")
            .output()
            .unwrap();
        assert!(t.status.success(), "{args:?} under script: {}", String::from_utf8_lossy(&t.stderr));
        let terminal = String::from_utf8_lossy(&std::fs::read(&log).unwrap()).into_owned();
        assert!(
            terminal.contains(bar),
            "{args:?}: the terminal shows no '{bar}' bar:\n{}",
            &terminal[..terminal.len().min(3000)]
        );
        let a = without_timings(&String::from_utf8_lossy(&piped.stdout));
        let b = without_timings(&std::fs::read_to_string(&stdout).unwrap());
        assert_eq!(a, b, "{args:?}: standard output differs with progress on a terminal");
        let (fa, fb) = (files_under(&first), files_under(&out));
        assert_eq!(fa.keys().collect::<Vec<_>>(), fb.keys().collect::<Vec<_>>(), "{args:?}");
        for (p, bytes) in &fa {
            assert!(fb[p] == *bytes, "{args:?}: {} differs with progress on a terminal", p.display());
        }
        std::fs::remove_dir_all(&first).unwrap();
        std::fs::remove_dir_all(&out).unwrap();
    }
}
