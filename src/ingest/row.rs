//! One row seen through a mapping: typed access to contract columns, with a [`Fault`] naming
//! column, value and reason whenever a value cannot be used.

use super::config::{ColumnSpec, ReadOptions, SourceSpec};
use super::source::FieldKind;
use super::IngestError;
use crate::model::{Currency, Date, DateTime};
use csv::ByteRecord;
use rust_decimal::Decimal;
use std::borrow::Cow;
use std::path::Path;
use std::str::FromStr;

/// Why one value (and so its row) was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fault {
    /// Contract column.
    pub column: String,
    /// The value as read.
    pub value: String,
    /// What is wrong and what to do.
    pub reason: String,
}

impl Fault {
    /// A fault on `column` with `value`.
    pub fn new(column: &str, value: &str, reason: impl Into<String>) -> Fault {
        Fault { column: column.to_string(), value: value.to_string(), reason: reason.into() }
    }
}

#[derive(Clone, Debug)]
enum Src {
    Field(usize),
    Const(String),
    RowNumber,
    Absent,
}

#[derive(Clone, Debug)]
struct Col {
    name: String,
    src: Src,
    prefix: Option<String>,
    format: Option<String>,
}

/// How a source's fields map onto a table's contract columns, resolved against its header.
#[derive(Clone, Debug)]
pub struct ColumnMap {
    cols: Vec<Col>,
    /// Source fields kept as extra columns: (name, field index).
    pub extras: Vec<(String, usize)>,
    /// Number of fields a row must have.
    pub width: usize,
    opts: ReadOptions,
    decimal_comma: bool,
    thousands: Option<char>,
    /// A fixed currency for the source's amounts.
    pub fixed_currency: Option<Currency>,
    /// Kind of each source field (empty: all text, as for CSV).
    pub kinds: Vec<FieldKind>,
}

static TEXT: FieldKind = FieldKind::Text;

impl ColumnMap {
    /// Resolves `spec` for a table with contract `columns` (of which `required` must be
    /// present) against the source's `headers`. Errors name the file, the column and what the
    /// header offers.
    pub fn resolve(
        path: &Path,
        columns: &[&str],
        required: &[&str],
        spec: &SourceSpec,
        opts: ReadOptions,
        headers: &[String],
    ) -> Result<ColumnMap, IngestError> {
        let bad = |message: String| IngestError::Mapping { path: path.to_path_buf(), message };
        for k in spec.columns.keys() {
            if !columns.contains(&k.as_str()) {
                return Err(bad(format!(
                    "mapping names '{k}', which is not a column of this table; the columns are: {}",
                    columns.join(", ")
                )));
            }
        }
        let find = |name: &str| headers.iter().position(|h| h == name);
        let mut used = vec![false; headers.len()];
        let mut cols = Vec::with_capacity(columns.len());
        for &name in columns {
            let (src, prefix, format) = match spec.columns.get(name) {
                None => (find(name).map_or(Src::Absent, Src::Field), None, None),
                Some(ColumnSpec::Column(c)) => (
                    Src::Field(find(c).ok_or_else(|| {
                        bad(format!(
                            "column '{c}' (mapped to {name}) is not in the header; the header has: {}",
                            headers.join(", ")
                        ))
                    })?),
                    None,
                    None,
                ),
                Some(ColumnSpec::Rule(r)) => {
                    let n = r.column.is_some() as u8 + r.value.is_some() as u8 + r.row_number.unwrap_or(false) as u8;
                    if n != 1 {
                        return Err(bad(format!("mapping of {name} needs exactly one of column, value or row_number")));
                    }
                    let src = if let Some(c) = &r.column {
                        Src::Field(find(c).ok_or_else(|| {
                            bad(format!(
                                "column '{c}' (mapped to {name}) is not in the header; the header has: {}",
                                headers.join(", ")
                            ))
                        })?)
                    } else if let Some(v) = &r.value {
                        Src::Const(v.clone())
                    } else {
                        Src::RowNumber
                    };
                    (src, r.prefix.clone(), r.format.clone())
                }
            };
            if let Src::Field(i) = src {
                used[i] = true;
            }
            cols.push(Col { name: name.to_string(), src, prefix, format });
        }
        for r in required {
            if let Some(c) = cols.iter().find(|c| c.name == *r) {
                if matches!(c.src, Src::Absent) {
                    return Err(bad(format!(
                        "required column '{r}' is missing: the header has {}; add the column or map it in case.toml",
                        headers.join(", ")
                    )));
                }
            }
        }
        // A header of 100,000 columns is not a register extract; refuse it before every row
        // pays for it (each extra column costs an entry per loaded row).
        const MAX_EXTRA: usize = 1024;
        let n_extra = headers.iter().enumerate().filter(|(i, h)| !used[*i] && !h.is_empty()).count();
        if n_extra > MAX_EXTRA {
            return Err(bad(format!(
                "the header has {n_extra} columns beyond the contract (at most {MAX_EXTRA} are kept): check the delimiter setting"
            )));
        }
        let extras = headers
            .iter()
            .enumerate()
            .filter(|(i, h)| !used[*i] && !h.is_empty())
            .map(|(i, h)| (h.clone(), i))
            .collect();
        let decimal_comma = opts.decimal_comma.unwrap_or(false);
        let thousands = match opts.thousands_separator.as_deref() {
            None | Some("") => None,
            Some(s) if s.chars().count() == 1 => s.chars().next(),
            Some(s) => return Err(bad(format!("thousands_separator '{s}' must be one character"))),
        };
        let fixed_currency = match opts.currency.as_deref() {
            None => None,
            Some(c) => Some(Currency::parse(c).ok_or_else(|| bad(format!("currency '{c}' is not an ISO 4217 code")))?),
        };
        Ok(ColumnMap {
            cols,
            extras,
            width: headers.len(),
            opts,
            decimal_comma,
            thousands,
            fixed_currency,
            kinds: Vec::new(),
        })
    }
}

