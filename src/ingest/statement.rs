//! Bank statements: one file per account, each movement row one transfer between the
//! statement's own account and the counterparty (docs/data-model.md, "Bank statements").
//!
//! Before the transfers load, a pass over each statement source (through the same reader,
//! mapping and row rules as the load itself):
//! 1. finds the own account (fixed, or a preamble cell) among the case's accounts by id or
//!    IBAN, creating it when the case has none;
//! 2. collects every counterparty (IBAN or account number, else name) and creates an account,
//!    and a holder for a named one, for each the case does not have: "unverified external"
//!    records (`record_basis` says where they were named), which entity resolution may later
//!    link to known persons and companies;
//! 3. checks the running balance: each row's balance must equal the previous balance plus
//!    the row's movement; every break is reported with its line, and classified by the row
//!    after it (a single altered balance, or a missing or altered movement).
//!
//! The transfers load then reads the rows again; `from_account` and `to_account` come from
//! the row's direction ([`super::row::RowView::movement`]), so the ordinary transfer checks
//! (channels, account lives, FX) apply to statement rows unchanged.

use super::config::{resolve_inside, CellSpec, SourceSpec};
use super::driver::{display_path, issue, with_footer, Loader};
use super::excel::parse_a1;
use super::report::Issue;
use super::row::{party_key, ColumnMap, Direction, Fault, RowView, StatementCtx, BALANCE, CP_IBAN, CP_NAME};
use super::source::{PreambleRow, Record};
use super::IngestError;
use crate::model::*;
use rust_decimal::Decimal;
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

/// Extra column that says why a record exists when ingest created it.
pub const RECORD_BASIS: &str = "record_basis";

/// A warning found before the transfers table's count exists (added to it after the load).
pub(crate) type Pending = Vec<Issue>;

/// Runs the statement pass over every statement source of `sources` (their file indexes will
/// be `first_file + i`), creating accounts and holders; returns the sources with their
/// [`StatementCtx`] attached, and the balance warnings.
pub(crate) fn prepare(
    l: &mut Loader,
    sources: Vec<SourceSpec>,
    columns: &[&str],
    required: &[&str],
) -> Result<(Vec<SourceSpec>, Pending), IngestError> {
    let first_file = l.case.files.len() as u32;
    let mut pending = Vec::new();
    let mut out = Vec::with_capacity(sources.len());
    for (i, mut spec) in sources.into_iter().enumerate() {
        let Some(st) = spec.statement.clone() else {
            out.push(spec);
            continue;
        };
        let file = first_file + i as u32;
        let path = resolve_inside(&l.dir, &spec.file)?;
        let rel = display_path(&l.dir, &path);
        let opts = spec.read.over(&l.toml.read);
        let (opened, map) = l.open_mapped(columns, required, &spec, &path, &opts)?;
        let bad = |message: String| IngestError::Mapping { path: path.to_path_buf(), message };
        let own_spec = st.own_account.clone().ok_or_else(|| {
            bad("a statement needs own_account: statement = { own_account = \"AL47...\" }, { cell = \"B3\" } or { label = \"IBAN\" }".into())
        })?;
        let (own_text, own_line) = cell_value(&own_spec, &opened.preamble, opened.first_column, &path)?;
        let opening = match &st.opening_balance {
            None => None,
            Some(c) => {
                let (t, _) = cell_value(c, &opened.preamble, opened.first_column, &path)?;
                let d = map
                    .parse_decimal("opening_balance", &t, &super::source::FieldKind::Text)
                    .map_err(|f| bad(format!("opening_balance '{t}': {}", f.reason)))?;
                d
            }
        };
        let order = match st.order.as_deref() {
            None => None,
            Some("oldest_first") => Some(false),
            Some("newest_first") => Some(true),
            Some(o) => return Err(bad(format!("statement order '{o}' is not oldest_first or newest_first"))),
        };
        let scan = scan(opened.reader, &map)?;
        let base = l.case.meta.base_currency;
        let currency = map.fixed_currency.or(scan.currency).unwrap_or(base);
        let own_holder = match &st.own_holder {
            None => None,
            Some(h) => Some(
                l.case
                    .entity(h)
                    .ok_or_else(|| bad(format!("own_holder '{h}' is not a person or company of the case")))?,
            ),
        };
        let own_basis = match &own_spec {
            CellSpec::Fixed(_) => format!("own account of the statement {rel} (named in the mapping)"),
            CellSpec::Cell(c) => format!("own account of the statement {rel} (preamble cell {c})"),
            CellSpec::Label(lb) => format!("own account of the statement {rel} (preamble line {own_line}, '{lb}')"),
        };
        let own =
            account_for(l, &own_text, None, own_holder, currency, Prov { file, line: own_line as u32 }, &own_basis);
        let mut parties = HashMap::new();
        for p in &scan.parties {
            let basis = format!(
                "unverified external: counterparty named in the statement {rel} line {}{}",
                p.line,
                if p.name.is_empty() { String::new() } else { format!(" as '{}'", p.name) }
            );
            let name = (!p.name.is_empty()).then_some(p.name.as_str());
            let id = account_for(l, &p.key, name, None, currency, Prov { file, line: p.line as u32 }, &basis);
            if id == own {
                pending.push(issue(
                    "transfers",
                    &rel,
                    p.line,
                    Fault::new("counterparty_iban", &p.key, "the counterparty is the statement's own account"),
                ));
            }
            parties.insert(p.key.clone(), id);
        }
        for (line, f) in &scan.name_conflicts {
            pending.push(issue("transfers", &rel, *line, f.clone()));
        }
        for f in balance_check(&scan.steps, opening, order) {
            pending.push(issue("transfers", &rel, f.0, f.1));
        }
        spec.resolved = Some(Arc::new(StatementCtx { own, parties }));
        out.push(spec);
    }
    Ok((out, pending))
}

