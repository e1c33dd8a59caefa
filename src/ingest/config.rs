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
    pub generator: Option<Generator>,
    /// Written by `import-ftm` / `import-bods`: source files with SHA-256 and record counts;
    /// informational (the provenance chain to the imported file).
    #[serde(default)]
    pub import: Option<ImportRecord>,
    /// Free-form notes (sources, licences, assumptions of a mapping).
    #[serde(default)]
    pub notes: Option<String>,
    /// The case's time zone, an IANA name (default `Europe/Tirane`): booking times are kept
    /// in this zone's local time, and times written with an offset are converted to it.
    #[serde(default)]
    pub timezone: Option<String>,
}

/// `[generator]`: what `moneytrail generate` made the case with. Informational, but a key it
/// does not write is an error (a misspelt `seed` must not pass as a record of the run).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Generator {
    /// The generator's seed.
    pub seed: Option<u64>,
    /// Transfers asked for.
    pub transfers: Option<u64>,
    /// moneytrail version that generated the case.
    pub version: Option<String>,
    /// Identity noise level of the registers (`generate --identity-noise`: low, medium, high).
    pub identity_noise: Option<String>,
    /// Transfers per background person (`generate --transfers-per-person`; written when not
    /// the default).
    pub transfers_per_person: Option<u64>,
    /// Per cent of one-off transfers through hub accounts (`generate --hub-percent`; written
    /// when not 0).
    pub hub_percent: Option<u32>,
}

/// `[import]`: what `import-ftm` / `import-bods` read and wrote (see `src/ingest/import`).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportRecord {
    /// `ftm` or `bods`.
    pub format: Option<String>,
    /// The importing tool and version.
    pub tool: Option<String>,
    /// Records read.
    pub read: Option<u64>,
    /// Records written.
    pub written: Option<u64>,
    /// Records merged into another.
    pub merged: Option<u64>,
    /// Records listed in import_report.csv.
    pub listed: Option<u64>,
    /// Parts (statements, properties) read.
    pub parts_read: Option<u64>,
    /// Parts written.
    pub parts_written: Option<u64>,
    /// Parts listed in import_report.csv.
    pub parts_listed: Option<u64>,
    /// Rows written per table.
    #[serde(default)]
    pub rows: BTreeMap<String, u64>,
    /// Source files with their hashes.
    #[serde(default)]
    pub sources: Vec<ImportSource>,
}

/// One `[[import.sources]]` entry.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportSource {
    /// File name as read.
    pub file: String,
    /// Its SHA-256.
    pub sha256: Option<String>,
    /// Its size in bytes.
    pub size: Option<u64>,
    /// Records it held.
    pub records: Option<u64>,
    /// Where the importer copied it in the case folder.
    pub copied_to: Option<String>,
}

/// `[thresholds]`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Thresholds {
    /// Cash reporting threshold in the base currency; default 1,000,000 (ALL, docs/methodology.md#typologies / methodology.md#albania-thresholds).
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
    /// Lines (CSV) or sheet rows (Excel) to pass over before the header: a statement's
    /// preamble of bank, account and period lines.
    pub skip_rows: Option<usize>,
    /// The header is the first line (among the first 100) that holds every one of these
    /// column names; the lines above it are the preamble. An alternative to `skip_rows` for
    /// preambles whose length varies.
    pub header_contains: Option<Vec<String>>,
    /// The sheet of a workbook (XLSX, XLS, ODS) to read, by name; default the first sheet.
    pub sheet: Option<String>,
    /// The zone of the file's times that carry no offset (e.g. `UTC` for card-processor or
    /// SWIFT data); default the case's `timezone`. Converted to the case's local time.
    pub timezone: Option<String>,
    /// Round amounts with more decimals than their currency's minor unit (half away from zero)
    /// instead of rejecting them; each rounded row is a warning. For generated data written
    /// through floating point (FinBench), never for bank productions.
    pub round_amounts: Option<bool>,
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
            skip_rows: self.skip_rows.or(base.skip_rows),
            header_contains: self.header_contains.clone().or_else(|| base.header_contains.clone()),
            sheet: self.sheet.clone().or_else(|| base.sheet.clone()),
            timezone: self.timezone.clone().or_else(|| base.timezone.clone()),
            round_amounts: self.round_amounts.or(base.round_amounts),
        }
    }
}

