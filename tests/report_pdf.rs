//! `investigate --pdf` (issue 17): report.pdf printed by headless Chromium, with a cover sheet
//! and several A4 pages, listed in manifest.json, caught by `verify` when a byte changes, and
//! the same bytes on a second run (src/export/pdf.rs: dates and DOM node ids fixed). Skipped,
//! with a message, without Chromium.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn run(args: &[&std::ffi::OsStr]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_moneytrail"))
        .args(args)
        .env("MONEYTRAIL_SEAL_PASSPHRASE", "demo case passphrase")
        .output()
        .unwrap()
}

fn investigate(out: &Path) {
    let demo = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("datasets/demo");
    let o = run(&[
        "investigate".as_ref(),
        demo.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
        "--pdf".as_ref(),
        "--no-graphviz".as_ref(),
    ]);
    assert!(o.status.success(), "investigate --pdf: {}", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn pdf_is_written_listed_verified_and_reproducible() {
    if !moneytrail::export::pdf::available() {
        println!("SKIPPED pdf_is_written_listed_verified_and_reproducible: chromium not installed (apt-get install chromium)");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    investigate(&a);
    let pdf = std::fs::read(a.join("report.pdf")).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    let pages = moneytrail::export::pdf::page_count(&pdf);
    println!("report.pdf: {pages} pages, {} bytes", pdf.len());
    assert!(pages >= 3, "cover sheet and report pages ({pages})");
    let manifest = std::fs::read_to_string(a.join("manifest.json")).unwrap();
    assert!(manifest.contains("\"report.pdf\""), "listed in the manifest");
    let ok = run(&["verify".as_ref(), a.as_os_str()]);
    assert!(ok.status.success(), "verify: {}", String::from_utf8_lossy(&ok.stdout));
    // Byte-reproducible: a second run prints the same bytes (dates and node ids fixed).
    investigate(&b);
    let again = std::fs::read(b.join("report.pdf")).unwrap();
    assert_eq!(moneytrail::export::pdf::page_count(&again), pages);
    if let Some(i) = pdf.iter().zip(&again).position(|(x, y)| x != y) {
        panic!(
            "report.pdf differs between two runs at byte {i}: {:?}",
            String::from_utf8_lossy(&pdf[i.saturating_sub(60)..(i + 20).min(pdf.len())])
        );
    }
    assert_eq!(pdf.len(), again.len(), "report.pdf lengths differ between two runs");
    // A filed PDF keeps its links: none into the temporary folder it was printed from.
    links_survive_filing(&pdf);
    // One changed byte is caught.
    let mut bad = pdf.clone();
    let at = bad.len() / 2;
    bad[at] ^= 0x20;
    std::fs::write(a.join("report.pdf"), &bad).unwrap();
    let caught = run(&["verify".as_ref(), a.as_os_str()]);
    assert!(!caught.status.success(), "verify catches a changed byte in report.pdf");
    let text = format!("{}{}", String::from_utf8_lossy(&caught.stdout), String::from_utf8_lossy(&caught.stderr));
    assert!(text.contains("report.pdf"), "{text}");
}

/// The mini case with hostile text: the suspect's name is a script tag, another person's a
/// spreadsheet formula with a link, and the case name holds a right-to-left override.
fn hostile_case(dir: &Path) -> PathBuf {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/mini");
    std::fs::create_dir_all(dir).unwrap();
    for e in std::fs::read_dir(&src).unwrap().flatten() {
        std::fs::copy(e.path(), dir.join(e.file_name())).unwrap();
    }
    let persons = std::fs::read_to_string(dir.join("persons.csv")).unwrap();
    let mut lines: Vec<String> = persons.lines().map(str::to_string).collect();
    for (k, name) in [(1, SCRIPT), (2, FORMULA)] {
        let mut cols: Vec<String> = lines[k].split(',').map(str::to_string).collect();
        cols[1] = format!("\"{}\"", name.replace('"', "\"\""));
        lines[k] = cols.join(",");
    }
    std::fs::write(dir.join("persons.csv"), lines.join("\n") + "\n").unwrap();
    let toml = std::fs::read_to_string(dir.join("case.toml")).unwrap();
    let toml = toml.replace("name = \"Mini case (hand-written fixture)\"", "name = \"Mini \u{202E}gnp.exe case\"");
    std::fs::write(dir.join("case.toml"), toml).unwrap();
    dir.to_path_buf()
}

const SCRIPT: &str = "<script>alert(1)</script>";
const FORMULA: &str = "=HYPERLINK(\"http://evil.example\",\"click\")";

#[test]
fn hostile_names_are_inert_in_the_pdf_text() {
    if !moneytrail::export::pdf::available() {
        println!("SKIPPED hostile_names_are_inert_in_the_pdf_text: chromium not installed (apt-get install chromium)");
        return;
    }
    let pdftotext = ["/usr/bin/pdftotext", "/usr/local/bin/pdftotext"].into_iter().find(|p| Path::new(p).exists());
    let Some(pdftotext) = pdftotext else {
        println!(
            "SKIPPED hostile_names_are_inert_in_the_pdf_text: pdftotext not installed (apt-get install poppler-utils)"
        );
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let case = hostile_case(&tmp.path().join("case"));
    let out = tmp.path().join("bundle");
    let o = run(&[
        "investigate".as_ref(),
        case.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
        "--pdf".as_ref(),
        "--no-graphviz".as_ref(),
        "--audience".as_ref(),
        "court".as_ref(),
    ]);
    assert!(o.status.success(), "investigate --pdf: {}", String::from_utf8_lossy(&o.stderr));
    let pdf = std::fs::read(out.join("report.pdf")).unwrap();
    let txt = Command::new(pdftotext).arg(out.join("report.pdf")).arg("-").output().unwrap();
    assert!(txt.status.success(), "pdftotext: {}", String::from_utf8_lossy(&txt.stderr));
    let text = String::from_utf8(txt.stdout).unwrap();
    // The script tag is text on the page (escaped, never run or swallowed as markup).
    assert!(text.contains(SCRIPT), "the hostile name is shown as text in the PDF");
    // The formula is text too, and no link to its address was made.
    assert!(text.contains("=HYPERLINK("), "the formula name is shown as text");
    assert!(!pdf.windows(19).any(|w| w == b"http://evil.example"), "no link to the formula's address in the PDF");
    // No bidirectional control reaches the PDF's text: the override is shown as its code point.
    let bidi =
        |c: char| matches!(c, '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
    assert!(!text.chars().any(bidi), "a bidirectional control in the PDF text");
    assert!(text.contains("Mini [U+202E]gnp.exe case"), "the override is shown as [U+202E]");
}

/// The link annotations of `pdf`: every `/URI (...)` target, and how many internal links
/// (`/Dest` or `/GoTo`) it holds. Chromium writes annotations as plain (uncompressed) objects.
fn pdf_links(pdf: &[u8]) -> (Vec<String>, usize) {
    let text = String::from_utf8_lossy(pdf);
    let uris: Vec<String> =
        text.split("/URI (").skip(1).map(|s| s.split(')').next().unwrap_or("").to_string()).collect();
    let internal = text.matches("/Dest").count() + text.matches("/GoTo").count();
    (uris, internal)
}

/// Links inside report.pdf to other files of the bundle must survive filing: no `file://` URI
/// (Chromium turns a relative link into one under the temporary folder the page is printed
/// from), no temporary path; links into the methodology are internal (its annex), links to the
/// bundle's files are printed as their bundle-relative path.
fn links_survive_filing(pdf: &[u8]) {
    let (uris, internal) = pdf_links(pdf);
    let bad: Vec<&String> = uris.iter().filter(|u| !(u.starts_with("http://") || u.starts_with("https://"))).collect();
    assert!(bad.is_empty(), "links in report.pdf that a filed copy cannot follow: {bad:?}");
    for needle in [&b"file:"[..], b"moneytrail-pdf", b"/tmp/"] {
        assert!(!pdf.windows(needle.len()).any(|w| w == needle), "{:?} in report.pdf", String::from_utf8_lossy(needle));
    }
    assert!(internal > 50, "citations link into the methodology annex ({internal} internal links)");
    assert!(uris.iter().any(|u| u.contains("fatf-gafi.org")), "the annex keeps its public sources as links");
    let Some(pdftotext) =
        ["/usr/bin/pdftotext", "/usr/local/bin/pdftotext"].into_iter().find(|p| Path::new(p).exists())
    else {
        println!("(pdftotext not installed: the printed paths are not read back)");
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let f = tmp.path().join("r.pdf");
    std::fs::write(&f, pdf).unwrap();
    let txt = Command::new(pdftotext).arg(&f).arg("-").output().unwrap();
    let text = String::from_utf8_lossy(&txt.stdout);
    assert!(text.contains("diagrams/suspect-01-"), "full-size diagrams are named by their path in the bundle");
    assert!(text.contains("Annex: the methodology this report cites"), "the methodology is printed as an annex");
    assert!(text.contains("6.8 How moneytrail traces"), "the annex holds the methodology's sections");
}