/// A preamble value: written in the mapping, a cell (`B3`), or the cell after a label. Returns
/// the text and its line (0 for a written value).
pub fn cell_value(
    spec: &CellSpec,
    preamble: &[PreambleRow],
    first_column: u32,
    path: &Path,
) -> Result<(String, u64), IngestError> {
    let bad = |message: String| IngestError::Mapping { path: path.to_path_buf(), message };
    let shown = || {
        preamble
            .iter()
            .take(12)
            .map(|r| format!("line {}: {}", r.line, r.cells.join(" | ")))
            .collect::<Vec<_>>()
            .join("; ")
    };
    match spec {
        CellSpec::Fixed(v) => Ok((v.trim().to_string(), 0)),
        CellSpec::Cell(c) => {
            let (col, row) = parse_a1(c).ok_or_else(|| bad(format!("'{c}' is not a cell reference such as B3")))?;
            let text = preamble
                .iter()
                .find(|r| r.line == row)
                .and_then(|r| r.cells.get(col.checked_sub(first_column)? as usize))
                .filter(|t| !t.is_empty())
                .ok_or_else(|| {
                    bad(format!(
                        "cell {c} is empty or not in the preamble (the lines above the header); the preamble is: {}",
                        shown()
                    ))
                })?;
            Ok((text.clone(), row))
        }
        CellSpec::Label(label) => {
            let want = label.trim().to_lowercase();
            for r in preamble {
                for (j, cell) in r.cells.iter().enumerate() {
                    if !cell.to_lowercase().starts_with(&want) {
                        continue;
                    }
                    let rest: String = cell.chars().skip(label.trim().chars().count()).collect();
                    let rest = rest.trim_start_matches(|c: char| c == ':' || c.is_whitespace() || c == '(' || c == ')');
                    let value = if !rest.is_empty() && !rest.chars().all(|c| c == ':') {
                        Some(rest.to_string())
                    } else {
                        r.cells[j + 1..].iter().find(|t| !t.is_empty()).cloned()
                    };
                    if let Some(v) = value {
                        return Ok((v.trim().to_string(), r.line));
                    }
                }
            }
            Err(bad(format!("no preamble cell starts with '{label}'; the preamble is: {}", shown())))
        }
    }
}

