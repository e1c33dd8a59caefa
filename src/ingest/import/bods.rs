//! Beneficial Ownership Data Standard statements (0.2, 0.3 and 0.4) imported as a case folder:
//! persons, companies and company_ownership. See docs/data-model.md, "Import".
//!
//! * Input: one JSON file (an array of statements; `.jsonl`: one statement per line) or a folder
//!   of them (read in name order; record ids are taken as one id space across the files).
//! * Records: 0.4 statements are grouped by `recordId`; the record's current statement is the
//!   last by (`statementDate`, position), the rule of `ownership::bods::current_statements`; earlier ones are
//!   listed as superseded, a current `closed` statement as not in force. 0.2/0.3 statements use
//!   `statementID` as record id and `replacesStatements` for updates.
//! * Entities (any `entityType`, arrangements included) -> companies; persons -> persons; ids are
//!   the record ids. A relationship's interests each give at most one company_ownership row:
//!   direct `shareholding` -> `shareholder`; `boardMember`/`boardChair` -> `director`;
//!   `seniorManagingOfficial` -> `administrator`. Declared indirect interests (declarations, which
//!   `ownership::bods::check_indirect` checks against the direct links) and other interest types
//!   (voting rights, appointment of the board, trust roles, nominee arrangements, unknown
//!   interests) are listed with their record, interest index and reason.
//! * **Shares.** The case holds one `share`; BODS gives `exact` or a range. `share` is the
//!   **lower bound** as a fraction: `exact`, else `minimum`, else `exclusiveMinimum` (an
//!   exclusive bound used as the bound, as in `ownership::bods`), else 0 (no lower bound
//!   published). `share_upper` holds the upper bound (`exact`, `maximum`, `exclusiveMaximum`,
//!   else 1), `share_basis` says which bound `share` came from, and `share_exact`,
//!   `share_minimum`, `share_maximum`, `share_exclusive_minimum`, `share_exclusive_maximum` keep
//!   the published percentages as written. The lower bound is used because confiscation
//!   attributes to a suspect only what is proven; the upper bound stays for a second computation.

use super::{
    display_name, full_date, sha256_of, CaseHeader, ImportError, ImportOptions, ImportSummary, Listed, SourceInfo,
    TableOut,
};
use crate::ownership::bods::{current_statements, StatementKey};
use rust_decimal::Decimal;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// One statement, normalised over the BODS versions.
struct Stmt {
    file: usize,
    index: usize,
    statement_id: String,
    record_id: String,
    /// entity, person, relationship or the unknown type as written.
    record_type: String,
    status: String,
    date: String,
    details: Value,
    /// Statement ids this one replaces (0.2/0.3).
    replaces: Vec<String>,
}

fn text(v: &Value, p: &str) -> String {
    v.pointer(p).and_then(Value::as_str).unwrap_or("").to_string()
}

/// 0.2/0.3 interest type names (hyphenated) in their 0.4 spelling.
fn type_04(t: &str) -> String {
    match t {
        "voting-rights" => "votingRights".into(),
        "appointment-of-board" => "appointmentOfBoard".into(),
        "other-influence-or-control" | "influence-or-control" => "otherInfluenceOrControl".into(),
        "senior-managing-official" => "seniorManagingOfficial".into(),
        "settlor-of-trust" => "settlor".into(),
        "trustee-of-trust" => "trustee".into(),
        "protector-of-trust" => "protector".into(),
        "beneficiary-of-trust" => "beneficiaryOfLegalArrangement".into(),
        "rights-to-surplus-assets" | "rights-to-surplus-assets-on-dissolution" => {
            "rightsToSurplusAssetsOnDissolution".into()
        }
        "rights-to-profit-or-income" => "rightsToProfitOrIncome".into(),
        "rights-granted-by-contract" => "rightsGrantedByContract".into(),
        "conditional-rights-granted-by-contract" => "conditionalRightsGrantedByContract".into(),
        other => other.into(),
    }
}

