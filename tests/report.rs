//! The prosecutor's report (issue 17): reconciled per-suspect summary, numbered one-sentence
//! findings with folded indicators, methodology.html with every cited anchor, no internal
//! markers, and the same bytes on every run and thread count.

use moneytrail::export::bundle::investigate;
use moneytrail::export::methodology;
use moneytrail::ingest::{load_case, LoadOptions};
use moneytrail::investigation::Config as InvestigateOptions;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn opts() -> InvestigateOptions {
    InvestigateOptions {
        graphviz: false,
        protection: Some(moneytrail::victims::Protection::from_master([7; 32], [0; 16])),
        ..InvestigateOptions::default()
    }
}

fn demo() -> moneytrail::model::Case {
    load_case(&Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets/demo"), &LoadOptions::default()).unwrap().case
}

fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, d: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for e in std::fs::read_dir(d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                out.insert(p.strip_prefix(root).unwrap().display().to_string(), std::fs::read(&p).unwrap());
            }
        }
    }
    let mut m = BTreeMap::new();
    walk(dir, dir, &mut m);
    m
}

fn out(name: &str) -> PathBuf {
    let p = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&p);
    p
}

#[test]
fn same_bytes_across_runs_and_thread_counts() {
    let case = demo();
    let (a, b) = (out("report_det_a"), out("report_det_b"));
    investigate(&case, &a, &opts()).unwrap();
    let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
    pool.install(|| investigate(&case, &b, &opts())).unwrap();
    let (fa, fb) = (files(&a), files(&b));
    assert_eq!(fa.keys().collect::<Vec<_>>(), fb.keys().collect::<Vec<_>>());
    for (k, v) in &fa {
        assert!(v == &fb[k], "{k} differs between a parallel and a one-thread run");
    }
    for f in ["methodology.html", "workbook.xlsx", "case.graphml", "case.anx", "report.html"] {
        assert!(fa.contains_key(f), "{f} in the bundle");
    }
    let manifest = String::from_utf8(fa["manifest.json"].clone()).unwrap();
    for f in ["methodology.html", "workbook.xlsx", "case.graphml", "case.anx"] {
        assert!(manifest.contains(&format!("\"{f}\"")), "{f} listed in manifest.json");
    }
}

#[test]
fn report_reads_as_a_court_document() {
    let dir = out("report_court");
    investigate(&demo(), &dir, &opts()).unwrap();
    let report = std::fs::read_to_string(dir.join("report.html")).unwrap();
    let meth = std::fs::read_to_string(dir.join("methodology.html")).unwrap();
    // No internal markers or citations of files the bundle does not hold.
    for text in [&report, &meth] {
        for bad in ["methodology.md", "[D]", "[S]", "[U]", "patterns::", "src/"] {
            assert!(!text.contains(bad), "{bad:?} in a file the court reads");
        }
    }
    // Every link into the methodology lands on an anchor it defines.
    let known: Vec<&str> = methodology::anchors();
    let mut links = 0;
    for part in report.split("href=\"methodology.html#").skip(1) {
        let a = part.split('"').next().unwrap();
        assert!(known.contains(&a), "report links to methodology.html#{a}, which does not exist");
        assert!(meth.contains(&format!("id=\"{a}\"")));
        links += 1;
    }
    assert!(links >= 20, "the report links into the methodology ({links} links)");
    // Findings: short numbers, one sentence, folded indicators, hash kept.
    assert!(report.contains("id=\"f-001\"") && report.contains(">F-001<"));
    assert!(report.contains("<details><summary>Indicators and finding id</summary>"));
    assert!(!report.contains("(+25): "), "indicator walls are folded into tables");
    let csv = std::fs::read_to_string(dir.join("findings.csv")).unwrap();
    let first_id = csv.lines().nth(1).unwrap().split(',').next().unwrap();
    assert!(report.contains(first_id), "the hash id of F-001 is shown in its folded details");
    // Amounts in one format: no bare amount with four or more integer digits.
    let body =
        report.split("<section id=\"summary\"").nth(1).unwrap().split("<section id=\"exhibits\"").next().unwrap();
    let visible: String = strip_tags(body);
    for w in visible.split(|c: char| c.is_whitespace() || c == '(' || c == ')' || c == ';') {
        let w = w.trim_end_matches([',', '.', ':']);
        if let Some((int, frac)) = w.split_once('.') {
            if int.len() >= 4
                && int.bytes().all(|b| b.is_ascii_digit())
                && frac.len() == 2
                && frac.bytes().all(|b| b.is_ascii_digit())
            {
                panic!("amount {w:?} is not in the report's format");
            }
        }
    }
    // One summary table per suspect, each with its figures proved by links.
    let case = demo();
    for k in 1..=case.suspects.rows.len().min(3) {
        let t =
            report.split(&format!("id=\"summary-table-{k}\"")).nth(1).unwrap_or_else(|| panic!("summary table {k}"));
        let t = t.split("</table>").next().unwrap();
        assert!(t.contains("Proceeds introduced") && t.contains("Confiscable band") && t.contains("Object-based"));
        assert!(t.contains("Disproportion"));
        assert!(t.contains(&format!("href=\"#suspect-{k}-tracing\"")));
    }
    assert!(report.contains("id=\"figures-relate\""), "the paragraph relating the headline figures");
    // Exhibit numbers are links to rows of the exhibit table.
    let first_ex = report.split("href=\"#E").nth(1).expect("an exhibit link").split('"').next().unwrap();
    assert!(report.contains(&format!("<tr id=\"E{first_ex}\">")));
}

fn strip_tags(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut in_tag = false;
    let mut in_svg = 0usize;
    let mut rest = s;
    while let Some(c) = rest.chars().next() {
        if rest.starts_with("<svg") {
            in_svg += 1;
        }
        if rest.starts_with("</svg>") {
            in_svg = in_svg.saturating_sub(1);
        }
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            _ if !in_tag && in_svg == 0 => out.push(c),
            _ => {}
        }
        rest = &rest[c.len_utf8()..];
    }
    out
}
