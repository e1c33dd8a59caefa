//! Issue 14, "Inputs are read-only" and "Atomic, exclusive bundles": every command that writes
//! refuses an output path onto, inside or around its inputs, or `/`; generate and the imports
//! refuse a folder with files in it without --force; investigate claims its folder (lock,
//! temporary folder, rename), replaces a bundle whole and never merges.
//!
//! Each test runs the release-independent debug binary on a copy of the demo case and checks
//! both the refusal (exit 2, a message that says why) and that no input byte changed.

use std::ffi::OsStr;
use std::path::Path;
use std::process::{Command, Output};

#[path = "common/demo.rs"]
mod demo;
use demo::demo_copy;

const PASSPHRASE: &str = "demo case passphrase";

/// Name -> bytes of every file in the folder (not recursive: the case tables).
fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .filter(|e| e.path().is_file())
        .map(|e| (e.file_name().to_string_lossy().into_owned(), std::fs::read(e.path()).unwrap()))
        .collect();
    v.sort();
    v
}

fn run<S: AsRef<OsStr>>(args: &[S]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_moneytrail"))
        .args(args)
        .env("MONEYTRAIL_SEAL_PASSPHRASE", PASSPHRASE)
        .output()
        .unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Runs a command that must be refused: exit 2, `want` in the message, the case unchanged.
fn refused<S: AsRef<OsStr>>(case: &Path, args: &[S], want: &str) {
    let before = snapshot(case);
    let o = run(args);
    let shown: Vec<String> = args.iter().map(|a| a.as_ref().to_string_lossy().into_owned()).collect();
    assert_eq!(o.status.code(), Some(2), "{shown:?} must be refused; stdout {}", String::from_utf8_lossy(&o.stdout));
    let e = stderr(&o);
    assert!(e.contains(want), "{shown:?}: message should say '{want}', got: {e}");
    assert_eq!(snapshot(case), before, "{shown:?}: the case folder changed");
}

fn p(x: &Path) -> String {
    x.to_string_lossy().into_owned()
}

#[test]
fn detect_out_onto_transfers_csv_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let case = demo_copy(tmp.path());
    let target = p(&case.join("transfers.csv"));
    refused(&case, &["detect", &p(&case), "--out", &target], "inside the input folder");
}

#[test]
fn every_writing_command_refuses_an_out_inside_the_case_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let case = demo_copy(tmp.path());
    let c = p(&case);
    let inside = |f: &str| p(&case.join(f));
    let q = tmp.path().join("q.cypher");
    std::fs::write(&q, "MATCH (a:Account) RETURN a.id AS id LIMIT 1\n").unwrap();
    let q = p(&q);
    let outside = |f: &str| p(&tmp.path().join(f));
    let runs: Vec<Vec<String>> = vec![
        vec!["export".into(), c.clone(), "--format".into(), "ftm".into(), "--out".into(), inside("persons.csv")],
        vec!["victims".into(), c.clone(), "--out".into(), inside("victims.csv")],
        vec!["resolve".into(), c.clone(), "--out".into(), inside("persons.csv")],
        vec!["resolve".into(), c.clone(), "--out".into(), outside("e.csv"), "--log".into(), inside("accounts.csv")],
        vec!["assets".into(), c.clone(), "--out".into(), inside("properties.csv")],
        vec!["trace".into(), c.clone(), "--source-victims".into(), "--out".into(), inside("transfers.csv")],
        vec![
            "trace".into(),
            c.clone(),
            "--source-victims".into(),
            "--out".into(),
            outside("t.csv"),
            "--victim-assets".into(),
            inside("income.csv"),
        ],
        vec!["compensation".into(), c.clone(), "--out".into(), inside("new.csv")],
        vec![
            "compensation".into(),
            c.clone(),
            "--out".into(),
            outside("c.csv"),
            "--statements".into(),
            inside("statements"),
        ],
        vec!["query".into(), c.clone(), q.clone(), "--out".into(), inside("suspects.csv")],
        vec!["query".into(), c.clone(), q.clone(), "--evidence".into(), inside("evidence")],
        vec!["ingest".into(), c.clone(), "--out".into(), inside("report")],
        vec!["investigate".into(), c.clone(), "--out".into(), inside("bundle")],
    ];
    for args in runs {
        refused(&case, &args, "inside the input folder");
    }
}

