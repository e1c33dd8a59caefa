//! Provenance: every loaded fact remembers the file and line it came from, and every file its
//! SHA-256, so a finding, diagram edge or valuation can cite the rows that prove it.

use serde::{Deserialize, Serialize};

/// One input file of a case, as hashed at ingest.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceFile {
    /// Path relative to the case folder, with `/` separators.
    pub path: String,
    /// Size in bytes.
    pub size: u64,
    /// Lower-case hex SHA-256 of the file's bytes.
    pub sha256: String,
    /// The case table this file fed (`persons`, `transfers`, ...), or `config` for case.toml.
    pub table: String,
    /// The sheet read, for a workbook (XLSX, XLS, ODS): `Prov::line` is then the sheet's row.
    /// One entry per sheet read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sheet: Option<String>,
}

/// Where one row came from: an index into the case's [`SourceFile`] list and the 1-based line
/// number of the record in that file (for Parquet, the 1-based row number; for a workbook, the
/// row of the sheet that [`SourceFile::sheet`] names). 8 bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Prov {
    /// Index into [`crate::model::Case::files`].
    pub file: u32,
    /// 1-based line (CSV, counting the header as line 1) or row (Parquet).
    pub line: u32,
}

/// The input manifest: what was read, with hashes, plus the tool version that read it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Manifest {
    /// moneytrail version.
    pub tool_version: String,
    /// The case name from case.toml.
    pub case_name: String,
    /// Every input file, in load order.
    pub inputs: Vec<SourceFile>,
}

/// Lower-case hex SHA-256 of the case's input list (every [`SourceFile`], serialised as JSON in
/// load order): one hash that names the data a result was computed from. Diagram footers, the
/// report and the bundle manifest carry it.
pub fn input_manifest_hash(files: &[SourceFile]) -> String {
    use sha2::{Digest, Sha256};
    // Serialising plain strings and integers cannot fail; an empty list hashes `[]`.
    let json = serde_json::to_vec(files).unwrap_or_else(|_| b"[]".to_vec());
    format!("{:x}", Sha256::digest(&json))
}
