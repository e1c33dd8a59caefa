//! One row seen through a mapping: typed access to contract columns, with a [`Fault`] naming
//! column, value and reason whenever a value cannot be used.
//!
//! The mapping's rules live here, so every format (CSV, Excel, Parquet) and every table goes
//! through them alike: a source column, a constant, the row number, conditional values (the
//! first rule whose `when` holds), a row filter, and for a bank statement the own account and
//! the counterparty placed on the side that the debit/credit columns (or the sign) give.

use super::config::{ColumnRule, ColumnSpec, Condition, ReadOptions, SourceSpec};
use super::source::FieldKind;
use super::zone::Zones;
use super::IngestError;
use crate::model::{Currency, Date, DateTime};
use csv::ByteRecord;
use rust_decimal::Decimal;
use std::borrow::Cow;
use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;

/// Columns a statement source maps beyond the transfer contract (after its nine columns).
pub const STATEMENT_COLUMNS: &[&str] = &["counterparty_iban", "counterparty_name", "balance"];
/// Index of `counterparty_iban` in a statement source's columns.
pub const CP_IBAN: usize = 9;
/// Index of `counterparty_name`.
pub const CP_NAME: usize = 10;
/// Index of `balance`.
pub const BALANCE: usize = 11;

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
    /// Conditional values: the first alternative whose condition holds (none: empty).
    Choice(Vec<(Option<Cond>, Col)>),
    /// A statement's from_account (`false`) or to_account (`true`): the own account or the
    /// counterparty, by the row's direction.
    Side(bool),
    /// A statement's amount: positive, its direction from the columns or the sign.
    Movement,
}

#[derive(Clone, Debug)]
struct Col {
    name: String,
    src: Src,
    prefix: Option<String>,
    format: Option<String>,
}

static ABSENT: Col = Col { name: String::new(), src: Src::Absent, prefix: None, format: None };

/// A resolved [`Condition`]: the field it tests and the test.
#[derive(Clone, Debug)]
pub struct Cond {
    field: usize,
    column: String,
    test: Test,
}

#[derive(Clone, Debug)]
enum Test {
    Equals(String),
    OneOf(Vec<String>),
    StartsWith(String),
    Matches(Vec<char>),
    Empty(bool),
}

impl Cond {
    fn resolve(
        c: &Condition,
        find: &dyn Fn(&str) -> Option<usize>,
        headers: &[String],
        what: &str,
    ) -> Result<Cond, String> {
        let field = find(&c.column).ok_or_else(|| {
            format!("{what}: column '{}' is not in the header; the header has: {}", c.column, headers.join(", "))
        })?;
        let mut tests = Vec::new();
        if let Some(v) = &c.equals {
            tests.push(Test::Equals(v.trim().to_string()));
        }
        if let Some(v) = &c.one_of {
            tests.push(Test::OneOf(v.iter().map(|x| x.trim().to_string()).collect()));
        }
        if let Some(v) = &c.starts_with {
            tests.push(Test::StartsWith(v.trim().to_string()));
        }
        if let Some(v) = &c.matches {
            tests.push(Test::Matches(v.trim().to_lowercase().chars().collect()));
        }
        if let Some(v) = c.empty {
            tests.push(Test::Empty(v));
        }
        if tests.len() != 1 {
            return Err(format!(
                "{what}: a condition needs exactly one of equals, one_of, starts_with, matches or empty, e.g. {{ column = \"{}\", equals = \"Depozitë cash\" }}",
                c.column
            ));
        }
        Ok(Cond { field, column: c.column.clone(), test: tests.remove(0) })
    }

    /// Whether the condition holds for the record's fields.
    pub fn holds(&self, rec: &ByteRecord) -> bool {
        let raw = String::from_utf8_lossy(rec.get(self.field).unwrap_or(b""));
        let t = raw.trim();
        match &self.test {
            Test::Equals(v) => t == v,
            Test::OneOf(vs) => vs.iter().any(|v| v == t),
            Test::StartsWith(v) => t.starts_with(v.as_str()),
            Test::Matches(p) => wildcard(p, &t.to_lowercase().chars().collect::<Vec<char>>()),
            Test::Empty(e) => t.is_empty() == *e,
        }
    }

    /// The rule in words, for skip reasons.
    pub fn describe(&self) -> String {
        let c = &self.column;
        match &self.test {
            Test::Equals(v) => format!("{c} equals '{v}'"),
            Test::OneOf(vs) => format!("{c} is one of {}", vs.join(", ")),
            Test::StartsWith(v) => format!("{c} starts with '{v}'"),
            Test::Matches(p) => format!("{c} matches '{}'", p.iter().collect::<String>()),
            Test::Empty(true) => format!("{c} is empty"),
            Test::Empty(false) => format!("{c} is not empty"),
        }
    }
}

/// Excel-style wildcard match: `*` any run of characters, `?` one character.
fn wildcard(p: &[char], t: &[char]) -> bool {
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == '*' {
        pi += 1;
    }
    pi == p.len()
}

/// Which way a statement row moved money, seen from the statement's own account.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// Money left the own account.
    Debit,
    /// Money arrived on it.
    Credit,
}

#[derive(Clone, Debug)]
enum MovementSrc {
    /// Two columns: debit and credit (field indexes and names).
    DebitCredit(usize, String, usize, String),
    /// One signed column: negative is a debit.
    Signed(usize, String),
    /// One column and a marker column with debit and credit values.
    Marked { field: usize, name: String, marker: usize, marker_name: String, debit: Vec<String>, credit: Vec<String> },
}

