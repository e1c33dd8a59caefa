//! Analyst decisions: the case file `resolution.csv` of must-link and cannot-link pairs, which
//! override the machine (docs/methodology.md#integrity-audit-log: manual links are annotations, never edits
//! of source rows).
//!
//! Columns: `left_id, right_id, decision, reason, analyst` (header required; extra columns
//! such as `date` are ignored). `decision` is `must_link` (also `same`, `must-link`) or
//! `cannot_link` (also `different`, `cannot-link`).

use std::path::{Path, PathBuf};

/// The case file read by [`read_case_decisions`].
pub const DECISIONS_FILE: &str = "resolution.csv";

/// What the analyst decided about a pair of records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DecisionKind {
    /// The two records are the same entity.
    MustLink,
    /// The two records are different entities.
    CannotLink,
}

impl DecisionKind {
    /// The name written in files and logs.
    pub fn as_str(self) -> &'static str {
        match self {
            DecisionKind::MustLink => "must_link",
            DecisionKind::CannotLink => "cannot_link",
        }
    }
}

/// One row of `resolution.csv`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision {
    /// First record id.
    pub left_id: String,
    /// Second record id.
    pub right_id: String,
    /// Must-link or cannot-link.
    pub kind: DecisionKind,
    /// Why (free text, copied to the log).
    pub reason: String,
    /// Who decided.
    pub analyst: String,
    /// Line in the file (1 = header), 0 for decisions built in code.
    pub line: u64,
}

/// Why a decisions file could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DecisionsError {
    /// The file could not be opened or read.
    #[error("cannot read {path}: {message}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The reader's message.
        message: String,
    },
    /// A row is malformed.
    #[error("{path}, line {line}: {message}")]
    Row {
        /// The file.
        path: PathBuf,
        /// Line number.
        line: u64,
        /// What is wrong and what to write instead.
        message: String,
    },
}

/// Reads a decisions file.
///
/// # Errors
/// [`DecisionsError::Read`] when the file cannot be read or lacks a required column;
/// [`DecisionsError::Row`] for an empty id or an unknown decision.
pub fn read_decisions(path: &Path) -> Result<Vec<Decision>, DecisionsError> {
    let read_err = |message: String| DecisionsError::Read { path: path.to_path_buf(), message };
    let mut rd = csv::ReaderBuilder::new().flexible(true).from_path(path).map_err(|e| read_err(e.to_string()))?;
    let header = rd.headers().map_err(|e| read_err(e.to_string()))?.clone();
    let col = |name: &str| header.iter().position(|h| h.trim().eq_ignore_ascii_case(name));
    let (Some(l), Some(r), Some(d)) = (col("left_id"), col("right_id"), col("decision")) else {
        return Err(read_err("the header must name left_id, right_id and decision (reason, analyst optional)".into()));
    };
    let (reason, analyst) = (col("reason"), col("analyst"));
    let mut out = Vec::new();
    for rec in rd.records() {
        let rec = rec.map_err(|e| read_err(e.to_string()))?;
        let line = rec.position().map(|p| p.line()).unwrap_or(0);
        let get = |c: Option<usize>| c.and_then(|c| rec.get(c)).map(str::trim).unwrap_or("").to_owned();
        let (left_id, right_id, dec) = (get(Some(l)), get(Some(r)), get(Some(d)));
        if left_id.is_empty() && right_id.is_empty() && dec.is_empty() {
            continue;
        }
        let row_err = |message: String| DecisionsError::Row { path: path.to_path_buf(), line, message };
        if left_id.is_empty() || right_id.is_empty() {
            return Err(row_err("left_id and right_id must both name a person or company record".into()));
        }
        let kind = match dec.to_ascii_lowercase().as_str() {
            "must_link" | "must-link" | "same" | "link" => DecisionKind::MustLink,
            "cannot_link" | "cannot-link" | "different" | "unlink" => DecisionKind::CannotLink,
            other => return Err(row_err(format!("decision '{other}' is neither must_link nor cannot_link"))),
        };
        out.push(Decision { left_id, right_id, kind, reason: get(reason), analyst: get(analyst), line });
    }
    Ok(out)
}

/// Reads `resolution.csv` from a case folder; no decisions when the file is absent.
///
/// # Errors
/// As [`read_decisions`].
pub fn read_case_decisions(case_dir: &Path) -> Result<Vec<Decision>, DecisionsError> {
    let path = case_dir.join(DECISIONS_FILE);
    if path.is_file() {
        read_decisions(&path)
    } else {
        Ok(Vec::new())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_rejects() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("resolution.csv");
        std::fs::write(
            &p,
            "left_id,right_id,decision,reason,analyst\nP1,P2,must_link,same passport photo,E. Kola\nP3,P4,different,father and son,E. Kola\n",
        )
        .unwrap();
        let d = read_decisions(&p).unwrap();
        assert_eq!(d.len(), 2);
        assert_eq!((d[0].kind, d[0].line, d[0].analyst.as_str()), (DecisionKind::MustLink, 2, "E. Kola"));
        assert_eq!((d[1].kind, d[1].line), (DecisionKind::CannotLink, 3));
        std::fs::write(&p, "left_id,right_id,decision\nP1,P2,maybe\n").unwrap();
        let e = read_decisions(&p).unwrap_err().to_string();
        assert!(e.contains("line 2") && e.contains("maybe"), "{e}");
        std::fs::write(&p, "a,b\n").unwrap();
        assert!(read_decisions(&p).is_err());
        assert!(read_case_decisions(&dir.path().join("nowhere")).unwrap().is_empty());
    }
}