/// One source of a case table: a file and how its columns map to the contract.
#[derive(Clone, Debug, Default, Deserialize)]
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
    /// Row filter: only rows for which this holds are rows of this source; the others are
    /// counted as skipped, each with its line and the rule.
    #[serde(default)]
    pub when: Option<Condition>,
    /// The first row for which this holds, and every row after it, are the file's footer
    /// (totals, closing balance, signatures): skipped, each with its line.
    #[serde(default)]
    pub footer: Option<Condition>,
    /// The file is one account's statement (transfers only): see [`StatementSpec`].
    #[serde(default)]
    pub statement: Option<StatementSpec>,
    /// What the statement pass found (own account, counterparty accounts); set by ingest.
    #[serde(skip)]
    pub resolved: Option<std::sync::Arc<super::row::StatementCtx>>,
}

/// Where a contract column's value comes from: a source column's name, a rule, or a list of
/// rules of which the first whose `when` holds gives the value (conditional values).
// Parsed once per mapping: the size of a rule does not matter, and unboxed rules keep the
// mapping code plain.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug)]
pub enum ColumnSpec {
    /// The name of a source column.
    Column(String),
    /// A detailed rule.
    Rule(ColumnRule),
    /// Rules tried in order; the first whose `when` holds (or that has none) applies; none
    /// applying gives an empty value.
    Choice(Vec<ColumnRule>),
}

impl<'de> Deserialize<'de> for ColumnSpec {
    // Written by hand: serde's untagged enum answers every mistake with "data did not match
    // any variant", where the rule's own error names the unknown key and the allowed ones.
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = ColumnSpec;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a source column name (\"Shuma\"), a rule ({ column = \"Data\", format = \"%d.%m.%Y\" }) or a list of rules with `when`")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<ColumnSpec, E> {
                Ok(ColumnSpec::Column(v.to_string()))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, m: A) -> Result<ColumnSpec, A::Error> {
                ColumnRule::deserialize(serde::de::value::MapAccessDeserializer::new(m)).map(ColumnSpec::Rule)
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut s: A) -> Result<ColumnSpec, A::Error> {
                let mut rules = Vec::new();
                while let Some(r) = s.next_element::<ColumnRule>()? {
                    rules.push(r);
                }
                Ok(ColumnSpec::Choice(rules))
            }
        }
        d.deserialize_any(V)
    }
}

/// A detailed column rule: exactly one of `column`, `value`, `row_number` or (amounts of a
/// statement) `debit` with `credit`.
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
    /// number counted from that date, as in AMLSim steps), `unix_seconds`, `unix_millis` or
    /// `excel_serial` (a day number with fraction, as Excel stores dates).
    pub format: Option<String>,
    /// The rule applies only to rows for which this holds (in a list of rules).
    pub when: Option<Condition>,
    /// Statement amounts: the column of money leaving the statement's account.
    pub debit: Option<String>,
    /// Statement amounts: the column of money arriving on the statement's account.
    pub credit: Option<String>,
    /// Statement amounts in one column: which rows are debits, by another column's value
    /// (`direction = { column = "D/K", debit = ["D"], credit = ["K"] }`). Without it a
    /// statement's single amount column is signed: negative is a debit.
    pub direction: Option<DirectionSpec>,
}

/// `direction = { column = "D/K", debit = ["D"], credit = ["K"] }`: the column that tells a
/// debit from a credit, and the values of each (compared without case and surrounding space).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DirectionSpec {
    /// The source column holding the marker.
    pub column: String,
    /// Values meaning money left the statement's account.
    pub debit: Vec<String>,
    /// Values meaning money arrived on it.
    pub credit: Vec<String>,
}

/// A test on one source column of a row: exactly one of `equals`, `one_of`, `starts_with`,
/// `matches` or `empty`. Text is compared after trimming; `matches` takes Excel-style
/// wildcards (`*` any text, `?` one character) and ignores case.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    /// The source column (by header name).
    pub column: String,
    /// The whole value equals this text.
    pub equals: Option<String>,
    /// The value is one of these.
    pub one_of: Option<Vec<String>>,
    /// The value starts with this text.
    pub starts_with: Option<String>,
    /// The value matches this wildcard pattern, ignoring case (`*ATM*`, `POS ??? *`).
    pub matches: Option<String>,
    /// The value is empty (`true`) or not (`false`).
    pub empty: Option<bool>,
}