/// What the statement pre-pass found: the own account's id and the account id of every
/// counterparty key (see [`party_key`]).
#[derive(Clone, Debug, Default)]
pub struct StatementCtx {
    /// The own account's id.
    pub own: String,
    /// Counterparty key -> account id.
    pub parties: std::collections::HashMap<String, String>,
}

/// A statement source's movement rule and, once the pre-pass ran, its accounts.
#[derive(Clone, Debug)]
pub struct StatementMap {
    movement: MovementSrc,
    /// Filled by the pre-pass before the transfers load.
    pub ctx: Option<Arc<StatementCtx>>,
}

/// The key of a counterparty: its IBAN or account number (upper case, no spaces), else
/// `name:` and its name (spaces collapsed); `None` when the row names neither.
pub fn party_key(iban: &str, name: &str) -> Option<String> {
    let iban: String = iban.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_uppercase();
    if !iban.is_empty() {
        return Some(iban);
    }
    let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
    (!name.is_empty()).then(|| format!("name:{name}"))
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
    /// What typed kinds come from, for messages (`Parquet column`, `Excel cell`).
    pub typed_source: &'static str,
    /// Row filter (`when` of the source).
    pub filter: Option<Cond>,
    /// Footer rule (`footer` of the source).
    pub footer: Option<Cond>,
    /// The statement rule of a statement source.
    pub statement: Option<StatementMap>,
    /// Time zones: the case's, and the source's when it differs.
    pub zones: Zones,
    /// Date-time contract columns whose text is kept (as an extra column `<name>_original`)
    /// when it was converted from another zone.
    pub keep_original: Vec<(String, usize)>,
    /// The limit class of each contract column, found once here rather than by comparing the
    /// column's name with the lists of id and name columns for every cell.
    classes: Vec<Class>,
}

static TEXT: FieldKind = FieldKind::Text;