/// Normalises one statement of any supported version.
fn normalise(v: &Value, file: usize, index: usize) -> Stmt {
    if v.get("recordType").is_some() {
        return Stmt {
            file,
            index,
            statement_id: text(v, "/statementId"),
            record_id: text(v, "/recordId"),
            record_type: text(v, "/recordType"),
            status: text(v, "/recordStatus"),
            date: text(v, "/statementDate"),
            details: v.get("recordDetails").cloned().unwrap_or(Value::Null),
            replaces: Vec::new(),
        };
    }
    // 0.2 / 0.3.
    let id = text(v, "/statementID");
    let kind = match v.get("statementType").and_then(Value::as_str).unwrap_or("") {
        "entityStatement" => "entity".to_string(),
        "personStatement" => "person".to_string(),
        "ownershipOrControlStatement" => "relationship".to_string(),
        other => other.to_string(),
    };
    let mut details = v.clone();
    if kind == "relationship" {
        let subject = text(v, "/subject/describedByEntityStatement");
        let party = v.get("interestedParty").cloned().unwrap_or(Value::Null);
        let ip = ["describedByPersonStatement", "describedByEntityStatement"]
            .iter()
            .find_map(|k| party.get(*k).and_then(Value::as_str).map(|s| Value::String(s.to_string())))
            .unwrap_or_else(|| party.get("unspecified").cloned().unwrap_or(party.clone()));
        let interests: Vec<Value> = v
            .get("interests")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .map(|mut it| {
                if let Some(o) = it.as_object_mut() {
                    if let Some(t) = o.get("type").and_then(Value::as_str).map(type_04) {
                        o.insert("type".into(), Value::String(t));
                    }
                    if let Some(l) = o.remove("interestLevel") {
                        o.insert("directOrIndirect".into(), l);
                    }
                }
                it
            })
            .collect();
        details = serde_json::json!({ "subject": subject, "interestedParty": ip, "interests": interests });
    } else if kind == "entity" {
        if let Some(o) = details.as_object_mut() {
            if let Some(Value::String(t)) = o.get("entityType").cloned() {
                o.insert("entityType".into(), serde_json::json!({ "type": t }));
            }
        }
    }
    let replaces = v
        .get("replacesStatements")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).map(String::from).collect())
        .unwrap_or_default();
    Stmt {
        file,
        index,
        statement_id: id.clone(),
        record_id: id,
        record_type: kind,
        status: String::new(),
        date: text(v, "/statementDate"),
        details,
        replaces,
    }
}

/// `s` cut to 40 characters for a reason line (hostile files write megabyte numbers).
fn shown(s: &str) -> String {
    match s.char_indices().nth(40) {
        Some((i, _)) => format!("{}...", &s[..i]),
        None => s.to_string(),
    }
}

/// A percentage as written in the statement (a JSON number or string).
fn written(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Percent value as written, and as a fraction; `Ok(None)` when it is absent or `null`.
///
/// # Errors
/// A value that is not a number, lies beyond the exact decimal range (more than 28 digits, or
/// an exponent past 28), or is outside 0 to 100 percent: the interest is listed with this
/// reason instead of being read as "no bound published" (before, such a share was dropped
/// without a word and the holder's lower bound became 0).
fn pct(key: &str, v: Option<&Value>) -> Result<Option<(String, Decimal)>, String> {
    let s = match v {
        None | Some(Value::Null) => return Ok(None),
        Some(v @ (Value::Number(_) | Value::String(_))) => written(v),
        Some(other) => return Err(format!("share.{key} is {}, not a number", shown(&other.to_string()))),
    };
    // A JSON number such as 1e-5 or 2.5E1 prints in scientific notation.
    let t = s.trim();
    let d = t
        .parse::<Decimal>()
        .or_else(|_| Decimal::from_scientific(t))
        .map_err(|_| format!("share.{key} '{}' is not a percentage within the exact decimal range", shown(&s)))?;
    if d < Decimal::ZERO || d > Decimal::ONE_HUNDRED {
        return Err(format!("share.{key} {} is outside 0 to 100 percent", shown(&s)));
    }
    // Exact: d lies in [0, 100], so d / 100 cannot overflow (it can only round past 28 digits).
    let fraction = d.checked_div(Decimal::ONE_HUNDRED).ok_or_else(|| format!("share.{key} {s}: division failed"))?;
    Ok(Some((s, fraction.normalize())))
}

/// The input files: the file itself, or the `.json`/`.jsonl` files of a folder in name order.
fn inputs(path: &Path) -> Result<Vec<PathBuf>, ImportError> {
    if !path.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let rd =
        std::fs::read_dir(path).map_err(|source| ImportError::Io { path: path.to_path_buf(), what: "list", source })?;
    let mut v: Vec<PathBuf> = rd
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "json" || x == "jsonl"))
        .collect();
    v.sort();
    if v.is_empty() {
        return Err(ImportError::Format {
            path: path.to_path_buf(),
            message: "no .json or .jsonl files in the folder".into(),
        });
    }
    Ok(v)
}

