//! Issue 14, "Look-alike ids" and "Protected persons in other channels": invisible characters
//! in ids and names are rejected at ingest, ids whose confusable skeletons (Unicode TR39)
//! collide are reported as warnings naming both, and a namesake of a protected minor that
//! differs only in diacritics, case or word order is shown in no output outside the court.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

#[path = "common/demo.rs"]
mod demo;
use demo::demo_copy;

fn run(args: &[&std::ffi::OsStr]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_moneytrail"))
        .args(args)
        .env("MONEYTRAIL_SEAL_PASSPHRASE", "demo case passphrase")
        .output()
        .unwrap()
}

fn append(case: &Path, file: &str, rows: &[&str]) -> usize {
    let mut t = std::fs::read_to_string(case.join(file)).unwrap();
    let first = t.lines().count() + 1;
    for r in rows {
        t.push_str(r);
        t.push('\n');
    }
    std::fs::write(case.join(file), t).unwrap();
    first
}

fn ingest(case: &Path, tmp: &Path) -> (String, String) {
    let out = tmp.join("ingest-out");
    let o = run(&["ingest".as_ref(), case.as_os_str(), "--out".as_ref(), out.as_os_str()]);
    assert!(matches!(o.status.code(), Some(0 | 1)), "{}", String::from_utf8_lossy(&o.stderr));
    let read = |f: &str| std::fs::read_to_string(out.join(f)).unwrap_or_default();
    (read("rejects.csv"), read("warnings.csv"))
}

#[test]
fn ids_and_names_with_bidi_controls_or_zero_width_characters_are_rejected() {
    let tmp = tempfile::tempdir().unwrap();
    let case = demo_copy(tmp.path());
    let line = append(
        &case,
        "accounts.csv",
        &[
            "A00\u{200B}00001,,BKT,P000001,2020-01-01,,ALL",
            "A0000\u{202E}1000,,BKT,P000001,2020-01-01,,ALL",
            "A9000003,,BKT,P000001,2020-01-01,,ALL",
        ],
    );
    let pline = append(
        &case,
        "persons.csv",
        &["P900001,Arta\u{2066} Hoxha,1980-01-01,,,", "P900002,Arta\u{200D}Hoxha,1980-01-01,,,"],
    );
    let (rejects, _) = ingest(&case, tmp.path());
    let row =
        |file: &str, l: usize| rejects.lines().find(|r| r.contains(&format!("{file},{l},"))).unwrap_or("").to_string();
    let r = row("accounts.csv", line);
    assert!(r.contains("U+200B, a zero-width character, at character 4"), "{rejects}");
    assert!(r.contains("A00\\u{200B}00001"), "the reject shows the character escaped: {r}");
    assert!(
        !rejects.contains('\u{200B}') && !rejects.contains('\u{202E}'),
        "no raw invisible character in rejects.csv"
    );
    assert!(row("accounts.csv", line + 1).contains("U+202E, a bidirectional embedding or override"), "{rejects}");
    assert!(row("accounts.csv", line + 2).is_empty(), "a plain id loads: {rejects}");
    assert!(row("persons.csv", pline).contains("U+2066, a bidirectional isolate"), "{rejects}");
    assert!(row("persons.csv", pline + 1).contains("U+200D"), "{rejects}");
}

#[test]
fn look_alike_ids_are_reported_at_ingest_naming_both() {
    let tmp = tempfile::tempdir().unwrap();
    let case = demo_copy(tmp.path());
    // A0000001 exists in the demo; the second has a Cyrillic А (U+0410), the third a Greek Ο for 0.
    let line = append(
        &case,
        "accounts.csv",
        &["\u{0410}0000001,,BKT,P000001,2020-01-01,,ALL", "A00000\u{039F}2,,BKT,P000001,2020-01-01,,ALL"],
    );
    let (rejects, warnings) = ingest(&case, tmp.path());
    assert!(!rejects.contains("accounts.csv"), "look-alikes load: {rejects}");
    let w =
        warnings.lines().find(|l| l.contains(&format!("accounts.csv,{line},"))).unwrap_or_else(|| panic!("{warnings}"));
    assert!(w.contains("looks like 'A0000001' (accounts.csv line 2)"), "{w}");
    assert!(w.contains("U+0410 at 1"), "{w}");
    let w = warnings
        .lines()
        .find(|l| l.contains(&format!("accounts.csv,{},", line + 1)))
        .unwrap_or_else(|| panic!("{warnings}"));
    assert!(w.contains("looks like 'A0000002'"), "{w}");
    // Demo ids alone raise no such warning.
    assert_eq!(warnings.matches("confusable skeleton").count(), 2, "{warnings}");
}

