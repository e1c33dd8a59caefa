//! L1, ingest: loads a case folder (case.toml plus one or more files per table, CSV or Parquet,
//! in the contract layout or mapped from a foreign one) into a validated [`Case`].
//!
//! Depends on `model` only. Nothing is lost: every data row read is either loaded or reported
//! as an [`Issue`] with file, line, column, value and reason, and [`IngestReport::reconciles`]
//! checks `read = loaded + rejected` per table. The library never prints.

mod config;
mod driver;
mod excel;
pub mod ibm;
pub mod import;
mod labelled;
mod lookalike;
mod report;
mod row;
mod source;
mod statement;
mod tables;
mod teach;
mod transfers;
mod zone;

pub use config::{
    read_case_toml, resolve_inside, CaseToml, CellSpec, ColumnRule, ColumnSpec, Condition, DirectionSpec, EdgeSpec,
    EndSpec, Labels, NodeSpec, ReadOptions, SourceSpec, StatementSpec,
};
pub use labelled::{BUILTIN_LABELS, BUILTIN_TYPES};
pub use report::{IngestReport, Issue, PreviewRow, SourcePreview, TableCount};
pub use row::Fault;
pub use source::hash_file;

use crate::model::Case;
use std::path::{Path, PathBuf};

/// The case tables in load order (each may refer only to tables before it).
pub const TABLES: &[&str] = &[
    "fx_rates",
    "persons",
    "companies",
    "accounts",
    "transfers",
    "properties",
    "property_titles",
    "encumbrances",
    "company_ownership",
    "relations",
    "income",
    "suspects",
    "victims",
];

/// Errors that stop a load (exit code 2). Row-level problems are never errors: they are
/// rejects in the [`IngestReport`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IngestError {
    /// A file could not be opened or read.
    #[error("cannot {what} {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What was attempted.
        what: String,
        /// The OS error.
        source: std::io::Error,
    },
    /// case.toml (or the mapping file) is malformed.
    #[error("{path}: {message}")]
    Config {
        /// The settings file.
        path: PathBuf,
        /// What is wrong, from the TOML parser or validation.
        message: String,
    },
    /// A mapping does not fit the file it maps.
    #[error("{path}: {message}")]
    Mapping {
        /// The data file.
        path: PathBuf,
        /// What is wrong and what to do.
        message: String,
    },
    /// The CSV reader failed (I/O error in the middle of a file).
    #[error("{path}: {message}")]
    Csv {
        /// The data file.
        path: PathBuf,
        /// The reader's message.
        message: String,
    },
    /// A table file path leaves the case folder.
    #[error("'{file}' leaves the case folder {root}: case files must lie inside it (use --mapping to read a foreign folder in place)")]
    PathOutsideCase {
        /// The path as written.
        file: String,
        /// The case folder.
        root: PathBuf,
    },
    /// A Parquet file was given but this build has no Parquet support.
    #[error("{path}: Parquet support is not built in; rebuild with `--features parquet` or convert the file to CSV")]
    NoParquet {
        /// The file.
        path: PathBuf,
    },
    /// A string column outgrew its arena.
    #[error(transparent)]
    ColumnFull(#[from] crate::model::ColumnFull),
}

/// Options of a load.
#[derive(Clone, Debug, Default)]
pub struct LoadOptions {
    /// A mapping file used instead of the folder's case.toml (for foreign layouts read in place).
    pub mapping: Option<PathBuf>,
}

/// A loaded case with its ingest report.
#[derive(Debug)]
pub struct Loaded {
    /// The case.
    pub case: Case,
    /// Counts, rejects and warnings.
    pub report: IngestReport,
}

/// Loads the case in `dir`.
///
/// # Errors
/// [`IngestError`] when the load cannot go on (missing or malformed settings, unreadable
/// files, a mapping that does not fit). Bad rows are not errors: see [`Loaded::report`].
///
/// # Complexity
/// O(rows) plus an O(n log n) sort of transfer ids for duplicate detection; transfers are
/// parsed in parallel batches.
pub fn load_case(dir: &Path, opts: &LoadOptions) -> Result<Loaded, IngestError> {
    driver::Loader::run(dir, opts, None)
}

/// Loads the case in `dir` as [`load_case`] does, keeping for each source its first `rows`
/// rows beside their raw text and its first rejects ([`IngestReport::preview`]), for
/// `ingest --preview`. Writes nothing.
///
/// # Errors
/// As [`load_case`].
pub fn preview_case(dir: &Path, opts: &LoadOptions, rows: usize) -> Result<Loaded, IngestError> {
    driver::Loader::run(dir, opts, Some(rows))
}