/// The source columns a mapping names (for header searches and hints).
pub fn mapped_source_columns(spec: &SourceSpec) -> Vec<String> {
    fn rule(r: &ColumnRule, out: &mut Vec<String>) {
        for c in [&r.column, &r.debit, &r.credit].into_iter().flatten() {
            out.push(c.clone());
        }
        if let Some(d) = &r.direction {
            out.push(d.column.clone());
        }
    }
    let mut out = Vec::new();
    for c in spec.columns.values() {
        match c {
            ColumnSpec::Column(c) => out.push(c.clone()),
            ColumnSpec::Rule(r) => rule(r, &mut out),
            ColumnSpec::Choice(rs) => rs.iter().for_each(|r| rule(r, &mut out)),
        }
    }
    out.sort();
    out.dedup();
    out
}

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
        // Two columns of one name: a mapping could reach only the first, and the second would
        // be dropped from the extras (docs/data-model.md: extra columns are never dropped).
        let mut seen: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
        for (i, h) in headers.iter().enumerate().filter(|(_, h)| !h.is_empty()) {
            if let Some(first) = seen.insert(h.as_str(), i) {
                return Err(bad(format!(
                    "the header names '{h}' twice (columns {} and {}): rename one in the file, so that no column is lost",
                    first + 1,
                    i + 1
                )));
            }
        }
        let is_transfers = columns.contains(&"from_account") && columns.contains(&"to_account");
        let mut all: Vec<&str> = columns.to_vec();
        if spec.statement.is_some() {
            if !is_transfers {
                return Err(bad(
                    "statement = { ... } describes a bank statement: it belongs on a [[tables.transfers]] source"
                        .into(),
                ));
            }
            all.extend_from_slice(STATEMENT_COLUMNS);
            for side in ["from_account", "to_account"] {
                if spec.columns.contains_key(side) {
                    return Err(bad(format!(
                        "a statement source cannot map {side}: it follows from own_account, the counterparty (counterparty_iban, counterparty_name) and the direction of amount"
                    )));
                }
            }
        }
        let columns: &[&str] = &all;
        for k in spec.columns.keys() {
            if !columns.contains(&k.as_str()) {
                let hint = if STATEMENT_COLUMNS.contains(&k.as_str()) {
                    "; it is a statement column: add statement = { own_account = ... } to the source"
                } else {
                    ""
                };
                return Err(bad(format!(
                    "mapping names '{k}', which is not a column of this table; the columns are: {}{hint}",
                    columns.join(", ")
                )));
            }
        }
        let find = |name: &str| headers.iter().position(|h| h == name);
        let field = |c: &str, name: &str| -> Result<usize, IngestError> {
            find(c).ok_or_else(|| {
                bad(format!(
                    "column '{c}' (mapped to {name}) is not in the header; the header has: {}",
                    headers.join(", ")
                ))
            })
        };
        let cond = |c: &Condition, what: &str| Cond::resolve(c, &find, headers, what).map_err(&bad);
        let mut used = vec![false; headers.len()];
        let mut movement: Option<MovementSrc> = None;
        // One rule of a column; `Src::Movement` (and the movement rule) for a statement amount.
        let one_rule = |name: &str,
                        r: &ColumnRule,
                        used: &mut Vec<bool>|
         -> Result<(Col, Option<MovementSrc>), IngestError> {
            let amount_rule = r.debit.is_some() || r.credit.is_some() || r.direction.is_some();
            if amount_rule {
                if name != "amount" || spec.statement.is_none() {
                    return Err(bad(format!(
                        "{name} = {{ debit/credit/direction }} describes a statement's amount: use it for amount on a source with statement = {{ own_account = ... }}, which says whose money moved"
                    )));
                }
                let m = match (&r.debit, &r.credit, &r.column, &r.direction) {
                    (Some(d), Some(c), None, None) => {
                        MovementSrc::DebitCredit(field(d, "amount (debit)")?, d.clone(), field(c, "amount (credit)")?, c.clone())
                    }
                    (None, None, Some(col), Some(dir)) => MovementSrc::Marked {
                        field: field(col, "amount")?,
                        name: col.clone(),
                        marker: field(&dir.column, "amount (direction)")?,
                        marker_name: dir.column.clone(),
                        debit: dir.debit.iter().map(|x| x.trim().to_lowercase()).collect(),
                        credit: dir.credit.iter().map(|x| x.trim().to_lowercase()).collect(),
                    },
                    _ => {
                        return Err(bad(
                            "a statement amount is either amount = { debit = \"Debi\", credit = \"Kredi\" }, or amount = { column = \"Shuma\", direction = { column = \"D/K\", debit = [\"D\"], credit = [\"K\"] } }, or amount = \"Shuma\" (signed: negative is a debit)".into(),
                        ))
                    }
                };
                for f in match &m {
                    MovementSrc::DebitCredit(d, _, c, _) => vec![*d, *c],
                    MovementSrc::Marked { field, marker, .. } => vec![*field, *marker],
                    MovementSrc::Signed(f, _) => vec![*f],
                } {
                    used[f] = true;
                }
                return Ok((Col { name: name.to_string(), src: Src::Movement, prefix: None, format: None }, Some(m)));
            }
            let n = r.column.is_some() as u8 + r.value.is_some() as u8 + r.row_number.unwrap_or(false) as u8;
            if n != 1 {
                return Err(bad(format!(
                    "mapping of {name} needs exactly one of column, value or row_number, e.g. {name} = {{ column = \"Data\" }}, {{ value = \"wire\" }} or {{ row_number = true, prefix = \"T\" }}"
                )));
            }
            let src = if let Some(c) = &r.column {
                let i = field(c, name)?;
                used[i] = true;
                Src::Field(i)
            } else if let Some(v) = &r.value {
                Src::Const(v.clone())
            } else {
                Src::RowNumber
            };
            Ok((Col { name: name.to_string(), src, prefix: r.prefix.clone(), format: r.format.clone() }, None))
        };
        let mut cols = Vec::with_capacity(columns.len());
        for &name in columns {
            let col = match spec.columns.get(name) {
                None if spec.statement.is_some() && (name == "from_account" || name == "to_account") => {
                    Col { name: name.to_string(), src: Src::Side(name == "to_account"), prefix: None, format: None }
                }
                None => Col {
                    name: name.to_string(),
                    src: find(name).map_or(Src::Absent, Src::Field),
                    prefix: None,
                    format: None,
                },
                Some(ColumnSpec::Column(c)) if name == "amount" && spec.statement.is_some() => {
                    let i = field(c, name)?;
                    movement = Some(MovementSrc::Signed(i, c.clone()));
                    used[i] = true;
                    Col { name: name.to_string(), src: Src::Movement, prefix: None, format: None }
                }
                Some(ColumnSpec::Column(c)) => {
                    Col { name: name.to_string(), src: Src::Field(field(c, name)?), prefix: None, format: None }
                }
                Some(ColumnSpec::Rule(r)) => {
                    if r.when.is_some() {
                        return Err(bad(format!(
                            "{name}: a rule with when belongs in a list of rules, e.g. {name} = [ {{ when = {{ column = \"Përshkrimi\", matches = \"*ATM*\" }}, value = \"cash_withdrawal\" }}, {{ value = \"wire\" }} ]"
                        )));
                    }
                    let (col, m) = one_rule(name, r, &mut used)?;
                    if m.is_some() {
                        movement = m;
                    }
                    col
                }
                Some(ColumnSpec::Choice(rules)) => {
                    let mut alts = Vec::with_capacity(rules.len());
                    for r in rules {
                        let c = r.when.as_ref().map(|w| cond(w, name)).transpose()?;
                        if let Some(c) = &c {
                            used[c.field] = true;
                        }
                        let (col, _) = one_rule(name, r, &mut used)?;
                        if matches!(col.src, Src::Movement) {
                            return Err(bad("a statement amount takes one rule, not a list".into()));
                        }
                        alts.push((c, col));
                    }
                    Col { name: name.to_string(), src: Src::Choice(alts), prefix: None, format: None }
                }
            };
            if let Src::Field(i) = col.src {
                used[i] = true;
            }
            cols.push(col);
        }
        if spec.statement.is_some() && movement.is_none() {
            return Err(bad(
                "a statement needs its amount: amount = { debit = \"Debi\", credit = \"Kredi\" } or a signed amount = \"Shuma\"".into(),
            ));
        }
        let filter = spec.when.as_ref().map(|w| cond(w, "when")).transpose()?;
        let footer = spec.footer.as_ref().map(|w| cond(w, "footer")).transpose()?;
        for c in filter.iter().chain(footer.iter()) {
            used[c.field] = true;
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
        let zones = Zones::for_source(opts.timezone.as_deref()).map_err(&bad)?;
        let keep_original = cols
            .iter()
            .enumerate()
            .filter(|(_, c)| c.name == "booked_at" && !matches!(c.src, Src::Absent | Src::Const(_) | Src::RowNumber))
            .map(|(i, c)| (format!("{}_original", c.name), i))
            .collect();
        let statement = spec.statement.as_ref().and(movement).map(|movement| StatementMap { movement, ctx: None });
        let classes = cols.iter().map(|c| Class::of(&c.name)).collect();
        Ok(ColumnMap {
            classes,
            cols,
            extras,
            width: headers.len(),
            opts,
            decimal_comma,
            thousands,
            fixed_currency,
            kinds: Vec::new(),
            typed_source: "Parquet column",
            filter,
            footer,
            statement,
            zones,
            keep_original,
        })
    }

    /// Index of contract column `name`.
    pub fn col(&self, name: &str) -> Option<usize> {
        self.cols.iter().position(|c| c.name == name)
    }

    /// The source field behind contract column `name`, when it is one field.
    pub fn field_of(&self, name: &str) -> Option<usize> {
        match self.cols.iter().find(|c| c.name == name)?.src {
            Src::Field(i) => Some(i),
            _ => None,
        }
    }

    /// The decimal in text `t` of a field of kind `kind`, faults naming contract column `name`.
    pub fn parse_decimal(&self, name: &str, t: &str, kind: &FieldKind) -> Result<Option<Decimal>, Fault> {
        if t.is_empty() {
            return Ok(None);
        }
        match kind {
            // Plain digits written by the Parquet or workbook reader: no decimal comma or
            // separator applies.
            FieldKind::Decimal | FieldKind::Integer | FieldKind::Float => {
                let d = Decimal::from_str(t).or_else(|_| Decimal::from_scientific(t)).map_err(|_| {
                    Fault::new(
                        name,
                        t,
                        "not a finite decimal of at most 28 significant digits (NaN, infinity or too large to be exact)",
                    )
                })?;
                return exact(name, t, d).map(Some);
            }
            FieldKind::Boolean | FieldKind::Date | FieldKind::Datetime | FieldKind::DatetimeTz(_) | FieldKind::List => {
                return Err(kind_fault(
                    name,
                    t,
                    kind,
                    self.typed_source,
                    "export numbers as Parquet DECIMAL, an integer or text",
                ))
            }
            FieldKind::Other(ty) => return Err(other_fault(name, t, ty, self.typed_source)),
            FieldKind::Text => {}
        }
        // Fast path: plain `123.45` needs no normalisation and no allocation.
        if self.thousands.is_none()
            && !self.decimal_comma
            && t.bytes().all(|b| b.is_ascii_digit() || b == b'.' || b == b'-')
        {
            if let Ok(d) = Decimal::from_str(t) {
                return exact(name, t, d).map(Some);
            }
        }
        let mut norm = String::with_capacity(t.len());
        for ch in t.chars() {
            if Some(ch) == self.thousands {
                continue;
            }
            norm.push(if self.decimal_comma && ch == ',' { '.' } else { ch });
        }
        let fault = |why: &str| Fault::new(name, t, why.to_string());
        if norm.contains(',') {
            return Err(fault("contains ',': set decimal_comma = true or thousands_separator = \",\" for this file"));
        }
        if !norm.bytes().all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E')) {
            return Err(fault("not a decimal number"));
        }
        // Exporters that went through floating point write 2.868341186312864e-06: the digits
        // as written are converted exactly (no float is involved).
        let parsed = if norm.contains(['e', 'E']) { Decimal::from_scientific(&norm) } else { Decimal::from_str(&norm) };
        let d = parsed.map_err(|e| {
            if norm.chars().filter(|c| c.is_ascii_digit()).count() > 28 {
                fault("more than 28 significant digits: amounts this large cannot be exact")
            } else {
                fault(&format!("not a decimal number ({e})"))
            }
        })?;
        exact_as(name, t, &norm, d).map(Some)
    }
}

