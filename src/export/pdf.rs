//! report.pdf (`investigate --pdf`): the report printed by headless Chromium.
//!
//! Why Chromium: the report is HTML with inline SVG, and a browser engine is the renderer that
//! lays it out exactly as the analyst sees it, with the report's print stylesheet (cover sheet,
//! A4 pages, page numbers in the page margins); it is already what the project's browser tests
//! drive, and `.ci/run` installs it. A typesetting crate would need a second rendering of every
//! table and diagram.
//!
//! Reproducibility: two prints of the same page by the same Chromium differ in three places only
//! (measured with Chromium 156 on the demo report; the first two were 20,557 bytes in 16,063
//! runs):
//! - /CreationDate and /ModDate hold the time of printing;
//! - the tagged-PDF structure tree names table header cells by the DOM node id of the page
//!   (`/ID (node00000066)`, `/Headers [(node00000066)]`), and the browser's node counter starts
//!   at a different number on each run.
//!
//! - the folder the page is printed from: the page printed (src/export/report/print.rs) has no
//!   links to other files (they are written as bundle-relative paths), but the folder is still
//!   named by the page's hash so that any reference Chromium resolves against it is stable.
//!
//! The first two are rewritten in place and at the same length, so no cross-reference offset moves: the
//! dates to the case's valuation date ([`fix_dates`]), the node ids to their order of first
//! appearance in the file ([`fix_node_ids`]). With that, report.pdf is byte-identical across
//! runs of the same version with the same Chromium (tests/report_pdf.rs checks it); another
//! Chromium version lays the page out its own way and gives other bytes.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Why no PDF could be made.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    /// No Chromium binary was found.
    #[error("--pdf needs headless Chromium, which was not found (install it: apt-get install chromium; or set MONEYTRAIL_CHROMIUM to its path)")]
    NoChromium,
    /// Chromium ran but wrote no PDF.
    #[error("Chromium did not print the report ({0})")]
    Failed(String),
    /// I/O around the temporary files.
    #[error("printing the report: {0}")]
    Io(#[from] std::io::Error),
}

/// The Chromium binary: `MONEYTRAIL_CHROMIUM`, else the usual install paths.
pub fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("MONEYTRAIL_CHROMIUM").map(PathBuf::from).filter(|p| p.exists()) {
        return Some(p);
    }
    ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome", "/usr/bin/google-chrome-stable"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
}