/// A record viewed through a [`ColumnMap`].
pub struct RowView<'a> {
    /// The record's line.
    pub line: u64,
    rec: &'a ByteRecord,
    map: &'a ColumnMap,
}

impl<'a> RowView<'a> {
    /// Views `rec`; checks the field count first.
    pub fn new(line: u64, rec: &'a ByteRecord, map: &'a ColumnMap) -> Result<RowView<'a>, Fault> {
        if rec.len() != map.width {
            // A quote left open swallows the following lines into one field: say so, with the
            // lines it covers, so nothing is lost silently.
            let newlines = rec.as_slice().iter().filter(|&&b| b == b'\n').count() as u64;
            if newlines > 0 {
                return Err(Fault::new(
                    "",
                    &String::from_utf8_lossy(rec.as_slice()).chars().take(80).collect::<String>(),
                    format!(
                        "a quote opened on line {line} is not closed before line {}: those {} lines were read as one malformed row; close the quote",
                        line + newlines,
                        newlines + 1
                    ),
                ));
            }
            return Err(Fault::new(
                "",
                &String::from_utf8_lossy(rec.as_slice()).chars().take(80).collect::<String>(),
                format!(
                    "row has {} fields where the header has {}: check quoting and delimiters",
                    rec.len(),
                    map.width
                ),
            ));
        }
        // No field past the cell limit, whatever column it is (the contract columns have tighter
        // limits of their own, checked when read).
        if bytes_over_limit(rec) {
            for (i, f) in rec.iter().enumerate() {
                if f.len() > MAX_FIELD_BYTES {
                    let name = map
                        .cols
                        .iter()
                        .find(|c| matches!(c.src, Src::Field(j) if j == i))
                        .map_or("", |c| c.name.as_str());
                    return Err(Fault::new(
                        name,
                        &String::from_utf8_lossy(&f[..80]),
                        format!(
                            "field {} is {} bytes; the longest accepted is {MAX_FIELD_BYTES} (docs/data-model.md, \"Limits\")",
                            i + 1,
                            f.len()
                        ),
                    ));
                }
            }
        }
        // One pass over the whole record: valid UTF-8 and no NUL byte. Fields are split at ASCII
        // delimiters and quotes, so every field of a valid record is valid UTF-8 on its own.
        let bytes = rec.as_slice();
        let utf8 = std::str::from_utf8(bytes).is_ok();
        let nul = bytes.contains(&0);
        if !utf8 || nul {
            // Find the field at fault for the report.
            for (i, f) in rec.iter().enumerate() {
                let name =
                    map.cols.iter().find(|c| matches!(c.src, Src::Field(j) if j == i)).map_or("", |c| c.name.as_str());
                if let Err(e) = std::str::from_utf8(f) {
                    return Err(Fault::new(
                        name,
                        &String::from_utf8_lossy(f),
                        format!(
                            "invalid UTF-8 at byte {}: declare the file's encoding (e.g. encoding = \"windows-1250\") in case.toml",
                            e.valid_up_to()
                        ),
                    ));
                }
                if f.contains(&0) {
                    return Err(Fault::new(
                        name,
                        &String::from_utf8_lossy(f).replace('\0', "\\0"),
                        "contains a NUL byte",
                    ));
                }
            }
        }
        Ok(RowView { line, rec, map })
    }

    /// Views a record whose width was already checked by [`RowView::new`].
    pub fn checked(line: u64, rec: &'a ByteRecord, map: &'a ColumnMap) -> RowView<'a> {
        RowView { line, rec, map }
    }

    fn name(&self, col: usize) -> &str {
        &self.map.cols[col].name
    }

    /// The kind of the source field behind contract column `col` (text unless it is a typed
    /// Parquet column).
    fn kind(&self, col: usize) -> &'a FieldKind {
        match self.map.cols[col].src {
            Src::Field(i) => self.map.kinds.get(i).unwrap_or(&TEXT),
            _ => &TEXT,
        }
    }

    /// A fault for a typed (Parquet) value that contract column `col` cannot take.
    fn type_fault(&self, col: usize, t: &str, what: &str) -> Fault {
        let got = match self.kind(col) {
            FieldKind::Text => "text",
            FieldKind::Integer => "an integer",
            FieldKind::Decimal => "a decimal",
            FieldKind::Float => "a floating-point",
            FieldKind::Boolean => "a boolean",
            FieldKind::Date => "a Date",
            FieldKind::Datetime | FieldKind::DatetimeTz(_) => "a Datetime",
            FieldKind::List => "a list",
            FieldKind::Other(_) => "an unsupported",
        };
        Fault::new(self.name(col), t, format!("{got} Parquet column cannot hold {}: {what}", self.name(col)))
    }

    /// The trimmed text of contract column `col` ("" when absent or empty).
    pub fn text(&self, col: usize) -> Result<Cow<'a, str>, Fault> {
        let c = &self.map.cols[col];
        let raw: Cow<'a, str> = match &c.src {
            Src::Absent => return Ok(Cow::Borrowed("")),
            Src::Const(v) => Cow::Owned(v.clone()),
            Src::RowNumber => Cow::Owned(self.line.to_string()),
            Src::Field(i) => {
                let b = self.rec.get(*i).unwrap_or(b"");
                // Checked for the whole record in `RowView::new` (an invalid field is still
                // reported here, should a caller have skipped that check).
                match std::str::from_utf8(b) {
                    Ok(s) => Cow::Borrowed(s.trim()),
                    Err(_) => return Err(Fault::new(&c.name, &String::from_utf8_lossy(b), "invalid UTF-8")),
                }
            }
        };
        if let (FieldKind::Other(ty), false) = (self.kind(col), raw.is_empty()) {
            return Err(Fault::new(
                &c.name,
                &raw,
                format!("Parquet type {ty} is not supported in contract columns: export {} as text", c.name),
            ));
        }
        if matches!(c.src, Src::Const(_)) && raw.contains('\0') {
            return Err(Fault::new(&c.name, &raw.replace('\0', "\\0"), "contains a NUL byte"));
        }
        let text = match &c.prefix {
            Some(p) if !raw.is_empty() => Cow::Owned(format!("{p}{raw}")),
            _ => raw,
        };
        check_length(&c.name, &text)?;
        Ok(text)
    }

    /// Text of a column that must not be empty.
    pub fn required(&self, col: usize) -> Result<Cow<'a, str>, Fault> {
        let t = self.text(col)?;
        if t.is_empty() {
            return Err(Fault::new(self.name(col), "", format!("{} is empty but required", self.name(col))));
        }
        Ok(t)
    }

    /// Text of an optional column, `None` when empty.
    pub fn optional(&self, col: usize) -> Result<Option<String>, Fault> {
        let t = self.text(col)?;
        Ok((!t.is_empty()).then(|| t.into_owned()))
    }

    /// A date column (`None` when empty).
    pub fn date(&self, col: usize) -> Result<Option<Date>, Fault> {
        let t = self.text(col)?;
        if t.is_empty() {
            return Ok(None);
        }
        match self.kind(col) {
            // Canonical text written by the Parquet reader: no date format applies.
            FieldKind::Date | FieldKind::Datetime => {
                let d = Date::parse_iso(&t).or_else(|| DateTime::parse_iso(&t).map(|d| d.date()));
                return d.map(Some).ok_or_else(|| Fault::new(self.name(col), &t, "not a valid date"));
            }
            FieldKind::DatetimeTz(tz) => return Err(tz_fault(self.name(col), &t, tz)),
            FieldKind::Boolean | FieldKind::Decimal | FieldKind::Float | FieldKind::List => {
                return Err(self.type_fault(col, &t, "export dates as Parquet DATE (or as text)"))
            }
            FieldKind::Text | FieldKind::Integer | FieldKind::Other(_) => {}
        }
        let fmt = self.map.cols[col].format.as_deref().or(self.map.opts.date_format.as_deref());
        let parsed = match fmt {
            Some(f) if is_special(f) => special_time(&t, f).map(|d| d.date()),
            Some(f) => Date::parse_with(&t, f).or_else(|| DateTime::parse_with(&t, f).map(|d| d.date())),
            None => Date::parse_iso(&t).or_else(|| DateTime::parse_iso(&t).map(|d| d.date())),
        };
        parsed.map(Some).ok_or_else(|| {
            Fault::new(
                self.name(col),
                &t,
                format!(
                    "not a valid date{}",
                    fmt.map(|f| format!(" in format '{f}'")).unwrap_or_else(|| " (expected YYYY-MM-DD)".into())
                ),
            )
        })
    }

    /// A date-time column (`None` when empty). A bare date means midnight.
    pub fn datetime(&self, col: usize) -> Result<Option<DateTime>, Fault> {
        let t = self.text(col)?;
        if t.is_empty() {
            return Ok(None);
        }
        match self.kind(col) {
            // Canonical text written by the Parquet reader: no date-time format applies.
            FieldKind::Date => {
                let d = Date::parse_iso(&t).map(|d| d.start());
                return d.map(Some).ok_or_else(|| Fault::new(self.name(col), &t, "not a valid date"));
            }
            FieldKind::Datetime => {
                let d = DateTime::parse_iso(&t);
                return d.map(Some).ok_or_else(|| Fault::new(self.name(col), &t, "not a valid date-time"));
            }
            FieldKind::DatetimeTz(tz) => return Err(tz_fault(self.name(col), &t, tz)),
            FieldKind::Boolean | FieldKind::Decimal | FieldKind::Float | FieldKind::List => {
                return Err(self.type_fault(
                    col,
                    &t,
                    "export date-times as Parquet TIMESTAMP without time zone (or as text)",
                ))
            }
            FieldKind::Text | FieldKind::Integer | FieldKind::Other(_) => {}
        }
        let c = &self.map.cols[col];
        let fmt = c.format.as_deref().or(self.map.opts.datetime_format.as_deref());
        let parsed = match fmt {
            Some(f) if is_special(f) => special_time(&t, f),
            Some(f) => DateTime::parse_with(&t, f),
            None => DateTime::parse_iso(&t),
        };
        parsed.map(Some).ok_or_else(|| {
            let hint = if fmt.is_none() && (t.ends_with('Z') || t.get(19..).is_some_and(|z| z.contains(['+', '-']))) {
                " (time-zone offsets are not accepted: give the bank's local booking time)".to_string()
            } else {
                fmt.map(|f| format!(" in format '{f}'")).unwrap_or_else(|| " (expected YYYY-MM-DD HH:MM:SS)".into())
            };
            Fault::new(&c.name, &t, format!("not a valid date-time{hint}"))
        })
    }

    /// A decimal column (`None` when empty), honouring decimal comma and thousands separator.
    pub fn decimal(&self, col: usize) -> Result<Option<Decimal>, Fault> {
        let t = self.text(col)?;
        if t.is_empty() {
            return Ok(None);
        }
        match self.kind(col) {
            // Plain digits written by the Parquet reader: no decimal comma or separator applies.
            FieldKind::Decimal | FieldKind::Integer | FieldKind::Float => {
                return Decimal::from_str(&t).or_else(|_| Decimal::from_scientific(&t)).map(Some).map_err(|_| {
                    Fault::new(
                        self.name(col),
                        &t,
                        "not a finite decimal of at most 28 significant digits (NaN, infinity or too large to be exact)",
                    )
                });
            }
            FieldKind::Boolean | FieldKind::Date | FieldKind::Datetime | FieldKind::DatetimeTz(_) | FieldKind::List => {
                return Err(self.type_fault(col, &t, "export numbers as Parquet DECIMAL, an integer or text"))
            }
            FieldKind::Text | FieldKind::Other(_) => {}
        }
        // Fast path: plain `123.45` needs no normalisation and no allocation.
        if self.map.thousands.is_none()
            && !self.map.decimal_comma
            && t.bytes().all(|b| b.is_ascii_digit() || b == b'.' || b == b'-')
        {
            if let Ok(d) = Decimal::from_str(&t) {
                return Ok(Some(d));
            }
        }
        let mut norm = String::with_capacity(t.len());
        for ch in t.chars() {
            if Some(ch) == self.map.thousands {
                continue;
            }
            norm.push(if self.map.decimal_comma && ch == ',' { '.' } else { ch });
        }
        let fault = |why: &str| Fault::new(self.name(col), &t, why.to_string());
        if norm.contains(',') {
            return Err(fault("contains ',': set decimal_comma = true or thousands_separator = \",\" for this file"));
        }
        if !norm.bytes().all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E')) {
            return Err(fault("not a decimal number"));
        }
        // Exporters that went through floating point write 2.868341186312864e-06: the digits
        // as written are converted exactly (no float is involved).
        let parsed = if norm.contains(['e', 'E']) { Decimal::from_scientific(&norm) } else { Decimal::from_str(&norm) };
        parsed.map(Some).map_err(|e| {
            if norm.chars().filter(|c| c.is_ascii_digit()).count() > 28 {
                fault("more than 28 significant digits: amounts this large cannot be exact")
            } else {
                fault(&format!("not a decimal number ({e})"))
            }
        })
    }

    /// A money amount (`None` when empty): as [`RowView::decimal`], but a floating-point
    /// Parquet column is refused. A binary float cannot hold most amounts to the cent (0.1 is
    /// 0.1000000000000000055...), and which decimal the exporter meant is a guess a court should
    /// not have to take on trust.
    pub fn amount(&self, col: usize) -> Result<Option<Decimal>, Fault> {
        if *self.kind(col) == FieldKind::Float {
            let t = self.text(col)?;
            if t.is_empty() {
                return Ok(None);
            }
            return Err(self.type_fault(
                col,
                &t,
                "floating point loses cents; export amounts as DECIMAL (e.g. decimal(18,2)) or as text",
            ));
        }
        self.decimal(col)
    }

    /// A currency column; falls back to the source's fixed currency, then to `fallback`.
    pub fn currency(&self, col: usize, fallback: Option<Currency>) -> Result<Currency, Fault> {
        let t = self.text(col)?;
        if t.is_empty() {
            return self.map.fixed_currency.or(fallback).ok_or_else(|| {
                Fault::new(
                    self.name(col),
                    "",
                    "currency is empty: fill it or set a fixed currency for the file in case.toml",
                )
            });
        }
        Currency::parse(&t).ok_or_else(|| Fault::new(self.name(col), &t, "not a three-letter ISO 4217 currency code"))
    }

    /// A value of a closed vocabulary.
    pub fn parse<T: FromStr<Err = String>>(&self, col: usize) -> Result<T, Fault> {
        let t = self.required(col)?;
        T::from_str(&t).map_err(|e| Fault::new(self.name(col), &t, e))
    }

    /// Extra (non-contract) field `i` as text, lossily decoded.
    pub fn extra(&self, i: usize) -> Cow<'a, str> {
        String::from_utf8_lossy(self.rec.get(i).unwrap_or(b""))
    }

    /// A fault on column `col` with its current text.
    pub fn fault(&self, col: usize, reason: impl Into<String>) -> Fault {
        let v = self.text(col).map(|c| c.into_owned()).unwrap_or_default();
        Fault::new(self.name(col), &v, reason)
    }
}