/// Before: the skeleton check compared ids only inside the persons/companies, accounts and
/// properties spaces, so a transfer id with a Cyrillic Т and an account id that prints as a
/// person's id loaded without a word.
#[test]
fn look_alike_transfer_ids_and_ids_across_id_spaces_are_reported_at_ingest() {
    let tmp = tempfile::tempdir().unwrap();
    let case = demo_copy(tmp.path());
    // Р (U+0420) for P: prints as the person P000001.
    let aline = append(&case, "accounts.csv", &["\u{0420}000001,,BKT,P000001,2020-01-01,,ALL"]);
    // Т (U+0422) for T: prints as the demo's first transfer T000000001.
    let tline =
        append(&case, "transfers.csv", &["\u{0422}000000001,2024-03-01 10:00:00,A0000014,A0000020,1000.00,ALL,wire,,"]);
    let (rejects, warnings) = ingest(&case, tmp.path());
    assert!(!rejects.contains("accounts.csv") && !rejects.contains("transfers.csv"), "look-alikes load: {rejects}");
    let find = |file: &str, l: usize| {
        warnings
            .lines()
            .find(|w| w.contains(&format!("{file},{l},")))
            .unwrap_or_else(|| panic!("{warnings}"))
            .to_string()
    };
    let w = find("accounts.csv", aline);
    assert!(w.contains("looks like 'P000001' (persons.csv line 2, the person_id of persons)"), "{w}");
    assert!(w.contains("U+0420 at 1"), "{w}");
    let w = find("transfers.csv", tline);
    assert!(w.contains("looks like 'T000000001' (transfers.csv line 2)"), "{w}");
    assert!(w.contains("U+0422 at 1"), "{w}");
    assert_eq!(warnings.matches("confusable skeleton").count(), 2, "the demo's own ids raise none: {warnings}");
}

/// Folded as a reader would search: no diacritics, lower case.
fn fold(s: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    s.nfd().filter(|c| !unicode_normalization::char::is_combining_mark(*c)).collect::<String>().to_lowercase()
}

fn files_under(p: &Path, out: &mut Vec<PathBuf>) {
    if p.is_dir() {
        for e in std::fs::read_dir(p).unwrap().flatten() {
            files_under(&e.path(), out);
        }
    } else {
        out.push(p.to_path_buf());
    }
}

#[test]
fn namesakes_of_a_protected_minor_in_diacritics_or_word_order_are_shown_in_no_output() {
    let tmp = tempfile::tempdir().unwrap();
    let case = demo_copy(tmp.path());
    // P000068 Rezarta Lleshi is a listed victim and a minor. Two other persons carry her name
    // with other diacritics, in capitals and in the register's surname-first order; each holds
    // an account that moves money, so they reach findings, diagrams and exports.
    append(
        &case,
        "persons.csv",
        &["P900001,LLESHI Rëzarta,1970-01-01,,,Durrës", "P900002,Rezárta Lléshi,1971-01-01,,,Vlorë"],
    );
    append(&case, "accounts.csv", &["A9000001,,BKT,P900001,2020-01-01,,ALL", "A9000002,,BKT,P900002,2020-01-01,,ALL"]);
    append(
        &case,
        "transfers.csv",
        &[
            "T900001,2024-03-01 10:00:00,A9000001,A9000002,950000.00,ALL,wire,pagesë,",
            "T900002,2024-03-02 10:00:00,A9000002,A9000001,940000.00,ALL,wire,kthim,",
        ],
    );
    let q = tmp.path().join("q.cypher");
    std::fs::write(&q, "MATCH (p:Person) RETURN p.id, p.full_name, toUpper(p.full_name) AS up\n").unwrap();
    let o = |n: &str| tmp.path().join(n).into_os_string();
    let c = case.as_os_str();
    let police: Vec<std::ffi::OsString> = vec!["--audience".into(), "police".into()];
    let runs: Vec<Vec<std::ffi::OsString>> = vec![
        vec!["detect".into(), c.into(), "--out".into(), o("findings.json")],
        vec!["investigate".into(), c.into(), "--out".into(), o("bundle"), "--no-graphviz".into()],
        vec!["export".into(), c.into(), "--format".into(), "graphml".into(), "--out".into(), o("g.graphml")],
        vec!["export".into(), c.into(), "--format".into(), "ftm".into(), "--out".into(), o("g.ftm.json")],
        vec!["resolve".into(), c.into(), "--out".into(), o("entities.csv"), "--log".into(), o("log.csv")],
        vec![
            "query".into(),
            c.into(),
            q.clone().into_os_string(),
            "--format".into(),
            "csv".into(),
            "--out".into(),
            o("q.csv"),
        ],
        vec!["victims".into(), c.into(), "--out".into(), o("victims.csv")],
    ];
    for mut args in runs {
        args.extend(police.iter().cloned());
        let a: Vec<&std::ffi::OsStr> = args.iter().map(|x| x.as_os_str()).collect();
        let r = run(&a);
        assert!(matches!(r.status.code(), Some(0 | 1)), "{args:?}: {}", String::from_utf8_lossy(&r.stderr));
        let shown = fold(&(String::from_utf8_lossy(&r.stdout).into_owned() + &String::from_utf8_lossy(&r.stderr)));
        assert!(!shown.contains("rezarta"), "{args:?} printed the name");
    }
    let mut files = Vec::new();
    for f in ["findings.json", "bundle", "g.graphml", "g.ftm.json", "entities.csv", "log.csv", "q.csv", "victims.csv"] {
        files_under(&tmp.path().join(f), &mut files);
    }
    assert!(files.len() > 8, "{files:?}");
    for f in files {
        let Ok(text) = std::fs::read(&f) else { continue };
        let text = fold(&String::from_utf8_lossy(&text));
        assert!(!text.contains("rezarta"), "{} holds the protected name in some form", f.display());
    }
}