/// `d` parsed from `t`, or a fault when the parse rounded (rust_decimal rounds digits past its
/// 28th silently: 12.49999999999999999999999999999 became 12.5).
fn exact(name: &str, t: &str, d: Decimal) -> Result<Decimal, Fault> {
    exact_as(name, t, t, d)
}

/// As [`exact`], `norm` being `t` with separators removed and a decimal point.
fn exact_as(name: &str, t: &str, norm: &str, d: Decimal) -> Result<Decimal, Fault> {
    match written_decimals(norm) {
        Some(w) if w == i64::from(d.normalize().scale()) => Ok(d),
        Some(w) => Err(Fault::new(
            name,
            t,
            format!("{w} significant decimals, more than a decimal holds exactly (28 digits): it would be rounded; shorten it at the source"),
        )),
        None => Ok(d),
    }
}

/// Decimals of the number written in `t` once trailing zeros are dropped and an exponent is
/// applied (`12.3400` 2, `1200e-2` 0, `2.5e-6` 7); `None` when `t` is not of that shape.
fn written_decimals(t: &str) -> Option<i64> {
    let t = t.trim().trim_start_matches(['+', '-']);
    let (m, e) = match t.find(['e', 'E']) {
        Some(i) => (&t[..i], t[i + 1..].parse::<i64>().ok()?),
        None => (t, 0),
    };
    let (int, frac) = m.split_once('.').unwrap_or((m, ""));
    if !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit()) {
        return None;
    }
    let digits = format!("{int}{frac}");
    let significant = digits.trim_end_matches('0').len() as i64;
    let point = int.len() as i64 + e;
    Some((significant - point).max(0))
}