/// A date or date-time value from a time-zone-aware Parquet column (an instant, usually UTC).
fn tz_fault(name: &str, t: &str, tz: &str) -> Fault {
    Fault::new(
        name,
        t,
        format!(
            "a Datetime column with time zone {tz} holds instants, not the bank's local booking time: export it without a time zone, in local time"
        ),
    )
}

fn is_special(f: &str) -> bool {
    f.starts_with("days_since:") || f.starts_with("unix_")
}

/// `days_since:YYYY-MM-DD`, `unix_seconds`, `unix_millis`.
fn special_time(t: &str, f: &str) -> Option<DateTime> {
    if let Some(epoch) = f.strip_prefix("days_since:") {
        let e = Date::parse_iso(epoch.trim())?;
        let n: i64 = t.parse().ok()?;
        return Some(DateTime(e.start().0.checked_add(n.checked_mul(86_400)?)?));
    }
    match f {
        "unix_seconds" => t.parse().ok().map(DateTime),
        "unix_millis" => t.parse::<i64>().ok().map(|ms| DateTime(ms.div_euclid(1000))),
        _ => None,
    }
}

/// Longest case name, in characters (case.toml `name`): it is on every page and diagram.
pub const MAX_CASE_NAME: usize = 200;
/// Longest id, in bytes (person, company, account, transfer, property ids and the columns that
/// refer to them, national ids, NUIS, IBANs, cadastral codes).
pub const MAX_ID_BYTES: usize = 128;
/// Longest name, in characters (a person's full name, a company's name).
pub const MAX_NAME_CHARS: usize = 256;
/// Longest other text of a contract column, in characters (addresses, references, bases ...).
pub const MAX_TEXT_CHARS: usize = 2048;
/// Longest field of any column, extra columns and lists of ids included, in bytes.
pub const MAX_FIELD_BYTES: usize = 64 * 1024;

