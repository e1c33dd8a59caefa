//! Import of interchange formats as a case folder: FollowTheMoney entities ([`ftm`]) and BODS
//! statements ([`bods`]). Both write case.toml and the contract CSVs (column names from
//! [`crate::model::schema`]) that `ingest` and `investigate` load, plus `import_report.csv`.
//!
//! Nothing is lost: every input record is either **written** (it gave at least one case row),
//! **merged** (its content went into another record's row, e.g. an FtM account holding into the
//! account's `holder_id`) or **listed** in `import_report.csv` with file, line (FtM) or statement
//! index (BODS) and the reason; `read = written + merged + listed` ([`ImportSummary::reconciles`]).
//! Parts of a record that have no place in the case (a BODS interest type without a case role)
//! are listed too, with the part named. Every written row keeps the source record id in the
//! extra columns `source_file`, `source_line` or `source_index`, and `source_id`; case.toml's
//! `[import]` table holds the SHA-256 and size of every source file, so the chain from a case row
//! back to the original file is kept (and investigate's manifest hashes case.toml).

pub mod bods;
pub mod ftm;

use crate::model::schema;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Errors that stop an import (exit code 2). Record-level problems are not errors: they are
/// listed in the import report.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ImportError {
    /// A file could not be read or written.
    #[error("cannot {what} {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What was attempted.
        what: &'static str,
        /// The OS error.
        source: std::io::Error,
    },
    /// The input as a whole does not have the expected shape, or a setting is missing.
    #[error("{path}: {message}")]
    Format {
        /// The file.
        path: PathBuf,
        /// What is wrong and what to do.
        message: String,
    },
}

/// Settings shared by the importers.
#[derive(Clone, Debug, Default)]
pub struct ImportOptions {
    /// Case name (default: "Import of FILE").
    pub name: Option<String>,
    /// Base currency (default: FtM the most frequent payment currency; BODS `ALL`).
    pub base_currency: Option<String>,
    /// Valuation date YYYY-MM-DD (default: the latest full date in the data).
    pub valuation_date: Option<String>,
    /// An fx_rates CSV in the contract layout, copied into the case (FtM and BODS carry no rates).
    pub fx_rates: Option<PathBuf>,
}

/// One source file of an import.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SourceInfo {
    /// File name as given on the command line (as written in case.toml).
    pub path: String,
    /// SHA-256, lower-case hex.
    pub sha256: String,
    /// Size in bytes.
    pub size: u64,
    /// Records (FtM lines, BODS statements) read from it.
    pub records: usize,
}

/// A record (or part of one) that was not written as its own row.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Listed {
    /// Source file (as in [`SourceInfo::path`]).
    pub file: String,
    /// FtM: 1-based line; BODS: 0-based statement index in its file.
    pub position: usize,
    /// The record's id (FtM `id`, BODS `statementId`), empty when it had none.
    pub record_id: String,
    /// FtM schema or BODS record type.
    pub kind: String,
    /// Empty for the whole record, else the part (e.g. `interests[1]`).
    pub part: String,
    /// `merged` or `listed`.
    pub outcome: &'static str,
    /// Why, and where the content went for `merged`.
    pub reason: String,
}

/// What an import did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ImportSummary {
    /// Source files with their hashes.
    pub sources: Vec<SourceInfo>,
    /// Records read (all files).
    pub read: usize,
    /// Records that gave at least one case row.
    pub written: usize,
    /// Records merged into another record's row.
    pub merged: usize,
    /// Whole records listed as not written.
    pub listed: usize,
    /// Record parts (BODS interests) read from written records.
    pub parts_read: usize,
    /// Parts that gave a row.
    pub parts_written: usize,
    /// Parts listed as not written.
    pub parts_listed: usize,
    /// Rows written per case table.
    pub rows: BTreeMap<String, usize>,
    /// Everything not written as its own row, in input order.
    pub report: Vec<Listed>,
    /// Notes on assumptions taken (defaults chosen, counts of derived values).
    pub notes: Vec<String>,
}

impl ImportSummary {
    /// True when every record and every part is accounted for.
    pub fn reconciles(&self) -> bool {
        self.read == self.written + self.merged + self.listed
            && self.parts_read == self.parts_written + self.parts_listed
    }