/// A record viewed through a [`ColumnMap`].
pub struct RowView<'a> {
    /// The record's line.
    pub line: u64,
    rec: &'a ByteRecord,
    /// The whole record as text, when it is valid UTF-8: fields are sliced from it, so that a
    /// cell is not checked again.
    whole: Option<&'a str>,
    map: &'a ColumnMap,
    /// Kind of each cell (Excel); empty when the map's column kinds apply.
    cells: &'a [FieldKind],
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
        let whole = std::str::from_utf8(bytes).ok();
        let nul = bytes.contains(&0);
        if whole.is_none() || nul {
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
        Ok(RowView { line, rec, whole, map, cells: &[] })
    }

    /// Views a record whose width was already checked by [`RowView::new`].
    pub fn checked(line: u64, rec: &'a ByteRecord, map: &'a ColumnMap) -> RowView<'a> {
        RowView { line, rec, whole: std::str::from_utf8(rec.as_slice()).ok(), map, cells: &[] }
    }

    /// The same view with per-cell kinds (workbooks); an empty slice keeps the column kinds.
    pub fn with_kinds(mut self, kinds: &'a [FieldKind]) -> RowView<'a> {
        self.cells = kinds;
        self
    }

    /// False when the source's row filter (`when`) leaves this row out.
    pub fn kept(&self) -> bool {
        self.map.filter.as_ref().is_none_or(|c| c.holds(self.rec))
    }

    fn name(&self, col: usize) -> &str {
        &self.map.cols[col].name
    }

    /// The rule that gives contract column `col` its value in this row: the column's own, or
    /// for conditional values the first alternative whose condition holds.
    fn pick(&self, col: usize) -> &'a Col {
        let c = &self.map.cols[col];
        match &c.src {
            Src::Choice(alts) => {
                alts.iter().find(|(w, _)| w.as_ref().is_none_or(|w| w.holds(self.rec))).map_or(&ABSENT, |(_, c)| c)
            }
            _ => c,
        }
    }

    fn field_kind(&self, i: usize) -> &'a FieldKind {
        self.cells.get(i).or_else(|| self.map.kinds.get(i)).unwrap_or(&TEXT)
    }

    /// The kind of the source field behind contract column `col` (text unless it is a typed
    /// Parquet column or a typed Excel cell).
    fn kind(&self, col: usize) -> &'a FieldKind {
        match self.pick(col).src {
            Src::Field(i) => self.field_kind(i),
            _ => &TEXT,
        }
    }

    /// A fault for a typed (Parquet, Excel) value that contract column `col` cannot take.
    fn type_fault(&self, col: usize, t: &str, what: &str) -> Fault {
        kind_fault(self.name(col), t, self.kind(col), self.map.typed_source, what)
    }

    /// The trimmed text of contract column `col` ("" when absent or empty).
    pub fn text(&self, col: usize) -> Result<Cow<'a, str>, Fault> {
        let own = &self.map.cols[col];
        let name = own.name.as_str();
        let c = self.pick(col);
        let raw: Cow<'a, str> = match &c.src {
            Src::Absent => return Ok(Cow::Borrowed("")),
            Src::Const(v) => Cow::Owned(v.clone()),
            Src::RowNumber => Cow::Owned(self.line.to_string()),
            Src::Field(i) => self.field_text(*i, name)?,
            Src::Side(to) => return self.side(*to).map(Cow::Owned),
            Src::Movement => return Ok(Cow::Owned(self.movement().map(|(_, a)| a.to_string()).unwrap_or_default())),
            Src::Choice(_) => return Ok(Cow::Borrowed("")),
        };
        // The kind of the picked field, as `kind(col)` gives it (without picking again).
        let kind = match c.src {
            Src::Field(i) => self.field_kind(i),
            _ => &TEXT,
        };
        if let (FieldKind::Other(ty), false) = (kind, raw.is_empty()) {
            return Err(other_fault(name, &raw, ty, self.map.typed_source));
        }
        if matches!(c.src, Src::Const(_)) && raw.contains('\0') {
            return Err(Fault::new(name, &raw.replace('\0', "\\0"), "contains a NUL byte"));
        }
        let text = match &c.prefix {
            Some(p) if !raw.is_empty() => Cow::Owned(format!("{p}{raw}")),
            _ => raw,
        };
        // The column's own rule: its class was found when the map was resolved.
        let class = if std::ptr::eq(c, own) { self.map.classes[col] } else { Class::of(&c.name) };
        check_class(class, &c.name, &text)?;
        Ok(text)
    }

    fn field_text(&self, i: usize, name: &str) -> Result<Cow<'a, str>, Fault> {
        // Sliced from the record's text, checked once for the whole record; a field boundary
        // falls between characters, since fields are split at ASCII delimiters and quotes.
        if let Some(s) = self.whole.and_then(|w| w.get(self.rec.range(i)?)) {
            return Ok(Cow::Borrowed(s.trim()));
        }
        let b = self.rec.get(i).unwrap_or(b"");
        // An invalid field is still reported here, should the record not be valid text.
        match std::str::from_utf8(b) {
            Ok(s) => Ok(Cow::Borrowed(s.trim())),
            Err(_) => Err(Fault::new(name, &String::from_utf8_lossy(b), "invalid UTF-8")),
        }
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
            // Canonical text written by the Parquet or workbook reader: no date format applies.
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
        let fmt = self.pick(col).format.as_deref().or(self.map.opts.date_format.as_deref());
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

    /// A date-time column (`None` when empty), in the case's local time. A bare date means
    /// midnight.
    pub fn datetime(&self, col: usize) -> Result<Option<DateTime>, Fault> {
        Ok(self.datetime_noted(col)?.map(|(t, _)| t))
    }

    /// As [`RowView::datetime`], with a note when the local time as written is missing or
    /// ambiguous at a daylight-saving change of its zone (the row still loads).
    pub fn datetime_noted(&self, col: usize) -> Result<Option<(DateTime, Option<String>)>, Fault> {
        let t = self.text(col)?;
        if t.is_empty() {
            return Ok(None);
        }
        let zones = &self.map.zones;
        match self.kind(col) {
            // Canonical text written by the Parquet or workbook reader: no date-time format
            // applies; the time is local in the source's zone.
            FieldKind::Date => {
                let d = Date::parse_iso(&t).map(|d| d.start());
                return d
                    .map(|d| Some(zones.local_noted(d)))
                    .ok_or_else(|| Fault::new(self.name(col), &t, "not a valid date"));
            }
            FieldKind::Datetime => {
                let d = DateTime::parse_iso(&t);
                return d
                    .map(|d| Some(zones.local_noted(d)))
                    .ok_or_else(|| Fault::new(self.name(col), &t, "not a valid date-time"));
            }
            FieldKind::DatetimeTz(tz) => return Err(tz_fault(self.name(col), &t, tz)),
            FieldKind::Boolean | FieldKind::Decimal | FieldKind::Float | FieldKind::List => {
                let fmt = self.pick(col).format.as_deref();
                if *self.kind(col) == FieldKind::Decimal && fmt.is_some_and(|f| f.starts_with("excel_serial")) {
                    // A date stored as a plain number in a workbook: the serial read exactly.
                } else {
                    return Err(self.type_fault(
                        col,
                        &t,
                        "export date-times as Parquet TIMESTAMP without time zone (or as text)",
                    ));
                }
            }
            FieldKind::Text | FieldKind::Integer | FieldKind::Other(_) => {}
        }
        let fmt = self.pick(col).format.as_deref().or(self.map.opts.datetime_format.as_deref());
        let parsed = match fmt {
            Some(f) if is_special(f) => special_time(&t, f).map(|d| (d, None)),
            Some(f) if has_zone_directive(f) => {
                chrono::DateTime::parse_from_str(&t, f).ok().map(|d| (zones.instant(d.naive_utc()), None))
            }
            Some(f) => DateTime::parse_with(&t, f).map(|d| zones.local_noted(d)),
            None => match DateTime::parse_iso(&t) {
                Some(d) => Some(zones.local_noted(d)),
                None => DateTime::parse_iso_offset(&t).map(|(d, off)| (zones.offset(d, off), None)),
            },
        };
        parsed.map(Some).ok_or_else(|| Fault::new(self.name(col), &t, datetime_hint(&t, fmt, &self.map.opts)))
    }

    /// The text of date-time column `col` as written, when it was converted from another zone
    /// (an offset, `Z`, or the source's `timezone`): kept as provenance.
    pub fn original(&self, col: usize) -> Option<String> {
        let t = self.text(col).ok()?;
        if t.is_empty() {
            return None;
        }
        if self.map.zones.source.is_some() {
            return Some(format!("{t} [{}]", self.map.zones.source_name()));
        }
        let fmt = self.pick(col).format.as_deref().or(self.map.opts.datetime_format.as_deref());
        let converted = match fmt {
            Some(f) => has_zone_directive(f),
            None => DateTime::parse_iso(&t).is_none() && DateTime::parse_iso_offset(&t).is_some(),
        };
        converted.then(|| t.into_owned())
    }

    /// A decimal column (`None` when empty), honouring decimal comma and thousands separator.
    pub fn decimal(&self, col: usize) -> Result<Option<Decimal>, Fault> {
        if matches!(self.map.cols[col].src, Src::Movement) {
            return self.movement().map(|(_, a)| Some(a));
        }
        let t = self.text(col)?;
        self.map.parse_decimal(self.name(col), &t, self.kind(col))
    }

    fn field_decimal(&self, i: usize) -> Result<Option<Decimal>, Fault> {
        let t = self.field_text(i, "amount")?;
        self.map.parse_decimal("amount", &t, self.field_kind(i))
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

    /// `amount` of `currency` from column `col`, checked against the amount range
    /// (docs/data-model.md, "Amount range"; [`crate::model::money::check_amount`]). With the
    /// mapping's `round_amounts = true`, decimals past the currency's minor unit are rounded half
    /// away from zero instead of rejected, and the `bool` says so (the caller warns).
    pub fn money(&self, col: usize, amount: Decimal, currency: Currency) -> Result<(Decimal, bool), Fault> {
        let minor = currency.minor_units();
        let (_, decimals) = crate::model::money::digits(amount);
        let (amount, rounded) = if decimals > minor && self.map.opts.round_amounts == Some(true) {
            (amount.round_dp_with_strategy(minor, rust_decimal::RoundingStrategy::MidpointAwayFromZero), true)
        } else {
            (amount, false)
        };
        crate::model::money::check_amount(amount, currency).map_err(|why| self.fault(col, why))?;
        Ok((amount, rounded))
    }

    /// A statement row's direction and (positive) amount, from its debit and credit columns,
    /// its sign, or its marker column.
    pub fn movement(&self) -> Result<(Direction, Decimal), Fault> {
        let Some(st) = &self.map.statement else {
            return Err(Fault::new("amount", "", "not a statement source"));
        };
        let nonzero = |d: Option<Decimal>| d.filter(|d| !d.is_zero());
        match &st.movement {
            MovementSrc::DebitCredit(d, dn, c, cn) => {
                match (nonzero(self.field_decimal(*d)?), nonzero(self.field_decimal(*c)?)) {
                    (Some(x), None) => Ok((Direction::Debit, x.abs())),
                    (None, Some(x)) => Ok((Direction::Credit, x.abs())),
                    (None, None) => Err(Fault::new(
                        "amount",
                        "",
                        format!("neither {dn} nor {cn} holds an amount: a statement row moves money one way (use a when filter for rows that are not movements)"),
                    )),
                    (Some(x), Some(y)) => Err(Fault::new(
                        "amount",
                        &format!("{x} / {y}"),
                        format!("both {dn} and {cn} hold an amount: a statement row moves money one way"),
                    )),
                }
            }
            MovementSrc::Signed(f, name) => {
                let v = self
                    .field_decimal(*f)?
                    .ok_or_else(|| Fault::new("amount", "", format!("{name} is empty: amount is required")))?;
                Ok((if v < Decimal::ZERO { Direction::Debit } else { Direction::Credit }, v.abs()))
            }
            MovementSrc::Marked { field, name, marker, marker_name, debit, credit } => {
                let m = self.field_text(*marker, "amount")?.to_lowercase();
                let dir = if debit.contains(&m) {
                    Direction::Debit
                } else if credit.contains(&m) {
                    Direction::Credit
                } else {
                    return Err(Fault::new(
                        "amount",
                        &m,
                        format!(
                            "{marker_name} holds '{m}', which is neither a debit marker ({}) nor a credit marker ({})",
                            debit.join(", "),
                            credit.join(", ")
                        ),
                    ));
                };
                let v = self
                    .field_decimal(*field)?
                    .ok_or_else(|| Fault::new("amount", "", format!("{name} is empty: amount is required")))?;
                Ok((dir, v.abs()))
            }
        }
    }

    /// The counterparty key of a statement row (`None` when it names none).
    pub fn counterparty_key(&self) -> Result<Option<String>, Fault> {
        Ok(party_key(&self.text(CP_IBAN)?, &self.text(CP_NAME)?))
    }

    /// True when the row's channel is the cash channel on the counterparty's side (a cash
    /// deposit has no from_account, a cash withdrawal no to_account).
    pub fn cash_side(&self, to: bool) -> bool {
        let ch = self.map.col("channel").and_then(|c| self.text(c).ok());
        matches!((ch.as_deref(), to), (Some("cash_deposit"), false) | (Some("cash_withdrawal"), true))
    }

    /// from_account (`to` false) or to_account of a statement row.
    fn side(&self, to: bool) -> Result<String, Fault> {
        let name = if to { "to_account" } else { "from_account" };
        let st = self.map.statement.as_ref().and_then(|s| s.ctx.as_ref());
        let Some(ctx) = st else { return Ok(String::new()) };
        let (dir, _) = self.movement()?;
        if (dir == Direction::Debit) != to {
            return Ok(ctx.own.clone());
        }
        if self.cash_side(to) {
            return Ok(String::new());
        }
        match self.counterparty_key()? {
            Some(k) => ctx.parties.get(&k).cloned().ok_or_else(|| {
                Fault::new(name, &k, "counterparty not found by the statement pass (internal error; please report)")
            }),
            None => Err(Fault::new(
                name,
                "",
                "the statement row names no counterparty (counterparty_iban and counterparty_name are empty): map them, or give cash rows a cash channel (channel = [ { when = ..., value = \"cash_deposit\" }, ... ])",
            )),
        }
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

    /// Each contract column with a value and its mapped text (rules applied), for previews.
    pub fn mapped(&self) -> Vec<(String, String)> {
        (0..self.map.cols.len())
            .filter_map(|c| {
                let t = self.text(c).map(|t| t.into_owned()).unwrap_or_else(|f| format!("<{}>", f.reason));
                (!t.is_empty()).then(|| (self.name(c).to_string(), t))
            })
            .collect()
    }

    /// The record's fields joined by ` | `, for previews.
    pub fn raw(&self) -> String {
        self.rec.iter().map(|f| String::from_utf8_lossy(f).trim().to_string()).collect::<Vec<_>>().join(" | ")
    }
}

/// A fault for a typed value of the wrong kind.
fn kind_fault(name: &str, t: &str, kind: &FieldKind, source: &str, what: &str) -> Fault {
    let got = match kind {
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
    if source == "Excel cell" {
        let what = match kind {
            FieldKind::Decimal | FieldKind::Integer => "a number cell cannot hold a date-time: format the cell as a date in the workbook, or map it with format = \"excel_serial\"",
            FieldKind::Datetime => "format the cell as a number or text in the workbook",
            _ => "change the cell in the workbook (or its number format)",
        };
        return Fault::new(name, t, format!("{got} Excel cell cannot hold {name}: {what}"));
    }
    Fault::new(name, t, format!("{got} {source} cannot hold {name}: {what}"))
}

/// A fault for a value of a kind no contract column takes (Parquet durations, Excel errors).
fn other_fault(name: &str, t: &str, ty: &str, source: &str) -> Fault {
    if source == "Excel cell" {
        return Fault::new(
            name,
            t,
            format!("the Excel cell holds {ty} {t}, not a value: fix the cell in the workbook"),
        );
    }
    Fault::new(name, t, format!("Parquet type {ty} is not supported in contract columns: export {name} as text"))
}

/// True when a chrono format reads a time-zone offset.
fn has_zone_directive(f: &str) -> bool {
    f.contains("%z") || f.contains("%:z") || f.contains("%#z") || f.contains("%::z")
}

/// Why a date-time text did not parse, and what to set.
fn datetime_hint(t: &str, fmt: Option<&str>, opts: &ReadOptions) -> String {
    if let Some(f) = fmt {
        return format!("not a valid date-time in format '{f}'");
    }
    if let Some(df) = opts.date_format.as_deref() {
        // The file's dates have a format of their own; date-time columns read
        // datetime_format. Suggest the one that reads this value.
        let fits = [format!("{df} %H:%M:%S"), format!("{df} %H:%M"), df.to_string()]
            .into_iter()
            .find(|f| DateTime::parse_with(t, f).is_some());
        return match fits {
            Some(f) => format!(
                "not a valid date-time (expected YYYY-MM-DD HH:MM:SS): this source sets only date_format = '{df}', which date columns use; a date-time column reads datetime_format: set datetime_format = \"{f}\""
            ),
            None => format!(
                "not a valid date-time (expected YYYY-MM-DD HH:MM:SS): this source sets only date_format = '{df}', which date columns use; a date-time column reads datetime_format: set datetime_format (e.g. \"{df} %H:%M\")"
            ),
        };
    }
    if DateTime::parse_iso_offset(t).is_none()
        && (t.ends_with('Z') || t.get(19..).is_some_and(|z| z.contains(['+', '-'])))
    {
        return "not a valid date-time with a time-zone offset (expected YYYY-MM-DDTHH:MM:SS+02:00 or ...Z)".into();
    }
    "not a valid date-time (expected YYYY-MM-DD HH:MM:SS)".into()
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
    f.starts_with("days_since:") || f.starts_with("unix_") || f.starts_with("excel_serial")
}

/// `days_since:YYYY-MM-DD`, `unix_seconds`, `unix_millis`, `excel_serial` (1900 system),
/// `excel_serial_1904`.
fn special_time(t: &str, f: &str) -> Option<DateTime> {
    if let Some(system) = f.strip_prefix("excel_serial") {
        let v: f64 = t.parse().ok()?;
        return DateTime::from_excel_serial(v, system == "_1904").ok();
    }
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

/// Invisible characters refused in ids and names (docs/data-model.md, "Limits"): bidirectional
/// controls (Unicode UAX #9: LRM, RLM, ALM, the embeddings, overrides and isolates), which
/// reorder what a reader sees, and zero-width or otherwise invisible characters (ZWSP, ZWNJ,
/// ZWJ, word joiner and invisible operators, BOM, Mongolian vowel separator, soft hyphen,
/// combining grapheme joiner, Hangul fillers), which make two different ids print alike.
pub fn invisible(c: char) -> Option<&'static str> {
    Some(match c {
        '\u{200E}' | '\u{200F}' | '\u{061C}' => "a bidirectional mark",
        '\u{202A}'..='\u{202E}' => "a bidirectional embedding or override",
        '\u{2066}'..='\u{2069}' => "a bidirectional isolate",
        '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}' | '\u{180E}' => {
            "a zero-width character"
        }
        '\u{00AD}' | '\u{034F}' | '\u{115F}' | '\u{1160}' | '\u{3164}' | '\u{FFA0}' => "an invisible character",
        c if c.is_control() => "a control character",
        _ => return None,
    })
}

/// `text` with every invisible or control character written as `\u{XXXX}`, and every other
/// non-ASCII character kept: what a reject or warning may show.
pub fn escape_invisible(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if invisible(c).is_some() {
            out.push_str(&format!("\\u{{{:04X}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// Which limit a contract column has (docs/data-model.md, "Limits").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Class {
    Id,
    Name,
    List,
    Text,
}

impl Class {
    fn of(name: &str) -> Class {
        if ID_COLUMNS.contains(&name) {
            Class::Id
        } else if NAME_COLUMNS.contains(&name) {
            Class::Name
        } else if LIST_COLUMNS.contains(&name) {
            Class::List
        } else {
            Class::Text
        }
    }
}

/// The length limit of contract column `name` of class `class`, and no invisible character in
/// an id or a name.
fn check_class(class: Class, name: &str, text: &str) -> Result<(), Fault> {
    let is_id = class == Class::Id;
    let is_name = class == Class::Name;
    if (is_id || is_name) && !text.is_ascii() {
        if let Some((pos, c, what)) = text.chars().enumerate().find_map(|(i, c)| invisible(c).map(|w| (i, c, w))) {
            let shown: String = escape_invisible(&text.chars().take(80).collect::<String>());
            return Err(Fault::new(
                name,
                &shown,
                format!(
                    "{name} holds U+{:04X}, {what}, at character {}: it makes ids or names look alike or reorders them on screen; remove it at the source (docs/data-model.md, \"Limits\")",
                    c as u32,
                    pos + 1
                ),
            ));
        }
    } else if (is_id || is_name) && text.bytes().any(|b| b.is_ascii_control()) {
        let shown = escape_invisible(&text.chars().take(80).collect::<String>());
        return Err(Fault::new(
            name,
            &shown,
            format!("{name} holds a control character: ids and names are one line of printable text"),
        ));
    }
    let (over, limit, unit, what) = if is_id {
        (text.len() > MAX_ID_BYTES, MAX_ID_BYTES, "bytes", "an id")
    } else if is_name {
        let over = text.len() > MAX_NAME_CHARS && text.chars().count() > MAX_NAME_CHARS;
        (over, MAX_NAME_CHARS, "characters", "a name")
    } else if class == Class::List {
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