/// A counterparty as first seen.
struct Party {
    key: String,
    name: String,
    line: u64,
}

/// One movement row for the balance check.
struct Step {
    line: u64,
    delta: Option<Decimal>,
    balance: Option<Decimal>,
    shown: String,
}

struct Scan {
    parties: Vec<Party>,
    steps: Vec<Step>,
    currency: Option<Currency>,
    name_conflicts: Vec<(u64, Fault)>,
}

/// Reads every movement row once (footer and filtered rows left out, as in the load).
fn scan(reader: super::source::BatchReader, map: &ColumnMap) -> Result<Scan, IngestError> {
    let mut reader = with_footer(reader, map.footer.clone());
    let mut batch: Vec<Record> = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut s = Scan { parties: Vec::new(), steps: Vec::new(), currency: None, name_conflicts: Vec::new() };
    let cur_col = map.col("currency");
    loop {
        reader(&mut batch)?;
        if batch.is_empty() {
            break;
        }
        for r in &batch {
            if r.footer {
                continue;
            }
            // Malformed rows are rejected by the load with their reason.
            let Ok(v) = RowView::new(r.line, &r.fields, map) else { continue };
            let v = v.with_kinds(&r.kinds);
            if !v.kept() {
                continue;
            }
            let mv = v.movement().ok();
            let balance = v.decimal(BALANCE).ok().flatten();
            s.steps.push(Step {
                line: r.line,
                delta: mv.map(|(d, a)| if d == Direction::Debit { -a } else { a }),
                balance,
                shown: v.text(BALANCE).map(|t| t.into_owned()).unwrap_or_default(),
            });
            if s.currency.is_none() {
                s.currency = cur_col.and_then(|c| v.currency(c, None).ok());
            }
            let Some((dir, _)) = mv else { continue };
            if v.cash_side(dir == Direction::Debit) {
                continue;
            }
            let (iban, name) = (v.text(CP_IBAN).unwrap_or_default(), v.text(CP_NAME).unwrap_or_default());
            let Some(key) = party_key(&iban, &name) else { continue };
            let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
            match seen.get(&key) {
                Some(&k) => {
                    let first = &s.parties[k];
                    if !name.is_empty() && !first.name.is_empty() && !first.name.eq_ignore_ascii_case(&name) {
                        s.name_conflicts.push((
                            r.line,
                            Fault::new(
                                "counterparty_name",
                                &name,
                                format!(
                                    "counterparty {key} is named '{}' at line {} and '{name}' here; its holder record keeps the first name",
                                    first.name, first.line
                                ),
                            ),
                        ));
                    }
                }
                None => {
                    seen.insert(key.clone(), s.parties.len());
                    s.parties.push(Party { key, name, line: r.line });
                }
            }
        }
    }
    Ok(s)
}

/// True for text shaped like an IBAN (two letters, two check digits, then letters and digits).
fn looks_like_iban(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 15
        && b.len() <= 34
        && b[..2].iter().all(u8::is_ascii_uppercase)
        && b[2..4].iter().all(u8::is_ascii_digit)
        && b.iter().all(u8::is_ascii_alphanumeric)
}

/// Words that mark a legal person's name (upper case, dots removed).
const LEGAL_FORMS: &[&str] =
    &["SHPK", "SHA", "PF", "LLC", "LTD", "GMBH", "SRL", "SPA", "INC", "PLC", "AG", "BV", "NV", "DOO", "BANK", "BANKA"];

/// Whether a counterparty's name is a company's (by its legal form) rather than a person's.
pub fn is_company_name(name: &str) -> bool {
    name.split(|c: char| c.is_whitespace() || c == ',')
        .map(|w| w.replace('.', "").to_uppercase())
        .any(|w| LEGAL_FORMS.contains(&w.as_str()))
}