/// Prints `html` (a self-contained page) to PDF and fixes its dates to `date` (YYYYMMDD).
pub fn print(html: &str, date: &str) -> Result<Vec<u8>, PdfError> {
    let bin = chromium().ok_or(PdfError::NoChromium)?;
    let tmp = tempdir(html)?;
    let page = tmp.join("report.html");
    std::fs::write(&page, html)?;
    let pdf = tmp.join("report.pdf");
    let mut child = Command::new(&bin)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--no-pdf-header-footer",
            "--run-all-compositor-stages-before-draw",
        ])
        .arg(format!("--user-data-dir={}", tmp.join("profile").display()))
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(format!("file://{}", page.display()))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    let start = Instant::now();
    while child.try_wait()?.is_none() {
        if start.elapsed() > Duration::from_secs(180) {
            let _ = child.kill();
            let _ = child.wait();
            let _ = std::fs::remove_dir_all(&tmp);
            return Err(PdfError::Failed("no result in 180 s".into()));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let bytes = std::fs::read(&pdf).map_err(|e| PdfError::Failed(e.to_string()));
    let _ = std::fs::remove_dir_all(&tmp);
    let mut bytes = bytes?;
    if !bytes.starts_with(b"%PDF-") {
        return Err(PdfError::Failed("the output is not a PDF".into()));
    }
    fix_dates(&mut bytes, date);
    fix_node_ids(&mut bytes);
    Ok(bytes)
}

/// The folder the page is printed from, named by the page's SHA-256, so that the same page is
/// printed from the same path and gives the same bytes (Chromium resolves any relative reference
/// against it; the print page itself links to no other file, see src/export/report/print.rs). A
/// folder left by a print running at the same moment gets a numbered neighbour (that PDF's
/// links then differ).
fn tempdir(html: &str) -> std::io::Result<PathBuf> {
    use sha2::{Digest, Sha256};
    let hash = Sha256::digest(html.as_bytes());
    let name: String = hash[..8].iter().map(|b| format!("{b:02x}")).collect();
    let base = std::env::temp_dir().join("moneytrail-pdf");
    std::fs::create_dir_all(&base)?;
    for k in 0..1000u32 {
        let p = if k == 0 { base.join(&name) } else { base.join(format!("{name}-{k}")) };
        if std::fs::create_dir(&p).is_ok() {
            return Ok(p);
        }
    }
    Err(std::io::Error::other("no temporary folder for the PDF"))
}

/// Rewrites every `/CreationDate (D:...)` and `/ModDate (D:...)` to `date` at midnight UTC,
/// padded to the original length so that no byte offset moves.
pub fn fix_dates(pdf: &mut [u8], date: &str) {
    for key in [&b"/CreationDate"[..], &b"/ModDate"[..]] {
        let mut from = 0;
        while let Some(i) = find(&pdf[from..], key).map(|i| i + from) {
            from = i + key.len();
            let Some(open) = pdf[from..].iter().position(|&b| b == b'(').map(|p| p + from) else { break };
            let Some(close) = pdf[open..].iter().position(|&b| b == b')').map(|p| p + open) else { break };
            if open - from > 2 {
                continue;
            }
            let len = close - open - 1;
            let mut want = format!("D:{date}000000+00'00'").into_bytes();
            want.resize(len, b' ');
            if want.len() == len {
                pdf[open + 1..close].copy_from_slice(&want[..len]);
            }
            from = close;
        }
    }
}

/// Renumbers every DOM node id of the structure tree (`(nodeNNNNNNNN)`, eight digits) by its
/// order of first appearance in the file: `node00000000`, `node00000001`, ... The same id
/// gets the same number everywhere, so the references between structure elements still hold,
/// and every replacement has the length of the original.
pub fn fix_node_ids(pdf: &mut [u8]) {
    const KEY: &[u8] = b"(node";
    let mut seen: std::collections::HashMap<[u8; 8], [u8; 8]> = std::collections::HashMap::new();
    let mut from = 0;
    while let Some(i) = find(&pdf[from..], KEY).map(|i| i + from) {
        let d = i + KEY.len();
        from = d;
        if d + 9 > pdf.len() || pdf[d + 8] != b')' || !pdf[d..d + 8].iter().all(u8::is_ascii_digit) {
            continue;
        }
        let mut old = [0u8; 8];
        old.copy_from_slice(&pdf[d..d + 8]);
        let n = seen.len();
        let new = *seen.entry(old).or_insert_with(|| {
            let mut b = [0u8; 8];
            b.copy_from_slice(format!("{n:08}").as_bytes());
            b
        });
        pdf[d..d + 8].copy_from_slice(&new);
        from = d + 9;
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// The PDF's page count (`/Type /Page` objects), for the CLI's summary and the tests.
pub fn page_count(pdf: &[u8]) -> usize {
    let mut n = 0;
    let mut from = 0;
    while let Some(i) = find(&pdf[from..], b"/Type /Page").map(|i| i + from) {
        from = i + 11;
        if pdf.get(from) != Some(&b's') {
            n += 1;
        }
    }
    n
}

/// Whether a PDF can be made here.
pub fn available() -> bool {
    chromium().is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_rewritten_in_place() {
        let mut pdf =
            b"%PDF-1.4\n<< /CreationDate (D:20261202120000+00'00') /ModDate (D:20261202120001+00'00') >>".to_vec();
        let n = pdf.len();
        fix_dates(&mut pdf, "20250131");
        assert_eq!(pdf.len(), n);
        let s = String::from_utf8(pdf).unwrap();
        assert!(s.contains("/CreationDate (D:20250131000000+00'00')"), "{s}");
        assert!(s.contains("/ModDate (D:20250131000000+00'00')"), "{s}");
    }

    #[test]
    fn node_ids_renumbered_by_first_appearance() {
        let a = b"/ID (node00000066)>> /Headers [(node00000067)] /Headers [(node00000066)] (node12)".to_vec();
        let b = b"/ID (node00000071)>> /Headers [(node00000072)] /Headers [(node00000071)] (node12)".to_vec();
        let (mut x, mut y) = (a.clone(), b);
        fix_node_ids(&mut x);
        fix_node_ids(&mut y);
        assert_eq!(x, y);
        assert_eq!(x.len(), a.len());
        assert_eq!(
            String::from_utf8(x).unwrap(),
            "/ID (node00000000)>> /Headers [(node00000001)] /Headers [(node00000000)] (node12)"
        );
    }

    #[test]
    fn pages_counted() {
        assert_eq!(page_count(b"/Type /Pages /Kids [] /Type /Page x /Type /Page"), 2);
    }
}