    pub(crate) fn list(&mut self, l: Listed) {
        if l.part.is_empty() {
            if l.outcome == "merged" {
                self.merged += 1;
            } else {
                self.listed += 1;
            }
        } else {
            self.parts_listed += 1;
        }
        self.report.push(l);
    }
}

/// One case table being built: rows of (column, value), header = contract columns then extra
/// columns in first-seen order.
#[derive(Debug)]
pub(crate) struct TableOut {
    name: &'static str,
    extras: Vec<String>,
    rows: Vec<Vec<(String, String)>>,
}

impl TableOut {
    pub(crate) fn new(name: &'static str) -> TableOut {
        TableOut { name, extras: Vec::new(), rows: Vec::new() }
    }

    fn contract(&self) -> &'static [&'static str] {
        schema::TABLES.iter().find(|(n, _)| *n == self.name).map(|(_, c)| *c).unwrap_or(&[])
    }

    /// Adds a row; empty values are kept out (an absent cell reads as empty).
    pub(crate) fn push(&mut self, cells: Vec<(&str, String)>) {
        let contract = self.contract();
        let mut row = Vec::with_capacity(cells.len());
        for (k, v) in cells {
            if v.is_empty() {
                continue;
            }
            if !contract.contains(&k) && !self.extras.iter().any(|e| e == k) {
                self.extras.push(k.to_string());
            }
            row.push((k.to_string(), v));
        }
        self.rows.push(row);
    }

    pub(crate) fn len(&self) -> usize {
        self.rows.len()
    }

    /// The value of `col` in row `i` (empty when absent).
    pub(crate) fn get(&self, i: usize, col: &str) -> &str {
        self.rows.get(i).and_then(|r| r.iter().find(|(k, _)| k == col)).map(|(_, v)| v.as_str()).unwrap_or("")
    }

    /// Sets `col` in row `i`.
    pub(crate) fn set(&mut self, i: usize, col: &str, v: String) {
        if !self.contract().contains(&col) && !self.extras.iter().any(|e| e == col) {
            self.extras.push(col.to_string());
        }
        if let Some(r) = self.rows.get_mut(i) {
            match r.iter_mut().find(|(k, _)| k == col) {
                Some(cell) => cell.1 = v,
                None => r.push((col.to_string(), v)),
            }
        }
    }

    fn write(&self, dir: &Path) -> Result<(), ImportError> {
        let path = dir.join(format!("{}.csv", self.name));
        let io = |source| ImportError::Io { path: path.clone(), what: "write", source };
        let mut w = csv::Writer::from_path(&path).map_err(|e| io(std::io::Error::other(e)))?;
        let header: Vec<&str> = self.contract().iter().copied().chain(self.extras.iter().map(String::as_str)).collect();
        w.write_record(&header).map_err(|e| io(std::io::Error::other(e)))?;
        for r in &self.rows {
            let rec: Vec<&str> =
                header.iter().map(|h| r.iter().find(|(k, _)| k == h).map(|(_, v)| v.as_str()).unwrap_or("")).collect();
            w.write_record(&rec).map_err(|e| io(std::io::Error::other(e)))?;
        }
        w.flush().map_err(io)
    }
}

/// Settings of the written case.toml.
pub(crate) struct CaseHeader<'a> {
    pub name: String,
    pub base_currency: String,
    pub valuation_date: String,
    pub format: &'a str,
}

