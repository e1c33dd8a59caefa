//! What ingest tells the investigator: per-table counts that reconcile, every rejected row with
//! its reason, and warnings that did not stop a row from loading.

use serde::Serialize;

/// One row that was not loaded, or one warning about a loaded row.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Issue {
    /// Case table (`transfers`, ...).
    pub table: String,
    /// File, relative to the case folder.
    pub file: String,
    /// 1-based line (CSV, header = line 1) or row (Parquet); 0 when about the table as a whole.
    pub line: u64,
    /// Contract column at fault (empty when the whole row is at fault).
    pub column: String,
    /// The offending value, as read (truncated to 200 characters).
    pub value: String,
    /// What is wrong and what to fix.
    pub reason: String,
}

/// Counts for one table. `read = loaded + rejected` always holds.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct TableCount {
    /// Case table.
    pub table: String,
    /// Files that fed the table.
    pub files: usize,
    /// Data rows read (header excluded).
    pub read: u64,
    /// Rows loaded into the case.
    pub loaded: u64,
    /// Rows rejected (each is in the rejects list).
    pub rejected: u64,
    /// Warnings raised on loaded rows.
    pub warnings: u64,
    /// Loaded rows whose amount has no rate to the base currency on or before their date
    /// (transfers only): their base amount is unknown (each also has a warning).
    pub unknown_base: u64,
}

/// The full ingest report.
#[derive(Clone, Debug, Default, Serialize)]
pub struct IngestReport {
    /// One entry per table, in load order.
    pub tables: Vec<TableCount>,
    /// Rejected rows, sorted by table, file, line.
    pub rejects: Vec<Issue>,
    /// Warnings, sorted by table, file, line.
    pub warnings: Vec<Issue>,
}

impl IngestReport {
    /// True when every table reconciles: read = loaded + rejected, and the reject list agrees.
    pub fn reconciles(&self) -> bool {
        let per_table_ok = self.tables.iter().all(|t| t.read == t.loaded + t.rejected);
        let total: u64 = self.tables.iter().map(|t| t.rejected).sum();
        per_table_ok && total == self.rejects.len() as u64
    }

    /// Total rows rejected.
    pub fn rejected(&self) -> u64 {
        self.tables.iter().map(|t| t.rejected).sum()
    }
}

/// Truncates a value for a report line.
pub(crate) fn clip(s: &str) -> String {
    if s.chars().count() <= 200 {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(200).collect();
        t.push('…');
        t
    }
}
