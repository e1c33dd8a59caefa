//! A case key that catches typos (issue 18): the key check in CASE/.moneytrail/key-check is an
//! Argon2id-derived verifier, written on first use; from then on a wrong passphrase is refused.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const RIGHT: &str = "the right case passphrase";
const TYPO: &str = "the rihgt case passphrase";

fn bin(pass: Option<&str>) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_moneytrail"));
    c.env_remove("MONEYTRAIL_SEAL_PASSPHRASE").env_remove("MONEYTRAIL_NEW_SEAL_PASSPHRASE");
    if let Some(p) = pass {
        c.env("MONEYTRAIL_SEAL_PASSPHRASE", p);
    }
    c
}

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

fn demo_copy(dir: &Path) -> PathBuf {
    let case = dir.join("case");
    std::fs::create_dir_all(&case).unwrap();
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets/demo");
    for e in std::fs::read_dir(demo).unwrap().flatten() {
        if e.path().is_file() {
            std::fs::copy(e.path(), case.join(e.file_name())).unwrap();
        }
    }
    case
}

#[test]
fn wrong_passphrase_refused_after_key_init() {
    let tmp = tempfile::tempdir().unwrap();
    let case = demo_copy(tmp.path());
    let o = bin(Some(RIGHT)).args(["key", "init"]).arg(&case).output().unwrap();
    assert!(o.status.success(), "{}", text(&o));
    let check = std::fs::read_to_string(case.join(".moneytrail/key-check")).unwrap();
    assert!(check.contains("verifier") && check.contains("argon2id"), "{check}");
    assert!(!check.contains(RIGHT), "the key check never holds the passphrase");
    // The right passphrase: check says so, commands run.
    let o = bin(Some(RIGHT)).args(["key", "check"]).arg(&case).output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    // A typo: check exits 3 ...
    let o = bin(Some(TYPO)).args(["key", "check"]).arg(&case).output().unwrap();
    assert_eq!(o.status.code(), Some(3), "{}", text(&o));
    assert!(text(&o).contains("this is not the passphrase of case"), "{}", text(&o));
    // ... and a command that would write pseudonyms refuses to run (exit 2), writing nothing.
    let out = tmp.path().join("bundle");
    let o = bin(Some(TYPO)).arg("investigate").arg(&case).arg("--out").arg(&out).output().unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("this is not the passphrase of case \"Generated case, seed 7\""), "{}", text(&o));
    assert!(!out.join("manifest.json").exists());
    let o = bin(Some(RIGHT))
        .arg("detect")
        .arg(&case)
        .arg("--out")
        .arg(tmp.path().join("f.csv"))
        .args(["--typology", "fan_in"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o));
}

#[test]
fn first_use_records_the_key_check_and_says_so() {
    let tmp = tempfile::tempdir().unwrap();
    let case = demo_copy(tmp.path());
    let f = tmp.path().join("f.csv");
    let o =
        bin(Some(RIGHT)).arg("detect").arg(&case).arg("--out").arg(&f).args(["--typology", "fan_in"]).output().unwrap();
    assert!(o.status.success(), "{}", text(&o));
    assert!(String::from_utf8_lossy(&o.stderr).contains("first use of a passphrase"), "{}", text(&o));
    assert!(case.join(".moneytrail/key-check").is_file());
    let o =
        bin(Some(RIGHT)).arg("detect").arg(&case).arg("--out").arg(&f).args(["--typology", "fan_in"]).output().unwrap();
    assert!(o.status.success() && !String::from_utf8_lossy(&o.stderr).contains("first use"), "{}", text(&o));
    let o =
        bin(Some(TYPO)).arg("detect").arg(&case).arg("--out").arg(&f).args(["--typology", "fan_in"]).output().unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    // Too short is refused as before (the README's 12-character minimum).
    let o = bin(Some("short")).args(["key", "check"]).arg(&case).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("at least 12 characters"), "{}", text(&o));
}

#[test]
fn rotate_needs_the_old_passphrase_and_says_what_it_does() {
    let tmp = tempfile::tempdir().unwrap();
    let case = demo_copy(tmp.path());
    assert!(bin(Some(RIGHT)).args(["key", "init"]).arg(&case).status().unwrap().success());
    let new = "a brand new case passphrase";
    // Without --rekey-pseudonyms: refused, with what it would do to existing bundles.
    let o = bin(Some(RIGHT))
        .args(["key", "rotate"])
        .arg(&case)
        .env("MONEYTRAIL_NEW_SEAL_PASSPHRASE", new)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("bundles written before keep the old ones"), "{}", text(&o));
    // With the wrong current passphrase: refused.
    let o = bin(Some(TYPO))
        .args(["key", "rotate"])
        .arg(&case)
        .arg("--rekey-pseudonyms")
        .env("MONEYTRAIL_NEW_SEAL_PASSPHRASE", new)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(3), "{}", text(&o));
    let o = bin(Some(RIGHT))
        .args(["key", "rotate"])
        .arg(&case)
        .arg("--rekey-pseudonyms")
        .env("MONEYTRAIL_NEW_SEAL_PASSPHRASE", new)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(bin(Some(new)).args(["key", "check"]).arg(&case).output().unwrap().status.code(), Some(0));
    assert_eq!(bin(Some(RIGHT)).args(["key", "check"]).arg(&case).output().unwrap().status.code(), Some(3));
}