#[test]
fn out_onto_the_case_folder_itself_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let case = demo_copy(tmp.path());
    let c = p(&case);
    refused(&case, &["investigate", &c, "--out", &c], "is the input folder");
    refused(&case, &["ingest", &c, "--out", &c], "is the input folder");
    // Through a path that climbs out and back in.
    let around = format!("{c}/../case/.");
    refused(&case, &["investigate", &c, "--out", &around], "is the input folder");
}

#[test]
fn out_onto_root_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let case = demo_copy(tmp.path());
    let c = p(&case);
    refused(&case, &["investigate", &c, "--out", "/"], "root folder");
    refused(&case, &["victims", &c, "--out", "/"], "root folder");
    refused(&case, &["resolve", &c, "--log", "/"], "root folder");
}

#[test]
fn out_through_a_symlink_onto_an_input_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let case = demo_copy(tmp.path());
    let link = tmp.path().join("innocent.csv");
    std::os::unix::fs::symlink(case.join("transfers.csv"), &link).unwrap();
    refused(&case, &["detect", &p(&case), "--out", &p(&link)], "inside the input folder");
    // A folder link into the case, with a file name below it that does not exist yet.
    let dlink = tmp.path().join("reports");
    std::os::unix::fs::symlink(&case, &dlink).unwrap();
    refused(&case, &["victims", &p(&case), "--out", &p(&dlink.join("v.csv"))], "inside the input folder");
}

#[test]
fn query_out_onto_its_own_query_file_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let case = demo_copy(tmp.path());
    let q = tmp.path().join("q.cypher");
    std::fs::write(&q, "MATCH (a:Account) RETURN a.id AS id LIMIT 1\n").unwrap();
    refused(&case, &["query", &p(&case), &p(&q), "--out", &p(&q)], "is the input file");
    assert_eq!(std::fs::read_to_string(&q).unwrap(), "MATCH (a:Account) RETURN a.id AS id LIMIT 1\n");
}

#[test]
fn the_same_path_for_two_outputs_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let case = demo_copy(tmp.path());
    let f = p(&tmp.path().join("same.csv"));
    refused(&case, &["resolve", &p(&case), "--out", &f, "--log", &f], "name the same place");
}

#[test]
fn generate_into_an_existing_case_is_refused_without_force() {
    let tmp = tempfile::tempdir().unwrap();
    let case = demo_copy(tmp.path());
    let c = p(&case);
    refused(&case, &["generate", "--transfers", "1000", "--out", &c], "not empty");
    let o = run(&["generate", "--transfers", "1000", "--out", &c, "--force"]);
    assert!(o.status.success(), "{}", stderr(&o));
    // A new or empty folder needs no --force.
    let empty = tmp.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    assert!(run(&["generate", "--transfers", "1000", "--out", &p(&empty)]).status.success());
    assert!(run(&["generate", "--transfers", "1000", "--out", &p(&tmp.path().join("new"))]).status.success());
}