/// Imports BODS statements (a file or a folder of files) as a case folder in `out`.
///
/// # Errors
/// [`ImportError`] when a file cannot be read or is not a JSON array (or JSON lines) of
/// statements, or the case cannot be written. Statements that cannot be used are listed.
///
/// # Complexity
/// O(statements · interests) plus O(n log n) for the record maps.
pub fn import_bods(path: &Path, out: &Path, opts: &ImportOptions) -> Result<ImportSummary, ImportError> {
    let files = inputs(path)?;
    let mut s = ImportSummary::default();
    let names: Vec<String> = files.iter().map(|f| display_name(f)).collect();
    let stmts = read_statements(&files, &names, &mut s)?;
    let mut case = BodsOut::new(&names);
    let current = case.current(&stmts, &mut s);
    // Persons and entities first, so that relationships find their parties whatever the order.
    for (i, st) in stmts.iter().enumerate() {
        if current[i] && matches!(st.record_type.as_str(), "entity" | "person") {
            case.party(st, &mut s);
        }
    }
    for (i, st) in stmts.iter().enumerate() {
        if current[i] && !matches!(st.record_type.as_str(), "entity" | "person") {
            case.relationship(st, &mut s);
        }
    }
    let valuation_date = match &opts.valuation_date {
        Some(d) => d.clone(),
        None => case.dates.iter().max().cloned().ok_or_else(|| ImportError::Format {
            path: path.to_path_buf(),
            message: "no statementDate to take as valuation date; pass --valuation-date YYYY-MM-DD".into(),
        })?,
    };
    let base_currency = opts.base_currency.clone().unwrap_or_else(|| "ALL".into());
    let header = CaseHeader {
        name: opts.name.clone().unwrap_or_else(|| format!("Import of {}", display_name(path))),
        base_currency,
        valuation_date,
        format: "bods",
    };
    // The tables an FtM import fills are written empty, so a re-import leaves no stale rows.
    let empty: Vec<TableOut> = ["accounts", "transfers", "properties", "property_titles", "relations"]
        .into_iter()
        .map(TableOut::new)
        .collect();
    let mut tables = vec![&case.persons, &case.companies, &case.ownership];
    tables.extend(empty.iter());
    super::write_case(out, &header, &tables, opts, &mut s)?;
    Ok(s)
}

/// Reads and normalises the statements of every file (`names` are their display names),
/// recording each file as a source.
fn read_statements(files: &[PathBuf], names: &[String], s: &mut ImportSummary) -> Result<Vec<Stmt>, ImportError> {
    let mut stmts: Vec<Stmt> = Vec::new();
    for (fi, f) in files.iter().enumerate() {
        let (sha256, size) = sha256_of(f)?;
        let body =
            std::fs::read_to_string(f).map_err(|source| ImportError::Io { path: f.clone(), what: "read", source })?;
        let bad = |m: String| ImportError::Format {
            path: f.clone(),
            message: format!("{m}; expected a JSON array of BODS statements (or one statement per line in .jsonl)"),
        };
        let values: Vec<Value> = if f.extension().is_some_and(|x| x == "jsonl") {
            body.lines()
                .filter(|l| !l.trim().is_empty())
                .map(serde_json::from_str)
                .collect::<Result<_, _>>()
                .map_err(|e| bad(e.to_string()))?
        } else {
            match serde_json::from_str(&body).map_err(|e| bad(e.to_string()))? {
                Value::Array(a) => a,
                _ => return Err(bad("the top level is not an array".into())),
            }
        };
        s.sources.push(SourceInfo { path: names[fi].clone(), sha256, size, records: values.len() });
        s.read += values.len();
        for (i, v) in values.iter().enumerate() {
            stmts.push(normalise(v, fi, i));
        }
    }
    Ok(stmts)
}

/// The case tables being written from the current statements.
struct BodsOut<'a> {
    /// Display names of the input files, by `Stmt::file`.
    names: &'a [String],
    persons: TableOut,
    companies: TableOut,
    ownership: TableOut,
    /// Record id -> is person, for the persons and entities written.
    parties: BTreeMap<String, bool>,
    /// Full dates of the statements and interests used (valuation date candidates).
    dates: Vec<String>,
}