/// Writes the tables, case.toml with its `[import]` table, the optional
/// fx_rates copy and import_report.csv.
pub(crate) fn write_case(
    out: &Path,
    header: &CaseHeader<'_>,
    tables: &[&TableOut],
    opts: &ImportOptions,
    summary: &mut ImportSummary,
) -> Result<(), ImportError> {
    std::fs::create_dir_all(out).map_err(|source| ImportError::Io {
        path: out.to_path_buf(),
        what: "create the case folder",
        source,
    })?;
    // Every table the importer fills is written, header only when empty, so a re-import into
    // the same folder never leaves stale rows; other tables (e.g. a suspects.csv the analyst
    // added) are left alone and load with the case.
    for t in tables {
        summary.rows.insert(t.name.to_string(), t.len());
        t.write(out)?;
    }
    let mut fx_source = None;
    if let Some(fx) = &opts.fx_rates {
        let dest = out.join("fx_rates.csv");
        std::fs::copy(fx, &dest).map_err(|source| ImportError::Io { path: fx.clone(), what: "copy", source })?;
        let (sha, size) = sha256_of(fx)?;
        fx_source = Some((fx.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default(), sha, size));
    }
    // case.toml through the toml crate, so names with quotes or newlines stay valid TOML.
    let mut t = toml::Table::new();
    t.insert("name".into(), header.name.clone().into());
    t.insert("base_currency".into(), header.base_currency.clone().into());
    t.insert("valuation_date".into(), header.valuation_date.clone().into());
    let files: Vec<String> = match summary.sources.as_slice() {
        [one] => vec![format!("{} (sha256 {})", one.path, one.sha256)],
        many => vec![format!("{} files (hashes under [import.sources])", many.len())],
    };
    t.insert(
        "notes".into(),
        format!(
            "Imported by moneytrail {} import-{} from {}. Records not written are listed in import_report.csv.",
            env!("CARGO_PKG_VERSION"),
            header.format,
            files.join(", ")
        )
        .into(),
    );
    let mut imp = toml::Table::new();
    imp.insert("format".into(), header.format.into());
    imp.insert("tool".into(), format!("moneytrail {}", env!("CARGO_PKG_VERSION")).into());
    let count = |n: usize| toml::Value::Integer(n as i64);
    imp.insert("read".into(), count(summary.read));
    imp.insert("written".into(), count(summary.written));
    imp.insert("merged".into(), count(summary.merged));
    imp.insert("listed".into(), count(summary.listed));
    imp.insert("parts_read".into(), count(summary.parts_read));
    imp.insert("parts_written".into(), count(summary.parts_written));
    imp.insert("parts_listed".into(), count(summary.parts_listed));
    let rows: toml::Table = summary.rows.iter().map(|(k, v)| (k.clone(), count(*v))).collect();
    imp.insert("rows".into(), rows.into());
    let mut sources: Vec<toml::Value> = summary
        .sources
        .iter()
        .map(|s| {
            let mut m = toml::Table::new();
            m.insert("file".into(), s.path.clone().into());
            m.insert("sha256".into(), s.sha256.clone().into());
            m.insert("size".into(), count(s.size as usize));
            m.insert("records".into(), count(s.records));
            toml::Value::Table(m)
        })
        .collect();
    if let Some((file, sha, size)) = fx_source {
        let mut m = toml::Table::new();
        m.insert("file".into(), file.into());
        m.insert("sha256".into(), sha.into());
        m.insert("size".into(), count(size as usize));
        m.insert("copied_to".into(), "fx_rates.csv".into());
        sources.push(toml::Value::Table(m));
    }
    imp.insert("sources".into(), sources.into());
    t.insert("import".into(), imp.into());
    let text =
        toml::to_string(&t).map_err(|e| ImportError::Format { path: out.join("case.toml"), message: e.to_string() })?;
    let path = out.join("case.toml");
    std::fs::write(&path, text).map_err(|source| ImportError::Io { path: path.clone(), what: "write", source })?;
    let path = out.join("import_report.csv");
    let io = |e: csv::Error| ImportError::Io { path: path.clone(), what: "write", source: std::io::Error::other(e) };
    let mut w = csv::Writer::from_path(&path).map_err(io)?;
    w.write_record(["file", "position", "record_id", "kind", "part", "outcome", "reason"]).map_err(io)?;
    for l in &summary.report {
        let pos = l.position.to_string();
        w.write_record([&l.file, &pos, &l.record_id, &l.kind, &l.part, l.outcome, &l.reason]).map_err(io)?;
    }
    w.flush().map_err(|source| ImportError::Io { path: path.clone(), what: "write", source })
}

/// SHA-256 and size of a file.
pub(crate) fn sha256_of(path: &Path) -> Result<(String, u64), ImportError> {
    super::hash_file(path).map_err(|e| ImportError::Format { path: path.to_path_buf(), message: e.to_string() })
}

/// The date part of an FtM/BODS date when it is a full, valid `YYYY-MM-DD` (partial dates such
/// as `1980` or `1980-05` give `None`: the case format holds days).
pub(crate) fn full_date(s: &str) -> Option<String> {
    let d = s.get(0..10)?;
    crate::model::Date::parse_iso(d).map(|_| d.to_string())
}

/// The file name used in reports and case.toml (never the absolute path: bundles must not
/// depend on where the input lay).
pub(crate) fn display_name(p: &Path) -> String {
    p.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_else(|| p.display().to_string())
}