/// `statement = { ... }` on a transfers source: the file is the statement of one account.
/// Each movement row becomes one transfer between the statement's own account and the
/// counterparty, in the direction the amount columns give.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatementSpec {
    /// The statement's account: an account id or IBAN, or where the preamble holds it
    /// (`{ cell = "B3" }`, `{ label = "IBAN" }`). Created as an account when the case has none
    /// with this id or IBAN.
    pub own_account: Option<CellSpec>,
    /// Holder (person or company id) of the own account when the statement creates it.
    pub own_holder: Option<String>,
    /// The balance before the first movement, for the running-balance check (else the
    /// check starts from the first row's balance).
    pub opening_balance: Option<CellSpec>,
    /// `oldest_first` or `newest_first`; default: the order in which the balances agree.
    pub order: Option<String>,
}

/// A value written in the mapping or found in the statement's preamble.
#[derive(Clone, Debug)]
pub enum CellSpec {
    /// Written in the mapping.
    Fixed(String),
    /// A cell in A1 notation: column letter(s) and 1-based row (line for CSV): `B3`.
    Cell(String),
    /// The preamble cell that starts with this label: the text after the label (and a `:`)
    /// in the same cell, else the next non-empty cell on its row.
    Label(String),
}

impl<'de> Deserialize<'de> for CellSpec {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Rule {
            cell: Option<String>,
            label: Option<String>,
        }
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = CellSpec;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a value (\"AL47...\"), { cell = \"B3\" } or { label = \"IBAN\" }")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<CellSpec, E> {
                Ok(CellSpec::Fixed(v.to_string()))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, m: A) -> Result<CellSpec, A::Error> {
                let r = Rule::deserialize(serde::de::value::MapAccessDeserializer::new(m))?;
                match (r.cell, r.label) {
                    (Some(c), None) => Ok(CellSpec::Cell(c)),
                    (None, Some(l)) => Ok(CellSpec::Label(l)),
                    _ => Err(serde::de::Error::custom(
                        "give exactly one of cell or label, e.g. own_account = { cell = \"B3\" } or { label = \"IBAN\" }",
                    )),
                }
            }
        }
        d.deserialize_any(V)
    }
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
///
/// A parse error gives line, column and reason but never quotes the file: the settings may be
/// a link to a file that is not the case's (refused by [`check_settings_path`] for a case
/// folder's own case.toml, but a `--mapping` may name anything readable).
pub fn read_case_toml(path: &Path) -> Result<CaseToml, IngestError> {
    regular_file(path)?;
    let text = std::fs::read_to_string(path).map_err(|e| IngestError::Io {
        path: path.to_path_buf(),
        what: "read the case settings".into(),
        source: e,
    })?;
    toml::from_str(&text).map_err(|e| {
        let at = e.span().map(|s| {
            let before = &text.as_bytes()[..s.start.min(text.len())];
            let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
            let col = before.iter().rev().take_while(|&&b| b != b'\n').count() + 1;
            format!("line {line}, column {col}: ")
        });
        let message = format!("{}{}", at.unwrap_or_default(), e.message().trim_end());
        IngestError::Config { path: path.to_path_buf(), message: super::teach::explain(&message) }
    })
}

/// Refuses a case folder's case.toml that is a link leading out of the folder (its content is
/// not the case's, and a parse error would show a line of it).
pub fn check_settings_path(dir: &Path, settings: &Path) -> Result<(), IngestError> {
    if let (Ok(real), Ok(real_root)) = (settings.canonicalize(), dir.canonicalize()) {
        if !real.starts_with(&real_root) {
            return Err(IngestError::Config {
                path: settings.to_path_buf(),
                message: "a link that leads out of the case folder: case.toml must be the case's own file (copy it in, or name a foreign file with --mapping)".into(),
            });
        }
    }
    Ok(())
}

/// Refuses a path that exists but is not a regular file (after links): a directory, a FIFO
/// (which would block the read for ever), a device such as /dev/zero (endless), a socket.
/// A missing path passes: opening it reports that.
pub fn regular_file(path: &Path) -> Result<(), IngestError> {
    let Ok(m) = std::fs::metadata(path) else { return Ok(()) };
    if m.is_file() {
        return Ok(());
    }
    let what = {
        use std::os::unix::fs::FileTypeExt;
        let t = m.file_type();
        if t.is_dir() {
            "a directory"
        } else if t.is_fifo() {
            "a FIFO (named pipe)"
        } else if t.is_char_device() || t.is_block_device() {
            "a device"
        } else if t.is_socket() {
            "a socket"
        } else {
            "not a regular file"
        }
    };
    Err(IngestError::Io {
        path: path.to_path_buf(),
        what: "read".into(),
        source: std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("it is {what}, not a regular file: a table or settings file must be a plain file (remove it, or point case.toml at the file)"),
        ),
    })
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
    regular_file(&joined)?;
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
