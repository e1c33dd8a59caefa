//! Writing result files: the output folder, CSV with formula neutralisation, JSON.

use anyhow::{Context, Result};
use moneytrail::ingest::Issue;
use moneytrail::text::csv_safe;
use std::path::{Path, PathBuf};

/// The output folder: `--out` or `out/<case folder name>`, created if needed.
pub fn out_dir(out: Option<PathBuf>, case: &Path) -> Result<PathBuf> {
    let dir = match out {
        Some(d) => d,
        None => {
            let name = case
                .canonicalize()
                .ok()
                .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
                .unwrap_or_else(|| "case".into());
            PathBuf::from("out").join(name)
        }
    };
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create output folder {}", dir.display()))?;
    Ok(dir)
}

/// Writes issues (rejects or warnings) as CSV: table, file, line, column, value, reason.
pub fn write_issues(path: &Path, issues: &[Issue]) -> Result<()> {
    let mut w = csv::Writer::from_path(path).with_context(|| format!("cannot write {}", path.display()))?;
    w.write_record(["table", "file", "line", "column", "value", "reason"])?;
    for i in issues {
        let line = i.line.to_string();
        csv_safe::write_record(&mut w, &[&i.table, &i.file, &line, &i.column, &i.value, &i.reason])?;
    }
    w.flush()?;
    Ok(())
}

/// Writes a value as pretty JSON with a trailing newline.
pub fn write_json<T: serde::Serialize>(path: &Path, v: &T) -> Result<()> {
    let mut s = serde_json::to_string_pretty(v)?;
    s.push('\n');
    std::fs::write(path, s).with_context(|| format!("cannot write {}", path.display()))
}