/// The PP-/PA- pseudonyms in `text`, in order of appearance.
fn pseudonyms(text: &str) -> Vec<String> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .filter(|w| w.starts_with("PP-") || w.starts_with("PA-"))
        .map(str::to_string)
        .collect()
}

/// `detect` for the police audience under `pass`: the findings CSV (protected persons appear by
/// pseudonym).
fn police_findings(case: &Path, pass: &str, out: &Path) -> String {
    let o =
        bin(Some(pass)).arg("detect").arg(case).arg("--out").arg(out).args(["--audience", "police"]).output().unwrap();
    assert!(o.status.success(), "{}", text(&o));
    std::fs::read_to_string(out).unwrap()
}

#[test]
fn rotate_keeps_the_pseudonyms_with_keep_pseudonyms_and_rekeys_without() {
    let tmp = tempfile::tempdir().unwrap();
    let case = demo_copy(tmp.path());
    let before = police_findings(&case, RIGHT, &tmp.path().join("f0.csv"));
    let before_p = pseudonyms(&before);
    assert!(!before_p.is_empty(), "the demo's police findings name protected persons by pseudonym:\n{before}");
    let rotate = |cur: &str, new: &str, flag: &str| {
        let o = bin(Some(cur))
            .args(["key", "rotate"])
            .arg(&case)
            .arg(flag)
            .env("MONEYTRAIL_NEW_SEAL_PASSPHRASE", new)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", text(&o));
        text(&o)
    };
    // Kept: the same findings, pseudonym for pseudonym, under the new passphrase.
    let second = "a second case passphrase";
    assert!(rotate(RIGHT, second, "--keep-pseudonyms").contains("pseudonyms kept"));
    let kept = police_findings(&case, second, &tmp.path().join("f1.csv"));
    assert_eq!(pseudonyms(&kept), before_p);
    assert_eq!(kept, before, "with --keep-pseudonyms the findings are byte-identical");
    let check = std::fs::read_to_string(case.join(".moneytrail/key-check")).unwrap();
    assert!(check.contains("pseudonyms = ") && !check.contains(second) && !check.contains(RIGHT), "{check}");
    // The old passphrase is refused now.
    let o = bin(Some(RIGHT)).args(["key", "check"]).arg(&case).output().unwrap();
    assert_eq!(o.status.code(), Some(3), "{}", text(&o));
    // Kept through a second rotation too.
    let third = "a third case passphrase!";
    rotate(second, third, "--keep-pseudonyms");
    assert_eq!(pseudonyms(&police_findings(&case, third, &tmp.path().join("f2.csv"))), before_p);
    // Re-keyed: the same findings under new pseudonyms.
    let fourth = "a fourth case passphrase";
    assert!(rotate(third, fourth, "--rekey-pseudonyms").contains("pseudonyms re-keyed"));
    let rekeyed = pseudonyms(&police_findings(&case, fourth, &tmp.path().join("f3.csv")));
    assert_eq!(rekeyed.len(), before_p.len());
    assert!(rekeyed.iter().all(|p| !before_p.contains(p)), "every pseudonym changes: {rekeyed:?} vs {before_p:?}");
    // A changed kept key is an error, not silently other pseudonyms.
    rotate(fourth, third, "--keep-pseudonyms");
    let p = case.join(".moneytrail/key-check");
    let t = std::fs::read_to_string(&p).unwrap();
    let i = t.find("pseudonyms = \"").unwrap() + "pseudonyms = \"".len() + 30;
    let flipped = if &t[i..i + 1] == "0" { "1" } else { "0" };
    std::fs::write(&p, format!("{}{flipped}{}", &t[..i], &t[i + 1..])).unwrap();
    let o = bin(Some(third)).args(["key", "check"]).arg(&case).output().unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("kept pseudonym key does not open"), "{}", text(&o));
}

#[test]
fn serve_refuses_a_wrong_passphrase_before_it_listens() {
    let tmp = tempfile::tempdir().unwrap();
    let case = demo_copy(tmp.path());
    assert!(bin(Some(RIGHT)).args(["key", "init"]).arg(&case).status().unwrap().success());
    let o = bin(Some(TYPO))
        .arg("serve")
        .arg(&case)
        .args(["--bind", "127.0.0.1:0", "--audience", "police"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("this is not the passphrase of case"), "{}", text(&o));
    assert!(!String::from_utf8_lossy(&o.stdout).contains("login URL"), "no server started: {}", text(&o));
}
