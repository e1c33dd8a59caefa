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
    #[serde(skip_serializing_if = "is_zero")]
    pub unknown_base: u64,
    /// Rows set aside by a rule of the mapping (a `when` filter, the `footer`); each is in the
    /// skipped list. `read = loaded + rejected + skipped`.
    #[serde(skip_serializing_if = "is_zero")]
    pub skipped: u64,
    /// Records created from other tables' rows rather than read: counterparty accounts and
    /// holders named in bank statements ("unverified external").
    #[serde(skip_serializing_if = "is_zero")]
    pub derived: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// What `ingest --preview` shows of one source.
#[derive(Clone, Debug, Default)]
pub struct SourcePreview {
    /// Case table.
    pub table: String,
    /// File, relative to the case folder.
    pub file: String,
    /// Sheet of a workbook.
    pub sheet: Option<String>,
    /// Line (or sheet row) of the header, 0 without one.
    pub header_line: u64,
    /// Preamble lines above the header.
    pub preamble: usize,
    /// Column names.
    pub headers: Vec<String>,
    /// How the mapping reads the file (statement accounts, zones, filters).
    pub notes: Vec<String>,
    /// The first rows.
    pub rows: Vec<PreviewRow>,
    /// The first rejects of this source.
    pub rejects: Vec<Issue>,
    /// Counts for this source.
    pub count: TableCount,
}

/// One row of a preview: its raw text and what the mapping made of it.
#[derive(Clone, Debug, Default)]
pub struct PreviewRow {
    /// Line or sheet row.
    pub line: u64,
    /// The fields as read, joined by ` | `.
    pub raw: String,
    /// Contract column and value, as loaded (or as mapped, when the row was not loaded).
    pub values: Vec<(String, String)>,
    /// `loaded`, `rejected: reason` or `skipped: reason`.
    pub outcome: String,
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
    /// Rows set aside by a rule of the mapping (filter, footer), with the rule.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub skipped: Vec<Issue>,
    /// `ingest --preview`: the first rows of each source (empty otherwise).
    #[serde(skip)]
    pub preview: Vec<SourcePreview>,
}

impl IngestReport {
    /// True when every table reconciles: read = loaded + rejected + skipped, and the reject and
    /// skipped lists agree.
    pub fn reconciles(&self) -> bool {
        let per_table_ok = self.tables.iter().all(|t| t.read == t.loaded + t.rejected + t.skipped);
        let total: u64 = self.tables.iter().map(|t| t.rejected).sum();
        let skipped: u64 = self.tables.iter().map(|t| t.skipped).sum();
        per_table_ok && total == self.rejects.len() as u64 && skipped == self.skipped.len() as u64
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