#[test]
fn imports_into_an_existing_case_are_refused_without_force() {
    let tmp = tempfile::tempdir().unwrap();
    let case = demo_copy(tmp.path());
    let c = p(&case);
    let ftm = tmp.path().join("x.jsonl");
    std::fs::write(&ftm, r#"{"id":"P1","schema":"Person","properties":{"name":["Drita Leka"]}}"#).unwrap();
    refused(&case, &["import-ftm", &p(&ftm), "--out", &c], "not empty");
    let bods = tmp.path().join("b.json");
    std::fs::write(&bods, "[]").unwrap();
    refused(&case, &["import-bods", &p(&bods), "--out", &c], "not empty");
    let ibm = tmp.path().join("ibm");
    std::fs::create_dir(&ibm).unwrap();
    refused(&case, &["import-ibm", &p(&ibm), "--out", &c], "not empty");
    // The input may not be inside the target either, forced or not.
    let o = run(&["import-ftm", &p(&ftm), "--out", &p(tmp.path()), "--force"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("contains the input file"), "{}", stderr(&o));
}

#[test]
fn investigate_out_naming_a_file_says_so() {
    let tmp = tempfile::tempdir().unwrap();
    let case = demo_copy(tmp.path());
    let f = tmp.path().join("notes.txt");
    std::fs::write(&f, "my notes").unwrap();
    let o = run(&["investigate", &p(&case), "--out", &p(&f)]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("is a file, not a folder"), "{}", stderr(&o));
    assert!(!stderr(&o).contains("os error"), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(&f).unwrap(), "my notes");
}

fn investigate<S: AsRef<OsStr>>(case: &Path, out: &Path, extra: &[S]) -> Output {
    let mut args: Vec<std::ffi::OsString> =
        vec!["investigate".into(), case.into(), "--out".into(), out.into(), "--no-graphviz".into()];
    args.extend(extra.iter().map(|s| s.as_ref().to_os_string()));
    run(&args)
}

fn verify_ok(dir: &Path) {
    let o = run(&["verify".as_ref(), dir.as_os_str()]);
    assert!(o.status.success(), "verify {}: {}", dir.display(), String::from_utf8_lossy(&o.stdout));
}

/// Every regular file below `dir`, relative and `/`-separated.
fn tree(dir: &Path) -> Vec<String> {
    fn walk(root: &Path, d: &Path, out: &mut Vec<String>) {
        for e in std::fs::read_dir(d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                out.push(p.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/"));
            }
        }
    }
    let mut v = Vec::new();
    walk(dir, dir, &mut v);
    v.sort();
    v
}

#[test]
fn police_bundle_over_a_court_bundle_keeps_no_court_file() {
    let tmp = tempfile::tempdir().unwrap();
    let case = demo_copy(tmp.path());
    let out = tmp.path().join("bundle");
    assert!(investigate(&case, &out, &["--audience", "court"]).status.success());
    assert!(out.join("sealed/identities.mtseal").is_file());
    let court: Vec<String> = tree(&out);
    let o = investigate(&case, &out, &["--audience", "police"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!out.join("sealed").exists(), "the court's sealed mapping is gone");
    let police = tree(&out);
    let fresh = tmp.path().join("fresh");
    assert!(investigate(&case, &fresh, &["--audience", "police"]).status.success());
    assert_eq!(police, tree(&fresh), "the replaced bundle holds exactly what a fresh one does");
    assert_ne!(police, court);
    verify_ok(&out);
    // Nothing left beside it.
    let beside: Vec<String> = std::fs::read_dir(tmp.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("moneytrail"))
        .collect();
    assert!(beside.is_empty(), "left beside the bundle: {beside:?}");
}

#[test]
fn investigate_refuses_a_non_empty_folder_that_is_not_a_bundle_and_force_replaces_it_whole() {
    let tmp = tempfile::tempdir().unwrap();
    let case = demo_copy(tmp.path());
    let out = tmp.path().join("papers");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("letter.txt"), "keep me").unwrap();
    let o = investigate(&case, &out, &[] as &[&str]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("not empty and is not a moneytrail bundle"), "{}", stderr(&o));
    assert_eq!(tree(&out), ["letter.txt"]);
    let o = investigate(&case, &out, &["--force"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!out.join("letter.txt").exists(), "--force replaces, never merges");
    verify_ok(&out);
}

#[test]
fn investigate_refuses_the_bundle_of_another_case() {
    let tmp = tempfile::tempdir().unwrap();
    let case = demo_copy(tmp.path());
    let other = tmp.path().join("other");
    std::fs::create_dir(&other).unwrap();
    for (n, b) in snapshot(&case) {
        let b =
            if n == "case.toml" { String::from_utf8(b).unwrap().replace("seed 7", "seed 8").into_bytes() } else { b };
        std::fs::write(other.join(n), b).unwrap();
    }
    let out = tmp.path().join("bundle");
    assert!(investigate(&case, &out, &[] as &[&str]).status.success());
    let before = std::fs::read(out.join("manifest.json")).unwrap();
    let o = investigate(&other, &out, &[] as &[&str]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("holds the bundle of case 'Generated case, seed 7'"), "{}", stderr(&o));
    assert_eq!(std::fs::read(out.join("manifest.json")).unwrap(), before, "the bundle in place is untouched");
    verify_ok(&out);
    assert!(investigate(&other, &out, &["--force"]).status.success());
    assert!(String::from_utf8(std::fs::read(out.join("manifest.json")).unwrap()).unwrap().contains("seed 8"));
}

#[test]
fn two_concurrent_investigate_runs_one_wins_whole_the_other_fails_clearly() {
    let tmp = tempfile::tempdir().unwrap();
    let case = demo_copy(tmp.path());
    let out = tmp.path().join("bundle");
    let spawn = |aud: &str| {
        Command::new(env!("CARGO_BIN_EXE_moneytrail"))
            .args(["investigate".as_ref(), case.as_os_str(), "--out".as_ref(), out.as_os_str()])
            .args(["--no-graphviz", "--audience", aud])
            .env("MONEYTRAIL_SEAL_PASSPHRASE", PASSPHRASE)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    let a = spawn("court");
    let b = spawn("police");
    let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
    let ok: Vec<&Output> = [&a, &b].into_iter().filter(|o| o.status.success()).collect();
    let failed: Vec<&Output> = [&a, &b].into_iter().filter(|o| !o.status.success()).collect();
    assert_eq!(ok.len(), 1, "exactly one run wins: {} / {}", stderr(&a), stderr(&b));
    assert!(stderr(failed[0]).contains("another moneytrail run is writing"), "{}", stderr(failed[0]));
    verify_ok(&out);
    let court_won = a.status.success();
    assert_eq!(out.join("sealed").exists(), court_won, "the bundle in place is the winner's, whole");
}

#[test]
fn a_killed_investigate_leaves_no_half_bundle_in_place() {
    let tmp = tempfile::tempdir().unwrap();
    let case = demo_copy(tmp.path());
    let out = tmp.path().join("bundle");
    assert!(investigate(&case, &out, &["--audience", "court"]).status.success());
    let before = std::fs::read(out.join("manifest.json")).unwrap();
    // Kill runs at several moments of their life; after each, the folder holds the last
    // complete bundle, and the next run clears what the killed one left beside it.
    for wait_ms in [150u64, 600, 1500] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_moneytrail"))
            .args(["investigate".as_ref(), case.as_os_str(), "--out".as_ref(), out.as_os_str()])
            .args(["--no-graphviz", "--audience", "police"])
            .env("MONEYTRAIL_SEAL_PASSPHRASE", PASSPHRASE)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(wait_ms));
        let _ = child.kill();
        let status = child.wait().unwrap();
        verify_ok(&out);
        if !status.success() {
            assert_eq!(std::fs::read(out.join("manifest.json")).unwrap(), before, "killed at {wait_ms} ms");
        }
        let o = investigate(&case, &out, &["--audience", "court"]);
        assert!(o.status.success(), "the next run is not blocked: {}", stderr(&o));
        verify_ok(&out);
        let beside: Vec<String> = std::fs::read_dir(tmp.path())
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.contains("moneytrail"))
            .collect();
        assert!(beside.is_empty(), "left beside the bundle: {beside:?}");
    }
}
