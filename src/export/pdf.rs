//! report.pdf (`investigate --pdf`): the report printed by headless Chromium.
//!
//! Why Chromium: the report is HTML with inline SVG, and a browser engine is the renderer that
//! lays it out exactly as the analyst sees it, with the report's print stylesheet (cover sheet,
//! A4 pages, page numbers in the page margins); it is already what the project's browser tests
//! drive, and `.ci/run` installs it. A typesetting crate would need a second rendering of every
//! table and diagram.
//!
//! Reproducibility: Chromium writes the time of printing into the PDF's /CreationDate and
//! /ModDate. Both are rewritten, in place and at the same length (so the cross-reference
//! offsets stay valid), to the case's valuation date. The PDF is nevertheless NOT
//! byte-reproducible: two runs with the same Chromium 156 still differ elsewhere in the file
//! (not yet tracked down), so report.pdf is the one output of a bundle whose bytes change
//! between runs. `verify` covers it through manifest.json like every other output, and
//! report.html, from which it is printed, is reproducible.

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
    let tmp = tempdir()?;
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
    Ok(bytes)
}

fn tempdir() -> std::io::Result<PathBuf> {
    let base = std::env::temp_dir();
    for k in 0..1000u32 {
        let p = base.join(format!("moneytrail-pdf-{}-{k}", std::process::id()));
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
    fn pages_counted() {
        assert_eq!(page_count(b"/Type /Pages /Kids [] /Type /Page x /Type /Page"), 2);
    }
}