impl<'a> BodsOut<'a> {
    fn new(names: &'a [String]) -> BodsOut<'a> {
        BodsOut {
            names,
            persons: TableOut::new("persons"),
            companies: TableOut::new("companies"),
            ownership: TableOut::new("company_ownership"),
            parties: BTreeMap::new(),
            dates: Vec::new(),
        }
    }

    /// A report line about statement `st` (or its `part`).
    fn listed(&self, st: &Stmt, part: String, outcome: &'static str, reason: String) -> Listed {
        Listed {
            file: self.names[st.file].clone(),
            position: st.index,
            record_id: st.statement_id.clone(),
            kind: st.record_type.clone(),
            part,
            outcome,
            reason,
        }
    }

    /// Lists `st` as a whole, for `reason`.
    fn list(&self, s: &mut ImportSummary, st: &Stmt, reason: String) {
        s.list(self.listed(st, String::new(), "listed", reason));
    }

    /// The provenance cells of a row from `st`.
    fn prov(&self, st: &Stmt) -> Vec<(&'static str, String)> {
        vec![
            ("source_file", self.names[st.file].clone()),
            ("source_index", st.index.to_string()),
            ("source_id", st.statement_id.clone()),
            ("source_record_id", st.record_id.clone()),
        ]
    }

    /// Which statements are current (the rule of `ownership::bods::current_statements`); the others
    /// are listed with the statement that replaced or superseded them.
    fn current(&self, stmts: &[Stmt], s: &mut ImportSummary) -> Vec<bool> {
        let names = self.names;
        let replaced: BTreeMap<&str, usize> =
            stmts.iter().enumerate().flat_map(|(i, st)| st.replaces.iter().map(move |r| (r.as_str(), i))).collect();
        let latest = current_statements(stmts.iter().map(|st| StatementKey {
            record: &st.record_id,
            date: &st.date,
            replaced: replaced.contains_key(st.statement_id.as_str()),
        }));
        let mut current = vec![false; stmts.len()];
        for (i, st) in stmts.iter().enumerate() {
            let why = if st.record_id.is_empty() {
                Some("no recordId / statementID".to_string())
            } else if let Some(&j) = replaced.get(st.statement_id.as_str()) {
                Some(format!(
                    "replaced by statement {} ({}, index {})",
                    stmts[j].statement_id, names[stmts[j].file], stmts[j].index
                ))
            } else if latest.get(st.record_id.as_str()) != Some(&i) {
                let j = latest.get(st.record_id.as_str()).copied().unwrap_or(i);
                Some(format!(
                    "superseded: record {} is stated later by statement {} ({}, index {})",
                    st.record_id, stmts[j].statement_id, names[stmts[j].file], stmts[j].index
                ))
            } else if st.status == "closed" {
                Some(format!("closed on {}: record {} is not in force", st.date, st.record_id))
            } else {
                None
            };
            match why {
                Some(r) => self.list(s, st, r),
                None => current[i] = true,
            }
        }
        current
    }

    /// A person or entity statement: a persons or companies row, unless its record id is taken.
    fn party(&mut self, st: &Stmt, s: &mut ImportSummary) {
        if let Some(d) = full_date(&st.date) {
            self.dates.push(d);
        }
        if self.parties.contains_key(&st.record_id) {
            self.list(s, st, format!("record id {} is used by another person or entity", st.record_id));
            return;
        }
        let d = &st.details;
        let ids: Vec<String> = d
            .get("identifiers")
            .and_then(Value::as_array)
            .map(|a| a.iter().map(|x| format!("{}:{}", text(x, "/scheme"), text(x, "/id"))).collect())
            .unwrap_or_default();
        let first_id = d.pointer("/identifiers/0/id").and_then(Value::as_str).unwrap_or("").to_string();
        let address = text(d, "/addresses/0/address");
        let mut row = self.prov(st);
        if st.record_type == "person" {
            person_cells(st, &mut row, ids, first_id, address);
            self.persons.push(row);
            self.parties.insert(st.record_id.clone(), true);
        } else {
            entity_cells(st, &mut row, ids, first_id, address);
            self.companies.push(row);
            self.parties.insert(st.record_id.clone(), false);
        }
        s.written += 1;
    }

    /// A relationship statement: one company_ownership row per interest that has a case role;
    /// the statement is written when one of them is.
    fn relationship(&mut self, st: &Stmt, s: &mut ImportSummary) {
        if st.record_type != "relationship" {
            let reason = format!("record type '{}' is not entity, person or relationship", st.record_type);
            self.list(s, st, reason);
            return;
        }
        if let Some(d) = full_date(&st.date) {
            self.dates.push(d);
        }
        let d = &st.details;
        let subject = text(d, "/subject");
        let ip = d.get("interestedParty").cloned().unwrap_or(Value::Null);
        let Some(ip) = ip.as_str().map(String::from) else {
            let reason = format!(
                "interested party unspecified ({}): no holder to record",
                [text(&ip, "/reason"), text(&ip, "/description")]
                    .into_iter()
                    .filter(|x| !x.is_empty())
                    .collect::<Vec<_>>()
                    .join(": ")
            );
            self.list(s, st, reason);
            return;
        };
        if self.parties.get(&subject) != Some(&false) {
            self.list(s, st, format!("subject {subject} is not an entity in force in this import"));
            return;
        }
        if !self.parties.contains_key(&ip) {
            self.list(s, st, format!("interested party {ip} is not a person or entity in force in this import"));
            return;
        }
        let interests = d.get("interests").and_then(Value::as_array).cloned().unwrap_or_default();
        if interests.is_empty() {
            self.list(s, st, "no interests stated: the kind of link is unknown".into());
            return;
        }
        let mut any = false;
        for (k, it) in interests.iter().enumerate() {
            s.parts_read += 1;
            match interest_role(it).and_then(|role| self.interest(st, k, it, role, [&subject, &ip])) {
                Ok(()) => {
                    s.parts_written += 1;
                    any = true;
                }
                Err(r) => s.list(self.listed(st, format!("interests[{k}]"), "listed", r)),
            }
        }
        if any {
            s.written += 1;
        } else {
            self.list(s, st, "none of its interests maps to a case row (see its parts)".into());
        }
    }

    /// The company_ownership row of interest `k` of `st`, of case `role`, between the company
    /// and the holder of `[subject, interested party]`.
    ///
    /// # Errors
    /// A shareholding whose published share is not a percentage in [0, 100] within the exact
    /// decimal range (see [`pct`]); the row is not written. Other roles keep the share cells as
    /// written, unread.
    fn interest(
        &mut self,
        st: &Stmt,
        k: usize,
        it: &Value,
        role: &str,
        [subject, ip]: [&String; 2],
    ) -> Result<(), String> {
        let sh = it.get("share");
        let get = |key: &str| {
            let v = sh.and_then(|x| x.get(key));
            if role == "shareholder" {
                pct(key, v)
            } else {
                Ok(v.filter(|v| !v.is_null()).map(|v| (written(v), Decimal::ZERO)))
            }
        };
        let (exact, min, emin) = (get("exact")?, get("minimum")?, get("exclusiveMinimum")?);
        let (max, emax) = (get("maximum")?, get("exclusiveMaximum")?);
        let mut row = self.prov(st);
        row.push(("source_interest", k.to_string()));
        row.extend([("company_id", subject.clone()), ("holder_id", ip.clone()), ("role", role.to_string())]);
        if role == "shareholder" {
            let (lower, basis) = match (&exact, &min, &emin) {
                (Some(e), _, _) => (e.1, "exact"),
                (None, Some(m), _) => (m.1, "minimum"),
                (None, None, Some(m)) => (m.1, "exclusiveMinimum"),
                _ => (Decimal::ZERO, "no lower bound published: 0"),
            };
            let upper = exact.as_ref().or(max.as_ref()).or(emax.as_ref()).map(|x| x.1).unwrap_or(Decimal::ONE);
            row.push(("share", lower.to_string()));
            row.push(("share_upper", upper.to_string()));
            row.push(("share_basis", basis.into()));
        }
        for (col, v) in [
            ("share_exact", &exact),
            ("share_minimum", &min),
            ("share_exclusive_minimum", &emin),
            ("share_maximum", &max),
            ("share_exclusive_maximum", &emax),
        ] {
            row.push((col, v.as_ref().map(|x| x.0.clone()).unwrap_or_default()));
        }
        let start = text(it, "/startDate");
        let end = text(it, "/endDate");
        row.push(("from", full_date(&start).unwrap_or_default()));
        row.push(("to", full_date(&end).unwrap_or_default()));
        if let Some(d) = full_date(&start) {
            self.dates.push(d);
        }
        row.push(("interest_type", it.get("type").and_then(Value::as_str).unwrap_or("").to_string()));
        row.push(("beneficial", it.get("beneficialOwnershipOrControl").map(|v| v.to_string()).unwrap_or_default()));
        self.ownership.push(row);
        Ok(())
    }
}

/// The persons cells of person statement `st`, after its provenance in `row`.
fn person_cells(st: &Stmt, row: &mut Vec<(&'static str, String)>, ids: Vec<String>, first_id: String, address: String) {
    let d = &st.details;
    let ptype = d.get("personType").and_then(Value::as_str).unwrap_or("").to_string();
    let mut name = text(d, "/names/0/fullName");
    if name.is_empty() {
        let parts = [text(d, "/names/0/givenName"), text(d, "/names/0/familyName")];
        name = parts.join(" ").trim().to_string();
    }
    if name.is_empty() {
        name = format!("({} {})", if ptype.is_empty() { "unnamed person" } else { &ptype }, st.record_id);
        row.push(("name_basis", "no name published; placeholder".into()));
    }
    let birth = text(d, "/birthDate");
    row.extend([
        ("person_id", st.record_id.clone()),
        ("full_name", name),
        ("birth_date", full_date(&birth).unwrap_or_default()),
        ("national_id", first_id),
        ("address", address),
        ("bods_person_type", ptype),
        ("identifiers", ids.join(";")),
        ("pep_status", text(d, "/politicalExposure/status")),
    ]);
    if full_date(&birth).is_none() && !birth.is_empty() {
        row.push(("bods_birth_date", birth));
    }
    let nat: Vec<String> = d
        .get("nationalities")
        .and_then(Value::as_array)
        .map(|a| a.iter().map(|x| text(x, "/code")).collect())
        .unwrap_or_default();
    row.push(("nationalities", nat.join(";")));
}

/// The companies cells of entity statement `st`, after its provenance in `row`.
fn entity_cells(st: &Stmt, row: &mut Vec<(&'static str, String)>, ids: Vec<String>, first_id: String, address: String) {
    let d = &st.details;
    let etype = [text(d, "/entityType/type"), text(d, "/entityType/subtype")]
        .into_iter()
        .filter(|x| !x.is_empty())
        .collect::<Vec<_>>()
        .join("/");
    let mut name = text(d, "/name");
    if name.is_empty() {
        name = format!("({} {})", if etype.is_empty() { "unnamed entity" } else { &etype }, st.record_id);
        row.push(("name_basis", "no name published; placeholder".into()));
    }
    let founding = text(d, "/foundingDate");
    let dissolution = text(d, "/dissolutionDate");
    row.extend([
        ("company_id", st.record_id.clone()),
        ("name", name),
        ("nuis", first_id),
        ("legal_form", etype),
        ("registered_address", address),
        ("incorporated_on", full_date(&founding).unwrap_or_default()),
        ("dissolved_on", full_date(&dissolution).unwrap_or_default()),
        ("identifiers", ids.join(";")),
        ("jurisdiction", text(d, "/jurisdiction/code")),
        ("is_component", d.get("isComponent").map(|v| v.to_string()).unwrap_or_default()),
    ]);
}

/// The case role of a BODS interest, or why it has none.
fn interest_role(it: &Value) -> Result<&'static str, String> {
    let kind = it.get("type").and_then(Value::as_str).unwrap_or("");
    let direct = it.get("directOrIndirect").and_then(Value::as_str).unwrap_or("direct");
    match (kind, direct) {
        (_, "indirect") => Err(format!(
            "declared indirect {kind}: a declaration checked against the direct links (ownership::bods::check_indirect), not a register row"
        )),
        (_, d) if d != "direct" => Err(format!(
            "interest of {d} directness ({}): a link of unstated size, not a register row",
            if kind.is_empty() { "no type" } else { kind }
        )),
        ("shareholding", _) => Ok("shareholder"),
        ("boardMember" | "boardChair", _) => Ok("director"),
        ("seniorManagingOfficial", _) => Ok("administrator"),
        ("", _) => Err("interest without type: no case role".to_string()),
        (t, _) => Err(format!("interest type {t} has no case role (shareholder, director, nominee_*, administrator)")),
    }
}