/// The id of the case's account for `key` (an account id or IBAN, or `name:` and a name),
/// creating the account (and a holder when `holder_name` is given) when there is none.
fn account_for(
    l: &mut Loader,
    key: &str,
    holder_name: Option<&str>,
    holder: Option<EntityRef>,
    currency: Currency,
    prov: Prov,
    basis: &str,
) -> String {
    let norm: String = key.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_uppercase();
    let by_key = if key.starts_with("name:") { key.to_string() } else { norm.clone() };
    if let Some(&i) = l.case.account_index.get(key.trim()).or_else(|| l.case.account_index.get(&by_key)) {
        return l.case.accounts.rows[i as usize].id.clone();
    }
    if !key.starts_with("name:") {
        let hit = l.case.accounts.rows.iter().find(|a| {
            a.iban.as_deref().is_some_and(|b| {
                b.chars().filter(|c| !c.is_whitespace()).collect::<String>().eq_ignore_ascii_case(&norm)
            })
        });
        if let Some(a) = hit {
            return a.id.clone();
        }
    }
    let id = by_key;
    let holder = holder.or_else(|| holder_name.map(|n| new_holder(l, &id, n, prov, basis)));
    let account = Account {
        id: id.clone(),
        iban: looks_like_iban(&id).then(|| id.clone()),
        bank: None,
        holder,
        opened_on: None,
        closed_on: None,
        currency,
        prov,
    };
    let idx = l.case.accounts.rows.len() as u32;
    l.case.account_index.insert(id.clone(), idx);
    push_with_basis(&mut l.case.accounts, account, basis);
    bump_derived(l, "accounts");
    id
}

/// A holder record for a counterparty account named `name`.
fn new_holder(l: &mut Loader, account: &str, name: &str, prov: Prov, basis: &str) -> EntityRef {
    let id = format!("holder:{account}");
    if let Some(e) = l.case.entity(&id) {
        return e;
    }
    let e = if is_company_name(name) {
        let idx = l.case.companies.rows.len() as u32;
        let c = Company {
            id: id.clone(),
            name: name.to_string(),
            nuis: None,
            legal_form: None,
            registered_address: None,
            city: None,
            incorporated_on: None,
            dissolved_on: None,
            employees: None,
            prov,
        };
        push_with_basis(&mut l.case.companies, c, basis);
        bump_derived(l, "companies");
        EntityRef { kind: EntityKind::Company, idx }
    } else {
        let idx = l.case.persons.rows.len() as u32;
        let p = Person {
            id: id.clone(),
            full_name: name.to_string(),
            birth_date: None,
            national_id: None,
            address: None,
            city: None,
            prov,
        };
        push_with_basis(&mut l.case.persons, p, basis);
        bump_derived(l, "persons");
        EntityRef { kind: EntityKind::Person, idx }
    };
    l.case.entity_index.insert(id, e);
    e
}

/// Appends a created row with its `record_basis` (the column is added when first needed).
fn push_with_basis<T>(t: &mut Table<T>, row: T, basis: &str) {
    let n = t.rows.len();
    let slot = match t.extras.names.iter().position(|x| x == RECORD_BASIS) {
        Some(s) => s,
        None => {
            t.extras.names.push(RECORD_BASIS.to_string());
            let mut c = StrColumn::new();
            for _ in 0..n {
                let _ = c.push("");
            }
            t.extras.columns.push(c);
            t.extras.columns.len() - 1
        }
    };
    for (k, c) in t.extras.columns.iter_mut().enumerate() {
        let _ = c.push(if k == slot { basis } else { "" });
    }
    t.rows.push(row);
}

fn bump_derived(l: &mut Loader, table: &str) {
    if let Some(t) = l.report.tables.iter_mut().find(|t| t.table == table) {
        t.derived += 1;
    }
}

