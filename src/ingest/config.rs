//! case.toml and mapping files: the case settings and, per case table, which files feed it and
//! how their layout maps onto the contract columns (docs/data-model.md, "Mappings").

use super::IngestError;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

/// The parsed case.toml (or a mapping file standing in for it).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseToml {
    /// Case name.
    pub name: String,
    /// ISO 4217 code all figures are converted to.
    pub base_currency: String,
    /// Valuation date, `YYYY-MM-DD`.
    pub valuation_date: String,
    /// Thresholds.
    #[serde(default)]
    pub thresholds: Thresholds,
    /// Reading defaults for every source.
    #[serde(default)]
    pub read: ReadOptions,
    /// Per case table, the sources that feed it. Tables not listed are looked for as
    /// `<table>.csv` or `<table>.parquet` in the case folder.
    #[serde(default)]
    pub tables: BTreeMap<String, Vec<SourceSpec>>,
    /// Extra labelled node and edge tables (`[[labels.nodes]]`, `[[labels.edges]]`).
    #[serde(default)]
    pub labels: Labels,
    /// Written by `moneytrail generate`; informational.
    #[serde(default)]
    pub generator: Option<toml::Table>,
    /// Written by `import-ftm` / `import-bods`: source files with SHA-256 and record counts;
    /// informational (the provenance chain to the imported file).
    #[serde(default)]
    pub import: Option<toml::Table>,
    /// Free-form notes (sources, licences, assumptions of a mapping).
    #[serde(default)]
    pub notes: Option<String>,
}

/// `[thresholds]`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Thresholds {
    /// Cash reporting threshold in the base currency; default 1,000,000 (ALL, docs/domain.md §1.3 / §3.6).
    pub cash_report: Option<String>,
}

/// How to read a file. Every field is optional; a source's own settings win over `[read]`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReadOptions {
    /// Field delimiter, one ASCII character (default `,`).
    pub delimiter: Option<String>,
    /// `utf-8` (default) or `windows-1250` (or any WHATWG label encoding_rs knows).
    pub encoding: Option<String>,
    /// chrono format for date columns (default ISO `%Y-%m-%d`).
    pub date_format: Option<String>,
    /// chrono format for date-time columns (default ISO, with ` ` or `T`).
    pub datetime_format: Option<String>,
    /// Amounts use a decimal comma (`1.234,56`).
    pub decimal_comma: Option<bool>,
    /// Thousands separator to strip from amounts (e.g. `.`, `,`, `'` or a space).
    pub thousands_separator: Option<String>,
    /// A fixed currency for every amount of the source.
    pub currency: Option<String>,
    /// Whether the first line names the columns (default true).
    pub has_header: Option<bool>,
}

impl ReadOptions {
    /// `self` with unset fields taken from `base`.
    pub fn over(&self, base: &ReadOptions) -> ReadOptions {
        ReadOptions {
            delimiter: self.delimiter.clone().or_else(|| base.delimiter.clone()),
            encoding: self.encoding.clone().or_else(|| base.encoding.clone()),
            date_format: self.date_format.clone().or_else(|| base.date_format.clone()),
            datetime_format: self.datetime_format.clone().or_else(|| base.datetime_format.clone()),
            decimal_comma: self.decimal_comma.or(base.decimal_comma),
            thousands_separator: self.thousands_separator.clone().or_else(|| base.thousands_separator.clone()),
            currency: self.currency.clone().or_else(|| base.currency.clone()),
            has_header: self.has_header.or(base.has_header),
        }
    }
}

/// One source of a case table: a file and how its columns map to the contract.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceSpec {
    /// Path relative to the case folder; it may not leave the folder.
    pub file: String,
    /// Reading options for this file.
    #[serde(default)]
    pub read: ReadOptions,
    /// Contract column -> where its value comes from. Columns not listed are taken from a
    /// source column of the same name when there is one.
    #[serde(default)]
    pub columns: BTreeMap<String, ColumnSpec>,
}

/// Where a contract column's value comes from.
#[derive(Clone, Debug, Deserialize)]
#[serde(untagged)]
pub enum ColumnSpec {
    /// The name of a source column.
    Column(String),
    /// A detailed rule.
    Rule(ColumnRule),
}

/// A detailed column rule: exactly one of `column`, `value` or `row_number`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnRule {
    /// Source column name.
    pub column: Option<String>,
    /// A constant for every row.
    pub value: Option<String>,
    /// Use the row's line number (ids for layouts that have none).
    pub row_number: Option<bool>,
    /// Text put before the value (keeps id spaces apart, e.g. `P` for persons, `C` for companies).
    pub prefix: Option<String>,
    /// Format of a date or time column: a chrono format, or `days_since:YYYY-MM-DD` (a day
    /// number counted from that date, as in AMLSim steps), `unix_seconds` or `unix_millis`.
    pub format: Option<String>,
}

/// `[labels]`: node and edge tables beyond the case tables, reached in queries by label and
/// relationship type (docs/data-model.md, "Extra labelled tables").
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Labels {
    /// `[[labels.nodes]]`: one source of a node table each; sources with the same label feed
    /// one table.
    #[serde(default)]
    pub nodes: Vec<NodeSpec>,
    /// `[[labels.edges]]`: one edge table each.
    #[serde(default)]
    pub edges: Vec<EdgeSpec>,
}