/// Contract columns holding ids.
const ID_COLUMNS: &[&str] = &[
    "person_id",
    "company_id",
    "account_id",
    "holder_id",
    "txn_id",
    "from_account",
    "to_account",
    "property_id",
    "owner_id",
    "creditor_id",
    "related_id",
    "entity_id",
    "national_id",
    "nuis",
    "iban",
    "cadastral_code",
];
/// Contract columns holding names.
const NAME_COLUMNS: &[&str] = &["full_name", "name"];
/// Contract columns holding lists, bounded by [`MAX_FIELD_BYTES`] only.
const LIST_COLUMNS: &[&str] = &["payment_txn_ids"];

fn bytes_over_limit(rec: &ByteRecord) -> bool {
    rec.as_slice().len() > MAX_FIELD_BYTES && rec.iter().any(|f| f.len() > MAX_FIELD_BYTES)
}

/// The length limit of contract column `name` (docs/data-model.md, "Limits").
fn check_length(name: &str, text: &str) -> Result<(), Fault> {
    let (over, limit, unit, what) = if ID_COLUMNS.contains(&name) {
        (text.len() > MAX_ID_BYTES, MAX_ID_BYTES, "bytes", "an id")
    } else if NAME_COLUMNS.contains(&name) {
        let over = text.len() > MAX_NAME_CHARS && text.chars().count() > MAX_NAME_CHARS;
        (over, MAX_NAME_CHARS, "characters", "a name")
    } else if LIST_COLUMNS.contains(&name) {
        (text.len() > MAX_FIELD_BYTES, MAX_FIELD_BYTES, "bytes", "a list")
    } else {
        let over = text.len() > MAX_TEXT_CHARS && text.chars().count() > MAX_TEXT_CHARS;
        (over, MAX_TEXT_CHARS, "characters", "a text")
    };
    if !over {
        return Ok(());
    }
    let shown: String = text.chars().take(80).collect();
    Err(Fault::new(
        name,
        &shown,
        format!(
            "{name} has {} {unit}; the longest {what} accepted has {limit} (docs/data-model.md, \"Limits\")",
            if unit == "bytes" { text.len() } else { text.chars().count() }
        ),
    ))
}