/// The running-balance check in the given order (`Some(true)`: newest first), else in the
/// order with fewer breaks: (line, warning) per break.
fn balance_check(steps: &[Step], opening: Option<Decimal>, newest_first: Option<bool>) -> Vec<(u64, Fault)> {
    if steps.iter().all(|s| s.balance.is_none()) {
        return Vec::new();
    }
    let run = |newest: bool| {
        let ordered: Vec<&Step> = if newest { steps.iter().rev().collect() } else { steps.iter().collect() };
        chain(&ordered, if newest { None } else { opening })
    };
    match newest_first {
        Some(n) => run(n),
        None => {
            let (a, b) = (run(false), run(true));
            if b.len() < a.len() {
                b
            } else {
                a
            }
        }
    }
}

fn chain(steps: &[&Step], opening: Option<Decimal>) -> Vec<(u64, Fault)> {
    let mut out = Vec::new();
    let mut prev: Option<(Decimal, Option<u64>)> = opening.map(|o| (o, None));
    for (k, s) in steps.iter().enumerate() {
        let expected = match (prev, s.delta) {
            (Some((p, _)), Some(d)) => p.checked_add(d),
            _ => None,
        };
        match (expected, s.balance) {
            (Some(e), Some(b)) if e != b => {
                let (p, pl) = prev.unwrap_or_default();
                let from = pl.map(|l| format!("line {l}")).unwrap_or_else(|| "the opening balance".into());
                let d = s.delta.unwrap_or_default();
                let what = if d < Decimal::ZERO { format!("debit of {}", -d) } else { format!("credit of {d}") };
                let next = steps.get(k + 1).and_then(|n| Some((n.delta?, n.balance?)));
                let alone = next.is_some_and(|(nd, nb)| e.checked_add(nd) == Some(nb));
                let why = if alone {
                    "the next row continues from the computed balance, so this balance alone was altered or mistyped"
                } else if next.is_some_and(|(nd, nb)| b.checked_add(nd) == Some(nb)) {
                    "the rows after continue from the stated balance: a movement is missing before this row, or this row's amount was altered"
                } else {
                    "the statement's balances and movements disagree here"
                };
                out.push((
                    s.line,
                    Fault::new(
                        "balance",
                        &s.shown,
                        format!(
                            "running balance breaks: the balance at {from} ({p}) plus this row's {what} gives {e}, but the statement shows {b} (difference {}); {why}",
                            b.checked_sub(e).map_or_else(|| "beyond the amount range".to_string(), |d| d.to_string())
                        ),
                    ),
                ));
                prev = Some((if alone { e } else { b }, Some(s.line)));
            }
            (_, Some(b)) => prev = Some((b, Some(s.line))),
            (Some(e), None) => prev = Some((e, Some(s.line))),
            (None, None) => prev = None,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn steps(rows: &[(i64, i64)]) -> Vec<Step> {
        rows.iter()
            .enumerate()
            .map(|(i, &(d, b))| Step {
                line: i as u64 + 2,
                delta: Some(Decimal::from(d)),
                balance: Some(Decimal::from(b)),
                shown: b.to_string(),
            })
            .collect()
    }

    #[test]
    fn a_single_altered_balance_is_one_break() {
        let s = steps(&[(100, 100), (50, 150), (-30, 999), (10, 130)]);
        let b = balance_check(&s, None, None);
        assert_eq!(b.len(), 1, "{b:?}");
        assert_eq!(b[0].0, 4);
        assert!(b[0].1.reason.contains("alone was altered"), "{}", b[0].1.reason);
    }

    #[test]
    fn a_missing_movement_is_one_break_and_newest_first_is_found() {
        let s = steps(&[(100, 100), (50, 170), (10, 180)]);
        let b = balance_check(&s, None, Some(false));
        assert_eq!(b.len(), 1);
        assert!(b[0].1.reason.contains("a movement is missing"), "{}", b[0].1.reason);
        // Newest first: balance after each row, listed from the latest.
        let s = steps(&[(10, 160), (50, 150), (100, 100)]);
        assert!(balance_check(&s, None, None).is_empty());
    }

    #[test]
    fn company_names_are_told_by_their_legal_form() {
        assert!(is_company_name("Ndërtimi Sh.p.k."));
        assert!(is_company_name("ALBTRANS SHPK"));
        assert!(!is_company_name("Arbën Hoxha"));
    }
}