/// `[[labels.nodes]]`: `label = "Phone", file = "phones.csv", id = "phone_id"`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NodeSpec {
    /// The label queries match (`(p:Phone)`): a letter, then letters, digits or `_`.
    pub label: String,
    /// Path relative to the case folder.
    pub file: String,
    /// The id column: a column name or a rule (`{ column = "phoneId", prefix = "PH" }`,
    /// `{ row_number = true }`).
    pub id: ColumnSpec,
    /// Reading options for this file.
    #[serde(default)]
    pub read: ReadOptions,
    /// Source columns read as typed properties: column name -> `decimal`, `date`,
    /// `datetime` or `bool`. Other columns are text properties.
    #[serde(default)]
    pub types: BTreeMap<String, String>,
    /// Date or date-time format per typed column (same syntax as a column rule's `format`).
    #[serde(default)]
    pub formats: BTreeMap<String, String>,
}

/// `[[labels.edges]]`: `type = "USES", file = "person_phones.csv",
/// from = { label = "Person", column = "person_id" }, to = { label = "Phone", column = "phone" }`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EdgeSpec {
    /// The relationship type queries match (`-[:USES]->`), conventionally upper case.
    #[serde(rename = "type")]
    pub rel_type: String,
    /// Path relative to the case folder.
    pub file: String,
    /// Start node of each row.
    pub from: EndSpec,
    /// End node of each row.
    pub to: EndSpec,
    /// An optional id column (edges are otherwise named `TYPE@file:line`).
    #[serde(default)]
    pub id: Option<ColumnSpec>,
    /// Reading options for this file.
    #[serde(default)]
    pub read: ReadOptions,
    /// Typed property columns, as for nodes.
    #[serde(default)]
    pub types: BTreeMap<String, String>,
    /// Formats of typed date or date-time columns.
    #[serde(default)]
    pub formats: BTreeMap<String, String>,
}

/// One end of a labelled edge: the label of the node and the column holding its id.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EndSpec {
    /// `Person`, `Company`, `Account`, `Property`, or a label declared in `[[labels.nodes]]`.
    pub label: String,
    /// Source column holding the node's id.
    pub column: String,
    /// Text put before the value (to reach prefixed ids, e.g. `P` for FinBench persons).
    #[serde(default)]
    pub prefix: Option<String>,
}

/// Reads and parses a case.toml or mapping file.
pub fn read_case_toml(path: &Path) -> Result<CaseToml, IngestError> {
    let text = std::fs::read_to_string(path).map_err(|e| IngestError::Io {
        path: path.to_path_buf(),
        what: "read the case settings".into(),
        source: e,
    })?;
    toml::from_str(&text).map_err(|e| IngestError::Config { path: path.to_path_buf(), message: e.to_string() })
}

/// Resolves `rel` under `root`, refusing absolute paths and paths that leave `root`
/// (by `..` or through a symbolic link).
pub fn resolve_inside(root: &Path, rel: &str) -> Result<PathBuf, IngestError> {
    let p = Path::new(rel);
    let escapes = p.is_absolute()
        || p.components().any(|c| matches!(c, Component::ParentDir | Component::RootDir | Component::Prefix(_)));
    let joined = root.join(p);
    let bad = || IngestError::PathOutsideCase { file: rel.to_string(), root: root.to_path_buf() };
    if escapes {
        return Err(bad());
    }
    // When the file exists, also check where links lead.
    if let (Ok(real), Ok(real_root)) = (joined.canonicalize(), root.canonicalize()) {
        if !real.starts_with(&real_root) {
            return Err(bad());
        }
    }
    Ok(joined)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_may_not_leave_the_case_folder() {
        let root = std::env::temp_dir();
        assert!(resolve_inside(&root, "transfers.csv").is_ok());
        assert!(resolve_inside(&root, "bank/a.csv").is_ok());
        assert!(resolve_inside(&root, "../etc/passwd").is_err());
        assert!(resolve_inside(&root, "a/../../x.csv").is_err());
        assert!(resolve_inside(&root, "/etc/passwd").is_err());
    }

    #[test]
    fn mapping_syntax_parses_and_catches_typos() {
        let t: CaseToml = toml::from_str(
            r#"
name = "x"
base_currency = "USD"
valuation_date = "2020-12-31"
[read]
delimiter = "|"
[[tables.transfers]]
file = "t.csv"
read = { currency = "USD" }
columns = { txn_id = { row_number = true, prefix = "T" }, amount = "value", channel = { value = "wire" } }
"#,
        )
        .unwrap();
        assert_eq!(t.tables["transfers"][0].columns.len(), 3);
        let bad: Result<CaseToml, _> =
            toml::from_str("name='x'\nbase_currency='ALL'\nvaluation_date='2020-01-01'\n[read]\ndelimter=';'\n");
        assert!(bad.unwrap_err().to_string().contains("delimter"));
    }
}
