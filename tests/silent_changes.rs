//! Issue 14, "Silent changes": what ingest once took as absent, dropped, rounded or ignored is a
//! clear error now. One test per defect, each running the real binary on a copy of the demo
//! case.

use std::path::Path;
use std::process::{Command, Output};

#[path = "common/demo.rs"]
mod demo;
use demo::demo_copy;

fn run(args: &[&std::ffi::OsStr]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_moneytrail")).args(args).output().unwrap()
}

fn ingest(case: &Path, tmp: &Path) -> (Option<i32>, String) {
    let out = tmp.join("ingest-out");
    let o = run(&["ingest".as_ref(), case.as_os_str(), "--out".as_ref(), out.as_os_str()]);
    (o.status.code(), String::from_utf8_lossy(&o.stderr).into_owned())
}

/// `suspects.csv` replaced by `make`: the table must not pass as absent.
fn replaced_table_is_an_error(make: impl FnOnce(&Path), expect: &str) {
    let tmp = tempfile::tempdir().unwrap();
    let case = demo_copy(tmp.path());
    let t = case.join("suspects.csv");
    std::fs::remove_file(&t).unwrap();
    make(&t);
    let (code, err) = ingest(&case, tmp.path());
    assert_eq!(code, Some(2), "the load stops: {err}");
    assert!(err.contains("suspects.csv") && err.contains(expect), "{err}");
    // detect stops too, instead of finding one fewer pattern.
    let o = run(&["detect".as_ref(), case.as_os_str(), "--out".as_ref(), tmp.path().join("f.csv").as_os_str()]);
    assert_eq!(o.status.code(), Some(2), "{}", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn a_table_that_is_a_directory_is_an_error_not_absent() {
    replaced_table_is_an_error(|t| std::fs::create_dir(t).unwrap(), "a directory, not a regular file");
}

#[test]
fn a_table_that_is_a_fifo_is_an_error_not_absent() {
    replaced_table_is_an_error(
        |t| {
            let c = std::ffi::CString::new(t.as_os_str().as_encoded_bytes()).unwrap();
            assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
        },
        "a FIFO",
    );
}

#[test]
fn a_table_that_links_to_dev_zero_is_an_error_not_absent() {
    replaced_table_is_an_error(|t| std::os::unix::fs::symlink("/dev/zero", t).unwrap(), "a device");
}

#[test]
fn a_duplicated_header_column_is_an_error_not_a_dropped_column() {
    let tmp = tempfile::tempdir().unwrap();
    let case = demo_copy(tmp.path());
    let t = std::fs::read_to_string(case.join("transfers.csv")).unwrap();
    let mut lines = t.lines();
    let mut out = format!("{},amount\n", lines.next().unwrap());
    for l in lines {
        out.push_str(&format!("{l},1\n"));
    }
    std::fs::write(case.join("transfers.csv"), out).unwrap();
    let (code, err) = ingest(&case, tmp.path());
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("the header names 'amount' twice (columns 5 and 10)"), "{err}");
}

#[test]
fn a_case_toml_link_out_of_the_folder_is_an_error_that_never_prints_the_target() {
    let tmp = tempfile::tempdir().unwrap();
    let case = demo_copy(tmp.path());
    let secret = tmp.path().join("secret.txt");
    std::fs::write(&secret, "root:x:0:0:SECRET-LINE-OF-THE-TARGET\n").unwrap();
    std::fs::remove_file(case.join("case.toml")).unwrap();
    std::os::unix::fs::symlink(&secret, case.join("case.toml")).unwrap();
    let (code, err) = ingest(&case, tmp.path());
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("leads out of the case folder"), "{err}");
    assert!(!err.contains("SECRET"), "{err}");
    // A --mapping may name any file, but its parse error does not quote it either.
    let o = run(&[
        "ingest".as_ref(),
        case.as_os_str(),
        "--mapping".as_ref(),
        secret.as_os_str(),
        "--out".as_ref(),
        tmp.path().join("o2").as_os_str(),
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("line 1, column"), "{err}");
    assert!(!err.contains("SECRET"), "{err}");
}

#[test]
fn unknown_keys_under_generator_are_errors_listing_the_known_ones() {
    let tmp = tempfile::tempdir().unwrap();
    let case = demo_copy(tmp.path());
    let toml = std::fs::read_to_string(case.join("case.toml")).unwrap();
    std::fs::write(case.join("case.toml"), toml.replace("seed = 7", "seed = 7\nsede = 8")).unwrap();
    let (code, err) = ingest(&case, tmp.path());
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("unknown field `sede`"), "{err}");
    assert!(err.contains("seed") && err.contains("transfers") && err.contains("version"), "{err}");
    assert!(err.contains("did you mean `seed`?"), "{err}");
}

#[test]
fn unknown_keys_in_every_section_are_errors() {
    for (section, insert) in [
        ("top level", "nmae = \"x\"\n"),
        ("[thresholds]", "[thresholds]\ncash_reprot = \"1\"\n"),
        ("[read]", "[read]\ndelimeter = \";\"\n"),
        ("[import]", "[import]\nformat = \"ftm\"\nfromat = \"x\"\n"),
    ] {
        let tmp = tempfile::tempdir().unwrap();
        let case = demo_copy(tmp.path());
        // The demo's own [thresholds] and [generator] are dropped, the probe's section put first.
        let toml = "name = \"probe\"\nbase_currency = \"ALL\"\nvaluation_date = \"2025-12-31\"\n".to_string() + insert;
        std::fs::write(case.join("case.toml"), toml).unwrap();
        let (code, err) = ingest(&case, tmp.path());
        assert_eq!(code, Some(2), "{section}: {err}");
        assert!(err.contains("unknown field"), "{section}: {err}");
    }
}
